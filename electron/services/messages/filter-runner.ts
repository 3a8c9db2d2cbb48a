// Runs a read's filter off the main process. Find by key and case-sensitive contains are native byte
// searches and stay here; every other filter is compiled in a worker thread (filter-worker.ts) that
// decides each fetched chunk while the main process goes on serving IPC and the embedded brokers.
// The worker is ended, not asked, when Cancel is pressed or a chunk exceeds the time budget (the
// read's own time limit or FILTER_CHUNK_BUDGET_MS): terminating a thread stops even a regex or a
// decoder in the middle of one value. Idle workers are kept for the next read, one at a time.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Filter, TopicDecoders } from '../../../shared/model/messages';
import { AppError } from '../../ipc/errors';
import type { RawRecord } from './fetch';
import { filterFields, inlinePredicate, type Predicate } from './filters';
import { packRecords, type FilterCall, type FilterResponse, type PackedFields } from './filter-protocol';

/** The longest one chunk of fetched records (at most a few MB) may keep the filter busy. */
export const FILTER_CHUNK_BUDGET_MS = 20_000;
/** A filter decoding huge values must not take the app's memory with it. */
const WORKER_HEAP_MB = 1024;
const IDLE_WORKER_MS = 60_000;

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

export interface FilterWorkerOptions {
  /** The built worker (the Electron bundle's filter-worker.js); by default the TypeScript source through tsx. */
  script?: URL | undefined;
  budgetMs?: number | undefined;
}

function startWorker(script: URL | undefined): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: WORKER_HEAP_MB };
  if (script) return new Worker(script, { resourceLimits });
  // From source (npm run web, tests): the worker registers tsx's loader, then imports the .ts file.
  const source = new URL('./filter-worker.ts', import.meta.url).href;
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href;
  const bootstrap = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(source)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), { resourceLimits });
}

/** One worker thread and its requests, answered in order. */
class FilterThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (response: FilterResponse) => void; reject: (error: Error) => void }>();
  #nextId = 1;
  #ended: Error | null = null;
  /** Resolves once the thread has loaded its modules and listens. */
  readonly ready: Promise<void>;

  constructor(script: URL | undefined) {
    this.#worker = startWorker(script);
    let started!: () => void;
    this.ready = new Promise((resolve, reject) => {
      started = resolve;
      this.#pending.set(0, { resolve: () => undefined, reject });
    });
    this.ready.catch(() => undefined);
    this.#worker.on('message', (response: FilterResponse) => {
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
      this.end(new AppError('invalid-request', outOfMemory ? `The filter needed more than ${WORKER_HEAP_MB} MB of memory and was stopped.` : `The filter failed: ${error.message}`));
    });
    this.#worker.on('exit', () => this.end(new AppError('internal', 'The filter worker stopped unexpectedly.')));
  }

  get alive(): boolean {
    return this.#ended === null;
  }

  setIdle(idle: boolean): void {
    if (idle) this.#worker.unref();
    else this.#worker.ref();
  }

  request(message: FilterCall, transfer: ArrayBuffer[] = []): Promise<FilterResponse> {
    if (this.#ended) return Promise.reject(this.#ended);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...message, id }, transfer);
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

/** The worker threads of one MessageService: leased one per filtered operation, one kept when idle. */
export class FilterWorkers {
  readonly #options: FilterWorkerOptions;
  #idle: FilterThread | null = null;
  #idleTimer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: FilterWorkerOptions = {}) {
    this.#options = options;
  }

  get budgetMs(): number {
    return this.#options.budgetMs ?? FILTER_CHUNK_BUDGET_MS;
  }

  lease(): FilterThread {
    if (this.#closed) throw new AppError('unavailable', 'Kafka Desk is closing.');
    const idle = this.#idle;
    this.#idle = null;
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    const thread = idle?.alive ? idle : new FilterThread(this.#options.script);
    thread.setIdle(false);
    return thread;
  }

  giveBack(thread: FilterThread): void {
    if (!thread.alive) return;
    if (this.#closed || this.#idle) {
      thread.end(new AppError('unavailable', 'released'));
      return;
    }
    thread.setIdle(true);
    this.#idle = thread;
    this.#idleTimer = setTimeout(() => {
      if (this.#idle === thread) this.#idle = null;
      thread.end(new AppError('unavailable', 'idle'));
    }, IDLE_WORKER_MS);
    this.#idleTimer.unref();
  }

  close(): void {
    this.#closed = true;
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idle?.end(new AppError('unavailable', 'Kafka Desk is closing.'));
    this.#idle = null;
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
  readonly #inline: Predicate<RawRecord> | null;
  readonly #workers: FilterWorkers | null;
  readonly #fields: PackedFields;
  readonly #deadline: number | undefined;
  readonly #matched = new WeakSet<RawRecord>();
  #thread: FilterThread | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #stopped: FilterStopped | null = null;

  private constructor(inline: Predicate<RawRecord> | null, workers: FilterWorkers | null, fields: PackedFields, options: RecordFilterOptions) {
    this.#inline = inline;
    this.#workers = workers;
    this.#fields = fields;
    this.#deadline = options.deadline;
  }

  /** Null without a filter. A filter the worker cannot compile (bad regex, bad path) is refused here. */
  static async create(filter: Filter | null, decoders: TopicDecoders, workers: FilterWorkers, options: RecordFilterOptions = {}): Promise<RecordFilter | null> {
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

  async #ask(message: FilterCall, transfer: ArrayBuffer[], what: string): Promise<FilterResponse> {
    if (this.#stopped) throw this.#stopped;
    const thread = this.#thread!;
    // A new thread loads its modules first (a few hundred ms from source); Cancel still ends it.
    await thread.ready;
    if (this.#stopped) throw this.#stopped;
    const budget = this.#workers!.budgetMs;
    // Compiling has the budget only; the read's time limit applies to the chunks, as merge applies it.
    const compiling = message.type === 'compile';
    const left = this.#deadline === undefined || compiling ? budget : Math.min(budget, Math.max(0, this.#deadline - performance.now()));
    const byDeadline = left < budget;
    const timer = setTimeout(() => {
      this.#stop(
        byDeadline
          ? new FilterStopped('time', `The read's time limit ran out while the filter was reading ${what}.`)
          : new FilterStopped(
              'time',
              `The filter took more than ${formatSeconds(budget)} ${compiling ? 'to compile' : `over ${what}`} and was stopped there. Simplify the filter, or read fewer or smaller records.`,
              true,
            ),
      );
    }, left);
    try {
      const response = await thread.request(message, transfer);
      if (response.type === 'error') throw new AppError(response.kind, response.message);
      return response;
    } finally {
      clearTimeout(timer);
    }
  }
}
