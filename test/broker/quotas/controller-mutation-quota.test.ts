/**
 * Controller mutation quotas (KIP-599) on the embedded cluster: CreateTopics, CreatePartitions and
 * DeleteTopics count the partitions they mutate against controller_mutation_rate, a token bucket of
 * 11 × rate credits refilled at the rate. With a rate of 1 partition/s the bucket holds 11: a first
 * mutation of 12 partitions goes through and leaves it at -1, so a second one in the same request is
 * refused (strict versions) or accepted with a throttled answer (older versions), the throttle being
 * the time to refill it to zero, at most 1000 ms. Times are checked only as lower bounds.
 */
import { Admin } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import { ApiVersions, CreatePartitions, CreateTopics, DeleteTopics } from '../../../electron/kafka/protocol/generated/index';
import { PYTHON, run, startTestCluster, topicName, type TestCluster } from '../clients/helpers';
import { RawClient } from '../handlers/raw-client';

const FIXTURE = new URL('./fixtures/mutations.py', import.meta.url).pathname;

let t: TestCluster;
let admin: Admin;

beforeAll(async () => {
  t = await startTestCluster();
  admin = new Admin({ clientId: 'kd-mutation-admin', bootstrapBrokers: [t.bootstrap], retries: 3, retryDelay: 100 });
});

afterAll(async () => {
  await admin?.close().catch(() => {});
  await t?.close();
});

/** One partition per second for `clientId` (its own bucket, so the tests do not share one). */
async function limitMutations(clientId: string): Promise<void> {
  const results = await admin.alterClientQuotas({
    entries: [{ entities: [{ entityType: 'client-id', entityName: clientId }], ops: [{ key: 'controller_mutation_rate', value: 1, remove: false }] }],
  });
  expect(results.map((r) => r.errorCode)).toEqual([0]);
}

function newTopic(name: string, numPartitions: number) {
  return { name, numPartitions, replicationFactor: 1, assignments: [], configs: [] };
}

async function withClient<T>(clientId: string, body: (client: RawClient) => Promise<T>): Promise<T> {
  const client = await RawClient.open(t.bootstrap, clientId);
  try {
    return await body(client);
  } finally {
    client.close();
  }
}

describe('controller_mutation_rate (KIP-599)', () => {
  it('CreateTopics v7 (strict): the topic that finds the bucket empty gets THROTTLING_QUOTA_EXCEEDED, the answer throttle_time_ms', async () => {
    await limitMutations('kd-mut-create');
    const [big, small] = [topicName('mut-big'), topicName('mut-small')];
    await withClient('kd-mut-create', async (client) => {
      // Timed from before the request: the mute starts before the answer leaves, which may reach this
      // same-process client late on a loaded machine.
      const sentAt = Date.now();
      const response = await client.call(CreateTopics, 7, { topics: [newTopic(big, 12), newTopic(small, 1)], timeoutMs: 5000, validateOnly: false });
      expect(response.topics.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.THROTTLING_QUOTA_EXCEEDED]);
      expect(response.topics[1]!.errorMessage).toMatch(/controller mutation quota of client-id kd-mut-create \(1 partitions\/s/);
      expect(response.throttleTimeMs).toBeGreaterThan(0);
      expect(response.throttleTimeMs).toBeLessThanOrEqual(1000);
      expect(t.cluster.controller.topic(big)?.partitions).toHaveLength(12);
      expect(t.cluster.controller.topic(small)).toBeUndefined();
      // The channel is muted (KIP-219): the next request is answered no sooner than the throttle time.
      await client.call(ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
      expect(Date.now() - sentAt).toBeGreaterThanOrEqual(response.throttleTimeMs - 5);
    });
    const bucket = t.cluster.controller.controllerMutations.snapshot().find((s) => s.clientId === 'kd-mut-create');
    expect(bucket).toMatchObject({ limit: 1, recorded: 12, throttledRequests: 1 });
  });

  it('CreatePartitions v3 and DeleteTopics v5 (strict) refuse per topic once the bucket is below zero', async () => {
    const [grown, kept, gone, stays] = [topicName('mut-grow'), topicName('mut-kept'), topicName('mut-gone'), topicName('mut-stays')];
    await admin.createTopics({ topics: [grown, kept], partitions: 1, replicas: 1 });
    await admin.createTopics({ topics: [gone], partitions: 12, replicas: 1 });
    await admin.createTopics({ topics: [stays], partitions: 1, replicas: 1 });
    await limitMutations('kd-mut-partitions');
    await limitMutations('kd-mut-delete');
    await withClient('kd-mut-partitions', async (client) => {
      const response = await client.call(CreatePartitions, 3, {
        topics: [
          { name: grown, count: 13, assignments: null },
          { name: kept, count: 2, assignments: null },
        ],
        timeoutMs: 5000,
        validateOnly: false,
      });
      expect(response.results.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.THROTTLING_QUOTA_EXCEEDED]);
      expect(response.throttleTimeMs).toBeGreaterThan(0);
    });
    expect(t.cluster.controller.topic(grown)?.partitions).toHaveLength(13);
    expect(t.cluster.controller.topic(kept)?.partitions).toHaveLength(1);
    await withClient('kd-mut-delete', async (client) => {
      const response = await client.call(DeleteTopics, 5, { topics: [], topicNames: [gone, stays], timeoutMs: 5000 });
      expect(response.responses.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.THROTTLING_QUOTA_EXCEEDED]);
      expect(response.responses[1]!.errorMessage).toMatch(/used up/);
      expect(response.throttleTimeMs).toBeGreaterThan(0);
    });
    expect(t.cluster.controller.topic(gone)).toBeUndefined();
    expect(t.cluster.controller.topic(stays)).toBeDefined();
  });

  it('older versions are permissive: CreateTopics v5 creates everything and throttles; v2 predates KIP-219, so the broker holds its answer', async () => {
    await limitMutations('kd-mut-v5');
    const names = [topicName('mut-v5-a'), topicName('mut-v5-b')];
    await withClient('kd-mut-v5', async (client) => {
      const response = await client.call(CreateTopics, 5, { topics: [newTopic(names[0]!, 12), newTopic(names[1]!, 1)], timeoutMs: 5000, validateOnly: false });
      expect(response.topics.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
      expect(response.throttleTimeMs).toBeGreaterThan(0);
    });
    await limitMutations('kd-mut-v2');
    const old = [topicName('mut-v2-a'), topicName('mut-v2-b')];
    await withClient('kd-mut-v2', async (client) => {
      const sentAt = Date.now();
      const response = await client.call(CreateTopics, 2, { topics: [newTopic(old[0]!, 12), newTopic(old[1]!, 1)], timeoutMs: 5000, validateOnly: false });
      expect(response.topics.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
      expect(response.throttleTimeMs).toBeGreaterThan(0);
      expect(Date.now() - sentAt).toBeGreaterThanOrEqual(response.throttleTimeMs - 5);
    });
    for (const name of [...names, ...old]) expect(t.cluster.controller.topic(name)).toBeDefined();
    // A client without a quota is never counted.
    expect(t.cluster.controller.controllerMutations.snapshot().map((s) => s.clientId)).not.toContain('kd-mutation-admin');
    expect(t.errors).toEqual([]);
  });

  it('kafka-python admin (CreateTopics v3, DeleteTopics v3): topics created, the answer throttled, the next request held back by the muted channel', async () => {
    await limitMutations('kd-mut-python');
    const topics = [topicName('mut-py-a'), topicName('mut-py-b'), topicName('mut-py-c')];
    const result = await run(PYTHON, [FIXTURE, JSON.stringify({ bootstrap: t.bootstrap, clientId: 'kd-mut-python', topics, partitions: 4 })], {
      timeoutMs: 60_000,
    });
    expect(result.stderr).toBe('');
    const answer = JSON.parse(result.stdout) as {
      createVersion: number;
      createThrottleMs: number;
      createErrors: number[];
      deleteVersion: number;
      deleteThrottleMs: number;
      deleteErrors: number[];
      bothMs: number;
    };
    expect(answer).toMatchObject({ createVersion: 3, createErrors: [0, 0, 0], deleteVersion: 3, deleteErrors: [0, 0, 0] });
    // 12 partitions against a bucket of 11: throttled; the deletion (12 more) was read only after the throttle time.
    expect(answer.createThrottleMs).toBeGreaterThan(0);
    expect(answer.bothMs).toBeGreaterThanOrEqual(answer.createThrottleMs - 5);
    expect(answer.deleteThrottleMs).toBeGreaterThan(0);
    for (const name of topics) expect(t.cluster.controller.topic(name)).toBeUndefined();
    expect(t.errors).toEqual([]);
  }, 60_000);
});
