import type { ClientQuotaManager } from './client-quota-manager';

const NANOS_TO_PERCENT_SECONDS = 100 / 1e9;

/**
 * One request's handling time as the request quota counts it (KIP-124: a percentage of one thread per
 * second), recorded once: by the dispatcher when the handler returns, or earlier by a handler that
 * must know whether it is throttled before it answers (a fetch is answered empty when it is, as Kafka's
 * KafkaApis checks the request quota before it builds the fetch response).
 */
export class RequestTime {
  readonly #started = process.hrtime.bigint();
  #throttleMs: number | null = null;

  constructor(
    readonly manager: ClientQuotaManager,
    readonly identity: { user: string; clientId: string },
  ) {}

  /** Records the time handled so far, the first time it is called; returns the request's throttle time. */
  record(): number {
    if (this.#throttleMs !== null) return this.#throttleMs;
    const spent = Number(process.hrtime.bigint() - this.#started) * NANOS_TO_PERCENT_SECONDS;
    const { user, clientId } = this.identity;
    const throttle = this.manager.recordAndGetThrottleTimeMs(user, clientId, spent);
    if (throttle > 0) this.manager.recordThrottle(user, clientId, throttle);
    this.#throttleMs = throttle;
    return throttle;
  }
}
