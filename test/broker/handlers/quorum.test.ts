// The KRaft quorum APIs a broker forwards to its controller: DescribeQuorum (55), UnregisterBroker (64),
// AddRaftVoter (80), RemoveRaftVoter (81), answered as a KRaft cluster with one controller; on the wire
// with the generated codec and with @platformatic/kafka's own (DescribeQuorum v2, UnregisterBroker v0).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection, describeQuorumV2, unregisterBrokerV0 } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { isFailure } from '../../../electron/broker/cluster/controller';
import { silentLogger } from '../../../electron/broker/server/logger';
import { AclOperation, PatternType, PermissionType, ResourceType } from '../../../electron/kafka/protocol/acl-codes';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import { AddRaftVoter, DescribeQuorum, RemoveRaftVoter, UnregisterBroker, UpdateFeatures } from '../../../electron/kafka/protocol/generated/index';
import { ZERO_UUID } from '../../../electron/kafka/protocol/uuid';
import { startSecuredCluster, type SecuredCluster } from '../security/helpers';
import { openScram, type WireClient } from '../security/wire-client';
import { RawClient } from './raw-client';

let cluster: EmbeddedCluster;
let dataDir: string;
let raw: RawClient;
const METADATA = [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }];
const SOME_DIRECTORY = '7d2c5a7e-3f0b-4c39-9a57-0f3e1e9c2b11';

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kd-quorum-'));
  cluster = await EmbeddedCluster.start({ brokers: 3, basePort: 0, dataDir, logger: silentLogger });
  raw = await RawClient.open(cluster.bootstrapServers().split(',')[0]!);
}, 60_000);

afterAll(async () => {
  raw?.close();
  await cluster?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('DescribeQuorum', () => {
  it('describes one voter, the controller, leading; the other brokers observe, caught up', async () => {
    const before = await raw.call(DescribeQuorum, 2, { topics: METADATA });
    expect(before.errorCode).toBe(ErrorCode.NONE);
    const partition = before.topics[0]!.partitions[0]!;
    expect(partition).toMatchObject({ partitionIndex: 0, errorCode: ErrorCode.NONE, leaderId: cluster.controller.controllerId, leaderEpoch: 1 });
    expect(partition.currentVoters.map((v) => v.replicaId)).toEqual([0]);
    expect(partition.observers.map((v) => v.replicaId)).toEqual([1, 2]);
    for (const replica of [...partition.currentVoters, ...partition.observers]) {
      expect(replica.logEndOffset).toBe(partition.highWatermark);
      expect(replica.replicaDirectoryId).toBe(ZERO_UUID);
      expect(Number(replica.lastCaughtUpTimestamp)).toBeGreaterThan(Date.now() - 60_000);
    }
    expect(before.nodes).toEqual([{ nodeId: 0, listeners: [] }]);
    // Metadata written moves the high watermark.
    expect(isFailure(cluster.controller.createTopic({ name: 'quorum-hw', partitions: 1, replicationFactor: 1 }) as object)).toBe(false);
    const after = await raw.call(DescribeQuorum, 0, { topics: METADATA });
    expect(after.topics[0]!.partitions[0]!.highWatermark).toBeGreaterThan(partition.highWatermark);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for anything but __cluster_metadata-0', async () => {
    const answer = await raw.call(DescribeQuorum, 1, { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 1 }] }] });
    expect(answer.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('elects a new leader with a new epoch when the controller stops', async () => {
    const client = await RawClient.open(cluster.bootstrapServers().split(',')[1]!);
    try {
      await cluster.stopBroker(0);
      const answer = await client.call(DescribeQuorum, 2, { topics: METADATA });
      const partition = answer.topics[0]!.partitions[0]!;
      expect(partition.leaderId).toBe(1);
      expect(partition.leaderEpoch).toBe(2);
      expect(partition.observers.map((v) => v.replicaId)).toEqual([2]);
    } finally {
      client.close();
      await cluster.startBroker(0);
      raw.close();
      raw = await RawClient.open(cluster.bootstrapServers().split(',')[0]!);
    }
  });

  it("is read by @platformatic/kafka's own DescribeQuorum v2 codec", async () => {
    const [host, port] = cluster.bootstrapServers().split(',')[0]!.split(':');
    const connection = new Connection('quorum-test');
    try {
      await connection.connect(host!, Number(port));
      const answer = await describeQuorumV2.api.async(connection, METADATA);
      expect(answer.topics[0]!.partitions[0]!.leaderId).toBe(0);
      expect(answer.topics[0]!.partitions[0]!.currentVoters.map((v) => v.replicaId)).toEqual([0]);
    } finally {
      await connection.close();
    }
  });
});

describe('AddRaftVoter and RemoveRaftVoter', () => {
  it('refuse under a static quorum (kraft.version 0), then, at kraft.version 1, a duplicate, a controller that cannot exist, the last voter', async () => {
    const add = (body: Partial<{ clusterId: string | null; voterId: number; voterDirectoryId: string }>) =>
      raw.call(AddRaftVoter, 0, { clusterId: null, timeoutMs: 30000, voterId: 3000, voterDirectoryId: SOME_DIRECTORY, listeners: [], ...body });
    const remove = (body: Partial<{ clusterId: string | null; voterId: number; voterDirectoryId: string }>) =>
      raw.call(RemoveRaftVoter, 0, { clusterId: null, voterId: 0, voterDirectoryId: SOME_DIRECTORY, ...body });
    expect(await add({ clusterId: 'another-cluster' })).toMatchObject({ errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID });
    expect(await add({ voterDirectoryId: ZERO_UUID })).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST });
    expect(await add({})).toEqual({
      throttleTimeMs: 0,
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      errorMessage: "Cluster doesn't support adding voter because the kraft.version feature is 0",
    });
    expect(await remove({ clusterId: cluster.controller.clusterId })).toMatchObject({ errorCode: ErrorCode.UNSUPPORTED_VERSION });

    const upgraded = await raw.call(UpdateFeatures, 1, {
      timeoutMs: 30000,
      validateOnly: false,
      featureUpdates: [{ feature: 'kraft.version', maxVersionLevel: 1, upgradeType: 1, allowDowngrade: false }],
    });
    expect(upgraded.errorCode).toBe(ErrorCode.NONE);
    // With kraft.version 1 the voter has a directory id, stable for the cluster.
    const voter = (await raw.call(DescribeQuorum, 2, { topics: METADATA })).topics[0]!.partitions[0]!.currentVoters[0]!;
    expect(voter.replicaDirectoryId).not.toBe(ZERO_UUID);
    expect(await add({ voterId: 0 })).toMatchObject({ errorCode: ErrorCode.DUPLICATE_VOTER });
    const other = await add({ voterId: 3000 });
    expect(other.errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
    expect(other.errorMessage).toMatch(/not ready to receive requests: the embedded cluster runs a single controller/);
    const last = await remove({ voterId: 0, voterDirectoryId: voter.replicaDirectoryId });
    expect(last.errorCode).toBe(ErrorCode.VOTER_NOT_FOUND);
    expect(last.errorMessage).toMatch(/it is the only voter/);
    expect(await remove({ voterId: 7 })).toMatchObject({ errorCode: ErrorCode.VOTER_NOT_FOUND });
  });
});

describe('UnregisterBroker', () => {
  it('refuses an unknown id, a running broker and one holding replicas; unregisters a stopped, drained one', async () => {
    expect(await raw.call(UnregisterBroker, 0, { brokerId: 42 })).toEqual({
      throttleTimeMs: 0,
      errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED,
      errorMessage: 'Broker ID 42 is not currently registered',
    });
    const added = await cluster.addBroker();
    const running = await raw.call(UnregisterBroker, 0, { brokerId: added.id });
    expect(running).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: expect.stringMatching(/is running: stop it first/) });
    expect(isFailure(cluster.controller.createTopic({ name: 'on-new-broker', assignment: [[added.id]] }) as object)).toBe(false);
    await cluster.stopBroker(added.id);
    const holding = await raw.call(UnregisterBroker, 0, { brokerId: added.id });
    expect(holding).toMatchObject({ errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: expect.stringMatching(/on-new-broker-0/) });
    expect(isFailure(cluster.controller.deleteTopic('on-new-broker') as object)).toBe(false);
    const [host, port] = cluster.bootstrapServers().split(',')[0]!.split(':');
    const connection = new Connection('quorum-test');
    try {
      await connection.connect(host!, Number(port));
      await unregisterBrokerV0.api.async(connection, added.id);
    } finally {
      await connection.close();
    }
    expect(cluster.controller.brokerIds).not.toContain(added.id);
    expect(cluster.brokers().map((b) => b.id)).not.toContain(added.id);
  });
});

describe('quorum APIs on a secured cluster', () => {
  let t: SecuredCluster;
  const clients: WireClient[] = [];

  beforeAll(async () => {
    t = await startSecuredCluster({ protocol: 'SASL_PLAINTEXT', acl: true });
    expect(
      t.cluster.controller.security.createAcl({
        resourceType: ResourceType.CLUSTER,
        resourceName: 'kafka-cluster',
        patternType: PatternType.LITERAL,
        principal: 'User:bob',
        host: '*',
        operation: AclOperation.DESCRIBE,
        permissionType: PermissionType.ALLOW,
      }),
    ).toBeNull();
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await t?.close();
  });

  async function login(user: string, password: string): Promise<WireClient> {
    const client = await openScram(t.bootstrap, user, password);
    clients.push(client);
    return client;
  }

  it('DescribeQuorum needs DESCRIBE on the cluster; UnregisterBroker and the voter APIs need ALTER', async () => {
    const alice = await login('alice', 'alice-secret');
    expect((await alice.call(DescribeQuorum, 2, { topics: METADATA })).errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    const bob = await login('bob', 'bob-secret');
    expect((await bob.call(DescribeQuorum, 2, { topics: METADATA })).errorCode).toBe(ErrorCode.NONE);
    expect((await bob.call(UnregisterBroker, 0, { brokerId: 0 })).errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    const addAnswer = await bob.call(AddRaftVoter, 0, { clusterId: null, timeoutMs: 1000, voterId: 5, voterDirectoryId: SOME_DIRECTORY, listeners: [] });
    expect(addAnswer.errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    expect((await bob.call(RemoveRaftVoter, 0, { clusterId: null, voterId: 0, voterDirectoryId: SOME_DIRECTORY })).errorCode).toBe(
      ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
    );
    const admin = await login('admin', 'admin-secret');
    expect((await admin.call(UnregisterBroker, 0, { brokerId: 0 })).errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });
});
