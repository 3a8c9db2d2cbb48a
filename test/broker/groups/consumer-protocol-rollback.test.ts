/**
 * A KIP-848 consumer group write that `__consumer_offsets` refuses leaves the group as it was, as
 * Kafka's coordinator reverts its timeline structures when an append fails: on a 3-broker cluster with
 * min.insync.replicas 2, the coordinator's two followers are stopped, so its offsets partition has no
 * quorum of in-sync replicas and every append is refused (NOT_ENOUGH_REPLICAS, answered
 * COORDINATOR_NOT_AVAILABLE). A member that tries to join, one that tries to leave and a classic member
 * that tries to join change nothing in memory; once the followers are back, the next change takes the
 * next epoch, and a full restart (the log replayed) shows the same group as memory did.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import {
  ConsumerGroupHeartbeat,
  createConsumerGroupHeartbeatRequest,
  createFindCoordinatorRequest,
  createJoinGroupRequest,
  FindCoordinator,
  JoinGroup,
  type ConsumerGroupHeartbeatRequest,
} from '../../../electron/kafka/protocol/generated/index';
import { encodeConsumerProtocolSubscription } from '../../../electron/kafka/protocol/generated/consumer-protocol-subscription';
import { Writer } from '../../../electron/kafka/protocol/writer';
import { OFFSETS_TOPIC } from '../../../electron/broker/groups/records';
import { RawClient } from '../handlers/raw-client';
import { waitFor } from '../../support/wait';
import { createTopic, startGroupCluster, uniqueName, type GroupTestCluster } from './helpers';

describe('a refused consumer group write is rolled back', () => {
  let t: GroupTestCluster;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    t = await startGroupCluster({ config: { 'min.insync.replicas': '2', 'group.consumer.heartbeat.interval.ms': '1000' } });
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await t?.close();
  });

  async function open(hostPort: string): Promise<RawClient> {
    const client = await RawClient.open(hostPort);
    clients.push(client);
    return client;
  }

  it('leaves the group unchanged when __consumer_offsets has no in-sync quorum, and moves on from the same state afterwards', async () => {
    const topic = uniqueName('rollback');
    createTopic(t.cluster, topic, 4);
    const groupId = uniqueName('rollback-group');
    const any = await open(t.brokers()[0]!);
    let found = await any.call(FindCoordinator, 3, { ...createFindCoordinatorRequest(), key: groupId });
    await waitFor(
      async () => (found = await any.call(FindCoordinator, 3, { ...createFindCoordinatorRequest(), key: groupId })).errorCode === ErrorCode.NONE,
      20_000,
      'a coordinator',
    );
    const coordinatorId = found.nodeId;
    const client = await open(`${found.host}:${found.port}`);
    const heartbeat = (request: Partial<ConsumerGroupHeartbeatRequest>) =>
      client.call(ConsumerGroupHeartbeat, 1, { ...createConsumerGroupHeartbeatRequest(), groupId, rebalanceTimeoutMs: 30_000, ...request });

    const joinedA = await heartbeat({ memberId: 'member-a', memberEpoch: 0, subscribedTopicNames: [topic], topicPartitions: [] });
    expect(joinedA.errorCode).toBe(ErrorCode.NONE);
    const owned = joinedA.assignment!.topicPartitions.map((tp) => ({ topicId: tp.topicId, partitions: [...tp.partitions] }));
    expect(owned.flatMap((tp) => tp.partitions)).toHaveLength(4);
    const broker = t.cluster.runningBrokers().find((b) => b.id === coordinatorId)!;
    const group = broker.groups.consumer.consumerGroup(groupId)!;
    const before = { groupEpoch: group.groupEpoch, assignmentEpoch: group.assignmentEpoch, members: [...group.members.keys()] };
    expect(before).toEqual({ groupEpoch: 1, assignmentEpoch: 1, members: ['member-a'] });

    // The coordinator's followers go: its offsets partition keeps one in-sync replica, below min.insync.replicas.
    const offsetsPartition = broker.groups.partitionFor(groupId);
    const followers = t.cluster
      .runningBrokers()
      .filter((b) => b.id !== coordinatorId)
      .map((b) => b.id);
    for (const id of followers) await t.cluster.stopBroker(id);
    await waitFor(
      () => {
        const meta = t.cluster.controller.partition(OFFSETS_TOPIC, offsetsPartition);
        return meta?.leader === coordinatorId && meta.isr.length === 1;
      },
      30_000,
      'the offsets partition to shrink to its leader',
    );

    // A member that joins: refused, and the group never had it (no member, no epoch bump, no timer).
    const joinedB = await heartbeat({ memberId: 'member-b', memberEpoch: 0, subscribedTopicNames: [topic], topicPartitions: [] });
    expect(joinedB.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(broker.groups.consumer.consumerGroup(groupId)).toBe(group);
    expect({ groupEpoch: group.groupEpoch, assignmentEpoch: group.assignmentEpoch, members: [...group.members.keys()] }).toEqual(before);
    expect(group.targetOf('member-a').get(owned[0]!.topicId)?.size).toBe(4);
    expect(group.sessionTimers.has('member-b')).toBe(false);

    // A member that leaves: refused, and it is still there with its partitions and session.
    const left = await heartbeat({ memberId: 'member-a', memberEpoch: -1 });
    expect(left.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect({ groupEpoch: group.groupEpoch, assignmentEpoch: group.assignmentEpoch, members: [...group.members.keys()] }).toEqual(before);
    expect(group.members.get('member-a')?.memberEpoch).toBe(1);
    expect(group.sessionTimers.has('member-a')).toBe(true);

    // A classic member that joins (online migration): refused, the group has no classic member.
    const subscription = new Writer(64).int16(0);
    encodeConsumerProtocolSubscription(subscription, 0, { topics: [topic], userData: null, ownedPartitions: [], generationId: -1, rackId: null });
    const classicJoin = await client.call(JoinGroup, 5, {
      ...createJoinGroupRequest(),
      groupId,
      memberId: 'classic-member',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 30_000,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: subscription.toBuffer() }],
    });
    expect(classicJoin.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect({ groupEpoch: group.groupEpoch, assignmentEpoch: group.assignmentEpoch, members: [...group.members.keys()] }).toEqual(before);

    // A heartbeat that changes nothing writes nothing: answered as usual.
    const steady = await heartbeat({ memberId: 'member-a', memberEpoch: 1, subscribedTopicNames: [topic], topicPartitions: owned });
    expect(steady).toMatchObject({ errorCode: ErrorCode.NONE, memberEpoch: 1 });

    // The followers are back: the next join takes the next epoch from where the group really was.
    for (const id of followers) await t.cluster.startBroker(id);
    await waitFor(
      () => (t.cluster.controller.partition(OFFSETS_TOPIC, offsetsPartition)?.isr.length ?? 0) >= 2,
      30_000,
      'the offsets partition back in quorum',
    );
    const rejoinedB = await heartbeat({ memberId: 'member-b', memberEpoch: 0, subscribedTopicNames: [topic], topicPartitions: [] });
    expect(rejoinedB.errorCode).toBe(ErrorCode.NONE);
    expect(group.groupEpoch).toBe(2);
    expect([...group.members.keys()].sort()).toEqual(['member-a', 'member-b']);

    // What the log holds is what memory held: a full restart rebuilds the same group.
    const memory = { groupEpoch: group.groupEpoch, assignmentEpoch: group.assignmentEpoch, members: [...group.members.keys()].sort() };
    for (const c of clients.splice(0)) c.close();
    await t.restart();
    let reloaded: ReturnType<typeof broker.groups.consumer.consumerGroup>;
    await waitFor(
      () =>
        (reloaded = t.cluster
          .runningBrokers()
          .map((b) => b.groups.consumer.consumerGroup(groupId))
          .find((g) => g !== undefined)) !== undefined,
      30_000,
      'the group reloaded',
    );
    expect({ groupEpoch: reloaded!.groupEpoch, assignmentEpoch: reloaded!.assignmentEpoch, members: [...reloaded!.members.keys()].sort() }).toEqual(memory);
  });

  it('logged no broker errors', () => {
    expect(t.errors).toEqual([]);
  });
});
