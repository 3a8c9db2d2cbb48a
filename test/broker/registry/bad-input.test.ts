/**
 * Hostile and malformed input to the registry: invalid schemas of each format, unknown references,
 * huge schemas and bodies, malformed JSON, wrong field types, odd paths and hosts. Each gets Confluent's
 * error, and nothing reaches `_schemas` (its end offset does not move).
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avroRecord, call, startRegistryCluster, type RegistryCluster } from './helpers';

let t: RegistryCluster;

beforeAll(async () => {
  t = await startRegistryCluster();
  await call(t.url, 'POST', '/subjects/base/versions', { schema: avroRecord('Base', [{ name: 'a', type: 'int' }]) });
});

afterAll(async () => {
  await t?.close();
});

const logEnd = () => {
  const leader = t.cluster.controller.partition('_schemas', 0)!.leader;
  return t.cluster.broker(leader).replica('_schemas', 0)!.log.logEndOffset;
};

/** Runs the request and checks that `_schemas` did not grow. */
async function refused(method: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const before = logEnd();
  const answer = await call(t.url, method, path, body, headers);
  expect(logEnd(), `${method} ${path} wrote to _schemas`).toBe(before);
  return answer;
}

describe('invalid schemas', () => {
  it.each([
    ['AVRO', '{"type":"record","name":"X","fields":[{"name":"a","type":"unknown.Type"}]}'],
    ['AVRO', '{"type":"record","name":"X","fields":[{"name":"a","type":"int","default":"text"}]}'],
    ['AVRO', 'not json at all'],
    ['AVRO', '{"type":"enum","name":"E","symbols":["A","A"]}'],
    ['PROTOBUF', 'syntax = "proto3"; message M { int32 a = 1 }'],
    ['PROTOBUF', 'syntax = "proto3"; message M { Unknown a = 1; }'],
    ['PROTOBUF', 'syntax = "proto3"; import "missing.proto"; message M { int32 a = 1; }'],
    ['JSON', '{"type":"objekt"}'],
    ['JSON', '{"properties":{"a":{"$ref":"#/definitions/none"}}}'],
    ['JSON', '{"type":"string","pattern":"(["}'],
    ['JSON', '"just a string"'],
  ])('%s %s: 42201, nothing stored', async (schemaType, schema) => {
    const answer = await refused('POST', '/subjects/bad-value/versions', { schema, schemaType });
    expect(answer.status).toBe(422);
    expect(answer.body.error_code).toBe(42201);
    expect(answer.body.message).toMatch(/^Invalid schema/);
  });

  it('an empty or missing schema is 42201 too', async () => {
    expect((await refused('POST', '/subjects/bad-value/versions', { schema: '' })).body.error_code).toBe(42201);
    expect((await refused('POST', '/subjects/bad-value/versions', { schemaType: 'AVRO' })).body.error_code).toBe(42201);
  });

  it('unknown and malformed references are refused', async () => {
    const schema = avroRecord('Uses', [{ name: 'x', type: 'com.none.Missing' }]);
    const unknownSubject = await refused('POST', '/subjects/bad-value/versions', {
      schema,
      references: [{ name: 'com.none.Missing', subject: 'no-such-subject', version: 1 }],
    });
    expect(unknownSubject).toMatchObject({ status: 422, body: { error_code: 42201 } });
    expect(unknownSubject.body.message).toContain('No schema reference found for subject "no-such-subject" and version 1');
    const malformed = await refused('POST', '/subjects/bad-value/versions', { schema, references: [{ name: 'x' }] });
    expect(malformed).toMatchObject({ status: 422, body: { error_code: 42201 } });
    // A reference to an existing schema that does not define the name used is still invalid.
    const wrongName = await refused('POST', '/subjects/bad-value/versions', {
      schema,
      references: [{ name: 'com.none.Missing', subject: 'base', version: 1 }],
    });
    expect(wrongName).toMatchObject({ status: 422, body: { error_code: 42201 } });
  });

  it('deeply nested schemas are refused without exhausting the stack', async () => {
    const avro = `${'{"type":"array","items":'.repeat(5000)}"int"${'}'.repeat(5000)}`;
    expect((await refused('POST', '/subjects/bad-value/versions', { schema: avro })).body.error_code).toBe(42201);
    const json = `${'{"items":'.repeat(20_000)}{}${'}'.repeat(20_000)}`;
    expect((await refused('POST', '/subjects/bad-value/versions', { schema: json, schemaType: 'JSON' })).body.error_code).toBe(42201);
  });
});

describe('huge input', () => {
  it('a schema over the record size limit is 42209, before it is parsed', async () => {
    const fields = Array.from({ length: 30_000 }, (_, i) => ({ name: `field_number_${i}`, type: 'string', default: '' }));
    const schema = avroRecord('Huge', fields);
    expect(schema.length).toBeGreaterThan(1024 * 1024);
    const answer = await refused('POST', '/subjects/huge-value/versions', { schema });
    expect(answer).toMatchObject({ status: 422, body: { error_code: 42209, message: 'Register operation failed because schema is too large' } });
  });

  it('a body over 8 MiB is 413, answered before it is read', async () => {
    const before = logEnd();
    const big = Buffer.alloc(9 * 1024 * 1024, 'a');
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        `${t.url}/subjects/huge-value/versions`,
        { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': big.length } },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body: text }));
        },
      );
      req.on('error', reject);
      req.end(big);
    });
    expect(status).toBe(413);
    expect(JSON.parse(body).error_code).toBe(413);
    expect(logEnd()).toBe(before);
  });

  it('a chunked body that grows past 8 MiB is 413 too, answered before the rest is read', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'b');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${t.url}/subjects/huge-value/versions`,
        { method: 'POST', headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      let sent = 0;
      // Keeps sending well past the limit: the answer must arrive anyway.
      const pump = () => {
        while (sent < 16 && req.write(chunk)) sent++;
        if (sent < 16) req.once('drain', pump);
        else req.end();
      };
      pump();
    });
    expect(status).toBe(413);
  });
});

describe('malformed requests', () => {
  it('malformed JSON is 400, a body of the wrong shape 400, an empty body 422', async () => {
    expect(await refused('POST', '/subjects/x/versions', '{"schema": ')).toMatchObject({ status: 400, body: { error_code: 400 } });
    expect(await refused('POST', '/subjects/x/versions', '[1,2]')).toMatchObject({ status: 400, body: { error_code: 400 } });
    expect(await refused('POST', '/subjects/x/versions', { schema: 42 })).toMatchObject({ status: 400, body: { error_code: 400 } });
    expect(await refused('POST', '/subjects/x/versions', { schema: avroRecord('A', []), references: 'nope' })).toMatchObject({
      status: 400,
      body: { error_code: 400 },
    });
    expect(await refused('POST', '/subjects/x/versions', { schema: avroRecord('A', []), version: 'two' })).toMatchObject({
      status: 400,
      body: { error_code: 400 },
    });
    expect(await refused('POST', '/subjects/x/versions', '')).toMatchObject({ status: 422, body: { error_code: 422 } });
    expect(await refused('PUT', '/config', { compatibility: 7 })).toMatchObject({ status: 422, body: { error_code: 42203 } });
    expect(await refused('PUT', '/mode', {})).toMatchObject({ status: 422, body: { error_code: 42204 } });
    expect(await refused('PUT', '/config', '\u0000\u0001')).toMatchObject({ status: 400 });
  });

  it('odd paths and ids', async () => {
    expect(await refused('GET', '/schemas/ids/abc', undefined)).toMatchObject({ status: 404, body: { error_code: 404 } });
    expect(await refused('GET', '/schemas/ids/99999999999999', undefined)).toMatchObject({ status: 404 });
    expect(await refused('GET', '/subjects/%E0%A4%A/versions', undefined)).toMatchObject({ status: 400, body: { error_code: 400 } });
    expect(await refused('POST', '/subjects/%00bad/versions', { schema: avroRecord('A', []) })).toMatchObject({ status: 422, body: { error_code: 42208 } });
    // A subject name with a slash, encoded, is a subject like any other.
    expect((await call(t.url, 'POST', '/subjects/team%2Forders/versions', { schema: avroRecord('Slash', []) })).status).toBe(200);
    expect((await call(t.url, 'GET', '/subjects')).body).toContain('team/orders');
  });

  it('refuses requests naming a non-loopback host (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${t.url}/subjects`, { headers: { Host: 'attacker.example:8081' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
    expect((await call(t.url.replace('127.0.0.1', 'localhost'), 'GET', '/subjects')).status).toBe(200);
  });

  it('keeps serving after all of it', async () => {
    expect((await call(t.url, 'GET', '/subjects/base/versions/1')).status).toBe(200);
    expect(t.errors).toEqual([]);
  });
});
