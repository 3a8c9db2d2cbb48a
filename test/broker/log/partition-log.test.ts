import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PartitionLog } from '../../../electron/broker/log/partition-log';
import { defaultLogConfig, type LogConfig } from '../../../electron/broker/log/log-config';
import {
  CorruptRecordError,
  InvalidRecordError,
  OffsetOutOfRangeError,
  RecordTooLargeError,
  UnexpectedAppendOffsetError,
} from '../../../electron/broker/log/errors';
import { updateBatchCrc } from '../../../electron/kafka/records/batch-header';
import { encodeRecordBatch } from '../../../electron/kafka/records/record-batch';
import { encodeMessageSet } from '../../../electron/kafka/records/message-set';
import { batch, collectingLogger, decodeAll, offsetsOf, removeDir, tempDir } from './helpers';

const dirs: string[] = [];
const logs: PartitionLog[] = [];
afterEach(async () => {
  for (const l of logs.splice(0)) if (!l.isClosed) l.abandon();
  for (const d of dirs.splice(0)) removeDir(d);
});

async function open(
  config: Partial<LogConfig> = {},
  dir?: string,
  now?: () => number,
): Promise<{ log: PartitionLog; dir: string; logger: ReturnType<typeof collectingLogger> }> {
  const d = dir ?? tempDir();
  if (!dir) dirs.push(d);
  const logger = collectingLogger();
  const log = await PartitionLog.open(path.join(d, 'topic-0'), defaultLogConfig({ fileDeleteDelayMs: 0, ...config }), { logger, ...(now ? { now } : {}) });
  logs.push(log);
  return { log, dir: d, logger };
}

/** Appends `n` batches of `per` records each; returns the appended first offsets. */
function fill(log: PartitionLog, n: number, per = 5, opts: Parameters<typeof batch>[1] = {}): number[] {
  const firsts: number[] = [];
  for (let i = 0; i < n; i++) firsts.push(log.append(batch(per, { timestamp: 1_000 + i * 10, ...opts }), { assignOffsets: true, leaderEpoch: 0 }).firstOffset);
  log.highWatermark = log.logEndOffset;
  return firsts;
}

/** Every offset in [from, end) read one fetch at a time from `from`. */
function readAllOffsets(log: PartitionLog, from = log.logStartOffset, maxBytes = 1 << 20): number[] {
  const out: number[] = [];
  let next = from;
  while (next < log.logEndOffset) {
    const r = log.read(next, maxBytes);
    if (r.records.length === 0) break;
    const offsets = offsetsOf(r.records).filter((o) => o >= next);
    out.push(...offsets);
    next = r.lastOffset + 1;
  }
  return out;
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

describe('PartitionLog append and read', () => {
  it('assigns offsets, stamps the epoch and reads batches back', async () => {
    const { log } = await open();
    const r1 = log.append(batch(3), { assignOffsets: true, leaderEpoch: 4 });
    expect(r1).toMatchObject({ firstOffset: 0, lastOffset: 2, logAppendTime: -1, recordCount: 3, batchCount: 1 });
    const two = Buffer.concat([batch(2), batch(4)]);
    const r2 = log.append(two, { assignOffsets: true, leaderEpoch: 4 });
    expect(r2).toMatchObject({ firstOffset: 3, lastOffset: 8, batchCount: 2, recordCount: 6 });
    expect(log.logEndOffset).toBe(9);
    const read = log.read(0, 1 << 20);
    const batches = decodeAll(read.records);
    expect(batches.map((b) => b.baseOffset)).toEqual([0, 3, 5]);
    expect(batches.every((b) => b.partitionLeaderEpoch === 4)).toBe(true);
    expect(offsetsOf(read.records)).toEqual(range(0, 9));
    // fetch inside a batch returns that whole batch
    expect(decodeAll(log.read(6, 1 << 20).records)[0]!.baseOffset).toBe(5);
    expect(log.read(9, 100).records.length).toBe(0);
  });

  it('finds the batch holding any offset, near the head (the newest batches) and before it, also after truncations', async () => {
    const { log } = await open({ indexIntervalBytes: 4096 });
    const check = () => {
      for (let offset = 0; offset < log.logEndOffset; offset++) {
        const first = decodeAll(log.read(offset, 1).records)[0]!;
        expect(first.baseOffset).toBeLessThanOrEqual(offset);
        expect(first.baseOffset + first.records.length).toBeGreaterThan(offset);
      }
      expect(log.read(log.logEndOffset, 1 << 20).records.length).toBe(0);
    };
    // Batches of 1..7 records, more of them than the segment remembers, several index entries apart.
    for (let i = 0; i < 120; i++) log.append(batch(1 + (i % 7), { valueSize: 40 }), { assignOffsets: true, leaderEpoch: 0 });
    check();
    log.truncateTo(300);
    check();
    for (let i = 0; i < 10; i++) log.append(batch(3), { assignOffsets: true, leaderEpoch: 1 });
    check();
    // A follower's batches with gaps between their offsets (as compaction leaves them).
    log.truncateTo(log.logEndOffset);
    const end = log.logEndOffset;
    log.append(Buffer.concat([batch(2, { baseOffset: end + 5 }), batch(2, { baseOffset: end + 20 })]), { assignOffsets: false });
    for (const offset of [end, end + 5, end + 6, end + 7, end + 19, end + 20, end + 21]) {
      expect(decodeAll(log.read(offset, 1).records)[0]!.baseOffset).toBe(offset <= end + 6 ? end + 5 : end + 20);
    }
  });

  it('honours maxBytes (first batch always whole) and the maxOffset bound', async () => {
    const { log } = await open();
    fill(log, 10, 5);
    const one = batch(5).length;
    expect(decodeAll(log.read(0, one * 2 + 1).records).length).toBe(2);
    expect(decodeAll(log.read(0, 10).records).length).toBe(1);
    expect(log.read(0, 10, undefined, false).records.length).toBe(0);
    expect(offsetsOf(log.read(0, 1 << 20, 12).records)).toEqual(range(0, 10));
    expect(log.read(10, 1 << 20, 12).records.length).toBe(0);
    expect(log.read(12, 1 << 20, 12).records.length).toBe(0);
  });

  it('throws OffsetOutOfRange outside the log', async () => {
    const { log } = await open();
    fill(log, 2);
    expect(() => log.read(11, 100)).toThrow(OffsetOutOfRangeError);
    try {
      log.read(-1, 100);
    } catch (e) {
      expect(e).toBeInstanceOf(OffsetOutOfRangeError);
      expect((e as OffsetOutOfRangeError).code).toBe(1);
      expect((e as OffsetOutOfRangeError).logEndOffset).toBe(10);
    }
  });

  it('rejects corrupt and invalid input without writing anything', async () => {
    const { log } = await open({ maxMessageBytes: 2000 });
    const good = batch(3);
    const bad = Buffer.from(batch(3));
    bad[bad.length - 1]! ^= 0xff;
    expect(() => log.append(Buffer.concat([good, bad]), { assignOffsets: true })).toThrow(CorruptRecordError);
    expect(() => log.append(good.subarray(0, good.length - 3), { assignOffsets: true })).toThrow(CorruptRecordError);
    const magic = Buffer.from(batch(1));
    magic[16] = 3;
    expect(() => log.append(magic, { assignOffsets: true })).toThrow(CorruptRecordError);
    // magic 1 reads as a legacy message, whose CRC-32 the batch's bytes do not match
    magic[16] = 1;
    expect(() => log.append(magic, { assignOffsets: true })).toThrow(CorruptRecordError);
    // well-formed, but two message formats in one append
    const legacy = encodeMessageSet({ magic: 1, messages: [{ value: Buffer.from('old') }] });
    expect(() => log.append(Buffer.concat([good, legacy]), { assignOffsets: true })).toThrow(InvalidRecordError);
    expect(() => log.append(batch(1, { valueSize: 3000 }), { assignOffsets: true })).toThrow(RecordTooLargeError);
    // a valid CRC over records that do not match the record count
    const lying = Buffer.from(batch(3));
    lying.writeInt32BE(4, 57);
    lying.writeInt32BE(3, 23);
    updateBatchCrc(lying, 0);
    expect(() => log.append(lying, { assignOffsets: true })).toThrow(InvalidRecordError);
    expect(() => log.append(lying, { assignOffsets: true })).toThrow(/declares 4 records but it holds 3/);
    expect(log.logEndOffset).toBe(0);
    expect(log.size()).toBe(0);
  });

  it('follower appends keep offsets and must increase', async () => {
    const { log } = await open();
    log.append(batch(3, { baseOffset: 0, epoch: 1 }), { assignOffsets: false });
    log.append(batch(2, { baseOffset: 3, epoch: 2 }), { assignOffsets: false });
    expect(() => log.append(batch(2, { baseOffset: 4 }), { assignOffsets: false })).toThrow(UnexpectedAppendOffsetError);
    log.append(batch(2, { baseOffset: 10, epoch: 2 }), { assignOffsets: false }); // gap (compacted leader)
    expect(log.logEndOffset).toBe(12);
    expect(offsetsOf(log.read(6, 1 << 20).records)).toEqual([10, 11]);
    expect(log.leaderEpochCache.all()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 3 },
    ]);
  });

  it('stamps LogAppendTime and recomputes the CRC', async () => {
    const { log } = await open({ messageTimestampType: 'LogAppendTime' }, undefined, () => 555_000);
    const r = log.append(batch(3, { timestamp: 1 }), { assignOffsets: true });
    expect(r.logAppendTime).toBe(555_000);
    const [b] = decodeAll(log.read(0, 1 << 20).records); // decode verifies the CRC
    expect(b!.maxTimestamp).toBe(555_000);
    expect(b!.records.map((x) => x.timestamp)).toEqual([555_000, 555_000, 555_000]);
  });

  it('rolls by segment.bytes and reads every offset across segments', async () => {
    const { log } = await open({ segmentBytes: 1000, indexIntervalBytes: 150 });
    fill(log, 60, 3);
    expect(log.segmentCount).toBeGreaterThan(5);
    const infos = log.segmentInfo();
    for (const s of infos) expect(s.size).toBeLessThanOrEqual(1000);
    expect(infos.some((s) => s.indexEntries > 0)).toBe(true);
    expect(readAllOffsets(log)).toEqual(range(0, 180));
    for (let o = 0; o < 180; o++) {
      const r = log.read(o, 1);
      const b = decodeAll(r.records)[0]!;
      expect(b.baseOffset <= o && o <= b.baseOffset + b.lastOffsetDelta).toBe(true);
    }
  });

  it('rolls by segment.ms using record timestamps', async () => {
    const { log } = await open({ segmentMs: 1000 });
    log.append(batch(1, { timestamp: 10_000 }), { assignOffsets: true });
    log.append(batch(1, { timestamp: 10_500 }), { assignOffsets: true });
    expect(log.segmentCount).toBe(1);
    log.append(batch(1, { timestamp: 11_001 }), { assignOffsets: true });
    expect(log.segmentCount).toBe(2);
    expect(log.segmentInfo().map((s) => s.baseOffset)).toEqual([0, 2]);
  });

  it('rolls by segment.ms on the injected clock (LogAppendTime)', async () => {
    let now = 50_000;
    const { log } = await open({ segmentMs: 1000, messageTimestampType: 'LogAppendTime' }, undefined, () => now);
    log.append(batch(1), { assignOffsets: true });
    now += 999;
    log.append(batch(1), { assignOffsets: true });
    expect(log.segmentCount).toBe(1);
    now += 2;
    log.append(batch(1), { assignOffsets: true });
    expect(log.segmentInfo().map((s) => s.baseOffset)).toEqual([0, 2]);
    expect(log.offsetForTimestamp(51_000)?.offset).toBe(2);
  });

  it('fsyncs per flush.messages', async () => {
    const { log, dir } = await open({ flushMessages: 5 });
    fill(log, 2, 3);
    expect(fs.readFileSync(path.join(dir, 'topic-0', 'recovery-point-offset-checkpoint'), 'utf8')).toBe('0\n6\n');
  });
});

describe('PartitionLog batch headers', () => {
  /** A batch of `count` records from idempotent producer `producerId` starting at `baseSequence`. */
  function producerBatch(producerId: number, baseSequence: number, count: number): Buffer {
    const records = Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.alloc(200, i), timestamp: 5_000 + i }));
    return encodeRecordBatch({ baseOffset: 0, records, timestamp: 5_000, producerId, producerEpoch: 3, baseSequence });
  }

  const summary = (h: { baseOffset: number; lastOffsetDelta: number; producerId: number; producerEpoch: number; baseSequence: number }) => ({
    baseOffset: h.baseOffset,
    lastOffset: h.baseOffset + h.lastOffsetDelta,
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
  });

  it('walks the headers from the batch holding an offset to the end, across segments, with their producer fields', async () => {
    const { log } = await open({ segmentBytes: 2_000 });
    for (let i = 0; i < 12; i++) log.append(producerBatch(7 + (i % 2), i * 4, 4), { assignOffsets: true, leaderEpoch: 0 });
    expect(log.segmentCount).toBeGreaterThan(3);
    // Offset 18 is inside the batch 16..19.
    const expected = [];
    for (let i = 4; i < 12; i++) expected.push({ baseOffset: i * 4, lastOffset: i * 4 + 3, producerId: 7 + (i % 2), producerEpoch: 3, baseSequence: i * 4 });
    expect([...log.batchHeadersFrom(18)].map(summary)).toEqual(expected);
    expect([...log.batchHeadersFrom(log.logEndOffset)]).toEqual([]);
  });

  it('leaves out batches entirely below the log start offset', async () => {
    const { log } = await open();
    for (let i = 0; i < 5; i++) log.append(producerBatch(9, i * 4, 4), { assignOffsets: true, leaderEpoch: 0 });
    log.highWatermark = log.logEndOffset;
    log.deleteRecordsBefore(10);
    expect([...log.batchHeadersFrom(0)].map((h) => h.baseOffset)).toEqual([8, 12, 16]);
  });
});
