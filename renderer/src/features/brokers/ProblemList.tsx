// A list of what is wrong, worst first, each in one sentence with a badge; long lists show the first
// few and a button for the rest.
import { useState } from 'react';
import { Badge, type BadgeTone } from '../../components/Badge';
import { formatCount } from '../../components/format';
import './health.css';

export interface ProblemItem {
  key: string;
  tone: Extract<BadgeTone, 'bad' | 'warn'>;
  label: string;
  text: string;
}

export function ProblemList({ items, limit = 8, total }: { items: readonly ProblemItem[]; limit?: number; total?: number }) {
  const [all, setAll] = useState(false);
  const shown = all ? items : items.slice(0, limit);
  const more = (total ?? items.length) - shown.length;
  return (
    <>
      <ul className="problem-list">
        {shown.map((item) => (
          <li key={item.key}>
            <Badge tone={item.tone}>{item.label}</Badge>
            <span>{item.text}</span>
          </li>
        ))}
      </ul>
      {more > 0 ? (
        <div className="problem-more">
          {items.length > shown.length ? (
            <button type="button" className="link-button" onClick={() => setAll(true)}>
              Show {formatCount(items.length - shown.length)} more
            </button>
          ) : null}
          {(total ?? items.length) > items.length ? (
            <span className="muted small"> {formatCount((total ?? items.length) - items.length)} more are not listed here.</span>
          ) : null}
        </div>
      ) : null}
    </>
  );
}
