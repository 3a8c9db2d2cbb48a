/**
 * Kafka's ACL model (KIP-11, KIP-290 for prefixed patterns), on the numbers its protocol uses
 * (electron/kafka/protocol/acl-codes, shared with the app's ACL service).
 */
import { AclOperation, PatternType, PermissionType, ResourceType, type ResourceTypeCode } from '../../kafka/protocol/acl-codes';

/** The resource name of the CLUSTER resource; the wildcard of LITERAL ACLs and of principals/hosts. */
export const CLUSTER_NAME = 'kafka-cluster';
export const WILDCARD = '*';
export const WILDCARD_PRINCIPAL = 'User:*';

/** One ACL: who (principal, host) may or may not (permission) do what (operation) to which resources (pattern). */
export interface AclBinding {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/** A filter as DescribeAcls and DeleteAcls carry it: null fields and ANY match everything. */
export interface AclFilter {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
}

/** The operations each resource type has (Kafka's ResourceType / AclEntry.supportedOperations). */
export const SUPPORTED_OPERATIONS: Record<number, readonly number[]> = {
  [ResourceType.TOPIC]: [
    AclOperation.READ,
    AclOperation.WRITE,
    AclOperation.CREATE,
    AclOperation.DESCRIBE,
    AclOperation.DELETE,
    AclOperation.ALTER,
    AclOperation.DESCRIBE_CONFIGS,
    AclOperation.ALTER_CONFIGS,
  ],
  [ResourceType.GROUP]: [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE],
  [ResourceType.CLUSTER]: [
    AclOperation.CREATE,
    AclOperation.CLUSTER_ACTION,
    AclOperation.DESCRIBE_CONFIGS,
    AclOperation.ALTER_CONFIGS,
    AclOperation.IDEMPOTENT_WRITE,
    AclOperation.ALTER,
    AclOperation.DESCRIBE,
  ],
  [ResourceType.TRANSACTIONAL_ID]: [AclOperation.DESCRIBE, AclOperation.WRITE],
  [ResourceType.DELEGATION_TOKEN]: [AclOperation.DESCRIBE],
  [ResourceType.USER]: [AclOperation.CREATE_TOKENS, AclOperation.DESCRIBE_TOKENS],
};

/** A stable key of a binding: two equal bindings are one ACL. */
export function aclKey(acl: AclBinding): string {
  return JSON.stringify([acl.resourceType, acl.resourceName, acl.patternType, acl.principal, acl.host, acl.operation, acl.permissionType]);
}

/** Why a binding cannot be created (CreateAcls' INVALID_REQUEST cases), or null. */
export function aclBindingError(acl: AclBinding): string | null {
  if (!Object.values(ResourceType).includes(acl.resourceType as ResourceTypeCode) || acl.resourceType <= ResourceType.ANY)
    return `invalid resource type ${acl.resourceType}`;
  if (acl.patternType !== PatternType.LITERAL && acl.patternType !== PatternType.PREFIXED)
    return `pattern type must be LITERAL (3) or PREFIXED (4), got ${acl.patternType}`;
  if (acl.resourceName === '') return 'resource name must not be empty';
  if (acl.resourceType === ResourceType.CLUSTER && (acl.resourceName !== CLUSTER_NAME || acl.patternType !== PatternType.LITERAL)) {
    return `the CLUSTER resource is LITERAL '${CLUSTER_NAME}'`;
  }
  if (acl.patternType === PatternType.PREFIXED && acl.resourceName === WILDCARD) return "a PREFIXED pattern cannot be '*' (use LITERAL '*')";
  if (!/^[^:]+:.+$/.test(acl.principal)) return `principal '${acl.principal}' is not Type:name`;
  if (acl.host === '') return "host must not be empty ('*' for every host)";
  if (acl.permissionType !== PermissionType.ALLOW && acl.permissionType !== PermissionType.DENY)
    return `permission type must be ALLOW (3) or DENY (2), got ${acl.permissionType}`;
  if (acl.operation !== AclOperation.ALL && !(SUPPORTED_OPERATIONS[acl.resourceType] ?? []).includes(acl.operation)) {
    return `operation ${acl.operation} does not apply to resource type ${acl.resourceType}`;
  }
  return null;
}

/** Whether a binding matches a filter (DescribeAcls/DeleteAcls; Kafka's AclBindingFilter.matches). */
export function filterMatches(filter: AclFilter, acl: AclBinding): boolean {
  if (filter.resourceType !== ResourceType.ANY && filter.resourceType !== acl.resourceType) return false;
  if (filter.operation !== AclOperation.ANY && filter.operation !== acl.operation) return false;
  if (filter.permissionType !== PermissionType.ANY && filter.permissionType !== acl.permissionType) return false;
  if (filter.principal !== null && filter.principal !== acl.principal) return false;
  if (filter.host !== null && filter.host !== acl.host) return false;
  switch (filter.patternType) {
    case PatternType.ANY:
      return filter.resourceName === null || filter.resourceName === acl.resourceName;
    case PatternType.MATCH:
      // The ACLs that would apply to a resource of that name: literal equal or '*', or a matching prefix.
      if (filter.resourceName === null) return true;
      if (acl.patternType === PatternType.LITERAL) return acl.resourceName === filter.resourceName || acl.resourceName === WILDCARD;
      return acl.patternType === PatternType.PREFIXED && filter.resourceName.startsWith(acl.resourceName);
    default:
      return filter.patternType === acl.patternType && (filter.resourceName === null || filter.resourceName === acl.resourceName);
  }
}

/** Why a filter is invalid (DescribeAcls/DeleteAcls answer INVALID_REQUEST), or null. */
export function aclFilterError(filter: AclFilter): string | null {
  if (filter.resourceType === ResourceType.UNKNOWN || !Object.values(ResourceType).includes(filter.resourceType as ResourceTypeCode))
    return `invalid resource type filter ${filter.resourceType}`;
  if (filter.patternType === PatternType.UNKNOWN || !Object.values(PatternType).includes(filter.patternType as 0))
    return `invalid pattern type filter ${filter.patternType}`;
  if (filter.operation === AclOperation.UNKNOWN || filter.operation > AclOperation.DESCRIBE_TOKENS || filter.operation < 0)
    return `invalid operation filter ${filter.operation}`;
  if (filter.permissionType === PermissionType.UNKNOWN || filter.permissionType > PermissionType.ALLOW || filter.permissionType < 0)
    return `invalid permission type filter ${filter.permissionType}`;
  return null;
}
