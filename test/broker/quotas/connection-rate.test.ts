/**
 * Connection creation rates (KIP-612, Kafka's ConnectionQuotas): connection_creation_rate on an IP (its
 * own quota over the default IP's) and the broker-wide max.connection.creation.rate. Rates are measured
 * over at least 10 windows of a second, so with a rate of 1 the first 10 connections are accepted and the
 * 11th finds the rate at 1.1: over an IP's rate it is held unread and closed after the throttle time
 * (0.1 / 1 × 10 s = 1000 ms, Kafka's bound of one window); over the broker's rate the acceptor waits that
 * long before it takes it, and then serves it. Storms are bounded in count, times checked as lower bounds.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiVersions, createApiVersionsRequest } from '../../../electron/kafka/protocol/generated/index';
import { encodeRequestFrame } from '../../../electron/kafka/protocol/headers';
import { KCAT, run, startTestCluster, type TestCluster } from '../clients/helpers';

let t: TestCluster | null = null;

afterEach(async () => {
  await t?.close();
  t = null;
});

interface Probe {
  answered: boolean;
  /** From before the connection was opened until it was answered or closed. */
  elapsedMs: number;
}

/** Opens a connection (from `localAddress`), sends ApiVersions and waits for the answer or the close. */
function probe(bootstrap: string, localAddress = '127.0.0.1'): Promise<Probe> {
  const [host, port] = bootstrap.split(':');
  const startedAt = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port), localAddress }, () => {
      socket.write(Buffer.concat(encodeRequestFrame(ApiVersions, 0, 1, 'kd-probe', createApiVersionsRequest())));
    });
    let answered = false;
    socket.on('data', () => {
      answered = true;
      socket.destroy();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET') reject(error);
    });
    socket.on('close', () => resolve({ answered, elapsedMs: Date.now() - startedAt }));
  });
}

function setIpRate(ip: string | null, rate: number): void {
  expect(t!.cluster.controller.clientQuotas.alter([{ entityType: 'ip', entityName: ip }], [{ key: 'connection_creation_rate', value: rate }])).toBeNull();
}

describe('connection_creation_rate per IP (KIP-612)', () => {
  it('closes unserved, after the throttle time, the connections over their IP rate; a specific IP quota takes precedence over the default', async () => {
    t = await startTestCluster();
    setIpRate(null, 1);
    setIpRate('127.0.0.2', 1000);
    const fromDefault = await Promise.all(Array.from({ length: 14 }, () => probe(t!.bootstrap)));
    expect(fromDefault.filter((p) => p.answered)).toHaveLength(10);
    const throttled = fromDefault.filter((p) => !p.answered);
    expect(throttled).toHaveLength(4);
    for (const p of throttled) expect(p.elapsedMs).toBeGreaterThanOrEqual(950);
    // 127.0.0.2 has its own quota, which the default does not override.
    const fromOwn = await Promise.all(Array.from({ length: 14 }, () => probe(t!.bootstrap, '127.0.0.2')));
    expect(fromOwn.every((p) => p.answered)).toBe(true);
    const byIp = Object.fromEntries(
      t.cluster
        .broker(0)
        .connectionQuotas.snapshot()
        .map((s) => [s.ip, s]),
    );
    expect(byIp['127.0.0.1']).toMatchObject({ accepted: 10, throttled: 4 });
    expect(byIp['127.0.0.2']).toMatchObject({ accepted: 14, throttled: 0 });
    // Removing the quotas lifts the limit at once.
    t.cluster.controller.clientQuotas.alter([{ entityType: 'ip', entityName: null }], [{ key: 'connection_creation_rate', value: null }]);
    expect((await probe(t.bootstrap)).answered).toBe(true);
    expect(t.errors).toEqual([]);
  });

  it('a kcat connection storm over the IP rate: some kcat runs get their metadata, the others fail without an answer', async () => {
    t = await startTestCluster();
    setIpRate('127.0.0.1', 1);
    const storm = await Promise.all(
      Array.from({ length: 12 }, () => run(KCAT, ['-b', t!.bootstrap, '-L', '-J', '-m', '3', '-X', 'reconnect.backoff.max.ms=200'], { timeoutMs: 20_000 })),
    );
    const succeeded = storm.filter((r) => r.code === 0);
    const failed = storm.filter((r) => r.code !== 0);
    expect(succeeded.length).toBeGreaterThan(0);
    expect(failed.length).toBeGreaterThan(0);
    for (const r of succeeded) expect(JSON.parse(r.stdout)).toMatchObject({ brokers: [{ id: 0 }] });
    for (const r of failed) expect(r.timedOut).toBe(false);
    const ip = t.cluster
      .broker(0)
      .connectionQuotas.snapshot()
      .find((s) => s.ip === '127.0.0.1')!;
    expect(ip.accepted).toBeLessThanOrEqual(10);
    expect(ip.throttled).toBeGreaterThan(0);
    expect(t.errors).toEqual([]);
  }, 30_000);
});

describe('max.connection.creation.rate (KIP-612, broker-wide)', () => {
  it('delays the connections over the rate instead of refusing them: all are answered, the 11th and 12th a window apart', async () => {
    t = await startTestCluster({ config: { 'max.connection.creation.rate': '1' } });
    // The test cluster's own start made no connection; these are the first.
    const probes = await Promise.all(Array.from({ length: 12 }, () => probe(t!.bootstrap)));
    expect(probes.every((p) => p.answered)).toBe(true);
    // The acceptor waited one window before the 11th and one more before the 12th.
    expect(Math.max(...probes.map((p) => p.elapsedMs))).toBeGreaterThanOrEqual(1950);
    expect(t.errors).toEqual([]);
  });
});
