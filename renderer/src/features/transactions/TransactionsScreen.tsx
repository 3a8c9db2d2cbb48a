// The Transactions screen (issue #18): the transactions the coordinators know (id, producer, state,
// partitions, age) and those open on partitions (where the last stable offset waits for them), hanging
// ones first and highlighted, each with Abort (WriteTxnMarkers ABORT, after a confirmation).
import { useEffect, useState } from 'react';
import type { AbortTarget, OpenPartitionTransaction, TransactionView, TransactionsOverview } from '../../../../shared/model/transactions';
import { OPEN_TRANSACTION_STATES, type TransactionState } from '../../../../shared/model/transactions';
import { useLiveView } from '../../app/use-live-view';
import { Badge, type BadgeTone } from '../../components/Badge';
import { ConfirmDialog } from '../../components/Dialog';
import { ScreenHeader } from '../../components/ScreenHeader';
import { Stale } from '../../components/Stale';
import { Empty, StateView } from '../../components/StateView';
import { formatCount, formatQuantity } from '../../components/format';
import { useAppStore, useResource } from '../../store/hooks';
import { selectActiveAvailable } from '../connections/connections-slice';
import { transactionsQuery } from './transactions-slice';
import './transactions.css';

/** Transactions change by the second: the screen reads them again this often while it is shown. */
const REFRESH_MS = 5_000;

export function TransactionsScreen() {
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const available = useAppStore(selectActiveAvailable);
  const [overview, reload] = useResource(transactionsQuery(connectionId), available);
  const [aborting, setAborting] = useState<AbortRequest | null>(null);
  useLiveView(reload, { failing: overview.status === 'error', unhealthy: false, busy: overview.status === 'loading' });
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  return (
    <section className="screen transactions-screen">
      <ScreenHeader title="Transactions" onRefresh={reload} refreshing={overview.status === 'loading'} />
      <StateView
        resource={overview}
        onRetry={reload}
        loadingLabel="Reading transactions…"
        isEmpty={(data) => !data.transactions.length && !data.openOnPartitions.length && !data.unsupported && !data.notes.length}
        empty={
          <Empty title="No transactions on this cluster.">
            Transactional producers (a <code>transactional.id</code>) show here with their state and partitions, and so does any transaction left open on a
            partition.
          </Empty>
        }
      >
        {(data, stale) => (
          <Stale stale={stale} readAt={data.readAt}>
            <TransactionsView data={data} onAbort={setAborting} />
          </Stale>
        )}
      </StateView>
      {aborting ? <AbortDialog request={aborting} onClose={() => setAborting(null)} /> : null}
    </section>
  );
}

interface AbortRequest {
  what: string;
  targets: AbortTarget[];
}

function ago(ms: number): string {
  if (ms < 1000) return 'just now';
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

function stateTone(state: string): BadgeTone {
  if (state === 'Ongoing') return 'accent';
  if (state.startsWith('Prepare')) return 'warn';
  if (state === 'CompleteCommit') return 'good';
  if (state === 'CompleteAbort') return 'bad';
  return 'neutral';
}

const targetOf = (entry: OpenPartitionTransaction): AbortTarget => ({
  topic: entry.topic,
  partition: entry.partition,
  producerId: entry.producerId,
  producerEpoch: entry.producerEpoch,
  coordinatorEpoch: entry.coordinatorEpoch,
});

function TransactionsView({ data, onAbort }: { data: TransactionsOverview; onAbort: (request: AbortRequest) => void }) {
  const open = data.transactions.filter((txn) => OPEN_TRANSACTION_STATES.includes(txn.state as TransactionState));
  const hanging =
    data.transactions.filter((txn) => txn.hanging).length + data.openOnPartitions.filter((entry) => entry.hanging && !entry.transactionalId).length;
  // Hanging first, then open, then by id.
  const rank = (txn: TransactionView) => (txn.hanging ? 0 : OPEN_TRANSACTION_STATES.includes(txn.state as TransactionState) ? 1 : 2);
  const transactions = [...data.transactions].sort((a, b) => rank(a) - rank(b) || a.transactionalId.localeCompare(b.transactionalId));
  const openByProducer = (producerId: number) => data.openOnPartitions.filter((entry) => entry.producerId === producerId);
  return (
    <>
      <p className="muted transactions-summary" role="status" aria-label="Transactions summary">
        {data.unsupported ? '' : `${formatQuantity(data.transactions.length, 'transaction')} · ${formatCount(open.length)} open · `}
        {formatQuantity(data.openOnPartitions.length, 'partition')} held by an open transaction
        {hanging ? (
          <>
            {' · '}
            <strong className="bad-text">{formatCount(hanging)} hanging</strong>
          </>
        ) : null}
      </p>
      {data.unsupported ? (
        <div className="warning" role="note" aria-label="Not supported">
          {data.unsupported} Transactions open on partitions are still found from the partitions&apos; last stable offsets.
        </div>
      ) : null}
      {data.notes.length ? (
        <ul className="warning transactions-notes" aria-label="Not read">
          {data.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      ) : null}

      {data.unsupported ? null : (
        <div className="card">
          <h2 className="card-title">Transactions the coordinators know</h2>
          {transactions.length ? (
            <div className="table-x">
              <table className="table" aria-label="Transactions">
                <thead>
                  <tr>
                    <th>Transactional id</th>
                    <th>Producer</th>
                    <th>State</th>
                    <th>Partitions</th>
                    <th className="numeric">Age / timeout</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {transactions.map((txn) => {
                    const onPartitions = openByProducer(txn.producerId);
                    const partitions = txn.partitions.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`));
                    return (
                      <tr key={txn.transactionalId} className={txn.hanging ? 'row-bad' : undefined} data-transactional-id={txn.transactionalId}>
                        <td className="mono-cell id-cell">{txn.transactionalId}</td>
                        <td>
                          <span className="mono-cell">
                            {txn.producerId} / {txn.producerEpoch < 0 ? '?' : txn.producerEpoch}
                          </span>
                          <div className="muted small nowrap">coordinator {txn.coordinator}</div>
                        </td>
                        <td>
                          <Badge tone={stateTone(txn.state)}>{txn.state}</Badge>
                          {txn.hanging ? (
                            <div className="bad-text small" data-testid="hanging-reason">
                              Hanging: {txn.hanging}
                            </div>
                          ) : null}
                          {txn.error ? <div className="muted small">{txn.error}</div> : null}
                        </td>
                        <td className="partitions-cell" title={partitions.join(', ')}>
                          {partitions.length ? (
                            <>
                              {partitions.slice(0, 4).join(', ')}
                              {partitions.length > 4 ? ` and ${formatCount(partitions.length - 4)} more` : ''}
                            </>
                          ) : (
                            <span className="muted">none</span>
                          )}
                        </td>
                        <td className="numeric nowrap">
                          {txn.startTimeMs !== null ? ago(data.readAt - txn.startTimeMs) : <span className="muted">–</span>}
                          <span className="muted"> / {txn.timeoutMs ? ago(txn.timeoutMs) : '–'}</span>
                        </td>
                        <td>
                          {onPartitions.length ? (
                            <button
                              type="button"
                              className={txn.hanging ? 'button button-small button-danger' : 'button button-small'}
                              onClick={() =>
                                onAbort({
                                  what: `the transaction of "${txn.transactionalId}" (producer ${txn.producerId}, epoch ${txn.producerEpoch}) on ${formatQuantity(onPartitions.length, 'partition')}: ${onPartitions.map((e) => `${e.topic}-${e.partition}`).join(', ')}`,
                                  targets: onPartitions.map(targetOf),
                                })
                              }
                            >
                              Abort…
                            </button>
                          ) : null}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="muted">No coordinator lists a transactional id.</p>
          )}
        </div>
      )}

      <div className="card">
        <h2 className="card-title">Open on partitions</h2>
        <p className="muted small">
          Where a partition&apos;s last stable offset (what read_committed consumers read up to) is below its high watermark, the transaction holding it, from
          the partition leader&apos;s producer state (DescribeProducers).
        </p>
        {data.openOnPartitions.length ? (
          <div className="table-x">
            <table className="table" aria-label="Open on partitions">
              <thead>
                <tr>
                  <th>Partition</th>
                  <th>Producer</th>
                  <th>Transactional id</th>
                  <th className="numeric">Starts at</th>
                  <th>Last stable offset / high watermark</th>
                  <th className="numeric">Last write</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {data.openOnPartitions.map((entry) => (
                  <tr
                    key={`${entry.topic}:${entry.partition}:${entry.producerId}`}
                    className={entry.hanging ? 'row-bad' : entry.blocksLso ? 'row-warn' : undefined}
                    data-partition={`${entry.topic}-${entry.partition}`}
                  >
                    <td className="mono-cell">
                      {entry.topic}-{entry.partition}
                    </td>
                    <td className="mono-cell">
                      {entry.producerId} / {entry.producerEpoch}
                    </td>
                    <td className="mono-cell">{entry.transactionalId ?? <span className="muted">none listed</span>}</td>
                    <td className="numeric">{formatCount(entry.startOffset)}</td>
                    <td>
                      {formatCount(entry.lastStableOffset)} / {formatCount(entry.highWatermark)}{' '}
                      <span className="muted">({formatQuantity(entry.highWatermark - entry.lastStableOffset, 'offset')} held back)</span>
                      {entry.blocksLso ? (
                        <>
                          {' '}
                          <Badge tone="warn" title="Its first offset is the partition's last stable offset: read_committed consumers wait for it">
                            holds the LSO
                          </Badge>
                        </>
                      ) : null}
                      {entry.hanging ? (
                        <div className="bad-text small" data-testid="hanging-reason">
                          Hanging: {entry.hanging}
                        </div>
                      ) : null}
                    </td>
                    <td className="numeric">{entry.lastTimestamp >= 0 ? `${ago(data.readAt - entry.lastTimestamp)} ago` : '–'}</td>
                    <td>
                      <button
                        type="button"
                        className={entry.hanging ? 'button button-small button-danger' : 'button button-small'}
                        onClick={() =>
                          onAbort({
                            what: `producer ${entry.producerId}'s transaction (epoch ${entry.producerEpoch}) on ${entry.topic}-${entry.partition}, from offset ${formatCount(entry.startOffset)}`,
                            targets: [targetOf(entry)],
                          })
                        }
                      >
                        Abort…
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">No partition waits for an open transaction: every last stable offset is at its high watermark.</p>
        )}
      </div>
    </>
  );
}

function AbortDialog({ request, onClose }: { request: AbortRequest; onClose: () => void }) {
  const abortTransaction = useAppStore((state) => state.abortTransaction);
  return (
    <ConfirmDialog
      title="Abort the transaction?"
      confirmLabel="Abort the transaction"
      onClose={onClose}
      onDone={onClose}
      action={async () => {
        const result = await abortTransaction(request.targets);
        if (!result.ok) return result;
        const failed = result.value.results.filter((r) => r.error);
        if (!failed.length) return { ok: true };
        return { ok: false, error: { message: failed.map((r) => `${r.topic}-${r.partition}: ${r.error}`).join('; ') } };
      }}
    >
      <p>Abort {request.what}?</p>
      <p className="muted">
        An ABORT marker is written to each partition (WriteTxnMarkers, as <code>kafka-transactions.sh abort</code> does): read_committed consumers skip its
        records and the last stable offset moves on. A producer still running gets an error at its next send or commit. This cannot be undone.
      </p>
    </ConfirmDialog>
  );
}
