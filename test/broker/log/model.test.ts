import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PartitionLog } from '../../../electron/broker/log/partition-log';
import { defaultLogConfig } from '../../../electron/broker/log/log-config';
import { batch, collectingLogger, decodeAll, removeDir, tempDir } from './helpers';

const dirs: string[] = [];
const logs: PartitionLog[] = [];
afterEach(() => {
  for (const l of logs.splice(0)) if (!l.isClosed) l.abandon();
  for (const d of dirs.splice(0)) removeDir(d);
});

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ModelBatch {
  base: number;
  last: number;
  size: number;
}

/** What read(fetchOffset, maxBytes, maxOffset) must return, computed from the list of appended batches. */
function expected(model: ModelBatch[], segmentBases: number[], fetchOffset: number, maxBytes: number, maxOffset: number): number[] {
  const i = model.findIndex((b) => b.last >= fetchOffset);
  if (i < 0 || model[i]!.last >= maxOffset) return [];
  // reads stay within one segment
  const segIndex = segmentBases.filter((s) => s <= model[i]!.base).length - 1;
  const segEnd = segmentBases[segIndex + 1] ?? Infinity;
  const out: number[] = [];
  let bytes = 0;
  for (let j = i; j < model.length; j++) {
    const b = model[j]!;
    if (b.base >= segEnd || b.last >= maxOffset) break;
    if (out.length > 0 && bytes + b.size > maxBytes) break;
    bytes += b.size;
    out.push(b.base);
  }
  return out;
}

describe('PartitionLog against a model', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`reads what was appended (seed ${seed}), through cache, files, rolls and a reopen`, async () => {
      const rand = rng(seed);
      const root = tempDir();
      dirs.push(root);
      const dir = path.join(root, 't-0');
      const config = defaultLogConfig({
        fileDeleteDelayMs: 0,
        segmentBytes: 2000 + Math.floor(rand() * 6000),
        indexIntervalBytes: Math.floor(rand() * 1500),
      });
      const opts = { logger: collectingLogger(), tailCacheBytes: Math.floor(rand() * 5000) };
      let log = await PartitionLog.open(dir, config, opts);
      logs.push(log);
      const model: ModelBatch[] = [];
      for (let i = 0; i < 150; i++) {
        const b = batch(1 + Math.floor(rand() * 6), { valueSize: Math.floor(rand() * 300), timestamp: 1000 + i });
        const r = log.append(b, { assignOffsets: true });
        model.push({ base: r.firstOffset, last: r.lastOffset, size: b.length });
      }
      const check = (l: PartitionLog): void => {
        const bases = l.segmentInfo().map((s) => s.baseOffset);
        const leo = l.logEndOffset;
        for (let k = 0; k < 300; k++) {
          const fetch = Math.floor(rand() * leo);
          const maxBytes = Math.floor(rand() * 3000);
          const maxOffset = rand() < 0.3 ? Math.floor(rand() * (leo + 1)) : leo;
          const got = decodeAll(l.read(fetch, maxBytes, maxOffset).records).map((x) => x.baseOffset);
          expect(got, `fetch ${fetch} maxBytes ${maxBytes} maxOffset ${maxOffset}`).toEqual(expected(model, bases, fetch, maxBytes, maxOffset));
        }
      };
      check(log);
      log.abandon();
      log = await PartitionLog.open(dir, config, opts);
      logs.push(log);
      check(log);
    });
  }
});

describe('PartitionLog under random operations', () => {
  for (const seed of [11, 12, 13]) {
    it(`stays consistent through appends, truncations, rolls, DeleteRecords and restarts (seed ${seed})`, async () => {
      const rand = rng(seed);
      const root = tempDir();
      dirs.push(root);
      const dir = path.join(root, 't-0');
      const config = defaultLogConfig({ fileDeleteDelayMs: 0, segmentBytes: 1500 + Math.floor(rand() * 3000), indexIntervalBytes: Math.floor(rand() * 800) });
      const opts = { logger: collectingLogger(), tailCacheBytes: Math.floor(rand() * 4000) };
      let log = await PartitionLog.open(dir, config, opts);
      logs.push(log);
      let model: ModelBatch[] = [];
      for (let step = 0; step < 400; step++) {
        const op = rand();
        if (op < 0.7) {
          const b = batch(1 + Math.floor(rand() * 5), { valueSize: Math.floor(rand() * 200) });
          const r = log.append(b, { assignOffsets: true, leaderEpoch: Math.floor(step / 50) });
          model.push({ base: r.firstOffset, last: r.lastOffset, size: b.length });
          log.highWatermark = log.logEndOffset;
        } else if (op < 0.78) {
          const to = log.logStartOffset + Math.floor(rand() * (log.logEndOffset - log.logStartOffset + 1));
          log.truncateTo(to);
          model = model.filter((b) => b.last < to);
          const expectedEnd = model.length > 0 ? Math.max(model.at(-1)!.last + 1, log.logStartOffset) : log.logStartOffset;
          if (model.length > 0) expect(log.logEndOffset).toBe(expectedEnd);
          model = model.filter((b) => b.last < log.logEndOffset);
        } else if (op < 0.83) {
          log.roll();
        } else if (op < 0.88) {
          const to = log.logStartOffset + Math.floor(rand() * (log.highWatermark - log.logStartOffset + 1));
          log.deleteRecordsBefore(to);
          expect(log.logStartOffset).toBe(to);
        } else if (op < 0.93) {
          if (rand() < 0.5) await log.close();
          else log.abandon();
          log = await PartitionLog.open(dir, config, opts);
          logs.push(log);
        } else {
          const bases = log.segmentInfo().map((s) => s.baseOffset);
          const leo = log.logEndOffset;
          for (let k = 0; k < 20; k++) {
            const fetch = log.logStartOffset + Math.floor(rand() * (leo - log.logStartOffset + 1));
            const maxBytes = Math.floor(rand() * 2000);
            const got = decodeAll(log.read(fetch, maxBytes).records).map((x) => x.baseOffset);
            expect(got, `step ${step} fetch ${fetch} maxBytes ${maxBytes}`).toEqual(expected(model, bases, fetch, maxBytes, leo));
          }
        }
        // epochs never point past the log end
        for (const e of log.leaderEpochCache.all()) expect(e.startOffset).toBeLessThanOrEqual(log.logEndOffset);
      }
    });
  }
});
