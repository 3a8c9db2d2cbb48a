// Web mode against hostile or careless input (issue #12): raw WebSocket frames that break RFC 6455,
// messages over the size limit, request targets that are not valid URLs. Each must cost only the
// socket or request that sent it: the server keeps serving pages and contract calls afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_IPC_MESSAGE_BYTES } from '../../shared/ipc/contract';

// The server runs in a child process: what is checked is that the process lives, as a user's would.
let child: ChildProcess;
let server: { port: number; token: string };
let stderr = '';

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures', 'web-server-child.ts')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  server = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as { port: number; token: string });
    });
    child.once('exit', (code) => reject(new Error(`the web server exited (${code}): ${stderr}`)));
  });
});

afterAll(() => {
  child?.kill('SIGTERM');
});

/** Sends raw bytes and collects everything the server answers until it closes the connection. */
function raw(bytes: Buffer | string, { keepOpenMs = 3000 } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Buffer.concat(chunks));
    }, keepOpenMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    socket.write(bytes);
  });
}

/** A WebSocket handshake with the token on a raw socket; resolves once the server switched protocols. */
function handshake(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    socket.once('error', reject);
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (!head.startsWith('HTTP/1.1 101')) reject(new Error(head));
      else resolve(socket);
    };
    socket.on('data', onData);
    socket.write(
      `GET /ipc?token=${server.token} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}

/** One frame: `first` is FIN/RSV/opcode; masked unless told otherwise; lengths up to 64 bits. */
function frame(first: number, payload: Buffer, { masked = true, declaredLength = payload.length } = {}): Buffer {
  const mask = randomBytes(4);
  let header: Buffer;
  if (declaredLength < 126) header = Buffer.from([first, (masked ? 0x80 : 0) | declaredLength]);
  else if (declaredLength < 65536) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = (masked ? 0x80 : 0) | 126;
    header.writeUInt16BE(declaredLength, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = (masked ? 0x80 : 0) | 127;
    header.writeBigUInt64BE(BigInt(declaredLength), 2);
  }
  const body = masked ? Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!)) : payload;
  return Buffer.concat([header, ...(masked ? [mask] : []), body]);
}

/** Sends a frame on a fresh socket and returns the close code the server answered with. */
async function closeCodeFor(bytes: Buffer): Promise<number | null> {
  const socket = await handshake();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    // A close frame from the server: 0x88, a length, then the code. A close that follows a valid
    // frame waits for our close frame, so the answer is taken as soon as it is there.
    const closeCode = () => {
      const data = Buffer.concat(chunks);
      return data[0] === 0x88 && data.length >= 4 ? data.readUInt16BE(2) : null;
    };
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      if (closeCode() !== null) socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(closeCode()));
    socket.write(bytes);
  });
}

function get(target: string, headers = ''): Promise<{ status: number; body: string }> {
  return raw(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n${headers}\r\n`).then((answer) => {
    const text = answer.toString('utf8');
    return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), body: text.slice(text.indexOf('\r\n\r\n') + 4) };
  });
}

/** The server's process is alive and serves both the page and a contract call over a new socket. */
async function stillServing(): Promise<void> {
  expect(child.exitCode, `the web server exited: ${stderr}`).toBeNull();
  expect((await get(`/?token=${server.token}`)).status).toBe(200);
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ipc?token=${server.token}`);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const reply = new Promise<unknown>((resolve) => ws.once('message', (data) => resolve(JSON.parse((data as Buffer).toString()))));
  ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'app.info', request: {} }));
  expect(await reply).toMatchObject({ type: 'result', id: 1, result: { ok: true, value: { mode: 'web' } } });
  ws.close();
}

describe('web mode survives malformed WebSocket frames', () => {
  it('closes a text frame with invalid UTF-8 with 1007, and only that socket', async () => {
    expect(await closeCodeFor(frame(0x81, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])))).toBe(1007);
    await stillServing();
  });

  it('closes a frame with RSV1 set (no extension was negotiated) with 1002', async () => {
    expect(await closeCodeFor(frame(0xc1, Buffer.from('{}')))).toBe(1002);
    await stillServing();
  });

  it('closes an unmasked client frame with 1002', async () => {
    expect(await closeCodeFor(frame(0x81, Buffer.from('{}'), { masked: false }))).toBe(1002);
    await stillServing();
  });

  it('closes a frame declaring more than the maximum message size with 1009, before reading it', async () => {
    expect(await closeCodeFor(frame(0x81, Buffer.alloc(0), { declaredLength: MAX_IPC_MESSAGE_BYTES + 1 }))).toBe(1009);
    expect(await closeCodeFor(frame(0x81, Buffer.alloc(0), { declaredLength: 2 ** 53 - 1 }))).toBe(1009);
    await stillServing();
    expect(stderr).toMatch(/WebSocket closed: Max payload size exceeded/);
  });

  it('closes a socket whose fragments add up to more than the limit with 1009', async () => {
    const piece = Buffer.alloc(MAX_IPC_MESSAGE_BYTES / 2 + 1, 0x20);
    // A text frame without FIN, then a continuation frame: together one byte... two bytes over.
    expect(await closeCodeFor(Buffer.concat([frame(0x01, piece), frame(0x80, piece)]))).toBe(1009);
    await stillServing();
  });

  it('answers a binary frame or a frame that is not a contract call with 1003', async () => {
    expect(await closeCodeFor(frame(0x82, Buffer.from('{}')))).toBe(1003);
    expect(await closeCodeFor(frame(0x81, Buffer.from('[1,2')))).toBe(1003);
    await stillServing();
  });
});

// The app's own client refuses such a call before sending it: test/renderer/web-socket-client.test.ts.
describe('web mode and a produce of 9 million "é" (18 MB in UTF-8)', () => {
  const request = { connectionId: 'embedded', topic: 'big', key: null, value: 'é'.repeat(9e6), headers: [], partition: null };

  it('a socket sending it as one message is closed with 1009; the server lives on', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ipc?token=${server.token}`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => undefined);
    ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'produce.send', request }));
    expect(await closed).toBe(1009);
    await stillServing();
  });
});

describe('web mode answers request targets that are not valid URLs with 400', () => {
  it('refuses bad percent-encodings with the token or the cookie, and keeps serving', async () => {
    expect(await get(`/%zz?token=${server.token}`)).toMatchObject({ status: 400, body: expect.stringContaining('percent-encoding') });
    expect((await get('/%E0%A4%A', `Cookie: kafka_desk_token=${server.token}\r\n`)).status).toBe(400);
    expect((await get('/assets/%E0%A4%A.js', `Cookie: kafka_desk_token=${server.token}\r\n`)).status).toBe(400);
    // Without the token the answer stays 403: nothing is decoded before the token is checked.
    expect((await get('/%zz')).status).toBe(403);
    await stillServing();
  });

  it('refuses an absolute-form target that does not parse, on a page or on an upgrade', async () => {
    expect((await get(`http://[::1/?token=${server.token}`)).status).toBe(400);
    const upgrade = await raw(
      `GET http://[/ipc?token=${server.token} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    expect(upgrade.toString('latin1')).toMatch(/^HTTP\/1\.1 400/);
    await stillServing();
  });

  it('answers a malformed request line with 400 and a reset during an upgrade without harm', async () => {
    expect((await raw('GARBAGE\r\n\r\n')).toString('latin1')).toMatch(/^HTTP\/1\.1 400/);
    const socket = connect(server.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(`GET /ipc?token=${server.token} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.resetAndDestroy();
    await stillServing();
  });
});
