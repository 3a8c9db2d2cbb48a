import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { isFailure } from '../../../electron/broker/cluster/controller';
import { silentLogger } from '../../../electron/broker/server/logger';

const run = promisify(execFile);
const RECORDS = 20_000;
const PARTITIONS = 3;
const KEYS = 30;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startCluster(topic: string): Promise<EmbeddedCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kd-chaos-'));
  const cluster = await EmbeddedCluster.start({ brokers: 3, basePort: 0, dataDir, logger: silentLogger, config: { 'replica.lag.time.max.ms': '2000' } });
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  cleanups.push(() => cluster.close());
  const created = cluster.controller.createTopic({ name: topic, partitions: PARTITIONS, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } });
  if (isFailure(created)) throw new Error(created.message);
  return cluster;
}

/**
 * Stops, kills and restarts partition leaders, one broker at a time, until told to stop. One broker
 * down leaves two in sync, enough for min.insync.replicas=2. `next()` resolves once one more
 * disruption has completed, so producers can make sure failures happen while their records are in
 * flight, however slow the machine.
 */
function chaos(cluster: EmbeddedCluster, topic: string): { next: () => Promise<void>; stop: () => Promise<number> } {
  let running = true;
  let disruptions = 0;
  const waiters: Array<() => void> = [];
  const loop = (async () => {
    let round = 0;
    while (running) {
      await new Promise((r) => setTimeout(r, 100));
      const partition = round % PARTITIONS;
      const leader = cluster.controller.partition(topic, partition)?.leader ?? -1;
      const isr = cluster.controller.partition(topic, partition)?.isr ?? [];
      if (leader < 0 || isr.length < 3) {
        round++;
        continue;
      }
      if (round % 2 === 0) await cluster.stopBroker(leader);
      else await cluster.killBroker(leader);
      await new Promise((r) => setTimeout(r, 250));
      await cluster.startBroker(leader);
      disruptions++;
      for (const wake of waiters.splice(0)) wake();
      round++;
    }
  })();
  return {
    next: () => new Promise<void>((resolve) => waiters.push(resolve)),
    stop: async () => {
      running = false;
      await loop;
      for (const wake of waiters.splice(0)) wake();
      return disruptions;
    },
  };
}

async function waitForFullIsr(cluster: EmbeddedCluster, topic: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!cluster.controller.topic(topic)!.partitions.every((p) => p.isr.length === 3 && p.leader >= 0)) {
    if (Date.now() > deadline) throw new Error('ISR did not recover');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Reads every partition from the beginning with librdkafka (kcat): `partition offset value` per record. */
async function readAll(cluster: EmbeddedCluster, topic: string): Promise<Map<number, string[]>> {
  const { stdout } = await run('kcat', ['-b', cluster.bootstrapServers(), '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p %o %s\\n'], {
    maxBuffer: 64 << 20,
    timeout: 60_000,
  });
  const byPartition = new Map<number, string[]>();
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    const [partition, , value] = line.split(' ');
    const list = byPartition.get(Number(partition)) ?? [];
    list.push(value!);
    byPartition.set(Number(partition), list);
  }
  return byPartition;
}

/** Every acknowledged value present exactly once, no value twice, and each key's values in order. */
function verify(byPartition: Map<number, string[]>, acknowledged: Set<string>): void {
  const seen = new Map<string, number>();
  for (const values of byPartition.values()) {
    const lastSeqOfKey = new Map<string, number>();
    for (const value of values) {
      seen.set(value, (seen.get(value) ?? 0) + 1);
      const [key, seq] = value.split('#') as [string, string];
      const previous = lastSeqOfKey.get(key) ?? -1;
      expect(Number(seq), `order of ${key}`).toBeGreaterThan(previous);
      lastSeqOfKey.set(key, Number(seq));
    }
  }
  const duplicated = [...seen].filter(([, count]) => count > 1).map(([value]) => value);
  expect(duplicated).toEqual([]);
  const lost = [...acknowledged].filter((value) => !seen.has(value));
  expect(lost).toEqual([]);
}

describe('acknowledged records survive leader failures', () => {
  it('with an idempotent kafkajs producer (acks=all)', async () => {
    const topic = 'chaos-kafkajs';
    const cluster = await startCluster(topic);
    const kafka = new Kafka({
      clientId: 'chaos',
      brokers: cluster.bootstrapServers().split(','),
      logLevel: logLevel.NOTHING,
      retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 1000 },
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const acknowledged = new Set<string>();
    const disruptor = chaos(cluster, topic);
    // Each send targets one partition. kafkajs 2.2.4 keys a send's retry state by broker
    // (producer/sendMessages.js, responsePerBroker): when a retry finds a partition's new leader is a
    // broker that already answered for another partition of the same send, that partition's messages
    // are never sent again, yet send() resolves, and the rolled-back sequence is reused later. That
    // is a client bug; one partition per send keeps it out of this test of the broker.
    const batchSize = 100;
    for (let start = 0; start < RECORDS; start += batchSize) {
      const partition = (start / batchSize) % PARTITIONS;
      const messages = Array.from({ length: batchSize }, (_, j) => {
        const n = start + j;
        const key = `key${partition + PARTITIONS * (n % (KEYS / PARTITIONS))}`;
        return { key, value: `${key}#${n}`, partition };
      });
      const sending = producer.send({ topic, acks: -1, messages });
      // At each fifth of the run, a leader fails while this batch is in flight.
      if (start > 0 && start % (RECORDS / 5) === 0) await disruptor.next();
      await sending;
      for (const m of messages) acknowledged.add(m.value);
    }
    const disruptions = await disruptor.stop();
    expect(disruptions).toBeGreaterThanOrEqual(4);
    await waitForFullIsr(cluster, topic);
    const all = await readAll(cluster, topic);
    verify(all, acknowledged);
  }, 180_000);

  it('with an idempotent librdkafka producer (confluent-kafka, acks=all)', async () => {
    const topic = 'chaos-librdkafka';
    const cluster = await startCluster(topic);
    const script = join(mkdtempSync(join(tmpdir(), 'kd-chaos-py-')), 'produce.py');
    cleanups.push(() => rmSync(join(script, '..'), { recursive: true, force: true }));
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
    # At each fifth of the run, wait (records still in flight) until a leader has failed.
    if i > 0 and i % ${RECORDS / 5} == 0:
        sys.stderr.write('CHECKPOINT\\n')
        sys.stderr.flush()
        sys.stdin.readline()
    p.poll(0)
remaining = p.flush(120)
sys.stderr.write('unflushed: %d\\n' % remaining)
`,
    );
    const disruptor = chaos(cluster, topic);
    const child = spawn('/usr/bin/python3', [script, cluster.bootstrapServers()], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const checkpoints = d.toString().split('CHECKPOINT').length - 1;
      for (let i = 0; i < checkpoints; i++) void disruptor.next().then(() => child.stdin.write('go\n'));
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const disruptions = await disruptor.stop();
    expect(code, stderr).toBe(0);
    expect(disruptions).toBeGreaterThanOrEqual(4);
    const acknowledged = new Set(stdout.split('\n').filter(Boolean));
    // With idempotence and acks=all every record is eventually delivered, none failed.
    expect(stderr).not.toMatch(/DELIVERY FAILED/);
    expect(acknowledged.size).toBe(RECORDS);
    await waitForFullIsr(cluster, topic);
    verify(await readAll(cluster, topic), acknowledged);
  }, 180_000);
});
