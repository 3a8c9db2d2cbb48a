// Runs the message browser's expensive work off the main process, in worker threads
// (message-worker.ts): filters and schema decoding. Find by key and case-sensitive contains are
// native byte searches and stay here; every other filter is compiled in a worker that decides each
// fetched chunk, and Avro/Protobuf/registry decoders (and whole large values) decode there too, while
// the main process goes on serving IPC and the embedded brokers. A worker is ended, not asked, when
// Cancel is pressed or a chunk exceeds its time budget (the read's own time limit or
// WORKER_CHUNK_BUDGET_MS): terminating a thread stops even a regex or a decoder in the middle of one
// value. An idle worker is kept for the next operation.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Decoded, Filter } from '../../../shared/model/messages';
import { AppError } from '../../core/errors';
import { usesSchemas, type EffectiveDecoders, type FullText } from './decoders';
import type { RawRecord } from './fetch';
import { filterFields, inlinePredicate, type Predicate } from './filters';
import { packRecords, type DecodedFields, type PackedFields, type WorkerCall, type WorkerResponse } from './message-worker-protocol';

/** The longest one chunk of fetched records (at most a few MB) may keep a worker busy. */
export const WORKER_CHUNK_BUDGET_MS = 20_000;
/** A filter or decoder on huge values must not take the app's memory with it. */
const WORKER_HEAP_MB = 1024;
const IDLE_WORKER_MS = 60_000;
const MAX_IDLE_WORKERS = 2;

const formatSeconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`);

/**
 * Why a filter stopped a read: Cancel, the read's time limit, or the filter's own budget (then
 * `overBudget`, and the message says where and what to do).
 */
export class FilterStopped extends AppError {
  constructor(
    readonly reason: 'cancelled' | 'time',
    message: string,
    readonly overBudget = false,
  ) {
    super('invalid-request', message);
    this.name = 'FilterStopped';
  }
}

export interface MessageWorkerOptions {
  /** The built worker (the Electron bundle's message-worker.js); by default the TypeScript source through tsx. */
  script?: URL | undefined;
  budgetMs?: number | undefined;
  /** Told when a request is handed to a worker thread (tests wait for a filter or decoding to be under way there). */
  onRequest?: ((type: WorkerCall['type']) => void) | undefined;
}

function startWorker(script: URL | undefined): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: WORKER_HEAP_MB };
  if (script) return new Worker(script, { resourceLimits });
  // From source (npm run web, tests): the worker registers tsx's loader, then imports the .ts file.
  const source = new URL('./message-worker.ts', import.meta.url).href;
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href;
  const bootstrap = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(source)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), { resourceLimits });
}

/** One worker thread and its requests, answered in order. */
class WorkerThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (response: WorkerResponse) => void; reject: (error: Error) => void }>();
  #nextId = 1;
  #ended: Error | null = null;
  /** Resolves once the thread has loaded its modules and listens. */
  readonly ready: Promise<void>;

  readonly #onRequest: ((type: WorkerCall['type']) => void) | undefined;

  constructor(script: URL | undefined, onRequest?: (type: WorkerCall['type']) => void) {
    this.#worker = startWorker(script);
    this.#onRequest = onRequest;
    let started!: () => void;
    this.ready = new Promise((resolve, reject) => {
      started = resolve;
      this.#pending.set(0, { resolve: () => undefined, reject });
    });
    this.ready.catch(() => undefined);
    this.#worker.on('message', (response: WorkerResponse) => {
      if (response.type === 'ready') {
        this.#pending.delete(0);
        started();
        return;
      }
      const pending = this.#pending.get(response.id);
      this.#pending.delete(response.id);
      pending?.resolve(response);
    });
    this.#worker.on('error', (error) => {
      const outOfMemory = (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.end(
        new AppError(
          'invalid-request',
          outOfMemory
            ? `Filtering or decoding needed more than ${WORKER_HEAP_MB} MB of memory and was stopped.`
            : `Filtering or decoding failed: ${(error as Error).message}`,
        ),
      );
    });
    this.#worker.on('exit', () => this.end(new AppError('internal', 'The message worker stopped unexpectedly.')));
  }

  get alive(): boolean {
    return this.#ended === null;
  }

  setIdle(idle: boolean): void {
    if (idle) this.#worker.unref();
    else this.#worker.ref();
  }

  request(message: WorkerCall, transfer: ArrayBuffer[] = []): Promise<WorkerResponse> {
    if (this.#ended) return Promise.reject(this.#ended);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...message, id }, transfer);
      this.#onRequest?.(message.type);
    });
  }

  /** Terminates the thread; whatever it was doing rejects with `reason`. */
  end(reason: Error): void {
    if (this.#ended) return;
    this.#ended = reason;
    for (const pending of this.#pending.values()) pending.reject(reason);
    this.#pending.clear();
    void this.#worker.terminate();
  }
}

/**
 * The worker threads of one MessageService: leased one per filter or decoding, up to two kept when
 * idle (a filtered read with a schema decoder uses two at once), each ended after a minute unused.
 */
export class MessageWorkers {
  readonly #options: MessageWorkerOptions;
  readonly #idle = new Map<WorkerThread, NodeJS.Timeout>();
  #closed = false;

  constructor(options: MessageWorkerOptions = {}) {
    this.#options = options;
  }

  get budgetMs(): number {
    return this.#options.budgetMs ?? WORKER_CHUNK_BUDGET_MS;
  }

  lease(): WorkerThread {
    if (this.#closed) throw new AppError('unavailable', 'Kafka Desk is closing.');
    for (const [thread, timer] of this.#idle) {
      this.#idle.delete(thread);
      clearTimeout(timer);
      if (!thread.alive) continue;
      thread.setIdle(false);
      return thread;
    }
    return new WorkerThread(this.#options.script, this.#options.onRequest);
  }

  giveBack(thread: WorkerThread): void {
    if (!thread.alive) return;
    if (this.#closed || this.#idle.size >= MAX_IDLE_WORKERS) {
      thread.end(new AppError('unavailable', 'released'));
      return;
    }
    thread.setIdle(true);
    const timer = setTimeout(() => {
      this.#idle.delete(thread);
      thread.end(new AppError('unavailable', 'idle'));
    }, IDLE_WORKER_MS);
    timer.unref();
    this.#idle.set(thread, timer);
  }

  close(): void {
    this.#closed = true;
    for (const [thread, timer] of this.#idle) {
      clearTimeout(timer);
      thread.end(new AppError('unavailable', 'Kafka Desk is closing.'));
    }
    this.#idle.clear();
  }
}

export interface RecordFilterOptions {
  /** performance.now() after which the read stops anyway (its time limit). */
  deadline?: number | undefined;
}

/**
 * A read's filter: `prepare` decides a chunk of records (in the worker when the filter needs one),
 * after which `matches` answers for each of them synchronously, as the merge asks.
 */
export class RecordFilter {
  readonly #inline: Predicate | null;
  readonly #workers: MessageWorkers | null;
  readonly #fields: PackedFields;
  readonly #deadline: number | undefined;
  readonly #matched = new WeakSet<RawRecord>();
  #thread: WorkerThread | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #stopped: FilterStopped | null = null;

  private constructor(inline: Predicate | null, workers: MessageWorkers | null, fields: PackedFields, options: RecordFilterOptions) {
    this.#inline = inline;
    this.#workers = workers;
    this.#fields = fields;
    this.#deadline = options.deadline;
  }

  /** Null without a filter. A filter the worker cannot compile (bad regex, bad path) is refused here. */
  static async create(
    filter: Filter | null,
    decoders: EffectiveDecoders,
    workers: MessageWorkers,
    options: RecordFilterOptions = {},
  ): Promise<RecordFilter | null> {
    if (filter === null) return null;
    const inline = inlinePredicate(filter, decoders);
    if (inline) return new RecordFilter(inline, null, filterFields(filter), options);
    const recordFilter = new RecordFilter(null, workers, filterFields(filter), options);
    recordFilter.#thread = workers.lease();
    try {
      await recordFilter.#ask({ type: 'compile', filter, decoders }, [], 'the filter');
    } catch (error) {
      recordFilter.release();
      throw error;
    }
    return recordFilter;
  }

  /** Whether the filter runs in a worker (false: a native byte search in this process). */
  get threaded(): boolean {
    return this.#inline === null;
  }

  async prepare(records: readonly RawRecord[]): Promise<void> {
    if (this.#inline || !records.length) return;
    // Chunks of several partitions are decided one after the other, each with the whole budget.
    const turn = this.#queue.then(async () => {
      const chunk = packRecords(records, this.#fields);
      const first = records[0]!;
      const where = `${records.length.toLocaleString('en')} records of partition ${first.partition} from offset ${first.offset}`;
      const response = await this.#ask({ type: 'match', chunk }, [chunk.bytes], where);
      if (response.type !== 'matched') return;
      records.forEach((record, i) => {
        if (response.matches[i]) this.#matched.add(record);
      });
    });
    this.#queue = turn.catch(() => undefined);
    await turn;
  }

  matches(record: RawRecord): boolean {
    return this.#inline ? this.#inline(record) : this.#matched.has(record);
  }

  /** Cancel: ends the worker at once, whatever it is in the middle of. */
  cancel(): void {
    this.#stop(new FilterStopped('cancelled', 'The read was cancelled.'));
  }

  /** The operation is over: a healthy worker goes back to the pool for the next read. */
  release(): void {
    if (this.#thread && !this.#stopped) this.#workers?.giveBack(this.#thread);
    this.#thread = null;
  }

  #stop(reason: FilterStopped): void {
    if (this.#stopped) return;
    this.#stopped = reason;
    this.#thread?.end(reason);
  }

  async #ask(message: WorkerCall, transfer: ArrayBuffer[], what: string): Promise<WorkerResponse> {
    if (this.#stopped) throw this.#stopped;
    const budget = this.#workers!.budgetMs;
    // Compiling has the budget only; the read's time limit applies to the chunks, as merge applies it.
    const compiling = message.type === 'compile';
    const limit = () => (this.#deadline === undefined || compiling ? budget : Math.min(budget, Math.max(0, this.#deadline - performance.now())));
    return askWithin(this.#thread!, message, transfer, limit, (ms) =>
      this.#stop(
        ms < budget
          ? new FilterStopped('time', `The read's time limit ran out while the filter was reading ${what}.`)
          : new FilterStopped(
              'time',
              `The filter took more than ${formatSeconds(budget)} ${compiling ? 'to compile' : `over ${what}`} and was stopped there. Simplify the filter, or read fewer or smaller records.`,
              true,
            ),
      ),
    );
  }
}

/**
 * One request to a thread, with a time limit counted from when the thread is ready (a new thread
 * loads its modules first); `expire` ends the thread when the limit passes, which rejects the request.
 */
async function askWithin(
  thread: WorkerThread,
  message: WorkerCall,
  transfer: ArrayBuffer[],
  limit: () => number,
  expire: (ms: number) => void,
): Promise<WorkerResponse> {
  await thread.ready;
  const ms = limit();
  const timer = setTimeout(() => expire(ms), ms);
  try {
    const response = await thread.request(message, transfer);
    if (response.type === 'error') throw new AppError(response.kind, response.message);
    return response;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Decoding in the worker: Avro, Protobuf and registry decoders read each whole value with a user's
 * schema, however large, and a whole value asked for at once (messages.value) may be hundreds of MB
 * of JSON to indent. Previews for pages and tails, whole texts for exports and whole values, under
 * the same budget as filters; Cancel ends it.
 */
export class WorkerDecoding {
  readonly #workers: MessageWorkers;
  readonly #decoders: EffectiveDecoders;
  readonly #fields: PackedFields;
  #thread: WorkerThread | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #stopped: AppError | null = null;

  private constructor(workers: MessageWorkers, decoders: EffectiveDecoders, fields: PackedFields) {
    this.#workers = workers;
    this.#decoders = decoders;
    this.#fields = fields;
  }

  /** For the schema decoders among `decoders` (null: none, decode here), or for the fields named. */
  static create(decoders: EffectiveDecoders, workers: MessageWorkers, fields?: { key: boolean; value: boolean }): WorkerDecoding | null {
    const chosen = fields ?? { key: usesSchemas(decoders.key), value: usesSchemas(decoders.value) };
    if (!chosen.key && !chosen.value) return null;
    return new WorkerDecoding(workers, decoders, { ...chosen, headers: false });
  }

  get fields(): { key: boolean; value: boolean } {
    return { key: this.#fields.key, value: this.#fields.value };
  }

  previews(records: readonly RawRecord[]): Promise<DecodedFields<Decoded>[]> {
    return this.#decode(records, false, 'previews') as Promise<DecodedFields<Decoded>[]>;
  }

  fullTexts(records: readonly RawRecord[], pretty: boolean): Promise<DecodedFields<FullText>[]> {
    return this.#decode(records, pretty, 'full');
  }

  cancel(): void {
    this.#stop(new FilterStopped('cancelled', 'The read was cancelled.'));
  }

  release(): void {
    if (this.#thread && !this.#stopped) this.#workers.giveBack(this.#thread);
    this.#thread = null;
  }

  #stop(reason: AppError): void {
    if (this.#stopped) return;
    this.#stopped = reason;
    this.#thread?.end(reason);
  }

  async #decode(records: readonly RawRecord[], pretty: boolean, type: 'previews' | 'full'): Promise<DecodedFields<Decoded | FullText>[]> {
    if (!records.length) return [];
    const turn = this.#queue.then(async () => {
      if (this.#stopped) throw this.#stopped;
      this.#thread ??= this.#workers.lease();
      const chunk = packRecords(records, this.#fields);
      const first = records[0]!;
      const budget = this.#workers.budgetMs;
      const call: WorkerCall =
        type === 'full'
          ? { type, decoders: this.#decoders, fields: this.#fields, chunk, pretty }
          : { type, decoders: this.#decoders, fields: this.#fields, chunk };
      const response = await askWithin(
        this.#thread,
        call,
        [chunk.bytes],
        () => budget,
        () =>
          this.#stop(
            new AppError(
              'invalid-request',
              `Decoding took more than ${formatSeconds(budget)} over ${records.length.toLocaleString('en')} record${records.length === 1 ? '' : 's'} of partition ${first.partition} from offset ${first.offset} and was stopped. Choose another decoder, or read fewer records at a time.`,
            ),
          ),
      );
      // #stop may have run while this waited (TypeScript still sees the check above).
      const stopped = this.#stopped as FilterStopped | null;
      if (stopped) throw stopped;
      return response.type === 'previews' || response.type === 'full' ? response.decoded : [];
    });
    this.#queue = turn.catch(() => undefined);
    try {
      return await turn;
    } catch (error) {
      throw this.#stopped ?? error;
    }
  }
}
