// Find by key with records written by the clients themselves, each with its default partitioner:
// confluent-kafka for Python (librdkafka's consistent_random, CRC32), Go sarama (FNV-1a) and kafkajs 2.x
// (murmur2, as the Java client). Keys are chosen so the partitioners disagree: each client's key is in a
// partition murmur2 does not pick. The browser finds every one, says which partitioners put it there,
// and goes on to every other partition for a key no common partitioner would place where it is.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { crc32Partition, fnv1aPartition, keyPartitions, partitionForKey } from '../../electron/kafka/partitioners/index';
import { PYTHON, run } from '../broker/clients/helpers';
import { startCore, type TestCore } from './helpers';

const connectionId = 'embedded';
const TOPIC = 'svc.find-by-key';
const PARTITIONS = 6;
const GO_SOURCE = fileURLToPath(new URL('./fixtures/sarama-keyed/main.go', import.meta.url));
const GO_ENV = { ...process.env, GOPATH: '/usr/share/gocode', GO111MODULE: 'off', GOFLAGS: '' };

/** The first key "<prefix>-<n>" whose partition by `pick` differs from murmur2's and from every partition in `avoid`. */
function keyWhere(prefix: string, pick: (key: Buffer) => number, avoid: number[] = []): string {
  for (let n = 0; ; n++) {
    const key = `${prefix}-${n}`;
    const bytes = Buffer.from(key);
    const partition = pick(bytes);
    if (partition !== partitionForKey(bytes, PARTITIONS) && !avoid.includes(partition)) return key;
  }
}

// Writes with confluent-kafka's default partitioner; prints "<partition> <offset>" per record.
const CONFLUENT_PRODUCER = `
import sys
from confluent_kafka import Producer
producer = Producer({'bootstrap.servers': sys.argv[1], 'acks': 'all'})
for line in sys.stdin.read().splitlines():
    key, value = line.split('\\t', 1)
    def report(err, msg):
        if err: raise SystemExit(str(err))
        print(msg.partition(), msg.offset())
    producer.produce(sys.argv[2], key=key, value=value, on_delivery=report)
    producer.flush(30)
`;

describe('find by key across the common partitioners', () => {
  let app: TestCore;
  let dir: string;
  const crcKey = keyWhere('rdkafka', (key) => crc32Partition(key, PARTITIONS));
  const fnvKey = keyWhere('sarama', (key) => fnv1aPartition(key, PARTITIONS));
  const murmurKey = 'kafkajs-1';
  // A key placed by hand in a partition none of the common partitioners picks for it.
  const strayKey = 'custom-1';
  const strayPartition = [...Array(PARTITIONS).keys()].find((p) => !keyPartitions(Buffer.from(strayKey), PARTITIONS).some((c) => c.partition === p))!;
  const written = new Map<string, number[]>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kd-find-by-key-'));
    app = await startCore();
    await app.ok('topics.create', { connectionId, topic: TOPIC, partitions: PARTITIONS, replicationFactor: 3 });
    const bootstrap = app.bootstrapServers;
    // Each client writes its key three times among keys of the others, so each partition holds other records too.
    const input = (key: string) => [0, 1, 2].map((i) => `${key}\tvalue-${i}`).join('\n') + '\n';

    const confluent = await run(PYTHON, ['-c', CONFLUENT_PRODUCER, bootstrap, TOPIC], { input: input(crcKey) + input('noise-a'), timeoutMs: 60_000 });
    expect(confluent.stderr).toBe('');
    expect(confluent.code).toBe(0);
    written.set(
      crcKey,
      confluent.stdout
        .trim()
        .split('\n')
        .slice(0, 3)
        .map((line) => Number(line.split(' ')[0])),
    );

    const binary = join(dir, 'sarama-keyed');
    const build = await run('go', ['build', '-o', binary, GO_SOURCE], { timeoutMs: 150_000, env: GO_ENV });
    if (build.code !== 0) throw new Error(`go build failed:\n${build.stderr}`);
    const sarama = await run(binary, [bootstrap, TOPIC], { input: input(fnvKey) + input('noise-b'), timeoutMs: 60_000 });
    expect(sarama.stderr).toBe('');
    expect(sarama.code).toBe(0);
    written.set(
      fnvKey,
      sarama.stdout
        .trim()
        .split('\n')
        .slice(0, 3)
        .map((line) => Number(line.split(' ')[0])),
    );

    const kafka = new Kafka({ clientId: 'find-by-key', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const sent = await producer.send({ topic: TOPIC, acks: -1, messages: [0, 1, 2].map((i) => ({ key: murmurKey, value: `value-${i}` })) });
    // One answer per partition written to: all three records went to one.
    expect(sent).toHaveLength(1);
    written.set(
      murmurKey,
      [0, 1, 2].map(() => sent[0]!.partition),
    );
    await producer.send({ topic: TOPIC, acks: -1, messages: [{ key: strayKey, value: 'stray', partition: strayPartition }] });
    await producer.disconnect();
  }, 240_000);

  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the clients put the keys where their partitioners say, where murmur2 does not', () => {
    expect(written.get(crcKey)).toEqual([0, 1, 2].map(() => crc32Partition(Buffer.from(crcKey), PARTITIONS)));
    expect(written.get(fnvKey)).toEqual([0, 1, 2].map(() => fnv1aPartition(Buffer.from(fnvKey), PARTITIONS)));
    expect(written.get(murmurKey)).toEqual([0, 1, 2].map(() => partitionForKey(Buffer.from(murmurKey), PARTITIONS)));
    expect(crc32Partition(Buffer.from(crcKey), PARTITIONS)).not.toBe(partitionForKey(Buffer.from(crcKey), PARTITIONS));
    expect(fnv1aPartition(Buffer.from(fnvKey), PARTITIONS)).not.toBe(partitionForKey(Buffer.from(fnvKey), PARTITIONS));
  });

  it.each([
    ['confluent-kafka (librdkafka)', () => crcKey, 'CRC32'],
    ['sarama', () => fnvKey, 'FNV-1a (sarama)'],
    ['kafkajs', () => murmurKey, 'murmur2'],
  ])('finds a key written by %s and names the partitioner that put it there', async (_client, keyOf, label) => {
    const key = keyOf();
    const partition = written.get(key)![0]!;
    for (const seek of [{ mode: 'earliest' as const }, { mode: 'latest' as const }]) {
      const page = await app.ok('messages.read', { connectionId, topic: TOPIC, seek, filter: { kind: 'key', key }, limit: { count: 100 } });
      expect(page.records.map((record) => [record.partition, record.key.text, record.value.text])).toEqual(
        [0, 1, 2].map((i) => [partition, key, `value-${i}`]),
      );
      // Only the candidates were read: the partitions of the common partitioners, not all six.
      const candidates = keyPartitions(Buffer.from(key), PARTITIONS).map((c) => c.partition);
      expect(page.ranges.map((range) => range.partition)).toEqual(candidates);
      expect(page.keySearch?.fallback).toBe(false);
      expect(page.keySearch?.candidates.map((c) => c.partition)).toEqual(candidates);
      expect(page.keySearch?.found).toHaveLength(1);
      expect(page.keySearch?.found[0]?.partition).toBe(partition);
      expect(page.keySearch?.found[0]?.partitioners.some((name) => name.startsWith(label))).toBe(true);
    }
  });

  it('goes on to every other partition when no common partitioner put the key where it is', async () => {
    const page = await app.ok('messages.read', { connectionId, topic: TOPIC, seek: { mode: 'earliest' }, filter: { kind: 'key', key: strayKey } });
    expect(page.records.map((record) => [record.partition, record.value.text])).toEqual([[strayPartition, 'stray']]);
    expect(page.keySearch?.fallback).toBe(true);
    expect(page.keySearch?.found).toEqual([{ partition: strayPartition, partitioners: [] }]);
    expect(page.ranges.map((range) => range.partition).sort()).toEqual([...Array(PARTITIONS).keys()]);
    // Every record of the topic was read once: the candidates first, then the others.
    const total = (await app.ok('messages.read', { connectionId, topic: TOPIC, seek: { mode: 'earliest' }, limit: { count: 1000 } })).records.length;
    expect(page.scanned).toBe(total);
  });

  it('says it searched everywhere and found nothing for a key no record has, without a contradiction', async () => {
    const page = await app.ok('messages.read', { connectionId, topic: TOPIC, filter: { kind: 'key', key: 'nobody' } });
    expect(page.records).toEqual([]);
    expect(page.keySearch).toMatchObject({ fallback: true, found: [] });
    expect(page.hasBefore).toBe(false);
    expect(page.hasAfter).toBe(false);
    // A next page from this cursor keeps searching every partition and finds nothing more.
    expect(page.cursor.map((entry) => entry.partition).sort()).toEqual([...Array(PARTITIONS).keys()]);
  });

  it('searches a chosen partition alone', async () => {
    const partition = written.get(crcKey)![0]!;
    const other = (partition + 1) % PARTITIONS;
    const there = await app.ok('messages.read', { connectionId, topic: TOPIC, partitions: [partition], filter: { kind: 'key', key: crcKey } });
    expect(there.records).toHaveLength(3);
    expect(there.keySearch?.chosen).toEqual([partition]);
    const elsewhere = await app.ok('messages.read', { connectionId, topic: TOPIC, partitions: [other], filter: { kind: 'key', key: crcKey } });
    expect(elsewhere.records).toEqual([]);
    expect(elsewhere.ranges.map((range) => range.partition)).toEqual([other]);
    expect(elsewhere.keySearch?.fallback).toBe(false);
  });

  it('exports the records of a key from any of those clients, and of a stray key', async () => {
    for (const [key, count] of [
      [crcKey, 3],
      [fnvKey, 3],
      [strayKey, 1],
    ] as const) {
      const result = await app.ok('messages.export', { connectionId, topic: TOPIC, filter: { kind: 'key', key }, format: 'jsonl' });
      expect(result.records).toBe(count);
    }
  });
});
