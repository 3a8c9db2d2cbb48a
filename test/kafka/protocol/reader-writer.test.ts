import { describe, expect, it } from 'vitest';
import { ProtocolDecodeError } from '../../../electron/kafka/protocol/errors';
import { Reader } from '../../../electron/kafka/protocol/reader';
import { Writer } from '../../../electron/kafka/protocol/writer';

const bytes = (...values: number[]) => Buffer.from(values);

describe('Reader and Writer', () => {
  it('encode varints as Kafka does: LEB128, zig-zag for signed', () => {
    expect(new Writer().unsignedVarInt(0).toBuffer()).toEqual(bytes(0));
    expect(new Writer().unsignedVarInt(300).toBuffer()).toEqual(bytes(0xac, 0x02));
    expect(new Writer().unsignedVarInt(0xffffffff).toBuffer()).toEqual(bytes(0xff, 0xff, 0xff, 0xff, 0x0f));
    expect(new Writer().varInt(-1).toBuffer()).toEqual(bytes(0x01));
    expect(new Writer().varInt(1).toBuffer()).toEqual(bytes(0x02));
    expect(new Writer().varInt(-64).toBuffer()).toEqual(bytes(0x7f));
    expect(new Writer().varInt(64).toBuffer()).toEqual(bytes(0x80, 0x01));
    expect(new Writer().varInt(-2147483648).toBuffer()).toEqual(bytes(0xff, 0xff, 0xff, 0xff, 0x0f));
    expect(new Writer().varLong(-1n).toBuffer()).toEqual(bytes(0x01));
    expect(new Writer().varLong(-9223372036854775808n).toBuffer()).toEqual(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01));
  });

  it('decode repeated and colliding short strings exactly (the short-string table compares bytes)', () => {
    // Many distinct strings fill every slot of the table several times over, so slots are shared; each
    // must still come back as itself, also when its bytes are reused for another string afterwards.
    const values = Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? `tópic-${i}` : `t${i}`.repeat(1 + (i % 5))));
    values.push('x'.repeat(64), 'x'.repeat(65), '', '\u{1F600}', 'a'.repeat(63) + 'b');
    const w = new Writer();
    for (const value of [...values, ...values]) w.string(value).compactString(value);
    const frame = w.toBuffer();
    const r = new Reader(frame);
    for (const value of [...values, ...values]) {
      expect(r.readString()).toBe(value);
      expect(r.readCompactString()).toBe(value);
    }
    // Bytes changed in place after a string was read do not return the old string.
    const one = new Writer().string('client-a').toBuffer();
    expect(new Reader(one).readString()).toBe('client-a');
    one[one.length - 1] = 0x62;
    expect(new Reader(one).readString()).toBe('client-b');
    // Invalid UTF-8 decodes as Buffer#toString does, every time.
    const invalid = Buffer.from([0x00, 0x03, 0xc3, 0x28, 0xff]);
    expect(new Reader(invalid).readString()).toBe(invalid.toString('utf8', 2));
    expect(new Reader(invalid).readString()).toBe(invalid.toString('utf8', 2));
  });

  it('round-trip every primitive through mirrored methods', () => {
    const w = new Writer(8);
    w.int8(-5)
      .int16(-300)
      .int32(-70000)
      .uint32(0xfedcba98)
      .int64(-(2n ** 62n))
      .float64(Math.PI)
      .boolean(true);
    w.uuid('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0');
    w.unsignedVarInt(123456789)
      .varInt(-123456)
      .varLong(2n ** 60n + 7n);
    w.string('héllo').nullableString(null).compactString('').compactNullableString(null).compactString('kafka');
    w.bytes(bytes(1, 2)).nullableBytes(null).compactBytes(bytes(3)).compactNullableBytes(null).varIntBytes(null).varIntBytes(bytes(9));
    const big = Buffer.alloc(10_000, 0xab);
    w.bytes(big).int8(7);
    const r = new Reader(w.toBuffer());
    expect(r.readInt8()).toBe(-5);
    expect(r.readInt16()).toBe(-300);
    expect(r.readInt32()).toBe(-70000);
    expect(r.readUInt32()).toBe(0xfedcba98);
    expect(r.readInt64()).toBe(-(2n ** 62n));
    expect(r.readFloat64()).toBe(Math.PI);
    expect(r.readBoolean()).toBe(true);
    expect(r.readUuid()).toBe('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0');
    expect(r.readUnsignedVarInt()).toBe(123456789);
    expect(r.readVarInt()).toBe(-123456);
    expect(r.readVarLong()).toBe(2n ** 60n + 7n);
    expect(r.readString()).toBe('héllo');
    expect(r.readNullableString()).toBeNull();
    expect(r.readCompactString()).toBe('');
    expect(r.readCompactNullableString()).toBeNull();
    expect(r.readCompactString()).toBe('kafka');
    expect(r.readBytes()).toEqual(bytes(1, 2));
    expect(r.readNullableBytes()).toBeNull();
    expect(r.readCompactBytes()).toEqual(bytes(3));
    expect(r.readCompactNullableBytes()).toBeNull();
    expect(r.readVarIntBytes()).toBeNull();
    expect(r.readVarIntBytes()).toEqual(bytes(9));
    expect(r.readBytes()).toEqual(big);
    expect(r.readInt8()).toBe(7);
    expect(r.remaining).toBe(0);
  });

  it('keeps large byte arrays by reference and reports the total length', () => {
    const big = Buffer.alloc(8192, 1);
    const w = new Writer().int32(big.length).raw(big).int16(2);
    const chunks = w.toBuffers();
    expect(chunks.some((c) => c === big)).toBe(true);
    expect(w.length).toBe(4 + 8192 + 2);
    expect(w.toBuffer().length).toBe(4 + 8192 + 2);
  });

  it('carries unknown tagged fields and skips them when asked', () => {
    const w = new Writer();
    w.taggedFields(
      [[3, (t) => t.int32(42)]],
      [
        { tag: 7, data: bytes(1, 2, 3) },
        { tag: 1, data: bytes() },
      ],
    );
    const seen: number[] = [];
    const unknown = new Reader(w.toBuffer()).readTaggedFields((tag, r) => {
      if (tag !== 3) return false;
      seen.push(r.readInt32());
      return true;
    });
    expect(seen).toEqual([42]);
    expect(unknown?.map((f) => [f.tag, [...f.data]])).toEqual([
      [1, []],
      [7, [1, 2, 3]],
    ]);
  });

  it('reads varlongs as numbers exactly up to 2^53, the same values as readVarLong, and refuses beyond', () => {
    const values = [0n, 1n, -1n, 63n, -64n, 64n, 1_700_000_000_000n, -1_700_000_000_000n, 2n ** 53n - 1n, -(2n ** 53n) + 1n, -(2n ** 53n)];
    const w = new Writer();
    for (const value of values) w.varLong(value);
    const asBigInt = new Reader(w.toBuffer());
    const asNumber = new Reader(w.toBuffer());
    for (const value of values) {
      expect(asBigInt.readVarLong()).toBe(value);
      expect(asNumber.readVarLongNumber()).toBe(Number(value));
      expect(asNumber.offset).toBe(asBigInt.offset);
    }
    for (const beyond of [2n ** 53n, -(2n ** 53n) - 1n, 2n ** 62n]) {
      expect(() => new Reader(new Writer().varLong(beyond).toBuffer()).readVarLongNumber(), String(beyond)).toThrow(ProtocolDecodeError);
    }
    expect(() => new Reader(bytes(0x80, 0x80)).readVarLongNumber()).toThrow(ProtocolDecodeError);
  });

  it('raise ProtocolDecodeError on truncated, negative, oversized and overlong input', () => {
    const cases: Array<[string, Buffer, (r: Reader) => unknown]> = [
      ['truncated int32', bytes(0, 0, 1), (r) => r.readInt32()],
      ['negative string length', bytes(0xff, 0xfe), (r) => r.readNullableString()],
      ['string longer than input', bytes(0x7f, 0xff, 0x61), (r) => r.readString()],
      ['null non-nullable string', bytes(0xff, 0xff), (r) => r.readString()],
      ['huge bytes length', bytes(0x7f, 0xff, 0xff, 0xff), (r) => r.readBytes()],
      ['negative bytes length', bytes(0x80, 0, 0, 0), (r) => r.readBytes()],
      ['6-byte varint', bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x01), (r) => r.readUnsignedVarInt()],
      ['5th varint byte too large', bytes(0xff, 0xff, 0xff, 0xff, 0x1f), (r) => r.readUnsignedVarInt()],
      ['truncated varint', bytes(0x80), (r) => r.readVarInt()],
      ['11-byte varlong', Buffer.alloc(11, 0x80), (r) => r.readVarLong()],
      ['11-byte varlong as a number', Buffer.alloc(11, 0x80), (r) => r.readVarLongNumber()],
      ['truncated varlong as a number', bytes(0xff), (r) => r.readVarLongNumber()],
      ['huge array count', bytes(0x7f, 0xff, 0xff, 0xff, 0), (r) => r.readArrayLength()],
      ['negative array count', bytes(0xff, 0xff, 0xff, 0xfe), (r) => r.readArrayLength()],
      ['huge compact array', bytes(0xff, 0xff, 0xff, 0xff, 0x0f), (r) => r.readCompactArrayLength()],
      ['compact string past end', bytes(0x10, 0x61), (r) => r.readCompactString()],
      ['tagged fields out of order', bytes(2, 5, 0, 3, 0), (r) => r.readTaggedFields()],
      ['tagged field past end', bytes(1, 0, 9, 1), (r) => r.readTaggedFields()],
    ];
    for (const [name, input, read] of cases) {
      expect(() => read(new Reader(input)), name).toThrow(ProtocolDecodeError);
    }
  });

  it('accepts -1 as a null array and returns byte views without copying', () => {
    expect(new Reader(bytes(0xff, 0xff, 0xff, 0xff)).readArrayLength()).toBe(-1);
    expect(new Reader(bytes(0)).readCompactArrayLength()).toBe(-1);
    const input = bytes(0, 0, 0, 2, 5, 6);
    const view = new Reader(input).readBytes();
    input[4] = 9;
    expect([...view]).toEqual([9, 6]);
  });
});
