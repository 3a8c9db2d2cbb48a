import { ProtocolEncodeError } from './errors';
import type { RawTaggedField } from './reader';

const INITIAL_SIZE = 256;
/** Byte arrays at least this large are kept by reference instead of copied into the scratch buffer. */
const BY_REFERENCE_THRESHOLD = 4096;
const INT64_MAX = 0x7fffffffffffffffn;
const INT64_MIN = -0x8000000000000000n;

/**
 * Writes Kafka primitive types; each method mirrors one on {@link Reader}. Small values go into a growing
 * scratch buffer; large byte arrays (record batches read from disk, say) are kept by reference, so a fetch
 * response does not copy its records before the socket writes them. {@link toBuffers} hands the chunks
 * to `socket.writev`-style writes; {@link toBuffer} joins them.
 */
export class Writer {
  private chunks: Buffer[] = [];
  private scratch: Buffer;
  /** DataView over `scratch`, made on first use: setBigInt64 is several times faster than Buffer#writeBigInt64BE. */
  private view: DataView | undefined;
  private position = 0;
  private flushedLength = 0;

  constructor(initialSize = INITIAL_SIZE) {
    this.scratch = Buffer.allocUnsafe(initialSize);
  }

  /** Total bytes written so far. */
  get length(): number {
    return this.flushedLength + this.position;
  }

  private ensure(bytes: number): void {
    if (this.position + bytes <= this.scratch.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, this.position + bytes));
    this.scratch.copy(grown, 0, 0, this.position);
    this.scratch = grown;
    this.view = undefined;
  }

  int8(value: number): this {
    this.ensure(1);
    this.position = this.scratch.writeInt8(value, this.position);
    return this;
  }

  uint8(value: number): this {
    this.ensure(1);
    this.position = this.scratch.writeUInt8(value, this.position);
    return this;
  }

  int16(value: number): this {
    this.ensure(2);
    this.position = this.scratch.writeInt16BE(value, this.position);
    return this;
  }

  uint16(value: number): this {
    this.ensure(2);
    this.position = this.scratch.writeUInt16BE(value, this.position);
    return this;
  }

  int32(value: number): this {
    this.ensure(4);
    this.position = this.scratch.writeInt32BE(value, this.position);
    return this;
  }

  uint32(value: number): this {
    this.ensure(4);
    this.position = this.scratch.writeUInt32BE(value, this.position);
    return this;
  }

  int64(value: bigint): this {
    // DataView wraps out-of-range values silently where writeBigInt64BE threw: keep the check.
    if (value > INT64_MAX || value < INT64_MIN) throw new ProtocolEncodeError(`int64 out of range: ${value}`);
    this.ensure(8);
    const scratch = this.scratch;
    (this.view ??= new DataView(scratch.buffer, scratch.byteOffset, scratch.length)).setBigInt64(this.position, value);
    this.position += 8;
    return this;
  }

  float64(value: number): this {
    this.ensure(8);
    this.position = this.scratch.writeDoubleBE(value, this.position);
    return this;
  }

  boolean(value: boolean): this {
    return this.uint8(value ? 1 : 0);
  }

  uuid(value: string): this {
    const hex = value.replace(/-/g, '');
    if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new ProtocolEncodeError(`not a UUID: ${value}`);
    this.ensure(16);
    this.position += this.scratch.write(hex, this.position, 16, 'hex');
    return this;
  }

  unsignedVarInt(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new ProtocolEncodeError(`unsigned varint out of range: ${value}`);
    }
    this.ensure(5);
    let rest = value;
    while (rest >= 0x80) {
      this.scratch[this.position++] = (rest & 0x7f) | 0x80;
      rest = Math.floor(rest / 128);
    }
    this.scratch[this.position++] = rest;
    return this;
  }

  varInt(value: number): this {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
      throw new ProtocolEncodeError(`varint out of range: ${value}`);
    }
    return this.unsignedVarInt(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  varLong(value: bigint): this {
    let rest = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
    this.ensure(10);
    while (rest >= 0x80n) {
      this.scratch[this.position++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.scratch[this.position++] = Number(rest);
    return this;
  }

  private utf8(value: string): void {
    const length = Buffer.byteLength(value, 'utf8');
    this.ensure(length);
    this.position += this.scratch.write(value, this.position, length, 'utf8');
  }

  nullableString(value: string | null): this {
    if (value === null) return this.int16(-1);
    const length = Buffer.byteLength(value, 'utf8');
    if (length > 0x7fff) throw new ProtocolEncodeError(`string of ${length} bytes exceeds INT16 length`);
    this.int16(length);
    this.utf8(value);
    return this;
  }

  string(value: string): this {
    // Untyped callers could pass null, which the nullable form would silently write as null.
    if (value == null) throw new ProtocolEncodeError('null in non-nullable string');
    return this.nullableString(value);
  }

  compactNullableString(value: string | null): this {
    if (value === null) return this.unsignedVarInt(0);
    this.unsignedVarInt(Buffer.byteLength(value, 'utf8') + 1);
    this.utf8(value);
    return this;
  }

  compactString(value: string): this {
    // Untyped callers could pass null, which the nullable form would silently write as null.
    if (value == null) throw new ProtocolEncodeError('null in non-nullable compact string');
    return this.compactNullableString(value);
  }

  nullableBytes(value: Uint8Array | null): this {
    if (value === null) return this.int32(-1);
    this.int32(value.length);
    return this.raw(value);
  }

  bytes(value: Uint8Array): this {
    // Untyped callers could pass null, which the nullable form would silently write as null.
    if (value == null) throw new ProtocolEncodeError('null in non-nullable bytes');
    return this.nullableBytes(value);
  }

  compactNullableBytes(value: Uint8Array | null): this {
    if (value === null) return this.unsignedVarInt(0);
    this.unsignedVarInt(value.length + 1);
    return this.raw(value);
  }

  compactBytes(value: Uint8Array): this {
    // Untyped callers could pass null, which the nullable form would silently write as null.
    if (value == null) throw new ProtocolEncodeError('null in non-nullable compact bytes');
    return this.compactNullableBytes(value);
  }

  varIntBytes(value: Uint8Array | null): this {
    if (value === null) return this.varInt(-1);
    this.varInt(value.length);
    return this.raw(value);
  }

  /** Raw bytes with no length prefix. Large arrays are kept by reference, not copied. */
  raw(value: Uint8Array): this {
    if (value.length >= BY_REFERENCE_THRESHOLD) {
      this.flush();
      const chunk = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.length);
      this.chunks.push(chunk);
      this.flushedLength += chunk.length;
      return this;
    }
    this.ensure(value.length);
    this.scratch.set(value, this.position);
    this.position += value.length;
    return this;
  }

  arrayLength(length: number | null): this {
    return this.int32(length === null ? -1 : length);
  }

  compactArrayLength(length: number | null): this {
    return this.unsignedVarInt(length === null ? 0 : length + 1);
  }

  /**
   * A tagged-field section. `known` are (tag, encoder) pairs whose encoder writes the payload into a
   * fresh writer; `unknown` are tags read earlier and carried through. Tags are written in order.
   */
  taggedFields(known: ReadonlyArray<readonly [number, (w: Writer) => void]>, unknown?: readonly RawTaggedField[]): this {
    const unknownCount = unknown?.length ?? 0;
    if (known.length === 0 && unknownCount === 0) return this.unsignedVarInt(0);
    const fields: RawTaggedField[] = known.map(([tag, encode]) => {
      const payload = new Writer(32);
      encode(payload);
      return { tag, data: payload.toBuffer() };
    });
    if (unknown) fields.push(...unknown);
    fields.sort((a, b) => a.tag - b.tag);
    this.unsignedVarInt(fields.length);
    for (const field of fields) {
      this.unsignedVarInt(field.tag);
      this.unsignedVarInt(field.data.length);
      this.raw(field.data);
    }
    return this;
  }

  private flush(): void {
    if (this.position === 0) return;
    this.chunks.push(this.scratch.subarray(0, this.position));
    this.flushedLength += this.position;
    this.scratch = this.scratch.subarray(this.position);
    this.view = undefined;
    this.position = 0;
    if (this.scratch.length < INITIAL_SIZE) this.scratch = Buffer.allocUnsafe(INITIAL_SIZE);
  }

  /** The written bytes as a list of chunks, in order, without joining them. */
  toBuffers(): Buffer[] {
    this.flush();
    return this.chunks;
  }

  toBuffer(): Buffer {
    const chunks = this.toBuffers();
    if (chunks.length === 1) return chunks[0]!;
    return Buffer.concat(chunks, this.flushedLength);
  }
}
