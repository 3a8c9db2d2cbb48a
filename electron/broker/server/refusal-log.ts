import type { Logger } from './logger';

/**
 * Warnings about refused input, at most `perWindow` lines per `windowMs`: a client sending garbage in a
 * loop must not flood the log (or the disk behind it). Lines beyond that are counted, and the count goes
 * out with the next line let through.
 */
export class RefusalLog {
  #windowStart = 0;
  #written = 0;
  #suppressed = 0;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #perWindow;
  readonly #windowMs;

  constructor(logger: Logger, now: () => number = Date.now, perWindow = 100, windowMs = 10_000) {
    this.#logger = logger;
    this.#now = now;
    this.#perWindow = perWindow;
    this.#windowMs = windowMs;
  }

  warn(message: string, fields: Record<string, unknown>): void {
    const now = this.#now();
    if (now - this.#windowStart >= this.#windowMs) {
      this.#windowStart = now;
      this.#written = 0;
    }
    if (this.#written >= this.#perWindow) {
      this.#suppressed++;
      return;
    }
    this.#written++;
    const suppressed = this.#suppressed;
    this.#suppressed = 0;
    this.#logger.warn(message, suppressed > 0 ? { ...fields, suppressedSimilar: suppressed } : fields);
  }
}

const byLogger = new WeakMap<Logger, RefusalLog>();

/** The refusal log of a broker (one per logger, so per broker). */
export function refusalLog(logger: Logger): RefusalLog {
  let log = byLogger.get(logger);
  if (!log) {
    log = new RefusalLog(logger);
    byLogger.set(logger, log);
  }
  return log;
}
