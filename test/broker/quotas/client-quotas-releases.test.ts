/**
 * Client quotas as each Kafka release played took them (issue #16), read at apache/kafka's tags:
 * - before 2.6 there is no DescribeClientQuotas / AlterClientQuotas (KIP-546);
 * - 2.6 takes producer_byte_rate, consumer_byte_rate and request_percentage on users and client ids;
 *   controller_mutation_rate is an unknown key (2.7, KIP-599) and ip an unknown entity type (2.8,
 *   KIP-612's per-IP rates): AdminManager answered "Unhandled client quota entity type: ip", and a
 *   DescribeClientQuotas filter on ip UNSUPPORTED_VERSION;
 * - from 2.8 everything, with the errors in the words of Kafka's controller (ClientQuotaControlManager,
 *   ClientQuotasImage): an unknown key, a value not above 0, a fraction of a whole-number key. A removal
 *   is not checked against the entity's keys: removing a key that is not set changes nothing.
 * On the wire, in the versions each release advertised.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey } from '../../../electron/kafka/protocol/api-keys';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import { AlterClientQuotas, ApiVersions, DescribeClientQuotas, createApiVersionsRequest } from '../../../electron/kafka/protocol/generated/index';
import type { KafkaReleaseId } from '../../../electron/kafka/releases';
import { startTestCluster, type TestCluster } from '../clients/helpers';
import { RawClient } from '../handlers/raw-client';

const clusters = new Map<string, TestCluster>();

beforeAll(async () => {
  const releases: Array<KafkaReleaseId | 'newest'> = ['2.5', '2.6', '2.7', '2.8', 'newest'];
  const started = await Promise.all(releases.map((release) => startTestCluster(release === 'newest' ? {} : { kafkaVersion: release })));
  releases.forEach((release, index) => clusters.set(release, started[index]!));
}, 60_000);

afterAll(async () => {
  await Promise.all([...clusters.values()].map((cluster) => cluster.close()));
});

type Op = { key: string; value: number; remove: boolean };
type Entity = Array<{ entityType: string; entityName: string | null }>;

/** Alters on the wire, one entry per entity; answers each entry's error name and message. */
async function alter(release: string, entries: Array<{ entity: Entity; ops: Op[] }>, version = 0) {
  const client = await RawClient.open(clusters.get(release)!.bootstrap);
  try {
    const response = await client.call(AlterClientQuotas, version, { validateOnly: false, entries });
    return response.entries.map((entry) => ({ error: entry.errorCode, message: entry.errorMessage }));
  } finally {
    client.close();
  }
}

async function describeFiltered(release: string, components: Array<{ entityType: string; matchType: number; match: string | null }>) {
  const client = await RawClient.open(clusters.get(release)!.bootstrap);
  try {
    return await client.call(DescribeClientQuotas, 0, { components, strict: false });
  } finally {
    client.close();
  }
}

const set = (key: string, value: number): Op => ({ key, value, remove: false });
const remove = (key: string): Op => ({ key, value: 0, remove: true });
const user = (name: string | null): Entity => [{ entityType: 'user', entityName: name }];
const ip = (name: string | null): Entity => [{ entityType: 'ip', entityName: name }];
const ok = { error: ErrorCode.NONE, message: null };

describe('client quotas per Kafka release', () => {
  it('2.5 advertises neither DescribeClientQuotas nor AlterClientQuotas; 2.6 does', async () => {
    for (const [release, expected] of [
      ['2.5', false],
      ['2.6', true],
    ] as const) {
      const client = await RawClient.open(clusters.get(release)!.bootstrap);
      try {
        const keys = (await client.call(ApiVersions, 0, createApiVersionsRequest())).apiKeys.map((entry) => entry.apiKey);
        expect(keys.includes(ApiKey.DescribeClientQuotas), release).toBe(expected);
        expect(keys.includes(ApiKey.AlterClientQuotas), release).toBe(expected);
      } finally {
        client.close();
      }
    }
  });

  it('2.6: controller_mutation_rate is an unknown key and ip an unknown entity type, as AdminManager answered', async () => {
    expect(
      await alter('2.6', [
        { entity: user('alice'), ops: [set('producer_byte_rate', 1024)] },
        { entity: user('bob'), ops: [set('controller_mutation_rate', 5)] },
        { entity: ip('127.0.0.1'), ops: [set('connection_creation_rate', 5)] },
      ]),
    ).toEqual([
      ok,
      { error: ErrorCode.INVALID_REQUEST, message: 'Invalid configuration key controller_mutation_rate' },
      { error: ErrorCode.INVALID_REQUEST, message: 'Unhandled client quota entity type: ip' },
    ]);
    const filtered = await describeFiltered('2.6', [{ entityType: 'ip', matchType: 2, match: null }]);
    expect({ error: filtered.errorCode, message: filtered.errorMessage, entries: filtered.entries }).toEqual({
      error: ErrorCode.UNSUPPORTED_VERSION,
      message: "Custom entity type 'ip' not supported",
      entries: null,
    });
  });

  it('2.7 takes controller_mutation_rate (KIP-599); ip entities still unknown until 2.8', async () => {
    expect(
      await alter('2.7', [
        { entity: user('bob'), ops: [set('controller_mutation_rate', 5)] },
        { entity: ip(null), ops: [set('connection_creation_rate', 5)] },
      ]),
    ).toEqual([ok, { error: ErrorCode.INVALID_REQUEST, message: 'Unhandled client quota entity type: ip' }]);
    expect(await alter('2.8', [{ entity: ip(null), ops: [set('connection_creation_rate', 5)] }], 1)).toEqual([ok]);
    const filtered = await describeFiltered('2.8', [{ entityType: 'ip', matchType: 1, match: null }]);
    expect(filtered.entries).toEqual([{ entity: [{ entityType: 'ip', entityName: null }], values: [{ key: 'connection_creation_rate', value: 5 }] }]);
  });

  it("errors in the words of Kafka's controller; a removal is not checked against the entity's keys", async () => {
    expect(
      await alter('newest', [
        { entity: user('carol'), ops: [set('fetch_rate', 10)] },
        { entity: user('dave'), ops: [set('consumer_byte_rate', -1)] },
        { entity: user('erin'), ops: [set('consumer_byte_rate', 10.5)] },
        { entity: ip('127.0.0.1'), ops: [set('request_percentage', 10)] },
        { entity: [{ entityType: 'group', entityName: 'g' }], ops: [set('producer_byte_rate', 10)] },
        { entity: user(''), ops: [set('producer_byte_rate', 10)] },
        // request_percentage is a double; removing keys that are not set, or that a user cannot carry, changes nothing.
        { entity: user('frank'), ops: [set('request_percentage', 12.5), remove('fetch_rate'), remove('connection_creation_rate')] },
      ]),
    ).toEqual([
      { error: ErrorCode.INVALID_REQUEST, message: 'Invalid configuration key fetch_rate' },
      { error: ErrorCode.INVALID_REQUEST, message: 'Quota consumer_byte_rate must be greater than 0' },
      { error: ErrorCode.INVALID_REQUEST, message: 'consumer_byte_rate cannot be a fractional value.' },
      { error: ErrorCode.INVALID_REQUEST, message: 'Invalid configuration key request_percentage' },
      { error: ErrorCode.INVALID_REQUEST, message: 'Unhandled client quota entity type: group' },
      { error: ErrorCode.INVALID_REQUEST, message: 'Empty user not supported' },
      ok,
    ]);
    expect(clusters.get('newest')!.cluster.controller.clientQuotas.quotasOf(user('frank'))).toEqual({ request_percentage: 12.5 });
    for (const name of ['carol', 'dave', 'erin']) expect(clusters.get('newest')!.cluster.controller.clientQuotas.quotasOf(user(name))).toBeUndefined();

    const unknownType = await describeFiltered('newest', [{ entityType: 'group', matchType: 2, match: null }]);
    expect([unknownType.errorCode, unknownType.errorMessage]).toEqual([ErrorCode.UNSUPPORTED_VERSION, 'Unsupported entity type group']);
    const twice = await describeFiltered('newest', [
      { entityType: 'user', matchType: 0, match: 'a' },
      { entityType: 'user', matchType: 1, match: null },
    ]);
    expect([twice.errorCode, twice.errorMessage]).toEqual([ErrorCode.INVALID_REQUEST, 'Entity type user cannot appear more than once in the filter.']);
  });
});
