/**
 * ConsumerGroupHeartbeat (KIP-848) over the wire with the generated codec, step by step: what Kafka's
 * GroupMetadataManager answers to each heartbeat — request validation, member and group epochs, the
 * revoke-before-assign handover between two members, fencing, leaving, static members, session and
 * rebalance timeouts (a hand-moved clock), new partitions and regex subscriptions, the type of a group
 * id, and OffsetCommit/OffsetFetch checked against the member epoch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { releaseConfigDefaults } from '../../../electron/broker/cluster/release-defaults';
import { createLogger } from '../../../electron/broker/server/logger';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import {
  ConsumerGroupDescribe,
  ConsumerGroupHeartbeat,
  createConsumerGroupHeartbeatRequest,
  createDeleteGroupsRequest,
  createListGroupsRequest,
  ListGroups,
  createFindCoordinatorRequest,
  createOffsetDeleteRequest,
  createTxnOffsetCommitRequest,
  DeleteGroups,
  OffsetDelete,
  TxnOffsetCommit,
  createHeartbeatRequest,
  createJoinGroupRequest,
  createOffsetCommitRequest,
  createSyncGroupRequest,
  Heartbeat,
  SyncGroup,
  createOffsetFetchRequest,
  createOffsetFetchRequestGroup,
  FindCoordinator,
  JoinGroup,
  OffsetCommit,
  OffsetFetch,
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponse,
} from '../../../electron/kafka/protocol/generated/index';
import { decodeConsumerProtocolAssignment } from '../../../electron/kafka/protocol/generated/consumer-protocol-assignment';
import { encodeConsumerProtocolSubscription } from '../../../electron/kafka/protocol/generated/consumer-protocol-subscription';
import { Reader } from '../../../electron/kafka/protocol/reader';
import { Writer } from '../../../electron/kafka/protocol/writer';
import { RawClient } from '../handlers/raw-client';
import { createTopic, ManualClock, startGroupCluster, uniqueName, type GroupTestCluster } from './helpers';

type Owned = Array<{ topicId: string; partitions: number[] }>;

/** The assignment of an answer as "p,p,p" (one topic), or null when the answer carries none. */
function partitionsOf(r: ConsumerGroupHeartbeatResponse): string | null {
  if (r.assignment === null) return null;
  return r.assignment.topicPartitions
    .flatMap((tp) => tp.partitions)
    .sort((a, b) => a - b)
    .join(',');
}

function owned(r: ConsumerGroupHeartbeatResponse): Owned {
  return r.assignment?.topicPartitions.map((tp) => ({ topicId: tp.topicId, partitions: [...tp.partitions] })) ?? [];
}

describe('ConsumerGroupHeartbeat over the wire', () => {
  let t: GroupTestCluster;
  const clock = new ManualClock();
  let client: RawClient;

  beforeAll(async () => {
    // The TxnOffsetCommit test commits as a producer no transaction coordinator knows: KIP-890's
    // verification (Kafka 3.6+) would refuse that before the group is asked, so it is off here.
    t = await startGroupCluster({
      brokers: 1,
      groupClock: clock,
      config: { 'group.consumer.heartbeat.interval.ms': '1000', 'transaction.partition.verification.enable': 'false' },
    });
    const any = await RawClient.open(t.brokers()[0]!);
    // Creates __consumer_offsets: the coordinator is the only broker.
    const found = await any.call(FindCoordinator, 3, { ...createFindCoordinatorRequest(), key: 'warm-up' });
    expect(found.errorCode).toBe(ErrorCode.NONE);
    client = any;
  });

  afterAll(async () => {
    client?.close();
    await t?.close();
  });

  function heartbeat(request: Partial<ConsumerGroupHeartbeatRequest>, version = 1): Promise<ConsumerGroupHeartbeatResponse> {
    return client.call(ConsumerGroupHeartbeat, version, { ...createConsumerGroupHeartbeatRequest(), ...request });
  }

  /** A first heartbeat: epoch 0, a rebalance timeout, the topics, no partitions owned. */
  function join(groupId: string, memberId: string, topics: string[], extra: Partial<ConsumerGroupHeartbeatRequest> = {}) {
    return heartbeat({ groupId, memberId, memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: topics, topicPartitions: [], ...extra });
  }

  /** A full heartbeat as @platformatic/kafka sends them: epoch, subscription and owned partitions. */
  function beat(
    groupId: string,
    memberId: string,
    epoch: number,
    topics: string[],
    ownedPartitions: Owned,
    extra: Partial<ConsumerGroupHeartbeatRequest> = {},
  ) {
    return heartbeat({
      groupId,
      memberId,
      memberEpoch: epoch,
      rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: topics,
      topicPartitions: ownedPartitions,
      ...extra,
    });
  }

  const group = (groupId: string) => t.cluster.broker(0).groups.consumer.consumerGroup(groupId);
  const topicId = (name: string) => t.cluster.controller.topic(name)!.topicId;

  it('refuses invalid heartbeats with Kafka’s errors and messages', async () => {
    const groupId = uniqueName('cgh-invalid');
    const topic = uniqueName('cgh-invalid-topic');
    createTopic(t.cluster, topic, 1, 1);
    const cases: Array<[Partial<ConsumerGroupHeartbeatRequest>, number, number, string | null]> = [
      [
        { groupId, memberId: '', memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: [topic], topicPartitions: [] },
        1,
        ErrorCode.INVALID_REQUEST,
        "MemberId can't be empty.",
      ],
      [
        { groupId: '', memberId: 'm', memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: [topic], topicPartitions: [] },
        1,
        ErrorCode.INVALID_REQUEST,
        "GroupId can't be empty.",
      ],
      [
        { groupId, memberId: 'm', memberEpoch: 0, subscribedTopicNames: [topic], topicPartitions: [] },
        1,
        ErrorCode.INVALID_REQUEST,
        'RebalanceTimeoutMs must be provided in first request.',
      ],
      [
        { groupId, memberId: 'm', memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: [topic] },
        1,
        ErrorCode.INVALID_REQUEST,
        'TopicPartitions must be empty when (re-)joining.',
      ],
      [
        { groupId, memberId: 'm', memberEpoch: 0, rebalanceTimeoutMs: 1000, topicPartitions: [] },
        1,
        ErrorCode.INVALID_REQUEST,
        'Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.',
      ],
      [{ groupId, memberId: 'm', memberEpoch: -3 }, 1, ErrorCode.INVALID_REQUEST, 'MemberEpoch is invalid.'],
      [{ groupId, memberId: 'm', memberEpoch: -2 }, 1, ErrorCode.INVALID_REQUEST, "InstanceId can't be null."],
      [
        { groupId, memberId: 'm', memberEpoch: 0, instanceId: '', rebalanceTimeoutMs: 1000, subscribedTopicNames: [topic], topicPartitions: [] },
        1,
        ErrorCode.INVALID_REQUEST,
        "InstanceId can't be empty.",
      ],
      [
        { groupId, memberId: 'm', memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: [topic], topicPartitions: [], serverAssignor: 'sticky' },
        1,
        ErrorCode.UNSUPPORTED_ASSIGNOR,
        'ServerAssignor sticky is not supported. Supported assignors: uniform, range.',
      ],
      [
        { groupId, memberId: 'm', memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicRegex: 'orders-(', topicPartitions: [] },
        1,
        ErrorCode.INVALID_REGULAR_EXPRESSION,
        null,
      ],
      [{ groupId, memberId: 'm', memberEpoch: 3, topicPartitions: [] }, 1, ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${groupId} not found.`],
    ];
    for (const [request, version, errorCode, message] of cases) {
      const r = await heartbeat(request, version);
      expect({ request, errorCode: r.errorCode }).toEqual({ request, errorCode });
      if (message !== null) expect(r.errorMessage).toBe(message);
      else expect(r.errorMessage).toMatch(/not a valid regular expression/);
    }
    expect(group(groupId)).toBeUndefined();
  });

  it('v0: the coordinator chooses the member id; v1: the member does (KIP-1082)', async () => {
    const topic = uniqueName('cgh-ids');
    createTopic(t.cluster, topic, 2, 1);
    const groupId = uniqueName('cgh-ids-group');
    const v0 = await heartbeat({ groupId, memberId: '', memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: [topic], topicPartitions: [] }, 0);
    expect(v0.errorCode).toBe(ErrorCode.NONE);
    expect(v0.memberId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(v0.memberEpoch).toBe(1);
    expect(v0.heartbeatIntervalMs).toBe(1000);
    expect(partitionsOf(v0)).toBe('0,1');
    const v1 = await join(groupId, 'chosen-by-the-member', [topic]);
    expect(v1.errorCode).toBe(ErrorCode.NONE);
    expect(v1.memberId).toBe('chosen-by-the-member');
    expect(v1.memberEpoch).toBe(2);
    expect(group(groupId)!.members.size).toBe(2);
  });

  it('hands a partition to a new member only after its owner revoked it; epochs move as Kafka’s', async () => {
    const topic = uniqueName('cgh-handover');
    createTopic(t.cluster, topic, 4, 1);
    const id = topicId(topic);
    const groupId = uniqueName('cgh-handover-group');

    const a1 = await join(groupId, 'member-a', [topic]);
    expect([a1.errorCode, a1.memberEpoch, partitionsOf(a1)]).toEqual([ErrorCode.NONE, 1, '0,1,2,3']);
    const a2 = await beat(groupId, 'member-a', 1, [topic], owned(a1));
    expect([a2.memberEpoch, partitionsOf(a2)]).toEqual([1, '0,1,2,3']);
    expect(group(groupId)!.state()).toBe('Stable');

    // B joins: group epoch 2, a new target; A still owns everything, so B gets nothing yet.
    const b1 = await join(groupId, 'member-b', [topic]);
    expect([b1.errorCode, b1.memberEpoch, partitionsOf(b1)]).toEqual([ErrorCode.NONE, 2, '']);
    expect(group(groupId)!.groupEpoch).toBe(2);
    expect(group(groupId)!.members.get('member-b')!.state).toBe('UNRELEASED_PARTITIONS');
    expect(group(groupId)!.state()).toBe('Reconciling');

    // A learns it must give two up: it stays in epoch 1 and keeps only two.
    const a3 = await beat(groupId, 'member-a', 1, [topic], owned(a2));
    expect(a3.memberEpoch).toBe(1);
    const kept = partitionsOf(a3)!;
    expect(kept.split(',')).toHaveLength(2);
    expect(group(groupId)!.members.get('member-a')!.state).toBe('UNREVOKED_PARTITIONS');
    // Until it says it let them go, B still gets nothing.
    const b2 = await beat(groupId, 'member-b', 2, [topic], []);
    expect(partitionsOf(b2)).toBe('');
    // A reports only the kept ones: epoch 2.
    const a4 = await beat(groupId, 'member-a', 1, [topic], owned(a3));
    expect([a4.memberEpoch, partitionsOf(a4)]).toEqual([2, kept]);
    // Now B gets the other two.
    const b3 = await beat(groupId, 'member-b', 2, [topic], []);
    const given = partitionsOf(b3)!;
    expect(given.split(',')).toHaveLength(2);
    expect(new Set([...kept.split(','), ...given.split(',')]).size).toBe(4);
    expect(group(groupId)!.state()).toBe('Stable');
    expect(group(groupId)!.currentPartitionEpoch(id, Number(given.split(',')[0]))).toBe(2);

    // Epochs ahead of or behind the coordinator's fence the member; the previous epoch with a subset of
    // its partitions is accepted (the answer that bumped it may have been lost).
    const ahead = await beat(groupId, 'member-b', 9, [topic], owned(b3));
    expect(ahead.errorCode).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
    const previous = await beat(groupId, 'member-a', 1, [topic], owned(a4));
    expect([previous.errorCode, previous.memberEpoch]).toEqual([ErrorCode.NONE, 2]);
    const stale = await beat(groupId, 'member-a', 1, [topic], [{ topicId: id, partitions: [0, 1, 2, 3] }]);
    expect(stale.errorCode).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
    const unknown = await beat(groupId, 'member-z', 2, [topic], []);
    expect(unknown.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);

    // A fenced member joins again with epoch 0 and the same id (KIP-848; KAFKA-19233).
    const again = await join(groupId, 'member-b', [topic]);
    expect([again.errorCode, again.memberEpoch]).toEqual([ErrorCode.NONE, 2]);

    // B leaves (epoch -1): group epoch 3; A gets everything at its next heartbeats.
    const left = await heartbeat({ groupId, memberId: 'member-b', memberEpoch: -1 });
    expect([left.errorCode, left.memberEpoch]).toEqual([ErrorCode.NONE, -1]);
    expect(group(groupId)!.groupEpoch).toBe(3);
    const a5 = await beat(groupId, 'member-a', 2, [topic], owned(a4));
    expect([a5.memberEpoch, partitionsOf(a5)]).toEqual([3, '0,1,2,3']);
    const gone = await beat(groupId, 'member-b', 2, [topic], []);
    expect(gone.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('fences a member whose session expires, and one that keeps partitions past its rebalance timeout', async () => {
    const topic = uniqueName('cgh-timeouts');
    createTopic(t.cluster, topic, 2, 1);
    const groupId = uniqueName('cgh-timeouts-group');
    const a = await join(groupId, 'a', [topic]);
    expect(partitionsOf(a)).toBe('0,1');
    clock.advance(44_000);
    const stillThere = await beat(groupId, 'a', 1, [topic], owned(a));
    expect(stillThere.errorCode).toBe(ErrorCode.NONE);
    clock.advance(45_001);
    expect(group(groupId)!.members.size).toBe(0);
    expect(group(groupId)!.state()).toBe('Empty');
    expect((await beat(groupId, 'a', 1, [topic], owned(a))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);

    // A member asked to revoke that never does is fenced after its rebalance timeout.
    const x = await join(groupId, 'x', [topic], { rebalanceTimeoutMs: 5000 });
    await beat(groupId, 'x', x.memberEpoch, [topic], owned(x), { rebalanceTimeoutMs: 5000 });
    const y = await join(groupId, 'y', [topic]);
    expect(y.errorCode).toBe(ErrorCode.NONE);
    const asked = await beat(groupId, 'x', x.memberEpoch, [topic], owned(x), { rebalanceTimeoutMs: 5000 });
    expect(partitionsOf(asked)!.split(',')).toHaveLength(1);
    expect(group(groupId)!.members.get('x')!.state).toBe('UNREVOKED_PARTITIONS');
    clock.advance(5001);
    expect(group(groupId)!.members.has('x')).toBe(false);
    const yAll = await beat(groupId, 'y', y.memberEpoch, [topic], []);
    expect(partitionsOf(yAll)).toBe('0,1');
  });

  it('static members: away with epoch -2, back under a new member id with their assignment; the instance id is theirs meanwhile', async () => {
    const topic = uniqueName('cgh-static');
    createTopic(t.cluster, topic, 3, 1);
    const groupId = uniqueName('cgh-static-group');
    const s1 = await join(groupId, 'static-1', [topic], { instanceId: 'instance-1' });
    expect(partitionsOf(s1)).toBe('0,1,2');
    const taken = await join(groupId, 'static-2', [topic], { instanceId: 'instance-1' });
    expect(taken.errorCode).toBe(ErrorCode.UNRELEASED_INSTANCE_ID);
    const wrongId = await beat(groupId, 'static-2', 1, [topic], [], { instanceId: 'instance-1' });
    expect(wrongId.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    const away = await heartbeat({ groupId, memberId: 'static-1', memberEpoch: -2, instanceId: 'instance-1' });
    expect([away.errorCode, away.memberEpoch]).toEqual([ErrorCode.NONE, -2]);
    const epochBefore = group(groupId)!.groupEpoch;
    const back = await join(groupId, 'static-1b', [topic], { instanceId: 'instance-1' });
    expect([back.errorCode, back.memberId, partitionsOf(back)]).toEqual([ErrorCode.NONE, 'static-1b', '0,1,2']);
    expect(group(groupId)!.groupEpoch).toBe(epochBefore);
    expect([...group(groupId)!.members.keys()]).toEqual(['static-1b']);
    const leave = await heartbeat({ groupId, memberId: 'static-1b', memberEpoch: -1, instanceId: 'instance-1' });
    expect(leave.errorCode).toBe(ErrorCode.NONE);
    expect(group(groupId)!.members.size).toBe(0);
  });

  it('a new partition or a new topic matching a regex makes a new target assignment', async () => {
    const topic = uniqueName('cgh-grow');
    createTopic(t.cluster, topic, 2, 1);
    const groupId = uniqueName('cgh-grow-group');
    const a = await join(groupId, 'a', [topic]);
    expect([a.memberEpoch, partitionsOf(a)]).toEqual([1, '0,1']);
    t.cluster.controller.createPartitions(topic, 4, null, false);
    const grown = await beat(groupId, 'a', 1, [topic], owned(a));
    expect([grown.memberEpoch, partitionsOf(grown)]).toEqual([2, '0,1,2,3']);

    const prefix = uniqueName('cghre');
    const regexGroup = uniqueName('cgh-regex-group');
    createTopic(t.cluster, `${prefix}-one`, 1, 1);
    createTopic(t.cluster, `other-${prefix}`, 1, 1);
    const r = await heartbeat({
      groupId: regexGroup,
      memberId: 'r',
      memberEpoch: 0,
      rebalanceTimeoutMs: 1000,
      subscribedTopicRegex: `${prefix}-.*`,
      topicPartitions: [],
    });
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(r.assignment!.topicPartitions.map((tp) => tp.topicId)).toEqual([topicId(`${prefix}-one`)]);
    createTopic(t.cluster, `${prefix}-two`, 2, 1);
    const more = await heartbeat({ groupId: regexGroup, memberId: 'r', memberEpoch: r.memberEpoch, topicPartitions: owned(r) });
    expect(more.memberEpoch).toBe(r.memberEpoch + 1);
    expect(more.assignment!.topicPartitions.map((tp) => tp.topicId).sort()).toEqual([topicId(`${prefix}-one`), topicId(`${prefix}-two`)].sort());
    expect(group(regexGroup)!.members.get('r')!.subscribedTopicRegex).toBe(`${prefix}-.*`);
  });

  it('classic JoinGroup/SyncGroup on a consumer group join it as a classic member (KIP-848 migration); a heartbeat on a classic group being formed is refused', async () => {
    const topic = uniqueName('cgh-types');
    createTopic(t.cluster, topic, 2, 1);
    const consumerGroupId = uniqueName('cgh-types-consumer');
    const m = await join(consumerGroupId, 'm', [topic]);
    expect(m.errorCode).toBe(ErrorCode.NONE);
    const classicJoin = (memberId: string, protocolType: string, metadata: Buffer) =>
      client.call(JoinGroup, 5, {
        ...createJoinGroupRequest(),
        groupId: consumerGroupId,
        memberId,
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 10_000,
        protocolType,
        protocols: [{ name: 'range', metadata }],
      });
    const subscription = new Writer(64).int16(1);
    encodeConsumerProtocolSubscription(subscription, 1, { topics: [topic], userData: null, ownedPartitions: [], generationId: -1, rackId: null });
    // Only the consumer embedded protocol fits a consumer group (Kafka's supportsClassicProtocols).
    expect((await classicJoin('', 'connect', subscription.toBuffer())).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const first = await classicJoin('', 'consumer', subscription.toBuffer());
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect((await classicJoin(first.memberId, 'consumer', Buffer.alloc(0))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    // With its id: a classic member of the consumer group, in the new group epoch, with no leader to assign.
    const joined = await classicJoin(first.memberId, 'consumer', subscription.toBuffer());
    expect(joined).toMatchObject({ errorCode: ErrorCode.NONE, protocolName: 'range', leader: '', members: [] });
    const group = t.cluster.runningBrokers()[0]!.groups.consumer.consumerGroup(consumerGroupId)!;
    expect(group.groupEpoch).toBe(2);
    expect(group.members.get(first.memberId)?.classicMetadata).toMatchObject({ sessionTimeoutMs: 10_000, supportedProtocols: [{ name: 'range' }] });
    // ConsumerGroupDescribe v1 (KIP-1099) tells the two kinds of members apart: 0 classic, 1 consumer.
    const described = await client.call(ConsumerGroupDescribe, 1, { groupIds: [consumerGroupId], includeAuthorizedOperations: false });
    expect(described.groups[0]!.members.map((mm) => [mm.memberId === 'm' ? 'm' : 'classic', mm.memberType]).sort()).toEqual([
      ['classic', 0],
      ['m', 1],
    ]);
    // Both partitions belong to m until it revokes one: the classic member waits for it (UNRELEASED).
    expect(joined.generationId).toBe(2);
    const synced = await client.call(SyncGroup, 3, {
      ...createSyncGroupRequest(),
      groupId: consumerGroupId,
      memberId: first.memberId,
      generationId: joined.generationId,
      assignments: [],
    });
    expect(synced.errorCode).toBe(ErrorCode.NONE);
    const assignment = decodeConsumerProtocolAssignment(new Reader(synced.assignment, 2), 1);
    expect(assignment.assignedPartitions).toEqual([]);
    // m heartbeats, revokes its partition; the classic member's heartbeat then says rejoin, and it gets it.
    const beatM = await beat(consumerGroupId, 'm', m.memberEpoch, [topic], owned(m));
    expect(partitionsOf(beatM)?.split(',')).toHaveLength(1);
    await beat(consumerGroupId, 'm', beatM.memberEpoch, [topic], owned(beatM));
    const hb = await client.call(Heartbeat, 3, {
      ...createHeartbeatRequest(),
      groupId: consumerGroupId,
      memberId: first.memberId,
      generationId: joined.generationId,
    });
    expect(hb.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const rejoined = await classicJoin(first.memberId, 'consumer', subscription.toBuffer());
    const resynced = await client.call(SyncGroup, 3, {
      ...createSyncGroupRequest(),
      groupId: consumerGroupId,
      memberId: first.memberId,
      generationId: rejoined.generationId,
      assignments: [],
    });
    expect(decodeConsumerProtocolAssignment(new Reader(resynced.assignment, 2), 1).assignedPartitions.map((tp) => [tp.topic, tp.partitions.length])).toEqual([
      [topic, 1],
    ]);

    const classicGroupId = uniqueName('cgh-types-classic');
    const pending = await client.call(JoinGroup, 5, {
      ...createJoinGroupRequest(),
      groupId: classicGroupId,
      memberId: '',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    });
    expect(pending.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    // The classic group has a member now (one waiting to join with its id): not a consumer group.
    const refused = await join(classicGroupId, 'm', [topic]);
    expect([refused.errorCode, refused.errorMessage]).toEqual([ErrorCode.GROUP_ID_NOT_FOUND, `Group ${classicGroupId} is not a consumer group.`]);
  });

  it('ListGroups lists a consumer group as type consumer with its state, once', async () => {
    const topic = uniqueName('cgh-list');
    createTopic(t.cluster, topic, 1, 1);
    const groupId = uniqueName('cgh-list-group');
    const m = await join(groupId, 'member', [topic]);
    // Committed offsets give the group an entry among the classic ones too: it must not show as one.
    const committed = await client.call(OffsetCommit, 9, {
      ...createOffsetCommitRequest(),
      groupId,
      generationIdOrMemberEpoch: m.memberEpoch,
      memberId: 'member',
      topics: [
        { name: topic, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] },
      ],
    });
    expect(committed.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    const list = async (typesFilter: string[], statesFilter: string[] = []) =>
      (await client.call(ListGroups, 5, { ...createListGroupsRequest(), typesFilter, statesFilter })).groups.filter((g) => g.groupId === groupId);
    expect(await list([])).toEqual([expect.objectContaining({ groupId, protocolType: 'consumer', groupState: 'Stable', groupType: 'consumer' })]);
    expect(await list(['consumer'], ['stable'])).toHaveLength(1);
    expect(await list(['classic'])).toHaveLength(0);
    expect((await heartbeat({ groupId, memberId: 'member', memberEpoch: -1 })).errorCode).toBe(ErrorCode.NONE);
    expect(await list([], ['Empty'])).toEqual([expect.objectContaining({ groupState: 'Empty', groupType: 'consumer' })]);
  });

  it('checks OffsetCommit and OffsetFetch of members against their epoch (STALE_MEMBER_EPOCH)', async () => {
    const topic = uniqueName('cgh-offsets');
    createTopic(t.cluster, topic, 1, 1);
    const groupId = uniqueName('cgh-offsets-group');
    const m = await join(groupId, 'member', [topic]);
    const commit = (version: number, memberId: string, epoch: number) =>
      client.call(OffsetCommit, version, {
        ...createOffsetCommitRequest(),
        groupId,
        generationIdOrMemberEpoch: epoch,
        memberId,
        topics: [
          { name: topic, partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] },
        ],
      });
    const codeOf = async (version: number, memberId: string, epoch: number) => (await commit(version, memberId, epoch)).topics[0]!.partitions[0]!.errorCode;
    expect(await codeOf(9, 'member', m.memberEpoch + 1)).toBe(ErrorCode.STALE_MEMBER_EPOCH);
    expect(await codeOf(9, 'nobody', m.memberEpoch)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await codeOf(9, '', -1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await codeOf(8, 'member', m.memberEpoch)).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(await codeOf(9, 'member', m.memberEpoch)).toBe(ErrorCode.NONE);

    const fetch = (memberId: string | null, memberEpoch: number) =>
      client.call(OffsetFetch, 9, {
        ...createOffsetFetchRequest(),
        groups: [{ ...createOffsetFetchRequestGroup(), groupId, memberId, memberEpoch, topics: [{ name: topic, partitionIndexes: [0] }] }],
      });
    expect((await fetch('member', m.memberEpoch + 1)).groups[0]!.errorCode).toBe(ErrorCode.STALE_MEMBER_EPOCH);
    expect((await fetch('nobody', m.memberEpoch)).groups[0]!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const admin = await fetch(null, -1);
    expect(admin.groups[0]!.topics[0]!.partitions[0]!.committedOffset).toBe(5n);
    const mine = await fetch('member', m.memberEpoch);
    expect(mine.groups[0]!.topics[0]!.partitions[0]!.committedOffset).toBe(5n);

    // Once the group is empty, a tool may commit without a membership.
    expect((await heartbeat({ groupId, memberId: 'member', memberEpoch: -1 })).errorCode).toBe(ErrorCode.NONE);
    expect(await codeOf(9, '', -1)).toBe(ErrorCode.NONE);
  });

  it('TxnOffsetCommit, OffsetDelete, DeleteGroups and offset expiry treat a consumer group as Kafka does', async () => {
    const topic = uniqueName('cgh-admin');
    const other = uniqueName('cgh-admin-other');
    createTopic(t.cluster, topic, 1, 1);
    createTopic(t.cluster, other, 1, 1);
    const groupId = uniqueName('cgh-admin-group');
    const m = await join(groupId, 'member', [topic]);
    const txnCommit = async (memberId: string, generationId: number) =>
      (
        await client.call(TxnOffsetCommit, 3, {
          ...createTxnOffsetCommitRequest(),
          transactionalId: 'cgh-txn',
          groupId,
          producerId: 4242n,
          producerEpoch: 0,
          generationId,
          memberId,
          topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] }],
        })
      ).topics[0]!.partitions[0]!.errorCode;
    // A member is checked against its epoch; a transactional producer that names no member is not.
    expect(await txnCommit('member', m.memberEpoch + 1)).toBe(ErrorCode.STALE_MEMBER_EPOCH);
    expect(await txnCommit('nobody', m.memberEpoch)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await txnCommit('', -1)).toBe(ErrorCode.NONE);

    const commit = (name: string) =>
      client.call(OffsetCommit, 9, {
        ...createOffsetCommitRequest(),
        groupId,
        generationIdOrMemberEpoch: m.memberEpoch,
        memberId: 'member',
        topics: [{ name, partitions: [{ partitionIndex: 0, committedOffset: 7n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }],
      });
    expect((await commit(topic)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    expect((await commit(other)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    const offsetDelete = async (name: string) =>
      (await client.call(OffsetDelete, 0, { ...createOffsetDeleteRequest(), groupId, topics: [{ name, partitions: [{ partitionIndex: 0 }] }] })).topics[0]!
        .partitions[0]!.errorCode;
    expect(await offsetDelete(topic)).toBe(ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
    const deleteGroup = async () => (await client.call(DeleteGroups, 2, { ...createDeleteGroupsRequest(), groupsNames: [groupId] })).results[0]!.errorCode;
    expect(await deleteGroup()).toBe(ErrorCode.NON_EMPTY_GROUP);

    // Offsets of a topic no member subscribes to expire after the retention; the subscribed one stays.
    const coordinator = t.cluster.broker(0).groups;
    const week = 7 * 24 * 60 * 60 * 1000;
    expect(coordinator.expireOffsets(clock.now() + week + 1)).toBeGreaterThanOrEqual(1);
    expect([...coordinator.group(groupId)!.offsets.keys()]).toEqual([topic]);

    // Empty, the group may be deleted: its records become tombstones and the id is free.
    expect((await heartbeat({ groupId, memberId: 'member', memberEpoch: -1 })).errorCode).toBe(ErrorCode.NONE);
    expect(await offsetDelete(topic)).toBe(ErrorCode.NONE);
    expect(await deleteGroup()).toBe(ErrorCode.NONE);
    expect(group(groupId)).toBeUndefined();
    expect(await deleteGroup()).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it.each([
    ['3.9', {}, ErrorCode.UNSUPPORTED_VERSION],
    ['3.7', {}, ErrorCode.UNSUPPORTED_VERSION],
    ['3.9', { 'group.coordinator.rebalance.protocols': 'classic,consumer' }, ErrorCode.NONE],
    ['4.0', {}, ErrorCode.NONE],
    ['4.1', { 'group.coordinator.rebalance.protocols': 'classic' }, ErrorCode.UNSUPPORTED_VERSION],
  ] as const)(
    'a cluster playing Kafka %s with %j answers %i: the protocol is off by default before 4.0, as KafkaApis did',
    async (release, config, errorCode) => {
      expect(releaseConfigDefaults(release)['group.coordinator.rebalance.protocols']).toBe(release < '4.0' ? 'classic' : undefined);
      const dataDir = mkdtempSync(joinPath(tmpdir(), 'kd-cgh-release-'));
      const cluster = await EmbeddedCluster.start({
        brokers: 1,
        basePort: 0,
        dataDir,
        logger: createLogger({ level: 'error', write: () => {} }),
        kafkaVersion: release,
        config: { ...config },
      });
      let c: RawClient | undefined;
      try {
        c = await RawClient.open(cluster.bootstrapServers());
        createTopic(cluster, 't', 1, 1);
        const ask = () =>
          c!.call(ConsumerGroupHeartbeat, 0, {
            ...createConsumerGroupHeartbeatRequest(),
            groupId: 'g',
            memberEpoch: 0,
            rebalanceTimeoutMs: 1000,
            subscribedTopicNames: ['t'],
            topicPartitions: [],
          });
        let r = await ask();
        // The first request may find __consumer_offsets not created yet.
        for (let i = 0; i < 50 && (r.errorCode === ErrorCode.NOT_COORDINATOR || r.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE); i++) {
          await c.call(FindCoordinator, 3, { ...createFindCoordinatorRequest(), key: 'g' });
          await new Promise((resolve) => setTimeout(resolve, 100));
          r = await ask();
        }
        expect(r.errorCode).toBe(errorCode);
      } finally {
        c?.close();
        await cluster.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );

  it('logged no broker errors', () => {
    expect(t.errors).toEqual([]);
  });
});
