/**
 * The embedded cluster in a process of its own (`npm run cluster`), for tests that watch what hostile
 * clients do to the broker's process: its resident memory, whether it lives, its log lines.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../support/ports';

const root = resolve(__dirname, '../../..');

export interface BrokerProcess {
  readonly bootstrap: string;
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** Where the cluster keeps its logs (broker 0's under broker-0/). */
  readonly dataDir: string;
  /** The broker's log lines (standard error), as they came. */
  readonly logLines: string[];
  alive(): boolean;
  /** Resident set size of the broker process, in bytes (VmRSS). */
  rssBytes(): number;
  /** Resolves with the first log line matching `pattern` (seen already or to come). */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** Starts a one-broker cluster with `config` (broker configs by Kafka name) and waits until it is ready. */
export async function startBrokerProcess(options: { config?: Record<string, string>; logLevel?: string } = {}): Promise<BrokerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kd-broker-process-'));
  const port = await freePort();
  const args = [
    '--import',
    'tsx',
    'electron/broker/cli.ts',
    '--brokers',
    '1',
    '--port',
    String(port),
    '--data-dir',
    dataDir,
    '--log-level',
    options.logLevel ?? 'info',
  ];
  for (const [name, value] of Object.entries(options.config ?? {})) args.push('--config', `${name}=${value}`);
  // node itself (not the tsx wrapper), so the pid is the broker's.
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, args, { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  const logLines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  let partial = '';
  child.stderr.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    let newline: number;
    while ((newline = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, newline);
      partial = partial.slice(newline + 1);
      logLines.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i]!.pattern.test(line)) waiters.splice(i, 1)[0]!.resolve(line);
      }
    }
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  await new Promise<void>((ready, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`the broker did not start within 60 s:\n${logLines.join('\n')}`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/^bootstrap\.servers=/m.test(out)) {
        clearTimeout(timer);
        ready();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`the broker exited with ${code} before it was ready:\n${logLines.join('\n')}`));
    });
  });
  const pid = child.pid!;
  return {
    bootstrap: `127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    pid,
    dataDir,
    logLines,
    alive: () => child.exitCode === null && child.signalCode === null,
    rssBytes: () => rssOf(pid),
    waitForLog(pattern, timeoutMs = 10_000) {
      const seen = logLines.find((line) => pattern.test(line));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          pattern,
          resolve: (line: string) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no broker log line matching ${pattern} within ${timeoutMs} ms; last lines:\n${logLines.slice(-20).join('\n')}`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A raw TCP connection to the broker. */
export function openSocket(broker: { host: string; port: number }): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: broker.host, port: broker.port, noDelay: true }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves once the socket is closed (by either side), with the milliseconds waited; rejects after `timeoutMs`. */
export function closedWithin(socket: Socket, timeoutMs: number): Promise<number> {
  const started = Date.now();
  if (socket.destroyed) return Promise.resolve(0);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the broker left the connection open for ${timeoutMs} ms`)), timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

export function int32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value, 0);
  return b;
}
