import type { ClientQuotaKey } from './client-quota-entity';
import type { ResolvedQuota } from './client-quotas';

/** Kafka's quota.window.num and quota.window.size.seconds defaults: 10 whole windows of a second and the current one. */
export const QUOTA_WINDOW_NUM = 11;
export const QUOTA_WINDOW_MS = 1000;
/** Sensors idle this long are dropped (Kafka's InactiveSensorExpirationTimeSeconds, an hour). */
const SENSOR_EXPIRY_MS = 3_600_000;

/**
 * A rate over sampled windows, as Kafka's Rate measures a quota: samples of QUOTA_WINDOW_MS, the oldest
 * dropped once QUOTA_WINDOW_NUM of them are older than now; the rate is their sum over the time they
 * span, counted as at least QUOTA_WINDOW_NUM - 1 whole windows so that a first burst is not measured
 * over a few milliseconds.
 */
export class RateSensor {
  readonly #samples: Array<{ start: number; value: number }> = [];
  lastRecord = 0;

  record(value: number, now: number): void {
    this.#purge(now);
    const current = this.#samples.at(-1);
    if (current && now < current.start + QUOTA_WINDOW_MS) current.value += value;
    else this.#samples.push({ start: now, value });
    this.lastRecord = now;
  }

  #purge(now: number): void {
    const expireBefore = now - QUOTA_WINDOW_NUM * QUOTA_WINDOW_MS;
    while (this.#samples.length > 0 && this.#samples[0]!.start + QUOTA_WINDOW_MS <= expireBefore) this.#samples.shift();
  }

  /** The window the rate is measured over, in ms (Kafka's Rate.windowSize). */
  windowMs(now: number): number {
    this.#purge(now);
    let elapsed = this.#samples.length > 0 ? now - this.#samples[0]!.start : 0;
    const fullWindows = Math.floor(elapsed / QUOTA_WINDOW_MS);
    const minFullWindows = QUOTA_WINDOW_NUM - 1;
    if (fullWindows < minFullWindows) elapsed += (minFullWindows - fullWindows) * QUOTA_WINDOW_MS;
    return elapsed;
  }

  /** Units per second. */
  rate(now: number): number {
    const windowMs = this.windowMs(now);
    let total = 0;
    for (const sample of this.#samples) total += sample.value;
    return total / (windowMs / 1000);
  }
}

/** What the manager needs of the cluster's quotas: the limit and sensor tags for a user and client id. */
export interface QuotaSource {
  resolve(key: ClientQuotaKey, user: string, clientId: string): ResolvedQuota | undefined;
}

/** What one throttled client was measured at, for the app and for tests of the broker's accounting. */
export interface QuotaSensorSnapshot {
  user: string;
  clientId: string;
  limit: number;
  rate: number;
  /** Total of the values recorded (bytes, or percent-seconds of thread time). */
  recorded: number;
  throttledRequests: number;
  throttleTimeMs: number;
  /** When it was last throttled (epoch ms), null if never. */
  lastThrottledAt: number | null;
}

interface SensorEntry {
  sensor: RateSensor;
  /** The limit when last recorded (quotas change at run time). */
  limit: number;
  recorded: number;
  throttledRequests: number;
  throttleTimeMs: number;
  lastThrottledAt: number | null;
}

/**
 * One broker's enforcement of one quota key (Kafka's ClientQuotaManager for Produce, Fetch or Request):
 * a sensor per set of quota tags (a user, a client id, or both, per the entity the quota was found on),
 * and the throttle time that brings the measured rate back to the limit: if O is the observed rate and T
 * the limit over a window W, a delay X with O * W / (W + X) = T, so X = (O - T) / T * W.
 */
export class ClientQuotaManager {
  readonly #sensors = new Map<string, SensorEntry>();
  readonly #key: ClientQuotaKey;
  readonly #source: QuotaSource;
  readonly #now: () => number;
  readonly #maxThrottleMs: number;

  /**
   * `maxThrottleMs`: the request quota's throttle is at most one window (Kafka's ClientRequestQuotaManager),
   * since a request's time is known only after it was handled; byte rates are not bounded.
   */
  constructor(key: ClientQuotaKey, source: QuotaSource, now: () => number = Date.now, maxThrottleMs = Infinity) {
    this.#key = key;
    this.#source = source;
    this.#now = now;
    this.#maxThrottleMs = maxThrottleMs;
  }

  get key(): ClientQuotaKey {
    return this.#key;
  }

  #entry(quota: ResolvedQuota, now: number): SensorEntry {
    const id = `${quota.tags.user}\u0000${quota.tags.clientId}`;
    let entry = this.#sensors.get(id);
    if (!entry) {
      entry = { sensor: new RateSensor(), limit: quota.limit, recorded: 0, throttledRequests: 0, throttleTimeMs: 0, lastThrottledAt: null };
      this.#sensors.set(id, entry);
      // Dropping idle sensors now and then keeps clients that come and go from growing the map.
      for (const [other, e] of this.#sensors) if (now - e.sensor.lastRecord > SENSOR_EXPIRY_MS && other !== id) this.#sensors.delete(other);
    }
    return entry;
  }

  /**
   * The most that may be recorded at once without being throttled for it alone (Kafka's
   * getMaxValueInQuotaWindow: a fetch asks for no more than this). Infinity when the client has no quota.
   */
  maxValueInWindow(user: string, clientId: string): number {
    const quota = this.#source.resolve(this.#key, user, clientId);
    return quota ? quota.limit * (QUOTA_WINDOW_NUM - 1) * (QUOTA_WINDOW_MS / 1000) : Infinity;
  }

  /** Records `value` for the client and returns how long it must be throttled (0 within its quota, or without one). */
  recordAndGetThrottleTimeMs(user: string, clientId: string, value: number): number {
    const quota = this.#source.resolve(this.#key, user, clientId);
    if (!quota) return 0;
    const now = this.#now();
    const entry = this.#entry(quota, now);
    entry.limit = quota.limit;
    entry.sensor.record(value, now);
    entry.recorded += value;
    const rate = entry.sensor.rate(now);
    if (rate <= quota.limit) return 0;
    return Math.min(this.#maxThrottleMs, Math.round(((rate - quota.limit) / quota.limit) * entry.sensor.windowMs(now)));
  }

  /** Takes back a value recorded for a request answered empty because it was throttled (a fetch). */
  unrecord(user: string, clientId: string, value: number): void {
    const quota = this.#source.resolve(this.#key, user, clientId);
    if (!quota) return;
    const now = this.#now();
    const entry = this.#entry(quota, now);
    entry.sensor.record(-value, now);
    entry.recorded -= value;
  }

  /** Counts a throttle applied to the client (Kafka's throttle-time sensor). */
  recordThrottle(user: string, clientId: string, throttleTimeMs: number): void {
    const quota = this.#source.resolve(this.#key, user, clientId);
    if (!quota || throttleTimeMs <= 0) return;
    const now = this.#now();
    const entry = this.#entry(quota, now);
    entry.throttledRequests++;
    entry.throttleTimeMs += throttleTimeMs;
    entry.lastThrottledAt = now;
  }

  /** The sensors of the clients with a quota that sent traffic, with their limit now. */
  snapshot(): QuotaSensorSnapshot[] {
    const now = this.#now();
    const out: QuotaSensorSnapshot[] = [];
    for (const [id, entry] of this.#sensors) {
      const [user, clientId] = id.split('\u0000') as [string, string];
      out.push({
        user,
        clientId,
        limit: entry.limit,
        rate: entry.sensor.rate(now),
        recorded: entry.recorded,
        throttledRequests: entry.throttledRequests,
        throttleTimeMs: entry.throttleTimeMs,
        lastThrottledAt: entry.lastThrottledAt,
      });
    }
    return out;
  }
}
