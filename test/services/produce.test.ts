import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { partitionForKey } from '../../electron/kafka/partitioners/murmur2';
import { startCore, type TestCore } from './helpers';

const connectionId = 'embedded';
const run = promisify(execFile);
const TOPIC = 'svc.produce';

describe('produce service on the embedded cluster', () => {
  let app: TestCore;
  let kafka: Kafka;
  beforeAll(async () => {
    app = await startCore();
    kafka = new Kafka({ clientId: 'produce-test', brokers: app.bootstrapServers.split(','), logLevel: logLevel.NOTHING });
    await app.ok('topics.create', { connectionId, topic: TOPIC, partitions: 5, replicationFactor: 3 });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers the partition and offset of each record, offsets counting up per partition', async () => {
    const result = await app.ok('produce.send', { connectionId, topic: TOPIC, key: null, value: 'v', headers: [], partition: null, repeat: 10 });
    expect(result.acknowledged).toBe(true);
    expect(result.records).toHaveLength(10);
    // Keyless records go round-robin: 10 records over 5 partitions is 2 each, offsets 0 and 1.
    const byPartition = new Map<number, number[]>();
    for (const record of result.records) byPartition.set(record.partition, [...(byPartition.get(record.partition) ?? []), record.offset]);
    expect([...byPartition.keys()].sort()).toEqual([0, 1, 2, 3, 4]);
    for (const offsets of byPartition.values()) expect(offsets).toEqual([0, 1]);
    const detail = await app.ok('topics.describe', { connectionId, topic: TOPIC });
    expect(detail.partitions.map((partition) => partition.highWatermark)).toEqual([2, 2, 2, 2, 2]);
  });

  it("puts a keyed record on the key's partition, the same one the Java client (and kafkajs) picks", async () => {
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      for (const key of ['customer-1', 'customer-2', 'ключ', 'a']) {
        const ours = await app.ok('produce.send', {
          connectionId,
          topic: TOPIC,
          key,
          value: 'x',
          headers: [],
          partition: null,
          compression: 'gzip',
          repeat: 3,
        });
        const partitions = new Set(ours.records.map((record) => record.partition));
        expect(partitions.size).toBe(1);
        const [theirs] = await producer.send({ topic: TOPIC, messages: [{ key, value: 'y' }] });
        expect(ours.records[0]?.partition).toBe(theirs?.partition);
        expect(partitionForKey(Buffer.from(key), 5)).toBe(theirs?.partition);
      }
    } finally {
      await producer.disconnect();
    }
  });

  it('writes key, value and headers that another client (kcat) reads back', async () => {
    await app.ok('topics.create', { connectionId, topic: 'svc.readback', partitions: 1, replicationFactor: 1 });
    const sent = await app.ok('produce.send', {
      connectionId,
      topic: 'svc.readback',
      key: 'order-7',
      value: '{"total": 42}',
      headers: [{ key: 'source', value: 'kafka-desk' }],
      partition: 0,
      compression: 'lz4',
      acks: 1,
    });
    expect(sent.records).toEqual([{ partition: 0, offset: 0 }]);
    // librdkafka through kcat, in simple-consumer mode (no group), reads the record back.
    const { stdout } = await run(
      'kcat',
      ['-C', '-b', app.bootstrapServers, '-t', 'svc.readback', '-p', '0', '-o', 'beginning', '-c', '1', '-e', '-f', '%k|%s|%h'],
      {
        timeout: 20_000,
      },
    );
    const [key, value, header] = stdout.split('|');
    const message = { key, value, header };
    expect(message).toEqual({ key: 'order-7', value: '{"total": 42}', header: 'source=kafka-desk' });
  });

  it('refuses a partition the topic does not have, and a topic that does not exist', async () => {
    const wrongPartition = await app.call('produce.send', { connectionId, topic: TOPIC, key: null, value: 'v', headers: [], partition: 5 });
    expect(wrongPartition).toMatchObject({
      ok: false,
      error: { kind: 'invalid-request', message: `Partition 5 does not exist: "${TOPIC}" has partitions 0 to 4.` },
    });
    const noTopic = await app.call('produce.send', { connectionId, topic: 'svc.nope', key: null, value: 'v', headers: [], partition: null });
    expect(noTopic).toMatchObject({ ok: false, error: { kind: 'not-found' } });
  });

  it('sends with acks=0 and says the offsets are unknown', async () => {
    const result = await app.ok('produce.send', { connectionId, topic: TOPIC, key: null, value: 'v', headers: [], partition: 1, acks: 0 });
    expect(result).toMatchObject({ acknowledged: false, records: [] });
  });
});
