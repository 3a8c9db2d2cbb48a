/**
 * The numbers Kafka's protocol gives the ACL model (KIP-11, KIP-290 for prefixed patterns) and SCRAM
 * mechanisms (KIP-554): org.apache.kafka.common.resource.ResourceType and PatternType,
 * acl.AclOperation and AclPermissionType, and clients.admin.ScramMechanism. One table for the
 * broker's authorizer and handlers and for the app's ACL and user services alike.
 */
export const ResourceType = { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 } as const;
export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
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
} as const;
export const PermissionType = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;
export const ScramMechanismCode = { UNKNOWN: 0, 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 } as const;

export type ResourceTypeCode = (typeof ResourceType)[keyof typeof ResourceType];
export type OperationCode = (typeof AclOperation)[keyof typeof AclOperation];
