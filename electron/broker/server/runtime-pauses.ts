import { monitorEventLoopDelay, PerformanceObserver, constants } from 'node:perf_hooks';

/** What the process's event loop and garbage collector cost its clients since the previous snapshot. */
export interface RuntimePauseStats {
  /** How late the event loop ran a 1 ms timer: the time a request could wait for the loop. */
  eventLoopDelayP50Ms: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** Young-generation collections (scavenges): count, summed pause, 99th percentile and longest pause. */
  gcMinorCount: number;
  gcMinorTotalMs: number;
  gcMinorP99Ms: number;
  gcMinorMaxMs: number;
  /** Old-generation collections (mark-compact, with their incremental marking steps). */
  gcMajorCount: number;
  gcMajorTotalMs: number;
  gcMajorMaxMs: number;
}

const round2 = (ms: number) => Math.round(ms * 100) / 100;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * The event loop's delay and the garbage collector's pauses of this process, measured from the first
 * snapshot on (nothing is observed before: `npm run cluster` pays for it only when asked for `stats`).
 * Both are what a latency figure of the brokers in this process is made of besides their own work, and
 * unlike a latency they depend little on what else the machine runs: a collection's pause is the
 * collector's work, a loop delay on a quiet machine the work of the callback that held the loop.
 */
export class RuntimePauses {
  /** Timer resolution of the loop-delay histogram: a delay is what exceeds it. */
  static readonly resolutionMs = 1;
  #loopDelay: ReturnType<typeof monitorEventLoopDelay> | null = null;
  #observer: PerformanceObserver | null = null;
  #minor: number[] = [];
  #major: number[] = [];

  #start(): void {
    this.#loopDelay = monitorEventLoopDelay({ resolution: RuntimePauses.resolutionMs });
    this.#loopDelay.enable();
    this.#observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        // A 'gc' entry's detail names the kind of collection.
        const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
        if (kind === constants.NODE_PERFORMANCE_GC_MINOR) this.#minor.push(entry.duration);
        else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR || kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) this.#major.push(entry.duration);
      }
    });
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  /** Figures since the previous call (all zero at the first, which starts observing), then starts over. */
  snapshot(): RuntimePauseStats {
    if (this.#loopDelay === null) this.#start();
    const loop = this.#loopDelay!;
    // The histogram holds the time between the timer's runs: the delay is what exceeds its interval.
    const delay = (ns: number) => (loop.count === 0 ? 0 : Math.max(0, round2(ns / 1e6 - RuntimePauses.resolutionMs)));
    const minor = this.#minor.sort((a, b) => a - b);
    const major = this.#major.sort((a, b) => a - b);
    const stats: RuntimePauseStats = {
      eventLoopDelayP50Ms: delay(loop.percentile(50)),
      eventLoopDelayP99Ms: delay(loop.percentile(99)),
      eventLoopDelayMaxMs: delay(loop.max),
      gcMinorCount: minor.length,
      gcMinorTotalMs: round2(minor.reduce((a, b) => a + b, 0)),
      gcMinorP99Ms: round2(percentile(minor, 99)),
      gcMinorMaxMs: round2(minor.at(-1) ?? 0),
      gcMajorCount: major.length,
      gcMajorTotalMs: round2(major.reduce((a, b) => a + b, 0)),
      gcMajorMaxMs: round2(major.at(-1) ?? 0),
    };
    loop.reset();
    this.#minor = [];
    this.#major = [];
    return stats;
  }

  stop(): void {
    this.#loopDelay?.disable();
    this.#observer?.disconnect();
  }
}
