// Feature versions and eligible leader replicas as the app reads them, against the real embedded
// cluster: the Overview's Features panel (ApiVersions v3+ read with the project's codec, UpdateFeatures
// with the controller's refusals as Kafka words them), the topic page's ELR (DescribeTopicPartitions)
// while brokers stop, and a release without either (2.5).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCore, type TestCore } from './helpers';

const connectionId = 'embedded';

describe('features and ELR on a 4.1 cluster (no release played)', () => {
  let app: TestCore;
  beforeAll(async () => {
    // Four brokers: a partition of replication factor 3 can lose all its replicas while the app still reads the cluster.
    app = await startCore({ brokers: 4 });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('lists the finalized levels and supported ranges, metadata.version named', async () => {
    const features = await app.ok('cluster.features', { connectionId });
    expect(features.unsupported).toBeNull();
    expect(features.updateUnsupported).toBeNull();
    expect(features.epoch).toBeGreaterThanOrEqual(0);
    const byName = new Map(features.features.map((feature) => [feature.name, feature]));
    expect(features.features[0]!.name).toBe('metadata.version');
    expect(byName.get('metadata.version')).toMatchObject({ finalized: 27, supported: { min: 7, max: 27 } });
    expect(byName.get('metadata.version')!.levels.find((level) => level.level === 25)?.label).toBe('25 (4.0-IV3)');
    expect(byName.get('eligible.leader.replicas.version')).toMatchObject({ finalized: 1, supported: { min: 0, max: 1 } });
    expect(byName.get('transaction.version')).toMatchObject({ finalized: 2, supported: { min: 0, max: 2 } });
    expect(byName.get('share.version')).toMatchObject({ finalized: 0, supported: { min: 0, max: 1 } });
    expect(byName.get('share.version')!.levels).toEqual([
      { level: 0, label: '0 (off)' },
      { level: 1, label: '1' },
    ]);
  });

  it('validates, then applies an upgrade (share.version 1), and says Kafka refusals in its words', async () => {
    const validated = await app.ok('cluster.updateFeature', { connectionId, feature: 'share.version', level: 1, upgradeType: 'upgrade', validateOnly: true });
    expect(validated.validatedOnly).toBe(true);
    expect(validated.features.features.find((feature) => feature.name === 'share.version')!.finalized).toBe(0);

    const applied = await app.ok('cluster.updateFeature', { connectionId, feature: 'share.version', level: 1, upgradeType: 'upgrade', validateOnly: false });
    expect(applied.validatedOnly).toBe(false);
    expect(applied.features.features.find((feature) => feature.name === 'share.version')!.finalized).toBe(1);
    const again = await app.ok('cluster.features', { connectionId });
    expect(again.features.find((feature) => feature.name === 'share.version')!.finalized).toBe(1);
    expect(again.epoch).toBeGreaterThan(applied.features.epoch - 1);

    // A downgrade across metadata format changes: the controller refuses, and the app says why.
    const refused = await app.call('cluster.updateFeature', {
      connectionId,
      feature: 'metadata.version',
      level: 7,
      upgradeType: 'safe-downgrade',
      validateOnly: false,
    });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.kind).toBe('kafka');
    expect(refused.error.kafkaCode).toBe('INVALID_UPDATE_VERSION');
    expect(refused.error.message).toMatch(/metadata\.version to 7: .*Refusing to perform the requested downgrade because it might delete metadata information/);

    // A downgrade sent as an upgrade, as Kafka refuses it.
    const wrongType = await app.call('cluster.updateFeature', {
      connectionId,
      feature: 'share.version',
      level: 0,
      upgradeType: 'upgrade',
      validateOnly: false,
    });
    expect(wrongType.ok ? null : wrongType.error.message).toMatch(/Can't downgrade the version of this feature without setting the upgrade type/);
  });

  it('refuses a malformed request before it reaches the cluster', async () => {
    const bad = await app.call('cluster.updateFeature', { connectionId, feature: 'Share Version', level: 1, upgradeType: 'upgrade', validateOnly: false });
    expect(bad.ok ? null : bad.error.kind).toBe('invalid-request');
    const negative = await app.call('cluster.updateFeature', {
      connectionId,
      feature: 'share.version',
      level: -1,
      upgradeType: 'upgrade',
      validateOnly: false,
    });
    expect(negative.ok ? null : negative.error.kind).toBe('invalid-request');
  });

  it("shows a partition's eligible leader replicas on the topic page as brokers stop", async () => {
    await app.ok('topics.create', { connectionId, topic: 'elr.page', partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } });
    const before = (await app.ok('topics.describe', { connectionId, topic: 'elr.page' })).partitions[0]!;
    expect(before).toMatchObject({ eligibleLeaderReplicas: [], lastKnownElr: [] });
    const leader = before.leader;
    const [first, second] = before.replicas.filter((id) => id !== leader) as [number, number];
    try {
      await app.ok('embedded.stopBroker', { brokerId: first });
      await app.ok('embedded.stopBroker', { brokerId: second });
      // Below min ISR: the follower that stopped last left the ISR holding every committed record.
      const shrunk = (await app.ok('topics.describe', { connectionId, topic: 'elr.page' })).partitions[0]!;
      expect(shrunk).toMatchObject({ leader, isr: [leader], eligibleLeaderReplicas: [second], lastKnownElr: [] });
      await app.ok('embedded.stopBroker', { brokerId: leader });
      // Every broker down: the app still reads the topic, and says which replicas may lead again.
      const offline = (await app.ok('topics.describe', { connectionId, topic: 'elr.page' })).partitions[0]!;
      expect(offline).toMatchObject({ leader: -1, isr: [], lastKnownElr: [leader] });
      expect([...offline.eligibleLeaderReplicas!].sort()).toEqual([leader, second].sort());
      // The eligible follower comes back first: it leads, cleanly, with the old leader still eligible.
      await app.ok('embedded.startBroker', { brokerId: second });
      const elected = (await app.ok('topics.describe', { connectionId, topic: 'elr.page' })).partitions[0]!;
      expect(elected).toMatchObject({ leader: second, isr: [second], eligibleLeaderReplicas: [leader], lastKnownElr: [] });
    } finally {
      for (const brokerId of [leader, first, second]) await app.ok('embedded.startBroker', { brokerId });
    }
  }, 60_000);
});

describe('a release without feature versioning or DescribeTopicPartitions (2.5)', () => {
  let app: TestCore;
  beforeAll(async () => {
    app = await startCore({ brokers: 1, embedded: { kafkaVersion: '2.5' } });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('says features need Kafka 2.7 or later, and the topic page reports no ELR', async () => {
    const features = await app.ok('cluster.features', { connectionId });
    expect(features.features).toEqual([]);
    expect(features.unsupported).toMatch(/Feature versions need Kafka 2\.7 or later/);
    expect(features.updateUnsupported).toMatch(/needs Kafka 2\.7 or later/);
    const change = await app.call('cluster.updateFeature', { connectionId, feature: 'share.version', level: 1, upgradeType: 'upgrade', validateOnly: false });
    expect(change.ok ? null : change.error.message).toMatch(/Changing feature levels needs Kafka 2\.7 or later/);

    await app.ok('topics.create', { connectionId, topic: 'old.topic', partitions: 1, replicationFactor: 1, configs: {} });
    const partition = (await app.ok('topics.describe', { connectionId, topic: 'old.topic' })).partitions[0]!;
    expect(partition).toMatchObject({ eligibleLeaderReplicas: null, lastKnownElr: null });
  });
});
