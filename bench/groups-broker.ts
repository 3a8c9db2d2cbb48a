/**
 * `npm run bench -- groups-broker [--members N] [--rounds R] [--seconds S]`
 *
 * The group coordinator of the embedded cluster: a 3-broker cluster in its own process (the
 * `npm run cluster` CLI, default configs but group.initial.rebalance.delay.ms=0), and clients here.
 *
 * 1. Rebalance of an N-member group (default 10), at the protocol level: every member on its own
 *    connection to the coordinator sends JoinGroup (v5, after the MEMBER_ID_REQUIRED round trip when
 *    new), the leader computes a round-robin assignment of 30 partitions and every member sends
 *    SyncGroup. Timed from the first JoinGroup sent to the last SyncGroup answered: forming the group,
 *    then R rebalances of the stable group (all members rejoin, as after REBALANCE_IN_PROGRESS).
 * 2. The same with N kafkajs consumers (heartbeat 100 ms): time until all N hold their partitions,
 *    and until they hold them again after one more consumer joined.
 * 3. Commits/s: OffsetCommit v8 requests of 1 and of 10 partitions, 1, 8 and 32 connections each
 *    committing for its own group in a loop, for S seconds (default 3). Every commit is appended to
 *    `__consumer_offsets` with acks=-1 (replicated to the two followers) before it is acknowledged.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { ErrorCode } from '../electron/kafka/protocol/error-codes';
import { encodeConsumerProtocolAssignment } from '../electron/kafka/protocol/generated/consumer-protocol-assignment';
import { encodeConsumerProtocolSubscription } from '../electron/kafka/protocol/generated/consumer-protocol-subscription';
import {
  createFindCoordinatorRequest,
  createJoinGroupRequest,
  createOffsetCommitRequest,
  createSyncGroupRequest,
  CreateTopics,
  createCreateTopicsRequest,
  FindCoordinator,
  JoinGroup,
  OffsetCommit,
  SyncGroup,
  type JoinGroupResponse,
} from '../electron/kafka/protocol/generated/index';
import { decodeResponseHeader, encodeRequestFrame, responseHeaderVersion } from '../electron/kafka/protocol/headers';
import type { ApiDescriptor } from '../electron/kafka/protocol/generated/index';
import { Reader } from '../electron/kafka/protocol/reader';
import { Writer } from '../electron/kafka/protocol/writer';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * One connection, one request at a time, like a client's connection to its coordinator. TCP_NODELAY
 * and one write per request: otherwise Nagle's algorithm and the peer's delayed ACK add ~40 ms.
 */
class RawClient {
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: ((frame: Buffer) => void) | null = null;
  private correlationId = 0;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        const frame = this.buffered.subarray(4, 4 + size);
        this.buffered = this.buffered.subarray(4 + size);
        const waiting = this.waiting;
        this.waiting = null;
        waiting?.(frame);
      }
    });
  }

  static open(hostPort: string): Promise<RawClient> {
    const [host, port] = hostPort.split(':');
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port: Number(port) }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  async call<Req, Res>(api: ApiDescriptor<Req, Res>, version: number, body: Req): Promise<Res> {
    const correlationId = ++this.correlationId;
    const frame = await new Promise<Buffer>((resolve) => {
      this.waiting = resolve;
      this.socket.write(Buffer.concat(encodeRequestFrame(api, version, correlationId, 'bench-groups', body)));
    });
    const reader = new Reader(frame);
    decodeResponseHeader(reader, responseHeaderVersion(api.apiKey, version));
    return api.decodeResponse(reader, version);
  }

  close(): void {
    this.socket.destroy();
  }
}
const PARTITIONS = 30;

interface Cluster {
  process: ChildProcess;
  bootstrap: string;
  dataDir: string;
}

async function startCluster(): Promise<Cluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kd-bench-groups-'));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'electron/broker/cli.ts'),
      '--brokers',
      '3',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
      '--config',
      'group.initial.rebalance.delay.ms=0',
    ],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const bootstrap = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /bootstrap\.servers=(\S+)/.exec(text);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the cluster exited with ${code} before it was ready`)));
  });
  child.stdout.resume();
  return { process: child, bootstrap, dataDir };
}

async function stopCluster(cluster: Cluster): Promise<void> {
  const exited = new Promise((resolve) => cluster.process.once('exit', resolve));
  cluster.process.kill('SIGTERM');
  await exited;
  rmSync(cluster.dataDir, { recursive: true, force: true });
}

function subscription(topic: string): Buffer {
  const w = new Writer();
  w.int16(0);
  encodeConsumerProtocolSubscription(w, 0, { topics: [topic], userData: null, ownedPartitions: [], generationId: -1, rackId: null });
  return w.toBuffer();
}

function assignment(topic: string, partitions: number[]): Buffer {
  const w = new Writer();
  w.int16(0);
  encodeConsumerProtocolAssignment(w, 0, { assignedPartitions: [{ topic, partitions }], userData: null });
  return w.toBuffer();
}

async function coordinatorOf(bootstrap: string, groupId: string): Promise<string> {
  const client = await RawClient.open(bootstrap.split(',')[0]!);
  try {
    for (;;) {
      const r = await client.call(FindCoordinator, 3, { ...createFindCoordinatorRequest(), key: groupId });
      if (r.errorCode === ErrorCode.NONE) return `${r.host}:${r.port}`;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    client.close();
  }
}

async function createTopic(bootstrap: string, name: string, partitions: number): Promise<void> {
  const client = await RawClient.open(bootstrap.split(',')[0]!);
  try {
    const r = await client.call(CreateTopics, 5, {
      ...createCreateTopicsRequest(),
      timeoutMs: 10_000,
      topics: [{ name, numPartitions: partitions, replicationFactor: 3, assignments: [], configs: [] }],
    });
    const code = r.topics[0]!.errorCode;
    if (code !== ErrorCode.NONE && code !== ErrorCode.TOPIC_ALREADY_EXISTS) throw new Error(`CreateTopics failed with error ${code}`);
  } finally {
    client.close();
  }
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const ms = (value: number) => `${value.toFixed(1)} ms`;

interface RawMember {
  client: RawClient;
  memberId: string;
}

/** A member joins (and rejoins while the group rebalances) until it has synced; returns its generation. */
async function joinAndSync(m: RawMember, groupId: string, topic: string, metadata: Buffer): Promise<number> {
  for (;;) {
    const request = {
      ...createJoinGroupRequest(),
      groupId,
      memberId: m.memberId,
      sessionTimeoutMs: 30_000,
      rebalanceTimeoutMs: 30_000,
      protocolType: 'consumer',
      protocols: [{ name: 'roundrobin', metadata }],
    };
    let joined: JoinGroupResponse = await m.client.call(JoinGroup, 5, request);
    if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      m.memberId = joined.memberId;
      joined = await m.client.call(JoinGroup, 5, { ...request, memberId: joined.memberId });
    }
    if (joined.errorCode !== ErrorCode.NONE) throw new Error(`JoinGroup failed with error ${joined.errorCode}`);
    m.memberId = joined.memberId;
    const ids = joined.members.map((x) => x.memberId).sort();
    const assignments =
      joined.leader === joined.memberId
        ? ids.map((memberId, i) => ({
            memberId,
            assignment: assignment(
              topic,
              Array.from({ length: PARTITIONS }, (_, p) => p).filter((p) => p % ids.length === i),
            ),
          }))
        : [];
    const synced = await m.client.call(SyncGroup, 3, {
      ...createSyncGroupRequest(),
      groupId,
      generationId: joined.generationId,
      memberId: m.memberId,
      assignments,
    });
    if (synced.errorCode === ErrorCode.NONE) return joined.generationId;
    if (synced.errorCode !== ErrorCode.REBALANCE_IN_PROGRESS && synced.errorCode !== ErrorCode.ILLEGAL_GENERATION)
      throw new Error(`SyncGroup failed with error ${synced.errorCode}`);
  }
}

/**
 * All members (re)join until they have synced in one generation: a stable group with every member.
 * Returns the elapsed ms and how many generations it took.
 */
async function rebalance(members: RawMember[], groupId: string, topic: string): Promise<{ ms: number; generations: number }> {
  const metadata = subscription(topic);
  const start = performance.now();
  let first = -1;
  for (;;) {
    const generations = await Promise.all(members.map((m) => joinAndSync(m, groupId, topic, metadata)));
    if (first === -1) first = Math.min(...generations);
    if (new Set(generations).size === 1) return { ms: performance.now() - start, generations: generations[0]! - first + 1 };
  }
}

async function rawRebalances(bootstrap: string, topic: string, count: number, rounds: number): Promise<void> {
  const groupId = `bench-raw-${process.pid}`;
  const coordinator = await coordinatorOf(bootstrap, groupId);
  const members: RawMember[] = await Promise.all(Array.from({ length: count }, async () => ({ client: await RawClient.open(coordinator), memberId: '' })));
  try {
    const formation = await rebalance(members, groupId, topic);
    const times: number[] = [];
    const generations: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const r = await rebalance(members, groupId, topic);
      times.push(r.ms);
      generations.push(r.generations);
    }
    console.log(`protocol level, ${count} members on their own connections (JoinGroup v5 + SyncGroup v3, ${PARTITIONS} partitions):`);
    console.log(`  forming the group (member ids handed out; ${formation.generations} generation(s))      ${ms(formation.ms).padStart(10)}`);
    console.log(
      `  rebalance of the stable group (${rounds} rounds)    median ${ms(percentile(times, 50))}, p90 ${ms(percentile(times, 90))}, max ${ms(Math.max(...times))}; generations per rebalance: max ${Math.max(...generations)}`,
    );
  } finally {
    for (const m of members) m.client.close();
  }
}

async function kafkajsRebalance(bootstrap: string, topic: string, count: number): Promise<void> {
  const kafka = new Kafka({ brokers: bootstrap.split(','), clientId: 'bench-groups', logLevel: logLevel.NOTHING });
  const groupId = `bench-kafkajs-${process.pid}`;
  const consumers: Array<{ consumer: ReturnType<Kafka['consumer']>; assigned: number[] }> = [];
  const covered = (n: number) =>
    consumers.length === n &&
    consumers.every((c) => c.assigned.length > 0) &&
    consumers.reduce((sum, c) => sum + c.assigned.length, 0) === PARTITIONS &&
    new Set(consumers.flatMap((c) => c.assigned)).size === PARTITIONS;
  const waitCovered = async (n: number) => {
    const deadline = Date.now() + 120_000;
    while (!covered(n)) {
      if (Date.now() > deadline) throw new Error(`kafkajs consumers did not settle within 120 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const add = async () => {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, rebalanceTimeout: 20_000, heartbeatInterval: 100, maxWaitTimeInMs: 100 });
    const entry = { consumer, assigned: [] as number[] };
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      entry.assigned = e.payload.memberAssignment[topic] ?? [];
    });
    consumers.push(entry);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({ eachMessage: async () => {} });
  };
  try {
    let start = performance.now();
    await Promise.all(Array.from({ length: count }, () => add()));
    await waitCovered(count);
    const formation = performance.now() - start;
    for (const c of consumers) c.assigned = [];
    start = performance.now();
    await add();
    await waitCovered(count + 1);
    const grown = performance.now() - start;
    console.log(`kafkajs ${count} consumers (heartbeat 100 ms, fetch wait 100 ms), ${PARTITIONS} partitions:`);
    console.log(`  all ${count} holding their partitions after starting together  ${ms(formation).padStart(10)}`);
    console.log(`  all ${count + 1} holding partitions again after one more joined  ${ms(grown).padStart(10)}`);
  } finally {
    await Promise.all(consumers.map((c) => c.consumer.disconnect().catch(() => {})));
  }
}

async function commitRate(
  bootstrap: string,
  topic: string,
  connections: number,
  partitionsPerCommit: number,
  seconds: number,
): Promise<{ requests: number; offsets: number; p50: number; p99: number }> {
  const workers = await Promise.all(
    Array.from({ length: connections }, async (_, i) => {
      const groupId = `bench-commit-${process.pid}-${connections}-${partitionsPerCommit}-${i}`;
      return { groupId, client: await RawClient.open(await coordinatorOf(bootstrap, groupId)) };
    }),
  );
  let requests = 0;
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  try {
    await Promise.all(
      workers.map(async ({ groupId, client }) => {
        let offset = 0n;
        while (performance.now() < deadline) {
          offset++;
          const sent = performance.now();
          const r = await client.call(OffsetCommit, 8, {
            ...createOffsetCommitRequest(),
            groupId,
            topics: [
              {
                name: topic,
                partitions: Array.from({ length: partitionsPerCommit }, (_, p) => ({
                  partitionIndex: p,
                  committedOffset: offset,
                  committedLeaderEpoch: -1,
                  commitTimestamp: -1n,
                  committedMetadata: null,
                })),
              },
            ],
          });
          const code = r.topics[0]!.partitions[0]!.errorCode;
          if (code !== ErrorCode.NONE) throw new Error(`OffsetCommit failed with error ${code}`);
          latencies.push(performance.now() - sent);
          requests++;
        }
      }),
    );
  } finally {
    for (const w of workers) w.client.close();
  }
  return { requests: requests / seconds, offsets: (requests * partitionsPerCommit) / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

export default async function run(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(3),
    options: { members: { type: 'string', default: '10' }, rounds: { type: 'string', default: '20' }, seconds: { type: 'string', default: '3' } },
    allowPositionals: true,
  });
  const members = Number(values.members);
  const rounds = Number(values.rounds);
  const seconds = Number(values.seconds);
  console.log(`groups-broker: ${cpus().length} CPU(s), ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
  console.log('3-broker cluster in its own process (offsets topic: 50 partitions, replication factor 3, acks=-1 commits)');
  console.log();
  const cluster = await startCluster();
  try {
    const topic = `bench-groups-${process.pid}`;
    await createTopic(cluster.bootstrap, topic, PARTITIONS);
    await rawRebalances(cluster.bootstrap, topic, members, rounds);
    console.log();
    await kafkajsRebalance(cluster.bootstrap, topic, members);
    console.log();
    console.log(`commits (OffsetCommit v8, generation -1, each connection its own group), ${seconds} s each:`);
    console.log(
      `  ${'partitions/commit'.padEnd(18)} ${'connections'.padStart(11)} ${'commits/s'.padStart(10)} ${'offsets/s'.padStart(10)} ${'p50'.padStart(9)} ${'p99'.padStart(9)}`,
    );
    for (const partitionsPerCommit of [1, 10]) {
      for (const connections of [1, 8, 32]) {
        const r = await commitRate(cluster.bootstrap, topic, connections, partitionsPerCommit, seconds);
        console.log(
          `  ${String(partitionsPerCommit).padEnd(18)} ${String(connections).padStart(11)} ${r.requests.toFixed(0).padStart(10)} ${r.offsets.toFixed(0).padStart(10)} ${ms(r.p50).padStart(9)} ${ms(r.p99).padStart(9)}`,
        );
      }
    }
  } finally {
    await stopCluster(cluster);
  }
}
