// The lag sampler's parts with plain data: the ring buffers, the derived rates and time to catch up,
// the chart series, the files under the data dir, and the sampler's timer and restart.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { catchUpMs, chartSeries, downsample, keepsPace, rates, summarize, topicChart } from '../../electron/services/lag/derive';
import { ColumnRing, GroupHistory, partitionLag, type GroupSample, type PartitionSample } from '../../electron/services/lag/series';
import { createLogger } from '../../electron/core/logger';
import { LagSampler } from '../../electron/services/lag/sampler';
import { decodeSample, encodeSample, hourOf, LagStore } from '../../electron/services/lag/store';
import { waitFor } from '../support/wait';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const p = (topic: string, partition: number, committed: number | null, end: number, start = 0): PartitionSample => ({
  topic,
  partition,
  committed,
  start,
  end,
});

const directories: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-lag-'));
  directories.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(directories.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('partition lag', () => {
  it('is end minus committed, null without a commit, and never counts deleted records', () => {
    expect(partitionLag(40, 0, 100)).toBe(60);
    expect(partitionLag(null, 0, 100)).toBeNull();
    expect(partitionLag(0, 0, 0)).toBe(0);
    // Records below the log start were deleted: only what is still there is lag.
    expect(partitionLag(10, 50, 100)).toBe(50);
    // A committed offset past the end (the topic was recreated) is no lag, not negative lag.
    expect(partitionLag(120, 0, 100)).toBe(0);
    expect(partitionLag(5, null, 100)).toBe(95);
    expect(partitionLag(5, 0, null)).toBeNull();
  });
});

describe('column ring', () => {
  it('grows by doubling, then overwrites the oldest rows, keeping time order', () => {
    const ring = new ColumnRing(40, 1);
    for (let index = 0; index < 100; index += 1) ring.push(index, [index * 10]);
    expect(ring.length).toBe(40);
    expect(ring.time(0)).toBe(60);
    expect(ring.value(0, 0)).toBe(600);
    expect(ring.time(39)).toBe(99);
    expect(ring.lowerBound(75)).toBe(15);
    expect(ring.lowerBound(1_000)).toBe(40);
    expect(ring.bytes()).toBe(40 * 8 * 2);
  });

  it('starts small: a group sampled once costs bytes, not a day of rows', () => {
    const history = new GroupHistory('g', { intervalMs: 5_000 });
    history.add(T0, [p('t', 0, 1, 2), p('t', 1, 1, 2)]);
    expect(history.bytes()).toBeLessThan(4_096);
  });

  it('adds columns for new partitions, unknown in older rows', () => {
    const ring = new ColumnRing(10, 1);
    ring.push(1, [5]);
    const column = ring.addColumn();
    ring.push(2, [6, 7]);
    expect(ring.value(0, column)).toBeNaN();
    expect(ring.value(1, column)).toBe(7);
  });
});

describe('group history', () => {
  it('keeps every sample for the last hour and one a minute for 24 hours', () => {
    const history = new GroupHistory('g', { intervalMs: 5_000 });
    const hours = 26;
    for (let t = 0; t <= hours * 3_600_000; t += 5_000) history.add(T0 + t, [p('orders', 0, t / 1000, t / 500)]);
    const end = T0 + hours * 3_600_000;
    expect(history.fine.length).toBe(Math.min(history.fine.capacity, 721));
    expect(history.fine.time(history.fine.length - 1)).toBe(end);
    expect(end - history.fine.time(0)).toBeLessThanOrEqual(3_600_000);
    const rows = history.rows(end - 24 * 3_600_000, end);
    // One row a minute before the fine tier, then one every 5 s.
    const fineStart = history.fine.time(0);
    const coarse = rows.filter((row) => row.t < fineStart);
    expect(coarse.length).toBeGreaterThan(22 * 60);
    expect(coarse.length).toBeLessThanOrEqual(23 * 60 + 1);
    for (let index = 1; index < coarse.length; index += 1) expect((coarse[index]?.t ?? 0) - (coarse[index - 1]?.t ?? 0)).toBe(60_000);
    expect(rows.filter((row) => row.t >= fineStart)).toHaveLength(history.fine.length);
    expect(rows[0]?.t).toBeGreaterThanOrEqual(end - 24 * 3_600_000);
  });

  it('ignores samples that do not move time forward', () => {
    const history = new GroupHistory('g', { intervalMs: 5_000 });
    expect(history.add(T0, [p('t', 0, 1, 1)])).toBe(true);
    expect(history.add(T0, [p('t', 0, 2, 2)])).toBe(false);
    expect(history.add(T0 - 1, [p('t', 0, 2, 2)])).toBe(false);
    expect(history.rows(0, T0 + 1)).toHaveLength(1);
  });
});

describe('derived figures', () => {
  function history(samples: [number, PartitionSample[]][]): GroupHistory {
    const result = new GroupHistory('g', { intervalMs: 5_000 });
    for (const [t, partitions] of samples) result.add(T0 + t, partitions);
    return result;
  }

  it('derives consumption and production rates per second and the time to catch up', () => {
    // Producing 10/s on two partitions (5 each), consuming 30/s (15 each), lag falls by 20/s.
    const h = history(
      Array.from({ length: 13 }, (_, step): [number, PartitionSample[]] => {
        const t = step * 5_000;
        return [t, [p('orders', 0, 100 + 15 * (t / 1000), 1_000 + 5 * (t / 1000)), p('orders', 1, 100 + 15 * (t / 1000), 1_000 + 5 * (t / 1000))]];
      }),
    );
    const rows = h.rows(0, Number.POSITIVE_INFINITY);
    const summary = summarize(rows);
    expect(summary.consumeRate).toBeCloseTo(30);
    expect(summary.produceRate).toBeCloseTo(10);
    // At 60 s: end 1,300, committed 1,000 on each partition: lag 600, shrinking by 20/s: 30 s.
    expect(summary.lag).toBe(600);
    expect(summary.catchUpMs).toBe(30_000);
    expect(summary.at).toBe(T0 + 60_000);
  });

  it('says a group that consumes as fast as records come keeps up, instead of a time to catch up', () => {
    // 100/s produced on one partition; the consumer commits every 5 s what it read, a little more each
    // time (net +0.8/s of noise): its lag of 100-200 records is what arrives between commits.
    const h = history(
      Array.from({ length: 13 }, (_, step): [number, PartitionSample[]] => {
        const t = step * 5_000;
        const end = 10_000 + 100 * (t / 1000);
        return [t, [p('orders', 0, end - 150 + step * 4, end)]];
      }),
    );
    const summary = summarize(h.rows(0, Number.POSITIVE_INFINITY));
    expect(summary.lag).toBe(150 - 48);
    expect(summary.consumeRate).toBeGreaterThan(summary.produceRate!);
    expect(summary.keepingUp).toBe(true);
    expect(summary.catchUpMs).toBeNull();
    // A backlog is not keeping up, however fast the consumer: 600 records at 20/s net is 30 s to catch up.
    expect(keepsPace(600, 30, 10)).toBe(false);
    expect(keepsPace(5_000, 100, 100)).toBe(false);
    // A consumer slower than the producer is not keeping up, even with a small lag.
    expect(keepsPace(50, 50, 100)).toBe(false);
    expect(keepsPace(50, 95, 100)).toBe(true);
    expect(keepsPace(0, 100, 100)).toBe(false);
    expect(keepsPace(50, 0, 0)).toBe(false);
  });

  it('has no time to catch up while the lag grows, and 0 once there is none', () => {
    expect(catchUpMs(100, 5, 10)).toBeNull();
    expect(catchUpMs(100, 10, 10)).toBeNull();
    expect(catchUpMs(0, 0, 10)).toBe(0);
    expect(catchUpMs(null, 10, 0)).toBeNull();
    expect(catchUpMs(100, null, 0)).toBeNull();
    expect(catchUpMs(100, 20, 0)).toBe(5_000);
  });

  it('does not count an offset reset back as negative consumption', () => {
    const h = history([
      [0, [p('t', 0, 500, 1_000)]],
      [10_000, [p('t', 0, 0, 1_100)]],
    ]);
    const [a, b] = h.rows(0, Number.POSITIVE_INFINITY);
    expect(rates(a!, b!)).toEqual({ consumeRate: 0, produceRate: 10 });
  });

  it('leaves partitions without a commit out of the lag and out of the consumption rate', () => {
    const h = history([
      [0, [p('t', 0, null, 100), p('t', 1, 10, 100)]],
      [10_000, [p('t', 0, null, 200), p('t', 1, 60, 100)]],
    ]);
    const summary = summarize(h.rows(0, Number.POSITIVE_INFINITY));
    expect(summary.lag).toBe(40);
    expect(summary.consumeRate).toBe(5);
    expect(summary.produceRate).toBe(10);
    const none = history([[0, [p('t', 0, null, 100)]]]);
    expect(summarize(none.rows(0, Number.POSITIVE_INFINITY)).lag).toBeNull();
  });

  it('builds chart points stacked by topic or by partition, with rates since the previous point', () => {
    const h = history([
      [0, [p('a', 0, 0, 10), p('a', 1, 0, 20), p('b', 0, 0, 5)]],
      [5_000, [p('a', 0, 5, 20), p('a', 1, 10, 20), p('b', 0, null, 5)]],
    ]);
    const byTopic = chartSeries(h, T0 - 1_000, T0 + 10_000, 'topic');
    expect(byTopic.keys).toEqual(['a', 'b']);
    expect(byTopic.points.map((point) => point.values)).toEqual([
      [30, 5],
      [25, null],
    ]);
    expect(byTopic.points.map((point) => point.total)).toEqual([35, 25]);
    expect(byTopic.points[0]?.consumeRate).toBeNull();
    expect(byTopic.points[1]?.consumeRate).toBe(3); // (5 + 10) / 5 s; b has no commit in the second row
    expect(byTopic.points[1]?.produceRate).toBe(2);
    const byPartition = chartSeries(h, T0 - 1_000, T0 + 10_000, 'partition');
    expect(byPartition.keys).toEqual(['a-0', 'a-1', 'b-0']);
    expect(byPartition.points[1]?.values).toEqual([15, 10, null]);
  });

  it('downsamples long ranges to the newest row of each time bucket', () => {
    const rows = Array.from({ length: 1_000 }, (_, index) => ({ t: index * 1_000, values: new Float64Array([index]) }));
    const kept = downsample(rows, 0, 1_000_000, 100);
    expect(kept.length).toBeLessThanOrEqual(101);
    expect(kept[kept.length - 1]?.t).toBe(999_000);
    expect(downsample(rows.slice(0, 10), 0, 10_000, 100)).toHaveLength(10);
  });

  it('lines up every group reading a topic on one time axis', () => {
    const one = history([
      [0, [p('orders', 0, 0, 10), p('other', 0, 0, 99)]],
      [5_000, [p('orders', 0, 5, 10)]],
    ]);
    const two = new GroupHistory('h', { intervalMs: 5_000 });
    two.add(T0 + 200, [p('orders', 0, 8, 10)]);
    two.add(T0 + 5_200, [p('orders', 0, 10, 10)]);
    const three = new GroupHistory('unrelated', { intervalMs: 5_000 });
    three.add(T0, [p('other', 0, 1, 2)]);
    const chart = topicChart([two, one, three], 'orders', T0 - 60_000, T0 + 60_000, 120);
    expect(chart.groups).toEqual(['g', 'h']);
    expect(chart.points.map((point) => point.values)).toEqual([
      [10, 2],
      [5, 0],
    ]);
    expect(chart.summaries.map((summary) => summary.lag)).toEqual([5, 0]);
  });
});

describe('lag store on disk', () => {
  it('encodes a sample compactly and reads it back, nulls included', () => {
    const sample: GroupSample = { group: 'g', at: T0, partitions: [p('orders', 0, null, 10), p('orders', 2, 4, 10, 2)] };
    const line = encodeSample(sample);
    expect(line).toBe('{"t":1740823200000,"g":"g","o":{"orders":[[null,0,10],null,[4,2,10]]}}');
    expect(decodeSample(line)).toEqual(sample);
    expect(decodeSample('{"t":1,"g":"g","o":{"x":[[1,2')).toBeNull();
  });

  it('appends to one file per hour, compacts older hours to one sample a minute, and drops days-old files', async () => {
    const dir = await tempDir();
    const store = new LagStore(dir);
    const samples: GroupSample[] = [];
    for (let t = 0; t < 3 * 3_600_000; t += 5_000) samples.push({ group: 'g', at: T0 + t, partitions: [p('t', 0, t, t)] });
    for (const sample of samples) await store.append('embedded', [sample]);
    const hour = (offset: number) => hourOf(T0 + offset * 3_600_000);
    const files = await readdir(store.directory('embedded'));
    // The hour being written and the one before stay as sampled; the one before that is compacted.
    expect(files.sort()).toEqual([`${hour(0)}.min.jsonl`, `${hour(1)}.jsonl`, `${hour(2)}.jsonl`]);
    const compacted = (await readFile(path.join(store.directory('embedded'), `${hour(0)}.min.jsonl`), 'utf8')).trim().split('\n');
    expect(compacted).toHaveLength(60);

    // Loading an hour later keeps the last hour at full resolution for the fine tier.
    const loaded = await store.load('embedded', T0 + 3 * 3_600_000);
    expect(loaded[0]?.at).toBe(T0);
    expect(loaded.filter((sample) => sample.at >= T0 + 2 * 3_600_000)).toHaveLength(720);
    expect(loaded.filter((sample) => sample.at >= T0 + 3_600_000 && sample.at < T0 + 2 * 3_600_000)).toHaveLength(60);
    expect((await readdir(store.directory('embedded'))).sort()).toEqual([`${hour(0)}.min.jsonl`, `${hour(1)}.min.jsonl`, `${hour(2)}.jsonl`]);

    // A day later everything but the history window is gone.
    const later = T0 + 27 * 3_600_000;
    expect(await store.load('embedded', later)).toEqual([]);
    expect(await readdir(store.directory('embedded'))).toEqual([]);
  });

  it('skips a line torn by a crash', async () => {
    const dir = await tempDir();
    const store = new LagStore(dir);
    await store.append('c', [{ group: 'g', at: T0, partitions: [p('t', 0, 1, 2)] }]);
    const file = path.join(store.directory('c'), `${hourOf(T0)}.jsonl`);
    await writeFile(file, `${await readFile(file, 'utf8')}{"t":${T0 + 5_000},"g":"g","o":{"t":[[2,`);
    const loaded = await store.load('c', T0 + 10_000);
    expect(loaded).toHaveLength(1);
  });
});

describe('lag sampler', () => {
  function reader(state: { committed: number; end: number; calls: (readonly string[] | null)[] }) {
    return async (_connection: string, groups: readonly string[] | null): Promise<GroupSample[]> => {
      state.calls.push(groups);
      return (groups ?? ['all-1', 'all-2']).map((group) => ({ group, at: clock.now, partitions: [p('orders', 0, state.committed, state.end)] }));
    };
  }
  const clock = { now: T0 };

  it('samples the groups on screen and the watched ones, drops views that are not renewed, and survives a restart', async () => {
    const dataDir = await tempDir();
    const state = { committed: 0, end: 100, calls: [] as (readonly string[] | null)[] };
    const events: unknown[] = [];
    const sampler = new LagSampler({ dataDir, read: reader(state), now: () => clock.now, intervalMs: 60_000, emit: (event) => events.push(event) });
    await sampler.start();
    sampler.view('embedded', 'list', ['a', 'b']);
    await sampler.setWatched('embedded', 'w', true);
    await sampler.tick();
    expect(state.calls).toEqual([['a', 'b', 'w']]);
    expect(events).toEqual([{ connectionId: 'embedded', at: T0, groups: ['a', 'b', 'w'] }]);

    clock.now += 30_000;
    state.committed = 50;
    state.end = 130;
    await sampler.tick();
    clock.now += 61_000;
    await sampler.tick();
    // The list view was not renewed within a minute: only the watched group is sampled.
    expect(state.calls[2]).toEqual(['w']);

    const series = await sampler.series('embedded', 'a', 5 * 60_000, 'topic');
    expect(series.points.map((point) => point.total)).toEqual([100, 80]);
    expect(series.points[1]?.consumeRate).toBeCloseTo(50 / 30);
    expect(series.summary).toMatchObject({ lag: 80 });
    expect(series.watched).toBe(false);
    expect((await sampler.series('embedded', 'w', 5 * 60_000, 'topic')).watched).toBe(true);

    // A deleted connection's watched groups go; the others stay.
    await sampler.setWatched('deleted-connection', 'x', true);
    await sampler.keepConnections(new Set(['embedded']));
    expect(sampler.watchedGroups('deleted-connection')).toEqual([]);
    expect(sampler.watchedGroups('embedded')).toEqual(['w']);

    const all = await sampler.sampleNow('embedded', null);
    expect(all.groups).toBe(2);
    await sampler.updateSettings({ intervalMs: 2_000 });
    await sampler.close();

    // A new run of the app: same data dir, history and watched groups and settings come back.
    const again = new LagSampler({ dataDir, read: reader(state), now: () => clock.now });
    await again.start();
    expect(again.settings.intervalMs).toBe(2_000);
    expect(again.watchedGroups('embedded')).toEqual(['w']);
    const restored = await again.series('embedded', 'a', 5 * 60_000, 'topic');
    expect(restored.points.map((point) => point.total)).toEqual([100, 80]);
    const watched = await again.series('embedded', 'w', 5 * 60_000, 'partition');
    expect(watched.points).toHaveLength(3);
    expect(watched.keys).toEqual(['orders-0']);
    expect(await again.sparklines('embedded', ['a', 'nothing'], 5 * 60_000)).toEqual({ a: [100, 80], nothing: [] });
    await again.close();
  });

  it('keeps sampling after a failed read and logs the outage once', async () => {
    const dataDir = await tempDir();
    const logged: string[] = [];
    let fail = true;
    const sampler = new LagSampler({
      dataDir,
      now: () => clock.now,
      intervalMs: 60_000,
      logger: createLogger({ write: (line) => logged.push(line) }),
      read: async (_connection, groups) => {
        if (fail) throw new Error('cluster down');
        return (groups ?? []).map((group) => ({ group, at: clock.now, partitions: [p('t', 0, 1, 1)] }));
      },
    });
    await sampler.start();
    sampler.view('x', 'detail', ['g']);
    await sampler.tick();
    await sampler.tick();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/ ERROR Lag sampling of x failed error=cluster down$/);
    fail = false;
    clock.now += 1_000;
    await sampler.tick();
    expect((await sampler.series('x', 'g', 60_000, 'topic')).points).toHaveLength(1);
    await sampler.close();
  });

  it('runs on its own timer at the configured interval and stops cleanly', async () => {
    const dataDir = await tempDir();
    let reads = 0;
    const sampler = new LagSampler({
      dataDir,
      intervalMs: 1_000,
      read: async (_connection, groups) => {
        reads += 1;
        return (groups ?? []).map((group) => ({ group, at: Date.now(), partitions: [p('t', 0, 1, 1)] }));
      },
    });
    await sampler.start();
    sampler.view('x', 'detail', ['g']);
    // Two reads on its own (polled: a loaded machine's timers are late, so not "within 2.5 s").
    await waitFor(() => reads >= 2, 20_000, "two reads by the sampler's own timer");
    await sampler.close();
    const afterClose = reads;
    // Longer than the interval: a sampler still running would have read again.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(reads).toBe(afterClose);
  });
});
