import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32c } from '../../kafka/protocol/crc32c';
import { OffsetIndex, TimeIndex } from './indexes';
import { writeFileAtomic } from './checkpoint';
import type { ReadAllocator } from './read-buffers';

/**
 * One segment of a partition log: `<base>.log` (record batches back to back, exactly as produced, with
 * offsets assigned) and its sparse `<base>.index` / `<base>.timeindex` (see indexes.ts).
 *
 * All I/O is synchronous on an fd kept open: an append has reached the page cache when `append` returns,
 * so the data survives the process being killed. The active segment keeps a copy of its newest bytes in
 * memory (TailCache) so consumers at the head are served without a syscall.
 */

export interface LogLogger {
  warn(message: string): void;
  info?(message: string): void;
}

/** Fixed batch-header fields a scan needs (baseOffset .. lastOffsetDelta). */
const SCAN_HEADER = 27;
const MIN_BATCH = 61;
const MAX_REL_OFFSET = 2147483647;
/** How many of the newest batches a segment remembers the positions of (see LogSegment.recentBase). */
const RECENT_BATCHES = 32;

/** INT64 BE as a number (exact below 2^53, which every offset and timestamp is); no BigInt on the hot path. */
export function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * 4294967296 + buf.readUInt32BE(at + 4);
}

export function segmentFileName(baseOffset: number, suffix: string): string {
  return `${String(baseOffset).padStart(20, '0')}${suffix}`;
}

/**
 * Open file descriptors of segments, least recently used first: beyond the budget the oldest is closed
 * (reopened on its next read, write or fsync). Several brokers share one process, each with many
 * partitions, so fds would otherwise grow with segments x partitions x brokers (tens of thousands of
 * idle partitions would exhaust the process's open-file limit). Inactive segments have a small budget
 * of their own; active ones a larger one, so busy partitions keep their file open.
 */
class FdBudget {
  readonly #open = new Map<LogSegment, true>();

  constructor(public limit: number) {}

  touch(seg: LogSegment): void {
    this.#open.delete(seg);
    this.#open.set(seg, true);
    while (this.#open.size > this.limit) {
      const oldest = this.#open.keys().next().value as LogSegment;
      this.#open.delete(oldest);
      oldest.releaseFd();
    }
  }

  forget(seg: LogSegment): void {
    this.#open.delete(seg);
  }
}

const inactiveFds = new FdBudget(256);
const activeFds = new FdBudget(4096);

/** A tail cache's first slab of copies, and how many bytes of copies it keeps at most (see TailCache). */
const MIN_SLAB = 64 << 10;
const COPY_LIMIT = 1 << 20;

/** Appends at least this large may be kept by reference in the tail cache (smaller ones pack into slabs). */
const RETAIN_MIN_BYTES = 64 << 10;

/** How many inactive segments may keep their file open at once, process-wide (default 256). */
export function setInactiveSegmentFdLimit(limit: number): void {
  inactiveFds.limit = Math.max(1, limit);
}

/** How many active segments may keep their file open at once, process-wide (default 4096). */
export function setActiveSegmentFdLimit(limit: number): void {
  activeFds.limit = Math.max(1, limit);
}

/**
 * The newest bytes of the active segment in memory, in contiguous slabs: copies in slabs that grow
 * 64 KiB .. 256 KiB, or, for large appends whose buffer the log was handed (`retain`), that buffer
 * itself as a slab of its own (no copy, and no fresh memory to fault in).
 */
export class TailCache {
  #slabs: Array<{ pos: number; buf: Buffer; used: number; copied: boolean }> = [];
  #total = 0;
  /** Bytes of the slabs holding copies (small appends). */
  #copiedTotal = 0;
  readonly #limit: number;
  /**
   * Copies of small appends are kept to at most this much (1 MiB, in slabs of at most 256 KiB), less
   * than `limit`: a slab must die young. Slabs that lived through young-generation collections are
   * promoted with their external memory, which then only a mark-compact frees, and V8 starts one when
   * external memory has grown enough ("external memory pressure"): with three replicas in one process
   * the copies of an acks=all stream of small requests did that about once per 10,000-20,000 requests
   * (npm run bench -- produce-path). Large appends kept by reference (bulk producers) still use all of
   * `limit`. Followers and consumers at the head read the newest bytes, well within 1 MiB.
   */
  readonly #copyLimit: number;
  readonly #maxSlab: number;

  constructor(limit: number) {
    this.#limit = limit;
    this.#copyLimit = Math.min(limit, COPY_LIMIT);
    this.#maxSlab = Math.max(MIN_SLAB, Math.min(1 << 20, this.#copyLimit >> 2));
  }

  append(pos: number, data: Buffer, retain = false): void {
    if (this.#limit <= 0) return;
    let last = this.#slabs.at(-1);
    if (last && last.pos + last.used !== pos) {
      this.clear();
      last = undefined;
    }
    if (retain && data.length >= RETAIN_MIN_BYTES && data.length * 2 >= data.buffer.byteLength) {
      // Full, so later appends never write into it; kept only while it views mostly its own memory.
      this.#slabs.push({ pos, buf: data, used: data.length, copied: false });
    } else {
      if (!last || !last.copied || last.buf.length - last.used < data.length) {
        const size = Math.max(data.length, Math.min(this.#maxSlab, last?.copied ? last.buf.length * 2 : MIN_SLAB));
        last = { pos, buf: Buffer.allocUnsafeSlow(size), used: 0, copied: true };
        this.#slabs.push(last);
      }
      data.copy(last.buf, last.used);
      last.used += data.length;
      this.#copiedTotal += data.length;
    }
    this.#total += data.length;
    for (let first = this.#slabs[0]!; this.#slabs.length > 1; first = this.#slabs[0]!) {
      const over = this.#total - first.used >= this.#limit || (first.copied && this.#copiedTotal - first.used >= this.#copyLimit);
      if (!over) break;
      this.#slabs.shift();
      this.#total -= first.used;
      if (first.copied) this.#copiedTotal -= first.used;
    }
  }

  /** The slab holding [pos, pos + len), as (buffer, buffer's file position), or null. */
  slabFor(pos: number, len: number): { buf: Buffer; pos: number } | null {
    for (let i = this.#slabs.length - 1; i >= 0; i--) {
      const s = this.#slabs[i]!;
      if (pos >= s.pos) {
        return pos + len <= s.pos + s.used ? { buf: s.buf.subarray(0, s.used), pos: s.pos } : null;
      }
    }
    return null;
  }

  clear(): void {
    this.#slabs = [];
    this.#total = 0;
    this.#copiedTotal = 0;
  }
}

export interface BatchInfo {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  partitionLeaderEpoch: number;
  attributes: number;
  baseTimestamp: number;
  maxTimestamp: number;
}

/** Reads a segment through a window buffer (one readSync per window), or straight from the tail cache. */
class SegmentWindow {
  buf: Buffer = Buffer.alloc(0);
  start = 0;
  readonly #segment: LogSegment;
  readonly #windowSize: number;
  readonly #alloc: ReadAllocator | undefined;

  constructor(segment: LogSegment, windowSize: number, alloc?: ReadAllocator) {
    this.#segment = segment;
    this.#windowSize = windowSize;
    this.#alloc = alloc;
  }

  /** Makes [pos, pos + len) available; returns the index of `pos` in `this.buf`. */
  ensure(pos: number, len: number): number {
    if (pos >= this.start && pos + len <= this.start + this.buf.length) return pos - this.start;
    const slab = this.#segment.cache?.slabFor(pos, len);
    if (slab) {
      this.buf = slab.buf;
      this.start = slab.pos;
      return pos - slab.pos;
    }
    const size = Math.min(Math.max(len, this.#windowSize), this.#segment.size - pos);
    if (size < len) throw new Error(`read past the end of ${this.#segment.logPath}`);
    this.buf = this.#segment.readFile(pos, size, this.#alloc);
    this.start = pos;
    return 0;
  }

  batchAt(pos: number): BatchInfo {
    let i = this.ensure(pos, SCAN_HEADER);
    const size = this.buf.readInt32BE(i + 8) + 12;
    i = this.ensure(pos, Math.min(size, MIN_BATCH));
    const b = this.buf;
    const baseOffset = readInt64(b, i);
    return {
      position: pos,
      size,
      baseOffset,
      lastOffset: baseOffset + b.readInt32BE(i + 23),
      partitionLeaderEpoch: b.readInt32BE(i + 12),
      attributes: b.readInt16BE(i + 21),
      baseTimestamp: size >= MIN_BATCH ? readInt64(b, i + 27) : -1,
      maxTimestamp: size >= MIN_BATCH ? readInt64(b, i + 35) : -1,
    };
  }

  bytes(pos: number, len: number): Buffer {
    const i = this.ensure(pos, len);
    return this.buf.subarray(i, i + len);
  }
}

export interface SegmentRead {
  records: Buffer;
  firstOffset: number;
  lastOffset: number;
  /** Position of the first returned batch in the segment file. */
  position: number;
}

export class LogSegment {
  readonly logPath: string;
  readonly indexPath: string;
  readonly timeIndexPath: string;
  #fd: number;
  size = 0;
  /** Last offset + 1 of the segment's last batch; baseOffset when empty. */
  nextOffset: number;
  maxTimestamp = -1;
  /** Base offset of the batch holding maxTimestamp. */
  offsetOfMaxTimestamp = -1;
  /** maxTimestamp of the first batch (segment.ms rolls count from it). */
  firstBatchTimestamp = -1;
  index: OffsetIndex;
  timeIndex: TimeIndex;
  #bytesSinceLastIndexEntry = 0;
  /**
   * The newest batches (a ring of RECENT_BATCHES: base offset, last offset, position), consecutive up to
   * the segment's end. Followers and consumers read at the head: their fetch offset is found here
   * instead of by walking, batch by batch, from the sparse index entry before it (index.interval.bytes
   * of small batches is a dozen of them, for every fetch).
   */
  readonly #recentBase = new Float64Array(RECENT_BATCHES);
  readonly #recentLast = new Float64Array(RECENT_BATCHES);
  readonly #recentPos = new Float64Array(RECENT_BATCHES);
  #recentCount = 0;
  #recentNext = 0;
  indexDirty = true;
  cache: TailCache | null = null;
  #isClosed = false;
  #inactive = false;
  /** Rolled, with its background fsync not yet done. */
  needsFsync = false;
  /**
   * Counts writes and truncations, and the count the last fsync covered: close() and flush() skip the
   * fsync of a segment with nothing new (an idle partition), which otherwise costs a journal commit each.
   */
  #changes = 1;
  #syncedChanges = 0;
  /** Random jitter subtracted from segment.ms for this segment. */
  rollJitterMs = 0;
  readonly #indexIntervalBytes: number;

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    fd: number,
    readonly createdMs: number,
    indexIntervalBytes: number,
  ) {
    this.#indexIntervalBytes = indexIntervalBytes;
    this.logPath = path.join(dir, segmentFileName(baseOffset, '.log'));
    this.indexPath = path.join(dir, segmentFileName(baseOffset, '.index'));
    this.timeIndexPath = path.join(dir, segmentFileName(baseOffset, '.timeindex'));
    this.#fd = fd;
    // Counted from the start: a broker opening thousands of partitions must not hold all their files.
    activeFds.touch(this);
    this.nextOffset = baseOffset;
    this.index = new OffsetIndex(baseOffset);
    this.timeIndex = new TimeIndex(baseOffset);
  }

  /** Creates an empty segment (an existing file of that name is truncated). */
  static create(dir: string, baseOffset: number, now: number, indexIntervalBytes: number): LogSegment {
    const logPath = path.join(dir, segmentFileName(baseOffset, '.log'));
    const fd = fs.openSync(logPath, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o644);
    const seg = new LogSegment(dir, baseOffset, fd, now, indexIntervalBytes);
    for (const p of [seg.indexPath, seg.timeIndexPath]) fs.rmSync(p, { force: true });
    // An empty file has no content to fsync; a lost one is created again at the next open.
    seg.#syncedChanges = seg.#changes;
    return seg;
  }

  /**
   * Opens an existing segment. `recover`: scan every batch (lengths, CRC, monotonic offsets), truncate at
   * the first bad one and rebuild the indexes. Otherwise the index files are loaded and sanity-checked
   * (rebuilt by a full scan when missing or inconsistent) and only the tail after the last index entry
   * is scanned. Returns the number of bytes truncated.
   */
  static open(
    dir: string,
    baseOffset: number,
    opts: { recover: boolean; now: number; indexIntervalBytes: number; logger: LogLogger; minOffset: number; synced?: boolean },
  ): { segment: LogSegment; truncatedBytes: number } {
    const logPath = path.join(dir, segmentFileName(baseOffset, '.log'));
    const fd = fs.openSync(logPath, fs.constants.O_RDWR);
    const seg = new LogSegment(dir, baseOffset, fd, opts.now, opts.indexIntervalBytes);
    // After a clean shutdown the file was fsynced by close(); after a crash its pages may not be on disk.
    if (opts.synced) seg.#syncedChanges = seg.#changes;
    seg.size = fs.fstatSync(fd).size;
    if (!opts.recover) {
      const reason = seg.#loadIndexes();
      if (reason === null) {
        const truncated = seg.#scan(seg.index.lastPosition(), opts.minOffset, opts.logger, false);
        const lastTime = seg.timeIndex.lastEntry();
        if (!lastTime || lastTime.offset < seg.nextOffset) {
          seg.#readFirstBatchTimestamp();
          return { segment: seg, truncatedBytes: truncated };
        }
        opts.logger.warn(`${seg.logPath}: time index points beyond the log; rebuilding the indexes`);
      } else {
        opts.logger.warn(`${seg.logPath}: ${reason}; rebuilding the indexes`);
      }
    }
    const truncated = seg.#scan(0, opts.minOffset, opts.logger, true);
    seg.indexDirty = true;
    seg.writeIndexes();
    return { segment: seg, truncatedBytes: truncated };
  }

  #loadIndexes(): string | null {
    let indexBuf: Buffer;
    let timeBuf: Buffer;
    try {
      indexBuf = fs.readFileSync(this.indexPath);
      timeBuf = fs.readFileSync(this.timeIndexPath);
    } catch {
      if (this.size === 0) {
        // Empty segments are written without index files (writeIndexes).
        this.indexDirty = false;
        return null;
      }
      return 'index file missing';
    }
    const index = OffsetIndex.fromBuffer(this.baseOffset, indexBuf, this.size);
    if (!index) return 'offset index corrupt or inconsistent with the log';
    const timeIndex = TimeIndex.fromBuffer(this.baseOffset, timeBuf);
    if (!timeIndex) return 'time index corrupt';
    const lastTime = timeIndex.lastEntry();
    if (lastTime && lastTime.offset > Math.max(index.lastOffset(), this.baseOffset) + MAX_REL_OFFSET) return 'time index inconsistent';
    this.index = index;
    this.timeIndex = timeIndex;
    if (lastTime) {
      this.maxTimestamp = lastTime.timestamp;
      this.offsetOfMaxTimestamp = lastTime.offset;
    }
    this.indexDirty = false;
    return null;
  }

  #readFirstBatchTimestamp(): void {
    if (this.size >= MIN_BATCH) this.firstBatchTimestamp = readInt64(this.readFile(35, 8), 0);
  }

  /**
   * Walks batches from `fromPos` (a batch boundary) to the end, checking lengths, magic, CRC (when
   * `fullRebuild` or always for the tail: every scanned batch is CRC-checked) and offsets; truncates the file
   * at the first bad or incomplete batch. Rebuilds index entries and timestamps for the scanned range.
   */
  #scan(fromPos: number, minOffset: number, logger: LogLogger, fullRebuild: boolean): number {
    if (fullRebuild) {
      this.index.clear();
      this.timeIndex.clear();
      this.maxTimestamp = -1;
      this.offsetOfMaxTimestamp = -1;
      this.firstBatchTimestamp = -1;
      this.nextOffset = this.baseOffset;
    }
    this.#forgetRecent();
    let expectedMin = fullRebuild ? Math.max(this.baseOffset, minOffset) : this.baseOffset;
    let pos = fromPos;
    let reason: string | null = null;
    const chunk = 8 << 20;
    let buf: Buffer = Buffer.alloc(0);
    let bufStart = 0;
    this.#bytesSinceLastIndexEntry = 0;
    while (pos < this.size) {
      const remaining = this.size - pos;
      if (remaining < 12) {
        reason = `incomplete batch header (${remaining} bytes) at position ${pos}`;
        break;
      }
      if (pos + 12 > bufStart + buf.length) {
        buf = this.readFile(pos, Math.min(chunk, remaining));
        bufStart = pos;
      }
      const batchLength = buf.readInt32BE(pos - bufStart + 8);
      const size = batchLength + 12;
      if (batchLength < MIN_BATCH - 12) {
        reason = `batch length ${batchLength} too small at position ${pos}`;
        break;
      }
      if (size > remaining) {
        reason = `incomplete batch (${remaining} of ${size} bytes) at position ${pos}`;
        break;
      }
      if (pos + size > bufStart + buf.length) {
        buf = this.readFile(pos, Math.min(Math.max(chunk, size), remaining));
        bufStart = pos;
      }
      const i = pos - bufStart;
      const magic = buf.readInt8(i + 16);
      if (magic !== 2) {
        reason = `magic ${magic} at position ${pos}`;
        break;
      }
      const crc = buf.readUInt32BE(i + 17);
      if (crc32c(buf.subarray(i + 21, i + size)) !== crc) {
        reason = `CRC mismatch at position ${pos}`;
        break;
      }
      const baseOffset = readInt64(buf, i);
      const lastOffsetDelta = buf.readInt32BE(i + 23);
      const lastOffset = baseOffset + lastOffsetDelta;
      if (lastOffsetDelta < 0 || baseOffset < expectedMin || lastOffset - this.baseOffset > MAX_REL_OFFSET) {
        reason = `batch offsets ${baseOffset}..${lastOffset} out of order at position ${pos} (expected >= ${expectedMin})`;
        break;
      }
      const maxTimestamp = readInt64(buf, i + 35);
      this.#track(pos, size, baseOffset, lastOffset, maxTimestamp);
      expectedMin = lastOffset + 1;
      pos += size;
    }
    if (reason !== null) {
      const dropped = this.size - pos;
      logger.warn(`${this.logPath}: ${reason}; truncating ${dropped} bytes to ${pos}`);
      fs.ftruncateSync(this.#handle(), pos);
      this.size = pos;
      this.#changes++;
      this.#forgetRecent();
      this.index.truncateToPosition(pos);
      this.indexDirty = true;
      return dropped;
    }
    return 0;
  }

  /** Index and timestamp bookkeeping for one batch at `pos` (append and scan). */
  #track(pos: number, size: number, baseOffset: number, lastOffset: number, maxTimestamp: number): void {
    if (pos === 0) this.firstBatchTimestamp = maxTimestamp;
    if (maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = maxTimestamp;
      this.offsetOfMaxTimestamp = baseOffset;
    }
    if (this.#bytesSinceLastIndexEntry > this.#indexIntervalBytes) {
      this.index.append(lastOffset, pos);
      this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
      this.#bytesSinceLastIndexEntry = 0;
    }
    this.#bytesSinceLastIndexEntry += size;
    this.nextOffset = lastOffset + 1;
    const at = this.#recentNext;
    this.#recentBase[at] = baseOffset;
    this.#recentLast[at] = lastOffset;
    this.#recentPos[at] = pos;
    this.#recentNext = (at + 1) % RECENT_BATCHES;
    if (this.#recentCount < RECENT_BATCHES) this.#recentCount++;
  }

  /** Forgets the newest batches' positions (the file was cut: they may be gone). */
  #forgetRecent(): void {
    this.#recentCount = 0;
    this.#recentNext = 0;
  }

  /** positionOf from the newest batches, or -1 when `offset` lies before them. */
  #recentPositionOf(offset: number): number {
    const n = this.#recentCount;
    if (n === 0) return -1;
    const oldest = (this.#recentNext - n + RECENT_BATCHES) % RECENT_BATCHES;
    // A batch before the oldest one remembered ends below its base offset, so below `offset`.
    if (offset < this.#recentBase[oldest]!) return -1;
    for (let k = 0; k < n; k++) {
      const j = (oldest + k) % RECENT_BATCHES;
      if (this.#recentLast[j]! >= offset) return this.#recentPos[j]!;
    }
    return this.size;
  }

  /**
   * Appends validated batches (offsets assigned) at the end of the file. `retain`: the caller never
   * modifies `data` afterwards, so the tail cache may keep it instead of a copy.
   */
  append(data: Buffer, retain = false): void {
    let written = 0;
    try {
      while (written < data.length) {
        written += fs.writeSync(this.#handle(), data, written, data.length - written, this.size + written);
      }
    } catch (e) {
      // Leave no partial batch behind (disk full): the file ends where the log ends.
      this.#changes++;
      try {
        fs.ftruncateSync(this.#handle(), this.size);
      } catch {
        // recovery truncates it on the next open
      }
      throw e;
    }
    this.cache?.append(this.size, data, retain);
    let i = 0;
    while (i < data.length) {
      const size = data.readInt32BE(i + 8) + 12;
      const baseOffset = readInt64(data, i);
      this.#track(this.size + i, size, baseOffset, baseOffset + data.readInt32BE(i + 23), readInt64(data, i + 35));
      i += size;
    }
    this.size += data.length;
    this.#changes++;
    this.indexDirty = true;
  }

  readFile(pos: number, len: number, alloc: ReadAllocator = (size) => Buffer.allocUnsafe(size)): Buffer {
    const buf = alloc(len);
    let got = 0;
    while (got < len) {
      const n = fs.readSync(this.#handle(), buf, got, len - got, pos + got);
      if (n === 0) throw new Error(`unexpected end of ${this.logPath} at ${pos + got}`);
      got += n;
    }
    return buf;
  }

  window(windowSize: number, alloc?: ReadAllocator): SegmentWindow {
    return new SegmentWindow(this, windowSize, alloc);
  }

  /** Position of the first batch whose last offset is >= `offset` (this.size when none). */
  positionOf(offset: number, w?: SegmentWindow): number {
    const recent = this.#recentPositionOf(offset);
    if (recent !== -1) return recent;
    w ??= this.window(16 << 10);
    let pos = this.index.lookup(offset);
    while (pos < this.size) {
      const b = w.batchAt(pos);
      if (b.lastOffset >= offset) return pos;
      pos += b.size;
    }
    return this.size;
  }

  /**
   * Whole batches starting with the one that holds `fetchOffset`, up to `maxBytes` (the first batch is
   * returned whole even when larger, if `minOneBatch`), excluding batches with offsets >= `maxOffset`.
   * null when the segment has no batch at or after `fetchOffset`. Bytes not in the tail cache are read
   * into buffers from `alloc` (default: fresh ones).
   */
  read(fetchOffset: number, maxBytes: number, maxOffset: number, minOneBatch: boolean, alloc?: ReadAllocator): SegmentRead | null {
    const w = this.window(Math.min(Math.max(maxBytes + this.#indexIntervalBytes + 1024, 16 << 10), 8 << 20), alloc);
    const start = this.positionOf(fetchOffset, w);
    if (start >= this.size) return null;
    let end = start;
    let firstOffset = -1;
    let lastOffset = -1;
    while (end < this.size) {
      const b = w.batchAt(end);
      if (b.lastOffset >= maxOffset) break;
      if (end + b.size - start > maxBytes && (end > start || !minOneBatch)) break;
      if (firstOffset < 0) firstOffset = b.baseOffset;
      lastOffset = b.lastOffset;
      end += b.size;
    }
    return { records: end > start ? w.bytes(start, end - start) : Buffer.alloc(0), firstOffset, lastOffset, position: start };
  }

  /** Batch headers from `fromPos` to the end. */
  *batches(fromPos = 0, windowSize = 1 << 20): Generator<BatchInfo & { window: SegmentWindow }> {
    const w = this.window(windowSize);
    let pos = fromPos;
    while (pos < this.size) {
      const b = w.batchAt(pos);
      yield { ...b, window: w };
      pos += b.size;
    }
  }

  /** Bytes of the batch `b` (valid until the next read through the same window). */
  batchBytes(b: BatchInfo, w: SegmentWindow): Buffer {
    return w.bytes(b.position, b.size);
  }

  /** Removes every batch whose last offset is >= `offset`. Returns bytes removed. */
  truncateTo(offset: number): number {
    const w = this.window(16 << 10);
    const pos = this.positionOf(offset, w);
    if (pos >= this.size) return 0;
    const cutBase = w.batchAt(pos).baseOffset;
    const removed = this.size - pos;
    fs.ftruncateSync(this.#handle(), pos);
    this.size = pos;
    this.#changes++;
    this.#forgetRecent();
    this.cache?.clear();
    this.index.truncateToPosition(pos);
    this.timeIndex.truncateToOffset(cutBase);
    const last = this.timeIndex.lastEntry();
    this.maxTimestamp = last ? last.timestamp : -1;
    this.offsetOfMaxTimestamp = last ? last.offset : -1;
    this.nextOffset = this.baseOffset;
    this.#bytesSinceLastIndexEntry = 0;
    if (pos === 0) this.firstBatchTimestamp = -1;
    for (const b of this.batches(this.index.lastPosition())) {
      if (b.maxTimestamp > this.maxTimestamp) {
        this.maxTimestamp = b.maxTimestamp;
        this.offsetOfMaxTimestamp = b.baseOffset;
      }
      this.#bytesSinceLastIndexEntry += b.size;
      this.nextOffset = b.lastOffset + 1;
    }
    this.indexDirty = true;
    return removed;
  }

  /** When the segment stops being the active one: final time-index entry, indexes to disk, cache dropped. */
  onBecomeInactive(): void {
    this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
    this.writeIndexes();
    this.cache = null;
  }

  writeIndexes(): void {
    if (!this.indexDirty) return;
    if (this.size === 0) {
      // An empty segment has empty indexes: no files stand for them (open() expects none), which
      // spares two file replacements per idle partition at every close.
      for (const p of [this.indexPath, this.timeIndexPath]) fs.rmSync(p, { force: true });
      this.indexDirty = false;
      return;
    }
    this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
    writeFileAtomic(this.indexPath, this.index.toBuffer());
    writeFileAtomic(this.timeIndexPath, this.timeIndex.toBuffer());
    this.indexDirty = false;
  }

  /** fsync; a released fd is reopened for it (fsync flushes the file's pages, whichever fd wrote them). */
  flushSync(): void {
    if (this.#isClosed || this.#syncedChanges === this.#changes) return;
    const covered = this.#changes;
    fs.fsyncSync(this.#handle());
    this.#syncedChanges = covered;
  }

  /** fsync without blocking the event loop (roll). */
  flushAsync(): Promise<void> {
    if (this.#isClosed || this.#syncedChanges === this.#changes) return Promise.resolve();
    const fd = this.#handle();
    const covered = this.#changes;
    return new Promise((resolve) =>
      fs.fsync(fd, (error) => {
        if (!error) this.#syncedChanges = Math.max(this.#syncedChanges, covered);
        resolve();
      }),
    );
  }

  /** Largest timestamp, or the file's modification time when no batch carries one (retention). */
  largestTimestamp(): number {
    if (this.maxTimestamp >= 0) return this.maxTimestamp;
    try {
      return fs.statSync(this.logPath).mtimeMs;
    } catch {
      return 0;
    }
  }

  /** The open fd, reopening the file if it was released (inactive segments give their fd back; see FdBudget). */
  #handle(): number {
    if (this.#fd < 0) {
      if (this.#isClosed) throw new Error(`segment ${this.logPath} is closed`);
      this.#fd = fs.openSync(this.logPath, fs.constants.O_RDWR);
    }
    (this.#inactive ? inactiveFds : activeFds).touch(this);
    return this.#fd;
  }

  /** No longer the active segment, and on disk: its fd may be closed when idle and reopened on demand. */
  markInactive(): void {
    if (this.#isClosed) return;
    this.#inactive = true;
    activeFds.forget(this);
    if (this.#fd >= 0) inactiveFds.touch(this);
  }

  /** The active segment again (a truncation removed the ones after it). */
  markActive(): void {
    this.#inactive = false;
    inactiveFds.forget(this);
    if (this.#fd >= 0) activeFds.touch(this);
  }

  /** Closes the fd; the next I/O reopens it. */
  releaseFd(): void {
    inactiveFds.forget(this);
    activeFds.forget(this);
    if (this.#fd < 0) return;
    try {
      fs.closeSync(this.#fd);
    } catch {
      // already closed
    }
    this.#fd = -1;
  }

  close(): void {
    this.releaseFd();
    this.#isClosed = true;
  }

  get closed(): boolean {
    return this.#isClosed;
  }

  /** Closes and removes the segment's files, after `delayMs` (renamed to `.deleted` meanwhile). */
  deleteFiles(delayMs: number): void {
    this.close();
    // The aborted-transaction index (transaction-index.ts) goes with its segment.
    const files = [this.logPath, this.indexPath, this.timeIndexPath, path.join(path.dirname(this.logPath), segmentFileName(this.baseOffset, '.txnindex'))];
    if (delayMs <= 0) {
      for (const f of files) fs.rmSync(f, { force: true });
      return;
    }
    const renamed: string[] = [];
    for (const f of files) {
      try {
        fs.renameSync(f, `${f}.deleted`);
        renamed.push(`${f}.deleted`);
      } catch {
        // missing index file
      }
    }
    setTimeout(() => {
      for (const f of renamed) fs.rmSync(f, { force: true });
    }, delayMs).unref();
  }
}
