/**
 * Replication quotas (KIP-73): a broker's bound on the bytes per second it replicates for throttled
 * replicas, as leader (`leader.replication.throttled.rate`, what it serves) or as follower
 * (`follower.replication.throttled.rate`, what it fetches). Which replicas are throttled is per topic:
 * `leader.replication.throttled.replicas` and `follower.replication.throttled.replicas` list
 * `partition:broker` entries (or `*`), and each broker takes those naming itself. As in Kafka, only
 * replicas outside the ISR are throttled (a reassignment's catching-up replicas), so an in-sync
 * follower never falls behind because of a quota.
 *
 * Kafka measures the rate over a window of samples and answers an empty fetch while it is exceeded;
 * here a token bucket holding one second of the rate does the same: a fetch takes at most what the
 * bucket holds, and none while it is empty.
 */

/** Kafka's default for both rates: no bound. */
export const UNLIMITED_RATE = Number.MAX_SAFE_INTEGER;

/** Whether a topic's `*.replication.throttled.replicas` value throttles `partition` on broker `brokerId`. */
export function throttledReplica(value: string | undefined, partition: number, brokerId: number): boolean {
  const text = value?.trim() ?? '';
  if (text === '') return false;
  if (text === '*') return true;
  const entry = `${partition}:${brokerId}`;
  return text.split(',').some((item) => item.trim() === entry);
}

export class ReplicationQuota {
  readonly #rate: () => number;
  readonly #now: () => number;
  #tokens = 0;
  #lastRate = -1;
  #last = 0;

  /** `rate`: bytes per second, read at each use (the config is dynamic). */
  constructor(rate: () => number, now: () => number = () => performance.now()) {
    this.#rate = rate;
    this.#now = now;
  }

  /** Whether the rate is bounded at all. */
  get bounded(): boolean {
    return this.#rate() < UNLIMITED_RATE;
  }

  /** How many bytes may be replicated now (Infinity without a bound). */
  available(): number {
    const rate = this.#rate();
    if (rate >= UNLIMITED_RATE) return Infinity;
    const now = this.#now();
    if (rate !== this.#lastRate) {
      // A new rate starts with a full second of it, as a new quota window would.
      this.#lastRate = rate;
      this.#tokens = rate;
    } else {
      this.#tokens = Math.min(rate, this.#tokens + ((now - this.#last) / 1000) * rate);
    }
    this.#last = now;
    return Math.max(0, this.#tokens);
  }

  /** Counts bytes replicated against the bound (a fetch may overshoot by a batch: it is owed). */
  record(bytes: number): void {
    if (this.#lastRate >= 0 && this.#lastRate < UNLIMITED_RATE) this.#tokens -= bytes;
  }
}
