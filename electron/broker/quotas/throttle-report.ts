import type { ClientQuotaKey } from './client-quota-entity';
import type { ClientQuotaManager } from './client-quota-manager';
import type { ConnectionQuotas } from './connection-quotas';
import type { ControllerMutationQuotaManager } from './controller-mutation-quota';

/**
 * A client the brokers throttled, per quota: what Kafka's brokers publish as their throttle-time
 * metrics (Produce/Fetch/Request throttle-time per user and client-id, the controller mutation
 * quota's, and ConnectionQuotas' per-IP counts), which no Kafka API returns. The embedded cluster
 * gives them to the app, which hosts it; rows are summed over the brokers.
 */
export interface ThrottledClientReport {
  quota: ClientQuotaKey;
  /** The user and client id the quota's sensor is kept for; null where the quota is not per that part (a quota on a user alone is shared by its client ids). */
  user: string | null;
  clientId: string | null;
  /** The IP, for connection_creation_rate. */
  ip: string | null;
  limit: number;
  /** The highest rate a broker measures now, in the quota's unit per second (null for the controller mutation quota, a token bucket). */
  rate: number | null;
  /** Requests (connections for an IP) throttled so far. */
  throttled: number;
  /** Throttle time given so far, in ms (null where Kafka counts none: connections, mutations). */
  throttleTimeMs: number | null;
  /** When one was last throttled (epoch ms). */
  lastThrottledAt: number;
  /** The brokers that throttled it (the controller mutation quota is the cluster's: empty). */
  brokerIds: number[];
}

/** What the report reads of a broker. */
export interface ThrottlingBroker {
  id: number;
  clientQuotas: { produce: ClientQuotaManager; fetch: ClientQuotaManager; request: ClientQuotaManager };
  connectionQuotas: ConnectionQuotas;
}

/** The clients throttled at least once, the most recently throttled first. */
export function throttledClients(brokers: readonly ThrottlingBroker[], mutations: ControllerMutationQuotaManager): ThrottledClientReport[] {
  const rows = new Map<string, ThrottledClientReport>();
  const add = (row: ThrottledClientReport) => {
    const id = JSON.stringify([row.quota, row.user, row.clientId, row.ip]);
    const seen = rows.get(id);
    if (!seen) {
      rows.set(id, row);
      return;
    }
    if (seen.rate !== null && row.rate !== null) seen.rate = Math.max(seen.rate, row.rate);
    seen.limit = row.limit;
    seen.throttled += row.throttled;
    if (seen.throttleTimeMs !== null && row.throttleTimeMs !== null) seen.throttleTimeMs += row.throttleTimeMs;
    seen.lastThrottledAt = Math.max(seen.lastThrottledAt, row.lastThrottledAt);
    seen.brokerIds = [...new Set([...seen.brokerIds, ...row.brokerIds])].sort((a, b) => a - b);
  };
  const orNull = (tag: string) => (tag === '' ? null : tag);
  for (const broker of brokers) {
    for (const manager of [broker.clientQuotas.produce, broker.clientQuotas.fetch, broker.clientQuotas.request]) {
      for (const sensor of manager.snapshot()) {
        if (sensor.lastThrottledAt === null) continue;
        add({
          quota: manager.key,
          user: orNull(sensor.user),
          clientId: orNull(sensor.clientId),
          ip: null,
          limit: sensor.limit,
          rate: sensor.rate,
          throttled: sensor.throttledRequests,
          throttleTimeMs: sensor.throttleTimeMs,
          lastThrottledAt: sensor.lastThrottledAt,
          brokerIds: [broker.id],
        });
      }
    }
    for (const ip of broker.connectionQuotas.snapshot()) {
      if (ip.lastThrottledAt === null) continue;
      add({
        quota: 'connection_creation_rate',
        user: null,
        clientId: null,
        ip: ip.ip,
        limit: ip.limit,
        rate: ip.rate,
        throttled: ip.throttled,
        throttleTimeMs: null,
        lastThrottledAt: ip.lastThrottledAt,
        brokerIds: [broker.id],
      });
    }
  }
  for (const bucket of mutations.snapshot()) {
    if (bucket.lastThrottledAt === null) continue;
    add({
      quota: 'controller_mutation_rate',
      user: orNull(bucket.user),
      clientId: orNull(bucket.clientId),
      ip: null,
      limit: bucket.limit,
      rate: null,
      throttled: bucket.throttledRequests,
      throttleTimeMs: null,
      lastThrottledAt: bucket.lastThrottledAt,
      brokerIds: [],
    });
  }
  return [...rows.values()].sort((a, b) => b.lastThrottledAt - a.lastThrottledAt);
}
