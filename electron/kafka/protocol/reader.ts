import { ProtocolDecodeError } from './errors';

const EMPTY = Buffer.alloc(0);

/** Number of bytes a tagged field or unknown tag occupies, kept so unknown tags can be re-encoded. */
export interface RawTaggedField {
  tag: number;
  data: Buffer;
}

/**
 * Short strings — client ids, topic names, group ids — come again in request after request. The last
 * one decoded per slot of a small table is kept with its bytes, so a repeat costs a hash and a byte
 * comparison instead of a UTF-8 decode and a new string. Bounded (256 x 64 bytes); a miss only replaces
 * a slot, so input that never repeats costs one copy of at most 64 bytes more.
 */
const SHORT_STRING_BYTES = 64;
const SHORT_STRING_SLOTS = 256;
const shortStringBytes = new Array<Uint8Array | undefined>(SHORT_STRING_SLOTS).fill(undefined);
const shortStrings = new Array<string>(SHORT_STRING_SLOTS).fill('');

function decodeShortString(buffer: Buffer, at: number, length: number): string {
  let hash = length;
  for (let i = at; i < at + length; i++) hash = (Math.imul(hash, 31) + buffer[i]!) | 0;
  const slot = (hash ^ (hash >>> 8) ^ (hash >>> 16)) & (SHORT_STRING_SLOTS - 1);
  const known = shortStringBytes[slot];
  if (known !== undefined && known.length === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (known[i] !== buffer[at + i]) {
        same = false;
        break;
      }
    }
    if (same) return shortStrings[slot]!;
  }
  const value = buffer.toString('utf8', at, at + length);
  shortStringBytes[slot] = Uint8Array.prototype.slice.call(buffer, at, at + length);
  shortStrings[slot] = value;
  return value;
}

/**
 * Reads Kafka primitive types from a buffer, bounds-checking every read so malformed input raises a
 * {@link ProtocolDecodeError} instead of reading past the end or allocating from an untrusted length.
 * Each method mirrors one on {@link Writer}. Byte fields are returned as views into the input (no copy):
 * callers that keep them past the life of the request buffer must copy.
 */
export class Reader {
  offset: number;
  readonly end: number;
  /** Made on first int64 read: DataView#getBigInt64 is faster than Buffer#readBigInt64BE. */
  private view: DataView | undefined;

  constructor(
    readonly buffer: Buffer,
    offset = 0,
    end = buffer.length,
  ) {
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(bytes: number, what: string): number {
    const at = this.offset;
    if (bytes < 0 || at + bytes > this.end) {
      throw new ProtocolDecodeError(`truncated input reading ${what}: need ${bytes} bytes, have ${this.end - at}`, at);
    }
    this.offset = at + bytes;
    return at;
  }

  readInt8(): number {
    return this.buffer.readInt8(this.need(1, 'int8'));
  }

  readUInt8(): number {
    return this.buffer.readUInt8(this.need(1, 'uint8'));
  }

  readInt16(): number {
    return this.buffer.readInt16BE(this.need(2, 'int16'));
  }

  readUInt16(): number {
    return this.buffer.readUInt16BE(this.need(2, 'uint16'));
  }

  readInt32(): number {
    return this.buffer.readInt32BE(this.need(4, 'int32'));
  }

  readUInt32(): number {
    return this.buffer.readUInt32BE(this.need(4, 'uint32'));
  }

  readInt64(): bigint {
    const at = this.need(8, 'int64');
    const buffer = this.buffer;
    return (this.view ??= new DataView(buffer.buffer, buffer.byteOffset, buffer.length)).getBigInt64(at);
  }

  readFloat64(): number {
    return this.buffer.readDoubleBE(this.need(8, 'float64'));
  }

  readBoolean(): boolean {
    return this.buffer[this.need(1, 'boolean')] !== 0;
  }

  /** A UUID as 16 raw bytes, returned in the canonical 8-4-4-4-12 hex form. */
  readUuid(): string {
    const at = this.need(16, 'uuid');
    const hex = this.buffer.toString('hex', at, at + 16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** LEB128 unsigned varint of at most 5 bytes (an unsigned 32-bit value). */
  readUnsignedVarInt(): number {
    const start = this.offset;
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      if (this.offset >= this.end) throw new ProtocolDecodeError('truncated varint', start);
      const byte = this.buffer[this.offset++]!;
      if (i === 4 && byte > 0x0f) throw new ProtocolDecodeError('unsigned varint overflows 32 bits', start);
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
    }
    throw new ProtocolDecodeError('varint longer than 5 bytes', start);
  }

  /** Zig-zag encoded signed 32-bit varint. */
  readVarInt(): number {
    const raw = this.readUnsignedVarInt();
    // Zig-zag decode without 32-bit overflow: odd raw values are negative.
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  /** Zig-zag encoded signed 64-bit varint, at most 10 bytes. */
  readVarLong(): bigint {
    const start = this.offset;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.offset >= this.end) throw new ProtocolDecodeError('truncated varlong', start);
      const byte = this.buffer[this.offset++]!;
      if (i === 9 && byte > 0x01) throw new ProtocolDecodeError('varlong overflows 64 bits', start);
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return (result >> 1n) ^ -(result & 1n);
      shift += 7n;
    }
    throw new ProtocolDecodeError('varlong longer than 10 bytes', start);
  }

  /**
   * Zig-zag encoded signed varlong as a number, without BigInt (a record's timestamp delta, read once
   * per record); a value beyond ±2^53 is refused rather than rounded.
   */
  readVarLongNumber(): number {
    const start = this.offset;
    // The zig-zag sign is the lowest bit: kept apart, the magnitude (below 2^53) adds up exactly.
    let negative = false;
    let magnitude = 0;
    let multiplier = 1;
    for (let i = 0; i < 10; i++) {
      if (this.offset >= this.end) throw new ProtocolDecodeError('truncated varlong', start);
      const byte = this.buffer[this.offset++]!;
      if (i === 0) {
        negative = (byte & 1) === 1;
        magnitude = (byte & 0x7f) >>> 1;
        multiplier = 64;
      } else {
        magnitude += (byte & 0x7f) * multiplier;
        multiplier *= 128;
      }
      if ((byte & 0x80) === 0) {
        if (magnitude > Number.MAX_SAFE_INTEGER) break;
        return negative ? -magnitude - 1 : magnitude;
      }
    }
    if (this.offset - start >= 10 && (this.buffer[this.offset - 1]! & 0x80) !== 0) throw new ProtocolDecodeError('varlong longer than 10 bytes', start);
    throw new ProtocolDecodeError('varlong beyond 2^53', start);
  }

  private readUtf8(length: number, what: string): string {
    const at = this.need(length, what);
    return length <= SHORT_STRING_BYTES ? decodeShortString(this.buffer, at, length) : this.buffer.toString('utf8', at, at + length);
  }

  /** INT16 length then UTF-8 bytes; -1 means null. */
  readNullableString(): string | null {
    const at = this.offset;
    const length = this.readInt16();
    if (length === -1) return null;
    if (length < 0) throw new ProtocolDecodeError(`negative string length ${length}`, at);
    return this.readUtf8(length, 'string');
  }

  readString(): string {
    const at = this.offset;
    const value = this.readNullableString();
    if (value === null) throw new ProtocolDecodeError('null in a non-nullable string', at);
    return value;
  }

  /** Unsigned varint length + 1 then UTF-8 bytes; 0 means null. */
  readCompactNullableString(): string | null {
    const length = this.readUnsignedVarInt() - 1;
    if (length === -1) return null;
    return this.readUtf8(length, 'compact string');
  }

  readCompactString(): string {
    const at = this.offset;
    const value = this.readCompactNullableString();
    if (value === null) throw new ProtocolDecodeError('null in a non-nullable compact string', at);
    return value;
  }

  /** INT32 length then raw bytes; -1 means null. Returns a view into the input. */
  readNullableBytes(): Buffer | null {
    const at = this.offset;
    const length = this.readInt32();
    if (length === -1) return null;
    if (length < 0) throw new ProtocolDecodeError(`negative bytes length ${length}`, at);
    return this.readRaw(length);
  }

  readBytes(): Buffer {
    const at = this.offset;
    const value = this.readNullableBytes();
    if (value === null) throw new ProtocolDecodeError('null in non-nullable bytes', at);
    return value;
  }

  readCompactNullableBytes(): Buffer | null {
    const length = this.readUnsignedVarInt() - 1;
    if (length === -1) return null;
    return this.readRaw(length);
  }

  readCompactBytes(): Buffer {
    const at = this.offset;
    const value = this.readCompactNullableBytes();
    if (value === null) throw new ProtocolDecodeError('null in non-nullable compact bytes', at);
    return value;
  }

  /** Varint length then bytes, -1 is null: the encoding of keys, values and headers inside records. */
  readVarIntBytes(): Buffer | null {
    const at = this.offset;
    const length = this.readVarInt();
    if (length === -1) return null;
    if (length < 0) throw new ProtocolDecodeError(`negative varint bytes length ${length}`, at);
    return this.readRaw(length);
  }

  /** Exactly `length` bytes, as a view into the input. */
  readRaw(length: number): Buffer {
    if (length === 0) return EMPTY;
    const at = this.need(length, 'bytes');
    return this.buffer.subarray(at, at + length);
  }

  /**
   * INT32 array length; -1 is null. The count is checked against the bytes left (every element takes at
   * least `minElementSize` bytes), so a hostile count cannot make the decoder allocate without bound.
   */
  readArrayLength(minElementSize = 1): number {
    const at = this.offset;
    const length = this.readInt32();
    if (length < -1) throw new ProtocolDecodeError(`negative array length ${length}`, at);
    this.checkCount(length, minElementSize, at);
    return length;
  }

  /** Unsigned varint length + 1; 0 is null, returned as -1. */
  readCompactArrayLength(minElementSize = 1): number {
    const at = this.offset;
    const length = this.readUnsignedVarInt() - 1;
    this.checkCount(length, minElementSize, at);
    return length;
  }

  private checkCount(count: number, minElementSize: number, at: number): void {
    if (count > 0 && count * Math.max(minElementSize, 1) > this.remaining) {
      throw new ProtocolDecodeError(`array of ${count} elements cannot fit in ${this.remaining} remaining bytes`, at);
    }
  }

  /**
   * A tagged-field section: count, then (tag, size, payload) for each. `onTag` returns true when it
   * consumed a known tag; unknown tags are skipped and returned so they can be carried through.
   */
  readTaggedFields(onTag?: (tag: number, reader: Reader) => boolean): RawTaggedField[] | undefined {
    const count = this.readUnsignedVarInt();
    if (count === 0) return undefined;
    this.checkCount(count, 2, this.offset);
    let unknown: RawTaggedField[] | undefined;
    let previousTag = -1;
    for (let i = 0; i < count; i++) {
      const tagAt = this.offset;
      const tag = this.readUnsignedVarInt();
      if (tag <= previousTag) throw new ProtocolDecodeError(`tagged fields out of order: ${tag} after ${previousTag}`, tagAt);
      previousTag = tag;
      const size = this.readUnsignedVarInt();
      const start = this.need(size, `tagged field ${tag}`);
      const sub = new Reader(this.buffer, start, start + size);
      if (onTag?.(tag, sub)) {
        if (sub.remaining !== 0) throw new ProtocolDecodeError(`tagged field ${tag} has ${sub.remaining} trailing bytes`, sub.offset);
      } else {
        (unknown ??= []).push({ tag, data: this.buffer.subarray(start, start + size) });
      }
    }
    return unknown;
  }
}
