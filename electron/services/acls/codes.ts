// The names shared/model/acls gives ACL resource types, pattern types, operations, permissions and
// SCRAM mechanisms, mapped to their numbers in Kafka's protocol. The numbers themselves live once in
// the wire library (electron/kafka/protocol/acl-codes), which the broker uses too.
import type { AclOperation as AclOperationName, AclPatternType, AclPermission, AclResourceType, ScramMechanism } from '../../../shared/model/acls';
import { ACL_OPERATIONS, ACL_PATTERN_TYPES, ACL_PERMISSIONS, ACL_RESOURCE_TYPES, SCRAM_MECHANISMS } from '../../../shared/model/acls';
import { AclOperation, PatternType, PermissionType, ResourceType, ScramMechanismCode } from '../../kafka/protocol/acl-codes';

export const ANY = ResourceType.ANY;
export const MATCH = PatternType.MATCH;

/** The codes of the names the app uses (Kafka's tables also hold UNKNOWN and ANY, which are not names of an ACL). */
function codesOf<K extends string>(names: readonly K[], table: Readonly<Record<K, number>>): Readonly<Record<K, number>> {
  return Object.fromEntries(names.map((name) => [name, table[name]])) as Record<K, number>;
}

function inverse<K extends string>(codes: Readonly<Record<K, number>>): ReadonlyMap<number, K> {
  return new Map(Object.entries(codes).map(([name, code]) => [code as number, name as K]));
}

export const RESOURCE_TYPE_CODES = codesOf<AclResourceType>(ACL_RESOURCE_TYPES, ResourceType);
export const PATTERN_TYPE_CODES = codesOf<AclPatternType>(ACL_PATTERN_TYPES, PatternType);
export const OPERATION_CODES = codesOf<AclOperationName>(ACL_OPERATIONS, AclOperation);
export const PERMISSION_CODES = codesOf<AclPermission>(ACL_PERMISSIONS, PermissionType);
export const SCRAM_MECHANISM_CODES = codesOf<ScramMechanism>(SCRAM_MECHANISMS, ScramMechanismCode);

export const resourceTypeOf = inverse(RESOURCE_TYPE_CODES);
export const patternTypeOf = inverse(PATTERN_TYPE_CODES);
export const operationOf = inverse(OPERATION_CODES);
export const permissionOf = inverse(PERMISSION_CODES);
export const scramMechanismOf = inverse(SCRAM_MECHANISM_CODES);
