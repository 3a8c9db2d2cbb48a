// DescribeTopicPartitions (75, KIP-966): pages of topics and partitions with a cursor, errors and
// authorization as Kafka's DescribeTopicPartitionsRequestHandler answers them; on the wire with the
// generated codec and with @platformatic/kafka's own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection, describeTopicPartitionsV0 } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { isFailure } from '../../../electron/broker/cluster/controller';
import { silentLogger } from '../../../electron/broker/server/logger';
import { AclOperation, PatternType, PermissionType, ResourceType } from '../../../electron/kafka/protocol/acl-codes';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import {
  DescribeTopicPartitions,
  type DescribeTopicPartitionsRequest,
  type DescribeTopicPartitionsResponse,
} from '../../../electron/kafka/protocol/generated/index';
import { ZERO_UUID } from '../../../electron/kafka/protocol/uuid';
import { startSecuredCluster, type SecuredCluster } from '../security/helpers';
import { openScram, type WireClient } from '../security/wire-client';
import { RawClient } from './raw-client';

let cluster: EmbeddedCluster;
let dataDir: string;
let raw: RawClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kd-dtp-'));
  cluster = await EmbeddedCluster.start({ brokers: 2, basePort: 0, dataDir, logger: silentLogger, config: { 'max.request.partition.size.limit': '5' } });
  for (const [name, partitions] of [
    ['alpha', 3],
    ['beta', 4],
    ['gamma', 1],
  ] as const) {
    expect(isFailure(cluster.controller.createTopic({ name, partitions, replicationFactor: 2 }) as object)).toBe(false);
  }
  raw = await RawClient.open(cluster.bootstrapServers().split(',')[0]!);
}, 60_000);

afterAll(async () => {
  raw?.close();
  await cluster?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const describeTopics = (body: Partial<DescribeTopicPartitionsRequest>, client: { call: RawClient['call'] } = raw) =>
  client.call(DescribeTopicPartitions, 0, { topics: [], responsePartitionLimit: 2000, cursor: null, ...body });

const pages = (r: DescribeTopicPartitionsResponse) => r.topics.map((t) => `${t.name}:${t.partitions.map((p) => p.partitionIndex).join(',')}`);

describe('DescribeTopicPartitions', () => {
  it('pages through every topic in name order, at most min(limit, max.request.partition.size.limit) partitions a page', async () => {
    const seen: string[][] = [];
    let cursor: DescribeTopicPartitionsRequest['cursor'] = null;
    for (let i = 0; i < 10; i++) {
      const page = await describeTopics({ responsePartitionLimit: 2, cursor });
      seen.push(pages(page));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    // The offsets topic does not exist yet: alpha (3), beta (4), gamma (1), two partitions a page.
    expect(seen).toEqual([['alpha:0,1'], ['alpha:2', 'beta:0'], ['beta:1,2'], ['beta:3', 'gamma:0']]);
    // The broker's ceiling (5 here) wins over a larger limit; a limit below 1 is taken as 1.
    const capped = await describeTopics({ responsePartitionLimit: 100 });
    expect(pages(capped)).toEqual(['alpha:0,1,2', 'beta:0,1']);
    expect(capped.nextCursor).toEqual({ topicName: 'beta', partitionIndex: 2 });
    expect(pages(await describeTopics({ responsePartitionLimit: 0 }))).toEqual(['alpha:0']);
    // A page that ends exactly at a topic's end points the cursor at the next topic's first partition.
    const exact = await describeTopics({ responsePartitionLimit: 3 });
    expect(pages(exact)).toEqual(['alpha:0,1,2']);
    expect(exact.nextCursor).toEqual({ topicName: 'beta', partitionIndex: 0 });
  });

  it('describes partitions as the controller knows them: ids, replicas, ISR, leader epoch, empty ELR lists, authorized operations', async () => {
    const answer = await describeTopics({ topics: [{ name: 'gamma' }] });
    const gamma = cluster.controller.topic('gamma')!;
    expect(answer.topics).toEqual([
      {
        errorCode: ErrorCode.NONE,
        name: 'gamma',
        topicId: gamma.topicId,
        isInternal: false,
        topicAuthorizedOperations: expect.any(Number),
        partitions: [
          {
            errorCode: ErrorCode.NONE,
            partitionIndex: 0,
            leaderId: gamma.partitions[0]!.leader,
            leaderEpoch: gamma.partitions[0]!.leaderEpoch,
            replicaNodes: gamma.partitions[0]!.replicas,
            isrNodes: gamma.partitions[0]!.isr,
            eligibleLeaderReplicas: [],
            lastKnownElr: [],
            offlineReplicas: [],
          },
        ],
      },
    ]);
    // Without an authorizer every topic operation is allowed: READ (3) and DESCRIBE (8) among them.
    expect(answer.topics[0]!.topicAuthorizedOperations & (1 << AclOperation.READ)).not.toBe(0);
    expect(answer.topics[0]!.topicAuthorizedOperations & (1 << AclOperation.DESCRIBE)).not.toBe(0);
  });

  it('answers listed topics that are unknown or badly named with their own error, and refuses a bad cursor whole', async () => {
    const answer = await describeTopics({ topics: [{ name: 'zeta-missing' }, { name: 'beta' }, { name: 'bad/name' }], responsePartitionLimit: 2000 });
    expect(answer.topics.map((t) => [t.name, t.errorCode, t.partitions.length])).toEqual([
      ['bad/name', ErrorCode.INVALID_TOPIC_EXCEPTION, 0],
      ['beta', ErrorCode.NONE, 4],
      ['zeta-missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0],
    ]);
    expect(answer.topics[2]!.topicId).toBe(ZERO_UUID);
    // Topics before the cursor's are skipped; the cursor's partition is where its topic starts.
    const fromCursor = await describeTopics({ topics: [{ name: 'alpha' }, { name: 'beta' }], cursor: { topicName: 'beta', partitionIndex: 3 } });
    expect(pages(fromCursor)).toEqual(['beta:3']);
    expect(fromCursor.nextCursor).toBeNull();
    // A cursor topic not in the list, or a negative partition: INVALID_REQUEST on every topic asked for.
    const notListed = await describeTopics({ topics: [{ name: 'alpha' }, { name: 'gamma' }], cursor: { topicName: 'beta', partitionIndex: 0 } });
    expect(notListed.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['alpha', ErrorCode.INVALID_REQUEST],
      ['gamma', ErrorCode.INVALID_REQUEST],
    ]);
    const negative = await describeTopics({ topics: [{ name: 'alpha' }], cursor: { topicName: 'alpha', partitionIndex: -1 } });
    expect(negative.topics.map((t) => t.errorCode)).toEqual([ErrorCode.INVALID_REQUEST]);
  });

  it('reports a stopped broker as an offline replica, and no leader where it led alone', async () => {
    await cluster.stopBroker(1);
    try {
      const answer = await describeTopics({ topics: [{ name: 'beta' }] });
      for (const p of answer.topics[0]!.partitions) {
        expect(p.offlineReplicas).toEqual([1]);
        expect(p.leaderId).not.toBe(1);
      }
    } finally {
      await cluster.startBroker(1);
    }
  });

  it("is read by @platformatic/kafka's own DescribeTopicPartitions v0 codec", async () => {
    const [host, port] = cluster.bootstrapServers().split(',')[0]!.split(':');
    const connection = new Connection('dtp-test');
    try {
      await connection.connect(host!, Number(port));
      const answer = await describeTopicPartitionsV0.api.async(connection, [{ name: 'alpha' }], 2, undefined);
      expect(answer.topics.map((t) => t.name)).toEqual(['alpha']);
      expect(answer.topics[0]!.partitions.map((p: { partitionIndex: number }) => p.partitionIndex)).toEqual([0, 1]);
      expect(answer.nextCursor).toEqual({ topicName: 'alpha', partitionIndex: 2 });
    } finally {
      await connection.close();
    }
  });
});

describe('DescribeTopicPartitions on a secured cluster', () => {
  let t: SecuredCluster;
  const clients: WireClient[] = [];

  beforeAll(async () => {
    t = await startSecuredCluster({ protocol: 'SASL_PLAINTEXT', acl: true });
    for (const name of ['pub-a', 'pub-b', 'secret'])
      expect(isFailure(t.cluster.controller.createTopic({ name, partitions: 1, replicationFactor: 1 }) as object)).toBe(false);
    expect(
      t.cluster.controller.security.createAcl({
        resourceType: ResourceType.TOPIC,
        resourceName: 'pub-',
        patternType: PatternType.PREFIXED,
        principal: 'User:alice',
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

  it('lists only the topics the requester may DESCRIBE; a listed one it may not is refused without its id, after the others', async () => {
    const alice = await login('alice', 'alice-secret');
    expect(pages(await describeTopics({}, alice))).toEqual(['pub-a:0', 'pub-b:0']);
    const listed = await describeTopics({ topics: [{ name: 'secret' }, { name: 'pub-b' }, { name: 'no-such' }] }, alice);
    expect(listed.topics.map((x) => [x.name, x.errorCode, x.topicId === ZERO_UUID])).toEqual([
      ['pub-b', ErrorCode.NONE, false],
      ['no-such', ErrorCode.TOPIC_AUTHORIZATION_FAILED, true],
      ['secret', ErrorCode.TOPIC_AUTHORIZATION_FAILED, true],
    ]);
    // Her operations on pub-b: DESCRIBE only.
    expect(listed.topics[0]!.topicAuthorizedOperations).toBe(1 << AclOperation.DESCRIBE);
    const admin = await login('admin', 'admin-secret');
    expect(pages(await describeTopics({}, admin))).toEqual(['pub-a:0', 'pub-b:0', 'secret:0']);
  });
});
