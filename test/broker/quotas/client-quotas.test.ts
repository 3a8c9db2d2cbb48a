/**
 * Client quotas (KIP-546 admin API, KIP-13/KIP-219 enforcement) on the embedded cluster, with real
 * clients: @platformatic/kafka's Admin sets and describes them (persisted across a restart),
 * librdkafka (confluent-kafka) producers and consumers are throttled (its throttle_cb reports the
 * broker's throttle_time_ms), and the wire shows the channel muted: the next request of a throttled
 * connection is answered no sooner than the throttle time (a lower bound, which load cannot break).
 */
import { Admin } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { AlterClientQuotas, ApiVersions, DescribeClientQuotas, Fetch, Produce } from '../../../electron/kafka/protocol/generated/index';
import { createFetchRequest, createFetchRequestFetchPartition, createFetchRequestFetchTopic } from '../../../electron/kafka/protocol/generated/fetch';
import { encodeRecordBatch } from '../../../electron/kafka/records/record-batch';
import { errorRecordingLogger, PYTHON, run, startTestCluster, topicName, type TestCluster } from '../clients/helpers';
import { RawClient } from '../handlers/raw-client';
import { ZERO_UUID } from '../../../electron/kafka/protocol/uuid';

const FIXTURE = new URL('./fixtures/throttle.py', import.meta.url).pathname;

let t: TestCluster;
let admin: Admin;

beforeAll(async () => {
  t = await startTestCluster();
  admin = new Admin({ clientId: 'kd-quota-admin', bootstrapBrokers: [t.bootstrap], retries: 3, retryDelay: 100 });
});

afterAll(async () => {
  await admin?.close().catch(() => {});
  await t?.close();
});

async function setQuota(
  entity: Array<{ entityType: 'user' | 'client-id' | 'ip'; entityName: string | null }>,
  key: 'producer_byte_rate' | 'consumer_byte_rate',
  value: number,
) {
  const results = await admin.alterClientQuotas({ entries: [{ entities: entity, ops: [{ key, value, remove: false }] }] });
  expect(results.map((r) => r.errorCode)).toEqual([0]);
}

async function createTopic(name: string): Promise<void> {
  await admin.createTopics({ topics: [name], partitions: 1, replicas: 1 });
}

function batchOf(bytes: number): Buffer {
  return encodeRecordBatch({ records: [{ key: null, value: Buffer.alloc(bytes, 0x61) }] });
}

describe('AlterClientQuotas and DescribeClientQuotas (KIP-546)', () => {
  it('sets, describes, filters and removes quotas with @platformatic/kafka, per entity errors included', async () => {
    const results = await admin.alterClientQuotas({
      entries: [
        { entities: [{ entityType: 'user', entityName: 'alice' }], ops: [{ key: 'producer_byte_rate', value: 1024, remove: false }] },
        {
          entities: [
            { entityType: 'user', entityName: 'alice' },
            { entityType: 'client-id', entityName: null },
          ],
          ops: [{ key: 'consumer_byte_rate', value: 2048, remove: false }],
        },
        { entities: [{ entityType: 'client-id', entityName: null }], ops: [{ key: 'request_percentage', value: 12.5, remove: false }] },
        { entities: [{ entityType: 'ip', entityName: '127.0.0.9' }], ops: [{ key: 'connection_creation_rate', value: 5, remove: false }] },
      ],
    });
    expect(results.map((r) => r.errorCode)).toEqual([0, 0, 0, 0]);

    // Per-entity errors, on the wire (@platformatic/kafka throws on any): a byte rate is a whole number;
    // ip takes no byte rate; ip with user; a name that is no IP; an entity named twice. The valid entry
    // among them is applied.
    const raw = await RawClient.open(t.bootstrap);
    try {
      const invalid = await raw.call(AlterClientQuotas, 1, {
        validateOnly: false,
        entries: [
          { entity: [{ entityType: 'client-id', entityName: 'bad' }], ops: [{ key: 'producer_byte_rate', value: 1.5, remove: false }] },
          { entity: [{ entityType: 'ip', entityName: null }], ops: [{ key: 'producer_byte_rate', value: 10, remove: false }] },
          {
            entity: [
              { entityType: 'ip', entityName: '127.0.0.1' },
              { entityType: 'user', entityName: 'bob' },
            ],
            ops: [{ key: 'connection_creation_rate', value: 10, remove: false }],
          },
          { entity: [{ entityType: 'ip', entityName: 'not-an-ip' }], ops: [{ key: 'connection_creation_rate', value: 10, remove: false }] },
          { entity: [{ entityType: 'user', entityName: 'twice' }], ops: [{ key: 'producer_byte_rate', value: 10, remove: false }] },
          { entity: [{ entityType: 'user', entityName: 'twice' }], ops: [{ key: 'consumer_byte_rate', value: 10, remove: false }] },
          { entity: [{ entityType: 'user', entityName: 'carol' }], ops: [{ key: 'producer_byte_rate', value: 0, remove: false }] },
        ],
      });
      expect(invalid.entries.map((r) => r.errorCode)).toEqual([42, 42, 42, 42, 42, 42, 42]);
      // Kafka's controller's words (ClientQuotaControlManager).
      expect(invalid.entries.map((r) => r.errorMessage)).toEqual([
        'producer_byte_rate cannot be a fractional value.',
        'Invalid configuration key producer_byte_rate',
        'Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId',
        'not-an-ip is not a valid IP or resolvable host.',
        'The entity is named more than once in the request: none of its alterations were applied.',
        'The entity is named more than once in the request: none of its alterations were applied.',
        'Quota producer_byte_rate must be greater than 0',
      ]);
      const validated = await raw.call(AlterClientQuotas, 0, {
        validateOnly: true,
        entries: [{ entity: [{ entityType: 'user', entityName: 'dave' }], ops: [{ key: 'producer_byte_rate', value: 100, remove: false }] }],
      });
      expect(validated.entries[0]!.errorCode).toBe(0);
    } finally {
      raw.close();
    }

    const all = await admin.describeClientQuotas({ components: [], strict: false });
    const simplified = all.map((e) => ({ entity: e.entity.map((p) => `${p.entityType}=${p.entityName ?? '<default>'}`).join(','), values: e.values }));
    expect(simplified).toEqual(
      expect.arrayContaining([
        { entity: 'user=alice', values: [{ key: 'producer_byte_rate', value: 1024 }] },
        { entity: 'client-id=<default>,user=alice', values: [{ key: 'consumer_byte_rate', value: 2048 }] },
        { entity: 'client-id=<default>', values: [{ key: 'request_percentage', value: 12.5 }] },
        { entity: 'ip=127.0.0.9', values: [{ key: 'connection_creation_rate', value: 5 }] },
      ]),
    );
    expect(simplified).toHaveLength(4);

    // user alice, strict: only the user-only entity; non-strict also the user+client-id one.
    const strict = await admin.describeClientQuotas({ components: [{ entityType: 'user', matchType: 0, match: 'alice' }], strict: true });
    expect(strict.map((e) => e.entity.length)).toEqual([1]);
    const loose = await admin.describeClientQuotas({ components: [{ entityType: 'user', matchType: 0, match: 'alice' }], strict: false });
    expect(loose).toHaveLength(2);
    const defaults = await admin.describeClientQuotas({ components: [{ entityType: 'client-id', matchType: 1 }], strict: true });
    expect(defaults.map((e) => e.values[0]!.key)).toEqual(['request_percentage']);

    const removed = await admin.alterClientQuotas({
      entries: [{ entities: [{ entityType: 'ip', entityName: '127.0.0.9' }], ops: [{ key: 'connection_creation_rate', remove: true }] }],
    });
    expect(removed[0]!.errorCode).toBe(0);
    expect(await admin.describeClientQuotas({ components: [{ entityType: 'ip', matchType: 2 }] })).toEqual([]);
  });

  it('answers an invalid filter with INVALID_REQUEST and no entries', async () => {
    const client = await RawClient.open(t.bootstrap);
    try {
      const response = await client.call(DescribeClientQuotas, 1, {
        components: [
          { entityType: 'ip', matchType: 2, match: null },
          { entityType: 'user', matchType: 2, match: null },
        ],
        strict: false,
      });
      expect(response.errorCode).toBe(42);
      expect(response.entries).toBeNull();
      const twice = await client.call(DescribeClientQuotas, 0, {
        components: [
          { entityType: 'user', matchType: 0, match: 'a' },
          { entityType: 'user', matchType: 0, match: 'b' },
        ],
        strict: false,
      });
      expect(twice.errorCode).toBe(42);
    } finally {
      client.close();
    }
  });

  it('keeps quotas across a restart of the cluster (metadata log)', async () => {
    const dataDir = t.dataDir;
    const errors: string[] = [];
    const entity = [{ entityType: 'client-id', entityName: 'kept' }];
    t.cluster.controller.clientQuotas.alter(entity, [{ key: 'producer_byte_rate', value: 4096 }]);
    await t.cluster.close();
    const again = await EmbeddedCluster.start({ brokers: 1, basePort: 0, dataDir, logger: errorRecordingLogger(errors) });
    try {
      expect(again.controller.clientQuotas.quotasOf(entity)).toEqual({ producer_byte_rate: 4096 });
      expect(again.controller.clientQuotas.quotasOf([{ entityType: 'user', entityName: 'alice' }])).toEqual({ producer_byte_rate: 1024 });
    } finally {
      await again.close();
    }
    // The rest of the file runs on a fresh cluster.
    await admin.close().catch(() => {});
    t = await startTestCluster();
    admin = new Admin({ clientId: 'kd-quota-admin', bootstrapBrokers: [t.bootstrap], retries: 3, retryDelay: 100 });
    expect(errors).toEqual([]);
  });
});

describe('precedence of quota entities (Kafka ClientQuotaManager)', () => {
  it('takes the most specific entity: user+client-id, user+default, user, default user+client-id, ..., default client-id', () => {
    const quotas = t.cluster.controller.clientQuotas;
    const set = (entity: Array<[string, string | null]>, value: number) =>
      expect(
        quotas.alter(
          entity.map(([entityType, entityName]) => ({ entityType, entityName })),
          [{ key: 'consumer_byte_rate', value }],
        ),
      ).toBeNull();
    set([['client-id', null]], 8);
    expect(quotas.resolve('consumer_byte_rate', 'u', 'c')).toMatchObject({ limit: 8, tags: { user: '', clientId: 'c' } });
    set([['client-id', 'c']], 7);
    expect(quotas.resolve('consumer_byte_rate', 'u', 'c')?.limit).toBe(7);
    set([['user', null]], 6);
    // A user quota is shared by all of the user's client ids: the sensor's tags leave the client id out.
    expect(quotas.resolve('consumer_byte_rate', 'u', 'c')).toMatchObject({ limit: 6, tags: { user: 'u', clientId: '' } });
    set(
      [
        ['user', null],
        ['client-id', null],
      ],
      5,
    );
    expect(quotas.resolve('consumer_byte_rate', 'u', 'c')?.limit).toBe(5);
    set(
      [
        ['user', null],
        ['client-id', 'c'],
      ],
      4,
    );
    expect(quotas.resolve('consumer_byte_rate', 'u', 'c')?.limit).toBe(4);
    set([['user', 'u']], 3);
    expect(quotas.resolve('consumer_byte_rate', 'u', 'c')).toMatchObject({ limit: 3, tags: { user: 'u', clientId: '' } });
    set(
      [
        ['user', 'u'],
        ['client-id', null],
      ],
      2,
    );
    expect(quotas.resolve('consumer_byte_rate', 'u', 'c')?.limit).toBe(2);
    set(
      [
        ['user', 'u'],
        ['client-id', 'c'],
      ],
      1,
    );
    expect(quotas.resolve('consumer_byte_rate', 'u', 'c')).toMatchObject({ limit: 1, tags: { user: 'u', clientId: 'c' } });
    // Another user falls back to the default user's entities; no producer quota applies to anyone.
    expect(quotas.resolve('consumer_byte_rate', 'v', 'c')?.limit).toBe(4);
    expect(quotas.resolve('producer_byte_rate', 'u', 'c')).toBeUndefined();
    for (const entry of quotas.entries()) quotas.alter(entry.entity, [{ key: 'consumer_byte_rate', value: null }]);
    expect(quotas.entries()).toEqual([]);
  });
});

describe('enforcement (KIP-13, KIP-219)', () => {
  it('throttles a librdkafka producer over its producer_byte_rate, and not another client id', async () => {
    const topic = topicName('quota-produce');
    await createTopic(topic);
    await setQuota([{ entityType: 'client-id', entityName: 'kd-slow-producer' }], 'producer_byte_rate', 50_000);
    const produce = (clientId: string) =>
      run(PYTHON, [FIXTURE, 'produce', JSON.stringify({ bootstrap: t.bootstrap, clientId, topic, size: 2000, count: 300 })], { timeoutMs: 60_000 });
    const slow = await produce('kd-slow-producer');
    expect(slow.stderr).toBe('');
    const slowResult = JSON.parse(slow.stdout) as { undelivered: number; throttles: number[] };
    expect(slowResult.undelivered).toBe(0);
    expect(slowResult.throttles.length).toBeGreaterThan(0);
    expect(Math.max(...slowResult.throttles)).toBeGreaterThan(0);
    const fast = JSON.parse((await produce('kd-fast-producer')).stdout) as { undelivered: number; throttles: number[] };
    expect(fast).toEqual({ undelivered: 0, throttles: [] });
    // The broker's accounting: every byte the slow client sent counted on its sensor, the other client has none.
    const sensors = t.cluster.broker(0).clientQuotas.produce.snapshot();
    expect(sensors.map((s) => s.clientId)).toEqual(['kd-slow-producer']);
    expect(sensors[0]!.recorded).toBeGreaterThanOrEqual(300 * 2000);
    expect(sensors[0]!.throttledRequests).toBeGreaterThan(0);
    expect(sensors[0]!.limit).toBe(50_000);
    expect(t.errors).toEqual([]);
  }, 90_000);

  it('throttles a librdkafka consumer over its consumer_byte_rate', async () => {
    const topic = topicName('quota-fetch');
    await createTopic(topic);
    const filler = await run(
      PYTHON,
      [
        FIXTURE,
        'produce',
        JSON.stringify({ bootstrap: t.bootstrap, clientId: 'kd-filler', topic, size: 10_000, count: 60, conf: { 'batch.num.messages': 1 } }),
      ],
      {
        timeoutMs: 60_000,
      },
    );
    expect(JSON.parse(filler.stdout)).toMatchObject({ undelivered: 0 });
    // 600 KB in batches of one record, against a quota window of 10 x 20 KB: a fetch is capped at 200 KB,
    // and the next is throttled. (A batch larger than the window would be throttled for ever, as in Kafka.)
    await setQuota([{ entityType: 'client-id', entityName: 'kd-slow-consumer' }], 'consumer_byte_rate', 20_000);
    const consumer = await run(PYTHON, [FIXTURE, 'consume', JSON.stringify({ bootstrap: t.bootstrap, clientId: 'kd-slow-consumer', topic, seconds: 40 })], {
      timeoutMs: 60_000,
    });
    expect(consumer.stderr).toBe('');
    const result = JSON.parse(consumer.stdout) as { consumed: number; throttles: number[] };
    expect(result.consumed).toBeGreaterThan(0);
    expect(Math.max(0, ...result.throttles)).toBeGreaterThan(0);
    const sensor = t.cluster
      .broker(0)
      .clientQuotas.fetch.snapshot()
      .find((s) => s.clientId === 'kd-slow-consumer');
    expect(sensor?.throttledRequests).toBeGreaterThan(0);
    expect(t.errors).toEqual([]);
  }, 90_000);

  it('on the wire: a throttled fetch is answered empty, its bytes not counted; the throttled channel answers nothing sooner; an old version waits for its answer', async () => {
    const topic = topicName('quota-wire');
    await createTopic(topic);
    const client = await RawClient.open(t.bootstrap);
    try {
      // Produce v9 (the client throttles itself): 300 KB against 25 KB/s over a 10 s window (a 2 s throttle).
      await setQuota([{ entityType: 'client-id', entityName: 'raw-client' }], 'producer_byte_rate', 25_000);
      const produce = (version: number, bytes: number) =>
        client.call(Produce, version, {
          transactionalId: null,
          acks: 1,
          timeoutMs: 5000,
          topicData: [{ topicId: ZERO_UUID, name: topic, partitionData: [{ index: 0, records: batchOf(bytes) }] }],
        });
      // Timed from before the throttled request: the mute starts before its answer is sent, and the answer
      // may reach this (same-process) client late on a loaded machine, so a clock started on receipt is no bound.
      const firstSentAt = Date.now();
      const first = await produce(9, 300_000);
      expect(first.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
      expect(first.throttleTimeMs).toBeGreaterThan(0);
      await client.call(ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
      // Muted: the broker read the next request only once the throttle time had passed.
      expect(Date.now() - firstSentAt).toBeGreaterThanOrEqual(first.throttleTimeMs - 5);

      // Produce v5 predates KIP-219: the broker holds the answer for the throttle time itself.
      const sentAt = Date.now();
      const old = await produce(5, 30_000);
      expect(old.throttleTimeMs).toBeGreaterThan(0);
      expect(Date.now() - sentAt).toBeGreaterThanOrEqual(old.throttleTimeMs - 5);

      // Fetch: a 40 KB/s quota caps a fetch at its window (400 KB): both batches (330 KB); the same
      // fetch again brings the rate over the quota: throttled, answered empty, its bytes not counted.
      await setQuota([{ entityType: 'client-id', entityName: 'raw-client' }], 'consumer_byte_rate', 40_000);
      const fetch = () =>
        client.call(Fetch, 11, {
          ...createFetchRequest(),
          maxWaitMs: 0,
          maxBytes: 10_000_000,
          topics: [
            {
              ...createFetchRequestFetchTopic(),
              topic,
              partitions: [{ ...createFetchRequestFetchPartition(), fetchOffset: 0n, partitionMaxBytes: 10_000_000 }],
            },
          ],
        });
      const capped = await fetch();
      const bytes = capped.responses[0]!.partitions[0]!.records?.length ?? 0;
      expect(capped.throttleTimeMs).toBe(0);
      expect(bytes).toBeGreaterThan(330_000);
      expect(bytes).toBeLessThan(400_000);
      const sensor = () =>
        t.cluster
          .broker(0)
          .clientQuotas.fetch.snapshot()
          .find((s) => s.clientId === 'raw-client')!;
      const recordedBefore = sensor().recorded;
      expect(recordedBefore).toBe(bytes);
      const throttled = await fetch();
      expect(throttled.throttleTimeMs).toBeGreaterThan(0);
      expect(throttled.responses).toEqual([]);
      expect(sensor().recorded).toBe(recordedBefore);
      expect(sensor().throttledRequests).toBeGreaterThan(0);
    } finally {
      client.close();
    }
    expect(t.errors).toEqual([]);
  }, 60_000);

  it('request_percentage (KIP-124): handling time over the quota throttles any request, for at most one window', async () => {
    const client = await RawClient.open(t.bootstrap);
    try {
      const admin2 = await client.call(AlterClientQuotas, 1, {
        validateOnly: false,
        entries: [{ entity: [{ entityType: 'client-id', entityName: 'raw-client' }], ops: [{ key: 'request_percentage', value: 1e-9, remove: false }] }],
      });
      expect(admin2.entries[0]!.errorCode).toBe(0);
      // DescribeClientQuotas itself is counted: any handling time is over a billionth of a percent.
      const describedAt = Date.now();
      const described = await client.call(DescribeClientQuotas, 1, {
        components: [{ entityType: 'client-id', matchType: 0, match: 'raw-client' }],
        strict: true,
      });
      expect(described.throttleTimeMs).toBeGreaterThan(0);
      expect(described.throttleTimeMs).toBeLessThanOrEqual(1000);
      const sensor = t.cluster
        .broker(0)
        .clientQuotas.request.snapshot()
        .find((s) => s.clientId === 'raw-client');
      expect(sensor?.throttledRequests).toBeGreaterThan(0);
      // ApiVersions is exempt (a client needs it first); it is still held back by the muted channel.
      const versions = await client.call(ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
      expect(versions.throttleTimeMs).toBe(0);
      expect(Date.now() - describedAt).toBeGreaterThanOrEqual(described.throttleTimeMs - 5);
    } finally {
      client.close();
    }
  });
});

describe('a fetch over its request quota is answered empty (KIP-124, as KafkaApis checks it before answering)', () => {
  async function setRequestQuota(clientId: string, value: number): Promise<void> {
    const results = await admin.alterClientQuotas({
      entries: [{ entities: [{ entityType: 'client-id', entityName: clientId }], ops: [{ key: 'request_percentage', value, remove: false }] }],
    });
    expect(results.map((r) => r.errorCode)).toEqual([0]);
  }

  it('on the wire: records were there, the throttled fetch gets none; a long poll that ends throttled is empty too', async () => {
    const topic = topicName('quota-request-fetch');
    await createTopic(topic);
    const filler = await RawClient.open(t.bootstrap, 'kd-request-filler');
    try {
      const produced = await filler.call(Produce, 9, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 5000,
        topicData: [{ topicId: ZERO_UUID, name: topic, partitionData: [{ index: 0, records: batchOf(1000) }] }],
      });
      expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
    } finally {
      filler.close();
    }
    // Any handling time is over a billionth of a percent: every request of this client is throttled.
    await setRequestQuota('kd-request-fetch', 1e-9);
    const client = await RawClient.open(t.bootstrap, 'kd-request-fetch');
    try {
      const fetch = (fetchOffset: bigint, maxWaitMs: number) =>
        client.call(Fetch, 11, {
          ...createFetchRequest(),
          maxWaitMs,
          minBytes: 1,
          maxBytes: 1_000_000,
          topics: [
            { ...createFetchRequestFetchTopic(), topic, partitions: [{ ...createFetchRequestFetchPartition(), fetchOffset, partitionMaxBytes: 1_000_000 }] },
          ],
        });
      const throttled = await fetch(0n, 0);
      expect(throttled.throttleTimeMs).toBeGreaterThan(0);
      expect(throttled.throttleTimeMs).toBeLessThanOrEqual(1000);
      expect(throttled.responses).toEqual([]);
      // A long poll at the log end: its handling time was over the quota before it waited; it ends empty.
      const waited = await fetch(1n, 100);
      expect(waited.throttleTimeMs).toBeGreaterThan(0);
      expect(waited.responses).toEqual([]);
    } finally {
      client.close();
    }
    // Another client id reads the record.
    const other = await RawClient.open(t.bootstrap, 'kd-request-other');
    try {
      const answer = await other.call(Fetch, 11, {
        ...createFetchRequest(),
        maxWaitMs: 0,
        maxBytes: 1_000_000,
        topics: [
          { ...createFetchRequestFetchTopic(), topic, partitions: [{ ...createFetchRequestFetchPartition(), fetchOffset: 0n, partitionMaxBytes: 1_000_000 }] },
        ],
      });
      expect(answer.throttleTimeMs).toBe(0);
      expect(answer.responses[0]!.partitions[0]!.records?.length ?? 0).toBeGreaterThan(1000);
    } finally {
      other.close();
    }
    expect(t.errors).toEqual([]);
  });

  it('a librdkafka consumer over its request quota is throttled (throttle_cb) and receives nothing, while another client id reads the records', async () => {
    const topic = topicName('quota-request-consumer');
    await createTopic(topic);
    const filler = await run(
      PYTHON,
      [FIXTURE, 'produce', JSON.stringify({ bootstrap: t.bootstrap, clientId: 'kd-request-filler', topic, size: 100, count: 20 })],
      {
        timeoutMs: 60_000,
      },
    );
    expect(JSON.parse(filler.stdout)).toMatchObject({ undelivered: 0 });
    await setRequestQuota('kd-request-consumer', 1e-9);
    const consume = (clientId: string, until: Record<string, unknown>) =>
      run(PYTHON, [FIXTURE, 'consume', JSON.stringify({ bootstrap: t.bootstrap, clientId, topic, seconds: 20, ...until })], { timeoutMs: 60_000 });
    const throttled = await consume('kd-request-consumer', { untilThrottled: 8 });
    expect(throttled.stderr).toBe('');
    const result = JSON.parse(throttled.stdout) as { consumed: number; throttles: number[] };
    // Without the empty answer, librdkafka 2.0.2 had its first record after 5 throttled answers (Metadata and others come first).
    expect(result.throttles.length).toBeGreaterThanOrEqual(8);
    expect(result.consumed).toBe(0);
    const control = JSON.parse((await consume('kd-request-control', { untilConsumed: true })).stdout) as { consumed: number; throttles: number[] };
    expect(control).toEqual({ consumed: expect.any(Number), throttles: [] });
    expect(control.consumed).toBeGreaterThan(0);
    expect(t.errors).toEqual([]);
  }, 90_000);
});
