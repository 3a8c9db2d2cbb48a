import { CorruptRecordError, KafkaStorageError, LogError, OffsetOutOfRangeError, RecordTooLargeError } from '../log/errors';
import type { LogConfig } from '../log/log-config';
import { transactionMarkerOf, type PartitionLog, type TransactionMarker } from '../log/partition-log';
import type { AbortedTransaction } from '../log/transaction-index';
import type { ReadAllocator } from '../log/read-buffers';
import { validateRecords, type AppendOrigin, type DecompressionBudget, type ValidatedRecords } from '../log/validator';
import { encodeEndTxnMarkerBatch } from '../../kafka/records/record-batch';
import type { BatchHeader } from '../../kafka/records/batch-header';
import type { PartitionMetadata } from './metadata-store';
import { replicationMetrics as metrics } from './replication-metrics';
import { ProducerStateTable, deleteProducerSnapshot, readProducerSnapshot, writeProducerSnapshot, type ActiveProducer } from './producer-state';

/** Error names of the protocol a partition operation can answer; handlers turn them into codes. */
export type PartitionErrorName =
  | 'NOT_LEADER_OR_FOLLOWER'
  | 'NOT_ENOUGH_REPLICAS'
  | 'NOT_ENOUGH_REPLICAS_AFTER_APPEND'
  | 'REQUEST_TIMED_OUT'
  | 'CORRUPT_MESSAGE'
  | 'INVALID_RECORD'
  | 'MESSAGE_TOO_LARGE'
  | 'RECORD_LIST_TOO_LARGE'
  | 'INVALID_TIMESTAMP'
  | 'UNSUPPORTED_COMPRESSION_TYPE'
  | 'OUT_OF_ORDER_SEQUENCE_NUMBER'
  | 'INVALID_PRODUCER_EPOCH'
  | 'OFFSET_OUT_OF_RANGE'
  | 'FENCED_LEADER_EPOCH'
  | 'UNKNOWN_LEADER_EPOCH'
  | 'KAFKA_STORAGE_ERROR'
  | 'UNKNOWN_TOPIC_OR_PARTITION'
  | 'UNKNOWN_TOPIC_ID'
  | 'INVALID_REQUIRED_ACKS'
  | 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED'
  | 'TRANSACTION_COORDINATOR_FENCED'
  | 'INVALID_TXN_STATE'
  | 'TRANSACTION_ABORTABLE'
  | 'INVALID_PRODUCER_ID_MAPPING'
  | 'TOPIC_AUTHORIZATION_FAILED'
  | 'UNSUPPORTED_VERSION'
  | 'UNKNOWN_SERVER_ERROR';

export interface PartitionError {
  error: PartitionErrorName;
  message: string;
}

export interface AppendOutcome {
  error: null;
  baseOffset: number;
  lastOffset: number;
  /** -1 unless the topic uses LogAppendTime. */
  logAppendTime: number;
  logStartOffset: number;
}

export interface ReadOutcome {
  error: null;
  /** Whole batches (possibly several, possibly empty). */
  records: Buffer;
  /** read_committed reads: the aborted transactions overlapping what was read (else empty). */
  abortedTransactions: AbortedTransaction[];
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  logEndOffset: number;
}

/** What a replica needs from the broker that hosts it. */
export interface ReplicaHost {
  readonly brokerId: number;
  /** The partition's current metadata from the controller (leader, epoch, ISR). */
  metadata(): PartitionMetadata | undefined;
  logConfig(): LogConfig;
  /**
   * KIP-966's strict min ISR (Kafka 3.7+, KAFKA-15583): the high watermark does not advance while the
   * ISR is smaller than min.insync.replicas (at most the replica count), so replicas that left the ISR
   * below it hold every committed record and may lead (eligible leader replicas).
   */
  readonly strictMinIsr?: boolean;
  /** Reports a new ISR to the controller; false when the controller refused it (stale epoch). */
  changeIsr(leaderEpoch: number, isr: number[]): boolean;
  /** Told when writing the log fails (a full disk), and when it works again. */
  storageFailed?(operation: 'append' | 'replicate', error: unknown): void;
  storageRecovered?(operation: 'append' | 'replicate'): void;
  /** The log was recreated because its directory vanished while the broker was down (LogManager.lostLog). */
  logLost?: boolean;
  /** Told once such a log has caught up with a leader, or leads: whole again. */
  logRecovered?(): void;
  now(): number;
}

interface FollowerProgress {
  logEndOffset: number;
  lastCaughtUpMs: number;
}

interface AckWaiter {
  requiredOffset: number;
  resolve: (outcome: AppendOutcome | PartitionError) => void;
  outcome: AppendOutcome;
  /** performance.now() after which it fails with REQUEST_TIMED_OUT. */
  deadline: number;
  timeoutMs: number;
}

/** Fetch's isolation level (KIP-98): 0 read_uncommitted (up to the high watermark), 1 read_committed (up to the LSO). */
export type IsolationLevel = 0 | 1;
export const READ_COMMITTED: IsolationLevel = 1;

/** A transaction marker a coordinator writes (WriteTxnMarkers). */
export interface MarkerRequest {
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  commit: boolean;
}

/**
 * What a listener of a partition waits for (besides role changes, log start moves and closing, which
 * every listener hears of): followers for new records on the leader, consumers for records becoming
 * visible (the high watermark moving). Each hears only its own news: a consumer's long poll is not
 * woken by an append it cannot read yet, a follower not by a high watermark it learns at its next fetch
 * (as in Kafka, where followers' fetches complete on new records only).
 */
export type DataInterest = 'records' | 'highWatermark';

export function isPartitionError(value: object): value is PartitionError {
  return 'error' in value && value.error !== null;
}

/**
 * One broker's replica of one partition: its log, and when it leads, the high watermark, the followers'
 * progress, the ISR bookkeeping, idempotent-producer state and the produce requests waiting for
 * acks=all. The controller decides who leads; this class applies Kafka's rules within that decision.
 */
export class PartitionReplica {
  highWatermark: number;
  readonly producers = new ProducerStateTable();
  readonly #followers = new Map<number, FollowerProgress>();
  /** acks=all appends waiting for their followers, in the order they were appended. */
  readonly #ackWaiters = new Set<AckWaiter>();
  /** One timer for every waiter's timeout (at the earliest deadline), not one per request. */
  #ackTimer: NodeJS.Timeout | null = null;
  #ackTimerAt = Infinity;
  readonly #recordListeners = new Set<() => void>();
  readonly #highWatermarkListeners = new Set<() => void>();
  /** Writes that failed for lack of storage and have not worked since (reported to the host). */
  readonly #failingWrites = new Set<'append' | 'replicate'>();
  /** The leader epoch this replica last acted on; a change means a new role. */
  #actedEpoch = -1;
  /** The active segment when the producer-state snapshot was last written: a new one means a roll. */
  #snapshotSegment = -1;
  /**
   * Its log was recreated empty because its directory vanished while the broker was down: it may have
   * acknowledged records it no longer has, so it neither leads nor counts as intact (election.ts) until
   * it has fetched up to a leader's high watermark.
   */
  logLost: boolean;
  readonly #host: ReplicaHost;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly log: PartitionLog,
    host: ReplicaHost,
  ) {
    this.#host = host;
    this.highWatermark = Math.min(log.highWatermark, log.logEndOffset);
    this.logLost = host.logLost === true;
    this.rebuildProducerState();
    // Compaction never cleans a transaction that is not decided yet (Kafka's firstUnstableOffset).
    log.firstUnstableOffset = () => this.producers.firstUnstableOffset(this.highWatermark);
  }

  #logWholeAgain(): void {
    if (!this.logLost) return;
    this.logLost = false;
    this.#host.logRecovered?.();
  }

  get isLeader(): boolean {
    return this.#host.metadata()?.leader === this.#host.brokerId;
  }

  get leaderEpoch(): number {
    return this.#host.metadata()?.leaderEpoch ?? -1;
  }

  /**
   * Rebuilds producer state (at open, or after a truncation): from the snapshot and the batch headers
   * after it; without a usable snapshot, from the headers of the whole log, since a transaction still
   * open may have begun anywhere. Only headers are read, and the one record of each transaction marker.
   * Aborted transactions the replay meets are indexed again if a crash kept them out of the index.
   */
  rebuildProducerState(): void {
    this.producers.clear();
    const snapshot = readProducerSnapshot(this.log.dir);
    let from: number;
    if (snapshot && snapshot.offset <= this.log.logEndOffset) {
      this.producers.load(snapshot.producers);
      from = snapshot.offset;
    } else {
      from = this.log.logStartOffset;
    }
    for (const header of this.log.batchHeadersFrom(from)) {
      if (header.producerId >= 0) this.#recordBatch(header, header.baseOffset, header.maxTimestamp, header.marker);
    }
    this.#snapshotSegment = this.log.activeSegmentBaseOffset;
  }

  /** Writes the producer-state snapshot at the log end (at a clean stop, and when the log rolled). */
  writeProducerSnapshot(): void {
    // An empty log costs nothing to scan at the next start: no file to write for it.
    if (this.log.logEndOffset === this.log.logStartOffset && this.producers.size === 0) return;
    try {
      writeProducerSnapshot(this.log.dir, { offset: this.log.logEndOffset, producers: this.producers.entries() });
      this.#snapshotSegment = this.log.activeSegmentBaseOffset;
    } catch {
      // A snapshot only saves work at the next start: without one, the state is rebuilt from the log.
    }
  }

  /** Feeds a batch now in the log to the producer state; an aborted transaction it ends goes to the index. */
  #recordBatch(header: BatchHeader, firstOffset: number, timestamp: number, marker?: TransactionMarker | null): void {
    const completed = this.producers.record(header, firstOffset, timestamp, marker ?? undefined);
    if (!completed?.aborted) return;
    const unstable = this.producers.firstUnstableOffset(this.highWatermark);
    this.log.appendAbortedTransaction({
      producerId: completed.producerId,
      firstOffset: completed.firstOffset,
      lastOffset: completed.lastOffset,
      lastStableOffset: Math.min(unstable, completed.lastOffset + 1),
    });
  }

  /**
   * The last stable offset (KIP-98): below it every transaction is decided and its marker replicated;
   * read_committed consumers read up to it. The high watermark when no transaction is open.
   */
  get lastStableOffset(): number {
    return Math.min(this.highWatermark, this.producers.firstUnstableOffset(this.highWatermark));
  }

  /** The producers this partition knows (DescribeProducers). */
  producerStates(): ActiveProducer[] {
    return this.producers.describe();
  }

  #snapshotIfRolled(): void {
    if (this.log.activeSegmentBaseOffset !== this.#snapshotSegment) this.writeProducerSnapshot();
  }

  /** Called by the broker whenever this partition's leader or epoch may have changed. */
  onMetadataChange(): void {
    const meta = this.#host.metadata();
    if (!meta || meta.leaderEpoch === this.#actedEpoch) return;
    this.#actedEpoch = meta.leaderEpoch;
    this.#followers.clear();
    if (meta.leader === this.#host.brokerId) {
      // Elected (uncleanly, or with nothing committed elsewhere): its log is the partition's history now.
      this.#logWholeAgain();
      // A new leader starts its epoch at its log end; followers' progress is unknown until they fetch.
      this.log.leaderEpochCache.assign(meta.leaderEpoch, this.log.logEndOffset);
      const now = this.#host.now();
      for (const id of meta.isr) if (id !== this.#host.brokerId) this.#followers.set(id, { logEndOffset: -1, lastCaughtUpMs: now });
      // A leader alone in its ISR has everything committed: after a restart its log may hold records
      // past the checkpointed high watermark (acknowledged, checkpoint not yet written), which must be
      // visible at once rather than only after the next produce.
      this.#maybeAdvanceHighWatermark();
    } else {
      // Produce requests waiting on this replica can no longer be acknowledged by it.
      for (const waiter of this.#ackWaiters)
        this.#finishWaiter(waiter, { error: 'NOT_LEADER_OR_FOLLOWER', message: 'Leadership moved before the records were replicated.' });
    }
    this.#notifyData();
  }

  /** Subscribes to new records or a new high watermark (see DataInterest), and to role changes. */
  onData(listener: () => void, interest: DataInterest): () => void {
    const listeners = interest === 'records' ? this.#recordListeners : this.#highWatermarkListeners;
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Tells the listeners interested in `news` (all of them without one: a role or log start change). */
  #notifyData(news?: DataInterest): void {
    if (news !== 'highWatermark') for (const listener of [...this.#recordListeners]) listener();
    if (news !== 'records') for (const listener of [...this.#highWatermarkListeners]) listener();
  }

  #checkLeader(): PartitionError | null {
    const meta = this.#host.metadata();
    if (!meta || meta.leader !== this.#host.brokerId) {
      return { error: 'NOT_LEADER_OR_FOLLOWER', message: `Broker ${this.#host.brokerId} does not lead ${this.topic}-${this.partition}.` };
    }
    return null;
  }

  /**
   * Appends a produce request's records as leader. acks=-1 waits (up to timeoutMs) until every ISR
   * member has them, as Kafka's delayed produce does. The buffer is handed over: the log may keep it (tail cache),
   * so the caller must not modify it afterwards.
   */
  appendAsLeader(
    records: Buffer,
    acks: number,
    timeoutMs: number,
    budget?: DecompressionBudget,
    origin: Exclude<AppendOrigin, 'replication'> = 'client',
  ): AppendOutcome | PartitionError | Promise<AppendOutcome | PartitionError> {
    const notLeader = this.#checkLeader();
    if (notLeader) return notLeader;
    const meta = this.#host.metadata()!;
    const config = this.#host.logConfig();
    if (acks === -1 && meta.isr.length < config.minInsyncReplicas) {
      return {
        error: 'NOT_ENOUGH_REPLICAS',
        message: `${this.topic}-${this.partition} has ${meta.isr.length} in-sync replica(s); min.insync.replicas is ${config.minInsyncReplicas}.`,
      };
    }
    // As Kafka's UnifiedLog: a request's batches for one partition must fit in one segment.
    if (records.length > config.segmentBytes) {
      return {
        error: 'RECORD_LIST_TOO_LARGE',
        message: `The batches for ${this.topic}-${this.partition} take ${records.length} bytes, more than segment.bytes (${config.segmentBytes}).`,
      };
    }
    let validated: ValidatedRecords;
    try {
      // Validated once, here, so a duplicate is recognised only among valid batches; the log reuses it.
      validated = validateRecords(records, { config, now: this.#host.now(), origin, partition: `${this.topic}-${this.partition}`, budget });
    } catch (error) {
      return this.#storageError(error);
    }
    const headers = validated.batches.map((batch) => batch.header);

    // A coordinator's own batches (transactional offset commits, markers) carry no sequence to check.
    const idempotent = origin === 'client' ? headers.filter((h) => h.producerId >= 0) : [];
    if (idempotent.length > 0) {
      if (headers.length !== 1) {
        return { error: 'INVALID_RECORD', message: 'An idempotent producer must send exactly one batch per partition per request.' };
      }
      const check = this.producers.check(idempotent[0]!);
      if (check.kind === 'error') return { error: check.error, message: check.message };
      if (check.kind === 'duplicate') {
        // A retry of a batch already in the log: answer with its original offsets, append nothing.
        const outcome: AppendOutcome = {
          error: null,
          baseOffset: check.firstOffset,
          lastOffset: check.lastOffset,
          logAppendTime: -1,
          logStartOffset: this.log.logStartOffset,
        };
        return this.#awaitAcks(outcome, acks, timeoutMs);
      }
    }

    const logAppendTime = config.messageTimestampType === 'LogAppendTime' ? this.#host.now() : undefined;
    let result;
    try {
      // The request's bytes are not touched again: the tail cache may keep them instead of a copy.
      result = this.log.appendValidated(validated, { assignOffsets: true, leaderEpoch: meta.leaderEpoch, logAppendTime, retain: true });
    } catch (error) {
      if (error instanceof KafkaStorageError) this.#writeFailed('append', error);
      return this.#storageError(error);
    }
    if (this.#failingWrites.size > 0) this.#writeWorked('append');
    let next = result.firstOffset;
    for (const { header, position } of validated.batches) {
      if (header.producerId >= 0) this.#recordBatch(header, next, result.maxTimestamp, this.#markerIn(validated.records, header, position));
      next += header.lastOffsetDelta + 1;
    }
    metrics.leaderAppends++;
    this.#snapshotIfRolled();
    this.#maybeAdvanceHighWatermark();
    this.#notifyData('records');
    const outcome: AppendOutcome = {
      error: null,
      baseOffset: result.firstOffset,
      lastOffset: result.lastOffset,
      logAppendTime: logAppendTime ?? -1,
      logStartOffset: this.log.logStartOffset,
    };
    return this.#awaitAcks(outcome, acks, timeoutMs);
  }

  /** The transaction marker a control batch holds; null for other batches. */
  #markerIn(records: Buffer, header: BatchHeader, position: number): TransactionMarker | null {
    return (header.attributes & 0x20) !== 0 ? transactionMarkerOf(records, position) : null;
  }

  /**
   * Writes a transaction marker (a control batch) as leader, for WriteTxnMarkers: refused for a
   * producer epoch older than the producer's here (INVALID_PRODUCER_EPOCH) or a coordinator older than
   * the one of its last marker (TRANSACTION_COORDINATOR_FENCED). Resolves once every in-sync replica
   * has it, as Kafka appends markers with acks=-1.
   */
  appendMarker(marker: MarkerRequest, timeoutMs: number): AppendOutcome | PartitionError | Promise<AppendOutcome | PartitionError> {
    const notLeader = this.#checkLeader();
    if (notLeader) return notLeader;
    const fenced = this.producers.checkMarker(marker.producerId, marker.producerEpoch, marker.coordinatorEpoch);
    if (fenced) return fenced;
    const batch = encodeEndTxnMarkerBatch({
      producerId: marker.producerId,
      producerEpoch: marker.producerEpoch,
      type: marker.commit ? 1 : 0,
      coordinatorEpoch: marker.coordinatorEpoch,
      timestamp: this.#host.now(),
    });
    return this.appendAsLeader(batch, -1, timeoutMs, undefined, 'coordinator');
  }

  #awaitAcks(outcome: AppendOutcome, acks: number, timeoutMs: number): AppendOutcome | PartitionError | Promise<AppendOutcome | PartitionError> {
    if (acks !== -1 || this.highWatermark > outcome.lastOffset) return outcome;
    metrics.leaderAppendsWaiting++;
    return new Promise((resolve) => {
      const deadline = performance.now() + Math.max(0, timeoutMs);
      this.#ackWaiters.add({ requiredOffset: outcome.lastOffset + 1, resolve, outcome, deadline, timeoutMs });
      if (deadline < this.#ackTimerAt) this.#armAckTimer(deadline);
    });
  }

  /**
   * Arms the timeout timer for the earliest deadline. It stays armed when the waiters it was for are
   * done (and fires for nothing): with every produce of a connection giving the same timeout, one timer
   * then serves a whole stream of requests, where arming and clearing one per request cost a timer-list
   * insert and removal each. Unref'd, so it keeps no process alive.
   */
  #armAckTimer(deadline: number): void {
    if (this.#ackTimer) clearTimeout(this.#ackTimer);
    this.#ackTimerAt = deadline;
    this.#ackTimer = setTimeout(() => this.#expireWaiters(), Math.max(0, Math.ceil(deadline - performance.now())));
    this.#ackTimer.unref();
  }

  /** The timer fired: fails the waiters past their deadline and re-arms for the next deadline. */
  #expireWaiters(): void {
    this.#ackTimer = null;
    this.#ackTimerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const waiter of this.#ackWaiters) {
      if (waiter.deadline <= now) {
        this.#finishWaiter(waiter, {
          error: 'REQUEST_TIMED_OUT',
          message: `Records were not replicated to every in-sync replica within ${waiter.timeoutMs} ms.`,
        });
      } else {
        next = Math.min(next, waiter.deadline);
      }
    }
    if (next < Infinity) this.#armAckTimer(next);
  }

  #finishWaiter(waiter: AckWaiter, result: AppendOutcome | PartitionError): void {
    if (!this.#ackWaiters.delete(waiter)) return;
    waiter.resolve(result);
  }

  #writeFailed(operation: 'append' | 'replicate', error: unknown): void {
    this.#failingWrites.add(operation);
    this.#host.storageFailed?.(operation, error);
  }

  #writeWorked(operation: 'append' | 'replicate'): void {
    if (this.#failingWrites.delete(operation)) this.#host.storageRecovered?.(operation);
  }

  #storageError(error: unknown): PartitionError {
    if (error instanceof RecordTooLargeError) return { error: 'MESSAGE_TOO_LARGE', message: error.message };
    if (error instanceof CorruptRecordError) return { error: 'CORRUPT_MESSAGE', message: error.message };
    if (error instanceof LogError) return { error: error.errorName as PartitionErrorName, message: error.message };
    throw error;
  }

  /**
   * The high watermark is the smallest log end offset among the ISR (the leader's own included), and
   * never moves back. Waiting acks=all produces whose records are now below it complete.
   */
  #maybeAdvanceHighWatermark(): void {
    const meta = this.#host.metadata();
    if (!meta || meta.leader !== this.#host.brokerId) return;
    const minIsr = this.#host.logConfig().minInsyncReplicas;
    let candidate = this.log.logEndOffset;
    for (const id of meta.isr) {
      if (id === this.#host.brokerId) continue;
      const progress = this.#followers.get(id);
      candidate = Math.min(candidate, progress ? progress.logEndOffset : -1);
    }
    const underMinIsr = this.#host.strictMinIsr === true && meta.isr.length < Math.min(minIsr, meta.replicas.length);
    if (candidate > this.highWatermark && !underMinIsr) {
      metrics.highWatermarkAdvances++;
      this.highWatermark = candidate;
      this.log.highWatermark = candidate;
      for (const waiter of this.#ackWaiters) {
        if (waiter.requiredOffset <= candidate) this.#finishWaiter(waiter, waiter.outcome);
      }
      this.#notifyData('highWatermark');
    }
    // Records acknowledged with acks=all need min.insync.replicas members; if the ISR shrank below it
    // after the append, the waiting produces fail as Kafka's do.
    if (meta.isr.length < minIsr) {
      for (const waiter of this.#ackWaiters) {
        this.#finishWaiter(waiter, {
          error: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
          message: `The ISR shrank to ${meta.isr.length}, below min.insync.replicas (${minIsr}), after the append.`,
        });
      }
    }
  }

  /**
   * Reads for a consumer: only records below the high watermark, or with read_committed below the last
   * stable offset, naming the aborted transactions among them. `alloc`: see PartitionLog.read.
   */
  readForConsumer(
    fetchOffset: number,
    maxBytes: number,
    minOneBatch = true,
    alloc?: ReadAllocator,
    isolation: IsolationLevel = 0,
  ): ReadOutcome | PartitionError {
    const notLeader = this.#checkLeader();
    if (notLeader) return notLeader;
    const committed = isolation === READ_COMMITTED;
    const result = this.#read(fetchOffset, maxBytes, committed ? this.lastStableOffset : this.highWatermark, minOneBatch, alloc);
    if (committed && result.error === null && result.records.length > 0) {
      result.abortedTransactions = this.log.abortedTransactions(fetchOffset, result.lastOffset + 1);
    }
    return result;
  }

  #read(
    fetchOffset: number,
    maxBytes: number,
    upTo: number,
    minOneBatch = true,
    alloc?: ReadAllocator,
  ): (ReadOutcome & { lastOffset: number }) | PartitionError {
    try {
      const result = this.log.read(fetchOffset, maxBytes, upTo, minOneBatch, alloc);
      return {
        error: null,
        records: result.records,
        abortedTransactions: [],
        lastOffset: result.lastOffset,
        highWatermark: this.highWatermark,
        lastStableOffset: this.lastStableOffset,
        logStartOffset: this.log.logStartOffset,
        logEndOffset: this.log.logEndOffset,
      };
    } catch (error) {
      if (error instanceof OffsetOutOfRangeError) {
        return { error: 'OFFSET_OUT_OF_RANGE', message: error.message };
      }
      return this.#storageError(error);
    }
  }

  /**
   * A follower's fetch (the replica fetcher's rules): the fetch offset tells the leader how far the
   * follower has replicated, which moves the high watermark and the follower's ISR standing.
   */
  readForFollower(
    followerId: number,
    fetchOffset: number,
    maxBytes: number,
    followerEpoch: number,
    minOneBatch = true,
    alloc?: ReadAllocator,
  ): ReadOutcome | PartitionError {
    const notLeader = this.#checkLeader();
    if (notLeader) return notLeader;
    const meta = this.#host.metadata()!;
    if (followerEpoch !== -1 && followerEpoch < meta.leaderEpoch) {
      return { error: 'FENCED_LEADER_EPOCH', message: `Follower epoch ${followerEpoch} is older than ${meta.leaderEpoch}.` };
    }
    if (followerEpoch > meta.leaderEpoch) {
      return { error: 'UNKNOWN_LEADER_EPOCH', message: `Follower epoch ${followerEpoch} is newer than ${meta.leaderEpoch}.` };
    }
    const now = this.#host.now();
    const progress = this.#followers.get(followerId) ?? { logEndOffset: -1, lastCaughtUpMs: 0 };
    progress.logEndOffset = Math.min(fetchOffset, this.log.logEndOffset);
    if (fetchOffset >= this.log.logEndOffset) progress.lastCaughtUpMs = now;
    this.#followers.set(followerId, progress);
    this.#maybeExpandIsr(followerId, progress);
    this.#maybeAdvanceHighWatermark();
    return this.#read(fetchOffset, maxBytes, this.log.logEndOffset, minOneBatch, alloc);
  }

  /** A follower that caught up to the high watermark (within the current epoch) rejoins the ISR. */
  #maybeExpandIsr(followerId: number, progress: FollowerProgress): void {
    const meta = this.#host.metadata()!;
    if (meta.isr.includes(followerId) || !meta.replicas.includes(followerId)) return;
    const epochStart = this.log.leaderEpochCache.startOffsetOf(meta.leaderEpoch);
    if (progress.logEndOffset >= this.highWatermark && progress.logEndOffset >= epochStart) {
      this.#host.changeIsr(meta.leaderEpoch, [...meta.isr, followerId]);
    }
  }

  /**
   * Removes followers that have not caught up within replica.lag.time.max.ms from the ISR (run on a
   * timer by the broker). Returns true when the ISR changed.
   */
  maybeShrinkIsr(maxLagMs: number): boolean {
    const meta = this.#host.metadata();
    if (!meta || meta.leader !== this.#host.brokerId) return false;
    const now = this.#host.now();
    const lagging = meta.isr.filter((id) => {
      if (id === this.#host.brokerId) return false;
      const progress = this.#followers.get(id);
      return !progress || (progress.logEndOffset < this.log.logEndOffset && now - progress.lastCaughtUpMs > maxLagMs);
    });
    if (lagging.length === 0) return false;
    const changed = this.#host.changeIsr(
      meta.leaderEpoch,
      meta.isr.filter((id) => !lagging.includes(id)),
    );
    if (changed) this.#maybeAdvanceHighWatermark();
    return changed;
  }

  /** Called after the controller changed the ISR, so a smaller ISR can release waiting produces. */
  onIsrChange(): void {
    this.#maybeAdvanceHighWatermark();
  }

  /** Follower side: appends batches fetched from the leader, offsets kept as the leader assigned them. */
  appendAsFollower(records: Buffer, leaderHighWatermark: number, leaderLogStartOffset: number): void {
    if (records.length > 0) {
      // Envelope checks (validator.ts, origin replication); their headers then feed the producer state.
      const validated = validateRecords(records, { config: this.log.config, now: this.#host.now(), origin: 'replication', partition: this.log.name });
      // The leader's stored bytes never change: shared, not copied, by the tail cache.
      try {
        this.log.appendValidated(validated, { assignOffsets: false, retain: true });
      } catch (error) {
        if (error instanceof KafkaStorageError) this.#writeFailed('replicate', error);
        throw error;
      }
      if (this.#failingWrites.size > 0) this.#writeWorked('replicate');
      for (const { header, position } of validated.batches) {
        if (header.producerId >= 0) this.#recordBatch(header, header.baseOffset, header.maxTimestamp, this.#markerIn(validated.records, header, position));
      }
      this.#snapshotIfRolled();
    }
    if (leaderLogStartOffset > this.log.logStartOffset) this.deleteRecordsBefore(leaderLogStartOffset);
    const hw = Math.min(leaderHighWatermark, this.log.logEndOffset);
    if (hw > this.highWatermark) {
      this.highWatermark = hw;
      this.log.highWatermark = hw;
    }
    // Everything the leader had committed when it answered is here now.
    if (this.logLost && this.log.logEndOffset >= leaderHighWatermark) this.#logWholeAgain();
  }

  /** The highest offset this replica knows to be committed: its high watermark, or where the committed records it lost end. */
  get committedOffset(): number {
    return Math.max(this.highWatermark, this.log.missingCommitted?.to ?? 0);
  }

  /**
   * Follower side: drops records above `offset` that the leader does not have (divergent history).
   * Never below the committed offset this replica knows, unless `acceptLoss` (the leader was elected
   * uncleanly): false when refused, and nothing is dropped.
   */
  truncateTo(offset: number, acceptLoss = false): boolean {
    if (offset >= this.log.logEndOffset) return true;
    if (offset < this.committedOffset && !acceptLoss) return false;
    // A snapshot taken above the truncation point describes batches that are gone.
    const snapshot = readProducerSnapshot(this.log.dir);
    if (snapshot && snapshot.offset > offset) deleteProducerSnapshot(this.log.dir);
    this.log.truncateTo(offset);
    if (this.highWatermark > offset) {
      this.highWatermark = offset;
      this.log.highWatermark = offset;
    }
    this.rebuildProducerState();
    return true;
  }

  /** Follower side, when the leader no longer has our fetch offset: start again at the leader's start. */
  resetTo(offset: number): void {
    this.log.truncateFullyAndStartAt(offset);
    this.highWatermark = offset;
    this.log.highWatermark = offset;
    deleteProducerSnapshot(this.log.dir);
    this.producers.clear();
  }

  /** Moves the log start forward (DeleteRecords on the leader, or following the leader's start). */
  deleteRecordsBefore(offset: number): void {
    const target = Math.min(offset, this.log.logEndOffset);
    if (target <= this.log.logStartOffset) return;
    this.log.deleteRecordsBefore(target);
    this.#notifyData();
  }

  /** Fails everything waiting on this replica (its broker stops or the partition is deleted). */
  close(reason: PartitionError): void {
    for (const waiter of this.#ackWaiters) this.#finishWaiter(waiter, reason);
    if (this.#ackTimer) clearTimeout(this.#ackTimer);
    this.#ackTimer = null;
    this.#ackTimerAt = Infinity;
    this.#notifyData();
    this.#recordListeners.clear();
    this.#highWatermarkListeners.clear();
  }
}
