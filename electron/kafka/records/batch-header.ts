import { crc32c } from '../protocol/crc32c';
import { ProtocolDecodeError } from '../protocol/errors';

/**
 * Header-only view of a RecordBatch v2 (magic 2), enough for the broker to validate, assign offsets to
 * and append a batch without decoding its records.
 *
 *   baseOffset INT64 | batchLength INT32 | partitionLeaderEpoch INT32 | magic INT8 | crc UINT32 |
 *   attributes INT16 | lastOffsetDelta INT32 | baseTimestamp INT64 | maxTimestamp INT64 |
 *   producerId INT64 | producerEpoch INT16 | baseSequence INT32 | recordCount INT32 | records...
 *
 * Offsets, timestamps and producer ids are plain numbers: every value a broker meets stays below 2^53,
 * and numbers keep the append path free of bigint arithmetic.
 */
export const BATCH_HEADER_SIZE = 61;
/** Bytes before the batchLength field's count starts (baseOffset + batchLength). */
export const LOG_OVERHEAD = 12;
/** Offset of the magic byte; the same position holds the magic of legacy v0/v1 messages. */
export const MAGIC_OFFSET = 16;
const CRC_OFFSET = 17;
/** The CRC covers everything from the attributes field to the end of the batch. */
const CRC_START = 21;

export const enum BatchAttributes {
  CompressionMask = 0x07,
  TimestampTypeLogAppend = 0x08,
  Transactional = 0x10,
  Control = 0x20,
  DeleteHorizon = 0x40,
}

export interface BatchHeader {
  baseOffset: number;
  /** Bytes after the batchLength field: the whole batch is `batchLength + 12` bytes. */
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** INT64 BE as a number: exact below 2^53 (every offset, timestamp and producer id), rounded as Number(bigint) above; no BigInt made. */
export function readInt64(buffer: Buffer, at: number): number {
  return buffer.readInt32BE(at) * 4294967296 + buffer.readUInt32BE(at + 4);
}

/** Writes an integer below 2^53 in magnitude as INT64 BE, without a BigInt. */
export function writeInt64(buffer: Buffer, value: number, at: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not a safe integer`);
  buffer.writeInt32BE(Math.floor(value / 4294967296), at);
  buffer.writeUInt32BE(value >>> 0, at + 4);
}

/** Total size in bytes of the batch (or legacy message) starting at `offset`, from its length field. */
export function entrySize(buffer: Buffer, offset = 0): number {
  if (offset + LOG_OVERHEAD > buffer.length) {
    throw new ProtocolDecodeError('truncated batch: length field incomplete', offset);
  }
  return buffer.readInt32BE(offset + 8) + LOG_OVERHEAD;
}

/** Parses the v2 header at `offset`, checking that the whole batch is present and the magic is 2. */
export function readBatchHeader(buffer: Buffer, offset = 0): BatchHeader {
  if (offset + BATCH_HEADER_SIZE > buffer.length) {
    throw new ProtocolDecodeError(`truncated batch header: ${buffer.length - offset} of ${BATCH_HEADER_SIZE} bytes`, offset);
  }
  const batchLength = buffer.readInt32BE(offset + 8);
  if (offset + LOG_OVERHEAD + batchLength > buffer.length && batchLength >= BATCH_HEADER_SIZE - LOG_OVERHEAD) {
    throw new ProtocolDecodeError(`truncated batch: ${batchLength + LOG_OVERHEAD} bytes declared, ${buffer.length - offset} present`, offset);
  }
  return readHeaderFields(buffer, offset);
}

/**
 * Parses only the 61 header bytes at `offset` (the records may be elsewhere, as when a log is walked
 * header by header), checking the declared length and the magic.
 */
export function readHeaderFields(buffer: Buffer, offset = 0): BatchHeader {
  if (offset + BATCH_HEADER_SIZE > buffer.length) {
    throw new ProtocolDecodeError(`truncated batch header: ${buffer.length - offset} of ${BATCH_HEADER_SIZE} bytes`, offset);
  }
  const batchLength = buffer.readInt32BE(offset + 8);
  if (batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD) {
    throw new ProtocolDecodeError(`batch length ${batchLength} is smaller than a batch header`, offset + 8);
  }
  const magic = buffer.readInt8(offset + MAGIC_OFFSET);
  if (magic !== 2) throw new ProtocolDecodeError(`record batch magic ${magic}, expected 2`, offset + MAGIC_OFFSET);
  return {
    baseOffset: readInt64(buffer, offset),
    batchLength,
    partitionLeaderEpoch: buffer.readInt32BE(offset + 12),
    magic,
    crc: buffer.readUInt32BE(offset + CRC_OFFSET),
    attributes: buffer.readInt16BE(offset + 21),
    lastOffsetDelta: buffer.readInt32BE(offset + 23),
    baseTimestamp: readInt64(buffer, offset + 27),
    maxTimestamp: readInt64(buffer, offset + 35),
    producerId: readInt64(buffer, offset + 43),
    producerEpoch: buffer.readInt16BE(offset + 51),
    baseSequence: buffer.readInt32BE(offset + 53),
    recordCount: buffer.readInt32BE(offset + 57),
  };
}

/** Computes the CRC-32C the batch at `offset` should carry (over attributes through the last record). */
export function computeBatchCrc(buffer: Buffer, offset: number, batchLength: number): number {
  return crc32c(buffer.subarray(offset + CRC_START, offset + LOG_OVERHEAD + batchLength));
}

export function isBatchCrcValid(buffer: Buffer, offset: number, header: BatchHeader): boolean {
  return computeBatchCrc(buffer, offset, header.batchLength) === header.crc;
}

/** Writes a new CRC for the batch at `offset`, after fields inside the CRC's range were changed. */
export function updateBatchCrc(buffer: Buffer, offset: number): void {
  const batchLength = buffer.readInt32BE(offset + 8);
  buffer.writeUInt32BE(computeBatchCrc(buffer, offset, batchLength), offset + CRC_OFFSET);
}

/** The broker assigns offsets by rewriting baseOffset, which lies outside the CRC's range. */
export function setBaseOffset(buffer: Buffer, offset: number, baseOffset: number): void {
  writeInt64(buffer, baseOffset, offset);
}

/** The leader stamps its epoch into partitionLeaderEpoch, also outside the CRC's range. */
export function setPartitionLeaderEpoch(buffer: Buffer, offset: number, epoch: number): void {
  buffer.writeInt32BE(epoch, offset + 12);
}

export function compressionOf(attributes: number): number {
  return attributes & BatchAttributes.CompressionMask;
}

export function isTransactional(attributes: number): boolean {
  return (attributes & BatchAttributes.Transactional) !== 0;
}

export function isControlBatch(attributes: number): boolean {
  return (attributes & BatchAttributes.Control) !== 0;
}

/**
 * A batch with no records covering the offsets of `header`: uncompressed, no producer, no flags, a
 * valid CRC. Kafka's own log cleaner leaves empty batches behind and every client skips them, going on
 * at the last offset + 1. The embedded broker serves one in place of a stored batch it cannot read
 * (log/read-check.ts), so readers go on past it instead of failing on it.
 */
export function encodeEmptyBatch(
  header: Pick<BatchHeader, 'baseOffset' | 'lastOffsetDelta' | 'partitionLeaderEpoch' | 'baseTimestamp' | 'maxTimestamp'>,
): Buffer {
  const batch = Buffer.alloc(BATCH_HEADER_SIZE);
  batch.writeBigInt64BE(BigInt(header.baseOffset), 0);
  batch.writeInt32BE(BATCH_HEADER_SIZE - LOG_OVERHEAD, 8);
  batch.writeInt32BE(header.partitionLeaderEpoch, 12);
  batch.writeInt8(2, MAGIC_OFFSET);
  batch.writeInt16BE(0, 21);
  batch.writeInt32BE(header.lastOffsetDelta, 23);
  batch.writeBigInt64BE(BigInt(header.baseTimestamp), 27);
  batch.writeBigInt64BE(BigInt(header.maxTimestamp), 35);
  batch.writeBigInt64BE(-1n, 43);
  batch.writeInt16BE(-1, 51);
  batch.writeInt32BE(-1, 53);
  batch.writeInt32BE(0, 57);
  updateBatchCrc(batch, 0);
  return batch;
}

/**
 * Whether a batch is such a stand-in: no records, no producer, not a control batch. No Kafka broker
 * writes those (the cleaner keeps empty batches only for a producer's state, so with a producer id),
 * so a reader can tell "the broker could not read what was here" from compaction.
 */
export function isEmptyStandIn(header: Pick<BatchHeader, 'recordCount' | 'producerId' | 'attributes'>): boolean {
  return header.recordCount === 0 && header.producerId < 0 && (header.attributes & BatchAttributes.Control) === 0;
}
