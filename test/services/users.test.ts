/**
 * The SCRAM user service (#15, KIP-554) against a real ACL-enabled embedded cluster (SASL_SSL), through
 * the IPC registry, connected as the super user with SCRAM-SHA-512. Whether a user can log in is asked
 * of real clients: kcat (librdkafka, both SCRAM mechanisms) and kafkajs (SCRAM-SHA-256). A new user
 * authenticates; after a password change the old password fails and the new one works; after delete
 * nothing does. A user without rights is told which one it lacks.
 */
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saltedCredential } from '../../electron/services/users/service';
import { kcatSecurity, runKcat, startSecuredCluster, type SecuredCluster } from '../broker/security/helpers';
import { startCore, type TestCore } from './helpers';

let secured: SecuredCluster;
let app: TestCore;
let adminId: string;
let aliceId: string;

async function connect(name: string, user: string, password: string): Promise<string> {
  const saved = await app.ok('connections.save', {
    name,
    bootstrapServers: secured.bootstrap,
    sasl: { mechanism: 'SCRAM-SHA-512', username: user, password },
    tls: { enabled: true, caFile: secured.caLocation, rejectUnauthorized: true },
  });
  return saved.id;
}

/** Whether kcat authenticates as `user` with `mechanism` (a metadata request answers). */
async function kcatLogsIn(mechanism: string, user: string, password: string): Promise<boolean> {
  const result = await runKcat(secured.bootstrap, [...kcatSecurity(secured, mechanism, user, password), '-L', '-m', '5'], { timeoutMs: 30_000 });
  if (result.code !== 0 && !result.stderr.includes('Invalid user credentials') && !result.stderr.includes('Authentication failed')) {
    throw new Error(`kcat failed for another reason than the credentials:\n${result.stderr}`);
  }
  return result.code === 0;
}

/** Whether kafkajs authenticates as `user` with SCRAM-SHA-256 (its admin describes the cluster). */
async function kafkajsLogsIn(user: string, password: string): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'kd-users-test',
    brokers: [secured.bootstrap],
    ssl: { ca: [readFileSync(secured.caLocation)] },
    sasl: { mechanism: 'scram-sha-256', username: user, password },
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } catch (error) {
    if (!/SASL|authenticat/i.test(String(error))) throw error;
    return false;
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  secured = await startSecuredCluster({ protocol: 'SASL_SSL', acl: true });
  app = await startCore({ brokers: 0 });
  adminId = await connect('secured as admin', 'admin', 'admin-secret');
  aliceId = await connect('secured as alice', 'alice', 'alice-secret');
}, 90_000);

afterAll(async () => {
  await app?.close();
  await secured?.close();
});

describe('SCRAM users through the app', () => {
  it('lists the users with their mechanisms and iterations', async () => {
    const listed = await app.ok('users.list', { connectionId: adminId });
    expect(listed.connectedAs).toBe('User:admin');
    expect(listed.users.map((user) => user.name)).toEqual(['admin', 'alice', 'bob']);
    expect(listed.users[1]?.credentials.map((credential) => credential.mechanism).sort()).toEqual(['SCRAM-SHA-256', 'SCRAM-SHA-512']);
  });

  it('creates a user who can log in, changes the password so the old one fails, deletes the user so nothing works', async () => {
    expect(await kcatLogsIn('SCRAM-SHA-512', 'carol', 'first-password')).toBe(false);
    const created = await app.ok('users.create', { connectionId: adminId, user: 'carol', password: 'first-password', iterations: 4096 });
    expect(created).toEqual({
      name: 'carol',
      credentials: [
        { mechanism: 'SCRAM-SHA-256', iterations: 4096 },
        { mechanism: 'SCRAM-SHA-512', iterations: 4096 },
      ],
    });
    expect((await app.ok('users.list', { connectionId: adminId })).users).toContainEqual(created);
    expect(await kcatLogsIn('SCRAM-SHA-512', 'carol', 'first-password')).toBe(true);
    expect(await kcatLogsIn('SCRAM-SHA-256', 'carol', 'first-password')).toBe(true);
    expect(await kafkajsLogsIn('carol', 'first-password')).toBe(true);
    expect(await kcatLogsIn('SCRAM-SHA-512', 'carol', 'wrong-password')).toBe(false);

    const again = await app.call('users.create', { connectionId: adminId, user: 'carol', password: 'other' });
    expect(again).toMatchObject({ ok: false, error: { kind: 'conflict' } });
    expect(await kcatLogsIn('SCRAM-SHA-512', 'carol', 'first-password')).toBe(true);

    // Only SCRAM-SHA-512 now: the SHA-256 credential with the old password is removed too.
    const changed = await app.ok('users.changePassword', { connectionId: adminId, user: 'carol', password: 'second-pässword', mechanisms: ['SCRAM-SHA-512'] });
    expect(changed.credentials).toEqual([{ mechanism: 'SCRAM-SHA-512', iterations: 8192 }]);
    expect(await kcatLogsIn('SCRAM-SHA-512', 'carol', 'first-password')).toBe(false);
    expect(await kcatLogsIn('SCRAM-SHA-256', 'carol', 'first-password')).toBe(false);
    expect(await kafkajsLogsIn('carol', 'first-password')).toBe(false);
    expect(await kcatLogsIn('SCRAM-SHA-512', 'carol', 'second-pässword')).toBe(true);

    expect(await app.ok('users.delete', { connectionId: adminId, user: 'carol' })).toEqual({});
    expect(await kcatLogsIn('SCRAM-SHA-512', 'carol', 'second-pässword')).toBe(false);
    expect((await app.ok('users.list', { connectionId: adminId })).users.map((user) => user.name)).not.toContain('carol');
    expect(await app.call('users.delete', { connectionId: adminId, user: 'carol' })).toMatchObject({ ok: false, error: { kind: 'not-found' } });
    expect(await app.call('users.changePassword', { connectionId: adminId, user: 'carol', password: 'x' })).toMatchObject({
      ok: false,
      error: { kind: 'not-found' },
    });
  }, 180_000);

  it('salts in the main process: a credential is the salt and PBKDF2 of the password, a new salt each time', async () => {
    const one = await saltedCredential('SCRAM-SHA-256', 'secret', 4096);
    const two = await saltedCredential('SCRAM-SHA-256', 'secret', 4096);
    expect(one.salt.equals(two.salt)).toBe(false);
    expect(one.saltedPassword).toHaveLength(32);
    expect((await saltedCredential('SCRAM-SHA-512', 'secret', 4096)).saltedPassword).toHaveLength(64);
    expect(one.saltedPassword.includes(Buffer.from('secret'))).toBe(false);
  });

  it('refuses bad input with the field, and a user without rights is told which right', async () => {
    const cases: Array<[{ user: string; password: string; iterations?: number; mechanisms?: [] }, string]> = [
      [{ user: '', password: 'p' }, 'user'],
      [{ user: 'a,b', password: 'p' }, 'user'],
      [{ user: 'dave', password: '' }, 'password'],
      [{ user: 'dave', password: 'p', iterations: 1000 }, 'iterations'],
      [{ user: 'dave', password: 'p', mechanisms: [] }, 'mechanisms'],
    ];
    for (const [fields, path] of cases) {
      const result = await app.call('users.create', { connectionId: adminId, ...fields });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.issues?.map((issue) => issue.path)).toContain(path);
    }
    expect((await app.ok('users.list', { connectionId: adminId })).users.map((user) => user.name)).not.toContain('dave');

    const listed = await app.call('users.list', { connectionId: aliceId });
    expect(listed).toMatchObject({ ok: false, error: { kafkaCode: 'CLUSTER_AUTHORIZATION_FAILED' } });
    if (!listed.ok) expect(listed.error.message).toContain('User:alice may not list SCRAM users: that needs DESCRIBE on the cluster resource');
    const deleted = await app.call('users.delete', { connectionId: aliceId, user: 'bob' });
    expect(deleted).toMatchObject({ ok: false, error: { kafkaCode: 'CLUSTER_AUTHORIZATION_FAILED' } });
    expect(await kcatLogsIn('SCRAM-SHA-512', 'bob', 'bob-secret')).toBe(true);
  }, 60_000);
});
