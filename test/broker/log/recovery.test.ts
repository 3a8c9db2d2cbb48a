import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PartitionLog } from '../../../electron/broker/log/partition-log';
import { setActiveSegmentFdLimit } from '../../../electron/broker/log/segment';
import { defaultLogConfig, type LogConfig } from '../../../electron/broker/log/log-config';
import { batch, collectingLogger, offsetsOf, removeDir, tempDir } from './helpers';

const dirs: string[] = [];
const logs: PartitionLog[] = [];
afterEach(() => {
  for (const l of logs.splice(0)) if (!l.isClosed) l.abandon();
  for (const d of dirs.splice(0)) removeDir(d);
});

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

async function openAt(dir: string, config: Partial<LogConfig> = {}) {
  const logger = collectingLogger();
  const log = await PartitionLog.open(dir, defaultLogConfig({ fileDeleteDelayMs: 0, segmentBytes: 2000, indexIntervalBytes: 200, ...config }), { logger });
  logs.push(log);
  return { log, logger };
}

function newDir(): string {
  const d = tempDir();
  dirs.push(d);
  return path.join(d, 'p-0');
}

function fill(log: PartitionLog, n: number, per = 4): void {
  for (let i = 0; i < n; i++) log.append(batch(per, { timestamp: 5_000 + i * 100 }), { assignOffsets: true, leaderEpoch: 1 });
  log.highWatermark = log.logEndOffset;
}

function allOffsets(log: PartitionLog): number[] {
  const out: number[] = [];
  let next = log.logStartOffset;
  while (next < log.logEndOffset) {
    const r = log.read(next, 1 << 20);
    if (r.records.length === 0) break;
    out.push(...offsetsOf(r.records).filter((o) => o >= next));
    next = r.lastOffset + 1;
  }
  return out;
}

function segmentFiles(dir: string, ext: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Every offset maps to its batch through the index (read at each offset returns the batch holding it). */
function checkEveryOffset(log: PartitionLog): void {
  for (let o = log.logStartOffset; o < log.logEndOffset; o++) {
    const offsets = offsetsOf(log.read(o, 1).records);
    expect(offsets).toContain(o);
  }
}

describe('PartitionLog persistence and recovery', () => {
  it('survives a clean close and reopen, with indexes and checkpoints', async () => {
    const dir = newDir();
    const { log } = await openAt(dir);
    fill(log, 50);
    const segs = log.segmentCount;
    await log.close();
    expect(fs.existsSync(path.join(dir, '.kafka-desk-clean-shutdown'))).toBe(true);
    const { log: again, logger } = await openAt(dir);
    expect(fs.existsSync(path.join(dir, '.kafka-desk-clean-shutdown'))).toBe(false);
    expect(again.segmentCount).toBe(segs);
    expect(again.logEndOffset).toBe(200);
    expect(again.highWatermark).toBe(200);
    expect(allOffsets(again)).toEqual(range(0, 200));
    checkEveryOffset(again);
    expect(logger.messages).toEqual([]);
    again.append(batch(2), { assignOffsets: true });
    expect(again.logEndOffset).toBe(202);
  });

  it('keeps every appended batch when the process dies without close (kill -9)', async () => {
    const dir = newDir();
    const { log } = await openAt(dir);
    fill(log, 50);
    log.abandon(); // no close: no indexes written for the active segment, no marker
    const { log: again } = await openAt(dir);
    expect(again.logEndOffset).toBe(200);
    expect(allOffsets(again)).toEqual(range(0, 200));
    checkEveryOffset(again);
    expect(again.leaderEpochCache.all()).toEqual([{ epoch: 1, startOffset: 0 }]);
  });

  it('truncates a torn last batch and keeps appending after it', async () => {
    const dir = newDir();
    const { log } = await openAt(dir, { segmentBytes: 1 << 20 });
    fill(log, 10);
    log.abandon();
    const [file] = segmentFiles(dir, '.log');
    const size = fs.statSync(file!).size;
    fs.truncateSync(file!, size - 7);
    const { log: again, logger } = await openAt(dir, { segmentBytes: 1 << 20 });
    expect(again.logEndOffset).toBe(36);
    expect(allOffsets(again)).toEqual(range(0, 36));
    expect(logger.messages.join('\n')).toMatch(/incomplete batch/);
    again.append(batch(4), { assignOffsets: true });
    expect(offsetsOf(again.read(36, 1 << 20).records)).toEqual(range(36, 40));
  });

  it('truncates garbage appended after the last batch', async () => {
    const dir = newDir();
    const { log } = await openAt(dir, { segmentBytes: 1 << 20 });
    fill(log, 10);
    log.abandon();
    const [file] = segmentFiles(dir, '.log');
    const good = fs.statSync(file!).size;
    fs.appendFileSync(file!, Buffer.from('this is not a record batch, just some bytes that a crash left behind'));
    const { log: again, logger } = await openAt(dir, { segmentBytes: 1 << 20 });
    expect(again.logEndOffset).toBe(40);
    expect(fs.statSync(file!).size).toBe(good);
    expect(logger.messages.length).toBeGreaterThan(0);
  });

  it('truncates at a batch whose CRC does not match', async () => {
    const dir = newDir();
    const { log } = await openAt(dir, { segmentBytes: 1 << 20 });
    fill(log, 10);
    log.abandon();
    const [file] = segmentFiles(dir, '.log');
    const buf = fs.readFileSync(file!);
    const one = batch(4).length;
    buf[one * 7 + 70]! ^= 0x55; // a record byte of the 8th batch
    fs.writeFileSync(file!, buf);
    const { log: again, logger } = await openAt(dir, { segmentBytes: 1 << 20 });
    expect(again.logEndOffset).toBe(28);
    expect(allOffsets(again)).toEqual(range(0, 28));
    expect(logger.messages.join('\n')).toMatch(/CRC/);
  });

  it('rebuilds deleted or damaged index files after a clean shutdown', async () => {
    const dir = newDir();
    const { log } = await openAt(dir);
    fill(log, 100);
    await log.close();
    const indexes = segmentFiles(dir, '.index');
    expect(indexes.length).toBeGreaterThan(4);
    fs.rmSync(indexes[0]!);
    fs.writeFileSync(indexes[1]!, Buffer.from([1, 2, 3])); // wrong size
    const bad = Buffer.alloc(16);
    bad.writeInt32BE(5, 0);
    bad.writeInt32BE(999_999, 4); // position beyond the log
    fs.writeFileSync(indexes[2]!, bad);
    fs.rmSync(segmentFiles(dir, '.timeindex')[3]!);
    const { log: again, logger } = await openAt(dir);
    expect(logger.messages.filter((m) => /rebuilding/.test(m)).length).toBe(4);
    expect(fs.existsSync(indexes[0]!)).toBe(true);
    expect(allOffsets(again)).toEqual(range(0, 400));
    checkEveryOffset(again);
    expect(again.offsetForTimestamp(5_000 + 30 * 100)?.offset).toBe(120);
  });

  it('restores the log start offset, high watermark and leader epochs', async () => {
    const dir = newDir();
    const { log } = await openAt(dir);
    fill(log, 20);
    log.append(batch(2), { assignOffsets: true, leaderEpoch: 3 });
    log.highWatermark = 70;
    log.deleteRecordsBefore(50);
    await log.close();
    const { log: again } = await openAt(dir);
    expect(again.logStartOffset).toBe(50);
    expect(again.highWatermark).toBe(70);
    expect(again.leaderEpochCache.all()).toEqual([
      { epoch: 1, startOffset: 50 },
      { epoch: 3, startOffset: 80 },
    ]);
    expect(again.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 80 });
  });

  it('checkpoints the high watermark from the setter, so a crash keeps it', async () => {
    const dir = newDir();
    const log = await PartitionLog.open(dir, defaultLogConfig(), { logger: collectingLogger(), highWatermarkCheckpointMs: 0 });
    logs.push(log);
    fill(log, 5);
    expect(log.highWatermark).toBe(20);
    log.abandon();
    const { log: again } = await openAt(dir);
    expect(again.highWatermark).toBe(20);
  });

  it('writes the last high watermark of a burst shortly after', async () => {
    const dir = newDir();
    const log = await PartitionLog.open(dir, defaultLogConfig(), { logger: collectingLogger(), highWatermarkCheckpointMs: 30 });
    logs.push(log);
    fill(log, 1);
    log.highWatermark = 2;
    log.highWatermark = 3;
    await new Promise((r) => setTimeout(r, 80));
    expect(fs.readFileSync(path.join(dir, 'replication-offset-checkpoint'), 'utf8')).toBe('0\n3\n');
  });

  it('rewrites the high watermark checkpoint only when the high watermark moved, also after a reopen', async () => {
    const dir = newDir();
    const file = path.join(dir, 'replication-offset-checkpoint');
    const { log } = await openAt(dir);
    fill(log, 1);
    log.checkpointHighWatermark();
    const written = fs.statSync(file).ino;
    // The log manager's timer calls this for every log: an unchanged HW leaves the file alone.
    log.checkpointHighWatermark();
    expect(fs.statSync(file).ino).toBe(written);
    log.highWatermark = 2;
    log.checkpointHighWatermark();
    expect(fs.statSync(file).ino).not.toBe(written);
    expect(fs.readFileSync(file, 'utf8')).toBe('0\n2\n');
    await log.close();
    const { log: again } = await openAt(dir);
    const reopened = fs.statSync(file).ino;
    again.checkpointHighWatermark();
    expect(fs.statSync(file).ino).toBe(reopened);
  });

  it('closes an idle partition without rewriting its files, and an empty one without index files', async () => {
    const dir = newDir();
    const { log } = await openAt(dir);
    fill(log, 3);
    log.roll();
    await log.close();
    const identity = () =>
      Object.fromEntries(
        fs
          .readdirSync(dir)
          .filter((name) => !name.startsWith('.'))
          .map((name) => [name, `${fs.statSync(path.join(dir, name)).ino}:${fs.statSync(path.join(dir, name)).mtimeMs}`]),
      );
    const before = identity();
    // The rolled-to active segment is empty: its offsets are in no index file.
    expect(Object.keys(before).filter((name) => name.startsWith(String(log.logEndOffset).padStart(20, '0')))).toEqual([
      `${String(log.logEndOffset).padStart(20, '0')}.log`,
    ]);
    const { log: again, logger } = await openAt(dir);
    expect(again.logEndOffset).toBe(log.logEndOffset);
    await again.close();
    expect(identity()).toEqual(before);
    expect(logger.messages).toEqual([]);
    const { log: third } = await openAt(dir);
    expect(allOffsets(third)).toHaveLength(log.logEndOffset);
  });

  it('a disk error during append leaves no partial batch', async () => {
    const dir = newDir();
    const { log } = await openAt(dir, { segmentBytes: 1 << 20 });
    fill(log, 3);
    const size = log.size();
    // The segment file cannot be opened again: its fd is taken by another log (a budget of one open
    // active segment) and a directory stands where the file was, so the next write fails.
    const file = path.join(dir, '00000000000000000000.log');
    setActiveSegmentFdLimit(1);
    try {
      await openAt(newDir());
      fs.renameSync(file, `${file}.aside`);
      fs.mkdirSync(file);
      expect(() => log.append(batch(2), { assignOffsets: true })).toThrow(/append to/);
      expect(log.size()).toBe(size);
      expect(log.logEndOffset).toBe(12);
    } finally {
      setActiveSegmentFdLimit(4096);
      if (fs.statSync(file).isDirectory()) fs.rmdirSync(file);
      if (fs.existsSync(`${file}.aside`)) fs.renameSync(`${file}.aside`, file);
    }
    // Once it opens again, appends go on where the log ended.
    log.append(batch(2), { assignOffsets: true });
    expect(log.logEndOffset).toBe(14);
  });

  it('removes leftover temporary files on open', async () => {
    const dir = newDir();
    const { log } = await openAt(dir);
    fill(log, 3);
    await log.close();
    fs.writeFileSync(path.join(dir, '00000000000000000000.log.cleaned'), 'x');
    fs.writeFileSync(path.join(dir, '00000000000000000000.index.tmp'), 'x');
    const { log: again } = await openAt(dir);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.cleaned') || f.endsWith('.tmp'))).toEqual([]);
    expect(again.logEndOffset).toBe(12);
  });
});
