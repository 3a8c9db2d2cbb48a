import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { isFailure } from '../../../electron/broker/cluster/controller';
import { silentLogger } from '../../../electron/broker/server/logger';
import { waitFor } from '../../support/wait';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startCluster(config: Record<string, string> = {}): Promise<EmbeddedCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kd-replication-'));
  const cluster = await EmbeddedCluster.start({ brokers: 3, basePort: 0, dataDir, logger: silentLogger, config });
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  cleanups.push(() => cluster.close());
  return cluster;
}

function createTopic(cluster: EmbeddedCluster, name: string, partitions: number, configs: Record<string, string> = {}): void {
  const topic = cluster.controller.createTopic({ name, partitions, replicationFactor: 3, configs });
  if (isFailure(topic)) throw new Error(topic.message);
}

async function producer(cluster: EmbeddedCluster, options: { retries?: number } = {}): Promise<Producer> {
  const kafka = new Kafka({
    clientId: 'replication-test',
    brokers: cluster.bootstrapServers().split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: options.retries ?? 0, initialRetryTime: 50, maxRetryTime: 500 },
  });
  const p = kafka.producer({ allowAutoTopicCreation: false });
  await p.connect();
  cleanups.push(() => p.disconnect());
  return p;
}

function committedBytes(cluster: EmbeddedCluster, brokerId: number, topic: string, partition: number, upTo: number): Buffer {
  const replica = cluster.broker(brokerId).replica(topic, partition)!;
  const chunks: Buffer[] = [];
  let offset = replica.log.logStartOffset;
  while (offset < upTo) {
    const { records, lastOffset } = replica.log.read(offset, 1 << 20, upTo);
    if (records.length === 0) break;
    chunks.push(Buffer.from(records));
    offset = lastOffset + 1;
  }
  return Buffer.concat(chunks);
}

describe('replication', () => {
  it("catches up a restarted follower whose log then equals the leader's byte for byte", async () => {
    const cluster = await startCluster();
    createTopic(cluster, 'catch-up', 1);
    const meta = cluster.controller.partition('catch-up', 0)!;
    const follower = meta.replicas.find((id) => id !== meta.leader)!;
    const p = await producer(cluster);
    await p.send({ topic: 'catch-up', acks: -1, messages: [{ value: 'before' }] });
    await cluster.killBroker(follower);
    for (let i = 0; i < 20; i++) {
      await p.send({ topic: 'catch-up', acks: -1, messages: Array.from({ length: 50 }, (_, j) => ({ key: `k${j}`, value: `missed-${i}-${j}` })) });
    }
    const leaderReplica = cluster.broker(meta.leader).replica('catch-up', 0)!;
    expect(leaderReplica.highWatermark).toBe(1001);
    await cluster.startBroker(follower);
    await waitFor(() => cluster.controller.partition('catch-up', 0)!.isr.includes(follower), 10_000, 'the follower to join the ISR');
    const followerReplica = cluster.broker(follower).replica('catch-up', 0)!;
    await waitFor(() => followerReplica.log.logEndOffset === 1001, 10_000, 'the follower to catch up');
    const hw = leaderReplica.highWatermark;
    expect(committedBytes(cluster, follower, 'catch-up', 0, hw).equals(committedBytes(cluster, meta.leader, 'catch-up', 0, hw))).toBe(true);
  });

  it('keeps writing with one follower down and refuses acks=all below min.insync.replicas', async () => {
    const cluster = await startCluster();
    createTopic(cluster, 'min-isr', 1, { 'min.insync.replicas': '2' });
    const meta = cluster.controller.partition('min-isr', 0)!;
    const [first, second] = meta.replicas.filter((id) => id !== meta.leader) as [number, number];
    const p = await producer(cluster, { retries: 3 });
    await cluster.stopBroker(first);
    await expect(p.send({ topic: 'min-isr', acks: -1, messages: [{ value: 'one follower down' }] })).resolves.toBeDefined();
    await cluster.stopBroker(second);
    const leader = cluster.broker(cluster.controller.partition('min-isr', 0)!.leader).replica('min-isr', 0)!;
    const endBefore = leader.log.logEndOffset;
    await expect(p.send({ topic: 'min-isr', acks: -1, messages: [{ value: 'two followers down' }] })).rejects.toThrow(/fewer in-sync replicas than required/);
    // Nothing was appended, let alone acknowledged, while the ISR is below the minimum.
    expect(leader.log.logEndOffset).toBe(endBefore);
    // acks=1 does not need the ISR.
    await expect(p.send({ topic: 'min-isr', acks: 1, messages: [{ value: 'acks=1' }] })).resolves.toBeDefined();
    await cluster.startBroker(first);
    await waitFor(() => cluster.controller.partition('min-isr', 0)!.isr.length >= 2, 10_000, 'the ISR to grow');
    await expect(p.send({ topic: 'min-isr', acks: -1, messages: [{ value: 'back to two' }] })).resolves.toBeDefined();
  });

  it('moves leaders on stop and kill, keeps a partition offline rather than lose data, and truncates divergent records', async () => {
    const cluster = await startCluster({ 'replica.lag.time.max.ms': '1000' });
    createTopic(cluster, 'failover', 1);
    const p = await producer(cluster, { retries: 5 });
    await p.send({ topic: 'failover', acks: -1, messages: [{ value: 'a' }] });
    const first = cluster.controller.partition('failover', 0)!;
    const epoch0 = first.leaderEpoch;
    const oldLeader = first.leader;
    await cluster.stopBroker(oldLeader);
    const moved = cluster.controller.partition('failover', 0)!;
    expect(moved.leader).not.toBe(oldLeader);
    expect(moved.leaderEpoch).toBeGreaterThan(epoch0);
    await p.send({ topic: 'failover', acks: -1, messages: [{ value: 'b' }] });

    // Kill the remaining brokers one by one: the last ISR member is remembered; the partition is offline.
    const others = moved.isr.filter((id) => id !== moved.leader);
    for (const id of others) await cluster.killBroker(id);
    const lastLeader = cluster.controller.partition('failover', 0)!.leader;
    // acks=1 records on the sole remaining leader are committed (the ISR is just itself).
    await p.send({ topic: 'failover', acks: 1, messages: [{ value: 'c' }] });
    await cluster.killBroker(lastLeader);
    expect(cluster.controller.partition('failover', 0)!.leader).toBe(-1);
    // An out-of-sync replica coming back does not lead (unclean.leader.election.enable=false).
    await cluster.startBroker(oldLeader);
    expect(cluster.controller.partition('failover', 0)!.leader).toBe(-1);
    await cluster.startBroker(lastLeader);
    expect(cluster.controller.partition('failover', 0)!.leader).toBe(lastLeader);
    for (const id of others) await cluster.startBroker(id);
    await waitFor(() => cluster.controller.partition('failover', 0)!.isr.length === 3, 10_000, 'the ISR to grow');
    const leaderLog = cluster.broker(lastLeader).replica('failover', 0)!;
    for (const id of [0, 1, 2]) {
      const replica = cluster.broker(id).replica('failover', 0)!;
      await waitFor(() => replica.log.logEndOffset === leaderLog.log.logEndOffset, 10_000, 'the follower to catch up');
      expect(
        committedBytes(cluster, id, 'failover', 0, leaderLog.highWatermark).equals(committedBytes(cluster, lastLeader, 'failover', 0, leaderLog.highWatermark)),
      ).toBe(true);
    }
    expect(leaderLog.highWatermark).toBe(3);
    // Preferred leader election hands leadership back to the first assigned replica.
    const results = cluster.controller.electPreferredLeaders([{ topic: 'failover', partition: 0 }]);
    const after = cluster.controller.partition('failover', 0)!;
    expect(after.leader).toBe(after.replicas[0]);
    expect(results[0]!.error === null || results[0]!.error === 'ELECTION_NOT_NEEDED').toBe(true);
  });

  it('shrinks the ISR of a follower that stops fetching and lets it rejoin', async () => {
    const cluster = await startCluster({ 'replica.lag.time.max.ms': '300' });
    createTopic(cluster, 'lagging', 1);
    const meta = cluster.controller.partition('lagging', 0)!;
    const follower = meta.replicas.find((id) => id !== meta.leader)!;
    const p = await producer(cluster);
    await p.send({ topic: 'lagging', acks: 1, messages: [{ value: 'x' }] });
    // Stop only the follower's fetcher by killing it without telling the controller: its replica
    // stops fetching, the leader notices the lag and shrinks the ISR on its own.
    const broker = cluster.broker(follower);
    await broker.kill();
    await p.send({ topic: 'lagging', acks: 1, messages: [{ value: 'y' }] });
    await waitFor(() => !cluster.controller.partition('lagging', 0)!.isr.includes(follower), 5000, 'the follower to leave the ISR');
    await broker.start();
    broker.syncReplicas();
    await waitFor(() => cluster.controller.partition('lagging', 0)!.isr.includes(follower), 5000, 'the follower to join the ISR');
  });
});
