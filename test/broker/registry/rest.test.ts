/**
 * The embedded schema registry's REST API, endpoint by endpoint: status codes, bodies and Confluent's
 * error codes, over real HTTP against a registry on a one-broker embedded cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avroRecord, call, CONTENT_TYPE, startRegistryCluster, type RegistryCluster } from './helpers';

let t: RegistryCluster;
let url: string;

beforeAll(async () => {
  t = await startRegistryCluster();
  url = t.url;
});

afterAll(async () => {
  await t?.close();
});

const userV1 = avroRecord('User', [{ name: 'name', type: 'string' }], { namespace: 'com.example' });
const userV2 = avroRecord(
  'User',
  [
    { name: 'name', type: 'string' },
    { name: 'age', type: 'int', default: 0 },
  ],
  { namespace: 'com.example' },
);
const userBad = avroRecord(
  'User',
  [
    { name: 'name', type: 'string' },
    { name: 'email', type: 'string' },
  ],
  { namespace: 'com.example' },
);

describe('root and metadata', () => {
  it('answers the root, types, contexts and cluster id in its content type', async () => {
    const root = await call(url, 'GET', '/');
    expect(root.status).toBe(200);
    expect(root.contentType).toBe(CONTENT_TYPE);
    expect(root.body).toEqual({});
    expect((await call(url, 'GET', '/schemas/types')).body).toEqual(['JSON', 'PROTOBUF', 'AVRO']);
    expect((await call(url, 'GET', '/contexts')).body).toEqual(['.']);
    const id = await call(url, 'GET', '/v1/metadata/id');
    expect(id.body.scope.clusters['kafka-cluster']).toBe(t.cluster.controller.clusterId);
  });

  it('refuses unknown paths (404), methods (405) and non-JSON bodies (415)', async () => {
    expect(await call(url, 'GET', '/nothing/here')).toMatchObject({ status: 404, body: { error_code: 404, message: 'HTTP 404 Not Found' } });
    expect(await call(url, 'PATCH', '/subjects')).toMatchObject({ status: 405, body: { error_code: 405 } });
    expect(await call(url, 'POST', '/subjects/x/versions', 'schema=1', { 'Content-Type': 'application/x-www-form-urlencoded' })).toMatchObject({
      status: 415,
      body: { error_code: 415 },
    });
  });
});

describe('subjects and versions', () => {
  it('registers, deduplicates and lists', async () => {
    const first = await call(url, 'POST', '/subjects/users-value/versions', { schema: userV1 });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ id: expect.any(Number) });
    const id1 = first.body.id as number;
    // The same schema again, even with other whitespace and key order: the same id, no new version.
    const reordered = JSON.stringify({ namespace: 'com.example', fields: [{ type: 'string', name: 'name' }], name: 'User', type: 'record' }, null, 2);
    expect((await call(url, 'POST', '/subjects/users-value/versions', { schema: reordered })).body).toEqual({ id: id1 });
    expect((await call(url, 'GET', '/subjects/users-value/versions')).body).toEqual([1]);
    // Under another subject: the same global id, version 1 there.
    expect((await call(url, 'POST', '/subjects/other-value/versions', { schema: userV1 })).body).toEqual({ id: id1 });
    expect((await call(url, 'GET', `/schemas/ids/${id1}/subjects`)).body).toEqual(['other-value', 'users-value']);
    expect((await call(url, 'GET', `/schemas/ids/${id1}/versions`)).body).toEqual([
      { subject: 'other-value', version: 1 },
      { subject: 'users-value', version: 1 },
    ]);
    const second = await call(url, 'POST', '/subjects/users-value/versions', { schema: userV2, schemaType: 'AVRO' });
    expect(second.body.id).toBeGreaterThan(id1);
    expect((await call(url, 'GET', '/subjects')).body).toEqual(['other-value', 'users-value']);
    expect((await call(url, 'GET', '/subjects?subjectPrefix=users')).body).toEqual(['users-value']);
  });

  it('gets versions by number, latest and raw', async () => {
    const latest = await call(url, 'GET', '/subjects/users-value/versions/latest');
    expect(latest.status).toBe(200);
    expect(latest.body).toMatchObject({ subject: 'users-value', version: 2 });
    expect(latest.body.schemaType).toBeUndefined(); // AVRO is implied, as on Confluent
    expect(JSON.parse(latest.body.schema)).toEqual(JSON.parse(userV2));
    expect((await call(url, 'GET', '/subjects/users-value/versions/-1')).body.version).toBe(2);
    const raw = await call(url, 'GET', '/subjects/users-value/versions/1/schema');
    expect(raw.status).toBe(200);
    expect(JSON.parse(raw.text)).toEqual(JSON.parse(userV1));
    const byId = await call(url, 'GET', `/schemas/ids/${latest.body.id}`);
    expect(byId.body).toEqual({ schema: latest.body.schema });
    expect((await call(url, 'GET', `/schemas/ids/${latest.body.id}?fetchMaxId=true`)).body.maxId).toBe(latest.body.id);
    expect(JSON.parse((await call(url, 'GET', `/schemas/ids/${latest.body.id}/schema`)).text)).toEqual(JSON.parse(userV2));
    const all = await call(url, 'GET', '/schemas?subjectPrefix=users&latestOnly=true');
    expect(all.body.map((s: { version: number }) => s.version)).toEqual([2]);
  });

  it('answers missing subjects, versions and schemas with 40401, 40402, 40403 and bad versions with 42202', async () => {
    expect(await call(url, 'GET', '/subjects/nope/versions')).toMatchObject({ status: 404, body: { error_code: 40401, message: "Subject 'nope' not found." } });
    expect(await call(url, 'GET', '/subjects/nope/versions/1')).toMatchObject({ status: 404, body: { error_code: 40401 } });
    expect(await call(url, 'GET', '/subjects/users-value/versions/7')).toMatchObject({
      status: 404,
      body: { error_code: 40402, message: 'Version 7 not found.' },
    });
    expect(await call(url, 'GET', '/schemas/ids/9999')).toMatchObject({ status: 404, body: { error_code: 40403, message: 'Schema 9999 not found' } });
    for (const bad of ['0', 'abc', '2147483648', '1.5']) {
      expect(await call(url, 'GET', `/subjects/users-value/versions/${bad}`)).toMatchObject({ status: 422, body: { error_code: 42202 } });
    }
  });

  it('looks a schema up under a subject', async () => {
    const found = await call(url, 'POST', '/subjects/users-value', { schema: userV1 });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ subject: 'users-value', version: 1 });
    expect(JSON.parse(found.body.schema)).toEqual(JSON.parse(userV1));
    expect(await call(url, 'POST', '/subjects/users-value', { schema: userBad })).toMatchObject({
      status: 404,
      body: { error_code: 40403, message: 'Schema not found' },
    });
    expect(await call(url, 'POST', '/subjects/nobody', { schema: userV1 })).toMatchObject({ status: 404, body: { error_code: 40401 } });
    expect(await call(url, 'POST', '/subjects/users-value', { schema: '{"type":' })).toMatchObject({ status: 422, body: { error_code: 42201 } });
  });

  it('refuses an incompatible schema with 409 and names the difference', async () => {
    const refused = await call(url, 'POST', '/subjects/users-value/versions', { schema: userBad });
    expect(refused.status).toBe(409);
    expect(refused.body.error_code).toBe(409);
    expect(refused.body.message).toContain('Schema being registered is incompatible with an earlier schema for subject "users-value"');
    expect(refused.body.message).toContain('READER_FIELD_MISSING_DEFAULT_VALUE');
    expect(refused.body.message).toContain("compatibility: 'BACKWARD'");
    expect((await call(url, 'GET', '/subjects/users-value/versions')).body).toEqual([1, 2]);
  });
});

describe('compatibility', () => {
  it('checks against a version, latest, or all versions, with and without verbose', async () => {
    const ok = await call(url, 'POST', '/compatibility/subjects/users-value/versions/latest', { schema: userV2 });
    expect(ok).toMatchObject({ status: 200, body: { is_compatible: true } });
    expect(ok.body.messages).toBeUndefined();
    const bad = await call(url, 'POST', '/compatibility/subjects/users-value/versions/1', { schema: userBad });
    expect(bad.body).toEqual({ is_compatible: false });
    const verbose = await call(url, 'POST', '/compatibility/subjects/users-value/versions/1?verbose=true', { schema: userBad });
    expect(verbose.body.is_compatible).toBe(false);
    expect(verbose.body.messages.join('\n')).toMatch(/READER_FIELD_MISSING_DEFAULT_VALUE[\s\S]*oldSchemaVersion: 1/);
    expect((await call(url, 'POST', '/compatibility/subjects/users-value/versions', { schema: userV2 })).body).toEqual({ is_compatible: true });
    // A subject without versions: anything is compatible with "latest"; a numbered version is missing.
    expect((await call(url, 'POST', '/compatibility/subjects/fresh/versions/latest', { schema: userBad })).body).toEqual({ is_compatible: true });
    expect(await call(url, 'POST', '/compatibility/subjects/fresh/versions/3', { schema: userBad })).toMatchObject({
      status: 404,
      body: { error_code: 40402 },
    });
    // An invalid schema: 42201, or a message with verbose.
    expect(await call(url, 'POST', '/compatibility/subjects/users-value/versions/latest', { schema: '{"type":"nope"}' })).toMatchObject({
      status: 422,
      body: { error_code: 42201 },
    });
    const invalid = await call(url, 'POST', '/compatibility/subjects/users-value/versions/latest?verbose=true', { schema: '{"type":"nope"}' });
    expect(invalid.body.is_compatible).toBe(false);
    expect(invalid.body.messages[0]).toContain('Invalid schema');
  });
});

describe('config', () => {
  it('reads, sets and deletes the global and per-subject compatibility', async () => {
    expect((await call(url, 'GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect(await call(url, 'GET', '/config/users-value')).toMatchObject({ status: 404, body: { error_code: 40408 } });
    expect((await call(url, 'GET', '/config/users-value?defaultToGlobal=true')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect((await call(url, 'PUT', '/config/users-value', { compatibility: 'none' })).body).toEqual({ compatibility: 'NONE' });
    expect((await call(url, 'GET', '/config/users-value')).body).toEqual({ compatibilityLevel: 'NONE' });
    // NONE lets the incompatible schema in.
    expect((await call(url, 'POST', '/subjects/users-value/versions', { schema: userBad })).status).toBe(200);
    expect((await call(url, 'DELETE', '/config/users-value')).body).toEqual({ compatibilityLevel: 'NONE' });
    expect(await call(url, 'DELETE', '/config/users-value')).toMatchObject({ status: 404, body: { error_code: 40401 } });
    expect(await call(url, 'PUT', '/config', { compatibility: 'SIDEWAYS' })).toMatchObject({ status: 422, body: { error_code: 42203 } });
    expect((await call(url, 'PUT', '/config', { compatibility: 'FULL_TRANSITIVE' })).body).toEqual({ compatibility: 'FULL_TRANSITIVE' });
    expect((await call(url, 'GET', '/config')).body).toEqual({ compatibilityLevel: 'FULL_TRANSITIVE' });
    expect((await call(url, 'GET', '/config/users-value?defaultToGlobal=true')).body).toEqual({ compatibilityLevel: 'FULL_TRANSITIVE' });
    expect((await call(url, 'DELETE', '/config')).body).toEqual({ compatibilityLevel: 'FULL_TRANSITIVE' });
    expect((await call(url, 'GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
  });
});

describe('mode', () => {
  it('makes a subject or the registry read-only, and imports schemas with their ids', async () => {
    expect((await call(url, 'GET', '/mode')).body).toEqual({ mode: 'READWRITE' });
    expect(await call(url, 'GET', '/mode/users-value')).toMatchObject({ status: 404, body: { error_code: 40409 } });
    expect((await call(url, 'PUT', '/mode/users-value', { mode: 'READONLY' })).body).toEqual({ mode: 'READONLY' });
    expect((await call(url, 'GET', '/mode/users-value')).body).toEqual({ mode: 'READONLY' });
    const refused = await call(url, 'POST', '/subjects/users-value/versions', { schema: avroRecord('Z', []) });
    expect(refused).toMatchObject({ status: 422, body: { error_code: 42205 } });
    expect(await call(url, 'DELETE', '/subjects/users-value/versions/1')).toMatchObject({ status: 422, body: { error_code: 42205 } });
    expect((await call(url, 'DELETE', '/mode/users-value')).body).toEqual({ mode: 'READONLY' });
    expect(await call(url, 'PUT', '/mode', { mode: 'SOMETIMES' })).toMatchObject({ status: 422, body: { error_code: 42204 } });
    // IMPORT needs a subject without live versions (or force), and takes the id and version given.
    expect(await call(url, 'PUT', '/mode/users-value', { mode: 'IMPORT' })).toMatchObject({ status: 422, body: { error_code: 42205 } });
    expect((await call(url, 'PUT', '/mode/imported', { mode: 'IMPORT' })).body).toEqual({ mode: 'IMPORT' });
    expect(await call(url, 'POST', '/subjects/imported/versions', { schema: avroRecord('Imp', []) })).toMatchObject({
      status: 422,
      body: { error_code: 42205 },
    });
    expect((await call(url, 'POST', '/subjects/imported/versions', { schema: avroRecord('Imp', []), id: 500, version: 7 })).body).toEqual({ id: 500 });
    expect((await call(url, 'GET', '/subjects/imported/versions/7')).body).toMatchObject({ id: 500, version: 7 });
    // An id already holding another schema cannot be overwritten.
    expect(await call(url, 'POST', '/subjects/imported/versions', { schema: avroRecord('Other', []), id: 500, version: 8 })).toMatchObject({
      status: 422,
      body: { error_code: 42207 },
    });
    expect((await call(url, 'PUT', '/mode/imported', { mode: 'READWRITE' })).body).toEqual({ mode: 'READWRITE' });
    // New ids continue above the imported one.
    expect((await call(url, 'POST', '/subjects/after-import/versions', { schema: avroRecord('After', []) })).body.id).toBeGreaterThan(500);
    // Outside IMPORT an id in the request is refused.
    expect(await call(url, 'POST', '/subjects/after-import/versions', { schema: avroRecord('After2', []), id: 900 })).toMatchObject({
      status: 422,
      body: { error_code: 42205 },
    });
  });
});

describe('deletes', () => {
  it('deletes softly, then for good, in that order only', async () => {
    const s = 'deletes-value';
    const id1 = (await call(url, 'POST', `/subjects/${s}/versions`, { schema: avroRecord('D', [{ name: 'a', type: 'int' }]) })).body.id;
    await call(url, 'POST', `/subjects/${s}/versions`, {
      schema: avroRecord('D', [
        { name: 'a', type: 'int' },
        { name: 'b', type: 'int', default: 1 },
      ]),
    });
    await call(url, 'POST', `/subjects/${s}/versions`, {
      schema: avroRecord('D', [
        { name: 'a', type: 'int' },
        { name: 'c', type: 'int', default: 1 },
      ]),
    });
    expect(await call(url, 'DELETE', `/subjects/${s}/versions/1?permanent=true`)).toMatchObject({ status: 404, body: { error_code: 40407 } });
    expect((await call(url, 'DELETE', `/subjects/${s}/versions/1`)).body).toBe(1);
    expect(await call(url, 'DELETE', `/subjects/${s}/versions/1`)).toMatchObject({ status: 404, body: { error_code: 40406 } });
    expect((await call(url, 'GET', `/subjects/${s}/versions`)).body).toEqual([2, 3]);
    expect((await call(url, 'GET', `/subjects/${s}/versions?deleted=true`)).body).toEqual([1, 2, 3]);
    expect((await call(url, 'GET', `/subjects/${s}/versions?deletedOnly=true`)).body).toEqual([1]);
    expect(await call(url, 'GET', `/subjects/${s}/versions/1`)).toMatchObject({ status: 404, body: { error_code: 40402 } });
    expect((await call(url, 'GET', `/subjects/${s}/versions/1?deleted=true`)).body.version).toBe(1);
    // A soft-deleted version's id still resolves: data written with it stays readable.
    expect((await call(url, 'GET', `/schemas/ids/${id1}`)).status).toBe(200);
    expect((await call(url, 'GET', `/schemas/ids/${id1}/versions`)).body).toEqual([]);
    expect((await call(url, 'GET', `/schemas/ids/${id1}/versions?deleted=true`)).body).toEqual([{ subject: s, version: 1 }]);
    expect((await call(url, 'DELETE', `/subjects/${s}/versions/latest`)).body).toBe(3);
    expect(await call(url, 'DELETE', `/subjects/${s}?permanent=true`)).toMatchObject({ status: 404, body: { error_code: 40405 } });
    expect((await call(url, 'DELETE', `/subjects/${s}`)).body).toEqual([2]);
    expect(await call(url, 'DELETE', `/subjects/${s}`)).toMatchObject({ status: 404, body: { error_code: 40404 } });
    expect((await call(url, 'GET', '/subjects')).body).not.toContain(s);
    expect((await call(url, 'GET', '/subjects?deleted=true')).body).toContain(s);
    expect((await call(url, 'DELETE', `/subjects/${s}?permanent=true`)).body).toEqual([1, 2, 3]);
    expect((await call(url, 'GET', '/subjects?deleted=true')).body).not.toContain(s);
    expect(await call(url, 'GET', `/schemas/ids/${id1}`)).toMatchObject({ status: 404, body: { error_code: 40403 } });
    expect(await call(url, 'DELETE', `/subjects/${s}`)).toMatchObject({ status: 404, body: { error_code: 40401 } });
    // Registering again after a hard delete starts at version 1 with a new id.
    const again = await call(url, 'POST', `/subjects/${s}/versions`, { schema: avroRecord('D', [{ name: 'a', type: 'int' }]) });
    expect(again.body.id).not.toBe(id1);
    expect((await call(url, 'GET', `/subjects/${s}/versions`)).body).toEqual([1]);
  });

  it('re-registering a soft-deleted schema makes a new version with the same id', async () => {
    const s = 'revive-value';
    const schema = avroRecord('R', [{ name: 'a', type: 'int' }]);
    const { id } = (await call(url, 'POST', `/subjects/${s}/versions`, { schema })).body;
    await call(url, 'DELETE', `/subjects/${s}/versions/1`);
    expect((await call(url, 'POST', `/subjects/${s}/versions`, { schema })).body).toEqual({ id });
    expect((await call(url, 'GET', `/subjects/${s}/versions`)).body).toEqual([2]);
    // The soft-deleted version 1 with the same id was dropped for good.
    expect((await call(url, 'GET', `/subjects/${s}/versions?deleted=true`)).body).toEqual([2]);
  });
});

describe('references', () => {
  it('registers schemas that reference others, protects the referenced versions, and lists referrers', async () => {
    const address = JSON.stringify({ type: 'record', name: 'Address', namespace: 'com.shop', fields: [{ name: 'street', type: 'string' }] });
    const addressId = (await call(url, 'POST', '/subjects/address/versions', { schema: address })).body.id;
    const customer = JSON.stringify({ type: 'record', name: 'Customer', namespace: 'com.shop', fields: [{ name: 'home', type: 'com.shop.Address' }] });
    expect(await call(url, 'POST', '/subjects/customer-value/versions', { schema: customer })).toMatchObject({ status: 422, body: { error_code: 42201 } });
    const refs = [{ name: 'com.shop.Address', subject: 'address', version: 1 }];
    const registered = await call(url, 'POST', '/subjects/customer-value/versions', { schema: customer, references: refs });
    expect(registered.status).toBe(200);
    const customerId = registered.body.id;
    expect((await call(url, 'GET', '/subjects/customer-value/versions/1')).body.references).toEqual(refs);
    expect((await call(url, 'GET', `/schemas/ids/${customerId}`)).body.references).toEqual(refs);
    expect((await call(url, 'GET', '/subjects/address/versions/1/referencedby')).body).toEqual([customerId]);
    expect(await call(url, 'DELETE', '/subjects/address/versions/1')).toMatchObject({ status: 422, body: { error_code: 42206 } });
    expect(await call(url, 'DELETE', '/subjects/address')).toMatchObject({ status: 422, body: { error_code: 42206 } });
    expect((await call(url, 'GET', `/schemas/ids/${addressId}`)).status).toBe(200);
    // A reference to a version that does not exist is an invalid schema, and nothing is stored.
    const missing = await call(url, 'POST', '/subjects/customer2-value/versions', {
      schema: customer,
      references: [{ name: 'com.shop.Address', subject: 'address', version: 9 }],
    });
    expect(missing).toMatchObject({ status: 422, body: { error_code: 42201 } });
    expect(missing.body.message).toContain('No schema reference found for subject "address" and version 9');
    expect(await call(url, 'GET', '/subjects/customer2-value/versions')).toMatchObject({ status: 404 });
    // Version -1 means the latest; it is stored as the version it resolved to.
    const latestRef = await call(url, 'POST', '/subjects/customer3-value/versions', {
      schema: customer,
      references: [{ name: 'com.shop.Address', subject: 'address', version: -1 }],
    });
    expect(latestRef.status).toBe(200);
    expect((await call(url, 'GET', '/subjects/customer3-value/versions/1')).body.references).toEqual(refs);
  });
});

describe('protobuf and JSON schema', () => {
  it('registers Protobuf with schemaType and imports as references', async () => {
    const common = 'syntax = "proto3";\npackage shop;\nmessage Money { int64 cents = 1; string currency = 2; }\n';
    const commonId = (await call(url, 'POST', '/subjects/money.proto/versions', { schema: common, schemaType: 'PROTOBUF' })).body.id;
    const order =
      'syntax = "proto3";\npackage shop;\nimport "money.proto";\nimport "google/protobuf/timestamp.proto";\nmessage Order { string id = 1; Money total = 2; google.protobuf.Timestamp at = 3; }\n';
    expect(await call(url, 'POST', '/subjects/orders-value/versions', { schema: order, schemaType: 'PROTOBUF' })).toMatchObject({
      status: 422,
      body: { error_code: 42201 },
    });
    const registered = await call(url, 'POST', '/subjects/orders-value/versions', {
      schema: order,
      schemaType: 'PROTOBUF',
      references: [{ name: 'money.proto', subject: 'money.proto', version: 1 }],
    });
    expect(registered.status).toBe(200);
    const latest = (await call(url, 'GET', '/subjects/orders-value/versions/latest')).body;
    expect(latest).toMatchObject({ schemaType: 'PROTOBUF', id: registered.body.id, references: [{ name: 'money.proto', subject: 'money.proto', version: 1 }] });
    // Comments and whitespace do not make a new schema.
    const commented = `// an order\n${order.replace(/; /g, ';   ')}`;
    expect(
      (
        await call(url, 'POST', '/subjects/orders-value/versions', {
          schema: commented,
          schemaType: 'PROTOBUF',
          references: [{ name: 'money.proto', subject: 'money.proto', version: 1 }],
        })
      ).body,
    ).toEqual({ id: registered.body.id });
    expect(commonId).not.toBe(registered.body.id);
    // Changing a field's type is refused under BACKWARD.
    const changed = order.replace('string id = 1', 'int64 id = 1');
    const refused = await call(url, 'POST', '/subjects/orders-value/versions', {
      schema: changed,
      schemaType: 'PROTOBUF',
      references: [{ name: 'money.proto', subject: 'money.proto', version: 1 }],
    });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('FIELD_SCALAR_KIND_CHANGED');
  });

  it('registers JSON schemas and checks them against their meta-schema', async () => {
    const schema = JSON.stringify({ type: 'object', properties: { id: { type: 'integer' } }, additionalProperties: false });
    const registered = await call(url, 'POST', '/subjects/json-value/versions', { schema, schemaType: 'JSON' });
    expect(registered.status).toBe(200);
    expect((await call(url, 'GET', `/schemas/ids/${registered.body.id}`)).body).toEqual({ schema, schemaType: 'JSON' });
    const invalid = await call(url, 'POST', '/subjects/json-value/versions', { schema: JSON.stringify({ type: 'objekt' }), schemaType: 'JSON' });
    expect(invalid).toMatchObject({ status: 422, body: { error_code: 42201 } });
    expect(await call(url, 'POST', '/subjects/json-value/versions', { schema, schemaType: 'XML' })).toMatchObject({
      status: 422,
      body: { error_code: 42201, message: 'Invalid schema type XML' },
    });
    // A type change between Avro and JSON in one subject is incompatible.
    const crossed = await call(url, 'POST', '/subjects/json-value/versions', { schema: userV1 });
    expect(crossed.status).toBe(409);
    expect(crossed.body.message).toContain('Incompatible because of different schema type');
  });
});

describe('normalize', () => {
  it('stores the normalized form and finds differently written schemas', async () => {
    const a = JSON.stringify({ type: 'object', properties: { b: { type: 'string' }, a: { type: 'integer' } } });
    const b = JSON.stringify({ properties: { a: { type: 'integer' }, b: { type: 'string' } }, type: 'object' });
    const first = await call(url, 'POST', '/subjects/norm-value/versions?normalize=true', { schema: a, schemaType: 'JSON' });
    const second = await call(url, 'POST', '/subjects/norm-value/versions?normalize=true', { schema: b, schemaType: 'JSON' });
    expect(second.body).toEqual(first.body);
    expect((await call(url, 'GET', '/subjects/norm-value/versions')).body).toEqual([1]);
    expect((await call(url, 'GET', '/subjects/norm-value/versions/1')).body.schema).toBe(
      '{"properties":{"a":{"type":"integer"},"b":{"type":"string"}},"type":"object"}',
    );
    // A lookup without normalize still finds it by its normalized form.
    expect((await call(url, 'POST', '/subjects/norm-value', { schema: b, schemaType: 'JSON' })).body.version).toBe(1);
  });
});
