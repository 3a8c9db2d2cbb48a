// The admin APIs of KIP-664 (DescribeProducers; ListTransactions and DescribeTransactions where the
// coordinator answers them), asked with @platformatic/kafka's own protocol functions (an implementation
// apart from the broker's generated codec) of producer state written by librdkafka (kcat).
import { Connection, describeProducersV0, describeTransactionsV0, listTransactionsV0, listTransactionsV1 } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import { CreateTopics, createCreateTopicsRequest } from '../../../electron/kafka/protocol/generated/index';
import { kcat, startTestCluster, topicName, type TestCluster } from '../clients/helpers';
import { txnScenario } from '../transactions/fixtures/txn';
import { RawClient } from './raw-client';

let t: TestCluster;
let connection: Connection;
let raw: RawClient;

beforeAll(async () => {
  t = await startTestCluster({ brokers: 1, config: { 'transaction.state.log.num.partitions': '2' } });
  const [host, port] = t.bootstrap.split(',')[0]!.split(':');
  connection = new Connection('transaction-admin-test');
  await connection.connect(host!, Number(port));
  raw = await RawClient.open(t.bootstrap.split(',')[0]!);
});

afterAll(async () => {
  raw?.close();
  await connection?.close();
  await t?.close();
});

async function createTopic(name: string, partitions: number): Promise<void> {
  const response = await raw.call(CreateTopics, 5, {
    ...createCreateTopicsRequest(),
    timeoutMs: 10_000,
    topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
  });
  expect(response.topics[0]?.errorCode).toBe(ErrorCode.NONE);
}

/** DescribeProducers' answer; @platformatic/kafka throws on any partition error, the answer rides on the error. */
async function describeProducers(topics: Array<{ name: string; partitionIndexes: number[] }>): Promise<describeProducersV0.DescribeProducersResponse> {
  try {
    return await describeProducersV0.api.async(connection, topics);
  } catch (error) {
    const response = (error as { response?: describeProducersV0.DescribeProducersResponse }).response;
    if (response) return response;
    throw error;
  }
}

describe('DescribeProducers (KIP-664)', () => {
  it("lists an idempotent producer's id, epoch, last sequence and timestamp per partition, and errors per partition", async () => {
    const topic = topicName('describe-producers');
    await createTopic(topic, 2);
    const before = Date.now();
    // One idempotent librdkafka producer writes 3 records to partition 0, one batch (sequences 0-2).
    await kcat(t.bootstrap, ['-P', '-t', topic, '-p', '0', '-X', 'enable.idempotence=true', '-X', 'linger.ms=200'], { input: 'a\nb\nc\n' });
    // A second one writes 2 records, each flushed alone: its last sequence is 1 whatever the batching.
    await kcat(t.bootstrap, ['-P', '-t', topic, '-p', '0', '-X', 'enable.idempotence=true'], { input: 'd\ne\n' });

    const response = await describeProducers([
      { name: topic, partitionIndexes: [0, 1, 7] },
      { name: `${topic}-absent`, partitionIndexes: [0] },
    ]);
    const partitions = response.topics.find((x) => x.name === topic)!.partitions;
    const p0 = partitions.find((p) => p.partitionIndex === 0)!;
    expect(p0.errorCode).toBe(ErrorCode.NONE);
    expect(p0.activeProducers).toHaveLength(2);
    const [first, second] = [...p0.activeProducers].sort((a, b) => b.lastSequence - a.lastSequence);
    expect(first!.lastSequence).toBe(2);
    expect(second!.lastSequence).toBe(1);
    for (const producer of p0.activeProducers) {
      expect(producer.producerId).toBeGreaterThanOrEqual(0n);
      expect(producer.producerEpoch).toBe(0);
      expect(Number(producer.lastTimestamp)).toBeGreaterThanOrEqual(before - 1000);
      expect(Number(producer.lastTimestamp)).toBeLessThanOrEqual(Date.now() + 1000);
      // Not transactional: no coordinator epoch, no open transaction.
      expect(producer.coordinatorEpoch).toBe(-1);
      expect(producer.currentTxnStartOffset).toBe(-1n);
    }
    expect(first!.producerId).not.toBe(second!.producerId);

    const p1 = partitions.find((p) => p.partitionIndex === 1)!;
    expect(p1).toMatchObject({ errorCode: ErrorCode.NONE, activeProducers: [] });
    const p7 = partitions.find((p) => p.partitionIndex === 7)!;
    expect(p7.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const absent = response.topics.find((x) => x.name === `${topic}-absent`)!;
    expect(absent.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(t.errors).toEqual([]);
  });

  it('does not count a plain (non-idempotent) producer', async () => {
    const topic = topicName('describe-producers-plain');
    await createTopic(topic, 1);
    await kcat(t.bootstrap, ['-P', '-t', topic, '-p', '0', '-X', 'enable.idempotence=false'], { input: 'x\n' });
    const response = await describeProducers([{ name: topic, partitionIndexes: [0] }]);
    expect(response.topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, activeProducers: [] });
  });
});

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

describe('ListTransactions and DescribeTransactions (KIP-664)', () => {
  it("list the coordinator's transactions with filters and describe each one's state, producer and partitions", async () => {
    const topic = topicName('txn-admin');
    await createTopic(topic, 2);
    const committed = `committed-${topic}`;
    const open = `open-${topic}`;
    // The vanishing producer writes without choosing a partition: one partition keeps it in one place.
    const openTopic = `${topic}-open`;
    await createTopic(openTopic, 1);
    await txnScenario('transactions', { bootstrap: t.bootstrap, id: committed, topic, transactions: [{ values: ['c1', 'c2'], partition: 1, commit: true }] });
    const before = Date.now();
    // A producer that begins a transaction, writes 3 records to partition 0 and vanishes (timeout 5 min).
    await txnScenario('hang', { bootstrap: t.bootstrap, id: open, topic: openTopic, timeoutMs: 300_000, values: ['o1', 'o2', 'o3'] });

    const all = await listTransactionsV1.api.async(connection, [], [], -1n, null);
    const byId = new Map(all.transactionStates.map((s) => [s.transactionalId, s]));
    expect(byId.get(committed)?.transactionState).toBe('CompleteCommit');
    expect(byId.get(open)?.transactionState).toBe('Ongoing');
    expect(all.unknownStateFilters).toEqual([]);

    const ongoing = await listTransactionsV0.api.async(connection, ['Ongoing'], [], -1n, null);
    expect(ongoing.transactionStates.map((s) => s.transactionalId)).toContain(open);
    expect(ongoing.transactionStates.map((s) => s.transactionalId)).not.toContain(committed);
    const byProducer = await listTransactionsV0.api.async(connection, [], [byId.get(committed)!.producerId], -1n, null);
    expect(byProducer.transactionStates.map((s) => s.transactionalId)).toEqual([committed]);
    // KIP-994: open at least an hour: none.
    expect((await listTransactionsV1.api.async(connection, [], [], 3_600_000n, null)).transactionStates).toEqual([]);
    const unknown = await answer(listTransactionsV0.api.async(connection, ['Bogus' as never], [], -1n, null));
    expect(unknown.unknownStateFilters).toEqual(['Bogus']);
    expect(unknown.transactionStates).toEqual([]);

    const described = await answer(describeTransactionsV0.api.async(connection, [open, committed, `never-${topic}`]));
    const [openState, committedState, never] = described.transactionStates;
    expect(openState).toMatchObject({ errorCode: ErrorCode.NONE, transactionalId: open, transactionState: 'Ongoing', transactionTimeoutMs: 300_000 });
    expect(openState!.topics).toEqual([{ topic: openTopic, partitions: [0] }]);
    expect(Number(openState!.transactionStartTimeMs)).toBeGreaterThanOrEqual(before - 1000);
    expect(openState!.producerId).toBe(byId.get(open)!.producerId);
    expect(committedState).toMatchObject({ errorCode: ErrorCode.NONE, transactionState: 'CompleteCommit' });
    expect(never!.errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);

    // The partition keeps the open transaction: DescribeProducers names where it starts.
    const producers = await describeProducers([
      { name: openTopic, partitionIndexes: [0] },
      { name: topic, partitionIndexes: [1] },
    ]);
    const p0 = producers.topics.find((x) => x.name === openTopic)!.partitions[0]!;
    const openProducer = p0.activeProducers.find((p) => p.producerId === byId.get(open)!.producerId)!;
    expect(openProducer.currentTxnStartOffset).toBe(0n);
    expect(openProducer.lastSequence).toBe(2);
    const p1 = producers.topics.find((x) => x.name === topic)!.partitions[0]!;
    const committedProducer = p1.activeProducers.find((p) => p.producerId === byId.get(committed)!.producerId)!;
    // Committed: no open transaction, and the marker's coordinator epoch is known.
    expect(committedProducer.currentTxnStartOffset).toBe(-1n);
    expect(committedProducer.coordinatorEpoch).toBeGreaterThanOrEqual(0);
    expect(t.errors).toEqual([]);
  });
});
