/**
 * The group APIs over the wire, version by version, with a raw protocol client (and
 * @platformatic/kafka's admin where it speaks the newest versions): what real clients rely on but
 * rarely show in one place — MEMBER_ID_REQUIRED, REBALANCE_IN_PROGRESS heartbeats, empty assignments,
 * static members, several members leaving at once, simple commits, every OffsetFetch version, member
 * metadata returned byte for byte, state filters, and deleting groups and offsets.
 */
import { Admin } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import { decodeConsumerProtocolAssignment, encodeConsumerProtocolAssignment } from '../../../electron/kafka/protocol/generated/consumer-protocol-assignment';
import { encodeConsumerProtocolSubscription } from '../../../electron/kafka/protocol/generated/consumer-protocol-subscription';
import {
  createDeleteGroupsRequest,
  createDescribeGroupsRequest,
  createFindCoordinatorRequest,
  createHeartbeatRequest,
  createJoinGroupRequest,
  createLeaveGroupRequest,
  createListGroupsRequest,
  createOffsetCommitRequest,
  createOffsetDeleteRequest,
  createOffsetFetchRequest,
  createOffsetFetchRequestGroup,
  createSyncGroupRequest,
  DeleteGroups,
  DescribeGroups,
  FindCoordinator,
  Heartbeat,
  JoinGroup,
  LeaveGroup,
  ListGroups,
  OffsetCommit,
  OffsetDelete,
  OffsetFetch,
  SyncGroup,
  type JoinGroupResponse,
} from '../../../electron/kafka/protocol/generated/index';
import { Reader } from '../../../electron/kafka/protocol/reader';
import { Writer } from '../../../electron/kafka/protocol/writer';
import { RawClient } from '../handlers/raw-client';
import { coordinatorOf, createTopic, startGroupCluster, uniqueName, type GroupTestCluster } from './helpers';
import { waitFor } from '../../support/wait';

function subscription(topics: string[], userData: string | null = null): Buffer {
  const w = new Writer();
  w.int16(0);
  encodeConsumerProtocolSubscription(w, 0, {
    topics,
    userData: userData === null ? null : Buffer.from(userData),
    ownedPartitions: [],
    generationId: -1,
    rackId: null,
  });
  return w.toBuffer();
}

describe('group APIs over the wire', () => {
  let t: GroupTestCluster;
  let topic: string;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    t = await startGroupCluster();
    topic = uniqueName('wire');
    createTopic(t.cluster, topic, 4);
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

  /** A new group name coordinated by the same broker as `groupId`. */
  function sameCoordinator(prefix: string, groupId: string): string {
    for (;;) {
      const name = uniqueName(prefix);
      if (coordinatorOf(t.cluster, name) === coordinatorOf(t.cluster, groupId)) return name;
    }
  }

  /** A connection to the group's coordinator, found with FindCoordinator v3. */
  async function coordinator(groupId: string): Promise<RawClient> {
    const any = await open(t.brokers()[0]!);
    const found = await any.call(FindCoordinator, 3, { ...createFindCoordinatorRequest(), key: groupId });
    expect(found.errorCode).toBe(ErrorCode.NONE);
    return open(`${found.host}:${found.port}`);
  }

  function join(
    client: RawClient,
    version: number,
    groupId: string,
    memberId: string,
    options: { instance?: string | null; session?: number; metadata?: Buffer } = {},
  ): Promise<JoinGroupResponse> {
    return client.call(JoinGroup, version, {
      ...createJoinGroupRequest(),
      groupId,
      memberId,
      sessionTimeoutMs: options.session ?? 10_000,
      rebalanceTimeoutMs: version >= 1 ? 5000 : -1,
      groupInstanceId: options.instance ?? null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: options.metadata ?? subscription([topic]) }],
    });
  }

  /** Joins with v5 as Java clients do: MEMBER_ID_REQUIRED first, then again with the given id. */
  async function joinV5(
    client: RawClient,
    groupId: string,
    options: { instance?: string | null; session?: number; metadata?: Buffer } = {},
  ): Promise<JoinGroupResponse> {
    if (options.instance) return join(client, 5, groupId, '', options);
    const first = await join(client, 5, groupId, '', options);
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(/^raw-client-/);
    return join(client, 5, groupId, first.memberId, options);
  }

  it('FindCoordinator: v0-v3 one key, v4 several; the coordinator is the leader of the group partition, that of a transactional id the leader of its __transaction_state partition', async () => {
    const client = await open(t.brokers()[1]!);
    const groups = [uniqueName('fc-a'), uniqueName('fc-b'), uniqueName('fc-c')];
    const v4 = await client.call(FindCoordinator, 4, { ...createFindCoordinatorRequest(), coordinatorKeys: groups });
    expect(v4.coordinators.map((c) => c.key)).toEqual(groups);
    for (const c of v4.coordinators) {
      expect(c.errorCode).toBe(ErrorCode.NONE);
      expect(c.nodeId).toBe(coordinatorOf(t.cluster, c.key));
      expect(`${c.host}:${c.port}`).toBe(t.brokers()[c.nodeId]);
    }
    for (const version of [0, 1, 2, 3]) {
      const r = await client.call(FindCoordinator, version, { ...createFindCoordinatorRequest(), key: groups[0]! });
      expect(r.errorCode).toBe(ErrorCode.NONE);
      expect(r.nodeId).toBe(coordinatorOf(t.cluster, groups[0]!));
    }
    const txn = await client.call(FindCoordinator, 4, { ...createFindCoordinatorRequest(), keyType: 1, coordinatorKeys: ['a-transaction'] });
    expect(txn.coordinators[0]!.errorCode).toBe(ErrorCode.NONE);
    const statePartition = t.cluster.broker(0).transactions.partitionFor('a-transaction');
    expect(txn.coordinators[0]!.nodeId).toBe(t.cluster.controller.partition('__transaction_state', statePartition)!.leader);
    const unknownType = await client.call(FindCoordinator, 4, { ...createFindCoordinatorRequest(), keyType: 7, coordinatorKeys: ['x'] });
    expect(unknownType.coordinators[0]!.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('JoinGroup/SyncGroup/Heartbeat: member ids, rebalances, leader assignments, empty assignments, session expiry', async () => {
    const groupId = uniqueName('join');
    const a = await coordinator(groupId);
    const b = await coordinator(groupId);
    // v3: no member id round trip; the first member leads generation 1.
    const first = await join(a, 3, groupId, '');
    expect(first).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, protocolName: 'range', leader: first.memberId });
    expect(first.members.map((m) => m.memberId)).toEqual([first.memberId]);
    const sync1 = await a.call(SyncGroup, 2, {
      ...createSyncGroupRequest(),
      groupId,
      generationId: 1,
      memberId: first.memberId,
      assignments: [{ memberId: first.memberId, assignment: Buffer.from('all-of-it') }],
    });
    expect(sync1).toMatchObject({ errorCode: ErrorCode.NONE });
    expect(sync1.assignment.toString()).toBe('all-of-it');
    const hb = (client: RawClient, memberId: string, generationId: number) =>
      client.call(Heartbeat, 3, { ...createHeartbeatRequest(), groupId, memberId, generationId }).then((r) => r.errorCode);
    expect(await hb(a, first.memberId, 1)).toBe(ErrorCode.NONE);
    expect(await hb(a, first.memberId, 0)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(await hb(a, 'nobody', 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);

    // A second member (v5: MEMBER_ID_REQUIRED first) starts a rebalance: the first hears of it by heartbeat.
    const secondJoin = joinV5(b, groupId, { session: 1000 });
    await waitFor(() => t.cluster.broker(coordinatorOf(t.cluster, groupId)).groups.group(groupId)?.state === 'PreparingRebalance', 5000, 'a rebalance');
    expect(await hb(a, first.memberId, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const rejoin = await join(a, 3, groupId, first.memberId);
    const second = await secondJoin;
    expect(rejoin.generationId).toBe(2);
    expect(second.generationId).toBe(2);
    expect(rejoin.leader).toBe(first.memberId);
    expect(rejoin.members.map((m) => m.memberId).sort()).toEqual([first.memberId, second.memberId].sort());
    expect(second.members).toEqual([]);

    // The leader assigns only to itself: the other member gets a valid, empty consumer assignment.
    const followerSync = b.call(SyncGroup, 3, { ...createSyncGroupRequest(), groupId, generationId: 2, memberId: second.memberId });
    const leaderSync = await a.call(SyncGroup, 3, {
      ...createSyncGroupRequest(),
      groupId,
      generationId: 2,
      memberId: first.memberId,
      assignments: [{ memberId: first.memberId, assignment: Buffer.from('mine') }],
    });
    expect(leaderSync.assignment.toString()).toBe('mine');
    const empty = (await followerSync).assignment;
    const reader = new Reader(empty);
    expect(reader.readInt16()).toBe(0);
    expect(decodeConsumerProtocolAssignment(reader, 0)).toEqual({ assignedPartitions: [], userData: null });

    // The second member stops heartbeating: after its 1 s session it is removed and the leader rejoins alone.
    await waitFor(async () => (await hb(a, first.memberId, 2)) === ErrorCode.REBALANCE_IN_PROGRESS, 5000, 'the expiry rebalance');
    const alone = await join(a, 3, groupId, first.memberId);
    expect(alone).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 3 });
    expect(alone.members.map((m) => m.memberId)).toEqual([first.memberId]);
  });

  it('static members keep their place: a restart with the same instance id fences the old id without a rebalance', async () => {
    const groupId = uniqueName('static');
    const a = await coordinator(groupId);
    const joined = await joinV5(a, groupId, { instance: 'instance-1' });
    expect(joined.errorCode).toBe(ErrorCode.NONE);
    await a.call(SyncGroup, 3, {
      ...createSyncGroupRequest(),
      groupId,
      generationId: joined.generationId,
      memberId: joined.memberId,
      groupInstanceId: 'instance-1',
      assignments: [{ memberId: joined.memberId, assignment: Buffer.from('a') }],
    });
    const again = await joinV5(a, groupId, { instance: 'instance-1' });
    expect(again.errorCode).toBe(ErrorCode.NONE);
    expect(again.memberId).not.toBe(joined.memberId);
    expect(again.generationId).toBe(joined.generationId);
    const hb = (memberId: string) =>
      a
        .call(Heartbeat, 3, { ...createHeartbeatRequest(), groupId, memberId, groupInstanceId: 'instance-1', generationId: joined.generationId })
        .then((r) => r.errorCode);
    expect(await hb(joined.memberId)).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(await hb(again.memberId)).toBe(ErrorCode.NONE);
    const sync = await a.call(SyncGroup, 3, {
      ...createSyncGroupRequest(),
      groupId,
      generationId: again.generationId,
      memberId: again.memberId,
      groupInstanceId: 'instance-1',
    });
    expect(sync.assignment.toString()).toBe('a');
    // Leaving by instance id alone (v3+).
    const left = await a.call(LeaveGroup, 4, {
      ...createLeaveGroupRequest(),
      groupId,
      members: [{ memberId: '', groupInstanceId: 'instance-1', reason: null }],
    });
    expect(left.members).toEqual([{ memberId: '', groupInstanceId: 'instance-1', errorCode: ErrorCode.NONE }]);
  });

  it('LeaveGroup v3+ removes several members at once; v0 one', async () => {
    const groupId = uniqueName('leave');
    const clientsOf = await Promise.all([0, 1, 2].map(() => coordinator(groupId)));
    const joins = await Promise.all(clientsOf.map((c) => join(c, 3, groupId, '')));
    const ids = joins.map((j) => j.memberId);
    expect(new Set(joins.map((j) => j.generationId)).size).toBe(1);
    const left = await clientsOf[0]!.call(LeaveGroup, 3, {
      ...createLeaveGroupRequest(),
      groupId,
      members: [
        { memberId: ids[0]!, groupInstanceId: null, reason: null },
        { memberId: ids[1]!, groupInstanceId: null, reason: null },
        { memberId: 'unknown-member', groupInstanceId: null, reason: null },
      ],
    });
    expect(left.errorCode).toBe(ErrorCode.NONE);
    expect(left.members.map((m) => m.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID]);
    const v0 = await clientsOf[0]!.call(LeaveGroup, 0, { ...createLeaveGroupRequest(), groupId, memberId: ids[2]! });
    expect(v0.errorCode).toBe(ErrorCode.NONE);
    const again = await clientsOf[0]!.call(LeaveGroup, 0, { ...createLeaveGroupRequest(), groupId, memberId: ids[2]! });
    expect(again.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const described = await clientsOf[0]!.call(DescribeGroups, 0, { ...createDescribeGroupsRequest(), groups: [groupId] });
    expect(described.groups[0]).toMatchObject({ groupState: 'Empty', members: [] });
  });

  it('OffsetCommit/OffsetFetch: simple commits, member checks, every fetch version, several groups at once', async () => {
    const simple = uniqueName('simple');
    const c = await coordinator(simple);
    const commit = (
      version: number,
      groupId: string,
      partitions: Array<[number, bigint, string | null]>,
      member: { memberId?: string; generation?: number } = {},
    ) =>
      c.call(OffsetCommit, version, {
        ...createOffsetCommitRequest(),
        groupId,
        memberId: member.memberId ?? '',
        generationIdOrMemberEpoch: member.generation ?? -1,
        topics: [
          {
            name: topic,
            partitions: partitions.map(([partitionIndex, committedOffset, committedMetadata]) => ({
              partitionIndex,
              committedOffset,
              committedMetadata,
              committedLeaderEpoch: -1,
              commitTimestamp: -1n,
            })),
          },
        ],
      });
    // v0 and v2 without a membership (an admin tool, a simple consumer): the group is created empty.
    const v0 = await commit(0, simple, [[0, 10n, 'zero']]);
    expect(v0.topics[0]!.partitions).toEqual([{ partitionIndex: 0, errorCode: ErrorCode.NONE }]);
    const v8 = await commit(8, simple, [
      [1, 11n, null],
      [2, 12n, 'x'.repeat(5000)],
      [9, 1n, null],
    ]);
    expect(v8.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([
      ErrorCode.NONE,
      ErrorCode.OFFSET_METADATA_TOO_LARGE,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    const missing = await commit(2, sameCoordinator('never-joined', simple), [[0, 1n, null]], { memberId: 'm', generation: 3 });
    expect(missing.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);

    const asked = [{ name: topic, partitionIndexes: [0, 1, 3] }];
    for (const version of [0, 1, 2, 3, 4, 5, 6, 7]) {
      const r = await c.call(OffsetFetch, version, { ...createOffsetFetchRequest(), groupId: simple, topics: asked });
      expect(r.errorCode).toBe(ErrorCode.NONE);
      expect(r.topics[0]!.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata])).toEqual([
        [0, 10n, 'zero'],
        [1, 11n, ''],
        [3, -1n, ''],
      ]);
    }
    const everything = await c.call(OffsetFetch, 2, { ...createOffsetFetchRequest(), groupId: simple, topics: null });
    expect(everything.topics.map((tp) => [tp.name, tp.partitions.map((p) => p.partitionIndex)])).toEqual([[topic, [0, 1]]]);

    // v8: several groups in one request (all with this coordinator or not: each group says).
    const other = uniqueName('simple-other');
    const otherClient = await coordinator(other);
    await otherClient.call(OffsetCommit, 8, {
      ...createOffsetCommitRequest(),
      groupId: other,
      topics: [
        { name: topic, partitions: [{ partitionIndex: 3, committedOffset: 33n, committedLeaderEpoch: 7, commitTimestamp: -1n, committedMetadata: null }] },
      ],
    });
    const multi = await c.call(OffsetFetch, 8, {
      ...createOffsetFetchRequest(),
      groups: [
        { ...createOffsetFetchRequestGroup(), groupId: simple, topics: null },
        { ...createOffsetFetchRequestGroup(), groupId: other, topics: [{ name: topic, partitionIndexes: [3] }] },
      ],
    });
    expect(multi.groups[0]).toMatchObject({ groupId: simple, errorCode: ErrorCode.NONE });
    expect(multi.groups[0]!.topics[0]!.partitions.map((p) => p.committedOffset)).toEqual([10n, 11n]);
    const otherCoordinator = coordinatorOf(t.cluster, other);
    if (otherCoordinator === coordinatorOf(t.cluster, simple)) {
      expect(multi.groups[1]!.topics[0]!.partitions[0]).toMatchObject({ committedOffset: 33n, committedLeaderEpoch: 7 });
    } else {
      expect(multi.groups[1]!.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    }

    // A group with members: commits need the member id and its generation.
    const groupId = uniqueName('members');
    const m = await coordinator(groupId);
    const joined = await join(m, 3, groupId, '');
    await m.call(SyncGroup, 2, {
      ...createSyncGroupRequest(),
      groupId,
      generationId: joined.generationId,
      memberId: joined.memberId,
      assignments: [{ memberId: joined.memberId, assignment: Buffer.alloc(0) }],
    });
    const memberCommit = (memberId: string, generation: number) =>
      m
        .call(OffsetCommit, 2, {
          ...createOffsetCommitRequest(),
          groupId,
          memberId,
          generationIdOrMemberEpoch: generation,
          topics: [
            { name: topic, partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] },
          ],
        })
        .then((r) => r.topics[0]!.partitions[0]!.errorCode);
    expect(await memberCommit(joined.memberId, joined.generationId)).toBe(ErrorCode.NONE);
    expect(await memberCommit(joined.memberId, joined.generationId + 1)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(await memberCommit('someone-else', joined.generationId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await memberCommit('', -1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('DescribeGroups returns member metadata and assignments byte for byte; ListGroups filters by state', async () => {
    const groupId = uniqueName('describe');
    const c = await coordinator(groupId);
    const metadata = subscription([topic], 'user-data-\u00e9');
    const joined = await join(c, 3, groupId, '', { metadata });
    const w = new Writer();
    w.int16(0);
    encodeConsumerProtocolAssignment(w, 0, { assignedPartitions: [{ topic, partitions: [0, 1] }], userData: Buffer.alloc(0) });
    const assignment = w.toBuffer();
    await c.call(SyncGroup, 2, {
      ...createSyncGroupRequest(),
      groupId,
      generationId: joined.generationId,
      memberId: joined.memberId,
      assignments: [{ memberId: joined.memberId, assignment }],
    });
    // An unknown group with the same coordinator is reported Dead, as Kafka does.
    const unknownGroup = sameCoordinator('unknown', groupId);
    for (const version of [0, 3, 5]) {
      const r = await c.call(DescribeGroups, version, {
        ...createDescribeGroupsRequest(),
        groups: [groupId, unknownGroup],
        includeAuthorizedOperations: version >= 3,
      });
      const [group, unknown] = r.groups;
      expect(group).toMatchObject({ errorCode: ErrorCode.NONE, groupId, groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
      expect(group!.members).toHaveLength(1);
      expect(group!.members[0]!.memberId).toBe(joined.memberId);
      expect(group!.members[0]!.clientId).toBe('raw-client');
      expect(group!.members[0]!.clientHost).toBe('/127.0.0.1');
      expect(Buffer.compare(group!.members[0]!.memberMetadata, metadata)).toBe(0);
      expect(Buffer.compare(group!.members[0]!.memberAssignment, assignment)).toBe(0);
      if (version >= 3) expect(group!.authorizedOperations).toBeGreaterThan(0);
      expect(unknown).toMatchObject({ errorCode: ErrorCode.NONE, groupState: 'Dead', members: [] });
    }

    // ListGroups: each broker lists the groups it coordinates; v4 filters by state, v5 by type.
    const list = async (version: number, states: string[] = [], types: string[] = []) => {
      const all = [];
      for (const broker of t.brokers()) {
        const client = await open(broker);
        const r = await client.call(ListGroups, version, { ...createListGroupsRequest(), statesFilter: states, typesFilter: types });
        all.push(...r.groups);
      }
      return all;
    };
    expect((await list(0)).find((g) => g.groupId === groupId)).toMatchObject({ protocolType: 'consumer' });
    expect((await list(4, ['Stable'])).find((g) => g.groupId === groupId)).toMatchObject({ groupState: 'Stable' });
    expect((await list(4, ['Empty'])).find((g) => g.groupId === groupId)).toBeUndefined();
    expect((await list(5, [], ['classic'])).find((g) => g.groupId === groupId)).toMatchObject({ groupType: 'classic' });
    expect((await list(5, [], ['consumer'])).find((g) => g.groupId === groupId)).toBeUndefined();

    // The same through @platformatic/kafka's admin (newest versions; it decodes the consumer protocol).
    // Since 2.x it reports Kafka's state names and still accepts its old upper-case ones as filters.
    const admin = new Admin({ clientId: 'groups-admin', bootstrapBrokers: t.brokers() });
    try {
      const stable = await admin.listGroups({ states: ['Stable'] });
      expect(stable.get(groupId)).toMatchObject({ id: groupId, state: 'Stable', protocolType: 'consumer' });
      expect((await admin.listGroups({ states: ['STABLE'] })).get(groupId)).toMatchObject({ state: 'Stable' });
      expect((await admin.listGroups({ states: ['Empty'] })).has(groupId)).toBe(false);
      const described = await admin.describeGroups({ groups: [groupId] });
      const member = described.get(groupId)!.members.get(joined.memberId)!;
      expect(member.metadata?.topics).toEqual([topic]);
      expect(member.assignments?.get(topic)?.partitions).toEqual([0, 1]);
    } finally {
      await admin.close();
    }
  });

  it('DeleteGroups removes only empty groups; OffsetDelete refuses subscribed topics; a deleted topic takes its offsets along', async () => {
    const groupId = uniqueName('delete');
    const c = await coordinator(groupId);
    const joined = await join(c, 3, groupId, '');
    await c.call(SyncGroup, 2, { ...createSyncGroupRequest(), groupId, generationId: joined.generationId, memberId: joined.memberId, assignments: [] });
    const extra = uniqueName('extra-topic');
    createTopic(t.cluster, extra, 2);
    await c.call(OffsetCommit, 2, {
      ...createOffsetCommitRequest(),
      groupId,
      memberId: joined.memberId,
      generationIdOrMemberEpoch: joined.generationId,
      topics: [
        { name: topic, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] },
        {
          name: extra,
          partitions: [0, 1].map((partitionIndex) => ({
            partitionIndex,
            committedOffset: 2n,
            committedLeaderEpoch: -1,
            commitTimestamp: -1n,
            committedMetadata: null,
          })),
        },
      ],
    });
    const del = (groups: string[]) =>
      c.call(DeleteGroups, 2, { ...createDeleteGroupsRequest(), groupsNames: groups }).then((r) => r.results.map((x) => x.errorCode));
    const unknownGroup = uniqueName('no-such-group');
    expect(await del([groupId])).toEqual([ErrorCode.NON_EMPTY_GROUP]);
    // Unknown group: this coordinator or another answers that it is not there.
    expect([ErrorCode.GROUP_ID_NOT_FOUND, ErrorCode.NOT_COORDINATOR]).toContain((await del([unknownGroup]))[0]);

    const offsetDelete = (topics: Array<{ name: string; partitions: number[] }>) =>
      c.call(OffsetDelete, 0, {
        ...createOffsetDeleteRequest(),
        groupId,
        topics: topics.map((tp) => ({ name: tp.name, partitions: tp.partitions.map((partitionIndex) => ({ partitionIndex })) })),
      });
    const refused = await offsetDelete([
      { name: topic, partitions: [0] },
      { name: extra, partitions: [0] },
    ]);
    expect(refused.errorCode).toBe(ErrorCode.NONE);
    expect(refused.topics.map((tp) => tp.partitions[0]!.errorCode)).toEqual([ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, ErrorCode.NONE]);
    const fetchAll = async () => {
      const r = await c.call(OffsetFetch, 7, { ...createOffsetFetchRequest(), groupId, topics: null });
      return r.topics.map((tp) => `${tp.name}:${tp.partitions.map((p) => p.partitionIndex).join(',')}`).sort();
    };
    expect(await fetchAll()).toEqual([`${extra}:1`, `${topic}:0`].sort());

    // Deleting a topic removes the group's offsets for it.
    const deleted = t.cluster.controller.deleteTopic(extra);
    expect('error' in deleted).toBe(false);
    await waitFor(async () => (await fetchAll()).length === 1, 5000, 'the deleted topic offsets to go');
    expect(await fetchAll()).toEqual([`${topic}:0`]);

    await c.call(LeaveGroup, 0, { ...createLeaveGroupRequest(), groupId, memberId: joined.memberId });
    expect(await del([groupId])).toEqual([ErrorCode.NONE]);
    expect(await fetchAll()).toEqual([]);
    const described = await c.call(DescribeGroups, 0, { ...createDescribeGroupsRequest(), groups: [groupId] });
    expect(described.groups[0]!.groupState).toBe('Dead');

    // All of it lasts: after a full restart the group and its offsets are still gone.
    await t.restart();
    for (const client of clients.splice(0)) client.close();
    const after = await coordinator(groupId);
    const r = await after.call(OffsetFetch, 7, { ...createOffsetFetchRequest(), groupId, topics: null });
    expect(r.topics).toEqual([]);
    const described2 = await after.call(DescribeGroups, 0, { ...createDescribeGroupsRequest(), groups: [groupId] });
    expect(described2.groups[0]!.groupState).toBe('Dead');
  });

  it('expires the offsets of groups empty for offsets.retention.minutes, and of topics an active group no longer reads', async () => {
    const idle = uniqueName('idle');
    // Both groups on one coordinator, so one expiry pass covers both.
    const active = sameCoordinator('active', idle);
    const other = uniqueName('other-topic');
    createTopic(t.cluster, other, 1);
    const c = await coordinator(idle);
    const offsetsOf = (groupId: string, name: string, partitionIndex: number) => ({
      ...createOffsetCommitRequest(),
      groupId,
      topics: [{ name, partitions: [{ partitionIndex, committedOffset: 3n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }],
    });
    await c.call(OffsetCommit, 8, offsetsOf(idle, topic, 0));
    const joined = await join(c, 3, active, '');
    await c.call(SyncGroup, 2, { ...createSyncGroupRequest(), groupId: active, generationId: joined.generationId, memberId: joined.memberId, assignments: [] });
    for (const [name, partition] of [
      [topic, 1],
      [other, 0],
    ] as const) {
      await c.call(OffsetCommit, 2, { ...offsetsOf(active, name, partition), memberId: joined.memberId, generationIdOrMemberEpoch: joined.generationId });
    }
    const fetchAll = async (groupId: string) => {
      const r = await c.call(OffsetFetch, 7, { ...createOffsetFetchRequest(), groupId, topics: null });
      return r.topics.map((tp) => tp.name).sort();
    };
    expect(await fetchAll(idle)).toEqual([topic]);
    expect(await fetchAll(active)).toEqual([topic, other].sort());

    const coordinatorBroker = t.cluster.broker(coordinatorOf(t.cluster, idle));
    // Nothing is due yet.
    const before = coordinatorBroker.groups.expireOffsets(Date.now());
    expect(await fetchAll(idle)).toEqual([topic]);
    // A week (the default retention) later: the idle group's offsets and the group itself are gone; the
    // active group keeps the offsets of the topic it subscribes to.
    const expired = coordinatorBroker.groups.expireOffsets(Date.now() + 7 * 24 * 3_600_000 + 60_000);
    expect(expired).toBeGreaterThanOrEqual(2);
    expect(before).toBe(0);
    expect(await fetchAll(idle)).toEqual([]);
    expect(await fetchAll(active)).toEqual([topic]);
    const described = await c.call(DescribeGroups, 0, { ...createDescribeGroupsRequest(), groups: [idle, active] });
    expect(described.groups.map((g) => g.groupState)).toEqual(['Dead', 'Stable']);
  });

  it('logged no broker errors', () => {
    expect(t.errors).toEqual([]);
  });
});

describe('FindCoordinator while the offsets partition has no leader', () => {
  it('answers COORDINATOR_NOT_AVAILABLE, and the coordinator again once a replica is back', async () => {
    const t = await startGroupCluster({ brokers: 2, config: { 'offsets.topic.replication.factor': '1', 'offsets.topic.num.partitions': '2' } });
    try {
      const groupId = 'offline-group';
      const find = async (broker: string) => {
        const client = await RawClient.open(broker);
        try {
          return await client.call(FindCoordinator, 3, { ...createFindCoordinatorRequest(), key: groupId });
        } finally {
          client.close();
        }
      };
      const before = await find(t.brokers()[0]!);
      expect(before.errorCode).toBe(ErrorCode.NONE);
      const owner = before.nodeId;
      const other = 1 - owner;
      const otherAddress = t.brokers()[other]!;
      await t.cluster.stopBroker(owner);
      const during = await find(otherAddress);
      expect(during.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      await t.cluster.startBroker(owner);
      const after = await find(otherAddress);
      expect(after).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: owner });
      expect(t.errors).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe('a coordinator move', () => {
  it('keeps a stable group: members, generation and assignments are loaded by the new coordinator', async () => {
    const t = await startGroupCluster();
    const clients: RawClient[] = [];
    try {
      const topic = uniqueName('move');
      createTopic(t.cluster, topic, 2);
      const groupId = uniqueName('move-group');
      const find = async () => {
        const any = await RawClient.open(`${t.cluster.runningBrokers()[0]!.host}:${t.cluster.runningBrokers()[0]!.boundPort}`);
        clients.push(any);
        const found = await any.call(FindCoordinator, 3, { ...createFindCoordinatorRequest(), key: groupId });
        const client = await RawClient.open(`${found.host}:${found.port}`);
        clients.push(client);
        return { client, nodeId: found.nodeId };
      };
      const { client, nodeId } = await find();
      const joined = await client.call(JoinGroup, 3, {
        ...createJoinGroupRequest(),
        groupId,
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 5000,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: subscription([topic]) }],
      });
      await client.call(SyncGroup, 2, {
        ...createSyncGroupRequest(),
        groupId,
        generationId: joined.generationId,
        memberId: joined.memberId,
        assignments: [{ memberId: joined.memberId, assignment: Buffer.from('both-partitions') }],
      });

      await t.cluster.stopBroker(nodeId);
      const moved = await find();
      expect(moved.nodeId).not.toBe(nodeId);
      const hb = await moved.client.call(Heartbeat, 3, { ...createHeartbeatRequest(), groupId, memberId: joined.memberId, generationId: joined.generationId });
      expect(hb.errorCode).toBe(ErrorCode.NONE);
      const described = await moved.client.call(DescribeGroups, 5, { ...createDescribeGroupsRequest(), groups: [groupId] });
      expect(described.groups[0]).toMatchObject({ groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
      expect(described.groups[0]!.members.map((m) => [m.memberId, m.memberAssignment.toString()])).toEqual([[joined.memberId, 'both-partitions']]);
      const sync = await moved.client.call(SyncGroup, 2, {
        ...createSyncGroupRequest(),
        groupId,
        generationId: joined.generationId,
        memberId: joined.memberId,
      });
      expect(sync).toMatchObject({ errorCode: ErrorCode.NONE });
      expect(sync.assignment.toString()).toBe('both-partitions');
      expect(t.errors).toEqual([]);
    } finally {
      for (const c of clients) c.close();
      await t.close();
    }
  });
});
