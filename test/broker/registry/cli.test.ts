/**
 * `npm run cluster -- --schema-registry-port P`: the registry's URL on its own line right after the
 * bootstrap servers, serving on 127.0.0.1:P, stopped cleanly with the cluster on SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { freePort } from '../../support/ports';
import { spawnChild, stopChild } from '../../support/processes';

const root = resolve(__dirname, '../../..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

it('prints schema.registry.url after bootstrap.servers and serves there', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kd-registry-cli-'));
  const port = await freePort();
  const child = spawnChild(
    tsx,
    ['electron/broker/cli.ts', '--brokers', '1', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn', '--schema-registry-port', String(port)],
    { cwd: root },
  );
  try {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no registry line in:\n${out}`)), 30_000);
      child.stdout.on('data', () => {
        if (/schema\.registry\.url=.*\n/.test(out)) {
          clearTimeout(timer);
          done();
        }
      });
    });
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^bootstrap\.servers=127\.0\.0\.1:\d+$/);
    expect(lines[1]).toBe(`schema.registry.url=http://127.0.0.1:${port}`);
    const response = await fetch(`http://127.0.0.1:${port}/subjects`);
    expect(response.headers.get('content-type')).toBe('application/vnd.schemaregistry.v1+json');
    expect(await response.json()).toEqual([]);
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 60_000);
