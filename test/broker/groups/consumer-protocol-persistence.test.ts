/**
 * KIP-848 consumer groups are kept in `__consumer_offsets` as Kafka's records (ConsumerGroupMetadata,
 * ConsumerGroupPartitionMetadata, ConsumerGroupMemberMetadata, ConsumerGroupTargetAssignmentMetadata
 * and -Member, ConsumerGroupCurrentMemberAssignment): a full restart of the cluster, or a stop or kill
 * of the coordinator's broker, gives the next coordinator the same group — epochs, members, target and
 * current assignments — and members heartbeat on with their epoch. With @platformatic/kafka consumers
 * (groupProtocol 'consumer') reading through the move.
 */
import { Consumer, stringDeserializers, type MessagesStream } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsumerGroup } from '../../../electron/broker/groups/consumer-group';
import { OFFSETS_TOPIC } from '../../../electron/broker/groups/coordinator';
import { partitionForGroup } from '../../../electron/broker/groups/records';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import {
  ConsumerGroupHeartbeat,
  createConsumerGroupHeartbeatRequest,
  createFindCoordinatorRequest,
  FindCoordinator,
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponse,
} from '../../../electron/kafka/protocol/generated/index';
import { decodeBatches } from '../../../electron/kafka/records/record-batch';
import { RawClient } from '../handlers/raw-client';
import { coordinatorOf, createTopic, startGroupCluster, uniqueName, type GroupTestCluster } from './helpers';
import { waitFor } from '../../support/wait';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function cluster(): Promise<GroupTestCluster> {
  const t = await startGroupCluster({ config: { 'group.consumer.heartbeat.interval.ms': '300', 'group.consumer.session.timeout.ms': '10000' } });
  cleanups.push(() => t.close());
  return t;
}

/** What a coordinator holds of a group, in a form to compare. */
function snapshot(group: ConsumerGroup | undefined) {
  if (!group) return undefined;
  const partitions = (m: Map<string, Set<number>>) =>
    Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([topicId, set]) => [topicId, [...set].sort((a, b) => a - b)]));
  return {
    state: group.state(),
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch,
    subscribed: [...group.subscriptionMetadata.values()].map((t) => `${t.name}/${t.topicId}/${t.numPartitions}`).sort(),
    members: Object.fromEntries(
      [...group.members.values()]
        .sort((a, b) => (a.memberId < b.memberId ? -1 : 1))
        .map((m) => [
          m.memberId,
          {
            instanceId: m.instanceId,
            clientId: m.clientId,
            topics: m.subscribedTopicNames,
            rebalanceTimeoutMs: m.rebalanceTimeoutMs,
            epoch: m.memberEpoch,
            previousEpoch: m.previousMemberEpoch,
            state: m.state,
            assigned: partitions(m.assignedPartitions),
            revoking: partitions(m.partitionsPendingRevocation),
            target: partitions(group.targetOf(m.memberId)),
          },
        ]),
    ),
  };
}

function coordinatorGroup(t: GroupTestCluster, groupId: string): ConsumerGroup | undefined {
  const id = coordinatorOf(t.cluster, groupId);
  return id < 0 ? undefined : t.cluster.broker(id).groups.consumer.consumerGroup(groupId);
}

describe('KIP-848 consumer groups in __consumer_offsets', () => {
  it('survive a full restart: the same epochs, members and assignments, written as Kafka’s records', async () => {
    const t = await cluster();
    const topic = uniqueName('cg-restart');
    createTopic(t.cluster, topic, 4);
    const otherTopic = uniqueName('cg-restart-other');
    createTopic(t.cluster, otherTopic, 1);
    const groupId = uniqueName('cg-restart-group');
    const clients: RawClient[] = [];
    cleanups.push(async () => clients.forEach((c) => c.close()));
    const coordinator = async () => {
      const any = await RawClient.open(t.brokers()[0]!);
      clients.push(any);
      const found = await any.call(FindCoordinator, 3, { ...createFindCoordinatorRequest(), key: groupId });
      expect(found.errorCode).toBe(ErrorCode.NONE);
      const c = await RawClient.open(`${found.host}:${found.port}`);
      clients.push(c);
      return c;
    };
    let client = await coordinator();
    const beat = (request: Partial<ConsumerGroupHeartbeatRequest>): Promise<ConsumerGroupHeartbeatResponse> =>
      client.call(ConsumerGroupHeartbeat, 1, {
        ...createConsumerGroupHeartbeatRequest(),
        groupId,
        rebalanceTimeoutMs: 20_000,
        subscribedTopicNames: [topic],
        ...request,
      });
    const owned = (r: ConsumerGroupHeartbeatResponse) =>
      r.assignment?.topicPartitions.map((tp) => ({ topicId: tp.topicId, partitions: [...tp.partitions] })) ?? [];

    const a = await beat({ memberId: 'a', memberEpoch: 0, topicPartitions: [] });
    const b = await beat({ memberId: 'b', memberEpoch: 0, topicPartitions: [], instanceId: 'static-b' });
    // A revokes what goes to B, then B takes it: both reach epoch 2.
    const aRevoking = await beat({ memberId: 'a', memberEpoch: a.memberEpoch, topicPartitions: owned(a) });
    const aDone = await beat({ memberId: 'a', memberEpoch: aRevoking.memberEpoch, topicPartitions: owned(aRevoking) });
    const bDone = await beat({ memberId: 'b', memberEpoch: b.memberEpoch, topicPartitions: [], instanceId: 'static-b' });
    expect([aDone.memberEpoch, bDone.memberEpoch]).toEqual([2, 2]);
    // A third member of another topic joins and leaves again: tombstones in the log, group epoch 4, a
    // target assignment not computed yet (the group is Assigning until a member heartbeats).
    const c = await beat({ memberId: 'c', memberEpoch: 0, topicPartitions: [], subscribedTopicNames: [otherTopic] });
    expect((await beat({ memberId: 'c', memberEpoch: c.memberEpoch, subscribedTopicNames: null, rebalanceTimeoutMs: -1 })).errorCode).toBe(ErrorCode.NONE);
    expect(
      (await client.call(ConsumerGroupHeartbeat, 1, { ...createConsumerGroupHeartbeatRequest(), groupId, memberId: 'c', memberEpoch: -1 })).errorCode,
    ).toBe(ErrorCode.NONE);
    const before = snapshot(coordinatorGroup(t, groupId));
    expect([before?.groupEpoch, before?.assignmentEpoch, before?.state]).toEqual([4, 3, 'Assigning']);
    expect(Object.keys(before!.members)).toEqual(['a', 'b']);

    // The group's records, as Kafka writes them: key versions 3-8.
    const offsets = t.cluster.controller.topic(OFFSETS_TOPIC)!;
    const partition = partitionForGroup(groupId, offsets.partitions.length);
    const replica = t.cluster.broker(coordinatorOf(t.cluster, groupId)).replica(OFFSETS_TOPIC, partition)!;
    const { records } = replica.log.read(replica.log.logStartOffset, 16 * 1024 * 1024, replica.log.logEndOffset, true);
    const versions = new Set<number>();
    for (const batch of decodeBatches(records).batches) for (const r of batch.records) if (r.key) versions.add(r.key.readInt16BE(0));
    expect([...versions].filter((v) => v >= 3).sort()).toEqual([3, 4, 5, 6, 7, 8]);

    for (const c2 of clients.splice(0)) c2.close();
    await t.restart();
    await waitFor(() => coordinatorGroup(t, groupId), 20_000, 'the new coordinator to load the group');
    expect(snapshot(coordinatorGroup(t, groupId))).toEqual(before);

    // The members heartbeat on with their epochs, keep their partitions and move to epoch 4.
    client = await coordinator();
    const aAfter = await beat({ memberId: 'a', memberEpoch: 2, topicPartitions: owned(aDone) });
    expect([aAfter.errorCode, aAfter.memberEpoch, aAfter.assignment?.topicPartitions]).toEqual([ErrorCode.NONE, 4, aDone.assignment?.topicPartitions]);
    const bAfter = await beat({ memberId: 'b', memberEpoch: 2, topicPartitions: owned(bDone), instanceId: 'static-b' });
    expect([bAfter.errorCode, bAfter.memberEpoch, bAfter.assignment?.topicPartitions]).toEqual([ErrorCode.NONE, 4, bDone.assignment?.topicPartitions]);
    expect(coordinatorGroup(t, groupId)!.state()).toBe('Stable');
    expect(t.errors).toEqual([]);
  });

  it.each(['stop', 'kill'] as const)('survive a %s of the coordinator broker while @platformatic/kafka members read', async (how) => {
    const t = await cluster();
    const topic = uniqueName(`cg-${how}`);
    createTopic(t.cluster, topic, 6);
    const groupId = uniqueName(`cg-${how}-group`);
    const kafka = new Kafka({ brokers: t.brokers(), clientId: 'cg-persistence', logLevel: logLevel.NOTHING });
    const produce = async (count: number, tag: string) => {
      const producer = kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: Array.from({ length: count }, (_, i) => ({ key: `${tag}-${i}`, value: `${tag}-${i}` })) });
      await producer.disconnect();
    };
    const member = async () => {
      const consumer = new Consumer({
        groupId,
        groupProtocol: 'consumer',
        clientId: `cg-${how}-member`,
        bootstrapBrokers: t.brokers(),
        deserializers: stringDeserializers,
        rebalanceTimeout: 60_000,
        maxWaitTime: 100,
        retries: 20,
        retryDelay: 200,
      });
      const values: string[] = [];
      const stream: MessagesStream<string, string, string, string> = await consumer.consume({
        topics: [topic],
        mode: 'committed',
        fallbackMode: 'earliest',
        autocommit: 100,
      });
      stream.on('data', (message) => values.push(message.value));
      stream.on('error', () => {});
      cleanups.push(async () => {
        await stream.close();
        await consumer.close(true);
      });
      const partitions = () => consumer.assignments?.find((x) => x.topic === topic)?.partitions.length ?? 0;
      return { consumer, values, partitions };
    };
    const a = await member();
    const b = await member();
    await waitFor(() => a.partitions() === 3 && b.partitions() === 3, 30_000, 'a 3+3 split');
    await produce(200, 'one');
    await waitFor(() => new Set([...a.values, ...b.values]).size >= 200, 30_000, '200 records');
    const before = snapshot(coordinatorGroup(t, groupId));
    expect(before?.state).toBe('Stable');

    const coordinator = coordinatorOf(t.cluster, groupId);
    if (how === 'stop') await t.cluster.stopBroker(coordinator);
    else await t.cluster.killBroker(coordinator);
    const next = coordinatorOf(t.cluster, groupId);
    expect(next).not.toBe(coordinator);
    expect(next).toBeGreaterThanOrEqual(0);
    expect(snapshot(t.cluster.broker(next).groups.consumer.consumerGroup(groupId))).toEqual(before);

    await produce(200, 'two');
    await waitFor(() => new Set([...a.values, ...b.values].filter((v) => v.startsWith('two-'))).size >= 200, 40_000, 'the 200 records after the move');
    const group = t.cluster.broker(next).groups.consumer.consumerGroup(groupId)!;
    expect(group.members.size).toBe(2);
    expect(new Set([...a.values, ...b.values]).size).toBe(400);
    await t.cluster.startBroker(coordinator);
    expect(t.errors).toEqual([]);
  });
});
