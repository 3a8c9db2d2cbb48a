import * as fs from 'node:fs';
import * as path from 'node:path';
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, encodeEmptyBatch, readHeaderFields, type BatchHeader } from '../../kafka/records/batch-header';
import { readOffsetCheckpoint, writeFileAtomic } from './checkpoint';
import { LogError } from './errors';
import type { LogLogger } from './segment';
import { checkStoredBatch } from './validator';

/** Every batch below the offset it holds was validated (see {@link ReadCheck}). */
export const VALIDATED_CHECKPOINT = 'validated-offset-checkpoint';
/** The batches found unreadable, as JSON: `[{ baseOffset, lastOffset, reason }]`. */
export const UNREADABLE_BATCHES = 'unreadable-batches.json';

export interface UnreadableBatch {
  baseOffset: number;
  lastOffset: number;
  /** What is wrong with it, as the validator says. */
  reason: string;
}

/** Batches checked out of order (a reader jumping ahead) remembered at most, so they are not checked twice. */
const MAX_REMEMBERED = 50_000;

/**
 * Readers survive batches the broker never validated. Appends are validated (validator.ts) since this
 * version; batches written before — by an earlier version that stored whatever a producer sent, or by
 * one that ran after this one's last checkpoint — may hold garbage behind a valid CRC, and consumers,
 * followers and down-conversion would fail on them (librdkafka stops at "Decompression failed", Fetch
 * v0-3 dropped the connection).
 *
 * So that region of the log, [validated checkpoint, log end at open), is checked batch by batch the
 * first time it is read (checkStoredBatch: CRC, record framing, bounded decompression). A batch that
 * fails is logged once, remembered in unreadable-batches.json, and served as an empty batch over its
 * offsets (encodeEmptyBatch), which every client skips: consumers and followers go on with the next
 * batch, and the message browser reports it by its offsets. The bytes on disk are left as they are.
 *
 * validated-offset-checkpoint holds the offset below which every batch was validated on append,
 * replicated from a leader serving checked batches, or checked here. Logs of earlier versions have none:
 * all of them is checked as it is read. Data appended while the log is open is validated on the way in,
 * so a log written by this version never costs a check.
 */
export class ReadCheck {
  /** Batches from here up to `end` are unchecked (unless in `checked`). */
  #checkedUpTo: number;
  #end: number;
  /** base offset -> last offset of batches checked ahead of `checkedUpTo`. */
  readonly #checked = new Map<number, number>();
  readonly #unreadable = new Map<number, UnreadableBatch>();
  readonly #dir: string;
  readonly #logger: LogLogger;

  private constructor(dir: string, logger: LogLogger, from: number, end: number) {
    this.#dir = dir;
    this.#logger = logger;
    this.#checkedUpTo = from;
    this.#end = end;
  }

  /** For a log opened with [logStart, logEnd): reads the checkpoint and the list of unreadable batches. */
  static load(dir: string, logStart: number, logEnd: number, logger: LogLogger): ReadCheck {
    const checkpoint = readOffsetCheckpoint(path.join(dir, VALIDATED_CHECKPOINT));
    const check = new ReadCheck(dir, logger, Math.max(checkpoint ?? logStart, logStart), logEnd);
    try {
      const list = JSON.parse(fs.readFileSync(path.join(dir, UNREADABLE_BATCHES), 'utf8')) as UnreadableBatch[];
      for (const entry of Array.isArray(list) ? list : []) {
        if (Number.isSafeInteger(entry?.baseOffset) && Number.isSafeInteger(entry?.lastOffset) && entry.lastOffset >= logStart && entry.baseOffset < logEnd) {
          check.#unreadable.set(entry.baseOffset, { baseOffset: entry.baseOffset, lastOffset: entry.lastOffset, reason: entry.reason });
        }
      }
    } catch {
      // None found yet (or a damaged list: the batches are found again as they are read).
    }
    return check;
  }

  /** Nothing to check and nothing to replace: reads pass through untouched. */
  get idle(): boolean {
    return this.#checkedUpTo >= this.#end && this.#unreadable.size === 0;
  }

  /** The batches found unreadable so far, oldest first. */
  list(): UnreadableBatch[] {
    return [...this.#unreadable.values()].sort((a, b) => a.baseOffset - b.baseOffset);
  }

  /** What validated-offset-checkpoint should hold now. */
  checkpoint(logEnd: number): number {
    return this.#checkedUpTo >= this.#end ? logEnd : this.#checkedUpTo;
  }

  /**
   * Checks the batches of a read (whole batches, as PartitionLog.read returns them, from the batch holding
   * `fetchOffset`) that lie in the unchecked region, and returns the records with every unreadable batch
   * replaced by an empty one. Returns `records` itself when nothing is replaced.
   */
  screen(records: Buffer, fetchOffset: number, maxMessageBytes: number): Buffer {
    if (this.idle) return records;
    let parts: Buffer[] | null = null;
    let copied = 0;
    let position = 0;
    let lastSeen = -1;
    while (records.length - position >= BATCH_HEADER_SIZE) {
      let header: BatchHeader;
      try {
        header = readHeaderFields(records, position);
      } catch {
        break; // what the log's recovery let through is whole batches: nothing else to screen
      }
      const size = header.batchLength + LOG_OVERHEAD;
      if (size > records.length - position) break;
      const last = header.baseOffset + header.lastOffsetDelta;
      let bad = this.#unreadable.get(header.baseOffset);
      if (!bad && last >= this.#checkedUpTo && header.baseOffset < this.#end && this.#checked.get(header.baseOffset) !== last) {
        bad = this.#check(records, position, header, last, maxMessageBytes);
      }
      if (bad) {
        (parts ??= []).push(records.subarray(copied, position), encodeEmptyBatch(header));
        copied = position + size;
      }
      lastSeen = last;
      position += size;
    }
    // A read from at or below the checked prefix returned every batch from there on: the prefix grows.
    if (fetchOffset <= this.#checkedUpTo && lastSeen >= this.#checkedUpTo) {
      this.#checkedUpTo = lastSeen + 1;
      for (const [base, last] of this.#checked) if (last < this.#checkedUpTo) this.#checked.delete(base);
    }
    if (!parts) return records;
    parts.push(records.subarray(copied));
    return Buffer.concat(parts);
  }

  #check(records: Buffer, position: number, header: BatchHeader, last: number, maxMessageBytes: number): UnreadableBatch | undefined {
    try {
      checkStoredBatch(records, position, { maxMessageBytes });
    } catch (error) {
      if (!(error instanceof LogError)) throw error;
      const reason = error.message.replace(/^batch 0\b/, 'the batch');
      const entry: UnreadableBatch = { baseOffset: header.baseOffset, lastOffset: last, reason };
      this.#unreadable.set(header.baseOffset, entry);
      this.#logger.warn(
        `${this.#dir}: the batch at offsets ${header.baseOffset}-${last} cannot be read (${reason}); ` +
          'it was written before appends were validated. Readers get an empty batch in its place and go on; the bytes stay on disk.',
      );
      this.#save();
      return entry;
    }
    if (this.#checked.size >= MAX_REMEMBERED) this.#checked.clear();
    this.#checked.set(header.baseOffset, last);
    return undefined;
  }

  #save(): void {
    try {
      writeFileAtomic(path.join(this.#dir, UNREADABLE_BATCHES), `${JSON.stringify(this.list(), null, 1)}\n`);
    } catch (error) {
      // Only knowledge is lost: the batch is found again when next read after a restart.
      this.#logger.warn(`${this.#dir}: cannot write ${UNREADABLE_BATCHES}: ${(error as Error).message}`);
    }
  }

  /** The log was truncated to `logEnd`: what lay beyond is gone (a follower fetches it again, checked). */
  truncated(logEnd: number): void {
    this.#end = Math.min(this.#end, logEnd);
    this.#checkedUpTo = Math.min(this.#checkedUpTo, Math.max(logEnd, 0));
    for (const base of this.#checked.keys()) if (base >= logEnd) this.#checked.delete(base);
    let changed = false;
    for (const base of [...this.#unreadable.keys()]) {
      if (base >= logEnd) {
        this.#unreadable.delete(base);
        changed = true;
      }
    }
    if (changed) this.#save();
  }

  /** The log was emptied and restarts at `offset`. */
  reset(offset: number): void {
    this.#checkedUpTo = offset;
    this.#end = offset;
    this.#checked.clear();
    if (this.#unreadable.size > 0) {
      this.#unreadable.clear();
      this.#save();
    }
  }
}
