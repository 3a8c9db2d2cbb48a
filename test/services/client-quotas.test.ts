/**
 * Client quotas through the app (#16, KIP-546): the Users screen's list, from a cluster with quotas set
 * by @platformatic/kafka's admin; a principal without DESCRIBE_CONFIGS on the cluster is told which
 * right it lacks; a cluster playing Kafka 2.5, before DescribeClientQuotas, is said to need 2.6.
 */
import { Admin } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AclOperation, PatternType, PermissionType, ResourceType } from '../../electron/kafka/protocol/acl-codes';
import { startTestCluster, type TestCluster } from '../broker/clients/helpers';
import { startSecuredCluster, type SecuredCluster } from '../broker/security/helpers';
import { startCore, type TestCore } from './helpers';
import { EMBEDDED_CONNECTION_ID } from '../../shared/model/schemas';

let plain: TestCluster;
let old: TestCluster;
let v26: TestCluster;
let secured: SecuredCluster;
let app: TestCore;

beforeAll(async () => {
  [plain, old, v26, secured] = await Promise.all([
    startTestCluster(),
    startTestCluster({ kafkaVersion: '2.5' }),
    startTestCluster({ kafkaVersion: '2.6' }),
    startSecuredCluster({ protocol: 'SASL_SSL', acl: true }),
  ]);
  app = await startCore({ brokers: 0 });
}, 90_000);

afterAll(async () => {
  await app?.close();
  await Promise.all([plain?.close(), old?.close(), v26?.close(), secured?.close()]);
});

const connect = async (name: string, bootstrapServers: string) => (await app.ok('connections.save', { name, bootstrapServers })).id;

describe('client quotas in the app', () => {
  it('lists every entity with its quotas, users first, defaults named as such', async () => {
    const admin = new Admin({ clientId: 'kd-quotas-setup', bootstrapBrokers: [plain.bootstrap] });
    try {
      await admin.alterClientQuotas({
        entries: [
          { entities: [{ entityType: 'client-id', entityName: 'etl' }], ops: [{ key: 'producer_byte_rate', value: 1_048_576, remove: false }] },
          { entities: [{ entityType: 'user', entityName: null }], ops: [{ key: 'consumer_byte_rate', value: 2048, remove: false }] },
          { entities: [{ entityType: 'ip', entityName: '127.0.0.1' }], ops: [{ key: 'connection_creation_rate', value: 10, remove: false }] },
        ],
      });
    } finally {
      await admin.close();
    }
    const listed = await app.ok('users.quotas', { connectionId: await connect('plain', plain.bootstrap) });
    expect(listed.entries).toEqual([
      { entity: [{ type: 'user', name: null }], quotas: [{ key: 'consumer_byte_rate', value: 2048 }] },
      { entity: [{ type: 'client-id', name: 'etl' }], quotas: [{ key: 'producer_byte_rate', value: 1_048_576 }] },
      { entity: [{ type: 'ip', name: '127.0.0.1' }], quotas: [{ key: 'connection_creation_rate', value: 10 }] },
    ]);
  });

  it('says a cluster before Kafka 2.6 has no client quotas API', async () => {
    const result = await app.call('users.quotas', { connectionId: await connect('old', old.bootstrap) });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error.message).toBe('Managing client quotas needs Kafka 2.6 or later (the DescribeClientQuotas API), and this cluster does not offer it.');
  });

  it('names the right a principal lacks (DESCRIBE_CONFIGS on the cluster)', async () => {
    const saved = await app.ok('connections.save', {
      name: 'secured as alice',
      bootstrapServers: secured.bootstrap,
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: 'alice-secret' },
      tls: { enabled: true, caFile: secured.caLocation, rejectUnauthorized: true },
    });
    const refused = await app.call('users.quotas', { connectionId: saved.id });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.message).toContain('DESCRIBE_CONFIGS');
    secured.cluster.controller.security.createAcl({
      resourceType: ResourceType.CLUSTER,
      resourceName: 'kafka-cluster',
      patternType: PatternType.LITERAL,
      principal: 'User:alice',
      host: '*',
      operation: AclOperation.DESCRIBE_CONFIGS,
      permissionType: PermissionType.ALLOW,
    });
    expect(await app.ok('users.quotas', { connectionId: saved.id })).toEqual({ entries: [], supports: { controllerMutationRate: true, ipEntities: true } });
    // Changing quotas needs ALTER_CONFIGS, which alice lacks: said in words, nothing changed.
    const alter = await app.call('users.alterQuota', {
      connectionId: saved.id,
      entity: [{ type: 'user', name: 'alice' }],
      key: 'producer_byte_rate',
      value: 1000,
    });
    expect(alter.ok).toBe(false);
    if (!alter.ok) expect(alter.error.message).toContain('ALTER_CONFIGS on the cluster');
    expect(secured.cluster.controller.clientQuotas.entries()).toEqual([]);
  });

  it('sets, changes and removes quotas of users, client ids and IPs, defaults included', async () => {
    const connectionId = await connect('plain for changes', plain.bootstrap);
    const userDefault = [{ type: 'user' as const, name: null }];
    const bothOf = [
      { type: 'user' as const, name: 'bob' },
      { type: 'client-id' as const, name: null },
    ];
    await app.ok('users.alterQuota', { connectionId, entity: userDefault, key: 'request_percentage', value: 12.5 });
    await app.ok('users.alterQuota', { connectionId, entity: bothOf, key: 'controller_mutation_rate', value: 3 });
    const ipDefault = await app.ok('users.alterQuota', { connectionId, entity: [{ type: 'ip', name: null }], key: 'connection_creation_rate', value: 50 });
    expect(ipDefault.entries).toEqual(
      expect.arrayContaining([
        {
          entity: [{ type: 'user', name: null }],
          quotas: [
            { key: 'consumer_byte_rate', value: 2048 },
            { key: 'request_percentage', value: 12.5 },
          ],
        },
        { entity: [{ type: 'ip', name: null }], quotas: [{ key: 'connection_creation_rate', value: 50 }] },
      ]),
    );
    expect(
      plain.cluster.controller.clientQuotas.quotasOf([
        { entityType: 'user', entityName: 'bob' },
        { entityType: 'client-id', entityName: null },
      ]),
    ).toEqual({
      controller_mutation_rate: 3,
    });
    // Changed, then removed: an entity without quotas leaves the list.
    await app.ok('users.alterQuota', { connectionId, entity: bothOf, key: 'controller_mutation_rate', value: 4.5 });
    expect(
      plain.cluster.controller.clientQuotas.quotasOf([
        { entityType: 'user', entityName: 'bob' },
        { entityType: 'client-id', entityName: null },
      ]),
    ).toEqual({
      controller_mutation_rate: 4.5,
    });
    const removed = await app.ok('users.alterQuota', { connectionId, entity: bothOf, key: 'controller_mutation_rate', value: null });
    expect(removed.entries.some((entry) => entry.entity.some((part) => part.name === 'bob'))).toBe(false);
    await app.ok('users.alterQuota', { connectionId, entity: [{ type: 'ip', name: null }], key: 'connection_creation_rate', value: null });

    // Checked in the main process: a key the entity cannot carry, a fractional byte rate, ip with a user, a value not above 0.
    const invalid = [
      { entity: [{ type: 'ip', name: '127.0.0.1' }], key: 'producer_byte_rate', value: 10 },
      { entity: [{ type: 'client-id', name: 'etl' }], key: 'producer_byte_rate', value: 1.5 },
      {
        entity: [
          { type: 'ip', name: '127.0.0.1' },
          { type: 'user', name: 'bob' },
        ],
        key: 'connection_creation_rate',
        value: 10,
      },
      { entity: [{ type: 'user', name: 'bob' }], key: 'consumer_byte_rate', value: 0 },
    ];
    for (const request of invalid) {
      const result = await app.call('users.alterQuota', { connectionId, ...request } as never);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.message).toMatch(/IP takes only connection_creation_rate|whole number|cannot be combined|above 0/);
    }
    // The broker's own check, in its words: a name that is no IP.
    const notIp = await app.call('users.alterQuota', { connectionId, entity: [{ type: 'ip', name: 'not-an-ip' }], key: 'connection_creation_rate', value: 5 });
    expect(notIp.ok).toBe(false);
    if (!notIp.ok) expect(notIp.error.message).toContain('not-an-ip is not a valid IP or resolvable host.');
  });

  it('says a cluster before Kafka 2.6 cannot change client quotas', async () => {
    const result = await app.call('users.alterQuota', {
      connectionId: await connect('old for changes', old.bootstrap),
      entity: [{ type: 'user', name: 'bob' }],
      key: 'producer_byte_rate',
      value: 1000,
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/^Changing client quotas needs Kafka 2.6 or later/);
  });

  it('says what a 2.6 cluster lacks: controller_mutation_rate (2.7) and quotas on IPs (2.8), before the broker refuses them', async () => {
    const connectionId = await connect('2.6', v26.bootstrap);
    expect(await app.ok('users.quotas', { connectionId })).toEqual({ entries: [], supports: { controllerMutationRate: false, ipEntities: false } });
    const mutations = await app.call('users.alterQuota', { connectionId, entity: [{ type: 'user', name: 'bob' }], key: 'controller_mutation_rate', value: 5 });
    expect(mutations.ok).toBe(false);
    if (!mutations.ok)
      expect(mutations.error.message).toBe("controller_mutation_rate needs Kafka 2.7 or later (KIP-599); this cluster's brokers do not take it.");
    const ip = await app.call('users.alterQuota', { connectionId, entity: [{ type: 'ip', name: null }], key: 'connection_creation_rate', value: 5 });
    expect(ip.ok).toBe(false);
    if (!ip.ok)
      expect(ip.error.message).toBe("Quotas on IP addresses (connection_creation_rate) need Kafka 2.8 or later; this cluster's brokers do not take them.");
    expect(v26.cluster.controller.clientQuotas.entries()).toEqual([]);
    // What 2.6 takes is set.
    const set = await app.ok('users.alterQuota', { connectionId, entity: [{ type: 'user', name: 'bob' }], key: 'producer_byte_rate', value: 2048 });
    expect(set.entries).toEqual([{ entity: [{ type: 'user', name: 'bob' }], quotas: [{ key: 'producer_byte_rate', value: 2048 }] }]);
  });

  it('another cluster reports no throttling to the app (no Kafka API does): measured is false', async () => {
    const throttling = await app.ok('users.throttled', { connectionId: await connect('plain for throttling', plain.bootstrap) });
    expect(throttling).toMatchObject({ measured: false, clients: [] });
  });
});

describe('who the embedded brokers throttle', () => {
  let embedded: TestCore;
  afterAll(async () => {
    await embedded?.close();
  });

  it('names a kafkajs producer over its client id producer_byte_rate, with the throttles the broker gave it', async () => {
    embedded = await startCore({ brokers: 1 });
    expect(await embedded.ok('users.throttled', { connectionId: EMBEDDED_CONNECTION_ID })).toMatchObject({ measured: true, clients: [] });
    await embedded.ok('users.alterQuota', {
      connectionId: EMBEDDED_CONNECTION_ID,
      entity: [{ type: 'client-id', name: 'kd-slow' }],
      key: 'producer_byte_rate',
      value: 1024,
    });
    const kafka = new Kafka({ clientId: 'kd-slow', brokers: [embedded.bootstrapServers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'slow', numPartitions: 1, replicationFactor: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    try {
      // 12 KiB at once is more than 1024 B/s allows over the 10 s the rate is measured on (a throttle of about 2 s).
      await producer.send({ topic: 'slow', messages: [{ value: Buffer.alloc(12_288, 0x61) }] });
      await producer.send({ topic: 'slow', messages: [{ value: 'after' }] });
    } finally {
      await producer.disconnect();
    }
    const throttling = await embedded.ok('users.throttled', { connectionId: EMBEDDED_CONNECTION_ID });
    expect(throttling.measured).toBe(true);
    expect(throttling.clients).toEqual([
      expect.objectContaining({ quota: 'producer_byte_rate', user: null, clientId: 'kd-slow', ip: null, limit: 1024, brokerIds: [0] }),
    ]);
    const [client] = throttling.clients;
    expect(client!.throttled).toBeGreaterThanOrEqual(1);
    expect(client!.throttleTimeMs).toBeGreaterThan(0);
    expect(client!.rate).toBeGreaterThan(1024);
  }, 60_000);
});
