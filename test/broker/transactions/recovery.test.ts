/**
 * Transactions across a kill -9 of the only broker: the open transaction still holds the last stable
 * offset after recovery (its state replayed from the log), the reloaded coordinator aborts it when its
 * timeout passes, and the aborted-transaction index is rebuilt from the log when its file is lost.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFailure } from '../../../electron/broker/cluster/controller';
import { kcat, lines, startTestCluster, topicName, type TestCluster } from '../clients/helpers';
import { waitFor } from '../../support/wait';

let test: TestCluster;

beforeAll(async () => {
  test = await startTestCluster({
    brokers: 1,
    config: { 'transaction.state.log.num.partitions': '2', 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '300' },
  });
});

afterAll(async () => {
  await test?.close();
});

const read = async (topic: string, isolation: string) =>
  lines(await kcat(test.bootstrap, ['-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-X', `isolation.level=${isolation}`, '-f', '%s\\n']));

describe('transactions and a killed broker', () => {
  it('keep an open transaction open across kill -9, abort it by its timeout, and rebuild a lost abort index', async () => {
    const topic = topicName('txn-kill');
    const created = test.cluster.controller.createTopic({ name: topic, partitions: 1, replicationFactor: 1, configs: {} });
    if (isFailure(created)) throw new Error(created.message);
    const kafka = new Kafka({ brokers: [test.bootstrap], clientId: 'txn-kill', logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 100 } });

    const committer = kafka.producer({ transactionalId: `done-${topic}`, maxInFlightRequests: 1, idempotent: true });
    await committer.connect();
    const done = await committer.transaction();
    await done.send({ topic, messages: [{ value: 'committed-1' }, { value: 'committed-2' }] });
    await done.commit();
    await committer.disconnect();

    const producer = kafka.producer({ transactionalId: `open-${topic}`, maxInFlightRequests: 1, idempotent: true, transactionTimeout: 3000 });
    await producer.connect();
    const open = await producer.transaction();
    await open.send({ topic, messages: [{ value: 'open-1' }, { value: 'open-2' }] });
    const replica = () => test.cluster.broker(0).replica(topic, 0)!;
    // Offsets 0-1 committed, 2 their marker, 3-4 the open transaction.
    expect(replica().lastStableOffset).toBe(3);

    await test.cluster.killBroker(0);
    await producer.disconnect().catch(() => {});
    await test.cluster.startBroker(0);
    await waitFor(() => test.cluster.broker(0).replica(topic, 0) ?? null, 10_000, 'the partition to reopen');
    // Recovered from the log: still open, still holding the LSO.
    expect(replica().highWatermark).toBe(5);
    expect(replica().lastStableOffset).toBe(3);
    expect(
      replica()
        .producerStates()
        .find((p) => p.currentTxnStartOffset === 3),
    ).toBeDefined();
    // The coordinator reloaded it and aborts it once its 3 s are up.
    await waitFor(() => (replica().lastStableOffset === replica().highWatermark ? true : null), 20_000, 'the timed-out transaction to be aborted');
    expect(replica().log.allAbortedTransactions()).toEqual([expect.objectContaining({ firstOffset: 3, lastOffset: 5 })]);
    expect(await read(topic, 'read_committed')).toEqual(['committed-1', 'committed-2']);

    // Lose the index file with another kill: the replay from the log writes it again.
    const dir = replica().log.dir;
    await test.cluster.killBroker(0);
    for (const name of readdirSync(dir)) if (name.endsWith('.txnindex') || name === 'producer-state.snapshot') rmSync(join(dir, name));
    await test.cluster.startBroker(0);
    await waitFor(() => test.cluster.broker(0).replica(topic, 0) ?? null, 10_000, 'the partition to reopen');
    expect(replica().log.allAbortedTransactions()).toEqual([expect.objectContaining({ firstOffset: 3, lastOffset: 5 })]);
    expect(readdirSync(dir).some((name) => name.endsWith('.txnindex'))).toBe(true);
    expect(await read(topic, 'read_committed')).toEqual(['committed-1', 'committed-2']);
    expect(await read(topic, 'read_uncommitted')).toEqual(['committed-1', 'committed-2', 'open-1', 'open-2']);
  });
});
