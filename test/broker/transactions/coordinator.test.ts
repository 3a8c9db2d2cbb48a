/**
 * The transaction coordinator's rules over the wire (raw requests through the generated codec): timeouts
 * refused above transaction.max.timeout.ms, epochs bumped and older epochs fenced (PRODUCER_FENCED, or
 * INVALID_PRODUCER_EPOCH for old request versions), Kafka's answers for EndTxn in each state, the
 * TRANSACTIONAL_ID ACLs, transactional.id.expiration.ms, and markers refused from a fenced epoch.
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
  InitProducerId,
  Produce,
  WriteTxnMarkers,
} from '../../../electron/kafka/protocol/generated/index';
import { encodeRecordBatch } from '../../../electron/kafka/records/record-batch';
import { startTestCluster, topicName, type TestCluster } from '../clients/helpers';
import { RawClient } from '../handlers/raw-client';
import { waitFor } from '../../support/wait';
import { ZERO_UUID } from '../../../electron/kafka/protocol/uuid';

let t: TestCluster;
let raw: RawClient;

beforeAll(async () => {
  t = await startTestCluster({ brokers: 1, config: { 'transaction.state.log.num.partitions': '2', 'transaction.max.timeout.ms': '60000' } });
  raw = await RawClient.open(t.bootstrap);
  await raw.call(FindCoordinator, 4, { ...createFindCoordinatorRequest(), keyType: 1, coordinatorKeys: ['warm-up'] });
  await waitFor(() => (t.cluster.broker(0).transactions.ownedPartitions().length === 2 ? true : null), 10_000, 'the coordinator to load');
});

afterAll(async () => {
  raw?.close();
  await t?.close();
});

async function createTopic(): Promise<string> {
  const name = topicName('txn-rules');
  const response = await raw.call(CreateTopics, 5, {
    ...createCreateTopicsRequest(),
    timeoutMs: 10_000,
    topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
  });
  expect(response.topics[0]?.errorCode).toBe(ErrorCode.NONE);
  return name;
}

const init = (transactionalId: string, version = 4, timeoutMs = 30_000, producerId = -1n, producerEpoch = -1) =>
  raw.call(InitProducerId, version, { transactionalId, transactionTimeoutMs: timeoutMs, producerId, producerEpoch });

const addPartitions = (transactionalId: string, producerId: bigint, producerEpoch: number, topic: string, version = 3) =>
  raw.call(AddPartitionsToTxn, version, {
    ...createAddPartitionsToTxnRequest(),
    v3AndBelowTransactionalId: transactionalId,
    v3AndBelowProducerId: producerId,
    v3AndBelowProducerEpoch: producerEpoch,
    v3AndBelowTopics: [{ name: topic, partitions: [0] }],
  });

const endTxn = (transactionalId: string, producerId: bigint, producerEpoch: number, committed: boolean, version = 3) =>
  raw.call(EndTxn, version, { transactionalId, producerId, producerEpoch, committed });

function produce(topic: string, transactionalId: string | null, producerId: bigint, producerEpoch: number, baseSequence: number) {
  const records = encodeRecordBatch({
    records: [{ value: Buffer.from(`v${baseSequence}`) }],
    producerId: Number(producerId),
    producerEpoch,
    baseSequence,
    transactional: true,
  });
  return raw.call(Produce, 9, {
    transactionalId,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ topicId: ZERO_UUID, name: topic, partitionData: [{ index: 0, records }] }],
  });
}

describe('transaction coordinator', () => {
  it('refuses a timeout above transaction.max.timeout.ms and an empty transactional id', async () => {
    expect((await init('too-long', 4, 60_001)).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect((await init('zero', 4, 0)).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect((await init('', 4)).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect((await init('fine', 4, 60_000)).errorCode).toBe(ErrorCode.NONE);
  });

  it('bumps the epoch at every init; the older epoch is fenced (PRODUCER_FENCED, INVALID_PRODUCER_EPOCH before v2)', async () => {
    const topic = await createTopic();
    const first = await init('bumps');
    expect(first.errorCode).toBe(ErrorCode.NONE);
    const second = await init('bumps');
    expect(second.producerId).toBe(first.producerId);
    expect(second.producerEpoch).toBe(first.producerEpoch + 1);
    expect(
      (await addPartitions('bumps', first.producerId, first.producerEpoch, topic)).resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode,
    ).toBe(ErrorCode.PRODUCER_FENCED);
    expect(
      (await addPartitions('bumps', first.producerId, first.producerEpoch, topic, 1)).resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode,
    ).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(
      (await addPartitions('bumps', second.producerId + 1n, second.producerEpoch, topic)).resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!
        .partitionErrorCode,
    ).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    // KIP-360: naming a stale epoch is fenced; naming the current one bumps it.
    expect((await init('bumps', 4, 30_000, first.producerId, first.producerEpoch - 1)).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await init('bumps', 3, 30_000, first.producerId, first.producerEpoch - 1)).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    const third = await init('bumps', 4, 30_000, second.producerId, second.producerEpoch);
    expect(third).toMatchObject({ errorCode: ErrorCode.NONE, producerId: second.producerId, producerEpoch: second.producerEpoch + 1 });
  });

  it("answers EndTxn as Kafka does in each state; a new init aborts the open transaction and fences its producer's writes", async () => {
    const topic = await createTopic();
    const p = await init('states');
    expect((await endTxn('states', p.producerId, p.producerEpoch, true)).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    expect((await addPartitions('states', p.producerId, p.producerEpoch, topic)).resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode).toBe(
      ErrorCode.NONE,
    );
    expect((await produce(topic, 'states', p.producerId, p.producerEpoch, 0)).responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
    const replica = t.cluster.broker(0).replica(topic, 0)!;
    expect(replica.lastStableOffset).toBe(0);
    expect(replica.producerStates()[0]).toMatchObject({ producerId: Number(p.producerId), currentTxnStartOffset: 0 });
    expect((await endTxn('states', p.producerId, p.producerEpoch, true)).errorCode).toBe(ErrorCode.NONE);
    await waitFor(
      () => (t.cluster.broker(0).transactions.describeTransaction('states').description?.state === 'CompleteCommit' ? true : null),
      10_000,
      'the commit',
    );
    // A retry of the commit is answered as the commit was; an abort now is not a valid transition.
    expect((await endTxn('states', p.producerId, p.producerEpoch, true)).errorCode).toBe(ErrorCode.NONE);
    expect((await endTxn('states', p.producerId, p.producerEpoch, false)).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(replica.lastStableOffset).toBe(replica.highWatermark);
    expect(replica.producerStates()[0]).toMatchObject({ currentTxnStartOffset: -1, coordinatorEpoch: 0 });

    // An open transaction: the next init aborts it (CONCURRENT_TRANSACTIONS until done), then bumps again.
    expect((await addPartitions('states', p.producerId, p.producerEpoch, topic)).resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode).toBe(
      ErrorCode.NONE,
    );
    expect((await produce(topic, 'states', p.producerId, p.producerEpoch, 1)).responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
    expect((await init('states')).errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    const next = await waitFor(
      async () => {
        const r = await init('states');
        return r.errorCode === ErrorCode.NONE ? r : null;
      },
      10_000,
      'the open transaction to be aborted',
    );
    expect(next.producerEpoch).toBe(p.producerEpoch + 2);
    expect(replica.log.allAbortedTransactions()).toEqual([expect.objectContaining({ producerId: Number(p.producerId), firstOffset: 2 })]);
    // The zombie's epoch is fenced on the partition too.
    expect((await produce(topic, 'states', p.producerId, p.producerEpoch, 2)).responses[0]!.partitionResponses[0]!.errorCode).toBe(
      ErrorCode.INVALID_PRODUCER_EPOCH,
    );
    // So is a marker of its epoch, written as kafka-transactions.sh abort would.
    const marker = await raw.call(WriteTxnMarkers, 1, {
      markers: [
        {
          producerId: p.producerId,
          producerEpoch: p.producerEpoch,
          transactionResult: false,
          topics: [{ name: topic, partitionIndexes: [0] }],
          coordinatorEpoch: 0,
        },
      ],
    });
    expect(marker.markers[0]!.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it('answers a marker for a producer id this cluster never assigned (negative, or past 2^53) with UNKNOWN_PRODUCER_ID, writing nothing', async () => {
    const topic = await createTopic();
    const replica = t.cluster.broker(0).replica(topic, 0)!;
    const end = replica.log.logEndOffset;
    for (const producerId of [-5n, 9_223_372_036_854_775_807n]) {
      const marker = await raw.call(WriteTxnMarkers, 1, {
        markers: [{ producerId, producerEpoch: 0, transactionResult: true, topics: [{ name: topic, partitionIndexes: [0] }], coordinatorEpoch: 0 }],
      });
      expect(marker.markers[0]!.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_PRODUCER_ID);
    }
    expect(replica.log.logEndOffset).toBe(end);
    expect(t.errors).toEqual([]);
  });

  it('refuses transactional records sent without their transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), writing nothing', async () => {
    const topic = await createTopic();
    const initialized = await init('sent-without-its-id');
    expect(initialized.errorCode).toBe(ErrorCode.NONE);
    const replica = t.cluster.broker(0).replica(topic, 0)!;
    const end = replica.log.logEndOffset;
    const answer = await produce(topic, null, initialized.producerId, initialized.producerEpoch, 0);
    expect(answer.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    expect(replica.log.logEndOffset).toBe(end);
    expect(replica.lastStableOffset).toBe(replica.highWatermark);
  });

  it('removes transactional ids idle longer than transactional.id.expiration.ms', async () => {
    const p = await init('expires');
    expect(p.errorCode).toBe(ErrorCode.NONE);
    const coordinator = t.cluster.broker(0).transactions;
    expect(coordinator.describeTransaction('expires').errorCode).toBe(ErrorCode.NONE);
    expect(coordinator.expireTransactionalIds(Date.now())).toBe(0);
    expect(coordinator.expireTransactionalIds(Date.now() + 7 * 24 * 3600_000 + 1000)).toBeGreaterThan(0);
    await waitFor(
      () => (coordinator.describeTransaction('expires').errorCode === ErrorCode.TRANSACTIONAL_ID_NOT_FOUND ? true : null),
      10_000,
      'the id to expire',
    );
    expect(coordinator.listTransactions({ states: [], producerIds: [Number(p.producerId)], durationMs: -1 })).toEqual([]);
  });
});
