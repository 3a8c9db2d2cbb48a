// The embedded cluster started, stopped and restarted while the app runs: a start that fails on a
// taken port says which and offers free ports, a start there works, a stop makes the connection down
// (with a way to start it again), and a restart keeps the data.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, IpcResult, RequestOf, ResponseOf } from '../../shared/ipc/contract';
import { createAppCore, type AppCore } from '../../electron/core/app-core';
import { MemorySecretStore } from '../../electron/services/secrets/service';
import { freePortRange } from '../support/ports';
import { eventually } from '../support/wait';

const connectionId = 'embedded';

describe('embedded cluster control from the app', () => {
  let core: AppCore;
  let dataDir: string;
  let blocker: Server;
  let basePort: number;
  const call = <C extends Channel>(channel: C, request: RequestOf<C>) => core.dispatch(channel, request) as Promise<IpcResult<ResponseOf<C>>>;
  const ok = async <C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> => {
    const result = await call(channel, request);
    if (!result.ok) throw new Error(`${channel}: ${result.error.message}`);
    return result.value;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-control-'));
    basePort = await freePortRange(2);
    // Another program holds the second broker's port.
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(basePort + 1, '127.0.0.1', resolve));
    core = await createAppCore({
      mode: 'web',
      version: 'test',
      dataDir,
      secrets: new MemorySecretStore(),
      embeddedOverride: { enabled: true, brokers: 2, basePort, schemaRegistryPort: 0 },
    });
  });
  afterAll(async () => {
    await core?.close();
    await new Promise((resolve) => blocker?.close(resolve));
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a start on a taken port fails, saying which port, and offers the next free range', async () => {
    const status = await ok('embedded.status', {});
    expect(status).toMatchObject({
      state: 'failed',
      message: `Port ${basePort + 1} is in use by another program, so the embedded cluster (2 brokers on ports ${basePort}–${basePort + 1}) could not start.`,
      portsInUse: [basePort + 1],
      config: { brokers: 2, basePort },
      launchOverrides: ['enabled', 'brokers', 'basePort'],
      bootstrapServers: null,
    });
    expect(status.freeBasePort).toBeGreaterThan(basePort + 1);
    const failed = await call('topics.list', { connectionId });
    expect(failed).toMatchObject({ ok: false, error: { kind: 'unavailable', message: status.message, recovery: 'start-embedded' } });
    expect(await ok('connections.check', { connectionId })).toMatchObject({ state: 'down', lastError: { message: status.message } });
  });

  it('starts on the free ports it offered; the connection comes up', async () => {
    const { freeBasePort } = await ok('embedded.status', {});
    const status = await ok('embedded.start', { basePort: freeBasePort! });
    expect(status).toMatchObject({ state: 'running', message: null, portsInUse: [], freeBasePort: null, config: { basePort: freeBasePort } });
    // The ports no longer come from the command line: they were chosen in this run.
    expect(status.launchOverrides).toEqual(['enabled', 'brokers']);
    expect(status.changedInRun).toEqual(['basePort']);
    expect(status.bootstrapServers).toBe(`127.0.0.1:${freeBasePort},127.0.0.1:${freeBasePort! + 1}`);
    const [embedded] = await ok('connections.list', {});
    expect(embedded).toMatchObject({ available: true, bootstrapServers: status.bootstrapServers });
    await ok('topics.create', { connectionId, topic: 'survives.restart', partitions: 2, replicationFactor: 2 });
    await eventually(
      () => ok('connections.check', { connectionId }),
      (health) => health.state === 'up',
    );
  });

  it('refuses to change the ports of a running cluster without a restart', async () => {
    expect(await call('embedded.start', { basePort: 30_000 })).toMatchObject({ ok: false, error: { kind: 'conflict' } });
    expect((await ok('embedded.start', {})).state).toBe('running');
  });

  it('stops: the connection is down, and says how to start it again', async () => {
    const status = await ok('embedded.stop', {});
    expect(status).toMatchObject({ state: 'stopped', bootstrapServers: null, brokers: [], message: 'The embedded cluster was stopped from Kafka Desk.' });
    expect(await call('topics.list', { connectionId })).toMatchObject({ ok: false, error: { recovery: 'start-embedded' } });
    const health = await eventually(
      () => ok('connections.check', { connectionId }),
      (value) => value.state === 'down',
    );
    expect(health.lastError?.message).toBe('The embedded cluster was stopped from Kafka Desk.');
    const [embedded] = await ok('connections.list', {});
    expect(embedded?.available).toBe(false);
  });

  it('starts again with the same ports and data, and restarts keeping the data', async () => {
    const started = await ok('embedded.start', {});
    expect(started.state).toBe('running');
    expect((await ok('topics.list', { connectionId })).map((topic) => topic.name)).toContain('survives.restart');
    const before = started.bootstrapServers;
    const restarted = await ok('embedded.restart', {});
    expect(restarted).toMatchObject({ state: 'running', bootstrapServers: before });
    expect((await ok('topics.list', { connectionId })).map((topic) => topic.name)).toContain('survives.restart');
  });
});
