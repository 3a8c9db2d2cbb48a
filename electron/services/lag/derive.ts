// What the charts show, derived from a group's history: lag per topic or partition over time, the
// consumption rate (committed offsets moving), the production rate (end offsets moving) and the
// estimated time to catch up. Pure functions over plain data.
import type { LagPoint, LagStack, LagSummary } from '../../../shared/model/groups';
import { type GroupHistory, type HistoryRow, type PartitionKey, partitionLag } from './series';

export const RATE_WINDOW_MS = 60_000;
export const MAX_POINTS = 360;

const finite = (value: number): number | null => (Number.isNaN(value) ? null : value);

function lagOf(row: HistoryRow, key: number): number | null {
  const base = key * 3;
  return partitionLag(finite(row.values[base] as number), finite(row.values[base + 1] as number), finite(row.values[base + 2] as number));
}

/** Total lag of a row over the given partition keys (all when omitted); null when none has a commit. */
export function rowLag(row: HistoryRow, keys?: readonly number[]): number | null {
  let total: number | null = null;
  const count = row.values.length / 3;
  if (keys) {
    for (const key of keys) {
      const lag = lagOf(row, key);
      if (lag !== null) total = (total ?? 0) + lag;
    }
  } else {
    for (let key = 0; key < count; key += 1) {
      const lag = lagOf(row, key);
      if (lag !== null) total = (total ?? 0) + lag;
    }
  }
  return total;
}

/**
 * Records per second consumed (committed offsets) and produced (end offsets) between two rows. Only
 * forward moves count: a reset that moves a committed offset back, or a topic deleted and created
 * again, is not negative consumption. Partitions unknown in either row are left out.
 */
export function rates(earlier: HistoryRow, later: HistoryRow, keys?: readonly number[]): { consumeRate: number | null; produceRate: number | null } {
  const seconds = (later.t - earlier.t) / 1000;
  if (!(seconds > 0)) return { consumeRate: null, produceRate: null };
  let consumed = 0;
  let produced = 0;
  let consumeKnown = false;
  let produceKnown = false;
  const count = Math.min(earlier.values.length, later.values.length) / 3;
  const visit = (key: number) => {
    const base = key * 3;
    const c0 = earlier.values[base] as number;
    const c1 = later.values[base] as number;
    if (!Number.isNaN(c0) && !Number.isNaN(c1)) {
      consumeKnown = true;
      if (c1 > c0) consumed += c1 - c0;
    }
    const e0 = earlier.values[base + 2] as number;
    const e1 = later.values[base + 2] as number;
    if (!Number.isNaN(e0) && !Number.isNaN(e1)) {
      produceKnown = true;
      if (e1 > e0) produced += e1 - e0;
    }
  };
  if (keys) {
    for (const key of keys) if (key < count) visit(key);
  } else {
    for (let key = 0; key < count; key += 1) visit(key);
  }
  return { consumeRate: consumeKnown ? consumed / seconds : null, produceRate: produceKnown ? produced / seconds : null };
}

/** Milliseconds until the lag is 0 at these rates; null when it is not shrinking or unknown. */
export function catchUpMs(lag: number | null, consumeRate: number | null, produceRate: number | null): number | null {
  if (lag === null) return null;
  if (lag === 0) return 0;
  if (consumeRate === null || produceRate === null) return null;
  const net = consumeRate - produceRate;
  if (!(net > 0)) return null;
  return Math.round((lag / net) * 1000);
}

/** A lag of at most this many seconds of production is records in flight between commits. */
export const KEEPING_UP_SECONDS = 10;

/**
 * Whether a group keeps pace: it consumes at least 90 % as fast as records are produced and its lag is
 * no more than KEEPING_UP_SECONDS of production. Its lag is then what arrives between two commits, and
 * a time to catch up (lag over a tiny, noisy net rate: "19 s") would say something untrue.
 */
export function keepsPace(lag: number | null, consumeRate: number | null, produceRate: number | null): boolean {
  if (lag === null || consumeRate === null || produceRate === null || lag === 0 || !(produceRate > 0)) return false;
  return consumeRate >= produceRate * 0.9 && lag <= produceRate * KEEPING_UP_SECONDS;
}

/** Lag, rates and time to catch up from the newest row and the row about a minute before it. */
export function summarize(rows: readonly HistoryRow[], keys?: readonly number[]): LagSummary {
  const last = rows[rows.length - 1];
  if (!last) return { at: null, lag: null, consumeRate: null, produceRate: null, catchUpMs: null };
  const lag = rowLag(last, keys);
  let earlier: HistoryRow | undefined;
  for (let index = rows.length - 2; index >= 0; index -= 1) {
    const row = rows[index] as HistoryRow;
    earlier = row;
    if (last.t - row.t >= RATE_WINDOW_MS) break;
  }
  const { consumeRate, produceRate } = earlier ? rates(earlier, last, keys) : { consumeRate: null, produceRate: null };
  const keepingUp = keepsPace(lag, consumeRate, produceRate);
  return { at: last.t, lag, consumeRate, produceRate, catchUpMs: keepingUp ? null : catchUpMs(lag, consumeRate, produceRate), keepingUp };
}

/** At most `maxPoints` rows: the newest row of each equal time bucket over [from, to]. */
export function downsample(rows: readonly HistoryRow[], from: number, to: number, maxPoints = MAX_POINTS): HistoryRow[] {
  if (rows.length <= maxPoints) return [...rows];
  const bucketMs = Math.max(1, (to - from) / maxPoints);
  const kept: HistoryRow[] = [];
  let currentBucket = Number.NaN;
  for (const row of rows) {
    const bucket = Math.floor((row.t - from) / bucketMs);
    if (bucket === currentBucket) kept[kept.length - 1] = row;
    else {
      kept.push(row);
      currentBucket = bucket;
    }
  }
  return kept;
}

export interface ChartSeries {
  keys: string[];
  points: LagPoint[];
}

/** Series keys and, per key, the partition columns it sums. */
export function stackKeys(partitions: readonly PartitionKey[], stack: LagStack, topic?: string): { labels: string[]; members: number[][] } {
  const labels: string[] = [];
  const members: number[][] = [];
  const byLabel = new Map<string, number>();
  const order = partitions
    .map((key, index) => ({ key, index }))
    .filter(({ key }) => topic === undefined || key.topic === topic)
    .sort((a, b) => (a.key.topic < b.key.topic ? -1 : a.key.topic > b.key.topic ? 1 : a.key.partition - b.key.partition));
  for (const { key, index } of order) {
    const label = stack === 'topic' ? key.topic : `${key.topic}-${key.partition}`;
    let slot = byLabel.get(label);
    if (slot === undefined) {
      slot = labels.length;
      labels.push(label);
      members.push([]);
      byLabel.set(label, slot);
    }
    (members[slot] as number[]).push(index);
  }
  return { labels, members };
}

/** Chart points of a group over [from, to]: lag per stack key, total, and rates since the previous point. */
export function chartSeries(history: GroupHistory, from: number, to: number, stack: LagStack, maxPoints = MAX_POINTS): ChartSeries {
  const { labels, members } = stackKeys(history.keys, stack);
  const all = history.rows(from, to);
  const kept = downsample(all, from, to, maxPoints);
  // The row before the window gives the first point its rates.
  let previous: HistoryRow | null = history.rowAtOrBefore(from - 1);
  const points: LagPoint[] = kept.map((row) => {
    const values = members.map((keys) => rowLag(row, keys));
    const { consumeRate, produceRate } = previous ? rates(previous, row) : { consumeRate: null, produceRate: null };
    previous = row;
    return { t: row.t, values, total: rowLag(row), consumeRate, produceRate };
  });
  return { keys: labels, points };
}

export interface TopicChart {
  groups: string[];
  points: { t: number; values: (number | null)[] }[];
  summaries: LagSummary[];
}

/**
 * The lag on one topic of every group that has committed offsets on it, over [from, to]. Groups are
 * sampled at slightly different moments, so rows are lined up on equal time buckets (the newest row
 * of each group in each bucket).
 */
export function topicChart(histories: readonly GroupHistory[], topic: string, from: number, to: number, maxPoints = MAX_POINTS): TopicChart {
  const bucketMs = Math.max(1_000, (to - from) / maxPoints);
  const groups: string[] = [];
  const summaries: LagSummary[] = [];
  const buckets = new Map<number, { t: number; values: (number | null)[] }>();
  const reading = histories
    .map((history) => ({ history, keys: stackKeys(history.keys, 'topic', topic).members[0] }))
    .filter((entry): entry is { history: GroupHistory; keys: number[] } => Boolean(entry.keys?.length))
    .sort((a, b) => (a.history.group < b.history.group ? -1 : 1));
  reading.forEach(({ history, keys }, column) => {
    groups.push(history.group);
    const rows = history.rows(from, to);
    summaries.push(summarize(rows, keys));
    for (const row of rows) {
      const bucket = Math.floor((row.t - from) / bucketMs);
      let point = buckets.get(bucket);
      if (!point) {
        point = { t: row.t, values: [] };
        buckets.set(bucket, point);
      }
      point.t = Math.max(point.t, row.t);
      point.values[column] = rowLag(row, keys);
    }
  });
  const points = [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, point]) => ({ t: point.t, values: Array.from({ length: groups.length }, (_, index) => point.values[index] ?? null) }));
  return { groups, points, summaries };
}
