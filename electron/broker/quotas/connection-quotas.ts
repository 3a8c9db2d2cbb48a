import { QUOTA_WINDOW_MS, RateSensor } from './client-quota-manager';

/** Kafka's default for max.connection.creation.rate and for an IP without a quota: no limit. */
export const UNLIMITED_CONNECTION_RATE = 2_147_483_647;
/** Sensors of IPs idle this long are dropped (Kafka's ConnectionQuotaEntity expiry, an hour). */
const SENSOR_EXPIRY_MS = 3_600_000;

/** What the connection quotas need to know: the limits, read at each new connection (both change at run time). */
export interface ConnectionRateLimits {
  /** connection_creation_rate of an IP (KIP-612): its own quota, else the default IP's; undefined without one. */
  ipRate(ip: string): number | undefined;
  /** Whether any IP, or the default IP, has a connection_creation_rate. */
  ipRatesSet(): boolean;
  /** max.connection.creation.rate: new connections per second the broker accepts from everyone. */
  brokerRate(): number;
}

/** How a new connection is to be handled. */
export type ConnectionAdmission =
  /** Accepted now. */
  | { kind: 'accept' }
  /** Over the IP's rate: not served, closed after `throttleMs` (Kafka's ConnectionThrottledException). */
  | { kind: 'throttle'; throttleMs: number };

/** An IPv4 client of a dual-stack socket as Kafka's InetAddress names it (without the ::ffff: prefix). */
export function clientIp(remoteAddress: string | undefined): string {
  const address = remoteAddress ?? '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/**
 * The rate at which a broker accepts connections (Kafka's ConnectionQuotas in SocketServer, KIP-612),
 * measured like the client quotas (11 windows of a second, at least 10 counted), throttles bounded by
 * one window:
 * - broker-wide (max.connection.creation.rate): over it, the acceptor waits before it takes the next
 *   connection, so new connections are delayed, not refused;
 * - per IP (connection_creation_rate on the ip entity, the IP's own over the default IP's): a connection
 *   over its IP's rate is not counted (nor in the broker's rate) and is closed unserved after the throttle.
 */
export class ConnectionQuotas {
  readonly #limits: ConnectionRateLimits;
  readonly #now: () => number;
  readonly #broker = new RateSensor();
  readonly #ips = new Map<string, { sensor: RateSensor; accepted: number; throttled: number; limit: number; lastThrottledAt: number | null }>();

  constructor(limits: ConnectionRateLimits, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
  }

  /** Whether any limit applies: a broker without one accepts every connection at once, counting nothing. */
  limited(): boolean {
    return this.#limits.brokerRate() < UNLIMITED_CONNECTION_RATE || this.#limits.ipRatesSet();
  }

  /**
   * Records a connection the acceptor takes against the broker-wide rate (Kafka's
   * waitForConnectionSlot): how long the acceptor must wait before it takes the next one, 0 within it.
   */
  recordBrokerConnection(): number {
    const limit = this.#limits.brokerRate();
    if (limit >= UNLIMITED_CONNECTION_RATE) return 0;
    const now = this.#now();
    this.#broker.record(1, now);
    return throttleTime(this.#broker, limit, now);
  }

  /** Records a connection from `ip` against its rate (Kafka's recordIpConnectionMaybeThrottle). */
  admitIp(ip: string): ConnectionAdmission {
    const limit = this.#limits.ipRate(ip);
    if (limit === undefined) return { kind: 'accept' };
    const now = this.#now();
    let entry = this.#ips.get(ip);
    if (!entry) {
      entry = { sensor: new RateSensor(), accepted: 0, throttled: 0, limit, lastThrottledAt: null };
      this.#ips.set(ip, entry);
      for (const [other, e] of this.#ips) if (now - e.sensor.lastRecord > SENSOR_EXPIRY_MS && other !== ip) this.#ips.delete(other);
    }
    entry.limit = limit;
    entry.sensor.record(1, now);
    const throttleMs = throttleTime(entry.sensor, limit, now);
    if (throttleMs <= 0) {
      entry.accepted++;
      return { kind: 'accept' };
    }
    // Not accepted, so not counted: neither in the IP's rate nor in the broker's.
    entry.sensor.record(-1, now);
    if (this.#limits.brokerRate() < UNLIMITED_CONNECTION_RATE) this.#broker.record(-1, now);
    entry.throttled++;
    entry.lastThrottledAt = now;
    return { kind: 'throttle', throttleMs };
  }

  /** Connections accepted and throttled per IP with a quota, for the app and for tests of the broker's accounting. */
  snapshot(): Array<{ ip: string; accepted: number; throttled: number; rate: number; limit: number; lastThrottledAt: number | null }> {
    const now = this.#now();
    return [...this.#ips].map(([ip, e]) => ({
      ip,
      accepted: e.accepted,
      throttled: e.throttled,
      rate: e.sensor.rate(now),
      limit: e.limit,
      lastThrottledAt: e.lastThrottledAt,
    }));
  }
}

/** (O - T) / T × W, at most one window (Kafka's QuotaUtils.boundedThrottleTime with quota.window.size.seconds). */
function throttleTime(sensor: RateSensor, limit: number, now: number): number {
  const rate = sensor.rate(now);
  if (rate <= limit) return 0;
  if (limit <= 0) return QUOTA_WINDOW_MS;
  return Math.min(QUOTA_WINDOW_MS, Math.round(((rate - limit) / limit) * sensor.windowMs(now)));
}
