import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterEvent, EmbeddedClusterStatus } from '../../shared/model/schemas';
import { startCore, type TestCore } from './helpers';
import { eventually } from '../support/wait';
import { freePortRange } from '../support/ports';

const connectionId = 'embedded';

describe('embedded cluster control', () => {
  let app: TestCore;
  const events: ClusterEvent[] = [];
  const statuses: EmbeddedClusterStatus[] = [];
  beforeAll(async () => {
    app = await startCore();
    app.core.hub.subscribe((event, payload) => {
      if (event === 'embedded.event') events.push(payload as ClusterEvent);
      if (event === 'embedded.status') statuses.push(payload as EmbeddedClusterStatus);
    });
    await app.ok('topics.create', { connectionId, topic: 'svc.failover', partitions: 3, replicationFactor: 3 });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('reports three running brokers and ready-to-paste bootstrap servers', async () => {
    const status = await app.ok('embedded.status', {});
    expect(status).toMatchObject({ enabled: true, state: 'running', message: null });
    expect(status.brokers.map((broker) => broker.state)).toEqual(['running', 'running', 'running']);
    expect(status.bootstrapServers).toBe(status.brokers.map((broker) => `${broker.host}:${broker.port}`).join(','));
  });

  it('stops a broker: its leaderships move, the ISR shrinks, and the events say so', async () => {
    const before = await app.ok('topics.describe', { connectionId, topic: 'svc.failover' });
    const victim = before.partitions[0]?.leader ?? 0;
    const status = await app.ok('embedded.stopBroker', { brokerId: victim });
    expect(status.brokers.find((broker) => broker.id === victim)?.state).toBe('stopped');
    expect(statuses.at(-1)?.brokers.find((broker) => broker.id === victim)?.state).toBe('stopped');

    const after = await eventually(
      () => app.ok('topics.describe', { connectionId, topic: 'svc.failover' }),
      (detail) => detail.partitions.every((partition) => partition.leader >= 0 && partition.leader !== victim && !partition.isr.includes(victim)),
    );
    expect(after.partitions.every((partition) => partition.isr.length === 2)).toBe(true);
    expect(events).toContainEqual(expect.objectContaining({ type: 'broker', brokerId: victim, state: 'down' }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'leader', topic: 'svc.failover', partition: 0 }));
    expect(events.some((event) => event.type === 'isr' && event.topic === 'svc.failover' && !event.isr.includes(victim))).toBe(true);

    const overview = await app.ok('cluster.overview', { connectionId });
    // Listed as down (it holds replicas), not dropped as Metadata drops it.
    expect(overview.brokers.find((broker) => broker.id === victim)).toMatchObject({ state: 'down', host: '127.0.0.1' });
    expect(overview.underReplicatedPartitions).toBeGreaterThanOrEqual(3);

    await app.ok('embedded.startBroker', { brokerId: victim });
    await eventually(
      () => app.ok('topics.describe', { connectionId, topic: 'svc.failover' }),
      (detail) => detail.partitions.every((partition) => partition.isr.length === 3),
      30_000,
    );
  });

  it('kills a broker abruptly and starts it again', async () => {
    const status = await app.ok('embedded.killBroker', { brokerId: 2 });
    expect(status.brokers.find((broker) => broker.id === 2)?.state).toBe('stopped');
    const restarted = await app.ok('embedded.startBroker', { brokerId: 2 });
    expect(restarted.brokers.find((broker) => broker.id === 2)?.state).toBe('running');
  });

  it('refuses a broker that does not exist', async () => {
    expect(await app.call('embedded.stopBroker', { brokerId: 9 })).toEqual({
      ok: false,
      error: { kind: 'not-found', message: 'The embedded cluster has no broker 9.' },
    });
  });
});

describe('embedded cluster turned off', () => {
  it('answers clearly that it is not running', async () => {
    const { createAppCore } = await import('../../electron/core/app-core');
    const { MemorySecretStore } = await import('../../electron/services/secrets/service');
    const { mkdtemp, rm } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-off-'));
    const core = await createAppCore({ mode: 'web', version: 'test', dataDir, secrets: new MemorySecretStore(), embeddedOverride: { enabled: false } });
    try {
      expect(await core.dispatch('embedded.status', {})).toMatchObject({ ok: true, value: { enabled: false, state: 'disabled' } });
      expect(await core.dispatch('topics.list', { connectionId })).toMatchObject({
        ok: false,
        error: { kind: 'unavailable', message: 'The embedded cluster is not running.' },
      });
    } finally {
      await core.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('embedded cluster started in the background (the desktop app)', () => {
  it('answers "starting" at once, then announces the cluster as available', async () => {
    const { createAppCore } = await import('../../electron/core/app-core');
    const { MemorySecretStore } = await import('../../electron/services/secrets/service');
    const { mkdtemp, rm } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-bg-'));
    const core = await createAppCore({
      mode: 'electron',
      version: 'test',
      dataDir,
      secrets: new MemorySecretStore(),
      embeddedOverride: { enabled: true, brokers: 1, basePort: await freePortRange(1), schemaRegistryPort: 0 },
      embeddedStart: 'background',
    });
    const announced = new Promise<unknown>((resolve) =>
      core.hub.subscribe((event, payload) => {
        if (event === 'connections.changed') resolve(payload);
      }),
    );
    try {
      expect(['starting', 'running']).toContain(core.embedded.status().state);
      const connections = (await announced) as { id: string; available: boolean }[];
      expect(connections.find((connection) => connection.id === connectionId)?.available).toBe(true);
      expect(await core.dispatch('topics.list', { connectionId })).toEqual({ ok: true, value: [] });
    } finally {
      await core.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
