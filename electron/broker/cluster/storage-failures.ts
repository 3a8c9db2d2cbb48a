import type { Logger } from '../server/logger';

/** What a broker was doing with a partition's files when the storage failed. */
export type StorageOperation = 'open' | 'append' | 'replicate';

export interface StorageFailure {
  topic: string;
  partition: number;
  operation: StorageOperation;
  /** The file or directory concerned. */
  path: string;
  /** The system's reason, e.g. "ENOSPC: no space left on device, write". */
  cause: string;
  since: number;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** "append to /data/t-0/000….log failed: ENOSPC: no space…" → that path; else the partition's directory. */
function pathIn(message: string, fallback: string): string {
  return /(\/[^\s:'"]+|[A-Za-z]:\\[^\s:'"]+)/.exec(message)?.[1] ?? fallback;
}

/**
 * A broker's partitions whose storage failed (a full disk, a read-only or vanished directory): each
 * failure is logged once with its path and cause when it starts, and once more when the operation
 * works again. Kafka takes a failed log dir offline; a broker here has one dir for all its partitions,
 * so it keeps serving what works, retries what failed (see Broker) and reports the failed partitions
 * (Metadata's offline replicas, FindCoordinator, elections).
 */
export class StorageFailures {
  readonly #byPartition = new Map<string, Map<StorageOperation, StorageFailure>>();
  readonly #logger: Logger;
  readonly #now: () => number;

  constructor(logger: Logger, now: () => number) {
    this.#logger = logger;
    this.#now = now;
  }

  report(topic: string, partition: number, operation: StorageOperation, error: unknown, dir: string): void {
    const message = error instanceof Error ? error.message : String(error);
    const path = pathIn(message, dir);
    let failures = this.#byPartition.get(key(topic, partition));
    const existing = failures?.get(operation);
    if (existing && existing.cause === message) return;
    if (!failures) {
      failures = new Map();
      this.#byPartition.set(key(topic, partition), failures);
    }
    failures.set(operation, { topic, partition, operation, path, cause: message, since: existing?.since ?? this.#now() });
    this.#logger.error(`storage failure: ${operation} of ${topic}-${partition} failed`, { path, cause: message });
  }

  /** The operation worked: a failure reported for it is over. */
  recovered(topic: string, partition: number, operation: StorageOperation): void {
    const failures = this.#byPartition.get(key(topic, partition));
    const failure = failures?.get(operation);
    if (!failure) return;
    failures!.delete(operation);
    if (failures!.size === 0) this.#byPartition.delete(key(topic, partition));
    this.#logger.info(`storage works again: ${operation} of ${topic}-${partition}`, { path: failure.path, failedForMs: this.#now() - failure.since });
  }

  /** Forgets a partition (deleted, or no longer assigned here). */
  forget(topic: string, partition: number): void {
    this.#byPartition.delete(key(topic, partition));
  }

  of(topic: string, partition: number): StorageFailure[] {
    return [...(this.#byPartition.get(key(topic, partition))?.values() ?? [])];
  }

  failed(topic: string, partition: number, operation: StorageOperation): StorageFailure | undefined {
    return this.#byPartition.get(key(topic, partition))?.get(operation);
  }

  all(): StorageFailure[] {
    return [...this.#byPartition.values()].flatMap((failures) => [...failures.values()]);
  }

  get size(): number {
    return this.#byPartition.size;
  }
}
