// The embedded cluster run secured from the app (Settings, or the launch's override), as
// `npm run cluster -- --security-protocol ... --user ... --acl` runs it: the app's embedded connection
// logs in with the first user and trusts the generated CA by itself; the status says how it is secured.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startCore, type TestCore } from './helpers';

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
    await app.ok('settings.update', {
      embedded: { ...settings.embedded, security: { protocol: 'SASL_PLAINTEXT', users: [{ name: 'ops', password: 'ops-secret' }], acl: false } },
    });
    const restarted = await app.ok('embedded.restart', {});
    expect(restarted.security).toEqual({ protocol: 'SASL_PLAINTEXT', caLocation: null, user: 'ops', acl: false });
    expect((await app.ok('cluster.overview', { connectionId: 'embedded' })).brokers).toHaveLength(1);
    const withoutSasl = await app.call('connections.test', { name: 'no sasl', bootstrapServers: restarted.bootstrapServers ?? '' });
    expect(withoutSasl).toMatchObject({ ok: false, error: { failure: 'sasl-expected' } });

    // Settings that cannot secure a cluster are refused with the field.
    const refused = await app.call('settings.update', { embedded: { ...settings.embedded, security: { protocol: 'SSL', users: [], acl: true } } });
    expect(refused).toMatchObject({ ok: false, error: { kind: 'invalid-request', issues: [{ path: 'embedded.security.acl' }] } });
  });
});
