/**
 * Client quotas through the app (#16, KIP-546): the Users screen's list, from a cluster with quotas set
 * by @platformatic/kafka's admin; a principal without DESCRIBE_CONFIGS on the cluster is told which
 * right it lacks; a cluster playing Kafka 2.5, before DescribeClientQuotas, is said to need 2.6.
 */
import { Admin } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AclOperation, PatternType, PermissionType, ResourceType } from '../../electron/kafka/protocol/acl-codes';
import { startTestCluster, type TestCluster } from '../broker/clients/helpers';
import { startSecuredCluster, type SecuredCluster } from '../broker/security/helpers';
import { startCore, type TestCore } from './helpers';

let plain: TestCluster;
let old: TestCluster;
let secured: SecuredCluster;
let app: TestCore;

beforeAll(async () => {
  [plain, old, secured] = await Promise.all([
    startTestCluster(),
    startTestCluster({ kafkaVersion: '2.5' }),
    startSecuredCluster({ protocol: 'SASL_SSL', acl: true }),
  ]);
  app = await startCore({ brokers: 0 });
}, 90_000);

afterAll(async () => {
  await app?.close();
  await Promise.all([plain?.close(), old?.close(), secured?.close()]);
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
      expect(result.error.message).toBe('Reading client quotas needs Kafka 2.6 or later (the DescribeClientQuotas API), and this cluster does not offer it.');
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
    expect(await app.ok('users.quotas', { connectionId: saved.id })).toEqual({ entries: [] });
  });
});
