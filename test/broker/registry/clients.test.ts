/**
 * Confluent's own Python client (confluent-kafka-python's SchemaRegistryClient and JSON Schema
 * serializer/deserializer, Debian's python3-confluent-kafka) and an npm registry client
 * (@kafkajs/confluent-schema-registry, Avro and Protobuf with references) against the embedded
 * registry, with records produced and consumed through the embedded cluster.
 */
import { fileURLToPath } from 'node:url';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON, run } from '../clients/helpers';
import { call, startRegistryCluster, type RegistryCluster } from './helpers';

let t: RegistryCluster;

beforeAll(async () => {
  t = await startRegistryCluster();
});

afterAll(async () => {
  await t?.close();
});

const SCRIPT = fileURLToPath(new URL('./fixtures/confluent_registry.py', import.meta.url));

describe('confluent-kafka-python', () => {
  it('SchemaRegistryClient and the JSON Schema serializer work against the embedded registry', async () => {
    const result = await run(PYTHON, [SCRIPT, t.url, t.cluster.bootstrapServers(), 'py-orders'], { timeoutMs: 90_000 });
    const out = result.stdout + result.stderr;
    expect(out, out).toContain('done');
    expect(result.code, out).toBe(0);
    expect(out).toContain('ok round trip');
    expect(out).toContain('ok incompatible refused');
  }, 120_000);
});

describe('@kafkajs/confluent-schema-registry', () => {
  it('Avro with a reference: register, encode, produce, consume, decode', async () => {
    const registry = new SchemaRegistry({ host: t.url });
    const address = {
      type: 'record',
      name: 'Address',
      namespace: 'com.shop',
      fields: [
        { name: 'street', type: 'string' },
        { name: 'zip', type: 'string' },
      ],
    };
    await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(address) }, { subject: 'com.shop.Address' });
    const customer = {
      type: 'record',
      name: 'Customer',
      namespace: 'com.shop',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'home', type: 'com.shop.Address' },
      ],
    };
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(customer), references: [{ name: 'com.shop.Address', subject: 'com.shop.Address', version: 1 }] },
      { subject: 'customers-value' },
    );
    expect(await registry.getLatestSchemaId('customers-value')).toBe(id);
    expect(await registry.getRegistryId('customers-value', 1)).toBe(id);
    // The client set the subject's compatibility on first registration, as it does against Confluent.
    expect((await call(t.url, 'GET', '/config/customers-value')).body).toEqual({ compatibilityLevel: 'BACKWARD' });

    const values = [
      { name: 'Ada', home: { street: '1 Loop Rd', zip: '10001' } },
      { name: 'Linus', home: { street: '2 Kernel Ave', zip: '20002' } },
    ];
    const kafka = new Kafka({ clientId: 'registry-test', brokers: t.cluster.bootstrapServers().split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'customers', messages: await Promise.all(values.map(async (v) => ({ value: await registry.encode(id, v) }))) });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'registry-avro' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'customers', fromBeginning: true });
    // A fresh client, as another application would: it fetches the writer's schema and its reference by id.
    const reader = new SchemaRegistry({ host: t.url });
    const decoded: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            expect(message.value![0]).toBe(0);
            expect(message.value!.readInt32BE(1)).toBe(id);
            decoded.push(await reader.decode(message.value!));
            if (decoded.length === values.length) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    expect(decoded).toEqual(values);

    // An evolution the registry refuses, and one it accepts.
    const incompatible = { ...customer, fields: [...customer.fields, { name: 'email', type: 'string' }] };
    await expect(
      registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(incompatible), references: [{ name: 'com.shop.Address', subject: 'com.shop.Address', version: 1 }] },
        { subject: 'customers-value' },
      ),
    ).rejects.toThrow(/incompatible/i);
    const compatible = { ...customer, fields: [...customer.fields, { name: 'email', type: ['null', 'string'], default: null }] };
    const next = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(compatible), references: [{ name: 'com.shop.Address', subject: 'com.shop.Address', version: 1 }] },
      { subject: 'customers-value' },
    );
    expect(next.id).toBeGreaterThan(id);
  }, 60_000);

  it('Protobuf with an import as a reference: register, encode, decode', async () => {
    const registry = new SchemaRegistry({ host: t.url });
    const money = 'syntax = "proto3";\npackage shop;\n\nmessage Money {\n  int64 cents = 1;\n  string currency = 2;\n}\n';
    await registry.register({ type: SchemaType.PROTOBUF, schema: money }, { subject: 'money.proto' });
    const order =
      'syntax = "proto3";\npackage shop;\nimport "money.proto";\n\nmessage Order {\n  string id = 1;\n  Money total = 2;\n  repeated string items = 3;\n}\n';
    const { id } = await registry.register(
      { type: SchemaType.PROTOBUF, schema: order, references: [{ name: 'money.proto', subject: 'money.proto', version: 1 }] },
      { subject: 'pb-orders-value' },
    );
    const value = { id: 'o-1', total: { cents: 1999, currency: 'EUR' }, items: ['pen', 'ink'] };
    const encoded = await registry.encode(id, value);
    expect(encoded.readInt32BE(1)).toBe(id);
    const decoded = (await new SchemaRegistry({ host: t.url }).decode(encoded)) as Record<string, unknown>;
    expect(JSON.parse(JSON.stringify(decoded))).toEqual({ ...value, total: { cents: '1999', currency: 'EUR' } });
    const latest = (await call(t.url, 'GET', '/subjects/pb-orders-value/versions/latest')).body;
    expect(latest).toMatchObject({ id, schemaType: 'PROTOBUF', references: [{ name: 'money.proto', subject: 'money.proto', version: 1 }] });
    // Changing a field's wire type is refused.
    await expect(
      registry.register(
        {
          type: SchemaType.PROTOBUF,
          schema: order.replace('string id = 1', 'double id = 1'),
          references: [{ name: 'money.proto', subject: 'money.proto', version: 1 }],
        },
        { subject: 'pb-orders-value' },
      ),
    ).rejects.toThrow(/incompatible/i);
  }, 60_000);
});
