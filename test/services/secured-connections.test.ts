// The connection service against real secured embedded clusters (SASL_SSL, SSL, SASL_PLAINTEXT, and
// the app's own PLAINTEXT one): every SASL mechanism connects through the app's IPC, and each usual
// misconfiguration fails with its own failure kind, words and hint.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, connect as connectTcp, type Server as TcpServer } from 'node:net';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestOf } from '../../shared/ipc/contract';
import { startSecuredCluster, type SecuredCluster } from '../broker/security/helpers';
import { startCore, type TestCore } from './helpers';

type TestRequest = RequestOf<'connections.save'>;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** An unsecured JWS (KIP-255), what the embedded brokers accept by default. */
const unsecuredToken = (subject: string, expiresInSeconds = 3600) => {
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'none' })}.${b64({ sub: subject, iat: now, exp: now + expiresInSeconds })}.`;
};

/** A token endpoint for the client-credentials grant: one client, unsecured JWS tokens for its id. */
function startTokenEndpoint(): Promise<{ server: Server; url: string; requests: () => number }> {
  let count = 0;
  const server = createHttpServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      count += 1;
      const form = new URLSearchParams(body);
      const [id, secret] = Buffer.from((request.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
        .toString()
        .split(':')
        .map(decodeURIComponent);
      response.setHeader('content-type', 'application/json');
      if (request.method !== 'POST' || form.get('grant_type') !== 'client_credentials') {
        response.writeHead(400).end(JSON.stringify({ error: 'unsupported_grant_type' }));
      } else if (id !== 'alice' || secret !== 'client-secret') {
        response.writeHead(401).end(JSON.stringify({ error: 'invalid_client', error_description: 'Client authentication failed' }));
      } else {
        response.end(JSON.stringify({ access_token: unsecuredToken(id), token_type: 'Bearer', expires_in: 3600, scope: form.get('scope') ?? '' }));
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      resolve({ server, url: `http://127.0.0.1:${address.port}/oauth2/token`, requests: () => count });
    }),
  );
}

/** Forwards 127.0.0.2:<port> to a broker: the same listener under an address its certificate does not name. */
function startForwarder(target: string): Promise<{ server: TcpServer; address: string }> {
  const [host, port] = target.split(':');
  const server = createTcpServer((socket) => {
    const upstream = connectTcp(Number(port), host);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.2', () => resolve({ server, address: `127.0.0.2:${(server.address() as { port: number }).port}` })),
  );
}

describe('secured connections', () => {
  let app: TestCore;
  let saslSsl: SecuredCluster;
  let ssl: SecuredCluster;
  let saslPlaintext: SecuredCluster;
  let tokens: Awaited<ReturnType<typeof startTokenEndpoint>>;
  let forwarder: Awaited<ReturnType<typeof startForwarder>>;
  let files: string;

  beforeAll(async () => {
    [app, saslSsl, ssl, saslPlaintext, tokens] = await Promise.all([
      startCore({ brokers: 1 }),
      startSecuredCluster({ protocol: 'SASL_SSL' }),
      startSecuredCluster({ protocol: 'SSL' }),
      startSecuredCluster({ protocol: 'SASL_PLAINTEXT', config: { 'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256' } }),
      startTokenEndpoint(),
    ]);
    forwarder = await startForwarder(saslSsl.bootstrap);
    files = await mkdtemp(path.join(os.tmpdir(), 'kd-tls-files-'));
  }, 120_000);
  afterAll(async () => {
    forwarder?.server.close();
    tokens?.server.close();
    await Promise.all([app?.close(), saslSsl?.close(), ssl?.close(), saslPlaintext?.close()]);
    if (files) await rm(files, { recursive: true, force: true });
  });

  const overSaslSsl = (sasl: TestRequest['sasl'], tls: Partial<NonNullable<TestRequest['tls']>> = {}): TestRequest => ({
    name: 'secured',
    bootstrapServers: saslSsl.bootstrap,
    sasl,
    tls: { enabled: true, caFile: saslSsl.caLocation, ...tls },
  });

  const failure = async (request: TestRequest) => {
    const result = await app.call('connections.test', request);
    if (result.ok) throw new Error('the test connected, and should not have');
    return result.error;
  };

  for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    it(`connects over SASL_SSL with ${mechanism}`, async () => {
      const result = await app.ok('connections.test', overSaslSsl({ mechanism, username: 'alice', password: 'alice-secret' }));
      expect(result).toMatchObject({ brokers: 1, unreachableBrokers: [] });
    });
  }

  it('connects over SASL_SSL with an OAUTHBEARER token', async () => {
    const result = await app.ok('connections.test', overSaslSsl({ mechanism: 'OAUTHBEARER', password: unsecuredToken('alice'), oauth: { method: 'token' } }));
    expect(result.brokers).toBe(1);
  });

  it('connects with OAUTHBEARER tokens from a token endpoint (client credentials), fetching one token for all connections', async () => {
    const before = tokens.requests();
    const result = await app.ok(
      'connections.test',
      overSaslSsl({
        mechanism: 'OAUTHBEARER',
        password: 'client-secret',
        oauth: { method: 'client-credentials', tokenEndpoint: tokens.url, clientId: 'alice', scope: 'kafka' },
      }),
    );
    expect(result.brokers).toBe(1);
    // The bootstrap connection and the broker's own: one token.
    expect(tokens.requests() - before).toBe(1);
  });

  it('connects over SSL with the CA file, and over SASL_PLAINTEXT', async () => {
    expect(await app.ok('connections.test', { name: 'ssl', bootstrapServers: ssl.bootstrap, tls: { enabled: true, caFile: ssl.caLocation } })).toMatchObject({
      brokers: 1,
    });
    expect(
      await app.ok('connections.test', {
        name: 'sasl',
        bootstrapServers: saslPlaintext.bootstrap,
        sasl: { mechanism: 'SCRAM-SHA-256', username: 'bob', password: 'bob-secret' },
      }),
    ).toMatchObject({ brokers: 1 });
  });

  it('saves a secured connection and uses it like any other (its password sealed apart)', async () => {
    const saved = await app.ok('connections.save', overSaslSsl({ mechanism: 'SCRAM-SHA-512', username: 'admin', password: 'admin-secret' }));
    expect(saved.tls).toMatchObject({ enabled: true, caFile: saslSsl.caLocation, verifyHostname: true });
    const overview = await app.ok('cluster.overview', { connectionId: saved.id });
    expect(overview.brokers).toHaveLength(1);
    await app.ok('topics.create', { connectionId: saved.id, topic: 'over-sasl-ssl', partitions: 2, replicationFactor: 1 });
    expect((await app.ok('topics.list', { connectionId: saved.id })).map((topic) => topic.name)).toContain('over-sasl-ssl');
    await app.ok('connections.delete', { id: saved.id });
  });

  it('says a wrong password was refused (SASL_AUTHENTICATION_FAILED), naming the user and the mechanism', async () => {
    const error = await failure(overSaslSsl({ mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'wrong' }));
    expect(error).toMatchObject({ kind: 'kafka', kafkaCode: 'SASL_AUTHENTICATION_FAILED', failure: 'sasl-authentication-failed' });
    expect(error.message).toMatch(new RegExp(`^${saslSsl.bootstrap} refused the credentials of user alice \\(SCRAM-SHA-256\\): `));
    expect(error.hint).toContain('Check the user name and the password');
  });

  it('says an expired OAUTHBEARER token was refused, with the broker’s reason', async () => {
    const error = await failure(overSaslSsl({ mechanism: 'OAUTHBEARER', password: unsecuredToken('alice', -60), oauth: { method: 'token' } }));
    expect(error).toMatchObject({ failure: 'sasl-authentication-failed', kafkaCode: 'SASL_AUTHENTICATION_FAILED' });
    expect(error.message).toContain('refused the OAUTHBEARER token');
    expect(error.message).toContain('expired');
  });

  it('says the token endpoint refused the client secret', async () => {
    const error = await failure(
      overSaslSsl({
        mechanism: 'OAUTHBEARER',
        password: 'wrong-secret',
        oauth: { method: 'client-credentials', tokenEndpoint: tokens.url, clientId: 'alice' },
      }),
    );
    expect(error).toMatchObject({ failure: 'oauth-token-failed' });
    expect(error.message).toBe(`The token endpoint ${tokens.url} refused the client id or secret (HTTP 401: invalid_client (Client authentication failed)).`);
  });

  it('says which mechanisms the cluster offers when it does not accept the chosen one (UNSUPPORTED_SASL_MECHANISM)', async () => {
    const error = await failure({
      name: 'sasl',
      bootstrapServers: saslPlaintext.bootstrap,
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: 'alice-secret' },
    });
    expect(error).toMatchObject({ kafkaCode: 'UNSUPPORTED_SASL_MECHANISM', failure: 'sasl-mechanism-unsupported' });
    expect(error.message).toBe(`${saslPlaintext.bootstrap} does not accept SCRAM-SHA-512; it offers PLAIN, SCRAM-SHA-256.`);
  });

  it('says the CA is unknown: with the system store, and with another cluster’s CA file', async () => {
    const system = await failure(overSaslSsl({ mechanism: 'PLAIN', username: 'alice', password: 'alice-secret' }, { caFile: undefined }));
    expect(system).toMatchObject({ kind: 'unavailable', failure: 'tls-unknown-ca' });
    expect(system.message).toMatch(new RegExp(`^The certificate of ${saslSsl.bootstrap} was issued by a CA this connection does not trust \\(`));
    expect(system.hint).toContain('system’s trusted CAs do not include it');
    const other = await failure(overSaslSsl({ mechanism: 'PLAIN', username: 'alice', password: 'alice-secret' }, { caFile: ssl.caLocation }));
    expect(other).toMatchObject({ failure: 'tls-unknown-ca' });
    expect(other.hint).toContain(`The CA file ${ssl.caLocation} did not issue it`);
  });

  it('says the certificate does not name the host, and connects once hostname verification is turned off', async () => {
    const sasl = { mechanism: 'PLAIN', username: 'alice', password: 'alice-secret' } as const;
    const error = await failure({ ...overSaslSsl(sasl), bootstrapServers: forwarder.address });
    expect(error).toMatchObject({ failure: 'tls-hostname-mismatch' });
    expect(error.message).toBe(
      `The certificate of ${forwarder.address} is not for 127.0.0.2: it names DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1.`,
    );
    expect(error.hint).toContain('turn off hostname verification');
    // Off: the chain is still checked (the CA file), only the name is not.
    expect(await app.ok('connections.test', { ...overSaslSsl(sasl, { verifyHostname: false }), bootstrapServers: forwarder.address })).toMatchObject({
      brokers: 1,
    });
  });

  it('says a plaintext client reached a TLS listener', async () => {
    for (const sasl of [null, { mechanism: 'PLAIN', username: 'alice', password: 'alice-secret' } as const]) {
      const error = await failure({ name: 'no tls', bootstrapServers: saslSsl.bootstrap, sasl });
      expect(error).toMatchObject({ failure: 'tls-expected', message: `${saslSsl.bootstrap} expects TLS, and this connection does not use it.` });
    }
  });

  it('says a TLS client reached a plaintext listener', async () => {
    const error = await failure({ name: 'tls', bootstrapServers: app.bootstrapServers, tls: { enabled: true, caFile: ssl.caLocation } });
    expect(error).toMatchObject({
      failure: 'tls-not-offered',
      message: `${app.bootstrapServers} does not speak TLS: it closed the connection during the TLS handshake.`,
    });
  });

  it('says a listener wants SASL when the connection does not authenticate, and the other way round', async () => {
    const expected = await failure({ name: 'no sasl', bootstrapServers: saslPlaintext.bootstrap });
    expect(expected).toMatchObject({
      failure: 'sasl-expected',
      message: `${saslPlaintext.bootstrap} expects SASL authentication (it offers PLAIN, SCRAM-SHA-256), and this connection does not authenticate.`,
    });
    const overTls = await failure(overSaslSsl(null));
    expect(overTls).toMatchObject({ failure: 'sasl-expected' });
    const notOffered = await failure({
      name: 'sasl on ssl',
      bootstrapServers: ssl.bootstrap,
      sasl: { mechanism: 'PLAIN', username: 'alice', password: 'alice-secret' },
      tls: { enabled: true, caFile: ssl.caLocation },
    });
    expect(notOffered).toMatchObject({ failure: 'sasl-not-offered' });
  });

  it('checks the TLS files before connecting: relative paths, non-PEM files, keystores, a key that is not the certificate’s', async () => {
    const bad = async (tls: NonNullable<TestRequest['tls']>) => (await failure({ name: 'files', bootstrapServers: ssl.bootstrap, tls })).message;
    expect(await bad({ enabled: true, caFile: 'ca.pem' })).toBe('The CA certificate file must be given by its full path; ca.pem is relative.');
    const text = path.join(files, 'notes.txt');
    await writeFile(text, 'not a certificate');
    expect(await bad({ enabled: true, caFile: text })).toBe(`The CA certificate file ${text} holds no PEM certificate (-----BEGIN CERTIFICATE-----).`);
    const keystore = path.join(files, 'truststore.jks');
    await writeFile(keystore, Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]));
    expect(await bad({ enabled: true, caFile: keystore })).toContain('is not PEM (it looks like a Java keystore or PKCS#12 file)');
    const broken = path.join(files, 'broken.pem');
    await writeFile(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    expect(await bad({ enabled: true, caFile: broken })).toMatch(new RegExp(`^The CA certificate file ${broken}: the PEM does not parse \\(`));
    expect(await bad({ enabled: true, caFile: files })).toBe(`The CA certificate file ${files} is not a file.`);
    // A certificate with the CA's key: they do not belong together.
    const caKey = path.join(files, 'ca-key.pem');
    await copyFile(path.join(path.dirname(ssl.caLocation), 'ca-key.pem'), caKey);
    const clientCert = path.join(path.dirname(ssl.caLocation), 'broker.pem');
    expect(await bad({ enabled: true, caFile: ssl.caLocation, certFile: clientCert, keyFile: caKey })).toBe(
      `The client key file ${caKey} does not belong to the client certificate ${clientCert}.`,
    );
    expect(await bad({ enabled: true, certFile: clientCert })).toBe('A client certificate needs its key file too.');
  });

  it('imports a client .properties file (CA path relative to it) and connects with the saved connection', async () => {
    const dir = await mkdtemp(path.join(files, 'import-'));
    await copyFile(saslSsl.caLocation, path.join(dir, 'ca.pem'));
    const file = path.join(dir, 'client.properties');
    await writeFile(
      file,
      [
        `bootstrap.servers=${saslSsl.bootstrap}`,
        'security.protocol=SASL_SSL',
        'sasl.mechanism=SCRAM-SHA-256',
        'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="alice-secret";',
        'ssl.truststore.type=PEM',
        'ssl.truststore.location=ca.pem',
        'linger.ms=5',
      ].join('\n'),
    );
    const imported = await app.ok('connections.importProperties', { path: file });
    expect(imported.connection).toMatchObject({
      name: 'client',
      bootstrapServers: saslSsl.bootstrap,
      sasl: { mechanism: 'SCRAM-SHA-256', username: 'alice', hasPassword: true },
      tls: { enabled: true, caFile: path.join(dir, 'ca.pem'), verifyHostname: true },
    });
    expect(imported).toMatchObject({ warnings: [], ignored: ['linger.ms'] });
    // The password went to the secret store, not back to the renderer.
    expect(JSON.stringify(imported)).not.toContain('alice-secret');
    expect(await app.ok('connections.test', { id: imported.connection.id })).toMatchObject({ brokers: 1 });
    await app.ok('connections.delete', { id: imported.connection.id });

    expect(await app.call('connections.importProperties', { path: 'client.properties' })).toMatchObject({
      ok: false,
      error: { kind: 'invalid-request', message: 'Give the .properties file by its full path; client.properties is relative.' },
    });
    const broken = path.join(dir, 'broken.properties');
    await writeFile(broken, 'security.protocol=SASL_SSL\n');
    expect(await app.call('connections.importProperties', { path: broken })).toMatchObject({
      ok: false,
      error: { message: 'broken.properties: The file sets no bootstrap.servers.' },
    });
  });

  it('refuses a client-credentials token endpoint over plain http to another host', async () => {
    const result = await app.call(
      'connections.test',
      overSaslSsl({
        mechanism: 'OAUTHBEARER',
        password: 's',
        oauth: { method: 'client-credentials', tokenEndpoint: 'http://idp.example/token', clientId: 'a' },
      }),
    );
    expect(result).toMatchObject({ ok: false, error: { kind: 'invalid-request' } });
    if (!result.ok)
      expect(result.error.issues).toContainEqual({
        path: 'sasl.oauth.tokenEndpoint',
        message: 'The token endpoint must use https:// (plain http only to localhost).',
      });
  });
});
