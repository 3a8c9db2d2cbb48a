import { createRequire } from 'node:module';
import { Reader as PlatformaticReader, createRecordsBatch, readRecordsBatch } from '@platformatic/kafka';
import { beforeAll, describe, expect, it } from 'vitest';
import { BATCH_HEADER_SIZE, updateBatchCrc } from '../../../electron/kafka/records/batch-header';
import { CompressionType, compress, decompress, initCompression } from '../../../electron/kafka/records/compression';
import { snappyCompressRaw } from '../../../electron/kafka/records/snappy';
import { decodeRecordBatch, encodeRecordBatch, type RecordInput } from '../../../electron/kafka/records/record-batch';

/**
 * Cross-implementation vectors without a broker: batches written by other Kafka client libraries are
 * decoded here, and ours are decoded by them.
 *
 * @platformatic/kafka compresses with its own codecs (snappy and lz4 from its WebAssembly build, gzip
 * from zlib), so those are real codec interop vectors; it has no zstd on Node 20. kafkajs ships gzip
 * only; for the others it is handed our codecs, which still checks its batch and record framing and its
 * own CRC-32C implementation against ours.
 */

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any -- kafkajs internals are untyped CommonJS */
const { RecordBatch: KafkajsRecordBatch } = require('kafkajs/src/protocol/recordBatch/v0');
const KafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0');
const kafkajsDecodeRecordBatch: (decoder: any) => Promise<any> = require('kafkajs/src/protocol/recordBatch/v0/decoder');
const KafkajsDecoder: new (buffer: Buffer) => any = require('kafkajs/src/protocol/decoder');
const kafkajsCompression = require('kafkajs/src/protocol/message/compression');
const Long = require('kafkajs/src/utils/long');

const PLATFORMATIC_CODECS = [
  ['none', CompressionType.None],
  ['gzip', CompressionType.Gzip],
  ['snappy', CompressionType.Snappy],
  ['lz4', CompressionType.Lz4],
] as const;
const ALL_CODECS = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd] as const;

function records(count: number): Array<{ key: Buffer; value: Buffer; timestamp: number; headers: { [key: string]: Buffer } }> {
  return Array.from({ length: count }, (_, i) => {
    const headers: Record<string, Buffer> = i % 2 === 0 ? { source: Buffer.from(`s${i}`) } : {};
    return {
      key: Buffer.from(`key-${i}`),
      value: Buffer.from(`{"n":${i},"pad":"${'x'.repeat(i % 40)}"}`),
      timestamp: 1_650_000_000_000 + i * 10,
      headers,
    };
  });
}

beforeAll(async () => {
  await initCompression();
  for (const codec of [CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
    kafkajsCompression.Codecs[codec] = () => ({
      compress: async (encoder: { buffer: Buffer }) => compress(codec, encoder.buffer),
      decompress: async (buffer: Buffer) => decompress(codec, buffer),
    });
  }
});

describe('@platformatic/kafka', () => {
  it.each(PLATFORMATIC_CODECS)('their %s batches decode here (CRC checked)', (name, codec) => {
    const input = records(200);
    const writer = createRecordsBatch(
      input.map((r) => ({
        topic: 't',
        key: r.key,
        value: r.value,
        timestamp: BigInt(r.timestamp),
        headers: new Map(Object.entries(r.headers).map(([k, v]) => [Buffer.from(k), v])),
      })),
      { compression: name, producerId: 77n, producerEpoch: 3, partitionLeaderEpoch: 5 },
    );
    const buffer = (writer as unknown as { buffer: Buffer }).buffer;
    const batch = decodeRecordBatch(buffer);
    expect(batch.attributes & 7).toBe(codec);
    expect(batch).toMatchObject({ producerId: 77, producerEpoch: 3, partitionLeaderEpoch: 5, recordCount: 200, lastOffsetDelta: 199 });
    batch.records.forEach((record, i) => {
      expect(record.offset).toBe(i);
      expect(record.timestamp).toBe(input[i]!.timestamp);
      expect(record.key).toEqual(input[i]!.key);
      expect(record.value).toEqual(input[i]!.value);
      expect(record.headers).toEqual(Object.entries(input[i]!.headers).map(([key, value]) => ({ key, value })));
    });
  });

  // @platformatic/kafka reads raw snappy blocks only, not the xerial framing Java producers (and we)
  // write, so for snappy it is handed the raw-block variant (which Java's xerial reader also accepts).
  it.each(PLATFORMATIC_CODECS)('our %s batches decode in @platformatic/kafka', (_name, codec) => {
    const input = records(200);
    let ours = encodeRecordBatch({
      baseOffset: 9,
      records: input.map((r) => ({ ...r, headers: Object.entries(r.headers).map(([key, value]) => ({ key, value })) })),
      compression: codec,
      producerId: 12,
      producerEpoch: 1,
    });
    if (codec === CompressionType.Snappy) {
      const raw = snappyCompressRaw(decompress(codec, ours.subarray(BATCH_HEADER_SIZE)));
      ours = Buffer.concat([ours.subarray(0, BATCH_HEADER_SIZE), raw]);
      ours.writeInt32BE(ours.length - 12, 8);
      updateBatchCrc(ours, 0);
      expect(decodeRecordBatch(ours).records).toHaveLength(200);
    }
    const theirs = readRecordsBatch(PlatformaticReader.from(ours));
    expect(theirs.firstOffset).toBe(9n);
    expect(theirs.records).toHaveLength(200);
    theirs.records.forEach((record, i) => {
      expect(record.offsetDelta).toBe(i);
      expect(Number(theirs.firstTimestamp + record.timestampDelta)).toBe(input[i]!.timestamp);
      expect(record.key).toEqual(input[i]!.key);
      expect(record.value).toEqual(input[i]!.value);
    });
  });
});

describe('kafkajs', () => {
  async function kafkajsBatch(codec: number, input: ReturnType<typeof records>): Promise<Buffer> {
    const first = input[0]!.timestamp;
    const encoder = await KafkajsRecordBatch({
      compression: codec,
      firstOffset: Long.fromInt(100),
      firstTimestamp: first,
      maxTimestamp: input[input.length - 1]!.timestamp,
      lastOffsetDelta: input.length - 1,
      producerId: Long.fromInt(4),
      producerEpoch: 2,
      firstSequence: 10,
      transactional: true,
      records: input.map((r, i) => KafkajsRecord({ offsetDelta: i, timestampDelta: r.timestamp - first, key: r.key, value: r.value, headers: r.headers })),
    });
    return encoder.buffer;
  }

  it.each(ALL_CODECS)('their batches with codec %s decode here (their CRC-32C checked by ours)', async (codec) => {
    const input = records(100);
    const batch = decodeRecordBatch(await kafkajsBatch(codec, input));
    expect(batch).toMatchObject({ baseOffset: 100, producerId: 4, producerEpoch: 2, baseSequence: 10, recordCount: 100 });
    expect(batch.attributes & 0x17).toBe(0x10 | codec);
    expect(batch.records.map((r) => r.offset)).toEqual(input.map((_, i) => 100 + i));
    expect(batch.records.map((r) => r.value)).toEqual(input.map((r) => r.value));
    expect(batch.records.map((r) => r.timestamp)).toEqual(input.map((r) => r.timestamp));
  });

  it.each(ALL_CODECS)('our batches with codec %s decode in kafkajs', async (codec) => {
    const input: RecordInput[] = records(100).map((r) => ({ ...r, headers: Object.entries(r.headers).map(([key, value]) => ({ key, value })) }));
    const ours = encodeRecordBatch({ baseOffset: 100, records: input, compression: codec, producerId: 4, producerEpoch: 2, baseSequence: 10 });
    const theirs = await kafkajsDecodeRecordBatch(new KafkajsDecoder(ours));
    expect(theirs.firstOffset).toBe('100');
    expect(theirs.records.map((r: any) => r.offset)).toEqual(input.map((_, i) => String(100 + i)));
    expect(theirs.records.map((r: any) => r.value)).toEqual(input.map((r) => r.value));
    expect(theirs.records.map((r: any) => Number(r.timestamp))).toEqual(input.map((r) => r.timestamp));
    expect(theirs.records.map((r: any) => r.headers)).toEqual(input.map((r) => Object.fromEntries(r.headers!.map((h) => [h.key, h.value]))));
  });
});
