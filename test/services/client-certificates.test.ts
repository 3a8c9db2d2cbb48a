// Client certificates (#15): a cluster with ssl.client.auth=required, client certificates issued by
// its CA (as `npm run cluster`'s `client-cert <name>` does), the principal taken from the certificate's
// DN. The app's connection with a certificate and key works (as the super user named by its DN),
// without one it is refused in words; a user known only by its certificate is refused, allowed once an
// ACL names its DN (the app creates it), and refused again by a DENY, through real clients: kcat and
// confluent-kafka (librdkafka) and the app's own (@platformatic/kafka).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueClientCertificate, type IssuedCertificate } from '../../electron/broker/security/certificates';
import { PYTHON, run } from '../broker/clients/helpers';
import { runKcat, startSecuredCluster, type SecuredCluster } from '../broker/security/helpers';
import { startCore, type TestCore } from './helpers';

const MTLS_CLIENT = fileURLToPath(new URL('../broker/security/python/mtls_client.py', import.meta.url));

let secured: SecuredCluster;
let app: TestCore;
let ops: IssuedCertificate;
let eve: IssuedCertificate;
let foreignDir: string;

beforeAll(async () => {
  secured = await startSecuredCluster({
    protocol: 'SSL',
    config: {
      'ssl.client.auth': 'required',
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': 'User:CN=ops,O=Kafka Desk',
      'allow.everyone.if.no.acl.found': 'false',
    },
  });
  ops = issueClientCertificate(secured.dataDir, 'ops');
  eve = issueClientCertificate(secured.dataDir, 'eve');
  foreignDir = mkdtempSync(join(tmpdir(), 'kd-foreign-ca-'));
  app = await startCore({ brokers: 0 });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await secured?.close();
  if (foreignDir) rmSync(foreignDir, { recursive: true, force: true });
});

const tls = (certificate?: IssuedCertificate) => ({
  enabled: true,
  caFile: secured.caLocation,
  ...(certificate ? { certFile: certificate.certPath, keyFile: certificate.keyPath } : {}),
});

const kcatAs = (certificate: IssuedCertificate) => [
  '-X',
  'security.protocol=SSL',
  '-X',
  `ssl.ca.location=${secured.caLocation}`,
  '-X',
  `ssl.certificate.location=${certificate.certPath}`,
  '-X',
  `ssl.key.location=${certificate.keyPath}`,
];

async function confluentAs(certificate: IssuedCertificate, topic: string, group: string): Promise<{ ok: boolean; values?: string[]; error?: string }> {
  const result = await run(PYTHON, [MTLS_CLIENT, secured.bootstrap, secured.caLocation, certificate.certPath, certificate.keyPath, topic, group], {
    timeoutMs: 60_000,
  });
  if (result.code !== 0) throw new Error(`mtls_client.py failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { ok: boolean; values?: string[]; error?: string };
}

describe('client certificates (ssl.client.auth=required)', { timeout: 120_000 }, () => {
  it("the app connects with a certificate and key issued by the cluster's CA; its principal is the certificate's DN", async () => {
    expect(ops.distinguishedName).toBe('CN=ops,O=Kafka Desk');
    const connection = await app.ok('connections.save', { name: 'ops (certificate)', bootstrapServers: secured.bootstrap, tls: tls(ops) });
    // ops is a super user by its DN: it may create topics and list ACLs.
    await app.ok('topics.create', { connectionId: connection.id, topic: 'mtls.orders', partitions: 1, replicationFactor: 1 });
    expect((await app.ok('topics.list', { connectionId: connection.id })).map((topic) => topic.name)).toContain('mtls.orders');
    expect((await app.ok('acls.list', { connectionId: connection.id, filter: {} })).acls).toEqual([]);
  });

  it('without a certificate, or with one from another CA, the connection is refused in words', async () => {
    const without = await app.call('connections.test', { name: 'no certificate', bootstrapServers: secured.bootstrap, tls: tls() });
    expect(without).toMatchObject({ ok: false, error: { failure: 'tls-client-certificate-required' } });
    if (!without.ok) {
      expect(without.error.message).toContain('requires a client certificate');
      expect(without.error.hint).toContain('certificate');
    }
    const mallory = issueClientCertificate(foreignDir, 'mallory');
    const foreign = await app.call('connections.test', {
      name: 'foreign certificate',
      bootstrapServers: secured.bootstrap,
      tls: { enabled: true, caFile: secured.caLocation, certFile: mallory.certPath, keyFile: mallory.keyPath },
    });
    expect(foreign).toMatchObject({ ok: false, error: { failure: 'tls-client-certificate-refused' } });
    // kcat without a certificate fails too, and the broker keeps serving.
    const anonymous = await runKcat(secured.bootstrap, ['-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${secured.caLocation}`, '-L', '-m', '5'], {
      timeoutMs: 30_000,
    });
    expect(anonymous.code).not.toBe(0);
    expect((await runKcat(secured.bootstrap, [...kcatAs(ops), '-L', '-m', '10'], { timeoutMs: 30_000 })).code).toBe(0);
  });

  it('a principal known by its certificate is refused, allowed by an ACL on its DN, refused again by a DENY (kcat, confluent-kafka, the app)', async () => {
    const admin = (await app.ok('connections.list', {})).find((connection) => connection.name === 'ops (certificate)')!;
    const asEve = await app.ok('connections.save', { name: 'eve (certificate)', bootstrapServers: secured.bootstrap, tls: tls(eve) });
    const principal = `User:${eve.distinguishedName}`;
    expect(principal).toBe('User:CN=eve,O=Kafka Desk');

    // No ACL: eve connects (TLS is fine) but the topic is absent for her and writes are refused.
    expect((await app.ok('topics.list', { connectionId: asEve.id })).map((topic) => topic.name)).not.toContain('mtls.orders');
    const refused = await runKcat(secured.bootstrap, [...kcatAs(eve), '-P', '-t', 'mtls.orders'], { input: 'no\n', timeoutMs: 30_000 });
    expect(refused.stderr).toMatch(/authoriz/i);
    expect(await confluentAs(eve, 'mtls.orders', 'mtls-readers')).toMatchObject({ ok: false, error: expect.stringMatching(/authoriz/i) });

    // The app (as ops) grants eve WRITE and READ on the topic and READ on the group, by her DN.
    for (const acl of [
      { resourceType: 'TOPIC', resourceName: 'mtls.orders', operation: 'WRITE' },
      { resourceType: 'TOPIC', resourceName: 'mtls.orders', operation: 'READ' },
      { resourceType: 'GROUP', resourceName: 'mtls-readers', operation: 'READ' },
    ] as const) {
      await app.ok('acls.create', {
        connectionId: admin.id,
        acl: { ...acl, patternType: 'LITERAL', principal, host: '*', permission: 'ALLOW' },
      });
    }
    expect(await confluentAs(eve, 'mtls.orders', 'mtls-readers')).toEqual({ ok: true, values: ['m0', 'm1', 'm2'] });
    const produced = await runKcat(secured.bootstrap, [...kcatAs(eve), '-P', '-t', 'mtls.orders'], { input: 'yes\n', timeoutMs: 30_000 });
    expect(produced.code, produced.stderr).toBe(0);
    // WRITE implies DESCRIBE: the app's connection as eve now sees the topic.
    expect((await app.ok('topics.list', { connectionId: asEve.id })).map((topic) => topic.name)).toContain('mtls.orders');

    // A DENY wins over the ALLOW.
    await app.ok('acls.create', {
      connectionId: admin.id,
      acl: { resourceType: 'TOPIC', resourceName: 'mtls.orders', patternType: 'LITERAL', principal, host: '*', operation: 'WRITE', permission: 'DENY' },
    });
    const denied = await runKcat(secured.bootstrap, [...kcatAs(eve), '-P', '-t', 'mtls.orders'], { input: 'denied\n', timeoutMs: 30_000 });
    expect(denied.stderr).toMatch(/authoriz/i);
    const listed = await app.ok('acls.list', { connectionId: admin.id, filter: { principal } });
    expect(listed.acls).toHaveLength(4);
  });
});
