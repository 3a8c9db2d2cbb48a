import { AclOperation, PatternType, PermissionType, ResourceType } from '../../kafka/protocol/acl-codes';
import { WILDCARD, WILDCARD_PRINCIPAL, SUPPORTED_OPERATIONS, type AclBinding } from './acl';

/** Where the authorizer reads ACLs: the controller's security metadata (version grows with each change). */
export interface AclSource {
  acls(): Iterable<AclBinding>;
  readonly version: number;
}

export interface AuthorizerSettings {
  superUsers: readonly string[];
  allowEveryoneIfNoAclFound: boolean;
}

/** An operation ALLOWed by one of these is allowed too (Kafka: DESCRIBE is implied by READ, WRITE, DELETE, ALTER; DESCRIBE_CONFIGS by ALTER_CONFIGS). */
const IMPLIED_BY: Record<number, readonly number[]> = {
  [AclOperation.DESCRIBE]: [AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER],
  [AclOperation.DESCRIBE_CONFIGS]: [AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS],
};

export interface Requester {
  principal: string;
  host: string;
}

/**
 * Kafka's ACL authorizer semantics (AclAuthorizer, StandardAuthorizer):
 * - super users may do everything;
 * - the ACLs of a resource are the LITERAL ones naming it or '*', and the PREFIXED ones its name starts with;
 * - a resource no ACL matches is open only with allow.everyone.if.no.acl.found;
 * - otherwise a DENY (of the principal or User:*, of the host or '*', of the operation or ALL) wins over
 *   any ALLOW, and an ALLOW of the operation, of ALL, or of an operation implying it is needed.
 */
export class Authorizer {
  #indexedVersion = -1;
  #byType = new Map<number, AclBinding[]>();
  readonly #source: AclSource;
  readonly #settings: AuthorizerSettings;

  constructor(source: AclSource, settings: AuthorizerSettings) {
    this.#source = source;
    this.#settings = settings;
  }

  #aclsOf(resourceType: number): AclBinding[] {
    if (this.#indexedVersion !== this.#source.version) {
      this.#byType = new Map();
      for (const acl of this.#source.acls()) {
        let list = this.#byType.get(acl.resourceType);
        if (!list) this.#byType.set(acl.resourceType, (list = []));
        list.push(acl);
      }
      this.#indexedVersion = this.#source.version;
    }
    return this.#byType.get(resourceType) ?? [];
  }

  isSuperUser(principal: string): boolean {
    return this.#settings.superUsers.includes(principal);
  }

  authorize(who: Requester, operation: number, resourceType: number, resourceName: string): boolean {
    if (this.isSuperUser(who.principal)) return true;
    const matching = this.#aclsOf(resourceType).filter((acl) => resourceMatches(acl, resourceName));
    if (matching.length === 0) return this.#settings.allowEveryoneIfNoAclFound;
    const mine = matching.filter((acl) => appliesTo(acl, who));
    if (mine.some((acl) => acl.permissionType === PermissionType.DENY && (acl.operation === operation || acl.operation === AclOperation.ALL))) return false;
    const granting = IMPLIED_BY[operation] ?? [operation];
    return mine.some((acl) => acl.permissionType === PermissionType.ALLOW && (acl.operation === AclOperation.ALL || granting.includes(acl.operation)));
  }

  /**
   * Whether the principal may do `operation` on at least one resource of the type (Kafka's
   * authorizeByResourceType, KIP-679: an idempotent producer needs WRITE on some topic): an ALLOW not
   * covered by a DENY of every name ('*' literal).
   */
  authorizeAny(who: Requester, operation: number, resourceType: number): boolean {
    if (this.isSuperUser(who.principal)) return true;
    const acls = this.#aclsOf(resourceType);
    if (acls.length === 0) return this.#settings.allowEveryoneIfNoAclFound;
    const mine = acls.filter((acl) => appliesTo(acl, who));
    const opMatches = (acl: AclBinding) => acl.operation === operation || acl.operation === AclOperation.ALL;
    if (
      mine.some(
        (acl) => acl.permissionType === PermissionType.DENY && opMatches(acl) && acl.patternType === PatternType.LITERAL && acl.resourceName === WILDCARD,
      )
    )
      return false;
    const granting = IMPLIED_BY[operation] ?? [operation];
    return mine.some((acl) => acl.permissionType === PermissionType.ALLOW && (acl.operation === AclOperation.ALL || granting.includes(acl.operation)));
  }

  /** The operations allowed on a resource, as the bit field Metadata and DescribeCluster report (bit n = operation n). */
  authorizedOperations(who: Requester, resourceType: number, resourceName: string): number {
    let bits = 0;
    for (const operation of SUPPORTED_OPERATIONS[resourceType] ?? []) {
      if (this.authorize(who, operation, resourceType, resourceName)) bits |= 1 << operation;
    }
    return bits;
  }
}

function resourceMatches(acl: AclBinding, name: string): boolean {
  if (acl.patternType === PatternType.LITERAL) return acl.resourceName === name || acl.resourceName === WILDCARD;
  return acl.patternType === PatternType.PREFIXED && name.startsWith(acl.resourceName);
}

function appliesTo(acl: AclBinding, who: Requester): boolean {
  return (acl.principal === who.principal || acl.principal === WILDCARD_PRINCIPAL) && (acl.host === who.host || acl.host === WILDCARD);
}

export { ResourceType, AclOperation };
