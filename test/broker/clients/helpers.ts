/**
 * Shared plumbing of the real-client acceptance tests: a single-broker cluster per test file on a random
 * port and a temporary data dir, and child processes (kcat, python) run with a hard timeout so a hang
 * fails its test instead of stalling the run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import type { KafkaReleaseId } from '../../../electron/kafka/releases';
import { decodeBatches } from '../../../electron/kafka/records/record-batch';
import { createLogger, type Logger } from '../../../electron/broker/server/logger';

export const KCAT = '/usr/bin/kcat';
export const PYTHON = '/usr/bin/python3';

export interface TestCluster {
  cluster: EmbeddedCluster;
  bootstrap: string;
  dataDir: string;
  /** Error lines the broker logged (a handler throwing is a broker bug even when the client retries). */
  errors: string[];
  close(): Promise<void>;
}

/**
 * A logger as quiet as `silentLogger` on the console that keeps the broker's error lines, so a test can
 * assert that no request failed inside the broker.
 */
export function errorRecordingLogger(errors: string[]): Logger {
  return createLogger({ level: 'error', write: (line) => errors.push(line) });
}

export async function startTestCluster(
  options: { brokers?: number; config?: Record<string, string>; kafkaVersion?: KafkaReleaseId } = {},
): Promise<TestCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kd-clients-'));
  const errors: string[] = [];
  const cluster = await EmbeddedCluster.start({
    brokers: options.brokers ?? 1,
    basePort: 0,
    dataDir,
    logger: errorRecordingLogger(errors),
    ...(options.config ? { config: options.config } : {}),
    ...(options.kafkaVersion ? { kafkaVersion: options.kafkaVersion } : {}),
  });
  return {
    cluster,
    bootstrap: cluster.bootstrapServers(),
    dataDir,
    errors,
    async close() {
      await cluster.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs a command to completion, feeding `input` on stdin, killing it (SIGKILL) after `timeoutMs`.
 * Never rejects for a non-zero exit: the caller checks `code`.
 */
export function run(
  command: string,
  args: readonly string[],
  options: { input?: string | Buffer; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** Runs kcat against `bootstrap`; fails with its stderr when it times out or exits non-zero. */
export async function kcat(bootstrap: string, args: readonly string[], options: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<string> {
  const result = await run(KCAT, ['-b', bootstrap, ...args], options);
  if (result.timedOut) throw new Error(`kcat ${args.join(' ')} timed out; stderr:\n${result.stderr}`);
  if (result.code !== 0) throw new Error(`kcat ${args.join(' ')} exited ${result.code}; stderr:\n${result.stderr}`);
  return result.stdout;
}

/** The lines of a kcat consume with `-e -q` and a format ending in \n. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.length > 0);
}

let topicCounter = 0;
/** A topic name unique within the run. */
export function topicName(prefix: string): string {
  return `${prefix}-${process.pid}-${++topicCounter}`;
}

/**
 * The compression codec (attributes & 7) of every batch stored in a partition's log on its leader, read
 * straight from the log, so a test can tell that a client really sent compressed batches.
 */
export function storedCodecs(cluster: EmbeddedCluster, topic: string, partition = 0): number[] {
  const leader = cluster.controller.partition(topic, partition)?.leader ?? -1;
  const replica = cluster.broker(leader).replica(topic, partition);
  if (!replica) throw new Error(`broker ${leader} holds no replica of ${topic}-${partition}`);
  const read = replica.log.read(replica.log.logStartOffset, 256 * 1024 * 1024);
  return decodeBatches(read.records).batches.map((batch) => batch.attributes & 0x07);
}

export interface LossyProxy {
  port: number;
  /** Produce requests whose responses were swallowed (the connection cut instead). */
  readonly dropped: number;
  close(): Promise<void>;
}

/**
 * A TCP proxy to `target` that forwards requests and responses but, for every `everyNth` Produce request,
 * lets the broker handle it and then cuts the client's connection instead of delivering the response:
 * the records are in the log, the client does not know and retries. Used through kafkajs's socketFactory.
 */
export async function lossyProxy(target: { host: string; port: number }, everyNth: number): Promise<LossyProxy> {
  const PRODUCE = 0;
  let produces = 0;
  let dropped = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target);
    sockets.add(client);
    sockets.add(upstream);
    let pending = Buffer.alloc(0);
    /** Correlation ids of requests forwarded whose response must be swallowed. */
    const doomed = new Set<number>();
    let fromBroker = Buffer.alloc(0);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const size = pending.readInt32BE(0);
        const frame = pending.subarray(0, 4 + size);
        pending = pending.subarray(4 + size);
        if (size >= 8 && frame.readInt16BE(4) === PRODUCE && ++produces % everyNth === 0) doomed.add(frame.readInt32BE(8));
        upstream.write(frame);
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      fromBroker = Buffer.concat([fromBroker, chunk]);
      while (fromBroker.length >= 8 && fromBroker.length >= 4 + fromBroker.readInt32BE(0)) {
        const size = fromBroker.readInt32BE(0);
        const frame = fromBroker.subarray(0, 4 + size);
        fromBroker = fromBroker.subarray(4 + size);
        if (doomed.has(frame.readInt32BE(4))) {
          dropped++;
          cut();
          return;
        }
        client.write(frame);
      }
    });
    for (const socket of [client, upstream]) {
      socket.on('error', () => cut());
      socket.on('close', () => {
        sockets.delete(socket);
        cut();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    get dropped() {
      return dropped;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
