import { monitorEventLoopDelay, PerformanceObserver, constants, performance, type EventLoopUtilization } from 'node:perf_hooks';
import * as v8 from 'node:v8';

/** What the process's event loop and garbage collector cost its clients since the previous snapshot. */
export interface RuntimePauseStats {
  /** How late the event loop ran a 1 ms timer: the time a request could wait for the loop. */
  eventLoopDelayP50Ms: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** Share of the wall time the event loop was busy (0..1), performance.eventLoopUtilization. */
  eventLoopUtilization: number;
  /** Young-generation collections (scavenges): count, summed pause, 99th percentile and longest pause. */
  gcMinorCount: number;
  gcMinorTotalMs: number;
  gcMinorP99Ms: number;
  gcMinorMaxMs: number;
  /** Full (mark-compact) collections: their atomic pauses. */
  gcMajorCount: number;
  gcMajorTotalMs: number;
  gcMajorMaxMs: number;
  /** Steps of incremental marking that lead to a mark-compact, run on the event loop apart from its pause. */
  gcIncrementalCount: number;
  gcIncrementalTotalMs: number;
  gcIncrementalMaxMs: number;
  /**
   * Bytes the collector saw, from v8.GCProfiler's heap statistics before and after each collection.
   * They count work, not time, so they hold on a loaded machine: `heapAllocatedBytes`, allocated in the
   * young generation; `heapPromotedBytes`, moved to the old generation by scavenges (what lived through
   * them); `heapOldGrowthBytes`, those plus what was allocated in the old generation directly (what a
   * mark-compact will have to collect); `markCompactFreedBytes`, what the mark-compacts freed: memory
   * that died old. (Not the external memory they free: V8 sweeps ArrayBuffers after the pause, so the
   * profile's figures after a mark-compact do not show it.)
   */
  heapAllocatedBytes: number;
  heapPromotedBytes: number;
  heapOldGrowthBytes: number;
  markCompactFreedBytes: number;
  /** The heap's young generation (its capacity now) and old generation and external memory in use now. */
  heapYoungCapacityBytes: number;
  heapOldUsedBytes: number;
  externalBytes: number;
}

const round2 = (ms: number) => Math.round(ms * 100) / 100;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface SpaceStats {
  spaceName: string;
  spaceSize: number;
  spaceUsedSize: number;
}
interface GcSample {
  heapSpaceStatistics: SpaceStats[];
}
interface GcEvent {
  gcType: string;
  beforeGC: GcSample;
  afterGC: GcSample;
}

const YOUNG = new Set(['new_space', 'new_large_object_space']);
const OLD = new Set(['old_space', 'large_object_space']);

function used(spaces: ReadonlyArray<SpaceStats>, which: ReadonlySet<string>): number {
  let sum = 0;
  for (const s of spaces) if (which.has(s.spaceName)) sum += s.spaceUsedSize;
  return sum;
}

function nowSpaces(): SpaceStats[] {
  return v8.getHeapSpaceStatistics().map((s) => ({ spaceName: s.space_name, spaceSize: s.space_size, spaceUsedSize: s.space_used_size }));
}

/**
 * The event loop's delay and the garbage collector's pauses of this process, measured from the first
 * snapshot on (nothing is observed before: `npm run cluster` pays for it only when asked for `stats`).
 * Both are what a latency figure of the brokers in this process is made of besides their own work, and
 * unlike a latency they depend little on what else the machine runs: a collection's pause is the
 * collector's work, a loop delay on a quiet machine the work of the callback that held the loop. The
 * bytes allocated and promoted (see RuntimePauseStats) depend on nothing but the work done.
 */
export class RuntimePauses {
  /** Timer resolution of the loop-delay histogram: a delay is what exceeds it. */
  static readonly resolutionMs = 1;
  #loopDelay: ReturnType<typeof monitorEventLoopDelay> | null = null;
  #observer: PerformanceObserver | null = null;
  #profiler: v8.GCProfiler | null = null;
  #utilization: EventLoopUtilization | null = null;
  #youngUsed = 0;
  #oldUsed = 0;
  #minor: number[] = [];
  #major: number[] = [];
  #incremental: number[] = [];

  #start(): void {
    this.#loopDelay = monitorEventLoopDelay({ resolution: RuntimePauses.resolutionMs });
    this.#loopDelay.enable();
    this.#observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        // A 'gc' entry's detail names the kind of collection.
        const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
        if (kind === constants.NODE_PERFORMANCE_GC_MINOR) this.#minor.push(entry.duration);
        else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) this.#major.push(entry.duration);
        else if (kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) this.#incremental.push(entry.duration);
      }
    });
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  /** Restarts the GC profile and returns the bytes of the one that ran since the previous call. */
  #bytes(): Pick<RuntimePauseStats, 'heapAllocatedBytes' | 'heapPromotedBytes' | 'heapOldGrowthBytes' | 'markCompactFreedBytes'> {
    const events = (this.#profiler?.stop() as { statistics?: GcEvent[] } | undefined)?.statistics ?? [];
    let young = this.#youngUsed;
    let old = this.#oldUsed;
    let allocated = 0;
    let promoted = 0;
    let oldGrowth = 0;
    let freed = 0;
    for (const e of events) {
      const before = e.beforeGC.heapSpaceStatistics;
      const after = e.afterGC.heapSpaceStatistics;
      allocated += Math.max(0, used(before, YOUNG) - young);
      oldGrowth += Math.max(0, used(before, OLD) - old);
      if (e.gcType === 'Scavenge' || e.gcType === 'MinorMarkSweep') {
        const moved = Math.max(0, used(after, OLD) - used(before, OLD));
        promoted += moved;
        oldGrowth += moved;
      } else if (e.gcType === 'MarkSweepCompact') {
        freed += Math.max(0, used(before, OLD) + used(before, YOUNG) - used(after, OLD) - used(after, YOUNG));
      }
      young = used(after, YOUNG);
      old = used(after, OLD);
    }
    const spaces = nowSpaces();
    allocated += Math.max(0, used(spaces, YOUNG) - young);
    oldGrowth += Math.max(0, used(spaces, OLD) - old);
    this.#youngUsed = used(spaces, YOUNG);
    this.#oldUsed = used(spaces, OLD);
    this.#profiler = new v8.GCProfiler();
    this.#profiler.start();
    return {
      heapAllocatedBytes: allocated,
      heapPromotedBytes: promoted,
      heapOldGrowthBytes: oldGrowth,
      markCompactFreedBytes: freed,
    };
  }

  /** Figures since the previous call (all zero at the first, which starts observing), then starts over. */
  snapshot(): RuntimePauseStats {
    const first = this.#loopDelay === null;
    if (first) this.#start();
    const loop = this.#loopDelay!;
    // The histogram holds the time between the timer's runs: the delay is what exceeds its interval.
    const delay = (ns: number) => (loop.count === 0 ? 0 : Math.max(0, round2(ns / 1e6 - RuntimePauses.resolutionMs)));
    const minor = this.#minor.sort((a, b) => a - b);
    const major = this.#major.sort((a, b) => a - b);
    const incremental = this.#incremental.sort((a, b) => a - b);
    const utilization = performance.eventLoopUtilization();
    const bytes = this.#bytes();
    const spaces = nowSpaces();
    const stats: RuntimePauseStats = {
      eventLoopDelayP50Ms: delay(loop.percentile(50)),
      eventLoopDelayP99Ms: delay(loop.percentile(99)),
      eventLoopDelayMaxMs: delay(loop.max),
      eventLoopUtilization:
        this.#utilization === null ? 0 : Math.round(performance.eventLoopUtilization(utilization, this.#utilization).utilization * 1000) / 1000,
      gcMinorCount: minor.length,
      gcMinorTotalMs: round2(minor.reduce((a, b) => a + b, 0)),
      gcMinorP99Ms: round2(percentile(minor, 99)),
      gcMinorMaxMs: round2(minor.at(-1) ?? 0),
      gcMajorCount: major.length,
      gcMajorTotalMs: round2(major.reduce((a, b) => a + b, 0)),
      gcMajorMaxMs: round2(major.at(-1) ?? 0),
      gcIncrementalCount: incremental.length,
      gcIncrementalTotalMs: round2(incremental.reduce((a, b) => a + b, 0)),
      gcIncrementalMaxMs: round2(incremental.at(-1) ?? 0),
      ...(first ? { heapAllocatedBytes: 0, heapPromotedBytes: 0, heapOldGrowthBytes: 0, markCompactFreedBytes: 0 } : bytes),
      heapYoungCapacityBytes: spaces.filter((s) => s.spaceName === 'new_space').reduce((a, s) => a + s.spaceSize, 0),
      heapOldUsedBytes: used(spaces, OLD),
      externalBytes: v8.getHeapStatistics().external_memory,
    };
    this.#utilization = utilization;
    loop.reset();
    this.#minor = [];
    this.#major = [];
    this.#incremental = [];
    return stats;
  }

  stop(): void {
    this.#loopDelay?.disable();
    this.#observer?.disconnect();
    this.#profiler?.stop();
    this.#profiler = null;
  }
}
