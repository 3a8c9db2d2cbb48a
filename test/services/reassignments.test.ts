// The app's reassignment service (issue #19) against the embedded cluster, through the IPC registry as
// the planner screen calls it: plan from its state (sizes, assignment), apply with a throttle, watch the
// new replicas catch up, cancel, and the throttle lifted once nothing moves any more, also when the app
// was closed and started again in between (as kafka-reassign-partitions --verify does). Throttles left
// by another tool are shown and removed on request only. Configs are read back with kafkajs.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel, type Admin as KafkajsAdmin } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { planReassignment } from '../../shared/model/reassignment-plan';
import type { ReassignmentState } from '../../shared/model/reassignments';
import { kcat } from '../broker/clients/helpers';
import { freePortRange } from '../support/ports';
import { waitFor } from '../support/wait';
import { startCore, type TestCore } from './helpers';

const CONNECTION = 'embedded';
const TOPIC = 'moving';
const RATE = 1024;
/** Per partition: 40 records of 1000 bytes, each its own batch, so a 1 KiB/s throttle takes ~40 s per new replica. */
const RECORDS = 40;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  dataDir: string;
  basePort: number;
  core: TestCore;
  admin: KafkajsAdmin;
  /** Closes the app (the cluster with it) and starts it again on the same data and ports. */
  restart(): Promise<TestCore>;
}

async function setup(assignment: number[][]): Promise<Setup> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kd-reassign-service-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const basePort = await freePortRange(3);
  const start = () => startCore({ brokers: 3, dataDir, embedded: { basePort } });
  const state: { core: TestCore; admin: KafkajsAdmin } = { core: await start(), admin: null as unknown as KafkajsAdmin };
  const connectAdmin = async () => {
    const kafka = new Kafka({ clientId: 'reassign-test', brokers: state.core.bootstrapServers.split(','), logLevel: logLevel.NOTHING });
    state.admin = kafka.admin();
    await state.admin.connect();
  };
  await connectAdmin();
  cleanups.push(async () => {
    await state.admin.disconnect();
    await state.core.close();
  });
  await state.admin.createTopics({
    topics: [{ topic: TOPIC, replicaAssignment: assignment.map((replicas, partition) => ({ partition, replicas })) }],
  });
  const value = 'x'.repeat(1000);
  for (let partition = 0; partition < assignment.length; partition++) {
    await kcat(state.core.bootstrapServers, ['-P', '-t', TOPIC, '-p', String(partition), '-X', 'linger.ms=0', '-X', 'batch.num.messages=1'], {
      input: `${Array.from({ length: RECORDS }, () => value).join('\n')}\n`,
    });
  }
  return {
    dataDir,
    basePort,
    get core() {
      return state.core;
    },
    get admin() {
      return state.admin;
    },
    async restart() {
      await state.admin.disconnect();
      await state.core.close();
      state.core = await start();
      await connectAdmin();
      return state.core;
    },
  };
}

/** The throttle configs as set on the cluster: brokers' rates (dynamic only) and the topic's throttled replicas. */
async function throttleConfigs(admin: KafkajsAdmin): Promise<{ rates: Record<string, string>; topic: Record<string, string> }> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [
      ...['0', '1', '2'].map((name) => ({
        type: ConfigResourceTypes.BROKER,
        name,
        configNames: ['leader.replication.throttled.rate', 'follower.replication.throttled.rate'],
      })),
      { type: ConfigResourceTypes.TOPIC, name: TOPIC, configNames: ['leader.replication.throttled.replicas', 'follower.replication.throttled.replicas'] },
    ],
  });
  const rates: Record<string, string> = {};
  const topic: Record<string, string> = {};
  for (const resource of resources) {
    for (const entry of resource.configEntries) {
      // Kafka's default rate (Long.MAX_VALUE) is no throttle: only values set are kept.
      if (resource.resourceType === ConfigResourceTypes.BROKER) {
        if (entry.configValue !== '9223372036854775807') rates[`${resource.resourceName}:${entry.configName.split('.')[0]}`] = entry.configValue;
      } else if (entry.configValue) topic[entry.configName.split('.')[0]!] = entry.configValue;
    }
  }
  return { rates, topic };
}

async function savedThrottles(dataDir: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(path.join(dataDir, 'reassignment-throttles.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

const partitionsOf = (state: ReassignmentState) =>
  state.topics
    .find((topic) => topic.name === TOPIC)!
    .partitions.map((p) => ({ topic: TOPIC, partition: p.partition, replicas: p.replicas, sizeBytes: p.sizeBytes }));

describe('reassignment service against the embedded cluster', () => {
  it('plans from its state, applies throttled, shows progress, cancels; after a restart the throttle goes once the last move completes', async () => {
    const cluster = await setup([
      [0, 1],
      [1, 0],
      [0, 1],
    ]);
    let { core } = cluster;
    const before = await core.ok('reassignments.state', { connectionId: CONNECTION });
    expect(before.brokers.map((b) => [b.id, b.state])).toEqual([
      [0, 'up'],
      [1, 'up'],
      [2, 'up'],
    ]);
    expect(before.ongoing).toEqual([]);
    expect(before.leftoverThrottle).toBeNull();
    expect(before.throttleProblem).toBeNull();
    for (const p of partitionsOf(before)) expect(p.sizeBytes).toBeGreaterThan(RECORDS * 1000);

    // Plan: spread over the three brokers, as the screen does. Two replicas go to broker 2.
    const plan = planReassignment(partitionsOf(before), { kind: 'spread', brokers: [0, 1, 2] }, [0, 1, 2]);
    expect(plan.problems).toEqual([]);
    const copying = plan.moves.filter((move) => move.adding.length > 0);
    expect(copying.map((move) => move.adding)).toEqual([[2], [2]]);
    expect(plan.after.map((load) => load.replicas)).toEqual([2, 2, 2]);

    const applied = await core.ok('reassignments.apply', {
      connectionId: CONNECTION,
      moves: copying.map((move) => ({ topic: move.topic, partition: move.partition, replicas: move.to })),
      throttleBytesPerSecond: RATE,
    });
    expect(applied.accepted).toBe(2);

    // The throttle is set as kafka-reassign-partitions --throttle sets it, and written down.
    const set = await throttleConfigs(cluster.admin);
    expect(set.rates).toEqual({ '0:leader': '1024', '0:follower': '1024', '1:leader': '1024', '1:follower': '1024', '2:leader': '1024', '2:follower': '1024' });
    const [first, second] = copying as [(typeof copying)[0], (typeof copying)[0]];
    expect(set.topic.follower!.split(',').sort()).toEqual([`${first.partition}:2`, `${second.partition}:2`].sort());
    expect(set.topic.leader!.split(',').sort()).toEqual(
      [...first.from.map((id) => `${first.partition}:${id}`), ...second.from.map((id) => `${second.partition}:${id}`)].sort(),
    );
    expect(Object.keys(await savedThrottles(cluster.dataDir))).toEqual([CONNECTION]);

    let last: unknown = null;
    // Progress: both new replicas catch up slowly and are not in the ISR yet.
    const moving = await waitFor(
      async () => {
        const state = await core.ok('reassignments.state', { connectionId: CONNECTION });
        last = state.ongoing;
        return state.ongoing.length === 2 && state.ongoing.every((m) => (m.progress[0]?.bytes ?? 0) > 0) ? state : null;
      },
      20_000,
      'both new replicas to have copied something',
      () => JSON.stringify(last),
    );
    expect(moving.throttleBytesPerSecond).toBe(RATE);
    for (const move of moving.ongoing) {
      expect(move.adding).toEqual([2]);
      expect(move.removing).toEqual(copying.find((c) => c.partition === move.partition)!.removing);
      expect(move.progress).toEqual([{ broker: 2, bytes: expect.any(Number) as unknown, inIsr: false }]);
      expect(move.progress[0]!.bytes!).toBeLessThan(move.sizeBytes!);
    }

    // Cancel the first: back to its replicas; the other still moves, so the throttle stays.
    const cancelled = await core.ok('reassignments.cancel', { connectionId: CONNECTION, partitions: [{ topic: TOPIC, partition: first.partition }] });
    expect(cancelled.accepted).toBe(1);
    const afterCancel = await core.ok('reassignments.state', { connectionId: CONNECTION });
    expect(afterCancel.ongoing.map((m) => m.partition)).toEqual([second.partition]);
    expect(afterCancel.topics.find((t) => t.name === TOPIC)!.partitions[first.partition]!.replicas).toEqual(first.from);
    expect(afterCancel.throttleBytesPerSecond).toBe(RATE);
    expect((await throttleConfigs(cluster.admin)).rates['2:follower']).toBe('1024');

    // The app closes mid-move and starts again: the move goes on, the throttle is still known as the app's.
    core = await cluster.restart();
    const restarted = await core.ok('reassignments.state', { connectionId: CONNECTION });
    expect(restarted.ongoing.map((m) => m.partition)).toEqual([second.partition]);
    expect(restarted.throttleBytesPerSecond).toBe(RATE);

    // Let the move finish (another tool raises the rates): the app lifts the whole throttle by itself,
    // with no screen asking, once the move has completed.
    await cluster.admin.alterConfigs({
      validateOnly: false,
      resources: ['0', '1', '2'].map((name) => ({
        type: ConfigResourceTypes.BROKER,
        name,
        configEntries: [
          { name: 'leader.replication.throttled.rate', value: String(100 * 1024 * 1024) },
          { name: 'follower.replication.throttled.rate', value: String(100 * 1024 * 1024) },
        ],
      })),
    });
    await waitFor(
      async () => {
        const left = await throttleConfigs(cluster.admin);
        // Lifted, and no longer written down (the note goes right after the configs).
        return Object.keys(left.rates).length === 0 && Object.keys(left.topic).length === 0 && Object.keys(await savedThrottles(cluster.dataDir)).length === 0;
      },
      30_000,
      'the app to lift the throttle after the move completed',
    );
    const done = await core.ok('reassignments.state', { connectionId: CONNECTION });
    expect(done.ongoing).toEqual([]);
    expect(done.leftoverThrottle).toBeNull();
    expect(done.topics.find((t) => t.name === TOPIC)!.partitions[second.partition]!.replicas).toEqual(second.to);
  }, 150_000);

  it('a move cancelled after a restart takes its throttle with it', async () => {
    const cluster = await setup([[0, 1]]);
    await cluster.core.ok('reassignments.apply', {
      connectionId: CONNECTION,
      moves: [{ topic: TOPIC, partition: 0, replicas: [2, 1] }],
      throttleBytesPerSecond: RATE,
    });
    expect((await throttleConfigs(cluster.admin)).topic).toEqual({ leader: '0:0,0:1', follower: '0:2' });
    const core = await cluster.restart();
    const state = await core.ok('reassignments.state', { connectionId: CONNECTION });
    expect(state.ongoing.map((m) => m.partition)).toEqual([0]);
    await core.ok('reassignments.cancel', { connectionId: CONNECTION, partitions: [{ topic: TOPIC, partition: 0 }] });
    expect(await throttleConfigs(cluster.admin)).toEqual({ rates: {}, topic: {} });
    expect(await savedThrottles(cluster.dataDir)).toEqual({});
    const after = await core.ok('reassignments.state', { connectionId: CONNECTION });
    expect(after.ongoing).toEqual([]);
    // Back on its brokers (Kafka's cancel keeps the original replicas in the order they had in the move: [1, 0]).
    expect([...after.topics[0]!.partitions[0]!.replicas].sort()).toEqual([0, 1]);
  }, 90_000);

  it('throttles another tool left with nothing moving are shown, kept, and removed on request', async () => {
    const cluster = await setup([[0, 1]]);
    const { core, admin } = cluster;
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        { type: ConfigResourceTypes.BROKER, name: '1', configEntries: [{ name: 'follower.replication.throttled.rate', value: '2048' }] },
        { type: ConfigResourceTypes.TOPIC, name: TOPIC, configEntries: [{ name: 'follower.replication.throttled.replicas', value: '0:1' }] },
      ],
    });
    const state = await core.ok('reassignments.state', { connectionId: CONNECTION });
    expect(state.ongoing).toEqual([]);
    expect(state.throttleBytesPerSecond).toBeNull();
    expect(state.leftoverThrottle).toEqual({
      brokers: [{ broker: 1, leaderBytesPerSecond: null, followerBytesPerSecond: 2048 }],
      topics: [{ topic: TOPIC, leaderReplicas: null, followerReplicas: '0:1' }],
    });
    // Not the app's: reading the state lifted nothing.
    expect(await throttleConfigs(cluster.admin)).toEqual({ rates: { '1:follower': '2048' }, topic: { follower: '0:1' } });
    await core.ok('reassignments.clearThrottle', { connectionId: CONNECTION });
    expect(await throttleConfigs(cluster.admin)).toEqual({ rates: {}, topic: {} });
    expect((await core.ok('reassignments.state', { connectionId: CONNECTION })).leftoverThrottle).toBeNull();
  }, 60_000);
});
