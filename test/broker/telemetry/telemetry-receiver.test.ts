// The embedded cluster's telemetry receiver keeps each client instance's latest push and no more than
// its bounds (instances, bytes), forgetting those that pushed longest ago; a payload that is not OTLP is
// said to be so when the app decodes it.
import { describe, expect, it } from 'vitest';
import { TelemetryReceiver, type PushedTelemetry } from '../../../electron/broker/telemetry/telemetry-receiver';
import { decodeTelemetryPayload } from '../../../electron/services/client-metrics/otlp';

const push = (id: string, bytes: number, at: number, extra: Partial<PushedTelemetry> = {}): Omit<PushedTelemetry, 'pushes'> => ({
  clientInstanceId: id,
  clientId: `client-${id}`,
  softwareName: null,
  softwareVersion: null,
  sourceAddress: '127.0.0.1',
  sourcePort: '50000',
  brokerId: 0,
  subscriptionId: 1,
  requestedMetrics: ['*'],
  pushIntervalMs: 1000,
  compressionType: 0,
  payload: Buffer.alloc(bytes, 1),
  at,
  terminating: false,
  ...extra,
});

describe('TelemetryReceiver', () => {
  it('keeps the latest push per instance, most recent first, and counts pushes', () => {
    const receiver = new TelemetryReceiver();
    receiver.export(push('a', 10, 1));
    receiver.export(push('b', 10, 2));
    receiver.export(push('a', 20, 3));
    expect(receiver.list().map((p) => [p.clientInstanceId, p.payload.length, p.pushes])).toEqual([
      ['a', 20, 2],
      ['b', 10, 1],
    ]);
    expect(receiver.bytes).toBe(30);
    // A terminating push without metrics keeps the metrics of the one before.
    receiver.export(push('a', 0, 4, { terminating: true }));
    expect(receiver.list()[0]).toMatchObject({ clientInstanceId: 'a', terminating: true, pushes: 3, at: 4 });
    expect(receiver.list()[0]!.payload.length).toBe(20);
  });

  it('forgets the instances that pushed longest ago beyond its instance and byte bounds', () => {
    const receiver = new TelemetryReceiver({ maxClients: 3, maxBytes: 100 });
    for (const [i, id] of ['a', 'b', 'c', 'd'].entries()) receiver.export(push(id, 10, i));
    expect(receiver.list().map((p) => p.clientInstanceId)).toEqual(['d', 'c', 'b']);
    receiver.export(push('e', 90, 10));
    expect(receiver.list().map((p) => p.clientInstanceId)).toEqual(['e', 'd']);
    expect(receiver.bytes).toBe(100);
  });
});

describe('decodeTelemetryPayload', () => {
  it('throws on a payload that is not OTLP MetricsData, and on an unknown codec', () => {
    expect(() => decodeTelemetryPayload(Buffer.from([0xff, 0xff, 0xff, 0xff]), 0)).toThrow();
    expect(() => decodeTelemetryPayload(Buffer.from('not gzip'), 1)).toThrow();
  });
});
