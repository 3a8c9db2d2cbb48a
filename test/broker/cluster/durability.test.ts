// Acknowledged records survive a replica that lost the tail of its log (a torn write, a cut file):
// file surgery between a stop and a start, produced with acks=all by kafkajs and read back by
// librdkafka (kcat). See election.ts for the rules and election.test.ts for them case by case.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { isFailure } from '../../../electron/broker/cluster/controller';
import { createLogger } from '../../../electron/broker/server/logger';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import { ElectLeaders } from '../../../electron/kafka/protocol/generated/index';
import { RawClient } from '../handlers/raw-client';
import { waitFor } from '../../support/wait';
import type { KafkaReleaseId } from '../../../electron/kafka/releases';

const run = promisify(execFile);

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Started {
  cluster: EmbeddedCluster;
  /** Warning and error lines the brokers and the controller logged. */
  lines: string[];
}

async function start(dataDir: string, config: Record<string, string> = {}, kafkaVersion: KafkaReleaseId | null = null): Promise<Started> {
  const lines: string[] = [];
  const cluster = await EmbeddedCluster.start({
    brokers: 3,
    basePort: 0,
    dataDir,
    kafkaVersion,
    logger: createLogger({ level: 'warn', write: (line) => lines.push(line) }),
    config: { 'replica.lag.time.max.ms': '2000', ...config },
  });
  cleanups.push(() => cluster.close());
  return { cluster, lines };
}

function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kd-durability-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function createTopic(cluster: EmbeddedCluster, name: string, assignment: number[][], configs: Record<string, string> = {}): void {
  const created = cluster.controller.createTopic({ name, assignment, configs });
  if (isFailure(created)) throw new Error(created.message);
}

/** Produces `count` records with acks=all (idempotent kafkajs), 50 per request; returns the acknowledged values. */
async function produce(cluster: EmbeddedCluster, topic: string, prefix: string, count: number, partitions: number): Promise<string[]> {
  const kafka = new Kafka({ clientId: 'durability', brokers: cluster.bootstrapServers().split(','), logLevel: logLevel.NOTHING, retry: { retries: 5 } });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const acknowledged: string[] = [];
  try {
    for (let start = 0; start < count; start += 50) {
      const messages = Array.from({ length: Math.min(50, count - start) }, (_, i) => ({
        value: `${prefix}-${start + i}`,
        partition: (start / 50) % partitions,
      }));
      await producer.send({ topic, acks: -1, messages });
      acknowledged.push(...messages.map((m) => m.value));
    }
  } finally {
    await producer.disconnect();
  }
  return acknowledged;
}

/** Every value of the topic, read from the beginning by librdkafka (kcat). */
async function readAll(cluster: EmbeddedCluster, topic: string): Promise<string[]> {
  const { stdout } = await run('kcat', ['-b', cluster.bootstrapServers(), '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\\n'], {
    maxBuffer: 16 << 20,
    timeout: 60_000,
  });
  return stdout.split('\n').filter((line) => line !== '');
}

/** Cuts the last `bytes` bytes off the active (newest) segment of a partition's log on one broker. */
function cutTail(dataDir: string, brokerId: number, topic: string, partition: number, bytes: number): void {
  const dir = join(dataDir, `broker-${brokerId}`, `${topic}-${partition}`);
  const active = readdirSync(dir)
    .filter((name) => name.endsWith('.log'))
    .sort()
    .at(-1)!;
  const path = join(dir, active);
  truncateSync(path, statSync(path).size - bytes);
}

function expectAll(read: string[], acknowledged: string[]): void {
  const seen = new Set(read);
  expect(acknowledged.filter((value) => !seen.has(value))).toEqual([]);
  expect(read.length).toBe(seen.size);
}

describe('a replica that lost committed records', () => {
  // Kafka 4.0 does not track eligible leader replicas by default; 4.1 (the cluster playing no release) does.
  for (const release of ['4.0', null] as const) {
    it(`does not lead when it starts first after a clean stop: the intact replicas keep every acknowledged record (${release ?? '4.1'})`, async () => {
      const dataDir = tempDataDir();
      const first = await start(dataDir, {}, release);
      // Broker 0 is the preferred leader of every partition; a clean stop leaves it the last in-sync replica.
      createTopic(
        first.cluster,
        'torn',
        [
          [0, 1, 2],
          [0, 2, 1],
          [0, 1, 2],
        ],
        { 'min.insync.replicas': '2' },
      );
      const acknowledged = await produce(first.cluster, 'torn', 'v', 1500, 3);
      await first.cluster.close();
      // Without ELR the last in-sync replica stays in the ISR; with it the ISR empties and broker 1, which
      // left the ISR below min.insync.replicas (the high watermark stopping there), is eligible too.
      for (const p of [0, 1, 2])
        expect(first.cluster.controller.partition('torn', p)).toMatchObject(
          release === '4.0' ? { leader: -1, isr: [0] } : { leader: -1, isr: [], elr: [0, 1], lastKnownElr: [0] },
        );

      for (const p of [0, 1, 2]) cutTail(dataDir, 0, 'torn', p, 7);
      const second = await start(dataDir, {}, release);
      const { controller } = second.cluster;
      for (const p of [0, 1, 2]) expect(controller.partition('torn', p)!.leader).not.toBe(0);
      expect(second.lines.some((line) => /below its high-watermark checkpoint/.test(line))).toBe(true);
      expect(
        second.lines.some((line) =>
          release === '4.0'
            ? /outside the ISR, holds them all and leads/.test(line)
            : /in-sync replica\(s\) that lost committed records left the ISR/.test(line),
        ),
      ).toBe(true);
      // Broker 0 catches up from the new leader and rejoins the ISR.
      await waitFor(() => [0, 1, 2].every((p) => controller.partition('torn', p)!.isr.length === 3), 20_000, 'the ISR to be full again');

      expectAll(await readAll(second.cluster, 'torn'), acknowledged);
      // And the cluster goes on: more records, all of them readable.
      const more = await produce(second.cluster, 'torn', 'after', 150, 3);
      expectAll(await readAll(second.cluster, 'torn'), [...acknowledged, ...more]);
    }, 120_000);
  }

  it('does not keep a leadership recorded before a crash when its log lost records', async () => {
    const dataDir = tempDataDir();
    const first = await start(dataDir);
    createTopic(first.cluster, 'crash', [[0, 1, 2]], { 'min.insync.replicas': '2' });
    const acknowledged = await produce(first.cluster, 'crash', 'c', 500, 1);
    // The checkpoint a running leader writes every few seconds, as it stood when the process died.
    first.cluster.broker(0).replica('crash', 0)!.log.checkpointHighWatermark();
    // A crash: the brokers stop without the controller hearing of it, so the metadata on disk still has
    // broker 0 leading with a full ISR.
    for (const id of [0, 1, 2]) await first.cluster.broker(id).kill();
    expect(first.cluster.controller.partition('crash', 0)).toMatchObject({ leader: 0, isr: [0, 1, 2] });

    cutTail(dataDir, 0, 'crash', 0, 7);
    const second = await start(dataDir);
    expect(second.cluster.controller.partition('crash', 0)!.leader).toBe(1);
    // It left the ISR (and rejoins once it has caught up, which may already have happened).
    expect(
      second.lines.some((line) => /leader 1 elected; in-sync replica\(s\) that lost committed records left the ISR.*lostRecords=broker 0/.test(line)),
    ).toBe(true);
    expectAll(await readAll(second.cluster, 'crash'), acknowledged);
    await waitFor(() => second.cluster.controller.partition('crash', 0)!.isr.length === 3, 20_000, 'broker 0 to rejoin the ISR');
  }, 120_000);

  it('stays offline when no replica holds the lost records, until unclean.leader.election.enable accepts the loss', async () => {
    const dataDir = tempDataDir();
    const first = await start(dataDir);
    createTopic(first.cluster, 'alone', [[0, 1, 2]], { 'min.insync.replicas': '1' });
    const early = await produce(first.cluster, 'alone', 'early', 200, 1);
    await first.cluster.stopBroker(1);
    await first.cluster.stopBroker(2);
    // Acknowledged with broker 0 alone in the ISR: nowhere else.
    const late = await produce(first.cluster, 'alone', 'late', 200, 1);
    await first.cluster.close();

    cutTail(dataDir, 0, 'alone', 0, 7);
    const second = await start(dataDir);
    const { controller } = second.cluster;
    expect(controller.partition('alone', 0)!.leader).toBe(-1);
    expect(second.lines.some((line) => /ERROR .*partition offline: every in-sync replica lost committed records and no replica holds them/.test(line))).toBe(
      true,
    );

    // The operator accepts the loss with AlterConfigs from librdkafka (kafkajs's admin refuses to work
    // while a partition has no leader: its metadata refresh fails on LEADER_NOT_AVAILABLE).
    const script = [
      'import sys',
      'from confluent_kafka.admin import AdminClient, ConfigResource',
      "admin = AdminClient({'bootstrap.servers': sys.argv[1]})",
      "resource = ConfigResource('topic', 'alone', set_config={'min.insync.replicas': '1', 'unclean.leader.election.enable': 'true'})",
      'for future in admin.alter_configs([resource]).values(): future.result(timeout=20)',
    ].join('\n');
    await run('/usr/bin/python3', ['-c', script, second.cluster.bootstrapServers()], { timeout: 30_000 });
    // The longest log leads (broker 0's, which lost only its last batch), as KIP-966's unclean recovery picks.
    expect(controller.partition('alone', 0)!.leader).toBe(0);
    expect(second.lines.some((line) => /ERROR .*unclean leader election/.test(line))).toBe(true);
    const read = await readAll(second.cluster, 'alone');
    expectAll(read, early);
    // Only the cut batch (the last request's 50 records) is gone.
    expect(late.filter((value) => read.includes(value))).toEqual(late.slice(0, -50));
  }, 120_000);
});

describe('a replica whose log directory vanished while its broker was down', () => {
  for (const what of ['its partition directory', 'its whole log dir'] as const) {
    it(`does not lead or count as in sync while intact in-sync replicas exist (${what} deleted)`, async () => {
      const dataDir = tempDataDir();
      const first = await start(dataDir);
      createTopic(
        first.cluster,
        'wiped',
        [
          [0, 1, 2],
          [0, 2, 1],
        ],
        { 'min.insync.replicas': '2' },
      );
      const acknowledged = await produce(first.cluster, 'wiped', 'w', 600, 2);
      // A crash: the metadata on disk still has broker 0 leading with a full ISR.
      for (const id of [0, 1, 2]) await first.cluster.broker(id).kill();
      expect(first.cluster.controller.partition('wiped', 0)).toMatchObject({ leader: 0, isr: [0, 1, 2] });
      if (what === 'its partition directory') {
        for (const p of [0, 1]) rmSync(join(dataDir, 'broker-0', `wiped-${p}`), { recursive: true });
      } else {
        rmSync(join(dataDir, 'broker-0'), { recursive: true });
      }

      // Broker 0 starts first, with nothing where its logs were.
      const second = await start(dataDir);
      const { controller } = second.cluster;
      for (const p of [0, 1]) expect(controller.partition('wiped', p)!.leader).not.toBe(0);
      expect(
        second.lines.some((line) => /in-sync replica\(s\) that lost committed records left the ISR.*broker 0: its whole log \(directory vanished\)/.test(line)),
      ).toBe(true);
      if (what === 'its partition directory') expect(second.lines.some((line) => /wiped-0 vanished while the broker was down/.test(line))).toBe(true);
      expectAll(await readAll(second.cluster, 'wiped'), acknowledged);
      // It catches up from the leaders, rejoins the ISR, and its log is whole again.
      await waitFor(() => [0, 1].every((p) => controller.partition('wiped', p)!.isr.length === 3), 30_000, 'broker 0 to rejoin the ISR');
      await waitFor(() => [0, 1].every((p) => !second.cluster.broker(0).replica('wiped', p)!.logLost), 30_000, 'broker 0 to have caught up');
      for (const p of [0, 1]) {
        const leader = second.cluster.broker(controller.partition('wiped', p)!.leader).replica('wiped', p)!;
        expect(second.cluster.broker(0).replica('wiped', p)!.log.logEndOffset).toBe(leader.log.logEndOffset);
      }
      const more = await produce(second.cluster, 'wiped', 'after', 100, 2);
      expectAll(await readAll(second.cluster, 'wiped'), [...acknowledged, ...more]);
    }, 120_000);
  }

  it('keeps a partition offline when its only in-sync replica lost its log, until an unclean election accepts the loss', async () => {
    const dataDir = tempDataDir();
    const first = await start(dataDir);
    createTopic(first.cluster, 'only', [[0, 1, 2]], { 'min.insync.replicas': '1' });
    const early = await produce(first.cluster, 'only', 'early', 200, 1);
    await first.cluster.stopBroker(1);
    await first.cluster.stopBroker(2);
    await produce(first.cluster, 'only', 'late', 100, 1);
    await first.cluster.close();
    rmSync(join(dataDir, 'broker-0', 'only-0'), { recursive: true });

    const second = await start(dataDir);
    const { controller } = second.cluster;
    // Broker 0, the last in-sync replica, has nothing: it must not lead with an empty log.
    expect(controller.partition('only', 0)!.leader).toBe(-1);
    expect(second.lines.some((line) => /ERROR .*partition offline: every in-sync replica lost committed records and no replica holds them/.test(line))).toBe(
      true,
    );
    const raw = await RawClient.open(`${second.cluster.broker(1).host}:${second.cluster.broker(1).boundPort}`);
    cleanups.push(() => raw.close());
    const led = await raw.call(ElectLeaders, 2, { electionType: 1, topicPartitions: [{ topic: 'only', partitions: [0] }], timeoutMs: 5000 });
    expect(led.replicaElectionResults[0]!.partitionResult[0]!.errorCode).toBe(ErrorCode.NONE);
    // The longest log leads: one of the replicas with the early records, not the empty one.
    expect([1, 2]).toContain(controller.partition('only', 0)!.leader);
    expectAll(await readAll(second.cluster, 'only'), early);
  }, 120_000);
});

describe('ElectLeaders UNCLEAN (KIP-460)', () => {
  it('elects a live out-of-sync replica on demand, whatever the topic says; the old leader accepts the loss when it returns', async () => {
    const dataDir = tempDataDir();
    const { cluster, lines } = await start(dataDir);
    const { controller } = cluster;
    createTopic(cluster, 'demand', [[0, 1, 2]], { 'min.insync.replicas': '1' });
    createTopic(cluster, 'single', [[0]]);
    const early = await produce(cluster, 'demand', 'early', 200, 1);
    await waitFor(
      () => [1, 2].every((id) => cluster.broker(id).replica('demand', 0)?.log.logEndOffset === 200),
      30_000,
      'the followers to have the early records',
    );
    await cluster.stopBroker(1);
    await cluster.stopBroker(2);
    // Acknowledged by broker 0 alone, then broker 0 dies: the partition goes offline, as it should.
    const late = await produce(cluster, 'demand', 'late', 100, 1);
    // The checkpoint a running leader writes every few seconds: broker 0 knows offset 300 committed.
    cluster.broker(0).replica('demand', 0)!.log.checkpointHighWatermark();
    await cluster.killBroker(0);
    await cluster.startBroker(1);
    await cluster.startBroker(2);
    // Broker 0, the last in-sync replica, is eligible (ELR) and the last known leader; 1 and 2 are neither.
    expect(controller.partition('demand', 0)).toMatchObject({ leader: -1, isr: [], elr: [0], lastKnownElr: [0] });

    const raw = await RawClient.open(`${cluster.broker(1).host}:${cluster.broker(1).boundPort}`);
    cleanups.push(() => raw.close());
    const led = await raw.call(ElectLeaders, 2, {
      electionType: 1,
      topicPartitions: [
        { topic: 'single', partitions: [0] },
        { topic: 'demand', partitions: [0] },
      ],
      timeoutMs: 5000,
    });
    const results = new Map(led.replicaElectionResults.map((r) => [r.topic, r.partitionResult[0]!]));
    expect(results.get('demand')).toMatchObject({ errorCode: ErrorCode.NONE, errorMessage: null });
    // Broker 0, its only replica, is down: nobody may lead.
    expect(results.get('single')).toMatchObject({
      errorCode: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
      errorMessage: expect.stringMatching(/no replica is live/),
    });
    // kafkajs refuses to produce anywhere while its metadata lists a partition without a leader.
    controller.deleteTopic('single');
    expect([1, 2]).toContain(controller.partition('demand', 0)!.leader);
    expect(lines.some((line) => /ERROR .*unclean leader election \(ElectLeaders UNCLEAN\)/.test(line))).toBe(true);
    // A one-time consent: the topic still refuses unclean elections.
    expect(controller.topic('demand')!.configs['unclean.leader.election.enable']).toBeUndefined();
    const again = await raw.call(ElectLeaders, 2, { electionType: 1, topicPartitions: [{ topic: 'demand', partitions: [0] }], timeoutMs: 5000 });
    expect(again.replicaElectionResults[0]!.partitionResult[0]!.errorCode).toBe(ErrorCode.ELECTION_NOT_NEEDED);

    // What the new leader had is there (kcat); the records only broker 0 had are lost, as accepted.
    const read = await readAll(cluster, 'demand');
    expectAll(read, early);
    expect(late.filter((value) => read.includes(value))).toEqual([]);
    const more = await produce(cluster, 'demand', 'more', 100, 1);
    // Broker 0 comes back with the lost records: it follows the unclean leader, dropping them, and rejoins.
    await cluster.startBroker(0);
    await waitFor(() => controller.partition('demand', 0)!.isr.length === 3, 30_000, 'broker 0 to rejoin the ISR');
    const leader = cluster.broker(controller.partition('demand', 0)!.leader).replica('demand', 0)!;
    await waitFor(() => cluster.broker(0).replica('demand', 0)!.log.logEndOffset === leader.log.logEndOffset, 30_000, 'broker 0 to catch up');
    expect(lines.some((line) => /WARN .*dropped committed records the uncleanly elected leader does not have.*offsets=200\.\.299/.test(line))).toBe(true);
    expectAll(await readAll(cluster, 'demand'), [...early, ...more]);
  }, 120_000);
});

describe('a follower', () => {
  it('never truncates records it knows are committed to a leader that lost them', async () => {
    const dataDir = tempDataDir();
    const { cluster, lines } = await start(dataDir);
    createTopic(cluster, 'guard', [[1, 0, 2]], { 'min.insync.replicas': '2' });
    await produce(cluster, 'guard', 'g', 200, 1);
    const replicas = [0, 1, 2].map((id) => cluster.broker(id).replica('guard', 0)!);
    await waitFor(() => replicas.every((r) => r.highWatermark === 200 && r.log.logEndOffset === 200), 20_000, 'every replica to know offset 200 committed');
    // The leader's log loses its last records underneath it while it leads.
    replicas[1]!.log.truncateTo(150);
    await waitFor(() => lines.some((line) => /not following a leader that lacks committed records/.test(line)), 20_000, 'the followers to refuse');
    await new Promise((r) => setTimeout(r, 1000));
    for (const follower of [replicas[0]!, replicas[2]!]) expect(follower.log.logEndOffset).toBe(200);
  }, 60_000);
});
