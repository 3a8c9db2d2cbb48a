/**
 * Connection creation rates on a TLS listener (KIP-612): Kafka's acceptor counts a connection when it
 * accepts it, before the TLS handshake (the handshake runs later, in a processor), so a flood of TLS
 * connections is limited without the broker doing their handshakes. Here: TCP connections that never
 * send a byte count against their IP's rate; a connection over it is closed after its throttle time
 * without a handshake; over the broker-wide rate, TLS clients wait and are then served, their
 * ClientHello (sent while they waited) intact. Times are checked as lower bounds only.
 */
import { readFileSync } from 'node:fs';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiVersions, createApiVersionsRequest } from '../../../electron/kafka/protocol/generated/index';
import { encodeRequestFrame } from '../../../electron/kafka/protocol/headers';
import { startSecuredCluster, type SecuredCluster } from '../security/helpers';

let t: SecuredCluster | null = null;
const idle: Socket[] = [];

afterEach(async () => {
  for (const socket of idle.splice(0)) socket.destroy();
  await t?.close();
  t = null;
});

interface TlsProbe {
  /** The TLS handshake completed. */
  handshaken: boolean;
  /** ApiVersions was answered over it. */
  answered: boolean;
  /** From before the connection was opened until it was answered or closed. */
  elapsedMs: number;
}

/** Opens a TLS connection (from `localAddress`), sends ApiVersions once the handshake is done, and waits for the answer or the close. */
function tlsProbe(bootstrap: string, ca: Buffer, localAddress = '127.0.0.1'): Promise<TlsProbe> {
  const [host, port] = bootstrap.split(':');
  const startedAt = Date.now();
  return new Promise((resolve) => {
    let handshaken = false;
    let answered = false;
    // The TCP connection from `localAddress`, the TLS client over it.
    const tcp = connectTcp({ host, port: Number(port), localAddress });
    tcp.on('error', () => {});
    const socket = connectTls({ socket: tcp, ca, servername: 'localhost' }, () => {
      handshaken = true;
      socket.write(Buffer.concat(encodeRequestFrame(ApiVersions, 0, 1, 'kd-tls-probe', createApiVersionsRequest())));
    });
    socket.on('data', () => {
      answered = true;
      socket.destroy();
    });
    // A throttled connection is closed before the handshake: "socket disconnected before secure TLS connection was established".
    socket.on('error', () => {});
    socket.on('close', () => resolve({ handshaken, answered, elapsedMs: Date.now() - startedAt }));
  });
}

/** A TCP connection that never sends a byte (no ClientHello), kept open until the test ends. */
function idleTcp(bootstrap: string): Promise<Socket> {
  const [host, port] = bootstrap.split(':');
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host, port: Number(port), localAddress: '127.0.0.1' }, () => resolve(socket));
    socket.once('error', reject);
    idle.push(socket);
  });
}

function setIpRate(ip: string | null, rate: number): void {
  expect(t!.cluster.controller.clientQuotas.alter([{ entityType: 'ip', entityName: ip }], [{ key: 'connection_creation_rate', value: rate }])).toBeNull();
}

const ipSnapshot = (ip: string) =>
  t!.cluster
    .broker(0)
    .connectionQuotas.snapshot()
    .find((s) => s.ip === ip);

describe('connection creation rates on a TLS listener (KIP-612)', () => {
  it('counts a connection when it is accepted, before any byte of its TLS handshake', async () => {
    t = await startSecuredCluster({ protocol: 'SSL' });
    const ca = readFileSync(t.caLocation);
    setIpRate(null, 1);
    setIpRate('127.0.0.2', 1000);
    // Ten TCP connections that never start a handshake use up 127.0.0.1's rate (1/s over 10 windows).
    const firstOpenedAt = Date.now();
    for (let i = 0; i < 10; i++) await idleTcp(t.bootstrap);
    await expect.poll(() => ipSnapshot('127.0.0.1')?.accepted).toBe(10);
    // So a TLS client from there is closed after its throttle time, without a handshake. The rate is
    // 11 over 10 s plus the time e since the first of them, so the throttle is 1000 ms - e: the close
    // comes no sooner than a window after the first connection.
    const throttled = await tlsProbe(t.bootstrap, ca);
    expect(throttled).toMatchObject({ handshaken: false, answered: false });
    expect(Date.now() - firstOpenedAt).toBeGreaterThanOrEqual(950);
    expect(ipSnapshot('127.0.0.1')).toMatchObject({ accepted: 10, throttled: 1 });
    // Another IP, with a quota of its own, is served.
    expect(await tlsProbe(t.bootstrap, ca, '127.0.0.2')).toMatchObject({ handshaken: true, answered: true });
  });

  it('a flood of TLS clients over the IP rate: the first 10 are served, the others closed unserved without a handshake', async () => {
    t = await startSecuredCluster({ protocol: 'SSL' });
    const ca = readFileSync(t.caLocation);
    setIpRate('127.0.0.1', 1);
    const flood = await Promise.all(Array.from({ length: 14 }, () => tlsProbe(t!.bootstrap, ca)));
    expect(flood.filter((p) => p.answered)).toHaveLength(10);
    const refused = flood.filter((p) => !p.answered);
    expect(refused).toHaveLength(4);
    for (const p of refused) {
      expect(p.handshaken).toBe(false);
      expect(p.elapsedMs).toBeGreaterThanOrEqual(950);
    }
    expect(ipSnapshot('127.0.0.1')).toMatchObject({ accepted: 10, throttled: 4 });
    // No handshake was attempted for them, so none failed.
    expect(t.warnings.filter((line) => line.includes('TLS handshake failed'))).toEqual([]);
    expect(t.errors).toEqual([]);
  });

  it('over max.connection.creation.rate, TLS clients wait for the acceptor and are then served, their ClientHello intact', async () => {
    t = await startSecuredCluster({ protocol: 'SSL', config: { 'max.connection.creation.rate': '1' } });
    const ca = readFileSync(t.caLocation);
    const probes = await Promise.all(Array.from({ length: 12 }, () => tlsProbe(t!.bootstrap, ca)));
    expect(probes.every((p) => p.handshaken && p.answered)).toBe(true);
    // The 11th and the 12th waited a window each, their handshakes sent meanwhile.
    expect(Math.max(...probes.map((p) => p.elapsedMs))).toBeGreaterThanOrEqual(1950);
    expect(t.errors).toEqual([]);
  });
});
