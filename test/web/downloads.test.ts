// Web mode's downloads of message exports: behind the same token as everything else, attachment
// headers with the file's name, only ids the exporter registered.
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventHub } from '../../electron/core/events';
import { startWebServer, type WebServer } from '../../electron/web/server';

let dir: string;
let server: WebServer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-downloads-'));
  const rendererDir = path.join(dir, 'renderer');
  await mkdir(rendererDir, { recursive: true });
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>Kafka Desk</title>');
  await writeFile(path.join(dir, 'orders.jsonl'), '{"offset":0}\n{"offset":1}\n');
  server = await startWebServer({
    rendererDir,
    dispatch: async () => ({ ok: true, value: {} }),
    hub: new EventHub(),
    port: 0,
    downloads: (id) =>
      id === 'abc-123' ? { path: path.join(dir, 'orders.jsonl'), fileName: 'orders “é”.jsonl', contentType: 'application/x-ndjson; charset=utf-8' } : null,
  });
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

describe('web mode downloads', () => {
  it('serves a finished export as an attachment, only with the token', async () => {
    expect((await get('/downloads/abc-123')).status).toBe(403);
    const page = await get(`/?token=${server.token}`);
    const cookie = String((page.headers['set-cookie'] as string[])[0]).split(';')[0] ?? '';
    const file = await get('/downloads/abc-123', { cookie });
    expect(file.status).toBe(200);
    expect(file.body).toBe('{"offset":0}\n{"offset":1}\n');
    expect(file.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(String(file.headers['content-disposition'])).toBe(
      `attachment; filename="orders____.jsonl"; filename*=UTF-8''${encodeURIComponent('orders “é”.jsonl')}`,
    );
    expect((await get('/downloads/unknown', { cookie })).status).toBe(404);
    expect((await get('/downloads/..%2f..%2fetc', { cookie })).status).toBe(404);
  });
});
