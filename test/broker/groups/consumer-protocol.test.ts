/**
 * KIP-848 consumer groups (ConsumerGroupHeartbeat) with a real client that speaks them:
 * @platformatic/kafka's Consumer with `groupProtocol: 'consumer'`, against a 3-broker embedded cluster.
 * The coordinator assigns partitions itself (uniform assignor), members split a topic and read each
 * record once, a member that leaves hands its partitions over, and classic clients (kafkajs) keep their
 * own groups beside them.
 */
import { Consumer, stringDeserializers, type MessagesStream } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kcat, lines } from '../clients/helpers';
import { createTopic, startGroupCluster, uniqueName, type GroupTestCluster } from './helpers';
import { waitFor } from '../../support/wait';

/** Short sessions and heartbeats so members come and go within a test's time. */
const CONSUMER_PROTOCOL_CONFIG = { 'group.consumer.heartbeat.interval.ms': '300', 'group.consumer.session.timeout.ms': '6000' };

describe('KIP-848 consumer groups with @platformatic/kafka (groupProtocol consumer)', () => {
  let t: GroupTestCluster;
  let kafka: Kafka;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    t = await startGroupCluster({ config: CONSUMER_PROTOCOL_CONFIG });
    kafka = new Kafka({ brokers: t.brokers(), clientId: 'consumer-protocol-test', logLevel: logLevel.NOTHING });
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await t?.close();
  });

  async function produce(topic: string, count: number, tag = 'v'): Promise<void> {
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: Array.from({ length: count }, (_, i) => ({ key: `${tag}-${i}`, value: `${tag}-${i}` })) });
    await producer.disconnect();
  }

  async function member(groupId: string, topic: string) {
    const consumer = new Consumer({
      groupId,
      groupProtocol: 'consumer',
      clientId: 'kip848-member',
      bootstrapBrokers: t.brokers(),
      deserializers: stringDeserializers,
      // The client checks it against its (classic) session timeout, 30 s by default.
      rebalanceTimeout: 60_000,
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
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await stream.close();
      await consumer.close(true);
    };
    cleanups.push(close);
    const partitions = () =>
      consumer.assignments
        ?.find((a) => a.topic === topic)
        ?.partitions.slice()
        .sort((a, b) => a - b) ?? [];
    return { consumer, values, partitions, close };
  }

  const coordinatorGroup = (groupId: string) => {
    for (const broker of t.cluster.runningBrokers()) {
      const group = broker.groups.consumer.consumerGroup(groupId);
      if (group) return group;
    }
    return undefined;
  };

  it('two members split a topic and read each record once; when one leaves the other takes everything', async () => {
    const topic = uniqueName('kip848');
    createTopic(t.cluster, topic, 6);
    const groupId = uniqueName('kip848-group');
    const a = await member(groupId, topic);
    await waitFor(() => a.partitions().length === 6, 20_000, 'the first member to take all six partitions');
    const b = await member(groupId, topic);
    await waitFor(
      () => a.partitions().length === 3 && b.partitions().length === 3 && new Set([...a.partitions(), ...b.partitions()]).size === 6,
      20_000,
      'a 3+3 split',
      () => `a: ${a.partitions().join(',')} b: ${b.partitions().join(',')}`,
    );
    const group = coordinatorGroup(groupId)!;
    expect(group.state()).toBe('Stable');
    expect(group.members.size).toBe(2);
    expect([...group.members.values()].every((m) => m.memberEpoch === group.groupEpoch && m.state === 'STABLE')).toBe(true);
    // A fetch sent before the split may still wait on partitions given away: let it end first.
    await new Promise((resolve) => setTimeout(resolve, 400));

    await produce(topic, 600);
    await waitFor(() => a.values.length + b.values.length >= 600, 30_000, '600 records read by the group');
    const read = (values: string[]) => [...new Set(values.map((v) => v.split(':')[0]))].sort().join(',');
    expect(`${read(a.values)} | ${read(b.values)}`).toBe(`${a.partitions().join(',')} | ${b.partitions().join(',')}`);
    expect(new Set([...a.values, ...b.values]).size).toBe(600);
    expect(a.values.length + b.values.length).toBe(600);

    const epochBefore = group.groupEpoch;
    await b.close();
    await waitFor(() => a.partitions().length === 6, 20_000, 'the remaining member to take all six partitions');
    expect(group.members.size).toBe(1);
    expect(group.groupEpoch).toBeGreaterThan(epochBefore);
    await produce(topic, 120, 'late');
    await waitFor(() => a.values.filter((v) => v.includes(':late-')).length >= 120, 20_000, 'the remaining member to read the new records');
    expect(new Set(a.values).size).toBe(a.values.length);
  });

  it('classic groups (kafkajs, kcat) read the same topic beside a consumer-protocol group; the group ids keep their type', async () => {
    const topic = uniqueName('kip848-beside');
    createTopic(t.cluster, topic, 4);
    await produce(topic, 200);
    const modern = await member(uniqueName('kip848-modern'), topic);
    const classicGroup = uniqueName('kip848-classic');
    const classic = kafka.consumer({ groupId: classicGroup, sessionTimeout: 6000, heartbeatInterval: 200, maxWaitTimeInMs: 100 });
    await classic.connect();
    cleanups.push(() => classic.disconnect());
    await classic.subscribe({ topic, fromBeginning: true });
    const classicValues: string[] = [];
    await classic.run({ eachMessage: async ({ message }) => void classicValues.push(message.value!.toString()) });
    await waitFor(() => modern.values.length >= 200 && classicValues.length >= 200, 30_000, 'both groups to read the 200 records');
    expect(new Set(modern.values.map((v) => v.split(':')[2])).size).toBe(200);
    expect(new Set(classicValues).size).toBe(200);
    // kcat's classic group of its own reads everything too.
    const kcatGroup = uniqueName('kip848-kcat');
    const read = lines(
      await kcat(t.bootstrap(), ['-G', kcatGroup, '-e', '-q', '-f', '%s\n', '-X', 'auto.offset.reset=earliest', topic], { timeoutMs: 30_000 }),
    );
    expect(new Set(read).size).toBe(200);
    // Each group id has one type, on its own coordinator.
    const coordinatorBroker = t.cluster.runningBrokers().find((b) => b.groups.consumer.consumerGroup(modern.consumer.groupId));
    expect(coordinatorBroker?.groups.consumer.consumerGroup(modern.consumer.groupId)?.members.size).toBe(1);
    // (Both ids may hash to the same coordinator: the consumer group's id has no classic members there.)
    expect(coordinatorBroker?.groups.group(modern.consumer.groupId)?.members.size ?? 0).toBe(0);
    const classicCoordinator = t.cluster.runningBrokers().find((b) => b.groups.group(classicGroup));
    expect(classicCoordinator?.groups.group(classicGroup)?.members.size).toBe(1);
    expect(classicCoordinator?.groups.consumer.consumerGroup(classicGroup)).toBeUndefined();
  });

  it('logged no broker errors', () => {
    expect(t.errors).toEqual([]);
  });
});
