/**
 * @platformatic/kafka (the client the app's services use) against a one-broker embedded cluster:
 * producer sends with each codec it has on this Node, records read back with the consumer's fetch API
 * and with its group consumer, admin listOffsets and deleteRecords.
 */
import { Admin, compressionsAlgorithms, Consumer, Producer, stringDeserializer, stringSerializer, type CompressionAlgorithmValue } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kcat, lines, startTestCluster, storedCodecs, topicName, type TestCluster } from './helpers';

const LATEST = -1n;
const EARLIEST = -2n;

let t: TestCluster;
let producer: Producer<string, string, string, string>;
let consumer: Consumer;
let admin: Admin;

beforeAll(async () => {
  t = await startTestCluster();
  const base = { clientId: 'kd-platformatic-test', bootstrapBrokers: [t.bootstrap], retries: 3, retryDelay: 100 };
  producer = new Producer({
    ...base,
    autocreateTopics: true,
    serializers: { key: stringSerializer, value: stringSerializer, headerKey: stringSerializer, headerValue: stringSerializer },
  });
  // The consumer is only used for its fetch and listOffsets APIs, which need no group.
  consumer = new Consumer({ ...base, groupId: `kd-platformatic-${process.pid}` });
  admin = new Admin(base);
});

afterAll(async () => {
  await producer?.close().catch(() => {});
  await consumer?.close().catch(() => {});
  await admin?.close().catch(() => {});
  await t?.close();
});

/** Every record of partition 0 from `from`, through Consumer.fetch (Fetch v13+ by topic id). */
async function fetchAll(topic: string, from = 0n): Promise<Array<{ offset: bigint; key: string; value: string; headers: string[] }>> {
  const metadata = await consumer.metadata({ topics: [topic] });
  const topicId = metadata.topics.get(topic)!.id;
  const leader = metadata.topics.get(topic)!.partitions[0]!.leader;
  const out: Array<{ offset: bigint; key: string; value: string; headers: string[] }> = [];
  let offset = from;
  for (let round = 0; round < 100; round++) {
    const response = await consumer.fetch({
      node: leader,
      maxWaitTime: 100,
      topics: [{ topicId, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, partitionMaxBytes: 1024 * 1024 }] }],
    });
    const partition = response.responses[0]!.partitions[0]!;
    expect(partition.errorCode).toBe(0);
    for (const batch of partition.records ?? []) {
      for (const record of batch.records) {
        const recordOffset = batch.firstOffset + BigInt(record.offsetDelta);
        if (recordOffset < offset) continue;
        out.push({
          offset: recordOffset,
          key: stringDeserializer(record.key ?? undefined) ?? '',
          value: stringDeserializer(record.value ?? undefined) ?? '',
          headers: record.headers.map(([k, v]) => `${stringDeserializer(k ?? undefined)}=${stringDeserializer(v ?? undefined)}`),
        });
        offset = recordOffset + 1n;
      }
    }
    if (offset >= partition.highWatermark) return out;
  }
  throw new Error(`fetch of ${topic} made no progress past offset ${offset}`);
}

async function listOffset(topic: string, timestamp: bigint): Promise<bigint> {
  const listed = await admin.listOffsets({ topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp }] }] });
  expect(listed).toHaveLength(1);
  return listed[0]!.partitions[0]!.offset;
}

const CODECS: Array<[CompressionAlgorithmValue, number]> = (
  [
    ['none', 0],
    ['gzip', 1],
    ['snappy', 2],
    ['lz4', 3],
    ['zstd', 4],
  ] as Array<[CompressionAlgorithmValue, number]>
).filter(([name]) => compressionsAlgorithms[name].available);

describe('@platformatic/kafka', () => {
  it.each(CODECS)('produces with compression %s and fetches the records back', async (codec, type) => {
    const topic = topicName(`platformatic-${codec}`);
    const messages = Array.from({ length: 120 }, (_, i) => ({ topic, key: `k${i}`, value: `${codec}-${i}-${'z'.repeat(i % 30)}`, headers: { h: `${i}` } }));
    for (let start = 0; start < messages.length; start += 40) {
      const result = await producer.send({ messages: messages.slice(start, start + 40), compression: codec, acks: -1 });
      expect(result.offsets).toEqual([{ topic, partition: 0, offset: BigInt(start) }]);
    }
    expect(new Set(storedCodecs(t.cluster, topic))).toEqual(new Set([type]));

    const fetched = await fetchAll(topic);
    expect(fetched).toEqual(messages.map((m, i) => ({ offset: BigInt(i), key: m.key, value: m.value, headers: [`h=${i}`] })));
    // And the same bytes through librdkafka.
    const viaKcat = lines(await kcat(t.bootstrap, ['-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%k=%s\\n']));
    expect(viaKcat).toEqual(messages.map((m) => `${m.key}=${m.value}`));
  });

  it('fetches from the middle of a compressed batch', async () => {
    const topic = topicName('platformatic-mid');
    await producer.send({ messages: Array.from({ length: 30 }, (_, i) => ({ topic, key: `k${i}`, value: `v${i}` })), compression: 'gzip', acks: 1 });
    const fetched = await fetchAll(topic, 17n);
    expect(fetched.map((r) => `${r.offset}:${r.value}`)).toEqual(Array.from({ length: 13 }, (_, i) => `${17 + i}:v${17 + i}`));
  });

  it('lists offsets with the admin and the consumer, and deletes records', async () => {
    const topic = topicName('platformatic-offsets');
    await producer.send({ messages: Array.from({ length: 50 }, (_, i) => ({ topic, value: `v${i}` })), acks: -1 });
    expect(await listOffset(topic, EARLIEST)).toBe(0n);
    expect(await listOffset(topic, LATEST)).toBe(50n);
    const viaConsumer = await consumer.listOffsets({ topics: [topic] });
    expect(viaConsumer.get(topic)).toEqual([50n]);

    const deleted = await admin.deleteRecords({ topics: [{ name: topic, partitions: [{ partition: 0, offset: 20n }] }] });
    expect(deleted).toEqual([{ name: topic, partitions: [{ partition: 0, lowWatermark: 20n }] }]);
    expect(await listOffset(topic, EARLIEST)).toBe(20n);
    expect(await listOffset(topic, LATEST)).toBe(50n);
    const rest = await fetchAll(topic, 20n);
    expect(rest.map((r) => r.value)).toEqual(Array.from({ length: 30 }, (_, i) => `v${20 + i}`));
    // kcat from the beginning starts at the new log start offset.
    const viaKcat = lines(await kcat(t.bootstrap, ['-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%o\\n']));
    expect(viaKcat[0]).toBe('20');
    expect(viaKcat).toHaveLength(30);
  });

  it('lists offsets by timestamp, the largest timestamp, and with leader epochs', async () => {
    const topic = topicName('platformatic-timestamps');
    await producer.send({
      messages: [5000n, 9000n, 7000n].map((timestamp, i) => ({ topic, value: `t${i}`, timestamp })),
      acks: -1,
    });
    const list = async (timestamp: bigint) =>
      (await admin.listOffsets({ topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp }] }] }))[0]!.partitions[0]!;
    expect(await list(6000n)).toMatchObject({ offset: 1n, timestamp: 9000n, leaderEpoch: 0 });
    expect(await list(5000n)).toMatchObject({ offset: 0n, timestamp: 5000n });
    expect(await list(9001n)).toMatchObject({ offset: -1n, timestamp: -1n });
    expect(await list(-3n)).toMatchObject({ offset: 1n, timestamp: 9000n });
    // Earliest and latest carry the leader epoch (KIP-320), as Kafka's do.
    expect(await list(EARLIEST)).toMatchObject({ offset: 0n, leaderEpoch: 0 });
    expect(await list(LATEST)).toMatchObject({ offset: 3n, leaderEpoch: 0 });
  });

  it('a long-polling fetch at the end returns as soon as a record arrives', async () => {
    const topic = topicName('platformatic-long-poll');
    await producer.send({ messages: [{ topic, value: 'first' }], acks: -1 });
    const metadata = await consumer.metadata({ topics: [topic] });
    const topicId = metadata.topics.get(topic)!.id;
    const started = Date.now();
    const fetching = consumer.fetch({
      node: 0,
      maxWaitTime: 10_000,
      minBytes: 1,
      topics: [{ topicId, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 1n, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 }] }],
    });
    setTimeout(() => void producer.send({ messages: [{ topic, value: 'late' }], acks: 1 }), 300);
    const response = await fetching;
    const elapsed = Date.now() - started;
    const batches = response.responses[0]!.partitions[0]!.records ?? [];
    expect(batches.flatMap((b) => b.records.map((r) => r.value?.toString()))).toEqual(['late']);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    // Answered when the record came, not at the end of the 10 s wait (a loaded machine adds seconds, not 9).
    expect(elapsed).toBeLessThan(9_000);
  });

  it('an idempotent producer writes its records with a producer id and sequences', async () => {
    const idempotent = new Producer({
      clientId: 'kd-platformatic-idempotent',
      bootstrapBrokers: [t.bootstrap],
      idempotent: true,
      autocreateTopics: true,
      serializers: { key: stringSerializer, value: stringSerializer, headerKey: stringSerializer, headerValue: stringSerializer },
    });
    try {
      const topic = topicName('platformatic-idempotent');
      for (let start = 0; start < 100; start += 10) {
        await idempotent.send({ messages: Array.from({ length: 10 }, (_, i) => ({ topic, value: `v${start + i}` })), acks: -1 });
      }
      expect(idempotent.producerId).toBeGreaterThanOrEqual(0n);
      expect(await listOffset(topic, LATEST)).toBe(100n);
      expect((await fetchAll(topic)).map((r) => r.value)).toEqual(Array.from({ length: 100 }, (_, i) => `v${i}`));
    } finally {
      await idempotent.close();
    }
  });

  it('a group consumer reads the records from the earliest offset', async () => {
    const topic = topicName('platformatic-group');
    await producer.send({ messages: Array.from({ length: 40 }, (_, i) => ({ topic, key: `k${i}`, value: `v${i}` })), acks: -1 });
    const group = new Consumer({
      clientId: 'kd-platformatic-group',
      bootstrapBrokers: [t.bootstrap],
      groupId: `kd-platformatic-group-${process.pid}`,
      deserializers: { key: stringDeserializer, value: stringDeserializer, headerKey: stringDeserializer, headerValue: stringDeserializer },
    });
    try {
      const stream = await group.consume({ topics: [topic], mode: 'earliest', maxWaitTime: 200 });
      const got: string[] = [];
      const timer = setTimeout(() => void stream.close(), 20_000);
      for await (const message of stream) {
        got.push(`${message.key}=${message.value}@${message.offset}`);
        if (got.length === 40) break;
      }
      clearTimeout(timer);
      await stream.close();
      expect(got).toEqual(Array.from({ length: 40 }, (_, i) => `k${i}=v${i}@${i}`));
    } finally {
      await group.close();
    }
  });

  it('logged no broker errors', () => {
    expect(t.errors).toEqual([]);
  });
});
