// Client metrics (KIP-714): CLIENT_METRICS config resources (IncrementalAlterConfigs, DescribeConfigs,
// persisted), GetTelemetrySubscriptions (71), PushTelemetry (72) and ListClientMetricsResources /
// ListConfigResources (74). The real client is @platformatic/kafka 2.12.1's own encoders
// (dist/apis/telemetry) and Admin; the error paths on the wire with the generated codec. (librdkafka here
// is 2.0.2, older than its KIP-714 support in 2.5; no other client here pushes telemetry.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Admin, Connection, getTelemetrySubscriptionsV0, listClientMetricsResourcesV0, listConfigResourcesV1, pushTelemetryV0 } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { createRegistry } from '../../../electron/broker/handlers/registry';
import { advertisedApisFor } from '../../../electron/broker/handlers/release-apis';
import { silentLogger } from '../../../electron/broker/server/logger';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import {
  ApiVersions,
  DescribeConfigs,
  GetTelemetrySubscriptions,
  IncrementalAlterConfigs,
  ListClientMetricsResources,
  PushTelemetry,
} from '../../../electron/kafka/protocol/generated/index';
import { ZERO_UUID } from '../../../electron/kafka/protocol/uuid';
import { advertisedApis, detectRelease, telemetryApis } from '../../../electron/kafka/releases';
import { decodeTelemetryPayload, otlpMetricsDataType } from '../../../electron/services/client-metrics/otlp';
import { RawClient } from './raw-client';

const CLIENT_METRICS = 16;
const SET = 0;
const DELETE = 1;
const APPEND = 2;

/** An OTLP MetricsData with one sum and one gauge, as a Java client's telemetry reporter pushes. */
function otlpPayload(value: number): Buffer {
  const type = otlpMetricsDataType();
  const now = BigInt(Date.now()) * 1_000_000n;
  const message = type.fromObject({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'client_id', value: { stringValue: 'telemetry-test' } }] },
        scopeMetrics: [
          {
            scope: { name: 'org.apache.kafka' },
            metrics: [
              {
                name: 'org.apache.kafka.producer.record.send.total',
                unit: '1',
                sum: {
                  dataPoints: [{ asDouble: value, timeUnixNano: now.toString(), attributes: [{ key: 'topic', value: { stringValue: 'orders' } }] }],
                  aggregationTemporality: 1,
                  isMonotonic: true,
                },
              },
              { name: 'org.apache.kafka.producer.connection.creation.rate', gauge: { dataPoints: [{ asDouble: 0.5, timeUnixNano: now.toString() }] } },
            ],
          },
        ],
      },
    ],
  });
  return Buffer.from(type.encode(message).finish());
}

let cluster: EmbeddedCluster;
let dataDir: string;
let raw: RawClient;
let admin: Admin;
const first = () => cluster.bootstrapServers().split(',')[0]!;

async function alter(name: string, configs: Array<{ name: string; configOperation: number; value: string | null }>, validateOnly = false) {
  const answer = await raw.call(IncrementalAlterConfigs, 1, { resources: [{ resourceType: CLIENT_METRICS, resourceName: name, configs }], validateOnly });
  return answer.responses[0]!;
}

async function startCluster(config: Record<string, string> = { 'telemetry.max.bytes': '4096', 'telemetry.receiver.enable': 'true' }): Promise<void> {
  cluster = await EmbeddedCluster.start({ brokers: 2, basePort: 0, dataDir, logger: silentLogger, config });
  raw = await RawClient.open(first(), 'telemetry-raw');
  admin = new Admin({ clientId: 'telemetry-admin', bootstrapBrokers: [first()] });
}

async function stopCluster(): Promise<void> {
  raw?.close();
  await admin?.close();
  await cluster?.close();
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kd-telemetry-'));
  await startCluster();
}, 60_000);

afterAll(async () => {
  await stopCluster();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('CLIENT_METRICS config resources', () => {
  it("are created, appended to and described with @platformatic/kafka's Admin, and listed by ListClientMetricsResources and ListConfigResources", async () => {
    await admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: CLIENT_METRICS,
          resourceName: 'producers',
          configs: [
            { name: 'metrics', configOperation: SET, value: 'org.apache.kafka.producer.' },
            { name: 'interval.ms', configOperation: SET, value: '1000' },
            { name: 'match', configOperation: SET, value: 'client_id=telemetry-.*' },
          ],
        },
      ],
    });
    await admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: CLIENT_METRICS,
          resourceName: 'producers',
          configs: [{ name: 'metrics', configOperation: APPEND, value: 'org.apache.kafka.consumer.' }],
        },
      ],
    });
    const [described] = await admin.describeConfigs({ resources: [{ resourceType: CLIENT_METRICS, resourceName: 'producers' }] });
    const configs = Object.fromEntries(described!.configs.map((c) => [c.name, c.value]));
    expect(configs).toEqual({ metrics: 'org.apache.kafka.producer.,org.apache.kafka.consumer.', 'interval.ms': '1000', match: 'client_id=telemetry-.*' });
    expect(described!.configs.every((c) => c.configSource === 7)).toBe(true);

    const connection = new Connection('telemetry-admin');
    try {
      const [host, port] = first().split(':');
      await connection.connect(host!, Number(port));
      const listed = await listClientMetricsResourcesV0.api.async(connection);
      expect(listed.configResources.map((r) => r.resourceName)).toEqual(['producers']);
      const v1 = await listConfigResourcesV1.api.async(connection, [CLIENT_METRICS]);
      expect(v1.configResources).toEqual([{ resourceName: 'producers', resourceType: CLIENT_METRICS }]);
      const all = await listConfigResourcesV1.api.async(connection, []);
      expect(all.configResources).toEqual(
        expect.arrayContaining([
          { resourceName: '0', resourceType: 4 },
          { resourceName: '1', resourceType: 4 },
          { resourceName: 'producers', resourceType: CLIENT_METRICS },
        ]),
      );
    } finally {
      await connection.close();
    }
  });

  it('are validated as Kafka validates them, with the reason', async () => {
    const unknown = await alter('bad', [{ name: 'metric', configOperation: SET, value: '*' }]);
    expect(unknown).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: expect.stringContaining('Unknown client metrics configuration: metric'),
    });
    const fast = await alter('bad', [{ name: 'interval.ms', configOperation: SET, value: '50' }]);
    expect(fast).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: expect.stringContaining('interval must be between 100 and 3600000') });
    const word = await alter('bad', [{ name: 'interval.ms', configOperation: SET, value: 'soon' }]);
    expect(word).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: expect.stringContaining('Not a number of type INT') });
    for (const match of ['client=x', 'client_id', 'client_id=a=b', 'client_id=(unclosed']) {
      const illegal = await alter('bad', [{ name: 'match', configOperation: SET, value: match }]);
      expect(illegal, match).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: expect.stringContaining('Illegal client matching pattern') });
    }
    const unnamed = await alter('', [{ name: 'metrics', configOperation: SET, value: '*' }]);
    expect(unnamed.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    const appendToInt = await alter('bad', [{ name: 'interval.ms', configOperation: APPEND, value: '100' }]);
    expect(appendToInt.errorCode).toBe(ErrorCode.INVALID_CONFIG);
    // Validate-only changes nothing; nothing refused was created.
    expect((await alter('checked', [{ name: 'metrics', configOperation: SET, value: '*' }], true)).errorCode).toBe(ErrorCode.NONE);
    expect(cluster.controller.clientMetrics.names()).toEqual(['producers']);
    const described = await raw.call(DescribeConfigs, 4, {
      resources: [{ resourceType: CLIENT_METRICS, resourceName: 'checked', configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    expect(described.results[0]).toMatchObject({ errorCode: ErrorCode.NONE, configs: [] });
  });
});

describe('GetTelemetrySubscriptions and PushTelemetry', () => {
  it("give @platformatic/kafka's encoders an instance id and the matching subscription, and keep the latest push for the app", async () => {
    const connection = new Connection('telemetry-test');
    try {
      const [host, port] = first().split(':');
      await connection.connect(host!, Number(port));
      const subscription = await getTelemetrySubscriptionsV0.api.async(connection, ZERO_UUID);
      expect(subscription).toMatchObject({
        errorCode: 0,
        pushIntervalMs: 1000,
        telemetryMaxBytes: 4096,
        deltaTemporality: true,
        acceptedCompressionTypes: [4, 3, 1, 2],
        requestedMetrics: ['org.apache.kafka.consumer.', 'org.apache.kafka.producer.'],
      });
      expect(subscription.clientInstanceId).not.toBe(ZERO_UUID);
      // The push right after the subscription is accepted; gzip (1) is decompressed for the app.
      await pushTelemetryV0.api.async(connection, subscription.clientInstanceId, subscription.subscriptionId, false, 1, gzipSync(otlpPayload(42)));
      const pushed = cluster.telemetry.list().find((p) => p.clientInstanceId === subscription.clientInstanceId)!;
      expect(pushed).toMatchObject({
        clientId: 'telemetry-test',
        subscriptionId: subscription.subscriptionId,
        compressionType: 1,
        terminating: false,
        pushes: 1,
      });
      const decoded = decodeTelemetryPayload(pushed.payload, pushed.compressionType);
      expect(decoded.resource).toEqual({ client_id: 'telemetry-test' });
      const sent = decoded.metrics.find((m) => m.name === 'org.apache.kafka.producer.record.send.total')!;
      expect(sent).toMatchObject({ kind: 'sum', temporality: 'delta', monotonic: true });
      expect(sent.points[0]).toMatchObject({ value: 42, attributes: { topic: 'orders' } });
      // Too early for the next one: THROTTLING_QUOTA_EXCEEDED (the library throws on an error code).
      await expect(
        pushTelemetryV0.api.async(connection, subscription.clientInstanceId, subscription.subscriptionId, false, 0, otlpPayload(43)),
      ).rejects.toMatchObject({ response: { errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED } });
    } finally {
      await connection.close();
    }
  });

  it('refuse a reserved instance id, an unknown subscription, an unknown codec, too many bytes, pushes after the terminating one', async () => {
    const client = await RawClient.open(first(), 'wire-client');
    try {
      const get = (clientInstanceId = ZERO_UUID) => client.call(GetTelemetrySubscriptions, 0, { clientInstanceId });
      const push = (body: { clientInstanceId: string; subscriptionId: number; compressionType?: number; terminating?: boolean; metrics?: Buffer }) =>
        client.call(PushTelemetry, 0, { compressionType: 0, terminating: false, metrics: otlpPayload(1), ...body });
      expect((await push({ clientInstanceId: ZERO_UUID, subscriptionId: 0 })).errorCode).toBe(ErrorCode.INVALID_REQUEST);

      const given = await get();
      // Matches no subscription: nothing requested, the default interval (5 minutes).
      expect(given).toMatchObject({ errorCode: ErrorCode.NONE, requestedMetrics: [], pushIntervalMs: 300_000 });
      const id = given.clientInstanceId;
      expect((await get(id)).errorCode).toBe(ErrorCode.THROTTLING_QUOTA_EXCEEDED);
      expect((await push({ clientInstanceId: id, subscriptionId: given.subscriptionId + 1 })).errorCode).toBe(ErrorCode.UNKNOWN_SUBSCRIPTION_ID);
      // After UNKNOWN_SUBSCRIPTION_ID the client must ask again at once: not throttled.
      const again = await get(id);
      expect(again).toMatchObject({ errorCode: ErrorCode.NONE, clientInstanceId: id, subscriptionId: given.subscriptionId });
      expect((await push({ clientInstanceId: id, subscriptionId: again.subscriptionId, compressionType: 9 })).errorCode).toBe(
        ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      );

      const other = await get();
      const big = Buffer.alloc(4097, 1);
      expect((await push({ clientInstanceId: other.clientInstanceId, subscriptionId: other.subscriptionId, metrics: big })).errorCode).toBe(
        ErrorCode.TELEMETRY_TOO_LARGE,
      );

      const closing = await get();
      const last = { clientInstanceId: closing.clientInstanceId, subscriptionId: closing.subscriptionId, terminating: true };
      expect((await push(last)).errorCode).toBe(ErrorCode.NONE);
      expect(cluster.telemetry.list().find((p) => p.clientInstanceId === closing.clientInstanceId)?.terminating).toBe(true);
      expect((await push(last)).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    } finally {
      client.close();
    }
  });

  it('re-evaluate a client when the subscriptions change: it gets the new set at once', async () => {
    const client = await RawClient.open(first(), 'late-client');
    try {
      const before = await client.call(GetTelemetrySubscriptions, 0, { clientInstanceId: ZERO_UUID });
      expect(before.requestedMetrics).toEqual([]);
      expect((await alter('everyone', [{ name: 'metrics', configOperation: SET, value: '*' }])).errorCode).toBe(ErrorCode.NONE);
      const after = await client.call(GetTelemetrySubscriptions, 0, { clientInstanceId: before.clientInstanceId });
      expect(after).toMatchObject({ errorCode: ErrorCode.NONE, requestedMetrics: ['*'], pushIntervalMs: 300_000 });
      expect(after.subscriptionId).not.toBe(before.subscriptionId);
      // Deleting every config deletes the subscription.
      expect((await alter('everyone', [{ name: 'metrics', configOperation: DELETE, value: null }])).errorCode).toBe(ErrorCode.NONE);
      expect(cluster.controller.clientMetrics.names()).toEqual(['producers']);
    } finally {
      client.close();
    }
  });
});

describe('persistence and releases', () => {
  it('keeps subscriptions across a restart of the cluster', async () => {
    await stopCluster();
    await startCluster();
    const described = await raw.call(DescribeConfigs, 4, {
      resources: [{ resourceType: CLIENT_METRICS, resourceName: 'producers', configurationKeys: ['interval.ms'] }],
      includeSynonyms: false,
      includeDocumentation: true,
    });
    expect(described.results[0]!.configs).toEqual([expect.objectContaining({ name: 'interval.ms', value: '1000', configSource: 7, configType: 3 })]);
  }, 60_000);

  it('advertises 71 and 72 with telemetry.receiver.enable only, 74 v0-1 without a release, v0 on 4.0, v0-1 on 4.1, none on 3.9 (ZooKeeper) or 3.6', async () => {
    const versions = await raw.call(ApiVersions, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
    const range = (key: number) => versions.apiKeys.find((k) => k.apiKey === key);
    expect([range(71), range(72), range(74)]).toEqual([
      { apiKey: 71, minVersion: 0, maxVersion: 0 },
      { apiKey: 72, minVersion: 0, maxVersion: 0 },
      { apiKey: 74, minVersion: 0, maxVersion: 1 },
    ]);
    const registry = createRegistry();
    expect(advertisedApisFor(registry, '4.0').range(74)).toEqual([0, 0]);
    expect(advertisedApisFor(registry, '4.1').range(74)).toEqual([0, 1]);
    for (const release of ['4.0', '4.1', '3.9', '3.6'] as const) {
      expect(advertisedApisFor(registry, release).range(71), release).toBeUndefined();
      expect(advertisedApisFor(registry, release).notImplemented, release).not.toContain('ListClientMetricsResources');
    }
    expect(advertisedApisFor(registry, '3.9').range(74)).toBeUndefined();
    // telemetry.receiver.enable=true: as a 4.0 broker with a telemetry reporter (KRaft 3.7+ only); such
    // a broker of Apache Kafka is still read as 4.0.
    const withReceiver = advertisedApisFor(registry, '4.0', { clientTelemetry: true });
    expect([withReceiver.range(71), withReceiver.range(72)]).toEqual([
      [0, 0],
      [0, 0],
    ]);
    const stock = Object.entries({ ...advertisedApis('4.0'), ...telemetryApis('4.0') }).map(([key, [minVersion, maxVersion]]) => ({
      apiKey: Number(key),
      minVersion,
      maxVersion,
    }));
    expect(detectRelease(stock)).toEqual({ from: '4.0', to: '4.0', exact: true });
    expect(advertisedApisFor(registry, '3.9', { clientTelemetry: true }).range(71)).toBeUndefined();
    // A stock broker (no telemetry reporter) lists neither.
    expect(advertisedApisFor(registry).range(72)).toBeUndefined();
    expect(advertisedApisFor(registry).range(74)).toEqual([0, 1]);
  });

  it('refuses CLIENT_METRICS resources on a cluster playing Kafka 3.9 (ZooKeeper) and 3.6, in Kafka words', async () => {
    for (const [release, words] of [
      ['3.9', 'only supported on KRaft clusters'],
      ['3.6', 'client metrics came with Kafka 3.7'],
    ] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'kd-telemetry-old-'));
      const old = await EmbeddedCluster.start({ brokers: 1, basePort: 0, dataDir: dir, logger: silentLogger, kafkaVersion: release });
      const client = await RawClient.open(old.bootstrapServers());
      try {
        const answer = await client.call(IncrementalAlterConfigs, 1, {
          resources: [{ resourceType: CLIENT_METRICS, resourceName: 'x', configs: [{ name: 'metrics', configOperation: SET, value: '*' }] }],
          validateOnly: false,
        });
        expect(answer.responses[0], release).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: expect.stringContaining(words) });
      } finally {
        client.close();
        await old.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }, 60_000);

  it('answers ListClientMetricsResources v1 INVALID_REQUEST for a resource type it does not know', async () => {
    const answer = await raw.call(ListClientMetricsResources, 1, { resourceTypes: [99] });
    expect(answer.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });
});
