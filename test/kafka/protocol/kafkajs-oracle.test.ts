/**
 * Cross-check of the classic (non-flexible) versions kafkajs speaks, against kafkajs's own request
 * encoders and response decoders: its requests decode with our codecs (and re-encode to the same bytes),
 * and the responses we encode decode with its decoders.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as g from '../../../electron/kafka/protocol/generated/index';
import { Reader } from '../../../electron/kafka/protocol/reader';
import { Writer } from '../../../electron/kafka/protocol/writer';
import { decodeRecordBatch, encodeRecordBatch } from '../../../electron/kafka/records/record-batch';
import { ZERO_UUID } from '../../../electron/kafka/protocol/uuid';

const require = createRequire(import.meta.url);

type KjsRequest = { apiKey: number; apiVersion: number; encode(): Promise<{ buffer: Buffer }> };

async function kafkajsRequest(api: string, version: number, args: Record<string, unknown>): Promise<{ apiKey: number; bytes: Buffer }> {
  const build = require(`kafkajs/src/protocol/requests/${api}/v${version}/request`) as (a: Record<string, unknown>) => KjsRequest;
  const request = build(args);
  expect(request.apiVersion).toBe(version);
  return { apiKey: request.apiKey, bytes: (await request.encode()).buffer };
}

async function kafkajsDecodeResponse(api: string, version: number, bytes: Buffer): Promise<Record<string, unknown>> {
  const response = require(`kafkajs/src/protocol/requests/${api}/v${version}/response`) as { decode(b: Buffer): Promise<Record<string, unknown>> };
  return response.decode(bytes);
}

/** Decodes kafkajs's request bytes with the descriptor for its API key, checks re-encoding, returns the value. */
async function decodeKafkajs(api: string, version: number, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { apiKey, bytes } = await kafkajsRequest(api, version, args);
  const descriptor = g.apiDescriptors.get(apiKey)!;
  const r = new Reader(bytes);
  const value = descriptor.decodeRequest(r, version) as Record<string, unknown>;
  expect(r.remaining, `${api} v${version}: trailing bytes`).toBe(0);
  const w = new Writer();
  descriptor.encodeRequest(w, version, value);
  expect(w.toBuffer().toString('hex'), `${api} v${version}: re-encoded bytes`).toBe(bytes.toString('hex'));
  return value;
}

function encodeOurs<T>(encode: (w: Writer, v: number, value: T) => void, version: number, value: T): Buffer {
  const w = new Writer();
  encode(w, version, value);
  return w.toBuffer();
}

describe('kafkajs requests decode with our codecs', () => {
  it('Metadata v0-v6', async () => {
    for (let version = 0; version <= 6; version++) {
      const value = await decodeKafkajs('metadata', version, { topics: ['a', 'b'], allowAutoTopicCreation: true });
      expect((value.topics as { name: string }[]).map((t) => t.name)).toEqual(['a', 'b']);
      expect(value.allowAutoTopicCreation).toBe(true);
    }
  });

  it('Produce v3 and v7 with record batches', async () => {
    for (const version of [3, 7]) {
      const value = (await decodeKafkajs('produce', version, {
        acks: -1,
        timeout: 1000,
        topicData: [{ topic: 't', partitions: [{ partition: 1, messages: [{ key: 'k', value: 'v1' }, { value: 'v2' }] }] }],
      })) as unknown as g.ProduceRequest;
      expect(value).toMatchObject({ transactionalId: null, acks: -1, timeoutMs: 1000 });
      const partition = value.topicData[0]!.partitionData[0]!;
      expect(partition.index).toBe(1);
      expect(decodeRecordBatch(partition.records!, 0).records.map((r) => r.value!.toString())).toEqual(['v1', 'v2']);
    }
  });

  it('Fetch v4 and v11', async () => {
    for (const version of [4, 11]) {
      const value = await decodeKafkajs('fetch', version, {
        replicaId: -1,
        maxWaitTime: 500,
        minBytes: 1,
        maxBytes: 1000,
        topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: '12', maxBytes: 500 }] }],
      });
      expect(value).toMatchObject({
        replicaId: -1,
        maxWaitMs: 500,
        minBytes: 1,
        maxBytes: 1000,
        isolationLevel: 1,
        topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: 12n, partitionMaxBytes: 500 }] }],
      });
    }
  });

  it('group, offset and admin requests', async () => {
    expect(
      await decodeKafkajs('listOffsets', 3, { replicaId: -1, isolationLevel: 1, topics: [{ topic: 't', partitions: [{ partition: 0, timestamp: -1 }] }] }),
    ).toMatchObject({
      replicaId: -1,
      isolationLevel: 1,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
    });
    const protocols = [{ name: 'RoundRobinAssigner', metadata: Buffer.from('0001', 'hex') }];
    expect(
      await decodeKafkajs('joinGroup', 0, { groupId: 'g', sessionTimeout: 30000, memberId: '', protocolType: 'consumer', groupProtocols: protocols }),
    ).toMatchObject({
      groupId: 'g',
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: -1,
      protocolType: 'consumer',
    });
    expect(
      await decodeKafkajs('joinGroup', 5, {
        groupId: 'g',
        sessionTimeout: 30000,
        rebalanceTimeout: 60000,
        memberId: 'm',
        protocolType: 'consumer',
        groupProtocols: protocols,
      }),
    ).toMatchObject({ groupId: 'g', sessionTimeoutMs: 30000, rebalanceTimeoutMs: 60000, memberId: 'm', groupInstanceId: null });
    expect(
      await decodeKafkajs('syncGroup', 3, {
        groupId: 'g',
        generationId: 2,
        memberId: 'm',
        groupAssignment: [{ memberId: 'm', memberAssignment: Buffer.from('ff', 'hex') }],
      }),
    ).toMatchObject({ groupId: 'g', generationId: 2, memberId: 'm', groupInstanceId: null });
    expect(await decodeKafkajs('heartbeat', 3, { groupId: 'g', groupGenerationId: 2, memberId: 'm', groupInstanceId: null })).toMatchObject({
      groupId: 'g',
      generationId: 2,
      memberId: 'm',
    });
    expect(await decodeKafkajs('leaveGroup', 3, { groupId: 'g', members: [{ memberId: 'm', groupInstanceId: null }] })).toMatchObject({
      groupId: 'g',
      members: [{ memberId: 'm', groupInstanceId: null }],
    });
    expect(
      await decodeKafkajs('offsetCommit', 2, {
        groupId: 'g',
        groupGenerationId: 1,
        memberId: 'm',
        retentionTime: -1,
        topics: [{ topic: 't', partitions: [{ partition: 0, offset: '5' }] }],
      }),
    ).toMatchObject({
      groupId: 'g',
      generationIdOrMemberEpoch: 1,
      retentionTimeMs: -1n,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5n, committedMetadata: null }] }],
    });
    expect(
      await decodeKafkajs('offsetCommit', 5, {
        groupId: 'g',
        groupGenerationId: 1,
        memberId: 'm',
        topics: [{ topic: 't', partitions: [{ partition: 0, offset: '5' }] }],
      }),
    ).toMatchObject({ groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5n }] }] });
    for (const version of [1, 4]) {
      expect(await decodeKafkajs('offsetFetch', version, { groupId: 'g', topics: [{ topic: 't', partitions: [{ partition: 3 }] }] })).toMatchObject({
        groupId: 'g',
        topics: [{ name: 't', partitionIndexes: [3] }],
      });
    }
    expect(await decodeKafkajs('findCoordinator', 2, { coordinatorKey: 'g', coordinatorType: 0 })).toMatchObject({ key: 'g', keyType: 0 });
    expect(
      await decodeKafkajs('createTopics', 3, {
        topics: [{ topic: 't', numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
        validateOnly: false,
        timeout: 5000,
      }),
    ).toMatchObject({
      topics: [{ name: 't', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [{ name: 'cleanup.policy', value: 'compact' }] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    expect(await decodeKafkajs('initProducerId', 1, { transactionalId: null, transactionTimeout: 30000 })).toMatchObject({
      transactionalId: null,
      transactionTimeoutMs: 30000,
    });
    expect(await decodeKafkajs('saslHandshake', 1, { mechanism: 'PLAIN' })).toMatchObject({ mechanism: 'PLAIN' });
    // kafkajs's SASL mechanisms hand the request an already length-prefixed token.
    const token = Buffer.from('\0user\0pass');
    const prefixed = Buffer.concat([Buffer.from([0, 0, 0, token.length]), token]);
    const auth = await decodeKafkajs('saslAuthenticate', 1, { authBytes: prefixed });
    expect((auth.authBytes as Buffer).toString()).toBe('\0user\0pass');
    expect(await decodeKafkajs('describeGroups', 2, { groupIds: ['g1', 'g2'] })).toMatchObject({ groups: ['g1', 'g2'] });
  });
});

describe('responses we encode decode with kafkajs', () => {
  it('ApiVersions v0-v2', async () => {
    for (let version = 0; version <= 2; version++) {
      const bytes = encodeOurs(g.encodeApiVersionsResponse, version, {
        ...g.createApiVersionsResponse(),
        apiKeys: [{ apiKey: 3, minVersion: 0, maxVersion: 12 }],
        throttleTimeMs: version > 0 ? 7 : 0,
      });
      const decoded = await kafkajsDecodeResponse('apiVersions', version, bytes);
      expect(decoded).toMatchObject({ errorCode: 0, apiVersions: [{ apiKey: 3, minVersion: 0, maxVersion: 12 }] });
    }
  });

  it('Metadata v6', async () => {
    const bytes = encodeOurs(g.encodeMetadataResponse, 6, {
      ...g.createMetadataResponse(),
      brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: 'r1' }],
      clusterId: 'c',
      controllerId: 1,
      topics: [
        {
          ...g.createMetadataResponseTopic(),
          name: 't',
          partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: -1, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }],
        },
      ],
    });
    expect(await kafkajsDecodeResponse('metadata', 6, bytes)).toMatchObject({
      brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: 'r1' }],
      clusterId: 'c',
      controllerId: 1,
      topicMetadata: [
        {
          topicErrorCode: 0,
          topic: 't',
          isInternal: false,
          partitionMetadata: [{ partitionErrorCode: 0, partitionId: 0, leader: 1, replicas: [1], isr: [1], offlineReplicas: [] }],
        },
      ],
    });
  });

  it('Produce v7 and Fetch v11', async () => {
    const produce = encodeOurs(g.encodeProduceResponse, 7, {
      ...g.createProduceResponse(),
      responses: [
        {
          topicId: ZERO_UUID,
          name: 't',
          partitionResponses: [{ ...g.createProduceResponsePartitionProduceResponse(), index: 0, baseOffset: 41n, logStartOffset: 0n }],
        },
      ],
    });
    const produced = await kafkajsDecodeResponse('produce', 7, produce);
    expect(produced).toMatchObject({
      topics: [{ topicName: 't', partitions: [{ partition: 0, errorCode: 0, baseOffset: '41', logAppendTime: '-1', logStartOffset: '0' }] }],
    });

    const records = encodeRecordBatch({ baseOffset: 3, records: [{ value: Buffer.from('x') }], timestamp: 1000 });
    const fetch = encodeOurs(g.encodeFetchResponse, 11, {
      ...g.createFetchResponse(),
      responses: [
        {
          topic: 't',
          topicId: '00000000-0000-0000-0000-000000000000',
          partitions: [
            {
              ...g.createFetchResponsePartitionData(),
              partitionIndex: 0,
              highWatermark: 4n,
              lastStableOffset: 4n,
              logStartOffset: 0n,
              abortedTransactions: null,
              records,
            },
          ],
        },
      ],
    });
    const fetched = await kafkajsDecodeResponse('fetch', 11, fetch);
    expect(fetched).toMatchObject({
      errorCode: 0,
      sessionId: 0,
      responses: [{ topicName: 't', partitions: [{ partition: 0, errorCode: 0, highWatermark: '4', lastStableOffset: '4', preferredReadReplica: -1 }] }],
    });
    const messages = (fetched.responses as { partitions: { messages: { value: Buffer; offset: string }[] }[] }[])[0]!.partitions[0]!.messages;
    expect(messages.map((m) => [m.offset, m.value.toString()])).toEqual([['3', 'x']]);
  });

  it('JoinGroup v5, SyncGroup v3, OffsetFetch v4, FindCoordinator v2, DescribeGroups v2', async () => {
    expect(
      await kafkajsDecodeResponse(
        'joinGroup',
        5,
        encodeOurs(g.encodeJoinGroupResponse, 5, {
          ...g.createJoinGroupResponse(),
          generationId: 3,
          protocolName: 'RoundRobinAssigner',
          leader: 'm',
          memberId: 'm',
          members: [{ memberId: 'm', groupInstanceId: null, metadata: Buffer.from('01', 'hex') }],
        }),
      ),
    ).toMatchObject({
      errorCode: 0,
      generationId: 3,
      groupProtocol: 'RoundRobinAssigner',
      leaderId: 'm',
      memberId: 'm',
      members: [{ memberId: 'm', groupInstanceId: null }],
    });
    const sync = await kafkajsDecodeResponse(
      'syncGroup',
      3,
      encodeOurs(g.encodeSyncGroupResponse, 3, { ...g.createSyncGroupResponse(), assignment: Buffer.from('beef', 'hex') }),
    );
    expect((sync.memberAssignment as Buffer).toString('hex')).toBe('beef');
    expect(
      await kafkajsDecodeResponse(
        'offsetFetch',
        4,
        encodeOurs(g.encodeOffsetFetchResponse, 4, {
          ...g.createOffsetFetchResponse(),
          topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 9n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }] }],
        }),
      ),
    ).toMatchObject({ errorCode: 0, responses: [{ topic: 't', partitions: [{ partition: 0, offset: '9', metadata: '', errorCode: 0 }] }] });
    expect(
      await kafkajsDecodeResponse(
        'findCoordinator',
        2,
        encodeOurs(g.encodeFindCoordinatorResponse, 2, { ...g.createFindCoordinatorResponse(), nodeId: 2, host: 'h', port: 9094 }),
      ),
    ).toMatchObject({ errorCode: 0, coordinator: { nodeId: 2, host: 'h', port: 9094 } });
    expect(
      await kafkajsDecodeResponse(
        'describeGroups',
        2,
        encodeOurs(g.encodeDescribeGroupsResponse, 2, {
          ...g.createDescribeGroupsResponse(),
          groups: [
            {
              ...g.createDescribeGroupsResponseDescribedGroup(),
              groupId: 'g',
              groupState: 'Stable',
              protocolType: 'consumer',
              protocolData: 'range',
              members: [],
            },
          ],
        }),
      ),
    ).toMatchObject({ groups: [{ errorCode: 0, groupId: 'g', state: 'Stable', protocolType: 'consumer', protocol: 'range', members: [] }] });
  });
});
