/**
 * Consumer groups and lag on a 3-broker embedded cluster in this process:
 *
 * - list 10,000 groups with their lag, as the groups screen does (services/groups/queries.ts listGroups:
 *   ListGroups, DescribeGroups, FindCoordinator, OffsetFetch, Metadata, ListOffsets);
 * - sample 1,000 groups of 10 partitions each, as the lag sampler does (read, record in the ring
 *   buffers, append to the hour's file).
 *
 * Goal: under 1 s each. BENCH_GROUPS and BENCH_SAMPLED_GROUPS change the sizes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Admin, Producer } from '@platformatic/kafka';
import { EmbeddedCluster } from '../electron/broker/cluster/cluster';
import { silentLogger } from '../electron/broker/server/logger';
import { listGroups, readGroupSamples } from '../electron/services/groups/queries';
import { LagSampler } from '../electron/services/lag/sampler';

const GROUPS = Number(process.env['BENCH_GROUPS'] ?? 10_000);
const SAMPLED = Number(process.env['BENCH_SAMPLED_GROUPS'] ?? 1_000);
const PARTITIONS = 10;
const TOPICS = 100;
const CONCURRENCY = 128;
const RUNS = 7;

const topicName = (index: number) => `bench.lag.${String(index).padStart(3, '0')}`;
const groupName = (index: number) => `bench.group.${String(index).padStart(5, '0')}`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await fn();
  return [value, performance.now() - started];
}

async function inParallel(count: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const index = next;
        next += 1;
        await task(index);
      }
    }),
  );
}

export default async function run(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kafka-desk-bench-groups-'));
  const cluster = await EmbeddedCluster.start({
    brokers: 3,
    basePort: 0,
    dataDir: path.join(dataDir, 'cluster'),
    logger: silentLogger,
    // The offsets topic with one replica only makes the setup's 10,000 commits quick (no wait for
    // followers); the measured reads are served from the coordinators' memory either way.
    config: { 'offsets.topic.num.partitions': '6', 'offsets.topic.replication.factor': '1', 'group.initial.rebalance.delay.ms': '0' },
  });
  const bootstrapBrokers = cluster.bootstrapServers().split(',');
  const options = { clientId: 'bench-groups', bootstrapBrokers, connectTimeout: 5_000, requestTimeout: 30_000, timeout: 30_000, retries: 3, retryDelay: 300 };
  const admin = new Admin(options);
  const producer = new Producer({ ...options, clientId: 'bench-groups-producer' });
  try {
    // Setup: 100 topics of 10 partitions with a few records each, and groups committing offsets on
    // every partition of one topic (group i reads topic i % 100).
    const started = performance.now();
    for (let index = 0; index < TOPICS; index += 10) {
      await admin.createTopics({ topics: Array.from({ length: 10 }, (_, offset) => topicName(index + offset)), partitions: PARTITIONS, replicas: 3 });
    }
    await producer.send({
      messages: Array.from({ length: TOPICS * PARTITIONS }, (_, index) => ({
        topic: topicName(Math.floor(index / PARTITIONS)),
        partition: index % PARTITIONS,
        value: Buffer.from('x'.repeat(100)),
      })).flatMap((message) => Array.from({ length: 20 }, () => message)),
      acks: 1,
    });
    await inParallel(GROUPS, async (index) => {
      await admin.alterConsumerGroupOffsets({
        groupId: groupName(index),
        topics: [
          {
            name: topicName(index % TOPICS),
            partitionOffsets: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, offset: BigInt((index + partition) % 20) })),
          },
        ],
      });
    });
    console.log(
      `setup: ${TOPICS} topics x ${PARTITIONS} partitions, ${GROUPS.toLocaleString('en-US')} groups with ${PARTITIONS} committed offsets each, ` +
        `in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    // 1. The groups screen: every group with state, members, topics, total lag and coordinator.
    const [warm] = await timed(() => listGroups(admin));
    if (warm.groups.length !== GROUPS) throw new Error(`expected ${GROUPS} groups, listed ${warm.groups.length}`);
    const lagged = warm.groups.filter((group) => (group.totalLag ?? 0) > 0).length;
    const listTimes: number[] = [];
    for (let run = 0; run < RUNS; run += 1) listTimes.push((await timed(() => listGroups(admin)))[1]);

    // 2. The sampler: 1,000 groups of 10 partitions, read, recorded and appended to disk.
    const ids = Array.from({ length: SAMPLED }, (_, index) => groupName(index));
    const sampler = new LagSampler({ dataDir, read: (_connection, groups) => readGroupSamples(admin, groups), intervalMs: 60_000 });
    await sampler.start();
    const sampleTimes: number[] = [];
    await sampler.sampleNow('bench', ids); // warm-up
    for (let run = 0; run < RUNS; run += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      sampleTimes.push((await timed(() => sampler.sampleNow('bench', ids)))[1]);
    }
    const readOnly: number[] = [];
    for (let run = 0; run < RUNS; run += 1) readOnly.push((await timed(() => readGroupSamples(admin, ids)))[1]);
    const series = await sampler.series('bench', groupName(0), 5 * 60_000, 'partition');
    await sampler.close();
    if (series.points.length !== RUNS + 1 || series.keys.length !== PARTITIONS) throw new Error('the sampler did not record every sample');

    const verdict = (ms: number) => (ms < 1_000 ? 'under 1 s' : 'OVER 1 s');
    const list = median(listTimes);
    const sample = median(sampleTimes);
    console.log(
      `list ${GROUPS.toLocaleString('en-US')} groups with their lag:`.padEnd(52) +
        `${list.toFixed(0).padStart(6)} ms median of ${RUNS} (min ${Math.min(...listTimes).toFixed(0)}, max ${Math.max(...listTimes).toFixed(0)})  ${verdict(list)}`,
    );
    console.log(`  ${lagged.toLocaleString('en-US')} groups with lag > 0, ${(GROUPS * PARTITIONS).toLocaleString('en-US')} partition offsets`);
    console.log(
      `sample ${SAMPLED.toLocaleString('en-US')} groups x ${PARTITIONS} partitions:`.padEnd(52) +
        `${sample.toFixed(0).padStart(6)} ms median of ${RUNS} (min ${Math.min(...sampleTimes).toFixed(0)}, max ${Math.max(...sampleTimes).toFixed(0)})  ${verdict(sample)}`,
    );
    console.log(`  of which reading the offsets: ${median(readOnly).toFixed(0)} ms; recording and appending to disk: the rest`);
  } finally {
    await Promise.all([admin.close().catch(() => undefined), producer.close().catch(() => undefined)]);
    await cluster.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
