/**
 * Shared plumbing of the consumer-group tests: a 3-broker cluster per test file with a small
 * `__consumer_offsets`, no initial rebalance delay and short session timeouts allowed, topics created
 * through the controller, and small waiting helpers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { isFailure } from '../../../electron/broker/cluster/controller';
import { OFFSETS_TOPIC, type CoordinatorClock } from '../../../electron/broker/groups/coordinator';
import type { TimerHandle } from '../../../electron/broker/groups/group';
import { partitionForGroup } from '../../../electron/broker/groups/records';
import { createLogger } from '../../../electron/broker/server/logger';

export const GROUP_TEST_CONFIG: Record<string, string> = {
  'offsets.topic.num.partitions': '6',
  'group.initial.rebalance.delay.ms': '0',
  'group.min.session.timeout.ms': '500',
};

export interface GroupTestCluster {
  cluster: EmbeddedCluster;
  dataDir: string;
  /** Error lines the brokers logged (a handler throwing is a broker bug even when a client retries). */
  errors: string[];
  bootstrap(): string;
  brokers(): string[];
  /** Stops the cluster and starts a new one on the same data dir (a full restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startGroupCluster(
  options: { brokers?: number; config?: Record<string, string>; groupClock?: CoordinatorClock } = {},
): Promise<GroupTestCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kd-groups-'));
  const errors: string[] = [];
  const config = { ...GROUP_TEST_CONFIG, ...options.config };
  const start = () =>
    EmbeddedCluster.start({
      brokers: options.brokers ?? 3,
      basePort: 0,
      dataDir,
      // GROUPS_TEST_LOG=<file> keeps the brokers' info lines there, for a failure that needs them.
      logger: createLogger({
        level: process.env.GROUPS_TEST_LOG ? 'info' : 'error',
        write: (line) => {
          if (process.env.GROUPS_TEST_LOG) appendFileSync(process.env.GROUPS_TEST_LOG, `${line}\n`);
          if (/^\S+ ERROR/.test(line)) errors.push(line);
        },
      }),
      config,
      groupClock: options.groupClock,
    });
  const t: GroupTestCluster = {
    cluster: await start(),
    dataDir,
    errors,
    bootstrap: () => t.cluster.bootstrapServers(),
    brokers: () => t.cluster.bootstrapServers().split(','),
    async restart() {
      await t.cluster.close();
      t.cluster = await start();
    },
    async close() {
      await t.cluster.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

export function createTopic(cluster: EmbeddedCluster, name: string, partitions: number, replicationFactor = 3): void {
  const created = cluster.controller.createTopic({ name, partitions, replicationFactor });
  if (isFailure(created)) throw new Error(created.message);
}

/** The broker coordinating a group now (the leader of its offsets partition), or -1. */
export function coordinatorOf(cluster: EmbeddedCluster, groupId: string): number {
  const topic = cluster.controller.topic(OFFSETS_TOPIC);
  if (!topic) return -1;
  return topic.partitions[partitionForGroup(groupId, topic.partitions.length)]!.leader;
}

let counter = 0;
/** A name unique within the run. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${++counter}`;
}

/**
 * A child process whose stdout lines are collected as they come; `kill()` ends it with SIGKILL (no
 * goodbye to the cluster), `stop()` with SIGTERM.
 */
export interface Child {
  process: ChildProcess;
  lines: string[];
  stderr: string[];
  exited: Promise<number | null>;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export function startChild(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Child {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const lines: string[] = [];
  const stderr: string[] = [];
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) if (line.length > 0) lines.push(line);
  });
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return { process: child, lines, stderr, exited, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}

/**
 * A clock the test moves by hand, for the group coordinators' timers (sessions, rebalances, offsets
 * expiry): what takes minutes or a week happens at once, and nothing fires before its time however
 * loaded the machine is.
 */
export class ManualClock implements CoordinatorClock {
  private current: number;
  private nextId = 0;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  constructor(start = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = ++this.nextId;
    this.timers.set(id, { at: this.current + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward by `ms`, running each timer due meanwhile at its own time, in time order (timers they set included). */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.timers.delete(due[0]);
      this.current = Math.max(this.current, due[1].at);
      due[1].callback();
    }
    this.current = end;
  }
}
