/**
 * Sparse per-segment indexes, kept in memory (typed arrays) and written whole to disk at roll, flush and
 * close (temp file + rename: an index file on disk is either absent or a complete, valid prefix of the
 * segment). The active segment's index on disk may lag behind its log; recovery rebuilds it when the
 * shutdown was not clean. File formats are Kafka's:
 *
 *   <base>.index      8 bytes per entry: relativeOffset INT32 BE | position INT32 BE
 *                     (relativeOffset = the last offset of the indexed batch - base; position = the batch's start)
 *   <base>.timeindex  12 bytes per entry: timestamp INT64 BE | relativeOffset INT32 BE
 *                     (the largest timestamp so far in the segment and the base offset of the batch that holds it)
 *
 * Both are strictly increasing in every column; lookups are binary searches.
 */

const INITIAL = 64;

export class OffsetIndex {
  /** [rel0, pos0, rel1, pos1, ...] */
  #data = new Int32Array(INITIAL * 2);
  #n = 0;

  constructor(readonly baseOffset: number) {}

  get entries(): number {
    return this.#n;
  }

  lastOffset(): number {
    return this.#n === 0 ? -1 : this.baseOffset + this.#data[(this.#n - 1) * 2]!;
  }

  lastPosition(): number {
    return this.#n === 0 ? 0 : this.#data[(this.#n - 1) * 2 + 1]!;
  }

  /** Adds (offset -> position) if both are beyond the last entry. */
  append(offset: number, position: number): void {
    const rel = offset - this.baseOffset;
    if (this.#n > 0 && (rel <= this.#data[(this.#n - 1) * 2]! || position <= this.#data[(this.#n - 1) * 2 + 1]!)) return;
    if ((this.#n + 1) * 2 > this.#data.length) {
      const bigger = new Int32Array(this.#data.length * 2);
      bigger.set(this.#data);
      this.#data = bigger;
    }
    this.#data[this.#n * 2] = rel;
    this.#data[this.#n * 2 + 1] = position;
    this.#n++;
  }

  /** Position of the last indexed batch whose indexed offset is <= `offset` (0 when none). */
  lookup(offset: number): number {
    const rel = offset - this.baseOffset;
    let lo = 0;
    let hi = this.#n - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#data[mid * 2]! <= rel) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? 0 : this.#data[found * 2 + 1]!;
  }

  /** Drops entries pointing at or beyond `position`. */
  truncateToPosition(position: number): void {
    while (this.#n > 0 && this.#data[(this.#n - 1) * 2 + 1]! >= position) this.#n--;
  }

  clear(): void {
    this.#n = 0;
  }

  toBuffer(): Buffer {
    const buf = Buffer.allocUnsafe(this.#n * 8);
    for (let i = 0; i < this.#n; i++) {
      buf.writeInt32BE(this.#data[i * 2]!, i * 8);
      buf.writeInt32BE(this.#data[i * 2 + 1]!, i * 8 + 4);
    }
    return buf;
  }

  /** Parses an index file; null when it is malformed or inconsistent with a log of `logSize` bytes. */
  static fromBuffer(baseOffset: number, buf: Buffer, logSize: number): OffsetIndex | null {
    if (buf.length % 8 !== 0) return null;
    const index = new OffsetIndex(baseOffset);
    for (let i = 0; i < buf.length; i += 8) {
      const rel = buf.readInt32BE(i);
      const pos = buf.readInt32BE(i + 4);
      if (rel < 0 || pos < 0 || pos >= logSize) return null;
      const before = index.#n;
      index.append(baseOffset + rel, pos);
      if (index.#n === before) return null; // not strictly increasing
    }
    return index;
  }
}

export class TimeIndex {
  #timestamps = new Float64Array(INITIAL);
  #offsets = new Float64Array(INITIAL);
  #n = 0;

  constructor(readonly baseOffset: number) {}

  get entries(): number {
    return this.#n;
  }

  lastEntry(): { timestamp: number; offset: number } | null {
    return this.#n === 0 ? null : { timestamp: this.#timestamps[this.#n - 1]!, offset: this.#offsets[this.#n - 1]! };
  }

  /** Adds (timestamp, offset) when the timestamp is larger than the last entry's. */
  maybeAppend(timestamp: number, offset: number): void {
    if (timestamp < 0) return;
    if (this.#n > 0 && (timestamp <= this.#timestamps[this.#n - 1]! || offset < this.#offsets[this.#n - 1]!)) return;
    if (this.#n === this.#timestamps.length) {
      const t = new Float64Array(this.#n * 2);
      t.set(this.#timestamps);
      this.#timestamps = t;
      const o = new Float64Array(this.#n * 2);
      o.set(this.#offsets);
      this.#offsets = o;
    }
    this.#timestamps[this.#n] = timestamp;
    this.#offsets[this.#n] = offset;
    this.#n++;
  }

  /**
   * The offset of the last entry whose timestamp is < `timestamp`: every record at or before that entry's
   * batch is older than `timestamp`, so a search can start there. -1 when none (start at the segment's start).
   */
  lookupBefore(timestamp: number): number {
    let lo = 0;
    let hi = this.#n - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#timestamps[mid]! < timestamp) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? -1 : this.#offsets[found]!;
  }

  /** Drops entries at or beyond `offset`. */
  truncateToOffset(offset: number): void {
    while (this.#n > 0 && this.#offsets[this.#n - 1]! >= offset) this.#n--;
  }

  clear(): void {
    this.#n = 0;
  }

  toBuffer(): Buffer {
    const buf = Buffer.allocUnsafe(this.#n * 12);
    for (let i = 0; i < this.#n; i++) {
      buf.writeBigInt64BE(BigInt(this.#timestamps[i]!), i * 12);
      buf.writeInt32BE(this.#offsets[i]! - this.baseOffset, i * 12 + 8);
    }
    return buf;
  }

  static fromBuffer(baseOffset: number, buf: Buffer): TimeIndex | null {
    if (buf.length % 12 !== 0) return null;
    const index = new TimeIndex(baseOffset);
    for (let i = 0; i < buf.length; i += 12) {
      const ts = Number(buf.readBigInt64BE(i));
      const rel = buf.readInt32BE(i + 8);
      if (rel < 0 || ts < 0) return null;
      const before = index.#n;
      index.maybeAppend(ts, baseOffset + rel);
      if (index.#n === before) return null;
    }
    return index;
  }
}
