// Consumer groups, lag and the lag sampler through the IPC registry, against a real 3-broker embedded
// cluster with real consumers (@platformatic/kafka): lag with and without commits, after resets and
// after records are deleted, deletes, the demo, and the sampler's series across a restart of the app.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Consumer } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, EventName, EventPayload, IpcResult, RequestOf, ResponseOf } from '../../shared/ipc/contract';
import { DEMO_GROUP, DEMO_SECOND_GROUP, DEMO_TOPIC, type GroupDetail } from '../../shared/model/groups';
import { createAppCore, type AppCore } from '../../electron/core/app-core';
import type { EmbeddedClusterFactory } from '../../electron/services/embedded-cluster/factory';
import { MemorySecretStore } from '../../electron/services/secrets/service';
import { eventually } from '../support/wait';
import { RawClient } from '../broker/handlers/raw-client';
import {
  createFindCoordinatorRequest,
  createShareGroupHeartbeatRequest,
  FindCoordinator,
  ShareGroupHeartbeat,
  UpdateFeatures,
} from '../../electron/kafka/protocol/generated/index';
import { writeOrphanTransaction } from '../support/orphan-transaction';

const connectionId = 'embedded';

/** The app's core on a real embedded cluster with a small offsets topic and no initial rebalance delay. */
async function startApp(dataDir: string, options: { brokers?: number } = {}) {
  const factory = async (): Promise<EmbeddedClusterFactory> => {
    const { EmbeddedCluster } = await import('../../electron/broker/cluster/cluster');
    const { silentLogger } = await import('../../electron/broker/server/logger');
    return {
      start: (settings) =>
        EmbeddedCluster.start({
          ...settings,
          basePort: 0,
          logger: silentLogger,
          config: { 'offsets.topic.num.partitions': '6', 'group.initial.rebalance.delay.ms': '0', 'group.min.session.timeout.ms': '500' },
        }),
    };
  };
  const core: AppCore = await createAppCore({
    mode: 'web',
    version: 'test',
    dataDir,
    secrets: new MemorySecretStore(),
    embeddedOverride: { enabled: true, brokers: options.brokers ?? 3, basePort: 20_000 },
    embeddedFactory: factory,
    lagSampleIntervalMs: 1_000,
  });
  const status = core.embedded.status();
  if (status.state !== 'running') throw new Error(`embedded cluster did not start: ${status.message}`);
  const call = <C extends Channel>(channel: C, request: RequestOf<C>) => core.dispatch(channel, request) as Promise<IpcResult<ResponseOf<C>>>;
  const ok = async <C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> => {
    const result = await call(channel, request);
    if (!result.ok) throw new Error(`${channel} failed: ${result.error.kind}: ${result.error.message}`);
    return result.value;
  };
  const events: { event: EventName; payload: unknown }[] = [];
  core.hub.subscribe((event, payload) => events.push({ event, payload }));
  const waitEvent = <E extends EventName>(event: E, accept: (payload: EventPayload<E>) => boolean, timeoutMs = 20_000) =>
    eventually(
      () => events.filter((entry) => entry.event === event).map((entry) => entry.payload as EventPayload<E>),
      (payloads) => payloads.some(accept),
      timeoutMs,
    );
  return { core, call, ok, events, waitEvent, bootstrap: status.bootstrapServers as string };
}

type App = Awaited<ReturnType<typeof startApp>>;

async function produceTo(app: App, topic: string, partition: number, count: number): Promise<void> {
  if (count) await app.ok('produce.send', { connectionId, topic, key: null, value: 'x', headers: [], partition, repeat: count });
}

function byPartition(detail: GroupDetail, topic: string) {
  return detail.partitions
    .filter((partition) => partition.topic === topic)
    .map(({ partition, committed, start, end, lag }) => ({ partition, committed, start, end, lag }));
}

/** A consumer that joins a group and commits only when told. */
async function member(bootstrap: string, group: string, topics: string[], clientId: string) {
  const consumer = new Consumer({
    groupId: group,
    clientId,
    bootstrapBrokers: bootstrap.split(','),
    autocommit: false,
    sessionTimeout: 6_000,
    heartbeatInterval: 500,
    maxWaitTime: 200,
    highWaterMark: 8,
  });
  const stream = await consumer.consume({ topics, mode: 'earliest' });
  return {
    consumer,
    commit: (offsets: { topic: string; partition: number; offset: number }[]) =>
      consumer.commit({ offsets: offsets.map((entry) => ({ ...entry, offset: BigInt(entry.offset), leaderEpoch: -1 })) }),
    async close() {
      await stream.close().catch(() => undefined);
      await new Promise<void>((resolve) => consumer.close(true, () => resolve()));
    },
  };
}

describe('consumer groups and lag on the embedded cluster', () => {
  let app: App;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-groups-'));
    app = await startApp(dataDir);
    await app.ok('topics.create', { connectionId, topic: 'lag.orders', partitions: 4, replicationFactor: 3 });
    await produceTo(app, 'lag.orders', 0, 10);
    await produceTo(app, 'lag.orders', 1, 20);
    await produceTo(app, 'lag.orders', 2, 5);
  }, 120_000);
  afterAll(async () => {
    await app?.core.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('shows lag for committed partitions and "no committed offset" (null, not 0) for the others, per member too', async () => {
    const one = await member(app.bootstrap, 'lag.mixed', ['lag.orders'], 'mixed-1');
    try {
      await eventually(
        () => app.ok('groups.describe', { connectionId, group: 'lag.mixed' }),
        (detail) => detail.state === 'STABLE' && detail.members[0]?.assignments[0]?.partitions.length === 4,
        30_000,
      );
      await one.commit([
        { topic: 'lag.orders', partition: 0, offset: 4 },
        { topic: 'lag.orders', partition: 1, offset: 20 },
      ]);
      const detail = await app.ok('groups.describe', { connectionId, group: 'lag.mixed' });
      expect(byPartition(detail, 'lag.orders')).toEqual([
        { partition: 0, committed: 4, start: 0, end: 10, lag: 6 },
        { partition: 1, committed: 20, start: 0, end: 20, lag: 0 },
        { partition: 2, committed: null, start: 0, end: 5, lag: null },
        { partition: 3, committed: null, start: 0, end: 0, lag: null },
      ]);
      expect(detail.totalLag).toBe(6);
      expect(detail.protocolType).toBe('consumer');
      expect(detail.coordinator?.id).toEqual(expect.any(Number));
      expect(detail.members).toHaveLength(1);
      expect(detail.members[0]).toMatchObject({ clientId: 'mixed-1', lag: 6, assignments: [{ topic: 'lag.orders', partitions: [0, 1, 2, 3] }] });
      expect(detail.members[0]?.host).not.toBe('');
      expect(detail.partitions.every((partition) => partition.clientId === 'mixed-1')).toBe(true);

      const list = await app.ok('groups.list', { connectionId });
      expect(list.find((group) => group.id === 'lag.mixed')).toMatchObject({
        state: 'STABLE',
        protocolType: 'consumer',
        members: 1,
        topics: ['lag.orders'],
        totalLag: 6,
        partitions: 4,
        partitionsWithoutCommit: 2,
        coordinator: detail.coordinator?.id,
      });

      // Offsets cannot be reset while the group has a member: the preview says why, applying is refused.
      const preview = await app.ok('groups.resetPreview', { connectionId, group: 'lag.mixed', topics: null, strategy: { kind: 'earliest' } });
      expect(preview.blocked).toMatch(/has 1 active member \(mixed-1\)\. Stop its consumer/);
      const refused = await app.call('groups.resetOffsets', { connectionId, group: 'lag.mixed', topics: null, strategy: { kind: 'earliest' } });
      expect(refused).toMatchObject({ ok: false, error: { kind: 'conflict' } });
      const deleteRefused = await app.call('groups.delete', { connectionId, group: 'lag.mixed' });
      expect(deleteRefused).toMatchObject({ ok: false, error: { kind: 'conflict' } });
    } finally {
      await one.close();
    }
    const empty = await eventually(
      () => app.ok('groups.describe', { connectionId, group: 'lag.mixed' }),
      (detail) => detail.state === 'EMPTY',
      30_000,
    );
    // Without members only committed partitions are listed.
    expect(byPartition(empty, 'lag.orders').map((partition) => partition.partition)).toEqual([0, 1]);
  }, 90_000);

  it('resets to earliest (lag = partition sizes), latest, a timestamp, given offsets and by a shift, previewing first', async () => {
    const group = 'lag.mixed';
    const earliest = await app.ok('groups.resetPreview', { connectionId, group, topics: ['lag.orders'], strategy: { kind: 'earliest' } });
    expect(earliest.blocked).toBeNull();
    expect(earliest.partitions.map(({ partition, current, target, lagBefore, lagAfter }) => ({ partition, current, target, lagBefore, lagAfter }))).toEqual([
      { partition: 0, current: 4, target: 0, lagBefore: 6, lagAfter: 10 },
      { partition: 1, current: 20, target: 0, lagBefore: 0, lagAfter: 20 },
      { partition: 2, current: null, target: 0, lagBefore: null, lagAfter: 5 },
      { partition: 3, current: null, target: 0, lagBefore: null, lagAfter: 0 },
    ]);
    expect(earliest.totalLagBefore).toBe(6);
    expect(earliest.totalLagAfter).toBe(35);
    // A preview changes nothing.
    expect((await app.ok('groups.describe', { connectionId, group })).totalLag).toBe(6);

    await app.ok('groups.resetOffsets', { connectionId, group, topics: ['lag.orders'], strategy: { kind: 'earliest' } });
    let detail = await app.ok('groups.describe', { connectionId, group });
    expect(byPartition(detail, 'lag.orders').map((partition) => partition.lag)).toEqual([10, 20, 5, 0]);
    expect(detail.totalLag).toBe(35);

    const shifted = await app.ok('groups.resetOffsets', { connectionId, group, topics: null, strategy: { kind: 'shift', by: 7 } });
    expect(shifted.partitions.map((partition) => [partition.target, partition.clamped])).toEqual([
      [7, false],
      [7, false],
      [5, true],
      [0, true],
    ]);
    detail = await app.ok('groups.describe', { connectionId, group });
    expect(byPartition(detail, 'lag.orders').map((partition) => partition.committed)).toEqual([7, 7, 5, 0]);

    const given = await app.ok('groups.resetOffsets', {
      connectionId,
      group,
      topics: null,
      strategy: {
        kind: 'offsets',
        offsets: [
          { topic: 'lag.orders', partition: 1, offset: 15 },
          { topic: 'lag.orders', partition: 0, offset: 999 },
        ],
      },
    });
    expect(given.partitions.map((partition) => [partition.partition, partition.target, partition.clamped])).toEqual([
      [0, 10, true],
      [1, 15, false],
    ]);
    detail = await app.ok('groups.describe', { connectionId, group });
    expect(byPartition(detail, 'lag.orders').map((partition) => partition.committed)).toEqual([10, 15, 5, 0]);

    // A timestamp between two produce rounds lands on the first record written after it.
    const before = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await produceTo(app, 'lag.orders', 3, 4);
    const byTime = await app.ok('groups.resetPreview', { connectionId, group, topics: ['lag.orders'], strategy: { kind: 'timestamp', timestamp: before } });
    expect(byTime.partitions.map((partition) => partition.target)).toEqual([10, 20, 5, 0]);

    await app.ok('groups.resetOffsets', { connectionId, group, topics: null, strategy: { kind: 'latest' } });
    detail = await app.ok('groups.describe', { connectionId, group });
    expect(detail.totalLag).toBe(0);

    const badPartition = await app.call('groups.resetPreview', {
      connectionId,
      group,
      topics: null,
      strategy: { kind: 'offsets', offsets: [{ topic: 'lag.orders', partition: 9, offset: 0 }] },
    });
    expect(badPartition).toMatchObject({ ok: false, error: { kind: 'invalid-request' } });
    const unknownTopic = await app.call('groups.resetPreview', { connectionId, group, topics: ['nope'], strategy: { kind: 'earliest' } });
    expect(unknownTopic).toMatchObject({ ok: false, error: { kind: 'not-found' } });
  }, 60_000);

  it('counts only records that still exist once records are deleted below the committed offset', async () => {
    await app.ok('topics.create', { connectionId, topic: 'lag.deleted', partitions: 2, replicationFactor: 3 });
    await produceTo(app, 'lag.deleted', 0, 12);
    await produceTo(app, 'lag.deleted', 1, 6);
    const admin = await app.core.connections.admin(connectionId);
    await admin.alterConsumerGroupOffsets({
      groupId: 'lag.simple',
      topics: [
        {
          name: 'lag.deleted',
          partitionOffsets: [
            { partition: 0, offset: 2n },
            { partition: 1, offset: 5n },
          ],
        },
      ],
    });
    expect(byPartition(await app.ok('groups.describe', { connectionId, group: 'lag.simple' }), 'lag.deleted').map((p) => p.lag)).toEqual([10, 1]);
    await admin.deleteRecords({
      topics: [
        {
          name: 'lag.deleted',
          partitions: [
            { partition: 0, offset: 8n },
            { partition: 1, offset: 3n },
          ],
        },
      ],
    });
    const detail = await app.ok('groups.describe', { connectionId, group: 'lag.simple' });
    expect(byPartition(detail, 'lag.deleted')).toEqual([
      // Committed 2, but records 2..7 are gone: 4 records are left to read.
      { partition: 0, committed: 2, start: 8, end: 12, lag: 4 },
      { partition: 1, committed: 5, start: 3, end: 6, lag: 1 },
    ]);
    const earliest = await app.ok('groups.resetPreview', { connectionId, group: 'lag.simple', topics: null, strategy: { kind: 'earliest' } });
    expect(earliest.partitions.map((partition) => partition.target)).toEqual([8, 3]);
    // Everything purged: no lag left, whatever was committed.
    await app.ok('topics.purge', { connectionId, topic: 'lag.deleted' });
    expect((await app.ok('groups.describe', { connectionId, group: 'lag.simple' })).totalLag).toBe(0);
  }, 60_000);

  it("measures a read_committed consumer's lag to the last stable offset where an open transaction holds it below the end", async () => {
    await app.ok('topics.create', { connectionId, topic: 'lag.txn', partitions: 1, replicationFactor: 3 });
    await produceTo(app, 'lag.txn', 0, 5);
    // Offsets 5-7: a transaction nothing will end (until aborted); then 8-9 plain records.
    await writeOrphanTransaction(app.bootstrap, {
      transactionalId: 'lag-open',
      topic: 'lag.txn',
      partition: 0,
      values: ['t1', 't2', 't3'],
      timestamp: Date.now(),
    });
    await produceTo(app, 'lag.txn', 0, 2);
    // A group with no members commits offset 3.
    await app.ok('groups.resetOffsets', {
      connectionId,
      group: 'lag.committed-reader',
      topics: ['lag.txn'],
      strategy: { kind: 'offsets', offsets: [{ topic: 'lag.txn', partition: 0, offset: 3 }] },
    });
    const detail = await app.ok('groups.describe', { connectionId, group: 'lag.committed-reader' });
    // read_uncommitted: 7 records to the end (10); read_committed: 2 to the last stable offset (5).
    expect(detail.partitions).toEqual([expect.objectContaining({ topic: 'lag.txn', partition: 0, committed: 3, end: 10, lag: 7, stableEnd: 5, stableLag: 2 })]);
    expect(detail.totalLag).toBe(7);
    // Where no transaction holds a partition back there is one lag.
    const mixed = await app.ok('groups.describe', { connectionId, group: 'lag.mixed' });
    expect(mixed.partitions.every((partition) => partition.stableEnd === null && partition.stableLag === null)).toBe(true);
  });

  it("deletes a group's offsets for one topic, then the group", async () => {
    const admin = await app.core.connections.admin(connectionId);
    await admin.alterConsumerGroupOffsets({
      groupId: 'lag.two-topics',
      topics: [
        { name: 'lag.orders', partitionOffsets: [{ partition: 0, offset: 1n }] },
        { name: 'lag.deleted', partitionOffsets: [{ partition: 0, offset: 12n }] },
      ],
    });
    expect((await app.ok('groups.deleteOffsets', { connectionId, group: 'lag.two-topics', topic: 'lag.orders' })).partitions).toBe(1);
    const detail = await app.ok('groups.describe', { connectionId, group: 'lag.two-topics' });
    expect([...new Set(detail.partitions.map((partition) => partition.topic))]).toEqual(['lag.deleted']);
    const none = await app.call('groups.deleteOffsets', { connectionId, group: 'lag.two-topics', topic: 'lag.orders' });
    expect(none).toMatchObject({ ok: false, error: { kind: 'not-found' } });

    await app.ok('groups.delete', { connectionId, group: 'lag.two-topics' });
    const gone = await app.call('groups.describe', { connectionId, group: 'lag.two-topics' });
    expect(gone).toMatchObject({ ok: false, error: { kind: 'not-found' } });
    expect((await app.ok('groups.list', { connectionId })).map((group) => group.id)).not.toContain('lag.two-topics');
  }, 60_000);

  it('samples groups on screen, serves their series and a topic chart, and keeps the series across a restart of the app', async () => {
    const admin = await app.core.connections.admin(connectionId);
    await admin.alterConsumerGroupOffsets({ groupId: 'lag.sampled', topics: [{ name: 'lag.orders', partitionOffsets: [{ partition: 1, offset: 5n }] }] });
    await app.ok('lag.view', { connectionId, viewId: 'test-detail', groups: ['lag.sampled'] });
    await app.waitEvent('lag.sampled', (event) => event.groups.includes('lag.sampled'));
    await produceTo(app, 'lag.orders', 1, 10);
    const series = await eventually(
      () => app.ok('lag.series', { connectionId, group: 'lag.sampled', rangeMs: 5 * 60_000, stack: 'partition' }),
      (value) => value.points.length >= 3 && value.points[value.points.length - 1]?.total === 25,
      20_000,
    );
    expect(series.keys).toEqual(['lag.orders-1']);
    expect(series.points[0]?.total).toBe(15);
    expect(series.summary.lag).toBe(25);
    expect(series.summary.produceRate).toBeGreaterThan(0);
    expect(series.summary.consumeRate).toBe(0);
    expect(series.summary.catchUpMs).toBeNull();
    await app.ok('lag.watch', { connectionId, group: 'lag.sampled', watched: true });
    const topic = await app.ok('lag.topic', { connectionId, topic: 'lag.orders', rangeMs: 5 * 60_000 });
    expect(topic.groups).toContain('lag.sampled');
    const sampledAll = await app.ok('lag.sampleAll', { connectionId });
    expect(sampledAll.groups).toBeGreaterThanOrEqual(2);
    const sparklines = await app.ok('lag.sparklines', { connectionId, groups: ['lag.sampled', 'unknown.group'], rangeMs: 5 * 60_000 });
    expect(sparklines['lag.sampled']?.length).toBeGreaterThanOrEqual(3);
    expect(sparklines['unknown.group']).toEqual([]);
    const points = series.points.length;

    // Restart the whole app on the same data dir: brokers, offsets and the lag history come back.
    await app.core.close();
    app = await startApp(dataDir);
    const restored = await app.ok('lag.series', { connectionId, group: 'lag.sampled', rangeMs: 5 * 60_000, stack: 'partition' });
    expect(restored.points.length).toBeGreaterThanOrEqual(points);
    expect(restored.points.slice(0, points).map((point) => point.total)).toEqual(series.points.map((point) => point.total));
    expect(restored.watched).toBe(true);
    // The watched group is sampled again without anyone looking.
    await app.waitEvent('lag.sampled', (event) => event.groups.includes('lag.sampled'));
    expect((await app.ok('groups.describe', { connectionId, group: 'lag.sampled' })).totalLag).toBe(25);
  }, 120_000);

  it('lists a KIP-848 consumer group with its type beside a classic one and describes its members, epochs and assignments', async () => {
    await app.ok('topics.create', { connectionId, topic: 'kip848.orders', partitions: 4, replicationFactor: 3 });
    const kip848 = new Consumer({
      groupId: 'kip848.billing',
      groupProtocol: 'consumer',
      clientId: 'kip848-member',
      bootstrapBrokers: app.bootstrap.split(','),
      rebalanceTimeout: 60_000,
      maxWaitTime: 200,
    });
    const stream = await kip848.consume({ topics: ['kip848.orders'], mode: 'earliest' });
    const classic = await member(app.bootstrap, 'kip848.classic-beside', ['kip848.orders'], 'classic-member');
    try {
      const detail = await eventually(
        () => app.ok('groups.describe', { connectionId, group: 'kip848.billing' }),
        (d) => d.state === 'STABLE' && d.members.length === 1 && d.members[0]!.assignments[0]?.partitions.length === 4,
        30_000,
      );
      expect(detail).toMatchObject({ groupType: 'consumer', protocolType: 'consumer', protocol: 'uniform' });
      expect(detail.epochs!.assignment).toBe(detail.epochs!.group);
      const [m] = detail.members;
      expect(m!.clientId).toBe('kip848-member');
      // The embedded cluster answers ConsumerGroupDescribe v1 (KIP-1099): the member speaks the consumer protocol.
      expect(m!.consumerProtocol).toMatchObject({
        memberEpoch: detail.epochs!.group,
        subscribedTopics: ['kip848.orders'],
        revoking: [],
        assigning: [],
        memberType: 'consumer',
      });
      expect(m!.consumerProtocol!.target).toEqual([{ topic: 'kip848.orders', partitions: [0, 1, 2, 3] }]);
      expect(detail.partitions.map((p) => p.clientId)).toEqual(['kip848-member', 'kip848-member', 'kip848-member', 'kip848-member']);
      const list = await eventually(
        () => app.ok('groups.list', { connectionId }),
        (groups) => groups.some((g) => g.id === 'kip848.classic-beside' && g.members === 1),
        30_000,
      );
      expect(list.find((g) => g.id === 'kip848.billing')).toMatchObject({ groupType: 'consumer', state: 'STABLE', members: 1, protocol: 'uniform' });
      expect(list.find((g) => g.id === 'kip848.classic-beside')).toMatchObject({ groupType: 'classic', protocolType: 'consumer' });

      // A classic member (JoinGroup) joins the consumer group, as in a rolling upgrade (KIP-848's online
      // migration): ConsumerGroupDescribe v1 (KIP-1099) says which protocol each member speaks.
      const joining = await member(app.bootstrap, 'kip848.billing', ['kip848.orders'], 'classic-joiner');
      try {
        const mixed = await eventually(
          () => app.ok('groups.describe', { connectionId, group: 'kip848.billing' }),
          (d) => d.state === 'STABLE' && d.members.length === 2,
          30_000,
        );
        expect(mixed.groupType).toBe('consumer');
        expect(mixed.members.map((m) => `${m.clientId} ${m.consumerProtocol?.memberType}`).sort()).toEqual([
          'classic-joiner classic',
          'kip848-member consumer',
        ]);
      } finally {
        await joining.close();
      }
    } finally {
      await stream.close().catch(() => undefined);
      await kip848.close(true).catch(() => undefined);
      await classic.close();
    }
  });

  it('lists a share group (KIP-932) with type share and shows its members and their shared partitions', async () => {
    // No client here speaks KIP-932: the group is made over the wire with the generated codec, as a
    // Kafka 4.1 share consumer makes it, after enabling share groups (share.version 1) on the cluster.
    await app.ok('topics.create', { connectionId, topic: 'share.jobs', partitions: 2, replicationFactor: 3 });
    const brokers = app.bootstrap.split(',');
    const admin = await RawClient.open(brokers[0]!);
    try {
      const enabled = await admin.call(UpdateFeatures, 1, {
        timeoutMs: 30000,
        validateOnly: false,
        featureUpdates: [{ feature: 'share.version', maxVersionLevel: 1, upgradeType: 1, allowDowngrade: false }],
      });
      expect(enabled.errorCode).toBe(0);
      const found = await admin.call(FindCoordinator, 3, { ...createFindCoordinatorRequest(), key: 'share.workers' });
      const coordinator = await RawClient.open(`${found.host}:${found.port}`);
      try {
        for (const memberId of ['worker-1', 'worker-2', 'worker-3']) {
          const joined = await coordinator.call(ShareGroupHeartbeat, 1, {
            ...createShareGroupHeartbeatRequest(),
            groupId: 'share.workers',
            memberId,
            memberEpoch: 0,
            subscribedTopicNames: ['share.jobs'],
          });
          expect(joined.errorCode).toBe(0);
        }
        const list = await eventually(
          () => app.ok('groups.list', { connectionId }),
          (groups) => groups.some((g) => g.id === 'share.workers'),
          30_000,
        );
        expect(list.find((g) => g.id === 'share.workers')).toMatchObject({ groupType: 'share', state: 'STABLE', members: 3, protocol: 'simple' });
        const detail = await app.ok('groups.describe', { connectionId, group: 'share.workers' });
        expect(detail).toMatchObject({ groupType: 'share', protocolType: 'share', protocol: 'simple', epochs: { group: 3, assignment: 3 } });
        // Three members on two partitions: each gets one, so partition 0 is shared; a member takes its new
        // share at its next heartbeat, so worker-1 (alone at epoch 1) still has both.
        expect(
          detail.members
            .map((m) => `${m.memberId}@${m.consumerProtocol?.memberEpoch} ${m.assignments.map((a) => `${a.topic}:${a.partitions.join(',')}`).join()}`)
            .sort(),
        ).toEqual(['worker-1@1 share.jobs:0,1', 'worker-2@2 share.jobs:1', 'worker-3@3 share.jobs:0']);
      } finally {
        coordinator.close();
      }
    } finally {
      admin.close();
    }
  });

  it('runs the demo: two consumers share the partitions, a second group reads them all, lag follows the rates, all stops cleanly', async () => {
    const started = await app.ok('demo.start', { produceRate: 200, consumeRate: 20, consumers: 2, secondGroup: true });
    expect(started.topic).toBe(DEMO_TOPIC);
    expect(started.consumers.map((consumer) => consumer.name)).toEqual([`${DEMO_SECOND_GROUP}-1`, `${DEMO_GROUP}-1`, `${DEMO_GROUP}-2`]);
    const status = await eventually(
      () => app.ok('demo.status', {}),
      (value) =>
        value.produced > 0 &&
        value.consumers.every((consumer) => consumer.consumed > 0) &&
        value.consumers.filter((consumer) => consumer.group === DEMO_GROUP).every((consumer) => consumer.partitions.length === 2) &&
        value.consumers.find((consumer) => consumer.group === DEMO_SECOND_GROUP)?.partitions.length === 4,
      45_000,
    );
    // A queue: the two members of one group split the partitions between them.
    const [first, second] = status.consumers.filter((consumer) => consumer.group === DEMO_GROUP);
    expect([...(first?.partitions ?? []), ...(second?.partitions ?? [])].sort()).toEqual([0, 1, 2, 3]);

    const detail = await eventually(
      () => app.ok('groups.describe', { connectionId, group: DEMO_GROUP }),
      (value) => value.members.length === 2 && (value.totalLag ?? 0) > 0,
      20_000,
    );
    expect(detail.state).toBe('STABLE');
    const list = await app.ok('groups.list', { connectionId });
    expect(list.find((group) => group.id === DEMO_SECOND_GROUP)).toMatchObject({ members: 1, topics: [DEMO_TOPIC] });

    const stopped = await app.ok('demo.stop', { what: 'consumers' });
    expect(stopped.consumers).toEqual([]);
    expect(stopped.producing).toBe(true);
    await eventually(
      () => app.ok('groups.describe', { connectionId, group: DEMO_GROUP }),
      (value) => value.state === 'EMPTY' && value.members.length === 0,
      20_000,
    );
    // With the consumers gone the group can be reset: to earliest, its lag is the partitions' sizes.
    await app.ok('demo.stop', { what: 'all' });
    await app.ok('groups.resetOffsets', { connectionId, group: DEMO_GROUP, topics: null, strategy: { kind: 'earliest' } });
    const reset = await app.ok('groups.describe', { connectionId, group: DEMO_GROUP });
    const topic = await app.ok('topics.describe', { connectionId, topic: DEMO_TOPIC });
    expect(byPartition(reset, DEMO_TOPIC).map((partition) => partition.lag)).toEqual(
      topic.partitions.map((partition) => (partition.highWatermark ?? 0) - (partition.lowWatermark ?? 0)),
    );
    expect((await app.ok('demo.status', {})).running).toBe(false);

    // Quitting the app while the demo runs stops it cleanly: consumers leave, clients close.
    await app.ok('demo.start', { produceRate: 50, consumeRate: 50, consumers: 1, secondGroup: false });
    await eventually(
      () => app.ok('demo.status', {}),
      (value) => value.consumers[0]?.state === 'consuming' && value.produced > 0,
      30_000,
    );
    const closing = performance.now();
    await app.core.close();
    expect(performance.now() - closing).toBeLessThan(15_000);
  }, 120_000);
});
