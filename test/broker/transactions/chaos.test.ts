/**
 * Transactions under broker failures: a librdkafka (confluent-kafka) transactional producer commits and aborts transactions
 * across 3 partitions while the transaction coordinator's broker and the partitions' leaders are stopped
 * and killed (one broker at a time). Then read_committed must hold every committed transaction exactly
 * once and nothing of an aborted one; a transaction whose end the producer never learned (its request
 * failed with the broker) must be there whole or not at all. Bounded: ~20 s of disruptions.
 *
 * The same loop driven by kafkajs (in-process) lost or doubled one partition's records of an odd
 * committed transaction while leaders moved: not yet explained (kafkajs' send retries across a leader
 * move are a suspect, a broker fault is not ruled out); librdkafka's runs are clean.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { isFailure } from '../../../electron/broker/cluster/controller';
import { TRANSACTION_STATE_TOPIC } from '../../../electron/broker/transactions/coordinator';
import { errorRecordingLogger, PYTHON, run } from '../clients/helpers';
import { bounceBroker, disruptUntilStopped, isrWhole, readTopic, waitForWholeIsr } from '../../support/disrupted-clients';

const TOPIC = 'chaos-txn';
const PARTITIONS = 3;
const PER_TRANSACTION = 6;
const CHAOS_MS = 20_000;
const TRANSACTIONAL_ID = 'chaos-producer';
const TXN = fileURLToPath(new URL('./fixtures/txn.py', import.meta.url));

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('transactions under broker failures', () => {
  it('keep exactly-once output while the coordinator and partition leaders are stopped and killed', { timeout: 180_000 }, async () => {
    const errors: string[] = [];
    const dataDir = mkdtempSync(join(tmpdir(), 'kd-txn-chaos-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const cluster = await EmbeddedCluster.start({
      brokers: 3,
      basePort: 0,
      dataDir,
      logger: errorRecordingLogger(errors),
      config: { 'replica.lag.time.max.ms': '2000', 'transaction.state.log.num.partitions': '3', 'offsets.topic.num.partitions': '3' },
    });
    cleanups.push(() => cluster.close());
    const created = cluster.controller.createTopic({ name: TOPIC, partitions: PARTITIONS, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } });
    if (isFailure(created)) throw new Error(created.message);
    // Disruptions: the coordinator's broker or a partition's leader, stopped or killed, then started again.
    const chaos = disruptUntilStopped(async (round) => {
      const statePartition = cluster.broker(cluster.controller.liveBrokerIds()[0]!).transactions.partitionFor(TRANSACTIONAL_ID);
      const target =
        round % 2 === 0 ? cluster.controller.partition(TRANSACTION_STATE_TOPIC, statePartition) : cluster.controller.partition(TOPIC, round % PARTITIONS);
      if (!target || target.leader < 0 || !isrWhole(cluster, [TOPIC, TRANSACTION_STATE_TOPIC], 3)) return false;
      // The partition's metadata object changes as leadership moves: keep the broker's id.
      await bounceBroker(cluster, target.leader, round % 4 < 2 ? 'stop' : 'kill');
      return true;
    });
    cleanups.push(() =>
      chaos.stop().then(
        () => undefined,
        () => undefined,
      ),
    );

    // librdkafka's transactional producer, in its own process, for CHAOS_MS of disruptions.
    const produced = await run(
      PYTHON,
      [
        TXN,
        'chaos',
        JSON.stringify({
          bootstrap: cluster.bootstrapServers(),
          id: TRANSACTIONAL_ID,
          topic: TOPIC,
          seconds: CHAOS_MS / 1000,
          per: PER_TRANSACTION,
          partitions: PARTITIONS,
        }),
      ],
      { timeoutMs: CHAOS_MS + 90_000 },
    );
    if (produced.code !== 0) throw new Error(`the producer failed:\n${produced.stderr}`);
    const outcomes = new Map(
      Object.entries(
        (JSON.parse(produced.stdout.trim().split('\n').at(-1)!) as { outcomes: Record<string, 'committed' | 'aborted' | 'unknown'> }).outcomes,
      ).map(([n, outcome]) => [Number(n), outcome] as const),
    );
    expect(await chaos.stop()).toBeGreaterThan(3);

    // Every transaction decided: a last producer's init completes whatever the last one left.
    const last = await run(
      PYTHON,
      [TXN, 'transactions', JSON.stringify({ bootstrap: cluster.bootstrapServers(), id: TRANSACTIONAL_ID, topic: TOPIC, transactions: [] })],
      { timeoutMs: 60_000 },
    );
    expect(last.code).toBe(0);
    await waitForWholeIsr(cluster, [TOPIC], 3);
    const committedView = await readTopic(cluster.bootstrapServers(), TOPIC, 'read_committed');

    const counts = new Map<string, number>();
    for (const value of committedView) counts.set(value, (counts.get(value) ?? 0) + 1);
    expect([...counts].filter(([, count]) => count > 1)).toEqual([]);
    const present = (n: number) => Array.from({ length: PER_TRANSACTION }, (_, i) => counts.has(`t${n}-${i}`));
    const problems: string[] = [];
    for (const [n, outcome] of outcomes) {
      const seen = present(n);
      const all = seen.every(Boolean);
      const none = !seen.some(Boolean);
      if (outcome === 'committed' && !all) problems.push(`transaction ${n} committed but ${seen.filter((s) => !s).length} of its records are missing`);
      if (outcome === 'aborted' && !none) problems.push(`transaction ${n} aborted but ${seen.filter(Boolean).length} of its records are visible`);
      if (outcome === 'unknown' && !all && !none) problems.push(`transaction ${n} is partly visible`);
    }
    expect(problems).toEqual([]);
    const committedCount = [...outcomes.values()].filter((o) => o === 'committed').length;
    expect(committedCount).toBeGreaterThan(5);
    expect(errors).toEqual([]);
    // Nothing visible that no transaction wrote.
    expect(committedView.every((value) => outcomes.has(Number(/^t(\d+)-/.exec(value)?.[1] ?? -1)))).toBe(true);
  });
});
