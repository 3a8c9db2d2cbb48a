/**
 * KIP-848 consumer groups seen by the APIs around the heartbeat, over the wire, with real consumers
 * that speak the protocol (@platformatic/kafka's Consumer, groupProtocol 'consumer'):
 * ConsumerGroupDescribe (API 69) — the group and assignment epochs, the assignor, each member's epoch,
 * subscription, current and target assignment by topic id — and its per-group errors (unknown group,
 * classic group, empty id, not the coordinator, no DESCRIBE on the group, a topic the requester may not
 * describe); ListGroups v5 types and states of both kinds of groups; DescribeGroups answering a consumer
 * group Dead as Kafka does; DeleteGroups and OffsetDelete refusing a group with members.
 */
import { Consumer, stringDeserializers, type SASLOptions } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import {
  ApiVersions,
  ConsumerGroupDescribe,
  ConsumerGroupHeartbeat,
  createApiVersionsRequest,
  createConsumerGroupHeartbeatRequest,
  createDeleteGroupsRequest,
  createDescribeGroupsRequest,
  createFindCoordinatorRequest,
  createListGroupsRequest,
  createOffsetCommitRequest,
  createOffsetDeleteRequest,
  DeleteGroups,
  DescribeGroups,
  FindCoordinator,
  ListGroups,
  OffsetCommit,
  OffsetDelete,
} from '../../../electron/kafka/protocol/generated/index';
import { AclOperation, PatternType, PermissionType, ResourceType } from '../../../electron/kafka/protocol/acl-codes';
import { RawClient } from '../handlers/raw-client';
import { startSecuredCluster, type SecuredCluster } from '../security/helpers';
import { openScram, type WireClient } from '../security/wire-client';
import { eventually, waitFor } from '../../support/wait';
import { coordinatorOf, createTopic, startGroupCluster, uniqueName, type GroupTestCluster } from './helpers';

const describeGroups = (client: { call: RawClient['call'] }, groupIds: string[], includeAuthorizedOperations = false, version = 1) =>
  client.call(ConsumerGroupDescribe, version, { groupIds, includeAuthorizedOperations });

/** Short sessions and heartbeats so members come and go within a test's time. */
const CONSUMER_PROTOCOL_CONFIG = { 'group.consumer.heartbeat.interval.ms': '300', 'group.consumer.session.timeout.ms': '6000' };

/** A member of a KIP-848 group: @platformatic/kafka's Consumer with groupProtocol 'consumer'. */
async function kip848Member(bootstrap: string[], groupId: string, topic: string, clientId: string, sasl?: SASLOptions) {
  const consumer = new Consumer({
    groupId,
    groupProtocol: 'consumer',
    clientId,
    bootstrapBrokers: bootstrap,
    deserializers: stringDeserializers,
    rebalanceTimeout: 60_000,
    maxWaitTime: 100,
    ...(sasl ? { sasl } : {}),
  });
  const stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: 100 });
  stream.on('data', () => {});
  const partitions = () => consumer.assignments?.find((a) => a.topic === topic)?.partitions.length ?? 0;
  let closed = false;
  return {
    partitions,
    async close() {
      if (closed) return;
      closed = true;
      await stream.close();
      await consumer.close(true);
    },
  };
}

describe('ConsumerGroupDescribe over the wire', () => {
  let t: GroupTestCluster;
  let topic: string;
  const clients: RawClient[] = [];

  const members: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    t = await startGroupCluster({ config: CONSUMER_PROTOCOL_CONFIG });
    topic = uniqueName('cgd');
    createTopic(t.cluster, topic, 2);
  });

  afterAll(async () => {
    for (const m of members) await m.close().catch(() => {});
    for (const c of clients) c.close();
    await t?.close();
  });

  async function open(hostPort: string): Promise<RawClient> {
    const client = await RawClient.open(hostPort);
    clients.push(client);
    return client;
  }

  async function coordinator(groupId: string): Promise<RawClient> {
    const any = await open(t.brokers()[0]!);
    const found = await any.call(FindCoordinator, 3, { ...createFindCoordinatorRequest(), key: groupId });
    expect(found.errorCode).toBe(ErrorCode.NONE);
    return open(`${found.host}:${found.port}`);
  }

  it('is listed by ApiVersions at v0-1 (v1: KIP-1099)', async () => {
    const client = await open(t.brokers()[0]!);
    const versions = await client.call(ApiVersions, 3, { ...createApiVersionsRequest(), clientSoftwareName: 'test', clientSoftwareVersion: '1' });
    expect(versions.apiKeys.find((k) => k.apiKey === 69)).toEqual({ apiKey: 69, minVersion: 0, maxVersion: 1 });
  });

  it('answers GROUP_ID_NOT_FOUND for unknown and classic groups, INVALID_GROUP_ID for an empty id, NOT_COORDINATOR elsewhere', async () => {
    // A classic group: offsets committed without a membership (an admin tool, a simple consumer).
    const classic = uniqueName('classic');
    const c = await coordinator(classic);
    const committed = await c.call(OffsetCommit, 2, {
      ...createOffsetCommitRequest(),
      groupId: classic,
      memberId: '',
      generationIdOrMemberEpoch: -1,
      topics: [
        { name: topic, partitions: [{ partitionIndex: 0, committedOffset: 0n, committedMetadata: null, committedLeaderEpoch: -1, commitTimestamp: -1n }] },
      ],
    });
    expect(committed.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    // An unknown group with the same coordinator.
    let unknown = uniqueName('unknown');
    while (coordinatorOf(t.cluster, unknown) !== coordinatorOf(t.cluster, classic)) unknown = uniqueName('unknown');

    const r = await describeGroups(c, [classic, unknown, ''], true);
    expect(r.groups).toHaveLength(3);
    expect(r.groups[0]).toMatchObject({
      errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
      groupId: classic,
      errorMessage: `Group ${classic} is not a consumer group.`,
      members: [],
    });
    expect(r.groups[1]).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, groupId: unknown, errorMessage: `Group ${unknown} not found.` });
    expect(r.groups[2]).toMatchObject({ errorCode: ErrorCode.INVALID_GROUP_ID, groupId: '' });
    // Not described: no authorized operations even when asked.
    for (const group of r.groups) expect(group.authorizedOperations).toBe(-2147483648);

    // DescribeGroups v6 (KIP-1043): the classic group as before, the unknown one GROUP_ID_NOT_FOUND with Kafka's words.
    const v6 = await c.call(DescribeGroups, 6, { ...createDescribeGroupsRequest(), groups: [classic, unknown], includeAuthorizedOperations: false });
    expect(v6.groups[0]).toMatchObject({ errorCode: ErrorCode.NONE, errorMessage: null, groupId: classic, groupState: 'Empty' });
    expect(v6.groups[1]).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${unknown} not found.`, groupState: 'Dead' });

    const other = t.brokers().findIndex((_, id) => id !== coordinatorOf(t.cluster, classic));
    const elsewhere = await describeGroups(await open(t.brokers()[other]!), [classic]);
    expect(elsewhere.groups[0]).toMatchObject({ errorCode: ErrorCode.NOT_COORDINATOR, groupId: classic });
  });

  it('describes a consumer group of two real members; ListGroups types it, DescribeGroups calls it Dead, deletes are refused while it has members', async () => {
    const readTopic = uniqueName('cgd-read');
    createTopic(t.cluster, readTopic, 4);
    const groupId = uniqueName('kip848');
    const a = await kip848Member(t.brokers(), groupId, readTopic, 'member-a');
    members.push(a);
    await waitFor(() => a.partitions() === 4, 20_000, 'the first member to take all four partitions');
    const b = await kip848Member(t.brokers(), groupId, readTopic, 'member-b');
    members.push(b);
    await waitFor(() => a.partitions() === 2 && b.partitions() === 2, 20_000, 'a 2+2 split');
    // A classic group beside it (kafkajs), listed with its own type.
    const kafka = new Kafka({ brokers: t.brokers(), clientId: 'classic-beside', logLevel: logLevel.NOTHING });
    const classicGroup = uniqueName('classic-kafkajs');
    const classicConsumer = kafka.consumer({ groupId: classicGroup, sessionTimeout: 6000, heartbeatInterval: 500 });
    members.push({ close: () => classicConsumer.disconnect() });
    await classicConsumer.connect();
    await classicConsumer.subscribe({ topic: readTopic, fromBeginning: true });
    let classicJoined = false;
    classicConsumer.on(classicConsumer.events.GROUP_JOIN, () => (classicJoined = true));
    await classicConsumer.run({ eachMessage: async () => {} });
    await waitFor(() => classicJoined, 20_000, 'the kafkajs consumer to join its classic group');

    const c = await coordinator(groupId);
    const described = await eventually(
      () => describeGroups(c, [groupId], true),
      (r) => r.groups[0]?.groupState === 'Stable' && r.groups[0].members.every((m) => m.memberEpoch === r.groups[0]!.groupEpoch),
    );
    const group = described.groups[0]!;
    expect(group).toMatchObject({ errorCode: ErrorCode.NONE, errorMessage: null, groupId, groupState: 'Stable', assignorName: 'uniform' });
    expect(group.assignmentEpoch).toBe(group.groupEpoch);
    expect(group.authorizedOperations).toBeGreaterThan(0);
    const topicId = t.cluster.controller.topic(readTopic)!.topicId;
    expect(group.members.map((m) => m.clientId).sort()).toEqual(['member-a', 'member-b']);
    const owned: number[] = [];
    for (const m of group.members) {
      expect(m.clientHost).toMatch(/127\.0\.0\.1/);
      expect(m.subscribedTopicNames).toEqual([readTopic]);
      expect(m.subscribedTopicRegex).toBeNull();
      expect(m.assignment.topicPartitions).toHaveLength(1);
      expect(m.assignment.topicPartitions[0]).toMatchObject({ topicId, topicName: readTopic });
      expect(m.assignment.topicPartitions[0]!.partitions).toHaveLength(2);
      // Stable: each member owns its target.
      expect(m.targetAssignment).toEqual(m.assignment);
      // v1 (KIP-1099): both speak the consumer protocol.
      expect(m.memberType).toBe(1);
      owned.push(...m.assignment.topicPartitions[0]!.partitions);
    }
    expect(owned.sort()).toEqual([0, 1, 2, 3]);
    // v0 has no MemberType: the same members, which decode to -1 (unknown).
    const v0 = await describeGroups(c, [groupId], false, 0);
    expect(v0.groups[0]!.members.map((m) => m.memberType)).toEqual([-1, -1]);
    expect(v0.groups[0]!.members.map((m) => m.memberId).sort()).toEqual(group.members.map((m) => m.memberId).sort());

    // ListGroups on every broker: v5 types both groups, filters by type and by either kind of state.
    const list = async (version: number, states: string[] = [], types: string[] = []) => {
      const all = [];
      for (const broker of t.brokers()) {
        const r = await (await open(broker)).call(ListGroups, version, { ...createListGroupsRequest(), statesFilter: states, typesFilter: types });
        expect(r.errorCode).toBe(ErrorCode.NONE);
        all.push(...r.groups);
      }
      return all;
    };
    expect((await list(5)).filter((g) => g.groupId === groupId || g.groupId === classicGroup).sort((x, y) => (x.groupId < y.groupId ? -1 : 1))).toEqual(
      [
        { groupId: classicGroup, protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' },
        { groupId, protocolType: 'consumer', groupState: 'Stable', groupType: 'consumer' },
      ].sort((x, y) => (x.groupId < y.groupId ? -1 : 1)),
    );
    expect((await list(5, [], ['consumer'])).map((g) => g.groupId)).toContain(groupId);
    expect((await list(5, [], ['Consumer'])).map((g) => g.groupId)).not.toContain(classicGroup);
    expect((await list(5, [], ['classic'])).map((g) => g.groupId)).not.toContain(groupId);
    expect((await list(5, [], ['share'])).map((g) => g.groupId)).toEqual([]);
    expect((await list(4, ['Stable'])).map((g) => g.groupId)).toContain(groupId);
    expect((await list(4, ['Reconciling', 'Assigning'])).map((g) => g.groupId)).not.toContain(groupId);
    expect((await list(0)).find((g) => g.groupId === groupId)).toMatchObject({ protocolType: 'consumer' });

    // DescribeGroups: not a classic group, so Dead without members (KIP-848; v6 adds GROUP_ID_NOT_FOUND).
    for (const version of [0, 5]) {
      const r = await c.call(DescribeGroups, version, { ...createDescribeGroupsRequest(), groups: [groupId], includeAuthorizedOperations: false });
      expect(r.groups[0]).toMatchObject({ errorCode: ErrorCode.NONE, groupId, groupState: 'Dead', protocolType: '', members: [] });
    }
    const v6 = await c.call(DescribeGroups, 6, { ...createDescribeGroupsRequest(), groups: [groupId], includeAuthorizedOperations: false });
    expect(v6.groups[0]).toMatchObject({
      errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
      errorMessage: `Group ${groupId} is not a classic group.`,
      groupState: 'Dead',
      members: [],
    });

    // Members still in it: the group cannot be deleted, nor the offsets of a topic it subscribes to
    // (nothing was committed yet: the group exists all the same).
    const deleted = await c.call(DeleteGroups, 2, { ...createDeleteGroupsRequest(), groupsNames: [groupId] });
    expect(deleted.results[0]).toMatchObject({ groupId, errorCode: ErrorCode.NON_EMPTY_GROUP });
    const offsetsDeleted = await c.call(OffsetDelete, 0, {
      ...createOffsetDeleteRequest(),
      groupId,
      topics: [{ name: readTopic, partitions: [{ partitionIndex: 0 }] }],
    });
    expect(offsetsDeleted.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);

    // Both members leave: the group is empty, then deleted with its offsets; it is not found any more.
    await a.close();
    await b.close();
    await eventually(
      () => describeGroups(c, [groupId]),
      (r) => r.groups[0]?.groupState === 'Empty',
    );
    const emptyList = await list(4, ['Empty']);
    expect(emptyList.find((g) => g.groupId === groupId)).toMatchObject({ groupState: 'Empty', protocolType: 'consumer' });
    const deletedNow = await c.call(DeleteGroups, 2, { ...createDeleteGroupsRequest(), groupsNames: [groupId] });
    expect(deletedNow.results[0]).toMatchObject({ groupId, errorCode: ErrorCode.NONE });
    expect((await describeGroups(c, [groupId])).groups[0]).toMatchObject({
      errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
      errorMessage: `Group ${groupId} not found.`,
    });
    expect((await list(5)).map((g) => g.groupId)).not.toContain(groupId);
  });

  it('logged no broker errors', () => {
    expect(t.errors).toEqual([]);
  });
});

describe('ConsumerGroupDescribe with the authorizer on', () => {
  let t: SecuredCluster;
  const open: WireClient[] = [];

  beforeAll(async () => {
    t = await startSecuredCluster({ protocol: 'SASL_PLAINTEXT', acl: true, config: { ...CONSUMER_PROTOCOL_CONFIG, 'offsets.topic.num.partitions': '3' } });
  }, 60_000);

  afterAll(async () => {
    for (const client of open) client.close();
    await t?.close();
  });

  async function login(user: string, password: string): Promise<WireClient> {
    const client = await openScram(t.bootstrap, user, password);
    open.push(client);
    return client;
  }

  it('needs DESCRIBE on the group (GROUP_AUTHORIZATION_FAILED per group), as Kafka checks before looking the group up', async () => {
    const alice = await login('alice', 'alice-secret');
    const refused = await describeGroups(alice, ['team-a', 'team-b']);
    expect(refused.groups.map((g) => [g.groupId, g.errorCode])).toEqual([
      ['team-a', ErrorCode.GROUP_AUTHORIZATION_FAILED],
      ['team-b', ErrorCode.GROUP_AUTHORIZATION_FAILED],
    ]);
    expect(
      t.cluster.controller.security.createAcl({
        resourceType: ResourceType.GROUP,
        resourceName: 'team-a',
        patternType: PatternType.LITERAL,
        principal: 'User:alice',
        host: '*',
        operation: AclOperation.DESCRIBE,
        permissionType: PermissionType.ALLOW,
      }),
    ).toBeNull();
    // FindCoordinator creates the offsets topic; until it has a leader no broker coordinates the group.
    await waitFor(
      async () => (await alice.call(FindCoordinator, 3, { ...createFindCoordinatorRequest(), key: 'team-a' })).errorCode === ErrorCode.NONE,
      15_000,
      'the coordinator of team-a',
    );
    const allowed = await describeGroups(alice, ['team-a', 'team-b']);
    expect(allowed.groups.map((g) => [g.groupId, g.errorCode])).toEqual([
      ['team-a', ErrorCode.GROUP_ID_NOT_FOUND],
      ['team-b', ErrorCode.GROUP_AUTHORIZATION_FAILED],
    ]);
  });

  it('hides a group whose topics the requester may not DESCRIBE (TOPIC_AUTHORIZATION_FAILED), and shows it once it may', async () => {
    const grant = (resourceType: number, resourceName: string) =>
      expect(
        t.cluster.controller.security.createAcl({
          resourceType,
          resourceName,
          patternType: PatternType.LITERAL,
          principal: 'User:alice',
          host: '*',
          operation: AclOperation.DESCRIBE,
          permissionType: PermissionType.ALLOW,
        }),
      ).toBeNull();
    createTopic(t.cluster, 'secret-topic', 2, 1);
    // The super user reads the topic in a consumer group of the KIP-848 protocol.
    const member = await kip848Member(t.bootstrap.split(','), 'team-secret', 'secret-topic', 'admin-member', {
      mechanism: 'SCRAM-SHA-256',
      username: 'admin',
      password: 'admin-secret',
    });
    try {
      await waitFor(() => member.partitions() === 2, 20_000, 'the member to take both partitions');
      grant(ResourceType.GROUP, 'team-secret');
      const alice = await login('alice', 'alice-secret');
      const hidden = (await describeGroups(alice, ['team-secret'], true)).groups[0]!;
      expect(hidden).toMatchObject({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, groupId: 'team-secret', members: [] });
      expect(hidden.errorMessage).toMatch(/not authorized/);
      grant(ResourceType.TOPIC, 'secret-topic');
      const shown = (await describeGroups(alice, ['team-secret'], true)).groups[0]!;
      expect(shown).toMatchObject({ errorCode: ErrorCode.NONE, groupId: 'team-secret' });
      expect(shown.members.map((m) => m.clientId)).toEqual(['admin-member']);
      // Alice may only DESCRIBE the group: that is the one operation it is told of.
      expect(shown.authorizedOperations).toBe(1 << AclOperation.DESCRIBE);
    } finally {
      await member.close();
    }
  });

  it('refuses a heartbeat naming a topic the member may not DESCRIBE (TOPIC_AUTHORIZATION_FAILED, KAFKA-18813) and leaves such topics out of its regex', async () => {
    const grant = (resourceType: number, resourceName: string, operation: number) =>
      expect(
        t.cluster.controller.security.createAcl({
          resourceType,
          resourceName,
          patternType: PatternType.LITERAL,
          principal: 'User:bob',
          host: '*',
          operation,
          permissionType: PermissionType.ALLOW,
        }),
      ).toBeNull();
    createTopic(t.cluster, 'hb-open', 2, 1);
    createTopic(t.cluster, 'hb-secret', 2, 1);
    grant(ResourceType.GROUP, 'team-hb', AclOperation.READ);
    grant(ResourceType.TOPIC, 'hb-open', AclOperation.DESCRIBE);
    const bob = await login('bob', 'bob-secret');
    await waitFor(
      async () => (await bob.call(FindCoordinator, 3, { ...createFindCoordinatorRequest(), key: 'team-hb' })).errorCode === ErrorCode.NONE,
      15_000,
      'the coordinator of team-hb',
    );
    const found = await bob.call(FindCoordinator, 3, { ...createFindCoordinatorRequest(), key: 'team-hb' });
    const coordinator = await openScram(`${found.host}:${found.port}`, 'bob', 'bob-secret');
    open.push(coordinator);
    const heartbeat = (extra: object) =>
      coordinator.call(ConsumerGroupHeartbeat, 1, {
        ...createConsumerGroupHeartbeatRequest(),
        groupId: 'team-hb',
        memberEpoch: 0,
        rebalanceTimeoutMs: 30_000,
        topicPartitions: [],
        ...extra,
      });
    // One topic bob may not describe among those it names: refused, with no message (Kafka sends none).
    const refused = await heartbeat({ memberId: 'bob-names', subscribedTopicNames: ['hb-open', 'hb-secret'] });
    expect(refused).toMatchObject({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null, memberEpoch: -1, assignment: null });
    const idOf = (name: string) => t.cluster.controller.topic(name)!.topicId;
    // A regex matching both: bob's member gets only the topic it may describe.
    const joined = await heartbeat({ memberId: 'bob-regex', subscribedTopicNames: null, subscribedTopicRegex: 'hb-.*' });
    expect(joined.errorCode).toBe(ErrorCode.NONE);
    expect(joined.assignment?.topicPartitions.map((tp) => [tp.topicId, [...tp.partitions].sort()])).toEqual([[idOf('hb-open'), [0, 1]]]);
    // The group never heard of the refused member; the regex member alone is in it.
    const adminCoordinator = await openScram(`${found.host}:${found.port}`, 'admin', 'admin-secret');
    open.push(adminCoordinator);
    const described = (await describeGroups(adminCoordinator, ['team-hb'])).groups[0]!;
    expect(described.members.map((m) => m.memberId)).toEqual(['bob-regex']);
    expect(described.members[0]!.assignment.topicPartitions.map((tp) => tp.topicName)).toEqual(['hb-open']);
    // DESCRIBE on the other topic: the next heartbeat's regex takes it too.
    grant(ResourceType.TOPIC, 'hb-secret', AclOperation.DESCRIBE);
    const next = await heartbeat({ memberId: 'bob-regex', memberEpoch: joined.memberEpoch, subscribedTopicNames: null, topicPartitions: null });
    expect(next.errorCode).toBe(ErrorCode.NONE);
    expect(next.memberEpoch).toBeGreaterThan(joined.memberEpoch);
    const target = (await describeGroups(adminCoordinator, ['team-hb'])).groups[0]!.members[0]!.targetAssignment.topicPartitions;
    expect(target.map((tp) => tp.topicName).sort()).toEqual(['hb-open', 'hb-secret']);
  });
});
