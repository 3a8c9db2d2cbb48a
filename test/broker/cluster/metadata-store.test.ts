// The metadata store: a snapshot plus a log of changes. What a controller wrote is what a new one reads,
// after clean closes and after crashes at any point of a write or of folding the log into a snapshot.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterEvents } from '../../../electron/broker/cluster/events';
import { Controller, isFailure } from '../../../electron/broker/cluster/controller';
import { METADATA_FILE, METADATA_LOG_FILE, MetadataStore, type ClusterMetadataState } from '../../../electron/broker/cluster/metadata-store';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kd-metadata-'));
  dirs.push(dir);
  return dir;
}

function controller(dir: string, brokerIds = [0, 1, 2], store = new MetadataStore(dir)): Controller {
  const c = new Controller({
    store,
    brokerIds,
    events: new ClusterEvents(),
    defaults: () => ({ numPartitions: 1, replicationFactor: 1 }),
    validateTopicConfigs: () => null,
    topicConfig: () => undefined,
  });
  for (const id of brokerIds) c.brokerStarted(id);
  return c;
}

/** What a controller knows, in a form to compare. */
function view(c: Controller) {
  return {
    clusterId: c.clusterId,
    topics: [...c.topics()].map((t) => ({ ...t })).sort((a, b) => a.name.localeCompare(b.name)),
    brokerConfigs: c.brokerConfigs(1),
  };
}

function create(c: Controller, name: string, partitions = 3, replicationFactor = 3): void {
  const topic = c.createTopic({ name, partitions, replicationFactor });
  if (isFailure(topic)) throw new Error(topic.message);
}

describe('MetadataStore', () => {
  it('replays the log over the snapshot: topics, partitions, leaders, ISR, configs and producer ids', () => {
    const dir = tempDir();
    const first = controller(dir);
    create(first, 'orders');
    create(first, 'gone', 1, 1);
    first.setTopicConfigs('orders', { 'retention.ms': '1000' }, false);
    first.setBrokerConfigs(1, { 'log.retention.ms': '5000' });
    first.deleteTopic('gone');
    first.brokerStopped(0);
    first.brokerStarted(0);
    const p = first.partition('orders', 1)!;
    expect(first.changeIsr('orders', 1, p.leaderEpoch, [...p.replicas])).toBe(true);
    first.createPartitions('orders', 5, null, false);
    const producerId = first.allocateProducerId();
    // One snapshot, the rest in the log.
    expect(readFileSync(join(dir, METADATA_LOG_FILE), 'utf8').trim().split('\n').length).toBeGreaterThan(8);

    const second = controller(dir);
    expect(view(second)).toEqual(view(first));
    expect(second.topic('gone')).toBeUndefined();
    expect(second.partition('orders', 4)).toBeDefined();
    expect(second.allocateProducerId()).toBe(producerId + 1);
  });

  it('drops a torn last line: the change it held was never acknowledged', () => {
    const dir = tempDir();
    const first = controller(dir);
    create(first, 'kept');
    const before = view(first);
    appendFileSync(join(dir, METADATA_LOG_FILE), '{"type":"topic-deleted","na');
    const second = controller(dir);
    expect(view(second)).toEqual(before);
    // The tail is cut, so the next change is readable after it.
    create(second, 'after');
    expect(controller(dir).topic('after')).toBeDefined();
  });

  it('ignores a log older than the snapshot (a crash between writing a snapshot and starting its log)', () => {
    const dir = tempDir();
    const first = controller(dir);
    create(first, 'a');
    const oldLog = readFileSync(join(dir, METADATA_LOG_FILE));
    // A snapshot of a state where 'a' is gone, then the old log back, as if the process died before resetting it.
    const store = new MetadataStore(dir);
    const state = store.load();
    const without: ClusterMetadataState = { ...state, topics: state.topics.filter((t) => t.name !== 'a') };
    store.save(without);
    writeFileSync(join(dir, METADATA_LOG_FILE), oldLog);
    expect(controller(dir).topic('a')).toBeUndefined();
  });

  it('folds the log into a new snapshot once it outgrows it, and keeps every change', () => {
    const dir = tempDir();
    // A 16 KiB floor instead of the default 1 MiB: a few hundred ISR changes fold the log, not ten thousand fsyncs.
    const floor = 16 << 10;
    const first = controller(dir, [0, 1, 2], new MetadataStore(dir, { minCompactionBytes: floor }));
    create(first, 'churn', 50, 3);
    const logIdOf = () => (JSON.parse(readFileSync(join(dir, METADATA_FILE), 'utf8')) as { logId: string }).logId;
    const firstLogId = logIdOf();
    // ISR changes, one record of ~150 bytes each: enough to pass the floor and the snapshot's size.
    for (let round = 0; round < 12; round++) {
      for (let partition = 0; partition < 50; partition++) {
        const p = first.partition('churn', partition)!;
        const isr = round % 2 === 0 ? [p.leader] : [...p.replicas];
        first.changeIsr('churn', partition, p.leaderEpoch, isr);
      }
    }
    expect(logIdOf()).not.toBe(firstLogId);
    const snapshotBytes = statSync(join(dir, METADATA_FILE)).size;
    expect(statSync(join(dir, METADATA_LOG_FILE)).size).toBeLessThanOrEqual(Math.max(floor, snapshotBytes));
    expect(view(controller(dir))).toEqual(view(first));
  });

  it('reads a snapshot written before the log existed (no log id) and continues with a log', () => {
    const dir = tempDir();
    const first = controller(dir);
    create(first, 'legacy');
    const snapshot = JSON.parse(readFileSync(join(dir, METADATA_FILE), 'utf8')) as Record<string, unknown>;
    const state = new MetadataStore(dir).load();
    delete snapshot['logId'];
    writeFileSync(join(dir, METADATA_FILE), JSON.stringify({ ...snapshot, topics: state.topics }));
    rmSync(join(dir, METADATA_LOG_FILE));
    const second = controller(dir);
    expect(second.topic('legacy')).toBeDefined();
    create(second, 'next');
    expect(controller(dir).topic('next')).toBeDefined();
    expect(controller(dir).topic('legacy')).toBeDefined();
  });
});
