/**
 * kafkajs 2.2.4 against a one-broker embedded cluster: a producer with every compression codec (kafkajs
 * has gzip built in; snappy, lz4 and zstd are our codecs registered in kafkajs), the records read back by
 * kcat (librdkafka's own codecs) and by a kafkajs group consumer, and
 * an idempotent producer writing 1,000 records exactly once.
 */
import { CompressionCodecs, CompressionTypes, Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { connect as netConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compress, CompressionType, decompress, initCompression } from '../../../electron/kafka/records/compression';
import { decodeBatches } from '../../../electron/kafka/records/record-batch';
import { kcat, lines, lossyProxy, startTestCluster, storedCodecs, topicName, type TestCluster } from './helpers';

let t: TestCluster;
let kafka: Kafka;
let admin: Admin;
const producers: Producer[] = [];

beforeAll(async () => {
  await initCompression();
  for (const type of [CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd] as const) {
    CompressionCodecs[type] = () => ({
      compress: async (encoder: { buffer: Buffer }) => compress(type, encoder.buffer),
      decompress: async (buffer: Buffer) => decompress(type, buffer),
    });
  }
  t = await startTestCluster();
  kafka = new Kafka({ clientId: 'kd-kafkajs-test', brokers: [t.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 100 } });
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  for (const producer of producers) await producer.disconnect().catch(() => {});
  await admin?.disconnect().catch(() => {});
  await t?.close();
});

async function connectedProducer(options: Parameters<Kafka['producer']>[0] = {}): Promise<Producer> {
  const producer = kafka.producer({ allowAutoTopicCreation: true, ...options });
  producers.push(producer);
  await producer.connect();
  return producer;
}

async function highWatermark(topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  expect(offsets).toHaveLength(1);
  return Number(offsets[0]!.high);
}

const CODECS = [
  ['gzip', CompressionTypes.GZIP, CompressionType.Gzip],
  ['snappy', CompressionTypes.Snappy, CompressionType.Snappy],
  ['lz4', CompressionTypes.LZ4, CompressionType.Lz4],
  ['zstd', CompressionTypes.ZSTD, CompressionType.Zstd],
] as const;

describe('kafkajs producer', () => {
  const produced = new Map<string, { topic: string; values: string[] }>();

  it.each(CODECS)('produces %s batches that kcat consumes back', async (name, kafkajsType, ourType) => {
    const producer = await connectedProducer();
    const topic = topicName(`kafkajs-${name}`);
    const values = Array.from({ length: 200 }, (_, i) => `${name}-value-${i}-${'y'.repeat(i % 50)}`);
    // Four sends of 50: four batches, each compressed on its own.
    for (let start = 0; start < values.length; start += 50) {
      const result = await producer.send({
        topic,
        compression: kafkajsType,
        acks: -1,
        messages: values.slice(start, start + 50).map((value, i) => ({ key: `k${start + i}`, value, headers: { codec: name } })),
      });
      expect(result).toEqual([expect.objectContaining({ topicName: topic, partition: 0, errorCode: 0, baseOffset: String(start) })]);
    }
    expect(new Set(storedCodecs(t.cluster, topic))).toEqual(new Set([ourType]));
    expect(await highWatermark(topic)).toBe(200);

    const consumed = lines(await kcat(t.bootstrap, ['-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%k|%s|%h|%o\\n']));
    expect(consumed).toEqual(values.map((value, i) => `k${i}|${value}|codec=${name}|${i}`));
    produced.set(name, { topic, values });
  });

  it('a kafkajs consumer reads every codec back from the beginning', async () => {
    // One group consumer subscribed to the four topics (one join instead of four).
    const expected = new Map<string, string[]>();
    for (const [name] of CODECS) {
      const entry = produced.get(name);
      expect(entry, `the ${name} produce test ran first`).toBeDefined();
      expected.set(
        entry!.topic,
        entry!.values.map((value, i) => `k${i}|${value}|${name}|${i}`),
      );
    }
    const total = [...expected.values()].reduce((sum, values) => sum + values.length, 0);
    const consumer = kafka.consumer({ groupId: `kd-kafkajs-codecs-${process.pid}`, maxWaitTimeInMs: 200 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [...expected.keys()], fromBeginning: true });
      const got = new Map<string, string[]>([...expected.keys()].map((topic) => [topic, []]));
      let count = 0;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`consumed ${count} of ${total} records`)), 25_000);
        void consumer.run({
          eachMessage: async ({ topic, message }) => {
            got.get(topic)!.push(`${message.key?.toString()}|${message.value?.toString()}|${message.headers?.codec?.toString()}|${message.offset}`);
            if (++count === total) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
      expect(got).toEqual(expected);
    } finally {
      await consumer.disconnect();
    }
  });

  it('an idempotent producer writes 1,000 records exactly once', async () => {
    const producer = await connectedProducer({ idempotent: true, maxInFlightRequests: 1 });
    const topic = topicName('kafkajs-idempotent');
    const sends: Array<Promise<unknown>> = [];
    // Many sends in flight at once: kafkajs queues them behind maxInFlightRequests=1, each batch carrying
    // the next sequence number.
    for (let start = 0; start < 1000; start += 25) {
      sends.push(
        producer.send({
          topic,
          acks: -1,
          messages: Array.from({ length: 25 }, (_, i) => ({ key: `k${(start + i) % 7}`, value: String(start + i) })),
        }),
      );
    }
    await Promise.all(sends);
    expect(await highWatermark(topic)).toBe(1000);
    const consumed = lines(await kcat(t.bootstrap, ['-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\\n']));
    expect(consumed).toHaveLength(1000);
    expect(new Set(consumed).size).toBe(1000);
    // One producer id for every batch, sequence numbers contiguous from 0.
    const replica = t.cluster.broker(0).replica(topic, 0)!;
    const batches = decodeBatches(replica.log.read(0, 64 * 1024 * 1024).records).batches;
    expect(new Set(batches.map((b) => b.producerId)).size).toBe(1);
    expect(batches[0]!.producerId).toBeGreaterThanOrEqual(0);
    let sequence = 0;
    for (const batch of batches) {
      expect(batch.baseSequence).toBe(sequence);
      sequence += batch.recordCount;
    }
    expect(sequence).toBe(1000);
  });

  it('an idempotent producer whose responses get lost writes every record exactly once', async () => {
    const [host, port] = t.bootstrap.split(':') as [string, string];
    const proxy = await lossyProxy({ host, port: Number(port) }, 4);
    try {
      // Every connection goes through the proxy, which swallows every fourth Produce response: kafkajs
      // reconnects and retries the same batch (same producer id, epoch and sequence), and the broker must
      // answer the retry as a duplicate instead of appending it again.
      const lossy = new Kafka({
        clientId: 'kd-kafkajs-lossy',
        brokers: [t.bootstrap],
        logLevel: logLevel.NOTHING,
        retry: { retries: 10, initialRetryTime: 50, maxRetryTime: 500 },
        socketFactory: ({ onConnect }) => {
          const socket = netConnect({ host: '127.0.0.1', port: proxy.port }, onConnect);
          return socket;
        },
      });
      const producer = lossy.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
      producers.push(producer);
      await producer.connect();
      const topic = topicName('kafkajs-idempotent-lossy');
      for (let start = 0; start < 400; start += 20) {
        await producer.send({ topic, acks: -1, messages: Array.from({ length: 20 }, (_, i) => ({ value: String(start + i) })) });
      }
      expect(proxy.dropped).toBeGreaterThanOrEqual(4);
      expect(await highWatermark(topic)).toBe(400);
      const consumed = lines(await kcat(t.bootstrap, ['-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\\n']));
      expect(consumed).toEqual(Array.from({ length: 400 }, (_, i) => String(i)));
    } finally {
      await proxy.close();
    }
  });

  it('logged no broker errors', () => {
    expect(t.errors).toEqual([]);
  });
});
