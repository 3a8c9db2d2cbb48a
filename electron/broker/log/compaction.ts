import * as fs from 'node:fs';
import { BatchAttributes } from '../records/batch-header';
import { type KafkaRecord, type RecordBatch, TimestampType, decodeRecordBatch, encodeRecordBatch } from '../records/record-batch';
import type { CompressionType } from '../records/compression';
import type { LogConfig } from './log-config';
import type { LogLogger, LogSegment } from './segment';

/**
 * Log compaction (cleanup.policy=compact), run on demand by PartitionLog.compact() / the LogManager timer.
 *
 * Cleanable range: the inactive segments that end at or below min(active segment base, high watermark)
 * and whose largest timestamp is older than min.compaction.lag.ms. Over that range:
 *   1. map every key to the offset of its latest record;
 *   2. copy each segment keeping a record when it is the latest for its key, except tombstones (null
 *      value) whose timestamp is older than delete.retention.ms; records without a key are kept;
 *      control batches (transaction markers) are kept whole;
 *   3. a batch that lost records is re-encoded with the same baseOffset, lastOffsetDelta, producer
 *      fields, leader epoch, compression and timestamp type (offsets never change); a batch that lost all
 *      its records is dropped; an untouched batch is copied byte for byte.
 * Crash safety per segment: `<base>.log.cleaned` is written and fsynced, the old index files are unlinked,
 * then the cleaned file is renamed over `<base>.log` (atomic) and the indexes rebuilt. A crash at any
 * point leaves either the old or the new log, and open() rebuilds missing indexes and drops `.cleaned` files.
 *
 * Limitations: aborted transactional records are not removed; batches that cannot be decoded or encoded
 * (e.g. zstd before initCompression()) are kept unchanged; segments are not merged.
 */

export interface CompactionAccess {
  dir: string;
  config: LogConfig;
  logger: LogLogger;
  segments(): readonly LogSegment[];
  highWatermark(): number;
  /** Reopens segment `base` after its file was replaced (rescans it and writes its indexes). */
  replaceSegment(base: number): void;
}

export interface CompactionResult {
  /** Segments rewritten. */
  cleanedSegments: number;
  recordsRemoved: number;
  bytesBefore: number;
  bytesAfter: number;
  /** Offset below which the log is compacted (exclusive), or -1 when nothing was cleanable. */
  cleanedUpTo: number;
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

export function compactLog(log: CompactionAccess, now: number): CompactionResult {
  const result: CompactionResult = { cleanedSegments: 0, recordsRemoved: 0, bytesBefore: 0, bytesAfter: 0, cleanedUpTo: -1 };
  if (!log.config.cleanupPolicy.includes('compact')) return result;
  const segments = log.segments();
  if (segments.length < 2) return result;
  const hw = log.highWatermark();
  const lagLimit = now - log.config.minCompactionLagMs;
  const cleanable: LogSegment[] = [];
  for (let i = 0; i < segments.length - 1; i++) {
    const seg = segments[i]!;
    const upper = segments[i + 1]!.baseOffset;
    if (upper > hw) break;
    if (log.config.minCompactionLagMs > 0 && seg.largestTimestamp() > lagLimit) break;
    cleanable.push(seg);
  }
  if (cleanable.length === 0) return result;
  result.cleanedUpTo = segments[cleanable.length]!.baseOffset;

  // 1. Latest offset per key over the cleanable range.
  const latest = new Map<string, number>();
  for (const seg of cleanable) {
    for (const b of seg.batches()) {
      if ((b.attributes & BatchAttributes.Control) !== 0) continue;
      const batch = decodeSafe(seg.batchBytes(b, b.window), log.logger, seg.logPath);
      if (!batch) continue;
      for (const r of batch.records) if (r.key !== null) latest.set(keyOf(r.key), r.offset);
    }
  }

  // 2-3. Rewrite each segment that has something to remove.
  const tombstoneLimit = now - log.config.deleteRetentionMs;
  for (const seg of cleanable) {
    const chunks: Buffer[] = [];
    let removed = 0;
    for (const b of seg.batches()) {
      const bytes = seg.batchBytes(b, b.window);
      if ((b.attributes & BatchAttributes.Control) !== 0) {
        chunks.push(Buffer.from(bytes));
        continue;
      }
      const batch = decodeSafe(bytes, log.logger, seg.logPath);
      if (!batch) {
        chunks.push(Buffer.from(bytes));
        continue;
      }
      const keep = batch.records.filter((r) => retain(r, latest, tombstoneLimit));
      if (keep.length === batch.records.length) {
        chunks.push(Buffer.from(bytes));
        continue;
      }
      removed += batch.records.length - keep.length;
      if (keep.length === 0) continue;
      const rebuilt = reencode(batch, keep, log.logger);
      chunks.push(rebuilt ?? Buffer.from(bytes));
      if (!rebuilt) removed -= batch.records.length - keep.length;
    }
    if (removed === 0) continue;
    const before = seg.size;
    const data = Buffer.concat(chunks);
    const cleanedPath = `${seg.logPath}.cleaned`;
    const fd = fs.openSync(cleanedPath, 'w');
    try {
      let written = 0;
      while (written < data.length) written += fs.writeSync(fd, data, written, data.length - written, written);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.rmSync(seg.indexPath, { force: true });
    fs.rmSync(seg.timeIndexPath, { force: true });
    fs.renameSync(cleanedPath, seg.logPath);
    log.replaceSegment(seg.baseOffset);
    result.cleanedSegments++;
    result.recordsRemoved += removed;
    result.bytesBefore += before;
    result.bytesAfter += data.length;
  }
  return result;
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
