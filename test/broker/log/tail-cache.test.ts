/**
 * The active segment's tail cache: appends the log was handed (`retain`) are kept by reference when
 * large, everything else is copied; reads at the head come from memory either way and equal the disk.
 */
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultLogConfig } from '../../../electron/broker/log/log-config';
import { PartitionLog } from '../../../electron/broker/log/partition-log';
import { TailCache } from '../../../electron/broker/log/segment';
import { batch, offsetsOf, removeDir, tempDir } from './helpers';

const dirs: string[] = [];
const logs: PartitionLog[] = [];
afterEach(async () => {
  for (const l of logs.splice(0)) if (!l.isClosed) l.abandon();
  for (const d of dirs.splice(0)) removeDir(d);
});

async function open(tailCacheBytes?: number): Promise<PartitionLog> {
  const dir = tempDir();
  dirs.push(dir);
  const log = await PartitionLog.open(
    path.join(dir, 'topic-0'),
    defaultLogConfig({ fileDeleteDelayMs: 0 }),
    tailCacheBytes === undefined ? {} : { tailCacheBytes },
  );
  logs.push(log);
  return log;
}

/** A batch of ~`bytes` bytes (records of 1 KiB). */
const big = (bytes: number) => batch(Math.ceil(bytes / 1040), { valueSize: 1024 });

describe('TailCache', () => {
  it('keeps large retained appends by reference and copies the rest', () => {
    const cache = new TailCache(4 << 20);
    const large = Buffer.alloc(100_000, 1);
    cache.append(0, large, true);
    expect(cache.slabFor(0, large.length)!.buf.buffer).toBe(large.buffer);
    const copied = Buffer.alloc(100_000, 2);
    cache.append(large.length, copied);
    const slab = cache.slabFor(large.length, copied.length)!;
    expect(slab.buf.buffer).not.toBe(copied.buffer);
    expect(slab.buf.subarray(large.length - slab.pos, large.length - slab.pos + copied.length).equals(copied)).toBe(true);
    // Small retained appends are packed into slabs like the others (no 64 KiB socket chunk kept for 100 bytes).
    const small = Buffer.alloc(100, 3);
    cache.append(large.length + copied.length, small, true);
    expect(cache.slabFor(large.length + copied.length, 100)!.buf.buffer).not.toBe(small.buffer);
  });

  it('does not keep a retained view of a much larger buffer', () => {
    const cache = new TailCache(4 << 20);
    const backing = Buffer.alloc(1 << 20);
    const view = backing.subarray(0, 100_000);
    cache.append(0, view, true);
    expect(cache.slabFor(0, view.length)!.buf.buffer).not.toBe(backing.buffer);
  });

  it('drops the oldest slabs beyond its limit, retained ones included', () => {
    const cache = new TailCache(300_000);
    let pos = 0;
    for (let i = 0; i < 10; i++) {
      const b = Buffer.alloc(100_000, i);
      cache.append(pos, b, true);
      pos += b.length;
    }
    expect(cache.slabFor(0, 10)).toBeNull();
    expect(cache.slabFor(pos - 100_000, 100_000)!.buf[0]).toBe(9);
  });

  it('keeps copies of small appends to 1 MiB, so they die young, and large retained appends to its whole limit', () => {
    const cache = new TailCache(4 << 20);
    let pos = 0;
    // 3 MiB of 1 KiB appends (an acks=all stream of small requests): only the newest ~1 MiB stays.
    for (let i = 0; i < 3072; i++) {
      const b = Buffer.alloc(1024, i & 0xff);
      cache.append(pos, b);
      pos += b.length;
    }
    expect(cache.slabFor(0, 1024)).toBeNull();
    expect(cache.slabFor(pos - (2 << 20), 1024)).toBeNull();
    expect(cache.slabFor(pos - (512 << 10), 1024)!.buf.length).toBeLessThanOrEqual(256 << 10);
    const last = cache.slabFor(pos - 1024, 1024)!;
    expect(last.buf[pos - 1024 - last.pos]).toBe(3071 & 0xff);
    // Large appends kept by reference (a bulk producer's) still fill the whole 4 MiB.
    const start = pos;
    for (let i = 0; i < 4; i++) {
      const b = Buffer.alloc(1 << 20, i);
      cache.append(pos, b, true);
      pos += b.length;
    }
    expect(cache.slabFor(start, 1 << 20)!.buf[0]).toBe(0);
    expect(cache.slabFor(pos - (1 << 20), 1 << 20)!.buf[0]).toBe(3);
  });
});

describe('PartitionLog with retained appends', () => {
  it('serves retained batches from memory, equal to what is on disk', async () => {
    const log = await open();
    const appended: Buffer[] = [];
    for (let i = 0; i < 5; i++) {
      const b = big(200_000);
      log.append(b, { assignOffsets: true, leaderEpoch: 0, retain: true });
      appended.push(b);
    }
    log.highWatermark = log.logEndOffset;
    const perBatch = appended[0]!.length;
    const read = log.read(0, perBatch);
    // The first batch comes back as the appended buffer itself (offsets stamped in place), not a copy.
    expect(read.records.buffer).toBe(appended[0]!.buffer);
    const fromDisk = await open(0);
    for (const b of appended) fromDisk.append(Buffer.from(b), { assignOffsets: false });
    let next = 0;
    while (next < log.logEndOffset) {
      const memory = log.read(next, 1 << 20);
      const disk = fromDisk.read(next, 1 << 20);
      expect(memory.records.equals(disk.records)).toBe(true);
      next = memory.lastOffset + 1;
    }
    expect(offsetsOf(log.read(0, 10 << 20).records)).toEqual(offsetsOf(fromDisk.read(0, 10 << 20).records));
  });

  it('copies appends that are not retained, so the caller may reuse its buffer', async () => {
    const log = await open();
    const b = big(200_000);
    log.append(b, { assignOffsets: true, leaderEpoch: 0 });
    const before = Buffer.from(log.read(0, 1 << 20).records);
    b.fill(0);
    expect(log.read(0, 1 << 20).records.equals(before)).toBe(true);
  });
});
