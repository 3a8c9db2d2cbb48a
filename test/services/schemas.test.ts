/**
 * The app's schema service (#17) against the real embedded registry of a real embedded cluster: the
 * registry each connection uses, subjects and versions, compatibility checked before registering
 * (Confluent's reasons in the error, nothing stored), levels, deletes, the topics a subject belongs to,
 * and bad input refused with clear words.
 */
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_CONNECTION_ID } from '../../shared/model/schemas';
import { startCore, type TestCore } from './helpers';
import { AVRO, JSON_SCHEMA, PROTOBUF, REFERENCES } from '../support/schema-fixtures';

const connectionId = EMBEDDED_CONNECTION_ID;
let t: TestCore;

beforeAll(async () => {
  t = await startCore({ brokers: 1 });
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('schema registries per connection', () => {
  it('the embedded connection uses the embedded registry; its URL is the cluster status one', async () => {
    const summary = await t.ok('schemas.registry', { connectionId });
    expect(summary).toMatchObject({ kind: 'embedded', url: t.core.embedded.status().schemaRegistryUrl, problem: null });
  });

  it('an external registry keeps its secret in the main process and says when it is gone', async () => {
    const saved = await t.ok('connections.save', { name: 'elsewhere', bootstrapServers: t.bootstrapServers });
    const url = t.core.embedded.status().schemaRegistryUrl!;
    const summary = await t.ok('schemas.setRegistry', {
      connectionId: saved.id,
      registry: { kind: 'external', url, auth: { kind: 'basic', username: 'alice', password: 's3cret' } },
    });
    expect(summary).toEqual({
      connectionId: saved.id,
      kind: 'external',
      url,
      auth: { kind: 'basic', username: 'alice', hasSecret: true },
      rejectUnauthorized: true,
      problem: null,
    });
    expect(JSON.stringify(summary)).not.toContain('s3cret');
    // The embedded registry takes any credentials: the call works through the external settings.
    expect((await t.ok('schemas.subjects', { connectionId: saved.id })).url).toBe(url);
    // Editing without retyping the password keeps it.
    const kept = await t.ok('schemas.setRegistry', { connectionId: saved.id, registry: { kind: 'external', url, auth: { kind: 'basic', username: 'bob' } } });
    expect(kept.auth).toEqual({ kind: 'basic', username: 'bob', hasSecret: true });
    // A new bearer token must be typed in.
    const refused = await t.call('schemas.setRegistry', { connectionId: saved.id, registry: { kind: 'external', url, auth: { kind: 'bearer' } } });
    expect(refused).toMatchObject({ ok: false, error: { kind: 'invalid-request', message: 'Enter the bearer token.' } });
    // Only the embedded connection can use the embedded registry.
    const embeddedElsewhere = await t.call('schemas.setRegistry', { connectionId: saved.id, registry: { kind: 'embedded' } });
    expect(embeddedElsewhere).toMatchObject({ ok: false, error: { message: "Only the embedded cluster's connection can use the embedded schema registry." } });
    // Bad input is refused by the contract, naming the field.
    const badUrl = await t.call('schemas.setRegistry', { connectionId: saved.id, registry: { kind: 'external', url: 'ftp://x' } });
    expect(badUrl).toMatchObject({ ok: false, error: { kind: 'invalid-request' } });
    // No registry: a clear error, not a failed call to nowhere.
    await t.ok('schemas.setRegistry', { connectionId: saved.id, registry: { kind: 'none' } });
    const none = await t.call('schemas.subjects', { connectionId: saved.id });
    expect(none).toMatchObject({ ok: false, error: { kind: 'not-found', message: 'This connection has no schema registry. Set one on the Schemas screen.' } });
    // Nothing listens: said in words.
    await t.ok('schemas.setRegistry', { connectionId: saved.id, registry: { kind: 'external', url: 'http://127.0.0.1:1' } });
    const refusedConnection = await t.call('schemas.subjects', { connectionId: saved.id });
    expect(refusedConnection).toMatchObject({
      ok: false,
      error: { kind: 'unavailable', message: 'The schema registry at http://127.0.0.1:1 cannot be reached: nothing listens there.' },
    });
    await t.ok('connections.delete', { id: saved.id });
  });
});

describe('subjects', () => {
  it('registers, lists, evolves compatibly, refuses an incompatible schema with the reasons, and stores nothing then', async () => {
    await t.ok('topics.create', { connectionId, topic: 'orders', partitions: 1, replicationFactor: 1 });
    const first = await t.ok('schemas.register', { connectionId, subject: 'orders-value', schemaType: 'AVRO', schema: AVRO.v1 });
    expect(first).toMatchObject({ version: 1, existed: false });
    // The same schema again: the same id and version, found, not added.
    expect(await t.ok('schemas.register', { connectionId, subject: 'orders-value', schemaType: 'AVRO', schema: AVRO.v1 })).toEqual({ ...first, existed: true });

    const compatible = await t.ok('schemas.check', { connectionId, subject: 'orders-value', schemaType: 'AVRO', schema: AVRO.v2 });
    expect(compatible).toEqual({ compatible: true, level: 'BACKWARD', messages: [], checked: true });
    const second = await t.ok('schemas.register', { connectionId, subject: 'orders-value', schemaType: 'AVRO', schema: AVRO.v2 });
    expect(second.version).toBe(2);

    const incompatible = await t.ok('schemas.check', { connectionId, subject: 'orders-value', schemaType: 'AVRO', schema: AVRO.incompatible });
    expect(incompatible.compatible).toBe(false);
    expect(incompatible.messages.join(' ')).toMatch(/customer/);
    const refused = await t.call('schemas.register', { connectionId, subject: 'orders-value', schemaType: 'AVRO', schema: AVRO.incompatible });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.kind).toBe('conflict');
      expect(refused.error.message).toMatch(/^The schema is not BACKWARD compatible with "orders-value": .*customer/);
    }

    const list = await t.ok('schemas.subjects', { connectionId });
    expect(list.globalCompatibility).toBe('BACKWARD');
    expect(list.subjects).toEqual([
      { name: 'orders-value', schemaType: 'AVRO', latestVersion: 2, latestId: second.id, versionCount: 2, compatibility: null, error: null },
    ]);
    const detail = await t.ok('schemas.subject', { connectionId, subject: 'orders-value' });
    expect(detail.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(detail.versions[0]!.recordNames).toEqual([AVRO.recordName]);
    expect(detail).toMatchObject({ compatibility: 'BACKWARD', compatibilityOverride: false, deletedVersions: [] });

    expect(await t.ok('schemas.usage', { connectionId, subject: 'orders-value' })).toEqual({
      topics: [{ topic: 'orders', field: 'value', strategy: 'TopicNameStrategy' }],
      recordNames: [AVRO.recordName],
    });
    expect(await t.ok('schemas.subjectsOfId', { connectionId, id: second.id })).toEqual([{ subject: 'orders-value', version: 2 }]);
  });

  it('refuses invalid schema text with the reason and stores nothing', async () => {
    const invalid = await t.call('schemas.register', { connectionId, subject: 'bad-value', schemaType: 'AVRO', schema: '{"type":"record","name":"X"' });
    expect(invalid).toMatchObject({ ok: false, error: { kind: 'invalid-request' } });
    if (!invalid.ok) expect(invalid.error.message).toMatch(/^The schema is not valid: the schema is not valid JSON/);
    const proto = await t.call('schemas.register', { connectionId, subject: 'bad-value', schemaType: 'PROTOBUF', schema: 'message X { strin a = 1; }' });
    expect(proto).toMatchObject({ ok: false, error: { kind: 'invalid-request' } });
    const empty = await t.call('schemas.register', { connectionId, subject: 'bad-value', schemaType: 'JSON', schema: '   ' });
    expect(empty).toMatchObject({ ok: false, error: { kind: 'invalid-request', message: 'Paste the schema text.' } });
    const names = (await t.ok('schemas.subjects', { connectionId })).subjects.map((s) => s.name);
    expect(names).not.toContain('bad-value');
  });

  it('changes compatibility levels and deletes softly, then for good', async () => {
    expect(await t.ok('schemas.setCompatibility', { connectionId, subject: 'orders-value', level: 'NONE' })).toEqual({ compatibility: 'NONE' });
    expect(await t.ok('schemas.subject', { connectionId, subject: 'orders-value' })).toMatchObject({ compatibility: 'NONE', compatibilityOverride: true });
    expect(await t.ok('schemas.setCompatibility', { connectionId, subject: 'orders-value', level: null })).toEqual({ compatibility: 'BACKWARD' });

    const hardFirst = await t.call('schemas.delete', { connectionId, subject: 'orders-value', version: 1, permanent: true });
    expect(hardFirst).toMatchObject({ ok: false, error: { kind: 'conflict' } });
    expect(await t.ok('schemas.delete', { connectionId, subject: 'orders-value', version: 1, permanent: false })).toEqual({ versions: [1] });
    expect(await t.ok('schemas.subject', { connectionId, subject: 'orders-value' })).toMatchObject({ deletedVersions: [1] });
    expect(await t.ok('schemas.delete', { connectionId, subject: 'orders-value', version: 1, permanent: true })).toEqual({ versions: [1] });
    expect(await t.ok('schemas.subject', { connectionId, subject: 'orders-value' })).toMatchObject({ deletedVersions: [] });

    const missing = await t.call('schemas.subject', { connectionId, subject: 'nope-value' });
    expect(missing).toMatchObject({ ok: false, error: { kind: 'not-found', message: 'The registry has no subject "nope-value".' } });
  });
});

describe('produce with a schema, browse decoded', () => {
  const proto = PROTOBUF.v1;
  const jsonSchema = JSON_SCHEMA.v1;

  /** What an independent client (kafkajs' Confluent registry client) reads from the records the form wrote. */
  async function readBack(topic: string, count: number): Promise<Array<{ key: Buffer | null; value: Buffer | null }>> {
    const kafka = new Kafka({ clientId: 'schemas-test', brokers: t.bootstrapServers.split(','), logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `schemas-test-${topic}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: Array<{ key: Buffer | null; value: Buffer | null }> = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push({ key: message.key, value: message.value });
          if (seen.length >= count) resolve();
        },
      });
    });
    await consumer.disconnect();
    return seen;
  }

  it('writes Avro, Protobuf (second message, message indexes) and JSON Schema in the wire format a Confluent client reads', async () => {
    await t.ok('topics.create', { connectionId, topic: 'typed', partitions: 1, replicationFactor: 1 });
    await t.ok('schemas.register', { connectionId, subject: 'typed-value', schemaType: 'AVRO', schema: AVRO.v2 });
    await t.ok('schemas.register', { connectionId, subject: 'lines', schemaType: 'PROTOBUF', schema: proto });
    await t.ok('schemas.register', { connectionId, subject: 'typed-key', schemaType: 'JSON', schema: jsonSchema });
    const send = (key: string, value: string, valueSubject: string, messageType?: string) =>
      t.call('produce.send', {
        connectionId,
        topic: 'typed',
        key,
        value,
        headers: [],
        partition: null,
        keySchema: { subject: 'typed-key', version: null },
        valueSchema: { subject: valueSubject, version: null, ...(messageType ? { messageType } : {}) },
      });
    expect((await send('{"id":"k1","total":3,"tags":["a"]}', '{"id":"o1","amount":12.5,"currency":"USD"}', 'typed-value')).ok).toBe(true);
    expect((await send('{"id":"k2","total":0}', '{"sku":"B-1","qty":2,"kind":"GAME"}', 'lines', 'shop.Line')).ok).toBe(true);
    // No message type: the file's first message (indexes written as the single byte 0).
    expect((await send('{"id":"k3","total":1}', '{"source":"form"}', 'lines')).ok).toBe(true);

    const records = await readBack('typed', 3);
    const registry = new SchemaRegistry({ host: t.core.embedded.status().schemaRegistryUrl! });
    expect(await registry.decode(records[0]!.key!)).toEqual({ id: 'k1', total: 3, tags: ['a'] });
    expect(await registry.decode(records[0]!.value!)).toEqual({ id: 'o1', amount: 12.5, currency: 'USD' });
    expect(await registry.decode(records[1]!.key!)).toEqual({ id: 'k2', total: 0 });
    // shop.Line is the file's second message: indexes [1] after the id.
    expect([...records[1]!.value!.subarray(5, 7)]).toEqual([2, 2]);
    // (kafkajs' registry client reads only a file's first message, so the body is checked with protobufjs.)
    const line = protobuf.parse(proto).root.lookupType('shop.Line');
    expect(line.toObject(line.decode(records[1]!.value!.subarray(7)), { enums: String })).toEqual({ sku: 'B-1', qty: 2, kind: 'GAME' });
    expect(records[2]!.value![5]).toBe(0);
    expect(await registry.decode(records[2]!.value!)).toMatchObject({ source: 'form' });

    // The browser decodes them through the connection's registry with the auto decoders, naming the schema ids.
    const page = await t.ok('messages.read', { connectionId, topic: 'typed', seek: { mode: 'earliest' }, limit: { count: 10 } });
    const ids = new Map((await t.ok('schemas.subjects', { connectionId })).subjects.map((s) => [s.name, s.latestId]));
    expect(page.records.map((record) => [JSON.parse(record.key.text), JSON.parse(record.value.text), record.key.schemaId, record.value.schemaId])).toEqual([
      [{ id: 'k1', total: 3, tags: ['a'] }, { id: 'o1', amount: 12.5, currency: 'USD' }, ids.get('typed-key'), ids.get('typed-value')],
      [{ id: 'k2', total: 0 }, { sku: 'B-1', qty: 2, kind: 'GAME' }, ids.get('typed-key'), ids.get('lines')],
      [{ id: 'k3', total: 1 }, { source: 'form' }, ids.get('typed-key'), ids.get('lines')],
    ]);
    expect(page.records.every((record) => record.value.format === 'json' && record.value.error === undefined)).toBe(true);
  });

  it('writes and reads records whose schemas use references (Avro named types, Protobuf imports, JSON Schema $ref)', async () => {
    await t.ok('topics.create', { connectionId, topic: 'invoices', partitions: 1, replicationFactor: 1 });
    const subjects: string[] = [];
    for (const format of ['avro', 'protobuf', 'json'] as const) {
      const { money, invoice } = REFERENCES[format];
      const schemaType = format === 'avro' ? 'AVRO' : format === 'protobuf' ? 'PROTOBUF' : 'JSON';
      await t.ok('schemas.register', { connectionId, subject: money.subject, schemaType, schema: money.schema });
      // Without its reference the schema does not parse: refused, nothing stored.
      const unresolved = await t.call('schemas.register', { connectionId, subject: invoice.subject, schemaType, schema: invoice.schema });
      expect(unresolved.ok, format).toBe(false);
      await t.ok('schemas.register', { connectionId, subject: invoice.subject, schemaType, schema: invoice.schema, references: [...invoice.references] });
      subjects.push(invoice.subject);
    }
    const invoiceJson = JSON.stringify(REFERENCES.invoice);
    for (const subject of subjects) {
      const sent = await t.call('produce.send', {
        connectionId,
        topic: 'invoices',
        key: null,
        value: invoiceJson,
        headers: [],
        partition: null,
        valueSchema: { subject, version: null },
      });
      expect(sent.ok, subject).toBe(true);
    }
    // A field of the referenced type that does not match is named, in each format.
    const badMoney = JSON.stringify({ id: 'inv-2', total: { amount: 'lots', currency: 'EUR' } });
    for (const subject of subjects) {
      const refused = await t.call('produce.send', {
        connectionId,
        topic: 'invoices',
        key: null,
        value: badMoney,
        headers: [],
        partition: null,
        valueSchema: { subject, version: null },
      });
      expect(refused, subject).toMatchObject({ ok: false, error: { message: expect.stringContaining('$.total.amount') } });
    }

    // An independent client reads them with the references resolved.
    const records = await readBack('invoices', 3);
    const registry = new SchemaRegistry({ host: t.core.embedded.status().schemaRegistryUrl! });
    expect(await registry.decode(records[0]!.value!)).toEqual(REFERENCES.invoice);
    expect(await registry.decode(records[2]!.value!)).toEqual(REFERENCES.invoice);

    // Subjects named after their records (RecordNameStrategy): the topics that use them are found by their records.
    for (const subject of subjects) {
      const usage = await t.ok('schemas.usage', { connectionId, subject });
      expect(usage.topics, subject).toEqual([{ topic: 'invoices', field: 'value', strategy: 'RecordNameStrategy' }]);
      expect(usage.scanned).toMatchObject({ recordsPerPartition: 20, unread: 0 });
      expect(usage.scanned!.topics).toBeGreaterThanOrEqual(3);
    }
    // A referenced schema no record names: no topic.
    expect((await t.ok('schemas.usage', { connectionId, subject: REFERENCES.avro.money.subject })).topics).toEqual([]);

    // The browser decodes all three through the registry, with auto and with the registry decoder.
    for (const decoder of [{ kind: 'auto' }, { kind: 'registry' }] as const) {
      const page = await t.ok('messages.read', {
        connectionId,
        topic: 'invoices',
        seek: { mode: 'earliest' },
        limit: { count: 10 },
        decoders: { key: { kind: 'auto' }, value: decoder },
      });
      expect(
        page.records.map((record) => record.value.error ?? JSON.parse(record.value.text)),
        decoder.kind,
      ).toEqual([REFERENCES.invoice, REFERENCES.invoice, REFERENCES.invoice]);
    }
  });

  it('refuses JSON that does not match the schema, naming the field, and writes nothing', async () => {
    const attempt = (value: string, valueSchema: { subject: string; version: number | null; messageType?: string }, key: string | null = null) =>
      t.call('produce.send', { connectionId, topic: 'typed', key, value, headers: [], partition: null, valueSchema });
    const cases: Array<[Awaited<ReturnType<typeof attempt>>, RegExp]> = [
      [
        await attempt('{"id":"o2","amount":"lots"}', { subject: 'typed-value', version: null }),
        /^The value does not match typed-value version 1: \$\.amount must be a number \(double\), not "lots"/,
      ],
      [await attempt('{"id":"o2","amount":1,"extra":true}', { subject: 'typed-value', version: 1 }), /\$\.extra|a shop\.Payment record/],
      [await attempt('{"id":"o2"', { subject: 'typed-value', version: 1 }), /^The value is not valid JSON/],
      [
        await attempt('{"sku":"B","qty":"two"}', { subject: 'lines', version: null, messageType: 'shop.Line' }),
        /\$\.qty must be an integer \(int32\), not "two"/,
      ],
      [await attempt('{"sku":"B","colour":"red"}', { subject: 'lines', version: null, messageType: 'shop.Line' }), /\$\.colour is not a field of Line/],
      [await attempt('{}', { subject: 'lines', version: null, messageType: 'shop.Nope' }), /has no message shop\.Nope\. It has: shop\.Header, shop\.Line/],
      [await attempt('{"id":"x","total":-1}', { subject: 'typed-key', version: null }), /\$\.total must be >= 0/],
      [await attempt('{"total":1}', { subject: 'typed-key', version: null }), /\$\.id is required/],
      [await attempt('{}', { subject: 'typed-value', version: 9 }), /^The subject "typed-value" has no version 9\./],
    ];
    for (const [result, message] of cases) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.message).toMatch(message);
    }
    // Nothing more than the three records of the previous test.
    const page = await t.ok('messages.read', { connectionId, topic: 'typed', seek: { mode: 'earliest' }, limit: { count: 10 } });
    expect(page.records).toHaveLength(3);
  });
});
