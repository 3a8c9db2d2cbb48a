// The transactions service (issue #18) against real embedded clusters: a topic's producers and last
// stable offsets (DescribeProducers and ListOffsets read_committed), written by librdkafka (kcat); and
// against a cluster playing Kafka 2.4, which has none of these APIs, the words that say so.
import { Admin } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransactionService } from '../../electron/services/transactions/service';
import { isFailure } from '../../electron/broker/cluster/controller';
import { TopicReader } from '../../electron/services/messages/fetch';
import { kcat, startTestCluster, topicName, type TestCluster } from '../broker/clients/helpers';
import { txnScenario } from '../broker/transactions/fixtures/txn';
import { waitFor } from '../support/wait';
import { writeOrphanTransaction } from '../support/orphan-transaction';

let current: TestCluster;
let old: TestCluster;
let txn: TestCluster;
const admins: Admin[] = [];

function serviceFor(cluster: TestCluster): TransactionService {
  const admin = new Admin({ clientId: 'transactions-test', bootstrapBrokers: cluster.bootstrap.split(','), retries: 1, retryDelay: 100 });
  admins.push(admin);
  return new TransactionService({ admin: () => Promise.resolve(admin) });
}

beforeAll(async () => {
  [current, old, txn] = await Promise.all([
    startTestCluster({ brokers: 1 }),
    startTestCluster({ brokers: 1, kafkaVersion: '2.4' }),
    // Timed-out transactions are not aborted by the coordinator here (its sweep runs every 10 min): they hang.
    startTestCluster({
      brokers: 1,
      config: { 'transaction.state.log.num.partitions': '2', 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '600000' },
    }),
  ]);
});

afterAll(async () => {
  await Promise.all(admins.map((admin) => admin.close()));
  await Promise.all([current?.close(), old?.close(), txn?.close()]);
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

describe('transactions service with librdkafka transactions', () => {
  it('finds a transaction hanging past its timeout, holding the LSO; aborting it releases the partition', async () => {
    const service = serviceFor(txn);
    const topic = topicName('txn-hang');
    const id = `hang-${topic}`;
    const other = `${topic}-ok`;
    for (const name of [topic, other]) {
      const created = txn.cluster.controller.createTopic({ name, partitions: 1, replicationFactor: 1, configs: {} });
      if (isFailure(created)) throw new Error(created.message);
    }
    await txnScenario('transactions', {
      bootstrap: txn.bootstrap,
      id: `ok-${topic}`,
      topic: other,
      transactions: [{ values: ['c1'], partition: 0, commit: true }],
    });
    // Begins a transaction, writes 3 records to partition 0 and vanishes; its timeout is 1 s.
    await txnScenario('hang', { bootstrap: txn.bootstrap, id, topic, timeoutMs: 1000, values: ['o1', 'o2', 'o3'] });

    const overview = await waitFor(
      async () => {
        const read = await service.overview('embedded');
        return read.transactions.find((t) => t.transactionalId === id)?.hanging ? read : null;
      },
      15_000,
      'the transaction to hang past its timeout',
    );
    expect(overview.unsupported).toBeNull();
    const hanging = overview.transactions.find((t) => t.transactionalId === id)!;
    expect(hanging).toMatchObject({ state: 'Ongoing', timeoutMs: 1000, partitions: [{ topic, partitions: [0] }], coordinator: 0 });
    expect(hanging.hanging).toMatch(/^open for \d+ s, past its timeout of 1 s$/);
    const done = overview.transactions.find((t) => t.transactionalId === `ok-${topic}`)!;
    expect(done).toMatchObject({ state: 'CompleteCommit', hanging: null });
    const onPartition = overview.openOnPartitions.filter((e) => e.topic === topic);
    expect(onPartition).toHaveLength(1);
    expect(onPartition[0]).toMatchObject({
      partition: 0,
      producerId: hanging.producerId,
      producerEpoch: hanging.producerEpoch,
      startOffset: 0,
      lastStableOffset: 0,
      highWatermark: 3,
      blocksLso: true,
      transactionalId: id,
    });
    expect(onPartition[0]!.hanging).toContain(`its transaction "${id}" is open for`);

    // read_uncommitted sees the open records, marked open; read_committed nothing of partition 0.
    const admin = admins[admins.length - 1]!;
    const uncommitted = await TopicReader.open(admin, topic);
    const [open] = await uncommitted.fetch([{ partition: 0, offset: 0, maxBytes: 1 << 20 }]);
    expect(open!.records.map((r) => [r.value?.toString(), r.transaction?.state])).toEqual([
      ['o1', 'open'],
      ['o2', 'open'],
      ['o3', 'open'],
    ]);
    expect(open!.lastStableOffset).toBe(0);

    const result = await service.abort('embedded', [
      {
        topic,
        partition: 0,
        producerId: onPartition[0]!.producerId,
        producerEpoch: onPartition[0]!.producerEpoch,
        coordinatorEpoch: onPartition[0]!.coordinatorEpoch,
      },
    ]);
    expect(result.results).toEqual([{ topic, partition: 0, error: null }]);

    // The ABORT marker at offset 3 ends it: the LSO reaches the high watermark.
    const after = await service.topic('embedded', topic);
    const p0 = after.partitions.find((p) => p.partition === 0)!;
    expect(p0).toMatchObject({ highWatermark: 4, lastStableOffset: 4 });
    expect(p0.producers.find((p) => p.producerId === hanging.producerId)?.currentTxnStartOffset).toBe(-1);
    const [aborted] = await uncommitted.fetch([{ partition: 0, offset: 0, maxBytes: 1 << 20 }]);
    expect(aborted!.records.map((r) => [r.value?.toString(), r.transaction])).toEqual([
      ['o1', { state: 'aborted', markerOffset: 3 }],
      ['o2', { state: 'aborted', markerOffset: 3 }],
      ['o3', { state: 'aborted', markerOffset: 3 }],
    ]);
    const committedReader = await TopicReader.open(admin, topic, { isolation: 'read_committed', showControl: true });
    const [visible] = await committedReader.fetch([{ partition: 0, offset: 0, maxBytes: 1 << 20 }]);
    // Aborted records are left out; the marker is kept when asked for.
    expect(visible!.records.map((r) => [r.offset, r.control?.type ?? r.value?.toString()])).toEqual([[3, 'abort']]);
    const otherReader = await TopicReader.open(admin, other, { isolation: 'read_committed', showControl: true });
    const [committed] = await otherReader.fetch([{ partition: 0, offset: 0, maxBytes: 1 << 20 }]);
    expect(committed!.records.map((r) => [r.control?.type ?? r.value?.toString(), r.transaction?.state ?? null])).toEqual([
      ['c1', 'committed'],
      ['commit', null],
    ]);
    expect(txn.errors).toEqual([]);
  });

  it('finds a hanging transaction its coordinator has no transaction for (find-hanging) and aborts it with its producer id and epoch', async () => {
    const service = serviceFor(txn);
    const topic = topicName('txn-orphan');
    const id = `orphan-${topic}`;
    const created = txn.cluster.controller.createTopic({ name: topic, partitions: 1, replicationFactor: 1, configs: {} });
    if (isFailure(created)) throw new Error(created.message);
    await kcat(txn.bootstrap, ['-P', '-t', topic, '-p', '0'], { input: 'before\n' });
    // Written 5 minutes ago (by its timestamps) to a partition never added to a transaction.
    const orphan = await writeOrphanTransaction(txn.bootstrap, {
      transactionalId: id,
      topic,
      partition: 0,
      values: ['x1', 'x2'],
      timestamp: Date.now() - 300_000,
    });
    expect(orphan.offset).toBe(1);
    await kcat(txn.bootstrap, ['-P', '-t', topic, '-p', '0'], { input: 'after\n' });

    const overview = await service.overview('embedded');
    // The coordinator knows the id, with no transaction: nothing there to time out and abort it.
    const atCoordinator = overview.transactions.find((t) => t.transactionalId === id)!;
    expect(atCoordinator).toMatchObject({ state: 'Empty', producerId: orphan.producerId, partitions: [] });
    const entry = overview.openOnPartitions.find((e) => e.topic === topic)!;
    expect(entry).toMatchObject({
      partition: 0,
      producerId: orphan.producerId,
      producerEpoch: orphan.producerEpoch,
      coordinatorEpoch: -1,
      startOffset: 1,
      lastStableOffset: 1,
      highWatermark: 4,
      blocksLso: true,
      transactionalId: id,
    });
    expect(entry.hanging).toMatch(new RegExp(`^its transaction "${id}" is Empty at the coordinator, but no marker ended it here \\(last write 5 min ago\\)$`));
    // Its coordinator's row says why, too.
    expect(atCoordinator.hanging).toBe(`it holds the last stable offset of ${topic}-0`);
    const readCommitted = async () =>
      (await kcat(txn.bootstrap, ['-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-X', 'isolation.level=read_committed', '-f', '%s\\n']))
        .split('\n')
        .filter(Boolean);
    expect(await readCommitted()).toEqual(['before']);

    // kafka-transactions.sh abort --producer-id --producer-epoch --coordinator-epoch: what the screen's Abort sends.
    const result = await service.abort('embedded', [
      { topic, partition: 0, producerId: entry.producerId, producerEpoch: entry.producerEpoch, coordinatorEpoch: entry.coordinatorEpoch },
    ]);
    expect(result.results).toEqual([{ topic, partition: 0, error: null }]);
    const after = await service.overview('embedded');
    expect(after.openOnPartitions.filter((e) => e.topic === topic)).toEqual([]);
    expect(after.transactions.find((t) => t.transactionalId === id)?.hanging).toBeNull();
    expect(await readCommitted()).toEqual(['before', 'after']);
    expect(txn.errors).toEqual([]);
  });

  it('calls a transaction open on a partition its ongoing coordinator transaction does not list hanging', async () => {
    const service = serviceFor(txn);
    const topic = topicName('txn-stray');
    const id = `stray-${topic}`;
    for (const name of [topic, `${topic}-listed`]) {
      const created = txn.cluster.controller.createTopic({ name, partitions: 1, replicationFactor: 1, configs: {} });
      if (isFailure(created)) throw new Error(created.message);
    }
    // An old stray batch on the topic, then the same id's producer (a new epoch) opens a transaction elsewhere.
    await writeOrphanTransaction(txn.bootstrap, { transactionalId: id, topic, partition: 0, values: ['s1'], timestamp: Date.now() - 300_000 });
    await txnScenario('hang', { bootstrap: txn.bootstrap, id, topic: `${topic}-listed`, timeoutMs: 600_000, values: ['o1'] });
    const overview = await service.overview('embedded');
    const ongoing = overview.transactions.find((t) => t.transactionalId === id)!;
    expect(ongoing).toMatchObject({ state: 'Ongoing', partitions: [{ topic: `${topic}-listed`, partitions: [0] }] });
    const stray = overview.openOnPartitions.find((e) => e.topic === topic)!;
    expect(stray.hanging).toMatch(new RegExp(`^its transaction "${id}" is Ongoing at the coordinator without ${topic}-0, and no marker ended it here`));
    // The transaction it does list is open, not hanging.
    expect(overview.openOnPartitions.find((e) => e.topic === `${topic}-listed`)?.hanging).toBeNull();
  });
});
