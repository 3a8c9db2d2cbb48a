import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { isFailure } from '../../../electron/broker/cluster/controller';
import { silentLogger } from '../../../electron/broker/server/logger';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import {
  AlterPartitionReassignments,
  AlterReplicaLogDirs,
  DescribeLogDirs,
  ListPartitionReassignments,
  Metadata,
} from '../../../electron/kafka/protocol/generated/index';
import { RawClient } from '../handlers/raw-client';
import { sleep, waitFor } from '../../support/wait';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  cluster: EmbeddedCluster;
  dataDir: string;
  admin: Admin;
  producer: Producer;
  raw: RawClient;
  /** Closes the clients and the cluster (the data dir stays until the test ends). */
  stop: () => Promise<void>;
}

function newDataDir(): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'kd-reassign-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  return dataDir;
}

async function setup(brokers = 4, dataDir = newDataDir()): Promise<Setup> {
  const mark = cleanups.length;
  const cluster = await EmbeddedCluster.start({ brokers, basePort: 0, dataDir, logger: silentLogger });
  cleanups.push(() => cluster.close());
  const kafka = new Kafka({
    clientId: 'reassign-test',
    brokers: cluster.bootstrapServers().split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 50, maxRetryTime: 500 },
  });
  const admin = kafka.admin();
  await admin.connect();
  cleanups.push(() => admin.disconnect());
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  const raw = await RawClient.open(cluster.bootstrapServers().split(',')[0]!);
  cleanups.push(() => raw.close());
  const stop = async () => {
    for (const cleanup of cleanups.splice(mark).reverse()) await cleanup();
  };
  return { cluster, dataDir, admin, producer, raw, stop };
}

function createTopic(cluster: EmbeddedCluster, name: string, assignment: number[][]): void {
  const created = cluster.controller.createTopic({ name, assignment });
  if (isFailure(created)) throw new Error(created.message);
}

/** `count` records of about `size` bytes each, in sends of 50, to partition `partition`. */
async function fill(producer: Producer, topic: string, partition: number, count: number, size: number): Promise<void> {
  for (let start = 0; start < count; start += 50) {
    const messages = Array.from({ length: Math.min(50, count - start) }, (_, i) => ({
      value: `${start + i}#`.padEnd(size, 'x'),
      partition,
    }));
    await producer.send({ topic, acks: -1, messages });
  }
}

async function setBrokerConfig(admin: Admin, broker: number, name: string, value: string): Promise<void> {
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: String(broker), configEntries: [{ name, value }] }] });
}

async function setTopicConfig(admin: Admin, topic: string, configs: Record<string, string>): Promise<void> {
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }],
  });
}

function replicaSize(cluster: EmbeddedCluster, broker: number, topic: string, partition: number): number {
  return (
    cluster
      .broker(broker)
      .hostedReplicas()
      .find((r) => r.topic === topic && r.partition === partition)
      ?.log.size() ?? 0
  );
}

describe('AlterPartitionReassignments and ListPartitionReassignments (KIP-455)', () => {
  it('adds replicas that catch up and join the ISR before the removed ones (and the removed leader) leave (kafkajs)', async () => {
    const { cluster, admin, producer, dataDir } = await setup();
    createTopic(cluster, 'moves', [[0, 1]]);
    await fill(producer, 'moves', 0, 400, 1000);
    // A throttle on the new brokers keeps the reassignment ongoing long enough to look at it.
    for (const broker of [2, 3]) await setBrokerConfig(admin, broker, 'follower.replication.throttled.rate', '20000');
    await setTopicConfig(admin, 'moves', { 'follower.replication.throttled.replicas': '0:2,0:3' });

    await admin.alterPartitionReassignments({ topics: [{ topic: 'moves', partitionAssignment: [{ partition: 0, replicas: [2, 3] }] }] });
    const listed = await admin.listPartitionReassignments({ topics: [{ topic: 'moves', partitions: [0] }] });
    expect(listed.topics).toEqual([
      { name: 'moves', partitions: [{ partition: 0, replicas: [2, 3, 0, 1], addingReplicas: [2, 3], removingReplicas: [0, 1] }] },
    ]);
    // Metadata lists the whole set while it runs; the adding replicas are not in the ISR yet.
    const metadata = await admin.fetchTopicMetadata({ topics: ['moves'] });
    expect(metadata.topics[0]!.partitions[0]!.replicas).toEqual([2, 3, 0, 1]);
    expect(metadata.topics[0]!.partitions[0]!.isr).toEqual([0, 1]);
    expect(metadata.topics[0]!.partitions[0]!.leader).toBe(0);
    // Every ongoing reassignment (null topics), also seen from another broker.
    const everything = await admin.listPartitionReassignments({});
    // (kafkajs 2.2.4's types call the topic `topic`; its decoder gives Kafka's field name, `name`.)
    expect(everything.topics.map((t) => ('name' in t ? t.name : t.topic))).toEqual(['moves']);

    // Writes go on meanwhile, to the old leader.
    await fill(producer, 'moves', 0, 20, 100);
    // Without the throttle the new replicas catch up, and the reassignment completes.
    await setTopicConfig(admin, 'moves', {});
    await waitFor(() => cluster.controller.partition('moves', 0)!.replicas.join() === '2,3', 30_000, 'the reassignment to complete');
    const done = cluster.controller.partition('moves', 0)!;
    expect(done.isr.sort()).toEqual([2, 3]);
    expect([2, 3]).toContain(done.leader);
    expect(done.addingReplicas).toBeUndefined();
    expect((await admin.listPartitionReassignments({})).topics).toEqual([]);
    // The removed replicas' logs are gone; the new ones hold all 420 records.
    await waitFor(() => !existsSync(join(dataDir, 'broker-0', 'moves-0')) && !existsSync(join(dataDir, 'broker-1', 'moves-0')), 10_000, 'the old logs to go');
    const offsets = await admin.fetchTopicOffsets('moves');
    expect(offsets[0]!.high).toBe('420');
    for (const broker of [2, 3])
      expect(
        cluster
          .broker(broker)
          .hostedReplicas()
          .find((r) => r.topic === 'moves')!.log.logEndOffset,
      ).toBe(420);
  }, 60_000);

  it('cancels (null replicas): back to the original replicas, adding ones dropped; per-partition errors (raw v0)', async () => {
    const { cluster, admin, producer, raw, dataDir } = await setup();
    createTopic(cluster, 'cancel', [[0, 1]]);
    await fill(producer, 'cancel', 0, 100, 1000);
    await setBrokerConfig(admin, 2, 'follower.replication.throttled.rate', '1000');
    await setTopicConfig(admin, 'cancel', { 'follower.replication.throttled.replicas': '*' });

    const started = await raw.call(AlterPartitionReassignments, 0, {
      timeoutMs: 5000,
      allowReplicationFactorChange: true,
      topics: [
        {
          name: 'cancel',
          partitions: [
            { partitionIndex: 0, replicas: [2, 1] },
            { partitionIndex: 7, replicas: [0] },
          ],
        },
        { name: 'nope', partitions: [{ partitionIndex: 0, replicas: [0] }] },
      ],
    });
    expect(started.errorCode).toBe(ErrorCode.NONE);
    const codes = started.responses.flatMap((t) => t.partitions.map((p) => [t.name, p.partitionIndex, p.errorCode]));
    expect(codes).toEqual([
      ['cancel', 0, ErrorCode.NONE],
      ['cancel', 7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ['nope', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    const listed = await raw.call(ListPartitionReassignments, 0, { timeoutMs: 5000, topics: null });
    expect(listed.topics).toEqual([{ name: 'cancel', partitions: [{ partitionIndex: 0, replicas: [2, 1, 0], addingReplicas: [2], removingReplicas: [0] }] }]);
    await waitFor(() => existsSync(join(dataDir, 'broker-2', 'cancel-0')), 10_000, 'the adding replica to be created');

    const bad = await raw.call(AlterPartitionReassignments, 0, {
      timeoutMs: 5000,
      allowReplicationFactorChange: true,
      topics: [
        {
          name: 'cancel',
          partitions: [
            { partitionIndex: 0, replicas: [] },
            { partitionIndex: 0, replicas: [1, 1] },
            { partitionIndex: 0, replicas: [1, 9] },
          ],
        },
      ],
    });
    expect(bad.responses[0]!.partitions.map((p) => [p.errorCode, p.errorMessage])).toEqual([
      [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.'],
      [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes the broker 1 more than once.'],
      [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes broker 9, but no such broker is registered.'],
    ]);
    // The refused targets left the ongoing reassignment alone.
    expect(cluster.controller.partition('cancel', 0)!.addingReplicas).toEqual([2]);

    const cancel = () =>
      raw.call(AlterPartitionReassignments, 0, {
        timeoutMs: 5000,
        allowReplicationFactorChange: true,
        topics: [{ name: 'cancel', partitions: [{ partitionIndex: 0, replicas: null }] }],
      });
    expect((await cancel()).responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    const reverted = cluster.controller.partition('cancel', 0)!;
    expect(reverted.replicas).toEqual([1, 0]);
    expect(reverted.isr.sort()).toEqual([0, 1]);
    expect(reverted.leader).toBe(0);
    expect((await raw.call(ListPartitionReassignments, 0, { timeoutMs: 5000, topics: null })).topics).toEqual([]);
    await waitFor(() => !existsSync(join(dataDir, 'broker-2', 'cancel-0')), 10_000, 'the adding replica to be dropped');
    const again = await cancel();
    expect(again.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS);
    // The partition still takes writes on its original replicas.
    await fill(producer, 'cancel', 0, 10, 10);
    expect((await admin.fetchTopicOffsets('cancel'))[0]!.high).toBe('110');
  }, 60_000);

  it('a replication throttle bounds the catch-up rate of the throttled replica only (follower and leader quotas)', async () => {
    const { cluster, admin, producer } = await setup(3);
    createTopic(cluster, 'throttled', [[0], [0]]);
    const recordBytes = 2000;
    await fill(producer, 'throttled', 0, 600, recordBytes);
    await fill(producer, 'throttled', 1, 600, recordBytes);
    const total = replicaSize(cluster, 0, 'throttled', 0);
    expect(total).toBeGreaterThan(1_000_000);
    const rate = 100_000;
    await setBrokerConfig(admin, 1, 'follower.replication.throttled.rate', String(rate));
    // Partition 0 is throttled on its follower 1; partition 1 is not listed.
    await setTopicConfig(admin, 'throttled', { 'follower.replication.throttled.replicas': '0:1' });
    await admin.alterPartitionReassignments({
      topics: [
        {
          topic: 'throttled',
          partitionAssignment: [
            { partition: 0, replicas: [0, 1] },
            { partition: 1, replicas: [0, 1] },
          ],
        },
      ],
    });
    const started = performance.now();
    await waitFor(() => cluster.controller.partition('throttled', 1)!.isr.length === 2, 30_000, 'the unthrottled partition to catch up');
    const unthrottledMs = performance.now() - started;
    await sleep(1500);
    const elapsedS = (performance.now() - started) / 1000;
    const throttledBytes = replicaSize(cluster, 1, 'throttled', 0);
    // The throttled replica got at most a second's worth ahead of the rate (the bucket starts full) plus
    // one fetch's overshoot (a batch), however fast the machine; the unthrottled one took everything.
    expect(throttledBytes).toBeLessThanOrEqual(rate * (elapsedS + 1) + 60_000);
    expect(cluster.controller.partition('throttled', 0)!.addingReplicas).toEqual([1]);
    expect(replicaSize(cluster, 1, 'throttled', 1)).toBe(total);
    // And it does progress meanwhile, at the bounded rate: more than nothing.
    expect(throttledBytes).toBeGreaterThan(0);
    const unthrottledRate = total / (unthrottledMs / 1000);
    const throttledRate = throttledBytes / elapsedS;
    expect(unthrottledRate).toBeGreaterThan(throttledRate);

    // The leader side: the same bound on broker 0 for partition 0 as it leads, follower quota lifted.
    await setBrokerConfig(admin, 0, 'leader.replication.throttled.rate', String(rate));
    await setTopicConfig(admin, 'throttled', { 'follower.replication.throttled.replicas': '0:1', 'leader.replication.throttled.replicas': '0:0' });
    await setBrokerConfig(admin, 1, 'follower.replication.throttled.rate', '9223372036854775807');
    const before = replicaSize(cluster, 1, 'throttled', 0);
    const leaderStarted = performance.now();
    await sleep(1500);
    const leaderBytes = replicaSize(cluster, 1, 'throttled', 0) - before;
    expect(leaderBytes).toBeLessThanOrEqual(rate * ((performance.now() - leaderStarted) / 1000 + 1) + 60_000);
    expect(cluster.controller.partition('throttled', 0)!.addingReplicas).toEqual([1]);

    // Lifted: it completes.
    await setTopicConfig(admin, 'throttled', {});
    await waitFor(() => cluster.controller.partition('throttled', 0)!.isr.length === 2, 30_000, 'the throttled partition to catch up once lifted');
    expect(replicaSize(cluster, 1, 'throttled', 0)).toBe(total);
  }, 90_000);

  it('a follower quota shared by several throttled replicas serves them in turn: none waits for another to finish', async () => {
    const { cluster, admin, producer } = await setup(2);
    createTopic(cluster, 'shared', [[0], [0], [0]]);
    // Batches of 50 records of 1000 bytes: each fetch under the 20 kB/s quota brings exactly one (the bucket holds less).
    for (const partition of [0, 1, 2]) await fill(producer, 'shared', partition, 200, 1000);
    const batch = replicaSize(cluster, 0, 'shared', 0) / 4;
    await setBrokerConfig(admin, 1, 'follower.replication.throttled.rate', '20000');
    await setTopicConfig(admin, 'shared', { 'follower.replication.throttled.replicas': '*' });
    await admin.alterPartitionReassignments({
      topics: [{ topic: 'shared', partitionAssignment: [0, 1, 2].map((partition) => ({ partition, replicas: [0, 1] })) }],
    });
    const copied = () => [0, 1, 2].map((partition) => replicaSize(cluster, 1, 'shared', partition));
    // Three fetches in: one batch each, where a fixed order gave the first partition all three.
    const sizes = await waitFor(
      () => {
        const now = copied();
        return now.reduce((sum, size) => sum + size, 0) >= 3 * batch - 1 ? now : null;
      },
      30_000,
      'three throttled fetches',
      () => JSON.stringify(copied()),
    );
    expect(sizes.every((size) => size > 0)).toBe(true);
    await setTopicConfig(admin, 'shared', {});
    await waitFor(() => [0, 1, 2].every((p) => cluster.controller.partition('shared', p)!.isr.length === 2), 30_000, 'the moves to complete once lifted');
  }, 60_000);

  it('moves leadership off a removed leader and keeps an ongoing reassignment across a restart', async () => {
    const dataDir = newDataDir();
    const first = await setup(3, dataDir);
    let { cluster, admin, producer } = first;
    createTopic(cluster, 'restart', [[0, 1]]);
    await fill(producer, 'restart', 0, 50, 1000);
    await setBrokerConfig(admin, 2, 'follower.replication.throttled.rate', '1');
    await setTopicConfig(admin, 'restart', { 'follower.replication.throttled.replicas': '*' });
    await admin.alterPartitionReassignments({ topics: [{ topic: 'restart', partitionAssignment: [{ partition: 0, replicas: [2, 1] }] }] });
    await first.stop();

    ({ cluster, admin, producer } = await setup(3, dataDir));
    const listed = await admin.listPartitionReassignments({});
    expect(listed.topics).toEqual([{ name: 'restart', partitions: [{ partition: 0, replicas: [2, 1, 0], addingReplicas: [2], removingReplicas: [0] }] }]);
    await setTopicConfig(admin, 'restart', {});
    await waitFor(() => cluster.controller.partition('restart', 0)!.replicas.join() === '2,1', 30_000, 'the reassignment to complete after the restart');
    // Broker 0 led and was removed: the first live in-sync replica of the target leads now.
    expect(cluster.controller.partition('restart', 0)!.leader).toBe(2);
    await fill(producer, 'restart', 0, 10, 10);
    expect((await admin.fetchTopicOffsets('restart'))[0]!.high).toBe('60');
  }, 60_000);

  it('shrinks a replica set at once when nothing is added, and answers Metadata, DescribeLogDirs and AlterReplicaLogDirs (raw)', async () => {
    const { cluster, raw, dataDir } = await setup(3);
    createTopic(cluster, 'shrink', [[0, 1, 2]]);
    const result = await raw.call(AlterPartitionReassignments, 0, {
      timeoutMs: 5000,
      allowReplicationFactorChange: true,
      topics: [{ name: 'shrink', partitions: [{ partitionIndex: 0, replicas: [1] }] }],
    });
    expect(result.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    const metadata = await raw.call(Metadata, 12, {
      topics: [{ name: 'shrink', topicId: '00000000-0000-0000-0000-000000000000' }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    const partition = metadata.topics[0]!.partitions[0]!;
    expect([partition.replicaNodes, partition.isrNodes, partition.leaderId]).toEqual([[1], [1], 1]);
    await waitFor(() => !existsSync(join(dataDir, 'broker-0', 'shrink-0')), 10_000, 'the removed replica to go');
    const broker1 = await RawClient.open(cluster.bootstrapServers().split(',')[1]!);
    cleanups.push(() => broker1.close());
    const dirs = await broker1.call(DescribeLogDirs, 4, { topics: [{ topic: 'shrink', partitions: [0] }] });
    const logDir = dirs.results[0]!.logDir;
    expect(dirs.results[0]!.topics.map((t) => t.name)).toEqual(['shrink']);
    const altered = await broker1.call(AlterReplicaLogDirs, 2, {
      dirs: [
        { path: logDir, topics: [{ name: 'shrink', partitions: [0, 5] }] },
        { path: '/elsewhere', topics: [{ name: 'shrink', partitions: [0] }] },
      ],
    });
    expect(altered.results.flatMap((t) => t.partitions.map((p) => p.errorCode))).toEqual([
      ErrorCode.NONE,
      ErrorCode.REPLICA_NOT_AVAILABLE,
      ErrorCode.LOG_DIR_NOT_FOUND,
    ]);
  }, 60_000);
});
