/**
 * kcat (librdkafka) against a SASL_SSL embedded cluster: TLS with the CA made in the data dir, PLAIN,
 * SCRAM-SHA-256, SCRAM-SHA-512 and OAUTHBEARER (unsecured JWS); a wrong password is refused at once
 * with the broker's reason, and a plaintext client against the TLS listener is dropped at its first
 * bytes, while the broker keeps serving others.
 */
import { existsSync, readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicName } from '../clients/helpers';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import { SaslAuthenticate, SaslHandshake } from '../../../electron/kafka/protocol/generated/index';
import { kcatSecurity, runKcat, startSecuredCluster, type SecuredCluster } from './helpers';
import { oauthBearerMessage, unsecuredJws, WireClient } from './wire-client';

let t: SecuredCluster;

beforeAll(async () => {
  t = await startSecuredCluster({ protocol: 'SASL_SSL' });
}, 60_000);

afterAll(async () => {
  await t.close();
});

async function produceAndConsume(mechanism: string, extra: string[] = []): Promise<string[]> {
  const topic = topicName(`kcat-${mechanism.toLowerCase()}`);
  const security = [...kcatSecurity(t, mechanism, 'alice', 'alice-secret'), ...extra];
  const produced = await runKcat(t.bootstrap, [...security, '-P', '-t', topic], { input: 'one\ntwo\nthree\n', timeoutMs: 30_000 });
  expect(produced.stderr.split('\n').filter((l) => l.includes('ERROR') || l.includes('FAIL'))).toEqual([]);
  expect(produced.code).toBe(0);
  const consumed = await runKcat(t.bootstrap, [...security, '-C', '-t', topic, '-o', 'beginning', '-e', '-q'], { timeoutMs: 30_000 });
  expect(consumed.code).toBe(0);
  return consumed.stdout.split('\n').filter((l) => l !== '');
}

describe('SASL_SSL with kcat', () => {
  it('made a CA and a broker certificate for 127.0.0.1 in the data dir', () => {
    expect(existsSync(t.caLocation)).toBe(true);
    const ca = new X509Certificate(readFileSync(t.caLocation));
    expect(ca.ca).toBe(true);
    const broker = new X509Certificate(t.cluster.security.tls!.certPem);
    expect(broker.verify(ca.publicKey)).toBe(true);
    expect(broker.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(broker.checkHost('localhost')).toBe('localhost');
  });

  it('produces and consumes with SCRAM-SHA-512 over TLS', async () => {
    expect(await produceAndConsume('SCRAM-SHA-512')).toEqual(['one', 'two', 'three']);
  });

  it('produces and consumes with PLAIN over TLS', async () => {
    expect(await produceAndConsume('PLAIN')).toEqual(['one', 'two', 'three']);
  });

  it('produces and consumes with SCRAM-SHA-256 over TLS', async () => {
    expect(await produceAndConsume('SCRAM-SHA-256')).toEqual(['one', 'two', 'three']);
  });

  it('produces and consumes with an unsecured OAUTHBEARER token', async () => {
    expect(
      await produceAndConsume('OAUTHBEARER', ['-X', 'enable.sasl.oauthbearer.unsecure.jwt=true', '-X', 'sasl.oauthbearer.config=principal=alice']),
    ).toEqual(['one', 'two', 'three']);
  });

  it('ends an OAUTHBEARER session with its token (no connections.max.reauth.ms here)', async () => {
    const client = await WireClient.open(t.bootstrap, t.caLocation);
    try {
      await client.call(SaslHandshake, 1, { mechanism: 'OAUTHBEARER' });
      const answer = await client.call(SaslAuthenticate, 2, { authBytes: oauthBearerMessage(unsecuredJws('carol', 120)) });
      expect(answer.errorCode).toBe(ErrorCode.NONE);
      expect(Number(answer.sessionLifetimeMs)).toBeGreaterThan(60_000);
      expect(Number(answer.sessionLifetimeMs)).toBeLessThanOrEqual(120_000);
    } finally {
      client.close();
    }
  });

  it('refuses a wrong password at once with the reason, and logs it', async () => {
    const started = Date.now();
    const result = await runKcat(t.bootstrap, [...kcatSecurity(t, 'SCRAM-SHA-512', 'alice', 'not-her-password'), '-L', '-m', '3'], { timeoutMs: 30_000 });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Invalid user credentials');
    // kcat keeps retrying until its own -m timeout; the broker's answer came within it.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(t.warnings.some((l) => l.includes('SASL authentication failed') && l.includes('SCRAM-SHA-512'))).toBe(true);
    const plain = await runKcat(t.bootstrap, [...kcatSecurity(t, 'PLAIN', 'nobody', 'x'), '-L', '-m', '3'], { timeoutMs: 30_000 });
    expect(plain.stderr).toContain('Invalid username or password');
  });

  it('drops a plaintext client at its first bytes and goes on serving', async () => {
    const result = await runKcat(t.bootstrap, ['-L', '-m', '3'], { timeoutMs: 30_000 });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Disconnected while requesting ApiVersion|SSL listener/);
    expect(t.warnings.some((l) => l.includes('TLS handshake failed'))).toBe(true);
    expect(await produceAndConsume('SCRAM-SHA-512')).toEqual(['one', 'two', 'three']);
    expect(t.errors).toEqual([]);
  });
});
