import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Admin as PlatformaticAdmin } from '@platformatic/kafka';
import { ConfigResourceTypes, Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import {
  AlterConfigs,
  CreatePartitions,
  CreateTopics,
  DeleteTopics,
  DescribeCluster,
  DescribeConfigs,
  DescribeLogDirs,
  ElectLeaders,
  IncrementalAlterConfigs,
} from '../../../electron/kafka/protocol/generated/index';
import { silentLogger } from '../../../electron/broker/server/logger';
import { RawClient } from './raw-client';

const run = promisify(execFile);
const TOPIC_CONFIG = 1;
const DYNAMIC_BROKER_CONFIG = 2;
const DYNAMIC_DEFAULT_BROKER_CONFIG = 3;
const STATIC_BROKER_CONFIG = 4;
const DEFAULT_CONFIG = 5;

let dataDir: string;
let cluster: EmbeddedCluster;
let admin: Admin;
let producer: Producer;
let platformatic: PlatformaticAdmin;
let raw: RawClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kd-admin-'));
  cluster = await EmbeddedCluster.start({ brokers: 3, basePort: 0, dataDir, logger: silentLogger, config: { 'log.retention.hours': '48' } });
  const brokers = cluster.bootstrapServers().split(',');
  const kafka = new Kafka({ clientId: 'admin-test', brokers, logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 50, maxRetryTime: 200 } });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  platformatic = new PlatformaticAdmin({ clientId: 'admin-test-platformatic', bootstrapBrokers: brokers, retries: 1, retryDelay: 50 });
  raw = await RawClient.open(brokers[0]!);
});

afterAll(async () => {
  raw?.close();
  await platformatic?.close();
  await producer?.disconnect();
  await admin?.disconnect();
  await cluster?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The rejection of a kafkajs admin call, unwrapped to the protocol error types it carries. */
async function kafkajsErrorTypes(call: Promise<unknown>): Promise<string[]> {
  const error = (await call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  )) as { type?: string; errors?: Array<{ type?: string }>; originalError?: { type?: string; errors?: Array<{ type?: string }> } };
  const inner = error.originalError ?? error;
  return inner.errors ? inner.errors.map((e) => e.type ?? '?') : [inner.type ?? JSON.stringify(error)];
}

function partitionDirs(topic: string): string[] {
  return [0, 1, 2].flatMap((id) => {
    const dir = join(dataDir, `broker-${id}`);
    return existsSync(dir)
      ? readdirSync(dir)
          .filter((name) => name.startsWith(`${topic}-`))
          .map((name) => join(dir, name))
      : [];
  });
}

async function kcatMetadata(): Promise<{
  brokers: Array<{ id: number; name: string }>;
  topics: Array<{ topic: string; partitions: Array<{ partition: number; leader: number; replicas: Array<{ id: number }>; isrs: Array<{ id: number }> }> }>;
}> {
  const { stdout } = await run('/usr/bin/kcat', ['-b', cluster.bootstrapServers(), '-L', '-J', '-m', '5'], { timeout: 10_000 });
  return JSON.parse(stdout);
}

describe('CreateTopics', () => {
  it('creates a topic with kafkajs, visible in metadata, kcat and on disk', async () => {
    const created = await admin.createTopics({
      topics: [{ topic: 'orders', numPartitions: 3, replicationFactor: 2, configEntries: [{ name: 'retention.ms', value: '3600000' }] }],
    });
    expect(created).toBe(true);
    const { topics } = await admin.fetchTopicMetadata({ topics: ['orders'] });
    expect(topics[0]!.partitions).toHaveLength(3);
    for (const p of topics[0]!.partitions) {
      expect(p.replicas).toHaveLength(2);
      expect(p.replicas).toContain(p.leader);
    }
    const kcat = await kcatMetadata();
    expect(kcat.brokers.map((b) => b.id).sort()).toEqual([0, 1, 2]);
    const orders = kcat.topics.find((t) => t.topic === 'orders')!;
    expect(orders.partitions).toHaveLength(3);
    for (const p of orders.partitions) {
      const meta = cluster.controller.partition('orders', p.partition)!;
      expect(p.leader).toBe(meta.leader);
      expect(p.replicas.map((r) => r.id)).toEqual(meta.replicas);
      expect(p.isrs.map((r) => r.id).sort()).toEqual([...meta.isr].sort());
    }
    expect(partitionDirs('orders')).toHaveLength(6);
    expect(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 1 }] })).toBe(false); // TOPIC_ALREADY_EXISTS
  });

  it('validates only, and refuses bad names, too-large replication factors and bad configs (kafkajs)', async () => {
    expect(
      await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'dry-run', numPartitions: 2, replicationFactor: 3 }] }),
    ).toBe(true);
    expect(await admin.listTopics()).not.toContain('dry-run');
    expect(partitionDirs('dry-run')).toEqual([]);
    expect(await kafkajsErrorTypes(admin.createTopics({ waitForLeaders: false, topics: [{ topic: 'bad name!', numPartitions: 1 }] }))).toEqual([
      'INVALID_TOPIC_EXCEPTION',
    ]);
    expect(
      await kafkajsErrorTypes(admin.createTopics({ waitForLeaders: false, topics: [{ topic: 'too-many-replicas', numPartitions: 1, replicationFactor: 5 }] })),
    ).toEqual(['INVALID_REPLICATION_FACTOR']);
    expect(
      await kafkajsErrorTypes(
        admin.createTopics({ waitForLeaders: false, topics: [{ topic: 'bad-config', configEntries: [{ name: 'retention.ms', value: 'soon' }] }] }),
      ),
    ).toEqual(['INVALID_CONFIG']);
    expect(await admin.listTopics()).not.toContain('too-many-replicas');
  });

  it('takes a manual assignment and broker defaults, and answers configs and topic id in v7 (@platformatic/kafka)', async () => {
    const [manual] = await platformatic.createTopics({
      topics: ['manual'],
      assignments: [
        { partition: 0, brokers: [2, 0] },
        { partition: 1, brokers: [0, 1] },
      ],
      configs: [{ name: 'cleanup.policy', value: 'compact' }],
    });
    expect(manual).toMatchObject({ name: 'manual', partitions: 2, replicas: 2 });
    expect(manual!.id).toBe(cluster.controller.topic('manual')!.topicId);
    expect(manual!.configuration['cleanup.policy']).toBe('compact');
    expect(manual!.configuration['retention.ms']).toBe(String(48 * 3_600_000));
    expect(cluster.controller.partition('manual', 0)!.replicas).toEqual([2, 0]);
    const [defaults] = await platformatic.createTopics({ topics: ['defaults'] });
    expect(defaults).toMatchObject({ partitions: 1, replicas: 3 });
    expect(await platformatic.listTopics()).toEqual(expect.arrayContaining(['manual', 'defaults', 'orders']));
  });

  it('answers per-topic errors with messages in every version (raw v0-v7)', async () => {
    for (let version = 0; version <= 7; version++) {
      const response = await raw.call(CreateTopics, version, {
        topics: [
          { name: `v${version}-ok`, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] },
          { name: 'twice', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
          { name: 'twice', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
          { name: `v${version}-zero`, numPartitions: 0, replicationFactor: 1, assignments: [], configs: [] },
          { name: `v${version}-gap`, numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 1, brokerIds: [0] }], configs: [] },
          { name: `v${version}-unknown-broker`, numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [7] }], configs: [] },
        ],
        timeoutMs: 5000,
        validateOnly: false,
      });
      const byName = new Map(response.topics.map((t) => [t.name, t]));
      expect(response.topics).toHaveLength(5);
      expect(byName.get(`v${version}-ok`)!.errorCode).toBe(ErrorCode.NONE);
      expect(byName.get('twice')!.errorCode).toBe(ErrorCode.INVALID_REQUEST);
      expect(byName.get(`v${version}-zero`)!.errorCode).toBe(ErrorCode.INVALID_PARTITIONS);
      expect(byName.get(`v${version}-gap`)!.errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
      expect(byName.get(`v${version}-unknown-broker`)!.errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
      if (version >= 1) expect(byName.get(`v${version}-unknown-broker`)!.errorMessage).toMatch(/broker 7/);
      if (version >= 5) {
        const ok = byName.get(`v${version}-ok`)!;
        expect(ok).toMatchObject({ numPartitions: 2, replicationFactor: 1 });
        expect(ok.configs!.find((c) => c.name === 'retention.ms')).toMatchObject({ value: String(48 * 3_600_000), configSource: STATIC_BROKER_CONFIG });
      }
      if (version >= 7) expect(byName.get(`v${version}-ok`)!.topicId).toBe(cluster.controller.topic(`v${version}-ok`)!.topicId);
    }
  });
});

describe('DescribeConfigs and AlterConfigs', () => {
  it('describes a topic override with its source and synonyms (kafkajs)', async () => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: true,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'orders', configNames: ['retention.ms', 'cleanup.policy', 'no.such.config'] }],
    });
    const entries = new Map(resources[0]!.configEntries.map((e) => [e.configName, e]));
    expect([...entries.keys()].sort()).toEqual(['cleanup.policy', 'retention.ms']);
    const retention = entries.get('retention.ms')!;
    expect(retention).toMatchObject({ configValue: '3600000', configSource: TOPIC_CONFIG, readOnly: false, isSensitive: false });
    expect(retention.configSynonyms).toEqual([
      { configName: 'retention.ms', configValue: '3600000', configSource: TOPIC_CONFIG },
      { configName: 'log.retention.hours', configValue: '48', configSource: STATIC_BROKER_CONFIG },
      { configName: 'log.retention.ms', configValue: '604800000', configSource: DEFAULT_CONFIG },
    ]);
    expect(entries.get('cleanup.policy')).toMatchObject({ configValue: 'delete', configSource: DEFAULT_CONFIG });
  });

  it('describes a broker with static, default and read-only configs (kafkajs)', async () => {
    const { resources } = await admin.describeConfigs({ includeSynonyms: true, resources: [{ type: ConfigResourceTypes.BROKER, name: '1' }] });
    const entries = new Map(resources[0]!.configEntries.map((e) => [e.configName, e]));
    expect(entries.get('broker.id')).toMatchObject({ configValue: '1', configSource: STATIC_BROKER_CONFIG, readOnly: true });
    expect(entries.get('log.retention.hours')).toMatchObject({ configValue: '48', configSource: STATIC_BROKER_CONFIG });
    expect(entries.get('log.retention.bytes')).toMatchObject({ configValue: '-1', configSource: DEFAULT_CONFIG, readOnly: false });
    expect(entries.get('log.dirs')!.configValue).toBe(join(dataDir, 'broker-1'));
  });

  it("replaces a topic's overrides with AlterConfigs and refuses invalid values with the reason (kafkajs)", async () => {
    await admin.alterConfigs({
      validateOnly: true,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'orders', configEntries: [{ name: 'retention.ms', value: '1' }] }],
    });
    expect(cluster.controller.topic('orders')!.configs).toEqual({ 'retention.ms': '3600000' });
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: 'orders',
          configEntries: [
            { name: 'retention.ms', value: '7200000' },
            { name: 'min.insync.replicas', value: '2' },
          ],
        },
      ],
    });
    const described = async () =>
      new Map(
        (
          await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'orders' }] })
        ).resources[0]!.configEntries.map((e) => [e.configName, e]),
      );
    let entries = await described();
    expect(entries.get('retention.ms')).toMatchObject({ configValue: '7200000', configSource: TOPIC_CONFIG });
    expect(entries.get('min.insync.replicas')).toMatchObject({ configValue: '2', configSource: TOPIC_CONFIG });
    expect(entries.size).toBeGreaterThan(30);
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'orders', configEntries: [{ name: 'retention.ms', value: '600000' }] }],
    });
    entries = await described();
    expect(entries.get('retention.ms')).toMatchObject({ configValue: '600000', configSource: TOPIC_CONFIG });
    expect(entries.get('min.insync.replicas')).toMatchObject({ configValue: '1', configSource: DEFAULT_CONFIG });
    expect(
      await kafkajsErrorTypes(
        admin.alterConfigs({
          validateOnly: false,
          resources: [{ type: ConfigResourceTypes.TOPIC, name: 'orders', configEntries: [{ name: 'retention.ms', value: '-5' }] }],
        }),
      ),
    ).toEqual(['INVALID_CONFIG']);
    expect(cluster.controller.topic('orders')!.configs).toEqual({ 'retention.ms': '600000' });
    // The open logs of every replica run with the new value at once.
    for (const p of cluster.controller.topic('orders')!.partitions) {
      for (const id of p.replicas) expect(cluster.broker(id).replica('orders', p.partition)!.log.config.retentionMs).toBe(600_000);
    }
    const response = await raw.call(AlterConfigs, 0, {
      validateOnly: false,
      resources: [
        { resourceType: 2, resourceName: 'orders', configs: [{ name: 'segment.bytes', value: '3' }] },
        { resourceType: 2, resourceName: 'missing', configs: [] },
        { resourceType: 4, resourceName: '0', configs: [{ name: 'num.partitions', value: '4' }] },
        { resourceType: 4, resourceName: '9', configs: [] },
      ],
    });
    expect(response.responses.map((r) => [r.errorCode, r.errorMessage])).toEqual([
      [ErrorCode.INVALID_CONFIG, "segment.bytes must be an int >= 14, got '3'"],
      [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "Topic 'missing' does not exist."],
      [ErrorCode.INVALID_CONFIG, 'Cannot update num.partitions at run time: it is a read-only (static) broker config.'],
      [ErrorCode.INVALID_REQUEST, 'There is no broker 9 in this cluster (brokers are 0, 1, 2).'],
    ]);
  });

  it('sets dynamic broker configs per broker and as cluster default, which topics then inherit (@platformatic/kafka)', async () => {
    await platformatic.alterConfigs({ resources: [{ resourceType: 4, resourceName: '', configs: [{ name: 'log.retention.bytes', value: '5000000' }] }] });
    await platformatic.alterConfigs({ resources: [{ resourceType: 4, resourceName: '2', configs: [{ name: 'log.retention.bytes', value: '7000000' }] }] });
    const described = await platformatic.describeConfigs({
      includeSynonyms: true,
      includeDocumentation: true,
      resources: [
        { resourceType: 4, resourceName: '2', configurationKeys: ['log.retention.bytes', 'num.partitions'] },
        { resourceType: 4, resourceName: '1', configurationKeys: ['log.retention.bytes'] },
        { resourceType: 4, resourceName: '', configurationKeys: null },
      ],
    });
    const byName = new Map(described.map((d) => [d.resourceName, new Map(d.configs.map((c) => [c.name, c]))]));
    const two = byName.get('2')!.get('log.retention.bytes')!;
    expect(two).toMatchObject({ value: '7000000', configSource: DYNAMIC_BROKER_CONFIG, readOnly: false, configType: 5 });
    expect(two.documentation).toMatch(/maximum size/);
    expect(two.synonyms.map((s) => [s.value, s.source])).toEqual([
      ['7000000', DYNAMIC_BROKER_CONFIG],
      ['5000000', DYNAMIC_DEFAULT_BROKER_CONFIG],
      ['-1', DEFAULT_CONFIG],
    ]);
    expect(byName.get('2')!.get('num.partitions')).toMatchObject({ value: '1', readOnly: true, configType: 3 });
    expect(byName.get('1')!.get('log.retention.bytes')).toMatchObject({ value: '5000000', configSource: DYNAMIC_DEFAULT_BROKER_CONFIG });
    expect([...byName.get('')!.keys()]).toEqual(['log.retention.bytes']);
    for (const id of [0, 1, 2]) {
      for (const replica of cluster.broker(id).hostedReplicas()) expect(replica.log.config.retentionBytes).toBe(id === 2 ? 7_000_000 : 5_000_000);
    }

    // A topic without an override takes the answering broker's effective value.
    const topic = await raw.call(DescribeConfigs, 1, {
      resources: [{ resourceType: 2, resourceName: 'orders', configurationKeys: ['retention.bytes'] }],
      includeSynonyms: true,
      includeDocumentation: false,
    });
    expect(topic.results[0]!.configs[0]).toMatchObject({ value: '5000000', configSource: DYNAMIC_DEFAULT_BROKER_CONFIG });
    expect(topic.results[0]!.configs[0]!.synonyms.map((s) => s.name)).toEqual(['log.retention.bytes', 'log.retention.bytes']);
    await platformatic.alterConfigs({ resources: [{ resourceType: 4, resourceName: '', configs: [] }] });
    await platformatic.alterConfigs({ resources: [{ resourceType: 4, resourceName: '2', configs: [] }] });
    expect(cluster.controller.brokerConfigs('')).toEqual({});
    expect(cluster.broker(2).hostedReplicas()[0]!.log.config.retentionBytes).toBe(-1);
  });

  it('applies incremental set, delete, append and subtract, and refuses append on a non-list (@platformatic/kafka)', async () => {
    const describe = async () =>
      new Map((await platformatic.describeConfigs({ resources: [{ resourceType: 2, resourceName: 'manual' }] }))[0]!.configs.map((c) => [c.name, c]));
    await platformatic.incrementalAlterConfigs({
      resources: [
        {
          resourceType: 2,
          resourceName: 'manual',
          configs: [
            { name: 'cleanup.policy', configOperation: 2, value: 'delete' },
            { name: 'retention.ms', configOperation: 0, value: '1000' },
          ],
        },
      ],
    });
    let configs = await describe();
    expect(configs.get('cleanup.policy')).toMatchObject({ value: 'compact,delete', configSource: TOPIC_CONFIG });
    expect(configs.get('retention.ms')).toMatchObject({ value: '1000', configSource: TOPIC_CONFIG });
    await platformatic.incrementalAlterConfigs({
      resources: [
        {
          resourceType: 2,
          resourceName: 'manual',
          configs: [
            { name: 'cleanup.policy', configOperation: 3, value: 'compact' },
            { name: 'retention.ms', configOperation: 1 },
          ],
        },
      ],
    });
    configs = await describe();
    expect(configs.get('cleanup.policy')).toMatchObject({ value: 'delete', configSource: TOPIC_CONFIG });
    expect(configs.get('retention.ms')!.configSource).toBe(STATIC_BROKER_CONFIG);
    const refused = await raw.call(IncrementalAlterConfigs, 0, {
      validateOnly: false,
      resources: [
        { resourceType: 2, resourceName: 'manual', configs: [{ name: 'retention.ms', configOperation: 2, value: '5' }] },
        { resourceType: 2, resourceName: 'manual', configs: [{ name: 'segment.ms', configOperation: 0, value: '0' }] },
        { resourceType: 2, resourceName: 'manual', configs: [{ name: 'retention.ms', configOperation: 7, value: '5' }] },
      ],
    });
    expect(refused.responses.map((r) => r.errorCode)).toEqual([ErrorCode.INVALID_CONFIG, ErrorCode.INVALID_CONFIG, ErrorCode.INVALID_REQUEST]);
    expect(refused.responses[0]!.errorMessage).toMatch(/list configs only; retention.ms is of type long/);
    const dryRun = await raw.call(IncrementalAlterConfigs, 1, {
      validateOnly: true,
      resources: [{ resourceType: 2, resourceName: 'manual', configs: [{ name: 'retention.ms', configOperation: 0, value: '5' }] }],
    });
    expect(dryRun.responses[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(cluster.controller.topic('manual')!.configs).toEqual({ 'cleanup.policy': 'delete' });
  });

  it('answers every version, unknown topics and other brokers (raw v0-v4)', async () => {
    for (let version = 0; version <= 4; version++) {
      const response = await raw.call(DescribeConfigs, version, {
        resources: [
          { resourceType: 2, resourceName: 'orders', configurationKeys: ['retention.ms', 'unclean.leader.election.enable'] },
          { resourceType: 2, resourceName: 'missing', configurationKeys: null },
          { resourceType: 4, resourceName: '2', configurationKeys: ['broker.id'] },
          { resourceType: 8, resourceName: '0', configurationKeys: null },
        ],
        includeSynonyms: version >= 1,
        includeDocumentation: version >= 3,
      });
      const [topic, missing, broker, logger] = response.results;
      const unclean = topic!.configs.find((c) => c.name === 'unclean.leader.election.enable')!;
      expect(unclean.value).toBe('false');
      if (version === 0) expect(unclean.isDefault).toBe(true);
      if (version >= 1) expect(unclean.synonyms.at(-1)).toMatchObject({ name: 'unclean.leader.election.enable', value: 'false', source: DEFAULT_CONFIG });
      if (version >= 3) expect(unclean).toMatchObject({ configType: 1, documentation: expect.stringMatching(/ISR/) });
      expect(missing).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: "Topic 'missing' does not exist.", configs: [] });
      expect(broker!.configs).toEqual([expect.objectContaining({ name: 'broker.id', value: '2' })]);
      expect(logger).toMatchObject({ errorCode: ErrorCode.NONE, configs: [] });
    }
  });
});

describe('CreatePartitions', () => {
  it('adds partitions (kafkajs), refuses fewer, and validates only (@platformatic/kafka)', async () => {
    await admin.createPartitions({ topicPartitions: [{ topic: 'orders', count: 5 }] });
    expect((await admin.fetchTopicMetadata({ topics: ['orders'] })).topics[0]!.partitions).toHaveLength(5);
    expect(await kafkajsErrorTypes(admin.createPartitions({ topicPartitions: [{ topic: 'orders', count: 2 }] }))).toEqual(['INVALID_PARTITIONS']);
    await platformatic.createPartitions({ validateOnly: true, topics: [{ name: 'orders', count: 8 }] });
    expect(cluster.controller.topic('orders')!.partitions).toHaveLength(5);
    const response = await raw.call(CreatePartitions, 0, {
      timeoutMs: 5000,
      validateOnly: false,
      topics: [
        { name: 'manual', count: 3, assignments: [{ brokerIds: [1, 2] }] },
        { name: 'missing', count: 3, assignments: null },
        { name: 'defaults', count: 2, assignments: [{ brokerIds: [0] }] },
      ],
    });
    expect(response.results.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.INVALID_REPLICA_ASSIGNMENT]);
    expect(response.results[2]!.errorMessage).toMatch(/3 replicas/);
    expect(cluster.controller.partition('manual', 2)!.replicas).toEqual([1, 2]);
  });
});

describe('DescribeCluster, DescribeLogDirs, ElectLeaders', () => {
  it('describes the cluster with kafkajs and DescribeCluster v0/v1', async () => {
    const described = await admin.describeCluster();
    expect(described.brokers.map((b) => b.nodeId).sort()).toEqual([0, 1, 2]);
    expect(described.clusterId).toBe(cluster.controller.clusterId);
    for (let version = 0; version <= 1; version++) {
      const response = await raw.call(DescribeCluster, version, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: false });
      expect(response).toMatchObject({ errorCode: 0, clusterId: cluster.controller.clusterId, controllerId: 0, clusterAuthorizedOperations: -2147483648 });
      expect(response.brokers.map((b) => `${b.host}:${b.port}`).join(',')).toBe(cluster.bootstrapServers());
    }
    const controllers = await raw.call(DescribeCluster, 1, { includeClusterAuthorizedOperations: false, endpointType: 2, includeFencedBrokers: false });
    expect(controllers.errorCode).toBe(ErrorCode.UNSUPPORTED_ENDPOINT_TYPE);
  });

  it('lists hosted partitions with their sizes after a produce, and records deleted from the start (kafkajs, @platformatic/kafka)', async () => {
    await producer.send({ topic: 'orders', acks: -1, messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i % 5}`, value: `order ${i}` })) });
    await admin.deleteTopicRecords({ topic: 'orders', partitions: [{ partition: 0, offset: '-1' }] });
    const offsets = await admin.fetchTopicOffsets('orders');
    const p0 = offsets.find((o) => o.partition === 0)!;
    expect(p0.low).toBe(p0.high);

    const dirs = await platformatic.describeLogDirs({ topics: [{ name: 'orders', partitions: [0, 1, 2, 3, 4] }] });
    expect(dirs.map((d) => d.broker).sort()).toEqual([0, 1, 2]);
    let total = 0;
    for (const { broker, results } of dirs) {
      expect(results).toHaveLength(1);
      expect(results[0]!.logDir).toBe(join(dataDir, `broker-${broker}`));
      expect(results[0]!.totalBytes).toBeGreaterThan(0n);
      for (const topic of results[0]!.topics) {
        expect(topic.name).toBe('orders');
        for (const p of topic.partitions) {
          expect(cluster.controller.partition('orders', p.partitionIndex)!.replicas).toContain(broker);
          total += Number(p.partitionSize);
        }
      }
    }
    expect(total).toBeGreaterThan(0);
    const hosted = dirs.reduce((n, d) => n + d.results[0]!.topics.reduce((m, t) => m + t.partitions.length, 0), 0);
    expect(hosted).toBe(10); // 5 partitions x 2 replicas
    for (let version = 0; version <= 4; version++) {
      const response = await raw.call(DescribeLogDirs, version, { topics: null });
      const names = response.results[0]!.topics.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['orders', 'manual', 'defaults']));
      expect(response.results[0]!.usableBytes > 0n).toBe(version >= 4);
    }
  });

  it('elects preferred leaders after a broker comes back (raw ElectLeaders v0-v2)', async () => {
    const target = cluster.controller.topic('orders')!.partitions.find((p) => p.replicas[0] === 0)!;
    expect(target.leader).toBe(0);
    await cluster.stopBroker(0);
    expect(cluster.controller.partition('orders', target.partition)!.leader).not.toBe(0);
    await cluster.startBroker(0);
    const deadline = Date.now() + 10_000;
    while (!cluster.controller.partition('orders', target.partition)!.isr.includes(0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    raw.close();
    raw = await RawClient.open(cluster.bootstrapServers().split(',')[1]!);
    const v2 = await raw.call(ElectLeaders, 2, {
      electionType: 0,
      topicPartitions: [
        { topic: 'orders', partitions: [target.partition] },
        { topic: 'missing', partitions: [0] },
      ],
      timeoutMs: 5000,
    });
    expect(v2.errorCode).toBe(0);
    const results = new Map(v2.replicaElectionResults.map((r) => [r.topic, r.partitionResult[0]!]));
    expect(results.get('orders')).toMatchObject({ partitionId: target.partition, errorCode: ErrorCode.NONE, errorMessage: null });
    expect(results.get('missing')!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(cluster.controller.partition('orders', target.partition)!.leader).toBe(0);
    const again = await raw.call(ElectLeaders, 1, { electionType: 0, topicPartitions: [{ topic: 'orders', partitions: [target.partition] }], timeoutMs: 5000 });
    expect(again.replicaElectionResults[0]!.partitionResult[0]!.errorCode).toBe(ErrorCode.ELECTION_NOT_NEEDED);
    const all = await raw.call(ElectLeaders, 0, { electionType: 0, topicPartitions: null, timeoutMs: 5000 });
    for (const r of all.replicaElectionResults) for (const p of r.partitionResult) expect(p.errorCode).not.toBe(ErrorCode.ELECTION_NOT_NEEDED);
    // UNCLEAN (KIP-460) only for partitions without a leader (see durability.test.ts for one that has none).
    const unclean = await raw.call(ElectLeaders, 1, { electionType: 1, topicPartitions: [{ topic: 'orders', partitions: [0] }], timeoutMs: 5000 });
    expect(unclean.replicaElectionResults[0]!.partitionResult[0]!.errorCode).toBe(ErrorCode.ELECTION_NOT_NEEDED);
    const unknownType = await raw.call(ElectLeaders, 2, { electionType: 2, topicPartitions: [{ topic: 'orders', partitions: [0] }], timeoutMs: 5000 });
    expect(unknownType.replicaElectionResults[0]!.partitionResult[0]).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: expect.stringMatching(/election type 2/),
    });
  });
});

describe('DeleteTopics', () => {
  it('deletes by name (kafkajs, @platformatic/kafka): gone from metadata, kcat and disk', async () => {
    await admin.deleteTopics({ topics: ['orders'] });
    await platformatic.deleteTopics({ topics: ['manual'] });
    expect(await admin.listTopics()).not.toEqual(expect.arrayContaining(['orders']));
    expect(await platformatic.listTopics()).not.toContain('manual');
    const kcat = await kcatMetadata();
    expect(kcat.topics.map((t) => t.topic)).not.toContain('orders');
    expect(partitionDirs('orders')).toEqual([]);
    expect(partitionDirs('manual')).toEqual([]);
  });

  it('deletes by topic id (v6), refuses unknown names and ids, internal topics, and all when disabled (raw v0-v6)', async () => {
    const id = cluster.controller.topic('defaults')!.topicId;
    const byId = await raw.call(DeleteTopics, 6, {
      topics: [
        { name: null, topicId: id },
        { name: null, topicId: '11111111-2222-3333-4444-555555555555' },
      ],
      topicNames: [],
      timeoutMs: 5000,
    });
    expect(byId.responses.map((r) => [r.name, r.errorCode])).toEqual([
      ['defaults', ErrorCode.NONE],
      [null, ErrorCode.UNKNOWN_TOPIC_ID],
    ]);
    expect(cluster.controller.topic('defaults')).toBeUndefined();
    for (let version = 0; version <= 5; version++) {
      const response = await raw.call(DeleteTopics, version, { topics: [], topicNames: [`v${version}-ok`, 'never-was'], timeoutMs: 5000 });
      expect(response.responses.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
      if (version >= 5) expect(response.responses[1]!.errorMessage).toBe("Topic 'never-was' does not exist.");
    }
    const internal = cluster.controller.createTopic({ name: '__consumer_offsets', partitions: 1, replicationFactor: 1, internal: true });
    expect('error' in internal).toBe(false);
    const refused = await raw.call(DeleteTopics, 5, { topics: [], topicNames: ['__consumer_offsets'], timeoutMs: 5000 });
    expect(refused.responses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: expect.stringMatching(/internal topic/) });
    expect(cluster.controller.topic('__consumer_offsets')).toBeDefined();
  });

  it('refuses deletion when delete.topic.enable is false', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kd-admin-nodelete-'));
    const locked = await EmbeddedCluster.start({ brokers: 1, basePort: 0, dataDir: dir, logger: silentLogger, config: { 'delete.topic.enable': 'false' } });
    const client = await RawClient.open(locked.bootstrapServers());
    try {
      locked.controller.createTopic({ name: 'kept', partitions: 1, replicationFactor: 1 });
      const response = await client.call(DeleteTopics, 6, {
        topics: [{ name: 'kept', topicId: '00000000-0000-0000-0000-000000000000' }],
        topicNames: [],
        timeoutMs: 5000,
      });
      expect(response.responses[0]).toMatchObject({ errorCode: ErrorCode.TOPIC_DELETION_DISABLED, errorMessage: expect.stringMatching(/delete.topic.enable/) });
      expect(locked.controller.topic('kept')).toBeDefined();
    } finally {
      client.close();
      await locked.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
