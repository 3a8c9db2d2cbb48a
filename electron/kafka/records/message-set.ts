import { ProtocolDecodeError, ProtocolEncodeError } from '../protocol/errors';
import { Reader } from '../protocol/reader';
import { Writer } from '../protocol/writer';
import { LOG_OVERHEAD } from './batch-header';
import { type CompressionType, CompressionType as Codec, DEFAULT_MAX_DECOMPRESSED_BYTES, compress, decompress, isCompressionType } from './compression';
import { crc32 } from './crc32';
import { ChecksumMismatchError, withContext } from './errors';
import { lz4CompressFrame } from './lz4';

/**
 * Legacy message sets, magic 0 (Kafka < 0.10) and magic 1 (0.10), still spoken by Produce v0-2 and
 * Fetch v0-3 clients:
 *
 *   MessageSet => [offset INT64 | messageSize INT32 | message]     (no array count)
 *   message v0 => crc UINT32 | magic INT8 | attributes INT8 | key BYTES | value BYTES
 *   message v1 => crc UINT32 | magic INT8 | attributes INT8 | timestamp INT64 | key BYTES | value BYTES
 *
 * crc is CRC-32 (IEEE, not 32C) of magic through value. Attributes: bits 0-2 compression, bit 3 (v1)
 * timestamp type. A compressed message is a wrapper: null key, value = a whole inner message set
 * compressed. Magic-0 inner messages carry absolute offsets; magic-1 inner messages carry relative
 * ones (0..n-1) and the wrapper's offset is the absolute offset of the last inner message. As in Kafka,
 * an inner message may not itself be compressed.
 */

export interface LegacyMessage {
  /** Absolute offset (inner offsets of magic-1 wrappers resolved). */
  offset: number;
  magic: 0 | 1;
  /** Codec of the wrapper this message came out of, 0 for a message that was not compressed. */
  compression: CompressionType;
  /** 0 CreateTime, 1 LogAppendTime (from the wrapper for inner messages). Always 0 for magic 0. */
  timestampType: 0 | 1;
  /** -1 for magic 0; for LogAppendTime, the wrapper's timestamp. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
}

export interface LegacyMessageInput {
  /** Absolute offset; defaults to baseOffset + index. */
  offset?: number;
  /** Magic 1 only; defaults to the set's `timestamp` or now. */
  timestamp?: number;
  key?: Buffer | null;
  value: Buffer | null;
}

export interface EncodeMessageSetOptions {
  magic: 0 | 1;
  messages: readonly LegacyMessageInput[];
  /** gzip, snappy or lz4 wrap all messages in one compressed wrapper message; zstd needs magic 2. */
  compression?: CompressionType;
  /** Magic 1: the timestamp type bit. With LogAppendTime, `logAppendTime` is the wrapper's timestamp. */
  timestampType?: 0 | 1;
  logAppendTime?: number;
  baseOffset?: number;
  /** Default timestamp for messages that have none (magic 1); defaults to now. */
  timestamp?: number;
}

export interface DecodeMessageSetOptions {
  /** Check every message's CRC-32 (default true). */
  verifyCrc?: boolean;
  /** Cap on the decompressed size of one wrapper message. */
  maxDecompressedBytes?: number;
}

export interface DecodedMessageSet {
  messages: LegacyMessage[];
  /** Where an incomplete trailing entry starts (a fetch response may end with one), or -1. */
  partialOffset: number;
  /** Bytes of that incomplete trailing entry (0 if none). */
  partialBytes: number;
}

const MESSAGE_OVERHEAD_V0 = 4 + 1 + 1 + 4 + 4; // crc, magic, attributes, key length, value length
const MESSAGE_OVERHEAD_V1 = MESSAGE_OVERHEAD_V0 + 8;
const TIMESTAMP_TYPE_BIT = 0x08;

// ---------------------------------------------------------------------------------------------------
// Encoding

function checkSafe(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new ProtocolEncodeError(`${what} must be a safe integer, got ${value}`);
}

/** Writes one entry (offset, size, message) and fills in its size and CRC. */
function writeEntry(w: Writer, offset: number, magic: 0 | 1, attributes: number, timestamp: number, key: Buffer | null, value: Buffer | null): void {
  const size = (magic === 0 ? MESSAGE_OVERHEAD_V0 : MESSAGE_OVERHEAD_V1) + (key?.length ?? 0) + (value?.length ?? 0);
  const body = Buffer.allocUnsafe(2 + (magic === 1 ? 8 : 0) + 4 + (key?.length ?? 0) + 4);
  // The CRC covers magic..value; computed incrementally so large values are not copied for it.
  let at = 0;
  body[at++] = magic;
  body[at++] = attributes;
  if (magic === 1) {
    body.writeBigInt64BE(BigInt(timestamp), at);
    at += 8;
  }
  if (key === null) {
    body.writeInt32BE(-1, at);
    at += 4;
  } else {
    body.writeInt32BE(key.length, at);
    at += 4;
    key.copy(body, at);
    at += key.length;
  }
  body.writeInt32BE(value === null ? -1 : value.length, at);
  at += 4;
  let crc = crc32(body, 0, at);
  if (value !== null) crc = crc32(value, 0, value.length, crc);
  w.int64(BigInt(offset));
  w.int32(size);
  w.uint32(crc);
  w.raw(body.subarray(0, at));
  if (value !== null) w.raw(value);
}

/** Encodes a v0 or v1 message set, with all messages in one compressed wrapper when `compression` is set. */
export function encodeMessageSet(options: EncodeMessageSetOptions): Buffer {
  const { magic, messages, compression = Codec.None, timestampType = 0, baseOffset = 0 } = options;
  if (magic !== 0 && magic !== 1) throw new ProtocolEncodeError(`legacy message magic must be 0 or 1, got ${magic as number}`);
  if (!isCompressionType(compression)) throw new ProtocolEncodeError(`unknown compression type ${compression as number}`);
  if (compression === Codec.Zstd) throw new ProtocolEncodeError('zstd compression needs magic 2 (record batches)');
  const defaultTimestamp = options.timestamp ?? Date.now();
  const typeBit = magic === 1 && timestampType === 1 ? TIMESTAMP_TYPE_BIT : 0;
  const offsets = messages.map((m, i) => m.offset ?? baseOffset + i);
  offsets.forEach((o) => checkSafe(o, 'offset'));

  if (compression === Codec.None) {
    const w = new Writer();
    messages.forEach((m, i) => {
      const timestamp = magic === 1 ? (m.timestamp ?? defaultTimestamp) : -1;
      writeEntry(w, offsets[i]!, magic, typeBit, timestamp, m.key ?? null, m.value);
    });
    return w.toBuffer();
  }

  if (messages.length === 0) return Buffer.alloc(0);
  // Inner set: magic 0 keeps absolute offsets; magic 1 uses offsets relative to the first message.
  const first = offsets[0]!;
  const inner = new Writer();
  let maxTimestamp = -1;
  messages.forEach((m, i) => {
    const timestamp = magic === 1 ? (m.timestamp ?? defaultTimestamp) : -1;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    writeEntry(inner, magic === 0 ? offsets[i]! : offsets[i]! - first, magic, typeBit, timestamp, m.key ?? null, m.value);
  });
  const innerBytes = inner.toBuffer();
  const payload = compression === Codec.Lz4 ? lz4CompressFrame(innerBytes, { brokenHeaderChecksum: magic === 0 }) : compress(compression, innerBytes);
  const wrapperTimestamp = magic === 0 ? -1 : timestampType === 1 ? (options.logAppendTime ?? defaultTimestamp) : maxTimestamp;
  const w = new Writer();
  writeEntry(w, offsets[offsets.length - 1]!, magic, compression | typeBit, wrapperTimestamp, null, payload);
  return w.toBuffer();
}

// ---------------------------------------------------------------------------------------------------
// Decoding

interface RawMessage {
  offset: number;
  magic: 0 | 1;
  attributes: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
}

function crcMismatch(stored: number, computed: number, at: number): ProtocolDecodeError {
  const hex = (v: number) => `0x${v.toString(16).padStart(8, '0')}`;
  return new ChecksumMismatchError(`message CRC mismatch (corrupt message): stored CRC-32 ${hex(stored)}, computed ${hex(computed)}`, at);
}

/** Reads the message of a complete entry at `at` whose size is `size` (checked present). */
function readMessage(buffer: Buffer, at: number, size: number, verifyCrc: boolean): RawMessage {
  const end = at + LOG_OVERHEAD + size;
  const r = new Reader(buffer, at, end);
  const offset = Number(r.readInt64());
  r.readInt32(); // size, already known
  const crcAt = r.offset;
  const crc = r.readUInt32();
  const magic = r.readInt8();
  if (magic !== 0 && magic !== 1) throw new ProtocolDecodeError(`expected a legacy message (magic 0 or 1), found magic ${magic}`, r.offset - 1);
  if (size < (magic === 0 ? MESSAGE_OVERHEAD_V0 : MESSAGE_OVERHEAD_V1)) {
    throw new ProtocolDecodeError(`message size ${size} is too small for magic ${magic}`, at + 8);
  }
  if (verifyCrc) {
    const computed = crc32(buffer, crcAt + 4, end);
    if (computed !== crc) throw crcMismatch(crc, computed, crcAt);
  }
  const attributes = r.readInt8();
  const timestamp = magic === 1 ? Number(r.readInt64()) : -1;
  const key = r.readNullableBytes();
  const value = r.readNullableBytes();
  if (r.remaining !== 0) throw new ProtocolDecodeError(`message has ${r.remaining} bytes beyond its value`, r.offset);
  return { offset, magic, attributes, timestamp, key, value };
}

/**
 * Decodes a v0/v1 message set in `buffer[offset, end)`, decompressing wrapper messages into their inner
 * messages (with absolute offsets). A trailing incomplete entry is reported, not an error.
 */
export function decodeMessageSet(buffer: Buffer, options: DecodeMessageSetOptions = {}, offset = 0, end = buffer.length): DecodedMessageSet {
  const verifyCrc = options.verifyCrc !== false;
  const max = options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  const messages: LegacyMessage[] = [];
  let at = offset;
  while (at < end) {
    const available = end - at;
    if (available < LOG_OVERHEAD) return { messages, partialOffset: at, partialBytes: available };
    const size = buffer.readInt32BE(at + 8);
    if (size < MESSAGE_OVERHEAD_V0) throw new ProtocolDecodeError(`message size ${size} is too small`, at + 8);
    if (LOG_OVERHEAD + size > available) return { messages, partialOffset: at, partialBytes: available };
    const message = readMessage(buffer, at, size, verifyCrc);
    const codec = message.attributes & 0x07;
    const timestampType = message.magic === 1 && message.attributes & TIMESTAMP_TYPE_BIT ? 1 : 0;
    if (codec === 0) {
      messages.push({ ...message, compression: 0, timestampType });
    } else {
      if (!isCompressionType(codec)) throw new ProtocolDecodeError(`unknown compression type ${codec}`, at + LOG_OVERHEAD + 5);
      if (message.value === null) throw new ProtocolDecodeError('compressed wrapper message has a null value', at);
      const valueAt = at + LOG_OVERHEAD + size - message.value.length;
      const data = decompress(codec, message.value, max, valueAt);
      decodeInner(data, message, codec, timestampType, verifyCrc, messages, valueAt);
    }
    at += LOG_OVERHEAD + size;
  }
  return { messages, partialOffset: -1, partialBytes: 0 };
}

function decodeInner(
  data: Buffer,
  wrapper: RawMessage,
  codec: CompressionType,
  timestampType: 0 | 1,
  verifyCrc: boolean,
  out: LegacyMessage[],
  errorBase: number,
): void {
  const inner: RawMessage[] = [];
  let at = 0;
  try {
    while (at < data.length) {
      if (data.length - at < LOG_OVERHEAD) throw new ProtocolDecodeError('truncated inner message', at);
      const size = data.readInt32BE(at + 8);
      if (size < MESSAGE_OVERHEAD_V0) throw new ProtocolDecodeError(`inner message size ${size} is too small`, at + 8);
      if (LOG_OVERHEAD + size > data.length - at) throw new ProtocolDecodeError('truncated inner message', at);
      const message = readMessage(data, at, size, verifyCrc);
      if ((message.attributes & 0x07) !== 0) throw new ProtocolDecodeError('compressed message inside a compressed wrapper', at);
      inner.push(message);
      at += LOG_OVERHEAD + size;
    }
  } catch (error) {
    if (error instanceof ProtocolDecodeError) {
      throw withContext(error, `in the decompressed value of the wrapper at offset ${wrapper.offset}: `, errorBase);
    }
    throw error;
  }
  if (inner.length === 0) throw new ProtocolDecodeError('compressed wrapper message holds no messages', errorBase);
  // Magic 1 wrappers: inner offsets are relative, the wrapper holds the absolute offset of the last.
  const shift = wrapper.magic === 1 ? wrapper.offset - inner[inner.length - 1]!.offset : 0;
  for (const message of inner) {
    out.push({
      offset: message.offset + shift,
      magic: message.magic,
      compression: codec,
      timestampType,
      timestamp: wrapper.magic === 1 && timestampType === 1 ? wrapper.timestamp : message.timestamp,
      key: message.key,
      value: message.value,
    });
  }
}
