/**
 * Transactions with librdkafka (confluent-kafka) against the embedded cluster: commits and aborts seen
 * by read_committed and read_uncommitted consumers, fencing by a second producer with the same
 * transactional id, a producer that vanishes mid-transaction aborted by its timeout, and
 * consume-transform-produce with offsets committed in the transaction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFailure } from '../../../electron/broker/cluster/controller';
import { startTestCluster, topicName, type TestCluster } from '../clients/helpers';
import { txnScenario } from './fixtures/txn';
import { waitFor } from '../../support/wait';

let test: TestCluster;

beforeAll(async () => {
  test = await startTestCluster({
    brokers: 3,
    config: {
      'transaction.state.log.num.partitions': '3',
      'offsets.topic.num.partitions': '3',
      'transaction.abort.timed.out.transaction.cleanup.interval.ms': '500',
      'group.initial.rebalance.delay.ms': '0',
    },
  });
});

afterAll(async () => {
  await test?.close();
});

function createTopic(prefix: string, partitions = 1): string {
  const name = topicName(prefix);
  const created = test.cluster.controller.createTopic({ name, partitions, replicationFactor: 3, configs: {} });
  if (isFailure(created)) throw new Error(created.message);
  return name;
}

const consume = (topic: string, isolation: 'read_committed' | 'read_uncommitted', partitions = 1) =>
  txnScenario<{ values: string[]; eof: number[] }>('consume', { bootstrap: test.bootstrap, topic, isolation, partitions });

describe('librdkafka transactional producer', () => {
  it('commits and aborts: read_committed sees only committed records, read_uncommitted all', async () => {
    const topic = createTopic('txn-commit-abort', 2);
    const result = await txnScenario<{ done: boolean[] }>('transactions', {
      bootstrap: test.bootstrap,
      id: `tx-${topic}`,
      topic,
      transactions: [
        { values: ['c1', 'c2', 'c3'], commit: true },
        { values: ['a1', 'a2'], commit: false },
        { values: ['c4'], commit: true },
        { values: ['a3', 'a4', 'a5'], commit: false },
      ],
    });
    expect(result.done).toEqual([true, false, true, false]);
    const committed = await consume(topic, 'read_committed', 2);
    expect(committed.values.sort()).toEqual(['c1', 'c2', 'c3', 'c4']);
    const uncommitted = await consume(topic, 'read_uncommitted', 2);
    expect(uncommitted.values.sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'c1', 'c2', 'c3', 'c4']);
    // The markers are in the log: every partition's LSO is its high watermark, and the aborts are indexed.
    for (const p of [0, 1]) {
      const leader = test.cluster.broker(test.cluster.controller.partition(topic, p)!.leader);
      const replica = leader.replica(topic, p)!;
      expect(replica.lastStableOffset).toBe(replica.highWatermark);
      expect(replica.producerStates().every((s) => s.currentTxnStartOffset === -1)).toBe(true);
    }
    const aborted = [0, 1].flatMap((p) =>
      test.cluster.broker(test.cluster.controller.partition(topic, p)!.leader).replica(topic, p)!.log.allAbortedTransactions(),
    );
    expect(aborted.length).toBeGreaterThanOrEqual(2);
    expect(test.errors).toEqual([]);
  });

  it('fences the first producer when a second one initialises the same transactional id', async () => {
    const topic = createTopic('txn-fence');
    const result = await txnScenario<{ successor: string; zombie: unknown }>('fence', { bootstrap: test.bootstrap, id: `tx-${topic}`, topic });
    expect(result.successor).toBe('committed');
    expect(result.zombie).toMatchObject({ fatal: true });
    const committed = await consume(topic, 'read_committed');
    expect(committed.values).toEqual(['successor-1']);
  });

  it('aborts the transaction of a producer that vanished, once its timeout passes', async () => {
    const topic = createTopic('txn-hang');
    await txnScenario('hang', { bootstrap: test.bootstrap, id: `tx-${topic}`, topic, timeoutMs: 2000, values: ['lost-1', 'lost-2'] });
    const leader = () => test.cluster.broker(test.cluster.controller.partition(topic, 0)!.leader).replica(topic, 0)!;
    // While open, the transaction holds the LSO at its first record.
    expect(leader().lastStableOffset).toBe(0);
    await waitFor(() => leader().lastStableOffset === leader().highWatermark || null, 15_000, 'the timed-out transaction to be aborted');
    expect(leader().log.allAbortedTransactions()).toHaveLength(1);
    await txnScenario('transactions', { bootstrap: test.bootstrap, id: `tx2-${topic}`, topic, transactions: [{ values: ['after'], commit: true }] });
    expect((await consume(topic, 'read_committed')).values).toEqual(['after']);
    expect((await consume(topic, 'read_uncommitted')).values).toEqual(['lost-1', 'lost-2', 'after']);
  });

  it('consume-transform-produce: output and committed offsets move together, aborted batches are redone', async () => {
    const input = createTopic('txn-in');
    const output = createTopic('txn-out');
    const values = Array.from({ length: 30 }, (_, i) => `v${i}`);
    await txnScenario('transactions', { bootstrap: test.bootstrap, id: `tx-feed-${input}`, topic: input, transactions: [{ values, commit: true }] });
    const group = `ctp-${input}`;
    const result = await txnScenario<{ consumed: number; committed: number }>('ctp', {
      bootstrap: test.bootstrap,
      id: `tx-ctp-${input}`,
      group,
      input,
      output,
      count: 30,
      per: 7,
      abort: [1, 3],
    });
    expect(result.consumed).toBe(30);
    // 30 records and the commit marker of the feeding transaction.
    expect(result.committed).toBe(31);
    const committed = await consume(output, 'read_committed');
    expect(committed.values.sort()).toEqual(values.map((v) => v.toUpperCase()).sort());
    expect(test.errors).toEqual([]);
  });
});
