// What a screen last read, kept on screen while the cluster does not answer, greyed and labelled as
// such: a list of brokers "up" or "0 offline partitions" from before the cluster went away must not
// read as the present.
import type { ReactNode } from 'react';
import './stale.css';

const time = new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

export function Stale({ stale, readAt, children }: { stale: boolean; readAt?: number | null; children: ReactNode }) {
  if (!stale) return <>{children}</>;
  return (
    <div className="stale" aria-label="Last data read">
      <p className="stale-note">
        {readAt ? `As last read at ${time.format(readAt)}` : 'As last read'}: the cluster does not answer now, so this may no longer be true.
      </p>
      <div className="stale-body">{children}</div>
    </div>
  );
}
