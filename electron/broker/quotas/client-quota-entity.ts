import { isIP } from 'node:net';

/**
 * Client quota entities and keys as Kafka defines them (KIP-55 for user and client-id quotas, KIP-546 for
 * the admin API, KIP-612 for IP connection rates): an entity names a user, a client id, both, or an IP;
 * a null name is the entity type's default (`<default>` in kafka-configs).
 */
export const QuotaEntityType = { USER: 'user', CLIENT_ID: 'client-id', IP: 'ip' } as const;
export type QuotaEntityTypeName = (typeof QuotaEntityType)[keyof typeof QuotaEntityType];

export interface QuotaEntityPart {
  entityType: string;
  /** Null for the entity type's default. */
  entityName: string | null;
}

/** One entity and the quotas set on it (never empty: an entity whose last quota is removed is dropped). */
export interface ClientQuotaEntry {
  entity: QuotaEntityPart[];
  quotas: Record<string, number>;
}

export const QuotaKey = {
  PRODUCER_BYTE_RATE: 'producer_byte_rate',
  CONSUMER_BYTE_RATE: 'consumer_byte_rate',
  REQUEST_PERCENTAGE: 'request_percentage',
  CONTROLLER_MUTATION_RATE: 'controller_mutation_rate',
  CONNECTION_CREATION_RATE: 'connection_creation_rate',
} as const;
export type ClientQuotaKey = (typeof QuotaKey)[keyof typeof QuotaKey];

/** Whole numbers only (Kafka's LONG keys), or any positive number (DOUBLE). */
const KEY_TYPES: Record<ClientQuotaKey, 'long' | 'double'> = {
  producer_byte_rate: 'long',
  consumer_byte_rate: 'long',
  request_percentage: 'double',
  controller_mutation_rate: 'double',
  connection_creation_rate: 'long',
};

/** The keys each entity combination may carry (Kafka's QuotaConfigs.userConfigs / clientConfigs / ipConfigs). */
const USER_AND_CLIENT_KEYS: readonly ClientQuotaKey[] = ['producer_byte_rate', 'consumer_byte_rate', 'request_percentage', 'controller_mutation_rate'];
const IP_KEYS: readonly ClientQuotaKey[] = ['connection_creation_rate'];

/** The entity's parts in a fixed order, so one entity has one key whatever order a request names them in. */
export function canonicalEntity(entity: readonly QuotaEntityPart[]): QuotaEntityPart[] {
  return [...entity].sort((a, b) => (a.entityType < b.entityType ? -1 : a.entityType > b.entityType ? 1 : 0)).map((p) => ({ ...p }));
}

export function entityKey(entity: readonly QuotaEntityPart[]): string {
  return JSON.stringify(canonicalEntity(entity).map((p) => [p.entityType, p.entityName]));
}

/** How kafka-configs and Kafka's logs name an entity: `user alice, client-id <default>`. */
export function describeEntity(entity: readonly QuotaEntityPart[]): string {
  return canonicalEntity(entity)
    .map((p) => `${p.entityType} ${p.entityName ?? '<default>'}`)
    .join(', ');
}

/**
 * Why an entity cannot carry quotas (Kafka's ClientQuotaControlManager.validateEntity and
 * configKeysForEntityType), or the keys it may carry.
 */
export function entityKeys(entity: readonly QuotaEntityPart[]): { keys: readonly ClientQuotaKey[] } | { error: string } {
  if (entity.length === 0) return { error: 'Invalid empty client quota entity.' };
  const types = new Map<string, string | null>();
  for (const part of entity) {
    if (types.has(part.entityType)) return { error: `Invalid client quota entity: the entity type ${part.entityType} is named twice.` };
    if (part.entityType !== 'user' && part.entityType !== 'client-id' && part.entityType !== 'ip') {
      return { error: `Unhandled client quota entity type: ${part.entityType} (the types are user, client-id and ip).` };
    }
    if (part.entityName === '') return { error: `Empty ${part.entityType} not supported: name one, or use null for the default.` };
    types.set(part.entityType, part.entityName);
  }
  const hasIp = types.has('ip');
  if (hasIp && types.size > 1) return { error: 'Invalid client quota entity: an ip entity cannot be combined with user or client-id.' };
  if (hasIp) {
    const ip = types.get('ip');
    if (ip !== null && ip !== undefined && isIP(ip) === 0) return { error: `${ip} is not a valid IP address.` };
    return { keys: IP_KEYS };
  }
  return { keys: USER_AND_CLIENT_KEYS };
}

/** Why a quota value is refused for a key the entity may carry, or null (Kafka's validateQuotaKeyValue; values must be positive, as kafka-configs checks). */
export function quotaValueError(keys: readonly ClientQuotaKey[], key: string, value: number): string | null {
  if (!(keys as readonly string[]).includes(key)) {
    return `Invalid configuration key ${key} for this entity: it may carry ${keys.join(', ')}.`;
  }
  if (!Number.isFinite(value) || value <= 0) return `Configuration ${key} must be a positive number, got ${value}.`;
  if (KEY_TYPES[key as ClientQuotaKey] === 'long' && Math.abs(Math.round(value) - value) > 1e-6)
    return `Configuration ${key} must be a Long value, got ${value}.`;
  return null;
}

/** The entries with one key of one entity set (or removed with null); an entity left without quotas is dropped. */
export function withClientQuota(
  entries: readonly ClientQuotaEntry[],
  entity: readonly QuotaEntityPart[],
  key: string,
  value: number | null,
): ClientQuotaEntry[] {
  const wanted = entityKey(entity);
  const existing = entries.find((e) => entityKey(e.entity) === wanted);
  const quotas = Object.fromEntries(Object.entries(existing?.quotas ?? {}).filter(([k]) => k !== key));
  if (value !== null) quotas[key] = value;
  const others = entries.filter((e) => e !== existing);
  return Object.keys(quotas).length > 0 ? [...others, { entity: canonicalEntity(entity), quotas }] : others;
}
