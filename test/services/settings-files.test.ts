// The app's settings files under changes that overlap, as two windows, two quick clicks or a change
// and a background task make them. Each file is rewritten whole (temporary file, then rename): writes
// that overlapped shared the temporary file, so the second rename failed with ENOENT, and a change
// computed before the one still being written dropped it. Every file goes through one AtomicFile now
// (electron/core/atomic-file.ts); schema-registries.json has its own test (registry-settings.test.ts).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtomicFile } from '../../electron/core/atomic-file';
import { startCore, type TestCore } from './helpers';

const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as unknown;
const rejected = (results: PromiseSettledResult<unknown>[]) => results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));

describe('settings files written by changes at once', () => {
  let app: TestCore;
  beforeAll(async () => {
    app = await startCore({ brokers: 0 });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('connections.json: 30 saves at once all succeed and all are in the file', async () => {
    const names = Array.from({ length: 30 }, (_, n) => `cluster-${n}`);
    const saved = await Promise.allSettled(names.map((name, n) => app.ok('connections.save', { name, bootstrapServers: `10.0.0.${n + 1}:9092` })));
    expect(rejected(saved)).toEqual([]);
    const stored = (await readJson(path.join(app.dataDir, 'connections.json'))) as { name: string }[];
    expect(stored.map((connection) => connection.name).sort()).toEqual([...names].sort());
  });

  it('settings.json: a theme change and an embedded-cluster change at once both stay', async () => {
    const current = await app.ok('settings.get', {});
    // The security section is left out: without it, the saved one is kept.
    const embedded = { ...current.embedded, security: undefined };
    const changes = await Promise.allSettled([
      app.ok('settings.update', { appearance: { theme: 'dark' } }),
      app.ok('settings.update', { embedded: { ...embedded, brokers: 2 } }),
      app.ok('settings.update', { embedded: { ...embedded, brokers: 2, kafkaVersion: '2.8' } }),
    ]);
    expect(rejected(changes)).toEqual([]);
    const stored = (await readJson(path.join(app.dataDir, 'settings.json'))) as {
      appearance?: { theme: string };
      embedded: { brokers: number; kafkaVersion?: string };
    };
    expect(stored.appearance).toEqual({ theme: 'dark' });
    expect(stored.embedded).toMatchObject({ brokers: 2, kafkaVersion: '2.8' });
    expect(await app.ok('settings.get', {})).toMatchObject({ appearance: { theme: 'dark' }, embedded: { brokers: 2, kafkaVersion: '2.8' } });
  });

  it('message-decoders.json: decoders saved for 20 topics at once are all remembered', async () => {
    const topics = Array.from({ length: 20 }, (_, n) => `topic-${n}`);
    const saved = await Promise.allSettled(
      topics.map((topic) =>
        app.ok('messages.saveDecoders', { connectionId: 'embedded', topic, decoders: { key: { kind: 'string' }, value: { kind: 'json' } } }),
      ),
    );
    expect(rejected(saved)).toEqual([]);
    const stored = (await readJson(path.join(app.dataDir, 'message-decoders.json'))) as Record<string, unknown>;
    expect(Object.keys(stored).sort()).toEqual(topics.map((topic) => `embedded/${topic}`).sort());
    expect(await app.ok('messages.decoders', { connectionId: 'embedded', topic: 'topic-7' })).toEqual({ key: { kind: 'string' }, value: { kind: 'json' } });
  });

  it('lag-history/watched.json: 20 groups watched at once are all kept', async () => {
    const groups = Array.from({ length: 20 }, (_, n) => `group-${n}`);
    const watched = await Promise.allSettled(groups.map((group) => app.ok('lag.watch', { connectionId: 'embedded', group, watched: true })));
    expect(rejected(watched)).toEqual([]);
    const stored = (await readJson(path.join(app.dataDir, 'lag-history', 'watched.json'))) as Record<string, string[]>;
    expect(stored.embedded).toEqual([...groups].sort());
  });

  it('lag-history/settings.json: the last of several interval changes at once is the one kept', async () => {
    const intervals = [2_000, 3_000, 4_000, 5_000, 6_000, 7_000];
    const changed = await Promise.allSettled(intervals.map((intervalMs) => app.ok('lag.updateSettings', { intervalMs })));
    expect(rejected(changed)).toEqual([]);
    expect(await readJson(path.join(app.dataDir, 'lag-history', 'settings.json'))).toEqual({ intervalMs: 7_000 });
  });
});

describe('AtomicFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kd-atomic-file-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ends with the last write whatever the order the writes finish in, and leaves no temporary file', async () => {
    const file = new AtomicFile(path.join(dir, 'a', 'state.json'));
    const writes = Array.from({ length: 50 }, (_, n) => file.write(JSON.stringify({ n, padding: 'x'.repeat((50 - n) * 2_000) })));
    await Promise.all(writes);
    expect(await readJson(file.path)).toMatchObject({ n: 49 });
    await expect(readFile(`${file.path}.tmp`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a failed change fails only its caller: the next one runs', async () => {
    const file = new AtomicFile(path.join(dir, 'b.json'));
    const failed = file.change(async () => {
      throw new Error('refused');
    });
    const next = file.write('{"after":true}');
    await expect(failed).rejects.toThrow('refused');
    await expect(next).resolves.toBeUndefined();
    expect(await readJson(file.path)).toEqual({ after: true });
  });

  it('idle waits for a write no one awaited', async () => {
    const file = new AtomicFile(path.join(dir, 'c.json'));
    void file.write('{"first":1}');
    void file.write('{"second":2}');
    await file.idle();
    expect(await readJson(file.path)).toEqual({ second: 2 });
  });
});
