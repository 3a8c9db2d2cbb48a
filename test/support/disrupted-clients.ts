/**
 * Real clients producing and consuming while the embedded cluster is disrupted (brokers stopped, killed,
 * added, drained, replicas moved), shared by the tests that must show nothing is lost meanwhile
 * (test/broker/cluster/chaos, test/broker/cluster/reassignment-clients, test/broker/transactions/chaos).
 *
 * Two ways to disrupt: `disruptUntilStopped` repeats a disruption in the background for as long as the
 * clients run (chaos), `produceIdempotentThrough` pauses its producer at checkpoints, with records in
 * flight, for each step of a scripted change of the cluster (a broker added, a topic spread, a broker
 * drained). Consumers are kcat (librdkafka) processes; every child is killed on `close()` or by the
 * hard timeout of `run`, so a failing test leaves no process behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmbeddedCluster } from '../../electron/broker/cluster/cluster';
import { KCAT, kcat, lines, PYTHON } from '../broker/clients/helpers';
import { sleep, waitFor } from './wait';

export interface Disruptions {
  /**
   * Resolves once one more disruption has completed (or the loop has stopped), so a producer can make sure
   * a failure happens while its records are in flight, however slow the machine.
   */
  next(): Promise<void>;
  /** Ends the loop after the round under way (a stopped broker is started again first); resolves to the disruptions made. */
  stop(): Promise<number>;
}

/**
 * Calls `disrupt` every `pauseMs` until stopped. `disrupt` returns whether it disrupted anything this round
 * (it may skip a round, e.g. while the ISR is not whole again), and must leave the cluster able to recover
 * (start what it stopped) before it returns.
 */
export function disruptUntilStopped(disrupt: (round: number) => Promise<boolean>, pauseMs = 300): Disruptions {
  let running = true;
  let disruptions = 0;
  const waiters: Array<() => void> = [];
  const wakeWaiters = () => {
    for (const wake of waiters.splice(0)) wake();
  };
  const loop = (async () => {
    try {
      for (let round = 0; running; round++) {
        await sleep(pauseMs);
        if (!running) break;
        if (await disrupt(round)) {
          disruptions++;
          wakeWaiters();
        }
      }
    } finally {
      running = false;
      wakeWaiters();
    }
  })();
  return {
    next: () => (running ? new Promise<void>((resolve) => waiters.push(resolve)) : Promise.resolve()),
    async stop() {
      running = false;
      await loop;
      return disruptions;
    },
  };
}

/** Stops (or kills, SIGKILL-like: no clean shutdown) broker `id`, waits `downMs`, starts it again. */
export async function bounceBroker(cluster: EmbeddedCluster, id: number, how: 'stop' | 'kill', downMs = 400): Promise<void> {
  if (how === 'stop') await cluster.stopBroker(id);
  else await cluster.killBroker(id);
  await sleep(downMs);
  await cluster.startBroker(id);
}

/** Whether every partition of `topics` has a leader and `replicas` in-sync replicas (the cluster healthy again). */
export function isrWhole(cluster: EmbeddedCluster, topics: readonly string[], replicas: number): boolean {
  return topics.every((topic) => (cluster.controller.topic(topic)?.partitions ?? []).every((p) => p.leader >= 0 && p.isr.length >= replicas));
}

export async function waitForWholeIsr(cluster: EmbeddedCluster, topics: readonly string[], replicas: number, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    () => isrWhole(cluster, topics, replicas),
    timeoutMs,
    `every partition of ${topics.join(', ')} to have a leader and ${replicas} replicas in sync`,
    () => JSON.stringify(topics.map((topic) => cluster.controller.topic(topic)?.partitions.map((p) => ({ p: p.partition, leader: p.leader, isr: p.isr })))),
  );
}

export interface FollowingConsumer {
  /** Values received so far, one per record (kcat's `%s`). */
  readonly values: string[];
  close(): void;
}

/** A kcat consumer (no group) following `topic` from the beginning until closed. */
export function followTopic(bootstrap: string, topic: string): FollowingConsumer {
  const values: string[] = [];
  const consumer: ChildProcess = spawn(KCAT, ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-u', '-q', '-f', '%s\\n'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let partial = '';
  consumer.stdout!.on('data', (chunk: Buffer) => {
    const received = (partial + chunk.toString()).split('\n');
    partial = received.pop()!;
    values.push(...received.filter(Boolean));
  });
  return { values, close: () => void consumer.kill('SIGKILL') };
}

/** The values of `topic` from the beginning to the end, read by kcat at `isolation`. */
export async function readTopic(bootstrap: string, topic: string, isolation: 'read_committed' | 'read_uncommitted' = 'read_uncommitted'): Promise<string[]> {
  return lines(
    await kcat(bootstrap, ['-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-X', `isolation.level=${isolation}`, '-f', '%s\\n'], { timeoutMs: 60_000 }),
  );
}

export interface KeyedProduction {
  /** Values whose delivery librdkafka reported as acknowledged (`key<k>#<sequence of the key>`). */
  acknowledged: Set<string>;
  exitCode: number | null;
  stderr: string;
  /** Steps run (one per checkpoint). */
  stepsRun: number;
}

/**
 * An idempotent librdkafka (confluent-kafka) producer, acks=all, writing `records` values `key<k>#<n>` over
 * `keys` keys to `topic`. It pauses `steps.length` times, evenly spaced, with records still in flight, while
 * the next step runs; a step that throws fails the whole production (rejected after the producer exits).
 * `bootstrap` should name every broker: a step may remove one.
 */
export async function produceIdempotentThrough(options: {
  bootstrap: string;
  topic: string;
  records: number;
  keys: number;
  steps: ReadonlyArray<() => Promise<void>>;
  timeoutMs?: number;
}): Promise<KeyedProduction> {
  const { bootstrap, topic, records, keys, steps } = options;
  const dir = mkdtempSync(join(tmpdir(), 'kd-producer-'));
  try {
    const script = join(dir, 'produce.py');
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
every = ${Math.floor(records / (steps.length + 1))}
for i in range(${records}):
    key = 'key%d' % (i % ${keys})
    value = '%s#%d' % (key, i // ${keys})
    while True:
        try:
            p.produce(${JSON.stringify(topic)}, key=key, value=value, on_delivery=report)
            break
        except BufferError:
            p.poll(0.05)
    # At each step, wait (records still in flight) until the cluster has changed.
    if i > 0 and i % every == 0 and i // every <= ${steps.length}:
        sys.stderr.write('CHECKPOINT\\n')
        sys.stderr.flush()
        sys.stdin.readline()
    p.poll(0)
remaining = p.flush(120)
sys.stderr.write('unflushed: %d\\n' % remaining)
`,
    );
    const producer = spawn(PYTHON, [script, bootstrap], { stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => producer.kill('SIGKILL'), options.timeoutMs ?? 200_000);
    let stdout = '';
    let stderr = '';
    const stepFailures: Error[] = [];
    let stepChain = Promise.resolve();
    let stepsRun = 0;
    producer.stdin.on('error', () => {});
    producer.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    producer.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const checkpoints = d.toString().split('CHECKPOINT').length - 1;
      for (let i = 0; i < checkpoints; i++) {
        const step = steps[stepsRun++];
        stepChain = stepChain
          .then(() => step?.())
          .catch((error: unknown) => {
            stepFailures.push(error instanceof Error ? error : new Error(String(error)));
          })
          .then(() => void producer.stdin.write('go\n'));
      }
    });
    const exitCode = await new Promise<number | null>((resolve) => producer.on('close', resolve));
    clearTimeout(timer);
    await stepChain;
    if (stepFailures[0]) throw stepFailures[0];
    return { acknowledged: new Set(lines(stdout)), exitCode, stderr, stepsRun };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface KeyedCheck {
  lost: string[];
  duplicated: string[];
  /** `key: n after m` for each value of a key read after a later one. */
  reordered: string[];
}

/** Compares values `key<k>#<n>` read back with those acknowledged: lost, duplicated, out of order per key. */
export function checkKeyedValues(values: readonly string[], acknowledged: ReadonlySet<string>): KeyedCheck {
  const seen = new Map<string, number>();
  const lastOfKey = new Map<string, number>();
  const reordered: string[] = [];
  for (const value of values) {
    seen.set(value, (seen.get(value) ?? 0) + 1);
    const [key, n] = value.split('#') as [string, string];
    const last = lastOfKey.get(key) ?? -1;
    if (Number(n) < last) reordered.push(`${key}: ${n} after ${last}`);
    lastOfKey.set(key, Math.max(last, Number(n)));
  }
  return {
    lost: [...acknowledged].filter((value) => !seen.has(value)),
    duplicated: [...seen].filter(([, count]) => count > 1).map(([value]) => value),
    reordered,
  };
}
