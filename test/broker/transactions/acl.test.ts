/**
 * TRANSACTIONAL_ID ACLs (KIP-98) with the authorizer on, over SASL_PLAINTEXT with kafkajs: a principal
 * allowed to write a topic is refused FindCoordinator without DESCRIBE on the transactional id and
 * InitProducerId without WRITE on it (TRANSACTIONAL_ID_AUTHORIZATION_FAILED); it commits once WRITE is granted.
 */
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecuredCluster, type SecuredCluster } from '../security/helpers';

let t: SecuredCluster;

const kafka = (username: string, password: string) =>
  new Kafka({
    brokers: t.bootstrap.split(','),
    clientId: `txn-acl-${username}`,
    sasl: { mechanism: 'scram-sha-512', username, password },
    logLevel: logLevel.NOTHING,
    retry: { retries: 1, initialRetryTime: 100 },
  });

beforeAll(async () => {
  t = await startSecuredCluster({ protocol: 'SASL_PLAINTEXT', acl: true, config: { 'transaction.state.log.num.partitions': '2' } });
});

afterAll(async () => {
  await t?.close();
});

async function grant(acl: { resourceType: AclResourceTypes; resourceName: string; operation: AclOperationTypes; pattern?: ResourcePatternTypes }) {
  const admin = kafka('admin', 'admin-secret').admin();
  await admin.connect();
  try {
    await admin.createAcls({
      acl: [
        {
          resourceType: acl.resourceType,
          resourceName: acl.resourceName,
          resourcePatternType: acl.pattern ?? ResourcePatternTypes.LITERAL,
          principal: 'User:alice',
          host: '*',
          operation: acl.operation,
          permissionType: AclPermissionTypes.ALLOW,
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

describe('TRANSACTIONAL_ID ACLs', () => {
  it('refuse a transactional producer without WRITE on its id, and let it commit with it', async () => {
    const admin = kafka('admin', 'admin-secret').admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'acl-txn', numPartitions: 1, replicationFactor: 1 }] });
    await admin.disconnect();
    await grant({ resourceType: AclResourceTypes.TOPIC, resourceName: 'acl-', operation: AclOperationTypes.ALL, pattern: ResourcePatternTypes.PREFIXED });

    const attempt = async () => {
      const producer = kafka('alice', 'alice-secret').producer({ transactionalId: 'tx-alice', maxInFlightRequests: 1, idempotent: true });
      await producer.connect();
      try {
        return await producer.transaction().then(
          () => null,
          (e: unknown) => e as { type?: string; name?: string },
        );
      } finally {
        await producer.disconnect();
      }
    };
    // No ACL on the id: FindCoordinator is refused (kafkajs calls it "coordinator not found").
    expect((await attempt())?.name).toBe('KafkaJSGroupCoordinatorNotFound');
    // DESCRIBE finds the coordinator, but InitProducerId needs WRITE.
    await grant({ resourceType: AclResourceTypes.TRANSACTIONAL_ID, resourceName: 'tx-alice', operation: AclOperationTypes.DESCRIBE });
    expect((await attempt())?.type).toBe('TRANSACTIONAL_ID_AUTHORIZATION_FAILED');

    await grant({ resourceType: AclResourceTypes.TRANSACTIONAL_ID, resourceName: 'tx-alice', operation: AclOperationTypes.WRITE });
    const producer = kafka('alice', 'alice-secret').producer({ transactionalId: 'tx-alice', maxInFlightRequests: 1, idempotent: true });
    await producer.connect();
    try {
      const txn = await producer.transaction();
      await txn.send({ topic: 'acl-txn', messages: [{ value: 'allowed' }] });
      await txn.commit();
    } finally {
      await producer.disconnect();
    }
    const replica = t.cluster.broker(0).replica('acl-txn', 0)!;
    expect(replica.highWatermark).toBe(2);
    expect(replica.lastStableOffset).toBe(2);
  });
});
