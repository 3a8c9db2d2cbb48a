// The app's services against the embedded cluster playing Kafka releases from 0.11 to 4.1 (issue #16):
// one single-broker cluster per release, small data. Each screen's reads work, or the refusal says in
// words which release the operation needs; the Overview names the release from ApiVersions.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Consumer } from '@platformatic/kafka';
import { afterAll, describe, expect, it } from 'vitest';
import type { Channel, IpcResult, RequestOf, ResponseOf } from '../../shared/ipc/contract';
import type { KafkaVersion, MetadataModeChoice } from '../../shared/model/schemas';
import { createAppCore, type AppCore } from '../../electron/core/app-core';
import type { EmbeddedClusterFactory } from '../../electron/services/embedded-cluster/factory';
import { MemorySecretStore } from '../../electron/services/secrets/service';
import { describeUnsupportedApi } from '../../electron/core/errors';
import { firstReleaseSupporting, KAFKA_RELEASE_IDS } from '../../electron/kafka/releases';
import { ApiKey } from '../../electron/kafka/protocol/api-keys';
import { eventually } from '../support/wait';
import { UNSUPPORTED as CLIENT_METRICS_UNSUPPORTED } from '../../electron/services/client-metrics/service';

const connectionId = 'embedded';
const MATRIX: KafkaVersion[] = ['0.11', '1.1', '2.1', '2.4', '2.8', '3.5', '3.9', '4.1'];
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
const at = (release: string, than: string) =>
  Number(release.split('.')[0]) * 100 + Number(release.split('.')[1]) >= Number(than.split('.')[0]) * 100 + Number(than.split('.')[1]);

async function startApp(kafkaVersion: KafkaVersion, metadataMode: MetadataModeChoice | null = null) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `kd-release-${kafkaVersion}-`));
  const factory = async (): Promise<EmbeddedClusterFactory> => {
    const { EmbeddedCluster } = await import('../../electron/broker/cluster/cluster');
    const { silentLogger } = await import('../../electron/broker/server/logger');
    return {
      start: (settings) =>
        EmbeddedCluster.start({
          ...settings,
          basePort: 0,
          logger: silentLogger,
          config: { 'offsets.topic.num.partitions': '2', 'group.initial.rebalance.delay.ms': '0', 'group.min.session.timeout.ms': '500' },
        }),
    };
  };
  const core: AppCore = await createAppCore({
    mode: 'web',
    version: 'test',
    dataDir,
    secrets: new MemorySecretStore(),
    embeddedOverride: { enabled: true, brokers: 1, basePort: 20_000, kafkaVersion, metadataMode },
    embeddedFactory: factory,
  });
  const status = core.embedded.status();
  if (status.state !== 'running') throw new Error(`embedded cluster did not start: ${status.message}`);
  const call = <C extends Channel>(channel: C, request: RequestOf<C>) => core.dispatch(channel, request) as Promise<IpcResult<ResponseOf<C>>>;
  const ok = async <C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> => {
    const result = await call(channel, request);
    if (!result.ok) throw new Error(`${channel} failed: ${result.error.kind}: ${result.error.message}`);
    return result.value;
  };
  return {
    core,
    call,
    ok,
    bootstrap: status.bootstrapServers as string,
    status,
    close: async () => {
      await core.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const apps: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const app of apps) await app.close().catch(() => undefined);
});

describe.each(MATRIX)('the app against Kafka %s (emulated)', (release) => {
  it('reads the cluster, manages topics and configs, produces every codec it can, browses, and shows groups and lag', async () => {
    const app = await startApp(release);
    apps.push(app);
    expect(app.status.config.kafkaVersion).toBe(release);

    const overview = await app.ok('cluster.overview', { connectionId });
    expect(overview.brokers).toHaveLength(1);
    // The ApiVersions answer matches the release (or a span of releases listing the same versions); 4.0
    // and 4.1 by name since the brokers implement all of their versions (ConsumerGroupDescribe v1).
    if (at(release, '4.0')) expect(overview.kafkaRelease).toMatchObject({ from: release, to: release, exact: true, text: `Kafka ${release}` });
    else expect(overview.kafkaRelease?.from === release || overview.kafkaRelease?.to === release).toBe(true);

    await app.ok('topics.create', { connectionId, topic: 'orders', partitions: 2, replicationFactor: 1, configs: {} });
    const topics = await eventually(
      () => app.ok('topics.list', { connectionId }),
      (list) => list.some((t) => t.name === 'orders'),
    );
    expect(topics.find((t) => t.name === 'orders')?.partitions).toBe(2);
    const detail = await app.ok('topics.describe', { connectionId, topic: 'orders' });
    expect(detail.partitions).toHaveLength(2);
    const configs = await app.ok('topics.configs', { connectionId, topic: 'orders' });
    expect(configs.find((c) => c.name === 'retention.ms')).toBeDefined();
    await app.ok('topics.alterConfigs', { connectionId, topic: 'orders', set: { 'retention.ms': '3600000' }, reset: [] });
    const altered = await app.ok('topics.configs', { connectionId, topic: 'orders' });
    expect(altered.find((c) => c.name === 'retention.ms')?.value).toBe('3600000');

    // The broker page reads log dirs with DescribeLogDirs (1.0+): before, it says so instead of failing.
    const broker = await app.ok('brokers.describe', { connectionId, brokerId: 0 });
    expect(broker.replicas.length).toBeGreaterThan(0);
    if (at(release, '1.0')) expect(broker.logDirsError).toBeNull();
    else expect(broker.logDirsError).toMatch(/needs Kafka 1\.0 or later/);
    const stats = await app.ok('topics.stats', { connectionId });
    expect(stats.find((t) => t.name === 'orders')).toBeDefined();
    // Adding partitions needs CreatePartitions (1.0+); a preferred-leader election ElectLeaders (2.2+).
    const grown = await app.call('topics.addPartitions', { connectionId, topic: 'orders', totalPartitions: 3 });
    if (at(release, '1.0')) expect(grown.ok, grown.ok ? '' : grown.error.message).toBe(true);
    else if (!grown.ok) expect(grown.error.message).toMatch(/Adding partitions to a topic needs Kafka 1\.0 or later/);
    else throw new Error('CreatePartitions worked on a release without it');
    const elected = await app.call('cluster.electLeaders', { connectionId, target: { scope: 'cluster' } });
    if (at(release, '2.2')) expect(elected.ok, elected.ok ? '' : elected.error.message).toBe(true);
    else if (!elected.ok) expect(elected.error.message).toMatch(/needs Kafka 2\.2 or later/);

    // Produce each codec to partition 0 and browse it back; zstd needs Kafka 2.1 (KIP-110).
    for (const compression of CODECS) {
      const result = await app.call('produce.send', {
        connectionId,
        topic: 'orders',
        key: `k-${compression}`,
        value: `v-${compression}`,
        headers: [{ key: 'h', value: compression }],
        partition: 0,
        compression,
        repeat: 2,
      });
      if (compression === 'zstd' && !at(release, '2.1')) {
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error.message).toMatch(/zstd.*needs Kafka 2\.1 or later/);
        continue;
      }
      if (!result.ok) throw new Error(`produce ${compression} on Kafka ${release}: ${result.error.message}`);
      expect(result.value.records).toHaveLength(2);
    }
    const page = await app.ok('messages.read', { connectionId, topic: 'orders', partitions: [0] });
    const expected = CODECS.filter((codec) => codec !== 'zstd' || at(release, '2.1'));
    expect(page.records.map((r) => r.batch.compression)).toEqual(expected.flatMap((codec) => [codec, codec]));
    expect(page.records.map((r) => r.value.text)).toEqual(expected.flatMap((codec) => [`v-${codec}`, `v-${codec}`]));
    expect(page.records.map((r) => r.headers[0]?.value.text)).toEqual(expected.flatMap((codec) => [codec, codec]));

    // A real consumer joins a group and commits; the groups screen shows it with its lag.
    const consumer = new Consumer({
      groupId: 'readers',
      clientId: `matrix-${release}`,
      bootstrapBrokers: app.bootstrap.split(','),
      autocommit: false,
      sessionTimeout: 6_000,
      heartbeatInterval: 500,
    });
    try {
      const stream = await consumer.consume({ topics: ['orders'], mode: 'earliest' });
      let seen = 0;
      for await (const message of stream) {
        await message.commit();
        seen += 1;
        if (seen === 3) break;
      }
      await stream.close();
    } finally {
      await consumer.close(true);
    }
    const groups = await eventually(
      () => app.ok('groups.list', { connectionId }),
      (list) => list.some((g) => g.id === 'readers'),
    );
    expect(groups.find((g) => g.id === 'readers')).toBeDefined();
    const group = await app.ok('groups.describe', { connectionId, group: 'readers' });
    const partition0 = group.partitions.find((p) => p.topic === 'orders' && p.partition === 0);
    expect(partition0?.committed).toBe(3);
    expect(partition0?.lag).toBe(expected.length * 2 - 3);

    // Deleting one topic's offsets needs OffsetDelete (2.4); deleting a group needs DeleteGroups (1.1).
    const deleteOffsets = await app.call('groups.deleteOffsets', { connectionId, group: 'readers', topic: 'orders' });
    if (at(release, '2.4')) expect(deleteOffsets.ok).toBe(true);
    else {
      expect(deleteOffsets.ok).toBe(false);
      if (!deleteOffsets.ok) expect(deleteOffsets.error.message).toMatch(/needs Kafka 2\.4 or later/);
    }
    const deleteGroup = await app.call('groups.delete', { connectionId, group: 'readers' });
    if (at(release, '1.1')) expect(deleteGroup.ok, deleteGroup.ok ? '' : deleteGroup.error.message).toBe(true);
    else {
      expect(deleteGroup.ok).toBe(false);
      if (!deleteGroup.ok) expect(deleteGroup.error.message).toMatch(/needs Kafka 1\.1 or later/);
    }

    // Kafka 0.11 shipped with delete.topic.enable=false (release-defaults.ts): deleting a topic says so.
    const deleteTopic = await app.call('topics.delete', { connectionId, topic: 'orders' });
    if (at(release, '1.0')) expect(deleteTopic.ok, deleteTopic.ok ? '' : deleteTopic.error.message).toBe(true);
    else {
      expect(deleteTopic.ok).toBe(false);
      if (!deleteTopic.ok) expect(deleteTopic.error.message).toMatch(/does not allow deleting topics: its delete\.topic\.enable is false/);
    }

    await app.close();
  }, 90_000);
});

// Every screen on every release 0.11 to 4.1: its reads (and the actions that need a newer API) work
// where the release has the API the app uses, and elsewhere say which release it needs, in the words
// describeUnsupportedApi gives from the release table: never a generic error.
describe('every screen on every release works or names the release it needs', () => {
  const since = (api: keyof typeof ApiKey) => firstReleaseSupporting(ApiKey[api]) as KafkaVersion;
  const needs = (api: keyof typeof ApiKey) => describeUnsupportedApi(api);
  const notInternal = (result: IpcResult<unknown>) => (result.ok ? null : result.error.kind === 'internal' ? result.error.message : null);

  it.each(KAFKA_RELEASE_IDS)(
    'Kafka %s',
    async (release) => {
      const app = await startApp(release);
      apps.push(app);
      await app.ok('topics.create', { connectionId, topic: 'screens', partitions: 1, replicationFactor: 1, configs: {} });
      await app.ok('produce.send', { connectionId, topic: 'screens', key: 'k', value: 'v', headers: [], partition: 0, compression: 'none', repeat: 1 });

      // Screens that only read what every release has.
      const everywhere = await Promise.all([
        app.call('cluster.overview', { connectionId }),
        app.call('connections.check', { connectionId }),
        app.call('cluster.electionPreview', { connectionId, target: { scope: 'cluster' } }),
        app.call('topics.list', { connectionId }),
        app.call('topics.stats', { connectionId }),
        app.call('topics.describe', { connectionId, topic: 'screens' }),
        app.call('topics.configs', { connectionId, topic: 'screens' }),
        app.call('messages.read', { connectionId, topic: 'screens' }),
        app.call('groups.list', { connectionId }),
        app.call('lag.topic', { connectionId, topic: 'screens', rangeMs: 3_600_000 }),
      ]);
      expect(everywhere.map((result) => (result.ok ? 'ok' : result.error.message))).toEqual(everywhere.map(() => 'ok'));

      // The broker page: log dirs need DescribeLogDirs, and the page says so beside what it could read.
      const broker = await app.ok('brokers.describe', { connectionId, brokerId: 0 });
      expect(broker.logDirsError).toEqual(at(release, since('DescribeLogDirs')) ? null : expect.stringContaining(needs('DescribeLogDirs')));

      // Screens whose reads or actions need an API a release may lack.
      const cases: Array<[api: keyof typeof ApiKey, call: () => Promise<IpcResult<unknown>>]> = [
        ['ListPartitionReassignments', () => app.call('reassignments.state', { connectionId })],
        [
          'AlterPartitionReassignments',
          () => app.call('reassignments.apply', { connectionId, moves: [{ topic: 'screens', partition: 0, replicas: [0] }], throttleBytesPerSecond: null }),
        ],
        ['DescribeUserScramCredentials', () => app.call('users.list', { connectionId })],
        ['DescribeClientQuotas', () => app.call('users.quotas', { connectionId })],
        ['DeleteRecords', () => app.call('topics.purge', { connectionId, topic: 'screens' })],
      ];
      for (const [api, call] of cases) {
        const result = await call();
        expect(notInternal(result), api).toBeNull();
        if (at(release, since(api))) expect(result.ok ? 'ok' : result.error.message, api).toBe('ok');
        else expect(result.ok ? 'ok' : result.error.message, api).toBe(needs(api));
      }
      // Creating a SCRAM user on a release without the SCRAM APIs says which release it needs.
      const created = await app.call('users.create', { connectionId, user: 'bob', password: 'bob-secret-1', mechanisms: ['SCRAM-SHA-256'], iterations: 8192 });
      if (at(release, since('AlterUserScramCredentials'))) expect(created.ok, created.ok ? '' : created.error.message).toBe(true);
      else
        expect(created.ok ? 'ok' : created.error.message).toMatch(
          /^(Listing SCRAM users|Creating, changing or deleting SCRAM users) needs Kafka 2\.7 or later/,
        );

      // The Transactions screen reads what it can and says what the release lacks beside it.
      const transactions = await app.ok('transactions.overview', { connectionId });
      expect(transactions.unsupported).toBe(at(release, since('ListTransactions')) ? null : needs('ListTransactions'));
      const producers = await app.ok('transactions.topic', { connectionId, topic: 'screens' });
      expect(producers.unsupported).toBe(at(release, since('DescribeProducers')) ? null : needs('DescribeProducers'));

      // The Client metrics screen (KIP-714): subscriptions on the KRaft brokers of 4.0 and 4.1 (3.7-3.9 play ZooKeeper mode).
      const clientMetrics = await app.ok('clientMetrics.overview', { connectionId });
      expect(clientMetrics.unsupported).toBe(at(release, since('ListClientMetricsResources')) ? null : CLIENT_METRICS_UNSUPPORTED);

      await app.close();
    },
    90_000,
  );
});

describe('the app against a 3.x release played with KRaft brokers', () => {
  it('runs Kafka 3.7 KRaft brokers, which the Overview names exactly; Settings refuse a mode the release lacked', async () => {
    const app = await startApp('3.7', 'kraft');
    apps.push(app);
    expect(app.status.config).toMatchObject({ kafkaVersion: '3.7', metadataMode: 'kraft' });
    const overview = await app.ok('cluster.overview', { connectionId });
    expect(overview.kafkaRelease).toMatchObject({ exact: true });
    expect(overview.kafkaRelease?.from === '3.7' || overview.kafkaRelease?.to === '3.7').toBe(true);

    const settings = await app.ok('settings.get', {});
    const refused = await app.call('settings.update', { embedded: { ...settings.embedded, kafkaVersion: '2.8', metadataMode: 'kraft' } });
    expect(refused.ok).toBe(false);
    if (!refused.ok)
      expect(refused.error.issues?.map((i) => i.message)).toContain('Kafka 2.8 cannot run KRaft brokers here: KRaft became production-ready in 3.3.');
    const saved = await app.ok('settings.update', { embedded: { ...settings.embedded, kafkaVersion: '3.9', metadataMode: 'kraft' } });
    expect(saved.embedded).toMatchObject({ kafkaVersion: '3.9', metadataMode: 'kraft' });
  }, 90_000);
});
