// The API versions Kafka 4.0 and 4.1 added that are not about transactions or groups (scripts/protocol-
// overlay.ts transcribes their definitions): Metadata v13, DescribeCluster v2, Fetch v18 on the wire with
// the generated codec; AlterPartitionReassignments v1 and ListTransactions v2 also with
// @platformatic/kafka's own protocol functions (an implementation apart from the generated codec).
import { alterPartitionReassignmentsV1, Connection, listTransactionsV2 } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFailure } from '../../../electron/broker/cluster/controller';
import { ProtocolEncodeError } from '../../../electron/kafka/protocol/errors';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import {
  AlterPartitionReassignments,
  createFetchRequest,
  createMetadataRequest,
  DescribeCluster,
  Fetch,
  ListTransactions,
  Metadata,
  Produce,
} from '../../../electron/kafka/protocol/generated/index';
import { decodeBatches, encodeRecordBatch } from '../../../electron/kafka/records/record-batch';
import { Writer } from '../../../electron/kafka/protocol/writer';
import { startTestCluster, topicName, type TestCluster } from '../clients/helpers';
import { waitFor } from '../../support/wait';
import { RawClient } from './raw-client';

let t: TestCluster;
let raw: RawClient;
const connections: Connection[] = [];

beforeAll(async () => {
  // One transaction-state partition: one coordinator holds every transactional id.
  t = await startTestCluster({ brokers: 3, config: { 'transaction.state.log.num.partitions': '1', 'transaction.state.log.replication.factor': '1' } });
  raw = await RawClient.open(t.bootstrap.split(',')[0]!);
});

afterAll(async () => {
  raw?.close();
  for (const connection of connections) await connection.close();
  await t?.close();
});

async function platformaticTo(hostPort: string): Promise<Connection> {
  const [host, port] = hostPort.split(':');
  const connection = new Connection('kafka-4x-versions-test');
  connections.push(connection);
  await connection.connect(host!, Number(port));
  return connection;
}

/** An answer @platformatic/kafka's parser threw on (it throws on any error code); the answer rides on the error. */
async function answer<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    const response = (error as { response?: T }).response;
    if (response) return response;
    throw error;
  }
}

function createTopic(name: string, assignment: number[][]): string {
  const created = t.cluster.controller.createTopic({ name, assignment });
  if (isFailure(created)) throw new Error(created.message);
  return created.topicId;
}

describe('Metadata v13 (Kafka 4.0, KIP-1102)', () => {
  it('answers with the top-level error code, NONE, and the same brokers and topics as v12', async () => {
    const topic = topicName('metadata-v13');
    const topicId = createTopic(topic, [[0, 1]]);
    const request = { ...createMetadataRequest(), topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name: topic }] };
    const v13 = await raw.call(Metadata, 13, request);
    const v12 = await raw.call(Metadata, 12, request);
    expect(v13.errorCode).toBe(ErrorCode.NONE);
    expect(v13.brokers.map((b) => b.nodeId)).toEqual([0, 1, 2]);
    expect(v13.topics).toEqual(v12.topics);
    expect(v13.topics[0]).toMatchObject({ errorCode: ErrorCode.NONE, name: topic, topicId });
    expect(v13.topics[0]!.partitions[0]).toMatchObject({ leaderId: 0, replicaNodes: [0, 1] });
  });
});

describe('AlterPartitionReassignments v1 (Kafka 4.1, KIP-860)', () => {
  it('refuses a replication factor change when AllowReplicationFactorChange is false, allows moves that keep it, and echoes the flag (@platformatic/kafka)', async () => {
    const topic = topicName('reassign-v1');
    createTopic(topic, [
      [0, 1],
      [1, 2],
    ]);
    const connection = await platformaticTo(t.bootstrap.split(',')[0]!);
    const refused = await answer(
      alterPartitionReassignmentsV1.api.async(connection, 10_000, false, [
        {
          name: topic,
          partitions: [
            { partitionIndex: 0, replicas: [0, 1, 2] },
            { partitionIndex: 1, replicas: [2, 0] },
          ],
        },
      ]),
    );
    expect(refused.allowReplicationFactorChange).toBe(false);
    expect(refused.errorCode).toBe(ErrorCode.NONE);
    const [grow, move] = refused.responses[0]!.partitions;
    expect(grow).toMatchObject({ partitionIndex: 0, errorCode: ErrorCode.INVALID_REPLICATION_FACTOR });
    expect(grow!.errorMessage).toMatch(/changed from 2 to 3/);
    // Same number of replicas, other brokers: a move, allowed.
    expect(move).toMatchObject({ partitionIndex: 1, errorCode: ErrorCode.NONE, errorMessage: null });
    expect(t.cluster.controller.partition(topic, 0)!.replicas).toEqual([0, 1]);
    await waitFor(() => t.cluster.controller.partition(topic, 1)!.replicas.join(',') === '2,0', 20_000, 'the move of partition 1 to 2,0');

    // true (the default, and all v0 can say): the partition grows to three replicas.
    const allowed = await alterPartitionReassignmentsV1.api.async(connection, 10_000, true, [
      { name: topic, partitions: [{ partitionIndex: 0, replicas: [0, 1, 2] }] },
    ]);
    expect(allowed.allowReplicationFactorChange).toBe(true);
    expect(allowed.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    await waitFor(
      () => t.cluster.controller.partition(topic, 0)!.replicas.length === 3 && !t.cluster.controller.partition(topic, 0)!.addingReplicas?.length,
      20_000,
      'partition 0 on three replicas',
    );

    // The generated codec: false cannot be said in v0 (not ignorable), and v1 says it.
    const request = { timeoutMs: 5000, allowReplicationFactorChange: false, topics: [{ name: topic, partitions: [{ partitionIndex: 0, replicas: [1, 2] }] }] };
    expect(() => AlterPartitionReassignments.encodeRequest(new Writer(), 0, request)).toThrow(ProtocolEncodeError);
    const shrink = await raw.call(AlterPartitionReassignments, 1, request);
    expect(shrink.allowReplicationFactorChange).toBe(false);
    expect(shrink.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
    expect(shrink.responses[0]!.partitions[0]!.errorMessage).toMatch(/changed from 3 to 2/);
  });
});

describe('ListTransactions v2 (Kafka 4.1, KIP-1152)', () => {
  it('lists only the transactional ids the whole pattern matches (RE2), all for null or empty, and refuses an invalid pattern (@platformatic/kafka)', async () => {
    const topic = topicName('list-txn-v2');
    createTopic(topic, [[0]]);
    const kafka = new Kafka({ clientId: 'list-txn-v2', brokers: t.bootstrap.split(','), logLevel: logLevel.NOTHING });
    const ids = [`orders-${topic}-1`, `orders-${topic}-2`, `payments-${topic}`];
    for (const transactionalId of ids) {
      const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const txn = await producer.transaction();
      await txn.send({ topic, messages: [{ value: transactionalId }] });
      await txn.commit();
      await producer.disconnect();
    }
    // Every broker answers for the ids it coordinates: ask them all.
    const all = await Promise.all(t.bootstrap.split(',').map(platformaticTo));
    const list = async (pattern: string | null): Promise<string[]> => {
      const answers = await Promise.all(all.map((c) => listTransactionsV2.api.async(c, [], [], -1n, pattern)));
      return answers
        .flatMap((a) => a.transactionStates.map((s) => s.transactionalId))
        .filter((id) => id.endsWith(topic) || id.includes(`${topic}-`))
        .sort();
    };
    expect(await list(null)).toEqual(ids);
    expect(await list('')).toEqual(ids);
    expect(await list(`orders-${topic}-\\d`)).toEqual(ids.slice(0, 2));
    // The whole id must match, as RE2/J's matches(): a prefix is not enough.
    expect(await list('orders')).toEqual([]);
    expect(await list(`.*${topic}`)).toEqual([ids[2]]);

    // An invalid pattern, asked with the generated codec: @platformatic/kafka 2.12.1 does not know error
    // code 128 and fails with a TypeError building its error.
    const request = { stateFilters: [], producerIdFilters: [], durationFilter: -1n, transactionalIdPattern: '(unclosed' };
    const invalid = await raw.call(ListTransactions, 2, request);
    expect(invalid.errorCode).toBe(ErrorCode.INVALID_REGULAR_EXPRESSION);
    expect(invalid.transactionStates).toEqual([]);

    // A pattern cannot be said before v2.
    expect(() => ListTransactions.encodeRequest(new Writer(), 1, request)).toThrow(ProtocolEncodeError);
  });
});

describe('Fetch v18 (Kafka 4.1, KIP-1166)', () => {
  it("reads a topic by id with the follower's high watermark tagged field set", async () => {
    const topic = topicName('fetch-v18');
    const topicId = createTopic(topic, [[0]]);
    const kafka = new Kafka({ clientId: 'fetch-v18', brokers: t.bootstrap.split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ value: 'a' }, { value: 'b' }] });
    await producer.disconnect();
    const fetch = (version: number, highWatermark: bigint) =>
      raw.call(Fetch, version, {
        ...createFetchRequest(),
        maxWaitMs: 0,
        maxBytes: 1 << 20,
        topics: [
          {
            topic: '',
            topicId,
            partitions: [
              {
                partition: 0,
                currentLeaderEpoch: -1,
                fetchOffset: 0n,
                lastFetchedEpoch: -1,
                logStartOffset: -1n,
                partitionMaxBytes: 1 << 20,
                replicaDirectoryId: '00000000-0000-0000-0000-000000000000',
                highWatermark,
              },
            ],
          },
        ],
      });
    const v18 = await fetch(18, 2n);
    const partition = v18.responses[0]!.partitions[0]!;
    expect(v18.responses[0]!.topicId).toBe(topicId);
    expect(partition).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 2n });
    const values = decodeBatches(partition.records!).batches.flatMap((b) => b.records.map((r) => r.value?.toString()));
    expect(values).toEqual(['a', 'b']);
    // The same bytes back as v17 without the tagged field.
    expect((await fetch(17, 9223372036854775807n)).responses[0]!.partitions[0]!.records).toEqual(partition.records);
    // The field is tagged: not sent when it holds its default, refused by no version before 18.
    expect(() => Fetch.encodeRequest(new Writer(), 17, { ...createFetchRequest(), topics: [] })).not.toThrow();
  });
});

describe('Produce v13 (Kafka 4.1, KIP-516)', () => {
  it('appends to the topic named by its id, answers with the id, and refuses an unknown id with UNKNOWN_TOPIC_ID', async () => {
    const topic = topicName('produce-v13');
    const topicId = createTopic(topic, [[0, 1]]);
    const records = encodeRecordBatch({ baseOffset: 0, records: [{ value: Buffer.from('by id') }] });
    const unknownId = '00000000-0000-0000-0000-0000000000ff';
    const produced = await raw.call(Produce, 13, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [
        { name: '', topicId, partitionData: [{ index: 0, records }] },
        { name: '', topicId: unknownId, partitionData: [{ index: 0, records }] },
      ],
    });
    const [known, unknown] = produced.responses;
    expect(known).toMatchObject({ name: '', topicId });
    expect(known!.partitionResponses[0]).toMatchObject({ index: 0, errorCode: ErrorCode.NONE, baseOffset: 0n });
    expect(unknown).toMatchObject({ name: '', topicId: unknownId });
    expect(unknown!.partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_ID, baseOffset: -1n });
    expect(unknown!.partitionResponses[0]!.errorMessage).toMatch(/No topic has the id/);
    expect(t.cluster.broker(0).replica(topic, 0)!.log.logEndOffset).toBe(1);
  });
});

describe('DescribeCluster v2 (Kafka 4.0, KIP-1073)', () => {
  it('lists stopped (fenced) brokers only when asked, with IsFenced; v1 never does', async () => {
    await t.cluster.stopBroker(2);
    try {
      const request = { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: false };
      const live = await raw.call(DescribeCluster, 2, request);
      expect(live.brokers.map((b) => [b.brokerId, b.isFenced])).toEqual([
        [0, false],
        [1, false],
      ]);
      const withFenced = await raw.call(DescribeCluster, 2, { ...request, includeFencedBrokers: true });
      expect(withFenced.errorCode).toBe(ErrorCode.NONE);
      expect(withFenced.brokers.map((b) => [b.brokerId, b.isFenced])).toEqual([
        [0, false],
        [1, false],
        [2, true],
      ]);
      const fenced = withFenced.brokers[2]!;
      expect(`${fenced.host}:${fenced.port}`).toBe(t.bootstrap.split(',')[2]);
      // IncludeFencedBrokers does not exist in v1: not encodable there, and v1 lists the live brokers.
      expect(() => DescribeCluster.encodeRequest(new Writer(), 1, { ...request, includeFencedBrokers: true })).toThrow(ProtocolEncodeError);
      expect((await raw.call(DescribeCluster, 1, request)).brokers.map((b) => b.brokerId)).toEqual([0, 1]);
    } finally {
      await t.cluster.startBroker(2);
    }
    const back = await raw.call(DescribeCluster, 2, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: true });
    expect(back.brokers.map((b) => [b.brokerId, b.isFenced])).toEqual([
      [0, false],
      [1, false],
      [2, false],
    ]);
  });
});
