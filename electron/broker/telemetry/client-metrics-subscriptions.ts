import type { ClusterMetadataState, MetadataRecord } from '../cluster/metadata-store';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { isSubscriptionError, parseSubscription, type ClientMetricsSubscription, type SubscriptionError } from './client-metrics-config';

/** What the subscriptions need of the controller: the persisted state and a way to log changes (as ClientQuotas). */
export interface ClientMetricsStore {
  readonly state: ClusterMetadataState;
  record(key: string, build: () => MetadataRecord | null): boolean;
  unavailable(): string | null;
}

/**
 * The client metrics subscriptions (KIP-714): CLIENT_METRICS config resources, cluster metadata the
 * controller keeps in its metadata log as it keeps dynamic configs (KRaft's ConfigRecords), so they
 * survive a restart; every broker reads the same copy. A subscription whose configs are all deleted is
 * gone (Kafka's ClientMetricsManager.updateSubscription with empty properties).
 */
export class ClientMetricsSubscriptions {
  readonly #store: ClientMetricsStore;
  readonly #parsed = new Map<string, ClientMetricsSubscription>();
  #version = 0;

  constructor(store: ClientMetricsStore) {
    this.#store = store;
    for (const [name, configs] of Object.entries(store.state.clientMetrics ?? {})) {
      const parsed = parseSubscription(name, configs);
      // Validated before they were stored; a hand-edited file's bad entry is skipped, not fatal.
      if (!isSubscriptionError(parsed)) this.#parsed.set(name, parsed);
    }
  }

  /** Grows with every change, so brokers re-evaluate their clients' subscriptions (Kafka's subscriptionUpdateVersion). */
  get version(): number {
    return this.#version;
  }

  /** The subscription's configs as set ({} when there is none). */
  configs(name: string): Readonly<Record<string, string>> {
    return this.#store.state.clientMetrics?.[name] ?? {};
  }

  names(): string[] {
    return [...this.#parsed.keys()].sort();
  }

  all(): readonly ClientMetricsSubscription[] {
    return [...this.#parsed.values()];
  }

  /**
   * Replaces a subscription's configs (validated first; none left deletes it). Null on success, or the
   * error the resource is answered with. `validateOnly` checks without changing anything.
   */
  set(name: string, configs: Readonly<Record<string, string>>, validateOnly: boolean): SubscriptionError | null {
    const parsed = parseSubscription(name, configs);
    if (isSubscriptionError(parsed)) return parsed;
    if (validateOnly) return null;
    const unavailable = this.#store.unavailable();
    if (unavailable) return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: unavailable };
    const all = { ...this.#store.state.clientMetrics };
    const empty = Object.keys(configs).length === 0;
    if (empty) {
      if (!(name in all)) return null;
      delete all[name];
      this.#parsed.delete(name);
    } else {
      all[name] = { ...configs };
      this.#parsed.set(name, parsed);
    }
    this.#store.state.clientMetrics = all;
    this.#version++;
    this.#store.record(`client-metrics:${name}`, () => ({ type: 'client-metrics', name, configs: this.#store.state.clientMetrics?.[name] ?? null }));
    return null;
  }
}
