// The message browser's saved queries (#20) through the IPC registry, as the renderer calls them: saved
// per connection and topic, listed, renamed, deleted, kept across a restart of the main process; bad
// input refused with the field and the reason, before anything is written.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_SAVED_QUERIES, type SavedQuery } from '../../shared/model/messages';
import { startCore, type TestCore } from './helpers';

const connectionId = 'embedded';
const topic = 'orders.eu';

const query = (name: string, patch: Partial<SavedQuery> = {}): SavedQuery => ({
  name,
  partition: null,
  seek: { mode: 'latest' },
  count: 500,
  maxBytes: null,
  endTimestamp: null,
  filter: null,
  decoders: { key: { kind: 'auto' }, value: { kind: 'auto' } },
  isolation: 'read_uncommitted',
  showControl: false,
  newestFirst: true,
  ...patch,
});

const gold = query('Gold customers since noon', {
  partition: 2,
  seek: { mode: 'timestamp', timestamp: Date.UTC(2026, 11, 6, 12) },
  count: 200,
  maxBytes: 512 * 1024,
  endTimestamp: Date.UTC(2026, 11, 6, 13),
  filter: { kind: 'regex', field: 'value', pattern: '"tier":\\s*"gold"', flags: '' },
  decoders: { key: { kind: 'string' }, value: { kind: 'json' } },
  isolation: 'read_committed',
  showControl: true,
  newestFirst: false,
});

describe('saved queries of the message browser', () => {
  const cores: TestCore[] = [];
  const dirs: string[] = [];
  const start = async (dataDir: string) => {
    const core = await startCore({ brokers: 0, dataDir });
    cores.push(core);
    return core;
  };
  const newDataDir = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-saved-queries-'));
    dirs.push(dir);
    return dir;
  };

  afterEach(async () => {
    await Promise.all(cores.splice(0).map((core) => core.close()));
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('saves, lists, renames and deletes per connection and topic, and keeps them across a restart', async () => {
    const dataDir = await newDataDir();
    const app = await start(dataDir);
    expect(await app.ok('messages.savedQueries', { connectionId, topic })).toEqual([]);

    expect(await app.ok('messages.saveQuery', { connectionId, topic, query: gold })).toEqual([gold]);
    const latest = query('Latest 500');
    expect(await app.ok('messages.saveQuery', { connectionId, topic, query: latest })).toEqual([gold, latest]);
    // Another topic and another connection have their own.
    await app.ok('messages.saveQuery', { connectionId, topic: 'orders.us', query: query('US only') });
    await app.ok('messages.saveQuery', { connectionId: 'staging', topic, query: query('Staging') });
    expect((await app.ok('messages.savedQueries', { connectionId, topic })).map((saved) => saved.name)).toEqual(['Gold customers since noon', 'Latest 500']);

    // A name already taken (whatever its case and spaces) is a conflict, unless replacing it.
    const again = await app.call('messages.saveQuery', { connectionId, topic, query: query('  latest 500 ', { count: 10 }) });
    expect(again).toMatchObject({ ok: false, error: { kind: 'conflict', message: expect.stringContaining('"Latest 500" is already saved') } });
    const replaced = await app.ok('messages.saveQuery', { connectionId, topic, query: query('Latest 500', { count: 10 }), replace: true });
    expect(replaced.map((saved) => [saved.name, saved.count])).toEqual([
      ['Gold customers since noon', 200],
      ['Latest 500', 10],
    ]);

    // Renamed in place; a rename onto another query's name, or of a query that is not there, is refused.
    expect((await app.ok('messages.renameQuery', { connectionId, topic, name: 'Latest 500', newName: 'Last ten' })).map((saved) => saved.name)).toEqual([
      'Gold customers since noon',
      'Last ten',
    ]);
    expect(await app.call('messages.renameQuery', { connectionId, topic, name: 'Last ten', newName: 'GOLD customers since noon' })).toMatchObject({
      ok: false,
      error: { kind: 'conflict' },
    });
    expect(await app.call('messages.renameQuery', { connectionId, topic, name: 'Nope', newName: 'Other' })).toMatchObject({
      ok: false,
      error: { kind: 'not-found', message: 'No query named "Nope" is saved for orders.eu.' },
    });
    expect(await app.ok('messages.deleteQuery', { connectionId, topic, name: 'Last ten' })).toEqual([gold]);
    expect(await app.call('messages.deleteQuery', { connectionId, topic, name: 'Last ten' })).toMatchObject({ ok: false, error: { kind: 'not-found' } });

    // A new main process on the same data directory finds them as they were.
    await app.close();
    cores.splice(cores.indexOf(app), 1);
    const restarted = await start(dataDir);
    expect(await restarted.ok('messages.savedQueries', { connectionId, topic })).toEqual([gold]);
    expect(await restarted.ok('messages.savedQueries', { connectionId, topic: 'orders.us' })).toEqual([query('US only')]);
    expect(await restarted.ok('messages.savedQueries', { connectionId: 'staging', topic })).toEqual([query('Staging')]);
  });

  it('refuses bad input with the field and the reason, and writes nothing', async () => {
    const dataDir = await newDataDir();
    const app = await start(dataDir);
    const refused = async (request: unknown, issue: { path: string; message?: string }) => {
      const result = await app.core.dispatch('messages.saveQuery', request);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.kind).toBe('invalid-request');
      expect(result.error.issues).toContainEqual(issue.message ? issue : expect.objectContaining({ path: issue.path }));
    };
    await refused({ connectionId, topic, query: query('   ') }, { path: 'query.name', message: 'Name the query.' });
    await refused({ connectionId, topic, query: query('x'.repeat(101)) }, { path: 'query.name', message: 'A query name can be at most 100 characters.' });
    await refused({ connectionId, topic, query: query('tab\there') }, { path: 'query.name', message: 'A query name cannot hold control characters.' });
    await refused({ connectionId, topic: 'bad topic!', query: query('ok') }, { path: 'topic' });
    await refused({ connectionId, topic, query: query('ok', { count: 0 }) }, { path: 'query.count' });
    await refused({ connectionId, topic, query: query('ok', { seek: { mode: 'offset', offset: -1 } }) }, { path: 'query.seek.offset' });
    await refused({ connectionId, topic, query: { ...query('ok'), script: 'alert(1)' } }, { path: 'query' });
    await refused({ connectionId, topic, query: query('ok'), extra: true }, { path: '' });

    // Valid in shape but not runnable: RE2 refuses lookarounds; an Avro schema that does not parse.
    const regex = await app.call('messages.saveQuery', {
      connectionId,
      topic,
      query: query('lookahead', { filter: { kind: 'regex', field: 'value', pattern: 'a(?=b)', flags: '' } }),
    });
    expect(regex).toMatchObject({ ok: false, error: { kind: 'invalid-request' } });
    const avro = await app.call('messages.saveQuery', {
      connectionId,
      topic,
      query: query('broken avro', { decoders: { key: { kind: 'auto' }, value: { kind: 'avro', schema: '{"type": "record"' } } }),
    });
    expect(avro).toMatchObject({ ok: false, error: { kind: 'invalid-request' } });

    expect(await app.ok('messages.savedQueries', { connectionId, topic })).toEqual([]);
    expect(await readdir(dataDir)).not.toContain('saved-queries.json');
  });

  it(`keeps at most ${MAX_SAVED_QUERIES} queries a topic`, async () => {
    const app = await start(await newDataDir());
    for (let index = 0; index < MAX_SAVED_QUERIES; index++) await app.ok('messages.saveQuery', { connectionId, topic, query: query(`q${index}`) });
    const over = await app.call('messages.saveQuery', { connectionId, topic, query: query('one more') });
    expect(over).toMatchObject({ ok: false, error: { kind: 'conflict', message: expect.stringContaining('Delete one first') } });
    // Replacing one still works at the limit.
    expect(await app.ok('messages.saveQuery', { connectionId, topic, query: query('q0', { count: 1 }), replace: true })).toHaveLength(MAX_SAVED_QUERIES);
  });

  it('sets a damaged file aside instead of overwriting it, and starts empty', async () => {
    const dataDir = await newDataDir();
    await writeFile(path.join(dataDir, 'saved-queries.json'), '{"version": 1, "queries": {"embedded/orders.eu": [{"name": 42}]}}');
    const app = await start(dataDir);
    expect(await app.ok('messages.savedQueries', { connectionId, topic })).toEqual([]);
    const aside = (await readdir(dataDir)).find((name) => name.startsWith('saved-queries.json.invalid-'));
    expect(aside).toBeDefined();
    expect(await readFile(path.join(dataDir, aside!), 'utf8')).toContain('"name": 42');
    await app.ok('messages.saveQuery', { connectionId, topic, query: query('fresh') });
    expect(JSON.parse(await readFile(path.join(dataDir, 'saved-queries.json'), 'utf8'))).toEqual({
      version: 1,
      queries: { 'embedded/orders.eu': [query('fresh')] },
    });
  });

  it('saves queries sent at once one after another, losing none', async () => {
    const dataDir = await newDataDir();
    const app = await start(dataDir);
    await Promise.all(Array.from({ length: 20 }, (_, index) => app.ok('messages.saveQuery', { connectionId, topic, query: query(`parallel ${index}`) })));
    const restarted = await (async () => {
      await app.close();
      cores.splice(cores.indexOf(app), 1);
      return start(dataDir);
    })();
    expect((await restarted.ok('messages.savedQueries', { connectionId, topic })).map((saved) => saved.name).sort()).toEqual(
      Array.from({ length: 20 }, (_, index) => `parallel ${index}`).sort(),
    );
  });
});
