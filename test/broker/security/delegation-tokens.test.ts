/**
 * Delegation tokens (KIP-48) on a SASL_SSL embedded cluster with the authorizer on and a secret key:
 * tokens are created, described, renewed and expired on the wire (no client here has these APIs but
 * @platformatic/kafka's raw ones), and used by a real client: kafka-python authenticates with one over
 * SCRAM-SHA-256 with `tokenauth=true` (as Kafka's Java client does) and produces and consumes as the
 * token's owner, under her ACLs. librdkafka (kcat), which cannot send the extension, is refused with the
 * same token id and HMAC; an expired token authenticates no one; tokens survive a restart.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import {
  CreateDelegationToken,
  DescribeDelegationToken,
  ExpireDelegationToken,
  RenewDelegationToken,
  SaslAuthenticate,
  SaslHandshake,
} from '../../../electron/kafka/protocol/generated/index';
import { AclOperation, PatternType, PermissionType, ResourceType } from '../../../electron/kafka/protocol/acl-codes';
import { PYTHON, run, startTestCluster, topicName } from '../clients/helpers';
import { RawClient } from '../handlers/raw-client';
import { runKcat, startSecuredCluster, type SecuredCluster } from './helpers';
import { ScramClient, WireClient } from './wire-client';

const SCRIPT = fileURLToPath(new URL('./python/token_client.py', import.meta.url));
const SECRET = 'kd-test-token-secret';

let t: SecuredCluster;
const open: WireClient[] = [];

beforeAll(async () => {
  t = await startSecuredCluster({ protocol: 'SASL_SSL', acl: true, config: { 'delegation.token.secret.key': SECRET } });
  // alice may write and read the tok- topics and use any group; bob has no ACL at all.
  for (const [resourceType, name, pattern, operation] of [
    [ResourceType.TOPIC, 'tok-', PatternType.PREFIXED, AclOperation.ALL],
    [ResourceType.GROUP, '*', PatternType.LITERAL, AclOperation.ALL],
  ] as const) {
    expect(
      t.cluster.controller.security.createAcl({
        resourceType,
        resourceName: name,
        patternType: pattern,
        principal: 'User:alice',
        host: '*',
        operation,
        permissionType: PermissionType.ALLOW,
      }),
    ).toBeNull();
  }
}, 60_000);

afterAll(async () => {
  for (const client of open) client.close();
  await t?.close();
});

/** A connection authenticated with SCRAM-SHA-256 as a user, or with a token (`tokenauth=true`). */
async function login(user: string, password: string, extensions: string[] = []): Promise<{ client: WireClient; errorCode: number; message: string | null }> {
  const client = await WireClient.open(t.bootstrap, t.caLocation);
  open.push(client);
  expect((await client.call(SaslHandshake, 1, { mechanism: 'SCRAM-SHA-256' })).errorCode).toBe(ErrorCode.NONE);
  const scram = new ScramClient('sha256', user, password, extensions);
  const first = await client.call(SaslAuthenticate, 2, { authBytes: scram.first() });
  if (first.errorCode !== ErrorCode.NONE) return { client, errorCode: first.errorCode, message: first.errorMessage };
  const final = await client.call(SaslAuthenticate, 2, { authBytes: scram.final(first.authBytes) });
  if (final.errorCode === ErrorCode.NONE) expect(scram.verifies(final.authBytes)).toBe(true);
  return { client, errorCode: final.errorCode, message: final.errorMessage };
}

async function createToken(client: WireClient, renewers: string[] = [], maxLifetimeMs = -1n, owner: string | null = null) {
  return client.call(CreateDelegationToken, 3, {
    ownerPrincipalType: owner === null ? null : 'User',
    ownerPrincipalName: owner,
    renewers: renewers.map((name) => ({ principalType: 'User', principalName: name })),
    maxLifetimeMs,
  });
}

async function tokenClient(tokenId: string, hmac: Buffer, action: string, topic: string, ...rest: string[]) {
  const result = await run(PYTHON, [SCRIPT, t.bootstrap, t.caLocation, tokenId, hmac.toString('base64'), action, topic, ...rest], { timeoutMs: 60_000 });
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  if (!last.startsWith('{')) throw new Error(`token_client ${action} printed no result (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  return JSON.parse(last) as { ok: boolean; error?: string; offset?: number; values?: string[] };
}

describe('delegation tokens (KIP-48)', () => {
  it('alice creates a token; kafka-python authenticates with it and produces and consumes as alice', async () => {
    const { client, errorCode } = await login('alice', 'alice-secret');
    expect(errorCode).toBe(ErrorCode.NONE);
    const created = await createToken(client, ['bob']);
    expect(created.errorCode).toBe(ErrorCode.NONE);
    expect(created).toMatchObject({ principalType: 'User', principalName: 'alice', tokenRequesterPrincipalName: 'alice' });
    expect(created.tokenId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(created.hmac.length).toBe(64);
    expect(Number(created.expiryTimestampMs)).toBeLessThanOrEqual(Number(created.maxTimestampMs));
    expect(Number(created.maxTimestampMs) - Number(created.issueTimestampMs)).toBe(604_800_000);
    expect(Number(created.expiryTimestampMs) - Number(created.issueTimestampMs)).toBe(86_400_000);

    const topic = topicName('tok-produce');
    const produced = await tokenClient(created.tokenId, created.hmac, 'produce', topic, 'by-token');
    expect(produced).toEqual({ ok: true, offset: 0 });
    expect(await tokenClient(created.tokenId, created.hmac, 'consume', topic)).toEqual({ ok: true, values: ['by-token'] });
    // The token acts as alice only: a topic outside her ACLs is refused.
    const refused = await tokenClient(created.tokenId, created.hmac, 'produce', topicName('other'), 'x');
    expect(refused.ok).toBe(false);

    // librdkafka cannot send the tokenauth extension: the token id is no user, so kcat is refused.
    const kcat = await runKcat(
      t.bootstrap,
      [
        '-X',
        'security.protocol=SASL_SSL',
        '-X',
        `ssl.ca.location=${t.caLocation}`,
        '-X',
        'sasl.mechanisms=SCRAM-SHA-256',
        '-X',
        `sasl.username=${created.tokenId}`,
        '-X',
        `sasl.password=${created.hmac.toString('base64')}`,
        '-L',
        '-m',
        '5',
      ],
      { timeoutMs: 30_000 },
    );
    expect(kcat.code).not.toBe(0);
    expect(kcat.stderr).toMatch(/Authentication failed|SASL authentication error/);

    // A wrong HMAC fails SCRAM; a token-authenticated connection may not manage tokens.
    expect((await login(created.tokenId, Buffer.alloc(64).toString('base64'), ['tokenauth=true'])).errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    const byToken = await login(created.tokenId, created.hmac.toString('base64'), ['tokenauth=true']);
    expect(byToken.errorCode).toBe(ErrorCode.NONE);
    expect((await createToken(byToken.client)).errorCode).toBe(ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED);
    expect((await byToken.client.call(DescribeDelegationToken, 3, { owners: null })).errorCode).toBe(ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED);
  }, 120_000);

  it('describes, renews and expires per owner, renewer and ACL, with per-request error codes', async () => {
    const alice = (await login('alice', 'alice-secret')).client;
    const bob = (await login('bob', 'bob-secret')).client;
    const admin = (await login('admin', 'admin-secret')).client;
    const token = await createToken(alice, ['bob'], 3_600_000n);
    expect(token.errorCode).toBe(ErrorCode.NONE);
    // A requested lifetime below the broker's maximum is kept.
    expect(Number(token.maxTimestampMs) - Number(token.issueTimestampMs)).toBe(3_600_000);

    const ids = async (client: WireClient, owners: Array<{ principalType: string; principalName: string }> | null = null) =>
      (await client.call(DescribeDelegationToken, 3, { owners })).tokens.map((d) => d.tokenId);
    expect(await ids(alice)).toContain(token.tokenId);
    expect(await ids(bob)).toContain(token.tokenId); // a renewer sees it
    expect(await ids(admin)).toContain(token.tokenId); // a super user is allowed DESCRIBE on every token
    expect(await ids(alice, [])).toEqual([]);
    expect(await ids(alice, [{ principalType: 'User', principalName: 'bob' }])).toEqual([]);
    const described = (await alice.call(DescribeDelegationToken, 3, { owners: null })).tokens.find((d) => d.tokenId === token.tokenId)!;
    expect(described.hmac).toEqual(token.hmac);
    expect(described.renewers).toEqual([{ principalType: 'User', principalName: 'bob' }]);

    // Renewal by the renewer, bounded by the max lifetime; the super user is neither owner nor renewer.
    const renewed = await bob.call(RenewDelegationToken, 2, { hmac: token.hmac, renewPeriodMs: 36_000_000n });
    expect(renewed.errorCode).toBe(ErrorCode.NONE);
    expect(renewed.expiryTimestampMs).toBe(token.maxTimestampMs);
    expect((await admin.call(RenewDelegationToken, 2, { hmac: token.hmac, renewPeriodMs: -1n })).errorCode).toBe(ErrorCode.DELEGATION_TOKEN_OWNER_MISMATCH);
    expect((await alice.call(RenewDelegationToken, 1, { hmac: Buffer.alloc(64, 1), renewPeriodMs: -1n })).errorCode).toBe(ErrorCode.DELEGATION_TOKEN_NOT_FOUND);

    // Another owner needs CREATE_TOKENS on that user; a renewer that is not a User is refused.
    expect((await createToken(bob, [], -1n, 'alice')).errorCode).toBe(ErrorCode.DELEGATION_TOKEN_AUTHORIZATION_FAILED);
    const onBehalf = await createToken(admin, [], -1n, 'alice');
    expect(onBehalf).toMatchObject({ errorCode: ErrorCode.NONE, principalName: 'alice', tokenRequesterPrincipalName: 'admin' });
    const badRenewer = await alice.call(CreateDelegationToken, 3, {
      ownerPrincipalType: null,
      ownerPrincipalName: null,
      renewers: [{ principalType: 'Group', principalName: 'ops' }],
      maxLifetimeMs: -1n,
    });
    expect(badRenewer.errorCode).toBe(ErrorCode.INVALID_PRINCIPAL_TYPE);

    // Expired at once: it authenticates no one, renewing it is DELEGATION_TOKEN_NOT_FOUND, and it is gone.
    expect((await alice.call(ExpireDelegationToken, 2, { hmac: token.hmac, expiryTimePeriodMs: -1n })).errorCode).toBe(ErrorCode.NONE);
    expect((await login(token.tokenId, token.hmac.toString('base64'), ['tokenauth=true'])).errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    expect((await bob.call(RenewDelegationToken, 2, { hmac: token.hmac, renewPeriodMs: -1n })).errorCode).toBe(ErrorCode.DELEGATION_TOKEN_NOT_FOUND);
    expect(await ids(alice)).not.toContain(token.tokenId);
  }, 60_000);

  it('keeps tokens across a restart: the same id and HMAC authenticate again', async () => {
    const alice = (await login('alice', 'alice-secret')).client;
    const token = await createToken(alice);
    expect(token.errorCode).toBe(ErrorCode.NONE);
    for (const client of open.splice(0)) client.close();
    const dataDir = t.dataDir;
    await t.cluster.close();
    t = await startSecuredCluster({ protocol: 'SASL_SSL', acl: true, config: { 'delegation.token.secret.key': SECRET }, dataDir });
    const again = await login(token.tokenId, token.hmac.toString('base64'), ['tokenauth=true']);
    expect(again.errorCode).toBe(ErrorCode.NONE);
    expect(t.errors).toEqual([]);
  }, 60_000);
});

describe('delegation tokens refused where Kafka refuses them', () => {
  it('a listener without SASL answers DELEGATION_TOKEN_REQUEST_NOT_ALLOWED; without a secret key DELEGATION_TOKEN_AUTH_DISABLED', async () => {
    const plain = await startTestCluster({ config: { 'delegation.token.secret.key': SECRET } });
    try {
      const client = await RawClient.open(plain.bootstrap);
      try {
        const created = await client.call(CreateDelegationToken, 1, { ownerPrincipalType: '', ownerPrincipalName: '', renewers: [], maxLifetimeMs: -1n });
        expect(created.errorCode).toBe(ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED);
      } finally {
        client.close();
      }
    } finally {
      await plain.close();
    }
    const noKey = await startSecuredCluster({ protocol: 'SASL_PLAINTEXT' });
    try {
      const client = await WireClient.open(noKey.bootstrap);
      try {
        expect((await client.call(SaslHandshake, 1, { mechanism: 'SCRAM-SHA-256' })).errorCode).toBe(ErrorCode.NONE);
        const scram = new ScramClient('sha256', 'alice', 'alice-secret');
        const first = await client.call(SaslAuthenticate, 2, { authBytes: scram.first() });
        expect((await client.call(SaslAuthenticate, 2, { authBytes: scram.final(first.authBytes) })).errorCode).toBe(ErrorCode.NONE);
        const created = await client.call(CreateDelegationToken, 0, { ownerPrincipalType: '', ownerPrincipalName: '', renewers: [], maxLifetimeMs: -1n });
        expect(created.errorCode).toBe(ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED);
        expect((await client.call(DescribeDelegationToken, 0, { owners: null })).errorCode).toBe(ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED);
      } finally {
        client.close();
      }
    } finally {
      await noKey.close();
    }
  }, 60_000);
});
