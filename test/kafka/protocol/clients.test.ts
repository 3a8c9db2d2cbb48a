/**
 * The first request real clients send, captured from kafkajs and kcat (librdkafka) against a plain TCP
 * server, decoded field by field and re-encoded byte for byte.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiVersions, encodeApiVersionsRequest } from '../../../electron/kafka/protocol/generated/index';
import { decodeRequestHeader, encodeRequestHeader } from '../../../electron/kafka/protocol/headers';
import { Reader } from '../../../electron/kafka/protocol/reader';
import { Writer } from '../../../electron/kafka/protocol/writer';

const KCAT = '/usr/bin/kcat';

/** Listens on 127.0.0.1:0 and resolves with the first complete frame (size prefix excluded) a client sends. */
async function captureFirstFrame(): Promise<{ port: number; frame: Promise<Buffer>; server: Server }> {
  let resolveFrame!: (b: Buffer) => void;
  const frame = new Promise<Buffer>((resolve) => (resolveFrame = resolve));
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 4) {
        const size = buffered.readInt32BE(0);
        if (buffered.length >= 4 + size) {
          resolveFrame(buffered.subarray(4, 4 + size));
          socket.destroy();
        }
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, frame, server };
}

function reencode(frame: Buffer): Buffer {
  const r = new Reader(frame);
  const result = decodeRequestHeader(r);
  if (result.kind !== 'ok') throw new Error(`unexpected ${result.kind}`);
  const body = result.descriptor.decodeRequest(r, result.header.apiVersion);
  expect(r.remaining).toBe(0);
  const w = new Writer();
  encodeRequestHeader(w, result.headerVersion, result.header);
  result.descriptor.encodeRequest(w, result.header.apiVersion, body);
  return w.toBuffer();
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('first requests of real clients', () => {
  it('kafkajs: ApiVersions v2 with request header v1', async () => {
    const { port, frame, server } = await captureFirstFrame();
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const kafka = new Kafka({
      clientId: 'kafka-desk-test',
      brokers: [`127.0.0.1:${port}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 2000,
      requestTimeout: 2000,
    });
    const admin = kafka.admin();
    const connecting = admin.connect().catch(() => undefined);
    const bytes = await frame;
    await connecting;
    await admin.disconnect().catch(() => undefined);

    // Hand-checked layout: apiKey 18, version 2, correlation id 0, client id, empty body.
    const clientIdHex = Buffer.from('kafka-desk-test').toString('hex');
    expect(bytes.toString('hex')).toBe('0012' + '0002' + '00000000' + '000f' + clientIdHex);

    const r = new Reader(bytes);
    const result = decodeRequestHeader(r);
    expect(result.kind).toBe('ok');
    expect(result.headerVersion).toBe(1);
    expect(result.header).toMatchObject({ apiKey: 18, apiVersion: 2, correlationId: 0, clientId: 'kafka-desk-test' });
    expect(ApiVersions.decodeRequest(r, 2)).toMatchObject({ clientSoftwareName: '', clientSoftwareVersion: '' });
    expect(reencode(bytes).equals(bytes)).toBe(true);
  });

  it('kcat (librdkafka): ApiVersions v3 with request header v2 and client software fields', async () => {
    if (!existsSync(KCAT)) {
      throw new Error(`${KCAT} is missing: install Debian's kcat package (apt-get install kcat) to run this test`);
    }
    const { port, frame, server } = await captureFirstFrame();
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const child = spawn(KCAT, ['-b', `127.0.0.1:${port}`, '-L', '-m', '2'], { stdio: 'ignore' });
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const bytes = await frame;

    const r = new Reader(bytes);
    const result = decodeRequestHeader(r);
    expect(result.kind).toBe('ok');
    if (result.kind !== 'ok') return;
    expect(result.headerVersion).toBe(2);
    expect(result.header.apiKey).toBe(18);
    expect(result.header.apiVersion).toBe(3);
    expect(typeof result.header.correlationId).toBe('number');
    expect(result.header.clientId).toBe('rdkafka');
    expect(result.header.unknownTaggedFields).toBeUndefined();
    const body = ApiVersions.decodeRequest(r, 3);
    expect(r.remaining).toBe(0);
    expect(body.clientSoftwareName).toBe('librdkafka');
    expect(body.clientSoftwareVersion).toMatch(/^\d+\.\d+\.\d+/);

    // Hand-checked layout of the body: two compact strings and an empty tagged section.
    const w = new Writer();
    encodeApiVersionsRequest(w, 3, body);
    const name = Buffer.from('librdkafka');
    const version = Buffer.from(body.clientSoftwareVersion);
    expect(w.toBuffer().equals(Buffer.concat([Buffer.from([name.length + 1]), name, Buffer.from([version.length + 1]), version, Buffer.from([0])]))).toBe(true);
    expect(reencode(bytes).equals(bytes)).toBe(true);
  });
});
