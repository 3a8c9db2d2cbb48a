import * as v8 from 'node:v8';

/**
 * V8 settings for a process that hosts the embedded cluster (`npm run cluster`, `npm run web`, the
 * Electron main process), as Kafka ships its JVM's garbage-collector settings with the broker
 * (kafka-run-class.sh: G1 with a pause goal) rather than leaving them to each installation.
 *
 * `--heap-growing-percent=300`: after a mark-compact the old generation may grow to 4x what survived
 * (plus the young generation's capacity) before the next. Why: V8 starts incremental marking as soon as
 * the old generation's headroom is below the young generation's target capacity (Heap::
 * IncrementalMarkingLimitReached, the "task" start). A broker allocates ~15 KB per produce request, so
 * V8 grows the young generation to 32-64 MiB, while its own growing factor (picked from the collector's
 * speed, 1.1-1.5 here) left ~25-45 MiB of headroom: marking restarted right after every mark-compact,
 * and the cluster ran one full collection every ~0.5-3 s whatever its old generation's growth (`npm run
 * bench -- produce-path --records 8`: 2-9 mark-compacts per 20,000 requests, each starting with reason
 * "task" at 23-42 MiB of headroom). With a factor of 4 the headroom after a collection is ~90 MiB, and
 * a mark-compact comes only from real growth (the ~300 B a request adds to the old generation) or from
 * external memory: 1 per 20,000 requests. The price is memory: an old generation up to 4x its live
 * size (a cluster's ~30 MiB: ~130 MiB), which a desktop app affords.
 *
 * Set by EmbeddedCluster.start, at run time with v8.setFlagsFromString, which V8 reads at each
 * collection: that also reaches the Electron main process, whose V8 is running before its first line
 * (`--js-flags` appended from there only reaches processes started later), and leaves a process that
 * never starts the embedded cluster (the app connected only to other clusters) at V8's defaults. The young generation is left at V8's default: it already
 * grows to 32-64 MiB under load, and scavenges promote only ~10-20 B per request.
 */
export const BROKER_PROCESS_V8_FLAGS: readonly string[] = ['--heap-growing-percent=300'];

export function tuneGarbageCollectorForBrokers(): void {
  for (const flag of BROKER_PROCESS_V8_FLAGS) v8.setFlagsFromString(flag);
}
