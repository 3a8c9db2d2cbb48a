// A full disk: the data dir on a small tmpfs, filled up while a 3-broker cluster runs. Appends fail
// with KAFKA_STORAGE_ERROR and reads go on; `__consumer_offsets` created while the disk is full has
// partitions whose logs cannot be created; every failure is logged once with its path and cause and
// shows as an offline replica in Metadata. Once space is freed, without a restart, the logs open, a
// consumer group (kafkajs) joins and commits, and producing works again.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { Controller, isFailure } from '../../../electron/broker/cluster/controller';
import { ClusterEvents } from '../../../electron/broker/cluster/events';
import { MetadataStore } from '../../../electron/broker/cluster/metadata-store';
import { createLogger } from '../../../electron/broker/server/logger';
import { waitFor } from '../../support/wait';
import { skipBecause } from '../../support/skip';

const run = promisify(execFile);

/** Mounting a tmpfs needs root (or CAP_SYS_ADMIN); the reason is printed when the test is skipped. */
function mountProblem(): string | null {
  if (process.platform !== 'linux') return `tmpfs mounts are Linux-only (running on ${process.platform})`;
  const probe = mkdtempSync(join(tmpdir(), 'kd-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `cannot mount a tmpfs here: ${(error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message}`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const problem = mountProblem();

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Fills the file system up to the last byte; returns the files of one page each, to free them one by one. */
function fill(dir: string): string[] {
  const pages: string[] = [];
  let n = 0;
  for (const size of [1 << 20, 64 << 10, 4 << 10]) {
    for (;;) {
      const path = join(dir, `filler-${n++}`);
      try {
        writeFileSync(path, Buffer.alloc(size, 1));
      } catch {
        rmSync(path, { force: true });
        break;
      }
      if (size === 4 << 10) pages.push(path);
    }
  }
  return pages;
}

/** A tmpfs of `size` mounted for this test, unmounted after it. */
function mountTmpfs(size: string): string {
  const mountPoint = mkdtempSync(join(tmpdir(), 'kd-full-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mountPoint]);
  cleanups.push(() => {
    execFileSync('umount', ['-l', mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });
  return mountPoint;
}

describe.skipIf(skipBecause('full-disk tests', problem))('a full disk', () => {
  it('keeps cluster metadata whole: refused changes are not half-written, changes that must happen are written once it can', async () => {
    const mountPoint = mountTmpfs('2m');
    const lines: string[] = [];
    const controller = (): Controller => {
      const c = new Controller({
        store: new MetadataStore(join(mountPoint, 'data')),
        brokerIds: [0, 1, 2],
        events: new ClusterEvents(),
        defaults: () => ({ numPartitions: 1, replicationFactor: 3 }),
        validateTopicConfigs: () => null,
        topicConfig: () => undefined,
        logger: createLogger({ level: 'info', write: (line) => lines.push(line) }),
      });
      for (const id of [0, 1, 2]) c.brokerStarted(id);
      return c;
    };
    const first = controller();
    cleanups.push(() => first.close());
    expect(isFailure(first.createTopic({ name: 'a', partitions: 3 }))).toBe(false);
    mkdirSync(join(mountPoint, 'fillers'));
    fill(join(mountPoint, 'fillers'));

    const refused = first.createTopic({ name: 'b', partitions: 200 });
    expect(refused).toMatchObject({ error: 'KAFKA_STORAGE_ERROR' });
    expect(first.topic('b')).toBeUndefined();
    expect(lines.filter((line) => /ERROR cluster metadata cannot be written.*path=.*cluster-metadata.*ENOSPC/.test(line))).toHaveLength(1);
    // An ISR change the controller cannot write is refused (the leader keeps the old ISR)...
    const p0 = first.partition('a', 0)!;
    expect(first.changeIsr('a', 0, p0.leaderEpoch, [p0.leader])).toBe(false);
    expect(first.partition('a', 0)!.isr).toHaveLength(3);
    // ...while a broker that stopped has stopped: that change is kept in memory and written later.
    first.brokerStopped(2);
    const isrWithout2 = [0, 1, 2].map((p) => first.partition('a', p)!.isr);

    rmSync(join(mountPoint, 'fillers'), { recursive: true, force: true });
    await waitFor(() => lines.some((line) => /INFO {2}cluster metadata written again/.test(line)), 30_000, 'the retry to write the metadata');
    const second = controller();
    cleanups.push(() => second.close());
    expect(second.topic('b')).toBeUndefined();
    expect([0, 1, 2].map((p) => second.partition('a', p)!.isr)).toEqual(isrWithout2);
    expect(isFailure(second.createTopic({ name: 'b', partitions: 200 }))).toBe(false);
  });

  it('fails appends, keeps reads, and heals groups and offsets once space is freed, without a restart', async () => {
    const mountPoint = mountTmpfs('24m');
    const dataDir = join(mountPoint, 'data');
    const fillers = join(mountPoint, 'fillers');
    mkdirSync(fillers);
    const lines: string[] = [];
    const cluster = await EmbeddedCluster.start({
      brokers: 3,
      basePort: 0,
      dataDir,
      logger: createLogger({ level: 'info', write: (line) => lines.push(line) }),
      config: { 'group.initial.rebalance.delay.ms': '0' },
    });
    cleanups.push(() => cluster.close());
    const created = cluster.controller.createTopic({ name: 'orders', partitions: 1, replicationFactor: 3 });
    if (isFailure(created)) throw new Error(created.message);
    const kafka = new Kafka({ clientId: 'full-disk', brokers: cluster.bootstrapServers().split(','), logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const values = Array.from({ length: 20 }, (_, i) => `order-${i}`);
    await producer.send({ topic: 'orders', acks: -1, messages: values.map((value) => ({ value })) });

    // Full: an append fails with KAFKA_STORAGE_ERROR, logged once with its path and cause.
    const pages = fill(fillers);
    const big = { value: 'x'.repeat(256 << 10) };
    await expect(producer.send({ topic: 'orders', acks: -1, messages: [big] })).rejects.toMatchObject({ cause: { type: 'KAFKA_STORAGE_ERROR' } });
    await expect(producer.send({ topic: 'orders', acks: -1, messages: [big] })).rejects.toMatchObject({ cause: { type: 'KAFKA_STORAGE_ERROR' } });
    const appendFailures = lines.filter((line) => /ERROR storage failure: append of orders-0 failed/.test(line));
    expect(appendFailures).toHaveLength(1);
    expect(appendFailures[0]).toMatch(new RegExp(`path=${dataDir}/broker-\\d/orders-0/\\d{20}\\.log cause=.*ENOSPC`));
    // Reads keep working (librdkafka).
    const { stdout } = await run('kcat', ['-b', cluster.bootstrapServers(), '-C', '-t', 'orders', '-o', 'beginning', '-e', '-q', '-f', '%s\\n'], {
      timeout: 60_000,
    });
    expect(stdout.split('\n').filter(Boolean)).toEqual(values);

    // One page free: the offsets topic gets created by the first FindCoordinator, but most of its
    // 150 replica logs cannot be.
    rmSync(pages.pop()!);
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    // What the consumers went through, for the failure message: a kafkajs consumer that crashes is
    // restarted by kafkajs or not (restart=false: it is dead), and a group member nobody sees holds partitions.
    const t0 = Date.now();
    const consumerEvents: string[] = [];
    const watch = (name: string, consumer: Consumer) => {
      const { CRASH, GROUP_JOIN, STOP, CONNECT } = consumer.events;
      for (const event of [CRASH, GROUP_JOIN, STOP, CONNECT]) {
        consumer.on(event as typeof CRASH, ({ type, payload: typed }) => {
          // kafkajs's types say every event has a payload; CONNECT and STOP come without one.
          const payload = typed as unknown as { error?: Error; restart?: boolean } | undefined;
          const { error, restart } = payload ?? {};
          const detail = error ? `${error.name}: ${error.message} restart=${String(restart)}` : JSON.stringify(payload ?? {});
          consumerEvents.push(`+${Date.now() - t0}ms ${name} ${type} ${detail}`);
        });
      }
    };
    const diagnosis = () => `consumer events:\n${consumerEvents.join('\n')}\nlast broker log lines:\n${lines.slice(-30).join('\n')}`;
    // The early consumer only makes the first FindCoordinator. It must not restart itself: with
    // retries 0 it crashes, and kafkajs restarts a consumer whose crash was retriable, even one
    // disconnected while the crash was being handled (its restart timer is set after stop() cleared
    // it). Under load that restart came after space was freed: a member with a no-op eachMessage and
    // autoCommit took orders-0 and committed past every record the real consumer was waiting for.
    const early: Consumer = kafka.consumer({ groupId: 'billing', retry: { retries: 0, restartOnFailure: () => Promise.resolve(false) } });
    watch('early', early);
    await early.connect();
    cleanups.push(() => early.disconnect());
    await early.subscribe({ topic: 'orders', fromBeginning: true });
    void early.run({ eachMessage: async () => {} }).catch(() => {});
    await waitFor(() => cluster.controller.topic('__consumer_offsets') !== undefined, 30_000, 'the offsets topic to be created');
    await waitFor(
      () => lines.some((line) => /ERROR storage failure: open of __consumer_offsets-\d+ failed .*cause=.*ENOSPC/.test(line)),
      30_000,
      'failed offsets partitions to be logged',
    );
    const offline = async () => {
      const [topic] = (await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] })).topics;
      return topic!.partitions.filter((p) => (p.offlineReplicas ?? []).length > 0).length;
    };
    // Every broker is up: these replicas are offline because their logs could not be created.
    expect(await offline()).toBeGreaterThan(0);
    await early.disconnect();
    consumerEvents.push(`+${Date.now() - t0}ms early disconnected by the test`);

    // Space again: the logs open within a retry or two, and the group works without a restart.
    rmSync(fillers, { recursive: true, force: true });
    await waitFor(async () => (await offline()) === 0, 30_000, 'every offsets replica to open');
    expect(lines.some((line) => /INFO {2}storage works again: open of __consumer_offsets-\d+/.test(line))).toBe(true);

    const consumer = kafka.consumer({ groupId: 'billing', retry: { retries: 5 } });
    watch('consumer', consumer);
    await consumer.connect();
    cleanups.push(() => consumer.disconnect());
    await consumer.subscribe({ topic: 'orders', fromBeginning: true });
    const consumed: string[] = [];
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message, partition }) => {
        consumed.push(message.value!.toString());
        await consumer.commitOffsets([{ topic: 'orders', partition, offset: String(Number(message.offset) + 1) }]);
      },
    });
    await waitFor(
      () => {
        // A consumer kafkajs will not restart never reads the rest: fail now, with why.
        if (consumerEvents.some((event) => / consumer consumer\.crash .*restart=false/.test(event))) throw new Error(`the consumer died\n${diagnosis()}`);
        return consumed.length === values.length;
      },
      60_000,
      'the group to read every record',
      diagnosis,
    );
    expect(consumed).toEqual(values);
    await waitFor(
      async () => {
        const [committed] = await admin.fetchOffsets({ groupId: 'billing', topics: ['orders'] });
        return committed!.partitions[0]!.offset === String(values.length);
      },
      30_000,
      'the commit to be readable',
      diagnosis,
    );
    // Producing works again too.
    await producer.send({ topic: 'orders', acks: -1, messages: [big] });
    await waitFor(() => lines.some((line) => /storage works again: append of orders-0/.test(line)), 30_000, 'the append recovery to be logged');
  }, 240_000);
});
