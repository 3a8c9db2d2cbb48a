/**
 * SASL on the wire, against a SASL_SSL embedded cluster with connections.max.reauth.ms: the exchange of
 * each mechanism done by hand (SCRAM from RFC 5802, with the server's signature checked), the v0
 * handshake's bare-token flow old clients use, re-authentication (KIP-368), and bad input: requests
 * before authentication, unknown mechanisms, malformed tokens, SCRAM nonce and proof tampering, huge
 * tokens, expired OAUTHBEARER tokens, TLS garbage. Every refusal is answered or the connection closed,
 * logged, and changes nothing: the credentials and topics are the same after, and good clients go on.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import { Metadata, SaslAuthenticate, SaslHandshake } from '../../../electron/kafka/protocol/generated/index';
import { waitFor } from '../../support/wait';
import { startSecuredCluster, type SecuredCluster } from './helpers';
import { oauthBearerMessage, ScramClient, unsecuredJws, WireClient } from './wire-client';

const REAUTH_MS = 3000;
let t: SecuredCluster;
const open: WireClient[] = [];

beforeAll(async () => {
  t = await startSecuredCluster({ protocol: 'SASL_SSL', config: { 'connections.max.reauth.ms': String(REAUTH_MS) } });
}, 60_000);

afterAll(async () => {
  for (const client of open) client.close();
  await t.close();
});

async function client(): Promise<WireClient> {
  const c = await WireClient.open(t.bootstrap, t.caLocation);
  open.push(c);
  return c;
}

const metadata = (c: WireClient) =>
  c.call(Metadata, 12, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });

async function handshake(c: WireClient, mechanism: string, version = 1) {
  return c.call(SaslHandshake, version, { mechanism });
}

const authenticate = (c: WireClient, bytes: Buffer, version = 2) => c.call(SaslAuthenticate, version, { authBytes: bytes });

/** A full SCRAM exchange; returns the last SaslAuthenticate answer and whether the server proved itself. */
async function scram(c: WireClient, mechanism: string, user: string, password: string, tamper?: Parameters<ScramClient['final']>[1]) {
  const hash = mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512';
  expect((await handshake(c, mechanism)).errorCode).toBe(ErrorCode.NONE);
  const scramClient = new ScramClient(hash, user, password);
  const first = await authenticate(c, scramClient.first());
  if (first.errorCode !== ErrorCode.NONE) return { answer: first, verified: false };
  const final = await authenticate(c, scramClient.final(first.authBytes, tamper));
  return { answer: final, verified: final.errorCode === ErrorCode.NONE && scramClient.verifies(final.authBytes) };
}

function credentialsSnapshot(): string {
  return JSON.stringify(t.cluster.controller.security.scramUsers()) + JSON.stringify([...t.cluster.controller.topics()].map((topic) => topic.name));
}

describe('SASL exchanges by hand', () => {
  it('SCRAM-SHA-512 and SCRAM-SHA-256: the server proves it knows the credential, the session has a lifetime', async () => {
    for (const mechanism of ['SCRAM-SHA-512', 'SCRAM-SHA-256']) {
      const c = await client();
      const { answer, verified } = await scram(c, mechanism, 'alice', 'alice-secret');
      expect(answer.errorCode).toBe(ErrorCode.NONE);
      expect(verified).toBe(true);
      expect(Number(answer.sessionLifetimeMs)).toBeGreaterThan(0);
      expect(Number(answer.sessionLifetimeMs)).toBeLessThanOrEqual(REAUTH_MS);
      expect((await metadata(c)).brokers.length).toBe(1);
    }
  });

  it('PLAIN and OAUTHBEARER', async () => {
    const plain = await client();
    await handshake(plain, 'PLAIN');
    expect((await authenticate(plain, Buffer.from('\0bob\0bob-secret'))).errorCode).toBe(ErrorCode.NONE);
    expect((await metadata(plain)).brokers.length).toBe(1);
    const bearer = await client();
    await handshake(bearer, 'OAUTHBEARER');
    const answer = await authenticate(bearer, oauthBearerMessage(unsecuredJws('carol', 60)));
    expect(answer.errorCode).toBe(ErrorCode.NONE);
    // The session ends with connections.max.reauth.ms or the token, whichever comes first.
    expect(Number(answer.sessionLifetimeMs)).toBeLessThanOrEqual(REAUTH_MS);
    expect((await metadata(bearer)).brokers.length).toBe(1);
  });

  it('serves the v0 handshake bare-token flow of old clients (PLAIN and SCRAM)', async () => {
    const plain = await client();
    expect((await handshake(plain, 'PLAIN', 0)).errorCode).toBe(ErrorCode.NONE);
    expect((await plain.rawToken(Buffer.from('\0alice\0alice-secret'))).length).toBe(0);
    expect((await metadata(plain)).brokers.length).toBe(1);

    const scramV0 = await client();
    expect((await handshake(scramV0, 'SCRAM-SHA-256', 0)).errorCode).toBe(ErrorCode.NONE);
    const scramClient = new ScramClient('sha256', 'bob', 'bob-secret');
    const serverFirst = await scramV0.rawToken(scramClient.first());
    const serverFinal = await scramV0.rawToken(scramClient.final(serverFirst));
    expect(scramClient.verifies(serverFinal)).toBe(true);
    expect((await metadata(scramV0)).brokers.length).toBe(1);

    // A wrong password in the bare flow has no way to answer: the connection is closed.
    const wrong = await client();
    await handshake(wrong, 'PLAIN', 0);
    await expect(wrong.rawToken(Buffer.from('\0alice\0nope'))).rejects.toThrow(/closed/);
  });

  it('re-authenticates on the same connection before the session ends (KIP-368), and closes a connection whose session ended', async () => {
    const c = await client();
    expect((await scram(c, 'SCRAM-SHA-512', 'alice', 'alice-secret')).answer.errorCode).toBe(ErrorCode.NONE);
    const again = await scram(c, 'SCRAM-SHA-512', 'alice', 'alice-secret');
    expect(again.answer.errorCode).toBe(ErrorCode.NONE);
    expect(again.verified).toBe(true);
    expect((await metadata(c)).brokers.length).toBe(1);

    // Re-authenticating as someone else is refused.
    const other = await client();
    await scram(other, 'SCRAM-SHA-512', 'alice', 'alice-secret');
    const switched = await scram(other, 'SCRAM-SHA-512', 'bob', 'bob-secret');
    expect(switched.answer.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    expect(switched.answer.errorMessage).toMatch(/Cannot change principals/);
    expect(await other.closesWithin(5000)).toBe(true);

    const expiring = await client();
    await scram(expiring, 'SCRAM-SHA-256', 'bob', 'bob-secret');
    await new Promise((resolve) => setTimeout(resolve, REAUTH_MS + 200));
    await expect(metadata(expiring)).rejects.toThrow(/closed/);
  });
});

describe('bad input', () => {
  it('closes a connection that sends a request before authenticating', async () => {
    const c = await client();
    await expect(metadata(c)).rejects.toThrow(/closed/);
    expect(t.warnings.some((l) => l.includes('before SASL authentication'))).toBe(true);
  });

  it('answers an unknown mechanism with the enabled ones, then closes', async () => {
    const c = await client();
    const answer = await handshake(c, 'GSSAPI');
    expect(answer.errorCode).toBe(ErrorCode.UNSUPPORTED_SASL_MECHANISM);
    expect(answer.mechanisms).toEqual(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER']);
    expect(await c.closesWithin(5000)).toBe(true);
  });

  it('refuses malformed, tampered, wrong and huge tokens with SASL_AUTHENTICATION_FAILED, closes, logs, and changes nothing', async () => {
    const before = credentialsSnapshot();
    const warningsBefore = t.warnings.length;
    const refusals: Array<[string, (c: WireClient) => Promise<{ errorCode: number; errorMessage: string | null }>]> = [
      ['PLAIN without separators', async (c) => (await handshake(c, 'PLAIN'), authenticate(c, Buffer.from('alice alice-secret')))],
      ['PLAIN with a wrong password', async (c) => (await handshake(c, 'PLAIN'), authenticate(c, Buffer.from('\0alice\0wrong')))],
      ['PLAIN for someone else', async (c) => (await handshake(c, 'PLAIN'), authenticate(c, Buffer.from('bob\0alice\0alice-secret')))],
      ['SCRAM garbage', async (c) => (await handshake(c, 'SCRAM-SHA-512'), authenticate(c, randomBytes(64)))],
      ['SCRAM channel binding', async (c) => (await handshake(c, 'SCRAM-SHA-512'), authenticate(c, Buffer.from('p=tls-unique,,n=alice,r=abc')))],
      ['SCRAM bad user encoding', async (c) => (await handshake(c, 'SCRAM-SHA-512'), authenticate(c, Buffer.from('n,,n=al=ice,r=abc')))],
      ['SCRAM unknown user', async (c) => (await handshake(c, 'SCRAM-SHA-512'), authenticate(c, Buffer.from('n,,n=mallory,r=abc')))],
      ['SCRAM nonce tampered', async (c) => (await scram(c, 'SCRAM-SHA-512', 'alice', 'alice-secret', { nonce: (n) => `${n.slice(0, -1)}X` })).answer],
      ['SCRAM nonce of another exchange', async (c) => (await scram(c, 'SCRAM-SHA-256', 'alice', 'alice-secret', { nonce: () => 'abcdef' })).answer],
      [
        'SCRAM proof tampered',
        async (c) => (await scram(c, 'SCRAM-SHA-512', 'alice', 'alice-secret', { proof: (p) => Buffer.from(p.map((b, i) => (i === 0 ? b ^ 1 : b))) })).answer,
      ],
      ['SCRAM proof truncated', async (c) => (await scram(c, 'SCRAM-SHA-512', 'alice', 'alice-secret', { proof: (p) => p.subarray(0, 10) })).answer],
      ['SCRAM wrong password', async (c) => (await scram(c, 'SCRAM-SHA-256', 'alice', 'not-it')).answer],
      ['huge token', async (c) => (await handshake(c, 'PLAIN'), authenticate(c, Buffer.alloc(600_000, 0x41)))],
    ];
    for (const [what, attempt] of refusals) {
      const c = await client();
      const answer = await attempt(c);
      expect(answer.errorCode, what).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
      expect(answer.errorMessage, what).toBeTruthy();
      expect(await c.closesWithin(5000), `${what}: closed`).toBe(true);
    }
    // An expired or malformed OAUTHBEARER token gets RFC 7628's error challenge, then fails.
    for (const token of [
      unsecuredJws('carol', -60),
      'not.a-token',
      `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from('{"sub":"x","exp":9999999999}').toString('base64url')}.sig`,
    ]) {
      const c = await client();
      await handshake(c, 'OAUTHBEARER');
      const challenge = await authenticate(c, oauthBearerMessage(token));
      expect(challenge.errorCode).toBe(ErrorCode.NONE);
      expect(JSON.parse(challenge.authBytes.toString())).toEqual({ status: 'invalid_token' });
      const final = await authenticate(c, Buffer.from('\x01'));
      expect(final.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
      expect(await c.closesWithin(5000)).toBe(true);
    }
    await waitFor(() => t.warnings.length - warningsBefore >= refusals.length, 10_000, 'the refusals to be logged');
    expect(t.warnings.slice(warningsBefore).every((l) => l.includes('SASL authentication failed'))).toBe(true);
    expect(credentialsSnapshot()).toBe(before);
    const good = await client();
    expect((await scram(good, 'SCRAM-SHA-512', 'alice', 'alice-secret')).verified).toBe(true);
    expect(t.errors).toEqual([]);
  });

  it('drops TLS garbage and plaintext Kafka requests on the TLS listener, and keeps serving', async () => {
    const [host, port] = t.bootstrap.split(':');
    for (const bytes of [randomBytes(4096), Buffer.from([0, 0, 0, 20, 0, 18, 0, 3, 0, 0, 0, 1, 0, 4, 0x6b, 0x63, 0x61, 0x74, 0, 0, 0, 0, 0, 0])]) {
      const closed = await new Promise<boolean>((resolve) => {
        const socket = connect({ host, port: Number(port) }, () => socket.write(bytes));
        socket.on('error', () => {});
        socket.on('close', () => resolve(true));
        setTimeout(() => resolve(false), 5000);
      });
      expect(closed).toBe(true);
    }
    expect(t.warnings.some((l) => l.includes('TLS handshake failed'))).toBe(true);
    const good = await client();
    expect((await scram(good, 'SCRAM-SHA-256', 'bob', 'bob-secret')).verified).toBe(true);
  });
});
