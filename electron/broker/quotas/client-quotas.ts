import type { ClusterMetadataState, MetadataRecord } from '../cluster/metadata-store';
import {
  canonicalEntity,
  clientQuotaRules,
  entityKey,
  entityKeys,
  quotaValueError,
  withClientQuota,
  type ClientQuotaEntry,
  type ClientQuotaRules,
  type ClientQuotaKey,
  type QuotaEntityPart,
} from './client-quota-entity';

/** What the client quotas need of the controller: the persisted state and a way to log changes (as SecurityMetadata). */
export interface ClientQuotaStore {
  readonly state: ClusterMetadataState;
  record(key: string, build: () => MetadataRecord | null): boolean;
  unavailable(): string | null;
}

export type QuotaFailure = { error: 'INVALID_REQUEST' | 'UNSUPPORTED_VERSION' | 'KAFKA_STORAGE_ERROR'; message: string };

/** One alteration of an entity's quotas: a value to set, or null to remove the key. */
export interface QuotaOp {
  key: string;
  value: number | null;
}

/** A DescribeClientQuotas filter component: exact name (0), the default (1), or any specified name (2). */
export interface QuotaFilterComponent {
  entityType: string;
  matchType: number;
  match: string | null;
}

export const MatchType = { EXACT: 0, DEFAULT: 1, SPECIFIED: 2 } as const;

/**
 * The quota a user and client id get for one key, and the sensor they share (Kafka's quota metric tags):
 * a quota set on a user alone is shared by all of that user's client ids, so its tags leave the client id out.
 */
export interface ResolvedQuota {
  limit: number;
  tags: { user: string; clientId: string };
  /** The entity the quota was found on (for logs and the app). */
  entity: QuotaEntityPart[];
}

const u = (name: string | null): QuotaEntityPart => ({ entityType: 'user', entityName: name });
const c = (name: string | null): QuotaEntityPart => ({ entityType: 'client-id', entityName: name });

/**
 * Client quotas (KIP-55, KIP-546): cluster metadata owned by the controller and kept in its metadata log
 * like ACLs (every broker of the embedded cluster reads the same copy, so a change reaches all of them
 * at once). Each broker enforces them on its own traffic (ClientQuotaManager), as Kafka's brokers do.
 */
export class ClientQuotas {
  readonly #store: ClientQuotaStore;
  readonly #rules: ClientQuotaRules;
  readonly #byKey = new Map<string, ClientQuotaEntry>();
  /** The quota keys set on any entity: a key set nowhere costs a request nothing (most clusters have no quotas). */
  #keysInUse = new Set<string>();
  #versionValue = 0;

  /** `rules`: what the release played takes (clientQuotaRules); the newest release's without. */
  constructor(store: ClientQuotaStore, rules: ClientQuotaRules = clientQuotaRules(null)) {
    this.#store = store;
    this.#rules = rules;
    for (const entry of store.state.clientQuotas ?? []) this.#byKey.set(entityKey(entry.entity), entry);
    this.#indexKeys();
  }

  #indexKeys(): void {
    this.#keysInUse = new Set([...this.#byKey.values()].flatMap((entry) => Object.keys(entry.quotas)));
  }

  /** Whether any entity has a quota for `key`. */
  inUse(key: ClientQuotaKey): boolean {
    return this.#keysInUse.has(key);
  }

  /** Grows with every change, so the brokers' sensors can follow new limits. */
  get version(): number {
    return this.#versionValue;
  }

  entries(): ClientQuotaEntry[] {
    return [...this.#byKey.values()];
  }

  quotasOf(entity: readonly QuotaEntityPart[]): Readonly<Record<string, number>> | undefined {
    return this.#byKey.get(entityKey(entity))?.quotas;
  }

  /**
   * Checks an entity's alterations without applying them (AlterClientQuotas' validate_only, and before
   * applying). As Kafka's controller, a removal is not checked against the entity's keys: removing a
   * key that is not set changes nothing.
   */
  validate(entity: readonly QuotaEntityPart[], ops: readonly QuotaOp[]): QuotaFailure | null {
    const keys = entityKeys(entity, this.#rules);
    if ('error' in keys) return { error: 'INVALID_REQUEST', message: keys.error };
    const seen = new Set<string>();
    for (const op of ops) {
      if (seen.has(op.key)) return { error: 'INVALID_REQUEST', message: `Duplicate quota key ${op.key} not updating quota for this entity` };
      seen.add(op.key);
      if (op.value === null) continue;
      const problem = quotaValueError(keys.keys, op.key, op.value);
      if (problem) return { error: 'INVALID_REQUEST', message: problem };
    }
    return null;
  }

  /** Applies an entity's alterations, all or none; removing a key that is not set changes nothing. */
  alter(entity: readonly QuotaEntityPart[], ops: readonly QuotaOp[]): QuotaFailure | null {
    const invalid = this.validate(entity, ops);
    if (invalid) return invalid;
    const key = entityKey(entity);
    const current = this.#byKey.get(key)?.quotas ?? {};
    const changes = ops.filter((op) => (op.value === null ? op.key in current : current[op.key] !== op.value));
    if (changes.length === 0) return null;
    const reason = this.#store.unavailable();
    if (reason) return { error: 'KAFKA_STORAGE_ERROR', message: reason };
    let entries = this.entries();
    for (const op of changes) entries = withClientQuota(entries, entity, op.key, op.value);
    const updated = entries.find((e) => entityKey(e.entity) === key);
    if (updated) this.#byKey.set(key, updated);
    else this.#byKey.delete(key);
    this.#store.state.clientQuotas = this.entries();
    this.#indexKeys();
    this.#versionValue++;
    const canonical = canonicalEntity(entity);
    for (const op of changes) {
      this.#store.record(`client-quota:${key}\u0000${op.key}`, () => ({
        type: 'client-quota',
        entity: canonical,
        key: op.key,
        value: this.#byKey.get(key)?.quotas[op.key] ?? null,
      }));
    }
    return null;
  }

  /**
   * The entities a DescribeClientQuotas filter matches (KIP-546): each component constrains one entity
   * type; with `strict` an entity may have no other types. Invalid filters get INVALID_REQUEST.
   */
  describe(components: readonly QuotaFilterComponent[], strict: boolean): ClientQuotaEntry[] | QuotaFailure {
    const byType = new Map<string, QuotaFilterComponent>();
    const invalid = (message: string): QuotaFailure => ({ error: 'INVALID_REQUEST', message });
    // Kafka's words (ClientQuotasImage.describe); before 2.8 the ip type is unknown, as AdminManager answered it.
    for (const component of components) {
      const type = component.entityType;
      if (type === '') return invalid('Invalid empty entity type.');
      if (byType.has(type)) return invalid(`Entity type ${type} cannot appear more than once in the filter.`);
      if (type === 'ip' && !this.#rules.ipEntities) return { error: 'UNSUPPORTED_VERSION', message: "Custom entity type 'ip' not supported" };
      if (!['user', 'client-id', 'ip'].includes(type)) return { error: 'UNSUPPORTED_VERSION', message: `Unsupported entity type ${type}` };
      if (component.matchType === MatchType.EXACT && component.match === null)
        return invalid('Request specified MATCH_TYPE_EXACT, but set match string to null.');
      if (component.matchType === MatchType.DEFAULT && component.match !== null)
        return invalid('Request specified MATCH_TYPE_DEFAULT, but also specified a match string.');
      if (component.matchType === MatchType.SPECIFIED && component.match !== null)
        return invalid('Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.');
      if (component.matchType < 0 || component.matchType > 2) return invalid(`Unknown match type ${component.matchType}`);
      byType.set(type, component);
    }
    if (byType.has('ip') && byType.size > 1) {
      return invalid('Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.');
    }
    return this.entries().filter((entry) => {
      if (strict && entry.entity.length !== byType.size) return false;
      for (const [type, component] of byType) {
        const part = entry.entity.find((p) => p.entityType === type);
        if (!part) return false;
        if (component.matchType === MatchType.EXACT && part.entityName !== component.match) return false;
        if (component.matchType === MatchType.DEFAULT && part.entityName !== null) return false;
        if (component.matchType === MatchType.SPECIFIED && part.entityName === null) return false;
      }
      return true;
    });
  }

  /**
   * The quota of `key` for a connection's user and client id, by Kafka's precedence (ClientQuotaManager):
   * user+client-id, user+default client-id, user, default user+client-id, default user+default client-id,
   * default user, client-id, default client-id. Undefined when none applies: the client is not limited.
   */
  resolve(key: ClientQuotaKey, user: string, clientId: string): ResolvedQuota | undefined {
    if (!this.#keysInUse.has(key)) return undefined;
    const candidates: Array<[QuotaEntityPart[], { user: string; clientId: string }]> = [
      [[u(user), c(clientId)], { user, clientId }],
      [[u(user), c(null)], { user, clientId }],
      [[u(user)], { user, clientId: '' }],
      [[u(null), c(clientId)], { user, clientId }],
      [[u(null), c(null)], { user, clientId }],
      [[u(null)], { user, clientId: '' }],
      [[c(clientId)], { user: '', clientId }],
      [[c(null)], { user: '', clientId }],
    ];
    for (const [entity, tags] of candidates) {
      const limit = this.#byKey.get(entityKey(entity))?.quotas[key];
      if (limit !== undefined) return { limit, tags, entity: canonicalEntity(entity) };
    }
    return undefined;
  }

  /** The connection creation rate of an IP: its own, else the default IP's (KIP-612). */
  ipConnectionRate(ip: string): number | undefined {
    if (!this.#keysInUse.has('connection_creation_rate')) return undefined;
    const own = this.#byKey.get(entityKey([{ entityType: 'ip', entityName: ip }]))?.quotas.connection_creation_rate;
    return own ?? this.#byKey.get(entityKey([{ entityType: 'ip', entityName: null }]))?.quotas.connection_creation_rate;
  }
}
