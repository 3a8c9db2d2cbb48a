/**
 * An old Go client: Debian's sarama 1.22 (golang-github-shopify-sarama-dev). With its default config
 * (protocol of Kafka 0.8.2: Produce v0, Fetch v0 with magic 0 message sets, Metadata v0) it produces to
 * and reads every partition; with Version 2.0 its consumer group (JoinGroup v1, SyncGroup v0,
 * Heartbeat v0, OffsetCommit v2, OffsetFetch v1, FindCoordinator v0) splits a topic and rebalances.
 * The client is built from fixtures/sarama/main.go once per run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../clients/helpers';
import { createTopic, startChild, startGroupCluster, uniqueName, type Child, type GroupTestCluster } from './helpers';
import { waitFor } from '../../support/wait';

const SOURCE = fileURLToPath(new URL('./fixtures/sarama/main.go', import.meta.url));
const GO_ENV = { ...process.env, GOPATH: '/usr/share/gocode', GO111MODULE: 'off', GOFLAGS: '' };

interface Line {
  claims?: number[];
  p?: number;
  o?: number;
  v?: string;
  closed?: boolean;
  partition?: number;
  produced?: number;
  consumed?: number;
}

const parsed = (child: Child): Line[] => child.lines.map((l) => JSON.parse(l) as Line);
const claims = (child: Child): number[] =>
  parsed(child)
    .filter((l) => l.claims)
    .at(-1)?.claims ?? [];
const values = (child: Child): string[] => parsed(child).flatMap((l) => (l.v !== undefined ? [l.v] : []));

describe('Go sarama 1.22', () => {
  let t: GroupTestCluster;
  let binDir: string;
  let binary: string;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    binDir = mkdtempSync(join(tmpdir(), 'kd-sarama-'));
    binary = join(binDir, 'sarama-client');
    // Built in GOPATH mode against Debian's sources (cgo warnings from its zstd binding are expected).
    const build = await run('go', ['build', '-o', binary, SOURCE], { timeoutMs: 120_000, env: GO_ENV });
    if (build.code !== 0) throw new Error(`go build of the sarama client failed:\n${build.stderr}`);
    t = await startGroupCluster();
  }, 150_000);

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await t?.close();
    if (binDir) rmSync(binDir, { recursive: true, force: true });
  });

  it('with its default config produces to and reads back every partition', async () => {
    const topic = uniqueName('sarama-default');
    createTopic(t.cluster, topic, 6);
    const result = await run(binary, ['produce-consume', t.bootstrap(), topic, '6', '100'], { timeoutMs: 60_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    expect(report).toEqual(Array.from({ length: 6 }, (_, partition) => ({ partition, produced: 100, consumed: 100 })));
  });

  it('runs a consumer group with Version 2.0: members split a topic, commit, and rebalance when one leaves', async () => {
    const topic = uniqueName('sarama-group');
    createTopic(t.cluster, topic, 6);
    const groupId = uniqueName('sarama-group');
    const first = startChild(binary, ['group', t.bootstrap(), groupId, topic]);
    cleanups.push(() => first.kill());
    await waitFor(() => claims(first).length === 6, 20_000, 'the first member to claim all six partitions');
    const second = startChild(binary, ['group', t.bootstrap(), groupId, topic]);
    cleanups.push(() => second.kill());
    await waitFor(
      () => claims(first).length === 3 && claims(second).length === 3 && new Set([...claims(first), ...claims(second)]).size === 6,
      20_000,
      'a 3+3 split',
    );

    const kafka = new Kafka({ brokers: t.brokers(), clientId: 'sarama-test', logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 600 }, (_, i) => ({ key: `k-${i}`, value: `v-${i}` })) });
    await waitFor(() => values(first).length + values(second).length >= 600, 30_000, '600 records read by the group');
    const all = [...values(first), ...values(second)];
    expect(all.length).toBe(600);
    expect(new Set(all).size).toBe(600);

    // Marked offsets are committed (every 200 ms) through the coordinator.
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    const ends = await admin.fetchTopicOffsets(topic);
    await waitFor(
      async () => {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return committed!.partitions.every((p) => p.offset === ends.find((e) => e.partition === p.partition)!.high);
      },
      10_000,
      'sarama commits',
    );

    await second.stop();
    expect(parsed(second).at(-1)).toEqual({ closed: true });
    await waitFor(() => claims(first).length === 6, 20_000, 'the remaining member to claim all six partitions');
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 60 }, (_, i) => ({ key: `late-${i}`, value: `late-${i}` })) });
    await waitFor(() => values(first).filter((v) => v.startsWith('late-')).length >= 60, 20_000, 'the remaining member to read the new records');
    // Nothing read twice: the partitions moved at their committed offsets.
    expect(new Set(values(first)).size).toBe(values(first).length);
    await producer.disconnect();
    await first.stop();
  });

  it('logged no broker errors', () => {
    expect(t.errors).toEqual([]);
  });
});
