// A topic's Transactions tab (issue #18): per partition, the last stable offset against the high
// watermark (what read_committed consumers can read, and what an open transaction holds back) and the
// producers its leader knows (DescribeProducers, KIP-664).
import type { PartitionProducers } from '../../../../shared/model/transactions';
import { Badge } from '../../components/Badge';
import { Stale } from '../../components/Stale';
import { StateView } from '../../components/StateView';
import { formatCount, formatQuantity } from '../../components/format';
import { useAppStore, useResource } from '../../store/hooks';
import { selectActiveAvailable } from '../connections/connections-slice';
import { topicTransactionsQuery } from './transactions-slice';
import './transactions.css';

function lsoWords(p: PartitionProducers) {
  if (p.highWatermark === null || p.lastStableOffset === null) return <span className="muted">unknown</span>;
  const held = p.highWatermark - p.lastStableOffset;
  return (
    <>
      {formatCount(p.lastStableOffset)} / {formatCount(p.highWatermark)}{' '}
      {held > 0 ? <Badge tone="warn">{formatQuantity(held, 'offset')} held back</Badge> : <span className="muted">(stable)</span>}
    </>
  );
}

export function TopicTransactionsPanel({ topic }: { topic: string | null }) {
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const available = useAppStore(selectActiveAvailable);
  const [resource, reload] = useResource(topic ? topicTransactionsQuery(connectionId, topic) : null, available);
  return (
    <div className="topic-transactions">
      <StateView resource={resource} onRetry={reload} loadingLabel="Reading the partitions' producers…">
        {(data, stale) => (
          <Stale stale={stale}>
            {data.unsupported ? (
              <div className="warning" role="note" aria-label="Not supported">
                {data.unsupported}
              </div>
            ) : null}
            <div className="card">
              <div className="card-head">
                <h2 className="card-title">Last stable offsets and producers</h2>
                <button type="button" className="button button-small" onClick={reload}>
                  Refresh
                </button>
              </div>
              <p className="muted small">
                read_committed consumers read up to the last stable offset (LSO); an open transaction holds back what lies between it and the high watermark.
                Producers are those the partition&apos;s leader keeps state for (idempotent and transactional).
              </p>
              <div className="table-x">
                <table className="table" aria-label="Partition producers">
                  <thead>
                    <tr>
                      <th className="numeric">Partition</th>
                      <th>LSO / high watermark</th>
                      <th>Producers</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.partitions.map((p) => (
                      <tr key={p.partition} data-partition={p.partition}>
                        <td className="numeric">{p.partition}</td>
                        <td>{lsoWords(p)}</td>
                        <td>
                          {p.error ? <span className="bad-text small">{p.error}</span> : null}
                          {!p.error && !p.producers.length ? <span className="muted">{data.unsupported ? '–' : 'none'}</span> : null}
                          {p.producers.length ? (
                            <ul className="producer-list">
                              {p.producers.map((producer) => (
                                <li key={producer.producerId} className="mono-cell">
                                  id {producer.producerId} · epoch {producer.producerEpoch} · last sequence {producer.lastSequence}
                                  {producer.lastTimestamp >= 0 ? ` · last write ${new Date(producer.lastTimestamp).toLocaleString()}` : ''}
                                  {producer.coordinatorEpoch >= 0 ? ` · coordinator epoch ${producer.coordinatorEpoch}` : ''}{' '}
                                  {producer.currentTxnStartOffset >= 0 ? (
                                    <Badge tone="warn">transaction open from offset {formatCount(producer.currentTxnStartOffset)}</Badge>
                                  ) : null}
                                </li>
                              ))}
                            </ul>
                          ) : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          </Stale>
        )}
      </StateView>
    </div>
  );
}
