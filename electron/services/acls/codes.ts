// The numbers Kafka's protocol gives ACL resource types, pattern types, operations and permissions
// (org.apache.kafka.common.resource.ResourceType, PatternType, acl.AclOperation, AclPermissionType),
// and the names shared/model/acls uses for them. Kept here, not taken from the broker: the app never
// loads broker code (test/kafka/import-boundaries).
import type { AclOperation, AclPatternType, AclPermission, AclResourceType } from '../../../shared/model/acls';

export const ANY = 1;
export const MATCH = 2;

export const RESOURCE_TYPE_CODES: Readonly<Record<AclResourceType, number>> = {
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
};
export const PATTERN_TYPE_CODES: Readonly<Record<AclPatternType, number>> = { LITERAL: 3, PREFIXED: 4 };
export const OPERATION_CODES: Readonly<Record<AclOperation, number>> = {
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
};
export const PERMISSION_CODES: Readonly<Record<AclPermission, number>> = { DENY: 2, ALLOW: 3 };

function inverse<K extends string>(codes: Readonly<Record<K, number>>): ReadonlyMap<number, K> {
  return new Map(Object.entries(codes).map(([name, code]) => [code as number, name as K]));
}

export const resourceTypeOf = inverse(RESOURCE_TYPE_CODES);
export const patternTypeOf = inverse(PATTERN_TYPE_CODES);
export const operationOf = inverse(OPERATION_CODES);
export const permissionOf = inverse(PERMISSION_CODES);

/** KIP-554's ScramMechanism codes. */
export const SCRAM_MECHANISM_CODES = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 } as const;
export const scramMechanismOf = inverse(SCRAM_MECHANISM_CODES);
