/**
 * Share groups (KIP-932) over the wire with the generated codec: no client available here speaks
 * KIP-932 (@platformatic/kafka 2.12.1, kafkajs, librdkafka 2.0.2, kafka-python, sarama lack it), so
 * these tests send ShareGroupHeartbeat / ShareGroupDescribe as Kafka 4.1's share consumer does and
 * check what Kafka's GroupMetadataManager answers: the share.version gate, validation, member and group
 * epochs, the simple assignor sharing partitions, leaving, session timeouts (a hand-moved clock), the
 * type of a group id, ListGroups/DescribeGroups/DeleteGroups, GROUP configs, and a coordinator restart
 * replaying the group from `__consumer_offsets`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import {
  ApiVersions,
  ConsumerGroupHeartbeat,
  createConsumerGroupHeartbeatRequest,
  createDeleteGroupsRequest,
  createDescribeGroupsRequest,
  createFindCoordinatorRequest,
  createIncrementalAlterConfigsRequest,
  createListGroupsRequest,
  createShareGroupHeartbeatRequest,
  DeleteGroups,
  DescribeConfigs,
  DescribeGroups,
  FindCoordinator,
  IncrementalAlterConfigs,
  ListGroups,
  ShareGroupDescribe,
  ShareGroupHeartbeat,
  UpdateFeatures,
  type ShareGroupHeartbeatRequest,
  type ShareGroupHeartbeatResponse,
} from '../../../electron/kafka/protocol/generated/index';
import { RawClient } from '../handlers/raw-client';
import { createTopic, ManualClock, startGroupCluster, uniqueName, type GroupTestCluster } from './helpers';

const partitionsOf = (r: ShareGroupHeartbeatResponse): string | null =>
  r.assignment === null
    ? null
    : r.assignment.topicPartitions
        .flatMap((tp) => tp.partitions)
        .sort((a, b) => a - b)
        .join(',');

describe('share groups over the wire (KIP-932, Kafka 4.1)', () => {
  let t: GroupTestCluster;
  const clock = new ManualClock();
  let client: RawClient;

  const heartbeat = (body: Partial<ShareGroupHeartbeatRequest>) => client.call(ShareGroupHeartbeat, 1, { ...createShareGroupHeartbeatRequest(), ...body });
  const join = (groupId: string, memberId: string, topics: string[]) => heartbeat({ groupId, memberId, memberEpoch: 0, subscribedTopicNames: topics });
  const enableShareGroups = async (level: number) => {
    const r = await client.call(UpdateFeatures, 1, {
      timeoutMs: 30000,
      validateOnly: false,
      featureUpdates: [{ feature: 'share.version', maxVersionLevel: level, upgradeType: level === 0 ? 2 : 1, allowDowngrade: level === 0 }],
    });
    expect(r.errorCode).toBe(ErrorCode.NONE);
  };

  beforeAll(async () => {
    t = await startGroupCluster({ brokers: 1, groupClock: clock, config: { 'group.share.heartbeat.interval.ms': '2000' } });
    client = await RawClient.open(t.brokers()[0]!);
    const found = await client.call(FindCoordinator, 3, { ...createFindCoordinatorRequest(), key: 'warm-up' });
    expect(found.errorCode).toBe(ErrorCode.NONE);
  });

  afterAll(async () => {
    client?.close();
    await t?.close();
  });

  it('advertises ShareGroupHeartbeat and ShareGroupDescribe at v1 only, as 4.1, and answers UNSUPPORTED_VERSION while share.version is 0', async () => {
    const versions = await client.call(ApiVersions, 3, { clientSoftwareName: 'share-test', clientSoftwareVersion: '1' });
    const range = (key: number) => versions.apiKeys.find((a) => a.apiKey === key);
    expect(range(76)).toMatchObject({ minVersion: 1, maxVersion: 1 });
    expect(range(77)).toMatchObject({ minVersion: 1, maxVersion: 1 });
    expect(versions.finalizedFeatures.find((f) => f.name === 'share.version')?.maxVersionLevel ?? 0).toBe(0);
    const topic = uniqueName('share-off');
    createTopic(t.cluster, topic, 1, 1);
    const refused = await join('g-off', 'member-off-1', [topic]);
    expect(refused.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(refused.errorMessage).toMatch(/share\.version/);
    const described = await client.call(ShareGroupDescribe, 1, { groupIds: ['g-off'], includeAuthorizedOperations: false });
    expect(described.groups[0]!.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    await enableShareGroups(1);
  });

  it('refuses invalid heartbeats with Kafka 4.1 messages', async () => {
    expect(await join('', 'm', ['t'])).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: "GroupId can't be empty." });
    expect(await join('g-invalid', '', ['t'])).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: "MemberId can't be empty." });
    expect(await heartbeat({ groupId: 'g-invalid', memberId: 'm', memberEpoch: 0, subscribedTopicNames: null })).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'SubscribedTopicNames must be set in first request.',
    });
    expect(await heartbeat({ groupId: 'g-invalid', memberId: 'm', memberEpoch: -2 })).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'MemberEpoch is invalid.',
    });
    expect((await heartbeat({ groupId: 'g-invalid', memberId: 'm', memberEpoch: 3 })).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it('assigns every partition, shares them when members outnumber partitions, and moves epochs as members come and go', async () => {
    const topic = uniqueName('share-t');
    createTopic(t.cluster, topic, 3, 1);
    const group = uniqueName('share-g');
    const a = await join(group, 'member-a', [topic]);
    expect(a).toMatchObject({ errorCode: ErrorCode.NONE, memberId: 'member-a', memberEpoch: 1, heartbeatIntervalMs: 2000 });
    expect(partitionsOf(a)).toBe('0,1,2');

    const b = await join(group, 'member-b', [topic]);
    expect(b.memberEpoch).toBe(2);
    // a keeps its epoch until it heartbeats: then it gets epoch 2 and its share of the new assignment.
    const a2 = await heartbeat({ groupId: group, memberId: 'member-a', memberEpoch: 1 });
    expect(a2.memberEpoch).toBe(2);
    expect(`${partitionsOf(a2)} | ${partitionsOf(b)}`).toBe('0,2 | 1');

    // Four members on three partitions: every member gets one, so one partition is shared.
    const c = await join(group, 'member-c', [topic]);
    const d = await join(group, 'member-d', [topic]);
    expect(d.memberEpoch).toBe(4);
    const all: ShareGroupHeartbeatResponse[] = [];
    // One request at a time: the raw client matches answers to requests in order.
    for (const [m, epoch] of [
      ['member-a', 2],
      ['member-b', 2],
      ['member-c', c.memberEpoch],
    ] as const)
      all.push(await heartbeat({ groupId: group, memberId: m, memberEpoch: epoch }));
    // An answer carries the assignment only when it changed: a gave up 2; b and c keep 1 and 2.
    expect([...all.map(partitionsOf), partitionsOf(d)]).toEqual(['0', null, null, '0']);
    expect(all.map((r) => r.memberEpoch)).toEqual([4, 4, 4]);

    // An epoch from the future is fenced; an unknown member is UNKNOWN_MEMBER_ID.
    expect((await heartbeat({ groupId: group, memberId: 'member-a', memberEpoch: 9 })).errorCode).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
    expect((await heartbeat({ groupId: group, memberId: 'nobody', memberEpoch: 4 })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);

    const described = await client.call(ShareGroupDescribe, 1, { groupIds: [group, 'no-such-share-group'], includeAuthorizedOperations: true });
    const g = described.groups[0]!;
    expect(g).toMatchObject({ errorCode: ErrorCode.NONE, groupState: 'Stable', groupEpoch: 4, assignmentEpoch: 4, assignorName: 'simple' });
    expect(
      g.members.map((m) => [m.memberId, m.memberEpoch, m.assignment.topicPartitions.map((tp) => `${tp.topicName}:${tp.partitions.join(',')}`).join()]),
    ).toEqual([
      ['member-a', 4, `${topic}:0`],
      ['member-b', 4, `${topic}:1`],
      ['member-c', 4, `${topic}:2`],
      ['member-d', 4, `${topic}:0`],
    ]);
    expect(g.authorizedOperations).not.toBe(-2147483648);
    expect(described.groups[1]).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group no-such-share-group not found.' });

    // Leaving (epoch -1) bumps the group epoch; a member whose session ends is fenced the same way.
    const left = await heartbeat({ groupId: group, memberId: 'member-d', memberEpoch: -1 });
    expect(left).toMatchObject({ errorCode: ErrorCode.NONE, memberEpoch: -1 });
    clock.advance(30_000);
    for (const m of ['member-a', 'member-b']) expect((await heartbeat({ groupId: group, memberId: m, memberEpoch: 4 })).errorCode).toBe(ErrorCode.NONE);
    clock.advance(20_000); // member-c's 45 s session has ended; a and b heartbeated 20 s ago.
    const after = await client.call(ShareGroupDescribe, 1, { groupIds: [group], includeAuthorizedOperations: false });
    expect(after.groups[0]!.members.map((m) => m.memberId)).toEqual(['member-a', 'member-b']);
    expect(after.groups[0]!.groupEpoch).toBe(6);
  });

  it('keeps one type per group id, lists share groups as type share, and deletes only an empty one', async () => {
    const topic = uniqueName('share-types');
    createTopic(t.cluster, topic, 1, 1);
    const group = uniqueName('share-typed');
    expect((await join(group, 'member-1', [topic])).errorCode).toBe(ErrorCode.NONE);
    const consumer = await client.call(ConsumerGroupHeartbeat, 1, {
      ...createConsumerGroupHeartbeatRequest(),
      groupId: group,
      memberId: 'consumer-1',
      memberEpoch: 0,
      rebalanceTimeoutMs: 30000,
      subscribedTopicNames: [topic],
      topicPartitions: [],
    });
    expect(consumer).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${group} is not a consumer group.` });

    const listed = await client.call(ListGroups, 5, { ...createListGroupsRequest(), typesFilter: ['share'] });
    expect(listed.groups.find((g) => g.groupId === group)).toMatchObject({ groupType: 'share', protocolType: 'share', groupState: 'Stable' });
    const classic = await client.call(ListGroups, 5, { ...createListGroupsRequest(), typesFilter: ['classic'] });
    expect(classic.groups.some((g) => g.groupId === group)).toBe(false);
    const dg = await client.call(DescribeGroups, 6, { ...createDescribeGroupsRequest(), groups: [group] });
    expect(dg.groups[0]).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, groupState: 'Dead' });

    expect((await client.call(DeleteGroups, 2, { ...createDeleteGroupsRequest(), groupsNames: [group] })).results[0]!.errorCode).toBe(
      ErrorCode.NON_EMPTY_GROUP,
    );
    expect((await heartbeat({ groupId: group, memberId: 'member-1', memberEpoch: -1 })).errorCode).toBe(ErrorCode.NONE);
    expect((await client.call(DeleteGroups, 2, { ...createDeleteGroupsRequest(), groupsNames: [group] })).results[0]!.errorCode).toBe(ErrorCode.NONE);
    const gone = await client.call(ShareGroupDescribe, 1, { groupIds: [group], includeAuthorizedOperations: false });
    expect(gone.groups[0]!.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it('takes share.session.timeout.ms and share.heartbeat.interval.ms from GROUP configs (type 32)', async () => {
    const group = uniqueName('share-configured');
    const alter = await client.call(IncrementalAlterConfigs, 1, {
      ...createIncrementalAlterConfigsRequest(),
      resources: [
        {
          resourceType: 32,
          resourceName: group,
          configs: [
            { name: 'share.heartbeat.interval.ms', configOperation: 0, value: '3000' },
            { name: 'share.session.timeout.ms', configOperation: 0, value: '10000' },
          ],
        },
      ],
    });
    expect(alter.responses[0]!.errorCode).toBe(ErrorCode.NONE);
    const bad = await client.call(IncrementalAlterConfigs, 1, {
      ...createIncrementalAlterConfigsRequest(),
      resources: [{ resourceType: 32, resourceName: group, configs: [{ name: 'share.auto.offset.reset', configOperation: 0, value: 'sometimes' }] }],
    });
    expect(bad.responses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG });
    const described = await client.call(DescribeConfigs, 4, {
      resources: [{ resourceType: 32, resourceName: group, configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    const configs = Object.fromEntries(described.results[0]!.configs.map((c) => [c.name, [c.value, c.configSource]]));
    expect(configs['share.heartbeat.interval.ms']).toEqual(['3000', 8]);
    expect(configs['share.auto.offset.reset']).toEqual(['latest', 5]);

    const topic = uniqueName('share-cfg-t');
    createTopic(t.cluster, topic, 1, 1);
    const joined = await join(group, 'member-x', [topic]);
    expect(joined.heartbeatIntervalMs).toBe(3000);
    clock.advance(10_001);
    expect((await heartbeat({ groupId: group, memberId: 'member-x', memberEpoch: joined.memberEpoch })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('replays a share group from __consumer_offsets after a restart', async () => {
    const topic = uniqueName('share-restart');
    createTopic(t.cluster, topic, 2, 1);
    const group = uniqueName('share-kept');
    const a = await join(group, 'member-r1', [topic]);
    const b = await join(group, 'member-r2', [topic]);
    await heartbeat({ groupId: group, memberId: 'member-r1', memberEpoch: a.memberEpoch });
    client.close();
    await t.restart();
    client = await RawClient.open(t.brokers()[0]!);
    let described = await client.call(ShareGroupDescribe, 1, { groupIds: [group], includeAuthorizedOperations: false });
    for (let i = 0; i < 50 && described.groups[0]!.errorCode !== ErrorCode.NONE; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      described = await client.call(ShareGroupDescribe, 1, { groupIds: [group], includeAuthorizedOperations: false });
    }
    const g = described.groups[0]!;
    expect(g).toMatchObject({ errorCode: ErrorCode.NONE, groupEpoch: b.memberEpoch, assignmentEpoch: b.memberEpoch });
    expect(g.members.map((m) => `${m.memberId}@${m.memberEpoch}:${m.assignment.topicPartitions.flatMap((tp) => tp.partitions).join(',')}`)).toEqual([
      'member-r1@2:0',
      'member-r2@2:1',
    ]);
    // The member carries on with its epoch after the restart.
    expect((await heartbeat({ groupId: group, memberId: 'member-r2', memberEpoch: b.memberEpoch })).errorCode).toBe(ErrorCode.NONE);
  });
});
