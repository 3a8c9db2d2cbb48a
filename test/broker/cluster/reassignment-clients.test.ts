import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { isFailure } from '../../../electron/broker/cluster/controller';
import { silentLogger } from '../../../electron/broker/server/logger';
import { planReassignment, type PlanGoal } from '../../../shared/model/reassignment-plan';
import { waitFor } from '../../support/wait';

const run = promisify(execFile);
const RECORDS = 16_000;
const PARTITIONS = 3;
const KEYS = 30;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Every acknowledged value present exactly once, no value twice, and each key's values in order. */
function verify(lines: string[], acknowledged: Set<string>, what: string): void {
  const seen = new Map<string, number>();
  const lastSeqOfKey = new Map<string, number>();
  for (const line of lines) {
    const value = line.split(' ')[2]!;
    seen.set(value, (seen.get(value) ?? 0) + 1);
    const [key, seq] = value.split('#') as [string, string];
    expect(Number(seq), `${what}: order of ${key}`).toBeGreaterThan(lastSeqOfKey.get(key) ?? -1);
    lastSeqOfKey.set(key, Number(seq));
  }
  expect(
    [...seen].filter(([, count]) => count > 1).map(([value]) => value),
    `${what}: duplicated`,
  ).toEqual([]);
  expect(
    [...acknowledged].filter((value) => !seen.has(value)),
    `${what}: lost`,
  ).toEqual([]);
}

describe('clients keep going while replicas move and the cluster grows and shrinks', () => {
  it('an idempotent librdkafka producer (acks=all) and a kcat consumer: broker added, topic spread onto it, another broker drained and removed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kd-reassign-clients-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const cluster = await EmbeddedCluster.start({ brokers: 3, basePort: 0, dataDir, logger: silentLogger });
    cleanups.push(() => cluster.close());
    const topic = 'moving';
    const created = cluster.controller.createTopic({ name: topic, partitions: PARTITIONS, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } });
    if (isFailure(created)) throw new Error(created.message);
    const kafka = new Kafka({ clientId: 'mover', brokers: cluster.bootstrapServers().split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());

    // The consumer follows the topic from the start for the whole run (librdkafka, no group).
    const consumed: string[] = [];
    const consumer: ChildProcess = spawn('kcat', ['-b', cluster.bootstrapServers(), '-C', '-t', topic, '-o', 'beginning', '-u', '-q', '-f', '%p %o %s\\n'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => void consumer.kill('SIGKILL'));
    let partial = '';
    consumer.stdout!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      consumed.push(...lines.filter(Boolean));
    });

    /** Plans as the app does and applies with AlterPartitionReassignments (kafkajs), then waits until done. */
    const move = async (goal: PlanGoal) => {
      const partitions = cluster.controller
        .topic(topic)!
        .partitions.map((p) => ({ topic, partition: p.partition, replicas: [...p.replicas], sizeBytes: null }));
      const brokers = cluster.brokers().map((b) => b.id);
      const plan = planReassignment(partitions, goal, brokers);
      expect(plan.problems).toEqual([]);
      await admin.alterPartitionReassignments({
        topics: [{ topic, partitionAssignment: plan.moves.map((m) => ({ partition: m.partition, replicas: m.to })) }],
      });
      await waitFor(
        () => cluster.controller.listPartitionReassignments(null).length === 0,
        60_000,
        'the reassignments to complete',
        () => JSON.stringify(cluster.controller.listPartitionReassignments(null)),
      );
      return plan;
    };
    const steps: Array<() => Promise<void>> = [
      async () => {
        const added = await cluster.addBroker();
        expect(added.id).toBe(3);
      },
      async () => {
        const plan = await move({ kind: 'spread', brokers: [0, 1, 2, 3] });
        expect(plan.after.find((load) => load.broker === 3)!.replicas).toBeGreaterThan(0);
        expect(cluster.controller.topic(topic)!.partitions.some((p) => p.replicas.includes(3))).toBe(true);
      },
      async () => {
        await expect(cluster.removeBroker(0)).rejects.toThrow(/still holds \d+ replicas? \(moving-/);
        await move({ kind: 'drain', broker: 0, brokers: [0, 1, 2, 3] });
        expect(cluster.controller.replicasOn(0)).toEqual([]);
      },
      async () => {
        await cluster.removeBroker(0);
        expect(cluster.brokers().map((b) => b.id)).toEqual([1, 2, 3]);
      },
    ];

    const script = join(dataDir, 'produce.py');
    writeFileSync(
      script,
      `
import sys
from confluent_kafka import Producer
p = Producer({'bootstrap.servers': sys.argv[1], 'enable.idempotence': True, 'acks': 'all',
              'linger.ms': 5, 'message.timeout.ms': 120000, 'retry.backoff.ms': 50})
def report(err, msg):
    if err is None:
        sys.stdout.write(msg.value().decode() + '\\n')
    else:
        sys.stderr.write('DELIVERY FAILED: %s\\n' % err)
for i in range(${RECORDS}):
    key = 'key%d' % (i % ${KEYS})
    value = '%s#%d' % (key, i // ${KEYS})
    while True:
        try:
            p.produce('${topic}', key=key, value=value, on_delivery=report)
            break
        except BufferError:
            p.poll(0.05)
    # At each step, wait (records still in flight) until the cluster has changed.
    if i > 0 and i % ${RECORDS / (steps.length + 1)} == 0:
        sys.stderr.write('CHECKPOINT\\n')
        sys.stderr.flush()
        sys.stdin.readline()
    p.poll(0)
remaining = p.flush(120)
sys.stderr.write('unflushed: %d\\n' % remaining)
`,
    );
    // Broker 0 is removed along the way: the producer bootstraps from the others too.
    const producer = spawn('/usr/bin/python3', [script, cluster.bootstrapServers()], { stdio: ['pipe', 'pipe', 'pipe'] });
    cleanups.push(() => void producer.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    const stepFailures: Error[] = [];
    let stepChain = Promise.resolve();
    let nextStep = 0;
    producer.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    producer.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const checkpoints = d.toString().split('CHECKPOINT').length - 1;
      for (let i = 0; i < checkpoints; i++) {
        const step = steps[nextStep++];
        stepChain = stepChain
          .then(() => step?.())
          .catch((error: unknown) => {
            stepFailures.push(error instanceof Error ? error : new Error(String(error)));
          })
          .then(() => void producer.stdin.write('go\n'));
      }
    });
    const code = await new Promise<number | null>((resolve) => producer.on('close', resolve));
    await stepChain;
    if (stepFailures[0]) throw stepFailures[0];
    expect(nextStep).toBe(steps.length);
    expect(code, stderr).toBe(0);
    expect(stderr).not.toMatch(/DELIVERY FAILED/);
    const acknowledged = new Set(stdout.split('\n').filter(Boolean));
    expect(acknowledged.size).toBe(RECORDS);

    // The consumer that ran throughout saw every record once, in order per key.
    await waitFor(
      () => consumed.length >= RECORDS,
      60_000,
      'the consumer to see every record',
      () => `${consumed.length} of ${RECORDS}`,
    );
    verify(consumed, acknowledged, 'live consumer');
    // And so does a fresh read of the whole topic, from the brokers that now hold it.
    const { stdout: all } = await run('kcat', ['-b', cluster.bootstrapServers(), '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p %o %s\\n'], {
      maxBuffer: 64 << 20,
      timeout: 60_000,
    });
    verify(all.split('\n').filter(Boolean), acknowledged, 'read after');
    for (const p of cluster.controller.topic(topic)!.partitions) {
      expect(p.replicas).not.toContain(0);
      expect(p.isr.length).toBe(3);
    }
    expect(existsSync(join(dataDir, 'broker-0', `${topic}-0`))).toBe(false);
  }, 240_000);

  it('an added broker is registered in the cluster metadata and starts again after a restart; a removed one does not', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kd-grow-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    let cluster = await EmbeddedCluster.start({ brokers: 2, basePort: 0, dataDir, logger: silentLogger });
    await cluster.addBroker();
    await cluster.addBroker();
    await expect(cluster.removeBroker(7)).rejects.toThrow(/no broker 7/);
    await cluster.removeBroker(1);
    expect(cluster.brokers().map((b) => [b.id, b.state])).toEqual([
      [0, 'running'],
      [2, 'running'],
      [3, 'running'],
    ]);
    await cluster.close();
    cluster = await EmbeddedCluster.start({ brokers: 2, basePort: 0, dataDir, logger: silentLogger });
    cleanups.push(() => cluster.close());
    expect(cluster.brokers().map((b) => b.id)).toEqual([0, 2, 3]);
    // New topics use the brokers there are.
    const created = cluster.controller.createTopic({ name: 'after', partitions: 6, replicationFactor: 3 });
    if (isFailure(created)) throw new Error(created.message);
    expect(new Set(created.partitions.flatMap((p) => p.replicas))).toEqual(new Set([0, 2, 3]));
    await expect(cluster.removeBroker(3)).rejects.toThrow(/broker 3 still holds 6 replicas \(after-0, after-1, after-2, after-3, after-4 and 1 more\)/);
  }, 60_000);
});
