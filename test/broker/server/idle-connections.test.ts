/**
 * connections.max.idle.ms, as Kafka applies it: a connection with no traffic either way for that long
 * is closed, and the broker logs why; a connection in use is not, however long it lives. Against a
 * broker in its own process started with the config, so the setting is tested from the command line to
 * the socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import { ApiVersions } from '../../../electron/kafka/protocol/generated/index';
import { encodeRequestFrame } from '../../../electron/kafka/protocol/headers';
import { RawClient } from '../handlers/raw-client';
import { sleep } from '../../support/wait';
import { closedWithin, openSocket, startBrokerProcess, type BrokerProcess } from './broker-process';

const IDLE_MS = 3000;
let broker: BrokerProcess;

beforeAll(async () => {
  broker = await startBrokerProcess({ config: { 'connections.max.idle.ms': String(IDLE_MS) } });
}, 120_000);

afterAll(async () => {
  await broker?.stop();
});

describe('connections.max.idle.ms', () => {
  it('closes a connection that never sent a byte once it has been idle that long, not before, and logs why', async () => {
    const socket = await openSocket(broker);
    socket.on('error', () => {});
    try {
      // Generous upper bound: a loaded machine runs the broker's timers late, never early.
      const waited = await closedWithin(socket, IDLE_MS + 20_000);
      expect(waited).toBeGreaterThanOrEqual(IDLE_MS - 200);
    } finally {
      socket.destroy();
    }
    await broker.waitForLog(/closing connection .*idle for longer than connections\.max\.idle\.ms \(3000 ms\)/);
  });

  it('closes a connection that went quiet after its request was answered', async () => {
    const socket = await openSocket(broker);
    socket.on('error', () => {});
    try {
      const answered = new Promise<void>((resolve) => socket.once('data', () => resolve()));
      socket.write(Buffer.concat(encodeRequestFrame(ApiVersions, 3, 1, 'idle-test', { clientSoftwareName: 'idle-test', clientSoftwareVersion: '1' })));
      await answered;
      const waited = await closedWithin(socket, IDLE_MS + 20_000);
      expect(waited).toBeGreaterThanOrEqual(IDLE_MS - 200);
    } finally {
      socket.destroy();
    }
  });

  it('keeps a connection that is in use for several times the idle limit', async () => {
    const raw = await RawClient.open(broker.bootstrap);
    try {
      const started = Date.now();
      let calls = 0;
      // A request every 250 ms for 2.5 x the limit: the connection is never idle for long.
      while (Date.now() - started < IDLE_MS * 2.5) {
        const versions = await raw.call(ApiVersions, 3, { clientSoftwareName: 'idle-test', clientSoftwareVersion: '1' });
        expect(versions.errorCode).toBe(ErrorCode.NONE);
        calls++;
        await sleep(250);
      }
      expect(calls).toBeGreaterThan(5);
    } finally {
      raw.close();
    }
  });
});
