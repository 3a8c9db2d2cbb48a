import * as fs from 'node:fs';
import * as path from 'node:path';
import { BATCH_HEADER_SIZE, BatchAttributes, readHeaderFields, type BatchHeader } from '../../kafka/records/batch-header';
import { decodeEndTxnMarker, decodeRecordBatch } from '../../kafka/records/record-batch';
import { readOffsetCheckpoint, writeFileAtomic, writeOffsetCheckpoint } from './checkpoint';
import { KafkaStorageError, OffsetOutOfRangeError } from './errors';
import { LeaderEpochCache } from './leader-epoch-cache';
import type { LogConfig } from './log-config';
import type { ReadAllocator } from './read-buffers';
import { assignOffsets } from './offset-assignment';
import { LogSegment, TailCache, type LogLogger } from './segment';
import { ReadCheck, VALIDATED_CHECKPOINT, type UnreadableBatch } from './read-check';
import { validateRecords, type ValidatedRecords } from './validator';
import { compactLog, type CleanerState, type CompactionResult } from './compaction';
import { TransactionIndex, type AbortedTransaction } from './transaction-index';

/**
 * PartitionLog: the one owner of a partition's on-disk state.
 *
 * Directory layout (`dir` = `<logDir>/<topic>-<partition>`):
 *   00000000000000000000.log / .index / .timeindex   segments, named by base offset (see segment.ts, indexes.ts)
 *   leader-epoch-checkpoint          "0\n<n>\n<epoch> <startOffset>\n..." (Kafka's format)
 *   log-start-offset-checkpoint      "0\n<offset>\n"
 *   recovery-point-offset-checkpoint "0\n<offset>\n"  everything below it was fsynced: not rescanned on open
 *   replication-offset-checkpoint    "0\n<highWatermark>\n" written by checkpointHighWatermark() and close()
 *   partition.metadata               "version: 0\ntopic_id: <id>\n" (Kafka's format) when a topic id is known
 *   producer-state.snapshot          idempotent producers' state (JSON), written by PartitionReplica at roll and stop
 *   <baseOffset>.txnindex            aborted transactions whose marker is in that segment (transaction-index.ts)
 *   .kafka-desk-clean-shutdown       written by close(), removed by open(): absent = the process died
 *
 * Durability: append() returns after write(2) of the batches to the segment file, so an acknowledged
 * produce survives the process being killed (the page cache holds it). fsync happens per flush.messages /
 * flush.ms (default never, as Kafka), at roll (asynchronously, for the rolled segment) and at close().
 *
 * Recovery in open(): leftover temp files are removed; without the clean-shutdown marker every segment
 * holding offsets at or above the recovery point (at least the last one) is scanned batch by batch
 * (length fields, magic, CRC, increasing offsets) and truncated at the first bad or incomplete batch;
 * indexes missing, malformed or inconsistent with their log are rebuilt by a scan; after a clean shutdown
 * only the tail after each segment's last index entry is CRC-checked.
 *
 * The high watermark belongs to the replication layer: it sets `highWatermark` after each commit (for a
 * single replica: right after append). Reads default to the log end; pass the HW as `maxOffset` for
 * consumers. Retention and compaction never remove data at or above the HW.
 *
 * Everything is synchronous and single-threaded (Node's event loop); only open() and close() are async.
 */

export interface PartitionLogOptions {
  now?: () => number;
  logger?: LogLogger;
  /** Bytes of the active segment's newest data kept in memory for reads (default 4 MiB; 0 disables). */
  tailCacheBytes?: number;
  /** Written to partition.metadata when given. */
  topicId?: string;
  /** Minimum interval between high-watermark checkpoints written by the setter (default 5000; -1: only explicit). */
  highWatermarkCheckpointMs?: number;
}

export interface AppendOptions {
  /** Leader appends: assign offsets from the log end. Follower appends: keep the batches' offsets. */
  assignOffsets: boolean;
  /** Leader epoch stamped into every batch (leader appends only). */
  leaderEpoch?: number;
  /** LogAppendTime to stamp when message.timestamp.type=LogAppendTime (default: now()). */
  logAppendTime?: number;
  /**
   * The caller hands the buffer over: nobody modifies it once append returns (a request's own bytes,
   * a leader's stored batches), so the tail cache may keep it by reference instead of copying it.
   */
  retain?: boolean;
}

export interface AppendResult {
  /** First offset of the first batch (-1 when nothing was appended). */
  firstOffset: number;
  lastOffset: number;
  /** The stamped LogAppendTime, or -1 for CreateTime. */
  logAppendTime: number;
  maxTimestamp: number;
  /** Base offset of the batch holding maxTimestamp. */
  offsetOfMaxTimestamp: number;
  logStartOffset: number;
  batchCount: number;
  recordCount: number;
  sizeInBytes: number;
}

export interface ReadResult {
  /** Whole batches, back to back (empty when nothing is readable). Do not modify. */
  records: Buffer;
  /** Base offset of the first returned batch, or -1. */
  firstOffset: number;
  /** Last offset of the last returned batch, or -1. */
  lastOffset: number;
  highWatermark: number;
  logStartOffset: number;
  logEndOffset: number;
}

export interface OffsetAndTimestamp {
  offset: number;
  timestamp: number;
  /** partitionLeaderEpoch of the batch holding the record (-1 if unknown). */
  leaderEpoch: number;
}

export interface SegmentInfo {
  baseOffset: number;
  nextOffset: number;
  size: number;
  maxTimestamp: number;
  indexEntries: number;
  timeIndexEntries: number;
}

export interface RetentionResult {
  deletedSegments: number;
  deletedBytes: number;
  logStartOffset: number;
}

const CLEAN_SHUTDOWN = '.kafka-desk-clean-shutdown';
const LOG_START_CHECKPOINT = 'log-start-offset-checkpoint';
const RECOVERY_CHECKPOINT = 'recovery-point-offset-checkpoint';
const HW_CHECKPOINT = 'replication-offset-checkpoint';
const EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';
export const PARTITION_METADATA = 'partition.metadata';
const INT32_MAX = 2147483647;

const consoleLogger: LogLogger = { warn: (m) => console.warn(`[log] ${m}`) };

export function writePartitionMetadata(dir: string, topicId: string): void {
  writeFileAtomic(path.join(dir, PARTITION_METADATA), `version: 0\ntopic_id: ${topicId}\n`);
}

export function readPartitionMetadata(dir: string): { topicId: string } | null {
  try {
    const text = fs.readFileSync(path.join(dir, PARTITION_METADATA), 'utf8');
    const m = /^topic_id:\s*(\S+)\s*$/m.exec(text);
    return m ? { topicId: m[1]! } : null;
  } catch {
    return null;
  }
}

export class PartitionLog {
  #segments: LogSegment[] = [];
  #_logStartOffset = 0;
  #_highWatermark = 0;
  #recoveryPoint = 0;
  #unflushedMessages = 0;
  #lastFlushMs: number;
  #closed = false;
  #pendingFsyncs = new Set<Promise<void>>();
  #cleanerState: CleanerState | null = null;
  /** Checks batches written before appends were validated as they are read (read-check.ts); set by load(). */
  #readCheck!: ReadCheck;
  /** The aborted transactions, per segment (transaction-index.ts); set by load(). */
  #txnIndex!: TransactionIndex;
  #lastHighWatermarkCheckpoint = 0;
  #hwTimer: NodeJS.Timeout | null = null;
  /**
   * What each offset checkpoint file holds (as read at open or last written): an unchanged value is not
   * written again. With thousands of partitions each rewrite (temporary file, rename) adds up: closing
   * idle partitions used to rewrite all of their checkpoints.
   */
  readonly #checkpointed = new Map<string, number>();
  readonly #highWatermarkCheckpointMs: number;
  /**
   * Set at open when the log ended below its high-watermark checkpoint: records up to `to` (exclusive)
   * were committed, and `epoch` is the leader epoch of the last of them. Kept (and checkpointed as the
   * high watermark) until the log holds them again or the loss is accepted, so a restart still knows.
   */
  #lostCommitted: { to: number; epoch: number } | null = null;
  readonly leaderEpochCache: LeaderEpochCache;
  readonly now: () => number;
  readonly logger: LogLogger;
  /** `<topic>-<partition>`, for messages: computed once, not per append. */
  readonly name: string;
  readonly #tailCacheBytes: number;

  private constructor(
    readonly dir: string,
    public config: LogConfig,
    options: PartitionLogOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.name = path.basename(dir);
    this.logger = options.logger ?? consoleLogger;
    this.#tailCacheBytes = options.tailCacheBytes ?? 4 << 20;
    this.#highWatermarkCheckpointMs = options.highWatermarkCheckpointMs ?? 5_000;
    this.#lastFlushMs = this.now();
    this.leaderEpochCache = LeaderEpochCache.load(path.join(dir, EPOCH_CHECKPOINT));
  }

  // ------------------------------------------------------------------------------------------------
  // Open / recovery

  static async open(dir: string, config: LogConfig, options: PartitionLogOptions = {}): Promise<PartitionLog> {
    await fs.promises.mkdir(dir, { recursive: true });
    const log = new PartitionLog(dir, config, options);
    log.#load(options.topicId);
    return log;
  }

  /** Opens (or creates) the log synchronously: a broker creates one inside a produce or metadata request. */
  static openSync(dir: string, config: LogConfig, options: PartitionLogOptions = {}): PartitionLog {
    fs.mkdirSync(dir, { recursive: true });
    const log = new PartitionLog(dir, config, options);
    log.#load(options.topicId);
    return log;
  }

  #load(topicId: string | undefined): void {
    const dir = this.dir;
    const markerPath = path.join(dir, CLEAN_SHUTDOWN);
    const clean = fs.existsSync(markerPath);
    const bases: number[] = [];
    for (const name of fs.readdirSync(dir)) {
      if (name.endsWith('.tmp') || name.endsWith('.cleaned') || name.endsWith('.deleted')) {
        fs.rmSync(path.join(dir, name), { force: true });
        continue;
      }
      const m = /^(\d{20})\.log$/.exec(name);
      if (m) bases.push(Number(m[1]));
    }
    bases.sort((a, b) => a - b);
    // Index files without a log are leftovers of a deletion.
    const baseSet = new Set(bases.map((b) => String(b).padStart(20, '0')));
    for (const name of fs.readdirSync(dir)) {
      const m = /^(\d{20})\.(index|timeindex|txnindex)$/.exec(name);
      if (m && !baseSet.has(m[1]!)) fs.rmSync(path.join(dir, name), { force: true });
    }
    const checkpointedStart = readOffsetCheckpoint(path.join(dir, LOG_START_CHECKPOINT));
    const recoveryPoint = clean ? Infinity : (readOffsetCheckpoint(path.join(dir, RECOVERY_CHECKPOINT)) ?? 0);
    const now = this.now();
    let minOffset = 0;
    for (let i = 0; i < bases.length; i++) {
      const base = bases[i]!;
      const nextBase = bases[i + 1] ?? Infinity;
      const recover = !clean && (i === bases.length - 1 || nextBase > recoveryPoint);
      const { segment, truncatedBytes } = LogSegment.open(dir, base, {
        recover,
        now,
        indexIntervalBytes: this.config.indexIntervalBytes,
        logger: this.logger,
        minOffset,
        synced: clean,
      });
      if (truncatedBytes > 0) this.logger.warn(`${dir}: recovery truncated ${truncatedBytes} bytes of segment ${base}`);
      const previous = this.#segments.at(-1);
      if (previous && previous.size > 0 && base < previous.nextOffset) {
        // Leftover of a compaction that merged this segment into the previous one and then crashed.
        this.logger.warn(`${dir}: segment ${base} overlaps the previous segment (ends at ${previous.nextOffset}); deleting it`);
        segment.deleteFiles(0);
        continue;
      }
      this.#segments.push(segment);
      minOffset = segment.nextOffset;
    }
    for (let i = 0; i < this.#segments.length - 1; i++) this.#segments[i]!.markInactive();
    if (this.#segments.length === 0) {
      const start = Math.max(0, checkpointedStart ?? 0);
      this.#segments.push(this.#newSegment(start));
    }
    const active = this.#active;
    active.cache = new TailCache(this.#tailCacheBytes);
    active.rollJitterMs = this.#jitter();
    const leo = this.logEndOffset;
    this.#_logStartOffset = Math.min(Math.max(checkpointedStart ?? 0, this.#segments[0]!.baseOffset), leo);
    const storedHighWatermark = readOffsetCheckpoint(path.join(dir, HW_CHECKPOINT));
    if (storedHighWatermark !== null && storedHighWatermark > leo) {
      // Records this replica had acknowledged as committed are gone (a torn or cut segment, a lost
      // file). The replication layer keeps it from leading while another replica may still hold them.
      this.#lostCommitted = { to: storedHighWatermark, epoch: this.leaderEpochCache.epochFor(storedHighWatermark - 1) };
      this.logger.warn(
        `${dir}: the log ends at offset ${leo}, below its high-watermark checkpoint ${storedHighWatermark}: ` +
          `${storedHighWatermark - leo} committed record(s) from offset ${leo} are missing here`,
      );
    }
    this.leaderEpochCache.truncateFromEnd(leo);
    this.leaderEpochCache.truncateFromStart(this.#_logStartOffset);
    this.#_highWatermark = Math.min(Math.max(storedHighWatermark ?? this.#_logStartOffset, this.#_logStartOffset), leo);
    // A missing file counts as holding what open() assumes without it, so a new, empty partition
    // writes none of them.
    this.#checkpointed.set(HW_CHECKPOINT, storedHighWatermark ?? this.#_logStartOffset);
    this.#checkpointed.set(LOG_START_CHECKPOINT, checkpointedStart ?? 0);
    this.#checkpointed.set(RECOVERY_CHECKPOINT, readOffsetCheckpoint(path.join(dir, RECOVERY_CHECKPOINT)) ?? 0);
    this.#readCheck = ReadCheck.load(dir, this.#_logStartOffset, leo, this.logger);
    this.#checkpointed.set(VALIDATED_CHECKPOINT, readOffsetCheckpoint(path.join(dir, VALIDATED_CHECKPOINT)) ?? this.#_logStartOffset);
    this.#recoveryPoint = leo;
    this.#txnIndex = TransactionIndex.load(
      dir,
      this.#segments.map((s) => s.baseOffset),
      leo,
    );
    if (topicId !== undefined && readPartitionMetadata(dir)?.topicId !== topicId) writePartitionMetadata(dir, topicId);
    if (clean) fs.rmSync(markerPath, { force: true });
    this.#writeCheckpoint(LOG_START_CHECKPOINT, this.#_logStartOffset);
    // From here on appends are validated: a crash loses at most what was appended since (checked again).
    this.#writeCheckpoint(VALIDATED_CHECKPOINT, this.#readCheck.checkpoint(leo));
  }

  #newSegment(baseOffset: number): LogSegment {
    const seg = LogSegment.create(this.dir, baseOffset, this.now(), this.config.indexIntervalBytes);
    seg.rollJitterMs = this.#jitter();
    return seg;
  }

  #jitter(): number {
    return this.config.segmentJitterMs > 0 ? Math.floor(Math.random() * Math.min(this.config.segmentJitterMs, this.config.segmentMs)) : 0;
  }

  get #active(): LogSegment {
    return this.#segments[this.#segments.length - 1]!;
  }

  #ensureOpen(): void {
    if (this.#closed) throw new KafkaStorageError(`log ${this.dir} is closed`);
  }

  // ------------------------------------------------------------------------------------------------
  // Offsets

  get logStartOffset(): number {
    return this.#_logStartOffset;
  }

  /** The next offset to be written. */
  get logEndOffset(): number {
    return this.#active.nextOffset;
  }

  get highWatermark(): number {
    return this.#_highWatermark;
  }

  /**
   * Set by the replication layer; clamped to [logStartOffset, logEndOffset]. Persisted to
   * replication-offset-checkpoint at most every `highWatermarkCheckpointMs` from here, and by close() and
   * checkpointHighWatermark().
   */
  set highWatermark(offset: number) {
    const hw = Math.min(Math.max(offset, this.#_logStartOffset), this.logEndOffset);
    if (hw === this.#_highWatermark) return;
    this.#_highWatermark = hw;
    if (this.#highWatermarkCheckpointMs >= 0) {
      const now = this.now();
      const due = this.#lastHighWatermarkCheckpoint + this.#highWatermarkCheckpointMs;
      if (now >= due) this.checkpointHighWatermark(now);
      else if (!this.#hwTimer) {
        // A trailing write, so the last HW of a burst reaches the disk too.
        this.#hwTimer = setTimeout(
          () => {
            this.#hwTimer = null;
            try {
              if (!this.#closed) this.checkpointHighWatermark();
            } catch (e) {
              this.logger.warn(`${this.dir}: high watermark checkpoint failed: ${(e as Error).message}`);
            }
          },
          Math.min(due - now, this.#highWatermarkCheckpointMs),
        );
        this.#hwTimer.unref();
      }
    }
  }

  /**
   * The committed records this log lost (recovery left it ending below its high-watermark checkpoint),
   * or null when it holds everything it knew committed. `epoch`: the leader epoch of the last one.
   */
  get missingCommitted(): { from: number; to: number; epoch: number } | null {
    const lost = this.#lostCommitted;
    if (lost && this.logEndOffset >= lost.to) this.#lostCommitted = null;
    return this.#lostCommitted ? { from: this.logEndOffset, to: this.#lostCommitted.to, epoch: this.#lostCommitted.epoch } : null;
  }

  /** Forgets the missing committed records (an unclean election made the cluster accept their loss). */
  acceptLostCommitted(): void {
    this.#lostCommitted = null;
  }

  /** What the high-watermark checkpoint holds: never below committed records this log is missing. */
  get #checkpointedHighWatermark(): number {
    const lost = this.missingCommitted;
    return lost ? Math.max(lost.to, this.#_highWatermark) : this.#_highWatermark;
  }

  #writeCheckpoint(name: string, offset: number, sync = false): void {
    if (this.#checkpointed.get(name) === offset) return;
    writeOffsetCheckpoint(path.join(this.dir, name), offset, sync);
    this.#checkpointed.set(name, offset);
  }

  /** Writes the high watermark checkpoint if the HW moved since the last one. */
  checkpointHighWatermark(now = this.now()): void {
    if (this.#closed) return;
    this.#lastHighWatermarkCheckpoint = now;
    // The log manager calls this for every log on a timer: only moved high watermarks are written.
    this.#writeCheckpoint(HW_CHECKPOINT, this.#checkpointedHighWatermark);
  }

  earliestOffset(): number {
    return this.#_logStartOffset;
  }

  latestOffset(): number {
    return this.logEndOffset;
  }

  /** Size in bytes of all segment files (DescribeLogDirs). */
  size(): number {
    let n = 0;
    for (const s of this.#segments) n += s.size;
    return n;
  }

  segmentInfo(): SegmentInfo[] {
    return this.#segments.map((s) => ({
      baseOffset: s.baseOffset,
      nextOffset: s.nextOffset,
      size: s.size,
      maxTimestamp: s.maxTimestamp,
      indexEntries: s.index.entries,
      timeIndexEntries: s.timeIndex.entries,
    }));
  }

  get segmentCount(): number {
    return this.#segments.length;
  }

  /** Batches found unreadable when read (written before appends were validated), oldest first. */
  unreadableBatches(): UnreadableBatch[] {
    return this.#readCheck.list();
  }

  /** Base offset of the segment appends go to: it changes when the log rolls. */
  get activeSegmentBaseOffset(): number {
    return this.#active.baseOffset;
  }

  /**
   * The headers of the batches holding offsets at or above `offset` (and the log start), oldest first,
   * read header by header: a large batch costs one small read of its header, never its records. Each
   * header is valid until the next one is yielded; the log must not change during the walk.
   */
  *batchHeadersFrom(offset: number): Generator<BatchHeader & { marker?: TransactionMarker }> {
    this.#ensureOpen();
    const from = Math.max(offset, this.logStartOffset);
    if (from >= this.logEndOffset) return;
    const first = this.#segmentIndexFor(from);
    for (let i = first; i < this.#segments.length; i++) {
      const segment = this.#segments[i]!;
      // From the sparse index's batch at or before `from`, as the timestamp searches start; small
      // windows: most batches are small and share one read.
      for (const batch of segment.batches(i === first ? segment.index.lookup(from) : 0, 16 << 10)) {
        if (batch.lastOffset < from) continue;
        const header: BatchHeader & { marker?: TransactionMarker } = readHeaderFields(batch.window.bytes(batch.position, BATCH_HEADER_SIZE));
        // A transaction marker's type is in its one record: the batch is tiny, read whole.
        if ((header.attributes & BatchAttributes.Control) !== 0) {
          const marker = transactionMarkerOf(batch.window.bytes(batch.position, batch.size), 0);
          if (marker) header.marker = marker;
        }
        yield header;
      }
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Append

  /**
   * Validates one or more concatenated v2 batches, or a legacy message set a leader converts
   * (validator.ts, as a leader's or a follower's by `assignOffsets`), then appends them
   * (appendValidated). For callers that have not validated the records themselves.
   */
  append(batches: Buffer, opts: AppendOptions): AppendResult {
    this.#ensureOpen();
    const origin = opts.assignOffsets ? 'client' : 'replication';
    return this.appendValidated(validateRecords(batches, { config: this.config, now: this.now(), origin, partition: this.name }), opts);
  }

  /**
   * Writes records validated before (validateRecords, validator.ts): nothing here checks the records.
   * Their offsets and timestamps are assigned first (offset-assignment.ts): the buffer is modified in
   * place (offsets, leader epoch, LogAppendTime, a corrected maxTimestamp) and then copied into the
   * segment; the caller may reuse it afterwards, unless it passed `retain`.
   * Throws UnexpectedAppendOffsetError (follower offsets not above the log end) or KafkaStorageError;
   * nothing is written when it throws.
   */
  appendValidated(validated: ValidatedRecords, opts: AppendOptions): AppendResult {
    this.#ensureOpen();
    const config = this.config;
    const now = this.now();
    const logAppend = opts.assignOffsets && config.messageTimestampType === 'LogAppendTime';
    const appendTime = logAppend ? (opts.logAppendTime ?? now) : -1;
    const { records, recordCount } = validated;
    const batchCount = validated.batches.length;
    if (batchCount === 0) {
      return {
        firstOffset: -1,
        lastOffset: -1,
        logAppendTime: appendTime,
        maxTimestamp: -1,
        offsetOfMaxTimestamp: -1,
        logStartOffset: this.#_logStartOffset,
        batchCount: 0,
        recordCount: 0,
        sizeInBytes: 0,
      };
    }
    const { firstOffset, lastOffset, maxTimestamp, offsetOfMaxTimestamp, newEpochs } = assignOffsets(validated, {
      logEndOffset: this.logEndOffset,
      latestEpoch: this.leaderEpochCache.latestEpoch(),
      assignOffsets: opts.assignOffsets,
      leaderEpoch: opts.leaderEpoch,
      logAppendTime: appendTime,
    });
    try {
      this.#maybeRoll(records.length, firstOffset, lastOffset, maxTimestamp, now);
    } catch (e) {
      throw new KafkaStorageError(`rolling a segment of ${this.dir} failed: ${(e as Error).message}`);
    }
    try {
      this.#active.append(records, opts.retain === true || validated.converted);
    } catch (e) {
      throw new KafkaStorageError(`append to ${this.#active.logPath} failed: ${(e as Error).message}`);
    }
    for (const e of newEpochs) this.leaderEpochCache.assign(e.epoch, e.startOffset);
    this.#unflushedMessages += recordCount;
    if (this.#unflushedMessages >= config.flushMessages || now - this.#lastFlushMs >= config.flushMs) this.flush();
    return {
      firstOffset,
      lastOffset,
      logAppendTime: appendTime,
      maxTimestamp,
      offsetOfMaxTimestamp,
      logStartOffset: this.#_logStartOffset,
      batchCount,
      recordCount,
      sizeInBytes: records.length,
    };
  }

  #maybeRoll(bytes: number, firstOffset: number, lastOffset: number, maxTimestamp: number, now: number): void {
    const seg = this.#active;
    if (seg.size === 0) {
      // An empty active segment can simply be replaced when a follower append skips ahead.
      if (firstOffset > seg.baseOffset && seg.index.entries === 0) this.#replaceEmptyActive(firstOffset);
      return;
    }
    const c = this.config;
    const waited = seg.firstBatchTimestamp >= 0 && maxTimestamp >= 0 ? maxTimestamp - seg.firstBatchTimestamp : now - seg.createdMs;
    if (
      seg.size + bytes > c.segmentBytes ||
      waited > c.segmentMs - seg.rollJitterMs ||
      lastOffset - seg.baseOffset > INT32_MAX ||
      seg.index.entries >= Math.floor(c.segmentIndexBytes / 8) ||
      seg.timeIndex.entries >= Math.floor(c.segmentIndexBytes / 12)
    ) {
      this.roll(Math.max(firstOffset, this.logEndOffset));
    }
  }

  #replaceEmptyActive(baseOffset: number): void {
    const old = this.#segments.pop()!;
    old.deleteFiles(0);
    const seg = this.#newSegment(baseOffset);
    seg.cache = new TailCache(this.#tailCacheBytes);
    this.#segments.push(seg);
  }

  /** Closes the active segment and starts a new one at `baseOffset` (default: the log end). */
  roll(baseOffset = this.logEndOffset): void {
    this.#ensureOpen();
    const old = this.#active;
    if (old.size === 0 && baseOffset === old.baseOffset) return;
    if (old.size === 0) {
      this.#replaceEmptyActive(baseOffset);
      return;
    }
    old.onBecomeInactive();
    const seg = this.#newSegment(Math.max(baseOffset, old.nextOffset));
    seg.cache = new TailCache(this.#tailCacheBytes);
    this.#segments.push(seg);
    this.#writeCheckpoint(VALIDATED_CHECKPOINT, this.#readCheck.checkpoint(this.logEndOffset));
    // The rolled segment is fsynced in the background; once done, nothing below the new segment needs a rescan.
    old.needsFsync = true;
    const p = old.flushAsync().then(() => {
      old.needsFsync = false;
      if (old !== this.#active) old.markInactive();
      this.#pendingFsyncs.delete(p);
      if (this.#closed || this.#pendingFsyncs.size > 0) return;
      // Every rolled segment is on disk: a restart need not rescan below the active segment.
      const point = Math.min(this.#active.baseOffset, this.logEndOffset);
      if (point > this.#recoveryPoint) {
        this.#recoveryPoint = point;
        this.#writeCheckpoint(RECOVERY_CHECKPOINT, point);
      }
    });
    this.#pendingFsyncs.add(p);
  }

  /** fsync the log and advance the recovery point to the log end (flush.messages / flush.ms, or on demand). */
  flush(): void {
    this.#ensureOpen();
    for (const s of this.#segments) {
      if (s === this.#active) continue;
      if (s.indexDirty) s.writeIndexes();
      if (s.needsFsync) s.flushSync();
    }
    this.#active.flushSync();
    this.#unflushedMessages = 0;
    this.#lastFlushMs = this.now();
    this.#recoveryPoint = this.logEndOffset;
    this.#writeCheckpoint(RECOVERY_CHECKPOINT, this.#recoveryPoint, true);
  }

  /** flush.ms check for an idle log (the LogManager's timer). */
  flushIfDue(now = this.now()): void {
    if (!this.#closed && this.#unflushedMessages > 0 && now - this.#lastFlushMs >= this.config.flushMs) this.flush();
  }

  // ------------------------------------------------------------------------------------------------
  // Read

  #segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.#segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  #outOfRange(what: string, offset: number): OffsetOutOfRangeError {
    return new OffsetOutOfRangeError(
      `${what} ${offset} is out of range [${this.#_logStartOffset}, ${this.logEndOffset}] of ${path.basename(this.dir)}`,
      this.#_logStartOffset,
      this.logEndOffset,
    );
  }

  /**
   * Whole batches from the one holding `fetchOffset`, at most `maxBytes` (but the first batch whole even if
   * larger, unless `minOneBatch` is false), only batches entirely below `maxOffset` (exclusive; pass the
   * high watermark for consumers; default the log end). Data comes from one segment per call.
   * Throws OffsetOutOfRangeError outside [logStartOffset, logEndOffset]. `alloc` provides the buffers
   * for bytes read from disk (a fetch's ReadLease); the records may then live in one of them.
   */
  read(fetchOffset: number, maxBytes: number, maxOffset?: number, minOneBatch = true, alloc?: ReadAllocator): ReadResult {
    this.#ensureOpen();
    const leo = this.logEndOffset;
    if (fetchOffset < this.#_logStartOffset || fetchOffset > leo) throw this.#outOfRange('fetch offset', fetchOffset);
    const limit = Math.min(maxOffset ?? leo, leo);
    const result: ReadResult = {
      records: EMPTY,
      firstOffset: -1,
      lastOffset: -1,
      highWatermark: this.#_highWatermark,
      logStartOffset: this.#_logStartOffset,
      logEndOffset: leo,
    };
    if (fetchOffset >= limit) return result;
    for (let i = this.#segmentIndexFor(fetchOffset); i < this.#segments.length; i++) {
      const seg = this.#segments[i]!;
      if (seg.baseOffset >= limit) break;
      let r;
      try {
        r = seg.read(fetchOffset, maxBytes, limit, minOneBatch, alloc);
      } catch (e) {
        throw new KafkaStorageError(`read from ${seg.logPath} failed: ${(e as Error).message}`);
      }
      if (r === null) continue;
      // Batches written before appends were validated are checked as they are read (read-check.ts).
      result.records = this.#readCheck.screen(r.records, fetchOffset, this.config.maxMessageBytes);
      result.firstOffset = r.firstOffset;
      result.lastOffset = r.lastOffset;
      break;
    }
    return result;
  }

  // ------------------------------------------------------------------------------------------------
  // Aborted transactions (transaction-index.ts)

  /** Indexes an aborted transaction in the segment holding its marker (once: a replayed one is ignored). */
  appendAbortedTransaction(entry: AbortedTransaction): void {
    this.#ensureOpen();
    if (entry.lastOffset < this.#_logStartOffset || entry.lastOffset >= this.logEndOffset) return;
    const segment = this.#segments[this.#segmentIndexFor(entry.lastOffset)]!;
    try {
      this.#txnIndex.append(segment.baseOffset, entry);
    } catch (e) {
      throw new KafkaStorageError(`writing the transaction index of ${this.dir} failed: ${(e as Error).message}`);
    }
  }

  /** The aborted transactions overlapping [from, upTo): what a read_committed fetch of that range must name. */
  abortedTransactions(from: number, upTo: number): AbortedTransaction[] {
    return this.#txnIndex.collect(from, upTo);
  }

  /**
   * The first offset of a transaction not decided yet (its replica's producer state sets it): the
   * cleaner stays below it. Infinity until a replica says otherwise.
   */
  firstUnstableOffset: () => number = () => Infinity;

  /** Every indexed aborted transaction, oldest marker first. */
  allAbortedTransactions(): AbortedTransaction[] {
    return this.#txnIndex.all();
  }

  // ------------------------------------------------------------------------------------------------
  // Timestamps (ListOffsets)

  /**
   * The first record (offset >= logStartOffset) whose timestamp is >= `timestamp`, or null. With
   * `maxOffset` (the high watermark for consumers, as Kafka does) a record at or beyond it counts as none.
   */
  offsetForTimestamp(timestamp: number, maxOffset = Infinity): OffsetAndTimestamp | null {
    const found = this.#searchTimestamp(timestamp);
    return found && found.offset < maxOffset ? found : null;
  }

  #searchTimestamp(timestamp: number): OffsetAndTimestamp | null {
    this.#ensureOpen();
    for (const seg of this.#segments) {
      if (seg.maxTimestamp < timestamp || seg.size === 0) continue;
      const startOffset = Math.max(seg.timeIndex.lookupBefore(timestamp), this.#_logStartOffset);
      const from = seg.index.lookup(startOffset);
      for (const b of seg.batches(from, 64 << 10)) {
        if (b.lastOffset < this.#_logStartOffset || b.maxTimestamp < timestamp) continue;
        const found = this.#recordAtOrAfter(seg, b, b.window, (rOffset, rTs) => rOffset >= this.#_logStartOffset && rTs >= timestamp);
        if (found) return found;
      }
    }
    return null;
  }

  /** The record with the largest timestamp (the first one on ties), or null for an empty log (MAX_TIMESTAMP). */
  maxTimestampOffset(): OffsetAndTimestamp | null {
    this.#ensureOpen();
    let best: LogSegment | null = null;
    for (const seg of this.#segments) if (seg.size > 0 && seg.maxTimestamp >= 0 && (!best || seg.maxTimestamp > best.maxTimestamp)) best = seg;
    if (!best) return null;
    const target = best.maxTimestamp;
    const from = best.index.lookup(best.offsetOfMaxTimestamp);
    for (const b of best.batches(from, 64 << 10)) {
      if (b.maxTimestamp !== target || b.lastOffset < this.#_logStartOffset) continue;
      const found = this.#recordAtOrAfter(best, b, b.window, (o, ts) => o >= this.#_logStartOffset && ts === target);
      if (found) return found;
    }
    return null;
  }

  #recordAtOrAfter(
    seg: LogSegment,
    b: Parameters<LogSegment['batchBytes']>[0],
    w: Parameters<LogSegment['batchBytes']>[1],
    match: (offset: number, timestamp: number) => boolean,
  ): OffsetAndTimestamp | null {
    if ((b.attributes & BatchAttributes.TimestampTypeLogAppend) !== 0) {
      const offset = Math.max(b.baseOffset, this.#_logStartOffset);
      return match(offset, b.maxTimestamp) ? { offset, timestamp: b.maxTimestamp, leaderEpoch: b.partitionLeaderEpoch } : null;
    }
    try {
      const batch = decodeRecordBatch(seg.batchBytes(b, w), 0, { verifyCrc: false });
      for (const r of batch.records) {
        if (match(r.offset, r.timestamp)) return { offset: r.offset, timestamp: r.timestamp, leaderEpoch: b.partitionLeaderEpoch };
      }
      return null;
    } catch (e) {
      // Undecodable (e.g. a codec not initialised): answer at batch granularity.
      this.logger.warn(`${seg.logPath}: cannot decode batch at ${b.baseOffset}: ${(e as Error).message}`);
      const offset = Math.max(b.baseOffset, this.#_logStartOffset);
      return match(offset, b.maxTimestamp) ? { offset, timestamp: b.maxTimestamp, leaderEpoch: b.partitionLeaderEpoch } : null;
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Leader epochs

  /** OffsetForLeaderEpoch: end offset of the largest epoch <= `epoch`, and that epoch ({-1, -1} if unknown). */
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    return this.leaderEpochCache.endOffsetForEpoch(epoch, this.logEndOffset);
  }

  latestEpoch(): number {
    return this.leaderEpochCache.latestEpoch();
  }

  // ------------------------------------------------------------------------------------------------
  // Deletion: DeleteRecords, retention, truncation

  #setLogStartOffset(offset: number): void {
    if (offset <= this.#_logStartOffset) return;
    this.#_logStartOffset = offset;
    if (this.#_highWatermark < offset) this.#_highWatermark = Math.min(offset, this.logEndOffset);
    this.leaderEpochCache.truncateFromStart(offset);
    this.#writeCheckpoint(LOG_START_CHECKPOINT, offset);
  }

  /** Deletes the segments at the start of the log while `shouldDelete(segment, next)` holds (never all: rolls first). */
  #deleteOldSegments(shouldDelete: (seg: LogSegment, nextBase: number) => boolean): RetentionResult {
    let count = 0;
    let bytes = 0;
    while (this.#segments.length > 0) {
      const seg = this.#segments[0]!;
      const isActive = this.#segments.length === 1;
      const upper = isActive ? this.logEndOffset : this.#segments[1]!.baseOffset;
      if (isActive && seg.size === 0) break;
      if (upper > this.#_highWatermark || !shouldDelete(seg, upper)) break;
      if (isActive) this.roll();
      this.#segments.shift();
      bytes += seg.size;
      count++;
      seg.deleteFiles(this.config.fileDeleteDelayMs);
      this.#txnIndex.dropSegment(seg.baseOffset);
      this.#setLogStartOffset(this.#segments[0]!.baseOffset);
    }
    return { deletedSegments: count, deletedBytes: bytes, logStartOffset: this.#_logStartOffset };
  }

  /**
   * DeleteRecords: moves the log start offset to `offset` (<= high watermark; -1 means the high watermark)
   * and deletes whole segments below it. Returns the new log start offset (the low watermark).
   */
  deleteRecordsBefore(offset: number): number {
    this.#ensureOpen();
    const target = offset === -1 ? this.#_highWatermark : offset;
    if (target < 0 || target > this.#_highWatermark)
      throw this.#outOfRange(`delete-records offset (must be <= high watermark ${this.#_highWatermark})`, target);
    this.#setLogStartOffset(target);
    this.#deleteOldSegments((_seg, upper) => upper <= this.#_logStartOffset);
    return this.#_logStartOffset;
  }

  /**
   * Retention (cleanup.policy containing delete): whole segments whose largest timestamp is older than
   * retention.ms, then the oldest segments while the log exceeds retention.bytes; segments wholly below the
   * log start offset always. Only data below the high watermark goes. The active segment is rolled and
   * deleted when it is itself expired (as Kafka does), so an idle topic's old data does not linger.
   */
  applyRetention(now = this.now()): RetentionResult {
    this.#ensureOpen();
    const total: RetentionResult = { deletedSegments: 0, deletedBytes: 0, logStartOffset: this.#_logStartOffset };
    const add = (r: RetentionResult): void => {
      total.deletedSegments += r.deletedSegments;
      total.deletedBytes += r.deletedBytes;
      total.logStartOffset = r.logStartOffset;
    };
    add(this.#deleteOldSegments((_seg, upper) => upper <= this.#_logStartOffset));
    if (this.config.cleanupPolicy.includes('delete')) {
      const { retentionMs, retentionBytes } = this.config;
      if (retentionMs >= 0) add(this.#deleteOldSegments((seg) => now - seg.largestTimestamp() > retentionMs));
      if (retentionBytes >= 0) {
        let excess = this.size() - retentionBytes;
        add(
          this.#deleteOldSegments((seg) => {
            if (excess - seg.size < 0) return false;
            excess -= seg.size;
            return true;
          }),
        );
      }
    }
    return total;
  }

  /**
   * Removes every batch holding offsets >= `offset` (a diverging follower). The batch containing `offset`
   * goes entirely, so the log end may end up below `offset`. Returns the new log end offset.
   */
  truncateTo(offset: number): number {
    this.#ensureOpen();
    if (offset >= this.logEndOffset) return this.logEndOffset;
    if (offset < this.#_logStartOffset) {
      this.truncateFullyAndStartAt(offset);
      return this.logEndOffset;
    }
    while (this.#segments.length > 1 && this.#active.baseOffset >= offset) {
      this.#segments.pop()!.deleteFiles(0);
    }
    const seg = this.#active;
    seg.truncateTo(offset);
    seg.writeIndexes();
    if (!seg.cache) {
      seg.markActive();
      seg.cache = new TailCache(this.#tailCacheBytes);
    }
    if (this.logEndOffset < this.#_logStartOffset) {
      // The batch holding the log start went: nothing readable is left below it.
      this.truncateFullyAndStartAt(this.#_logStartOffset);
      return this.logEndOffset;
    }
    const leo = this.logEndOffset;
    this.leaderEpochCache.truncateFromEnd(leo);
    this.#readCheck.truncated(leo);
    this.#txnIndex.truncateTo(leo);
    // Only the replication layer truncates, and below committed records only when it accepted their
    // loss (an unclean election): what this log knew committed no longer stands.
    this.#lostCommitted = null;
    if (this.#_highWatermark > leo) {
      this.#_highWatermark = leo;
      // At once: a checkpoint left above the log end would read as lost committed records at the next open.
      this.#writeCheckpoint(HW_CHECKPOINT, leo);
    }
    if (this.#recoveryPoint > leo) this.#recoveryPoint = leo;
    this.#writeCheckpoint(RECOVERY_CHECKPOINT, this.#recoveryPoint);
    return leo;
  }

  /** Deletes everything and restarts the log empty at `offset` (a follower far behind the leader's log start). */
  truncateFullyAndStartAt(offset: number): void {
    this.#ensureOpen();
    for (const s of this.#segments) s.deleteFiles(0);
    this.#segments = [this.#newSegment(offset)];
    this.#active.cache = new TailCache(this.#tailCacheBytes);
    this.#_logStartOffset = offset;
    this.#_highWatermark = offset;
    this.#recoveryPoint = offset;
    this.#lostCommitted = null;
    this.leaderEpochCache.clear();
    this.#readCheck.reset(offset);
    this.#txnIndex.clear();
    this.#writeCheckpoint(LOG_START_CHECKPOINT, offset);
    this.#writeCheckpoint(RECOVERY_CHECKPOINT, offset);
    this.#writeCheckpoint(HW_CHECKPOINT, offset);
  }

  // ------------------------------------------------------------------------------------------------
  // Compaction

  /**
   * cleanup.policy=compact: keeps the latest record per key in the inactive segments below the high
   * watermark and older than min.compaction.lag.ms; drops tombstones older than delete.retention.ms.
   * Offsets never change. See compaction.ts.
   */
  compact(now = this.now(), opts: { force?: boolean } = {}): CompactionResult {
    this.#ensureOpen();
    const result = compactLog(this.#compactionAccess(), now, this.#cleanerState, opts.force ?? false);
    this.#cleanerState = result.state;
    return result;
  }

  #compactionAccess() {
    return {
      dir: this.dir,
      config: this.config,
      logger: this.logger,
      segments: () => this.#segments,
      highWatermark: () => this.#_highWatermark,
      lastStableOffset: () => this.firstUnstableOffset(),
      abortedTransactions: (from: number, upTo: number) => this.#txnIndex.collect(from, upTo),
      replaceSegments: (base: number, absorbed: number[], removedAbortMarkers?: ReadonlySet<number>): void => {
        const i = this.#segments.findIndex((s) => s.baseOffset === base);
        if (i < 0 || i + absorbed.length >= this.#segments.length - 1) throw new Error(`segment ${base} cannot be replaced`);
        const old = this.#segments[i]!;
        old.close();
        for (const other of this.#segments.splice(i + 1, absorbed.length)) {
          if (!absorbed.includes(other.baseOffset)) throw new Error(`segment ${other.baseOffset} is not among the merged ones`);
          other.deleteFiles(0);
        }
        this.#txnIndex.mergeInto(base, absorbed, removedAbortMarkers);
        const { segment } = LogSegment.open(this.dir, base, {
          recover: true,
          now: this.now(),
          indexIntervalBytes: this.config.indexIntervalBytes,
          logger: this.logger,
          minOffset: 0,
        });
        segment.markInactive();
        this.#segments[i] = segment;
      },
    };
  }

  // ------------------------------------------------------------------------------------------------
  // Lifecycle

  updateConfig(config: LogConfig): void {
    this.config = config;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Writes indexes and checkpoints, fsyncs, closes files and leaves the clean-shutdown marker. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#hwTimer) clearTimeout(this.#hwTimer);
    this.#hwTimer = null;
    await Promise.all([...this.#pendingFsyncs]);
    for (const s of this.#segments) s.writeIndexes();
    this.#active.flushSync();
    this.#recoveryPoint = this.logEndOffset;
    this.#writeCheckpoint(LOG_START_CHECKPOINT, this.#_logStartOffset);
    this.#writeCheckpoint(RECOVERY_CHECKPOINT, this.#recoveryPoint);
    this.#writeCheckpoint(HW_CHECKPOINT, this.#checkpointedHighWatermark);
    this.#writeCheckpoint(VALIDATED_CHECKPOINT, this.#readCheck.checkpoint(this.logEndOffset));
    // The leader-epoch checkpoint is written on every change of the cache: nothing to add here.
    for (const s of this.#segments) s.close();
    this.#closed = true;
    fs.writeFileSync(path.join(this.dir, CLEAN_SHUTDOWN), '');
  }

  /** Closes the files and removes the whole partition directory. */
  async delete(): Promise<void> {
    if (this.#hwTimer) clearTimeout(this.#hwTimer);
    this.#hwTimer = null;
    await Promise.all([...this.#pendingFsyncs]);
    for (const s of this.#segments) s.close();
    this.#closed = true;
    await fs.promises.rm(this.dir, { recursive: true, force: true });
  }

  /** Closes the fds without writing anything (tests: mimic a killed process). */
  abandon(): void {
    if (this.#hwTimer) clearTimeout(this.#hwTimer);
    this.#hwTimer = null;
    for (const s of this.#segments) s.close();
    this.#closed = true;
  }
}

const EMPTY = Buffer.alloc(0);

/** A transaction marker's type (0 abort, 1 commit) and its coordinator's epoch. */
export interface TransactionMarker {
  type: number;
  coordinatorEpoch: number;
}

/** The marker a control batch at `position` holds, or null when it holds none that can be read. */
export function transactionMarkerOf(records: Buffer, position: number): TransactionMarker | null {
  try {
    const batch = decodeRecordBatch(records, position, { verifyCrc: false });
    const record = batch.records[0];
    return record ? decodeEndTxnMarker(record) : null;
  } catch {
    return null;
  }
}
