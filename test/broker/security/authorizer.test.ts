/**
 * The authorizer's decisions against Kafka's documented rules (AclAuthorizer / StandardAuthorizer):
 * super users, allow.everyone.if.no.acl.found, LITERAL/'*'/PREFIXED matching, DENY winning, the
 * implied operations, wildcard principal and host, authorizeByResourceType, and the ACL filters of
 * DescribeAcls/DeleteAcls. Pure decisions: the same rules are exercised through real clients in the
 * other security tests.
 */
import { describe, expect, it } from 'vitest';
import { AclOperation as Op, PatternType, PermissionType, ResourceType } from '../../../electron/kafka/protocol/acl-codes';
import { aclBindingError, filterMatches, type AclBinding } from '../../../electron/broker/security/acl';
import { Authorizer } from '../../../electron/broker/security/authorizer';

const alice = { principal: 'User:alice', host: '10.0.0.1' };

function acl(partial: Partial<AclBinding>): AclBinding {
  return {
    resourceType: ResourceType.TOPIC,
    resourceName: 'orders',
    patternType: PatternType.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation: Op.READ,
    permissionType: PermissionType.ALLOW,
    ...partial,
  };
}

function authorizer(acls: AclBinding[], settings: { superUsers?: string[]; allowEveryoneIfNoAclFound?: boolean } = {}): Authorizer {
  let version = 0;
  const source = {
    acls: () => acls,
    get version() {
      return version;
    },
  };
  const a = new Authorizer(source, { superUsers: settings.superUsers ?? [], allowEveryoneIfNoAclFound: settings.allowEveryoneIfNoAclFound ?? false });
  version++;
  return a;
}

describe('Authorizer', () => {
  it('lets super users do everything and applies allow.everyone.if.no.acl.found to resources no ACL matches', () => {
    expect(authorizer([], { superUsers: ['User:alice'] }).authorize(alice, Op.ALTER, ResourceType.CLUSTER, 'kafka-cluster')).toBe(true);
    expect(authorizer([]).authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(false);
    expect(authorizer([], { allowEveryoneIfNoAclFound: true }).authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(true);
    // An ACL for someone else on the resource: the resource has ACLs, so alice is refused even with allow.everyone.
    expect(authorizer([acl({ principal: 'User:bob' })], { allowEveryoneIfNoAclFound: true }).authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(
      false,
    );
  });

  it('matches LITERAL names, the * literal, and PREFIXED patterns', () => {
    const a = authorizer([
      acl({ resourceName: 'orders' }),
      acl({ resourceName: 'team-', patternType: PatternType.PREFIXED }),
      acl({ resourceType: ResourceType.GROUP, resourceName: '*' }),
    ]);
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(true);
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'orders2')).toBe(false);
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'team-x.events')).toBe(true);
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'team')).toBe(false);
    expect(a.authorize(alice, Op.READ, ResourceType.GROUP, 'anything')).toBe(true);
  });

  it('lets a DENY win over ALLOWs, including ALL and wildcard principals', () => {
    const a = authorizer([acl({ operation: Op.ALL }), acl({ operation: Op.READ, permissionType: PermissionType.DENY, principal: 'User:*' })]);
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(false);
    expect(a.authorize(alice, Op.WRITE, ResourceType.TOPIC, 'orders')).toBe(true);
    const denyAll = authorizer([
      acl({ operation: Op.WRITE }),
      acl({ resourceName: 'ord', patternType: PatternType.PREFIXED, operation: Op.ALL, permissionType: PermissionType.DENY }),
    ]);
    expect(denyAll.authorize(alice, Op.WRITE, ResourceType.TOPIC, 'orders')).toBe(false);
  });

  it('implies DESCRIBE from READ, WRITE, DELETE and ALTER, and DESCRIBE_CONFIGS from ALTER_CONFIGS, but not the reverse', () => {
    for (const operation of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER]) {
      expect(authorizer([acl({ operation })]).authorize(alice, Op.DESCRIBE, ResourceType.TOPIC, 'orders')).toBe(true);
    }
    expect(authorizer([acl({ operation: Op.CREATE })]).authorize(alice, Op.DESCRIBE, ResourceType.TOPIC, 'orders')).toBe(false);
    expect(authorizer([acl({ operation: Op.ALTER_CONFIGS })]).authorize(alice, Op.DESCRIBE_CONFIGS, ResourceType.TOPIC, 'orders')).toBe(true);
    expect(authorizer([acl({ operation: Op.DESCRIBE })]).authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(false);
    // A DENY of READ does not deny DESCRIBE implied by another ALLOW.
    expect(
      authorizer([acl({ operation: Op.WRITE }), acl({ operation: Op.READ, permissionType: PermissionType.DENY })]).authorize(
        alice,
        Op.DESCRIBE,
        ResourceType.TOPIC,
        'orders',
      ),
    ).toBe(true);
  });

  it('matches hosts exactly or by *', () => {
    expect(authorizer([acl({ host: '10.0.0.1' })]).authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(true);
    expect(authorizer([acl({ host: '10.0.0.2' })]).authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(false);
  });

  it('answers authorizeByResourceType (KIP-679) and authorized-operation bit fields', () => {
    const a = authorizer([acl({ operation: Op.WRITE })]);
    expect(a.authorizeAny(alice, Op.WRITE, ResourceType.TOPIC)).toBe(true);
    expect(a.authorizeAny({ principal: 'User:bob', host: '1.1.1.1' }, Op.WRITE, ResourceType.TOPIC)).toBe(false);
    expect(
      authorizer([acl({ operation: Op.WRITE }), acl({ resourceName: '*', operation: Op.WRITE, permissionType: PermissionType.DENY })]).authorizeAny(
        alice,
        Op.WRITE,
        ResourceType.TOPIC,
      ),
    ).toBe(false);
    expect(a.authorizedOperations(alice, ResourceType.TOPIC, 'orders')).toBe((1 << Op.WRITE) | (1 << Op.DESCRIBE));
  });

  it('sees ACL changes at once (the cache follows the source version)', () => {
    const acls: AclBinding[] = [];
    let version = 0;
    const a = new Authorizer(
      {
        acls: () => acls,
        get version() {
          return version;
        },
      },
      { superUsers: [], allowEveryoneIfNoAclFound: false },
    );
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(false);
    acls.push(acl({}));
    version++;
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(true);
  });
});

describe('ACL bindings and filters', () => {
  it('refuses bindings Kafka refuses', () => {
    expect(aclBindingError(acl({}))).toBeNull();
    expect(aclBindingError(acl({ patternType: PatternType.ANY }))).toMatch(/LITERAL/);
    expect(aclBindingError(acl({ resourceType: ResourceType.CLUSTER, resourceName: 'other' }))).toMatch(/kafka-cluster/);
    expect(aclBindingError(acl({ principal: 'alice' }))).toMatch(/Type:name/);
    expect(aclBindingError(acl({ operation: Op.CLUSTER_ACTION }))).toMatch(/does not apply/);
    expect(aclBindingError(acl({ resourceName: '*', patternType: PatternType.PREFIXED }))).toMatch(/PREFIXED/);
  });

  it('matches filters: ANY, MATCH (what applies to a name), exact', () => {
    const literal = acl({});
    const prefixed = acl({ resourceName: 'ord', patternType: PatternType.PREFIXED });
    const any = {
      resourceType: ResourceType.ANY,
      resourceName: null,
      patternType: PatternType.ANY,
      principal: null,
      host: null,
      operation: Op.ANY,
      permissionType: PermissionType.ANY,
    };
    expect(filterMatches(any, literal) && filterMatches(any, prefixed)).toBe(true);
    const match = { ...any, resourceName: 'orders', patternType: PatternType.MATCH };
    expect(filterMatches(match, literal) && filterMatches(match, prefixed)).toBe(true);
    const exact = { ...any, resourceName: 'orders', patternType: PatternType.LITERAL };
    expect([filterMatches(exact, literal), filterMatches(exact, prefixed)]).toEqual([true, false]);
    expect(filterMatches({ ...any, principal: 'User:bob' }, literal)).toBe(false);
  });
});
