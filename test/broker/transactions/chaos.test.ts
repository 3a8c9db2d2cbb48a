/**
 * Transactions under broker failures: a transactional producer commits and aborts transactions across
 * 3 partitions while the transaction coordinator's broker and the partitions' leaders are stopped and
 * killed (one broker at a time). Then read_committed must hold every committed transaction exactly once
 * and nothing of an aborted one; a transaction whose end the producer never learned (its request failed
 * with the broker) must be there whole or not at all. Two producers: librdkafka (confluent-kafka, its
 * own process) and kafkajs (in-process). Bounded: ~20 s and ~15 s of disruptions.
 *
 * kafkajs sends each partition's records in its own send(): kafkajs 2.2.4 loses or doubles records when
 * ONE send() spans partitions of several leaders and a partition's leader moves meanwhile. Its
 * sendMessages keeps the answers per broker across retries (`responsePerBroker`): a partition refused
 * with NOT_LEADER_OR_FOLLOWER whose new leader already answered for the other partitions is never sent
 * again, and send() resolves without it (missing); if the refusal comes before the other broker's
 * answer, that broker gets the whole request again with new sequence numbers (doubled). The broker only
 * wrote what it was sent (see kafkajs.test.ts, which reproduces the loss deterministically, and
 * tulios/kafkajs#1303, #1798). With one leader per send() its retries are exactly-once here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { isFailure } from '../../../electron/broker/cluster/controller';
import { TRANSACTION_STATE_TOPIC } from '../../../electron/broker/transactions/coordinator';
import { errorRecordingLogger, PYTHON, run } from '../clients/helpers';
import { bounceBroker, disruptUntilStopped, isrWhole, readTopic, waitForWholeIsr, type Disruptions } from '../../support/disrupted-clients';

const TOPIC = 'chaos-txn';
const PARTITIONS = 3;
const PER_TRANSACTION = 6;
const TRANSACTIONAL_ID = 'chaos-producer';
const TXN = fileURLToPath(new URL('./fixtures/txn.py', import.meta.url));

type Outcome = 'committed' | 'aborted' | 'unknown';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A 3-broker cluster with the chaos topic (min.insync.replicas 2), closed and removed after the file. */
async function startChaosCluster(errors: string[]): Promise<EmbeddedCluster> {
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
  return cluster;
}

/** Disruptions: the coordinator's broker or a partition's leader, stopped or killed, then started again. */
function disrupt(cluster: EmbeddedCluster): Disruptions {
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
  return chaos;
}

/** Checks read_committed against the producer's outcomes once the ISR is whole again. */
async function expectExactlyOnce(cluster: EmbeddedCluster, outcomes: Map<number, Outcome>, errors: string[]): Promise<void> {
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
  expect([...outcomes.values()].filter((o) => o === 'committed').length).toBeGreaterThan(5);
  expect(errors).toEqual([]);
  // Nothing visible that no transaction wrote.
  expect(committedView.every((value) => outcomes.has(Number(/^t(\d+)-/.exec(value)?.[1] ?? -1)))).toBe(true);
}

describe('transactions under broker failures', () => {
  it('librdkafka: exactly-once output while the coordinator and partition leaders are stopped and killed', { timeout: 180_000 }, async () => {
    const errors: string[] = [];
    const cluster = await startChaosCluster(errors);
    const chaos = disrupt(cluster);
    const seconds = 20;
    // librdkafka's transactional producer, in its own process, for `seconds` of disruptions.
    const produced = await run(
      PYTHON,
      [
        TXN,
        'chaos',
        JSON.stringify({ bootstrap: cluster.bootstrapServers(), id: TRANSACTIONAL_ID, topic: TOPIC, seconds, per: PER_TRANSACTION, partitions: PARTITIONS }),
      ],
      { timeoutMs: seconds * 1000 + 90_000 },
    );
    const disruptions = await chaos.stop();
    if (produced.code !== 0) throw new Error(`the producer failed:\n${produced.stderr}`);
    const outcomes = new Map(
      Object.entries((JSON.parse(produced.stdout.trim().split('\n').at(-1)!) as { outcomes: Record<string, Outcome> }).outcomes).map(
        ([n, outcome]) => [Number(n), outcome] as const,
      ),
    );
    expect(disruptions).toBeGreaterThan(3);
    // Every transaction decided: a last producer's init completes whatever the last one left.
    const last = await run(
      PYTHON,
      [TXN, 'transactions', JSON.stringify({ bootstrap: cluster.bootstrapServers(), id: TRANSACTIONAL_ID, topic: TOPIC, transactions: [] })],
      { timeoutMs: 60_000 },
    );
    expect(last.code).toBe(0);
    await expectExactlyOnce(cluster, outcomes, errors);
  });

  it('kafkajs: exactly-once output while the coordinator and partition leaders are stopped and killed', { timeout: 180_000 }, async () => {
    const errors: string[] = [];
    const cluster = await startChaosCluster(errors);
    const kafka = new Kafka({ brokers: cluster.bootstrapServers().split(','), clientId: 'chaos', logLevel: logLevel.NOTHING });
    const newProducer = async () => {
      const producer = kafka.producer({ transactionalId: TRANSACTIONAL_ID, maxInFlightRequests: 1, idempotent: true, transactionTimeout: 10_000 });
      cleanups.push(() => producer.disconnect().catch(() => {}));
      await producer.connect();
      return producer;
    };
    const chaos = disrupt(cluster);
    const outcomes = new Map<number, Outcome>();
    let producer: Awaited<ReturnType<typeof newProducer>> | null = null;
    try {
      const deadline = Date.now() + 15_000;
      for (let n = 0; Date.now() < deadline; n++) {
        let txn: Awaited<ReturnType<NonNullable<typeof producer>['transaction']>> | null = null;
        try {
          producer ??= await newProducer();
          txn = await producer.transaction();
          // One send per partition, so one leader per send (see the header).
          for (let partition = 0; partition < PARTITIONS; partition++) {
            const messages = [];
            for (let i = partition; i < PER_TRANSACTION; i += PARTITIONS) messages.push({ value: `t${n}-${i}`, partition });
            await txn.send({ topic: TOPIC, messages });
          }
          if (n % 4 !== 3) {
            await txn.commit();
            outcomes.set(n, 'committed');
          } else {
            await txn.abort();
            outcomes.set(n, 'aborted');
          }
        } catch {
          try {
            if (!txn) throw new Error('no transaction began');
            await txn.abort();
            outcomes.set(n, 'aborted');
          } catch {
            outcomes.set(n, 'unknown');
            await producer?.disconnect().catch(() => {});
            producer = null;
          }
        }
      }
    } finally {
      expect(await chaos.stop()).toBeGreaterThan(3);
    }
    await producer?.disconnect();
    // Every transaction decided: a new producer's init completes whatever the last one left.
    await (await newProducer()).disconnect();
    await expectExactlyOnce(cluster, outcomes, errors);
  });
});
