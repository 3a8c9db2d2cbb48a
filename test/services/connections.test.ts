import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecretStore } from '../../electron/services/secrets/service';
import { startCore, type TestCore } from './helpers';
import { freePortRange } from '../support/ports';

/** Stands in for Electron's safeStorage where there is no Electron: reversible, but not plain text. */
const sealingStore: SecretStore = {
  kind: 'encrypted',
  seal: (plain) => `sealed:${Buffer.from(plain).toString('base64').split('').reverse().join('')}`,
  open: (sealed) => Buffer.from(sealed.slice('sealed:'.length).split('').reverse().join(''), 'base64').toString(),
};

describe('connection service', () => {
  let app: TestCore;
  beforeAll(async () => {
    app = await startCore({ brokers: 1 });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('lists the embedded cluster first, available, with its bootstrap servers', async () => {
    const [embedded] = await app.ok('connections.list', {});
    expect(embedded).toMatchObject({ id: 'embedded', kind: 'embedded', available: true, bootstrapServers: app.bootstrapServers });
  });

  it('tests an unsaved connection against a real cluster', async () => {
    const result = await app.ok('connections.test', { name: 'local', bootstrapServers: app.bootstrapServers });
    expect(result.brokers).toBe(1);
    expect(result.clusterId).not.toBe('');
  });

  it('says clearly when a cluster cannot be reached', async () => {
    const closedPort = await freePortRange(1);
    const result = await app.call('connections.test', { name: 'nowhere', bootstrapServers: `127.0.0.1:${closedPort}` });
    expect(result).toMatchObject({ ok: false, error: { kind: 'unavailable' } });
    // The address and the reason, once (the renderer's title already says the cluster is unreachable).
    if (!result.ok) expect(result.error.message).toBe(`127.0.0.1:${closedPort} refused the connection: nothing is listening on that port (ECONNREFUSED).`);
  });

  it('saves an external connection and uses it like any other', async () => {
    const saved = await app.ok('connections.save', { name: 'same cluster, saved', bootstrapServers: app.bootstrapServers, clientId: 'desk-test' });
    expect(saved).toMatchObject({ kind: 'external', clientId: 'desk-test', sasl: null });
    const overview = await app.ok('cluster.overview', { connectionId: saved.id });
    expect(overview.brokers).toHaveLength(1);
    const tested = await app.ok('connections.test', { id: saved.id });
    expect(tested.brokers).toBe(1);
    await app.ok('connections.delete', { id: saved.id });
    expect(await app.call('cluster.overview', { connectionId: saved.id })).toMatchObject({ ok: false, error: { kind: 'not-found' } });
  });

  it('refuses to edit or delete the embedded connection', async () => {
    expect(await app.call('connections.delete', { id: 'embedded' })).toMatchObject({ ok: false, error: { kind: 'conflict' } });
  });

  it('keeps passwords in memory only when there is no encryption, and never sends them back', async () => {
    const saved = await app.ok('connections.save', {
      name: 'sasl',
      bootstrapServers: 'broker.example:9093',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: 'hunter2-secret' },
      tls: { enabled: true, rejectUnauthorized: true },
    });
    expect(saved.sasl).toEqual({ mechanism: 'SCRAM-SHA-512', username: 'alice', hasPassword: true });
    const listed = JSON.stringify(await app.ok('connections.list', {}));
    expect(listed).not.toContain('hunter2-secret');
    const onDisk = await readFile(path.join(app.dataDir, 'connections.json'), 'utf8');
    expect(onDisk).toContain('alice');
    expect(onDisk).not.toContain('hunter2-secret');
  });

  it('refuses a TLS file it cannot read, naming it', async () => {
    const result = await app.call('connections.test', {
      name: 'tls',
      bootstrapServers: app.bootstrapServers,
      tls: { enabled: true, caFile: '/nonexistent/ca.pem', rejectUnauthorized: true },
    });
    expect(result).toMatchObject({ ok: false, error: { kind: 'invalid-request', message: 'The CA certificate file /nonexistent/ca.pem does not exist.' } });
  });
});

describe('connection service with encrypted secret storage', () => {
  it('stores the password sealed and reads it back after a restart', async () => {
    const first = await startCore({ brokers: 1, secrets: sealingStore });
    try {
      const saved = await first.ok('connections.save', {
        name: 'sealed',
        bootstrapServers: first.bootstrapServers,
        sasl: { mechanism: 'PLAIN', username: 'bob', password: 'correct horse' },
      });
      const onDisk = await readFile(path.join(first.dataDir, 'connections.json'), 'utf8');
      expect(onDisk).not.toContain('correct horse');
      expect(onDisk).toContain('sealed:');
      // Editing without retyping the password keeps it.
      const edited = await first.ok('connections.save', {
        id: saved.id,
        name: 'sealed, renamed',
        bootstrapServers: first.bootstrapServers,
        sasl: { mechanism: 'PLAIN', username: 'bob' },
      });
      expect(edited.sasl?.hasPassword).toBe(true);
      expect(await readFile(path.join(first.dataDir, 'connections.json'), 'utf8')).toBe(onDisk.replace('"sealed"', '"sealed, renamed"'));
    } finally {
      await first.close();
    }
  });
});
