/**
 * ConsumerGroupDescribe (API 69, KIP-848) over the wire: the per-group errors Kafka answers (an unknown
 * group, a classic group, an empty id, a broker that is not the coordinator, no DESCRIBE on the group)
 * and ApiVersions listing it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import {
  ApiVersions,
  ConsumerGroupDescribe,
  createApiVersionsRequest,
  createFindCoordinatorRequest,
  createOffsetCommitRequest,
  FindCoordinator,
  OffsetCommit,
  SaslAuthenticate,
  SaslHandshake,
} from '../../../electron/kafka/protocol/generated/index';
import { AclOperation, PatternType, PermissionType, ResourceType } from '../../../electron/kafka/protocol/acl-codes';
import { RawClient } from '../handlers/raw-client';
import { startSecuredCluster, type SecuredCluster } from '../security/helpers';
import { ScramClient, WireClient } from '../security/wire-client';
import { waitFor } from '../../support/wait';
import { coordinatorOf, createTopic, startGroupCluster, uniqueName, type GroupTestCluster } from './helpers';

const describeGroups = (client: { call: RawClient['call'] }, groupIds: string[], includeAuthorizedOperations = false) =>
  client.call(ConsumerGroupDescribe, 0, { groupIds, includeAuthorizedOperations });

describe('ConsumerGroupDescribe over the wire', () => {
  let t: GroupTestCluster;
  let topic: string;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    t = await startGroupCluster();
    topic = uniqueName('cgd');
    createTopic(t.cluster, topic, 2);
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

  async function coordinator(groupId: string): Promise<RawClient> {
    const any = await open(t.brokers()[0]!);
    const found = await any.call(FindCoordinator, 3, { ...createFindCoordinatorRequest(), key: groupId });
    expect(found.errorCode).toBe(ErrorCode.NONE);
    return open(`${found.host}:${found.port}`);
  }

  it('is listed by ApiVersions at v0', async () => {
    const client = await open(t.brokers()[0]!);
    const versions = await client.call(ApiVersions, 3, { ...createApiVersionsRequest(), clientSoftwareName: 'test', clientSoftwareVersion: '1' });
    expect(versions.apiKeys.find((k) => k.apiKey === 69)).toEqual({ apiKey: 69, minVersion: 0, maxVersion: 0 });
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

    const other = t.brokers().findIndex((_, id) => id !== coordinatorOf(t.cluster, classic));
    const elsewhere = await describeGroups(await open(t.brokers()[other]!), [classic]);
    expect(elsewhere.groups[0]).toMatchObject({ errorCode: ErrorCode.NOT_COORDINATOR, groupId: classic });
  });
});

describe('ConsumerGroupDescribe with the authorizer on', () => {
  let t: SecuredCluster;
  const open: WireClient[] = [];

  beforeAll(async () => {
    t = await startSecuredCluster({ protocol: 'SASL_PLAINTEXT', acl: true });
  }, 60_000);

  afterAll(async () => {
    for (const client of open) client.close();
    await t?.close();
  });

  async function login(user: string, password: string): Promise<WireClient> {
    const client = await WireClient.open(t.bootstrap);
    open.push(client);
    expect((await client.call(SaslHandshake, 1, { mechanism: 'SCRAM-SHA-256' })).errorCode).toBe(ErrorCode.NONE);
    const scram = new ScramClient('sha256', user, password);
    const first = await client.call(SaslAuthenticate, 2, { authBytes: scram.first() });
    const final = await client.call(SaslAuthenticate, 2, { authBytes: scram.final(first.authBytes) });
    expect(final.errorCode).toBe(ErrorCode.NONE);
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
});
