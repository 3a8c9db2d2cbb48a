/**
 * An external schema registry over https with a private CA and basic authentication (#17): the app's
 * schema service trusts it only with the CA file given, sends the connection's credentials, and says in
 * words what is wrong (untrusted certificate, refused credentials). The registry is the embedded one,
 * behind an https front that checks the credentials, with a certificate from a CA made for this test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBrokerTls } from '../../electron/broker/security/certificates';
import { startCore, type TestCore } from './helpers';
import { AVRO } from '../support/schema-fixtures';

const CREDENTIALS = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;
let t: TestCore;
let front: https.Server;
let tlsDir: string;
let caPath: string;
let frontUrl: string;
const seenAuthorization: Array<string | undefined> = [];

beforeAll(async () => {
  t = await startCore({ brokers: 1 });
  tlsDir = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-registry-tls-'));
  const tls = ensureBrokerTls(tlsDir, '127.0.0.1');
  caPath = tls.caPath;
  const registry = new URL(t.core.embedded.status().schemaRegistryUrl!);
  front = https.createServer({ cert: tls.certPem, key: tls.keyPem }, (request, response) => {
    seenAuthorization.push(request.headers.authorization);
    if (request.headers.authorization !== CREDENTIALS) {
      response.writeHead(401, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ error_code: 401, message: 'Unauthorized' }));
      return;
    }
    const forwarded = http.request(
      { host: registry.hostname, port: registry.port, path: request.url, method: request.method, headers: { ...request.headers, host: registry.host } },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on('error', () => response.destroy());
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  frontUrl = `https://127.0.0.1:${(front.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (front ? front.close(() => resolve()) : resolve()));
  await t?.close();
  if (tlsDir) await rm(tlsDir, { recursive: true, force: true });
});

it('an https registry signed by a private CA is trusted with its CA file only, gets the credentials, and says what is wrong', async () => {
  const saved = await t.ok('connections.save', { name: 'registry over https', bootstrapServers: t.bootstrapServers });
  const connectionId = saved.id;
  const auth = { kind: 'basic' as const, username: 'alice', password: 's3cret' };

  // Without the CA file the certificate is not trusted, and the error says what to do.
  await t.ok('schemas.setRegistry', { connectionId, registry: { kind: 'external', url: frontUrl, auth } });
  const untrusted = await t.call('schemas.subjects', { connectionId });
  expect(untrusted).toMatchObject({
    ok: false,
    error: { kind: 'unavailable', message: expect.stringMatching(/cannot be reached: its certificate is not trusted \(\w+\); set the registry's CA file\.$/) },
  });
  expect(seenAuthorization).toEqual([]);

  // With the CA file: the credentials reach the registry, and registering and listing go through it.
  await t.ok('schemas.setRegistry', { connectionId, registry: { kind: 'external', url: frontUrl, auth, caFile: caPath } });
  const registered = await t.ok('schemas.register', { connectionId, subject: 'tls-orders-value', schemaType: 'AVRO', schema: AVRO.v1 });
  expect(registered.id).toBeGreaterThan(0);
  const listed = await t.ok('schemas.subjects', { connectionId });
  expect(listed.url).toBe(frontUrl);
  expect(listed.subjects.map((subject) => subject.name)).toContain('tls-orders-value');
  expect(seenAuthorization.length).toBeGreaterThan(0);
  expect(seenAuthorization.every((header) => header === CREDENTIALS)).toBe(true);

  // A wrong password: the registry's 401 in words.
  await t.ok('schemas.setRegistry', { connectionId, registry: { kind: 'external', url: frontUrl, auth: { ...auth, password: 'wrong' }, caFile: caPath } });
  const refused = await t.call('schemas.subjects', { connectionId });
  expect(refused).toMatchObject({
    ok: false,
    error: { message: 'The schema registry refused the credentials (HTTP 401). Check the user name and password or the token.' },
  });

  // Verification turned off knowingly: no CA file needed.
  await t.ok('schemas.setRegistry', { connectionId, registry: { kind: 'external', url: frontUrl, auth, rejectUnauthorized: false } });
  expect((await t.ok('schemas.subjects', { connectionId })).subjects.length).toBeGreaterThan(0);

  await t.ok('connections.delete', { id: connectionId });
}, 60_000);
