import type { Connection } from '../server/connection';

/**
 * The first version of each API whose client throttles itself on a throttle_time_ms (KIP-219, Kafka 2.0):
 * the broker answers at once and mutes the channel. To an older version the broker delays the answer
 * instead, muting the channel meanwhile. From the message definitions' "Starting in version N, on quota
 * violation, brokers send out responses before throttling" (Produce: v6, Kafka's ProduceResponse.shouldClientThrottle).
 * APIs not listed came after KIP-219: their clients always throttle themselves.
 */
export const CLIENT_THROTTLES_FROM: Readonly<Record<number, number>> = {
  0: 6,
  1: 8,
  2: 3,
  3: 6,
  8: 4,
  9: 4,
  10: 2,
  11: 3,
  12: 2,
  13: 2,
  14: 2,
  15: 2,
  16: 2,
  18: 2,
  19: 3,
  20: 2,
  21: 1,
  22: 1,
  24: 1,
  25: 1,
  26: 1,
  28: 1,
  29: 1,
  30: 1,
  31: 1,
  32: 2,
  33: 1,
  34: 1,
  35: 1,
  37: 1,
  38: 1,
  39: 1,
  40: 1,
  41: 1,
  42: 1,
};

export function clientThrottles(apiKey: number, version: number): boolean {
  return version >= (CLIENT_THROTTLES_FROM[apiKey] ?? 0);
}

/**
 * Who a quota applies to: the connection's user (the principal's name, `ANONYMOUS` without
 * authentication, as Kafka's sanitized user) and the request's client id.
 */
export function quotaIdentity(connection: Connection, clientId: string | null): { user: string; clientId: string } {
  const principal = connection.principal;
  const colon = principal.indexOf(':');
  return { user: colon >= 0 ? principal.slice(colon + 1) : principal, clientId: clientId ?? '' };
}
