/**
 * The transaction coordinator of one broker (KIP-98), for the transactional ids whose
 * `__transaction_state` partition this broker leads: as the group coordinator does with
 * `__consumer_offsets`, it loads a partition's transactions from the log when it becomes the partition's
 * leader and drops them when it stops being it (requests then get NOT_COORDINATOR and clients find the
 * new leader). Every state change is appended to the partition (acks=-1, Kafka's record formats, see
 * records.ts) before it is answered or applied.
 *
 * What it does, as Kafka's TransactionCoordinator: InitProducerId (a producer id per transactional id,
 * its epoch bumped at every init, which fences the older producer; an open transaction is aborted
 * first), AddPartitionsToTxn and AddOffsetsToTxn (the partitions of the open transaction), EndTxn
 * (PrepareCommit / PrepareAbort written, answered, then a marker written to every partition of the
 * transaction through its leader, then CompleteCommit / CompleteAbort), transactions open longer than
 * their timeout aborted with the epoch bumped, and ids idle past transactional.id.expiration.ms removed.
 * A new coordinator resumes the markers of transactions it finds prepared.
 *
 * It sees its broker only through TransactionCoordinatorBroker; markers go out through a MarkerChannel
 * (in this process: straight to the partition leader's WriteTxnMarkers code, markers.ts).
 */
import type { BrokerConfigView } from '../cluster/broker-config';
import { isFailure, type Controller } from '../cluster/controller';
import { isPartitionError, type MarkerRequest, type PartitionReplica } from '../cluster/partition-replica';
import type { CoordinatorClock } from '../groups/group-partitions';
import type { TimerHandle } from '../groups/group';
import type { Logger } from '../server/logger';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { isControlBatch } from '../../kafka/records/batch-header';
import { encodeRecordBatch, iterateBatches } from '../../kafka/records/record-batch';
import {
  decodeTransactionLogKey,
  decodeTransactionLogValue,
  encodeTransactionLogKey,
  encodeTransactionLogValue,
  partitionForTransactionalId,
  stateName,
  TRANSACTION_STATE_TOPIC,
  TransactionState,
  type TransactionLogValue,
  type TransactionStateId,
  type TransactionStateName,
} from './records';

export { TRANSACTION_STATE_TOPIC, TRANSACTION_STATE_NAMES, type TransactionStateName } from './records';

/** Producer epochs are INT16; Kafka moves to a new producer id before the epoch would reach Short.MAX_VALUE. */
const MAX_EPOCH = 32767;
/** How long a state write waits for the in-sync replicas. */
const WRITE_TIMEOUT_MS = 5000;
/** Backoff between attempts to write a marker (the partition has no leader, too few replicas...). */
const MARKER_RETRY_MS = 200;
const LOAD_CHUNK_BYTES = 4 * 1024 * 1024;

/** This broker's replica of a `__transaction_state` partition, as far as the coordinator uses it. */
export type TransactionStateReplica = Pick<PartitionReplica, 'isLeader' | 'appendAsLeader' | 'leaderEpoch'> & {
  readonly log: Pick<PartitionReplica['log'], 'logStartOffset' | 'logEndOffset' | 'read'>;
};

/** Sends transaction markers to partition leaders (Kafka's TransactionMarkerChannelManager); resolves to an error code. */
export interface MarkerChannel {
  write(topic: string, partition: number, marker: MarkerRequest): Promise<number>;
}

/** What the transaction coordinator needs of its broker (as the group coordinator's CoordinatorBroker). */
export interface TransactionCoordinatorBroker {
  readonly id: number;
  readonly logger: Logger;
  readonly config: Pick<BrokerConfigView, 'int'>;
  readonly metadata: Pick<Controller, 'topic' | 'partition'>;
  /** This broker's replica of a `__transaction_state` partition; undefined when it holds none or it cannot be opened. */
  statePartition(partition: number): TransactionStateReplica | undefined;
  readonly markers: MarkerChannel;
  allocateProducerId(): number;
  isRunning(): boolean;
}

/** One transactional id's state (Kafka's TransactionMetadata). */
interface TransactionMetadata {
  readonly transactionalId: string;
  producerId: number;
  /** The producer id before the last change of id (epoch exhausted), -1 if none (Kafka's previousProducerId). */
  lastProducerId: number;
  /**
   * Transaction version 2: the producer id the transaction moves to once its markers are written,
   * when EndTxn found the epoch exhausted (-1 otherwise).
   */
  nextProducerId: number;
  producerEpoch: number;
  /** The epoch before the last bump (a retried InitProducerId gets the current one back). */
  lastProducerEpoch: number;
  timeoutMs: number;
  state: TransactionStateId;
  /** `topic\0partition` of the open (or last) transaction. */
  partitions: Set<string>;
  startTimestamp: number;
  lastUpdateTimestamp: number;
  /** A state write is in flight: other requests get CONCURRENT_TRANSACTIONS until it is done. */
  pending: boolean;
  /**
   * The transaction version the producer uses (KIP-890): 2 once it added partitions through Produce v12 /
   * TxnOffsetCommit v5 or ended a transaction with EndTxn v5 (an epoch bump per transaction), else 0.
   */
  clientTransactionVersion: number;
}

/** One `__transaction_state` partition this broker leads, loaded in a leader epoch (the coordinator epoch of its markers). */
interface OwnedStatePartition {
  partition: number;
  coordinatorEpoch: number;
  transactions: Map<string, TransactionMetadata>;
}

export interface TransactionListing {
  transactionalId: string;
  producerId: number;
  state: TransactionStateName;
}

export interface TransactionDescription {
  transactionalId: string;
  state: TransactionStateName;
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  /** -1 when no transaction is open. */
  startTimeMs: number;
  lastUpdateTimeMs: number;
  topics: Array<{ topic: string; partitions: number[] }>;
}

export interface InitProducerIdResult {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;
const splitKey = (k: string): [string, number] => {
  const at = k.lastIndexOf('\u0000');
  return [k.slice(0, at), Number(k.slice(at + 1))];
};

function byTopic(partitions: Iterable<string>): Array<{ topic: string; partitions: number[] }> {
  const topics = new Map<string, number[]>();
  for (const k of partitions) {
    const [topic, partition] = splitKey(k);
    let list = topics.get(topic);
    if (!list) topics.set(topic, (list = []));
    list.push(partition);
  }
  return [...topics].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([topic, list]) => ({ topic, partitions: list.sort((a, b) => a - b) }));
}

/** Kafka's mapping of a failed `__transaction_state` append to what a client is told. */
function coordinatorErrorFor(error: string): number {
  switch (error) {
    case 'UNKNOWN_TOPIC_OR_PARTITION':
    case 'NOT_ENOUGH_REPLICAS':
    case 'NOT_ENOUGH_REPLICAS_AFTER_APPEND':
    case 'REQUEST_TIMED_OUT':
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case 'NOT_LEADER_OR_FOLLOWER':
    case 'KAFKA_STORAGE_ERROR':
      return ErrorCode.NOT_COORDINATOR;
    default:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}

/**
 * Creates `__transaction_state` if it does not exist yet (Kafka creates it on the first FindCoordinator for
 * a transactional id): transaction.state.log.num.partitions partitions, min(replication factor, brokers)
 * replicas, compacted, min.insync.replicas = transaction.state.log.min.isr capped at the replicas (so a
 * one-broker cluster can run transactions). Returns false when it cannot be created.
 */
export function ensureTransactionStateTopic(broker: {
  readonly controller: Pick<Controller, 'topic' | 'createTopic' | 'brokerIds'>;
  readonly config: Pick<BrokerConfigView, 'int'>;
  readonly logger: Logger;
}): boolean {
  const controller = broker.controller;
  if (controller.topic(TRANSACTION_STATE_TOPIC)) return true;
  const replicationFactor = Math.min(broker.config.int('transaction.state.log.replication.factor'), controller.brokerIds.length);
  const created = controller.createTopic({
    name: TRANSACTION_STATE_TOPIC,
    partitions: broker.config.int('transaction.state.log.num.partitions'),
    replicationFactor,
    configs: {
      'cleanup.policy': 'compact',
      'compression.type': 'uncompressed',
      'min.insync.replicas': String(Math.min(broker.config.int('transaction.state.log.min.isr'), replicationFactor)),
      'segment.bytes': String(broker.config.int('transaction.state.log.segment.bytes')),
      'unclean.leader.election.enable': 'false',
    },
    internal: true,
  });
  if (isFailure(created)) {
    if (created.error === 'KAFKA_STORAGE_ERROR') broker.logger.debug('cannot create the transaction state topic', { error: created.message });
    else broker.logger.error('cannot create the transaction state topic', { error: created.message });
    return false;
  }
  broker.logger.info('created the transaction state topic', { partitions: created.partitions.length, replicationFactor });
  return true;
}

export class TransactionCoordinator {
  readonly #broker: TransactionCoordinatorBroker;
  readonly #clock: CoordinatorClock;
  readonly #owned = new Map<number, OwnedStatePartition>();
  #abortTimer: TimerHandle | null = null;
  #expiryTimer: TimerHandle | null = null;

  constructor(broker: TransactionCoordinatorBroker, clock: CoordinatorClock) {
    this.#broker = broker;
    this.#clock = clock;
  }

  get #log() {
    return this.#broker.logger;
  }

  /** The `__transaction_state` partition of an id, or -1 while the topic does not exist. */
  partitionFor(transactionalId: string): number {
    const count = this.#broker.metadata.topic(TRANSACTION_STATE_TOPIC)?.partitions.length ?? 0;
    return count === 0 ? -1 : partitionForTransactionalId(transactionalId, count);
  }

  /** The `__transaction_state` partitions this broker coordinates now. */
  ownedPartitions(): number[] {
    return [...this.#owned.keys()].sort((a, b) => a - b);
  }

  #ownerOf(transactionalId: string): OwnedStatePartition | number {
    const partition = this.partitionFor(transactionalId);
    if (partition < 0) return ErrorCode.NOT_COORDINATOR;
    return this.#owned.get(partition) ?? ErrorCode.NOT_COORDINATOR;
  }

  #isCurrent(owned: OwnedStatePartition): boolean {
    return this.#owned.get(owned.partition) === owned;
  }

  // ---------------------------------------------------------------------------------------------
  // Leadership

  /** Reconciles one state partition with the controller: load it when we lead it, drop it when not. */
  onPartitionChange(partition: number): void {
    if (!this.#broker.isRunning()) return;
    const meta = this.#broker.metadata.partition(TRANSACTION_STATE_TOPIC, partition);
    const leads = meta !== undefined && meta.leader === this.#broker.id;
    const current = this.#owned.get(partition);
    if (current && (!leads || current.coordinatorEpoch !== meta.leaderEpoch)) this.#unload(partition);
    if (leads && !this.#owned.has(partition)) this.#load(partition, meta.leaderEpoch);
  }

  /** Reconciles every state partition (broker start, topic changes). */
  syncAll(): void {
    if (!this.#broker.isRunning()) return;
    const topic = this.#broker.metadata.topic(TRANSACTION_STATE_TOPIC);
    for (const partition of [...this.#owned.keys()]) if (!topic || partition >= topic.partitions.length) this.#unload(partition);
    if (topic) for (const p of topic.partitions) this.onPartitionChange(p.partition);
  }

  /** Drops every partition (the broker stops); markers in flight stop, the next coordinator resumes them. */
  shutdown(): void {
    for (const partition of [...this.#owned.keys()]) this.#unload(partition);
    if (this.#abortTimer) this.#clock.clearTimeout(this.#abortTimer);
    if (this.#expiryTimer) this.#clock.clearTimeout(this.#expiryTimer);
    this.#abortTimer = null;
    this.#expiryTimer = null;
  }

  #load(partition: number, coordinatorEpoch: number): void {
    const replica = this.#broker.statePartition(partition);
    if (!replica) return;
    const owned: OwnedStatePartition = { partition, coordinatorEpoch, transactions: new Map() };
    const log = replica.log;
    const end = log.logEndOffset;
    let offset = log.logStartOffset;
    let skipped = 0;
    while (offset < end) {
      const { records } = log.read(offset, LOAD_CHUNK_BYTES, end, true);
      if (records.length === 0) break;
      const before = offset;
      for (const batch of iterateBatches(records)) {
        offset = batch.baseOffset + batch.lastOffsetDelta + 1;
        if (isControlBatch(batch.attributes)) continue;
        for (const record of batch.records) {
          if (!record.key) continue;
          try {
            const transactionalId = decodeTransactionLogKey(record.key);
            if (transactionalId === null) continue;
            if (record.value === null) owned.transactions.delete(transactionalId);
            else owned.transactions.set(transactionalId, this.#fromValue(transactionalId, decodeTransactionLogValue(record.value)));
          } catch {
            skipped++;
          }
        }
      }
      if (offset <= before) break;
    }
    this.#owned.set(partition, owned);
    this.#scheduleTimers();
    if (owned.transactions.size > 0 || skipped > 0) {
      this.#log.info('loaded transactions', { partition, transactions: owned.transactions.size, skipped, coordinatorEpoch });
    }
    // Transactions the previous coordinator had prepared: their markers may not all be written.
    for (const txn of owned.transactions.values()) {
      if (txn.state === TransactionState.PrepareCommit || txn.state === TransactionState.PrepareAbort) this.#sendMarkers(owned, txn);
    }
  }

  #unload(partition: number): void {
    const owned = this.#owned.get(partition);
    if (!owned) return;
    this.#owned.delete(partition);
    if (owned.transactions.size > 0)
      this.#log.info('no longer coordinator of transaction state partition', { partition, transactions: owned.transactions.size });
  }

  #fromValue(transactionalId: string, value: TransactionLogValue): TransactionMetadata {
    const partitions = new Set<string>();
    for (const t of value.partitions) for (const p of t.partitions) partitions.add(key(t.topic, p));
    return {
      transactionalId,
      producerId: value.producerId,
      lastProducerId: value.previousProducerId ?? -1,
      nextProducerId: value.nextProducerId ?? -1,
      producerEpoch: value.producerEpoch,
      lastProducerEpoch: -1,
      timeoutMs: value.timeoutMs,
      state: value.state,
      partitions,
      startTimestamp: value.startTimestamp,
      lastUpdateTimestamp: value.lastUpdateTimestamp,
      pending: false,
      clientTransactionVersion: value.clientTransactionVersion ?? 0,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Writes

  /**
   * Appends the transaction's next state (or a tombstone) to its partition while this broker still
   * coordinates it, and applies it once every in-sync replica has it. Resolves to an error code.
   */
  async #write(owned: OwnedStatePartition, txn: TransactionMetadata, next: TransactionLogValue | null): Promise<number> {
    if (!this.#isCurrent(owned)) return ErrorCode.NOT_COORDINATOR;
    const replica = this.#broker.statePartition(owned.partition);
    if (!replica || !replica.isLeader) return ErrorCode.NOT_COORDINATOR;
    const now = this.#clock.now();
    const batch = encodeRecordBatch({
      records: [{ key: encodeTransactionLogKey(txn.transactionalId), value: next ? encodeTransactionLogValue(next) : null, timestamp: now }],
      timestamp: now,
    });
    txn.pending = true;
    let code: number;
    try {
      const outcome = await replica.appendAsLeader(batch, -1, WRITE_TIMEOUT_MS);
      code = isPartitionError(outcome) ? coordinatorErrorFor(outcome.error) : ErrorCode.NONE;
    } finally {
      txn.pending = false;
    }
    // The partition may have moved (or been reloaded) while the write waited for its replicas.
    if (code === ErrorCode.NONE && !this.#isCurrent(owned)) code = ErrorCode.NOT_COORDINATOR;
    if (code !== ErrorCode.NONE) return code;
    if (next === null) {
      owned.transactions.delete(txn.transactionalId);
      return code;
    }
    txn.producerId = next.producerId;
    txn.producerEpoch = next.producerEpoch;
    txn.timeoutMs = next.timeoutMs;
    txn.state = next.state;
    txn.partitions = new Set(next.partitions.flatMap((t) => t.partitions.map((p) => key(t.topic, p))));
    txn.lastUpdateTimestamp = next.lastUpdateTimestamp;
    txn.startTimestamp = next.startTimestamp;
    txn.nextProducerId = next.nextProducerId ?? -1;
    txn.clientTransactionVersion = next.clientTransactionVersion ?? 0;
    return code;
  }

  #value(txn: TransactionMetadata, changes: Partial<TransactionLogValue> & { state: TransactionStateId }): TransactionLogValue {
    return {
      producerId: txn.producerId,
      producerEpoch: txn.producerEpoch,
      timeoutMs: txn.timeoutMs,
      partitions: byTopic(txn.partitions),
      lastUpdateTimestamp: this.#clock.now(),
      startTimestamp: txn.startTimestamp,
      previousProducerId: txn.lastProducerId,
      nextProducerId: txn.nextProducerId,
      clientTransactionVersion: txn.clientTransactionVersion,
      ...changes,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // The handlers' calls

  /**
   * InitProducerId with a transactional id (KIP-98; KIP-360 for a producer that names its current id
   * and epoch): the next epoch of the id's producer id (a new producer id when the epoch is exhausted),
   * which fences every older producer of the id. An open transaction is aborted first: the answer is
   * then CONCURRENT_TRANSACTIONS, and the client's retry gets the new epoch once the abort is complete.
   */
  async initProducerId(transactionalId: string, timeoutMs: number, expectedProducerId: number, expectedEpoch: number): Promise<InitProducerIdResult> {
    const fail = (errorCode: number): InitProducerIdResult => ({ errorCode, producerId: -1, producerEpoch: -1 });
    const owned = this.#ownerOf(transactionalId);
    if (typeof owned === 'number') return fail(owned);
    if (timeoutMs <= 0 || timeoutMs > this.#broker.config.int('transaction.max.timeout.ms')) return fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    let txn = owned.transactions.get(transactionalId);
    if (!txn) {
      txn = {
        transactionalId,
        producerId: this.#broker.allocateProducerId(),
        lastProducerId: -1,
        nextProducerId: -1,
        producerEpoch: -1,
        lastProducerEpoch: -1,
        timeoutMs,
        state: TransactionState.Empty,
        partitions: new Set(),
        startTimestamp: -1,
        lastUpdateTimestamp: this.#clock.now(),
        pending: false,
        clientTransactionVersion: 0,
      };
      owned.transactions.set(transactionalId, txn);
    }
    if (txn.pending) return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
    // KIP-360: a producer that names its id and epoch may only bump its own epoch.
    if (expectedProducerId >= 0 && expectedProducerId !== txn.producerId && expectedProducerId !== txn.lastProducerId) return fail(ErrorCode.PRODUCER_FENCED);
    switch (txn.state) {
      case TransactionState.PrepareCommit:
      case TransactionState.PrepareAbort:
      case TransactionState.PrepareEpochFence:
      case TransactionState.Dead:
        return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
      case TransactionState.Ongoing: {
        // Fence the producer of the open transaction and abort it with the bumped epoch.
        void this.#abort(owned, txn, 'a new producer initialised the transactional id', true);
        return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
      }
      default:
        break;
    }
    if (expectedProducerId >= 0 && txn.producerEpoch >= 0 && expectedEpoch !== txn.producerEpoch) {
      // The retry of an init whose answer was lost gets that answer again; any other epoch is a zombie's.
      if (expectedEpoch === txn.lastProducerEpoch) return { errorCode: ErrorCode.NONE, producerId: txn.producerId, producerEpoch: txn.producerEpoch };
      return fail(ErrorCode.PRODUCER_FENCED);
    }
    const exhausted = txn.producerEpoch >= MAX_EPOCH - 1;
    const producerId = exhausted ? this.#broker.allocateProducerId() : txn.producerId;
    const producerEpoch = exhausted ? 0 : txn.producerEpoch + 1;
    const previous = { producerId: txn.producerId, producerEpoch: txn.producerEpoch };
    const code = await this.#write(
      owned,
      txn,
      this.#value(txn, {
        producerId,
        producerEpoch,
        timeoutMs,
        state: TransactionState.Empty,
        partitions: [],
        startTimestamp: -1,
        previousProducerId: exhausted ? previous.producerId : -1,
        nextProducerId: -1,
        clientTransactionVersion: 0,
      }),
    );
    if (code !== ErrorCode.NONE) return fail(code);
    txn.lastProducerId = exhausted ? previous.producerId : -1;
    txn.lastProducerEpoch = previous.producerEpoch;
    return { errorCode: ErrorCode.NONE, producerId, producerEpoch };
  }

  /** Checks a request of the producer of an id against the coordinator's state: NONE or the error to answer. */
  #checkProducer(owned: OwnedStatePartition | number, transactionalId: string, producerId: number, producerEpoch: number): TransactionMetadata | number {
    if (typeof owned === 'number') return owned;
    const txn = owned.transactions.get(transactionalId);
    if (!txn || txn.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (txn.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED;
    if (txn.pending) return ErrorCode.CONCURRENT_TRANSACTIONS;
    if (
      txn.state === TransactionState.PrepareCommit ||
      txn.state === TransactionState.PrepareAbort ||
      txn.state === TransactionState.PrepareEpochFence ||
      txn.state === TransactionState.Dead
    ) {
      return ErrorCode.CONCURRENT_TRANSACTIONS;
    }
    return txn;
  }

  /**
   * AddPartitionsToTxn / AddOffsetsToTxn: adds partitions to the id's transaction, opening it if none
   * is (Ongoing, its start time now). Partitions already in it cost no write. `transactionVersion` 2:
   * added by a partition leader for Produce v12 / TxnOffsetCommit v5 (KIP-890 part 2).
   */
  async addPartitions(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    partitions: Array<{ topic: string; partition: number }>,
    transactionVersion = 0,
  ): Promise<number> {
    const owned = this.#ownerOf(transactionalId);
    const txn = this.#checkProducer(owned, transactionalId, producerId, producerEpoch);
    if (typeof txn === 'number') return txn;
    const all = new Set(txn.state === TransactionState.Ongoing ? txn.partitions : []);
    const before = all.size;
    for (const p of partitions) all.add(key(p.topic, p.partition));
    if (txn.state === TransactionState.Ongoing && all.size === before) return ErrorCode.NONE;
    const now = this.#clock.now();
    const code = await this.#write(
      owned as OwnedStatePartition,
      txn,
      this.#value(txn, {
        state: TransactionState.Ongoing,
        partitions: byTopic(all),
        startTimestamp: txn.state === TransactionState.Ongoing ? txn.startTimestamp : now,
        lastUpdateTimestamp: now,
        clientTransactionVersion: transactionVersion,
      }),
    );
    return code;
  }

  /**
   * AddPartitionsToTxn v4+ with verifyOnly (KIP-890 part 1), and what a partition leader asks before
   * appending a producer's first transactional batch there (transactions/verification.ts): whether each
   * partition is in the id's open transaction. As Kafka's handleVerifyPartitionsInTransaction: a pending
   * state write is not waited for (the append is checked again), a transaction being prepared answers
   * CONCURRENT_TRANSACTIONS, a partition not in it TRANSACTION_ABORTABLE.
   */
  verifyPartitions(transactionalId: string, producerId: number, producerEpoch: number, partitions: Array<{ topic: string; partition: number }>): number[] {
    const owned = this.#ownerOf(transactionalId);
    const all = (code: number) => partitions.map(() => code);
    if (typeof owned === 'number') return all(owned);
    const txn = owned.transactions.get(transactionalId);
    if (!txn || txn.producerId !== producerId) return all(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    if (txn.producerEpoch !== producerEpoch) return all(ErrorCode.PRODUCER_FENCED);
    if (txn.state === TransactionState.PrepareCommit || txn.state === TransactionState.PrepareAbort) return all(ErrorCode.CONCURRENT_TRANSACTIONS);
    return partitions.map((p) =>
      txn.state === TransactionState.Ongoing && txn.partitions.has(key(p.topic, p.partition)) ? ErrorCode.NONE : ErrorCode.TRANSACTION_ABORTABLE,
    );
  }

  /**
   * EndTxn: the open transaction is prepared (PrepareCommit / PrepareAbort written) and the producer
   * answered; the markers follow (sendMarkers), then the Complete state. A retry of a decided
   * transaction is answered as the first request was, or CONCURRENT_TRANSACTIONS while its markers are
   * still being written.
   *
   * Transaction version 2 (EndTxn v5, KIP-890 part 2; Kafka's TransactionCoordinator.endTransaction and
   * TransactionMetadata.prepareAbortOrCommit): the prepare bumps the epoch, the markers carry the bumped
   * epoch (so a late write of the ended transaction is fenced on every partition), and the answer
   * gives the producer its id and new epoch. At an exhausted epoch the transaction moves to a new
   * producer id once its markers are written. A retry is recognised by its epoch being the one before
   * the bump (or the last of the previous producer id).
   */
  async endTransaction(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    commit: boolean,
    transactionVersion = 0,
  ): Promise<InitProducerIdResult> {
    const fail = (errorCode: number): InitProducerIdResult => ({ errorCode, producerId: -1, producerEpoch: -1 });
    const owned = this.#ownerOf(transactionalId);
    if (typeof owned === 'number') return fail(owned);
    const txn = owned.transactions.get(transactionalId);
    if (!txn) return fail(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    const current = (): InitProducerIdResult => ({ errorCode: ErrorCode.NONE, producerId: txn.producerId, producerEpoch: txn.producerEpoch });
    const isV2 = txn.clientTransactionVersion >= 2;
    // The retry of an EndTxn that moved the transaction to a new producer id at an exhausted epoch.
    const retryOnOverflow = isV2 && txn.lastProducerId === producerId && producerEpoch === MAX_EPOCH - 1 && txn.producerEpoch === 0;
    // The retry of an EndTxn whose prepare bumped the epoch.
    const retryOnEpochBump = isV2 && txn.producerEpoch === producerEpoch + 1;
    let validEpoch: boolean;
    if (!isV2) validEpoch = producerEpoch === txn.producerEpoch;
    else if (txn.state === TransactionState.PrepareCommit || txn.state === TransactionState.PrepareAbort) validEpoch = retryOnEpochBump;
    else if (txn.state === TransactionState.CompleteCommit || txn.state === TransactionState.CompleteAbort) validEpoch = retryOnEpochBump || retryOnOverflow;
    else validEpoch = producerEpoch === txn.producerEpoch;
    if (txn.producerId !== producerId && !retryOnOverflow) return fail(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    if (!validEpoch) return fail(ErrorCode.PRODUCER_FENCED);
    if (txn.pending) return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
    switch (txn.state) {
      case TransactionState.Ongoing:
        break;
      case TransactionState.CompleteCommit:
        return commit ? current() : fail(ErrorCode.INVALID_TXN_STATE);
      case TransactionState.CompleteAbort:
        return commit ? fail(ErrorCode.INVALID_TXN_STATE) : current();
      case TransactionState.PrepareCommit:
        return fail(commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE);
      case TransactionState.PrepareAbort:
        return fail(commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS);
      case TransactionState.PrepareEpochFence:
      case TransactionState.Dead:
        return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
      default:
        return fail(ErrorCode.INVALID_TXN_STATE);
    }
    const state = commit ? TransactionState.PrepareCommit : TransactionState.PrepareAbort;
    let next: TransactionLogValue;
    if (transactionVersion >= 2) {
      // Kafka never hands out Short.MAX_VALUE - 1 or above: past it the transaction moves to a new id.
      const nextProducerId = txn.producerEpoch >= MAX_EPOCH - 1 ? this.#broker.allocateProducerId() : -1;
      next = this.#value(txn, { state, producerEpoch: txn.producerEpoch + 1, nextProducerId, clientTransactionVersion: transactionVersion });
    } else {
      next = this.#value(txn, { state, clientTransactionVersion: transactionVersion });
    }
    const previousEpoch = txn.producerEpoch;
    const code = await this.#write(owned, txn, next);
    if (code !== ErrorCode.NONE) return fail(code);
    if (transactionVersion >= 2) txn.lastProducerEpoch = previousEpoch;
    this.#sendMarkers(owned, txn);
    // At an exhausted epoch the producer continues with the next producer id once the markers are written.
    if (txn.nextProducerId >= 0) return { errorCode: ErrorCode.NONE, producerId: txn.nextProducerId, producerEpoch: 0 };
    return current();
  }

  /**
   * Aborts an open transaction from the coordinator's side (timeout, or a new producer of its id):
   * the epoch is bumped first, so the producer that opened it is fenced at its partitions and here.
   */
  async #abort(owned: OwnedStatePartition, txn: TransactionMetadata, why: string, byNewProducer = false): Promise<void> {
    if (txn.pending || txn.state !== TransactionState.Ongoing) return;
    const bumped = Math.min(txn.producerEpoch + 1, MAX_EPOCH);
    const previousEpoch = txn.producerEpoch;
    this.#log.info('aborting transaction', { transactionalId: txn.transactionalId, producerId: txn.producerId, epoch: bumped, why });
    const code = await this.#write(owned, txn, this.#value(txn, { state: TransactionState.PrepareAbort, producerEpoch: bumped }));
    if (code !== ErrorCode.NONE) return;
    // Only after a new producer's init may the fenced epoch re-init (Kafka's lastProducerEpoch); a timed-out one stays fenced.
    txn.lastProducerEpoch = byNewProducer ? previousEpoch : -1;
    this.#sendMarkers(owned, txn);
  }

  /**
   * Writes the marker of a prepared transaction to every one of its partitions, through each partition's
   * leader, retrying until each is written (or the partition is gone), then writes the Complete state.
   * Stops when this broker stops coordinating the partition: the next coordinator starts over.
   */
  #sendMarkers(owned: OwnedStatePartition, txn: TransactionMetadata): void {
    const commit = txn.state === TransactionState.PrepareCommit;
    const marker: MarkerRequest = { producerId: txn.producerId, producerEpoch: txn.producerEpoch, coordinatorEpoch: owned.coordinatorEpoch, commit };
    const writeOne = async (k: string): Promise<boolean> => {
      const [topic, partition] = splitKey(k);
      for (let attempt = 0; ; attempt++) {
        if (!this.#isCurrent(owned) || !this.#broker.isRunning()) return false;
        if (!this.#broker.metadata.partition(topic, partition)) return true;
        let code: number;
        try {
          code = await this.#broker.markers.write(topic, partition, marker);
        } catch (error) {
          this.#log.error('writing a transaction marker failed', {
            topic,
            partition,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          });
          code = ErrorCode.UNKNOWN_SERVER_ERROR;
        }
        if (code === ErrorCode.NONE || code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return true;
        if (code === ErrorCode.INVALID_PRODUCER_EPOCH || code === ErrorCode.TRANSACTION_COORDINATOR_FENCED) {
          // A newer epoch or coordinator wrote there already: this marker is moot, as in Kafka.
          this.#log.warn('transaction marker refused', { topic, partition, producerId: marker.producerId, error: code });
          return true;
        }
        if (attempt === 10) this.#log.warn('transaction marker not written yet, retrying', { topic, partition, producerId: marker.producerId, error: code });
        await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, MARKER_RETRY_MS));
      }
    };
    void (async () => {
      const written = await Promise.all([...txn.partitions].map(writeOne));
      if (written.includes(false)) return;
      for (;;) {
        if (!this.#isCurrent(owned) || owned.transactions.get(txn.transactionalId) !== txn) return;
        // Transaction version 2 at an exhausted epoch: the id moves to the next producer id, epoch 0.
        const moves = txn.clientTransactionVersion >= 2 && txn.nextProducerId >= 0;
        const previousProducerId = txn.producerId;
        const code = await this.#write(
          owned,
          txn,
          this.#value(txn, {
            state: commit ? TransactionState.CompleteCommit : TransactionState.CompleteAbort,
            partitions: [],
            startTimestamp: -1,
            ...(moves ? { producerId: txn.nextProducerId, producerEpoch: 0, previousProducerId, nextProducerId: -1 } : {}),
          }),
        );
        if (code === ErrorCode.NONE && moves) txn.lastProducerId = previousProducerId;
        if (code === ErrorCode.NONE || code === ErrorCode.NOT_COORDINATOR) return;
        await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, MARKER_RETRY_MS));
      }
    })().catch((error: unknown) =>
      this.#log.error('completing a transaction failed', {
        transactionalId: txn.transactionalId,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Timers: transaction timeouts and transactional id expiration

  #scheduleTimers(): void {
    if (!this.#abortTimer) {
      const every = this.#broker.config.int('transaction.abort.timed.out.transaction.cleanup.interval.ms');
      const tick = () => {
        this.#abortTimer = this.#owned.size > 0 ? this.#clock.setTimeout(tick, every) : null;
        this.abortTimedOut(this.#clock.now());
      };
      this.#abortTimer = this.#clock.setTimeout(tick, every);
    }
    if (!this.#expiryTimer) {
      const every = this.#broker.config.int('transaction.remove.expired.transaction.cleanup.interval.ms');
      const tick = () => {
        this.#expiryTimer = this.#owned.size > 0 ? this.#clock.setTimeout(tick, every) : null;
        this.expireTransactionalIds(this.#clock.now());
      };
      this.#expiryTimer = this.#clock.setTimeout(tick, every);
    }
  }

  /** Aborts the transactions open longer than their timeout (run by a timer; tests call it). Returns how many. */
  abortTimedOut(now: number): number {
    let aborted = 0;
    for (const owned of this.#owned.values()) {
      for (const txn of owned.transactions.values()) {
        if (txn.state !== TransactionState.Ongoing || txn.pending || txn.startTimestamp < 0) continue;
        if (now - txn.startTimestamp <= txn.timeoutMs) continue;
        aborted++;
        void this.#abort(owned, txn, `open longer than its timeout (${txn.timeoutMs} ms)`);
      }
    }
    return aborted;
  }

  /** Removes ids idle (no transaction open) longer than transactional.id.expiration.ms (a tombstone each). Returns how many. */
  expireTransactionalIds(now: number): number {
    const expiration = this.#broker.config.int('transactional.id.expiration.ms');
    let expired = 0;
    for (const owned of this.#owned.values()) {
      for (const txn of owned.transactions.values()) {
        const idle = txn.state === TransactionState.Empty || txn.state === TransactionState.CompleteCommit || txn.state === TransactionState.CompleteAbort;
        if (!idle || txn.pending || now - txn.lastUpdateTimestamp < expiration) continue;
        expired++;
        this.#log.info('transactional id expired', { transactionalId: txn.transactionalId, producerId: txn.producerId });
        void this.#write(owned, txn, null);
      }
    }
    return expired;
  }

  // ---------------------------------------------------------------------------------------------
  // Admin (DescribeTransactions, ListTransactions)

  /** ListTransactions (KIP-664): empty filters match everything; durationMs >= 0 keeps transactions open at least that long. */
  listTransactions(filter: { states: string[]; producerIds: number[]; durationMs: number }): TransactionListing[] {
    const now = this.#clock.now();
    const listed: TransactionListing[] = [];
    for (const owned of this.#owned.values()) {
      for (const txn of owned.transactions.values()) {
        const state = stateName(txn.state);
        if (filter.states.length > 0 && !filter.states.includes(state)) continue;
        if (filter.producerIds.length > 0 && !filter.producerIds.includes(txn.producerId)) continue;
        if (filter.durationMs >= 0 && (txn.state !== TransactionState.Ongoing || now - txn.startTimestamp < filter.durationMs)) continue;
        listed.push({ transactionalId: txn.transactionalId, producerId: txn.producerId, state });
      }
    }
    return listed.sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : a.transactionalId > b.transactionalId ? 1 : 0));
  }

  /** DescribeTransactions for one id: NOT_COORDINATOR, TRANSACTIONAL_ID_NOT_FOUND, or its description. */
  describeTransaction(transactionalId: string): { errorCode: number; description: TransactionDescription | null } {
    const owned = this.#ownerOf(transactionalId);
    if (typeof owned === 'number') return { errorCode: owned, description: null };
    const txn = owned.transactions.get(transactionalId);
    if (!txn || txn.producerEpoch < 0) return { errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, description: null };
    return {
      errorCode: ErrorCode.NONE,
      description: {
        transactionalId,
        state: stateName(txn.state),
        producerId: txn.producerId,
        producerEpoch: txn.producerEpoch,
        timeoutMs: txn.timeoutMs,
        startTimeMs: txn.startTimestamp,
        lastUpdateTimeMs: txn.lastUpdateTimestamp,
        topics: byTopic(txn.partitions),
      },
    };
  }
}
