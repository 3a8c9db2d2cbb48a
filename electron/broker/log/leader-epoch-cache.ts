import { readEpochCheckpoint, writeEpochCheckpoint } from './checkpoint';

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

/** Kafka's UNDEFINED_EPOCH / UNDEFINED_EPOCH_OFFSET. */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

/**
 * Leader epoch -> first offset written in that epoch, persisted to `leader-epoch-checkpoint` on every change
 * (changes are rare: once per leader election). Entries have strictly increasing epochs and offsets.
 */
export class LeaderEpochCache {
  #entries: EpochEntry[];
  readonly #path: string;

  constructor(path: string, entries: EpochEntry[] = []) {
    this.#path = path;
    this.#entries = entries;
  }

  static load(path: string): LeaderEpochCache {
    return new LeaderEpochCache(path, readEpochCheckpoint(path) ?? []);
  }

  all(): readonly EpochEntry[] {
    return this.#entries;
  }

  latestEpoch(): number {
    return this.#entries.at(-1)?.epoch ?? UNDEFINED_EPOCH;
  }

  /** The epoch of the record at `offset`: the latest entry starting at or below it, or -1. */
  epochFor(offset: number): number {
    let epoch = UNDEFINED_EPOCH;
    for (const e of this.#entries) {
      if (e.startOffset > offset) break;
      epoch = e.epoch;
    }
    return epoch;
  }

  /** Start offset of `epoch`, or -1. */
  startOffsetOf(epoch: number): number {
    return this.#entries.find((e) => e.epoch === epoch)?.startOffset ?? UNDEFINED_EPOCH_OFFSET;
  }

  /**
   * Records that `epoch` starts at `startOffset` (called for every appended batch whose epoch is newer than
   * the latest). Entries that conflict (same or larger start offset with a smaller epoch) are removed.
   */
  assign(epoch: number, startOffset: number): void {
    if (epoch < 0) return;
    const last = this.#entries.at(-1);
    if (last && epoch <= last.epoch) return;
    while (this.#entries.length > 0 && this.#entries.at(-1)!.startOffset >= startOffset) this.#entries.pop();
    this.#entries.push({ epoch, startOffset });
    this.flush();
  }

  /**
   * OffsetForLeaderEpoch: the end offset of the largest epoch <= `requestedEpoch` (the start offset of the
   * next larger epoch, or `logEndOffset` for the latest epoch), and that epoch. Unknown -> {-1, -1}.
   */
  endOffsetForEpoch(requestedEpoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
    if (requestedEpoch === UNDEFINED_EPOCH || this.#entries.length === 0) {
      return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    }
    if (requestedEpoch === this.latestEpoch()) return { epoch: requestedEpoch, endOffset: logEndOffset };
    const higherIndex = this.#entries.findIndex((e) => e.epoch > requestedEpoch);
    if (higherIndex < 0) return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    const higher = this.#entries[higherIndex]!;
    if (higherIndex === 0) return { epoch: requestedEpoch, endOffset: higher.startOffset };
    return { epoch: this.#entries[higherIndex - 1]!.epoch, endOffset: higher.startOffset };
  }

  /** After the log was truncated to `endOffset`: drop epochs starting at or after it. */
  truncateFromEnd(endOffset: number): void {
    const before = this.#entries.length;
    this.#entries = this.#entries.filter((e) => e.startOffset < endOffset);
    if (this.#entries.length !== before) this.flush();
  }

  /** After the log start moved to `startOffset`: drop epochs wholly below it, clamp the one containing it. */
  truncateFromStart(startOffset: number): void {
    let firstKept = this.#entries.findIndex((e) => e.startOffset >= startOffset);
    if (firstKept < 0) firstKept = this.#entries.length;
    let changed = false;
    if (firstKept > 0) {
      const covering = this.#entries[firstKept - 1]!;
      const next = this.#entries[firstKept];
      const kept = this.#entries.slice(firstKept);
      if (!next || next.startOffset > startOffset) kept.unshift({ epoch: covering.epoch, startOffset });
      changed = kept.length !== this.#entries.length || kept[0]?.startOffset !== this.#entries[0]?.startOffset;
      this.#entries = kept;
    }
    if (changed) this.flush();
  }

  clear(): void {
    this.#entries = [];
    this.flush();
  }

  flush(): void {
    writeEpochCheckpoint(this.#path, this.#entries);
  }
}
