import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProtocolDecodeError } from '../../../electron/kafka/protocol/errors';
import { COMPRESSION_NAMES, CompressionType, compress, decompress, initCompression } from '../../../electron/kafka/records/compression';
import { downConvertBatches, upConvertMessageSet } from '../../../electron/kafka/records/convert';
import { crc32 } from '../../../electron/kafka/records/crc32';
import { type LegacyMessageInput, decodeMessageSet, encodeMessageSet } from '../../../electron/kafka/records/message-set';
import { ControlRecordType, TimestampType, decodeBatches, encodeEndTxnMarkerBatch, encodeRecordBatch } from '../../../electron/kafka/records/record-batch';

const require = createRequire(import.meta.url);

/* eslint-disable @typescript-eslint/no-explicit-any -- kafkajs internals are untyped CommonJS */
const kafkajsCrc32: (encoder: { buffer: Buffer }) => number = require('kafkajs/src/protocol/crc32');
const KafkajsMessageSet: (args: any) => { buffer: Buffer } = require('kafkajs/src/protocol/messageSet');
const kafkajsDecodeMessageSet: (decoder: any, size: number) => Promise<any[]> = require('kafkajs/src/protocol/messageSet/decoder');
const KafkajsDecoder: new (buffer: Buffer) => any = require('kafkajs/src/protocol/decoder');
const kafkajsCompression = require('kafkajs/src/protocol/message/compression');

const LEGACY_CODECS = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4] as const;

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

function sampleMessages(count: number): LegacyMessageInput[] {
  return Array.from({ length: count }, (_, i) => ({
    key: i % 4 === 0 ? null : Buffer.from(`key-${i}`),
    value: i % 5 === 2 ? null : Buffer.from(`value ${i} `.repeat(1 + (i % 3))),
    timestamp: 1_600_000_000_000 + i,
  }));
}

beforeAll(async () => {
  await initCompression();
  // Let kafkajs use our codecs for the ones it does not ship, so its message-set framing is exercised.
  for (const codec of [CompressionType.Snappy, CompressionType.Lz4]) {
    kafkajsCompression.Codecs[codec] = () => ({
      compress: async (encoder: { buffer: Buffer }) => compress(codec, encoder.buffer),
      decompress: async (buffer: Buffer) => decompress(codec, buffer),
    });
  }
});

describe('legacy message sets', () => {
  it('matches v0 and v1 messages built by hand (golden vectors, CRC from kafkajs)', () => {
    const v0 = encodeMessageSet({ magic: 0, baseOffset: 3, messages: [{ key: Buffer.from('k'), value: Buffer.from('val') }] });
    const v0Body = Buffer.from([0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x6b, 0x00, 0x00, 0x00, 0x03, 0x76, 0x61, 0x6c]);
    const v0Crc = kafkajsCrc32({ buffer: v0Body });
    const v0Expected = Buffer.alloc(12 + 4 + v0Body.length);
    v0Expected.writeBigInt64BE(3n, 0);
    v0Expected.writeInt32BE(4 + v0Body.length, 8);
    v0Expected.writeInt32BE(v0Crc, 12);
    v0Body.copy(v0Expected, 16);
    expect(v0.toString('hex')).toBe(v0Expected.toString('hex'));
    expect(crc32(v0Body)).toBe(v0Crc >>> 0);

    const v1 = encodeMessageSet({ magic: 1, baseOffset: 0, messages: [{ key: null, value: Buffer.from('v'), timestamp: 1000 }] });
    const v1Body = Buffer.concat([
      Buffer.from([0x01, 0x00]),
      Buffer.from('00000000000003e8', 'hex'),
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x76]),
    ]);
    const v1Expected = Buffer.alloc(16 + v1Body.length);
    v1Expected.writeInt32BE(4 + v1Body.length, 8);
    v1Expected.writeInt32BE(kafkajsCrc32({ buffer: v1Body }), 12);
    v1Body.copy(v1Expected, 16);
    expect(v1.toString('hex')).toBe(v1Expected.toString('hex'));
  });

  for (const magic of [0, 1] as const) {
    it.each(LEGACY_CODECS)(`magic ${magic}: round-trips messages with codec %s`, (codec) => {
      const input = sampleMessages(50);
      const encoded = encodeMessageSet({ magic, messages: input, compression: codec, baseOffset: 1000 });
      const { messages, partialBytes } = decodeMessageSet(encoded);
      expect(partialBytes).toBe(0);
      expect(messages).toHaveLength(50);
      messages.forEach((m, i) => {
        expect(m.offset).toBe(1000 + i);
        expect(m.magic).toBe(magic);
        expect(m.compression).toBe(codec);
        expect(m.timestamp).toBe(magic === 1 ? input[i]!.timestamp : -1);
        expect(m.key).toEqual(input[i]!.key);
        expect(m.value).toEqual(input[i]!.value);
      });
    });
  }

  it('magic 1 wrappers carry relative inner offsets and the last absolute offset; magic 0 absolute ones', () => {
    for (const magic of [0, 1] as const) {
      const encoded = encodeMessageSet({ magic, messages: sampleMessages(3), compression: CompressionType.Gzip, baseOffset: 500 });
      expect(Number(encoded.readBigInt64BE(0))).toBe(502);
      const inner = decompress(CompressionType.Gzip, encoded.subarray(12 + 4 + 2 + (magic === 1 ? 8 : 0) + 4 + 4));
      const innerOffsets = [];
      for (let at = 0; at < inner.length; at += 12 + inner.readInt32BE(at + 8)) innerOffsets.push(Number(inner.readBigInt64BE(at)));
      expect(innerOffsets).toEqual(magic === 1 ? [0, 1, 2] : [500, 501, 502]);
    }
  });

  it('writes LZ4 magic-0 wrappers with the broken header checksum of Kafka < 0.10', async () => {
    const { lz4HeaderChecksum } = await import('../../../electron/kafka/records/lz4');
    const v0 = encodeMessageSet({ magic: 0, messages: sampleMessages(2), compression: CompressionType.Lz4 });
    const v1 = encodeMessageSet({ magic: 1, messages: sampleMessages(2), compression: CompressionType.Lz4 });
    const frame0 = v0.subarray(12 + 4 + 2 + 4 + 4);
    const frame1 = v1.subarray(12 + 4 + 2 + 8 + 4 + 4);
    expect(frame1[6]).toBe(lz4HeaderChecksum(frame1));
    expect(frame0[6]).not.toBe(lz4HeaderChecksum(frame0));
  });

  it('keeps LogAppendTime from the wrapper for inner messages', () => {
    const encoded = encodeMessageSet({ magic: 1, messages: sampleMessages(3), compression: CompressionType.Snappy, timestampType: 1, logAppendTime: 42 });
    const { messages } = decodeMessageSet(encoded);
    expect(messages.map((m) => [m.timestampType, m.timestamp])).toEqual([
      [1, 42],
      [1, 42],
      [1, 42],
    ]);
  });

  it('rejects zstd for legacy magics', () => {
    expect(() => encodeMessageSet({ magic: 1, messages: sampleMessages(1), compression: CompressionType.Zstd })).toThrow(/magic 2/);
  });

  it('rejects a CRC mismatch naming both CRCs', () => {
    const encoded = Buffer.from(encodeMessageSet({ magic: 1, messages: sampleMessages(3).slice(0, 2) }));
    encoded[encoded.length - 1] = encoded[encoded.length - 1]! ^ 0xff; // last byte of the last value
    const error = catchError(() => decodeMessageSet(encoded));
    expect(error).toBeInstanceOf(ProtocolDecodeError);
    expect((error as Error).message).toMatch(/message CRC mismatch .*stored CRC-32 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}/);
    expect(decodeMessageSet(encoded, { verifyCrc: false }).messages).toHaveLength(2);
  });

  it('reports a partial trailing message, errors on truncated wrapper contents and garbage', () => {
    const encoded = encodeMessageSet({ magic: 0, messages: sampleMessages(4) });
    const firstSize = 12 + encoded.readInt32BE(8);
    for (const cut of [firstSize + 1, firstSize + 13, encoded.length - 1]) {
      const result = decodeMessageSet(encoded.subarray(0, cut));
      expect(result.partialOffset).toBeGreaterThanOrEqual(firstSize);
      expect(result.partialBytes).toBeGreaterThan(0);
      expect(result.messages.length).toBeGreaterThanOrEqual(1);
    }
    // A wrapper whose compressed value holds a truncated inner set.
    const inner = encodeMessageSet({ magic: 1, messages: sampleMessages(2) });
    const wrapper = encodeMessageSet({ magic: 1, messages: [{ value: compress(CompressionType.Gzip, inner.subarray(0, inner.length - 3)) }] });
    wrapper[12 + 4 + 1] = CompressionType.Gzip; // mark as compressed (CRC off below)
    expect(catchError(() => decodeMessageSet(wrapper, { verifyCrc: false }))).toBeInstanceOf(ProtocolDecodeError);
    // Nested compression is rejected, as Kafka does.
    const nested = encodeMessageSet({
      magic: 1,
      messages: [{ value: compress(CompressionType.Gzip, encodeMessageSet({ magic: 1, messages: sampleMessages(2), compression: CompressionType.Gzip })) }],
    });
    nested[12 + 4 + 1] = CompressionType.Gzip;
    expect((catchError(() => decodeMessageSet(nested, { verifyCrc: false })) as Error).message).toMatch(/compressed message inside a compressed wrapper/);
    let seed = 99;
    for (let n = 0; n < 300; n++) {
      const garbage = Buffer.from(encodeMessageSet({ magic: 1, messages: sampleMessages(5), compression: LEGACY_CODECS[n % 4]! }));
      for (let k = 0; k < 3; k++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        garbage[seed % garbage.length] = seed >>> 24;
      }
      const error = catchError(() => decodeMessageSet(garbage, { verifyCrc: n % 2 === 0 }));
      if (error !== undefined) expect(error).toBeInstanceOf(ProtocolDecodeError);
    }
  });

  it('bounds the decompressed size of a wrapper', () => {
    const encoded = encodeMessageSet({ magic: 1, messages: [{ value: Buffer.alloc(4_000_000) }], compression: CompressionType.Gzip });
    expect((catchError(() => decodeMessageSet(encoded, { maxDecompressedBytes: 1_000_000 })) as Error).message).toMatch(/limit/);
  });
});

describe('kafkajs interop (legacy message sets)', () => {
  for (const magic of [0, 1] as const) {
    it.each(LEGACY_CODECS)(`magic ${magic}, codec %s: kafkajs-encoded sets decode here, ours decode in kafkajs`, async (codec) => {
      const input = sampleMessages(20).map((m) => ({ ...m, key: m.key ?? null }));
      // kafkajs' producer path: inner set with offsets 0..n-1, one wrapper (offset -1) when compressed.
      let theirs: Buffer;
      if (codec === CompressionType.None) {
        theirs = KafkajsMessageSet({ messageVersion: magic, entries: input }).buffer;
      } else {
        const inner = KafkajsMessageSet({ messageVersion: magic, compression: codec, entries: input }).buffer;
        theirs = KafkajsMessageSet({
          messageVersion: magic,
          entries: [{ compression: codec, timestamp: 1_600_000_000_019, value: compress(codec, inner), key: null }],
        }).buffer;
      }
      const decoded = decodeMessageSet(theirs).messages;
      expect(decoded.map((m) => m.value)).toEqual(input.map((m) => m.value));
      expect(decoded.map((m) => m.key)).toEqual(input.map((m) => m.key));
      if (magic === 1) expect(decoded.map((m) => m.timestamp)).toEqual(input.map((m) => m.timestamp));

      const ours = encodeMessageSet({ magic, messages: input, compression: codec, baseOffset: 7 });
      const back = await kafkajsDecodeMessageSet(new KafkajsDecoder(ours), ours.length);
      expect(back.map((m) => Number(m.offset))).toEqual(input.map((_, i) => 7 + i));
      expect(back.map((m) => m.value)).toEqual(input.map((m) => m.value));
      expect(back.map((m) => m.key)).toEqual(input.map((m) => m.key));
    });
  }
});

describe('conversion', () => {
  for (const magic of [0, 1] as const) {
    it.each(LEGACY_CODECS)(`magic ${magic} set with codec %s converts to v2 and back with equal records`, (codec) => {
      const input = sampleMessages(30);
      const legacy = encodeMessageSet({ magic, messages: input, compression: codec, baseOffset: 0 });
      const batches = upConvertMessageSet(legacy);
      const { batches: decoded } = decodeBatches(batches);
      expect(decoded).toHaveLength(1);
      const batch = decoded[0]!;
      expect(batch.attributes & 7).toBe(codec);
      expect(batch.records.map((r) => r.offset)).toEqual(input.map((_, i) => i));
      expect(batch.records.map((r) => r.timestamp)).toEqual(input.map((m) => (magic === 1 ? m.timestamp : -1)));
      expect(batch.records.map((r) => r.key)).toEqual(input.map((m) => m.key));
      expect(batch.records.map((r) => r.value)).toEqual(input.map((m) => m.value));

      const down = downConvertBatches(batches, magic);
      const again = decodeMessageSet(down).messages;
      expect(again.map((m) => [m.offset, m.compression, m.timestamp])).toEqual(input.map((m, i) => [i, codec, magic === 1 ? m.timestamp : -1]));
      expect(again.map((m) => m.key)).toEqual(input.map((m) => m.key));
      expect(again.map((m) => m.value)).toEqual(input.map((m) => m.value));
      // Same messages, offsets, timestamps and codec: the very same bytes come back.
      expect(down.toString('hex'), COMPRESSION_NAMES[codec]).toBe(legacy.toString('hex'));
    });
  }

  it('renumbers from baseOffset, or keeps the offsets the messages carry', () => {
    const legacy = encodeMessageSet({ magic: 1, messages: sampleMessages(3), baseOffset: 100 });
    expect(decodeBatches(upConvertMessageSet(legacy, { baseOffset: 10 })).batches[0]!.records.map((r) => r.offset)).toEqual([10, 11, 12]);
    expect(decodeBatches(upConvertMessageSet(legacy, { keepOffsets: true })).batches[0]!.records.map((r) => r.offset)).toEqual([100, 101, 102]);
  });

  it('keeps LogAppendTime when up-converting', () => {
    const legacy = encodeMessageSet({ magic: 1, messages: sampleMessages(2), compression: CompressionType.Lz4, timestampType: 1, logAppendTime: 77 });
    const batch = decodeBatches(upConvertMessageSet(legacy)).batches[0]!;
    expect(batch.attributes & 0x08).toBe(0x08);
    expect(batch.maxTimestamp).toBe(77);
    expect(batch.records.map((r) => r.timestamp)).toEqual([77, 77]);
  });

  it('rejects a truncated produce set unless asked to allow it', () => {
    const legacy = encodeMessageSet({ magic: 0, messages: sampleMessages(3) });
    expect(catchError(() => upConvertMessageSet(legacy.subarray(0, legacy.length - 2)))).toBeInstanceOf(ProtocolDecodeError);
    expect(decodeBatches(upConvertMessageSet(legacy.subarray(0, legacy.length - 2), { allowPartial: true })).batches[0]!.records).toHaveLength(2);
  });

  it('down-converts a fetch: offsets absolute, control batches skipped, zstd written plain, partial tail dropped, headers gone', () => {
    const a = encodeRecordBatch({
      baseOffset: 40,
      records: [
        { value: Buffer.from('a'), timestamp: 5, headers: [{ key: 'h', value: Buffer.from('x') }] },
        { value: Buffer.from('b'), timestamp: 6 },
      ],
    });
    const marker = encodeEndTxnMarkerBatch({ baseOffset: 42, producerId: 1, producerEpoch: 0, type: ControlRecordType.Commit, coordinatorEpoch: 0 });
    const z = encodeRecordBatch({
      baseOffset: 43,
      records: [{ key: Buffer.from('k'), value: Buffer.from('zz'), timestamp: 7 }],
      compression: CompressionType.Zstd,
    });
    const l = encodeRecordBatch({
      baseOffset: 44,
      records: [
        { value: Buffer.from('c'), timestamp: 8 },
        { value: Buffer.from('d'), timestamp: 9 },
      ],
      compression: CompressionType.Lz4,
      timestampType: TimestampType.LogAppendTime,
      maxTimestamp: 50,
    });
    const tail = encodeRecordBatch({ baseOffset: 46, records: [{ value: Buffer.from('e') }] });
    const fetched = Buffer.concat([a, marker, z, l, tail.subarray(0, 30)]);
    for (const magic of [0, 1] as const) {
      const messages = decodeMessageSet(downConvertBatches(fetched, magic)).messages;
      expect(messages.map((m) => [m.offset, m.value?.toString(), m.compression])).toEqual([
        [40, 'a', 0],
        [41, 'b', 0],
        [43, 'zz', 0],
        [44, 'c', CompressionType.Lz4],
        [45, 'd', CompressionType.Lz4],
      ]);
      expect(messages.map((m) => m.timestamp)).toEqual(magic === 1 ? [5, 6, 7, 50, 50] : [-1, -1, -1, -1, -1]);
      expect(messages[2]!.key?.toString()).toBe('k');
    }
  });
});
