/**
 * Consumer groups with kafkajs against a 3-broker embedded cluster: a group shares a topic as a queue
 * (every record read once, by one member), a second group reads everything (publish/subscribe), and a
 * member that dies without leaving is expired so that its partitions move to the survivor.
 */
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopic, startChild, startGroupCluster, uniqueName, type Child, type GroupTestCluster } from './helpers';
import { waitFor } from '../../support/wait';

const MEMBER_SCRIPT = fileURLToPath(new URL('./fixtures/kafkajs-member.mjs', import.meta.url));

interface Member {
  consumer: Consumer;
  assigned: number[];
  /** "partition:offset" of every record this member read, in order. */
  reads: string[];
}

describe('consumer groups with kafkajs', () => {
  let t: GroupTestCluster;
  let kafka: Kafka;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    t = await startGroupCluster();
    kafka = new Kafka({ brokers: t.brokers(), clientId: 'groups-test', logLevel: logLevel.NOTHING });
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await t?.close();
  });

  async function member(groupId: string, topic: string, sessionTimeout = 6000): Promise<Member> {
    const consumer = kafka.consumer({ groupId, sessionTimeout, rebalanceTimeout: 10_000, heartbeatInterval: 200, maxWaitTimeInMs: 100 });
    const m: Member = { consumer, assigned: [], reads: [] };
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      m.assigned = [...(event.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    });
    await consumer.connect();
    cleanups.push(() => consumer.disconnect());
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        m.reads.push(`${partition}:${message.offset}`);
      },
    });
    return m;
  }

  async function produce(topic: string, count: number, from = 0): Promise<void> {
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      for (let start = from; start < from + count; start += 500) {
        const n = Math.min(500, from + count - start);
        await producer.send({ topic, acks: -1, messages: Array.from({ length: n }, (_, i) => ({ key: `key-${start + i}`, value: `value-${start + i}` })) });
      }
    } finally {
      await producer.disconnect();
    }
  }

  it('shares a topic among the members of one group and gives a second group everything', async () => {
    const topic = uniqueName('queue');
    createTopic(t.cluster, topic, 6);
    const groupId = uniqueName('queue-group');
    const a = await member(groupId, topic);
    const b = await member(groupId, topic);
    // Both members hold three partitions each before anything is produced: each record is then read once.
    await waitFor(() => a.assigned.length === 3 && b.assigned.length === 3 && new Set([...a.assigned, ...b.assigned]).size === 6, 20_000, 'a 3+3 split');

    await produce(topic, 5000);
    await waitFor(() => a.reads.length + b.reads.length >= 5000, 30_000, '5,000 records read by the group');
    const all = [...a.reads, ...b.reads];
    expect(all.length).toBe(5000);
    expect(new Set(all).size).toBe(5000);
    expect(a.reads.every((r) => a.assigned.includes(Number(r.split(':')[0])))).toBe(true);
    expect(b.reads.every((r) => b.assigned.includes(Number(r.split(':')[0])))).toBe(true);
    expect(a.reads.length).toBeGreaterThan(0);
    expect(b.reads.length).toBeGreaterThan(0);

    // The group's committed offsets reach the end of every partition.
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    const ends = await admin.fetchTopicOffsets(topic);
    await waitFor(
      async () => {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return committed!.partitions.every((p) => p.offset === ends.find((e) => e.partition === p.partition)!.high);
      },
      10_000,
      'commits at the end of each partition',
    );
    const described = await admin.describeGroups([groupId]);
    expect(described.groups[0]).toMatchObject({ groupId, state: 'Stable', protocolType: 'consumer' });
    expect(described.groups[0]!.members).toHaveLength(2);

    // Publish/subscribe: a consumer of another group reads all 5,000 records.
    const other = await member(uniqueName('other-group'), topic);
    await waitFor(() => other.reads.length >= 5000, 30_000, 'the second group to read everything');
    expect(new Set(other.reads).size).toBe(5000);
    expect(other.assigned).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('expires a member killed without leaving and moves its partitions to the other member', async () => {
    const topic = uniqueName('expiry');
    createTopic(t.cluster, topic, 6);
    const groupId = uniqueName('expiry-group');
    const child: Child = startChild(process.execPath, [MEMBER_SCRIPT, t.bootstrap(), groupId, topic, '1500']);
    cleanups.push(() => child.kill());
    const survivor = await member(groupId, topic, 1500);
    const childAssigned = () => {
      const joins = child.lines.filter((l) => l.startsWith('{"assigned"'));
      return joins.length ? (JSON.parse(joins.at(-1)!) as { assigned: number[] }).assigned : [];
    };
    await waitFor(() => survivor.assigned.length === 3 && childAssigned().length === 3, 20_000, 'a 3+3 split with the child process');

    await child.kill();
    const killedAt = Date.now();
    await waitFor(() => survivor.assigned.length === 6, 15_000, 'the survivor to take all six partitions');
    const tookMs = Date.now() - killedAt;
    // The session timeout (1.5 s) expires the dead member; then the survivor rejoins alone.
    expect(tookMs).toBeGreaterThanOrEqual(1000);

    await produce(topic, 600);
    await waitFor(() => survivor.reads.length >= 600, 20_000, 'the survivor to read every partition');
    expect(new Set(survivor.reads.map((r) => r.split(':')[0]))).toEqual(new Set(['0', '1', '2', '3', '4', '5']));

    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    const described = await admin.describeGroups([groupId]);
    expect(described.groups[0]!.members).toHaveLength(1);
  });

  it('logged no broker errors', () => {
    expect(t.errors).toEqual([]);
  });
});
