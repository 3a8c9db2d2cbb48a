import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePortRange } from '../support/ports';
import { spawnChild, stopChild } from '../support/processes';
import {
  ApiVersions,
  DescribeCluster,
  DescribeQuorum,
  IncrementalAlterConfigs,
  LeaderAndIsr,
  OffsetDelete,
  createApiVersionsRequest,
} from '../../electron/kafka/protocol/generated/index';
import { RawClient } from './handlers/raw-client';

const root = resolve(__dirname, '../..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/** Collects a child's stdout lines and lets a test wait for one that matches. */
class Lines {
  private buffer = '';
  readonly all: string[] = [];
  private waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];

  constructor(child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString();
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        this.all.push(line);
        this.waiters = this.waiters.filter((w) => (w.pattern.test(line) ? (w.resolve(line), false) : true));
      }
    });
  }

  next(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const seen = this.all.find((line) => pattern.test(line));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} in:\n${this.all.join('\n')}`)), timeoutMs);
      this.waiters.push({
        pattern,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }
}

describe('npm run cluster', () => {
  let child: ChildProcessWithoutNullStreams;
  let lines: Lines;
  let dataDir: string;
  let port: number;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kd-cli-'));
    // One more for the broker add-broker adds.
    port = await freePortRange(4);
    child = spawnChild(tsx, ['electron/broker/cli.ts', '--brokers', '3', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'], { cwd: root });
    lines = new Lines(child);
  });

  afterAll(async () => {
    // The whole process group: a kill of tsx alone left the cluster it runs going.
    await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the bootstrap servers once every listener accepts, with a log dir per broker', async () => {
    const ready = await lines.next(/^bootstrap\.servers=/);
    expect(ready).toBe(`bootstrap.servers=127.0.0.1:${port},127.0.0.1:${port + 1},127.0.0.1:${port + 2}`);
    expect(
      readdirSync(dataDir)
        .filter((name) => name.startsWith('broker-'))
        .sort(),
    ).toEqual(['broker-0', 'broker-1', 'broker-2']);
  });

  it('answers stop, kill, start and status on standard input', async () => {
    child.stdin.write('status\n');
    expect(await lines.next(/^broker 2 running/)).toContain(`127.0.0.1:${port + 2}`);
    child.stdin.write('stop 1\n');
    await lines.next(/^ok: broker 1 stopped$/);
    child.stdin.write('kill 2\n');
    await lines.next(/^ok: broker 2 killed$/);
    const before = lines.all.length;
    child.stdin.write('status\n');
    await lines.next(/^broker 2 stopped/);
    expect(lines.all.slice(before).some((line) => /^broker 1 stopped/.test(line))).toBe(true);
    child.stdin.write('start 1\n');
    await lines.next(/^ok: broker 1 started$/);
    child.stdin.write('start 2\n');
    await lines.next(/^ok: broker 2 started$/);
  });

  it('refuses bad commands with a clear answer', async () => {
    child.stdin.write('stop 7\n');
    expect(await lines.next(/^error: 'stop' takes one broker id/)).toContain('(0, 1, 2)');
    child.stdin.write('frobnicate\n');
    await lines.next(/^error: unknown command 'frobnicate'/);
  });

  it('prints replication counters on stats, which count an acks=all produce and its replication', async () => {
    const stats = async () => {
      const seen = lines.all.length;
      child.stdin.write('stats\n');
      for (let i = 0; i < 100; i++) {
        const line = lines.all.slice(seen).find((l) => l.startsWith('stats {'));
        if (line) return JSON.parse(line.slice('stats '.length)) as Record<string, number>;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no answer to stats in:\n${lines.all.join('\n')}`);
    };
    const before = await stats();
    expect(before.leaderAppends).toBeGreaterThanOrEqual(0);
    // kcat creates the topic (3 replicas by default here) and waits for every in-sync replica.
    await new Promise<void>((done, fail) => {
      const kcat = spawn('kcat', ['-P', '-b', `127.0.0.1:${port}`, '-t', 'cli-stats', '-X', 'acks=all', '-p', '0'], { stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      kcat.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      kcat.once('exit', (code) => (code === 0 ? done() : fail(new Error(`kcat exited with ${code}: ${stderr}`))));
      kcat.stdin.end('one\ntwo\n');
    });
    let after = await stats();
    for (let i = 0; i < 50 && after.followerFetchesWithRecords! < before.followerFetchesWithRecords! + 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await stats();
    }
    expect(after.leaderAppends).toBeGreaterThan(before.leaderAppends!);
    expect(after.highWatermarkAdvances).toBeGreaterThan(before.highWatermarkAdvances!);
    // Both followers fetched the records.
    expect(after.followerFetchesWithRecords).toBeGreaterThanOrEqual(before.followerFetchesWithRecords! + 2);
    // With them, the process's pauses since the previous stats (server/runtime-pauses.ts), observed since the first.
    for (const name of ['eventLoopDelayP99Ms', 'eventLoopDelayMaxMs', 'gcMinorCount', 'gcMinorMaxMs', 'gcMajorCount', 'gcMajorMaxMs']) {
      expect(after[name], name).toBeGreaterThanOrEqual(0);
    }
    expect(after.eventLoopDelayMaxMs).toBeGreaterThanOrEqual(after.eventLoopDelayP99Ms!);
    expect(after.gcMinorTotalMs).toBeGreaterThanOrEqual(after.gcMinorMaxMs!);
    for (const name of ['gcIncrementalCount', 'heapPromotedBytes', 'heapOldGrowthBytes', 'markCompactFreedBytes']) {
      expect(after[name], name).toBeGreaterThanOrEqual(0);
    }
    // The bytes the collector saw since the previous stats: the produce and its replication allocated.
    expect(after.heapAllocatedBytes).toBeGreaterThan(0);
    expect(after.heapOldGrowthBytes).toBeGreaterThanOrEqual(after.heapPromotedBytes!);
    expect(after.heapYoungCapacityBytes).toBeGreaterThan(0);
    expect(after.eventLoopUtilization).toBeGreaterThan(0);
    expect(after.eventLoopUtilization).toBeLessThanOrEqual(1);
  });

  it('adds a broker, refuses to remove one that holds replicas, drains it and then removes it', async () => {
    child.stdin.write('add-broker\n');
    expect(await lines.next(/^ok: broker 3 added/)).toBe(`ok: broker 3 added on 127.0.0.1:${port + 3}`);
    child.stdin.write('status\n');
    await lines.next(/^broker 3 running/);
    // cli-stats (from the test before) has a replica on broker 0.
    child.stdin.write('remove-broker 0\n');
    expect(await lines.next(/^error: broker 0 still holds/)).toContain('cli-stats-0');
    child.stdin.write('drain-broker 0\n');
    expect(await lines.next(/^ok: moving \d+ replicas? off broker 0/)).toMatch(/remove-broker 0 once they have moved$/);
    for (let i = 0; i < 100 && !lines.all.includes('ok: broker 0 removed'); i++) {
      child.stdin.write('remove-broker 0\n');
      await new Promise((r) => setTimeout(r, 200));
    }
    await lines.next(/^ok: broker 0 removed$/);
    const before = lines.all.length;
    child.stdin.write('status\n');
    await lines.next(/^broker 3 running/);
    expect(lines.all.slice(before).some((line) => line.startsWith('broker 0 '))).toBe(false);
    child.stdin.write('stop 0\n');
    expect(await lines.next(/^error: 'stop' takes one broker id \(1, 2, 3\)/)).toBeTruthy();
  });

  it('shuts down cleanly on SIGTERM', async () => {
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
  });

  it('is what npm run cluster runs', async () => {
    const viaNpm = spawn('npm', ['run', '--silent', 'cluster', '--', '--help'], { cwd: root });
    let stdout = '';
    viaNpm.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => viaNpm.once('exit', resolve));
    expect(code).toBe(0);
    expect(stdout).toMatch(/usage: npm run cluster/);
  });

  it('rejects invalid flags with a usage message and exit status 2', async () => {
    const bad = spawn(tsx, ['electron/broker/cli.ts', '--brokers', 'three'], { cwd: root });
    let stderr = '';
    bad.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => bad.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/--brokers must be a whole number/);
    expect(stderr).toMatch(/usage: npm run cluster/);
  });

  it('plays a Kafka release with --kafka-version, and refuses one it does not know', async () => {
    const port = await freePortRange(1);
    const dir = mkdtempSync(join(tmpdir(), 'kd-cli-release-'));
    const played = spawnChild(tsx, ['electron/broker/cli.ts', '--brokers', '1', '--port', String(port), '--data-dir', dir, '--kafka-version', '2.7.1'], {
      cwd: root,
    });
    try {
      const lines = new Lines(played);
      await lines.next(/^bootstrap\.servers=/, 30_000);
      const raw = await RawClient.open(`127.0.0.1:${port}`);
      const answer = await raw.call(ApiVersions, 0, createApiVersionsRequest());
      raw.close();
      const keys = answer.apiKeys.map((k) => k.apiKey);
      expect(keys).toContain(IncrementalAlterConfigs.apiKey);
      expect(keys).toContain(OffsetDelete.apiKey);
      expect(keys).not.toContain(DescribeCluster.apiKey);
      await lines.next(/^kafka\.version=2\.7$/);
    } finally {
      await stopChild(played);
      rmSync(dir, { recursive: true, force: true });
    }
    const bad = spawn(tsx, ['electron/broker/cli.ts', '--kafka-version', '0.10'], { cwd: root });
    let stderr = '';
    bad.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await new Promise<number | null>((resolve) => bad.once('exit', resolve))).toBe(2);
    expect(stderr).toMatch(/--kafka-version must be a Kafka release from 0\.11 to 4\.1 .*got '0\.10'/);
  });

  it('plays the KRaft brokers of a 3.x release with --metadata-mode kraft, and refuses a mode the release lacked', async () => {
    const port = await freePortRange(1);
    const dir = mkdtempSync(join(tmpdir(), 'kd-cli-kraft-'));
    const played = spawnChild(
      tsx,
      ['electron/broker/cli.ts', '--brokers', '1', '--port', String(port), '--data-dir', dir, '--kafka-version', '3.6', '--metadata-mode', 'kraft'],
      {
        cwd: root,
      },
    );
    try {
      const lines = new Lines(played);
      await lines.next(/^bootstrap\.servers=/, 30_000);
      const raw = await RawClient.open(`127.0.0.1:${port}`);
      const keys = (await raw.call(ApiVersions, 0, createApiVersionsRequest())).apiKeys.map((k) => k.apiKey);
      raw.close();
      expect(keys).toContain(DescribeQuorum.apiKey);
      expect(keys).not.toContain(LeaderAndIsr.apiKey);
      await lines.next(/^kafka\.version=3\.6$/);
      await lines.next(/^kafka\.metadata\.mode=kraft$/);
    } finally {
      await stopChild(played);
      rmSync(dir, { recursive: true, force: true });
    }
    const bad = spawn(tsx, ['electron/broker/cli.ts', '--kafka-version', '3.2', '--metadata-mode', 'kraft'], { cwd: root });
    let stderr = '';
    bad.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await new Promise<number | null>((resolve) => bad.once('exit', resolve))).toBe(2);
    expect(stderr).toMatch(/--metadata-mode: Kafka 3\.2 cannot be played in KRaft mode: KRaft became production-ready in 3\.3/);
  });
});
