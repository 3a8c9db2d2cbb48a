// What a connection (or a test in the connection dialog) is waiting for, with the time so far against
// its timeout, and Cancel. The main process reports the work once it has waited a moment; the time
// runs on here between its reports.
import { useEffect, useState } from 'react';
import { useAppStore } from '../../store/hooks';
import { describePending, formatMs } from './health-format';
import './connections.css';

export function useNow(active: boolean, everyMs = 200): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [active, everyMs]);
  return now;
}

export function ConnectionProgress({ activityKey, onCancel, cancelling }: { activityKey: string; onCancel?: () => void; cancelling?: boolean }) {
  const activity = useAppStore((state) => state.connectionActivity[activityKey]);
  const now = useNow(Boolean(activity));
  const work = activity?.pending[0];
  if (!activity || !work) return null;
  const elapsed = work.elapsedMs + Math.max(0, now - activity.receivedAt);
  const shown = Math.min(elapsed, work.timeoutMs);
  const more = activity.pending.length - 1;
  return (
    <div className="connection-progress" role="status" aria-label="Connection progress">
      <span className="spinner" aria-hidden="true" />
      <div className="connection-progress-body">
        <div>
          {describePending(work)}
          <span className="muted">
            {' '}
            · {formatMs(shown)} of {formatMs(work.timeoutMs)}
            {more > 0 ? ` · ${more} more waiting` : ''}
          </span>
        </div>
        <progress max={work.timeoutMs} value={shown} aria-label={`${formatMs(shown)} of the ${formatMs(work.timeoutMs)} timeout`} />
      </div>
      {onCancel ? (
        <button type="button" className="button button-small" onClick={onCancel} disabled={cancelling}>
          {cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      ) : null}
    </div>
  );
}
