/**
 * More real clients against a SASL_SSL embedded cluster with the authorizer on: confluent-kafka
 * (librdkafka, SCRAM-SHA-512 and PLAIN) producing and consuming in a group, Go sarama 1.22 (SASL/PLAIN
 * over TLS, its default Version sending the v0 handshake and a bare token, and Version 2.0), kafkajs
 * (SCRAM-SHA-256 and SCRAM-SHA-512, its admin managing ACLs). Users get in only with ACLs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes, type SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON, run, topicName } from '../clients/helpers';
import { startSecuredCluster, type SecuredCluster } from './helpers';

const CONFLUENT = fileURLToPath(new URL('./python/confluent_client.py', import.meta.url));
const SARAMA = fileURLToPath(new URL('./fixtures/sarama-tls/main.go', import.meta.url));
const GO_ENV = { ...process.env, GOPATH: '/usr/share/gocode', GO111MODULE: 'off', GOFLAGS: '' };

let t: SecuredCluster;
let binDir: string;
let sarama: string;

function kafka(sasl: SASLOptions): Kafka {
  return new Kafka({
    clientId: 'kd-security',
    brokers: [t.bootstrap],
    ssl: { ca: [readFileSync(t.caLocation)] },
    sasl,
    logLevel: logLevel.NOTHING,
    retry: { retries: 1, initialRetryTime: 100 },
  });
}

const admin = () => kafka({ mechanism: 'scram-sha-512', username: 'admin', password: 'admin-secret' });

/** Lets `principal` do everything on topics and groups starting with `prefix` (as the super user). */
async function grant(principal: string, prefix: string): Promise<void> {
  const client = admin().admin();
  await client.connect();
  try {
    await client.createAcls({
      acl: [AclResourceTypes.TOPIC, AclResourceTypes.GROUP].map((resourceType) => ({
        resourceType,
        resourceName: prefix,
        resourcePatternType: ResourcePatternTypes.PREFIXED,
        principal,
        host: '*',
        operation: AclOperationTypes.ALL,
        permissionType: AclPermissionTypes.ALLOW,
      })),
    });
  } finally {
    await client.disconnect();
  }
}

beforeAll(async () => {
  binDir = mkdtempSync(join(tmpdir(), 'kd-sarama-tls-'));
  sarama = join(binDir, 'sarama-tls');
  const build = await run('go', ['build', '-o', sarama, SARAMA], { timeoutMs: 180_000, env: GO_ENV });
  if (build.code !== 0) throw new Error(`go build of the sarama client failed:\n${build.stderr}`);
  t = await startSecuredCluster({ protocol: 'SASL_SSL', acl: true });
}, 240_000);

afterAll(async () => {
  await t.close();
  rmSync(binDir, { recursive: true, force: true });
});

describe('confluent-kafka', () => {
  for (const mechanism of ['SCRAM-SHA-512', 'PLAIN']) {
    it(`produces and consumes in a group with ${mechanism} once alice has ACLs`, async () => {
      const prefix = topicName(`confluent-${mechanism.toLowerCase()}`);
      const client = (group: string) =>
        run(PYTHON, [CONFLUENT, t.bootstrap, t.caLocation, mechanism, 'alice', 'alice-secret', `${prefix}.t`, `${prefix}.${group}`], { timeoutMs: 60_000 });
      const refused = JSON.parse((await client('g1')).stdout.trim().split('\n').at(-1)!) as { ok: boolean; error?: string };
      expect(refused.ok).toBe(false);
      expect(refused.error).toMatch(/authoriz/i);
      await grant('User:alice', prefix);
      const result = await client('g2');
      const outcome = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { ok: boolean; values?: string[]; error?: string };
      expect(outcome).toEqual({ ok: true, values: ['c0', 'c1', 'c2', 'c3', 'c4'] });
    });
  }
});

describe('Go sarama 1.22', () => {
  for (const version of ['default', '2.0']) {
    it(`produces and consumes with SASL/PLAIN over TLS (Version ${version})`, async () => {
      const prefix = topicName(`sarama-${version}`);
      await grant('User:bob', prefix);
      const result = await run(sarama, [t.bootstrap, t.caLocation, 'bob', 'bob-secret', `${prefix}.t`, version], { timeoutMs: 60_000 });
      expect(result.stdout.trim()).toBe(JSON.stringify({ consumed: 10, produced: 10, values: Array.from({ length: 10 }, (_, i) => `v${i}`) }));
      expect(result.code).toBe(0);
    });
  }

  it('is refused with a wrong password, and the broker keeps serving', async () => {
    const result = await run(sarama, [t.bootstrap, t.caLocation, 'bob', 'wrong', topicName('sarama-wrong'), '2.0'], { timeoutMs: 60_000 });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/error/);
    const prefix = topicName('sarama-after');
    await grant('User:bob', prefix);
    expect((await run(sarama, [t.bootstrap, t.caLocation, 'bob', 'bob-secret', `${prefix}.t`, '2.0'], { timeoutMs: 60_000 })).code).toBe(0);
  });
});

describe('kafkajs', () => {
  for (const mechanism of ['scram-sha-256', 'scram-sha-512'] as const) {
    it(`produces and consumes with ${mechanism}; refused before its ACL`, async () => {
      const prefix = topicName(`kafkajs-${mechanism}`);
      const topic = `${prefix}.t`;
      const alice = kafka({ mechanism, username: 'alice', password: 'alice-secret' });
      const setup = admin().admin();
      await setup.connect();
      await setup.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
      await setup.disconnect();
      const producer = alice.producer();
      await producer.connect();
      await expect(producer.send({ topic, messages: [{ value: 'x' }] })).rejects.toThrow(/authoriz/i);
      await grant('User:alice', prefix);
      await producer.send({ topic, messages: [{ value: 'k1' }, { value: 'k2' }] });
      await producer.disconnect();
      const consumer = alice.consumer({ groupId: `${prefix}.group` });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const values: string[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`read ${values.length} of 2`)), 30_000);
        void consumer.run({
          eachMessage: ({ message }) => {
            values.push(message.value!.toString());
            if (values.length === 2) {
              clearTimeout(timer);
              resolve();
            }
            return Promise.resolve();
          },
        });
      });
      await consumer.disconnect();
      expect(values).toEqual(['k1', 'k2']);
    }, 60_000);
  }

  it('fails fast with a wrong password', async () => {
    const started = Date.now();
    const producer = kafka({ mechanism: 'scram-sha-512', username: 'alice', password: 'nope' }).producer();
    await expect(producer.connect()).rejects.toThrow(/SASL SCRAM SHA512 authentication failed|Invalid user credentials/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
