/**
 * The group coordinator's timers on a clock the test moves (EmbeddedCluster's groupClock): the initial
 * rebalance delay, a session timeout and offsets retention, each checked one millisecond before and at
 * its time, over the wire, without waiting for any of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import {
  createDescribeGroupsRequest,
  createFindCoordinatorRequest,
  createHeartbeatRequest,
  createJoinGroupRequest,
  createOffsetCommitRequest,
  createOffsetFetchRequest,
  createSyncGroupRequest,
  DescribeGroups,
  FindCoordinator,
  Heartbeat,
  JoinGroup,
  OffsetCommit,
  OffsetFetch,
  SyncGroup,
} from '../../../electron/kafka/protocol/generated/index';
import { waitFor } from '../../support/wait';
import { RawClient } from '../handlers/raw-client';
import { createTopic, ManualClock, startGroupCluster, uniqueName, type GroupTestCluster } from './helpers';

const SESSION_MS = 30_000;
const INITIAL_DELAY_MS = 3000;
const RETENTION_MS = 60_000;
const CHECK_INTERVAL_MS = 30_000;

describe('the group coordinator on a manual clock', () => {
  const clock = new ManualClock();
  let t: GroupTestCluster;
  let client: RawClient;
  let topic: string;

  beforeAll(async () => {
    t = await startGroupCluster({
      brokers: 1,
      groupClock: clock,
      config: {
        'group.initial.rebalance.delay.ms': String(INITIAL_DELAY_MS),
        'offsets.retention.minutes': String(RETENTION_MS / 60_000),
        'offsets.retention.check.interval.ms': String(CHECK_INTERVAL_MS),
      },
    });
    topic = uniqueName('clocked');
    createTopic(t.cluster, topic, 1, 1);
    client = await RawClient.open(t.brokers()[0]!);
    // FindCoordinator creates __consumer_offsets; its partitions are then loaded by the one broker.
    await waitFor(
      async () => (await client.call(FindCoordinator, 3, { ...createFindCoordinatorRequest(), key: 'any' })).errorCode === ErrorCode.NONE,
      30_000,
      'a coordinator',
    );
    await waitFor(() => t.cluster.broker(0).groups.ownedPartitions().length === 6, 30_000, 'the offsets partitions loaded');
  });

  afterAll(async () => {
    client?.close();
    await t?.close();
  });

  const groupOf = (groupId: string) => t.cluster.broker(0).groups.group(groupId);
  const describeGroup = async (groupId: string) => (await client.call(DescribeGroups, 0, { ...createDescribeGroupsRequest(), groups: [groupId] })).groups[0]!;
  const committed = async (groupId: string) => {
    const fetched = await client.call(OffsetFetch, 3, { ...createOffsetFetchRequest(), groupId, topics: [{ name: topic, partitionIndexes: [0] }] });
    return fetched.topics[0]!.partitions[0]!.committedOffset;
  };

  it('a joining member waits out the initial rebalance delay; a member that stops heartbeating leaves at its session timeout', async () => {
    const groupId = uniqueName('session');
    const joining = client.call(JoinGroup, 3, {
      ...createJoinGroupRequest(),
      groupId,
      memberId: '',
      sessionTimeoutMs: SESSION_MS,
      rebalanceTimeoutMs: 60_000,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from('subscription') }],
    });
    await waitFor(() => groupOf(groupId)?.state === 'PreparingRebalance', 30_000, 'the join to arrive');
    clock.advance(INITIAL_DELAY_MS - 1);
    expect(groupOf(groupId)?.state).toBe('PreparingRebalance');
    clock.advance(1);
    const joined = await joining;
    expect(joined).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, leader: joined.memberId });
    const synced = await client.call(SyncGroup, 2, {
      ...createSyncGroupRequest(),
      groupId,
      generationId: 1,
      memberId: joined.memberId,
      assignments: [{ memberId: joined.memberId, assignment: Buffer.from('everything') }],
    });
    expect(synced.errorCode).toBe(ErrorCode.NONE);
    const heartbeat = () =>
      client.call(Heartbeat, 3, { ...createHeartbeatRequest(), groupId, memberId: joined.memberId, generationId: 1 }).then((r) => r.errorCode);
    expect(await heartbeat()).toBe(ErrorCode.NONE);

    // The session runs from the last heartbeat: one millisecond short of it the member is still there...
    clock.advance(SESSION_MS - 1);
    const before = await describeGroup(groupId);
    expect(before.groupState).toBe('Stable');
    expect(before.members.map((m) => m.memberId)).toEqual([joined.memberId]);
    // ...and at it, it is gone, and the group with it empty.
    clock.advance(1);
    const after = await describeGroup(groupId);
    expect(after.groupState).toBe('Empty');
    expect(after.members).toEqual([]);
    expect(await heartbeat()).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('the offsets of an empty group expire at the first retention check after offsets.retention.minutes, and the group goes with them', async () => {
    const groupId = uniqueName('retention');
    const commit = await client.call(OffsetCommit, 2, {
      ...createOffsetCommitRequest(),
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      topics: [
        { name: topic, partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] },
      ],
    });
    expect(commit.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(await committed(groupId)).toBe(5n);

    // Every check up to one millisecond before the retention leaves it (several checks run meanwhile).
    clock.advance(RETENTION_MS - 1);
    expect(await committed(groupId)).toBe(5n);
    expect((await describeGroup(groupId)).groupState).toBe('Empty');
    // The next check after the retention removes the offset and then the group, which has nothing left.
    clock.advance(CHECK_INTERVAL_MS);
    await waitFor(async () => (await committed(groupId)) === -1n, 30_000, 'the offset to expire');
    expect((await describeGroup(groupId)).groupState).toBe('Dead');
  });

  it('logged no broker errors', () => {
    expect(t.errors).toEqual([]);
  });
});
