// The lag history of one consumer group in memory: for every sample time, each partition's committed
// offset, log start offset and end offset. Kept in two ring buffers of numeric columns:
//
// - fine: every sample of the last hour (at the sampler's interval);
// - coarse: one sample a minute for the last 24 hours.
//
// Columns are Float64Arrays (offsets are exact to 2^53) with NaN for "unknown" or "no committed offset",
// and grow by doubling up to their capacity, so a group sampled once costs a few hundred bytes, not the
// full day. Pure data structure: no I/O, no clock.

export interface PartitionSample {
  topic: string;
  partition: number;
  /** null: the group has no committed offset for this partition. */
  committed: number | null;
  /** Log start and end offsets; null when unknown (no leader, topic deleted). */
  start: number | null;
  end: number | null;
}

export interface GroupSample {
  group: string;
  at: number;
  partitions: PartitionSample[];
}

export const FINE_WINDOW_MS = 60 * 60_000;
export const COARSE_STEP_MS = 60_000;
export const HISTORY_MS = 24 * 60 * 60_000;

const COLUMNS_PER_PARTITION = 3; // committed, start, end
const INITIAL_ROWS = 4;

/** Lag of one partition: records after the committed offset that still exist. null without a commit. */
export function partitionLag(committed: number | null, start: number | null, end: number | null): number | null {
  if (committed === null || end === null) return null;
  const from = start === null ? committed : Math.max(committed, start);
  return Math.max(0, end - from);
}

/** A ring of rows (time + numeric columns) that grows by doubling up to a capacity, then overwrites the oldest. */
export class ColumnRing {
  readonly capacity: number;
  #size = 0; // allocated rows
  #length = 0;
  #head = 0; // physical index of the oldest row
  #times: Float64Array;
  #columns: Float64Array[] = [];

  constructor(capacity: number, columns = 0) {
    this.capacity = Math.max(1, capacity);
    this.#size = Math.min(INITIAL_ROWS, this.capacity);
    this.#times = new Float64Array(this.#size);
    for (let index = 0; index < columns; index += 1) this.addColumn();
  }

  get length(): number {
    return this.#length;
  }

  get columnCount(): number {
    return this.#columns.length;
  }

  /** Adds a column, unknown (NaN) in every existing row; returns its index. */
  addColumn(): number {
    const column = new Float64Array(this.#size);
    column.fill(Number.NaN);
    this.#columns.push(column);
    return this.#columns.length - 1;
  }

  /** Appends a row; values beyond `values.length` are NaN. Overwrites the oldest row when full. */
  push(time: number, values: ArrayLike<number>): void {
    if (this.#length === this.#size && this.#size < this.capacity) this.#grow();
    let slot: number;
    if (this.#length < this.#size) {
      slot = (this.#head + this.#length) % this.#size;
      this.#length += 1;
    } else {
      slot = this.#head;
      this.#head = (this.#head + 1) % this.#size;
    }
    this.#times[slot] = time;
    const columns = this.#columns;
    for (let index = 0; index < columns.length; index += 1) {
      (columns[index] as Float64Array)[slot] = index < values.length ? (values[index] as number) : Number.NaN;
    }
  }

  /** Time of the row at logical index (0 = oldest). */
  time(row: number): number {
    return this.#times[(this.#head + row) % this.#size] as number;
  }

  value(row: number, column: number): number {
    const values = this.#columns[column];
    return values ? (values[(this.#head + row) % this.#size] as number) : Number.NaN;
  }

  lastTime(): number | null {
    return this.#length ? this.time(this.#length - 1) : null;
  }

  /** First logical row whose time is >= t (binary search: rows are in time order). */
  lowerBound(t: number): number {
    let low = 0;
    let high = this.#length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.time(middle) < t) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Bytes held by the arrays, for the benchmark and the curious. */
  bytes(): number {
    return this.#size * 8 * (1 + this.#columns.length);
  }

  #grow(): void {
    const size = Math.min(this.capacity, this.#size * 2);
    const unwrap = (source: Float64Array, fill: number) => {
      const target = new Float64Array(size);
      if (fill !== 0) target.fill(fill);
      for (let row = 0; row < this.#length; row += 1) target[row] = source[(this.#head + row) % this.#size] as number;
      return target;
    };
    this.#times = unwrap(this.#times, 0);
    this.#columns = this.#columns.map((column) => unwrap(column, Number.NaN));
    this.#head = 0;
    this.#size = size;
  }
}

/** One row of a group's history, read back. */
export interface HistoryRow {
  t: number;
  /** committed, start, end for partition key i at 3i, 3i+1, 3i+2 (NaN when unknown). */
  values: Float64Array;
}

export interface PartitionKey {
  topic: string;
  partition: number;
}

/** The lag history of one group: its partitions (columns) and the two tiers of rows. */
export class GroupHistory {
  readonly group: string;
  readonly keys: PartitionKey[] = [];
  readonly #index = new Map<string, number>();
  readonly fine: ColumnRing;
  readonly coarse: ColumnRing;
  #scratch = new Float64Array(0);

  constructor(group: string, options: { intervalMs: number }) {
    this.group = group;
    // The fine tier keeps an hour at the sampler's interval (at least 60 rows, at most 3,600).
    const fineRows = Math.min(3_600, Math.max(60, Math.ceil(FINE_WINDOW_MS / Math.max(1_000, options.intervalMs)) + 1));
    this.fine = new ColumnRing(fineRows);
    this.coarse = new ColumnRing(Math.ceil(HISTORY_MS / COARSE_STEP_MS) + 2);
  }

  lastTime(): number | null {
    return this.fine.lastTime() ?? this.coarse.lastTime();
  }

  /** Adds a sample. Samples older than the newest one already kept are ignored (time only moves on). */
  add(at: number, partitions: readonly PartitionSample[]): boolean {
    const last = this.lastTime();
    if (last !== null && at <= last) return false;
    for (const partition of partitions) this.#column(partition.topic, partition.partition);
    const width = this.keys.length * COLUMNS_PER_PARTITION;
    if (this.#scratch.length < width) this.#scratch = new Float64Array(Math.max(width, this.#scratch.length * 2));
    const values = this.#scratch.subarray(0, width);
    values.fill(Number.NaN);
    for (const partition of partitions) {
      const base = (this.#index.get(`${partition.topic}\u0000${partition.partition}`) as number) * COLUMNS_PER_PARTITION;
      values[base] = partition.committed ?? Number.NaN;
      values[base + 1] = partition.start ?? Number.NaN;
      values[base + 2] = partition.end ?? Number.NaN;
    }
    this.fine.push(at, values);
    const lastCoarse = this.coarse.lastTime();
    // A little slack so a sampler a few milliseconds early still lands one row a minute.
    if (lastCoarse === null || at - lastCoarse >= COARSE_STEP_MS - 1_000) this.coarse.push(at, values);
    return true;
  }

  /** Rows with from <= t <= to in time order: coarse rows older than the fine tier, then fine rows. */
  rows(from: number, to: number): HistoryRow[] {
    const rows: HistoryRow[] = [];
    const width = this.keys.length * COLUMNS_PER_PARTITION;
    const fineFirst = this.fine.length ? this.fine.time(0) : Number.POSITIVE_INFINITY;
    const read = (ring: ColumnRing, row: number) => {
      const values = new Float64Array(width);
      for (let column = 0; column < width; column += 1) values[column] = ring.value(row, column);
      rows.push({ t: ring.time(row), values });
    };
    for (let row = this.coarse.lowerBound(from); row < this.coarse.length; row += 1) {
      const t = this.coarse.time(row);
      if (t >= fineFirst || t > to) break;
      read(this.coarse, row);
    }
    for (let row = this.fine.lowerBound(from); row < this.fine.length; row += 1) {
      if (this.fine.time(row) > to) break;
      read(this.fine, row);
    }
    return rows;
  }

  /** The newest row at or before t, if any. */
  rowAtOrBefore(t: number): HistoryRow | null {
    const rows = this.rows(Number.NEGATIVE_INFINITY, t);
    return rows[rows.length - 1] ?? null;
  }

  bytes(): number {
    return this.fine.bytes() + this.coarse.bytes();
  }

  #column(topic: string, partition: number): number {
    const id = `${topic}\u0000${partition}`;
    let index = this.#index.get(id);
    if (index === undefined) {
      index = this.keys.length;
      this.keys.push({ topic, partition });
      this.#index.set(id, index);
      for (let column = 0; column < COLUMNS_PER_PARTITION; column += 1) {
        this.fine.addColumn();
        this.coarse.addColumn();
      }
    }
    return index;
  }
}
