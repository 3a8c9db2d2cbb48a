// The transactions service (issue #18) against real embedded clusters: a topic's producers and last
// stable offsets (DescribeProducers and ListOffsets read_committed), written by librdkafka (kcat); and
// against a cluster playing Kafka 2.4, which has none of these APIs, the words that say so.
import { Admin } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransactionService } from '../../electron/services/transactions/service';
import { kcat, startTestCluster, topicName, type TestCluster } from '../broker/clients/helpers';

let current: TestCluster;
let old: TestCluster;
const admins: Admin[] = [];

function serviceFor(cluster: TestCluster): TransactionService {
  const admin = new Admin({ clientId: 'transactions-test', bootstrapBrokers: cluster.bootstrap.split(','), retries: 1, retryDelay: 100 });
  admins.push(admin);
  return new TransactionService({ admin: () => Promise.resolve(admin) });
}

beforeAll(async () => {
  [current, old] = await Promise.all([startTestCluster({ brokers: 1 }), startTestCluster({ brokers: 1, kafkaVersion: '2.4' })]);
});

afterAll(async () => {
  await Promise.all(admins.map((admin) => admin.close()));
  await Promise.all([current?.close(), old?.close()]);
});

describe('transactions service', () => {
  it("reads a topic's producers per partition and its last stable offsets against the high watermarks", async () => {
    const service = serviceFor(current);
    const topic = topicName('txn-topic');
    await kcat(current.bootstrap, ['-P', '-t', topic, '-p', '0', '-X', 'enable.idempotence=true'], { input: 'a\nb\nc\n' });
    const view = await service.topic('embedded', topic);
    expect(view.unsupported).toBeNull();
    const p0 = view.partitions.find((p) => p.partition === 0)!;
    expect(p0.error).toBeNull();
    expect(p0.highWatermark).toBe(3);
    // No transaction: what read_committed consumers read up to is the high watermark.
    expect(p0.lastStableOffset).toBe(3);
    expect(p0.producers).toHaveLength(1);
    expect(p0.producers[0]).toMatchObject({ producerEpoch: 0, lastSequence: 2, currentTxnStartOffset: -1 });
    expect(p0.producers[0]!.producerId).toBeGreaterThanOrEqual(0);

    await expect(service.topic('embedded', `${topic}-absent`)).rejects.toThrow(/does not exist/);
  });

  it('says which release a cluster without the transaction APIs would need, and still shows the offsets', async () => {
    const service = serviceFor(old);
    const topic = topicName('txn-old');
    await kcat(old.bootstrap, ['-P', '-t', topic, '-p', '0'], { input: 'x\ny\n' });
    const view = await service.topic('embedded', topic);
    expect(view.unsupported).toBe("Listing a partition's producers needs Kafka 2.8 or later (the DescribeProducers API), and this cluster does not offer it.");
    expect(view.partitions[0]).toMatchObject({ highWatermark: 2, lastStableOffset: 2, producers: [], error: null });

    const overview = await service.overview('embedded');
    expect(overview.unsupported).toBe('Listing transactions needs Kafka 3.0 or later (the ListTransactions API), and this cluster does not offer it.');
    expect(overview.transactions).toEqual([]);
    expect(overview.openOnPartitions).toEqual([]);
  });
});
