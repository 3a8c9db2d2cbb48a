/**
 * A log holding batches nobody validated (file surgery stands in for an older version that stored
 * whatever producers sent): reads serve an empty batch in place of each unreadable one, log it once and
 * remember it across restarts; what this version appended is never checked again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultLogConfig } from '../../../electron/broker/log/log-config';
import { PartitionLog } from '../../../electron/broker/log/partition-log';
import { UNREADABLE_BATCHES, VALIDATED_CHECKPOINT } from '../../../electron/broker/log/read-check';
import { isEmptyStandIn } from '../../../electron/kafka/records/batch-header';
import { CompressionType, initCompression } from '../../../electron/kafka/records/compression';
import { decodeBatches } from '../../../electron/kafka/records/record-batch';
import { appendRaw, atOffset, compressedBatch, craftBatch, plantGarbage, someRecords, zstdBomb, GiB } from '../../kafka/records/crafted';
import { collectingLogger, removeDir, tempDir } from './helpers';

const dirs: string[] = [];
const logs: PartitionLog[] = [];

beforeAll(async () => {
  await initCompression();
});

afterEach(async () => {
  for (const log of logs.splice(0)) if (!log.isClosed) log.abandon();
  for (const dir of dirs.splice(0)) removeDir(dir);
});

async function open(dir: string) {
  const logger = collectingLogger();
  const log = await PartitionLog.open(dir, defaultLogConfig({}), { logger });
  logs.push(log);
  return { log, logger };
}

/** A log of three gzip batches of 3 records (offsets 0-8), closed cleanly. */
async function written(): Promise<{ dir: string; segment: string }> {
  const dir = path.join(tempDir(), 'planted-0');
  dirs.push(path.dirname(dir));
  const { log } = await open(dir);
  for (let b = 0; b < 3; b++) log.append(compressedBatch(CompressionType.Gzip, someRecords(3, `b${b}`)), { assignOffsets: true, leaderEpoch: 0 });
  log.highWatermark = log.logEndOffset;
  await log.close();
  return { dir, segment: path.join(dir, '00000000000000000000.log') };
}

/** Batches of a read: `{ base, last, values }`, `values` null for an empty stand-in. */
function batchesOf(records: Buffer) {
  return decodeBatches(records, { verifyCrc: true }).batches.map((b) => ({
    base: b.baseOffset,
    last: b.baseOffset + b.lastOffsetDelta,
    values: isEmptyStandIn(b) ? null : b.records.map((r) => r.value!.toString()),
  }));
}

describe('batches written before appends were validated', () => {
  it('a log written by this version carries a validated checkpoint at its end and is served untouched', async () => {
    const { dir } = await written();
    expect(fs.readFileSync(path.join(dir, VALIDATED_CHECKPOINT), 'utf8')).toBe('0\n9\n');
    const { log } = await open(dir);
    expect(log.unreadableBatches()).toEqual([]);
    expect(batchesOf(log.read(0, 1 << 20).records).map((b) => b.values)).toEqual([0, 1, 2].map((b) => [0, 1, 2].map((i) => `b${b}-${i}`)));
  });

  it('in a log of an older version (no checkpoint): the garbage batch is served as an empty batch over its offsets, logged once, remembered', async () => {
    const { dir, segment } = await written();
    const planted = plantGarbage(segment, 1);
    expect(planted).toEqual({ baseOffset: 3, lastOffset: 5 });
    fs.rmSync(path.join(dir, VALIDATED_CHECKPOINT)); // older versions had none

    const { log, logger } = await open(dir);
    const first = batchesOf(log.read(0, 1 << 20).records);
    expect(first).toEqual([
      { base: 0, last: 2, values: ['b0-0', 'b0-1', 'b0-2'] },
      { base: 3, last: 5, values: null },
      { base: 6, last: 8, values: ['b2-0', 'b2-1', 'b2-2'] },
    ]);
    // a read starting inside it gets the stand-in too, and no second warning
    expect(batchesOf(log.read(4, 1 << 20).records)[0]).toEqual({ base: 3, last: 5, values: null });
    const warnings = logger.messages.filter((m) => m.includes('cannot be read'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/offsets 3-5 cannot be read \(the batch: its gzip data cannot be decompressed/);
    expect(log.unreadableBatches()).toMatchObject([{ baseOffset: 3, lastOffset: 5, reason: expect.stringMatching(/gzip data cannot be decompressed/) }]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, UNREADABLE_BATCHES), 'utf8'))).toMatchObject([{ baseOffset: 3, lastOffset: 5 }]);
    // the bytes on disk are left as they were
    expect(fs.readFileSync(segment).length).toBe(log.size());
    await log.close();

    // Everything was read once: the checkpoint moves to the end, and the list keeps the batch known.
    expect(fs.readFileSync(path.join(dir, VALIDATED_CHECKPOINT), 'utf8')).toBe('0\n9\n');
    const again = await open(dir);
    expect(batchesOf(again.log.read(0, 1 << 20).records)[1]).toEqual({ base: 3, last: 5, values: null });
    expect(again.logger.messages.filter((m) => m.includes('cannot be read'))).toHaveLength(0);
  });

  it('batches appended past the checkpoint (a run of an older version after this one) are checked too', async () => {
    const { dir, segment } = await written();
    // 9: a zstd bomb claiming 1 GiB; 10-11: a batch claiming 3 records that holds 2; 12-14: valid
    appendRaw(
      segment,
      atOffset(craftBatch({ codec: CompressionType.Zstd, payload: zstdBomb(GiB), recordCount: 1 }), 9, 0),
      atOffset(compressedBatch(CompressionType.Lz4, someRecords(2, 'liar'), 3), 10, 0),
      atOffset(compressedBatch(CompressionType.Snappy, someRecords(3, 'after')), 13, 0),
    );
    const { log, logger } = await open(dir);
    expect(log.logEndOffset).toBe(16);
    const read = batchesOf(log.read(0, 1 << 20).records);
    expect(read.map((b) => [b.base, b.last, b.values === null])).toEqual([
      [0, 2, false],
      [3, 5, false],
      [6, 8, false],
      [9, 9, true],
      [10, 12, true],
      [13, 15, false],
    ]);
    expect(read[5]!.values).toEqual(['after-0', 'after-1', 'after-2']);
    expect(logger.messages.filter((m) => m.includes('cannot be read'))).toHaveLength(2);
    expect(log.unreadableBatches().map((b) => b.reason)).toEqual([
      expect.stringMatching(/decompress to more than/),
      expect.stringMatching(/declares 3 records but it holds 2/),
    ]);
  });

  it('a follower truncating below an unreadable batch forgets it; one restarting empty forgets all', async () => {
    const { dir, segment } = await written();
    plantGarbage(segment, 2);
    fs.rmSync(path.join(dir, VALIDATED_CHECKPOINT));
    const { log } = await open(dir);
    expect(batchesOf(log.read(6, 1 << 20).records)[0]!.values).toBeNull();
    log.truncateTo(6);
    expect(log.unreadableBatches()).toEqual([]);
    log.append(atOffset(compressedBatch(CompressionType.None, someRecords(3, 'refetched')), 6, 0), { assignOffsets: false });
    expect(batchesOf(log.read(6, 1 << 20).records)[0]!.values).toEqual(['refetched-0', 'refetched-1', 'refetched-2']);
    log.truncateFullyAndStartAt(20);
    expect(log.unreadableBatches()).toEqual([]);
    expect(fs.existsSync(path.join(dir, UNREADABLE_BATCHES)) ? JSON.parse(fs.readFileSync(path.join(dir, UNREADABLE_BATCHES), 'utf8')) : []).toEqual([]);
  });
});
