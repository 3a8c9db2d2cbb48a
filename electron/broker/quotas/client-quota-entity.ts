import { isIP } from 'node:net';
import { KAFKA_RELEASE_IDS, type KafkaReleaseId } from '../../kafka/releases';

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

/**
 * What the release played takes (read at apache/kafka's tags, AdminManager / ZkAdminManager and
 * DynamicConfig): AlterClientQuotas came in 2.6 with producer_byte_rate, consumer_byte_rate and
 * request_percentage; controller_mutation_rate in 2.7 (KIP-599); ip entities and their
 * connection_creation_rate in 2.8 (KIP-612's per-IP part, KAFKA-10024: ClientQuotaEntity.IP).
 */
export interface ClientQuotaRules {
  /** The keys a user or client-id entity may carry. */
  userKeys: readonly ClientQuotaKey[];
  /** Whether the ip entity type exists. */
  ipEntities: boolean;
}

export function clientQuotaRules(release: KafkaReleaseId | null): ClientQuotaRules {
  const before = (id: KafkaReleaseId) => release !== null && KAFKA_RELEASE_IDS.indexOf(release) < KAFKA_RELEASE_IDS.indexOf(id);
  return {
    userKeys: before('2.7') ? USER_AND_CLIENT_KEYS.filter((key) => key !== 'controller_mutation_rate') : USER_AND_CLIENT_KEYS,
    ipEntities: !before('2.8'),
  };
}

const NEWEST_RULES = clientQuotaRules(null);

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
 * Why an entity cannot carry quotas, in the words of Kafka's controller (ClientQuotaControlManager
 * .validateEntity and configKeysForEntityType, INVALID_REQUEST), or the keys it may carry. Before 2.8
 * an ip entity is an unknown type, as AdminManager answered it.
 */
export function entityKeys(
  entity: readonly QuotaEntityPart[],
  rules: ClientQuotaRules = NEWEST_RULES,
): { keys: readonly ClientQuotaKey[] } | { error: string } {
  if (entity.length === 0) return { error: 'Invalid empty client quota entity' };
  const types = new Map<string, string | null>();
  for (const part of entity) {
    if (types.has(part.entityType)) return { error: `Invalid client quota entity, duplicate entity entry ${part.entityType}` };
    const known = part.entityType === 'user' || part.entityType === 'client-id' || (part.entityType === 'ip' && rules.ipEntities);
    if (!known) return { error: `Unhandled client quota entity type: ${part.entityType}` };
    if (part.entityName === '') return { error: `Empty ${part.entityType} not supported` };
    types.set(part.entityType, part.entityName);
  }
  const hasIp = types.has('ip');
  // Kafka's text as it is, "shouldnot" included.
  if (hasIp && types.size > 1) return { error: 'Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId' };
  if (hasIp) {
    const ip = types.get('ip');
    // Kafka also takes a host name it can resolve (InetAddress.getByName); the embedded broker takes IP addresses only.
    if (ip !== null && ip !== undefined && isIP(ip) === 0) return { error: `${ip} is not a valid IP or resolvable host.` };
    return { keys: IP_KEYS };
  }
  return { keys: rules.userKeys };
}

/** Why a quota value is refused, in the words of Kafka's controller (ClientQuotaControlManager.validateQuotaKeyValue), or null. */
export function quotaValueError(keys: readonly ClientQuotaKey[], key: string, value: number): string | null {
  if (!(keys as readonly string[]).includes(key)) return `Invalid configuration key ${key}`;
  if (value <= 0) return `Quota ${key} must be greater than 0`;
  // Kafka takes any double here; a NaN or infinite quota would make every rate check meaningless.
  if (!Number.isFinite(value)) return `Quota ${key} must be a finite number, got ${value}`;
  if (KEY_TYPES[key as ClientQuotaKey] === 'long') {
    if (value > 2 ** 63 - 1) return `Proposed value for ${key} is too large for a LONG.`;
    if (Math.abs(value % 1) > 1e-6) return `${key} cannot be a fractional value.`;
  }
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
