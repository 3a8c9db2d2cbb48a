/**
 * The ACL service (#15) against a real ACL-enabled embedded cluster (SASL_SSL, admin a super user,
 * allow.everyone.if.no.acl.found=false), through the IPC registry as the renderer calls it, over a
 * saved connection with SCRAM-SHA-512 and the cluster's CA. kcat, as alice and bob, shows what the
 * ACLs do: refused without one, allowed once created, refused again once deleted. A connection as a
 * user without rights and a cluster without an authorizer get words that say which.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicName } from '../broker/clients/helpers';
import { kcatSecurity, runKcat, startSecuredCluster, type SecuredCluster } from '../broker/security/helpers';
import { startCore, type TestCore } from './helpers';

let secured: SecuredCluster;
let open: SecuredCluster;
let app: TestCore;
let adminId: string;
let aliceId: string;

async function connect(name: string, user: string, password: string, cluster: SecuredCluster): Promise<string> {
  const tls = cluster.cluster.security.settings.tls;
  const saved = await app.ok('connections.save', {
    name,
    bootstrapServers: cluster.bootstrap,
    sasl: cluster.cluster.security.settings.sasl ? { mechanism: 'SCRAM-SHA-512', username: user, password } : null,
    tls: tls ? { enabled: true, caFile: cluster.caLocation, rejectUnauthorized: true } : { enabled: false, rejectUnauthorized: true },
  });
  return saved.id;
}

/** kcat as `user` produces one record; the outcome says whether the broker took it. */
async function produceAs(user: string, topic: string): Promise<{ ok: boolean; stderr: string }> {
  const result = await runKcat(
    secured.bootstrap,
    [...kcatSecurity(secured, 'SCRAM-SHA-512', user, `${user}-secret`), '-X', 'message.timeout.ms=8000', '-P', '-t', topic],
    { input: 'record\n', timeoutMs: 30_000 },
  );
  return { ok: result.code === 0 && !/error|fail/i.test(result.stderr), stderr: result.stderr };
}

beforeAll(async () => {
  secured = await startSecuredCluster({ protocol: 'SASL_SSL', acl: true });
  open = await startSecuredCluster({ protocol: 'PLAINTEXT' });
  app = await startCore({ brokers: 0 });
  adminId = await connect('secured as admin', 'admin', 'admin-secret', secured);
  aliceId = await connect('secured as alice', 'alice', 'alice-secret', secured);
}, 90_000);

afterAll(async () => {
  await app?.close();
  await secured?.close();
  await open?.close();
});

describe('ACLs through the app', () => {
  it('creates an ACL that lets alice write, previews what it grants, deletes it and she is refused again', async () => {
    const topic = topicName('acl-app');
    await app.ok('topics.create', { connectionId: adminId, topic, partitions: 1, replicationFactor: 1 });
    const refused = await produceAs('alice', topic);
    expect(refused.ok).toBe(false);
    expect(refused.stderr).toContain('Topic authorization failed');

    const acl = {
      resourceType: 'TOPIC',
      resourceName: topic,
      patternType: 'LITERAL',
      principal: 'User:alice',
      operation: 'WRITE',
      permission: 'ALLOW',
    } as const;
    const preview = await app.ok('acls.preview', { connectionId: adminId, acl });
    expect(preview.operations).toEqual([
      { operation: 'WRITE', impliedBy: null },
      { operation: 'DESCRIBE', impliedBy: 'WRITE' },
    ]);
    expect(preview.summary).toBe(`Allows User:alice to WRITE (and so DESCRIBE) on the topic "${topic}" from any host.`);
    expect(preview.existingMatches).toEqual([topic]);
    expect(preview.alreadyExists).toBe(false);

    expect(await app.ok('acls.create', { connectionId: adminId, acl })).toEqual({ ...acl, host: '*' });
    const listed = await app.ok('acls.list', { connectionId: adminId, filter: { principal: 'User:alice' } });
    expect(listed.acls).toEqual([{ ...acl, host: '*' }]);
    expect(listed.connectedAs).toBe('User:admin');
    expect((await app.ok('acls.preview', { connectionId: adminId, acl })).alreadyExists).toBe(true);

    expect(await produceAs('alice', topic)).toMatchObject({ ok: true });

    expect(await app.ok('acls.delete', { connectionId: adminId, acl: { ...acl, host: '*' } })).toEqual({ deleted: 1 });
    expect((await produceAs('alice', topic)).ok).toBe(false);
    expect((await app.ok('acls.list', { connectionId: adminId, filter: { principal: 'User:alice' } })).acls).toEqual([]);
    const again = await app.call('acls.delete', { connectionId: adminId, acl: { ...acl, host: '*' } });
    expect(again).toMatchObject({ ok: false, error: { kind: 'not-found' } });
  }, 120_000);

  it("a PREFIXED ACL reaches the topics its prefix starts, now and later; a topic's MATCH lists literal, prefixed and wildcard ACLs", async () => {
    const prefix = topicName('team');
    const first = `${prefix}.orders`;
    const other = topicName('elsewhere');
    for (const topic of [first, other]) await app.ok('topics.create', { connectionId: adminId, topic, partitions: 1, replicationFactor: 1 });
    const acl = {
      resourceType: 'TOPIC',
      resourceName: prefix,
      patternType: 'PREFIXED',
      principal: 'User:bob',
      operation: 'WRITE',
      permission: 'ALLOW',
    } as const;
    const preview = await app.ok('acls.preview', { connectionId: adminId, acl });
    expect(preview.existingMatches).toEqual([first]);
    expect(preview.summary).toContain(`every topic whose name starts with "${prefix}"`);
    expect(preview.notes.join(' ')).toContain('created later');
    await app.ok('acls.create', { connectionId: adminId, acl });
    const later = `${prefix}.payments`;
    await app.ok('topics.create', { connectionId: adminId, topic: later, partitions: 1, replicationFactor: 1 });
    expect((await produceAs('bob', later)).ok).toBe(true);
    expect((await produceAs('bob', other)).ok).toBe(false);

    const wildcard = {
      resourceType: 'TOPIC',
      resourceName: '*',
      patternType: 'LITERAL',
      principal: 'User:*',
      operation: 'DESCRIBE',
      permission: 'ALLOW',
    } as const;
    const literal = {
      resourceType: 'TOPIC',
      resourceName: later,
      patternType: 'LITERAL',
      principal: 'User:alice',
      operation: 'READ',
      permission: 'DENY',
    } as const;
    await app.ok('acls.create', { connectionId: adminId, acl: wildcard });
    await app.ok('acls.create', { connectionId: adminId, acl: literal });
    const denyPreview = await app.ok('acls.preview', { connectionId: adminId, acl: literal });
    // A DENY decides only its own operation; it wins over ALLOWs.
    expect(denyPreview.operations).toEqual([{ operation: 'READ', impliedBy: null }]);
    expect(denyPreview.notes.join(' ')).toContain('DENY wins');
    const access = await app.ok('acls.list', { connectionId: adminId, filter: { resourceType: 'TOPIC', resourceName: later, patternType: 'MATCH' } });
    expect(access.acls.map((entry) => `${entry.patternType} ${entry.resourceName} ${entry.principal} ${entry.permission} ${entry.operation}`).sort()).toEqual(
      [`LITERAL * User:* ALLOW DESCRIBE`, `LITERAL ${later} User:alice DENY READ`, `PREFIXED ${prefix} User:bob ALLOW WRITE`].sort(),
    );
    const elsewhere = await app.ok('acls.list', { connectionId: adminId, filter: { resourceType: 'TOPIC', resourceName: other, patternType: 'MATCH' } });
    expect(elsewhere.acls.map((entry) => entry.resourceName)).toEqual(['*']);
    await app.ok('acls.delete', { connectionId: adminId, acl: { ...wildcard, host: '*' } });
  }, 120_000);

  it('refuses bindings Kafka would refuse, before sending them, with the field and why', async () => {
    const base = {
      resourceType: 'TOPIC',
      resourceName: 'orders',
      patternType: 'LITERAL',
      principal: 'User:alice',
      operation: 'WRITE',
      permission: 'ALLOW',
    } as const;
    const cases = [
      [{ ...base, resourceType: 'CLUSTER', resourceName: 'kafka-cluster', operation: 'READ' }, 'acl.operation', 'READ does not apply to a CLUSTER resource'],
      [
        { ...base, resourceType: 'CLUSTER', resourceName: 'my-cluster', operation: 'ALTER' },
        'acl.resourceName',
        'The cluster resource is named "kafka-cluster"',
      ],
      [{ ...base, principal: 'alice' }, 'acl.principal', 'A principal is Type:name'],
      [{ ...base, patternType: 'PREFIXED', resourceName: '*' }, 'acl.resourceName', "A PREFIXED pattern cannot be '*'"],
      [{ ...base, host: 'laptop.example.com' }, 'acl.host', "A host is '*' (every host) or an IP address"],
      [{ ...base, resourceName: '' }, 'acl.resourceName', 'Enter a resource name.'],
    ] as const;
    for (const [acl, path, words] of cases) {
      // The types allow each (they are valid enum values); the main process checks the rest.
      const result = await app.call('acls.create', { connectionId: adminId, acl });
      expect(result.ok, JSON.stringify(acl)).toBe(false);
      if (result.ok) continue;
      expect(result.error.kind).toBe('invalid-request');
      expect(result.error.issues?.map((issue) => issue.path)).toContain(path);
      expect(result.error.message).toContain(words);
    }
    expect((await app.ok('acls.list', { connectionId: adminId, filter: { resourceName: 'orders' } })).acls).toEqual([]);
  });

  it('says which right a user lacks (DESCRIBE to list, ALTER to change), and that a cluster without an authorizer has no ACLs', async () => {
    const listed = await app.call('acls.list', { connectionId: aliceId, filter: {} });
    expect(listed).toMatchObject({ ok: false, error: { kind: 'kafka', kafkaCode: 'CLUSTER_AUTHORIZATION_FAILED' } });
    if (!listed.ok) expect(listed.error.message).toContain('User:alice may not list ACLs: that needs DESCRIBE on the cluster resource');
    const acl = { resourceType: 'TOPIC', resourceName: 'x', patternType: 'LITERAL', principal: 'User:alice', operation: 'ALL', permission: 'ALLOW' } as const;
    const created = await app.call('acls.create', { connectionId: aliceId, acl });
    expect(created).toMatchObject({ ok: false, error: { kafkaCode: 'CLUSTER_AUTHORIZATION_FAILED' } });
    if (!created.ok) expect(created.error.message).toContain('User:alice may not create ACLs: that needs ALTER on the cluster resource');
    // She gave herself nothing.
    expect((await app.ok('acls.list', { connectionId: adminId, filter: { resourceName: 'x' } })).acls).toEqual([]);

    const openId = await connect('no authorizer', '', '', open);
    const disabled = await app.call('acls.list', { connectionId: openId, filter: {} });
    expect(disabled).toMatchObject({ ok: false, error: { kind: 'kafka', kafkaCode: 'SECURITY_DISABLED' } });
    if (!disabled.ok) expect(disabled.error.message).toContain('This cluster has no authorizer');
  }, 60_000);
});
