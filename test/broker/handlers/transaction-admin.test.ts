// The admin APIs of KIP-664 (DescribeProducers; ListTransactions and DescribeTransactions where the
// coordinator answers them), asked with @platformatic/kafka's own protocol functions (an implementation
// apart from the broker's generated codec) of producer state written by librdkafka (kcat).
import { Connection, describeProducersV0 } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import { CreateTopics, createCreateTopicsRequest } from '../../../electron/kafka/protocol/generated/index';
import { kcat, startTestCluster, topicName, type TestCluster } from '../clients/helpers';
import { RawClient } from './raw-client';

let t: TestCluster;
let connection: Connection;
let raw: RawClient;

beforeAll(async () => {
  t = await startTestCluster({ brokers: 1 });
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
