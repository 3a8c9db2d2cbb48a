// Live tail: long-polling fetches from the end of each partition on a client of its own (a long poll
// on a shared connection would hold up every other request behind it). Pausing stops fetching, so a
// paused tail loses nothing: resuming continues from where it stopped. Records arrive in events of at
// most TAIL_EVENT_RECORDS, oldest first.
import type { Admin } from '@platformatic/kafka';
import type { TailEvent } from '../../../shared/model/messages';
import { toIpcError } from '../../core/errors';
import type { FieldDecoder } from './decoders';
import type { TopicReader } from './fetch';
import type { RecordFilter, WorkerDecoding } from './message-workers';
import { prepareDecoders, toView } from './views';

export const TAIL_EVENT_RECORDS = 500;
const POLL_WAIT_MS = 500;
const PARTITION_BYTES = 1024 * 1024;
const RESPONSE_BYTES = 8 * 1024 * 1024;
const OFFSET_OUT_OF_RANGE = 1;
const LAYOUT_REFRESH_MS = 2_000;

export interface TailOptions {
  id: string;
  client: Admin;
  reader: TopicReader;
  partitions: number[];
  /** Released when the tail ends; ended at once when it is stopped. */
  filter: RecordFilter | null;
  /** Schema decoders' previews, made in the message worker (null: decoded here). */
  decoding: WorkerDecoding | null;
  key: FieldDecoder;
  value: FieldDecoder;
  emit: (event: TailEvent) => void;
  onEnd: () => void;
}

export class Tail {
  readonly id: string;
  readonly partitions: number[];
  #state: TailEvent['state'] = 'running';
  #resume: (() => void) | null = null;
  #positions = new Map<number, number>();
  readonly #options: TailOptions;

  constructor(options: TailOptions) {
    this.id = options.id;
    this.partitions = options.partitions;
    this.#options = options;
  }

  get state(): TailEvent['state'] {
    return this.#state;
  }

  /** Reads the end offsets (the tail shows what arrives after this) and starts polling. */
  async start(): Promise<void> {
    const watermarks = await this.#options.reader.watermarks(this.partitions);
    for (const partition of this.partitions) this.#positions.set(partition, watermarks.get(partition)!.high);
    void this.#run();
  }

  pause(): void {
    if (this.#state !== 'running') return;
    this.#state = 'paused';
    this.#options.emit({ tailId: this.id, records: [], skipped: 0, missed: 0, state: 'paused' });
  }

  resume(): void {
    if (this.#state !== 'paused') return;
    this.#state = 'running';
    this.#options.emit({ tailId: this.id, records: [], skipped: 0, missed: 0, state: 'running' });
    this.#resume?.();
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    this.#resume?.();
    this.#options.filter?.cancel();
    this.#options.decoding?.cancel();
    await this.#options.client.close().catch(() => undefined);
  }

  async #run(): Promise<void> {
    const { reader, filter, decoding, key, value, emit } = this.#options;
    try {
      while (this.#state !== 'stopped') {
        if (this.#state === 'paused') {
          await new Promise<void>((resolve) => (this.#resume = resolve));
          this.#resume = null;
          continue;
        }
        const results = await reader.fetch(
          this.partitions.map((partition) => ({ partition, offset: this.#positions.get(partition)!, maxBytes: PARTITION_BYTES })),
          { maxWaitMs: POLL_WAIT_MS, minBytes: 1, maxBytes: RESPONSE_BYTES, skipUnavailable: true },
        );
        // A partition that went offline is skipped, not fatal: the layout is re-read now and then so
        // the tail picks it up again, where it left off, once it has a leader.
        if (results.length < this.partitions.length) {
          await reader.refreshIfOlder(LAYOUT_REFRESH_MS).catch(() => undefined);
          if (!results.length) await new Promise((resolve) => setTimeout(resolve, POLL_WAIT_MS));
        }
        // Paused while the long poll was out: drop what it brought without moving on, so resuming
        // reads those records again and the view gets them then.
        if (this.#state !== 'running') continue;
        let missed = 0;
        const records = [];
        const unreadable = results.flatMap((data) => data.unreadable);
        for (const data of results) {
          const position = this.#positions.get(data.partition)!;
          if (data.errorCode === OFFSET_OUT_OF_RANGE) {
            // Removed before we read them (retention or DeleteRecords): say how many, go on from the start.
            if (position < data.logStartOffset) {
              missed += data.logStartOffset - position;
              this.#positions.set(data.partition, data.logStartOffset);
            } else this.#positions.set(data.partition, data.highWatermark);
            continue;
          }
          records.push(...data.records);
          this.#positions.set(data.partition, Math.max(position, data.nextOffset));
        }
        records.sort((a, b) => a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset);
        await filter?.prepare(records);
        const matching = filter ? records.filter((record) => filter.matches(record)) : records;
        const skipped = records.length - matching.length;
        if (!decoding) await prepareDecoders(matching, key, value);
        const decoded = decoding ? await decoding.previews(matching) : null;
        const went = unreadable.length ? { unreadable } : {};
        if (!matching.length && (skipped || missed || unreadable.length)) emit({ tailId: this.id, records: [], skipped, missed, ...went, state: this.#state });
        for (let at = 0; at < matching.length; at += TAIL_EVENT_RECORDS) {
          const slice = matching.slice(at, at + TAIL_EVENT_RECORDS).map((record, i) => toView(record, key, value, decoded?.[at + i]));
          emit({
            tailId: this.id,
            records: slice,
            skipped: at === 0 ? skipped : 0,
            missed: at === 0 ? missed : 0,
            ...(at === 0 ? went : {}),
            state: this.#state,
          });
        }
      }
    } catch (error) {
      if (this.#state !== 'stopped') {
        this.#state = 'stopped';
        emit({ tailId: this.id, records: [], skipped: 0, missed: 0, state: 'stopped', error: toIpcError(error).message });
        await this.#options.client.close().catch(() => undefined);
      }
    } finally {
      filter?.release();
      decoding?.release();
      this.#options.onEnd();
    }
  }
}
