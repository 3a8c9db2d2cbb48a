/**
 * Plumbing shared by the broker and replication benches: the server (broker CLI or sink) in its own
 * process, kcat runs timed from spawn to exit with their CPU time, files of N equal-sized lines for
 * `kcat -P -l`, and small statistics. Measurements on a shared machine are noisy: every figure is
 * repeated and reported as median [min-max], and the servers' CPU time per record is reported beside
 * the wall-clock rates because it depends much less on what else runs.
 *
 * BENCH_SERVER_NODE_ARGS adds node flags to the server processes, e.g.
 *   BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench -- broker
 * writes a CPU profile of the broker (and the sink) when the bench stops them. BENCH_SERVER_STDOUT=<file>
 * appends the servers' standard output to that file too, e.g. with "--trace-gc-nvp" for the bytes
 * each collection found allocated and promoted.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Admin } from '@platformatic/kafka';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const KCAT = process.env.KCAT ?? '/usr/bin/kcat';
const CLK_TCK = 100;

export interface ServerProcess {
  readonly label: string;
  readonly bootstrap: string;
  readonly pid: number;
  /** User + system CPU seconds the process has used so far (all its threads). */
  cpuSeconds(): number;
  /** Writes a line to the server's standard input (the CLI's commands). */
  send(line: string): void;
  /** Sends a command and resolves with the first line of output after it that starts with `prefix`. */
  ask(line: string, prefix: string, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Starts `node --import tsx <script> ...args` and waits for its `bootstrap.servers=` line. */
export async function startServer(label: string, script: string, args: readonly string[]): Promise<ServerProcess> {
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(REPO, script), ...args], {
    cwd: REPO,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const lineWaiters: Array<{ prefix: string; resolve: (line: string) => void }> = [];
  let partialLine = '';
  const tee = process.env.BENCH_SERVER_STDOUT;
  if (tee) child.stdout.on('data', (chunk: Buffer) => appendFileSync(tee, chunk));
  const onLines = (chunk: Buffer) => {
    const lines = (partialLine + chunk.toString()).split('\n');
    partialLine = lines.pop()!;
    for (const line of lines) {
      const index = lineWaiters.findIndex((w) => line.startsWith(w.prefix));
      if (index >= 0) lineWaiters.splice(index, 1)[0]!.resolve(line);
    }
  };
  const bootstrap = await new Promise<string>((ready, fail) => {
    let out = '';
    const timer = setTimeout(() => {
      // Not left running: the bench that started it is about to fail.
      child.kill('SIGKILL');
      fail(new Error(`${label} did not start within 60 s: ${stderr}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /^bootstrap\.servers=(\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stdout.on('data', onLines);
        ready(m[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${label} exited with ${code} before it was ready: ${stderr}`));
    });
  });
  const pid = child.pid!;
  return {
    label,
    bootstrap,
    pid,
    cpuSeconds() {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
    },
    send(line) {
      child.stdin.write(`${line}\n`);
    },
    ask(line, prefix, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${label} did not answer '${line}' within ${timeoutMs} ms`)), timeoutMs);
        lineWaiters.push({
          prefix,
          resolve: (answer) => {
            clearTimeout(timer);
            resolve(answer);
          },
        });
        child.stdin.write(`${line}\n`);
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface KcatRun {
  seconds: number;
  /** kcat's own user + system CPU seconds. */
  cpuSeconds: number;
  stdoutBytes: number;
}

/** Runs kcat to completion, timed from spawn to exit; throws on a non-zero exit. */
export function runKcat(args: readonly string[], timeoutMs = 300_000): Promise<KcatRun> {
  return new Promise((done, fail) => {
    const started = performance.now();
    // bash's `times` reports the CPU time of its children (kcat) once it exited.
    const child = spawn('bash', ['-c', '"$0" "$@"; rc=$?; times >&2; exit $rc', KCAT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdoutBytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdoutBytes += chunk.length));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      clearTimeout(timer);
      const times = stderr.trim().split('\n').slice(-1)[0] ?? '';
      const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(times);
      const cpuSeconds = m ? Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]) : NaN;
      if (code !== 0) fail(new Error(`kcat ${args.join(' ')} exited with ${code}: ${stderr.slice(-2000)}`));
      else done({ seconds, cpuSeconds, stdoutBytes });
    });
  });
}

export interface ProduceOptions {
  acks: '1' | 'all' | '0';
  lingerMs: number;
  batchMessages: number;
}

/** `kcat -P` of every line of `file` (each line one record value) into `topic`. */
export function kcatProduce(bootstrap: string, topic: string, file: string, o: ProduceOptions): Promise<KcatRun> {
  return runKcat([
    '-P',
    '-b',
    bootstrap,
    '-t',
    topic,
    '-X',
    `acks=${o.acks}`,
    '-X',
    `linger.ms=${o.lingerMs}`,
    '-X',
    `batch.num.messages=${o.batchMessages}`,
    '-X',
    'queue.buffering.max.messages=1000000',
    '-X',
    'compression.codec=none',
    '-l',
    file,
  ]);
}

/**
 * `kcat -C` of a whole topic from the beginning to its end; one output byte per record, counted. `-c`
 * stops at the last record: with `-e` alone kcat only learns of the end from one more fetch, which the
 * broker holds for fetch.wait.max.ms (500 ms) as a long poll, a fixed wait that is not throughput.
 */
export function kcatConsume(bootstrap: string, topic: string, records: number): Promise<KcatRun> {
  return runKcat(['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-c', String(records), '-q', '-f', '.']);
}

/** A file of `count` lines of exactly `size` bytes (plus the newline), cached in the temp dir. */
export function linesFile(size: number, count: number): string {
  const dir = join(tmpdir(), 'kafka-desk-bench');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `lines-${size}x${count}.txt`);
  const expected = (size + 1) * count;
  if (existsSync(path) && statSync(path).size === expected) return path;
  const blockLines = 1000;
  const filler = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const block = Buffer.alloc((size + 1) * blockLines);
  for (let i = 0; i < blockLines; i++) {
    const line = `${i.toString().padStart(6, '0')} ${filler.repeat(Math.ceil(size / filler.length) + 1).slice(i % filler.length)}`.slice(0, size);
    block.write(`${line}\n`, i * (size + 1), 'latin1');
  }
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    for (let done = 0; done < count; done += blockLines) {
      const lines = Math.min(blockLines, count - done);
      writeSync(fd, block, 0, lines * (size + 1));
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return path;
}

export async function withAdmin<T>(bootstrap: string, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin({ clientId: 'bench', bootstrapBrokers: bootstrap.split(','), timeout: 60_000, requestTimeout: 60_000 });
  try {
    return await use(admin);
  } finally {
    await admin.close();
  }
}

export async function createTopic(bootstrap: string, topic: string, partitions: number, replicas: number): Promise<void> {
  await withAdmin(bootstrap, (admin) => admin.createTopics({ topics: [topic], partitions, replicas }));
}

export async function deleteTopic(bootstrap: string, topic: string): Promise<void> {
  await withAdmin(bootstrap, (admin) => admin.deleteTopics({ topics: [topic] }));
}

// ---------------------------------------------------------------------------------------------------
// Statistics and formatting

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `1,234,567 [1,100,000-1,300,000]` (median [min-max]); the range is left out for one sample. */
export function spread(values: readonly number[], format: (v: number) => string): string {
  if (values.length === 0) return '-';
  const m = format(median(values));
  if (values.length === 1) return m;
  return `${m} [${format(Math.min(...values))}-${format(Math.max(...values))}]`;
}

export const fmtInt = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '-');
export const fmt1 = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : '-');
export const fmt2 = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : '-');

/** Prints rows as an aligned text table. */
export function printTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

/** Load average and core count: printed with the figures, since a busy machine slows every run. */
export function machineNote(): string {
  try {
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const cores = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('processor')).length;
    return `${cores} cores, load average ${load}`;
  } catch {
    return 'load unknown';
  }
}

/** Parses `--name value` flags after the bench name. */
export function benchArgs(): string[] {
  return process.argv.slice(3);
}
