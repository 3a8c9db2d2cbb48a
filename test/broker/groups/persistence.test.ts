/**
 * Committed offsets are kept by the cluster: they survive a full restart (read back from
 * `__consumer_offsets`) and a stop or kill of the coordinator's broker (the new leader of the group's
 * offsets partition loads them), and a group that was reading goes on where it left off.
 */
import { Admin } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { OFFSETS_TOPIC } from '../../../electron/broker/groups/coordinator';
import { partitionForGroup } from '../../../electron/broker/groups/records';
import { decodeBatches } from '../../../electron/kafka/records/record-batch';
import { coordinatorOf, createTopic, startGroupCluster, uniqueName, type GroupTestCluster } from './helpers';
import { waitFor } from '../../support/wait';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function cluster(): Promise<GroupTestCluster> {
  const t = await startGroupCluster();
  cleanups.push(() => t.close());
  return t;
}

function client(t: GroupTestCluster): Kafka {
  return new Kafka({ brokers: t.brokers(), clientId: 'persistence-test', logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
}

async function produce(kafka: Kafka, topic: string, count: number, tag: string): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: Array.from({ length: count }, (_, i) => ({ key: `${tag}-${i}`, value: `${tag}-${i}` })) });
  await producer.disconnect();
}

/** Runs a group member that records what it reads until told to stop. */
async function reader(kafka: Kafka, groupId: string, topic: string) {
  const values: string[] = [];
  // Few retries: after a broker goes away kafkajs keeps fetching from it until its retries run out, then
  // restarts the consumer (its own recovery), which finds the new leaders and coordinator.
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 3000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 200,
    maxWaitTimeInMs: 100,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
  const stop = () => consumer.disconnect();
  cleanups.push(stop);
  return { values, stop };
}

async function committed(kafka: Kafka, groupId: string, topic: string): Promise<Record<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Object.fromEntries(result!.partitions.map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

async function ends(kafka: Kafka, topic: string): Promise<Record<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return Object.fromEntries((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]));
  } finally {
    await admin.disconnect();
  }
}

describe('committed offsets', () => {
  it('survive a full restart of the cluster; the group resumes where it stopped', async () => {
    const t = await cluster();
    const topic = uniqueName('restart');
    const groupId = uniqueName('restart-group');
    createTopic(t.cluster, topic, 3);
    let kafka = client(t);
    await produce(kafka, topic, 300, 'before');
    const first = await reader(kafka, groupId, topic);
    await waitFor(() => first.values.length >= 300, 20_000, '300 records');
    const end = await ends(kafka, topic);
    await waitFor(async () => JSON.stringify(await committed(kafka, groupId, topic)) === JSON.stringify(end), 10_000, 'offsets committed at the end');
    await first.stop();

    await t.restart();
    kafka = client(t);
    expect(await committed(kafka, groupId, topic)).toEqual(end);
    // Records written by the group members survive too: the group's metadata record is there.
    const offsetsTopic = t.cluster.controller.topic(OFFSETS_TOPIC)!;
    expect(offsetsTopic.internal).toBe(true);

    await produce(kafka, topic, 30, 'after');
    const second = await reader(kafka, groupId, topic);
    await waitFor(() => second.values.length >= 30, 20_000, 'the 30 new records');
    await new Promise((r) => setTimeout(r, 300));
    expect(second.values.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `after-${i}`).sort());
    expect(t.errors).toEqual([]);
  });

  it.each(['stop', 'kill'] as const)('survive a %s of the coordinator broker; a reading group goes on', async (how) => {
    const t = await cluster();
    const topic = uniqueName(`coordinator-${how}`);
    const groupId = uniqueName(`coordinator-${how}-group`);
    createTopic(t.cluster, topic, 3);
    const kafka = client(t);
    await produce(kafka, topic, 200, 'one');
    const member = await reader(kafka, groupId, topic);
    await waitFor(() => member.values.length >= 200, 20_000, '200 records');
    const end = await ends(kafka, topic);
    await waitFor(async () => JSON.stringify(await committed(kafka, groupId, topic)) === JSON.stringify(end), 10_000, 'offsets committed');

    const coordinator = coordinatorOf(t.cluster, groupId);
    expect(coordinator).toBeGreaterThanOrEqual(0);
    if (how === 'stop') await t.cluster.stopBroker(coordinator);
    else await t.cluster.killBroker(coordinator);
    const next = coordinatorOf(t.cluster, groupId);
    expect(next).toBeGreaterThanOrEqual(0);
    expect(next).not.toBe(coordinator);
    expect(t.cluster.broker(next).groups.group(groupId)?.offsetCount()).toBe(3);
    expect(await committed(kafka, groupId, topic)).toEqual(end);

    // The member finds the new coordinator and goes on reading and committing.
    await produce(kafka, topic, 100, 'two');
    await waitFor(() => member.values.filter((v) => v.startsWith('two-')).length >= 100, 30_000, 'the 100 records after the move');
    const end2 = await ends(kafka, topic);
    await waitFor(async () => JSON.stringify(await committed(kafka, groupId, topic)) === JSON.stringify(end2), 15_000, 'commits through the new coordinator');
    expect(new Set(member.values.filter((v) => v.startsWith('two-'))).size).toBe(100);

    await t.cluster.startBroker(coordinator);
    await member.stop();
    expect(t.errors).toEqual([]);
  });

  it('are compacted in __consumer_offsets to the latest value per key, tombstones dropped, and load from the compacted log', async () => {
    const t = await cluster();
    const topic = uniqueName('compacted');
    createTopic(t.cluster, topic, 2);
    // Commits without a membership (as admin tools make them): @platformatic/kafka's admin.
    const admin = new Admin({ clientId: 'compaction-test', bootstrapBrokers: t.brokers() });
    cleanups.push(() => admin.close());
    const commit = (groupId: string, offsets: Array<[number, number]>) =>
      admin.alterConsumerGroupOffsets({
        groupId,
        topics: [{ name: topic, partitionOffsets: offsets.map(([partition, offset]) => ({ partition, offset: BigInt(offset) })) }],
      });
    const keep = uniqueName('keep');
    await commit(keep, [[0, 0]]);
    // A group on the same offsets partition that is deleted: its tombstones go too.
    const partitions = t.cluster.controller.topic(OFFSETS_TOPIC)!.partitions.length;
    let gone = uniqueName('gone');
    while (partitionForGroup(gone, partitions) !== partitionForGroup(keep, partitions)) gone = uniqueName('gone');
    const offsetsPartition = partitionForGroup(keep, partitions);
    // Small segments so that most of the log is in inactive (cleanable) segments.
    t.cluster.controller.setTopicConfigs(
      OFFSETS_TOPIC,
      { 'cleanup.policy': 'compact', 'segment.bytes': '2048', 'min.cleanable.dirty.ratio': '0.01', 'delete.retention.ms': '0' },
      false,
    );
    for (let i = 1; i <= 60; i++)
      await commit(keep, [
        [0, i],
        [1, i * 2],
      ]);
    await commit(gone, [[0, 5]]);
    await admin.deleteGroups({ groups: [gone] });
    for (let i = 61; i <= 80; i++) await commit(keep, [[0, i]]);

    const records = () => {
      const leader = t.cluster.controller.partition(OFFSETS_TOPIC, offsetsPartition)!.leader;
      const log = t.cluster.broker(leader).replica(OFFSETS_TOPIC, offsetsPartition)!.log;
      let count = 0;
      let offset = log.logStartOffset;
      while (offset < log.logEndOffset) {
        const { batches } = decodeBatches(log.read(offset, 1024 * 1024).records);
        if (batches.length === 0) break;
        for (const b of batches) count += b.records.length;
        offset = batches.at(-1)!.baseOffset + batches.at(-1)!.lastOffsetDelta + 1;
      }
      return count;
    };
    const before = records();
    for (const b of t.cluster.runningBrokers()) b.runRetention();
    const after = records();
    expect(before).toBeGreaterThan(140);
    expect(after).toBeLessThan(before / 4);

    await t.restart();
    const kafka2 = client(t);
    expect(await committed(kafka2, keep, topic)).toEqual({ 0: '80', 1: '120' });
    const fetched = await committed(kafka2, gone, topic);
    expect(fetched).toEqual({ 0: '-1', 1: '-1' });
    expect(t.errors).toEqual([]);
  });
});
