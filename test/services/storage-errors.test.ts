// Replicas with storage failures, as the app reads them from Metadata (offline replicas of a live
// broker) on the real embedded cluster: broker 1 cannot create its logs of a new topic, nor of
// __consumer_offsets, because files stand where their directories go. The overview, the broker page
// and the topic page say so (internal topics counted: a failed offsets replica breaks groups), and
// stop saying so once the files are gone and the broker's retry opens the logs, without a restart.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCore, type TestCore } from './helpers';
import { eventually } from '../support/wait';

const connectionId = 'embedded';
const TOPIC = 'storage.errors';
const FAILING = 1;
/** offsets.topic.num.partitions: every one has a replica on each of the 3 brokers. */
const OFFSETS_PARTITIONS = 50;

describe('replicas whose logs cannot be created', () => {
  let app: TestCore;
  let blockers: string[] = [];
  beforeAll(async () => {
    app = await startCore();
    const brokerDir = path.join(app.core.embedded.status().dataDir, `broker-${FAILING}`);
    blockers = [
      ...[0, 1, 2].map((partition) => path.join(brokerDir, `${TOPIC}-${partition}`)),
      ...Array.from({ length: OFFSETS_PARTITIONS }, (_, partition) => path.join(brokerDir, `__consumer_offsets-${partition}`)),
    ];
    for (const blocker of blockers) writeFileSync(blocker, 'not a directory');
    await app.ok('topics.create', { connectionId, topic: TOPIC, partitions: 3, replicationFactor: 3 });
    // The first group request creates __consumer_offsets (its answer depends on where the group lands).
    await app.call('groups.resetOffsets', { connectionId, group: 'storage.readers', topics: [TOPIC], strategy: { kind: 'earliest' } });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('are storage failures of a live broker on the overview, the broker page and the topic page', async () => {
    const overview = await app.ok('cluster.overview', { connectionId });
    expect(overview.brokers.find((broker) => broker.id === FAILING)).toMatchObject({ state: 'up', failedReplicas: 3 + OFFSETS_PARTITIONS });
    expect(overview.brokers.filter((broker) => broker.id !== FAILING).every((broker) => broker.failedReplicas === 0)).toBe(true);

    const detail = await app.ok('brokers.describe', { connectionId, brokerId: FAILING });
    expect(detail.broker.failedReplicas).toBe(3 + OFFSETS_PARTITIONS);
    expect(detail.replicas.filter((replica) => replica.topic === TOPIC).map((replica) => replica.storageFailure)).toEqual([true, true, true]);

    const topic = await app.ok('topics.describe', { connectionId, topic: TOPIC });
    expect(topic.partitions.map((partition) => partition.offlineReplicas)).toEqual([[FAILING], [FAILING], [FAILING]]);
    expect(topic.brokers.find((broker) => broker.id === FAILING)?.state).toBe('up');
    // As Kafka does for a failed log dir: the replicas left the ISR, and leadership moved off broker 1.
    expect(topic.partitions.every((partition) => partition.leader !== FAILING && !partition.isr.includes(FAILING))).toBe(true);
  });

  it('clear once the broker can create the logs, without a restart', async () => {
    for (const blocker of blockers) rmSync(blocker);
    const overview = await eventually(
      () => app.ok('cluster.overview', { connectionId }),
      (value) => value.brokers.every((broker) => broker.failedReplicas === 0),
    );
    expect(overview.offlinePartitions).toBe(0);
    // The replicas catch up and rejoin the ISR.
    const topic = await eventually(
      () => app.ok('topics.describe', { connectionId, topic: TOPIC }),
      (value) => value.partitions.every((partition) => partition.isr.length === 3),
    );
    expect(topic.partitions.every((partition) => partition.offlineReplicas.length === 0)).toBe(true);
    // The group's offsets can be written now, wherever its coordinator is.
    await app.ok('groups.resetOffsets', { connectionId, group: 'storage.readers', topics: [TOPIC], strategy: { kind: 'earliest' } });
  });
});
