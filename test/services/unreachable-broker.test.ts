// A broker the cluster lists, up and holding replicas, that the app cannot reach: broker 1 of the
// embedded cluster advertises an address nothing listens on (advertised.listeners, set per broker at
// run time as `kafka-configs --alter --entity-type brokers --entity-name 1` would). Metadata names it as
// up; every request the app must send to it (offsets of the partitions it leads, its log dirs and
// configs, the groups it coordinates) fails. Every screen reads what the other brokers answer and says
// which broker does not answer and why; once the address is fixed, it heals.
import { readFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { Admin } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionActivity } from '../../shared/model/connections';
import { ErrorCode } from '../../electron/kafka/protocol/error-codes';
import { IncrementalAlterConfigs } from '../../electron/kafka/protocol/generated/index';
import { ConnectionService } from '../../electron/services/connections/service';
import { MemorySecretStore } from '../../electron/services/secrets/service';
import { RawClient } from '../broker/handlers/raw-client';
import { eventually } from '../support/wait';
import { startCore, type TestCore } from './helpers';

const connectionId = 'embedded';

/** Accepts connections and reads whatever comes, answering nothing; its address as a listener. */
async function silentServer(): Promise<{ address: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `PLAINTEXT://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
const TOPIC = 'listed.rf1';
const SILENT = 1;

describe('a broker the cluster lists but the app cannot reach', () => {
  let app: TestCore;
  let raw: RawClient;
  let deadPort: number;
  let silent: { address: string; close(): Promise<void> };
  const activity: ConnectionActivity[] = [];
  const advertise = async (value: string | null) => {
    const answer = await raw.call(IncrementalAlterConfigs, 1, {
      resources: [
        { resourceType: 4, resourceName: String(SILENT), configs: [{ name: 'advertised.listeners', configOperation: value === null ? 1 : 0, value }] },
      ],
      validateOnly: false,
    });
    expect(answer.responses[0]!.errorCode).toBe(ErrorCode.NONE);
  };

  beforeAll(async () => {
    app = await startCore({ brokers: 3 });
    raw = await RawClient.open(app.bootstrapServers.split(',')[0]!);
    silent = await silentServer();
    app.core.hub.subscribe((event, payload) => {
      if (event === 'connections.activity') activity.push(payload as ConnectionActivity);
    });
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    deadPort = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    // Partition p's only replica on broker p: partition 1 is led by the broker that will not answer.
    const admin = new Admin({ clientId: 'unreachable-test', bootstrapBrokers: app.bootstrapServers.split(','), retries: 0 });
    try {
      await admin.createTopics({
        topics: [TOPIC],
        partitions: -1,
        replicas: -1,
        assignments: [0, 1, 2].map((partition) => ({ partition, brokers: [partition] })),
      });
    } finally {
      await admin.close();
    }
    for (const partition of [0, 1, 2]) {
      await app.ok('produce.send', { connectionId, topic: TOPIC, key: null, value: `p${partition}`, headers: [], partition, repeat: partition + 1 });
    }
    await advertise(`PLAINTEXT://127.0.0.1:${deadPort}`);
  }, 60_000);

  afterAll(async () => {
    raw?.close();
    await app?.close();
    await silent?.close();
  });

  it('the connection is degraded, naming the broker, its advertised address and why; the others answer', async () => {
    const checked = await eventually(
      () => app.ok('connections.check', { connectionId }),
      (value) => value.state === 'degraded',
    );
    const refused = `127.0.0.1:${deadPort} refused the connection: nothing is listening on that port (ECONNREFUSED).`;
    expect(checked).toMatchObject({
      reachable: true,
      lastError: null,
      detail: `1 of 3 brokers does not answer: broker 1 at 127.0.0.1:${deadPort} (${refused.slice(0, -1)}).`,
    });
    expect(checked.brokers.map((broker) => [broker.id, broker.state])).toEqual([
      [0, 'up'],
      [1, 'down'],
      [2, 'up'],
    ]);
    expect(checked.brokers[1]).toMatchObject({ address: `127.0.0.1:${deadPort}`, error: refused, rttMs: null });
  });

  it('overview and topics: the broker is listed as up at the address the cluster gives, nothing is offline, sizes of its partitions unknown', async () => {
    const overview = await app.ok('cluster.overview', { connectionId });
    expect(overview.brokers.map((broker) => [broker.id, broker.state, broker.port])).toEqual([
      [0, 'up', expect.any(Number)],
      [1, 'up', deadPort],
      [2, 'up', expect.any(Number)],
    ]);
    expect(overview.offlinePartitions).toBe(0);
    const topics = await app.ok('topics.list', { connectionId });
    expect(topics.find((topic) => topic.name === TOPIC)).toMatchObject({ partitions: 3, offlinePartitions: 0, error: null });
    const stats = await app.ok('topics.stats', { connectionId });
    // Partitions 0 and 2 hold 1 and 3 records; partition 1's 2 records are behind the broker that does not answer.
    expect(stats.find((topic) => topic.name === TOPIC)).toMatchObject({ records: 4, recordsUnknownPartitions: 1, sizeUnknownPartitions: 1 });
  });

  it('topic page: the partition it leads says which request to which broker failed; the others have their offsets', async () => {
    const detail = await app.ok('topics.describe', { connectionId, topic: TOPIC });
    expect(detail.partitions.map((partition) => [partition.partition, partition.leader, partition.highWatermark])).toEqual([
      [0, 0, 1],
      [1, SILENT, null],
      [2, 2, 3],
    ]);
    expect(detail.partitions[1]).toMatchObject({
      error: null,
      readError: expect.stringContaining(`ListOffsets on broker 1 (127.0.0.1:${deadPort}) failed: the connection was refused`),
    });
    expect(detail.partitions[0]).toMatchObject({ readError: null });
  });

  it('broker page: its replicas from Metadata; its log dirs and configs said to be unreachable at that address', async () => {
    const page = await app.ok('brokers.describe', { connectionId, brokerId: SILENT });
    expect(page.broker).toMatchObject({ id: SILENT, state: 'up', port: deadPort });
    expect(page.replicas.filter((replica) => replica.topic === TOPIC).map((replica) => [replica.partition, replica.role])).toEqual([[1, 'leader']]);
    expect(page).toMatchObject({
      logDirs: null,
      logDirsError: `DescribeLogDirs on broker 1 (127.0.0.1:${deadPort}) failed: the connection was refused`,
      configs: null,
      configsError: `DescribeConfigs on broker 1 (127.0.0.1:${deadPort}) failed: the connection was refused`,
    });
  });

  it('messages: the partitions that answer are read and the missing one is named; read alone it is an error saying why', async () => {
    const page = await app.ok('messages.read', { connectionId, topic: TOPIC, partitions: null, seek: { mode: 'earliest' }, limit: { count: 50 } });
    expect(page.records.map((record) => record.partition).sort()).toEqual([0, 2, 2, 2]);
    expect(page.notes).toEqual([`Not shown: partition 1 is unreadable: ListOffsets on broker 1 (127.0.0.1:${deadPort}) failed: the connection was refused.`]);
    const alone = await app.call('messages.read', { connectionId, topic: TOPIC, partitions: [1], seek: { mode: 'earliest' }, limit: { count: 50 } });
    expect(alone.ok).toBe(false);
    if (!alone.ok) expect(alone.error.message).toContain(`127.0.0.1:${deadPort}`);
  });

  it('produce: keyless records go to the partitions whose leaders answer; a chosen partition led by the silent broker fails naming its address', async () => {
    await eventually(
      () => app.ok('connections.check', { connectionId }),
      (value) => value.state === 'degraded',
    );
    const spread = await app.ok('produce.send', { connectionId, topic: TOPIC, key: null, value: 'spread', headers: [], partition: null, repeat: 6 });
    expect(new Set(spread.records.map((record) => record.partition))).toEqual(new Set([0, 2]));
    const pinned = await app.call('produce.send', { connectionId, topic: TOPIC, key: null, value: 'pinned', headers: [], partition: 1, repeat: 1 });
    expect(pinned).toMatchObject({ ok: false, error: { kind: 'unavailable', message: expect.stringContaining(`127.0.0.1:${deadPort}`) } });
  });

  it('heals once the broker advertises an address the app can reach', async () => {
    await advertise(null);
    await eventually(
      () => app.ok('connections.check', { connectionId }),
      (value) => value.state === 'up',
      60_000,
    );
    const detail = await eventually(
      () => app.ok('topics.describe', { connectionId, topic: TOPIC }),
      (value) => value.partitions[1]?.highWatermark === 2,
      60_000,
    );
    expect(detail.partitions.map((partition) => partition.readError)).toEqual([null, null, null]);
  });

  it("the embedded connection's timeouts are set like any connection's, kept across restarts, and bound a broker that accepts but never answers", async () => {
    const set = await app.ok('connections.setTimeouts', { connectionId, timeouts: { connectMs: 1_000, requestMs: 1_500 } });
    expect(set).toMatchObject({ id: connectionId, kind: 'embedded', timeouts: { connectMs: 1_000, requestMs: 1_500 } });
    expect((await app.ok('connections.list', {})).find((connection) => connection.id === connectionId)?.timeouts).toEqual({
      connectMs: 1_000,
      requestMs: 1_500,
    });
    expect(JSON.parse(await readFile(path.join(app.dataDir, 'embedded-connection.json'), 'utf8'))).toEqual({
      timeouts: { connectMs: 1_000, requestMs: 1_500 },
    });
    // The app's next start reads them back.
    const restarted = new ConnectionService({ dataDir: app.dataDir, secrets: new MemorySecretStore(), embedded: app.core.embedded, hub: app.core.hub });
    await restarted.load();
    expect(restarted.list().find((connection) => connection.id === connectionId)?.timeouts).toEqual({ connectMs: 1_000, requestMs: 1_500 });
    await restarted.close();
    expect(await app.call('connections.setTimeouts', { connectionId, timeouts: { connectMs: 100, requestMs: 1_500 } })).toMatchObject({
      ok: false,
      error: { kind: 'invalid-request', message: 'The connect timeout must be at least 0.5 s.' },
    });

    // Broker 1 now advertises a server that accepts connections and never answers.
    await advertise(silent.address);
    const started = performance.now();
    const page = await app.ok('brokers.describe', { connectionId, brokerId: SILENT });
    const elapsed = performance.now() - started;
    expect(page.logDirsError).toBe(`DescribeLogDirs on broker 1 (${silent.address.slice('PLAINTEXT://'.length)}) failed: it did not answer in time`);
    // Within the embedded connection's request timeout (1.5 s each for the log dirs and the configs,
    // asked at once), far from the default 15 s.
    expect(elapsed).toBeGreaterThanOrEqual(1_400);
    expect(elapsed).toBeLessThan(12_000);
    const health = await eventually(
      () => app.ok('connections.check', { connectionId }),
      (value) => value.state === 'degraded',
    );
    expect(health.timeouts).toEqual({ connectMs: 1_000, requestMs: 1_500 });
    expect(health.brokers[1]?.error).toContain('did not answer the ApiVersions request within 1.5 s (the request timeout)');
  });

  it('a call waiting on that broker shows its progress with the timeout and ends at once on Cancel', async () => {
    await app.ok('connections.setTimeouts', { connectionId, timeouts: { connectMs: 5_000, requestMs: 60_000 } });
    const address = silent.address.slice('PLAINTEXT://'.length);
    const pending = app.call('messages.read', { connectionId, topic: TOPIC, partitions: [1], seek: { mode: 'earliest' }, limit: { count: 10 } });
    // The progress the status bar shows: the request, where it waits, and the timeout it waits under.
    const waiting = await eventually(
      () => activity.filter((event) => event.key === connectionId).at(-1)?.pending ?? [],
      (items) => items.some((item) => item.address === address && item.timeoutMs === 60_000),
      30_000,
    );
    expect(waiting.find((item) => item.address === address)).toMatchObject({ kind: 'request', api: expect.any(String) });
    const cancelledAt = performance.now();
    await app.ok('connections.cancel', { connectionId });
    const result = await pending;
    expect(performance.now() - cancelledAt).toBeLessThan(5_000);
    expect(result).toMatchObject({ ok: false, error: { kind: 'cancelled', message: expect.stringContaining(address) } });

    await app.ok('connections.setTimeouts', { connectionId, timeouts: { connectMs: 5_000, requestMs: 15_000 } });
    await advertise(null);
  });
});
