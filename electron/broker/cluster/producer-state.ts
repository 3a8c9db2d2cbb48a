/**
 * Idempotent and transactional producer state of one partition, as Kafka's ProducerStateManager keeps
 * it: for every producer id, its epoch and the sequence ranges of its last five batches (a producer has
 * at most five in flight, so a retried batch is always among them), the first offset of its open
 * transaction on this partition and the coordinator epoch of its last marker. Built from batch headers
 * (and the type of each transaction marker), on the leader as it appends and on followers as they
 * replicate, so a new leader detects duplicates and knows the open transactions too.
 *
 * The open transactions give the last stable offset (KIP-98): no read_committed consumer reads past the
 * first offset of a transaction that is still open, or whose marker is not yet replicated.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../log/checkpoint';

const MAX_TRACKED_BATCHES = 5;
const MAX_SEQUENCE = 0x7fffffff;

export interface SequencedBatch {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  /** Records in the batch minus one (the batch's lastOffsetDelta). */
  lastOffsetDelta: number;
  /** The batch's attributes (transactional and control bits); 0 when not given. */
  attributes?: number;
}

const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;

/** A transaction that a marker ended on this partition (Kafka's CompletedTxn). */
export interface CompletedTransaction {
  producerId: number;
  /** The offset of its first batch on this partition. */
  firstOffset: number;
  /** The offset of its marker. */
  lastOffset: number;
  aborted: boolean;
}

export interface TrackedBatch {
  firstSequence: number;
  lastSequence: number;
  firstOffset: number;
  lastOffset: number;
  timestamp: number;
}

interface ProducerEntry {
  epoch: number;
  batches: TrackedBatch[];
  /** First offset of its open transaction on this partition, -1 when none. */
  txnFirstOffset: number;
  coordinatorEpoch: number;
  lastTimestamp: number;
}

/** One producer of a partition as DescribeProducers answers it (-1 where not known). */
export interface ActiveProducer {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  lastTimestamp: number;
  /** The epoch of the transaction coordinator that wrote this producer's last marker. */
  coordinatorEpoch: number;
  /** The first offset of the producer's open transaction on this partition. */
  currentTxnStartOffset: number;
}

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; firstOffset: number; lastOffset: number; timestamp: number }
  | { kind: 'error'; error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' | 'INVALID_PRODUCER_EPOCH'; message: string };

function lastSequenceOf(batch: SequencedBatch): number {
  // Sequences wrap from Integer.MAX_VALUE to 0, as in the Java producer.
  const last = batch.baseSequence + batch.lastOffsetDelta;
  return last > MAX_SEQUENCE ? last - MAX_SEQUENCE - 1 : last;
}

function nextSequence(sequence: number): number {
  return sequence === MAX_SEQUENCE ? 0 : sequence + 1;
}

export function isIdempotent(batch: { producerId: number }): boolean {
  return batch.producerId >= 0;
}

export class ProducerStateTable {
  readonly #producers = new Map<number, ProducerEntry>();
  /** Transactions ended by a marker the high watermark has not passed yet: they still hold the LSO. */
  #unreplicated: CompletedTransaction[] = [];
  /** Producers with a transaction open here and its first offset (the LSO is read per fetch: no walk over every producer). */
  readonly #open = new Map<number, number>();

  get size(): number {
    return this.#producers.size;
  }

  /** Decides what to do with a batch from an idempotent producer before the leader appends it. */
  check(batch: SequencedBatch): SequenceCheck {
    const entry = this.#producers.get(batch.producerId);
    if (!entry) {
      // Unknown producer: a first batch starts at sequence 0. A producer whose state was lost to
      // retention may resume elsewhere; Kafka accepts that too since KIP-360.
      return { kind: 'append' };
    }
    if (batch.producerEpoch < entry.epoch) {
      return {
        kind: 'error',
        error: 'INVALID_PRODUCER_EPOCH',
        message: `Producer ${batch.producerId} epoch ${batch.producerEpoch} is older than the current epoch ${entry.epoch}.`,
      };
    }
    if (batch.producerEpoch > entry.epoch) {
      if (batch.baseSequence !== 0) {
        return {
          kind: 'error',
          error: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
          message: `Producer ${batch.producerId} started epoch ${batch.producerEpoch} at sequence ${batch.baseSequence}, expected 0.`,
        };
      }
      return { kind: 'append' };
    }
    const last = lastSequenceOf(batch);
    for (const tracked of entry.batches) {
      if (tracked.firstSequence === batch.baseSequence && tracked.lastSequence === last) {
        return { kind: 'duplicate', firstOffset: tracked.firstOffset, lastOffset: tracked.lastOffset, timestamp: tracked.timestamp };
      }
    }
    const newest = entry.batches.at(-1);
    if (newest && batch.baseSequence !== nextSequence(newest.lastSequence)) {
      return {
        kind: 'error',
        error: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
        message: `Producer ${batch.producerId} sent sequence ${batch.baseSequence}, expected ${nextSequence(newest.lastSequence)}.`,
      };
    }
    return { kind: 'append' };
  }

  /**
   * Records a batch that is now in the log (leader append, follower replication, or log recovery).
   * For a transaction marker, `markerType` (0 abort, 1 commit) and its coordinator epoch: returns the
   * transaction it ended on this partition, if one was open.
   */
  record(batch: SequencedBatch, firstOffset: number, timestamp: number, marker?: { type: number; coordinatorEpoch: number }): CompletedTransaction | null {
    if (!isIdempotent(batch)) return null;
    let entry = this.#producers.get(batch.producerId);
    if (!entry || batch.producerEpoch > entry.epoch) {
      entry = {
        epoch: batch.producerEpoch,
        batches: [],
        txnFirstOffset: entry?.txnFirstOffset ?? -1,
        coordinatorEpoch: entry?.coordinatorEpoch ?? -1,
        lastTimestamp: -1,
      };
      this.#producers.set(batch.producerId, entry);
    } else if (batch.producerEpoch < entry.epoch) {
      return null;
    }
    entry.lastTimestamp = timestamp;
    const attributes = batch.attributes ?? 0;
    if ((attributes & CONTROL) !== 0) {
      if (marker) entry.coordinatorEpoch = marker.coordinatorEpoch;
      if (entry.txnFirstOffset < 0 || !marker) return null;
      const completed: CompletedTransaction = {
        producerId: batch.producerId,
        firstOffset: entry.txnFirstOffset,
        lastOffset: firstOffset,
        aborted: marker.type === 0,
      };
      entry.txnFirstOffset = -1;
      this.#open.delete(batch.producerId);
      this.#unreplicated.push(completed);
      return completed;
    }
    if ((attributes & TRANSACTIONAL) !== 0 && entry.txnFirstOffset < 0) {
      entry.txnFirstOffset = firstOffset;
      this.#open.set(batch.producerId, firstOffset);
    }
    // Batches a coordinator wrote (transactional offset commits) carry no sequence.
    if (batch.baseSequence < 0) return null;
    entry.batches.push({
      firstSequence: batch.baseSequence,
      lastSequence: lastSequenceOf(batch),
      firstOffset,
      lastOffset: firstOffset + batch.lastOffsetDelta,
      timestamp,
    });
    if (entry.batches.length > MAX_TRACKED_BATCHES) entry.batches.shift();
    return null;
  }

  /**
   * Whether the producer has a transaction open here in this epoch (Kafka's hasOngoingTransaction): its
   * later batches of that transaction need no verification with the coordinator (KIP-890).
   */
  hasOngoingTransaction(producerId: number, producerEpoch: number): boolean {
    return this.#open.has(producerId) && this.#producers.get(producerId)?.epoch === producerEpoch;
  }

  /**
   * Whether a marker may be written for the producer (Kafka's checkProducerEpoch and
   * checkCoordinatorEpoch): not with an epoch older than the producer's, nor from a coordinator older
   * than the one that wrote its last marker.
   */
  checkMarker(
    producerId: number,
    producerEpoch: number,
    coordinatorEpoch: number,
  ): { error: 'INVALID_PRODUCER_EPOCH' | 'TRANSACTION_COORDINATOR_FENCED'; message: string } | null {
    const entry = this.#producers.get(producerId);
    if (!entry) return null;
    if (producerEpoch < entry.epoch) {
      return {
        error: 'INVALID_PRODUCER_EPOCH',
        message: `Marker for producer ${producerId} has epoch ${producerEpoch}, older than the current epoch ${entry.epoch}.`,
      };
    }
    if (coordinatorEpoch < entry.coordinatorEpoch) {
      return {
        error: 'TRANSACTION_COORDINATOR_FENCED',
        message: `Marker for producer ${producerId} comes from coordinator epoch ${coordinatorEpoch}, older than ${entry.coordinatorEpoch}.`,
      };
    }
    return null;
  }

  /**
   * The first offset no read_committed reader may pass: the first offset of the oldest transaction
   * still open here or whose marker is at or above the high watermark; Infinity when there is none.
   */
  firstUnstableOffset(highWatermark: number): number {
    let first = Infinity;
    if (this.#unreplicated.length > 0) {
      this.#unreplicated = this.#unreplicated.filter((txn) => txn.lastOffset >= highWatermark);
      for (const txn of this.#unreplicated) first = Math.min(first, txn.firstOffset);
    }
    for (const offset of this.#open.values()) if (offset < first) first = offset;
    return first;
  }

  /** The producers with a transaction open on this partition: producer id and first offset. */
  openTransactions(): Array<{ producerId: number; firstOffset: number }> {
    const open: Array<{ producerId: number; firstOffset: number }> = [];
    for (const [producerId, firstOffset] of this.#open) open.push({ producerId, firstOffset });
    return open.sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /** Forgets everything at or above `offset` (a follower truncating its log), by dropping whole entries. */
  truncateFrom(offset: number): void {
    for (const [producerId, entry] of this.#producers) {
      entry.batches = entry.batches.filter((b) => b.lastOffset < offset);
      if (entry.txnFirstOffset >= offset) {
        entry.txnFirstOffset = -1;
        this.#open.delete(producerId);
      }
      if (entry.batches.length === 0 && entry.txnFirstOffset < 0) this.#producers.delete(producerId);
    }
  }

  clear(): void {
    this.#producers.clear();
    this.#unreplicated = [];
    this.#open.clear();
  }

  /** Every producer's epoch and tracked batches, as plain data for a snapshot. */
  entries(): ProducerSnapshotEntry[] {
    return [...this.#producers].map(([producerId, entry]) => ({
      producerId,
      epoch: entry.epoch,
      batches: entry.batches.map((b) => ({ ...b })),
      txnFirstOffset: entry.txnFirstOffset,
      coordinatorEpoch: entry.coordinatorEpoch,
      lastTimestamp: entry.lastTimestamp,
    }));
  }

  /**
   * Every producer the partition knows, as DescribeProducers (KIP-664) reports them: its epoch, the
   * last sequence and timestamp it wrote, the coordinator epoch of its last marker and the first offset
   * of its transaction open here (-1 where none).
   */
  describe(): ActiveProducer[] {
    return [...this.#producers].map(([producerId, entry]) => ({
      producerId,
      producerEpoch: entry.epoch,
      lastSequence: entry.batches.at(-1)?.lastSequence ?? -1,
      lastTimestamp: entry.lastTimestamp,
      coordinatorEpoch: entry.coordinatorEpoch,
      currentTxnStartOffset: entry.txnFirstOffset,
    }));
  }

  /** Replaces the table with a snapshot's entries. */
  load(entries: ProducerSnapshotEntry[]): void {
    this.#producers.clear();
    this.#unreplicated = [];
    this.#open.clear();
    for (const entry of entries) {
      if ((entry.txnFirstOffset ?? -1) >= 0) this.#open.set(entry.producerId, entry.txnFirstOffset!);
      this.#producers.set(entry.producerId, {
        epoch: entry.epoch,
        batches: entry.batches.slice(-MAX_TRACKED_BATCHES).map((b) => ({ ...b })),
        txnFirstOffset: entry.txnFirstOffset ?? -1,
        coordinatorEpoch: entry.coordinatorEpoch ?? -1,
        lastTimestamp: entry.lastTimestamp ?? entry.batches.at(-1)?.timestamp ?? -1,
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Snapshots: as Kafka's ProducerStateManager, the state is written to the partition's directory when
// the log rolls and at a clean stop, so a start reads the snapshot and the headers of the batches after
// it, not the whole log; a producer whose batches are older than the last segments keeps its state.

export interface ProducerSnapshotEntry {
  producerId: number;
  epoch: number;
  batches: TrackedBatch[];
  /** Absent in snapshots written before transactions: -1. */
  txnFirstOffset?: number;
  coordinatorEpoch?: number;
  lastTimestamp?: number;
}

export interface ProducerSnapshot {
  /** The log end offset the state was taken at: it covers every batch below it. */
  offset: number;
  producers: ProducerSnapshotEntry[];
}

const SNAPSHOT_FILE = 'producer-state.snapshot';
const SNAPSHOT_VERSION = 1;

export function writeProducerSnapshot(dir: string, snapshot: ProducerSnapshot): void {
  writeFileAtomic(path.join(dir, SNAPSHOT_FILE), JSON.stringify({ version: SNAPSHOT_VERSION, ...snapshot }));
}

export function deleteProducerSnapshot(dir: string): void {
  fs.rmSync(path.join(dir, SNAPSHOT_FILE), { force: true });
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function isTrackedBatch(value: unknown): value is TrackedBatch {
  if (typeof value !== 'object' || value === null) return false;
  const b = value as Record<string, unknown>;
  return (
    isCount(b['firstSequence']) && isCount(b['lastSequence']) && isCount(b['firstOffset']) && isCount(b['lastOffset']) && Number.isSafeInteger(b['timestamp'])
  );
}

function isEntry(value: unknown): value is ProducerSnapshotEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  const optionalOffset = (v: unknown) => v === undefined || (Number.isSafeInteger(v) && (v as number) >= -1);
  return (
    isCount(e['producerId']) &&
    isCount(e['epoch']) &&
    Array.isArray(e['batches']) &&
    e['batches'].every(isTrackedBatch) &&
    optionalOffset(e['txnFirstOffset']) &&
    optionalOffset(e['coordinatorEpoch']) &&
    (e['lastTimestamp'] === undefined || Number.isSafeInteger(e['lastTimestamp']))
  );
}

/** The partition's snapshot, or null when there is none or it cannot be used (unreadable, malformed). */
export function readProducerSnapshot(dir: string): ProducerSnapshot | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(path.join(dir, SNAPSHOT_FILE), 'utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const s = parsed as Record<string, unknown>;
  if (s['version'] !== SNAPSHOT_VERSION || !isCount(s['offset']) || !Array.isArray(s['producers']) || !s['producers'].every(isEntry)) return null;
  return { offset: s['offset'], producers: s['producers'] };
}
