import { ProtocolDecodeError, ProtocolEncodeError } from '../protocol/errors';
import { Reader } from '../protocol/reader';
import { Writer } from '../protocol/writer';
import { BATCH_HEADER_SIZE, BatchAttributes, type BatchHeader, LOG_OVERHEAD, MAGIC_OFFSET, computeBatchCrc, readBatchHeader } from './batch-header';
import { type CompressionType, DEFAULT_MAX_DECOMPRESSED_BYTES, compress, decompress, isCompressionType } from './compression';
import { ChecksumMismatchError } from './errors';

/**
 * RecordBatch v2 (magic 2): encode, decode (with CRC check) and walking a concatenation of batches.
 * See batch-header.ts for the header layout and the header-only operations the append path uses.
 *
 * Record (inside the batch, possibly compressed as a whole):
 *   length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
 *   keyLength varint | key | valueLength varint | value | headerCount varint |
 *   [headerKeyLength varint | headerKey utf8 | headerValueLength varint | headerValue]
 *
 * Decoded keys, values and header values are views into the input (or into the decompressed records):
 * copy them to keep them beyond the life of that buffer.
 */

export const TimestampType = {
  CreateTime: 0,
  LogAppendTime: 1,
} as const;
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType];

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface KafkaRecord {
  /** Record attributes byte (unused by Kafka so far, always 0). */
  attributes: number;
  /** Absolute offset: the batch's baseOffset + offsetDelta. */
  offset: number;
  /** Absolute timestamp: baseTimestamp + timestampDelta, or the batch's maxTimestamp for LogAppendTime. */
  timestamp: number;
  offsetDelta?: number;
  timestampDelta?: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface RecordBatch extends BatchHeader {
  records: KafkaRecord[];
}

/** A record to encode; everything but the value may be left out. */
export interface RecordInput {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  /** Defaults to the batch's `timestamp` (or now). */
  timestamp?: number;
  /** Absolute offset; defaults to baseOffset + the record's index (or its offsetDelta). */
  offset?: number;
  offsetDelta?: number;
  attributes?: number;
}

export interface EncodeBatchOptions {
  baseOffset?: number;
  records: readonly RecordInput[];
  compression?: CompressionType;
  timestampType?: TimestampType;
  /** Timestamp for records that carry none; defaults to Date.now(). */
  timestamp?: number;
  /** Overrides the computed maxTimestamp (LogAppendTime batches carry the append time here). */
  maxTimestamp?: number;
  /** Overrides the computed lastOffsetDelta (a compacted batch keeps its original one). */
  lastOffsetDelta?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  isControl?: boolean;
  partitionLeaderEpoch?: number;
}

export interface DecodeBatchOptions {
  /** Check the CRC-32C (default true). */
  verifyCrc?: boolean;
  /** Cap on the decompressed size of a compressed batch; default {@link DEFAULT_MAX_DECOMPRESSED_BYTES}. */
  maxDecompressedBytes?: number;
}

/** Smallest possible record: length, attributes, timestampDelta, offsetDelta, key, value, headerCount. */
const MIN_RECORD_SIZE = 7;
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

// ---------------------------------------------------------------------------------------------------
// Encoding

function sizeOfUnsignedVarInt(value: number): number {
  let bytes = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    bytes++;
  }
  return bytes;
}

function sizeOfVarInt(value: number): number {
  return sizeOfUnsignedVarInt(value >= 0 ? value * 2 : -value * 2 - 1);
}

/** Size of a zig-zag varlong, for values within ±2^53. */
function sizeOfVarLong(value: number): number {
  return sizeOfUnsignedVarInt(value >= 0 ? value * 2 : -value * 2 - 1);
}

/** Writes a varlong from a number: the varint path when it fits 32 bits (same bytes), else via bigint. */
function writeVarLong(w: Writer, value: number): void {
  if (value >= INT32_MIN && value <= INT32_MAX) w.varInt(value);
  else w.varLong(BigInt(value));
}

function checkSafe(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new ProtocolEncodeError(`${what} must be a safe integer, got ${value}`);
}

/** Writes the records of a batch (uncompressed) and returns the last offsetDelta and max timestamp. */
function writeRecords(
  w: Writer,
  records: readonly RecordInput[],
  baseOffset: number,
  baseTimestamp: number,
  defaultTimestamp: number,
): { lastOffsetDelta: number; maxTimestamp: number } {
  let lastOffsetDelta = -1;
  let maxTimestamp = -1;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const offsetDelta = record.offset !== undefined ? record.offset - baseOffset : (record.offsetDelta ?? i);
    if (!Number.isInteger(offsetDelta) || offsetDelta < 0 || offsetDelta > INT32_MAX) {
      throw new ProtocolEncodeError(`record ${i}: offset delta ${offsetDelta} out of range`);
    }
    if (offsetDelta <= lastOffsetDelta) throw new ProtocolEncodeError(`record ${i}: offsets must increase (delta ${offsetDelta} after ${lastOffsetDelta})`);
    lastOffsetDelta = offsetDelta;
    const timestamp = record.timestamp ?? defaultTimestamp;
    checkSafe(timestamp, 'timestamp');
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    const timestampDelta = timestamp - baseTimestamp;
    const key = record.key ?? null;
    const value = record.value;
    const headers = record.headers;

    let size = 1 + sizeOfVarLong(timestampDelta) + sizeOfVarInt(offsetDelta);
    size += key === null ? 1 : sizeOfVarInt(key.length) + key.length;
    size += value === null ? 1 : sizeOfVarInt(value.length) + value.length;
    let headerKeys: Buffer[] | undefined;
    if (headers === undefined || headers.length === 0) {
      size += 1;
    } else {
      headerKeys = new Array<Buffer>(headers.length);
      size += sizeOfVarInt(headers.length);
      for (let h = 0; h < headers.length; h++) {
        const header = headers[h]!;
        const hk = Buffer.from(header.key, 'utf8');
        headerKeys[h] = hk;
        size += sizeOfVarInt(hk.length) + hk.length;
        size += header.value === null ? 1 : sizeOfVarInt(header.value.length) + header.value.length;
      }
    }

    w.varInt(size);
    w.int8(record.attributes ?? 0);
    writeVarLong(w, timestampDelta);
    w.varInt(offsetDelta);
    w.varIntBytes(key);
    w.varIntBytes(value);
    if (headers === undefined || headerKeys === undefined) {
      w.varInt(0);
    } else {
      w.varInt(headers.length);
      for (let h = 0; h < headers.length; h++) {
        w.varIntBytes(headerKeys[h]!);
        w.varIntBytes(headers[h]!.value);
      }
    }
  }
  return { lastOffsetDelta, maxTimestamp };
}

/** Encodes a RecordBatch v2, computing lastOffsetDelta, the timestamps and the CRC. */
export function encodeRecordBatch(options: EncodeBatchOptions): Buffer {
  const {
    baseOffset = 0,
    records,
    compression = 0,
    timestampType = TimestampType.CreateTime,
    producerId = -1,
    producerEpoch = -1,
    baseSequence = -1,
    transactional = false,
    isControl = false,
    partitionLeaderEpoch = -1,
  } = options;
  checkSafe(baseOffset, 'baseOffset');
  checkSafe(producerId, 'producerId');
  if (!isCompressionType(compression)) throw new ProtocolEncodeError(`unknown compression type ${compression as number}`);
  const defaultTimestamp = options.timestamp ?? Date.now();
  const baseTimestamp = records.length > 0 ? (records[0]!.timestamp ?? defaultTimestamp) : defaultTimestamp;
  checkSafe(baseTimestamp, 'timestamp');

  let attributes = compression;
  if (timestampType === TimestampType.LogAppendTime) attributes |= BatchAttributes.TimestampTypeLogAppend;
  if (transactional) attributes |= BatchAttributes.Transactional;
  if (isControl) attributes |= BatchAttributes.Control;

  const w = new Writer(BATCH_HEADER_SIZE + records.length * 32 + 64);
  w.int64(BigInt(baseOffset));
  w.int32(0); // batchLength, patched below
  w.int32(partitionLeaderEpoch);
  w.int8(2);
  w.uint32(0); // crc, patched below
  w.int16(attributes);
  w.int32(0); // lastOffsetDelta, patched below
  w.int64(BigInt(baseTimestamp));
  w.int64(0n); // maxTimestamp, patched below
  w.int64(BigInt(producerId));
  w.int16(producerEpoch);
  w.int32(baseSequence);
  w.int32(records.length);
  let computed: { lastOffsetDelta: number; maxTimestamp: number };
  if (compression === 0) {
    computed = writeRecords(w, records, baseOffset, baseTimestamp, defaultTimestamp);
  } else {
    const recordsWriter = new Writer(records.length * 32 + 64);
    computed = writeRecords(recordsWriter, records, baseOffset, baseTimestamp, defaultTimestamp);
    w.raw(compress(compression, recordsWriter.toBuffer()));
  }
  const lastOffsetDelta = options.lastOffsetDelta ?? Math.max(computed.lastOffsetDelta, 0);
  const maxTimestamp = options.maxTimestamp ?? (records.length > 0 ? computed.maxTimestamp : baseTimestamp);
  checkSafe(maxTimestamp, 'maxTimestamp');
  // The header is always in the writer's first chunk, so toBuffer() returns memory of our own (its
  // scratch buffer, or the join of several chunks), never a caller's buffer: safe to patch.
  const batch = w.toBuffer();
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, 8);
  batch.writeInt32BE(lastOffsetDelta, 23);
  batch.writeBigInt64BE(BigInt(maxTimestamp), 35);
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length - LOG_OVERHEAD), 17);
  return batch;
}

// ---------------------------------------------------------------------------------------------------
// Decoding

/**
 * Zig-zag varint, inlined for the record loop: lengths and deltas nearly always take 1-4 bytes, decoded
 * here with 32-bit arithmetic; anything longer or near the end of input goes through Reader.
 */
function readVarIntFast(r: Reader): number {
  const buffer = r.buffer;
  let at = r.offset;
  if (at + 4 > r.end) return r.readVarInt();
  let byte = buffer[at++]!;
  let result = byte & 0x7f;
  if (byte >= 0x80) {
    byte = buffer[at++]!;
    result |= (byte & 0x7f) << 7;
    if (byte >= 0x80) {
      byte = buffer[at++]!;
      result |= (byte & 0x7f) << 14;
      if (byte >= 0x80) {
        byte = buffer[at++]!;
        if (byte >= 0x80) return r.readVarInt();
        result |= byte << 21;
      }
    }
  }
  r.offset = at;
  return (result >>> 1) ^ -(result & 1);
}

/** Zig-zag varlong as a number: the 1-4 byte fast path of {@link readVarIntFast}, else the full decoder. */
function readVarLongFast(r: Reader): number {
  const buffer = r.buffer;
  const at = r.offset;
  if (at + 4 <= r.end) {
    const b0 = buffer[at]!;
    if (b0 < 0x80) {
      r.offset = at + 1;
      return (b0 >>> 1) ^ -(b0 & 1);
    }
    const b1 = buffer[at + 1]!;
    if (b1 < 0x80) {
      const result = (b0 & 0x7f) | (b1 << 7);
      r.offset = at + 2;
      return (result >>> 1) ^ -(result & 1);
    }
  }
  return readVarLongNumber(r);
}

/** Varint length then bytes (-1 is null), as a view into the input. */
function readVarIntBytesFast(r: Reader): Buffer | null {
  const at = r.offset;
  const length = readVarIntFast(r);
  if (length === -1) return null;
  if (length < 0) throw new ProtocolDecodeError(`negative varint bytes length ${length}`, at);
  return r.readRaw(length);
}

/** Zig-zag varlong as a number; values beyond ±2^53 are rejected (no timestamp delta gets near). */
function readVarLongNumber(r: Reader): number {
  const buffer = r.buffer;
  const start = r.offset;
  let at = start;
  let result = 0;
  let multiplier = 1;
  for (let i = 0; i < 10; i++) {
    if (at >= r.end) throw new ProtocolDecodeError('truncated varlong', start);
    const byte = buffer[at++]!;
    result += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) {
      r.offset = at;
      if (result > Number.MAX_SAFE_INTEGER) throw new ProtocolDecodeError('varlong beyond 2^53', start);
      return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
    }
    multiplier *= 128;
  }
  throw new ProtocolDecodeError('varlong longer than 10 bytes', start);
}

/** Decodes `count` records from `data[start, end)`, which must hold exactly those records. */
export function decodeRecords(
  data: Buffer,
  start: number,
  end: number,
  count: number,
  baseOffset: number,
  baseTimestamp: number,
  logAppendTime: number | null,
): KafkaRecord[] {
  if (count < 0) throw new ProtocolDecodeError(`negative record count ${count}`, start);
  if (count * MIN_RECORD_SIZE > end - start) {
    throw new ProtocolDecodeError(`record count ${count} cannot fit in ${end - start} bytes of records`, start);
  }
  const r = new Reader(data, start, end);
  const records = new Array<KafkaRecord>(count);
  for (let i = 0; i < count; i++) {
    const at = r.offset;
    const length = readVarIntFast(r);
    if (length < MIN_RECORD_SIZE - 1 || length > r.remaining) {
      throw new ProtocolDecodeError(`record ${i}: length ${length} invalid with ${r.remaining} bytes left`, at);
    }
    const recordEnd = r.offset + length;
    const attributes = r.readInt8();
    const timestampDelta = readVarLongFast(r);
    const offsetDelta = readVarIntFast(r);
    const key = readVarIntBytesFast(r);
    const value = readVarIntBytesFast(r);
    const headerCount = readVarIntFast(r);
    if (headerCount < 0 || headerCount * 2 > recordEnd - r.offset) {
      throw new ProtocolDecodeError(`record ${i}: invalid header count ${headerCount}`, at);
    }
    const headers = new Array<RecordHeader>(headerCount);
    for (let h = 0; h < headerCount; h++) {
      const keyAt = r.offset;
      const headerKey = readVarIntBytesFast(r);
      if (headerKey === null) throw new ProtocolDecodeError(`record ${i}: null header key`, keyAt);
      headers[h] = { key: headerKey.toString('utf8'), value: readVarIntBytesFast(r) };
    }
    if (r.offset !== recordEnd) {
      throw new ProtocolDecodeError(`record ${i}: length field says ${length} bytes, its fields take ${r.offset - (recordEnd - length)}`, at);
    }
    records[i] = {
      attributes,
      offset: baseOffset + offsetDelta,
      timestamp: logAppendTime ?? baseTimestamp + timestampDelta,
      offsetDelta,
      timestampDelta,
      key,
      value,
      headers,
    };
  }
  if (r.remaining !== 0) throw new ProtocolDecodeError(`${r.remaining} bytes left after the batch's ${count} records`, r.offset);
  return records;
}

/** Thrown-error text for a CRC mismatch, naming both values. */
function crcMismatch(header: BatchHeader, computed: number, offset: number): ProtocolDecodeError {
  const hex = (v: number) => `0x${v.toString(16).padStart(8, '0')}`;
  return new ChecksumMismatchError(
    `record batch CRC mismatch (corrupt batch at baseOffset ${header.baseOffset}): stored CRC-32C ${hex(header.crc)}, computed ${hex(computed)}`,
    offset,
  );
}

/** Checks the CRC of the v2 batch at `offset`, throwing a ProtocolDecodeError naming both CRCs on mismatch. */
export function verifyBatchCrc(buffer: Buffer, offset: number, header: BatchHeader = readBatchHeader(buffer, offset)): void {
  const computed = computeBatchCrc(buffer, offset, header.batchLength);
  if (computed !== header.crc) throw crcMismatch(header, computed, offset);
}

/** Decodes the whole v2 batch at `offset`: header, CRC check, decompression, records. */
export function decodeRecordBatch(buffer: Buffer, offset = 0, options: DecodeBatchOptions = {}): RecordBatch {
  const header = readBatchHeader(buffer, offset);
  if (options.verifyCrc !== false) verifyBatchCrc(buffer, offset, header);
  const start = offset + BATCH_HEADER_SIZE;
  const end = offset + LOG_OVERHEAD + header.batchLength;
  const codec = header.attributes & BatchAttributes.CompressionMask;
  const logAppendTime = header.attributes & BatchAttributes.TimestampTypeLogAppend ? header.maxTimestamp : null;
  let records: KafkaRecord[];
  if (codec === 0) {
    records = decodeRecords(buffer, start, end, header.recordCount, header.baseOffset, header.baseTimestamp, logAppendTime);
  } else {
    const max = options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
    const data = decompress(codec, buffer.subarray(start, end), max, start);
    records = decodeRecords(data, 0, data.length, header.recordCount, header.baseOffset, header.baseTimestamp, logAppendTime);
  }
  return { ...header, records };
}

// ---------------------------------------------------------------------------------------------------
// Concatenated batches

export interface BatchSpan {
  /** Position of the batch (or legacy message entry) in the buffer. */
  offset: number;
  /** Its total size in bytes, log overhead included. */
  size: number;
  /** 0 or 1 for a legacy message entry, 2 for a record batch. */
  magic: number;
}

export interface BatchScan {
  spans: BatchSpan[];
  /** Where an incomplete trailing entry starts (a fetch response may end with one), or -1. */
  partialOffset: number;
  /** Bytes of that incomplete entry present in the buffer (0 if none). */
  partialBytes: number;
}

/** Smallest legacy message entry: offset, size, crc, magic, attributes, key and value lengths. */
const MIN_LEGACY_ENTRY = LOG_OVERHEAD + 14;
const MIN_BATCH_ENTRY = BATCH_HEADER_SIZE;

/**
 * Splits a records field into its batches (or legacy message entries) from their length fields, without
 * decoding them. A trailing entry that is cut short — fetch responses are allowed to end with one — is
 * reported in `partialOffset`/`partialBytes` rather than treated as an error; a length that cannot be
 * valid, or an unknown magic, is a ProtocolDecodeError.
 */
export function scanBatches(buffer: Buffer, offset = 0, end = buffer.length): BatchScan {
  const spans: BatchSpan[] = [];
  let at = offset;
  while (at < end) {
    const available = end - at;
    if (available < LOG_OVERHEAD) return { spans, partialOffset: at, partialBytes: available };
    const size = buffer.readInt32BE(at + 8) + LOG_OVERHEAD;
    if (available > MAGIC_OFFSET) {
      const magic = buffer.readInt8(at + MAGIC_OFFSET);
      if (magic < 0 || magic > 2) throw new ProtocolDecodeError(`unknown record magic ${magic}`, at + MAGIC_OFFSET);
      const min = magic === 2 ? MIN_BATCH_ENTRY : MIN_LEGACY_ENTRY;
      if (size < min) throw new ProtocolDecodeError(`entry size ${size - LOG_OVERHEAD} is too small for magic ${magic}`, at + 8);
      if (size > available) return { spans, partialOffset: at, partialBytes: available };
      spans.push({ offset: at, size, magic });
      at += size;
    } else {
      if (size < MIN_LEGACY_ENTRY) throw new ProtocolDecodeError(`entry size ${size - LOG_OVERHEAD} is too small`, at + 8);
      return { spans, partialOffset: at, partialBytes: available };
    }
  }
  return { spans, partialOffset: -1, partialBytes: 0 };
}

export interface IterateBatchesOptions extends DecodeBatchOptions {
  /** Throw on a trailing incomplete batch instead of ending quietly (default false). */
  rejectPartial?: boolean;
}

/** What {@link iterateBatches} returns when done: where an incomplete trailing batch starts, if any. */
export interface IterationEnd {
  partialOffset: number;
  partialBytes: number;
}

/**
 * Decodes, one after another, the v2 batches of a records field. A trailing incomplete batch ends the
 * iteration (its position is the generator's return value) unless `rejectPartial` is set; a legacy
 * entry (magic 0/1) is an error here — see message-set.ts and convert.ts for those.
 */
export function* iterateBatches(
  buffer: Buffer,
  options: IterateBatchesOptions = {},
  offset = 0,
  end = buffer.length,
): Generator<RecordBatch, IterationEnd, void> {
  const scan = scanBatches(buffer, offset, end);
  for (const span of scan.spans) {
    if (span.magic !== 2) throw new ProtocolDecodeError(`expected a record batch (magic 2), found magic ${span.magic}`, span.offset + MAGIC_OFFSET);
    yield decodeRecordBatch(buffer, span.offset, options);
  }
  if (scan.partialBytes > 0 && options.rejectPartial) {
    throw new ProtocolDecodeError(`truncated record batch: ${scan.partialBytes} trailing bytes`, scan.partialOffset);
  }
  return { partialOffset: scan.partialOffset, partialBytes: scan.partialBytes };
}

/** All complete v2 batches of a records field, decoded, and the size of an incomplete trailing one. */
export function decodeBatches(buffer: Buffer, options: IterateBatchesOptions = {}): { batches: RecordBatch[]; partialBytes: number } {
  const batches: RecordBatch[] = [];
  const it = iterateBatches(buffer, options);
  for (;;) {
    const next = it.next();
    if (next.done) return { batches, partialBytes: next.value.partialBytes };
    batches.push(next.value);
  }
}

// ---------------------------------------------------------------------------------------------------
// Control batches (transaction markers)

export const ControlRecordType = {
  Abort: 0,
  Commit: 1,
} as const;
export type ControlRecordType = (typeof ControlRecordType)[keyof typeof ControlRecordType];

/** Key of a control record: version INT16 (0), type INT16. */
export function decodeControlRecordKey(key: Buffer | null): { version: number; type: number } {
  if (key === null || key.length < 4) throw new ProtocolDecodeError('control record key must hold a version and a type', 0);
  return { version: key.readInt16BE(0), type: key.readInt16BE(2) };
}

export interface EndTxnMarker {
  type: ControlRecordType;
  coordinatorEpoch: number;
}

/** Value of a transaction marker: version INT16 (0), coordinatorEpoch INT32. */
export function decodeEndTxnMarker(record: KafkaRecord): EndTxnMarker {
  const { type } = decodeControlRecordKey(record.key);
  if (type !== ControlRecordType.Abort && type !== ControlRecordType.Commit) {
    throw new ProtocolDecodeError(`control record of type ${type} is not a transaction marker`, 0);
  }
  if (record.value === null || record.value.length < 6) throw new ProtocolDecodeError('transaction marker value too short', 0);
  return { type, coordinatorEpoch: record.value.readInt32BE(2) };
}

/** A control batch holding one transaction marker, as the broker writes on EndTxn / WriteTxnMarkers. */
export function encodeEndTxnMarkerBatch(options: {
  baseOffset?: number;
  producerId: number;
  producerEpoch: number;
  type: ControlRecordType;
  coordinatorEpoch: number;
  timestamp?: number;
  partitionLeaderEpoch?: number;
}): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(options.type, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(options.coordinatorEpoch, 2);
  return encodeRecordBatch({
    baseOffset: options.baseOffset ?? 0,
    records: [{ key, value, timestamp: options.timestamp ?? Date.now() }],
    producerId: options.producerId,
    producerEpoch: options.producerEpoch,
    baseSequence: -1,
    transactional: true,
    isControl: true,
    partitionLeaderEpoch: options.partitionLeaderEpoch ?? -1,
  });
}
