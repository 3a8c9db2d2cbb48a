/**
 * `npm run bench -- abuse [--idle 2000] [--slow 300] [--fetchers 3] [--rate 200] [--seconds 40]`
 *
 * What hostile clients cost a healthy one. One broker runs in its own process (the `npm run cluster`
 * CLI, default limits), so its resident memory is its own. The healthy client is librdkafka
 * (bench/latency-client.c, compiled here): a producer at a fixed rate, acks=1, linger.ms=0, and a
 * consumer reading the same partition, so its figures are send-to-delivery-report (ack) and
 * send-to-consume (e2e). It runs once alone, then again while this process holds against the broker:
 * - `--idle` connections that send nothing;
 * - `--slow` writers, each announcing a 1 MiB request and sending one byte of it a second (the broker
 *   drops them after socket.request.read.timeout.ms; they reconnect at once);
 * - `--fetchers` clients that pipeline 3,000 Fetches of 1 MB each and never read a byte of the answers.
 * It prints the broker's RSS (before, peak, after) and the healthy client's latency percentiles in both
 * runs, with their ratio. Goal (issue #12): RSS under 500 MB, healthy p99 under 20 ms.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createFetchRequest, createFetchRequestFetchPartition, createFetchRequestFetchTopic, Fetch } from '../electron/kafka/protocol/generated/index';
import { encodeRequestFrame } from '../electron/kafka/protocol/headers';
import { benchArgs, createTopic, fmt1, fmtInt, kcatProduce, linesFile, machineNote, printTable, startServer, type ServerProcess } from './_broker-harness';
import { compileClient, librdkafkaVersion, runClient, type ClientResult } from './latency';

const MiB = 1024 * 1024;
const GOAL = { rssBytes: 500 * 1000 * 1000, p99Ms: 20 };

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? NaN) * 1024;
}

function open(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

function int32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value, 0);
  return b;
}

function fetchFrames(topic: string, count: number): Buffer {
  const frames: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const request = {
      ...createFetchRequest(),
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: MiB,
      topics: [
        {
          ...createFetchRequestFetchTopic(),
          topic,
          partitions: [{ ...createFetchRequestFetchPartition(), partition: 0, fetchOffset: 0n, partitionMaxBytes: MiB }],
        },
      ],
    };
    frames.push(...encodeRequestFrame(Fetch, 11, i, 'non-reading-fetcher', request));
  }
  return Buffer.concat(frames);
}

/** The hostile clients, kept attached: a closed one is replaced at once. */
class Attackers {
  private readonly sockets = new Set<Socket>();
  private stopped = false;
  private timers: NodeJS.Timeout[] = [];
  readonly counts = { idle: 0, slow: 0, fetchers: 0, slowDropped: 0, idleDropped: 0, fetchersDropped: 0, connectFailures: 0 };

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly fetchTopic: string,
  ) {}

  private track(socket: Socket, kind: 'idle' | 'slow' | 'fetchers', onClose: () => void): void {
    this.sockets.add(socket);
    this.counts[kind]++;
    socket.on('error', () => {});
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.counts[kind]--;
      if (!this.stopped) onClose();
    });
  }

  private async connectOrCount(): Promise<Socket | null> {
    try {
      return await open(this.host, this.port);
    } catch {
      this.counts.connectFailures++;
      return null;
    }
  }

  async idle(n: number): Promise<void> {
    const one = async (): Promise<void> => {
      const socket = await this.connectOrCount();
      if (!socket) return;
      this.track(socket, 'idle', () => {
        this.counts.idleDropped++;
        void one();
      });
    };
    // In steps, within the listen backlog.
    for (let i = 0; i < n; i += 200) await Promise.all(Array.from({ length: Math.min(200, n - i) }, one));
  }

  async slow(n: number): Promise<void> {
    const one = async (): Promise<void> => {
      const socket = await this.connectOrCount();
      if (!socket) return;
      socket.write(int32(MiB));
      const timer = setInterval(() => {
        if (!socket.destroyed) socket.write(Buffer.from([0x61]));
      }, 1000);
      this.timers.push(timer);
      this.track(socket, 'slow', () => {
        clearInterval(timer);
        this.counts.slowDropped++;
        void one();
      });
      socket.once('close', () => clearInterval(timer));
    };
    for (let i = 0; i < n; i += 100) await Promise.all(Array.from({ length: Math.min(100, n - i) }, one));
  }

  async fetchers(n: number): Promise<void> {
    const frames = fetchFrames(this.fetchTopic, 3000);
    const one = async (): Promise<void> => {
      const socket = await this.connectOrCount();
      if (!socket) return;
      socket.pause(); // never reads
      socket.write(frames);
      this.track(socket, 'fetchers', () => {
        this.counts.fetchersDropped++;
        void one();
      });
    };
    await Promise.all(Array.from({ length: n }, one));
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const socket of this.sockets) socket.destroy();
  }
}

/** Samples a process's RSS every 250 ms until stopped; returns the peak. */
function watchRss(pid: number): { stop: () => number } {
  let peak = rssOf(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 250);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, rssOf(pid));
    },
  };
}

interface LoopDelay {
  eventLoopDelayP50Ms: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
}

/** The broker's event-loop delay since the previous call (the CLI's `stats`). */
async function loopDelay(broker: ServerProcess): Promise<LoopDelay> {
  const line = await broker.ask('stats', 'stats ');
  return JSON.parse(line.slice('stats '.length)) as LoopDelay;
}

const mb = (bytes: number) => `${fmtInt(bytes / 1e6)} MB`;
const ms = (v: number) => (v < 0 ? '-' : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : fmtInt(v));

export default async function run(): Promise<void> {
  const { values } = parseArgs({
    args: benchArgs(),
    options: { idle: { type: 'string' }, slow: { type: 'string' }, fetchers: { type: 'string' }, rate: { type: 'string' }, seconds: { type: 'string' } },
    strict: true,
  });
  const idle = Number(values.idle ?? 2000);
  const slow = Number(values.slow ?? 300);
  const fetchers = Number(values.fetchers ?? 3);
  const rate = Number(values.rate ?? 200);
  const seconds = Number(values.seconds ?? 40);
  if (![idle, slow, fetchers].every((v) => Number.isInteger(v) && v >= 0) || !(rate > 0) || !(seconds > 0)) {
    throw new Error('--idle, --slow and --fetchers take whole numbers, --rate and --seconds positive numbers');
  }

  const dir = mkdtempSync(join(tmpdir(), 'kd-bench-abuse-'));
  let broker: ServerProcess | null = null;
  let attackers: Attackers | null = null;
  try {
    const client = compileClient(dir);
    console.log(
      `abuse bench: 1 broker in its own process (default limits), healthy client librdkafka ${librdkafkaVersion()} (bench/latency-client.c) ` +
        `at ${fmtInt(rate)} rec/s, acks=1, ${seconds} s per run; ${machineNote()}`,
    );
    broker = await startServer('broker', 'electron/broker/cli.ts', ['--brokers', '1', '--port', '0', '--data-dir', join(dir, 'data'), '--log-level', 'error']);
    const [host, portText] = broker.bootstrap.split(':') as [string, string];
    const fetchTopic = 'abuse-fetched';
    await createTopic(broker.bootstrap, fetchTopic, 1, 1);
    // 1 MB for each of the non-readers' fetches: ten records of 100 KB.
    await kcatProduce(broker.bootstrap, fetchTopic, linesFile(100_000, 10), { acks: '1', lingerMs: 0, batchMessages: 1 });

    const healthy = async (label: string): Promise<ClientResult> => {
      const topic = `abuse-healthy-${label}`;
      await createTopic(broker!.bootstrap, topic, 1, 1);
      return runClient(client, [broker!.bootstrap, topic, '1', rate, seconds, 2, 100, 0], (seconds + 2) * 1000 + 120_000);
    };

    const rssIdle = rssOf(broker.pid);
    await loopDelay(broker);
    const alone = await healthy('alone');
    const loopAlone = await loopDelay(broker);
    const rssAlone = rssOf(broker.pid);

    attackers = new Attackers(host, Number(portText), fetchTopic);
    const cpu0 = broker.cpuSeconds();
    const watch = watchRss(broker.pid);
    const attachStarted = performance.now();
    await attackers.idle(idle);
    await attackers.slow(slow);
    await attackers.fetchers(fetchers);
    const attachSeconds = (performance.now() - attachStarted) / 1000;
    const attached = { ...attackers.counts };
    await new Promise((r) => setTimeout(r, 3000));
    await loopDelay(broker);
    const attacked = await healthy('attacked');
    const loopAttacked = await loopDelay(broker);
    const peak = watch.stop();
    const cpu = broker.cpuSeconds() - cpu0;
    const during = { ...attackers.counts };
    attackers.stop();
    attackers = null;
    await new Promise((r) => setTimeout(r, 2000));
    const rssAfter = rssOf(broker.pid);

    console.log(
      `\nattached in ${fmt1(attachSeconds)} s: ${fmtInt(attached.idle)} idle, ${fmtInt(attached.slow)} slow writers, ${fmtInt(attached.fetchers)} non-reading fetchers` +
        ` (each fetcher sent 3,000 Fetches of 1 MB); during the run the broker dropped ${fmtInt(during.slowDropped)} slow writers ` +
        `(socket.request.read.timeout.ms; each reconnected), ${fmtInt(during.idleDropped)} idle connections and ${fmtInt(during.fetchersDropped)} fetchers; ` +
        `${fmtInt(during.connectFailures)} connects failed; broker CPU ${fmt1(cpu)} s`,
    );
    console.log('\nBroker RSS');
    printTable(
      ['idle broker', 'after healthy run alone', 'peak under attack', 'after the attackers left'],
      [[mb(rssIdle), mb(rssAlone), mb(peak), mb(rssAfter)]],
    );
    console.log('\nHealthy client (ms; ack = send to delivery report, e2e = send to consume)');
    const row = (label: string, r: ClientResult, loop: LoopDelay) => [
      label,
      fmtInt(r.records),
      ms(r.ack.p50),
      ms(r.ack.p99),
      ms(r.ack.max),
      ms(r.e2e.p50),
      ms(r.e2e.p99),
      ms(r.e2e.max),
      r.delivery_errors > 0 ? `${r.delivery_errors} (${r.last_error})` : '0',
      ms(loop.eventLoopDelayP50Ms),
      ms(loop.eventLoopDelayP99Ms),
      ms(loop.eventLoopDelayMaxMs),
    ];
    printTable(
      ['run', 'records', 'ack p50', 'ack p99', 'ack max', 'e2e p50', 'e2e p99', 'e2e max', 'errors', 'loop p50', 'loop p99', 'loop max'],
      [
        row('alone', alone, loopAlone),
        row('under attack', attacked, loopAttacked),
        [
          'ratio',
          '',
          fmt1(attacked.ack.p50 / alone.ack.p50),
          fmt1(attacked.ack.p99 / alone.ack.p99),
          '',
          fmt1(attacked.e2e.p50 / alone.e2e.p50),
          fmt1(attacked.e2e.p99 / alone.e2e.p99),
          '',
          '',
          '',
          '',
          '',
        ],
      ],
    );
    console.log("(loop: the broker's event-loop delay meanwhile, from the CLI's `stats`: what the broker itself added, apart from the machine's scheduling)");
    const rssMet = peak < GOAL.rssBytes;
    const p99 = Math.max(attacked.ack.p99, attacked.e2e.p99);
    const p99Met = p99 < GOAL.p99Ms;
    console.log(`\nGoal (${machineNote()}; a shared machine: compare runs made in the same conditions)`);
    console.log(`  ${rssMet ? 'MET    ' : 'NOT MET'}  broker RSS under attack: peak ${mb(peak)} (< ${mb(GOAL.rssBytes)})`);
    console.log(`  ${p99Met ? 'MET    ' : 'NOT MET'}  healthy p99 under attack: ${ms(p99)} ms (the larger of ack and e2e; < ${GOAL.p99Ms} ms)`);
  } finally {
    attackers?.stop();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
