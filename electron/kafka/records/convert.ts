import { ProtocolDecodeError } from '../protocol/errors';
import { BatchAttributes } from './batch-header';
import { CompressionType } from './compression';
import { type LegacyMessage, type LegacyMessageInput, decodeMessageSet, encodeMessageSet } from './message-set';
import { TimestampType, decodeRecordBatch, encodeRecordBatch, scanBatches } from './record-batch';

/**
 * Conversion between legacy message sets (magic 0/1) and record batches (magic 2).
 *
 * Up: Produce v0-2 clients send message sets; the log stores batches. Each run of messages that share a
 * codec and timestamp type becomes one batch (a producer's set is normally a single run, so a single
 * batch, as Kafka writes). The codec is kept; magic 0 has no timestamps, so records get -1.
 *
 * Down: Fetch v0-3 clients (sarama's default config sends Fetch v0) want magic 0 or 1. Each batch
 * becomes plain messages, or one compressed wrapper with the batch's codec. Offsets stay absolute;
 * control batches are skipped; headers are dropped (v0/v1 have none); zstd, which legacy magics cannot
 * carry, is written uncompressed.
 */

export interface UpConvertOptions {
  /** Offset of the first record; later records follow on (default 0; the broker reassigns anyway). */
  baseOffset?: number;
  /** Keep the offsets the messages carry instead (they must increase). */
  keepOffsets?: boolean;
  verifyCrc?: boolean;
  maxDecompressedBytes?: number;
  /** Accept a truncated trailing message (dropped) instead of rejecting the set. Default false. */
  allowPartial?: boolean;
}

/** Converts a v0/v1 message set into concatenated RecordBatch v2 bytes. */
export function upConvertMessageSet(records: Buffer, options: UpConvertOptions = {}): Buffer {
  const decoded = decodeMessageSet(records, { verifyCrc: options.verifyCrc, maxDecompressedBytes: options.maxDecompressedBytes });
  if (decoded.partialBytes > 0 && !options.allowPartial) {
    throw new ProtocolDecodeError(`truncated message set: ${decoded.partialBytes} trailing bytes`, decoded.partialOffset);
  }
  return legacyMessagesToBatches(decoded.messages, options);
}

/** Record batches holding decoded legacy messages: one batch per run of messages sharing codec and timestamp type. */
export function legacyMessagesToBatches(messages: readonly LegacyMessage[], options: Pick<UpConvertOptions, 'baseOffset' | 'keepOffsets'> = {}): Buffer {
  const batches: Buffer[] = [];
  let nextOffset = options.baseOffset ?? 0;
  let start = 0;
  while (start < messages.length) {
    const first = messages[start]!;
    let end = start + 1;
    while (end < messages.length && messages[end]!.compression === first.compression && messages[end]!.timestampType === first.timestampType) end++;
    const run = messages.slice(start, end);
    const baseOffset = options.keepOffsets ? first.offset : nextOffset;
    const logAppend = first.timestampType === 1;
    batches.push(
      encodeRecordBatch({
        baseOffset,
        compression: first.compression,
        timestampType: logAppend ? TimestampType.LogAppendTime : TimestampType.CreateTime,
        maxTimestamp: logAppend ? maxTimestampOf(run) : undefined,
        records: run.map((m, i) => ({
          offset: options.keepOffsets ? m.offset : baseOffset + i,
          timestamp: m.timestamp,
          key: m.key,
          value: m.value,
        })),
      }),
    );
    nextOffset = baseOffset + run.length;
    start = end;
  }
  return batches.length === 1 ? batches[0]! : Buffer.concat(batches);
}

export interface DownConvertOptions {
  /** Check batch CRCs (default false: batches read from the log were checked when appended). */
  verifyCrc?: boolean;
  maxDecompressedBytes?: number;
  /**
   * Called for a batch that cannot be decoded; it is left out and conversion goes on with the next one
   * (without this option such a batch throws).
   */
  onUnreadable?: (batch: { baseOffset: number; lastOffset: number; reason: string }) => void;
}

/**
 * Converts concatenated record batches (as read from the log for a fetch) into a magic-0 or magic-1
 * message set. A trailing partial batch is dropped; legacy entries already in the input are passed
 * through unchanged; batches without records (control batches, empty ones) become nothing.
 */
export function downConvertBatches(records: Buffer, magic: 0 | 1, options: DownConvertOptions = {}): Buffer {
  const scan = scanBatches(records);
  const out: Buffer[] = [];
  for (const span of scan.spans) {
    if (span.magic !== 2) {
      out.push(records.subarray(span.offset, span.offset + span.size));
      continue;
    }
    let batch;
    try {
      batch = decodeRecordBatch(records, span.offset, { verifyCrc: options.verifyCrc === true, maxDecompressedBytes: options.maxDecompressedBytes });
    } catch (error) {
      if (!options.onUnreadable || !(error instanceof ProtocolDecodeError)) throw error;
      const baseOffset = Number(records.readBigInt64BE(span.offset));
      const lastOffsetDelta = span.size >= 27 ? records.readInt32BE(span.offset + 23) : 0;
      options.onUnreadable({ baseOffset, lastOffset: baseOffset + lastOffsetDelta, reason: error.message });
      continue;
    }
    if (batch.attributes & BatchAttributes.Control || batch.records.length === 0) continue;
    let compression = (batch.attributes & BatchAttributes.CompressionMask) as CompressionType;
    if (compression === CompressionType.Zstd) compression = CompressionType.None;
    const logAppend = (batch.attributes & BatchAttributes.TimestampTypeLogAppend) !== 0;
    const messages: LegacyMessageInput[] = batch.records.map((r) => ({ offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value }));
    out.push(
      encodeMessageSet({
        magic,
        messages,
        compression,
        timestampType: logAppend ? 1 : 0,
        logAppendTime: batch.maxTimestamp,
      }),
    );
  }
  return out.length === 1 ? out[0]! : Buffer.concat(out);
}

function maxTimestampOf(messages: readonly LegacyMessage[]): number {
  let max = -1;
  for (const m of messages) if (m.timestamp > max) max = m.timestamp;
  return max;
}
