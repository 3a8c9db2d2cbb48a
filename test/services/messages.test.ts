// The message browser against a real embedded cluster: seek modes, paging both ways across partitions,
// decoders, filters, find by key, exports, whole values of a 10 MB record, live tail.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import avro from 'avsc';
import protobuf from 'protobufjs';
import { Producer, type MessageToProduce } from '@platformatic/kafka';
import type { EventPayload } from '../../shared/ipc/contract';
import type { Page, RecordView } from '../../shared/model/messages';
import { keyPartitions, partitionForKey } from '../../electron/kafka/partitioners/index';
import { MessageService } from '../../electron/services/messages/service';
import { kcatCommand } from '../../renderer/src/features/messages/record-format';
import { startCore, type TestCore } from './helpers';
import { eventually } from '../support/wait';

const connectionId = 'embedded';
const TOPIC = 'svc.messages';
const PARTITIONS = 3;
const PER_PARTITION = 40;
const BASE_TIME = Date.UTC(2024, 0, 1);

// Records of partition p, index i: key "customer-<i mod 7>", JSON value, a header, a timestamp that
// interleaves the partitions (i * 1000 + p ms after BASE_TIME).
function orderValue(partition: number, index: number) {
  return { id: partition * 1000 + index, customer: { name: `customer-${index % 7}`, tier: index % 2 ? 'gold' : 'basic' }, amount: index };
}

const offsets = (page: Page) => page.records.map((record) => `${record.partition}:${record.offset}`);

describe('message browser on the embedded cluster', () => {
  let app: TestCore;
  let producer: Producer;
  const progress: EventPayload<'messages.progress'>[] = [];
  const tailEvents: EventPayload<'messages.tail'>[] = [];

  const send = async (messages: MessageToProduce[], compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd' = 'none') => {
    await producer.send({ messages, acks: -1, compression });
  };

  beforeAll(async () => {
    app = await startCore();
    app.core.hub.subscribe((event, payload) => {
      if (event === 'messages.progress') progress.push(payload as EventPayload<'messages.progress'>);
      if (event === 'messages.tail') tailEvents.push(payload as EventPayload<'messages.tail'>);
    });
    producer = new Producer({ clientId: 'messages-test', bootstrapBrokers: app.bootstrapServers.split(','), idempotent: true });
    await app.ok('topics.create', { connectionId, topic: TOPIC, partitions: PARTITIONS, replicationFactor: 3 });
    const codecs = ['none', 'gzip', 'lz4'] as const;
    for (let partition = 0; partition < PARTITIONS; partition++) {
      // Batches of 10, so paging crosses batch boundaries; each partition with its own codec.
      for (let batch = 0; batch < PER_PARTITION / 10; batch++) {
        await send(
          Array.from({ length: 10 }, (_, j) => {
            const index = batch * 10 + j;
            return {
              topic: TOPIC,
              partition,
              key: Buffer.from(`customer-${index % 7}`),
              value: Buffer.from(JSON.stringify(orderValue(partition, index))),
              headers: new Map([[Buffer.from('source'), Buffer.from(index % 5 === 0 ? 'import' : 'web')]]),
              timestamp: BigInt(BASE_TIME + index * 1000 + partition),
            };
          }),
          codecs[partition],
        );
      }
    }
  }, 120_000);

  afterAll(async () => {
    await producer?.close();
    await app?.close();
  });

  it('reads one partition from the earliest offset with the batch metadata', async () => {
    const page = await app.ok('messages.read', { connectionId, topic: TOPIC, partitions: [1], seek: { mode: 'earliest' }, limit: { count: 15 } });
    expect(page.records.map((record) => record.offset)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    const first = page.records[0]!;
    expect(first).toMatchObject({
      partition: 1,
      offset: 0,
      timestamp: BASE_TIME + 1,
      timestampType: 'create',
      key: { format: 'text', text: 'customer-0', size: 10, truncated: false },
      value: { format: 'json', truncated: false },
      headers: [{ key: 'source', value: { format: 'text', text: 'import' } }],
    });
    expect(JSON.parse(first.value.text)).toEqual(orderValue(1, 0));
    expect(first.batch).toMatchObject({ compression: 'gzip', transactional: false, baseOffset: 0 });
    // Idempotent producer: a producer id and one sequence per record.
    expect(first.batch.producerId).toBeGreaterThanOrEqual(0);
    expect(page.records[12]!.batch.sequence).toBe(page.records[0]!.batch.sequence + 12);
    expect(page.records[12]!.batch.baseOffset).toBe(10);
    expect(first.size).toBeGreaterThan(first.value.size);
    expect(page.cursor).toEqual([{ partition: 1, before: 0, after: 15 }]);
    expect(page).toMatchObject({ hasBefore: false, hasAfter: true, stoppedBy: 'count', ranges: [{ partition: 1, low: 0, high: PER_PARTITION }] });
  });

  it('merges all partitions by timestamp and pages forward and back by cursor', async () => {
    const first = await app.ok('messages.read', { connectionId, topic: TOPIC, seek: { mode: 'earliest' }, limit: { count: 10 } });
    // Timestamps interleave: index 0 of partitions 0,1,2, then index 1 ...
    expect(offsets(first)).toEqual(['0:0', '1:0', '2:0', '0:1', '1:1', '2:1', '0:2', '1:2', '2:2', '0:3']);
    expect(first.cursor).toEqual([
      { partition: 0, before: 0, after: 4 },
      { partition: 1, before: 0, after: 3 },
      { partition: 2, before: 0, after: 3 },
    ]);
    const second = await app.ok('messages.read', { connectionId, topic: TOPIC, page: { cursor: first.cursor, direction: 'forward' }, limit: { count: 10 } });
    expect(offsets(second)).toEqual(['1:3', '2:3', '0:4', '1:4', '2:4', '0:5', '1:5', '2:5', '0:6', '1:6']);
    const third = await app.ok('messages.read', { connectionId, topic: TOPIC, page: { cursor: second.cursor, direction: 'forward' }, limit: { count: 10 } });
    // Back from the third page is the second page again, and back again the first.
    const back = await app.ok('messages.read', { connectionId, topic: TOPIC, page: { cursor: third.cursor, direction: 'backward' }, limit: { count: 10 } });
    expect(offsets(back)).toEqual(offsets(second));
    const backAgain = await app.ok('messages.read', { connectionId, topic: TOPIC, page: { cursor: back.cursor, direction: 'backward' }, limit: { count: 10 } });
    expect(offsets(backAgain)).toEqual(offsets(first));
    expect(backAgain.hasBefore).toBe(false);
    // Walking forward to the end sees every record exactly once.
    const seen = new Set<string>();
    let page = await app.ok('messages.read', { connectionId, topic: TOPIC, seek: { mode: 'earliest' }, limit: { count: 25 } });
    for (let guard = 0; guard < 20; guard++) {
      for (const id of offsets(page)) seen.add(id);
      if (!page.hasAfter) break;
      page = await app.ok('messages.read', { connectionId, topic: TOPIC, page: { cursor: page.cursor, direction: 'forward' }, limit: { count: 25 } });
    }
    expect(seen.size).toBe(PARTITIONS * PER_PARTITION);
    expect(page.stoppedBy).toBe('end');
  });

  it('seeks to the latest N, an offset and a timestamp', async () => {
    const latest = await app.ok('messages.read', { connectionId, topic: TOPIC, seek: { mode: 'latest' }, limit: { count: 6 } });
    expect(offsets(latest)).toEqual(['0:38', '1:38', '2:38', '0:39', '1:39', '2:39']);
    expect(latest.hasAfter).toBe(false);
    const latestOne = await app.ok('messages.read', { connectionId, topic: TOPIC, partitions: [2], seek: { mode: 'latest' }, limit: { count: 5 } });
    expect(latestOne.records.map((record) => record.offset)).toEqual([35, 36, 37, 38, 39]);
    expect(latestOne.cursor).toEqual([{ partition: 2, before: 35, after: 40 }]);

    const atOffset = await app.ok('messages.read', { connectionId, topic: TOPIC, partitions: [0], seek: { mode: 'offset', offset: 17 }, limit: { count: 3 } });
    expect(atOffset.records.map((record) => record.offset)).toEqual([17, 18, 19]);

    // Index 25 of every partition has timestamp BASE_TIME + 25 s + partition.
    const atTime = await app.ok('messages.read', {
      connectionId,
      topic: TOPIC,
      seek: { mode: 'timestamp', timestamp: BASE_TIME + 25_000 },
      limit: { count: 4 },
    });
    expect(offsets(atTime)).toEqual(['0:25', '1:25', '2:25', '0:26']);
    const afterEnd = await app.ok('messages.read', {
      connectionId,
      topic: TOPIC,
      seek: { mode: 'timestamp', timestamp: BASE_TIME + 10_000_000 },
      limit: { count: 4 },
    });
    expect(afterEnd.records).toEqual([]);
    expect(afterEnd.hasAfter).toBe(false);

    // Bounded by bytes and by an end time.
    const bySize = await app.ok('messages.read', { connectionId, topic: TOPIC, partitions: [0], limit: { count: 100, maxBytes: 300 } });
    expect(bySize.stoppedBy).toBe('bytes');
    expect(bySize.records.length).toBeLessThan(10);
    const byTime = await app.ok('messages.read', { connectionId, topic: TOPIC, partitions: [0], limit: { count: 100, endTimestamp: BASE_TIME + 4_500 } });
    expect(byTime.records.map((record) => record.offset)).toEqual([0, 1, 2, 3, 4]);
    expect(byTime.cursor).toEqual([{ partition: 0, before: 0, after: 5 }]);
  });

  it("seeks to a consumer group's committed offsets (OffsetFetch)", async () => {
    const { Admin } = await import('@platformatic/kafka');
    const admin = new Admin({ clientId: 'commit', bootstrapBrokers: app.bootstrapServers.split(',') });
    try {
      await admin.alterConsumerGroupOffsets({
        groupId: 'browser-group',
        topics: [
          {
            name: TOPIC,
            partitionOffsets: [
              { partition: 0, offset: 30n },
              { partition: 1, offset: 35n },
            ],
          },
        ],
      });
    } finally {
      await admin.close();
    }
    const page = await app.ok('messages.read', {
      connectionId,
      topic: TOPIC,
      partitions: [0, 1],
      seek: { mode: 'group', groupId: 'browser-group' },
      limit: { count: 100 },
    });
    expect(page.records.filter((record) => record.partition === 0).map((record) => record.offset)[0]).toBe(30);
    expect(page.records.filter((record) => record.partition === 1).map((record) => record.offset)[0]).toBe(35);
    expect(page.records).toHaveLength(15);
    const none = await app.ok('messages.read', {
      connectionId,
      topic: TOPIC,
      partitions: [2],
      seek: { mode: 'group', groupId: 'browser-group' },
      limit: { count: 1 },
    });
    expect(none.notes.join(' ')).toMatch(/no committed offset/);
  });

  it('filters with contains, regex and JSON path, reporting progress', async () => {
    const contains = await app.ok('messages.read', {
      connectionId,
      topic: TOPIC,
      filter: { kind: 'contains', field: 'value', text: '"tier":"gold"' },
      limit: { count: 1000 },
      operationId: 'op-contains',
    });
    expect(contains.records).toHaveLength(PARTITIONS * (PER_PARTITION / 2));
    expect(contains.scanned).toBe(PARTITIONS * PER_PARTITION);
    expect(contains.stoppedBy).toBe('end');
    const done = progress.filter((event) => event.operationId === 'op-contains' && event.done);
    expect(done).toEqual([expect.objectContaining({ scanned: PARTITIONS * PER_PARTITION, matches: PARTITIONS * (PER_PARTITION / 2) })]);

    // Read backward (latest), the in-place search meets a body's records newest first.
    const goldLatest = await app.ok('messages.read', {
      connectionId,
      topic: TOPIC,
      partitions: [0],
      seek: { mode: 'latest' },
      filter: { kind: 'contains', field: 'value', text: '"tier":"gold"' },
      limit: { count: 3 },
    });
    expect(goldLatest.records.map((record) => record.offset)).toEqual([35, 37, 39]);
    const goldBefore = await app.ok('messages.read', {
      connectionId,
      topic: TOPIC,
      partitions: [0],
      page: { cursor: goldLatest.cursor, direction: 'backward' },
      filter: { kind: 'contains', field: 'value', text: '"tier":"gold"' },
      limit: { count: 3 },
    });
    expect(goldBefore.records.map((record) => record.offset)).toEqual([29, 31, 33]);

    const header = await app.ok('messages.read', {
      connectionId,
      topic: TOPIC,
      partitions: [0],
      filter: { kind: 'contains', field: 'header', text: 'import' },
      limit: { count: 100 },
    });
    expect(header.records.map((record) => record.offset)).toEqual([0, 5, 10, 15, 20, 25, 30, 35]);
    const ignoreCase = await app.ok('messages.read', {
      connectionId,
      topic: TOPIC,
      partitions: [0],
      filter: { kind: 'contains', field: 'key', text: 'CUSTOMER-3', ignoreCase: true },
      limit: { count: 100 },
    });
    expect(ignoreCase.records.map((record) => record.offset)).toEqual([3, 10, 17, 24, 31, 38]);

    const regex = await app.ok('messages.read', {
      connectionId,
      topic: TOPIC,
      partitions: [2],
      filter: { kind: 'regex', field: 'value', pattern: '"amount":3\\d\\b' },
      limit: { count: 100 },
    });
    expect(regex.records.map((record) => record.offset)).toEqual([30, 31, 32, 33, 34, 35, 36, 37, 38, 39]);

    const jsonPath = await app.ok('messages.read', {
      connectionId,
      topic: TOPIC,
      filter: { kind: 'jsonPath', path: '$.customer.name', equals: 'customer-4' },
      limit: { count: 100 },
    });
    expect(jsonPath.records.every((record) => JSON.parse(record.value.text).customer.name === 'customer-4')).toBe(true);
    expect(jsonPath.records).toHaveLength(PARTITIONS * 6);
    const number = await app.ok('messages.read', {
      connectionId,
      topic: TOPIC,
      filter: { kind: 'jsonPath', path: 'id', equals: '2007' },
      limit: { count: 100 },
    });
    expect(offsets(number)).toEqual(['2:7']);

    // A filtered page pages on: the next page continues the scan after the previous one.
    const firstTwo = await app.ok('messages.read', {
      connectionId,
      topic: TOPIC,
      partitions: [0],
      filter: { kind: 'contains', field: 'header', text: 'import' },
      limit: { count: 2 },
    });
    const nextTwo = await app.ok('messages.read', {
      connectionId,
      topic: TOPIC,
      partitions: [0],
      filter: { kind: 'contains', field: 'header', text: 'import' },
      page: { cursor: firstTwo.cursor, direction: 'forward' },
      limit: { count: 2 },
    });
    expect(nextTwo.records.map((record) => record.offset)).toEqual([10, 15]);
    const backTwo = await app.ok('messages.read', {
      connectionId,
      topic: TOPIC,
      partitions: [0],
      filter: { kind: 'contains', field: 'header', text: 'import' },
      page: { cursor: nextTwo.cursor, direction: 'backward' },
      limit: { count: 2 },
    });
    expect(backTwo.records.map((record) => record.offset)).toEqual([0, 5]);

    const bad = await app.call('messages.read', { connectionId, topic: TOPIC, filter: { kind: 'regex', field: 'value', pattern: '(' } });
    expect(bad).toMatchObject({ ok: false, error: { kind: 'invalid-request' } });
  });

  it('finds by key in the partitions the common partitioners choose', async () => {
    const topic = 'svc.messages.keys';
    await app.ok('topics.create', { connectionId, topic, partitions: 6, replicationFactor: 1 });
    for (const key of ['alice', 'bob', 'carol', 'dave']) {
      await app.ok('produce.send', { connectionId, topic, key, value: `hello ${key}`, headers: [], partition: null, repeat: 3 });
    }
    const page = await app.ok('messages.read', { connectionId, topic, filter: { kind: 'key', key: 'carol' }, limit: { count: 100 } });
    const partition = partitionForKey(Buffer.from('carol'), 6);
    expect(page.keySearch?.found).toEqual([{ partition, partitioners: expect.arrayContaining([expect.stringMatching(/^murmur2/)]) as string[] }]);
    expect(page.ranges.map((range) => range.partition)).toEqual(keyPartitions(Buffer.from('carol'), 6).map((candidate) => candidate.partition));
    expect(page.records).toHaveLength(3);
    expect(page.records.every((record) => record.key.text === 'carol' && record.partition === partition)).toBe(true);
  });

  it('decodes with every decoder', async () => {
    const topic = 'svc.messages.decoders';
    await app.ok('topics.create', { connectionId, topic, partitions: 1, replicationFactor: 1 });
    const avroType = avro.Type.forSchema({
      type: 'record',
      name: 'Order',
      fields: [
        { name: 'id', type: 'int' },
        { name: 'sku', type: 'string' },
      ],
    });
    const proto = 'syntax = "proto3"; package shop; message Order { int32 id = 1; string sku = 2; repeated string tags = 3; }';
    const protoType = protobuf.parse(proto).root.lookupType('shop.Order');
    const int64 = Buffer.alloc(8);
    int64.writeBigInt64BE(-42n);
    const float = Buffer.alloc(4);
    float.writeFloatBE(1.5);
    const double = Buffer.alloc(8);
    double.writeDoubleBE(Math.PI);
    const int32 = Buffer.alloc(4);
    int32.writeInt32BE(123456);
    const values: Buffer[] = [
      Buffer.from('{"a":1}'), // 0 json
      Buffer.from('plain text ✓'), // 1 text
      Buffer.from([0xff, 0x00, 0x10, 0x41]), // 2 binary
      int32, // 3
      int64, // 4
      float, // 5
      double, // 6
      avroType.toBuffer({ id: 7, sku: 'A-7' }), // 7
      Buffer.from(protoType.encode(protoType.fromObject({ id: 9, sku: 'P-9', tags: ['x'] })).finish()), // 8
    ];
    await send(values.map((value) => ({ topic, partition: 0, value })));
    const read = async (decoder: Record<string, unknown>, offset: number) => {
      const page = await app.ok('messages.read', {
        connectionId,
        topic,
        seek: { mode: 'offset', offset },
        limit: { count: 1 },
        decoders: { key: { kind: 'auto' }, value: decoder as never },
      });
      return page.records[0]!.value;
    };
    expect(await read({ kind: 'auto' }, 0)).toMatchObject({ format: 'json', text: '{"a":1}' });
    expect(await read({ kind: 'auto' }, 1)).toMatchObject({ format: 'text', text: 'plain text ✓' });
    expect(await read({ kind: 'auto' }, 2)).toMatchObject({ format: 'hex', text: expect.stringContaining('ff 00 10 41') });
    expect(await read({ kind: 'string' }, 0)).toMatchObject({ format: 'text', text: '{"a":1}' });
    expect(await read({ kind: 'json' }, 1)).toMatchObject({ format: 'text', error: expect.stringContaining('JSON') });
    expect(await read({ kind: 'hex' }, 0)).toMatchObject({ format: 'hex', text: '00000000  7b 22 61 22 3a 31 7d                              |{"a":1}|' });
    expect(await read({ kind: 'base64' }, 0)).toMatchObject({ format: 'base64', text: Buffer.from('{"a":1}').toString('base64') });
    expect(await read({ kind: 'int32' }, 3)).toMatchObject({ format: 'number', text: '123456' });
    expect(await read({ kind: 'int64' }, 4)).toMatchObject({ format: 'number', text: '-42' });
    expect(await read({ kind: 'float' }, 5)).toMatchObject({ format: 'number', text: '1.5' });
    expect(await read({ kind: 'double' }, 6)).toMatchObject({ format: 'number', text: String(Math.PI) });
    expect(await read({ kind: 'int32' }, 4)).toMatchObject({ format: 'hex', error: expect.stringContaining('4 bytes') });
    const avroDecoded = await read({ kind: 'avro', schema: JSON.stringify(avroType.schema()) }, 7);
    expect(JSON.parse(avroDecoded.text)).toEqual({ id: 7, sku: 'A-7' });
    const protoDecoded = await read({ kind: 'protobuf', schema: proto, messageType: 'shop.Order' }, 8);
    expect(JSON.parse(protoDecoded.text)).toEqual({ id: 9, sku: 'P-9', tags: ['x'] });
    const wrongType = await app.call('messages.read', {
      connectionId,
      topic,
      decoders: { key: { kind: 'auto' }, value: { kind: 'protobuf', schema: proto, messageType: 'shop.Nope' } },
    });
    expect(wrongType).toMatchObject({ ok: false, error: { kind: 'invalid-request', message: expect.stringContaining('shop.Order') } });

    // Remembered per topic.
    await app.ok('messages.saveDecoders', {
      connectionId,
      topic,
      decoders: { key: { kind: 'string' }, value: { kind: 'avro', schema: JSON.stringify(avroType.schema()) } },
    });
    expect(await app.ok('messages.decoders', { connectionId, topic })).toMatchObject({ key: { kind: 'string' }, value: { kind: 'avro' } });
    expect(await app.ok('messages.decoders', { connectionId, topic: TOPIC })).toEqual({ key: { kind: 'auto' }, value: { kind: 'auto' } });
  });

  it('decodes the Confluent wire format with schemas from a registry (Avro, Protobuf, JSON)', async () => {
    const avroSchema = {
      type: 'record',
      name: 'User',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'age', type: 'int' },
      ],
    };
    const proto =
      'syntax = "proto3"; package reg; message Other { int32 x = 1; } message Event { string kind = 1; Nested inner = 2; message Nested { int64 n = 1; } }';
    const schemas: Record<number, unknown> = {
      1: { schema: JSON.stringify(avroSchema) },
      2: { schemaType: 'PROTOBUF', schema: proto },
      3: { schemaType: 'JSON', schema: '{"type":"object"}' },
    };
    const requested: string[] = [];
    const registry: Server = createServer((request, response) => {
      // A registry that wants the connection's bearer token (the decoder uses the connection's registry settings).
      if (request.headers.authorization !== 'Bearer t0ken' && !request.url?.startsWith('/open/')) {
        response.writeHead(401, { 'Content-Type': 'application/vnd.schemaregistry.v1+json' });
        response.end(JSON.stringify({ error_code: 401, message: 'Unauthorized' }));
        return;
      }
      requested.push(request.url ?? '');
      const id = Number(/\/schemas\/ids\/(\d+)/.exec(request.url ?? '')?.[1]);
      const body = schemas[id];
      response.writeHead(body ? 200 : 404, { 'Content-Type': 'application/vnd.schemaregistry.v1+json' });
      response.end(JSON.stringify(body ?? { error_code: 40403, message: 'Schema not found' }));
    });
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(registry.address() as AddressInfo).port}`;
    await app.ok('schemas.setRegistry', { connectionId, registry: { kind: 'external', url, auth: { kind: 'bearer', token: 't0ken' } } });
    const decoders = { key: { kind: 'auto' }, value: { kind: 'registry' } } as const;
    try {
      const topic = 'svc.messages.registry';
      await app.ok('topics.create', { connectionId, topic, partitions: 1, replicationFactor: 1 });
      const wire = (id: number, body: Buffer, indexes: number[] = []) => {
        const header = Buffer.alloc(5);
        header.writeInt32BE(id, 1);
        return Buffer.concat([header, Buffer.from(indexes), body]);
      };
      const eventType = protobuf.parse(proto).root.lookupType('reg.Event');
      await send([
        { topic, partition: 0, value: wire(1, avro.Type.forSchema(avroSchema as never).toBuffer({ name: 'Ada', age: 36 })) },
        // Message index path [1] (Event, the second message): count 1, index 1, zig-zag encoded.
        { topic, partition: 0, value: wire(2, Buffer.from(eventType.encode(eventType.fromObject({ kind: 'click', inner: { n: 5 } })).finish()), [2, 2]) },
        { topic, partition: 0, value: wire(3, Buffer.from('{"ok":true}')) },
        { topic, partition: 0, value: wire(99, Buffer.from('x')) },
      ]);
      const page = await app.ok('messages.read', {
        connectionId,
        topic,
        decoders,
        limit: { count: 10 },
      });
      const [user, event, json, unknown] = page.records.map((record) => record.value);
      expect(user).toMatchObject({ format: 'json', schemaId: 1 });
      expect(JSON.parse(user!.text)).toEqual({ name: 'Ada', age: 36 });
      expect(event).toMatchObject({ format: 'json', schemaId: 2 });
      expect(JSON.parse(event!.text)).toEqual({ kind: 'click', inner: { n: '5' } });
      expect(JSON.parse(json!.text)).toEqual({ ok: true });
      expect(unknown).toMatchObject({ format: 'hex', schemaId: 99, error: expect.stringContaining('99') });
      // Each schema is fetched once, then cached.
      await app.ok('messages.read', { connectionId, topic, decoders, limit: { count: 10 } });
      expect(requested.filter((path) => path === '/schemas/ids/1')).toHaveLength(1);
      // Filters match the decoded text.
      const filtered = await app.ok('messages.read', {
        connectionId,
        topic,
        decoders,
        filter: { kind: 'contains', field: 'value', text: 'Ada' },
      });
      expect(filtered.records.map((record) => record.offset)).toEqual([0]);

      // Without the token the registry refuses: the decoder says so for each value, in words.
      await app.ok('schemas.setRegistry', { connectionId, registry: { kind: 'external', url, auth: { kind: 'none' } } });
      const refused = await app.ok('messages.read', { connectionId, topic, decoders, limit: { count: 1 } });
      expect(refused.records[0]!.value).toMatchObject({ format: 'hex', error: expect.stringContaining('refused the credentials') });

      // A decoder saved with a URL before registries were per connection: used when the connection has none.
      await app.ok('schemas.setRegistry', { connectionId, registry: { kind: 'none' } });
      const legacy = await app.ok('messages.read', {
        connectionId,
        topic,
        decoders: { key: { kind: 'auto' }, value: { kind: 'registry', url: `${url}/open` } },
        limit: { count: 1 },
      });
      expect(JSON.parse(legacy.records[0]!.value.text)).toEqual({ name: 'Ada', age: 36 });
      const none = await app.call('messages.read', { connectionId, topic, decoders, limit: { count: 1 } });
      expect(none).toMatchObject({ ok: false, error: { kind: 'not-found', message: expect.stringContaining('no schema registry') } });
    } finally {
      await app.ok('schemas.setRegistry', { connectionId, registry: { kind: 'embedded' } });
      registry.close();
    }
  });

  it('exports the whole result as JSON Lines, JSON and CSV', async () => {
    const jsonl = await app.ok('messages.export', { connectionId, topic: TOPIC, format: 'jsonl' });
    expect(jsonl).toMatchObject({ status: 'download', records: PARTITIONS * PER_PARTITION, url: expect.stringMatching(/^\/downloads\//) });
    const file = app.core.messages.download(jsonl.url!.split('/').pop()!);
    const lines = (await readFile(file!.path, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(PARTITIONS * PER_PARTITION);
    const first = JSON.parse(lines[0]!);
    expect(first).toMatchObject({
      topic: TOPIC,
      partition: 0,
      offset: 0,
      timestamp: BASE_TIME,
      key: 'customer-0',
      value: orderValue(0, 0),
      headers: [{ key: 'source', value: 'import' }],
    });
    expect(jsonl.bytes).toBe((await readFile(file!.path)).length);

    const json = await app.ok('messages.export', {
      connectionId,
      topic: TOPIC,
      format: 'json',
      filter: { kind: 'contains', field: 'value', text: 'gold' },
      partitions: [1],
    });
    const array = JSON.parse(await readFile(app.core.messages.download(json.url!.split('/').pop()!)!.path, 'utf8')) as {
      offset: number;
      value: { customer: { tier: string } };
    }[];
    expect(array).toHaveLength(PER_PARTITION / 2);
    expect(array.every((record) => record.value.customer.tier === 'gold')).toBe(true);

    const csv = await app.ok('messages.export', { connectionId, topic: TOPIC, format: 'csv', partitions: [2], seek: { mode: 'latest' }, maxRecords: 3 });
    const rows = (await readFile(app.core.messages.download(csv.url!.split('/').pop()!)!.path, 'utf8')).trimEnd().split('\r\n');
    expect(rows[0]).toBe('topic,partition,offset,timestamp,timestamp_type,key,value,headers,size,compression,producer_id,sequence,transactional');
    expect(rows.slice(1).map((row) => row.split(',').slice(0, 3).join(','))).toEqual([`${TOPIC},2,37`, `${TOPIC},2,38`, `${TOPIC},2,39`]);
    // The JSON value is quoted, its quotes doubled.
    expect(rows[1]).toContain(`"${JSON.stringify(orderValue(2, 37)).replace(/"/g, '""')}"`);
  });

  it('sends a 10 MB value as a preview and the whole of it in chunks on demand', async () => {
    const topic = 'svc.messages.large';
    await app.ok('topics.create', { connectionId, topic, partitions: 1, replicationFactor: 1, configs: { 'max.message.bytes': String(20 * 1024 * 1024) } });
    const big = { items: Array.from({ length: 120_000 }, (_, i) => ({ i, name: `item-${i}`, padding: 'x'.repeat(50) })) };
    const value = Buffer.from(JSON.stringify(big));
    expect(value.length).toBeGreaterThan(10 * 1024 * 1024);
    await send([
      { topic, partition: 0, key: Buffer.from('big'), value },
      { topic, partition: 0, value: Buffer.from('small') },
    ]);
    const started = performance.now();
    const page = await app.ok('messages.read', { connectionId, topic, limit: { count: 10 } });
    const readMs = performance.now() - started;
    const record: RecordView = page.records[0]!;
    expect(record.value).toMatchObject({ format: 'json', truncated: true, size: value.length });
    expect(record.value.text.length).toBeLessThanOrEqual(64 * 1024);
    expect(page.records[1]!.value.text).toBe('small');
    expect(readMs).toBeLessThan(10_000);

    let text = '';
    let total = Infinity;
    for (let start = 0; start < total; start += 1024 * 1024) {
      const chunk = await app.ok('messages.value', { connectionId, topic, partition: 0, offset: 0, field: 'value', decoder: { kind: 'json' }, start });
      expect(chunk.format).toBe('json');
      total = chunk.totalChars;
      text += chunk.text;
    }
    expect(JSON.parse(text)).toEqual(big);
    expect(text).toContain('\n  "items": [');
  }, 60_000);

  it('stops a long filtered scan on cancel and on its time bound, saying which', async () => {
    const topic = 'svc.messages.many';
    await app.ok('topics.create', { connectionId, topic, partitions: 1, replicationFactor: 1 });
    for (let at = 0; at < 60_000; at += 10_000) {
      await send(Array.from({ length: 10_000 }, (_, j) => ({ topic, partition: 0, value: Buffer.from(`record ${at + j} of many`) })));
    }
    const filter = { kind: 'contains' as const, field: 'value' as const, text: 'never there' };
    const timed = await app.ok('messages.read', { connectionId, topic, seek: { mode: 'earliest' }, filter, limit: { count: 10, maxDurationMs: 1 } });
    expect(timed.stoppedBy).toBe('time');
    expect(timed.scanned).toBeLessThan(60_000);
    // Paging on from where the time ran out continues the scan.
    expect(timed.cursor[0]!.after).toBe(timed.scanned);

    const reading = app.call('messages.read', { connectionId, topic, seek: { mode: 'earliest' }, filter, limit: { count: 10 }, operationId: 'op-cancel' });
    let cancelled = false;
    for (let attempt = 0; attempt < 2000 && !cancelled; attempt++) {
      cancelled = (await app.ok('messages.cancel', { operationId: 'op-cancel' })).cancelled;
      if (!cancelled) await new Promise((resolve) => setImmediate(resolve));
    }
    const result = await reading;
    expect(result.ok).toBe(true);
    if (result.ok && cancelled) {
      expect(['cancelled', 'end']).toContain(result.value.stoppedBy);
      if (result.value.stoppedBy === 'cancelled') expect(result.value.scanned).toBeLessThan(60_000);
    }
    expect(await app.ok('messages.cancel', { operationId: 'op-cancel' })).toEqual({ cancelled: false });
  });

  it('writes an export where the save dialog says (desktop), or nowhere when it is cancelled', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-export-'));
    let answer: string | null = path.join(dir, 'chosen.jsonl');
    const suggested: string[] = [];
    const service = new MessageService({
      dataDir: dir,
      clientOptions: (id) => app.core.connections.clientOptions(id),
      emitProgress: () => undefined,
      emitTail: () => undefined,
      chooseExportFile: async (name) => {
        suggested.push(name);
        return answer;
      },
    });
    try {
      const request = {
        connectionId,
        topic: TOPIC,
        partitions: [0],
        seek: { mode: 'earliest' as const },
        filter: null,
        decoders: { key: { kind: 'auto' as const }, value: { kind: 'auto' as const } },
        format: 'jsonl' as const,
      };
      const written = await service.export(request);
      expect(written).toMatchObject({ status: 'file', path: path.join(dir, 'chosen.jsonl'), records: PER_PARTITION });
      expect(suggested[0]).toMatch(new RegExp(`^${TOPIC}-.*\\.jsonl$`));
      expect((await readFile(path.join(dir, 'chosen.jsonl'), 'utf8')).trimEnd().split('\n')).toHaveLength(PER_PARTITION);
      answer = null;
      expect(await service.export(request)).toMatchObject({ status: 'cancelled', records: 0 });
    } finally {
      await service.close();
    }
  });

  it('copies a record as a kcat command that produces it again', async () => {
    const topic = 'svc.messages.kcat';
    await app.ok('topics.create', { connectionId, topic, partitions: 2, replicationFactor: 1 });
    await send([
      { topic, partition: 1, key: Buffer.from("it's"), value: Buffer.from('{"multi":\n "line"}'), headers: new Map([[Buffer.from('h'), Buffer.from('v w')]]) },
    ]);
    const [original] = (await app.ok('messages.read', { connectionId, topic, partitions: [1], seek: { mode: 'earliest' } })).records;
    await promisify(execFile)('sh', ['-c', kcatCommand(original!, topic, app.bootstrapServers)], { timeout: 20_000 });
    const records = (await app.ok('messages.read', { connectionId, topic, partitions: [1], seek: { mode: 'earliest' } })).records;
    expect(records).toHaveLength(2);
    const copy = records[1]!;
    expect({ key: copy.key.text, value: copy.value.text, headers: copy.headers.map((header) => [header.key, header.value.text]) }).toEqual({
      key: "it's",
      value: '{"multi":\n "line"}',
      headers: [['h', 'v w']],
    });
  });

  it('tails new records as they arrive, with pause and resume losing nothing', async () => {
    const topic = 'svc.messages.tail';
    await app.ok('topics.create', { connectionId, topic, partitions: 2, replicationFactor: 1 });
    await app.ok('produce.send', { connectionId, topic, key: null, value: 'before the tail', headers: [], partition: 0 });
    const { tailId, partitions } = await app.ok('messages.tailStart', { connectionId, topic, filter: { kind: 'contains', field: 'value', text: 'keep' } });
    expect(partitions).toEqual([0, 1]);
    const received = () => tailEvents.filter((event) => event.tailId === tailId).flatMap((event) => event.records.map((record) => record.value.text));
    await app.ok('produce.send', { connectionId, topic, key: null, value: 'keep 1', headers: [], partition: 0 });
    await app.ok('produce.send', { connectionId, topic, key: null, value: 'drop 1', headers: [], partition: 1 });
    await app.ok('produce.send', { connectionId, topic, key: null, value: 'keep 2', headers: [], partition: 1 });
    await eventually(received, (values) => values.length === 2);
    expect(received()).toEqual(['keep 1', 'keep 2']);
    expect(tailEvents.filter((event) => event.tailId === tailId).reduce((sum, event) => sum + event.skipped, 0)).toBe(1);

    expect(await app.ok('messages.tailControl', { tailId, action: 'pause' })).toEqual({ state: 'paused' });
    await app.ok('produce.send', { connectionId, topic, key: null, value: 'keep 3', headers: [], partition: 0, repeat: 3 });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(received()).toHaveLength(2);
    expect(await app.ok('messages.tailControl', { tailId, action: 'resume' })).toEqual({ state: 'running' });
    await eventually(received, (values) => values.length === 5);
    expect(await app.ok('messages.tailControl', { tailId, action: 'stop' })).toEqual({ state: 'stopped' });
  });
});
