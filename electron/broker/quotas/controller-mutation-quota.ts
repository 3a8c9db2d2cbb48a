import type { QuotaSource } from './client-quota-manager';

/** Kafka's controller.quota.window.num and controller.quota.window.size.seconds defaults. */
export const CONTROLLER_QUOTA_WINDOW_NUM = 11;
export const CONTROLLER_QUOTA_WINDOW_MS = 1000;
/** Buckets idle this long are dropped (Kafka's inactive sensor expiry, an hour). */
const BUCKET_EXPIRY_MS = 3_600_000;

/**
 * Kafka's TokenBucket (KIP-599): credits refill at the quota's rate up to a burst of
 * window.num × window.size × rate, and a mutation takes as many as it mutates partitions. The bucket
 * starts full; it may go below zero, and is exhausted while it is.
 */
class TokenBucket {
  #tokens = 0;
  #lastUpdateMs = 0;
  lastRecord = 0;

  tokens(rate: number, now: number): number {
    const burst = CONTROLLER_QUOTA_WINDOW_NUM * (CONTROLLER_QUOTA_WINDOW_MS / 1000) * rate;
    this.#tokens = Math.min(burst, this.#tokens + (rate * (now - this.#lastUpdateMs)) / 1000);
    this.#lastUpdateMs = now;
    return this.#tokens;
  }

  record(value: number, rate: number, now: number): void {
    this.#tokens = this.tokens(rate, now) - value;
    this.lastRecord = now;
  }
}

/** Why a strict quota refused a mutation, and for how long the client is throttled. */
export interface MutationRefusal {
  throttleTimeMs: number;
  message: string;
}

/** One request's view of its client's controller mutation quota (Kafka's ControllerMutationQuota). */
export interface MutationQuota {
  /** Counts `partitions` created or deleted; a strict quota refuses them while the bucket is exhausted. */
  record(partitions: number): MutationRefusal | null;
  /** The throttle the request's answer carries: the time to refill the bucket, less the time since it was found short. */
  throttleTimeMs(): number;
}

/** For clients without a controller_mutation_rate: never throttled. */
export const UNBOUNDED_MUTATION_QUOTA: MutationQuota = { record: () => null, throttleTimeMs: () => 0 };

interface BucketEntry {
  bucket: TokenBucket;
  limit: number;
  recorded: number;
  throttledRequests: number;
  lastThrottledAt: number | null;
}

/** What one client's bucket holds, for the app and for tests of the broker's accounting. */
export interface MutationQuotaSnapshot {
  user: string;
  clientId: string;
  limit: number;
  tokens: number;
  /** Partitions counted (created or deleted). */
  recorded: number;
  throttledRequests: number;
  /** When a request was last throttled (epoch ms), null if never. */
  lastThrottledAt: number | null;
}

/**
 * KIP-599's controller mutation quota (Kafka's ControllerMutationQuotaManager): CreateTopics,
 * CreatePartitions and DeleteTopics count the partitions they mutate against the user's or client id's
 * controller_mutation_rate (partitions per second), with the same entity precedence as the other
 * client quotas. The controller owns it, so every broker of the cluster shares one bucket per client.
 *
 * Strict (the versions whose clients know THROTTLING_QUOTA_EXCEEDED: CreateTopics v6+, CreatePartitions
 * v3+, DeleteTopics v5+): a mutation is accepted while the bucket is not below zero, even if it takes
 * it below (so a request larger than the burst still goes through once), and refused per topic while
 * it is. Permissive (older versions): every mutation is accepted, and the answer is throttled once the
 * bucket is below zero.
 */
export class ControllerMutationQuotaManager {
  readonly #buckets = new Map<string, BucketEntry>();
  readonly #source: QuotaSource;
  readonly #now: () => number;

  constructor(source: QuotaSource, now: () => number = Date.now) {
    this.#source = source;
    this.#now = now;
  }

  /** The quota a request of `user` and `clientId` mutates under; `strict` per the request's version. */
  quotaFor(user: string, clientId: string, strict: boolean): MutationQuota {
    const quota = this.#source.resolve('controller_mutation_rate', user, clientId);
    if (!quota) return UNBOUNDED_MUTATION_QUOTA;
    const id = `${quota.tags.user}\u0000${quota.tags.clientId}`;
    const now = this.#now();
    let entry = this.#buckets.get(id);
    if (!entry) {
      entry = { bucket: new TokenBucket(), limit: quota.limit, recorded: 0, throttledRequests: 0, lastThrottledAt: null };
      this.#buckets.set(id, entry);
      for (const [other, e] of this.#buckets) if (now - e.bucket.lastRecord > BUCKET_EXPIRY_MS && other !== id) this.#buckets.delete(other);
    }
    entry.limit = quota.limit;
    const rate = quota.limit;
    const bucketEntry = entry;
    let throttleMs = 0;
    let foundAt = 0;
    let counted = false;
    const throttleFrom = (tokens: number, at: number) => {
      // Kafka's ControllerMutationQuotaManager.throttleTimeMs: the time to refill a negative bucket to zero.
      throttleMs = Math.round((-tokens / rate) * 1000);
      foundAt = at;
      if (!counted) bucketEntry.throttledRequests++;
      bucketEntry.lastThrottledAt = at;
      counted = true;
    };
    const who = quota.entity.map((p) => `${p.entityType} ${p.entityName ?? '<default>'}`).join(', ');
    return {
      record: (partitions) => {
        const at = this.#now();
        if (strict) {
          const tokens = bucketEntry.bucket.tokens(rate, at);
          if (tokens < 0) {
            throttleFrom(tokens, at);
            return {
              throttleTimeMs: throttleMs,
              message: `The controller mutation quota of ${who} (${rate} partitions/s, KIP-599) is used up: these ${partitions} partition(s) were not changed; try again in ${throttleMs} ms.`,
            };
          }
          bucketEntry.bucket.record(partitions, rate, at);
          bucketEntry.recorded += partitions;
          return null;
        }
        bucketEntry.bucket.record(partitions, rate, at);
        bucketEntry.recorded += partitions;
        const tokens = bucketEntry.bucket.tokens(rate, at);
        if (tokens < 0) throttleFrom(tokens, at);
        return null;
      },
      throttleTimeMs: () => Math.max(0, throttleMs - (this.#now() - foundAt)),
    };
  }

  snapshot(): MutationQuotaSnapshot[] {
    const now = this.#now();
    return [...this.#buckets].map(([id, entry]) => {
      const [user, clientId] = id.split('\u0000') as [string, string];
      return {
        user,
        clientId,
        limit: entry.limit,
        tokens: entry.bucket.tokens(entry.limit, now),
        recorded: entry.recorded,
        throttledRequests: entry.throttledRequests,
        lastThrottledAt: entry.lastThrottledAt,
      };
    });
  }
}
