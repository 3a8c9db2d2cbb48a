// Pages of records: where each partition starts (earliest, latest, an offset, a time, a group's
// commits), lazy per-partition streams read forward or backward with the low-level fetch, and a merge
// across partitions by timestamp that takes a prefix of every partition, so each page ends with a
// cursor per partition. The next page reads forward from the cursor and the previous one backward
// from it: nothing is read again from the start.
import type { Admin } from '@platformatic/kafka';
import type { Limit, PartitionCursor, Seek, StopReason } from '../../../shared/model/messages';
import { KEY_PARTITIONERS, keyPartitions } from '../../kafka/partitioners/index';
import { AppError } from '../../core/errors';
import { committedOffsets } from '../cluster/offsets';
import { FilterStopped } from './message-workers';
import type { Predicate } from './filters';
import type { RawRecord, TopicReader, Watermarks } from './fetch';

const FIRST_CHUNK_BYTES = 64 * 1024;
const MAX_CHUNK_BYTES = 8 * 1024 * 1024;
const OFFSET_OUT_OF_RANGE = 1;

export type Direction = 'forward' | 'backward';
type ChunkHook = (records: RawRecord[]) => Promise<void>;

interface Stream {
  readonly partition: number;
  head(): RawRecord | undefined;
  take(): RawRecord;
  fill(): Promise<void>;
  /** Forward: the next offset not consumed. Backward: the lowest offset consumed (exclusive bound). */
  readonly position: number;
  end(): void;
}

/** Reads one partition forward from `start` up to `end` (exclusive), in growing chunks. */
class ForwardStream implements Stream {
  #buffer: RawRecord[] = [];
  #index = 0;
  #next: number;
  #chunk = FIRST_CHUNK_BYTES;
  #done = false;

  constructor(
    readonly partition: number,
    start: number,
    readonly limit: number,
    readonly reader: TopicReader,
    readonly onChunk: ChunkHook,
  ) {
    this.#next = start;
  }

  head(): RawRecord | undefined {
    return this.#buffer[this.#index];
  }

  take(): RawRecord {
    return this.#buffer[this.#index++]!;
  }

  get position(): number {
    return this.head()?.offset ?? this.#next;
  }

  end(): void {
    this.#done = true;
  }

  async fill(): Promise<void> {
    while (!this.head() && !this.#done) {
      if (this.#next >= this.limit) {
        this.#done = true;
        return;
      }
      const [data] = await this.reader.fetch([{ partition: this.partition, offset: this.#next, maxBytes: this.#chunk }]);
      if (!data) throw new AppError('unavailable', `Partition ${this.partition} did not answer.`);
      if (data.errorCode === OFFSET_OUT_OF_RANGE) {
        // Retention or DeleteRecords moved the start past us: continue from the new start.
        if (this.#next < data.logStartOffset) {
          this.#next = data.logStartOffset;
          continue;
        }
        this.#done = true;
        return;
      }
      const records =
        data.records[data.records.length - 1] && data.records[data.records.length - 1]!.offset >= this.limit
          ? data.records.filter((record) => record.offset < this.limit)
          : data.records;
      if (data.nextOffset <= this.#next) {
        // Nothing complete came back below the end: the partition ended earlier than its watermark said.
        this.#done = true;
        return;
      }
      this.#next = Math.min(data.nextOffset, this.limit);
      this.#chunk = Math.min(this.#chunk * 2, MAX_CHUNK_BYTES);
      this.#buffer = records;
      this.#index = 0;
      if (records.length) await this.onChunk(records);
    }
  }
}

/** Reads one partition backward from `start` (exclusive) down to `low`, newest first. */
class BackwardStream implements Stream {
  #buffer: RawRecord[] = [];
  #index = 0;
  #upper: number;
  #low: number;
  #span: number;
  #chunk = FIRST_CHUNK_BYTES;
  #done = false;

  constructor(
    readonly partition: number,
    start: number,
    low: number,
    span: number,
    readonly reader: TopicReader,
    readonly onChunk: ChunkHook,
  ) {
    this.#upper = start;
    this.#low = low;
    this.#span = Math.max(1, span);
  }

  head(): RawRecord | undefined {
    return this.#buffer[this.#index];
  }

  take(): RawRecord {
    return this.#buffer[this.#index++]!;
  }

  get position(): number {
    const head = this.head();
    return head ? head.offset + 1 : this.#upper;
  }

  end(): void {
    this.#done = true;
  }

  async fill(): Promise<void> {
    while (!this.head() && !this.#done) {
      if (this.#upper <= this.#low) {
        this.#done = true;
        return;
      }
      const from = Math.max(this.#low, this.#upper - this.#span);
      const collected: RawRecord[] = [];
      let at = from;
      while (at < this.#upper) {
        const [data] = await this.reader.fetch([{ partition: this.partition, offset: at, maxBytes: this.#chunk }]);
        if (!data) throw new AppError('unavailable', `Partition ${this.partition} did not answer.`);
        if (data.errorCode === OFFSET_OUT_OF_RANGE) {
          if (at < data.logStartOffset) {
            this.#low = data.logStartOffset;
            at = this.#low;
            continue;
          }
          break;
        }
        for (const record of data.records) if (record.offset < this.#upper) collected.push(record);
        if (data.nextOffset <= at) break;
        at = data.nextOffset;
        this.#chunk = Math.min(this.#chunk * 2, MAX_CHUNK_BYTES);
      }
      this.#upper = Math.max(from, this.#low);
      this.#span = Math.min(this.#span * 2, 1_000_000);
      collected.reverse();
      this.#buffer = collected;
      this.#index = 0;
      if (collected.length) await this.onChunk(collected);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Merge

/** Forward: oldest first by timestamp, then partition. Backward: the reverse. */
function before(a: RawRecord, b: RawRecord, direction: Direction): boolean {
  const byTime = a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset;
  return direction === 'forward' ? byTime < 0 : byTime > 0;
}

class StreamHeap {
  readonly items: Stream[] = [];
  constructor(readonly direction: Direction) {}

  #less(i: number, j: number): boolean {
    return before(this.items[i]!.head()!, this.items[j]!.head()!, this.direction);
  }

  push(stream: Stream): void {
    const items = this.items;
    items.push(stream);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  /** Restores the order after the top's head changed, or removes the top when it has none. */
  fixTop(remove = false): void {
    const items = this.items;
    if (remove || !items[0]!.head()) {
      const last = items.pop()!;
      if (!items.length) return;
      items[0] = last;
    }
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let best = i;
      if (left < items.length && this.#less(left, best)) best = left;
      if (right < items.length && this.#less(right, best)) best = right;
      if (best === i) return;
      [items[i], items[best]] = [items[best]!, items[i]!];
      i = best;
    }
  }
}

export interface ScanStats {
  scanned: number;
  matched: number;
  startedAt: number;
}

export interface MergeOptions {
  direction: Direction;
  count: number;
  maxBytes?: number | undefined;
  deadline?: number | undefined;
  endTimestamp?: number | undefined;
  predicate: Predicate | null;
  isCancelled: () => boolean;
  /** Called at most every 200 ms while scanning. */
  onProgress?: ((stats: ScanStats) => void) | undefined;
  /** Receives every matching record in merge order; may ask the merge to wait (export back-pressure). */
  onRecord: (record: RawRecord) => void;
  drain?: (() => Promise<void>) | undefined;
}

export interface MergeResult {
  stoppedBy: StopReason;
  stats: ScanStats;
  /** Set when the filter's own time budget stopped the read: where, and what to do. */
  note?: string;
}

export async function merge(streams: Stream[], options: MergeOptions): Promise<MergeResult> {
  const stats: ScanStats = { scanned: 0, matched: 0, startedAt: performance.now() };
  try {
    return await mergeInto(stats, streams, options);
  } catch (error) {
    // The message worker was ended (Cancel, the time limit or its budget) in the middle of a chunk:
    // that chunk stays unread, so each stream's cursor is at its first record and nothing is skipped.
    if (error instanceof FilterStopped) return { stoppedBy: error.reason, stats, ...(error.overBudget ? { note: error.message } : {}) };
    throw error;
  }
}

async function mergeInto(stats: ScanStats, streams: Stream[], options: MergeOptions): Promise<MergeResult> {
  await Promise.all(streams.map((stream) => stream.fill()));
  const heap = new StreamHeap(options.direction);
  for (const stream of streams) if (stream.head()) heap.push(stream);
  const { predicate, endTimestamp, direction, count } = options;
  const maxBytes = options.maxBytes ?? Infinity;
  let bytes = 0;
  let lastProgress = stats.startedAt;
  let sinceCheck = 0;
  for (;;) {
    const stream = heap.items[0];
    if (!stream) return { stoppedBy: 'end', stats };
    const record = stream.head()!;
    if (endTimestamp !== undefined && record.timestamp > endTimestamp && direction === 'forward') {
      // Past the end time: this partition is done, its cursor stays on this record.
      stream.end();
      heap.fixTop(true);
      continue;
    }
    stream.take();
    stats.scanned++;
    const inTime = endTimestamp === undefined || record.timestamp <= endTimestamp;
    if (inTime && (predicate === null || predicate(record))) {
      stats.matched++;
      bytes += record.size;
      options.onRecord(record);
      if (stats.matched >= count) return { stoppedBy: 'count', stats };
      if (bytes >= maxBytes) return { stoppedBy: 'bytes', stats };
      if (options.drain && (stats.matched & 1023) === 0) await options.drain();
    }
    if (!stream.head()) await stream.fill();
    heap.fixTop();
    if (++sinceCheck >= 2048) {
      sinceCheck = 0;
      if (options.isCancelled()) return { stoppedBy: 'cancelled', stats };
      const now = performance.now();
      if (options.deadline !== undefined && now >= options.deadline) return { stoppedBy: 'time', stats };
      if (options.onProgress && now - lastProgress >= 200) {
        lastProgress = now;
        options.onProgress(stats);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Starting points

export interface Plan {
  partitions: number[];
  watermarks: Map<number, Watermarks>;
  direction: Direction;
  /** Forward: first offset to read. Backward: exclusive end. */
  starts: Map<number, number>;
  notes: string[];
  /** Find by key: the partitions the common partitioners pick for the key, with their labels. */
  keyCandidates?: KeyCandidate[];
  /** Find by key in the partitions chosen in the form (searched alone). */
  keyChosen?: boolean;
}

export interface KeyCandidate {
  partition: number;
  partitioners: string[];
}

const partitionerLabels = new Map(KEY_PARTITIONERS.map((partitioner) => [partitioner.name, partitioner.label]));

/** The partitions the common clients would put `key` in, each with the labels of the partitioners that pick it. */
export function keyCandidates(key: string, partitionCount: number): KeyCandidate[] {
  return keyPartitions(Buffer.from(key), partitionCount).map(({ partition, partitioners }) => ({
    partition,
    partitioners: partitioners.map((name) => partitionerLabels.get(name) ?? name),
  }));
}

/** Where a find by key goes on when none of its candidate partitions holds the key: every other partition. */
export function keyFallbackPartitions(reader: TopicReader, planned: Plan): number[] {
  if (!planned.keyCandidates || planned.keyChosen) return [];
  const searched = new Set(planned.keyCandidates.map((candidate) => candidate.partition));
  return reader.checkPartitions(null).filter((partition) => !searched.has(partition));
}

const clamp = (value: number, range: Watermarks) => Math.min(Math.max(value, range.low), range.high);

export async function plan(
  reader: TopicReader,
  admin: Admin,
  request: {
    partitions: number[] | null;
    seek: Seek;
    page?: { cursor: PartitionCursor[]; direction: Direction } | undefined;
    findKey?: string | undefined;
  },
): Promise<Plan> {
  let partitions = reader.checkPartitions(request.partitions);
  const notes: string[] = [];
  const keyed: Pick<Plan, 'keyCandidates' | 'keyChosen'> = {};
  if (request.findKey !== undefined) {
    // The key's records are where the client that wrote them put them, and clients hash differently:
    // the partitions of every common partitioner are searched (the caller goes on to the others when
    // none holds the key). Partitions chosen in the form are searched alone; a next page keeps the
    // partitions of its first.
    keyed.keyCandidates = keyCandidates(request.findKey, reader.partitionCount);
    if (request.partitions?.length) keyed.keyChosen = true;
    else if (request.page) partitions = reader.checkPartitions(request.page.cursor.map((entry) => entry.partition));
    else partitions = keyed.keyCandidates.map((candidate) => candidate.partition);
  }
  // Offline partitions, and partitions whose leader does not answer, are left out with a note: the
  // others are read. Only when none can be read is it an error.
  const offline = new Set(reader.offline(partitions));
  const readable = await reader.readableWatermarks(partitions.filter((partition) => !offline.has(partition)));
  const watermarks = readable.watermarks;
  const skipped = [
    ...[...offline].map((partition) => ({ partition, reason: 'offline (no leader)' })),
    ...[...readable.failed].map(([partition, reason]) => ({ partition, reason })),
  ].sort((a, b) => a.partition - b.partition);
  if (skipped.length) {
    const list = skipped
      .map(({ partition, reason }) => `partition ${partition} is ${reason.startsWith('offline') ? reason : `unreadable: ${reason}`}`)
      .join('; ');
    if (skipped.length === partitions.length) {
      throw new AppError('unavailable', `Nothing can be read from "${reader.topic}" right now: ${list}.`);
    }
    notes.push(`Not shown: ${list}.`);
    partitions = partitions.filter((partition) => watermarks.has(partition));
  }
  if (reader.isolation === 'read_committed') notes.push(...(await heldBack(reader, partitions, watermarks)));
  const starts = new Map<number, number>();
  const range = (partition: number) => watermarks.get(partition)!;

  if (request.page) {
    const byPartition = new Map(request.page.cursor.map((entry) => [entry.partition, entry]));
    for (const partition of partitions) {
      const entry = byPartition.get(partition);
      const r = range(partition);
      if (request.page.direction === 'forward') starts.set(partition, entry ? clamp(entry.after, r) : r.high);
      else starts.set(partition, entry ? clamp(entry.before, r) : r.low);
    }
    return { partitions, watermarks, direction: request.page.direction, starts, notes, ...keyed };
  }

  const seek = request.seek;
  let direction: Direction = 'forward';
  switch (seek.mode) {
    case 'earliest':
      for (const partition of partitions) starts.set(partition, range(partition).low);
      break;
    case 'latest':
      direction = 'backward';
      for (const partition of partitions) starts.set(partition, range(partition).high);
      break;
    case 'offset':
      for (const partition of partitions) {
        const r = range(partition);
        if (seek.offset < r.low) notes.push(`Partition ${partition} starts at ${r.low}; offset ${seek.offset} is gone.`);
        starts.set(partition, clamp(seek.offset, r));
      }
      break;
    case 'timestamp': {
      const offsets = await reader.offsetsForTime(partitions, seek.timestamp);
      for (const partition of partitions) starts.set(partition, clamp(offsets.get(partition) ?? range(partition).high, range(partition)));
      break;
    }
    case 'group': {
      const committed = await groupCommits(admin, seek.groupId, reader.topic, partitions);
      const missing: number[] = [];
      for (const partition of partitions) {
        const offset = committed.get(partition);
        if (offset === undefined) missing.push(partition);
        starts.set(partition, offset === undefined ? range(partition).low : clamp(offset, range(partition)));
      }
      if (missing.length === partitions.length) {
        notes.push(`The group "${seek.groupId}" has no committed offset on this topic; reading from the earliest offsets.`);
      } else if (missing.length) {
        notes.push(`The group "${seek.groupId}" has no committed offset on partition ${missing.join(', ')}; those are read from the earliest offset.`);
      }
      break;
    }
  }
  return { partitions, watermarks, direction, starts, notes, ...keyed };
}

/** read_committed: the partitions whose last stable offset is below the high watermark, in words. */
async function heldBack(reader: TopicReader, partitions: number[], stable: Map<number, Watermarks>): Promise<string[]> {
  const high = await reader.highWatermarks(partitions);
  const held = partitions.filter((partition) => (high.get(partition) ?? 0) > stable.get(partition)!.high);
  const n = (value: number) => value.toLocaleString('en-US');
  return held.map((partition) => {
    const lso = stable.get(partition)!.high;
    const hw = high.get(partition)!;
    const span = hw - lso === 1 ? `offset ${n(lso)}` : `offsets ${n(lso)} to ${n(hw - 1)}`;
    return `Partition ${partition} is read up to its last stable offset, ${n(lso)}: an open transaction holds back ${span} (read uncommitted shows them).`;
  });
}

/** A consumer group's committed offsets on the given partitions of one topic. */
async function groupCommits(admin: Admin, groupId: string, topic: string, partitions: number[]): Promise<Map<number, number>> {
  const commits = (await committedOffsets(admin, [{ groupId, topics: [{ name: topic, partitionIndexes: partitions }] }])).get(groupId)?.get(topic);
  return new Map([...(commits ?? [])].map(([partition, commit]) => [partition, commit.offset]));
}

export function openStreams(reader: TopicReader, planned: Plan, span: number, onChunk: ChunkHook, limits?: { endOffsets?: Map<number, number> }): Stream[] {
  return planned.partitions.map((partition) => {
    const range = planned.watermarks.get(partition)!;
    const start = planned.starts.get(partition)!;
    return planned.direction === 'forward'
      ? new ForwardStream(partition, start, limits?.endOffsets?.get(partition) ?? range.high, reader, onChunk)
      : new BackwardStream(partition, start, range.low, span, reader, onChunk);
  });
}

export function cursorOf(planned: Plan, streams: Stream[]): PartitionCursor[] {
  return streams.map((stream) => {
    const start = planned.starts.get(stream.partition)!;
    return planned.direction === 'forward'
      ? { partition: stream.partition, before: start, after: stream.position }
      : { partition: stream.partition, before: stream.position, after: start };
  });
}

export function limitDeadline(limit: Pick<Limit, 'maxDurationMs'>): number | undefined {
  return limit.maxDurationMs === undefined ? undefined : performance.now() + limit.maxDurationMs;
}
