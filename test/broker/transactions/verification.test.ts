/**
 * KIP-890 "Transactions Server-Side Defense" over the wire (raw requests through the generated codec).
 * Part 1 (Kafka 3.6+): a partition leader appends a producer's first transactional batch of a
 * transaction only once the transaction coordinator confirms the partition is in that transaction;
 * a stray or late batch is refused and nothing of it is written, so it cannot hold the last stable
 * offset. `transaction.partition.verification.enable` (a dynamic broker config) turns that off.
 * Part 2 (Kafka 4.0, transaction version 2): Produce v12 and TxnOffsetCommit v5 add their partition to
 * the transaction themselves, EndTxn v5 bumps the producer's epoch at every transaction and answers
 * the new one, so a late write of an ended transaction is fenced. No client here speaks it
 * (@platformatic/kafka 2.12.1 sends up to Produce v11 and EndTxn v4), hence the generated codec.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import {
  AddOffsetsToTxn,
  AddPartitionsToTxn,
  CreateTopics,
  createAddPartitionsToTxnRequest,
  createCreateTopicsRequest,
  createFindCoordinatorRequest,
  EndTxn,
  FindCoordinator,
  IncrementalAlterConfigs,
  InitProducerId,
  OffsetFetch,
  Produce,
  TxnOffsetCommit,
} from '../../../electron/kafka/protocol/generated/index';
import { encodeRecordBatch } from '../../../electron/kafka/records/record-batch';
import { ZERO_UUID } from '../../../electron/kafka/protocol/uuid';
import { startTestCluster, topicName, type TestCluster } from '../clients/helpers';
import { RawClient } from '../handlers/raw-client';
import { waitFor } from '../../support/wait';
import { readTopic } from '../../support/disrupted-clients';

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
  value = `v${baseSequence}`,
) {
  const records = encodeRecordBatch({
    records: [{ value: Buffer.from(value) }],
    producerId: Number(producer.producerId),
    producerEpoch: producer.producerEpoch,
    baseSequence,
    transactional: true,
  });
  const answer = await raw.call(Produce, version, {
    transactionalId,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ topicId: ZERO_UUID, name: topic, partitionData: [{ index: partition, records }] }],
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

describe('KIP-890 part 2: transaction version 2', () => {
  const committedOffset = async (groupId: string, topic: string) => {
    const answer = await raw.call(OffsetFetch, 7, { groupId, topics: [{ name: topic, partitionIndexes: [0] }], groups: [], requireStable: true });
    return Number(answer.topics[0]!.partitions[0]!.committedOffset);
  };
  const commitOffset = (transactionalId: string, producer: { producerId: bigint; producerEpoch: number }, groupId: string, topic: string, offset: number) =>
    raw.call(TxnOffsetCommit, 5, {
      transactionalId,
      groupId,
      ...producer,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: BigInt(offset), committedLeaderEpoch: -1, committedMetadata: null }] }],
    });
  // The group coordinator (and __consumer_offsets) first, as a client finds it before committing.
  const groupCoordinatorReady = () =>
    waitFor(
      async () => {
        const found = await raw.call(FindCoordinator, 4, { ...createFindCoordinatorRequest(), keyType: 0, coordinatorKeys: ['tv2-group'] });
        const partition = t.cluster.broker(0).groups.partitionFor('tv2-group');
        return found.coordinators[0]!.errorCode === ErrorCode.NONE && partition >= 0 && t.cluster.broker(0).replica('__consumer_offsets', partition)?.isLeader
          ? true
          : null;
      },
      10_000,
      'the group coordinator',
    );
  const endTxn = (transactionalId: string, producer: { producerId: bigint; producerEpoch: number }, committed: boolean) =>
    raw.call(EndTxn, 5, { transactionalId, ...producer, committed });

  it('a whole transaction without AddPartitionsToTxn / AddOffsetsToTxn: the epoch bumped by EndTxn v5, a late write of the old epoch fenced, read_committed sees exactly the committed records', async () => {
    const topic = await createTopic(2);
    const input = await createTopic();
    const txnId = 'tv2-whole';
    const first = await init(txnId);
    await groupCoordinatorReady();
    const coordinator = t.cluster.broker(0).transactions;

    // Produce v12 adds each partition as it writes to it.
    expect((await produce(12, topic, txnId, first, 0, 0, 'a0')).errorCode).toBe(ErrorCode.NONE);
    expect((await produce(12, topic, txnId, first, 0, 1, 'a1')).errorCode).toBe(ErrorCode.NONE);
    // TxnOffsetCommit v5 adds the group's offsets partition.
    const committed = await waitFor(
      async () => {
        const answer = await commitOffset(txnId, first, 'tv2-group', input, 7);
        const code = answer.topics[0]!.partitions[0]!.errorCode;
        return code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS || code === ErrorCode.NOT_COORDINATOR ? null : answer;
      },
      10_000,
      'the offsets partition to load',
    );
    expect(committed.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    const open = coordinator.describeTransaction(txnId).description!;
    expect(open.state).toBe('Ongoing');
    expect(open.topics).toEqual(expect.arrayContaining([{ topic, partitions: [0, 1] }, expect.objectContaining({ topic: '__consumer_offsets' })]));

    const ended = await endTxn(txnId, first, true);
    expect(ended).toMatchObject({ errorCode: ErrorCode.NONE, producerId: first.producerId, producerEpoch: first.producerEpoch + 1 });
    const second = { producerId: ended.producerId, producerEpoch: ended.producerEpoch };
    await waitFor(() => (coordinator.describeTransaction(txnId).description?.state === 'CompleteCommit' ? true : null), 10_000, 'the commit');
    // The markers carry the bumped epoch: the partitions know the producer at its new epoch.
    for (const partition of [0, 1]) {
      expect(t.cluster.broker(0).replica(topic, partition)!.producerStates()[0]).toMatchObject({
        producerEpoch: second.producerEpoch,
        currentTxnStartOffset: -1,
      });
    }
    expect(await committedOffset('tv2-group', input)).toBe(7);
    // A retry of the EndTxn (the old epoch) gets the same answer; a late write of the ended transaction is fenced.
    expect(await endTxn(txnId, first, true)).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: second.producerEpoch });
    const replica0 = t.cluster.broker(0).replica(topic, 0)!;
    const end = replica0.log.logEndOffset;
    const late = await produce(12, topic, txnId, first, 1, 0, 'late');
    expect(late.errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(replica0.log.logEndOffset).toBe(end);
    expect(replica0.lastStableOffset).toBe(replica0.highWatermark);

    // The next transaction uses the epoch EndTxn gave; aborted, it bumps again.
    expect((await produce(12, topic, txnId, second, 0, 0, 'b0')).errorCode).toBe(ErrorCode.NONE);
    expect((await commitOffset(txnId, second, 'tv2-group', input, 9)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    const aborted = await endTxn(txnId, second, false);
    expect(aborted).toMatchObject({ errorCode: ErrorCode.NONE, producerId: first.producerId, producerEpoch: second.producerEpoch + 1 });
    await waitFor(() => (coordinator.describeTransaction(txnId).description?.state === 'CompleteAbort' ? true : null), 10_000, 'the abort');
    expect(await committedOffset('tv2-group', input)).toBe(7);

    // A third, committed.
    const third = { producerId: aborted.producerId, producerEpoch: aborted.producerEpoch };
    expect((await produce(12, topic, txnId, third, 0, 1, 'c1')).errorCode).toBe(ErrorCode.NONE);
    expect((await endTxn(txnId, third, true)).errorCode).toBe(ErrorCode.NONE);
    await waitFor(() => (coordinator.describeTransaction(txnId).description?.state === 'CompleteCommit' ? true : null), 10_000, 'the commit');

    expect((await readTopic(t.bootstrap, topic, 'read_committed')).sort()).toEqual(['a0', 'a1', 'c1']);
    expect((await readTopic(t.bootstrap, topic, 'read_uncommitted')).sort()).toEqual(['a0', 'a1', 'b0', 'c1']);
    expect(t.errors).toEqual([]);
  });

  it('TxnOffsetCommit before v5 is verified as a produce is: refused (INVALID_TXN_STATE, TRANSACTION_ABORTABLE from v4) until AddOffsetsToTxn added the group', async () => {
    const input = await createTopic();
    const txnId = 'tv1-offsets';
    const producer = await init(txnId);
    await groupCoordinatorReady();
    const commitAt = async (version: number) => {
      const answer = await raw.call(TxnOffsetCommit, version, {
        transactionalId: txnId,
        groupId: 'tv2-group',
        ...producer,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [{ name: input, partitions: [{ partitionIndex: 0, committedOffset: 3n, committedLeaderEpoch: -1, committedMetadata: null }] }],
      });
      return answer.topics[0]!.partitions[0]!.errorCode;
    };
    expect(await commitAt(3)).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(await commitAt(4)).toBe(ErrorCode.TRANSACTION_ABORTABLE);
    expect((await raw.call(AddOffsetsToTxn, 3, { transactionalId: txnId, ...producer, groupId: 'tv2-group' })).errorCode).toBe(ErrorCode.NONE);
    expect(await commitAt(3)).toBe(ErrorCode.NONE);
    expect((await endTxn(txnId, producer, false)).errorCode).toBe(ErrorCode.NONE);
  });

  it('keeps the transaction version and epochs across a coordinator reload (v1 transaction log values)', async () => {
    const topic = await createTopic();
    const txnId = 'tv2-reload';
    const producer = await init(txnId);
    expect((await produce(12, topic, txnId, producer, 0)).errorCode).toBe(ErrorCode.NONE);
    const ended = await endTxn(txnId, producer, true);
    expect(ended.errorCode).toBe(ErrorCode.NONE);
    const coordinator = t.cluster.broker(0).transactions;
    await waitFor(() => (coordinator.describeTransaction(txnId).description?.state === 'CompleteCommit' ? true : null), 10_000, 'the commit');
    // Reload every state partition from its log, as a new coordinator does.
    coordinator.shutdown();
    coordinator.syncAll();
    await waitFor(() => (coordinator.ownedPartitions().length === 2 ? true : null), 10_000, 'the coordinator to reload');
    expect(coordinator.describeTransaction(txnId).description).toMatchObject({ state: 'CompleteCommit', producerEpoch: producer.producerEpoch + 1 });
    // Still a transaction-version-2 transaction: the EndTxn retry is recognised by its old epoch.
    expect(await endTxn(txnId, producer, true)).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: producer.producerEpoch + 1 });
  });
});
