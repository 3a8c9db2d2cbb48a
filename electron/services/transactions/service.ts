// Transactions for the IPC handlers (issue #18), through the project's generated codec on the client
// library's connections (it has no admin calls for these):
// - the coordinators' transactions: ListTransactions to every broker (each lists those it coordinates),
//   then DescribeTransactions to that broker for their state, producer, timeout, start and partitions;
// - the transactions open on partitions: the partitions whose last stable offset (ListOffsets with
//   read_committed) is below the high watermark, and DescribeProducers on their leaders (KIP-664);
// - which hang: open past their timeout, or open on a partition while no coordinator has an open
//   transaction for that producer (the marker never came: the LSO is stuck there);
// - aborting one on a partition as `kafka-transactions.sh abort` does: WriteTxnMarkers ABORT with the
//   producer's id, epoch and coordinator epoch, sent to the partition's leader.
import type { Admin } from '@platformatic/kafka';
import {
  OPEN_TRANSACTION_STATES,
  type AbortResult,
  type AbortTarget,
  type OpenPartitionTransaction,
  type PartitionProducers,
  type TopicTransactions,
  type TransactionState,
  type TransactionView,
  type TransactionsOverview,
} from '../../../shared/model/transactions';
import { AppError } from '../../core/errors';
import { errorName } from '../../kafka/protocol/error-codes';
import { DescribeProducers, DescribeTransactions, ListTransactions, WriteTxnMarkers } from '../../kafka/protocol/generated/index';
import { LATEST_TIMESTAMP } from '../cluster/offsets';
import { brokerFailure, listOffsets, partitionErrorWords, readMetadata, type ClusterSnapshot } from '../cluster/read';
import { brokerConnection, negotiateVersion, send, UnsupportedApiError } from '../cluster/wire';

export interface TransactionServiceDeps {
  admin(connectionId: string): Promise<Admin>;
  now?: () => number;
}

/** A transaction open on a partition with no coordinator transaction to end it hangs after this long without writes. */
const ORPHAN_GRACE_MS = 60_000;

const n = (value: number) => value.toLocaleString('en-US');

function duration(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export class TransactionService {
  readonly #deps: TransactionServiceDeps;

  constructor(deps: TransactionServiceDeps) {
    this.#deps = deps;
  }

  #now(): number {
    return this.#deps.now?.() ?? Date.now();
  }

  /** Every transaction the coordinators know and every one open on a partition, hanging ones named. */
  async overview(connectionId: string): Promise<TransactionsOverview> {
    const admin = await this.#deps.admin(connectionId);
    const snapshot = await readMetadata(admin, null);
    const notes: string[] = [];
    // Partitions first, coordinators second: a transaction seen open on a partition has begun by the
    // time the coordinators are asked, so it is listed there unless it really has no coordinator.
    const open = await this.#openOnPartitions(admin, snapshot, notes);
    let transactions: TransactionView[] = [];
    let unsupported: string | null = null;
    try {
      transactions = await this.#coordinatorTransactions(admin, snapshot, notes);
    } catch (error) {
      if (!(error instanceof UnsupportedApiError)) throw error;
      unsupported = error.message;
    }
    const now = this.#now();
    for (const txn of transactions) {
      if (txn.state === 'Ongoing' && txn.startTimeMs !== null && now - txn.startTimeMs > txn.timeoutMs) {
        txn.hanging = `open for ${duration(now - txn.startTimeMs)}, past its timeout of ${duration(txn.timeoutMs)}`;
      }
    }
    const byProducer = new Map(transactions.map((txn) => [txn.producerId, txn]));
    // Hanging at the coordinator itself (past its timeout), before the partitions add their reasons.
    const pastTimeout = new Map(transactions.filter((txn) => txn.hanging).map((txn) => [txn.transactionalId, txn.hanging]));
    for (const entry of open) {
      const txn = byProducer.get(entry.producerId);
      entry.transactionalId = txn?.transactionalId ?? null;
      const quiet = now - entry.lastTimestamp;
      // As `kafka-transactions.sh find-hanging`: open here while its coordinator has no open transaction
      // for the producer, or one that does not list this partition (no marker will ever come).
      const coordinatorOpen = txn !== undefined && OPEN_TRANSACTION_STATES.includes(txn.state as TransactionState);
      const listed = txn?.partitions.some((t) => t.topic === entry.topic && t.partitions.includes(entry.partition)) ?? false;
      if (txn && listed && pastTimeout.has(txn.transactionalId))
        entry.hanging = `its transaction "${txn.transactionalId}" is ${pastTimeout.get(txn.transactionalId)}`;
      else if (unsupported === null && !(coordinatorOpen && (listed || txn.error !== null)) && quiet > ORPHAN_GRACE_MS) {
        entry.hanging = !txn
          ? `no coordinator has an open transaction for producer ${entry.producerId} (last write ${duration(quiet)} ago)`
          : coordinatorOpen
            ? `its transaction "${txn.transactionalId}" is ${txn.state} at the coordinator without ${entry.topic}-${entry.partition}, and no marker ended it here (last write ${duration(quiet)} ago)`
            : `its transaction "${txn.transactionalId}" is ${txn.state} at the coordinator, but no marker ended it here (last write ${duration(quiet)} ago)`;
      }
      if (entry.hanging && txn && !txn.hanging && entry.blocksLso) txn.hanging = `it holds the last stable offset of ${entry.topic}-${entry.partition}`;
    }
    return { transactions, openOnPartitions: open, notes, unsupported, readAt: now };
  }

  /** ListTransactions on every broker, then DescribeTransactions on each for the ids it listed. */
  async #coordinatorTransactions(admin: Admin, snapshot: ClusterSnapshot, notes: string[]): Promise<TransactionView[]> {
    const listVersion = await negotiateVersion(admin, ListTransactions);
    let describeVersion: number | null = null;
    try {
      describeVersion = await negotiateVersion(admin, DescribeTransactions);
    } catch (error) {
      if (!(error instanceof UnsupportedApiError)) throw error;
      notes.push(error.message);
    }
    const perBroker = await Promise.all(
      [...snapshot.brokers].map(async ([brokerId, address]): Promise<TransactionView[]> => {
        try {
          const connection = await brokerConnection(admin, address);
          const listed = await send(connection, ListTransactions, listVersion, {
            stateFilters: [],
            producerIdFilters: [],
            durationFilter: -1n,
            transactionalIdPattern: null,
          });
          if (listed.errorCode !== 0) {
            notes.push(`Broker ${brokerId} could not list its transactions: ${errorName(listed.errorCode)}.`);
            return [];
          }
          const views = new Map<string, TransactionView>(
            listed.transactionStates.map((t) => [
              t.transactionalId,
              {
                transactionalId: t.transactionalId,
                producerId: Number(t.producerId),
                producerEpoch: -1,
                state: t.transactionState,
                timeoutMs: 0,
                startTimeMs: null,
                partitions: [],
                coordinator: brokerId,
                hanging: null,
                error: describeVersion === null ? 'not described (DescribeTransactions is not offered)' : null,
              },
            ]),
          );
          if (describeVersion !== null && views.size) {
            const described = await send(connection, DescribeTransactions, describeVersion, { transactionalIds: [...views.keys()] });
            for (const state of described.transactionStates) {
              const view = views.get(state.transactionalId);
              if (!view) continue;
              if (state.errorCode !== 0) {
                view.error = errorName(state.errorCode);
                continue;
              }
              Object.assign(view, {
                state: state.transactionState,
                producerId: Number(state.producerId),
                producerEpoch: state.producerEpoch,
                timeoutMs: state.transactionTimeoutMs,
                startTimeMs: state.transactionStartTimeMs >= 0n ? Number(state.transactionStartTimeMs) : null,
                partitions: state.topics.map((t) => ({ topic: t.topic, partitions: [...t.partitions].sort((a, b) => a - b) })),
              });
            }
          }
          return [...views.values()];
        } catch (error) {
          notes.push(`${brokerFailure(brokerId, address, 'Listing transactions', error)}; its transactions are missing.`);
          return [];
        }
      }),
    );
    return perBroker.flat().sort((a, b) => a.transactionalId.localeCompare(b.transactionalId));
  }

  /** The transactions open on partitions: where the last stable offset is below the high watermark, DescribeProducers. */
  async #openOnPartitions(admin: Admin, snapshot: ClusterSnapshot, notes: string[]): Promise<OpenPartitionTransaction[]> {
    const wanted = new Map<string, number[]>();
    for (const topic of snapshot.topics.values()) {
      if (topic.error === null)
        wanted.set(
          topic.name,
          topic.partitions.map((p) => p.partition),
        );
    }
    const { held, failed } = await heldPartitions(admin, snapshot, wanted);
    if (failed)
      notes.push(
        `The last stable offset of ${failed === 1 ? '1 partition' : `${n(failed)} partitions`} could not be read; open transactions there are not shown.`,
      );
    if (!held.size) return [];
    let producers;
    try {
      producers = await describeProducers(admin, snapshot, held);
    } catch (error) {
      if (!(error instanceof UnsupportedApiError)) throw error;
      notes.push(error.message);
      return [];
    }
    const open: OpenPartitionTransaction[] = [];
    for (const [topic, partitions] of held) {
      for (const { partition, lastStableOffset, highWatermark } of partitions) {
        const result = producers.get(`${topic}:${partition}`);
        if (!result || 'error' in result) {
          notes.push(`The producers of ${topic}-${partition} could not be read: ${result?.error ?? 'no answer'}.`);
          continue;
        }
        for (const producer of result.producers) {
          if (producer.currentTxnStartOffset < 0) continue;
          open.push({
            topic,
            partition,
            producerId: producer.producerId,
            producerEpoch: producer.producerEpoch,
            coordinatorEpoch: producer.coordinatorEpoch,
            startOffset: producer.currentTxnStartOffset,
            lastTimestamp: producer.lastTimestamp,
            lastStableOffset,
            highWatermark,
            blocksLso: producer.currentTxnStartOffset === lastStableOffset,
            transactionalId: null,
            hanging: null,
          });
        }
      }
    }
    return open.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || a.startOffset - b.startOffset);
  }

  /** A topic's partitions: high watermark, last stable offset and the producers each leader knows. */
  async topic(connectionId: string, topic: string): Promise<TopicTransactions> {
    const admin = await this.#deps.admin(connectionId);
    const snapshot = await readMetadata(admin, [topic]);
    const state = snapshot.topics.get(topic);
    if (!state || state.error === 'UNKNOWN_TOPIC_OR_PARTITION' || !state.partitions.length) {
      throw new AppError('not-found', `The topic "${topic}" does not exist on this cluster.`);
    }
    const indexes = state.partitions.map((p) => p.partition);
    const wanted = new Map([[topic, indexes]]);
    const [high, stable] = await Promise.all([
      listOffsets(admin, snapshot, wanted, LATEST_TIMESTAMP, 0),
      listOffsets(admin, snapshot, wanted, LATEST_TIMESTAMP, 1),
    ]);
    let unsupported: string | null = null;
    let producers = new Map<string, { producers: PartitionProducers['producers'] } | { error: string }>();
    try {
      producers = await describeProducers(admin, snapshot, new Map([[topic, indexes.map((partition) => ({ partition }))]]));
    } catch (error) {
      if (!(error instanceof UnsupportedApiError)) throw error;
      unsupported = error.message;
    }
    return {
      topic,
      unsupported,
      partitions: indexes.map((partition) => {
        const found = producers.get(`${topic}:${partition}`);
        const offsetsError = high.error(topic, partition) ?? stable.error(topic, partition);
        const error = found && 'error' in found ? found.error : (offsetsError ?? null);
        return {
          partition,
          highWatermark: high.get(topic, partition) ?? null,
          lastStableOffset: stable.get(topic, partition) ?? null,
          producers: found && 'producers' in found ? found.producers : [],
          error,
        };
      }),
    };
  }

  /**
   * Aborts a producer's open transaction on partitions, as `kafka-transactions.sh abort` does:
   * WriteTxnMarkers ABORT (producer id, epoch, coordinator epoch) to each partition's leader. A
   * coordinator epoch of -1 (no marker yet) is sent as 0, as the tool does.
   */
  async abort(connectionId: string, targets: readonly AbortTarget[]): Promise<AbortResult> {
    const admin = await this.#deps.admin(connectionId);
    const snapshot = await readMetadata(admin, [...new Set(targets.map((t) => t.topic))]);
    const version = await negotiateVersion(admin, WriteTxnMarkers);
    const results = await Promise.all(
      targets.map(async (target): Promise<AbortResult['results'][number]> => {
        const result = { topic: target.topic, partition: target.partition };
        const partition = snapshot.topics.get(target.topic)?.partitions.find((p) => p.partition === target.partition);
        if (!partition) return { ...result, error: 'the partition is not in the metadata' };
        const address = snapshot.brokers.get(partition.leader);
        if (partition.leader < 0 || !address) return { ...result, error: 'the partition has no leader right now' };
        try {
          const response = await send(await brokerConnection(admin, address), WriteTxnMarkers, version, {
            markers: [
              {
                producerId: BigInt(target.producerId),
                producerEpoch: target.producerEpoch,
                transactionResult: false,
                topics: [{ name: target.topic, partitionIndexes: [target.partition] }],
                coordinatorEpoch: Math.max(0, target.coordinatorEpoch),
              },
            ],
          });
          const code = response.markers[0]?.topics[0]?.partitions[0]?.errorCode;
          if (code === undefined) return { ...result, error: 'the leader answered without this partition' };
          return { ...result, error: code === 0 ? null : abortErrorWords(errorName(code)) };
        } catch (error) {
          return { ...result, error: brokerFailure(partition.leader, address, 'WriteTxnMarkers', error) };
        }
      }),
    );
    return { results };
  }
}

function abortErrorWords(code: string): string {
  switch (code) {
    case 'CLUSTER_AUTHORIZATION_FAILED':
      return 'aborting needs CLUSTER_ACTION on the cluster, which this user does not have (CLUSTER_AUTHORIZATION_FAILED)';
    case 'INVALID_PRODUCER_EPOCH':
    case 'PRODUCER_FENCED':
      return `the producer has moved on to a newer epoch; refresh and try again (${code})`;
    case 'TRANSACTION_COORDINATOR_FENCED':
      return `the coordinator epoch is older than the partition's last marker; refresh and try again (${code})`;
    default:
      return partitionErrorWords(code);
  }
}

/** Per partition, the high watermark and last stable offset where they differ (an open transaction). */
async function heldPartitions(
  admin: Admin,
  snapshot: ClusterSnapshot,
  wanted: Map<string, number[]>,
): Promise<{ held: Map<string, Array<{ partition: number; lastStableOffset: number; highWatermark: number }>>; failed: number }> {
  const [high, stable] = await Promise.all([
    listOffsets(admin, snapshot, wanted, LATEST_TIMESTAMP, 0),
    listOffsets(admin, snapshot, wanted, LATEST_TIMESTAMP, 1),
  ]);
  const held = new Map<string, Array<{ partition: number; lastStableOffset: number; highWatermark: number }>>();
  let failed = 0;
  for (const [topic, partitions] of wanted) {
    for (const partition of partitions) {
      const hw = high.get(topic, partition);
      const lso = stable.get(topic, partition);
      if (hw === undefined || lso === undefined) {
        failed++;
        continue;
      }
      if (lso >= hw) continue;
      let list = held.get(topic);
      if (!list) held.set(topic, (list = []));
      list.push({ partition, lastStableOffset: lso, highWatermark: hw });
    }
  }
  return { held, failed };
}

/** DescribeProducers on each partition's leader; per partition its producers or why they could not be read. */
async function describeProducers(
  admin: Admin,
  snapshot: ClusterSnapshot,
  wanted: Map<string, Array<{ partition: number }>>,
): Promise<Map<string, { producers: PartitionProducers['producers'] } | { error: string }>> {
  const version = await negotiateVersion(admin, DescribeProducers);
  const results = new Map<string, { producers: PartitionProducers['producers'] } | { error: string }>();
  const byLeader = new Map<number, Map<string, number[]>>();
  for (const [topic, partitions] of wanted) {
    for (const { partition } of partitions) {
      const leader = snapshot.topics.get(topic)?.partitions.find((p) => p.partition === partition)?.leader ?? -1;
      if (leader < 0 || !snapshot.brokers.has(leader)) {
        results.set(`${topic}:${partition}`, { error: 'the partition has no leader right now' });
        continue;
      }
      let topics = byLeader.get(leader);
      if (!topics) byLeader.set(leader, (topics = new Map<string, number[]>()));
      let list = topics.get(topic);
      if (!list) topics.set(topic, (list = []));
      list.push(partition);
    }
  }
  await Promise.all(
    [...byLeader].map(async ([leader, topics]) => {
      const address = snapshot.brokers.get(leader)!;
      try {
        const response = await send(await brokerConnection(admin, address), DescribeProducers, version, {
          topics: [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
        });
        for (const topic of response.topics) {
          for (const p of topic.partitions) {
            results.set(
              `${topic.name}:${p.partitionIndex}`,
              p.errorCode !== 0
                ? { error: p.errorMessage ?? partitionErrorWords(errorName(p.errorCode)) }
                : {
                    producers: p.activeProducers.map((a) => ({
                      producerId: Number(a.producerId),
                      producerEpoch: a.producerEpoch,
                      lastSequence: a.lastSequence,
                      lastTimestamp: Number(a.lastTimestamp),
                      coordinatorEpoch: a.coordinatorEpoch,
                      currentTxnStartOffset: Number(a.currentTxnStartOffset),
                    })),
                  },
            );
          }
        }
      } catch (error) {
        const reason = brokerFailure(leader, address, 'DescribeProducers', error);
        for (const [topic, partitions] of topics) for (const partition of partitions) results.set(`${topic}:${partition}`, { error: reason });
      }
    }),
  );
  return results;
}
