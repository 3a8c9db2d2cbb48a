import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Dispatch } from '../../electron/ipc/registry';
import { EventHub } from '../../electron/core/events';
import { startWebServer, type WebServer } from '../../electron/web/server';

let dir: string;
let server: WebServer;
const hub = new EventHub();
const calls: unknown[] = [];
const dispatch: Dispatch = async (channel, payload) => {
  calls.push([channel, payload]);
  return { ok: true, value: { echoed: channel } };
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-web-'));
  const rendererDir = path.join(dir, 'renderer');
  await mkdir(path.join(rendererDir, 'assets'), { recursive: true });
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>Kafka Desk</title>');
  await writeFile(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(path.join(dir, 'secret.txt'), 'outside the renderer');
  server = await startWebServer({ rendererDir, dispatch, hub, port: 0 });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function get(pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: pathname, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function openSocket(url: string, origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

describe('web mode server', () => {
  it('prints a URL on 127.0.0.1 with a long random token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  });

  it('refuses the page without the token, or with a wrong one', async () => {
    expect((await get('/')).status).toBe(403);
    expect((await get('/?token=guess')).status).toBe(403);
    expect((await get('/assets/app.js')).status).toBe(403);
    // One character off: same length, so the comparison itself must catch it.
    const wrong = server.token.slice(0, -1) + (server.token.endsWith('A') ? 'B' : 'A');
    const refused = await get(`/?token=${wrong}`);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('token');
  });

  it('serves the page with the token, with a strict CSP, and sets an HttpOnly cookie for the assets', async () => {
    const page = await get(`/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Kafka Desk</title>');
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
    const cookie = String((page.headers['set-cookie'] as string[])[0]);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const asset = await get('/assets/app.js', { cookie: cookie.split(';')[0] ?? '' });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('javascript');
  });

  it('refuses other host names (DNS rebinding) and paths outside the renderer', async () => {
    expect((await get(`/?token=${server.token}`, { host: `evil.example:${server.port}` })).status).toBe(421);
    expect((await get(`/..%2fsecret.txt?token=${server.token}`)).status).toBe(404);
    expect((await get(`/../secret.txt?token=${server.token}`)).body).not.toContain('outside the renderer');
  });

  it('refuses a socket without the token, with a wrong one, or from another origin', async () => {
    const base = `ws://127.0.0.1:${server.port}/ipc`;
    await expect(openSocket(base)).rejects.toThrow('403');
    await expect(openSocket(`${base}?token=wrong`)).rejects.toThrow('403');
    await expect(openSocket(`${base}?token=${server.token}`, 'https://evil.example')).rejects.toThrow('403');
  });

  it('carries contract calls and pushed events over the socket once the token is given', async () => {
    const ws = await openSocket(`ws://127.0.0.1:${server.port}/ipc?token=${server.token}`, `http://127.0.0.1:${server.port}`);
    const messages: unknown[] = [];
    const next = () => new Promise<unknown>((resolve) => ws.once('message', (data) => resolve(JSON.parse((data as Buffer).toString()))));
    let reply = next();
    ws.send(JSON.stringify({ type: 'invoke', id: 7, channel: 'app.info', request: {} }));
    messages.push(await reply);
    reply = next();
    hub.emit('embedded.event', { type: 'broker', brokerId: 2, state: 'down', at: 5 });
    messages.push(await reply);
    expect(messages).toEqual([
      { type: 'result', id: 7, result: { ok: true, value: { echoed: 'app.info' } } },
      { type: 'event', event: 'embedded.event', payload: { type: 'broker', brokerId: 2, state: 'down', at: 5 } },
    ]);
    expect(calls).toContainEqual(['app.info', {}]);
    ws.close();
  });

  it('closes a socket that sends something other than a contract call', async () => {
    const ws = await openSocket(`ws://127.0.0.1:${server.port}/ipc?token=${server.token}`);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('not json');
    expect(await closed).toBe(1003);
  });
});
