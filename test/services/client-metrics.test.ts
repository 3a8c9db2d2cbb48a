/**
 * Client metrics through the app (#16, KIP-714): subscriptions created, refused, edited and deleted on
 * the embedded cluster; a client (@platformatic/kafka's telemetry encoders) that pushes OTLP metrics
 * shows with its decoded metrics; a cluster playing Kafka 3.6 is said to need 3.7; another cluster's
 * pushed metrics are said to be out of reach.
 */
import { Connection, getTelemetrySubscriptionsV0, pushTelemetryV0 } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_CONNECTION_ID } from '../../shared/model/schemas';
import { ZERO_UUID } from '../../electron/kafka/protocol/uuid';
import { otlpMetricsDataType } from '../../electron/services/client-metrics/otlp';
import { UNSUPPORTED } from '../../electron/services/client-metrics/service';
import { startTestCluster, type TestCluster } from '../broker/clients/helpers';
import { startCore, type TestCore } from './helpers';

let app: TestCore;
let old: TestCluster;
let other: TestCluster;

beforeAll(async () => {
  [app, old, other] = await Promise.all([startCore({ brokers: 1 }), startTestCluster({ kafkaVersion: '3.6' }), startTestCluster()]);
}, 90_000);

afterAll(async () => {
  await app?.close();
  await Promise.all([old?.close(), other?.close()]);
});

const connectionId = EMBEDDED_CONNECTION_ID;
const save = (
  name: string,
  create: boolean,
  fields: Partial<{ metrics: string[]; intervalMs: number; match: Array<{ selector: 'client_id'; pattern: string }> }> = {},
) => app.call('clientMetrics.save', { connectionId, name, create, metrics: ['org.apache.kafka.producer.'], intervalMs: 60_000, match: [], ...fields });

function metricsPayload(): Buffer {
  const type = otlpMetricsDataType();
  return Buffer.from(
    type
      .encode(
        type.fromObject({
          resourceMetrics: [
            {
              resource: { attributes: [{ key: 'client_software_name', value: { stringValue: 'apache-kafka-java' } }] },
              scopeMetrics: [
                {
                  metrics: [
                    {
                      name: 'org.apache.kafka.producer.request.latency.avg',
                      unit: 'ms',
                      gauge: { dataPoints: [{ asDouble: 3.5, timeUnixNano: (BigInt(Date.now()) * 1_000_000n).toString() }] },
                    },
                  ],
                },
              ],
            },
          ],
        }),
      )
      .finish(),
  );
}

describe('client metrics in the app', () => {
  it('creates, refuses, edits and deletes subscriptions on the embedded cluster', async () => {
    const empty = await app.ok('clientMetrics.overview', { connectionId });
    expect(empty).toEqual({ unsupported: null, subscriptions: [], telemetry: { available: true, note: null, clients: [] } });

    const created = await save('orders', true, { match: [{ selector: 'client_id', pattern: 'orders-.*' }] });
    expect(created.ok && created.value.subscriptions).toEqual([
      { name: 'orders', metrics: ['org.apache.kafka.producer.'], intervalMs: 60_000, match: [{ selector: 'client_id', pattern: 'orders-.*' }] },
    ]);
    const twice = await save('orders', true);
    expect(twice.ok ? null : twice.error).toMatchObject({ kind: 'conflict', message: expect.stringContaining('exists already') });
    // The broker's validation, in Kafka's words: RE2 cannot compile the pattern.
    const bad = await save('orders', false, { match: [{ selector: 'client_id', pattern: '(unclosed' }] });
    expect(bad.ok ? null : bad.error).toMatchObject({ kind: 'invalid-request', message: expect.stringContaining('Illegal client matching pattern') });
    // The main process's schema: an interval out of Kafka's range never reaches the cluster.
    const fast = await save('orders', false, { intervalMs: 50 });
    expect(fast.ok ? null : fast.error.message).toContain('at least 100 ms');
    const missing = await save('nobody', false);
    expect(missing.ok ? null : missing.error.kind).toBe('not-found');

    const edited = await save('orders', false, { metrics: ['*'], intervalMs: 1000 });
    expect(edited.ok && edited.value.subscriptions).toEqual([{ name: 'orders', metrics: ['*'], intervalMs: 1000, match: [] }]);
  });

  it("shows a client's pushed metrics, decoded, with the subscription it was given", async () => {
    const [host, port] = app.bootstrapServers.split(',')[0]!.split(':');
    const client = new Connection('orders-7');
    try {
      await client.connect(host!, Number(port));
      const given = await getTelemetrySubscriptionsV0.api.async(client, ZERO_UUID);
      expect(given.requestedMetrics).toEqual(['*']);
      await pushTelemetryV0.api.async(client, given.clientInstanceId, given.subscriptionId, false, 0, metricsPayload());
      const overview = await app.ok('clientMetrics.overview', { connectionId });
      const pushed = overview.telemetry.clients.find((c) => c.clientInstanceId === given.clientInstanceId);
      expect(pushed).toMatchObject({ clientId: 'orders-7', requestedMetrics: ['*'], pushIntervalMs: 1000, compression: 'none', decodeError: null });
      expect(pushed?.resource).toEqual({ client_software_name: 'apache-kafka-java' });
      expect(pushed?.metrics).toEqual([
        expect.objectContaining({
          name: 'org.apache.kafka.producer.request.latency.avg',
          unit: 'ms',
          kind: 'gauge',
          points: [expect.objectContaining({ value: 3.5 })],
        }),
      ]);
    } finally {
      await client.close();
    }
    const deleted = await app.ok('clientMetrics.delete', { connectionId, name: 'orders' });
    expect(deleted.subscriptions).toEqual([]);
  });

  it('says a cluster before Kafka 3.7 has no client metrics, and that another cluster keeps pushed metrics to itself', async () => {
    const oldId = (await app.ok('connections.save', { name: 'old', bootstrapServers: old.bootstrap })).id;
    expect(await app.ok('clientMetrics.overview', { connectionId: oldId })).toMatchObject({ unsupported: UNSUPPORTED, subscriptions: [] });
    expect(UNSUPPORTED).toContain('Kafka 3.7 or later');
    const otherId = (await app.ok('connections.save', { name: 'other', bootstrapServers: other.bootstrap })).id;
    const overview = await app.ok('clientMetrics.overview', { connectionId: otherId });
    expect(overview.unsupported).toBeNull();
    expect(overview.telemetry).toMatchObject({ available: false, note: expect.stringContaining('no API to read them back') });
  });
});
