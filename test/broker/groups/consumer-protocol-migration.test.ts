/**
 * KIP-848's online migration between the classic and the consumer group protocols, with real clients:
 * kafkajs consumers (classic protocol: JoinGroup/SyncGroup/Heartbeat) and @platformatic/kafka 2.12.1
 * consumers with `groupProtocol: 'consumer'` in one group during a rolling upgrade and then a rolling
 * downgrade. The classic group becomes a consumer group when the first consumer-protocol member joins
 * (its kafkajs members stay, as classic members whose assignments come from the broker's assignor), and
 * a classic group again when the last consumer-protocol member leaves; every record is read once.
 */
import { Consumer, stringDeserializers, type MessagesStream } from '@platformatic/kafka';
import { Kafka, logLevel, type Consumer as KafkajsConsumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import {
  ConsumerGroupDescribe,
  ConsumerGroupHeartbeat,
  createConsumerGroupHeartbeatRequest,
  createFindCoordinatorRequest,
  FindCoordinator,
} from '../../../electron/kafka/protocol/generated/index';
import { RawClient } from '../handlers/raw-client';
import { createTopic, startGroupCluster, uniqueName, type GroupTestCluster } from './helpers';
import { waitFor } from '../../support/wait';

/** Short sessions and heartbeats so members come and go within a test's time. */
const CONSUMER_PROTOCOL_CONFIG = { 'group.consumer.heartbeat.interval.ms': '300', 'group.consumer.session.timeout.ms': '6000' };

describe('online migration between the classic and consumer protocols (kafkajs + @platformatic/kafka)', () => {
  let t: GroupTestCluster;
  let kafka: Kafka;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    t = await startGroupCluster({ config: CONSUMER_PROTOCOL_CONFIG });
    kafka = new Kafka({ brokers: t.brokers(), clientId: 'migration-test', logLevel: logLevel.NOTHING });
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await t?.close();
  });

  async function produce(topic: string, count: number, tag: string): Promise<void> {
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: Array.from({ length: count }, (_, i) => ({ key: `${tag}-${i}`, value: `${tag}-${i}` })) });
    await producer.disconnect();
  }

  /** A classic member: a kafkajs consumer; `values` are the records it read. */
  async function classicMember(groupId: string, topic: string, values: string[]) {
    const consumer: KafkajsConsumer = kafka.consumer({
      groupId,
      sessionTimeout: 10_000,
      rebalanceTimeout: 20_000,
      heartbeatInterval: 300,
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await consumer.disconnect();
    };
    cleanups.push(close);
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
    return { close };
  }

  /** A member of the consumer protocol: @platformatic/kafka with groupProtocol 'consumer'. */
  async function consumerMember(groupId: string, topic: string, values: string[]) {
    const consumer = new Consumer({
      groupId,
      groupProtocol: 'consumer',
      clientId: 'kip848-member',
      bootstrapBrokers: t.brokers(),
      deserializers: stringDeserializers,
      rebalanceTimeout: 60_000,
      maxWaitTime: 100,
    });
    const stream: MessagesStream<string, string, string, string> = await consumer.consume({
      topics: [topic],
      mode: 'committed',
      fallbackMode: 'earliest',
      autocommit: 100,
    });
    stream.on('data', (message) => values.push(message.value));
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await stream.close();
      await consumer.close(true);
    };
    cleanups.push(close);
    return { close };
  }

  const coordinator = (groupId: string) => t.cluster.runningBrokers().find((b) => b.groups.group(groupId) || b.groups.consumer.consumerGroup(groupId))!;
  const consumerGroup = (groupId: string) => coordinator(groupId)?.groups.consumer.consumerGroup(groupId);
  const classicGroup = (groupId: string) => coordinator(groupId)?.groups.group(groupId);
  /** The group's committed offsets on a topic, summed: the records it is done with. */
  const committed = (groupId: string, topic: string) => {
    let sum = 0;
    for (const value of classicGroup(groupId)?.offsets.get(topic)?.values() ?? []) sum += value.offset;
    return sum;
  };

  it('a rolling upgrade from kafkajs to consumer-protocol members and back reads every record once', async () => {
    const topic = uniqueName('migrate');
    createTopic(t.cluster, topic, 4);
    const groupId = uniqueName('migrate-group');
    const read = { a: [] as string[], b: [] as string[], c: [] as string[], d: [] as string[] };
    const all = () => [...read.a, ...read.b, ...read.c, ...read.d];
    const readOf = (tag: string) => all().filter((v) => v.startsWith(`${tag}-`)).length;
    const settle = async (produced: number, what: string) => {
      // Each phase ends with everything read and committed, so no member reads a record again.
      await waitFor(
        () => committed(groupId, topic) === produced,
        30_000,
        `${what}: offsets committed`,
        () => `${committed(groupId, topic)}/${produced}`,
      );
    };

    // 1. A classic group of two kafkajs members.
    const a = await classicMember(groupId, topic, read.a);
    const b = await classicMember(groupId, topic, read.b);
    await waitFor(() => classicGroup(groupId)?.is('Stable') === true && classicGroup(groupId)?.members.size === 2, 30_000, 'a stable classic group of two');
    await produce(topic, 100, 'p1');
    await waitFor(() => readOf('p1') >= 100, 30_000, 'the classic group to read p1');
    await settle(100, 'p1');

    // 2. A consumer-protocol member joins: the group becomes a consumer group with two classic members.
    const c = await consumerMember(groupId, topic, read.c);
    await waitFor(
      () => {
        const group = consumerGroup(groupId);
        return group?.state() === 'Stable' && group.members.size === 3;
      },
      30_000,
      'a stable consumer group of three',
      () => JSON.stringify([...(consumerGroup(groupId)?.members.values() ?? [])].map((m) => [m.clientId, m.memberEpoch, m.state])),
    );
    const upgraded = consumerGroup(groupId)!;
    expect([...upgraded.members.values()].map((m) => m.classicMetadata !== null).sort()).toEqual([false, true, true]);
    // The broker's assignor split the four partitions among the three members, classic ones included.
    const owners = [...upgraded.members.values()].map((m) => [...m.assignedPartitions.values()].reduce((n, s) => n + s.size, 0));
    expect(owners.reduce((x, y) => x + y, 0)).toBe(4);
    expect(owners.every((n) => n >= 1)).toBe(true);
    expect(classicGroup(groupId)?.members.size).toBe(0);
    // ConsumerGroupDescribe v1 (KIP-1099) tells them apart: the kafkajs members are classic (0), the
    // @platformatic/kafka member speaks the consumer protocol (1).
    const describer = await RawClient.open(`127.0.0.1:${coordinator(groupId).boundPort}`);
    cleanups.push(async () => describer.close());
    const described = await describer.call(ConsumerGroupDescribe, 1, { groupIds: [groupId], includeAuthorizedOperations: false });
    expect(described.groups[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(described.groups[0]!.members.map((m) => `${m.clientId} ${m.memberType}`).sort()).toEqual([
      'kip848-member 1',
      'migration-test 0',
      'migration-test 0',
    ]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await produce(topic, 200, 'p2');
    await waitFor(
      () => readOf('p2') >= 200,
      30_000,
      'the mixed group to read p2',
      () => `${readOf('p2')}`,
    );
    expect(new Set(read.c.filter((v) => v.startsWith('p2-'))).size).toBeGreaterThan(0);
    expect(new Set([...read.a, ...read.b].filter((v) => v.startsWith('p2-'))).size).toBeGreaterThan(0);
    await settle(300, 'p2');

    // 3. The kafkajs members leave (LeaveGroup to the consumer group): the consumer-protocol member takes all.
    await a.close();
    await b.close();
    await waitFor(() => consumerGroup(groupId)?.state() === 'Stable' && consumerGroup(groupId)?.members.size === 1, 30_000, 'the consumer member alone');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await produce(topic, 100, 'p3');
    await waitFor(() => readOf('p3') >= 100, 30_000, 'the consumer member to read p3');
    await settle(400, 'p3');

    // 4. Rolling downgrade: a kafkajs member joins the consumer group, then the last consumer-protocol
    // member leaves and the group is classic again.
    const d = await classicMember(groupId, topic, read.d);
    await waitFor(
      () => consumerGroup(groupId)?.state() === 'Stable' && consumerGroup(groupId)?.members.size === 2,
      30_000,
      'a stable consumer group with a classic member',
    );
    await c.close();
    await waitFor(
      () => consumerGroup(groupId) === undefined && classicGroup(groupId)?.is('Stable') === true && classicGroup(groupId)?.members.size === 1,
      30_000,
      'a stable classic group again',
      () => `consumer group: ${consumerGroup(groupId)?.members.size} classic: ${classicGroup(groupId)?.state}`,
    );
    expect(classicGroup(groupId)?.protocolType).toBe('consumer');
    await produce(topic, 100, 'p4');
    await waitFor(() => readOf('p4') >= 100, 30_000, 'the classic group to read p4');
    await settle(500, 'p4');
    await d.close();

    // Every record was read, and once.
    const values = all();
    expect(new Set(values).size).toBe(500);
    expect(values.length).toBe(500);
  });

  it('logged no broker errors', () => {
    expect(t.errors).toEqual([]);
  });
});

describe.each([
  ['disabled', 'no upgrade: the heartbeat gets GROUP_ID_NOT_FOUND and the classic group goes on'],
  ['upgrade', 'upgrade only: the group stays a consumer group of classic members when the last consumer-protocol member leaves'],
])('group.consumer.migration.policy=%s', (policy, behaviour) => {
  let t: GroupTestCluster;
  const closers: Array<() => unknown> = [];

  beforeAll(async () => {
    t = await startGroupCluster({ brokers: 1, config: { 'group.consumer.migration.policy': policy } });
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => {});
    await t?.close();
  });

  it(behaviour, async () => {
    const topic = uniqueName('policy');
    createTopic(t.cluster, topic, 2, 1);
    const groupId = uniqueName('policy-group');
    const kafka = new Kafka({ brokers: t.brokers(), clientId: 'policy-test', logLevel: logLevel.NOTHING });
    const classic = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 300, maxWaitTimeInMs: 100 });
    await classic.connect();
    closers.push(() => classic.disconnect());
    await classic.subscribe({ topic, fromBeginning: true });
    await classic.run({ eachMessage: async () => {} });
    const broker = t.cluster.runningBrokers()[0]!;
    await waitFor(() => broker.groups.group(groupId)?.is('Stable') === true, 30_000, 'a stable classic group');
    const client = await RawClient.open(t.brokers()[0]!);
    closers.push(() => client.close());
    expect((await client.call(FindCoordinator, 3, { ...createFindCoordinatorRequest(), key: groupId })).errorCode).toBe(ErrorCode.NONE);
    let owned: Array<{ topicId: string; partitions: number[] }> = [];
    const heartbeat = async (memberEpoch: number) => {
      const answer = await client.call(ConsumerGroupHeartbeat, 1, {
        ...createConsumerGroupHeartbeatRequest(),
        groupId,
        memberId: 'modern',
        memberEpoch,
        rebalanceTimeoutMs: 30_000,
        subscribedTopicNames: [topic],
        topicPartitions: memberEpoch < 0 ? null : owned,
      });
      if (answer.assignment) owned = answer.assignment.topicPartitions.map((tp) => ({ topicId: tp.topicId, partitions: [...tp.partitions] }));
      return answer;
    };
    const joined = await heartbeat(0);
    if (policy === 'disabled') {
      expect([joined.errorCode, joined.errorMessage]).toEqual([ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`]);
      expect(broker.groups.consumer.consumerGroup(groupId)).toBeUndefined();
      expect(broker.groups.group(groupId)?.members.size).toBe(1);
      return;
    }
    expect(joined.errorCode).toBe(ErrorCode.NONE);
    const group = broker.groups.consumer.consumerGroup(groupId)!;
    // The member of the consumer protocol heartbeats until both members hold their share.
    await waitFor(
      async () => (await heartbeat(group.members.get('modern')!.memberEpoch)).errorCode === ErrorCode.NONE && group.state() === 'Stable' && owned.length === 1,
      30_000,
      'the two members to reconcile',
      () => JSON.stringify([...group.members.values()].map((m) => [m.memberId, m.memberEpoch, m.state])),
    );
    expect((await heartbeat(-1)).errorCode).toBe(ErrorCode.NONE);
    // No downgrade: the classic member stays in the consumer group and takes both partitions.
    await waitFor(
      () => group.state() === 'Stable' && [...group.members.values()].every((m) => m.classicMetadata !== null && m.assignedPartitions.size === 1),
      30_000,
      'the classic member alone in the consumer group',
    );
    expect(broker.groups.consumer.consumerGroup(groupId)).toBe(group);
    expect(broker.groups.group(groupId)?.members.size).toBe(0);
  });
});
