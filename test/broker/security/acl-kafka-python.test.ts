/**
 * The authorizer against kafka-python 2.0 (SCRAM-SHA-256 over TLS, its ACL admin calls): a user with no
 * ACL is refused (TopicAuthorizationFailed), allowed once the super user created an ACL with
 * create_acls, which describe_acls lists; refused again after delete_acls. A DENY wins over an ALLOW;
 * a PREFIXED ACL covers the names it starts. ACLs and SCRAM users survive a restart.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON, run, topicName } from '../clients/helpers';
import { kcatSecurity, runKcat, startSecuredCluster, type SecuredCluster } from './helpers';

const SCRIPT = fileURLToPath(new URL('./python/secured_client.py', import.meta.url));

let t: SecuredCluster;

beforeAll(async () => {
  t = await startSecuredCluster({ protocol: 'SASL_SSL', acl: true });
}, 60_000);

afterAll(async () => {
  await t.close();
});

interface Outcome {
  ok: boolean;
  error?: string;
  message?: string;
  offset?: number;
  values?: string[];
  acls?: string[][];
  deleted?: number;
  created?: number;
}

async function python(user: string, action: string, ...args: string[]): Promise<Outcome> {
  const password = `${user}-secret`;
  const result = await run(PYTHON, [SCRIPT, t.bootstrap, t.caLocation, user, password, action, ...args], { timeoutMs: 60_000 });
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  if (!last.startsWith('{')) throw new Error(`kafka-python ${action} printed no result (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  return JSON.parse(last) as Outcome;
}

describe('the authorizer with kafka-python', () => {
  it('refuses alice without an ACL, allows her after create_acls, refuses her again after delete_acls', async () => {
    const topic = topicName('acl-python');
    expect(await python('admin', 'create-topic', topic)).toEqual({ ok: true });
    // kafka-python waits for metadata of a topic it may not DESCRIBE until max_block_ms; what the broker
    // answered shows in kcat's metadata listing of the same user.
    const refused = await python('alice', 'produce', topic, 'first');
    expect(refused.ok).toBe(false);
    expect(['TopicAuthorizationFailedError', 'KafkaTimeoutError']).toContain(refused.error);
    const listed = await runKcat(t.bootstrap, [...kcatSecurity(t, 'SCRAM-SHA-256', 'alice', 'alice-secret'), '-L', '-t', topic, '-m', '10'], {
      timeoutMs: 30_000,
    });
    expect(listed.stdout).toContain('Broker: Topic authorization failed');

    const created = await python('admin', 'create-acl', topic, 'User:alice', 'WRITE', 'ALLOW');
    expect(created).toEqual({ ok: true, created: 1, failed: [] });
    expect((await python('admin', 'describe-acls', 'User:alice')).acls).toEqual([[topic, 'WRITE', 'ALLOW', 'LITERAL']]);
    // Alice may not read ACLs (DESCRIBE on the cluster).
    expect((await python('alice', 'describe-acls', 'User:alice')).ok).toBe(false);

    const produced = await python('alice', 'produce', topic, 'second');
    expect(produced).toEqual({ ok: true, offset: 0 });

    expect(await python('admin', 'delete-acls', topic, 'User:alice')).toEqual({ ok: true, deleted: 1 });
    // WRITE implied DESCRIBE; with the ACL gone the topic is hidden from her again.
    const again = await python('alice', 'produce', topic, 'third');
    expect(['TopicAuthorizationFailedError', 'KafkaTimeoutError']).toContain(again.error);
    expect(t.errors).toEqual([]);
  });

  it('lets a DENY win over an ALLOW, and a PREFIXED ACL cover the names it starts', async () => {
    const prefix = topicName('team-a');
    const topic = `${prefix}.orders`;
    expect(await python('admin', 'create-topic', topic)).toEqual({ ok: true });
    expect((await python('admin', 'create-acl', prefix, 'User:bob', 'ALL', 'ALLOW', 'PREFIXED')).ok).toBe(true);
    expect(await python('bob', 'produce', topic, 'v1')).toEqual({ ok: true, offset: 0 });
    expect((await python('bob', 'consume', topic, `${prefix}-group`)).error).toBe('GroupAuthorizationFailedError');
    expect((await python('admin', 'create-acl', topic, 'User:bob', 'WRITE', 'DENY')).ok).toBe(true);
    expect((await python('bob', 'produce', topic, 'v2')).error).toBe('TopicAuthorizationFailedError');
  });

  it('keeps ACLs and SCRAM users across a restart of the cluster', async () => {
    const topic = topicName('acl-restart');
    expect(await python('admin', 'create-topic', topic)).toEqual({ ok: true });
    expect((await python('admin', 'create-acl', topic, 'User:alice', 'WRITE', 'ALLOW')).ok).toBe(true);
    const dataDir = t.dataDir;
    await t.cluster.close();
    t = await startSecuredCluster({ protocol: 'SASL_SSL', acl: true, dataDir });
    expect(await python('alice', 'produce', topic, 'after-restart')).toEqual({ ok: true, offset: 0 });
    expect((await python('admin', 'describe-acls', 'User:alice')).acls).toContainEqual([topic, 'WRITE', 'ALLOW', 'LITERAL']);
  });
});
