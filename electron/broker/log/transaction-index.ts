import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The aborted-transaction index of a log, one file per segment as in Kafka (`<baseOffset>.txnindex`,
 * Kafka's TransactionIndex format): an entry per transaction aborted in that segment (its marker's
 * offset lies there), 34 bytes each:
 *
 *   version INT16 (0) | producerId INT64 | firstOffset INT64 | lastOffset INT64 | lastStableOffset INT64
 *
 * Fetch with read_committed answers the entries overlapping what it returns, so consumers drop the
 * aborted records (KIP-98). Entries are appended as markers are appended (leader and followers alike);
 * at open, files are read back and entries at or past the log end (a recovery cut the log) dropped, and
 * the replica adds what a crash kept from being written when it replays the batches after its
 * producer-state snapshot. The files are tiny: every entry is also held in memory.
 */
export interface AbortedTransaction {
  producerId: number;
  /** The offset of the transaction's first batch on this partition. */
  firstOffset: number;
  /** The offset of its abort marker. */
  lastOffset: number;
  /** The last stable offset once it was aborted (Kafka keeps it to stop searches early). */
  lastStableOffset: number;
}

const ENTRY_SIZE = 34;
const VERSION = 0;

export const TXN_INDEX_SUFFIX = '.txnindex';

export function txnIndexFileName(baseOffset: number): string {
  return `${String(baseOffset).padStart(20, '0')}${TXN_INDEX_SUFFIX}`;
}

function encodeEntry(entry: AbortedTransaction): Buffer {
  const b = Buffer.alloc(ENTRY_SIZE);
  b.writeInt16BE(VERSION, 0);
  b.writeBigInt64BE(BigInt(entry.producerId), 2);
  b.writeBigInt64BE(BigInt(entry.firstOffset), 10);
  b.writeBigInt64BE(BigInt(entry.lastOffset), 18);
  b.writeBigInt64BE(BigInt(entry.lastStableOffset), 26);
  return b;
}

function decodeEntries(data: Buffer): AbortedTransaction[] {
  const entries: AbortedTransaction[] = [];
  // A torn last entry (the process died mid-write) is left out; the replica's replay writes it again.
  for (let at = 0; at + ENTRY_SIZE <= data.length; at += ENTRY_SIZE) {
    if (data.readInt16BE(at) !== VERSION) break;
    entries.push({
      producerId: Number(data.readBigInt64BE(at + 2)),
      firstOffset: Number(data.readBigInt64BE(at + 10)),
      lastOffset: Number(data.readBigInt64BE(at + 18)),
      lastStableOffset: Number(data.readBigInt64BE(at + 26)),
    });
  }
  return entries;
}

export class TransactionIndex {
  /** Entries by segment base offset, each list by increasing lastOffset. */
  readonly #bySegment = new Map<number, AbortedTransaction[]>();

  private constructor(readonly dir: string) {}

  /** Reads the index files of the given segments; entries at or past `logEndOffset` are dropped (and rewritten away). */
  static load(dir: string, segmentBases: readonly number[], logEndOffset: number): TransactionIndex {
    const index = new TransactionIndex(dir);
    for (const base of segmentBases) {
      const file = path.join(dir, txnIndexFileName(base));
      let data: Buffer;
      try {
        data = fs.readFileSync(file);
      } catch {
        continue;
      }
      const all = decodeEntries(data);
      const kept = all.filter((e) => e.lastOffset < logEndOffset && e.lastOffset >= base);
      if (kept.length > 0) index.#bySegment.set(base, kept);
      if (kept.length !== all.length || data.length !== all.length * ENTRY_SIZE) index.#rewrite(base);
    }
    return index;
  }

  /** The highest marker offset indexed, or -1. */
  get lastOffset(): number {
    let last = -1;
    for (const entries of this.#bySegment.values()) {
      const tail = entries.at(-1);
      if (tail && tail.lastOffset > last) last = tail.lastOffset;
    }
    return last;
  }

  /** Adds an entry to the segment holding its marker; an entry at or below the last indexed marker is already there. */
  append(segmentBase: number, entry: AbortedTransaction): void {
    if (entry.lastOffset <= this.lastOffset) return;
    let entries = this.#bySegment.get(segmentBase);
    if (!entries) this.#bySegment.set(segmentBase, (entries = []));
    entries.push(entry);
    fs.appendFileSync(path.join(this.dir, txnIndexFileName(segmentBase)), encodeEntry(entry));
  }

  /**
   * The aborted transactions a read of [from, upTo) must tell a read_committed consumer about: those
   * whose marker is at or after `from` and whose first batch is before `upTo` (Kafka's
   * collectAbortedTransactions), by increasing first offset.
   */
  collect(from: number, upTo: number): AbortedTransaction[] {
    const found: AbortedTransaction[] = [];
    for (const entries of this.#bySegment.values()) {
      for (const e of entries) if (e.lastOffset >= from && e.firstOffset < upTo) found.push(e);
    }
    return found.sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /** Every entry, oldest marker first (tests, the UI). */
  all(): AbortedTransaction[] {
    return [...this.#bySegment.values()].flat().sort((a, b) => a.lastOffset - b.lastOffset);
  }

  /** A segment was deleted (retention, DeleteRecords): its file went with it (LogSegment.deleteFiles). */
  dropSegment(segmentBase: number): void {
    this.#bySegment.delete(segmentBase);
  }

  /**
   * Segments were merged into `base` by compaction: their entries move into its file, but for those
   * whose abort marker the cleaner removed.
   */
  mergeInto(base: number, absorbed: readonly number[], removedMarkers: ReadonlySet<number> = new Set()): void {
    const merged = [base, ...absorbed]
      .flatMap((b) => this.#bySegment.get(b) ?? [])
      .filter((e) => !removedMarkers.has(e.lastOffset))
      .sort((a, b) => a.lastOffset - b.lastOffset);
    for (const b of absorbed) this.#bySegment.delete(b);
    if (merged.length > 0) this.#bySegment.set(base, merged);
    else this.#bySegment.delete(base);
    this.#rewrite(base);
  }

  /** Drops the entries whose marker is at or above `offset` (the log was truncated there). */
  truncateTo(offset: number): void {
    for (const [base, entries] of this.#bySegment) {
      const kept = entries.filter((e) => e.lastOffset < offset);
      if (kept.length === entries.length) continue;
      if (kept.length > 0) this.#bySegment.set(base, kept);
      else this.#bySegment.delete(base);
      this.#rewrite(base);
    }
  }

  /** Forgets everything and removes the files (the log restarts empty). */
  clear(): void {
    for (const base of [...this.#bySegment.keys()]) {
      this.#bySegment.delete(base);
      fs.rmSync(path.join(this.dir, txnIndexFileName(base)), { force: true });
    }
  }

  #rewrite(base: number): void {
    const file = path.join(this.dir, txnIndexFileName(base));
    const entries = this.#bySegment.get(base) ?? [];
    if (entries.length === 0) {
      fs.rmSync(file, { force: true });
      return;
    }
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, Buffer.concat(entries.map(encodeEntry)));
    fs.renameSync(tmp, file);
  }
}
