import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assignReplicas } from '../../../electron/broker/cluster/assignment';
import { Controller, isFailure, type ControllerOptions } from '../../../electron/broker/cluster/controller';
import { ClusterEvents, type ClusterEvent } from '../../../electron/broker/cluster/events';
import { MetadataStore, type TopicMetadata } from '../../../electron/broker/cluster/metadata-store';
import { topicNameError } from '../../../electron/broker/cluster/topic-names';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function makeController(brokerIds = [0, 1, 2], dataDir?: string, unclean = false) {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'kd-controller-'));
  if (!dataDir) dirs.push(dir);
  const events = new ClusterEvents();
  const seen: ClusterEvent[] = [];
  events.subscribe((e) => seen.push(e));
  const options: ControllerOptions = {
    store: new MetadataStore(dir),
    brokerIds,
    events,
    defaults: () => ({ numPartitions: 3, replicationFactor: Math.min(3, brokerIds.length) }),
    validateTopicConfigs: (configs) => (configs['retention.ms'] === 'abc' ? 'retention.ms must be a long' : null),
    topicConfig: (_topic: TopicMetadata, name: string) => (name === 'unclean.leader.election.enable' ? String(unclean) : undefined),
  };
  const controller = new Controller(options);
  for (const id of brokerIds) controller.brokerStarted(id);
  return { controller, seen, dir };
}

function created(controller: Controller, name: string, partitions = 6, replicationFactor = 3): TopicMetadata {
  const topic = controller.createTopic({ name, partitions, replicationFactor });
  if (isFailure(topic)) throw new Error(topic.message);
  return topic;
}

describe('replica assignment', () => {
  it('spreads leaders round robin and staggers followers as Kafka does', () => {
    const assignment = assignReplicas({ brokerIds: [0, 1, 2], partitions: 6, replicationFactor: 3, random: () => 0 });
    expect(assignment).toEqual([
      [0, 1, 2],
      [1, 2, 0],
      [2, 0, 1],
      [0, 2, 1],
      [1, 0, 2],
      [2, 1, 0],
    ]);
    const leaders = assignment.map((r) => r[0]);
    for (const id of [0, 1, 2]) expect(leaders.filter((l) => l === id)).toHaveLength(2);
  });

  it('refuses a replication factor above the broker count', () => {
    expect(() => assignReplicas({ brokerIds: [0], partitions: 1, replicationFactor: 2 })).toThrow(/larger than/);
  });
});

describe('topic names', () => {
  it('follow Kafka rules', () => {
    expect(topicNameError('orders.v1_x-2')).toBeNull();
    expect(topicNameError('')).toMatch(/empty/);
    expect(topicNameError('..')).toMatch(/cannot be/);
    expect(topicNameError('has space')).toMatch(/characters/);
    expect(topicNameError('x'.repeat(250))).toMatch(/249/);
  });
});

describe('Controller', () => {
  it('creates topics with defaults and refuses bad ones with clear errors', () => {
    const { controller } = makeController();
    const topic = controller.createTopic({ name: 'orders' });
    expect(isFailure(topic)).toBe(false);
    expect((topic as TopicMetadata).partitions).toHaveLength(3);
    expect((topic as TopicMetadata).partitions.every((p) => p.replicas.length === 3 && p.isr.length === 3)).toBe(true);
    const cases: Array<[Parameters<Controller['createTopic']>[0], string]> = [
      [{ name: 'orders' }, 'TOPIC_ALREADY_EXISTS'],
      [{ name: 'bad name!' }, 'INVALID_TOPIC_EXCEPTION'],
      [{ name: 'x', partitions: 0 }, 'INVALID_PARTITIONS'],
      [{ name: 'x', replicationFactor: 4 }, 'INVALID_REPLICATION_FACTOR'],
      [{ name: 'x', assignment: [[0, 0, 1]] }, 'INVALID_REPLICA_ASSIGNMENT'],
      [{ name: 'x', assignment: [[0, 7]] }, 'INVALID_REPLICA_ASSIGNMENT'],
      [{ name: 'x', configs: { 'retention.ms': 'abc' } }, 'INVALID_CONFIG'],
      [{ name: '__consumer_offsets' }, 'INVALID_TOPIC_EXCEPTION'],
    ];
    for (const [spec, error] of cases) {
      const result = controller.createTopic(spec);
      expect(isFailure(result) ? result.error : 'ok', JSON.stringify(spec)).toBe(error);
    }
    created(controller, 'a.b');
    const clash = controller.createTopic({ name: 'a_b' });
    expect(isFailure(clash) && clash.message).toMatch(/collides/);
    const validateOnly = controller.createTopic({ name: 'dry', validateOnly: true });
    expect(isFailure(validateOnly)).toBe(false);
    expect(controller.topic('dry')).toBeUndefined();
  });

  it('moves leaders to live ISR members with a new epoch when a broker stops', () => {
    const { controller, seen } = makeController();
    const topic = created(controller, 't');
    const ledBy1 = topic.partitions.filter((p) => p.leader === 1).map((p) => p.partition);
    seen.length = 0;
    controller.brokerStopped(1);
    for (const p of topic.partitions) {
      expect(p.leader).not.toBe(1);
      expect(p.isr).not.toContain(1);
      if (ledBy1.includes(p.partition)) expect(p.leaderEpoch).toBe(1);
    }
    expect(seen.filter((e) => e.type === 'leader')).toHaveLength(ledBy1.length);
    expect(seen.filter((e) => e.type === 'isr')).toHaveLength(6);
    expect(seen.at(-1)).toMatchObject({ type: 'broker', brokerId: 1, state: 'down' });
    expect(controller.controllerId).toBe(0);
  });

  it('takes a partition offline rather than elect an out-of-sync replica, and brings it back', () => {
    const { controller } = makeController();
    const topic = created(controller, 't', 1, 3);
    const p = topic.partitions[0]!;
    controller.brokerStopped(p.replicas[0]!);
    controller.brokerStopped(p.replicas[1]!);
    const last = p.replicas[2]!;
    expect(p.leader).toBe(last);
    expect(p.isr).toEqual([last]);
    controller.brokerStopped(last);
    expect(p.leader).toBe(-1);
    // Eligible leader replicas (4.1's default): the ISR empties, the last in-sync replica is eligible.
    expect(p).toMatchObject({ isr: [], elr: [last], lastKnownElr: [last] });
    controller.brokerStarted(p.replicas[0]!); // out of sync: must not lead
    expect(p.leader).toBe(-1);
    controller.brokerStarted(last);
    expect(p.leader).toBe(last);
  });

  it('elects an out-of-sync replica only with unclean.leader.election.enable', () => {
    const { controller } = makeController([0, 1, 2], undefined, true);
    const p = created(controller, 't', 1, 3).partitions[0]!;
    for (const id of p.replicas) controller.brokerStopped(id);
    controller.brokerStarted(p.replicas[0]!);
    expect(p.leader).toBe(p.replicas[0]);
    expect(p.isr).toEqual([p.replicas[0]]);
  });

  it('hands leadership back to preferred replicas and persists everything', () => {
    const { controller, dir } = makeController();
    const topic = created(controller, 't');
    controller.brokerStopped(0);
    controller.brokerStarted(0);
    const isrBack = topic.partitions.map((p) => controller.changeIsr('t', p.partition, p.leaderEpoch, [...p.replicas]));
    expect(isrBack.every(Boolean)).toBe(true);
    const results = controller.electPreferredLeaders();
    const moved = results.filter((r) => r.error === null);
    expect(moved.length).toBe(2);
    expect(topic.partitions.every((p) => p.leader === p.replicas[0])).toBe(true);
    const id = controller.allocateProducerId();

    const reopened = makeController([0, 1, 2], dir).controller;
    expect(reopened.clusterId).toBe(controller.clusterId);
    expect(reopened.topic('t')?.partitions.map((p) => p.leader)).toEqual(topic.partitions.map((p) => p.leader));
    expect(reopened.allocateProducerId()).toBe(id + 1);
  });

  it('adds partitions with the same replication factor and refuses shrinking', () => {
    const { controller } = makeController();
    created(controller, 't', 2, 2);
    const grown = controller.createPartitions('t', 5, null, false);
    expect(isFailure(grown) ? grown.message : grown.partitions.map((p) => p.replicas.length)).toEqual([2, 2, 2, 2, 2]);
    const shrink = controller.createPartitions('t', 3, null, false);
    expect(isFailure(shrink) && shrink.error).toBe('INVALID_PARTITIONS');
    expect(isFailure(controller.deleteTopic('t'))).toBe(false);
    expect(isFailure(controller.deleteTopic('t'))).toBe(true);
  });
});

describe('Controller config changes', () => {
  it('announces topic and broker config changes, validates broker configs and protects internal topics', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kd-controller-'));
    dirs.push(dir);
    const changes: Array<{ topic: string } | { brokerId: number | '' }> = [];
    const controller = new Controller({
      store: new MetadataStore(dir),
      brokerIds: [0],
      events: new ClusterEvents(),
      defaults: () => ({ numPartitions: 1, replicationFactor: 1 }),
      validateTopicConfigs: () => null,
      validateBrokerConfigs: (configs) => (configs['num.partitions'] ? 'num.partitions is read-only' : null),
      onConfigChange: (change) => changes.push(change),
      topicConfig: () => undefined,
    });
    controller.brokerStarted(0);
    created(controller, 't', 1, 1);
    expect(isFailure(controller.setTopicConfigs('t', { 'retention.ms': '1000' }, true))).toBe(false);
    expect(changes).toEqual([]);
    controller.setTopicConfigs('t', { 'retention.ms': '1000' }, false);
    expect(controller.setBrokerConfigs(0, { 'num.partitions': '3' })).toMatchObject({ error: 'INVALID_CONFIG' });
    expect(controller.setBrokerConfigs('', { 'log.retention.ms': '5' })).toBeUndefined();
    expect(changes).toEqual([{ topic: 't' }, { brokerId: '' }]);
    const internal = controller.createTopic({ name: '__consumer_offsets', partitions: 1, replicationFactor: 1, internal: true });
    expect(isFailure(internal)).toBe(false);
    expect(controller.deleteTopic('__consumer_offsets')).toMatchObject({ error: 'INVALID_TOPIC_EXCEPTION' });
    expect(isFailure(controller.deleteTopic('__consumer_offsets', { internal: true }))).toBe(false);
  });
});

describe('Controller persistence', () => {
  it('writes the metadata once for a batch of changes and at once outside batches', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kd-controller-'));
    dirs.push(dir);
    const store = new MetadataStore(dir);
    let saves = 0;
    const append = store.append.bind(store);
    store.append = (records, state) => {
      saves++;
      append(records, state);
    };
    const controller = new Controller({
      store,
      brokerIds: [0],
      events: new ClusterEvents(),
      defaults: () => ({ numPartitions: 1, replicationFactor: 1 }),
      validateTopicConfigs: () => null,
      topicConfig: () => undefined,
    });
    controller.brokerStarted(0);
    saves = 0;
    controller.batch(() => {
      for (let i = 0; i < 50; i++) created(controller, `t${i}`, 1, 1);
    });
    expect(saves).toBe(1);
    created(controller, 'single', 1, 1);
    expect(saves).toBe(2);
    const reopened = new Controller({
      ...{ store: new MetadataStore(dir), brokerIds: [0], events: new ClusterEvents() },
      defaults: () => ({ numPartitions: 1, replicationFactor: 1 }),
      validateTopicConfigs: () => null,
      topicConfig: () => undefined,
    });
    expect(reopened.topicCount()).toBe(51);
  });
});
