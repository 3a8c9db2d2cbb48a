/**
 * Persistence and crash safety of the broker run as its own process (`npm run cluster`): records kcat
 * had acknowledged (acks=1) survive a kill -9, also one in the middle of producing; a clean SIGTERM and
 * restart keep topics, topic configs and records, and offsets carry on where they were.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KCAT, kcat, lines } from './helpers';
import { waitFor } from '../../support/wait';
import { freePort } from '../../support/ports';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

/** The cluster CLI as a child process: one node process (tsx as a loader), so a signal reaches the broker itself. */
class BrokerProcess {
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly bootstrap: string,
  ) {
    this.exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
  }

  static async start(port: number, dataDir: string): Promise<BrokerProcess> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'electron/broker/cli.ts'), '--brokers', '1', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'],
      {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`the cluster exited with ${code} before it was ready:\n${output}`))),
    );
    try {
      const line = await Promise.race([
        waitFor(() => /bootstrap\.servers=(\S+)/.exec(output)?.[1], 45_000, `the ready line; output so far:\n${output}`),
        exited,
      ]);
      const process_ = new BrokerProcess(child, line);
      child.stdout.on('data', (chunk: Buffer) => (process_.output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (process_.output += chunk.toString()));
      return process_;
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  /** kill -9: no shutdown code runs. */
  async kill9(): Promise<void> {
    this.child.kill('SIGKILL');
    const { signal } = await this.exited;
    expect(signal).toBe('SIGKILL');
  }

  /** SIGTERM: the CLI stops the cluster cleanly and exits 0. */
  async terminate(): Promise<number | null> {
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no exit 15 s after SIGTERM:\n${this.output}`)), 15_000);
    });
    try {
      return (await Promise.race([this.exited, timeout])).code;
    } finally {
      clearTimeout(timer);
    }
  }

  /** For cleanup: gone either way. */
  forceStop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** Offsets of kcat's `-v -v -v` delivery reports ("% Message delivered to partition 0 (offset N) ..."). */
function deliveredOffsets(stderr: string): number[] {
  return [...stderr.matchAll(/Message delivered to partition \d+ \(offset (\d+)\)/g)].map((m) => Number(m[1]));
}

let dataDir: string;
let port: number;
let broker: BrokerProcess | null = null;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kd-persist-'));
  port = await freePort();
});

afterAll(() => {
  broker?.forceStop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function consumeValues(bootstrap: string, topic: string): Promise<string[]> {
  return lines(await kcat(bootstrap, ['-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\\n'], { timeoutMs: 30_000 }));
}

describe('the cluster process', { timeout: 90_000 }, () => {
  const N = 3000;
  const topic = 'persist-acked';
  const midTopic = 'persist-mid-produce';
  let midValues: string[] = [];

  it('keeps every acknowledged record across kill -9', async () => {
    broker = await BrokerProcess.start(port, dataDir);
    const input = Array.from({ length: N }, (_, i) => `rec-${i}`).join('\n') + '\n';
    const producer = await runKcatProducer(broker.bootstrap, topic, input);
    expect(producer.offsets).toHaveLength(N);
    expect([...producer.offsets].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    // An idempotent producer that lives through the crash: the restarted broker rebuilds its sequence
    // state from the log, so the producer's next batches are accepted (not OUT_OF_ORDER_SEQUENCE).
    const kafka = new Kafka({
      clientId: 'kd-persist-idempotent',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 200 },
    });
    const idempotent = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
    await idempotent.connect();
    try {
      for (let i = 0; i < 5; i++)
        await idempotent.send({ topic: 'persist-idempotent', acks: -1, messages: [{ value: `before-${i}` }, { value: `before-${i}b` }] });
      await broker.kill9();

      broker = await BrokerProcess.start(port, dataDir);
      expect(await consumeValues(broker.bootstrap, topic)).toEqual(Array.from({ length: N }, (_, i) => `rec-${i}`));
      for (let i = 0; i < 5; i++)
        await idempotent.send({ topic: 'persist-idempotent', acks: -1, messages: [{ value: `after-${i}` }, { value: `after-${i}b` }] });
    } finally {
      await idempotent.disconnect();
    }
    expect(await consumeValues(broker.bootstrap, 'persist-idempotent')).toEqual(
      ['before', 'after'].flatMap((when) => Array.from({ length: 5 }, (_, i) => [`${when}-${i}`, `${when}-${i}b`]).flat()),
    );
  });

  it('keeps every acknowledged record when killed in the middle of producing', async () => {
    const current = broker!;
    const child = spawn(
      KCAT,
      ['-b', current.bootstrap, '-P', '-t', midTopic, '-X', 'acks=1', '-X', 'linger.ms=2', '-X', 'message.timeout.ms=3000', '-v', '-v', '-v'],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.on('error', () => {});
    const exited = new Promise<void>((done) => child.once('close', () => done()));
    let written = 0;
    // Feed records in small slices until a few hundred are acknowledged, then kill the broker while
    // more are on their way.
    let killed = false;
    const deadline = Date.now() + 25_000;
    while (Date.now() < deadline) {
      // Up to 20,000 records; on a slow machine, then wait for the acknowledgements to catch up.
      if (written < 20_000) {
        child.stdin.write(Array.from({ length: 50 }, (_, i) => `mid-${written + i}`).join('\n') + '\n');
        written += 50;
      }
      await new Promise((r) => setTimeout(r, 5));
      if (!killed && deliveredOffsets(stderr).length >= 500) {
        await current.kill9();
        killed = true;
        // Some more input for the dead broker.
        child.stdin.write(Array.from({ length: 50 }, (_, i) => `mid-${written + i}`).join('\n') + '\n');
        written += 50;
        break;
      }
    }
    child.stdin.end();
    await exited;
    clearTimeout(killer);
    expect(killed).toBe(true);
    const acked = deliveredOffsets(stderr);
    expect(acked.length).toBeGreaterThanOrEqual(500);

    broker = await BrokerProcess.start(port, dataDir);
    midValues = await consumeValues(broker.bootstrap, midTopic);
    // Every acknowledged offset is in the log (more may be: written, but the acknowledgement was lost).
    expect(midValues.length).toBeGreaterThan(Math.max(...acked));
    expect(midValues.length).toBeLessThanOrEqual(written);
    // In order, no gaps, no duplicates: record i holds input line i.
    expect(midValues).toEqual(Array.from({ length: midValues.length }, (_, i) => `mid-${i}`));
    // The log takes new records after the recovered end.
    const more = await runKcatProducer(broker.bootstrap, midTopic, 'after-restart\n');
    expect(more.offsets).toEqual([midValues.length]);
    midValues.push('after-restart');
  });

  it('keeps topics, topic configs and records across a clean SIGTERM and restart', async () => {
    const kafka = new Kafka({ clientId: 'kd-persist-admin', brokers: [broker!.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
    const admin = kafka.admin();
    await admin.connect();
    const configured = 'persist-configured';
    try {
      expect(await admin.createTopics({ topics: [{ topic: configured, numPartitions: 3 }] })).toBe(true);
      await runKcatProducer(broker!.bootstrap, configured, 'c0\nc1\n');
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: configured, configEntries: [{ name: 'retention.ms', value: '86400123' }] }],
      });
    } finally {
      await admin.disconnect();
    }

    expect(await broker!.terminate()).toBe(0);
    broker = await BrokerProcess.start(port, dataDir);

    const metadata = JSON.parse(await kcat(broker.bootstrap, ['-L', '-J'])) as { topics: Array<{ topic: string; partitions: unknown[] }> };
    const topics = new Map(metadata.topics.map((x) => [x.topic, x.partitions.length]));
    expect(topics.get(topic)).toBe(1);
    expect(topics.get(midTopic)).toBe(1);
    expect(topics.get(configured)).toBe(3);

    expect(await consumeValues(broker.bootstrap, topic)).toEqual(Array.from({ length: N }, (_, i) => `rec-${i}`));
    expect(await consumeValues(broker.bootstrap, midTopic)).toEqual(midValues);
    const next = await runKcatProducer(broker.bootstrap, topic, 'one-more\n');
    expect(next.offsets).toEqual([N]);

    const after = new Kafka({ clientId: 'kd-persist-admin-2', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await after.connect();
    try {
      const described = await after.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: configured, configNames: ['retention.ms'] }],
      });
      expect(described.resources[0]!.configEntries.find((e) => e.configName === 'retention.ms')?.configValue).toBe('86400123');
    } finally {
      await after.disconnect();
    }
  });

  it('a deleted topic stays deleted across kill -9; one created again with its name starts empty', async () => {
    const doomed = 'persist-doomed';
    await runKcatProducer(broker!.bootstrap, doomed, 'd0\nd1\nd2\n');
    const admin = new Kafka({ clientId: 'kd-persist-delete', brokers: [broker!.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: [doomed] });
    } finally {
      await admin.disconnect();
    }
    await broker!.kill9();

    broker = await BrokerProcess.start(port, dataDir);
    const metadata = JSON.parse(await kcat(broker.bootstrap, ['-L', '-J'])) as { topics: Array<{ topic: string }> };
    expect(metadata.topics.map((x) => x.topic)).not.toContain(doomed);
    expect(metadata.topics.map((x) => x.topic)).toContain(topic);
    const again = await runKcatProducer(broker.bootstrap, doomed, 'fresh\n');
    expect(again.offsets).toEqual([0]);
    expect(await consumeValues(broker.bootstrap, doomed)).toEqual(['fresh']);
    expect(await broker.terminate()).toBe(0);
    broker = null;
  });
});

/** Produces `input` (one record a line) with kcat, acks=1, and returns the offsets kcat was told. */
async function runKcatProducer(bootstrap: string, topic: string, input: string): Promise<{ offsets: number[] }> {
  const child = spawn(KCAT, ['-b', bootstrap, '-P', '-t', topic, '-X', 'acks=1', '-X', 'linger.ms=5', '-v', '-v', '-v'], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((done) => {
    child.once('close', (c) => done(c));
    child.stdin.end(input);
  });
  clearTimeout(killer);
  if (code !== 0) throw new Error(`kcat -P exited ${code}:\n${stderr.slice(-2000)}`);
  return { offsets: deliveredOffsets(stderr) };
}
