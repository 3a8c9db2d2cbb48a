/**
 * Transactions with kafkajs against a 3-broker embedded cluster: commit and abort (read back by kcat in
 * both isolation levels and by a kafkajs read_committed consumer, which drops aborted records itself
 * from Fetch's abortedTransactions), offsets sent in a transaction visible only once it commits, and
 * fencing by a second producer with the same transactional id.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFailure } from '../../../electron/broker/cluster/controller';
import { kcat, lines, startTestCluster, topicName, type TestCluster } from '../clients/helpers';
import { waitFor } from '../../support/wait';

let test: TestCluster;
let kafka: Kafka;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  test = await startTestCluster({
    brokers: 3,
    config: { 'transaction.state.log.num.partitions': '3', 'offsets.topic.num.partitions': '3', 'group.initial.rebalance.delay.ms': '0' },
  });
  kafka = new Kafka({ brokers: test.bootstrap.split(','), clientId: 'txn-test', logLevel: logLevel.NOTHING });
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await test?.close();
});

function createTopic(prefix: string, partitions = 1): string {
  const name = topicName(prefix);
  const created = test.cluster.controller.createTopic({ name, partitions, replicationFactor: 3, configs: {} });
  if (isFailure(created)) throw new Error(created.message);
  return name;
}

async function transactionalProducer(transactionalId: string) {
  const producer = kafka.producer({ transactionalId, maxInFlightRequests: 1, idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  return producer;
}

const read = async (topic: string, isolation: 'read_committed' | 'read_uncommitted') =>
  lines(await kcat(test.bootstrap, ['-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-X', `isolation.level=${isolation}`, '-f', '%s\\n'])).sort();

describe('kafkajs transactions', () => {
  it('commit and abort: each isolation level reads what it should, a kafkajs read_committed consumer too', async () => {
    const topic = createTopic('kjs-txn', 3);
    const producer = await transactionalProducer(`kjs-${topic}`);
    const send = async (values: string[], commit: boolean) => {
      const txn = await producer.transaction();
      await txn.send({ topic, messages: values.map((value) => ({ key: value, value })) });
      if (commit) await txn.commit();
      else await txn.abort();
    };
    await send(['c1', 'c2', 'c3', 'c4'], true);
    await send(['a1', 'a2', 'a3'], false);
    await send(['c5'], true);
    await send(['a4'], false);
    expect(await read(topic, 'read_committed')).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    expect(await read(topic, 'read_uncommitted')).toEqual(['a1', 'a2', 'a3', 'a4', 'c1', 'c2', 'c3', 'c4', 'c5']);

    const consumer = kafka.consumer({ groupId: `kjs-reader-${topic}`, readUncommitted: false, maxWaitTimeInMs: 100 });
    await consumer.connect();
    cleanups.push(() => consumer.disconnect());
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value!.toString());
      },
    });
    await waitFor(() => seen.length >= 5 || null, 20_000, 'the kafkajs consumer to read the committed records');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seen.sort()).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    await consumer.stop();
    expect(test.errors).toEqual([]);
  });

  it('offsets sent in a transaction are committed with it, and dropped when it aborts', async () => {
    const topic = createTopic('kjs-offsets');
    const groupId = `kjs-group-${topic}`;
    const producer = await transactionalProducer(`kjs-${topic}`);
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    const committedOffset = async () => (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions[0]!.offset;

    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [{ value: 'x' }] });
    await aborted.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset: '7' }] }] });
    await aborted.abort();
    expect(await committedOffset()).toBe('-1');

    const committed = await producer.transaction();
    await committed.send({ topic, messages: [{ value: 'y' }] });
    await committed.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset: '12' }] }] });
    // Before the commit the offset is not visible.
    expect(await committedOffset()).toBe('-1');
    await committed.commit();
    await waitFor(async () => ((await committedOffset()) === '12' ? true : null), 10_000, 'the offsets to be committed with the transaction');
  });

  it('a second producer with the same transactional id fences the first', async () => {
    const topic = createTopic('kjs-fence');
    const id = `kjs-${topic}`;
    const first = await transactionalProducer(id);
    const zombie = await first.transaction();
    await zombie.send({ topic, messages: [{ value: 'zombie' }] });
    const second = await transactionalProducer(id);
    const txn = await second.transaction();
    await txn.send({ topic, messages: [{ value: 'successor' }] });
    await txn.commit();
    const refused = await zombie.commit().then(
      () => null,
      (error: unknown) => error as { type?: string },
    );
    expect(refused?.type).toMatch(/PRODUCER_FENCED|INVALID_PRODUCER_EPOCH/);
    expect(await read(topic, 'read_committed')).toEqual(['successor']);
  });

  it('kafkajs 2.2.4 drops a partition from a send when its leader moves to a broker that already answered: the broker wrote what it was sent', async () => {
    // The chaos test's kafkajs producer sends one partition per send() because of this (its header).
    // Partition 0 led by broker 0 (alone: it answers at once), partition 1 by broker 1, which broker 0
    // follows; kafkajs learns so with a first transaction.
    const topic = topicName('kjs-moved');
    const created = test.cluster.controller.createTopic({
      name: topic,
      assignment: [
        [0, 1, 2],
        [1, 0, 2],
      ],
      configs: {},
    });
    if (isFailure(created)) throw new Error(created.message);
    const transactionalId = `kjs-${topic}`;
    const producer = await transactionalProducer(transactionalId);
    const both = (prefix: string) => [0, 1].map((partition) => ({ value: `${prefix}${partition}`, partition }));
    const first = await producer.transaction();
    await first.send({ topic, messages: both('a') });
    await first.commit();
    // The next transaction may begin once the coordinator completed this one (else AddPartitionsToTxn
    // answers CONCURRENT_TRANSACTIONS and kafkajs refreshes its metadata before producing).
    const coordinator = () =>
      test.cluster.runningBrokers().find((b) => b.transactions.ownedPartitions().includes(b.transactions.partitionFor(transactionalId)));
    await waitFor(
      () => (coordinator()?.transactions.describeTransaction(transactionalId).description?.state === 'CompleteCommit' ? true : null),
      10_000,
      'the first transaction to complete',
    );
    // Broker 1 hands its leadership over; kafkajs still believes it leads partition 1.
    test.cluster.controller.moveLeadershipAway(1);
    expect(test.cluster.controller.partition(topic, 1)!.leader).toBe(0);

    const second = await producer.transaction();
    const answers = await second.send({ topic, messages: both('b') });
    await second.commit();
    // Broker 1 answered NOT_LEADER_OR_FOLLOWER for partition 1; its retry would go to broker 0, which had
    // answered for partition 0, so kafkajs never sent it again and resolved with partition 0's answer alone.
    expect(answers.map((answer) => answer.partition)).toEqual([0]);
    expect(await read(topic, 'read_committed')).toEqual(['a0', 'a1', 'b0']);
    // Partition 1 has the second transaction's commit marker (it was added to the transaction) and no record of it.
    const log = test.cluster.broker(0).replica(topic, 1)!.log;
    expect([...log.batchHeadersFrom(0)].map((h) => (h.marker ? `marker ${h.marker.type}` : 'records'))).toEqual(['records', 'marker 1', 'marker 1']);
    expect(test.errors).toEqual([]);
  });
});
