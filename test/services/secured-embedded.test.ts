// The embedded cluster run secured from the app (Settings, or the launch's override), as
// `npm run cluster -- --security-protocol ... --user ... --acl` runs it: the app's embedded connection
// logs in with the first user and trusts the generated CA by itself; the status says how it is secured.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAppCore } from '../../electron/core/app-core';
import { MemorySecretStore, type SecretStore } from '../../electron/services/secrets/service';
import { freePortRange } from '../support/ports';
import { startCore, type TestCore } from './helpers';

// A secret store that writes something other than the secret (the desktop app's is the OS keychain).
const sealingStore: SecretStore = {
  kind: 'encrypted',
  seal: (plain) => `sealed:${Buffer.from(plain).toString('base64').split('').reverse().join('')}`,
  open: (sealed) => Buffer.from(sealed.slice('sealed:'.length).split('').reverse().join(''), 'base64').toString(),
};

/** A data directory whose settings.json is an earlier version's: SASL_SSL users with their passwords in clear. */
async function legacySettingsDir(): Promise<string> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kd-secured-legacy-'));
  const security = {
    protocol: 'SASL_SSL',
    users: [
      { name: 'admin', password: 'admin-secret' },
      { name: 'alice', password: 'alice-secret' },
    ],
    acl: true,
  };
  await writeFile(path.join(dataDir, 'settings.json'), JSON.stringify({ embedded: { enabled: true, brokers: 1, basePort: 19092, dataDir: '', security } }));
  return dataDir;
}

describe('the embedded cluster, secured', () => {
  const cores: TestCore[] = [];
  afterAll(async () => {
    await Promise.all(cores.map((core) => core.close()));
  });

  it('runs SASL_SSL with users and ACLs; the embedded connection logs in as the super user over TLS with the generated CA', async () => {
    const app = await startCore({
      brokers: 1,
      embedded: {
        security: {
          protocol: 'SASL_SSL',
          users: [
            { name: 'admin', password: 'admin-secret' },
            { name: 'alice', password: 'alice-secret' },
          ],
          acl: true,
        },
      },
    });
    cores.push(app);
    const status = await app.ok('embedded.status', {});
    expect(status.security).toEqual({ protocol: 'SASL_SSL', caLocation: path.join(app.dataDir, 'kafka-data', 'tls', 'ca.pem'), user: 'admin', acl: true });
    const [embedded] = await app.ok('connections.list', {});
    expect(embedded).toMatchObject({
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'admin', hasPassword: true },
      tls: { enabled: true, caFile: status.security?.caLocation },
    });
    expect(JSON.stringify(embedded)).not.toContain('admin-secret');
    // The super user may do anything: the screens work.
    await app.ok('topics.create', { connectionId: 'embedded', topic: 'secured-embedded', partitions: 1, replicationFactor: 1 });
    expect((await app.ok('cluster.overview', { connectionId: 'embedded' })).brokers).toHaveLength(1);
    expect((await app.ok('connections.check', { connectionId: 'embedded' })).state).toBe('up');
    // It is secured: a client without TLS is refused, and alice (no ACLs) sees no topic.
    const plaintext = await app.call('connections.test', { name: 'plain', bootstrapServers: app.bootstrapServers });
    expect(plaintext).toMatchObject({ ok: false, error: { failure: 'tls-expected' } });
    const alice = await app.ok('connections.save', {
      name: 'alice',
      bootstrapServers: app.bootstrapServers,
      sasl: { mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'alice-secret' },
      tls: { enabled: true, caFile: status.security?.caLocation ?? '' },
    });
    expect((await app.ok('topics.list', { connectionId: alice.id })).map((topic) => topic.name)).not.toContain('secured-embedded');
  });

  it('takes its security from Settings at a restart from the app: SSL, then SASL_PLAINTEXT', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kd-secured-settings-'));
    await mkdir(dataDir, { recursive: true });
    await writeFile(
      path.join(dataDir, 'settings.json'),
      JSON.stringify({ embedded: { enabled: true, brokers: 1, basePort: 19092, dataDir: '', security: { protocol: 'SSL', users: [], acl: false } } }),
    );
    const app = await startCore({ brokers: 1, dataDir });
    cores.push({
      ...app,
      async close() {
        await app.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    });
    expect((await app.ok('embedded.status', {})).security).toMatchObject({ protocol: 'SSL', user: null, acl: false });
    expect((await app.ok('cluster.overview', { connectionId: 'embedded' })).brokers).toHaveLength(1);

    const settings = await app.ok('settings.get', {});
    const updated = await app.ok('settings.update', {
      embedded: { ...settings.embedded, security: { protocol: 'SASL_PLAINTEXT', users: [{ name: 'ops', password: 'ops-secret' }], acl: false } },
    });
    // The password is a secret: never written in clear, never sent back (only that one is kept).
    expect(updated.embedded.security).toEqual({ protocol: 'SASL_PLAINTEXT', users: [{ name: 'ops', hasPassword: true }], acl: false });
    expect(JSON.stringify(await app.ok('settings.get', {}))).not.toContain('ops-secret');
    expect(await readFile(path.join(dataDir, 'settings.json'), 'utf8')).not.toContain('ops-secret');
    const restarted = await app.ok('embedded.restart', {});
    expect(restarted.security).toEqual({ protocol: 'SASL_PLAINTEXT', caLocation: null, user: 'ops', acl: false });
    expect((await app.ok('cluster.overview', { connectionId: 'embedded' })).brokers).toHaveLength(1);
    const withoutSasl = await app.call('connections.test', { name: 'no sasl', bootstrapServers: restarted.bootstrapServers ?? '' });
    expect(withoutSasl).toMatchObject({ ok: false, error: { failure: 'sasl-expected' } });

    // Settings that cannot secure a cluster are refused with the field, and change nothing.
    const before = await readFile(path.join(dataDir, 'settings.json'), 'utf8');
    const refused = await app.call('settings.update', { embedded: { ...settings.embedded, security: { protocol: 'SSL', users: [], acl: true } } });
    expect(refused).toMatchObject({ ok: false, error: { kind: 'invalid-request', issues: [{ path: 'embedded.security.acl' }] } });
    const newUserWithoutPassword = await app.call('settings.update', {
      embedded: { ...settings.embedded, security: { protocol: 'SASL_PLAINTEXT', users: [{ name: 'ops' }, { name: 'bob' }], acl: false } },
    });
    expect(newUserWithoutPassword).toMatchObject({
      ok: false,
      error: { kind: 'invalid-request', issues: [{ path: 'embedded.security.users.1.password', message: 'Enter a password for bob: a new user needs one.' }] },
    });
    const twice = await app.call('settings.update', {
      embedded: { ...settings.embedded, security: { protocol: 'SASL_PLAINTEXT', users: [{ name: 'ops' }, { name: 'ops', password: 'x' }], acl: false } },
    });
    expect(twice).toMatchObject({ ok: false, error: { issues: [{ path: 'embedded.security.users.1.name', message: 'ops is listed twice.' }] } });
    expect(await readFile(path.join(dataDir, 'settings.json'), 'utf8')).toBe(before);
  });

  it('moves the passwords of an earlier settings.json into the keychain, and starts secured from them at every launch', async () => {
    const dataDir = await legacySettingsDir();
    cores.push({ close: () => rm(dataDir, { recursive: true, force: true }) } as TestCore);
    const first = await startCore({ brokers: 1, dataDir, secrets: sealingStore });
    try {
      const onDisk = await readFile(path.join(dataDir, 'settings.json'), 'utf8');
      expect(onDisk).not.toContain('admin-secret');
      expect(onDisk).not.toContain('alice-secret');
      expect(JSON.parse(onDisk).embedded.security.users).toEqual([
        { name: 'admin', sealedPassword: sealingStore.seal('admin-secret') },
        { name: 'alice', sealedPassword: sealingStore.seal('alice-secret') },
      ]);
      const settings = await first.ok('settings.get', {});
      expect(settings.embedded.security?.users).toEqual([
        { name: 'admin', hasPassword: true },
        { name: 'alice', hasPassword: true },
      ]);
      expect(JSON.stringify(settings)).not.toContain('secret');
      expect((await first.ok('embedded.status', {})).security).toMatchObject({ protocol: 'SASL_SSL', user: 'admin', acl: true });
      expect((await first.ok('cluster.overview', { connectionId: 'embedded' })).brokers).toHaveLength(1);
      // A change that names the users without passwords keeps theirs (a settings.get round trip loses nothing).
      await first.ok('settings.update', { embedded: settings.embedded });
      expect(await readFile(path.join(dataDir, 'settings.json'), 'utf8')).toBe(onDisk);
    } finally {
      await first.close();
    }
    // The next launch opens them from the keychain: the embedded connection logs in as admin, alice's password works.
    const second = await startCore({ brokers: 1, dataDir, secrets: sealingStore });
    try {
      const status = await second.ok('embedded.status', {});
      expect(status.security).toMatchObject({ protocol: 'SASL_SSL', user: 'admin', acl: true });
      expect((await second.ok('connections.check', { connectionId: 'embedded' })).state).toBe('up');
      const alice = await second.call('connections.test', {
        name: 'alice',
        bootstrapServers: second.bootstrapServers,
        sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: 'alice-secret' },
        tls: { enabled: true, caFile: status.security?.caLocation ?? '' },
      });
      expect(alice).toMatchObject({ ok: true });
    } finally {
      await second.close();
    }
  });

  it("without a keychain (web mode) keeps the passwords for the run only: the next run asks for the first user's again and keeps the users", async () => {
    const dataDir = await legacySettingsDir();
    cores.push({ close: () => rm(dataDir, { recursive: true, force: true }) } as TestCore);
    const first = await startCore({ brokers: 1, dataDir });
    try {
      expect(await readFile(path.join(dataDir, 'settings.json'), 'utf8')).not.toContain('secret');
      // This run still has them.
      expect((await first.ok('settings.get', {})).embedded.security?.users).toEqual([
        { name: 'admin', hasPassword: true },
        { name: 'alice', hasPassword: true },
      ]);
      expect((await first.ok('cluster.overview', { connectionId: 'embedded' })).brokers).toHaveLength(1);
    } finally {
      await first.close();
    }
    const second = await createAppCore({
      mode: 'web',
      version: 'test',
      dataDir,
      secrets: new MemorySecretStore(),
      embeddedOverride: { basePort: await freePortRange(1), schemaRegistryPort: 0 },
    });
    try {
      const status = second.embedded.status();
      expect(status.state).toBe('failed');
      expect(status.message).toContain('Kafka Desk logs in as admin, whose password this run does not have');
      const settings = await second.dispatch('settings.get', {});
      expect(settings).toMatchObject({
        ok: true,
        value: {
          embedded: {
            security: {
              users: [
                { name: 'admin', hasPassword: false },
                { name: 'alice', hasPassword: false },
              ],
            },
          },
        },
      });
      // Given admin's password again (alice's left as it is), it starts; alice keeps the credentials stored at the earlier start.
      const security = { protocol: 'SASL_SSL' as const, users: [{ name: 'admin', password: 'admin-secret' }, { name: 'alice' }], acl: true };
      const saved = await second.dispatch('settings.update', { embedded: { enabled: true, brokers: 1, basePort: 19092, dataDir: '', security } });
      expect(saved).toMatchObject({ ok: true });
      expect(await second.dispatch('embedded.start', {})).toMatchObject({ ok: true, value: { state: 'running' } });
      const running = second.embedded.status();
      const alice = await second.dispatch('connections.test', {
        name: 'alice',
        bootstrapServers: running.bootstrapServers ?? '',
        sasl: { mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'alice-secret' },
        tls: { enabled: true, caFile: running.security?.caLocation ?? '' },
      });
      expect(alice).toMatchObject({ ok: true });
    } finally {
      await second.close();
    }
  });
});
