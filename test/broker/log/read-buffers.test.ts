/**
 * Pooled read buffers (fetch responses) and the connection hook that gives them back: a buffer returns
 * to the pool only once its response has been written, so no response is ever sent from a buffer that
 * another read has reused.
 */
import { connect, type Socket } from 'node:net';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultLogConfig } from '../../../electron/broker/log/log-config';
import { PartitionLog } from '../../../electron/broker/log/partition-log';
import { ReadLease, idleReadBufferBytes, setIdleReadBufferLimit } from '../../../electron/broker/log/read-buffers';
import { CloseConnection, type Connection, type FrameHandler } from '../../../electron/broker/server/connection';
import { Listener } from '../../../electron/broker/server/listener';
import { silentLogger } from '../../../electron/broker/server/logger';
import { batch, offsetsOf, removeDir, tempDir } from './helpers';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('ReadLease', () => {
  it('hands out exact sizes, reuses released buffers and keeps small ones out of the pool', () => {
    const lease = new ReadLease();
    const a = lease.alloc(1_000_000);
    expect(a.length).toBe(1_000_000);
    const small = lease.alloc(1000);
    expect(small.length).toBe(1000);
    const idleBefore = idleReadBufferBytes();
    lease.release();
    expect(idleReadBufferBytes()).toBeGreaterThan(idleBefore);
    const again = new ReadLease();
    const b = again.alloc(1_000_000);
    expect(b.buffer).toBe(a.buffer);
    // A buffer out on a lease is never handed out twice.
    const c = again.alloc(1_000_000);
    expect(c.buffer).not.toBe(b.buffer);
    again.release();
    again.release();
  });

  it('keeps no more idle bytes than its limit', () => {
    const previous = setIdleReadBufferLimit(3 << 20);
    cleanups.push(() => setIdleReadBufferLimit(previous));
    const lease = new ReadLease();
    for (let i = 0; i < 10; i++) lease.alloc(1 << 20);
    lease.release();
    expect(idleReadBufferBytes()).toBeLessThanOrEqual(3 << 20);
  });
});

describe('PartitionLog reads with a lease', () => {
  it('reads from disk into leased buffers, the same bytes as without', async () => {
    const dir = tempDir();
    cleanups.push(() => removeDir(dir));
    // No tail cache: every read goes to the file.
    const log = await PartitionLog.open(path.join(dir, 't-0'), defaultLogConfig({ fileDeleteDelayMs: 0 }), { tailCacheBytes: 0 });
    cleanups.push(() => log.abandon());
    for (let i = 0; i < 40; i++) log.append(batch(50, { valueSize: 1000 }), { assignOffsets: true, leaderEpoch: 0 });
    log.highWatermark = log.logEndOffset;
    let next = 0;
    while (next < log.logEndOffset) {
      const lease = new ReadLease();
      const leased = log.read(next, 200_000, undefined, true, lease.alloc);
      const plain = log.read(next, 200_000);
      expect(leased.records.equals(plain.records)).toBe(true);
      expect(offsetsOf(leased.records)[0]).toBe(next);
      next = leased.lastOffset + 1;
      lease.release();
    }
  });
});

/** A client reading whole response frames off a socket. */
function client(port: number): Promise<{ socket: Socket; frames: Buffer[]; next(): Promise<Buffer> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      let buffered = Buffer.alloc(0);
      const frames: Buffer[] = [];
      const waiting: Array<(frame: Buffer) => void> = [];
      socket.on('data', (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
          const frame = buffered.subarray(4, 4 + buffered.readInt32BE(0));
          buffered = buffered.subarray(4 + frame.length);
          const w = waiting.shift();
          if (w) w(frame);
          else frames.push(frame);
        }
      });
      resolve({ socket, frames, next: () => (frames.length ? Promise.resolve(frames.shift()!) : new Promise((r) => waiting.push(r))) });
    });
    socket.once('error', reject);
  });
}

const request = (kind: number) => {
  const frame = Buffer.alloc(5);
  frame.writeInt32BE(1, 0);
  frame[4] = kind;
  return frame;
};

describe('Connection.afterResponse', () => {
  it("runs a request's hooks after its response was written, at once without a response, and on failure", async () => {
    const events: string[] = [];
    const big = Buffer.alloc(4 << 20, 7);
    const handler: FrameHandler = {
      handleFrame(frame: Buffer, connection: Connection) {
        const kind = frame[0]!;
        connection.afterResponse(() => events.push(`hook ${kind}`));
        if (kind === 0) return null;
        if (kind === 9) throw new CloseConnection('asked to');
        const size = Buffer.alloc(4);
        size.writeInt32BE(big.length, 0);
        // Asynchronous answers keep their hooks until they are written too.
        const chunks = [size, big];
        return kind === 2 ? new Promise((r) => setTimeout(() => r(chunks), 10)) : chunks;
      },
    };
    const listener = new Listener(handler, { host: '127.0.0.1', port: 0, maxRequestBytes: 1 << 20, idleTimeoutMs: 60_000, logger: silentLogger });
    await listener.start();
    cleanups.push(() => listener.stop());
    const c = await client(listener.port);
    cleanups.push(() => c.socket.destroy());

    c.socket.write(request(0));
    c.socket.write(request(1));
    const first = await c.next();
    expect(first.length).toBe(big.length);
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(['hook 0', 'hook 1']);
    c.socket.write(request(2));
    await c.next();
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(['hook 0', 'hook 1', 'hook 2']);
    c.socket.write(request(9));
    await new Promise((r) => c.socket.once('close', r));
    expect(events).toEqual(['hook 0', 'hook 1', 'hook 2', 'hook 9']);
  });

  it('holds the hooks while the client does not read, and runs them when the connection goes', async () => {
    const events: string[] = [];
    const big = Buffer.alloc(32 << 20, 1);
    const handler: FrameHandler = {
      handleFrame(_frame: Buffer, connection: Connection) {
        connection.afterResponse(() => events.push('released'));
        const size = Buffer.alloc(4);
        size.writeInt32BE(big.length, 0);
        return [size, big];
      },
    };
    const listener = new Listener(handler, { host: '127.0.0.1', port: 0, maxRequestBytes: 1 << 20, idleTimeoutMs: 60_000, logger: silentLogger });
    await listener.start();
    cleanups.push(() => listener.stop());
    const c = await client(listener.port);
    c.socket.pause();
    c.socket.write(request(1));
    await new Promise((r) => setTimeout(r, 200));
    // 32 MiB cannot all be in the kernel's socket buffers while nobody reads.
    expect(events).toEqual([]);
    c.socket.destroy();
    await new Promise((r) => setTimeout(r, 200));
    expect(events).toEqual(['released']);
  });
});
