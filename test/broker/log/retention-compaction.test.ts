import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PartitionLog } from '../../../electron/broker/log/partition-log';
import { defaultLogConfig, type LogConfig } from '../../../electron/broker/log/log-config';
import { OffsetOutOfRangeError } from '../../../electron/broker/log/errors';
import { batch, collectingLogger, decodeAll, offsetsOf, removeDir, tempDir } from './helpers';

const dirs: string[] = [];
const logs: PartitionLog[] = [];
afterEach(() => {
  for (const l of logs.splice(0)) if (!l.isClosed) l.abandon();
  for (const d of dirs.splice(0)) removeDir(d);
});

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

async function open(config: Partial<LogConfig> = {}, now: () => number = () => 1_000_000, dir?: string) {
  let d = dir;
  if (!d) {
    const t = tempDir();
    dirs.push(t);
    d = path.join(t, 'p-0');
  }
  const log = await PartitionLog.open(d, defaultLogConfig({ fileDeleteDelayMs: 0, segmentBytes: 1000, indexIntervalBytes: 100, ...config }), {
    logger: collectingLogger(),
    now,
  });
  logs.push(log);
  return log;
}

function allRecords(log: PartitionLog): Array<{ offset: number; key: string | null; value: string | null }> {
  const out: Array<{ offset: number; key: string | null; value: string | null }> = [];
  let next = log.logStartOffset;
  while (next < log.logEndOffset) {
    const r = log.read(next, 1 << 20);
    if (r.records.length === 0) break;
    for (const b of decodeAll(r.records)) {
      for (const rec of b.records) {
        if (rec.offset >= next) out.push({ offset: rec.offset, key: rec.key?.toString() ?? null, value: rec.value?.toString() ?? null });
      }
    }
    next = r.lastOffset + 1;
  }
  return out;
}

describe('retention, DeleteRecords, truncation', () => {
  it('deletes segments older than retention.ms and moves the log start', async () => {
    let now = 100_000;
    const log = await open({ retentionMs: 50_000 }, () => now);
    for (let i = 0; i < 40; i++) log.append(batch(3, { timestamp: 10_000 + i * 1_000 }), { assignOffsets: true });
    log.highWatermark = log.logEndOffset;
    const segs = log.segmentInfo();
    expect(segs.length).toBeGreaterThan(3);
    now = segs[1]!.maxTimestamp + 50_001; // the first two segments have expired
    const r = log.applyRetention();
    expect(r.deletedSegments).toBe(2);
    expect(log.logStartOffset).toBe(segs[2]!.baseOffset);
    expect(() => log.read(0, 100)).toThrow(OffsetOutOfRangeError);
    expect(allRecords(log).map((x) => x.offset)).toEqual(range(segs[2]!.baseOffset, 120));
    // everything expired: the active segment is rolled and deleted too, the log end stays
    now = 10_000_000;
    log.applyRetention();
    expect(log.logStartOffset).toBe(120);
    expect(log.logEndOffset).toBe(120);
    expect(log.size()).toBe(0);
    log.append(batch(1), { assignOffsets: true });
    expect(log.logEndOffset).toBe(121);
  });

  it('never deletes data above the high watermark', async () => {
    const log = await open({ retentionMs: 1 }, () => 10_000_000);
    for (let i = 0; i < 40; i++) log.append(batch(3), { assignOffsets: true });
    log.highWatermark = 0;
    expect(log.applyRetention().deletedSegments).toBe(0);
    log.highWatermark = log.segmentInfo()[2]!.baseOffset;
    expect(log.applyRetention().deletedSegments).toBe(2);
  });

  it('deletes the oldest segments while over retention.bytes', async () => {
    const log = await open({ retentionBytes: 2500 });
    for (let i = 0; i < 40; i++) log.append(batch(3), { assignOffsets: true });
    log.highWatermark = log.logEndOffset;
    const before = log.size();
    const r = log.applyRetention();
    expect(r.deletedSegments).toBeGreaterThan(0);
    // Kafka deletes a segment only while the log stays at or above the limit without it
    expect(log.size()).toBeGreaterThanOrEqual(2500);
    expect(log.size() - 2500).toBeLessThan(log.segmentInfo()[0]!.size);
    expect(log.size() + r.deletedBytes).toBe(before);
    expect(log.logStartOffset).toBe(log.segmentInfo()[0]!.baseOffset);
  });

  it('retention does not apply to compact-only topics', async () => {
    const log = await open({ retentionMs: 1, cleanupPolicy: ['compact'] }, () => 10_000_000);
    for (let i = 0; i < 20; i++) log.append(batch(3), { assignOffsets: true });
    log.highWatermark = log.logEndOffset;
    expect(log.applyRetention().deletedSegments).toBe(0);
  });

  it('deleteRecordsBefore moves the log start and drops whole segments below it', async () => {
    const log = await open();
    for (let i = 0; i < 40; i++) log.append(batch(3), { assignOffsets: true });
    expect(() => log.deleteRecordsBefore(10)).toThrow(OffsetOutOfRangeError); // above the HW (0)
    log.highWatermark = 100;
    const segs = log.segmentInfo();
    const target = segs[2]!.baseOffset + 1;
    expect(log.deleteRecordsBefore(target)).toBe(target);
    expect(log.logStartOffset).toBe(target);
    expect(log.segmentInfo()[0]!.baseOffset).toBe(segs[2]!.baseOffset);
    expect(allRecords(log)[0]!.offset).toBe(target);
    expect(() => log.read(target - 1, 100)).toThrow(OffsetOutOfRangeError);
    expect(log.deleteRecordsBefore(-1)).toBe(100);
    expect(log.earliestOffset()).toBe(100);
  });

  it('truncateTo removes whole batches at and after the offset, across segments', async () => {
    const log = await open();
    for (let i = 0; i < 40; i++) log.append(batch(3, { timestamp: 5000 + i }), { assignOffsets: true, leaderEpoch: i < 20 ? 1 : 2 });
    log.highWatermark = log.logEndOffset;
    expect(log.segmentCount).toBeGreaterThan(3);
    expect(log.truncateTo(61)).toBe(60); // batch 60..62 goes whole
    expect(log.logEndOffset).toBe(60);
    expect(log.highWatermark).toBe(60);
    expect(log.leaderEpochCache.all()).toEqual([{ epoch: 1, startOffset: 0 }]);
    expect(allRecords(log).map((x) => x.offset)).toEqual(range(0, 60));
    for (let o = 0; o < 60; o++) expect(offsetsOf(log.read(o, 1).records)).toContain(o);
    const r = log.append(batch(2), { assignOffsets: true, leaderEpoch: 3 });
    expect(r.firstOffset).toBe(60);
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 60 });
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 1, endOffset: 60 });
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 62 });
    expect(log.maxTimestampOffset()?.offset).toBe(59);
  });

  it('truncateFullyAndStartAt restarts the log at an offset', async () => {
    const log = await open();
    for (let i = 0; i < 10; i++) log.append(batch(3), { assignOffsets: true, leaderEpoch: 1 });
    log.truncateFullyAndStartAt(500);
    expect([log.logStartOffset, log.logEndOffset, log.size()]).toEqual([500, 500, 0]);
    log.append(batch(2, { baseOffset: 500 }), { assignOffsets: false });
    expect(log.logEndOffset).toBe(502);
  });
});

describe('leader epochs and timestamps', () => {
  it('answers OffsetForLeaderEpoch like Kafka', async () => {
    const log = await open();
    log.append(batch(5), { assignOffsets: true, leaderEpoch: 2 });
    log.append(batch(5), { assignOffsets: true, leaderEpoch: 4 });
    log.append(batch(5), { assignOffsets: true, leaderEpoch: 7 });
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 0 });
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 2, endOffset: 5 });
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 2, endOffset: 5 });
    expect(log.endOffsetForEpoch(4)).toEqual({ epoch: 4, endOffset: 10 });
    expect(log.endOffsetForEpoch(6)).toEqual({ epoch: 4, endOffset: 10 });
    expect(log.endOffsetForEpoch(7)).toEqual({ epoch: 7, endOffset: 15 });
    expect(log.endOffsetForEpoch(8)).toEqual({ epoch: -1, endOffset: -1 });
    expect(log.endOffsetForEpoch(-1)).toEqual({ epoch: -1, endOffset: -1 });
  });

  it('finds offsets by timestamp at record granularity', async () => {
    const log = await open({ indexIntervalBytes: 50 });
    // batch i holds records with timestamps 10_000 + i*100 + j
    for (let i = 0; i < 30; i++) log.append(batch(4, { timestamp: 10_000 + i * 100 }), { assignOffsets: true, leaderEpoch: 3 });
    expect(log.segmentCount).toBeGreaterThan(2);
    expect(log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: 10_000, leaderEpoch: 3 });
    expect(log.offsetForTimestamp(10_502)?.offset).toBe(22);
    expect(log.offsetForTimestamp(10_504)?.offset).toBe(24); // between batches -> next batch's first record
    expect(log.offsetForTimestamp(12_903)?.offset).toBe(119);
    expect(log.offsetForTimestamp(12_904)).toBeNull();
    expect(log.offsetForTimestamp(12_903, 119)).toBeNull();
    expect(log.offsetForTimestamp(12_903, 120)?.offset).toBe(119);
    for (let i = 0; i < 30; i++) expect(log.offsetForTimestamp(10_000 + i * 100 + 1)?.offset).toBe(i * 4 + 1);
    expect(log.maxTimestampOffset()).toEqual({ offset: 119, timestamp: 12_903, leaderEpoch: 3 });
  });
});

describe('compaction', () => {
  it('keeps the latest record per key, drops old tombstones, preserves offsets', async () => {
    let now = 905_000;
    const log = await open({ cleanupPolicy: ['compact'], deleteRetentionMs: 10_000, segmentBytes: 400 }, () => now);
    const keys = ['a', 'b', 'c', 'd'];
    let n = 0;
    for (let round = 0; round < 6; round++) {
      for (const k of keys) {
        const value = k === 'b' && round === 5 ? null : `${k}${round}`;
        log.append(batch(1, { keys: [k], values: [value], timestamp: 900_000 + n++ }), { assignOffsets: true });
      }
    }
    log.append(batch(1, { keys: ['z'], values: ['tail'], timestamp: 900_000 + n }), { assignOffsets: true });
    log.roll();
    log.highWatermark = log.logEndOffset;
    const before = allRecords(log);
    expect(before.length).toBe(25);
    const r = log.compact();
    expect(r.recordsRemoved).toBe(20);
    let after = allRecords(log);
    expect(after).toEqual([
      { offset: 20, key: 'a', value: 'a5' },
      { offset: 21, key: 'b', value: null },
      { offset: 22, key: 'c', value: 'c5' },
      { offset: 23, key: 'd', value: 'd5' },
      { offset: 24, key: 'z', value: 'tail' },
    ]);
    // offsets 0..19 now read as the next retained record
    expect(offsetsOf(log.read(3, 1 << 20).records)[0]).toBe(20);
    // tombstone older than delete.retention.ms goes
    now = 900_021 + 10_001;
    log.compact();
    after = allRecords(log);
    expect(after.map((x) => x.key)).toEqual(['a', 'c', 'd', 'z']);
    expect(log.logEndOffset).toBe(25);
    // survives a restart, indexes consistent
    const dir = log.dir;
    await log.close();
    const again = await open({ cleanupPolicy: ['compact'] }, () => now, dir);
    expect(allRecords(again).map((x) => x.offset)).toEqual([20, 22, 23, 24]);
  });

  it('re-encodes partially kept batches with their base offset and producer fields', async () => {
    const log = await open({ cleanupPolicy: ['compact'], segmentBytes: 1 << 20 });
    log.append(batch(4, { keys: ['a', 'b', 'a', 'c'], values: ['1', '2', '3', '4'] }), { assignOffsets: true, leaderEpoch: 5 });
    log.append(batch(2, { keys: ['b', 'x'], values: ['5', '6'] }), { assignOffsets: true, leaderEpoch: 5 });
    log.roll();
    log.highWatermark = log.logEndOffset;
    log.compact();
    const batches = decodeAll(log.read(0, 1 << 20).records);
    expect(batches[0]).toMatchObject({ baseOffset: 0, lastOffsetDelta: 3, partitionLeaderEpoch: 5, recordCount: 2 });
    expect(batches[0]!.records.map((r) => [r.offset, r.key?.toString()])).toEqual([
      [2, 'a'],
      [3, 'c'],
    ]);
    expect(batches[1]!.records.map((r) => r.offset)).toEqual([4, 5]);
  });

  it('does not touch the active segment, data above the HW, or data newer than min.compaction.lag.ms', async () => {
    const now = 1_000_000;
    const log = await open({ cleanupPolicy: ['compact'], segmentBytes: 1 << 20, minCompactionLagMs: 60_000 }, () => now);
    for (let i = 0; i < 5; i++) log.append(batch(1, { keys: ['k'], values: [`${i}`], timestamp: now - 1000 }), { assignOffsets: true });
    expect(log.compact().cleanedSegments).toBe(0); // active segment only
    log.roll();
    log.highWatermark = log.logEndOffset;
    expect(log.compact().cleanedSegments).toBe(0); // too recent
    const log2 = await open({ cleanupPolicy: ['compact'], segmentBytes: 1 << 20 }, () => now);
    for (let i = 0; i < 5; i++) log2.append(batch(1, { keys: ['k'], values: [`${i}`] }), { assignOffsets: true });
    log2.roll();
    log2.highWatermark = 2;
    expect(log2.compact().cleanedSegments).toBe(0); // above the HW
    log2.highWatermark = 5;
    expect(log2.compact().recordsRemoved).toBe(4);
    expect(fs.readdirSync(log2.dir).some((f) => f.endsWith('.cleaned'))).toBe(false);
  });
});

describe('compaction: merging, crash leftovers, scheduling, validation', () => {
  it('merges small cleaned segments and keeps every retained offset readable', async () => {
    const log = await open({ cleanupPolicy: ['compact'], segmentBytes: 300 });
    for (let i = 0; i < 60; i++) log.append(batch(1, { keys: [`k${i % 3}`], values: [`v${i}`] }), { assignOffsets: true });
    log.roll();
    log.highWatermark = log.logEndOffset;
    const before = log.segmentCount;
    const r = log.compact();
    expect(r.mergedSegments).toBeGreaterThan(0);
    expect(log.segmentCount).toBeLessThan(before);
    expect(allRecords(log).map((x) => x.offset)).toEqual([57, 58, 59]);
    for (let o = 0; o < 60; o++) expect(offsetsOf(log.read(o, 1 << 20).records)[0]).toBe(Math.max(57, o));
    const dir = log.dir;
    await log.close();
    const again = await open({ cleanupPolicy: ['compact'], segmentBytes: 300 }, undefined, dir);
    expect(allRecords(again).map((x) => x.offset)).toEqual([57, 58, 59]);
  });

  it('recovers from a crash between the merge commit and deleting the merged segments', async () => {
    const log = await open({ cleanupPolicy: ['compact'], segmentBytes: 300 });
    for (let i = 0; i < 30; i++) log.append(batch(1, { keys: [`k${i}`], values: [`v${i}`] }), { assignOffsets: true });
    log.roll();
    log.highWatermark = log.logEndOffset;
    const dir = log.dir;
    await log.close();
    // Simulate: segments 0 and the next were merged into 0's file, the second file not yet deleted.
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .sort();
    const merged = Buffer.concat([fs.readFileSync(path.join(dir, files[0]!)), fs.readFileSync(path.join(dir, files[1]!))]);
    fs.writeFileSync(path.join(dir, files[0]!), merged);
    fs.rmSync(path.join(dir, files[0]!.replace('.log', '.index')));
    const logger = collectingLogger();
    const again = await PartitionLog.open(dir, defaultLogConfig({ cleanupPolicy: ['compact'], segmentBytes: 300, fileDeleteDelayMs: 0 }), { logger });
    logs.push(again);
    expect(logger.messages.join('\n')).toMatch(/overlaps/);
    expect(fs.existsSync(path.join(dir, files[1]!))).toBe(false);
    expect(allRecords(again).map((x) => x.offset)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('skips a pass when nothing new is cleanable, unless forced', async () => {
    const log = await open({ cleanupPolicy: ['compact'], segmentBytes: 300 });
    for (let i = 0; i < 20; i++) log.append(batch(1, { keys: ['k'], values: [`v${i}`] }), { assignOffsets: true });
    log.roll();
    log.highWatermark = log.logEndOffset;
    expect(log.compact().skipped).toBe(false);
    expect(log.compact().skipped).toBe(true);
    expect(log.compact(undefined, { force: true }).skipped).toBe(false);
    for (let i = 0; i < 20; i++) log.append(batch(1, { keys: ['k'], values: [`w${i}`] }), { assignOffsets: true });
    log.roll();
    log.highWatermark = log.logEndOffset;
    const r = log.compact();
    expect(r.skipped).toBe(false);
    expect(allRecords(log).map((x) => x.value)).toEqual(['w19']);
  });

  it('refuses records without a key on compacted topics', async () => {
    const log = await open({ cleanupPolicy: ['compact'] });
    expect(() => log.append(batch(2, { keys: ['a', null] }), { assignOffsets: true })).toThrow(/without key/);
    expect(log.logEndOffset).toBe(0);
    log.append(batch(2, { keys: ['a', 'b'] }), { assignOffsets: true });
    expect(log.logEndOffset).toBe(2);
  });
});
