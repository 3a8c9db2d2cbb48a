import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogManager, listPartitionDirs } from '../../../electron/broker/log/log-manager';
import { defaultLogConfig } from '../../../electron/broker/log/log-config';
import { batch, collectingLogger, offsetsOf, removeDir, tempDir } from './helpers';

const dirs: string[] = [];
const managers: LogManager[] = [];
afterEach(() => {
  for (const m of managers.splice(0)) m.abandon();
  for (const d of dirs.splice(0)) removeDir(d);
});

async function open(logDir: string, opts: Parameters<typeof LogManager.open>[1] = {}) {
  const m = await LogManager.open(logDir, { logger: collectingLogger(), ...opts });
  managers.push(m);
  return m;
}

describe('LogManager', () => {
  it('creates logs per partition, reloads them all on start, reports sizes', async () => {
    const root = tempDir();
    dirs.push(root);
    const logDir = path.join(root, 'broker-1');
    const m = await open(logDir);
    const a0 = await m.getOrCreate('orders', 0, { topicId: 'id-orders' });
    const a1 = await m.getOrCreate('orders', 1, { topicId: 'id-orders' });
    const b0 = m.getOrCreateLog('my-topic.v2', 0, defaultLogConfig(), 'id-b');
    a0.append(batch(3), { assignOffsets: true });
    a1.append(batch(5), { assignOffsets: true });
    b0.append(batch(1), { assignOffsets: true });
    expect(m.sizes().map((s) => [s.topic, s.partition, s.logEndOffset])).toEqual([
      ['orders', 0, 3],
      ['orders', 1, 5],
      ['my-topic.v2', 0, 1],
    ]);
    expect(m.totalSize()).toBe(a0.size() + a1.size() + b0.size());
    await m.close();
    expect(listPartitionDirs(logDir)).toEqual([
      { topic: 'my-topic.v2', partition: 0, dir: path.join(logDir, 'my-topic.v2-0'), topicId: 'id-b' },
      { topic: 'orders', partition: 0, dir: path.join(logDir, 'orders-0'), topicId: 'id-orders' },
      { topic: 'orders', partition: 1, dir: path.join(logDir, 'orders-1'), topicId: 'id-orders' },
    ]);
    const again = await open(logDir, { topicConfig: (t) => (t === 'orders' ? { 'retention.ms': '1000' } : undefined) });
    expect(again.all().length).toBe(3);
    expect(again.get('orders', 1)!.logEndOffset).toBe(5);
    expect(again.get('orders', 0)!.config.retentionMs).toBe(1000);
    expect(offsetsOf(again.get('orders', 1)!.read(0, 1 << 20).records)).toEqual([0, 1, 2, 3, 4]);
  });

  it('deletes partitions and topics from disk', async () => {
    const root = tempDir();
    dirs.push(root);
    const m = await open(root);
    await m.getOrCreate('t', 0);
    await m.getOrCreate('t', 1);
    await m.getOrCreate('u', 0);
    await m.deleteTopic('t');
    expect(m.get('t', 0)).toBeUndefined();
    expect(m.onDisk().map((p) => `${p.topic}-${p.partition}`)).toEqual(['u-0']);
    m.deleteLog('u', 0);
    // Nothing left but the (now empty) directory of replica markers.
    expect(fs.readdirSync(root)).toEqual(['replica-markers']);
    expect(fs.readdirSync(path.join(root, 'replica-markers'))).toEqual([]);
  });

  it('tells a partition directory that vanished while it was closed from one that never existed', async () => {
    const root = tempDir();
    dirs.push(root);
    const logDir = path.join(root, 'broker-0');
    const m = await open(logDir);
    m.getOrCreateLog('kept', 0, defaultLogConfig()).append(batch(3), { assignOffsets: true });
    m.getOrCreateLog('gone', 0, defaultLogConfig()).append(batch(3), { assignOffsets: true });
    await m.close();
    fs.rmSync(path.join(logDir, 'gone-0'), { recursive: true });

    const logger = collectingLogger();
    const again = await open(logDir, { logger });
    expect(again.lostLog('kept', 0, true)).toBe(false);
    expect(again.lostLog('gone', 0, false)).toBe(true);
    // Never created here (a partition assigned while this dir was intact): not lost.
    expect(again.lostLog('new', 0, true)).toBe(false);
    const recreated = again.getOrCreateLog('gone', 0, defaultLogConfig(), undefined, true);
    expect(recreated.logEndOffset).toBe(0);
    expect(logger.messages.some((line) => /gone-0 vanished while the broker was down/.test(line))).toBe(true);
    // Still lost after a restart, until it has caught up.
    await again.close();
    const third = await open(logDir);
    expect(third.lostLog('gone', 0, false)).toBe(true);
    third.logRecovered('gone', 0);
    expect(third.lostLog('gone', 0, false)).toBe(false);
    await third.close();
    expect((await open(logDir)).lostLog('gone', 0, false)).toBe(false);
  });

  it('counts the replicas a broker held as lost when its whole log dir was replaced', async () => {
    const root = tempDir();
    dirs.push(root);
    const logDir = path.join(root, 'broker-0');
    const m = await open(logDir);
    m.getOrCreateLog('t', 0, defaultLogConfig()).append(batch(1), { assignOffsets: true });
    await m.close();
    fs.rmSync(logDir, { recursive: true });
    const replaced = await open(logDir);
    // Assigned to this broker before the start: lost; assigned since: a new, empty replica.
    expect(replaced.lostLog('t', 0, true)).toBe(true);
    expect(replaced.lostLog('t', 1, false)).toBe(false);
  });

  it('runs retention and compaction across logs and validates config updates', async () => {
    const root = tempDir();
    dirs.push(root);
    const now = 10_000_000;
    const m = await open(root, { now: () => now, brokerDefaults: { 'segment.bytes': '500', 'file.delete.delay.ms': '0' } });
    const del = await m.getOrCreate('del', 0, { overrides: { 'retention.ms': '1000' } });
    const cmp = await m.getOrCreate('cmp', 0, { overrides: { 'cleanup.policy': 'compact' } });
    for (let i = 0; i < 20; i++) {
      del.append(batch(2, { timestamp: 1000 }), { assignOffsets: true });
      cmp.append(batch(2, { keys: ['same', 'same'] }), { assignOffsets: true });
    }
    del.highWatermark = del.logEndOffset;
    cmp.highWatermark = cmp.logEndOffset;
    expect(m.runRetention()).toBeGreaterThan(0);
    expect(del.logStartOffset).toBe(40);
    const compacted = m.runCompaction();
    expect(compacted.map((c) => c.topic)).toEqual(['cmp']);
    expect(compacted[0]!.result.recordsRemoved).toBeGreaterThan(0);
    expect(m.updateTopicConfig('del', { 'retention.ms': 'abc' })).toEqual([{ key: 'retention.ms', message: "retention.ms must be a long >= -1, got 'abc'" }]);
    expect(m.updateTopicConfig('del', { 'retention.ms': '5' })).toEqual([]);
    expect(del.config.retentionMs).toBe(5);
    expect(del.config.segmentBytes).toBe(500);
  });

  it('reports a partition it cannot open instead of failing, and disk usage', async () => {
    const root = tempDir();
    dirs.push(root);
    fs.mkdirSync(path.join(root, 'ok-0'));
    fs.mkdirSync(path.join(root, 'bad-0'));
    fs.mkdirSync(path.join(root, 'bad-0', '00000000000000000000.log')); // a directory where a segment file should be
    const m = await open(root);
    expect(m.get('ok', 0)).toBeDefined();
    expect(m.get('bad', 0)).toBeUndefined();
    expect(m.failedPartitions().map((f) => f.topic)).toEqual(['bad']);
    const usage = m.diskUsage();
    expect(usage.totalBytes).toBeGreaterThan(0);
    expect(usage.usableBytes).toBeGreaterThanOrEqual(0);
  });

  it('recovers every partition after a crash', async () => {
    const root = tempDir();
    dirs.push(root);
    const m = await open(root);
    const l = await m.getOrCreate('t', 0);
    for (let i = 0; i < 10; i++) l.append(batch(3), { assignOffsets: true });
    m.abandon();
    const again = await open(root);
    expect(again.get('t', 0)!.logEndOffset).toBe(30);
  });
});
