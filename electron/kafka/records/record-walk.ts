import { ProtocolDecodeError } from '../protocol/errors';
import { BATCH_HEADER_SIZE, BatchAttributes, type BatchHeader, LOG_OVERHEAD, computeBatchCrc, readBatchHeader } from './batch-header';
import { decompress } from './compression';
import { ChecksumMismatchError } from './errors';

/**
 * Walking the records of a RecordBatch v2 without decoding them into objects: every length, varint and
 * field checked against the bytes, keys and values skipped, never copied (as Kafka's
 * skipKeyValueIterator). The broker's validator (log/validator.ts) walks every batch a producer sends;
 * readers (the message browser) walk a batch before trusting its lengths.
 */

/** Smallest record: length, attributes, timestampDelta, offsetDelta, key and value lengths, header count. */
const MIN_RECORD_BODY = 6;

function problem(c: Cursor, message: string, kind?: 'framing' | 'key' | 'timestamp'): RecordFramingError {
  return new RecordFramingError(message, c.at, kind);
}

export interface RecordWalk {
  /**
   * `sequential`: offset deltas 0, 1, 2, ... (a producer's batch); `increasing`: within [0, lastOffsetDelta],
   * each above the one before (a stored batch, which compaction may have thinned).
   */
  offsets: 'sequential' | 'increasing';
  /** Compacted topics: every record needs a key. */
  requireKey: boolean;
  /** CreateTime topics: the bounds every record's timestamp must keep (-1, no timestamp, passes). */
  timestamps: { base: number; min: number; max: number } | null;
}

/** Records that do not add up (or, with the walk's options, a missing key or a timestamp out of bounds). */
export class RecordFramingError extends ProtocolDecodeError {
  override readonly name: string = 'RecordFramingError';

  constructor(
    message: string,
    offset: number,
    readonly kind: 'framing' | 'key' | 'timestamp' = 'framing',
  ) {
    super(message, offset);
    // The message is read as a sentence about the batch: no byte position appended.
    this.message = message;
  }
}

/**
 * Walks the records in `data[start, end)` as the header declares them, without copying anything: each
 * record's length must hold exactly its fields, offset deltas must run 0, 1, 2, ..., and the records must
 * end exactly at `end`. Returns the largest record timestamp (-1 if none has one).
 */
export function walkRecords(data: Buffer, start: number, end: number, header: BatchHeader, walk: RecordWalk): number {
  const count = header.recordCount;
  // Each pass consumes at least MIN_RECORD_BODY + 1 bytes or throws: a huge count costs no more than the bytes.
  const cursor: Cursor = { data, at: start, end };
  let maxTimestamp = -1;
  let previousDelta = -1;
  for (let i = 0; i < count; i++) {
    if (cursor.at >= end) throw problem(cursor, `its header declares ${count} records but it holds ${i}`);
    cursor.end = end;
    const length = varint(cursor, i, 'length');
    if (length < MIN_RECORD_BODY) throw problem(cursor, `record ${i}: length ${length} is shorter than any record`);
    if (length > end - cursor.at) throw problem(cursor, `record ${i}: length ${length} runs past the end of the records (${end - cursor.at} bytes left)`);
    const recordEnd = cursor.at + length;
    cursor.end = recordEnd;
    cursor.at += 1; // attributes: unused
    const timestampDelta = varlong(cursor, i);
    const offsetDelta = varint(cursor, i, 'offset delta');
    if (walk.offsets === 'sequential') {
      if (offsetDelta !== i) throw problem(cursor, `record ${i}: offset delta ${offsetDelta}, expected ${i} (offsets must follow each other)`);
    } else if (offsetDelta <= previousDelta || offsetDelta > header.lastOffsetDelta) {
      throw problem(cursor, `record ${i}: offset delta ${offsetDelta} is not above ${previousDelta} and within the batch's ${header.lastOffsetDelta}`);
    }
    previousDelta = offsetDelta;
    const keyLength = bytesField(cursor, i, 'key');
    if (keyLength < 0 && walk.requireKey) {
      throw problem(cursor, `record ${i} has no key: compacted topic cannot accept message without key`, 'key');
    }
    bytesField(cursor, i, 'value');
    const headerCount = varint(cursor, i, 'header count');
    if (headerCount < 0 || headerCount * 2 > recordEnd - cursor.at) throw problem(cursor, `record ${i}: invalid header count ${headerCount}`);
    for (let h = 0; h < headerCount; h++) {
      if (bytesField(cursor, i, `header ${h} key`) < 0) throw problem(cursor, `record ${i}: header ${h} has a null key`);
      bytesField(cursor, i, `header ${h} value`);
    }
    if (cursor.at !== recordEnd) {
      throw problem(cursor, `record ${i}: its length says ${length} bytes but its fields take ${length - (recordEnd - cursor.at)}`);
    }
    if (walk.timestamps) {
      const timestamp = walk.timestamps.base + timestampDelta;
      if (timestamp > maxTimestamp) maxTimestamp = timestamp;
      if (timestamp !== -1 && (timestamp < walk.timestamps.min || timestamp > walk.timestamps.max)) {
        throw problem(
          cursor,
          `record ${i}: timestamp ${timestamp} is out of range; it should be within [${walk.timestamps.min}, ${walk.timestamps.max}] (message.timestamp.before/after.max.ms)`,
          'timestamp',
        );
      }
    }
  }
  if (cursor.at !== end) throw problem(cursor, `${end - cursor.at} bytes are left after its ${count} records (the declared count is wrong)`);
  return walk.timestamps ? maxTimestamp : header.maxTimestamp;
}

interface Cursor {
  data: Buffer;
  at: number;
  /** Reads may not go past this (the end of the current record). */
  end: number;
}

/** A zig-zag varint of at most 5 bytes within the cursor's bounds. */
function varint(c: Cursor, record: number, what: string): number {
  let raw = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (c.at >= c.end) throw problem(c, `record ${record}: its ${what} runs past the end of the record`);
    const byte = c.data[c.at++]!;
    raw |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return (raw >>> 1) ^ -(raw & 1);
  }
  throw problem(c, `record ${record}: its ${what} is a varint longer than 5 bytes`);
}

/** A zig-zag varlong of at most 10 bytes, as a number (timestamp deltas stay far below 2^53). */
function varlong(c: Cursor, record: number): number {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < 10; i++) {
    if (c.at >= c.end) throw problem(c, `record ${record}: its timestamp delta runs past the end of the record`);
    const byte = c.data[c.at++]!;
    value += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) {
      if (value > Number.MAX_SAFE_INTEGER) throw problem(c, `record ${record}: timestamp delta beyond 2^53`);
      return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    }
    multiplier *= 128;
  }
  throw problem(c, `record ${record}: its timestamp delta is a varlong longer than 10 bytes`);
}

/** A varint length (-1: null) and that many bytes, skipped. Returns the length. */
function bytesField(c: Cursor, record: number, what: string): number {
  const length = varint(c, record, `${what} length`);
  if (length < -1) throw problem(c, `record ${record}: negative ${what} length ${length}`);
  if (length > c.end - c.at) throw problem(c, `record ${record}: its ${what} (${length} bytes) runs past the end of the record`);
  if (length > 0) c.at += length;
  return length;
}

/**
 * Checks that the v2 batch at `offset` can be read — CRC, compressed data decompressing within
 * `maxDecompressedBytes`, exactly its declared records, well framed, offset deltas increasing within its
 * range — and returns where its records are: `body[start, end)`, the decompressed data for a compressed
 * batch. Throws ProtocolDecodeError (ChecksumMismatchError, DecompressionError, DecompressionLimitError,
 * RecordFramingError) saying what is wrong.
 */
export function readableBatch(buffer: Buffer, offset: number, maxDecompressedBytes: number): { header: BatchHeader; body: Buffer; start: number; end: number } {
  const header = readBatchHeader(buffer, offset);
  const crc = computeBatchCrc(buffer, offset, header.batchLength);
  if (crc !== header.crc) throw new ChecksumMismatchError(`record batch at offset ${header.baseOffset} fails its CRC-32C check`, offset);
  const start = offset + BATCH_HEADER_SIZE;
  const end = offset + LOG_OVERHEAD + header.batchLength;
  const codec = header.attributes & BatchAttributes.CompressionMask;
  const body = codec === 0 ? buffer : decompress(codec, buffer.subarray(start, end), maxDecompressedBytes, start);
  const from = codec === 0 ? start : 0;
  const to = codec === 0 ? end : body.length;
  walkRecords(body, from, to, header, { offsets: 'increasing', requireKey: false, timestamps: null });
  return { header, body, start: from, end: to };
}
