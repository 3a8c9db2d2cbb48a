/**
 * The app's embedded cluster service starts the schema registry with the cluster and shows its URL in
 * the status; a registry whose port is taken leaves the cluster running and says why.
 */
import { createServer, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppCore, type AppCore } from '../../electron/core/app-core';
import { MemorySecretStore } from '../../electron/services/secrets/service';
import { freePortRange } from '../support/ports';

let core: AppCore | null = null;
let dataDir: string | null = null;
let blocker: Server | null = null;

afterEach(async () => {
  await core?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  core = null;
  dataDir = null;
  blocker = null;
});

async function start(schemaRegistryPort: number): Promise<AppCore> {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-registry-'));
  core = await createAppCore({
    mode: 'web',
    version: 'test',
    dataDir,
    secrets: new MemorySecretStore(),
    embeddedOverride: { enabled: true, brokers: 1, basePort: await freePortRange(1), schemaRegistryPort },
  });
  return core;
}

describe('embedded cluster service with the schema registry', () => {
  it('starts the registry with the cluster, shows its URL, and stops it with the cluster', async () => {
    const app = await start(0);
    const status = app.embedded.status();
    expect(status.state).toBe('running');
    expect(status.schemaRegistryError).toBeNull();
    expect(status.schemaRegistryUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const url = status.schemaRegistryUrl!;
    const registered = await fetch(`${url}/subjects/svc-value/versions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema: '{"type":"string"}' }),
    });
    expect(await registered.json()).toEqual({ id: 1 });
    expect((await app.dispatch('embedded.status', {})) as unknown).toMatchObject({ ok: true, value: { schemaRegistryUrl: url } });

    await app.embedded.stop();
    expect(app.embedded.status().schemaRegistryUrl).toBeNull();
    await expect(fetch(`${url}/subjects`)).rejects.toThrow();
    // A restart brings the registry back with what it held.
    const restarted = await app.embedded.start();
    const again = restarted.schemaRegistryUrl!;
    expect(await (await fetch(`${again}/subjects`)).json()).toEqual(['svc-value']);
  }, 60_000);

  it('a new port saved in Settings applies at once: the registry moves there with what it holds, the brokers keep running', async () => {
    const app = await start(0);
    const first = app.embedded.status();
    const url = first.schemaRegistryUrl!;
    const registered = await fetch(`${url}/subjects/moved-value/versions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema: '{"type":"string"}' }),
    });
    expect(registered.status).toBe(200);
    const statuses: Array<string | null | undefined> = [];
    app.embedded.onStatus((status) => statuses.push(status.schemaRegistryUrl));

    const port = await freePortRange(1);
    const saved = await app.dispatch('settings.update', {
      embedded: { ...first.config, enabled: true, dataDir: '', kafkaVersion: null, schemaRegistryPort: port },
    });
    expect(saved).toMatchObject({ ok: true, value: { embedded: { schemaRegistryPort: port } } });
    const moved = app.embedded.status();
    expect(moved.schemaRegistryUrl).toBe(`http://127.0.0.1:${port}`);
    // The window is told (the Cluster panel and the Schemas screen follow the URL).
    expect(statuses).toContain(`http://127.0.0.1:${port}`);
    expect(moved.bootstrapServers).toBe(first.bootstrapServers);
    expect(moved.brokers.map((broker) => broker.state)).toEqual(first.brokers.map((broker) => broker.state));
    expect(await (await fetch(`${moved.schemaRegistryUrl!}/subjects`)).json()).toEqual(['moved-value']);
    await expect(fetch(`${url}/subjects`)).rejects.toThrow();
    // The app's embedded connection follows it.
    expect(await app.dispatch('schemas.subjects', { connectionId: 'embedded' })).toMatchObject({ ok: true, value: { url: moved.schemaRegistryUrl } });

    // A taken port: saved, but the registry stays where it was, and the answer says so.
    const taken = await freePortRange(1);
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(taken, '127.0.0.1', resolve));
    const refused = await app.dispatch('settings.update', {
      embedded: { ...first.config, enabled: true, dataDir: '', kafkaVersion: null, schemaRegistryPort: taken },
    });
    expect(refused).toMatchObject({
      ok: false,
      error: {
        kind: 'conflict',
        message: `Saved. Port ${taken} is in use by another program, so the schema registry did not move. It still serves at http://127.0.0.1:${port}.`,
      },
    });
    expect(app.embedded.status().schemaRegistryUrl).toBe(`http://127.0.0.1:${port}`);
    expect(await (await fetch(`http://127.0.0.1:${port}/subjects`)).json()).toEqual(['moved-value']);
    // Saving other settings with the same port does not move it.
    await app.dispatch('settings.update', {
      embedded: { ...first.config, enabled: true, dataDir: '', kafkaVersion: null, schemaRegistryPort: taken, brokers: 2 },
    });
    expect(app.embedded.status().schemaRegistryUrl).toBe(`http://127.0.0.1:${port}`);
  }, 60_000);

  it('a taken registry port leaves the cluster running and says why', async () => {
    const port = await freePortRange(1);
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(port, '127.0.0.1', resolve));
    const app = await start(port);
    const status = app.embedded.status();
    expect(status.state).toBe('running');
    expect(status.schemaRegistryUrl).toBeNull();
    expect(status.schemaRegistryError).toBe(`Port ${port} is in use by another program, so the schema registry did not start.`);
  }, 60_000);
});
