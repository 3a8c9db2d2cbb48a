// Reading a sick cluster: every partial state of Metadata the app must read without failing, against
// the real embedded cluster. A topic with replication factor 1 loses partition 1 when broker 1 stops
// (leader -1, LEADER_NOT_AVAILABLE); a topic with replication factor 3 becomes under-replicated; the
// stopped broker vanishes from Metadata although it holds replicas. Then brokers that refuse
// connections or never answer, per-topic errors, and a preferred-leader election after the restart.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Admin } from '@platformatic/kafka';
import { partitionForKey } from '../../electron/kafka/partitioners/murmur2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterService } from '../../electron/services/cluster/service';
import { describeLogDirs, readMetadata } from '../../electron/services/cluster/read';
import { listGroupsOn } from '../../electron/services/groups/queries';
import { startCore, type TestCore } from './helpers';
import { eventually } from '../support/wait';

const connectionId = 'embedded';
const RF1 = 'sick.rf1';
const RF3 = 'sick.rf3';
const GROUP = 'sick.readers';
const DOWN = 1;

describe('a cluster with a stopped broker', () => {
  let app: TestCore;
  let admin: Admin;
  let stoppedAt = 0;
  beforeAll(async () => {
    app = await startCore();
    admin = new Admin({ clientId: 'sick-test', bootstrapBrokers: app.bootstrapServers.split(','), retries: 0 });
    // Each partition of the RF 1 topic on its own broker: partition 1's only replica is on broker 1.
    await admin.createTopics({
      topics: [RF1],
      partitions: -1,
      replicas: -1,
      assignments: [0, 1, 2].map((partition) => ({ partition, brokers: [partition] })),
    });
    await app.ok('topics.create', { connectionId, topic: RF3, partitions: 3, replicationFactor: 3 });
    for (const partition of [0, 1, 2]) {
      await app.ok('produce.send', { connectionId, topic: RF1, key: null, value: `p${partition}`, headers: [], partition, repeat: partition + 1 });
    }
    await app.ok('groups.resetOffsets', { connectionId, group: GROUP, topics: [RF1], strategy: { kind: 'earliest' } });
    stoppedAt = Date.now();
    await app.ok('embedded.stopBroker', { brokerId: DOWN });
  }, 60_000);
  afterAll(async () => {
    await admin?.close();
    await app?.close();
  });

  it('Metadata itself: leader -1 with LEADER_NOT_AVAILABLE, and broker 1 missing although it holds replicas', async () => {
    const snapshot = await readMetadata(admin, null);
    expect([...snapshot.brokers.keys()].sort()).toEqual([0, 2]);
    const offline = snapshot.topics.get(RF1)?.partitions[1];
    expect(offline).toMatchObject({ partition: 1, leader: -1, replicas: [DOWN], error: 'LEADER_NOT_AVAILABLE' });
    // The client library's own Metadata parser throws on exactly this answer.
    await expect(admin.metadata({ topics: [RF1], forceUpdate: true })).rejects.toThrow();
  });

  it('overview: counts, the down broker listed as down since the stop, and the offline partition explained', async () => {
    const overview = await app.ok('cluster.overview', { connectionId });
    expect(overview.offlinePartitions).toBe(1);
    expect(overview.underReplicatedPartitions).toBe(3);
    expect(overview.problems).toContainEqual(
      expect.objectContaining({ topic: RF1, partition: 1, kind: 'offline', leader: -1, replicas: [DOWN], error: 'LEADER_NOT_AVAILABLE' }),
    );
    expect(overview.problems.filter((problem) => problem.kind === 'under-replicated').map((problem) => problem.topic)).toEqual([RF3, RF3, RF3]);
    expect(overview.brokers.map((broker) => [broker.id, broker.state])).toEqual([
      [0, 'up'],
      [1, 'down'],
      [2, 'up'],
    ]);
    const down = overview.brokers[1]!;
    expect(down.host).toBe('127.0.0.1');
    expect(down.downSince).toBeGreaterThanOrEqual(stoppedAt);
    expect(down.downSince).toBeLessThanOrEqual(Date.now());
    // It still holds a replica of every RF 3 partition and the RF 1 partition, none of them in sync (the
    // cluster tracks eligible leader replicas, as 4.1 does: the RF 1 partition's ISR is empty, its replica eligible).
    expect(down).toMatchObject({ replicas: 4, outOfSyncReplicas: 4, offlinePartitions: 1, leaderPartitions: 0 });
  });

  it('topics list and stats: right counts, records and sizes of the partitions that answered', async () => {
    const topics = await app.ok('topics.list', { connectionId });
    expect(topics.find((topic) => topic.name === RF1)).toMatchObject({ offlinePartitions: 1, underReplicatedPartitions: 0, error: null });
    expect(topics.find((topic) => topic.name === RF3)).toMatchObject({ offlinePartitions: 0, underReplicatedPartitions: 3 });
    const stats = await app.ok('topics.stats', { connectionId });
    // Partitions 0 and 2 hold 1 and 3 records; partition 1's 2 records are on the stopped broker.
    expect(stats.find((topic) => topic.name === RF1)).toMatchObject({ records: 4, recordsUnknownPartitions: 1, sizeUnknownPartitions: 1 });
    expect(stats.find((topic) => topic.name === RF3)).toMatchObject({ records: 0, recordsUnknownPartitions: 0, sizeUnknownPartitions: 0 });
  });

  it('topic page: per-partition errors and the brokers needed to explain them', async () => {
    const detail = await app.ok('topics.describe', { connectionId, topic: RF1 });
    expect(detail.partitions.map((partition) => [partition.partition, partition.leader, partition.highWatermark])).toEqual([
      [0, 0, 1],
      [1, -1, null],
      [2, 2, 3],
    ]);
    expect(detail.partitions[1]).toMatchObject({ error: 'LEADER_NOT_AVAILABLE', readError: expect.stringMatching(/offline/) });
    expect(detail.partitions[1]?.readError).toMatch(/broker 1 is down/);
    expect(detail.partitions[0]).toMatchObject({ error: null, readError: null });
    expect(detail.brokers.find((broker) => broker.id === DOWN)).toMatchObject({ state: 'down', host: '127.0.0.1' });
  });

  it('a topic that does not exist is a per-topic error in Metadata, and not-found on its page', async () => {
    const snapshot = await readMetadata(admin, [RF3, 'sick.missing']);
    expect(snapshot.topics.get('sick.missing')).toMatchObject({ error: 'UNKNOWN_TOPIC_OR_PARTITION', partitions: [] });
    expect(snapshot.topics.get(RF3)).toMatchObject({ error: null });
    expect(await app.call('topics.describe', { connectionId, topic: 'sick.missing' })).toMatchObject({ ok: false, error: { kind: 'not-found' } });
  });

  it('consumer group: lag of the partitions that answered, unknown for the offline one', async () => {
    const detail = await app.ok('groups.describe', { connectionId, group: GROUP });
    expect(detail.partitions.map(({ partition, end, lag }) => ({ partition, end, lag }))).toEqual([
      { partition: 0, end: 1, lag: 1 },
      { partition: 1, end: null, lag: null },
      { partition: 2, end: 3, lag: 3 },
    ]);
    expect(detail.totalLag).toBe(4);
    const groups = await app.ok('groups.list', { connectionId });
    expect(groups.map((group) => group.id)).toContain(GROUP);
  });

  it('messages: all partitions read what they can and say which one is missing; the offline one alone is an error', async () => {
    const page = await app.ok('messages.read', { connectionId, topic: RF1, partitions: null, seek: { mode: 'earliest' }, limit: { count: 50 } });
    expect(page.records.map((record) => record.partition).sort()).toEqual([0, 2, 2, 2]);
    expect(page.notes.join(' ')).toMatch(/partition 1 is offline/);
    const alone = await app.call('messages.read', { connectionId, topic: RF1, partitions: [1], seek: { mode: 'earliest' }, limit: { count: 50 } });
    expect(alone).toMatchObject({ ok: false, error: { kind: 'unavailable' } });
    if (!alone.ok) expect(alone.error.message).toMatch(/partition 1 is offline/);
  });

  it('produce: records go to the partitions that have a leader; the offline one says why it cannot take them', async () => {
    const spread = await app.ok('produce.send', { connectionId, topic: RF1, key: null, value: 'x', headers: [], partition: null, repeat: 4 });
    expect(new Set(spread.records.map((record) => record.partition))).toEqual(new Set([0, 2]));
    const pinned = await app.ok('produce.send', { connectionId, topic: RF1, key: null, value: 'x', headers: [], partition: 2, repeat: 1 });
    expect(pinned.records).toEqual([{ index: 0, partition: 2, offset: expect.any(Number) }]);
    const refused = await app.call('produce.send', { connectionId, topic: RF1, key: null, value: 'x', headers: [], partition: 1, repeat: 1 });
    expect(refused).toMatchObject({
      ok: false,
      error: { kind: 'unavailable', message: `Partition 1 of "${RF1}" is offline (it has no leader), so it cannot take records now.` },
    });
  });

  it('produce with templated keys: the records whose key falls on the offline partition fail alone, each saying why', async () => {
    const result = await app.ok('produce.send', {
      connectionId,
      topic: RF1,
      key: 'k-{{seq}}',
      value: 'x',
      headers: [],
      partition: null,
      repeat: 12,
      templates: true,
    });
    const offlineIndexes = Array.from({ length: 12 }, (_, index) => index).filter((index) => partitionForKey(Buffer.from(`k-${index + 1}`), 3) === 1);
    expect(offlineIndexes.length).toBeGreaterThan(0);
    expect(result.failed.map((record) => record.index)).toEqual(offlineIndexes);
    expect(result.failed.every((record) => record.partition === 1 && /partition 1 of "sick\.rf1", which is offline/.test(record.error))).toBe(true);
    expect(result.records).toHaveLength(12 - offlineIndexes.length);
    expect(result.records.every((record) => record.partition === partitionForKey(Buffer.from(`k-${record.index + 1}`), 3))).toBe(true);
  });

  it("broker page: a down broker's replicas from Metadata, its log dirs and configs said to be unreachable", async () => {
    const down = await app.ok('brokers.describe', { connectionId, brokerId: DOWN });
    expect(down.broker).toMatchObject({ id: DOWN, state: 'down' });
    expect(down.replicas.filter((replica) => !replica.topic.startsWith('__')).map((replica) => [replica.topic, replica.partition, replica.offline])).toEqual([
      [RF1, 1, true],
      [RF3, 0, false],
      [RF3, 1, false],
      [RF3, 2, false],
    ]);
    expect(down.logDirs).toBeNull();
    expect(down.logDirsError).toMatch(/down/);
    const up = await app.ok('brokers.describe', { connectionId, brokerId: 2 });
    expect(up.broker.state).toBe('up');
    expect(up.logDirs?.[0]?.replicas).toBeGreaterThan(0);
    expect(up.configs?.find((config) => config.name === 'broker.id')?.value).toBe('2');
    const hosted = up.replicas.find((replica) => replica.topic === RF1);
    expect(hosted).toMatchObject({ partition: 2, role: 'leader', inSync: true, logDir: up.logDirs?.[0]?.path });
    expect(hosted?.sizeBytes).toBeGreaterThan(0);
    expect(await app.call('brokers.describe', { connectionId, brokerId: 7 })).toMatchObject({ ok: false, error: { kind: 'not-found' } });
  });

  it('a broker known only from replica assignments (never seen up) is listed as down without an address', async () => {
    const fresh = new ClusterService({ dataDir: null, admin: async () => admin });
    const overview = await fresh.overview('external');
    expect(overview.brokers.find((broker) => broker.id === DOWN)).toMatchObject({ state: 'down', host: null, port: null, lastSeenAt: null, downSince: null });
    await fresh.close();
  });

  it('remembers across restarts when it last saw a broker that has since gone', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-history-'));
    try {
      const first = new ClusterService({ dataDir, admin: async () => admin });
      await first.load();
      const snapshot = await readMetadata(admin, []);
      // As if the first read had seen broker 1 up at its address, an hour ago.
      first.history.observe('external', {
        ...snapshot,
        brokers: new Map([...snapshot.brokers, [DOWN, { host: '10.1.2.3', port: 9093, rack: 'r1' }]]),
        at: Date.now() - 3_600_000,
      });
      await first.overview('external');
      await first.close();
      const second = new ClusterService({ dataDir, admin: async () => admin });
      await second.load();
      const broker = (await second.overview('external')).brokers.find((entry) => entry.id === DOWN);
      expect(broker).toMatchObject({ state: 'down', host: '10.1.2.3', port: 9093, rack: 'r1' });
      expect(broker?.lastSeenAt).toBeLessThan(Date.now() - 3_000_000);
      expect(broker?.downSince).toBeGreaterThan(broker?.lastSeenAt ?? Infinity);
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('a broker that refuses connections or never answers fails alone, saying which one and why', async () => {
    // The stopped broker's port refuses; a server that accepts and stays silent times out.
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as { port: number }).port;
    const patient = new Admin({
      clientId: 'sick-timeouts',
      bootstrapBrokers: app.bootstrapServers.split(','),
      retries: 0,
      requestTimeout: 1_000,
      connectTimeout: 1_000,
    });
    try {
      const snapshot = await readMetadata(patient, []);
      const refusedPort = Number(app.bootstrapServers.split(',')[DOWN]?.split(':')[1]);
      const answers = await describeLogDirs(
        patient,
        new Map<number, { host: string; port: number }>([
          [0, snapshot.brokers.get(0)!],
          [DOWN, { host: '127.0.0.1', port: refusedPort }],
          [9, { host: '127.0.0.1', port: silentPort }],
        ]),
        null,
      );
      expect(answers.find((answer) => answer.broker === 0)).toMatchObject({ error: null });
      expect(answers.find((answer) => answer.broker === DOWN)?.error).toBe(
        `DescribeLogDirs on broker 1 (127.0.0.1:${refusedPort}) failed: the connection was refused`,
      );
      expect(answers.find((answer) => answer.broker === 9)?.error).toBe(
        `DescribeLogDirs on broker 9 (127.0.0.1:${silentPort}) failed: it did not answer in time`,
      );

      // The groups a broker coordinates are listed by that broker only: one that refuses is named,
      // the others' groups are listed.
      const listing = await listGroupsOn(
        patient,
        new Map<number, { host: string; port: number }>([...snapshot.brokers, [DOWN, { host: '127.0.0.1', port: refusedPort }]]),
      );
      expect([...listing.groups.keys()]).toContain(GROUP);
      expect([...listing.failed]).toEqual([[DOWN, `ListGroups on broker 1 (127.0.0.1:${refusedPort}) failed: the connection was refused`]]);
    } finally {
      await patient.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('heals when the broker is back; a preferred-leader election then moves leadership back', async () => {
    const before = await app.ok('topics.describe', { connectionId, topic: RF3 });
    const displaced = before.partitions.filter((partition) => partition.replicas[0] === DOWN).map((partition) => partition.partition);
    expect(displaced.length).toBeGreaterThan(0);

    // While broker 1 is down its partitions cannot move back: the preview says why.
    const blocked = await app.ok('cluster.electionPreview', { connectionId, target: { scope: 'topic', topic: RF3 } });
    expect(blocked.moves.filter((move) => move.to === DOWN).every((move) => move.blocked === 'broker 1 is down')).toBe(true);

    await app.ok('embedded.startBroker', { brokerId: DOWN });
    const healed = await eventually(
      () => app.ok('cluster.overview', { connectionId }),
      (overview) => overview.offlinePartitions === 0 && overview.underReplicatedPartitions === 0,
      30_000,
    );
    expect(healed.brokers.find((broker) => broker.id === DOWN)).toMatchObject({ state: 'up', downSince: null });

    const preview = await app.ok('cluster.electionPreview', { connectionId, target: { scope: 'topic', topic: RF3 } });
    expect(preview.moves.map((move) => [move.partition, move.to, move.blocked])).toEqual(displaced.map((partition) => [partition, DOWN, null]));
    expect(preview.partitions).toBe(3);
    expect(preview.alreadyPreferred).toBe(3 - displaced.length);

    const one = await app.ok('cluster.electLeaders', { connectionId, target: { scope: 'partition', topic: RF3, partition: displaced[0]! } });
    expect(one).toEqual({ elected: 1, results: [{ topic: RF3, partition: displaced[0], error: null, message: null }] });
    const all = await app.ok('cluster.electLeaders', { connectionId, target: { scope: 'cluster' } });
    expect(all.results.every((result) => result.error === null)).toBe(true);
    const after = await app.ok('topics.describe', { connectionId, topic: RF3 });
    expect(after.partitions.every((partition) => partition.leader === partition.replicas[0])).toBe(true);
    expect((await app.ok('cluster.overview', { connectionId })).preferredLeaderImbalance).toBe(0);
    // Nothing left to move: the election asks for nothing.
    expect(await app.ok('cluster.electLeaders', { connectionId, target: { scope: 'cluster' } })).toEqual({ elected: 0, results: [] });
  }, 60_000);
});

describe('a replica with a storage failure on a broker that is up', () => {
  let app: TestCore;
  beforeAll(async () => {
    app = await startCore();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('is an offline replica of a live broker: counted on the broker, marked on its page, and gone once the log opens again', async () => {
    await app.ok('topics.create', { connectionId, topic: 'sick.disk', partitions: 1, replicationFactor: 3 });
    // Broker 2's directory for the partition becomes a file: its log cannot be opened when it starts.
    await app.ok('embedded.stopBroker', { brokerId: 2 });
    const dir = path.join(app.dataDir, 'kafka-data', 'broker-2');
    const name = (await readdir(dir)).find((entry) => entry.startsWith('sick.disk-'));
    expect(name).toBeDefined();
    await rm(path.join(dir, name!), { recursive: true, force: true });
    await writeFile(path.join(dir, name!), 'not a log directory');
    await app.ok('embedded.startBroker', { brokerId: 2 });

    const overview = await eventually(
      () => app.ok('cluster.overview', { connectionId }),
      (value) => value.brokers.find((broker) => broker.id === 2)?.failedReplicas === 1,
    );
    expect(overview.brokers.find((broker) => broker.id === 2)).toMatchObject({ state: 'up', failedReplicas: 1 });
    expect(overview.problems).toContainEqual(expect.objectContaining({ topic: 'sick.disk', kind: 'under-replicated', offlineReplicas: [2] }));
    const page = await app.ok('brokers.describe', { connectionId, brokerId: 2 });
    expect(page.replicas.find((replica) => replica.topic === 'sick.disk')).toMatchObject({ storageFailure: true, inSync: false });

    // The broker retries the open every second: with the file gone it heals.
    await rm(path.join(dir, name!), { force: true });
    await eventually(
      () => app.ok('cluster.overview', { connectionId }),
      (value) => value.brokers.every((broker) => broker.failedReplicas === 0) && value.underReplicatedPartitions === 0,
      30_000,
    );
  }, 60_000);
});
