import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { partitionForKey } from '../../electron/kafka/partitioners/murmur2';
import { MAX_UPLOAD_BYTES } from '../../shared/model/schemas';
import { startCore, type TestCore } from './helpers';

const connectionId = 'embedded';
const run = promisify(execFile);
const TOPIC = 'svc.produce';

describe('produce service on the embedded cluster', () => {
  let app: TestCore;
  let dialogAnswer: string | null = null;
  let kafka: Kafka;
  beforeAll(async () => {
    // The desktop's open dialog, answering what the test sets (null: the user cancelled).
    app = await startCore({ chooseProduceFile: async () => dialogAnswer });
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
    expect(sent.records).toEqual([{ index: 0, partition: 0, offset: 0 }]);
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

  it('expands templates for each record, read back by kcat with the timestamp given', async () => {
    await app.ok('topics.create', { connectionId, topic: 'svc.templated', partitions: 1, replicationFactor: 1 });
    const at = Date.UTC(2024, 0, 2, 3, 4, 5, 6);
    const result = await app.ok('produce.send', {
      connectionId,
      topic: 'svc.templated',
      key: 'order-{{seq 7}}',
      value: '{"id":"{{uuid}}","color":"{{oneOf red,green}}","n":{{int 1,3}}}',
      headers: [{ key: 'batch', value: 'b{{seq}}' }],
      partition: null,
      repeat: 3,
      templates: true,
      timestamp: at,
    });
    expect(result.records.map((record) => [record.index, record.offset])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    const { stdout } = await run(
      'kcat',
      ['-C', '-b', app.bootstrapServers, '-t', 'svc.templated', '-p', '0', '-o', 'beginning', '-c', '3', '-e', '-f', '%k|%s|%h|%T\n'],
      { timeout: 20_000 },
    );
    const lines = stdout.trim().split('\n');
    expect(lines.map((line) => line.split('|')[0])).toEqual(['order-7', 'order-8', 'order-9']);
    expect(lines.map((line) => line.split('|')[2])).toEqual(['batch=b1', 'batch=b2', 'batch=b3']);
    expect(lines.map((line) => line.split('|')[3])).toEqual([String(at), String(at), String(at)]);
    const values = lines.map((line) => JSON.parse(line.split('|')[1] ?? '') as { id: string; color: string; n: number });
    expect(new Set(values.map((value) => value.id)).size).toBe(3);
    for (const value of values) {
      expect(value.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(['red', 'green']).toContain(value.color);
      expect([1, 2, 3]).toContain(value.n);
    }
  });

  it('refuses a bad placeholder before sending anything, and sends braces as they are without templates', async () => {
    const refused = await app.call('produce.send', { connectionId, topic: TOPIC, key: null, value: '{{nope}}', headers: [], partition: 0, templates: true });
    expect(refused).toMatchObject({
      ok: false,
      error: { kind: 'invalid-request', message: expect.stringContaining('The value: {{nope}} is not a placeholder.') },
    });
    const literal = await app.ok('produce.send', { connectionId, topic: TOPIC, key: null, value: '{{nope}}', headers: [], partition: 0 });
    expect(literal.records).toHaveLength(1);
  });

  it('sends a file the user chose in the open dialog, line by line or as one value; the renderer names a handle, never a path', async () => {
    await app.ok('topics.create', { connectionId, topic: 'svc.file', partitions: 1, replicationFactor: 1 });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-produce-file-'));
    try {
      const file = path.join(dir, 'orders.jsonl');
      const text = '{"id":1}\r\n{"id":2}\n\n{"id":3}\n';
      await writeFile(file, text);
      // The dialog answers the path the user picked; the renderer gets a handle, the name and the size.
      dialogAnswer = file;
      const { file: chosen } = await app.ok('produce.chooseFile', {});
      expect(chosen).toEqual({ handle: expect.any(String), name: 'orders.jsonl', size: Buffer.byteLength(text) });
      expect(JSON.stringify(chosen)).not.toContain(dir);
      const send = (handle: string, mode: 'lines' | 'whole', key: string | null = null) =>
        app.call('produce.send', { connectionId, topic: 'svc.file', key, value: null, headers: [], partition: 0, file: { handle, mode } });
      const lines = await send(chosen!.handle, 'lines');
      expect(lines.ok && lines.value.records.map((record) => record.offset)).toEqual([0, 1, 2]);
      const whole = await send(chosen!.handle, 'whole', 'all');
      expect(whole.ok && whole.value.records).toEqual([{ index: 0, partition: 0, offset: 3 }]);

      // Web mode's upload: the browser's text, kept by the main process under a handle; a Windows path's folders are dropped.
      const uploaded = await app.ok('produce.uploadFile', { name: 'C:\\Users\\me\\more.txt', content: 'a\nb\n' });
      expect(uploaded).toEqual({ handle: expect.any(String), name: 'more.txt', size: 4 });
      const sent = await send(uploaded.handle, 'lines');
      expect(sent.ok && sent.value.records.map((record) => record.offset)).toEqual([4, 5]);
      const { stdout } = await run('kcat', ['-C', '-b', app.bootstrapServers, '-t', 'svc.file', '-p', '0', '-o', 'beginning', '-c', '6', '-e', '-f', '%s|'], {
        timeout: 20_000,
      });
      expect(stdout.split('|').slice(0, 6)).toEqual(['{"id":1}', '{"id":2}', '{"id":3}', text, 'a', 'b']);

      // Cancelled: no file. A file gone since it was chosen, or a handle the main process never gave, is said before anything is sent.
      dialogAnswer = null;
      expect(await app.ok('produce.chooseFile', {})).toEqual({ file: null });
      await rm(file);
      expect(await send(chosen!.handle, 'lines')).toMatchObject({ ok: false, error: { kind: 'not-found', message: `There is no file at ${file}.` } });
      expect(await send('not-a-handle', 'lines')).toMatchObject({
        ok: false,
        error: { kind: 'not-found', message: expect.stringContaining('no longer known') },
      });
      // A path where a handle belongs is no path at all to the main process; the old field is refused.
      expect(await send(path.join(dir, 'orders.jsonl'), 'lines')).toMatchObject({ ok: false, error: { kind: 'not-found' } });
      const oldField = await app.core.dispatch('produce.send', {
        connectionId,
        topic: 'svc.file',
        key: null,
        value: null,
        headers: [],
        partition: 0,
        file: { path: '/etc/hostname', mode: 'whole' },
      });
      expect(oldField).toMatchObject({ ok: false, error: { kind: 'invalid-request' } });
      // An upload over the limit is refused whole, in words.
      const large = await app.call('produce.uploadFile', { name: 'big.txt', content: 'x'.repeat(MAX_UPLOAD_BYTES + 500_000) });
      expect(large).toMatchObject({
        ok: false,
        error: { kind: 'invalid-request', issues: [{ path: 'content', message: expect.stringContaining('at most 8 MB in UTF-8; this one is 8.5 MB') }] },
      });
      const detail = await app.ok('topics.describe', { connectionId, topic: 'svc.file' });
      expect(detail.partitions[0]?.highWatermark).toBe(6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('has no open dialog in web mode: the browser uploads the file instead', async () => {
    const web = await startCore({ brokers: 0 });
    try {
      expect(await web.call('produce.chooseFile', {})).toMatchObject({
        ok: false,
        error: { kind: 'invalid-request', message: 'Web mode has no file dialog: choose the file in the form, and the browser uploads it.' },
      });
    } finally {
      await web.close();
    }
  });
});
