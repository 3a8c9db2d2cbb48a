import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCore, type TestCore } from './helpers';
import { eventually } from '../support/wait';

const connectionId = 'embedded';

describe('cluster and topic services on the embedded cluster', () => {
  let app: TestCore;
  beforeAll(async () => {
    app = await startCore();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('describes the cluster: brokers, controller, API versions', async () => {
    const overview = await app.ok('cluster.overview', { connectionId });
    expect(overview.brokers.map((broker) => broker.id)).toEqual([0, 1, 2]);
    expect(overview.brokers.map((broker) => `${broker.host}:${broker.port}`).join(',')).toBe(app.bootstrapServers);
    expect(overview.brokers.filter((broker) => broker.isController)).toHaveLength(1);
    expect(overview.brokers.find((broker) => broker.isController)?.id).toBe(overview.controllerId);
    expect(overview.apiVersions.map((api) => api.name)).toEqual(expect.arrayContaining(['Produce', 'Fetch', 'Metadata', 'CreateTopics', 'DeleteRecords']));
    expect(overview.offlinePartitions).toBe(0);
  });

  it('creates a topic with partitions, replication factor and configs, and lists it', async () => {
    const created = await app.ok('topics.create', {
      connectionId,
      topic: 'svc.orders',
      partitions: 4,
      replicationFactor: 3,
      configs: { 'retention.ms': '3600000', 'cleanup.policy': 'delete' },
    });
    expect(created).toEqual({ topic: 'svc.orders', partitions: 4, replicationFactor: 3 });
    const topics = await app.ok('topics.list', { connectionId });
    expect(topics.find((topic) => topic.name === 'svc.orders')).toEqual({
      name: 'svc.orders',
      partitions: 4,
      replicationFactor: 3,
      underReplicatedPartitions: 0,
      offlinePartitions: 0,
      error: null,
    });
    const stats = await app.ok('topics.stats', { connectionId });
    expect(stats.find((topic) => topic.name === 'svc.orders')).toMatchObject({ records: 0 });
    const overview = await app.ok('cluster.overview', { connectionId });
    expect(overview.topicCount).toBeGreaterThanOrEqual(1);
    expect(overview.replicaCount).toBeGreaterThanOrEqual(12);
  });

  it('refuses a duplicate topic and a replication factor above the broker count, in words', async () => {
    const duplicate = await app.call('topics.create', { connectionId, topic: 'svc.orders', partitions: 1, replicationFactor: 1 });
    expect(duplicate).toMatchObject({ ok: false, error: { kind: 'conflict', kafkaCode: 'TOPIC_ALREADY_EXISTS' } });
    const tooWide = await app.call('topics.create', { connectionId, topic: 'svc.wide', partitions: 1, replicationFactor: 4 });
    expect(tooWide).toMatchObject({ ok: false, error: { kind: 'kafka', kafkaCode: 'INVALID_REPLICATION_FACTOR' } });
    if (!tooWide.ok) expect(tooWide.error.message).toMatch(/replication factor/);
  });

  it('describes partitions with leader, replicas, ISR and watermarks', async () => {
    const detail = await app.ok('topics.describe', { connectionId, topic: 'svc.orders' });
    expect(detail.partitions.map((partition) => partition.partition)).toEqual([0, 1, 2, 3]);
    for (const partition of detail.partitions) {
      expect(partition.replicas).toHaveLength(3);
      expect(partition.replicas).toContain(partition.leader);
      expect([...partition.isr].sort()).toEqual([...partition.replicas].sort());
      expect(partition.lowWatermark).toBe(0);
      expect(partition.highWatermark).toBe(0);
    }
    const missing = await app.call('topics.describe', { connectionId, topic: 'svc.missing' });
    expect(missing).toMatchObject({ ok: false, error: { kind: 'not-found' } });
  });

  it('shows configs with their source and default, and edits and resets them', async () => {
    const configs = await app.ok('topics.configs', { connectionId, topic: 'svc.orders' });
    const retention = configs.find((config) => config.name === 'retention.ms');
    expect(retention).toMatchObject({ value: '3600000', source: 'topic' });
    // Like Kafka, the fallback is the broker's log.retention.hours (168 hours = 604800000 ms).
    expect(retention).toMatchObject({ defaultName: 'log.retention.hours', defaultValue: '168' });
    expect(configs.find((config) => config.name === 'segment.bytes')?.source).not.toBe('topic');

    const altered = await app.ok('topics.alterConfigs', {
      connectionId,
      topic: 'svc.orders',
      set: { 'max.message.bytes': '2097152' },
      reset: ['retention.ms'],
    });
    expect(altered.find((config) => config.name === 'max.message.bytes')).toMatchObject({ value: '2097152', source: 'topic' });
    expect(altered.find((config) => config.name === 'retention.ms')).toMatchObject({ value: '604800000' });
    expect(altered.find((config) => config.name === 'retention.ms')?.source).not.toBe('topic');

    const bad = await app.call('topics.alterConfigs', { connectionId, topic: 'svc.orders', set: { 'retention.ms': 'soon' } });
    expect(bad.ok).toBe(false);
  });

  it('adds partitions and refuses to shrink', async () => {
    await app.ok('topics.addPartitions', { connectionId, topic: 'svc.orders', totalPartitions: 6 });
    const detail = await eventually(
      () => app.ok('topics.describe', { connectionId, topic: 'svc.orders' }),
      (value) => value.partitions.length === 6,
    );
    expect(detail.partitions.every((partition) => partition.leader >= 0)).toBe(true);
    const shrink = await app.call('topics.addPartitions', { connectionId, topic: 'svc.orders', totalPartitions: 2 });
    expect(shrink).toMatchObject({ ok: false, error: { kind: 'invalid-request' } });
  });

  it('purges a topic with DeleteRecords: low watermarks move up to the high watermarks', async () => {
    await app.ok('topics.create', { connectionId, topic: 'svc.purge', partitions: 2, replicationFactor: 2 });
    await app.ok('produce.send', { connectionId, topic: 'svc.purge', key: null, value: 'x', headers: [], partition: null, repeat: 20 });
    const before = await app.ok('topics.describe', { connectionId, topic: 'svc.purge' });
    expect(before.partitions.reduce((sum, partition) => sum + (partition.highWatermark ?? 0), 0)).toBe(20);
    expect(await app.ok('topics.purge', { connectionId, topic: 'svc.purge' })).toEqual({ partitions: 2 });
    const after = await app.ok('topics.describe', { connectionId, topic: 'svc.purge' });
    for (const partition of after.partitions) expect(partition.lowWatermark).toBe(partition.highWatermark);
    const stats = (await app.ok('topics.stats', { connectionId })).find((topic) => topic.name === 'svc.purge');
    expect(stats?.records).toBe(0);
  });

  it('reports record counts and sizes (DescribeLogDirs) per topic', async () => {
    await app.ok('topics.create', { connectionId, topic: 'svc.sized', partitions: 2, replicationFactor: 3 });
    await app.ok('produce.send', { connectionId, topic: 'svc.sized', key: null, value: 'y'.repeat(1000), headers: [], partition: null, repeat: 7 });
    const stats = (await app.ok('topics.stats', { connectionId })).find((topic) => topic.name === 'svc.sized');
    expect(stats?.records).toBe(7);
    expect(stats?.sizeBytes).toBeGreaterThan(7000);
  });

  it('deletes a topic', async () => {
    await app.ok('topics.delete', { connectionId, topic: 'svc.purge' });
    await eventually(
      () => app.ok('topics.list', { connectionId }),
      (topics) => !topics.some((topic) => topic.name === 'svc.purge'),
    );
    const again = await app.call('topics.delete', { connectionId, topic: 'svc.purge' });
    expect(again).toMatchObject({ ok: false, error: { kind: 'not-found' } });
  });
});
