/**
 * Compaction of a transactional topic, as Kafka's LogCleaner does it: records of aborted transactions
 * are removed (and never count as a key's latest value), transaction markers stay while a reader may
 * still need them and go once delete.retention.ms has passed (an abort marker with its
 * aborted-transaction index entry, a commit marker once its transaction has no batch left), and no
 * open transaction is cleaned. Written by librdkafka's transactional producer, read back by kcat and
 * librdkafka consumers in both isolation levels, on every replica, and after a restart that rebuilds
 * the producer state from the cleaned log.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFailure } from '../../../electron/broker/cluster/controller';
import type { PartitionReplica } from '../../../electron/broker/cluster/partition-replica';
import { kcat, lines, startTestCluster, topicName, type TestCluster } from '../clients/helpers';
import { txnScenario } from './fixtures/txn';
import { waitFor } from '../../support/wait';

let test: TestCluster;

beforeAll(async () => {
  test = await startTestCluster({
    brokers: 3,
    config: { 'transaction.state.log.num.partitions': '3', 'offsets.topic.num.partitions': '3', 'group.initial.rebalance.delay.ms': '0' },
  });
});

afterAll(async () => {
  await test?.close();
});

const replicas = (topic: string): PartitionReplica[] => test.cluster.runningBrokers().map((broker) => broker.replica(topic, 0)!);

/** Every replica has the leader's log end (compaction then cleans the same range everywhere). */
async function replicated(topic: string): Promise<void> {
  const leader = test.cluster.controller.partition(topic, 0)!.leader;
  const end = test.cluster.broker(leader).replica(topic, 0)!.log.logEndOffset;
  await waitFor(() => replicas(topic).every((r) => r.log.logEndOffset === end && r.highWatermark === end) || null, 10_000, 'every replica to have the log');
}

const readKcat = async (topic: string, isolation: 'read_committed' | 'read_uncommitted') =>
  lines(await kcat(test.bootstrap, ['-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-X', `isolation.level=${isolation}`, '-f', '%s\\n'])).sort();

const readLibrdkafka = async (topic: string, isolation: 'read_committed' | 'read_uncommitted') =>
  (await txnScenario<{ values: string[] }>('consume', { bootstrap: test.bootstrap, topic, isolation, partitions: 1 })).values.sort();

/** The markers in a replica's log: 'commit' / 'abort' by offset order. */
const markers = (replica: PartitionReplica) =>
  [...replica.log.batchHeadersFrom(replica.log.logStartOffset)].filter((h) => h.marker).map((h) => (h.marker!.type === 1 ? 'commit' : 'abort'));

describe('compaction of transactional records', () => {
  it('removes aborted records at once and markers after delete.retention.ms; both isolation levels read the committed latest values', async () => {
    const topic = topicName('txn-compact');
    // Tiny segments: every batch and marker rolls one, so all but the last are cleanable.
    const created = test.cluster.controller.createTopic({
      name: topic,
      partitions: 1,
      replicationFactor: 3,
      configs: { 'cleanup.policy': 'compact', 'segment.bytes': '100', 'min.cleanable.dirty.ratio': '0.01', 'delete.retention.ms': '86400000' },
    });
    if (isFailure(created)) throw new Error(created.message);
    await txnScenario('transactions', {
      bootstrap: test.bootstrap,
      id: `tx-${topic}`,
      topic,
      transactions: [
        { values: ['a=1', 'b=1'], commit: true },
        // Aborted: a=2 is the latest record of a in the log, but not its latest value.
        { values: ['a=2', 'c=2'], commit: false },
        { values: ['b=3', 'e=3'], commit: true },
        { values: ['d=4'], commit: false },
        // e=5 leaves nothing of the third transaction's batch but b=3.
        { values: ['e=5'], commit: true },
        // f=7 leaves nothing of the sixth transaction's batch: its commit marker becomes useless.
        { values: ['f=6'], commit: true },
        { values: ['f=7', 'z=end'], commit: true },
      ],
    });
    await replicated(topic);
    const everything = ['a=1', 'a=2', 'b=1', 'b=3', 'c=2', 'd=4', 'e=3', 'e=5', 'f=6', 'f=7', 'z=end'];
    const committed = ['a=1', 'b=1', 'b=3', 'e=3', 'e=5', 'f=6', 'f=7', 'z=end'];
    expect(await readKcat(topic, 'read_uncommitted')).toEqual(everything);
    expect(await readKcat(topic, 'read_committed')).toEqual(committed);
    for (const replica of replicas(topic)) expect(replica.log.allAbortedTransactions()).toHaveLength(2);

    // First pass, markers within delete.retention.ms: aborted records and overwritten values go, every marker stays.
    const now = Date.now();
    // a=2 c=2 d=4 (aborted), b=1 e=3 f=6 (overwritten).
    for (const replica of replicas(topic)) expect(replica.log.compact(now, { force: true }).recordsRemoved).toBe(6);
    const latest = ['a=1', 'b=3', 'e=5', 'f=7', 'z=end'];
    for (const isolation of ['read_uncommitted', 'read_committed'] as const) {
      expect(await readKcat(topic, isolation)).toEqual(latest);
      expect(await readLibrdkafka(topic, isolation)).toEqual(latest);
    }
    for (const replica of replicas(topic)) {
      expect(markers(replica)).toEqual(['commit', 'abort', 'commit', 'abort', 'commit', 'commit', 'commit']);
      expect(replica.log.allAbortedTransactions()).toHaveLength(2);
    }

    // Once delete.retention.ms has passed: the abort markers (no batch of theirs left) go with their
    // index entries, and so does the sixth transaction's commit marker; the commit markers of
    // transactions with records left (a=1, b=3, e=5, f=7 z=end) stay.
    const later = now + 86_400_000 + 1;
    for (const replica of replicas(topic)) replica.log.compact(later, { force: true });
    for (const replica of replicas(topic)) {
      expect(markers(replica)).toEqual(['commit', 'commit', 'commit', 'commit']);
      expect(replica.log.allAbortedTransactions()).toEqual([]);
      expect(replica.lastStableOffset).toBe(replica.highWatermark);
    }
    for (const isolation of ['read_uncommitted', 'read_committed'] as const) {
      expect(await readKcat(topic, isolation)).toEqual(latest);
      expect(await readLibrdkafka(topic, isolation)).toEqual(latest);
    }

    // A restart without producer-state snapshots replays the cleaned log: no transaction looks open.
    for (const broker of test.cluster.runningBrokers().map((b) => b.id)) {
      const dir = test.cluster.broker(broker).replica(topic, 0)!.log.dir;
      await test.cluster.stopBroker(broker);
      rmSync(join(dir, 'producer-state.snapshot'), { force: true });
      await test.cluster.startBroker(broker);
    }
    await replicated(topic);
    for (const replica of replicas(topic)) expect(replica.lastStableOffset).toBe(replica.highWatermark);
    expect(await readKcat(topic, 'read_committed')).toEqual(latest);
    expect(test.errors).toEqual([]);
  });

  it('never cleans past an open transaction', async () => {
    const topic = topicName('txn-compact-open');
    const created = test.cluster.controller.createTopic({
      name: topic,
      partitions: 1,
      replicationFactor: 3,
      configs: { 'cleanup.policy': 'compact', 'segment.bytes': '100', 'min.cleanable.dirty.ratio': '0.01', 'delete.retention.ms': '0' },
    });
    if (isFailure(created)) throw new Error(created.message);
    // A producer opens a transaction (k=open) and vanishes; then committed records roll segments past it.
    await txnScenario('hang', { bootstrap: test.bootstrap, id: `hang-${topic}`, topic, values: ['k=open'], timeoutMs: 60_000 });
    await txnScenario('transactions', {
      bootstrap: test.bootstrap,
      id: `tx-${topic}`,
      topic,
      transactions: [
        { values: ['k=later'], commit: true },
        { values: ['z=end'], commit: true },
      ],
    });
    await replicated(topic);
    for (const replica of replicas(topic)) {
      expect(replica.lastStableOffset).toBe(0);
      console.log('DBG', replica.log.firstUnstableOffset(), replica.highWatermark, replica.log.logStartOffset, replica.log.logEndOffset);
      // Everything from offset 0 is unstable: nothing to clean, k=open still there for read_uncommitted.
      expect(replica.log.compact(Date.now() + 1000, { force: true }).cleanedSegments).toBe(0);
    }
    expect(await readKcat(topic, 'read_uncommitted')).toEqual(['k=later', 'k=open', 'z=end']);
  });
});
