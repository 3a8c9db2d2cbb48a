// What each send of the produce form did: the latest first, each with its records' partitions and
// offsets, and the records the cluster did not take with why.
import { useState } from 'react';
import type { ProduceResult } from '../../../../shared/model/schemas';
import { formatCount, formatQuantity } from '../../components/format';

/** A send and what it answered, as the form keeps them. */
export interface SendOutcome {
  id: number;
  at: number;
  result: ProduceResult;
}

const ROWS_SHOWN = 100;

export function ProduceResults({ sends, onOpenTopic }: { sends: readonly SendOutcome[]; onOpenTopic: (topic: string) => void }) {
  return (
    <div className="produce-sends" role="list" aria-label="Sends">
      {sends.map((send, position) => (
        <SendCard key={send.id} send={send} latest={position === 0} onOpenTopic={onOpenTopic} />
      ))}
    </div>
  );
}

type Row = { index: number; partition: number; offset: number | null; error: string | null };

function SendCard({ send, latest, onOpenTopic }: { send: SendOutcome; latest: boolean; onOpenTopic: (topic: string) => void }) {
  const { result } = send;
  const [all, setAll] = useState(false);
  const rows: Row[] = [
    ...result.records.map((record) => ({ ...record, error: null })),
    ...result.failed.map((record) => ({ index: record.index, partition: record.partition, offset: null, error: record.error })),
  ].sort((a, b) => a.index - b.index);
  const shown = all ? rows : rows.slice(0, ROWS_SHOWN);
  const written = result.records.length;
  const title = !result.acknowledged
    ? `Sent to ${result.topic} without acknowledgement (acks=0): partitions and offsets are unknown.`
    : result.failed.length
      ? `${formatCount(written)} of ${formatQuantity(written + result.failed.length, 'record')} written to ${result.topic}; ${formatCount(result.failed.length)} failed`
      : `Sent ${formatQuantity(written, 'record')} to ${result.topic}`;
  return (
    <div
      className={result.failed.length ? 'card produce-send produce-send-partial' : 'card produce-send'}
      role={latest ? 'status' : 'listitem'}
      aria-label={latest ? 'Produce result' : `Send at ${new Date(send.at).toLocaleTimeString()}`}
    >
      <h2 className="card-title">{title}</h2>
      <p className="muted small">
        {new Date(send.at).toLocaleTimeString()} · in {formatCount(result.durationMs)} ms
      </p>
      {rows.length ? (
        <div className="produce-records">
          <table className="table compact" aria-label="Sent records">
            <thead>
              <tr>
                <th className="numeric">#</th>
                <th className="numeric">Partition</th>
                <th className="numeric">Offset</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((row) => (
                <tr key={row.index} className={row.error ? 'row-bad' : undefined}>
                  <td className="numeric">{formatCount(row.index + 1)}</td>
                  <td className="numeric">{row.partition}</td>
                  <td className="numeric" data-column="offset">
                    {row.error ? <span className="produce-record-error">{row.error}</span> : formatCount(row.offset)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {rows.length > ROWS_SHOWN ? (
        <button type="button" className="button button-small" onClick={() => setAll(!all)}>
          {all ? `Show the first ${formatCount(ROWS_SHOWN)}` : `Show all ${formatCount(rows.length)} records`}
        </button>
      ) : null}
      {latest ? (
        <button type="button" className="button" onClick={() => onOpenTopic(result.topic)}>
          Open {result.topic}
        </button>
      ) : null}
    </div>
  );
}
