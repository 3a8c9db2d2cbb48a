// Eligible leader replicas (KIP-966 part 1) on a real 3-broker embedded cluster: brokers stopped one by
// one shrink the ISR below min.insync.replicas, DescribeTopicPartitions names the ELR, and when the
// leader stops too a replica from the ELR is elected cleanly, without losing an acknowledged record.
// Kafka 4.1 (the cluster playing no release) tracks the ELR by default; 4.0 does not, unless
// eligible.leader.replicas.version is upgraded (UpdateFeatures), and then keeps the old behaviour: the
// last in-sync replica stays in the ISR and the partition waits for it. Produced with kafkajs (acks=all)
// and kcat (acks=1), read back with kcat.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { isFailure } from '../../../electron/broker/cluster/controller';
import { silentLogger } from '../../../electron/broker/server/logger';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import { DescribeTopicPartitions, ListOffsets, UpdateFeatures } from '../../../electron/kafka/protocol/generated/index';
import type { KafkaReleaseId } from '../../../electron/kafka/releases';
import { RawClient } from '../handlers/raw-client';
import { waitFor } from '../../support/wait';

const run = promisify(execFile);
const TOPIC = 'elr';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startCluster(kafkaVersion: KafkaReleaseId | null): Promise<EmbeddedCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kd-elr-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const cluster = await EmbeddedCluster.start({ brokers: 3, basePort: 0, dataDir, logger: silentLogger, kafkaVersion });
  cleanups.push(() => cluster.close());
  // Broker 0 leads; 1 and 2 follow; acks=all needs two in-sync replicas.
  const created = cluster.controller.createTopic({ name: TOPIC, assignment: [[0, 1, 2]], configs: { 'min.insync.replicas': '2' } });
  if (isFailure(created)) throw new Error(created.message);
  return cluster;
}

/** A wire client on a running broker (DescribeTopicPartitions, ListOffsets, UpdateFeatures). */
async function rawClient(cluster: EmbeddedCluster, brokerId: number): Promise<RawClient> {
  const broker = cluster.broker(brokerId);
  const raw = await RawClient.open(`${broker.host}:${broker.boundPort}`);
  cleanups.push(() => raw.close());
  return raw;
}

/** The partition as DescribeTopicPartitions reports it. */
async function described(cluster: EmbeddedCluster, brokerId: number) {
  const raw = await rawClient(cluster, brokerId);
  const response = await raw.call(DescribeTopicPartitions, 0, { topics: [{ name: TOPIC }], responsePartitionLimit: 10, cursor: null });
  const p = response.topics[0]!.partitions[0]!;
  return { leader: p.leaderId, isr: p.isrNodes, elr: p.eligibleLeaderReplicas, lastKnownElr: p.lastKnownElr };
}

/** Produces with kafkajs, acks=all; returns the acknowledged values. */
async function produceAll(cluster: EmbeddedCluster, prefix: string, count: number): Promise<string[]> {
  const kafka = new Kafka({ clientId: 'elr', brokers: cluster.bootstrapServers().split(','), logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const messages = Array.from({ length: count }, (_, i) => ({ value: `${prefix}-${i}` }));
    await producer.send({ topic: TOPIC, acks: -1, messages });
    return messages.map((m) => m.value);
  } finally {
    await producer.disconnect();
  }
}

/** Produces one record with kcat (librdkafka), acks=1. */
async function produceOne(cluster: EmbeddedCluster, value: string): Promise<void> {
  const producing = run('kcat', ['-b', cluster.bootstrapServers(), '-P', '-t', TOPIC, '-p', '0', '-X', 'request.required.acks=1'], { timeout: 30_000 });
  producing.child.stdin!.end(`${value}\n`);
  await producing;
}

/** Every value of the topic, read from the beginning by kcat. */
async function readAll(cluster: EmbeddedCluster): Promise<string[]> {
  const { stdout } = await run('kcat', ['-b', cluster.bootstrapServers(), '-C', '-t', TOPIC, '-o', 'beginning', '-e', '-q', '-f', '%s\\n'], {
    timeout: 60_000,
  });
  return stdout.split('\n').filter((line) => line !== '');
}

/** The partition's high watermark (ListOffsets latest), from the leader. */
async function highWatermark(cluster: EmbeddedCluster, leader: number): Promise<number> {
  const raw = await rawClient(cluster, leader);
  const response = await raw.call(ListOffsets, 7, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] }],
    timeoutMs: 5_000,
  });
  const p = response.topics[0]!.partitions[0]!;
  expect(p.errorCode).toBe(ErrorCode.NONE);
  return Number(p.offset);
}

describe('eligible leader replicas (KIP-966)', () => {
  it('tracks the ELR below min ISR and elects a leader from it cleanly when the ISR is empty (4.1)', async () => {
    const cluster = await startCluster(null);
    expect(cluster.controller.features.level('eligible.leader.replicas.version')).toBe(1);
    const acknowledged = await produceAll(cluster, 'before', 100);

    await cluster.stopBroker(2);
    // Two in sync: at min ISR, no ELR.
    expect(await described(cluster, 0)).toEqual({ leader: 0, isr: [0, 1], elr: [], lastKnownElr: [] });

    await cluster.stopBroker(1);
    // Below min ISR: broker 1 left the ISR holding every committed record, so it is eligible.
    expect(await described(cluster, 0)).toEqual({ leader: 0, isr: [0], elr: [1], lastKnownElr: [] });
    // Strict min ISR (KAFKA-15583): an acks=1 record is written but the high watermark does not move, so
    // no consumer sees it and broker 1 still holds everything committed.
    await produceOne(cluster, 'uncommitted');
    expect(cluster.broker(0).replica(TOPIC, 0)!.log.logEndOffset).toBe(101);
    expect(await highWatermark(cluster, 0)).toBe(100);

    await cluster.stopBroker(0);
    const offline = cluster.controller.partition(TOPIC, 0)!;
    expect(offline).toMatchObject({ leader: -1, isr: [], elr: [0, 1], lastKnownElr: [0] });
    const epochBefore = offline.leaderEpoch;

    // Broker 1 comes back: the ISR is empty, so the first live ELR member leads — a clean election.
    await cluster.startBroker(1);
    expect(await described(cluster, 1)).toEqual({ leader: 1, isr: [1], elr: [0], lastKnownElr: [] });
    expect(cluster.controller.partition(TOPIC, 0)!.leaderEpoch).toBe(epochBefore + 1);
    expect(cluster.controller.partition(TOPIC, 0)!.uncleanElectionEpoch).toBeUndefined();
    // Every acknowledged record is there; the record only broker 0 had was never committed.
    expect(await readAll(cluster)).toEqual(acknowledged);

    // The other brokers catch up: the ISR is back at min ISR and the ELR is cleared.
    await cluster.startBroker(0);
    await cluster.startBroker(2);
    await waitFor(() => cluster.controller.partition(TOPIC, 0)!.isr.length === 3, 20_000, 'the ISR to be full again');
    expect(await described(cluster, 1)).toMatchObject({ leader: 1, elr: [], lastKnownElr: [] });
    const more = await produceAll(cluster, 'after', 20);
    expect(await readAll(cluster)).toEqual([...acknowledged, ...more]);
  }, 120_000);

  it('takes a broker back from an unclean shutdown out of the ELR; the last known leader leads when nothing else may', async () => {
    const cluster = await startCluster(null);
    // A single replica: killed and back, it is no longer eligible but is the last known leader.
    expect(isFailure(cluster.controller.createTopic({ name: 'solo', assignment: [[0]] }))).toBe(false);
    const acknowledged = await produceAll(cluster, 'before', 50);
    await cluster.stopBroker(2);
    await cluster.stopBroker(1);
    await cluster.killBroker(0);
    expect(cluster.controller.partition(TOPIC, 0)).toMatchObject({ leader: -1, isr: [], elr: [0, 1], lastKnownElr: [0] });
    await cluster.startBroker(2);
    // Broker 2 left the ISR at min ISR: not eligible, the partition waits.
    expect(cluster.controller.partition(TOPIC, 0)!.leader).toBe(-1);
    await cluster.startBroker(0);
    // Killed: it may have lost what it had not flushed, so it leaves the ELR (Kafka's handleBrokerUncleanShutdown)
    // and broker 1, still eligible, is waited for.
    expect(await described(cluster, 0)).toEqual({ leader: -1, isr: [], elr: [1], lastKnownElr: [0] });
    expect(cluster.controller.partition('solo', 0)).toMatchObject({ leader: 0, isr: [0] });
    expect(cluster.controller.partition('solo', 0)!.lastKnownElr).toBeUndefined();
    await cluster.startBroker(1);
    // Broker 1 leads from the ELR (brokers 0 and 2, live, then catch up and rejoin the ISR).
    expect(await described(cluster, 1)).toMatchObject({ leader: 1, lastKnownElr: [] });
    expect(await readAll(cluster)).toEqual(acknowledged);
  }, 120_000);

  it('keeps the old behaviour without ELR (4.0): the last in-sync replica stays in the ISR and the partition waits for it', async () => {
    const cluster = await startCluster('4.0');
    expect(cluster.controller.features.level('eligible.leader.replicas.version')).toBe(0);
    const acknowledged = await produceAll(cluster, 'before', 50);
    await cluster.stopBroker(2);
    await cluster.stopBroker(1);
    expect(await described(cluster, 0)).toEqual({ leader: 0, isr: [0], elr: [], lastKnownElr: [] });
    await cluster.stopBroker(0);
    expect(cluster.controller.partition(TOPIC, 0)).toMatchObject({ leader: -1, isr: [0] });
    await cluster.startBroker(1);
    // Broker 1 is out of sync and nothing is eligible: offline until broker 0 returns.
    expect(await described(cluster, 1)).toEqual({ leader: -1, isr: [0], elr: [], lastKnownElr: [] });
    await cluster.startBroker(0);
    expect(cluster.controller.partition(TOPIC, 0)!.leader).toBe(0);
    expect(await readAll(cluster)).toEqual(acknowledged);
  }, 120_000);

  it('starts tracking the ELR on a 4.0 cluster once eligible.leader.replicas.version is upgraded, and stops after a downgrade', async () => {
    const cluster = await startCluster('4.0');
    const raw = await rawClient(cluster, 0);
    const update = (level: number, upgradeType: number) =>
      raw.call(UpdateFeatures, 1, {
        timeoutMs: 5_000,
        featureUpdates: [{ feature: 'eligible.leader.replicas.version', maxVersionLevel: level, allowDowngrade: false, upgradeType }],
        validateOnly: false,
      });
    expect((await update(1, 1)).errorCode).toBe(ErrorCode.NONE);
    await cluster.stopBroker(2);
    await cluster.stopBroker(1);
    expect(await described(cluster, 0)).toEqual({ leader: 0, isr: [0], elr: [1], lastKnownElr: [] });
    await cluster.stopBroker(0);
    expect(cluster.controller.partition(TOPIC, 0)).toMatchObject({ leader: -1, isr: [], elr: [0, 1] });

    // Downgraded while the ISR is empty: the eligible replicas become the ISR again (they hold every
    // committed record), and the partition is led as without ELR.
    await cluster.startBroker(2);
    const raw2 = await rawClient(cluster, 2);
    const downgrade = await raw2.call(UpdateFeatures, 1, {
      timeoutMs: 5_000,
      featureUpdates: [{ feature: 'eligible.leader.replicas.version', maxVersionLevel: 0, allowDowngrade: false, upgradeType: 2 }],
      validateOnly: false,
    });
    expect(downgrade.errorCode).toBe(ErrorCode.NONE);
    expect(await described(cluster, 2)).toEqual({ leader: -1, isr: [0, 1], elr: [], lastKnownElr: [] });
    await cluster.startBroker(1);
    expect(cluster.controller.partition(TOPIC, 0)).toMatchObject({ leader: 1, isr: [0, 1] });
  }, 120_000);
});
