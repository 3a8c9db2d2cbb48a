/**
 * Cross-check against an independent implementation: @platformatic/kafka's hand-written request writers
 * and response parsers (flexible versions). Requests it builds must decode with our codecs to the values
 * it was given; responses we encode must parse with its parsers. This catches generator mistakes that
 * round trips through our own codecs cannot.
 */
import * as pk from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import * as g from '../../../electron/kafka/protocol/generated/index';
import { Reader } from '../../../electron/kafka/protocol/reader';
import { Writer } from '../../../electron/kafka/protocol/writer';
import { decodeRecordBatch, encodeRecordBatch } from '../../../electron/kafka/records/record-batch';

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

interface PkWriter {
  buffer: Buffer;
}
interface PkApi {
  createRequest(...args: unknown[]): PkWriter;
  parseResponse(correlationId: number, apiKey: number, apiVersion: number, reader: unknown): Record<string, unknown>;
}
const api = (module: unknown): PkApi => module as PkApi;

function decodeTheirs<T>(decode: (r: Reader, v: number) => T, version: number, writer: PkWriter): T {
  const r = new Reader(writer.buffer);
  const value = decode(r, version);
  expect(r.remaining, 'bytes left after decoding').toBe(0);
  return value;
}

function parseOurs<T>(their: PkApi, apiKey: number, version: number, encode: (w: Writer, v: number, value: T) => void, value: T): Record<string, unknown> {
  const w = new Writer();
  encode(w, version, value);
  const reader = pk.Reader.from(w.toBuffer());
  const parsed = their.parseResponse(1, apiKey, version, reader);
  return parsed;
}

describe('requests built by @platformatic/kafka decode with our codecs', () => {
  it('ApiVersions v3', () => {
    const v = decodeTheirs(g.decodeApiVersionsRequest, 3, api(pk.apiVersionsV3).createRequest('kd', '1.0'));
    expect(v).toMatchObject({ clientSoftwareName: 'kd', clientSoftwareVersion: '1.0' });
  });

  it('Metadata v12', () => {
    const v = decodeTheirs(g.decodeMetadataRequest, 12, api(pk.metadataV12).createRequest(['a', 'bb'], true, true));
    expect(v).toMatchObject({
      topics: [
        { topicId: ZERO_UUID, name: 'a' },
        { topicId: ZERO_UUID, name: 'bb' },
      ],
      allowAutoTopicCreation: true,
      includeTopicAuthorizedOperations: true,
    });
  });

  it('Produce v9 with a record batch', () => {
    const writer = api(pk.produceV9).createRequest(
      -1,
      1500,
      [{ topic: 't', partition: 2, key: Buffer.from('k'), value: Buffer.from('hello'), timestamp: 1000n }],
      {},
    );
    const v = decodeTheirs(g.decodeProduceRequest, 9, writer);
    expect(v.transactionalId).toBeNull();
    expect(v.acks).toBe(-1);
    expect(v.timeoutMs).toBe(1500);
    expect(v.topicData).toHaveLength(1);
    expect(v.topicData[0]!.name).toBe('t');
    const partition = v.topicData[0]!.partitionData[0]!;
    expect(partition.index).toBe(2);
    const batch = decodeRecordBatch(partition.records!, 0);
    expect(batch.records).toHaveLength(1);
    expect(batch.records[0]!.value!.toString()).toBe('hello');
  });

  it('Fetch v12', () => {
    const writer = api(pk.fetchV12).createRequest(
      500,
      1,
      1 << 20,
      1,
      7,
      3,
      [{ topicId: 'orders', partitions: [{ partition: 4, currentLeaderEpoch: 2, fetchOffset: 99n, lastFetchedEpoch: 1, partitionMaxBytes: 4096 }] }],
      [],
      'rack-a',
    );
    const v = decodeTheirs(g.decodeFetchRequest, 12, writer);
    expect(v).toMatchObject({
      clusterId: null,
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 1,
      sessionId: 7,
      sessionEpoch: 3,
      topics: [
        {
          topic: 'orders',
          partitions: [{ partition: 4, currentLeaderEpoch: 2, fetchOffset: 99n, lastFetchedEpoch: 1, logStartOffset: -1n, partitionMaxBytes: 4096 }],
        },
      ],
      forgottenTopicsData: [],
      rackId: 'rack-a',
    });
  });

  it('JoinGroup v9 and SyncGroup v5', () => {
    const metadata = Buffer.from('0003', 'hex');
    const join = decodeTheirs(
      g.decodeJoinGroupRequest,
      9,
      api(pk.joinGroupV9).createRequest('grp', 30000, 60000, '', null, 'consumer', [{ name: 'range', metadata }], 'because'),
    );
    expect(join).toMatchObject({
      groupId: 'grp',
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: 60000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      reason: 'because',
    });
    expect(join.protocols[0]!.name).toBe('range');
    expect(join.protocols[0]!.metadata.equals(metadata)).toBe(true);
    const sync = decodeTheirs(
      g.decodeSyncGroupRequest,
      5,
      api(pk.syncGroupV5).createRequest('grp', 4, 'm-1', 'static-1', 'consumer', 'range', [{ memberId: 'm-1', assignment: Buffer.from('ab', 'hex') }]),
    );
    expect(sync).toMatchObject({
      groupId: 'grp',
      generationId: 4,
      memberId: 'm-1',
      groupInstanceId: 'static-1',
      protocolType: 'consumer',
      protocolName: 'range',
    });
    expect(sync.assignments[0]!.assignment.toString('hex')).toBe('ab');
  });

  it('OffsetFetch v8, OffsetCommit v8, ListOffsets v8, FindCoordinator v4', () => {
    expect(
      decodeTheirs(
        g.decodeOffsetFetchRequest,
        8,
        api(pk.offsetFetchV8).createRequest([{ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 5] }] }], true),
      ),
    ).toMatchObject({ groups: [{ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 5] }] }], requireStable: true, groupId: '', topics: [] });
    expect(
      decodeTheirs(
        g.decodeOffsetCommitRequest,
        8,
        api(pk.offsetCommitV8).createRequest('g', 3, 'm', null, [
          { name: 't', partitions: [{ partitionIndex: 1, committedOffset: 42n, committedLeaderEpoch: -1, committedMetadata: 'md' }] },
        ]),
      ),
    ).toMatchObject({
      groupId: 'g',
      generationIdOrMemberEpoch: 3,
      memberId: 'm',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [
        { name: 't', partitions: [{ partitionIndex: 1, committedOffset: 42n, committedLeaderEpoch: -1, committedMetadata: 'md', commitTimestamp: -1n }] },
      ],
    });
    expect(
      decodeTheirs(
        g.decodeListOffsetsRequest,
        8,
        api(pk.listOffsetsV8).createRequest(-1, 1, [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: 5, timestamp: -2n }] }]),
      ),
    ).toMatchObject({
      replicaId: -1,
      isolationLevel: 1,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: 5, timestamp: -2n, maxNumOffsets: 1 }] }],
    });
    expect(decodeTheirs(g.decodeFindCoordinatorRequest, 4, api(pk.findCoordinatorV4).createRequest(0, ['g1', 'g2']))).toMatchObject({
      key: '',
      keyType: 0,
      coordinatorKeys: ['g1', 'g2'],
    });
  });
});

describe('responses we encode parse with @platformatic/kafka', () => {
  it('ApiVersions v3 (with tagged fields it does not read)', () => {
    const parsed = parseOurs(api(pk.apiVersionsV3), 18, 3, g.encodeApiVersionsResponse, {
      ...g.createApiVersionsResponse(),
      apiKeys: [{ apiKey: 3, minVersion: 0, maxVersion: 12 }],
      throttleTimeMs: 5,
      finalizedFeaturesEpoch: 3n,
    });
    expect(parsed).toMatchObject({ errorCode: 0, apiKeys: [{ apiKey: 3, minVersion: 0, maxVersion: 12 }], throttleTimeMs: 5 });
  });

  it('Metadata v12', () => {
    const parsed = parseOurs(api(pk.metadataV12), 3, 12, g.encodeMetadataResponse, {
      ...g.createMetadataResponse(),
      throttleTimeMs: 1,
      brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }],
      clusterId: 'cluster',
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 'orders',
          topicId: '0123456789abcdef0123456789abcdef'.replace(/(.{8})(.{4})(.{4})(.{4})(.{12})/, '$1-$2-$3-$4-$5'),
          isInternal: false,
          partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 3, replicaNodes: [1, 2], isrNodes: [1], offlineReplicas: [] }],
          topicAuthorizedOperations: -2147483648,
        },
      ],
    });
    expect(parsed).toMatchObject({
      throttleTimeMs: 1,
      brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }],
      clusterId: 'cluster',
      controllerId: 1,
      topics: [
        {
          name: 'orders',
          topicId: '01234567-89ab-cdef-0123-456789abcdef',
          partitions: [{ partitionIndex: 0, leaderId: 1, leaderEpoch: 3, replicaNodes: [1, 2], isrNodes: [1], offlineReplicas: [] }],
        },
      ],
    });
  });

  it('Fetch v12 with records and a tagged CurrentLeader', () => {
    const records = encodeRecordBatch({ baseOffset: 10, records: [{ value: Buffer.from('a') }, { value: Buffer.from('b') }], timestamp: 1000 });
    const parsed = parseOurs(api(pk.fetchV12), 1, 12, g.encodeFetchResponse, {
      ...g.createFetchResponse(),
      sessionId: 9,
      responses: [
        {
          topic: 'orders',
          topicId: ZERO_UUID,
          partitions: [
            {
              ...g.createFetchResponsePartitionData(),
              partitionIndex: 0,
              highWatermark: 12n,
              lastStableOffset: 12n,
              logStartOffset: 0n,
              abortedTransactions: [{ producerId: 5n, firstOffset: 1n }],
              currentLeader: { leaderId: 1, leaderEpoch: 2 },
              records,
            },
          ],
        },
      ],
    });
    const partition = (parsed.responses as { partitions: Record<string, unknown>[] }[])[0]!.partitions[0]!;
    expect(parsed).toMatchObject({ sessionId: 9, responses: [{ topicId: 'orders' }] });
    expect(partition).toMatchObject({
      partitionIndex: 0,
      highWatermark: 12n,
      lastStableOffset: 12n,
      logStartOffset: 0n,
      abortedTransactions: [{ producerId: 5n, firstOffset: 1n }],
      preferredReadReplica: -1,
    });
    expect((partition.records as { records: unknown[] }[])[0]!.records).toHaveLength(2);
  });

  it('Produce v9, FindCoordinator v4, JoinGroup v9, SyncGroup v5, OffsetFetch v8, ListOffsets v8', () => {
    expect(
      parseOurs(api(pk.produceV9), 0, 9, g.encodeProduceResponse, {
        ...g.createProduceResponse(),
        responses: [
          {
            topicId: ZERO_UUID,
            name: 't',
            partitionResponses: [{ ...g.createProduceResponsePartitionProduceResponse(), index: 1, baseOffset: 100n, logStartOffset: 0n }],
          },
        ],
        throttleTimeMs: 2,
      }),
    ).toMatchObject({
      responses: [
        {
          name: 't',
          partitionResponses: [{ index: 1, errorCode: 0, baseOffset: 100n, logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [], errorMessage: null }],
        },
      ],
      throttleTimeMs: 2,
    });
    expect(
      parseOurs(api(pk.findCoordinatorV4), 10, 4, g.encodeFindCoordinatorResponse, {
        ...g.createFindCoordinatorResponse(),
        coordinators: [{ key: 'g', nodeId: 2, host: 'h', port: 9093, errorCode: 0, errorMessage: null }],
      }),
    ).toMatchObject({ coordinators: [{ key: 'g', nodeId: 2, host: 'h', port: 9093, errorCode: 0, errorMessage: null }] });
    expect(
      parseOurs(api(pk.joinGroupV9), 11, 9, g.encodeJoinGroupResponse, {
        ...g.createJoinGroupResponse(),
        generationId: 1,
        protocolType: 'consumer',
        protocolName: 'range',
        leader: 'm-1',
        memberId: 'm-1',
        members: [{ memberId: 'm-1', groupInstanceId: null, metadata: Buffer.from('00', 'hex') }],
      }),
    ).toMatchObject({
      generationId: 1,
      protocolType: 'consumer',
      protocolName: 'range',
      leader: 'm-1',
      skipAssignment: false,
      memberId: 'm-1',
      members: [{ memberId: 'm-1', groupInstanceId: null }],
    });
    const sync = parseOurs(api(pk.syncGroupV5), 14, 5, g.encodeSyncGroupResponse, {
      ...g.createSyncGroupResponse(),
      protocolType: 'consumer',
      protocolName: 'range',
      assignment: Buffer.from('abcd', 'hex'),
    });
    expect(sync).toMatchObject({ protocolType: 'consumer', protocolName: 'range' });
    expect((sync.assignment as Buffer).toString('hex')).toBe('abcd');
    expect(
      parseOurs(api(pk.offsetFetchV8), 9, 8, g.encodeOffsetFetchResponse, {
        ...g.createOffsetFetchResponse(),
        groups: [
          {
            groupId: 'g',
            topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 7n, committedLeaderEpoch: -1, metadata: null, errorCode: 0 }] }],
            errorCode: 0,
          },
        ],
      }),
    ).toMatchObject({
      groups: [
        {
          groupId: 'g',
          topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 7n, committedLeaderEpoch: -1, metadata: null }] }],
          errorCode: 0,
        },
      ],
    });
    expect(
      parseOurs(api(pk.listOffsetsV8), 2, 8, g.encodeListOffsetsResponse, {
        ...g.createListOffsetsResponse(),
        topics: [{ name: 't', partitions: [{ ...g.createListOffsetsResponseListOffsetsPartitionResponse(), partitionIndex: 0, offset: 55n, leaderEpoch: 4 }] }],
      }),
    ).toMatchObject({ topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1n, offset: 55n, leaderEpoch: 4 }] }] });
  });
});
