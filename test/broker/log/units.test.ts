import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LeaderEpochCache } from '../../../electron/broker/log/leader-epoch-cache';
import { OffsetIndex, TimeIndex } from '../../../electron/broker/log/indexes';
import { readEpochCheckpoint, readOffsetCheckpoint, writeOffsetCheckpoint } from '../../../electron/broker/log/checkpoint';
import { removeDir, tempDir } from './helpers';
import { skipBecause } from '../../support/skip';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

function file(name: string): string {
  const d = tempDir();
  dirs.push(d);
  return path.join(d, name);
}

describe('LeaderEpochCache', () => {
  it('assigns, persists and truncates like Kafka', () => {
    const f = file('leader-epoch-checkpoint');
    const c = LeaderEpochCache.load(f);
    c.assign(1, 0);
    c.assign(1, 5); // same epoch: ignored
    c.assign(3, 10);
    c.assign(2, 12); // older epoch: ignored
    c.assign(5, 20);
    expect(fs.readFileSync(f, 'utf8')).toBe('0\n3\n1 0\n3 10\n5 20\n');
    expect(LeaderEpochCache.load(f).all()).toEqual(c.all());
    c.truncateFromEnd(20);
    expect(c.all()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 3, startOffset: 10 },
    ]);
    c.truncateFromStart(12);
    expect(c.all()).toEqual([{ epoch: 3, startOffset: 12 }]);
    expect(readEpochCheckpoint(f)).toEqual([{ epoch: 3, startOffset: 12 }]);
    c.truncateFromStart(12);
    expect(c.all()).toEqual([{ epoch: 3, startOffset: 12 }]);
  });

  it('a new epoch starting at or below existing entries replaces them', () => {
    const c = LeaderEpochCache.load(file('e'));
    c.assign(1, 0);
    c.assign(2, 10);
    c.assign(4, 10);
    expect(c.all()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 4, startOffset: 10 },
    ]);
    expect(c.endOffsetForEpoch(2, 50)).toEqual({ epoch: 1, endOffset: 10 });
    expect(c.endOffsetForEpoch(0, 50)).toEqual({ epoch: 0, endOffset: 0 });
  });

  it('ignores a malformed checkpoint', () => {
    const f = file('e');
    fs.writeFileSync(f, 'garbage');
    expect(LeaderEpochCache.load(f).all()).toEqual([]);
    writeOffsetCheckpoint(f, 42);
    expect(readOffsetCheckpoint(f)).toBe(42);
    fs.writeFileSync(f, '1\n42\n');
    expect(readOffsetCheckpoint(f)).toBeNull();
  });
});

describe('indexes', () => {
  it('offset index: floor lookups, truncation, Kafka file format', () => {
    const idx = new OffsetIndex(100);
    idx.append(109, 0);
    idx.append(119, 500);
    idx.append(119, 900); // not increasing: ignored
    idx.append(150, 1000);
    expect(idx.lookup(99)).toBe(0);
    expect(idx.lookup(118)).toBe(0);
    expect(idx.lookup(119)).toBe(500);
    expect(idx.lookup(149)).toBe(500);
    expect(idx.lookup(10_000)).toBe(1000);
    const buf = idx.toBuffer();
    expect(buf.length).toBe(24);
    expect([buf.readInt32BE(8), buf.readInt32BE(12)]).toEqual([19, 500]);
    expect(OffsetIndex.fromBuffer(100, buf, 2000)!.lookup(149)).toBe(500);
    expect(OffsetIndex.fromBuffer(100, buf, 1000)).toBeNull(); // position beyond the log
    expect(OffsetIndex.fromBuffer(100, buf.subarray(0, 20), 2000)).toBeNull();
    idx.truncateToPosition(500);
    expect(idx.entries).toBe(1);
    for (let i = 0; i < 1000; i++) idx.append(200 + i, 2000 + i * 10);
    expect(idx.lookup(700)).toBe(2000 + 500 * 10);
  });

  it('time index: entries before a timestamp', () => {
    const t = new TimeIndex(0);
    t.maybeAppend(100, 0);
    t.maybeAppend(100, 5); // same timestamp: ignored
    t.maybeAppend(200, 10);
    t.maybeAppend(300, 20);
    expect(t.lookupBefore(100)).toBe(-1);
    expect(t.lookupBefore(101)).toBe(0);
    expect(t.lookupBefore(300)).toBe(10);
    expect(t.lookupBefore(1e12)).toBe(20);
    const copy = TimeIndex.fromBuffer(0, t.toBuffer())!;
    expect(copy.lastEntry()).toEqual({ timestamp: 300, offset: 20 });
    t.truncateToOffset(10);
    expect(t.lastEntry()).toEqual({ timestamp: 100, offset: 0 });
  });
});

describe('fd budget', () => {
  it.skipIf(skipBecause('fd budget test', fs.existsSync('/proc/self/fd') ? null : 'it counts open files in /proc/self/fd, which only Linux has'))(
    'closes idle fds of inactive segments and reopens them on read',
    async () => {
      const { PartitionLog } = await import('../../../electron/broker/log/partition-log');
      const { defaultLogConfig } = await import('../../../electron/broker/log/log-config');
      const { setInactiveSegmentFdLimit } = await import('../../../electron/broker/log/segment');
      const { batch, offsetsOf } = await import('./helpers');
      const root = tempDir();
      dirs.push(root);
      setInactiveSegmentFdLimit(2);
      try {
        const log = await PartitionLog.open(path.join(root, 't-0'), defaultLogConfig({ segmentBytes: 300, fileDeleteDelayMs: 0 }));
        for (let i = 0; i < 40; i++) log.append(batch(2), { assignOffsets: true });
        await new Promise((r) => setTimeout(r, 50)); // background fsyncs of rolled segments
        const fds = fs.readdirSync('/proc/self/fd').length;
        for (let o = 0; o < 80; o++) expect(offsetsOf(log.read(o, 1).records)).toContain(o);
        expect(fs.readdirSync('/proc/self/fd').length).toBeLessThanOrEqual(fds + 2);
        await log.close();
      } finally {
        setInactiveSegmentFdLimit(256);
      }
    },
  );
});
