/**
 * A hanging transaction its coordinator knows nothing of, what `kafka-transactions.sh find-hanging`
 * looks for: a transactional batch on a partition that was never added to its transaction (the
 * AddPartitionsToTxn a producer lost, or a produce that arrived after its transaction ended, KIP-890's
 * case). The coordinator holds the transactional id with no transaction (Empty); the partition's
 * leader has the transaction open, holding the last stable offset, until an ABORT marker ends it.
 * No real client writes this on purpose: raw requests through the generated codec do. Since KIP-890
 * (Kafka 3.6) partition leaders refuse such a batch; like a cluster upgraded from an older release, or
 * one with `transaction.partition.verification.enable=false`, the helper turns that check off (a
 * dynamic cluster-wide config) for its write and back on after it.
 */
import { ErrorCode } from '../../electron/kafka/protocol/error-codes';
import { FindCoordinator, IncrementalAlterConfigs, InitProducerId, Produce, createFindCoordinatorRequest } from '../../electron/kafka/protocol/generated/index';
import { encodeRecordBatch } from '../../electron/kafka/records/record-batch';
import { RawClient } from '../broker/handlers/raw-client';
import { sleep } from './wait';
import { ZERO_UUID } from '../../electron/kafka/protocol/uuid';

export interface OrphanTransaction {
  producerId: number;
  producerEpoch: number;
  /** The offset of its batch. */
  offset: number;
}

/** Calls `request` on each broker until one answers other than `retry` codes, for up to 20 s. */
async function onSomeBroker<T>(bootstrap: string, request: (client: RawClient) => Promise<T>, code: (answer: T) => number, retry: number[]): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    let last: T | null = null;
    for (const address of bootstrap.split(',')) {
      const client = await RawClient.open(address);
      try {
        const answer = await request(client);
        if (!retry.includes(code(answer))) return answer;
        last = answer;
      } finally {
        client.close();
      }
    }
    if (Date.now() > deadline) throw new Error(`no broker answered: ${JSON.stringify(last, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
    await sleep(200);
  }
}

/**
 * Writes `values` as one transactional batch of a fresh producer of `transactionalId` to `topic`'s
 * `partition`, stamped `timestamp` (a past time makes it look long forgotten), without adding the
 * partition to any transaction.
 */
export async function writeOrphanTransaction(
  bootstrap: string,
  options: { transactionalId: string; topic: string; partition: number; values: string[]; timestamp: number },
): Promise<OrphanTransaction> {
  const transient = [ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.CONCURRENT_TRANSACTIONS];
  // FindCoordinator creates the transaction state topic on first use.
  await onSomeBroker(
    bootstrap,
    (client) => client.call(FindCoordinator, 4, { ...createFindCoordinatorRequest(), keyType: 1, coordinatorKeys: [options.transactionalId] }),
    (answer) => answer.coordinators[0]?.errorCode ?? -1,
    transient,
  );
  const init = await onSomeBroker(
    bootstrap,
    (client) => client.call(InitProducerId, 4, { transactionalId: options.transactionalId, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 }),
    (answer) => answer.errorCode,
    transient,
  );
  if (init.errorCode !== ErrorCode.NONE) throw new Error(`InitProducerId failed with error ${init.errorCode}`);
  const producerId = Number(init.producerId);
  const records = encodeRecordBatch({
    records: options.values.map((value) => ({ key: Buffer.from(value), value: Buffer.from(value) })),
    timestamp: options.timestamp,
    producerId,
    producerEpoch: init.producerEpoch,
    baseSequence: 0,
    transactional: true,
  });
  const verification = async (operation: 'off' | 'default') => {
    const client = await RawClient.open(bootstrap.split(',')[0]!);
    try {
      const answer = await client.call(IncrementalAlterConfigs, 1, {
        validateOnly: false,
        resources: [
          {
            resourceType: 4,
            resourceName: '',
            configs: [{ name: 'transaction.partition.verification.enable', configOperation: operation === 'off' ? 0 : 1, value: 'false' }],
          },
        ],
      });
      const code = answer.responses[0]?.errorCode ?? -1;
      if (code !== ErrorCode.NONE) throw new Error(`turning transaction verification ${operation} failed with error ${code}`);
    } finally {
      client.close();
    }
  };
  await verification('off');
  const produced = await onSomeBroker(
    bootstrap,
    (client) =>
      client.call(Produce, 9, {
        transactionalId: options.transactionalId,
        acks: -1,
        timeoutMs: 10_000,
        topicData: [{ topicId: ZERO_UUID, name: options.topic, partitionData: [{ index: options.partition, records }] }],
      }),
    (answer) => answer.responses[0]?.partitionResponses[0]?.errorCode ?? -1,
    [ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
  ).finally(() => verification('default'));
  const partition = produced.responses[0]!.partitionResponses[0]!;
  if (partition.errorCode !== ErrorCode.NONE) throw new Error(`Produce failed with error ${partition.errorCode}: ${partition.errorMessage}`);
  return { producerId, producerEpoch: init.producerEpoch, offset: Number(partition.baseOffset) };
}
