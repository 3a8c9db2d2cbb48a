import { beforeAll, describe, expect, it } from 'vitest';
import { crc32c } from '../../../electron/kafka/protocol/crc32c';
import { ProtocolDecodeError } from '../../../electron/kafka/protocol/errors';
import { isBatchCrcValid, readBatchHeader } from '../../../electron/kafka/records/batch-header';
import { COMPRESSION_NAMES, CompressionType, initCompression } from '../../../electron/kafka/records/compression';
import {
  ControlRecordType,
  type RecordInput,
  TimestampType,
  decodeBatches,
  decodeEndTxnMarker,
  decodeRecordBatch,
  encodeEndTxnMarkerBatch,
  encodeRecordBatch,
  iterateBatches,
  scanBatches,
} from '../../../electron/kafka/records/record-batch';

const CODECS = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd] as const;

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

function sampleRecords(count: number): RecordInput[] {
  const records: RecordInput[] = [];
  for (let i = 0; i < count; i++) {
    records.push({
      key: i % 5 === 0 ? null : Buffer.from(`key-${i}`),
      value: i % 7 === 3 ? null : Buffer.from(`value-${i}-`.repeat(1 + (i % 4))),
      headers:
        i % 3 === 0
          ? []
          : [
              { key: 'trace-id', value: Buffer.from(`t${i}`) },
              { key: 'ünïcode', value: null },
            ],
      timestamp: 1_700_000_000_000 + i * 3 - (i === 2 ? 10 : 0),
    });
  }
  return records;
}

beforeAll(async () => {
  await initCompression();
});

describe('encodeRecordBatch / decodeRecordBatch', () => {
  it('matches a batch built by hand, field by field (golden vector)', () => {
    const encoded = encodeRecordBatch({
      baseOffset: 5,
      partitionLeaderEpoch: 3,
      producerId: 42,
      producerEpoch: 1,
      baseSequence: 7,
      records: [
        { key: Buffer.from('k'), value: Buffer.from('v1'), headers: [{ key: 'h', value: Buffer.from('x') }], timestamp: 1000 },
        { key: null, value: null, timestamp: 1005 },
      ],
    });
    const records = Buffer.from([
      // record 0: length 13, attributes 0, timestampDelta 0, offsetDelta 0, key "k", value "v1", 1 header h=x
      0x1a, 0x00, 0x00, 0x00, 0x02, 0x6b, 0x04, 0x76, 0x31, 0x02, 0x02, 0x68, 0x02, 0x78,
      // record 1: length 6, attributes 0, timestampDelta 5, offsetDelta 1, null key, null value, 0 headers
      0x0c, 0x00, 0x0a, 0x02, 0x01, 0x01, 0x00,
    ]);
    const afterCrc = Buffer.alloc(40);
    afterCrc.writeInt16BE(0, 0); // attributes
    afterCrc.writeInt32BE(1, 2); // lastOffsetDelta
    afterCrc.writeBigInt64BE(1000n, 6); // baseTimestamp
    afterCrc.writeBigInt64BE(1005n, 14); // maxTimestamp
    afterCrc.writeBigInt64BE(42n, 22); // producerId
    afterCrc.writeInt16BE(1, 30); // producerEpoch
    afterCrc.writeInt32BE(7, 32); // baseSequence
    afterCrc.writeInt32BE(2, 36); // record count
    const crcRange = Buffer.concat([afterCrc, records]);
    const head = Buffer.alloc(21);
    head.writeBigInt64BE(5n, 0); // baseOffset
    head.writeInt32BE(9 + crcRange.length, 8); // batchLength: epoch + magic + crc + the rest
    head.writeInt32BE(3, 12); // partitionLeaderEpoch
    head.writeInt8(2, 16); // magic
    head.writeUInt32BE(crc32c(crcRange), 17);
    const expected = Buffer.concat([head, crcRange]);
    expect(encoded.toString('hex')).toBe(expected.toString('hex'));

    const batch = decodeRecordBatch(encoded);
    expect(batch).toMatchObject({
      baseOffset: 5,
      lastOffsetDelta: 1,
      baseTimestamp: 1000,
      maxTimestamp: 1005,
      producerId: 42,
      producerEpoch: 1,
      baseSequence: 7,
      recordCount: 2,
    });
    expect(batch.records[0]).toMatchObject({
      offset: 5,
      timestamp: 1000,
      key: Buffer.from('k'),
      value: Buffer.from('v1'),
      headers: [{ key: 'h', value: Buffer.from('x') }],
    });
    expect(batch.records[1]).toMatchObject({ offset: 6, timestamp: 1005, offsetDelta: 1, timestampDelta: 5, key: null, value: null, headers: [] });
  });

  it.each(CODECS)('round-trips records compressed with codec %s', (codec) => {
    const input = sampleRecords(500);
    const encoded = encodeRecordBatch({
      baseOffset: 1_000_000,
      records: input,
      compression: codec,
      producerId: 9_007_199_254_740,
      producerEpoch: 12,
      baseSequence: 100,
      transactional: true,
      partitionLeaderEpoch: 4,
    });
    const header = readBatchHeader(encoded);
    expect(header.attributes & 7).toBe(codec);
    expect(isBatchCrcValid(encoded, 0, header)).toBe(true);
    const batch = decodeRecordBatch(encoded);
    expect(batch.records).toHaveLength(500);
    expect(batch.lastOffsetDelta).toBe(499);
    expect(batch.baseTimestamp).toBe(1_700_000_000_000);
    expect(batch.maxTimestamp).toBe(1_700_000_000_000 + 499 * 3);
    expect(batch).toMatchObject({ producerId: 9_007_199_254_740, producerEpoch: 12, baseSequence: 100, partitionLeaderEpoch: 4 });
    expect(batch.attributes & 0x10).toBe(0x10);
    batch.records.forEach((record, i) => {
      const want = input[i]!;
      expect(record.offset).toBe(1_000_000 + i);
      expect(record.timestamp).toBe(want.timestamp);
      expect(record.key).toEqual(want.key);
      expect(record.value).toEqual(want.value);
      expect(record.headers).toEqual(want.headers);
    });
    if (codec !== CompressionType.None) {
      const plain = encodeRecordBatch({ baseOffset: 1_000_000, records: input, producerId: 9_007_199_254_740 });
      expect(encoded.length, COMPRESSION_NAMES[codec]).toBeLessThan(plain.length);
    }
  });

  it('keeps explicit offsets, large values, negative and far timestamp deltas', () => {
    const big = Buffer.alloc(100_000, 7);
    const encoded = encodeRecordBatch({
      baseOffset: 10,
      records: [
        { value: big, offset: 10, timestamp: 5_000_000_000_000 },
        { value: Buffer.from('b'), offset: 13, timestamp: 1 },
        { value: Buffer.from('c'), offset: 20, timestamp: -1 },
      ],
    });
    const batch = decodeRecordBatch(encoded);
    expect(batch.lastOffsetDelta).toBe(10);
    expect(batch.records.map((r) => r.offset)).toEqual([10, 13, 20]);
    expect(batch.records.map((r) => r.timestamp)).toEqual([5_000_000_000_000, 1, -1]);
    expect(batch.records[0]!.value!.equals(big)).toBe(true);
  });

  it('gives records the batch maxTimestamp for LogAppendTime', () => {
    const encoded = encodeRecordBatch({
      records: [
        { value: Buffer.from('a'), timestamp: 1 },
        { value: Buffer.from('b'), timestamp: 2 },
      ],
      timestampType: TimestampType.LogAppendTime,
      maxTimestamp: 99,
    });
    const batch = decodeRecordBatch(encoded);
    expect(batch.attributes & 0x08).toBe(0x08);
    expect(batch.records.map((r) => r.timestamp)).toEqual([99, 99]);
  });

  it('writes and reads control batches with transaction markers', () => {
    const encoded = encodeEndTxnMarkerBatch({
      baseOffset: 77,
      producerId: 5,
      producerEpoch: 2,
      type: ControlRecordType.Commit,
      coordinatorEpoch: 9,
      timestamp: 1234,
    });
    const batch = decodeRecordBatch(encoded);
    expect(batch.attributes & 0x30).toBe(0x30);
    expect(batch).toMatchObject({ baseOffset: 77, producerId: 5, producerEpoch: 2, recordCount: 1 });
    expect(decodeEndTxnMarker(batch.records[0]!)).toEqual({ type: ControlRecordType.Commit, coordinatorEpoch: 9 });
  });

  it('rejects a CRC mismatch with a clear error naming both CRCs', () => {
    const encoded = encodeRecordBatch({ records: sampleRecords(10), compression: CompressionType.Lz4 });
    const corrupt = Buffer.from(encoded);
    corrupt[corrupt.length - 5] = corrupt[corrupt.length - 5]! ^ 0x01;
    const stored = readBatchHeader(corrupt).crc;
    const error = catchError(() => decodeRecordBatch(corrupt));
    expect(error).toBeInstanceOf(ProtocolDecodeError);
    expect((error as Error).message).toMatch(/CRC mismatch/);
    expect((error as Error).message).toContain(`stored CRC-32C 0x${stored.toString(16).padStart(8, '0')}`);
    expect((error as Error).message).toMatch(/computed 0x[0-9a-f]{8}/);
    // With the check off the bytes are decoded as they are (here, a corrupt lz4 stream or records).
    const unchecked = catchError(() => decodeRecordBatch(corrupt, 0, { verifyCrc: false }));
    if (unchecked) expect(unchecked).toBeInstanceOf(ProtocolDecodeError);
  });

  it('raises ProtocolDecodeError for truncated and garbage input', () => {
    const encoded = encodeRecordBatch({ records: sampleRecords(20) });
    for (const cut of [0, 10, 30, 60, 61, encoded.length - 1]) {
      expect(catchError(() => decodeRecordBatch(encoded.subarray(0, cut)))).toBeInstanceOf(ProtocolDecodeError);
    }
    let seed = 12345;
    for (let n = 0; n < 300; n++) {
      const garbage = Buffer.from(encoded);
      for (let k = 0; k < 4; k++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        const at = 12 + (seed % (garbage.length - 12));
        garbage[at] = seed >>> 24;
      }
      const error = catchError(() => decodeRecordBatch(garbage, 0, { verifyCrc: false }));
      if (error !== undefined) expect(error).toBeInstanceOf(ProtocolDecodeError);
    }
    // A record count far beyond what the bytes can hold is rejected before anything is allocated.
    const huge = Buffer.from(encoded);
    huge.writeInt32BE(0x7fffffff, 57);
    expect((catchError(() => decodeRecordBatch(huge, 0, { verifyCrc: false })) as Error).message).toMatch(/record count/);
  });

  it('bounds the decompressed size of a batch', () => {
    const records = Array.from({ length: 100 }, () => ({ value: Buffer.alloc(100_000, 1) }));
    for (const codec of CODECS.slice(1)) {
      const encoded = encodeRecordBatch({ records, compression: codec });
      expect(encoded.length).toBeLessThan(1_000_000);
      const error = catchError(() => decodeRecordBatch(encoded, 0, { maxDecompressedBytes: 1_000_000 }));
      expect(error, COMPRESSION_NAMES[codec]).toBeInstanceOf(ProtocolDecodeError);
      expect((error as Error).message).toMatch(/limit of 1000000 bytes/);
      expect(decodeRecordBatch(encoded, 0, { maxDecompressedBytes: 20_000_000 }).records).toHaveLength(100);
    }
  });
});

describe('concatenated batches', () => {
  let a: Buffer;
  let b: Buffer;
  let c: Buffer;
  beforeAll(() => {
    a = encodeRecordBatch({ baseOffset: 0, records: sampleRecords(3) });
    b = encodeRecordBatch({ baseOffset: 3, records: sampleRecords(4), compression: CompressionType.Gzip });
    c = encodeRecordBatch({ baseOffset: 7, records: sampleRecords(2), compression: CompressionType.Zstd });
  });

  it('walks every batch of a records field', () => {
    const all = Buffer.concat([a, b, c]);
    const scan = scanBatches(all);
    expect(scan.spans.map((s) => [s.offset, s.size, s.magic])).toEqual([
      [0, a.length, 2],
      [a.length, b.length, 2],
      [a.length + b.length, c.length, 2],
    ]);
    expect(scan.partialBytes).toBe(0);
    const { batches, partialBytes } = decodeBatches(all);
    expect(batches.flatMap((x) => x.records.map((r) => r.offset))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(partialBytes).toBe(0);
  });

  it('reports a trailing partial batch (as fetch responses may end) instead of failing', () => {
    for (const cut of [1, 11, 12, 16, 17, 60, c.length - 1]) {
      const all = Buffer.concat([a, b, c.subarray(0, cut)]);
      const scan = scanBatches(all);
      expect(scan.spans).toHaveLength(2);
      expect(scan.partialOffset).toBe(a.length + b.length);
      expect(scan.partialBytes).toBe(cut);
      const it = iterateBatches(all);
      const seen: number[] = [];
      let next = it.next();
      while (!next.done) {
        seen.push(next.value.baseOffset);
        next = it.next();
      }
      expect(seen).toEqual([0, 3]);
      expect(next.value).toEqual({ partialOffset: a.length + b.length, partialBytes: cut });
      expect(catchError(() => [...iterateBatches(all, { rejectPartial: true })])).toBeInstanceOf(ProtocolDecodeError);
    }
  });

  it('rejects impossible lengths and unknown magic', () => {
    const bad = Buffer.from(a);
    bad.writeInt32BE(10, 8);
    expect(catchError(() => scanBatches(bad))).toBeInstanceOf(ProtocolDecodeError);
    const badMagic = Buffer.from(a);
    badMagic[16] = 7;
    expect(catchError(() => scanBatches(badMagic))).toBeInstanceOf(ProtocolDecodeError);
  });
});
