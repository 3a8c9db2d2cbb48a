/**
 * One share-partition (KIP-932 "Queues for Kafka"): the state a share group keeps for one topic-partition,
 * on that partition's leader. Records between the share-partition start offset (SPSO) and end offset
 * (SPEO) are "in flight", each Available, Acquired (by one member, under an acquisition lock),
 * Acknowledged or Archived, with a delivery count. Records below the SPSO are done; records from the SPEO
 * on have never been delivered.
 *
 * - Acquiring (ShareFetch) hands Available records to a member under a lock of
 *   `share.record.lock.duration.ms` and counts a delivery. A lock that times out makes the record
 *   Available again, or Archived once it has been delivered `group.share.delivery.count.limit` times.
 * - Acknowledging (ShareFetch's piggy-backed acknowledgements, ShareAcknowledge) by the member holding
 *   the lock: Accept → Acknowledged, Release → Available (Archived at the delivery limit), Reject →
 *   Archived, Gap (offsets that are not records) → Archived.
 * - The SPSO moves past every Acknowledged or Archived record at its head; at most
 *   `group.share.partition.max.record.locks` records are in flight.
 * - Every change out of Acquired is written through the persister (the share coordinator's
 *   `__share_group_state`, share-coordinator.ts) before it is acknowledged; a write that fails is
 *   undone, as Kafka's SharePartition rolls its state back. Acquired states are never written: after a
 *   crash, records that were acquired are Available again with their last written delivery count.
 *
 * As Kafka's SharePartition (core/src/main/java/kafka/server/share/SharePartition.java), read, not
 * copied; it tracks in-flight state per batch and per offset, this one per offset (at most the
 * in-flight limit plus one batch of them).
 */
import { ErrorCode } from '../../kafka/protocol/error-codes';

/** A record's delivery state; the numbers are those of Kafka's RecordState and the persisted StateBatch. */
export const RecordState = { Available: 0, Acquired: 1, Acknowledged: 2, Archived: 4 } as const;
export type RecordState = (typeof RecordState)[keyof typeof RecordState];

/** Acknowledgement types of ShareFetch/ShareAcknowledge (KIP-932): 0 Gap, 1 Accept, 2 Release, 3 Reject. */
export const AcknowledgeType = { Gap: 0, Accept: 1, Release: 2, Reject: 3 } as const;

/** A persisted run of offsets in one state (ShareSnapshotValue/ShareUpdateValue StateBatch, WriteShareGroupState). */
export interface StateBatch {
  firstOffset: number;
  lastOffset: number;
  deliveryState: number;
  deliveryCount: number;
}

/** What the share-partition leader reads and writes through the share coordinator (Kafka's Persister). */
export interface SharePersister {
  read(key: SharePartitionKey, leaderEpoch: number): Promise<PersistedShareState | number>;
  write(key: SharePartitionKey, state: { stateEpoch: number; leaderEpoch: number; startOffset: number; stateBatches: StateBatch[] }): Promise<number>;
}

export interface SharePartitionKey {
  groupId: string;
  topicId: string;
  topic: string;
  partition: number;
}

/** A share-partition's durable state: start offset -1 when never initialized (share.auto.offset.reset decides). */
export interface PersistedShareState {
  stateEpoch: number;
  startOffset: number;
  stateBatches: StateBatch[];
}

/** Settings read when needed: group configs override the broker's group.share.* defaults. */
export interface SharePartitionSettings {
  recordLockDurationMs(): number;
  deliveryCountLimit(): number;
  maxRecordLocks(): number;
}

export interface ShareClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

interface InFlightRecord {
  state: RecordState;
  deliveryCount: number;
  /** The member holding the acquisition lock (Acquired only). */
  memberId: string | null;
  /** The lock this record is held under (Acquired only). */
  lock: AcquisitionLock | null;
}

class AcquisitionLock {
  timer: unknown = null;
  constructor(
    readonly memberId: string,
    readonly expiresAt: number,
  ) {}
}

/** A range of acquired offsets with one delivery count (ShareFetchResponse AcquiredRecords). */
export interface AcquiredRange {
  firstOffset: number;
  lastOffset: number;
  deliveryCount: number;
}

/** A record batch's header as acquisition needs it. */
export interface BatchInfo {
  baseOffset: number;
  lastOffset: number;
  /** A control batch (transaction marker): never delivered. */
  control: boolean;
  /** Under read_committed, a batch of an aborted transaction: archived, never delivered. */
  aborted: boolean;
}

export interface AcknowledgementBatch {
  firstOffset: number;
  lastOffset: number;
  /** One type for the whole range, or one per offset. */
  acknowledgeTypes: number[];
}

export class SharePartition {
  /** The share-partition start offset: every record below it is done (acknowledged or archived). */
  startOffset: number;
  /** The share-partition end offset: the next offset never delivered. */
  endOffset: number;
  /** Bumped when the state is rewritten as a whole (AlterShareGroupOffsets); written with every update. */
  stateEpoch: number;
  readonly #records = new Map<number, InFlightRecord>();
  readonly #locks = new Set<AcquisitionLock>();
  #closed = false;
  /** Writes run one after another, so the coordinator applies them in the order they were made. */
  #writeChain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly key: SharePartitionKey,
    readonly leaderEpoch: number,
    loaded: { stateEpoch: number; startOffset: number; stateBatches: StateBatch[] },
    readonly settings: SharePartitionSettings,
    readonly persister: SharePersister,
    readonly clock: ShareClock,
    /** Told when records become Available again (a waiting ShareFetch may now get them). */
    readonly onAvailable: () => void = () => {},
  ) {
    this.stateEpoch = loaded.stateEpoch;
    this.startOffset = loaded.startOffset;
    this.endOffset = loaded.startOffset;
    const batches = [...loaded.stateBatches].sort((a, b) => a.firstOffset - b.firstOffset);
    for (const batch of batches) {
      for (let offset = Math.max(batch.firstOffset, this.startOffset); offset <= batch.lastOffset; offset++) {
        // A persisted Acquired state (never written by this broker) counts as Available, as Kafka loads it.
        const state =
          batch.deliveryState === RecordState.Acknowledged || batch.deliveryState === RecordState.Archived ? batch.deliveryState : RecordState.Available;
        this.#records.set(offset, { state, deliveryCount: batch.deliveryCount, memberId: null, lock: null });
        this.endOffset = Math.max(this.endOffset, offset + 1);
      }
    }
    // Offsets inside the window with no persisted state were never delivered: Available, count 0.
    for (let offset = this.startOffset; offset < this.endOffset; offset++) {
      if (!this.#records.has(offset)) this.#records.set(offset, { state: RecordState.Available, deliveryCount: 0, memberId: null, lock: null });
    }
    this.#advanceStart();
  }

  /** Where the next fetch reads the log from: the first Available in-flight record, else the SPEO. */
  nextFetchOffset(): number {
    for (let offset = this.startOffset; offset < this.endOffset; offset++) {
      if (this.#records.get(offset)?.state === RecordState.Available) return offset;
    }
    return this.endOffset;
  }

  /** Whether anything may be acquired now below `limit` (the high watermark or last stable offset). */
  canAcquire(limit: number): boolean {
    if (this.#closed) return false;
    const next = this.nextFetchOffset();
    if (next >= limit) return false;
    return next < this.endOffset || this.#inFlightCount() < this.settings.maxRecordLocks();
  }

  /** Records in flight (SPEO - SPSO), what group.share.partition.max.record.locks bounds. */
  #inFlightCount(): number {
    return this.endOffset - this.startOffset;
  }

  /**
   * The log's start moved past the SPSO (retention, DeleteRecords): records below it are gone, so the
   * share-partition starts there (Kafka's SharePartition.updateCacheAndOffsets).
   */
  skipTo(logStartOffset: number): void {
    if (logStartOffset <= this.startOffset) return;
    for (let offset = this.startOffset; offset < Math.min(logStartOffset, this.endOffset); offset++) this.#drop(offset);
    this.startOffset = logStartOffset;
    this.endOffset = Math.max(this.endOffset, logStartOffset);
    this.#advanceStart();
  }

  /**
   * Acquires for `memberId` what the batches read from the log (from nextFetchOffset(), below the high
   * watermark or last stable offset) hold that is Available or new, up to `maxRecords` and the in-flight
   * limit. Control batches and, under read_committed, batches of aborted transactions are archived
   * (never delivered). Returns the acquired ranges and which batches carry them.
   */
  acquire(memberId: string, batches: BatchInfo[], maxRecords: number): { ranges: AcquiredRange[]; batchIndexes: number[] } {
    const ranges: AcquiredRange[] = [];
    const batchIndexes: number[] = [];
    if (this.#closed) return { ranges, batchIndexes };
    const lock = new AcquisitionLock(memberId, this.clock.now() + this.settings.recordLockDurationMs());
    let acquired = 0;
    let position = this.nextFetchOffset();
    let changedUnacquired = false;
    for (let index = 0; index < batches.length && acquired < maxRecords; index++) {
      const batch = batches[index]!;
      if (batch.lastOffset < position) continue;
      // In-flight Available offsets between batches are not records (compacted away): archived as gaps.
      for (let offset = position; offset < Math.min(batch.baseOffset, this.endOffset); offset++) {
        const record = this.#records.get(offset);
        if (record?.state === RecordState.Available) {
          record.state = RecordState.Archived;
          changedUnacquired = true;
        }
      }
      let carries = false;
      for (let offset = Math.max(batch.baseOffset, this.startOffset); offset <= batch.lastOffset && acquired < maxRecords; offset++) {
        if (offset >= this.endOffset) {
          if (this.#inFlightCount() >= this.settings.maxRecordLocks()) break;
          this.endOffset = offset + 1;
          this.#records.set(offset, { state: RecordState.Available, deliveryCount: 0, memberId: null, lock: null });
        }
        const record = this.#records.get(offset)!;
        if (record.state !== RecordState.Available) continue;
        if (batch.control || batch.aborted) {
          record.state = RecordState.Archived;
          changedUnacquired = true;
          continue;
        }
        record.state = RecordState.Acquired;
        record.deliveryCount++;
        record.memberId = memberId;
        record.lock = lock;
        acquired++;
        carries = true;
        const last = ranges[ranges.length - 1];
        if (last && last.lastOffset === offset - 1 && last.deliveryCount === record.deliveryCount) last.lastOffset = offset;
        else ranges.push({ firstOffset: offset, lastOffset: offset, deliveryCount: record.deliveryCount });
      }
      if (carries) batchIndexes.push(index);
      position = batch.lastOffset + 1;
      if (this.endOffset <= batch.lastOffset && this.#inFlightCount() >= this.settings.maxRecordLocks()) break;
    }
    if (acquired > 0) {
      this.#locks.add(lock);
      lock.timer = this.clock.setTimeout(() => this.#lockTimedOut(lock), Math.max(0, lock.expiresAt - this.clock.now()));
    }
    if (changedUnacquired) {
      const before = this.startOffset;
      this.#advanceStart();
      if (this.startOffset !== before) void this.#persist([], () => {});
    }
    return { ranges, batchIndexes };
  }

  /**
   * Applies a member's acknowledgements: all or nothing. Every offset must be Acquired by this member
   * (INVALID_RECORD_STATE otherwise, as Kafka answers); the new states are written before the promise
   * resolves (NONE), and undone if the write fails (its error code).
   */
  acknowledge(memberId: string, batches: AcknowledgementBatch[]): number | Promise<number> {
    if (this.#closed) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    const changes: Array<{ offset: number; type: number }> = [];
    for (const batch of batches) {
      if (batch.lastOffset < batch.firstOffset || batch.acknowledgeTypes.length === 0) return ErrorCode.INVALID_REQUEST;
      const span = batch.lastOffset - batch.firstOffset + 1;
      if (batch.acknowledgeTypes.length !== 1 && batch.acknowledgeTypes.length !== span) return ErrorCode.INVALID_REQUEST;
      for (let i = 0; i < span; i++) {
        const offset = batch.firstOffset + i;
        const type = batch.acknowledgeTypes.length === 1 ? batch.acknowledgeTypes[0]! : batch.acknowledgeTypes[i]!;
        if (type < AcknowledgeType.Gap || type > AcknowledgeType.Reject) return ErrorCode.INVALID_REQUEST;
        const record = this.#records.get(offset);
        if (!record || record.state !== RecordState.Acquired || record.memberId !== memberId) return ErrorCode.INVALID_RECORD_STATE;
        changes.push({ offset, type });
      }
    }
    if (changes.length === 0) return ErrorCode.NONE;
    const limit = this.settings.deliveryCountLimit();
    const undo: Array<{ offset: number; record: InFlightRecord }> = [];
    const released = new Set<AcquisitionLock>();
    for (const { offset, type } of changes) {
      const record = this.#records.get(offset)!;
      undo.push({ offset, record: { ...record } });
      if (record.lock) released.add(record.lock);
      record.state =
        type === AcknowledgeType.Accept
          ? RecordState.Acknowledged
          : type === AcknowledgeType.Release
            ? record.deliveryCount >= limit
              ? RecordState.Archived
              : RecordState.Available
            : RecordState.Archived;
      record.memberId = null;
      record.lock = null;
    }
    for (const lock of released) this.#maybeForgetLock(lock);
    const startBefore = this.startOffset;
    const written = this.#persistChanges(
      changes.map((c) => c.offset),
      () => {
        // The write failed: what is still as this acknowledgement left it goes back to Acquired.
        for (const { offset, record } of undo) {
          const current = this.#records.get(offset);
          if (current && current.state !== RecordState.Acquired) this.#records.set(offset, record);
          else if (!current && offset >= startBefore) this.#records.set(offset, record);
        }
        this.startOffset = Math.min(this.startOffset, startBefore);
      },
    );
    if (changes.some((c) => c.type === AcknowledgeType.Release)) this.onAvailable();
    return written;
  }

  /** Releases what a member holds (its share session closed, it left the group): as a lock timeout, at once. */
  releaseMember(memberId: string): Promise<number> {
    const offsets: number[] = [];
    const limit = this.settings.deliveryCountLimit();
    for (let offset = this.startOffset; offset < this.endOffset; offset++) {
      const record = this.#records.get(offset);
      if (!record || record.state !== RecordState.Acquired || record.memberId !== memberId) continue;
      record.state = record.deliveryCount >= limit ? RecordState.Archived : RecordState.Available;
      const lock = record.lock;
      record.memberId = null;
      record.lock = null;
      if (lock) this.#maybeForgetLock(lock);
      offsets.push(offset);
    }
    if (offsets.length === 0) return Promise.resolve(ErrorCode.NONE);
    this.onAvailable();
    return this.#persistChanges(offsets, () => {});
  }

  #lockTimedOut(lock: AcquisitionLock): void {
    this.#locks.delete(lock);
    if (this.#closed) return;
    const limit = this.settings.deliveryCountLimit();
    const offsets: number[] = [];
    for (let offset = this.startOffset; offset < this.endOffset; offset++) {
      const record = this.#records.get(offset);
      if (!record || record.lock !== lock || record.state !== RecordState.Acquired) continue;
      record.state = record.deliveryCount >= limit ? RecordState.Archived : RecordState.Available;
      record.memberId = null;
      record.lock = null;
      offsets.push(offset);
    }
    if (offsets.length === 0) return;
    void this.#persistChanges(offsets, () => {});
    this.onAvailable();
  }

  #maybeForgetLock(lock: AcquisitionLock): void {
    for (const record of this.#records.values()) if (record.lock === lock) return;
    this.clock.clearTimeout(lock.timer);
    this.#locks.delete(lock);
  }

  /** Writes the changed offsets' new states (before the SPSO moves past them) and the new SPSO. */
  #persistChanges(offsets: number[], onFailure: () => void): Promise<number> {
    const batches = this.#stateBatchesOf(offsets);
    this.#advanceStart();
    return this.#persist(batches, onFailure);
  }

  #persist(stateBatches: StateBatch[], onFailure: () => void): Promise<number> {
    const state = { stateEpoch: this.stateEpoch, leaderEpoch: this.leaderEpoch, startOffset: this.startOffset, stateBatches };
    const written = this.#writeChain.then(() => this.persister.write(this.key, state));
    this.#writeChain = written.catch(() => undefined);
    return written.then(
      (code) => {
        if (code !== ErrorCode.NONE) onFailure();
        return code;
      },
      () => {
        onFailure();
        return ErrorCode.UNKNOWN_SERVER_ERROR;
      },
    );
  }

  /** Runs of consecutive offsets with the same state and delivery count. */
  #stateBatchesOf(offsets: number[]): StateBatch[] {
    const sorted = [...new Set(offsets)].sort((a, b) => a - b);
    const batches: StateBatch[] = [];
    for (const offset of sorted) {
      const record = this.#records.get(offset);
      if (!record) continue;
      const last = batches[batches.length - 1];
      if (last && last.lastOffset === offset - 1 && last.deliveryState === record.state && last.deliveryCount === record.deliveryCount)
        last.lastOffset = offset;
      else batches.push({ firstOffset: offset, lastOffset: offset, deliveryState: record.state, deliveryCount: record.deliveryCount });
    }
    return batches;
  }

  /** Moves the SPSO past the Acknowledged and Archived records at its head (they are done). */
  #advanceStart(): void {
    while (this.startOffset < this.endOffset) {
      const record = this.#records.get(this.startOffset);
      if (record && record.state !== RecordState.Acknowledged && record.state !== RecordState.Archived) break;
      this.#drop(this.startOffset);
      this.startOffset++;
    }
  }

  #drop(offset: number): void {
    const record = this.#records.get(offset);
    this.#records.delete(offset);
    if (record?.lock) this.#maybeForgetLock(record.lock);
  }

  /** The in-flight records as state batches (DescribeShareGroupOffsets, tests, the app). */
  inFlight(): Array<StateBatch & { memberId: string | null }> {
    const out: Array<StateBatch & { memberId: string | null }> = [];
    for (let offset = this.startOffset; offset < this.endOffset; offset++) {
      const record = this.#records.get(offset);
      if (!record) continue;
      const last = out[out.length - 1];
      if (
        last &&
        last.lastOffset === offset - 1 &&
        last.deliveryState === record.state &&
        last.deliveryCount === record.deliveryCount &&
        last.memberId === record.memberId
      )
        last.lastOffset = offset;
      else out.push({ firstOffset: offset, lastOffset: offset, deliveryState: record.state, deliveryCount: record.deliveryCount, memberId: record.memberId });
    }
    return out;
  }

  /** How many records a member holds now. */
  acquiredBy(memberId: string): number {
    let count = 0;
    for (const record of this.#records.values()) if (record.state === RecordState.Acquired && record.memberId === memberId) count++;
    return count;
  }

  /** This broker no longer leads the partition (or stops): locks are dropped; the new leader reloads the written state. */
  close(): void {
    this.#closed = true;
    for (const lock of this.#locks) this.clock.clearTimeout(lock.timer);
    this.#locks.clear();
  }

  get closed(): boolean {
    return this.#closed;
  }
}
