// The schema-registries file under writes that overlap: each save or forget of a connection writes the
// whole file (temporary file, then rename). Writes that overlapped shared the temporary file, and the
// second rename failed with ENOENT; one the app did not wait for (forgetting deleted connections) was
// an unhandled rejection, and one still running when the app closed could outlive its data directory.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { silentLogger } from '../../electron/core/logger';
import { RegistrySettings } from '../../electron/services/schemas/registries';
import { MemorySecretStore } from '../../electron/services/secrets/service';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function settingsIn(): Promise<{ settings: RegistrySettings; file: string; dataDir: string }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kd-registry-settings-'));
  dirs.push(dataDir);
  const settings = new RegistrySettings({
    dataDir,
    secrets: new MemorySecretStore(),
    embedded: () => ({ url: null, problem: 'not running' }),
    connectionExists: () => true,
    logger: silentLogger,
  });
  await settings.load();
  return { settings, file: path.join(dataDir, 'schema-registries.json'), dataDir };
}

const external = (n: number) => ({
  kind: 'external' as const,
  url: `http://registry-${n}.example:8081`,
  auth: { kind: 'none' as const },
  rejectUnauthorized: true,
});

it('saves made at once all succeed, and the file holds every one of them', async () => {
  const { settings, file } = await settingsIn();
  const ids = Array.from({ length: 40 }, (_, n) => `connection-${n}`);
  const saved = await Promise.allSettled(ids.map((id, n) => settings.save(id, external(n))));
  expect(saved.filter((result) => result.status === 'rejected')).toEqual([]);
  const stored = JSON.parse(await readFile(file, 'utf8')) as Record<string, { url: string }>;
  expect(Object.keys(stored).sort()).toEqual([...ids].sort());
  expect(stored['connection-7']!.url).toBe('http://registry-7.example:8081');
});

it('close waits for a write no one awaited (forgetting deleted connections), so it ends before the data directory goes', async () => {
  const { settings, file, dataDir } = await settingsIn();
  await settings.save('kept', external(1));
  await settings.save('deleted', external(2));
  const forgetting = settings.keepConnections(new Set(['kept']));
  await settings.close();
  expect(Object.keys(JSON.parse(await readFile(file, 'utf8')) as object)).toEqual(['kept']);
  await rm(dataDir, { recursive: true, force: true });
  await expect(forgetting).resolves.toBeUndefined();
});
