/**
 * KIP-890 "Transactions Server-Side Defense" over the wire (raw requests through the generated codec).
 * Part 1 (Kafka 3.6+): a partition leader appends a producer's first transactional batch of a
 * transaction only once the transaction coordinator confirms the partition is in that transaction;
 * a stray or late batch is refused and nothing of it is written, so it cannot hold the last stable
 * offset. `transaction.partition.verification.enable` (a dynamic broker config) turns that off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import {
  AddPartitionsToTxn,
  CreateTopics,
  createAddPartitionsToTxnRequest,
  createCreateTopicsRequest,
  createFindCoordinatorRequest,
  EndTxn,
  FindCoordinator,
  IncrementalAlterConfigs,
  InitProducerId,
  Produce,
} from '../../../electron/kafka/protocol/generated/index';
import { encodeRecordBatch } from '../../../electron/kafka/records/record-batch';
import { startTestCluster, topicName, type TestCluster } from '../clients/helpers';
import { RawClient } from '../handlers/raw-client';
import { waitFor } from '../../support/wait';

let t: TestCluster;
let raw: RawClient;

beforeAll(async () => {
  t = await startTestCluster({ brokers: 1, config: { 'transaction.state.log.num.partitions': '2' } });
  raw = await RawClient.open(t.bootstrap);
  await raw.call(FindCoordinator, 4, { ...createFindCoordinatorRequest(), keyType: 1, coordinatorKeys: ['warm-up'] });
  await waitFor(() => (t.cluster.broker(0).transactions.ownedPartitions().length === 2 ? true : null), 10_000, 'the coordinator to load');
});

afterAll(async () => {
  raw?.close();
  await t?.close();
});

async function createTopic(partitions = 1): Promise<string> {
  const name = topicName('txn-verify');
  const response = await raw.call(CreateTopics, 5, {
    ...createCreateTopicsRequest(),
    timeoutMs: 10_000,
    topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
  });
  expect(response.topics[0]?.errorCode).toBe(ErrorCode.NONE);
  return name;
}

const init = async (transactionalId: string) => {
  const answer = await raw.call(InitProducerId, 4, { transactionalId, transactionTimeoutMs: 30_000, producerId: -1n, producerEpoch: -1 });
  expect(answer.errorCode).toBe(ErrorCode.NONE);
  return answer;
};

const addPartition = async (transactionalId: string, producerId: bigint, producerEpoch: number, topic: string, partition = 0) => {
  const answer = await raw.call(AddPartitionsToTxn, 3, {
    ...createAddPartitionsToTxnRequest(),
    v3AndBelowTransactionalId: transactionalId,
    v3AndBelowProducerId: producerId,
    v3AndBelowProducerEpoch: producerEpoch,
    v3AndBelowTopics: [{ name: topic, partitions: [partition] }],
  });
  expect(answer.resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode).toBe(ErrorCode.NONE);
};

async function produce(
  version: number,
  topic: string,
  transactionalId: string,
  producer: { producerId: bigint; producerEpoch: number },
  baseSequence: number,
  partition = 0,
) {
  const records = encodeRecordBatch({
    records: [{ value: Buffer.from(`v${baseSequence}`) }],
    producerId: Number(producer.producerId),
    producerEpoch: producer.producerEpoch,
    baseSequence,
    transactional: true,
  });
  const answer = await raw.call(Produce, version, {
    transactionalId,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
  return answer.responses[0]!.partitionResponses[0]!;
}

async function setVerification(value: 'false' | null): Promise<void> {
  const answer = await raw.call(IncrementalAlterConfigs, 1, {
    validateOnly: false,
    resources: [
      {
        resourceType: 4,
        resourceName: '',
        configs: [{ name: 'transaction.partition.verification.enable', configOperation: value === null ? 1 : 0, value }],
      },
    ],
  });
  expect(answer.responses[0]!.errorCode).toBe(ErrorCode.NONE);
}

describe('KIP-890 part 1: transactional produce verified with the coordinator', () => {
  it('refuses a batch for a partition never added to the transaction: INVALID_TXN_STATE (TRANSACTION_ABORTABLE from v11), nothing written, LSO unaffected', async () => {
    const topic = await createTopic();
    const producer = await init('verify-stray');
    const replica = t.cluster.broker(0).replica(topic, 0)!;
    const end = replica.log.logEndOffset;
    const refused = await produce(9, topic, 'verify-stray', producer, 0);
    expect(refused.errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(refused.errorMessage).toBe('Partition was not added to the transaction');
    expect((await produce(11, topic, 'verify-stray', producer, 0)).errorCode).toBe(ErrorCode.TRANSACTION_ABORTABLE);
    expect(replica.log.logEndOffset).toBe(end);
    expect(replica.lastStableOffset).toBe(replica.highWatermark);
    expect(replica.producerStates()).toEqual([]);

    // Once added, the same batch goes in and the transaction holds the LSO until its commit.
    await addPartition('verify-stray', producer.producerId, producer.producerEpoch, topic);
    expect((await produce(9, topic, 'verify-stray', producer, 0)).errorCode).toBe(ErrorCode.NONE);
    expect(replica.lastStableOffset).toBe(end);
    // Its next batch of the same transaction needs no new check.
    expect((await produce(9, topic, 'verify-stray', producer, 1)).errorCode).toBe(ErrorCode.NONE);
    expect((await raw.call(EndTxn, 3, { transactionalId: 'verify-stray', ...producer, committed: true })).errorCode).toBe(ErrorCode.NONE);
    await waitFor(() => (replica.lastStableOffset === replica.highWatermark ? true : null), 10_000, 'the commit marker');
  });

  it('refuses a write that arrives after its transaction ended (the late retry KIP-890 is about), writing nothing', async () => {
    const topic = await createTopic();
    const producer = await init('verify-late');
    const replica = t.cluster.broker(0).replica(topic, 0)!;
    await addPartition('verify-late', producer.producerId, producer.producerEpoch, topic);
    expect((await produce(9, topic, 'verify-late', producer, 0)).errorCode).toBe(ErrorCode.NONE);
    expect((await raw.call(EndTxn, 3, { transactionalId: 'verify-late', ...producer, committed: false })).errorCode).toBe(ErrorCode.NONE);
    await waitFor(() => (replica.lastStableOffset === replica.highWatermark ? true : null), 10_000, 'the abort marker');
    const end = replica.log.logEndOffset;
    const late = await produce(9, topic, 'verify-late', producer, 1);
    expect(late.errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(replica.log.logEndOffset).toBe(end);
    expect(replica.lastStableOffset).toBe(replica.highWatermark);
  });

  it('answers a fenced producer INVALID_PRODUCER_EPOCH and an unknown transactional id INVALID_PRODUCER_ID_MAPPING', async () => {
    const topic = await createTopic();
    const old = await init('verify-fenced');
    await init('verify-fenced');
    expect((await produce(9, topic, 'verify-fenced', old, 0)).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect((await produce(9, topic, 'verify-never-initialised', old, 0)).errorCode).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    expect(t.cluster.broker(0).replica(topic, 0)!.log.logEndOffset).toBe(0);
  });

  it('appends unverified with transaction.partition.verification.enable=false (dynamic), and verifies again once it is removed', async () => {
    const topic = await createTopic();
    const producer = await init('verify-off');
    const replica = t.cluster.broker(0).replica(topic, 0)!;
    await setVerification('false');
    try {
      expect(t.cluster.broker(0).config.bool('transaction.partition.verification.enable')).toBe(false);
      expect((await produce(9, topic, 'verify-off', producer, 0)).errorCode).toBe(ErrorCode.NONE);
      // The hanging transaction verification prevents: it holds the LSO.
      expect(replica.lastStableOffset).toBe(0);
    } finally {
      await setVerification(null);
    }
    const other = await createTopic();
    expect((await produce(9, other, 'verify-off', producer, 0)).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
  });
});
