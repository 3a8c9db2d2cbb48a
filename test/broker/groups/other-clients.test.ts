/**
 * Consumer groups with librdkafka (confluent-kafka members in their own processes, and kcat -G) and
 * @platformatic/kafka against a 3-broker embedded cluster: members split a topic, rebalance when one
 * joins, leaves or dies, and committed offsets are where the next run starts.
 */
import { fileURLToPath } from 'node:url';
import { Consumer, stringDeserializers, type MessagesStream } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kcat, lines, PYTHON, run } from '../clients/helpers';
import { createTopic, startChild, startGroupCluster, uniqueName, type Child, type GroupTestCluster } from './helpers';
import { waitFor } from '../../support/wait';

const RDKAFKA_MEMBER = fileURLToPath(new URL('./fixtures/rdkafka-member.py', import.meta.url));
const KAFKA_PYTHON_MEMBER = fileURLToPath(new URL('./fixtures/kafka-python-group.py', import.meta.url));

interface Event {
  assigned?: number[];
  revoked?: number[];
  p?: number;
  o?: number;
  v?: string;
}

function events(child: Child): Event[] {
  return child.lines.map((l) => JSON.parse(l) as Event);
}

/** The partitions a librdkafka member holds after its last rebalance event. */
function holding(child: Child): number[] {
  const last = events(child)
    .filter((e) => e.assigned || e.revoked)
    .at(-1);
  return last?.assigned ?? [];
}

function reads(child: Child): string[] {
  return events(child)
    .filter((e) => e.p !== undefined)
    .map((e) => `${e.p}:${e.o}`);
}

describe('consumer groups with librdkafka and @platformatic/kafka', () => {
  let t: GroupTestCluster;
  let kafka: Kafka;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    t = await startGroupCluster();
    kafka = new Kafka({ brokers: t.brokers(), clientId: 'other-clients-test', logLevel: logLevel.NOTHING });
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await t?.close();
  });

  async function produce(topic: string, count: number, tag = 'v'): Promise<void> {
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    for (let start = 0; start < count; start += 500) {
      const n = Math.min(500, count - start);
      await producer.send({ topic, acks: -1, messages: Array.from({ length: n }, (_, i) => ({ key: `${tag}-${start + i}`, value: `${tag}-${start + i}` })) });
    }
    await producer.disconnect();
  }

  async function committedEqualsEnd(groupId: string, topic: string): Promise<boolean> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return committed!.partitions.every((p) => p.offset === ends.find((e) => e.partition === p.partition)!.high);
    } finally {
      await admin.disconnect();
    }
  }

  it('librdkafka members split a topic, read every record once, and a killed member is expired', async () => {
    const topic = uniqueName('rdkafka');
    createTopic(t.cluster, topic, 6);
    const groupId = uniqueName('rdkafka-group');
    const first = startChild(PYTHON, [RDKAFKA_MEMBER, t.bootstrap(), groupId, topic, '2000']);
    cleanups.push(() => first.kill());
    await waitFor(() => holding(first).length === 6, 20_000, 'the first member to take all six partitions');
    const second = startChild(PYTHON, [RDKAFKA_MEMBER, t.bootstrap(), groupId, topic, '2000']);
    cleanups.push(() => second.kill());
    await waitFor(
      () => holding(first).length === 3 && holding(second).length === 3 && new Set([...holding(first), ...holding(second)]).size === 6,
      20_000,
      'a 3+3 split after the second member joined',
    );

    await produce(topic, 1200);
    await waitFor(() => reads(first).length + reads(second).length >= 1200, 30_000, '1,200 records read by the group');
    const all = [...reads(first), ...reads(second)];
    expect(all.length).toBe(1200);
    expect(new Set(all).size).toBe(1200);
    // Both members have committed what they read (auto commit every 200 ms) before one dies.
    await waitFor(() => committedEqualsEnd(groupId, topic), 10_000, 'both members to commit');

    await second.kill();
    const killedAt = Date.now();
    await waitFor(() => holding(first).length === 6, 20_000, 'the survivor to take all six partitions');
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(1000);
    await produce(topic, 300, 'after');
    const after = () => new Set(events(first).flatMap((e) => (e.v?.startsWith('after-') ? [e.v] : [])));
    await waitFor(() => after().size >= 300, 20_000, 'the survivor to read the new records');
    // It resumed the dead member's partitions at their committed offsets: nothing read twice.
    expect(reads(first).length).toBe(new Set(reads(first)).size);

    await first.stop();
    expect(await first.exited).toBe(0);
    await waitFor(
      () => committedEqualsEnd(groupId, topic),
      10_000,
      `librdkafka commits at the end of each partition; member events: ${first.lines.filter((l) => !l.startsWith('{"p"')).join(' ')}`,
    );
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    // The member left on close: the group is empty.
    await waitFor(async () => (await admin.describeGroups([groupId])).groups[0]!.state === 'Empty', 10_000, 'an empty group');
  });

  it('kcat -G reads a topic through a group; the next run starts at the committed offsets', async () => {
    const topic = uniqueName('kcat-group');
    createTopic(t.cluster, topic, 3);
    const groupId = uniqueName('kcat-group');
    await produce(topic, 300);
    // No -o: with -G it would override the committed offsets; auto.offset.reset covers the first run.
    const consume = () =>
      kcat(t.bootstrap(), ['-G', groupId, '-e', '-q', '-f', '%s\n', '-X', 'auto.offset.reset=earliest', '-X', 'session.timeout.ms=6000', topic], {
        timeoutMs: 30_000,
      });
    const firstRun = lines(await consume());
    expect(firstRun.length).toBe(300);
    expect(new Set(firstRun).size).toBe(300);
    await waitFor(() => committedEqualsEnd(groupId, topic), 10_000, 'kcat commits');

    await produce(topic, 40, 'second');
    const secondRun = lines(await consume());
    expect(secondRun.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `second-${i}`).sort());
  });

  it('@platformatic/kafka consumers split a topic, and one takes everything when the other leaves', async () => {
    const topic = uniqueName('platformatic');
    createTopic(t.cluster, topic, 6);
    const groupId = uniqueName('platformatic-group');
    const makeMember = async () => {
      const consumer = new Consumer({
        groupId,
        clientId: 'platformatic-member',
        bootstrapBrokers: t.brokers(),
        deserializers: stringDeserializers,
        sessionTimeout: 3000,
        rebalanceTimeout: 6000,
        heartbeatInterval: 200,
        maxWaitTime: 100,
      });
      const values: string[] = [];
      const stream: MessagesStream<string, string, string, string> = await consumer.consume({
        topics: [topic],
        mode: 'committed',
        fallbackMode: 'earliest',
        autocommit: 100,
      });
      stream.on('data', (message) => values.push(`${message.partition}:${message.offset}:${message.value}`));
      cleanups.push(async () => {
        await stream.close();
        await consumer.close(true);
      });
      const partitions = () =>
        consumer.assignments
          ?.find((a) => a.topic === topic)
          ?.partitions.slice()
          .sort((a, b) => a - b) ?? [];
      return { consumer, stream, values, partitions };
    };
    const a = await makeMember();
    await waitFor(() => a.partitions().length === 6, 20_000, 'the first member to take all six partitions');
    const b = await makeMember();
    await waitFor(
      () => a.partitions().length === 3 && b.partitions().length === 3 && new Set([...a.partitions(), ...b.partitions()]).size === 6,
      20_000,
      'a 3+3 split',
    );
    // A fetch the first member sent before the rebalance (all six partitions, long poll 100 ms) may
    // still be waiting: let it end before producing, or it returns records of partitions it gave away.
    await new Promise((resolve) => setTimeout(resolve, 400));

    await produce(topic, 600);
    await waitFor(() => a.values.length + b.values.length >= 600, 30_000, '600 records read by the group');
    const describe = (values: string[]) => [...new Set(values.map((v) => v.split(':')[0]))].sort().join(',');
    expect(`${a.values.length}/${describe(a.values)} ${b.values.length}/${describe(b.values)}`).toBe(
      `${a.values.length}/${a.partitions().join(',')} ${b.values.length}/${b.partitions().join(',')}`,
    );
    expect(new Set([...a.values, ...b.values]).size).toBe(600);
    expect(a.values.length + b.values.length).toBe(600);

    await b.stream.close();
    await b.consumer.close();
    await waitFor(() => a.partitions().length === 6, 20_000, 'the remaining member to take all six partitions');
    await produce(topic, 120, 'late');
    await waitFor(() => a.values.filter((v) => v.includes(':late-')).length >= 120, 20_000, 'the remaining member to read the new records');
  });

  it.each([
    ['probing the broker', null],
    ['pinned to Kafka 0.9 (JoinGroup v0, OffsetCommit v2)', '0.9'],
  ] as const)('kafka-python reads through a group and commits, %s', async (_, apiVersion) => {
    const topic = uniqueName('kafka-python');
    createTopic(t.cluster, topic, 3);
    const groupId = uniqueName('kafka-python-group');
    await produce(topic, 150);
    const result = await run(PYTHON, [KAFKA_PYTHON_MEMBER, t.bootstrap(), topic, groupId, '150', ...(apiVersion ? [apiVersion] : [])], { timeoutMs: 40_000 });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { read: number; assignment: number[]; committed: number[] };
    expect(report.read).toBe(150);
    expect(report.assignment).toEqual([0, 1, 2]);
    expect(report.committed.reduce((a, b) => a + b, 0)).toBe(150);
    expect(await committedEqualsEnd(groupId, topic)).toBe(true);
  });

  it('logged no broker errors', () => {
    expect(t.errors).toEqual([]);
  });
});
