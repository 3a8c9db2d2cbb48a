import * as fs from 'node:fs';
import { BatchAttributes } from '../../kafka/records/batch-header';
import {
  type KafkaRecord,
  type RecordBatch,
  TimestampType,
  ControlRecordType,
  decodeEndTxnMarker,
  decodeRecordBatch,
  encodeRecordBatch,
} from '../../kafka/records/record-batch';
import type { CompressionType } from '../../kafka/records/compression';
import type { LogConfig } from './log-config';
import type { LogLogger, LogSegment } from './segment';
import type { AbortedTransaction } from './transaction-index';

/**
 * Log compaction (cleanup.policy=compact), run on demand by PartitionLog.compact() / the LogManager timer.
 *
 * Cleanable range: the inactive segments that end at or below min(active segment base, high watermark,
 * last stable offset) and whose largest timestamp is older than min.compaction.lag.ms: no transaction
 * still open is cleaned. Over that range:
 *   1. map every key to the offset of its latest record, leaving out aborted transactions' records;
 *   2. copy each segment keeping a record when it is the latest for its key, except tombstones (null
 *      value) whose timestamp is older than delete.retention.ms; records without a key are kept;
 *      batches of aborted transactions (the aborted-transaction index names them) are dropped;
 *      transaction markers go as Kafka's LogCleaner lets them (CleanedTransactionMetadata): an abort
 *      marker once a pass found none of its transaction's batches left, a commit marker once none of
 *      its transaction's batches is left, in both cases only when older than delete.retention.ms (a
 *      consumer that read the batches must still be able to read the marker); an abort marker that
 *      goes takes its aborted-transaction index entry with it;
 *   3. a batch that lost records is re-encoded with the same baseOffset, lastOffsetDelta, producer
 *      fields, leader epoch, compression and timestamp type (offsets never change); a batch that lost all
 *      its records is dropped; an untouched batch is copied byte for byte.
 * Consecutive cleaned segments are merged while the result fits segment.bytes.
 * Crash safety: `<first base>.log.cleaned` is written and fsynced, the first segment's index files are
 * unlinked, the cleaned file is renamed over `<first base>.log` (atomic: the commit point), then the other
 * merged segments' files are deleted and the indexes rebuilt. After a crash, open() drops `.cleaned` files,
 * rebuilds missing indexes and deletes a segment that starts below the end of the segment before it
 * (a merged segment whose deletion did not happen).
 *
 * A pass is skipped when the new data below the cleanable bound is under min.cleanable.dirty.ratio (and
 * max.compaction.lag.ms has not passed) and no retained tombstone has expired.
 *
 * Limitations: batches that cannot be decoded or encoded (e.g. zstd before initCompression()) are kept
 * unchanged; a producer's last batch is not kept as an empty batch when compaction empties it (Kafka's
 * RETAIN_EMPTY), so duplicate detection for it relies on the producer-state snapshot.
 */

export interface CompactionAccess {
  dir: string;
  config: LogConfig;
  logger: LogLogger;
  segments(): readonly LogSegment[];
  highWatermark(): number;
  /** The last stable offset (the high watermark when no transaction is open); absent: the high watermark. */
  lastStableOffset?(): number;
  /** The aborted transactions overlapping [from, upTo) (the aborted-transaction index). */
  abortedTransactions?(from: number, upTo: number): AbortedTransaction[];
  /**
   * Installs a rewritten segment: `<base>.log` was replaced; `absorbed` are the base offsets of the
   * following segments whose data it now also holds (their files are deleted). Reopens (rescans) it.
   * `removedAbortMarkers`: offsets of the abort markers the rewrite dropped (their index entries go).
   */
  replaceSegments(base: number, absorbed: number[], removedAbortMarkers?: ReadonlySet<number>): void;
}

/** What the cleaner remembers between runs of one log (in memory; a restart just cleans once more). */
export interface CleanerState {
  /** The cleanable range ended here at the last run (offsets below were compacted). */
  cleanedUpTo: number;
  /** Earliest time a retained tombstone expires (Infinity when none). */
  tombstoneExpiry: number;
}

export interface CompactionResult {
  /** Segments rewritten (merged segments count once). */
  cleanedSegments: number;
  /** Segments folded into a preceding one. */
  mergedSegments: number;
  recordsRemoved: number;
  bytesBefore: number;
  bytesAfter: number;
  /** Offset below which the log is compacted (exclusive), or -1 when nothing was cleanable or cleaning was skipped. */
  cleanedUpTo: number;
  /** True when the log had too little new (dirty) data to be worth cleaning. */
  skipped: boolean;
  state: CleanerState | null;
}

function keyOf(key: Buffer): string {
  return key.toString('latin1');
}

function decodeSafe(bytes: Buffer, logger: LogLogger, where: string): RecordBatch | null {
  try {
    return decodeRecordBatch(bytes, 0, { verifyCrc: false });
  } catch (e) {
    logger.warn(`compaction: cannot decode batch in ${where}: ${(e as Error).message}; keeping it`);
    return null;
  }
}

/**
 * One cleaning pass. `previous` lets a pass be skipped when there is no new data below the cleanable
 * bound (dirty ratio under min.cleanable.dirty.ratio) and no tombstone is due to expire; `force` cleans anyway.
 */
export function compactLog(log: CompactionAccess, now: number, previous: CleanerState | null = null, force = false): CompactionResult {
  const result: CompactionResult = {
    cleanedSegments: 0,
    mergedSegments: 0,
    recordsRemoved: 0,
    bytesBefore: 0,
    bytesAfter: 0,
    cleanedUpTo: -1,
    skipped: false,
    state: previous,
  };
  const config = log.config;
  if (!config.cleanupPolicy.includes('compact')) return result;
  const segments = log.segments();
  if (segments.length < 2) return result;
  const hw = Math.min(log.highWatermark(), log.lastStableOffset?.() ?? Infinity);
  const lagLimit = now - config.minCompactionLagMs;
  const cleanable: LogSegment[] = [];
  for (let i = 0; i < segments.length - 1; i++) {
    const seg = segments[i]!;
    const upper = segments[i + 1]!.baseOffset;
    if (upper > hw) break;
    if (config.minCompactionLagMs > 0 && seg.largestTimestamp() > lagLimit) break;
    cleanable.push(seg);
  }
  if (cleanable.length === 0) return result;
  const cleanedUpTo = segments[cleanable.length]!.baseOffset;

  if (!force && previous) {
    let total = 0;
    let dirty = 0;
    let oldestDirty = Infinity;
    for (const seg of cleanable) {
      total += seg.size;
      if (seg.baseOffset >= previous.cleanedUpTo) {
        dirty += seg.size;
        if (seg.firstBatchTimestamp >= 0) oldestDirty = Math.min(oldestDirty, seg.firstBatchTimestamp);
      }
    }
    const ratio = total === 0 ? 0 : dirty / total;
    const lagExceeded = dirty > 0 && now - oldestDirty > config.maxCompactionLagMs;
    if (now < previous.tombstoneExpiry && (dirty === 0 || (ratio < config.minCleanableDirtyRatio && !lagExceeded))) {
      result.skipped = true;
      return result;
    }
  }
  result.cleanedUpTo = cleanedUpTo;

  const aborted = log.abortedTransactions?.(cleanable[0]!.baseOffset, cleanedUpTo) ?? [];

  // 1. Latest offset per key over the cleanable range, aborted records left out.
  const latest = new Map<string, number>();
  const mapped = new CleanedTransactions(aborted);
  for (const seg of cleanable) {
    for (const b of seg.batches()) {
      const batch = decodeSafe(seg.batchBytes(b, b.window), log.logger, seg.logPath);
      if (!batch) continue;
      if ((b.attributes & BatchAttributes.Control) !== 0) {
        mapped.onControlBatch(batch);
        continue;
      }
      if (mapped.onBatch(batch)) continue;
      for (const r of batch.records) if (r.key !== null) latest.set(keyOf(r.key), r.offset);
    }
  }

  // 2. The retained bytes of every cleanable segment.
  const tombstoneLimit = now - config.deleteRetentionMs;
  let tombstoneExpiry = Infinity;
  const transactions = new CleanedTransactions(aborted);
  const removedAbortMarkers = new Set<number>();
  const cleaned: Array<{ seg: LogSegment; chunks: Buffer[]; size: number; removed: number; lastOffset: number }> = [];
  for (const seg of cleanable) {
    const chunks: Buffer[] = [];
    let removed = 0;
    let size = 0;
    let lastOffset = -1;
    const keepWhole = (bytes: Buffer, last: number): void => {
      chunks.push(Buffer.from(bytes));
      size += bytes.length;
      lastOffset = last;
    };
    for (const b of seg.batches()) {
      const bytes = seg.batchBytes(b, b.window);
      const batch = decodeSafe(bytes, log.logger, seg.logPath);
      if (!batch) {
        keepWhole(bytes, b.lastOffset);
        continue;
      }
      if ((b.attributes & BatchAttributes.Control) !== 0) {
        const marker = transactions.onControlBatch(batch);
        if (marker.discardable && batch.maxTimestamp <= tombstoneLimit) {
          removed += batch.records.length;
          if (marker.abort) removedAbortMarkers.add(batch.baseOffset);
        } else {
          // A pass after delete.retention.ms may remove it (an abort marker kept for the batches this pass removed, too).
          if (marker.discardable || marker.abort) tombstoneExpiry = Math.min(tombstoneExpiry, batch.maxTimestamp + config.deleteRetentionMs);
          keepWhole(bytes, b.lastOffset);
        }
        continue;
      }
      if (transactions.onBatch(batch)) {
        removed += batch.records.length;
        continue;
      }
      const keep = batch.records.filter((r) => retain(r, latest, tombstoneLimit));
      for (const r of keep) if (r.value === null && r.key !== null) tombstoneExpiry = Math.min(tombstoneExpiry, r.timestamp + config.deleteRetentionMs);
      if (keep.length === batch.records.length) {
        keepWhole(bytes, b.lastOffset);
        continue;
      }
      if (keep.length === 0) {
        removed += batch.records.length;
        continue;
      }
      const rebuilt = reencode(batch, keep, log.logger);
      if (!rebuilt) {
        keepWhole(bytes, b.lastOffset);
        continue;
      }
      removed += batch.records.length - keep.length;
      chunks.push(rebuilt);
      size += rebuilt.length;
      lastOffset = b.lastOffset;
    }
    cleaned.push({ seg, chunks, size, removed, lastOffset });
  }
  result.state = { cleanedUpTo, tombstoneExpiry };

  // 3. Group consecutive segments into files of at most segment.bytes, then swap each group in.
  let i = 0;
  while (i < cleaned.length) {
    const group = [cleaned[i]!];
    let size = cleaned[i]!.size;
    const base = cleaned[i]!.seg.baseOffset;
    let j = i + 1;
    while (j < cleaned.length) {
      const next = cleaned[j]!;
      const lastOffset = next.lastOffset >= 0 ? next.lastOffset : next.seg.baseOffset;
      if (size + next.size > config.segmentBytes || lastOffset - base > 2147483647) break;
      group.push(next);
      size += next.size;
      j++;
    }
    i = j;
    const removed = group.reduce((n, g) => n + g.removed, 0);
    if (removed === 0 && group.length === 1) continue;
    const before = group.reduce((n, g) => n + g.seg.size, 0);
    const first = group[0]!.seg;
    writeCleaned(
      `${first.logPath}.cleaned`,
      group.flatMap((g) => g.chunks),
    );
    // Closed before the rename: Windows cannot replace a file that is open.
    first.close();
    try {
      fs.rmSync(first.indexPath, { force: true });
      fs.rmSync(first.timeIndexPath, { force: true });
      fs.renameSync(`${first.logPath}.cleaned`, first.logPath);
    } catch (e) {
      fs.rmSync(`${first.logPath}.cleaned`, { force: true });
      log.replaceSegments(first.baseOffset, []); // reopen the old file, rebuilding its indexes
      throw e;
    }
    // From here the first file holds the whole group; open() deletes later segments it overlaps if we crash now.
    log.replaceSegments(
      first.baseOffset,
      group.slice(1).map((g) => g.seg.baseOffset),
      removedAbortMarkers,
    );
    result.cleanedSegments++;
    result.mergedSegments += group.length - 1;
    result.recordsRemoved += removed;
    result.bytesBefore += before;
    result.bytesAfter += size;
  }
  return result;
}

/**
 * What the cleaner knows of transactions while it walks the cleanable range in offset order (Kafka's
 * CleanedTransactionMetadata): which producers are inside an aborted transaction (from the
 * aborted-transaction index: from its first offset to its marker), and which have read batches of a
 * transaction not aborted since their last marker.
 */
class CleanedTransactions {
  readonly #aborted: AbortedTransaction[];
  #next = 0;
  /** Producers inside an aborted transaction, and whether this pass met one of its batches. */
  readonly #ongoingAborted = new Map<number, { batchesSeen: boolean }>();
  /** Producers whose batches of a transaction (not aborted) were met since their last marker. */
  readonly #ongoingCommitted = new Set<number>();

  constructor(aborted: readonly AbortedTransaction[]) {
    this.#aborted = [...aborted].sort((a, b) => a.firstOffset - b.firstOffset);
  }

  #enterAbortedUpTo(offset: number): void {
    while (this.#next < this.#aborted.length && this.#aborted[this.#next]!.firstOffset <= offset) {
      this.#ongoingAborted.set(this.#aborted[this.#next]!.producerId, { batchesSeen: false });
      this.#next++;
    }
  }

  /** A data batch: true when it belongs to an aborted transaction (it goes). */
  onBatch(batch: RecordBatch): boolean {
    this.#enterAbortedUpTo(batch.baseOffset + batch.lastOffsetDelta);
    if ((batch.attributes & BatchAttributes.Transactional) === 0) return false;
    const aborted = this.#ongoingAborted.get(batch.producerId);
    if (aborted) {
      aborted.batchesSeen = true;
      return true;
    }
    this.#ongoingCommitted.add(batch.producerId);
    return false;
  }

  /**
   * A control batch: whether it may go once older than delete.retention.ms (an abort marker whose
   * transaction had no batch left in this pass, a commit marker whose transaction has none left, an
   * empty control batch), and whether it is an abort marker.
   */
  onControlBatch(batch: RecordBatch): { discardable: boolean; abort: boolean } {
    this.#enterAbortedUpTo(batch.baseOffset + batch.lastOffsetDelta);
    const record = batch.records[0];
    if (!record) return { discardable: true, abort: false };
    let type: ControlRecordType;
    try {
      type = decodeEndTxnMarker(record).type;
    } catch {
      return { discardable: false, abort: false };
    }
    if (type === ControlRecordType.Abort) {
      const aborted = this.#ongoingAborted.get(batch.producerId);
      this.#ongoingAborted.delete(batch.producerId);
      // Kept while this pass still removed batches of its transaction: a consumer may have read them.
      return { discardable: !aborted?.batchesSeen, abort: true };
    }
    return { discardable: !this.#ongoingCommitted.delete(batch.producerId), abort: false };
  }
}

function writeCleaned(file: string, chunks: Buffer[]): void {
  const fd = fs.openSync(file, 'w');
  try {
    let pos = 0;
    for (const c of chunks) {
      let written = 0;
      while (written < c.length) written += fs.writeSync(fd, c, written, c.length - written, pos + written);
      pos += c.length;
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function retain(r: KafkaRecord, latest: Map<string, number>, tombstoneLimit: number): boolean {
  if (r.key === null) return true;
  if (latest.get(keyOf(r.key)) !== r.offset) return false;
  if (r.value === null && r.timestamp <= tombstoneLimit) return false;
  return true;
}

function reencode(batch: RecordBatch, keep: KafkaRecord[], logger: LogLogger): Buffer | null {
  const logAppendTime = (batch.attributes & BatchAttributes.TimestampTypeLogAppend) !== 0;
  try {
    return encodeRecordBatch({
      baseOffset: batch.baseOffset,
      records: keep.map((r) => ({
        key: r.key,
        value: r.value,
        headers: r.headers,
        timestamp: logAppendTime ? batch.baseTimestamp + (r.timestampDelta ?? 0) : r.timestamp,
        offset: r.offset,
        attributes: r.attributes,
      })),
      compression: (batch.attributes & BatchAttributes.CompressionMask) as CompressionType,
      timestampType: logAppendTime ? TimestampType.LogAppendTime : TimestampType.CreateTime,
      ...(logAppendTime ? { maxTimestamp: batch.maxTimestamp } : {}),
      lastOffsetDelta: batch.lastOffsetDelta,
      producerId: batch.producerId,
      producerEpoch: batch.producerEpoch,
      baseSequence: batch.baseSequence,
      transactional: (batch.attributes & BatchAttributes.Transactional) !== 0,
      partitionLeaderEpoch: batch.partitionLeaderEpoch,
    });
  } catch (e) {
    logger.warn(`compaction: cannot re-encode batch at ${batch.baseOffset}: ${(e as Error).message}; keeping it whole`);
    return null;
  }
}
