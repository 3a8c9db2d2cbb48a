// Saved queries in the renderer (#20): a form's query saved whole and put back the same, said in a line;
// the slice's save / rename / delete replace the topic's list with what the main process answers, under
// the key of the topic they were made for, and hand back its refusals.
import { describe, expect, it } from 'vitest';
import type { SavedQuery } from '../../shared/model/messages';
import { scriptedClient } from '../support/scripted-client';
import { createAppStore } from '../../renderer/src/store/app-store';
import { selectResource } from '../../renderer/src/store/resources';
import { savedQueriesQuery } from '../../renderer/src/features/messages/messages-slice';
import { queryFromForm } from '../../renderer/src/features/messages/MessagesScreen';
import { sameQuery, savedQuerySummary, toSavedQuery } from '../../renderer/src/features/messages/saved-queries';

const form = {
  partition: '2',
  start: 'offset' as const,
  offset: '1200',
  time: '',
  group: '',
  count: '50',
  until: '',
  maxKiB: '256',
  filter: 'regex' as const,
  text: '"tier":\\s*"gold"',
  equals: '',
  order: 'oldest' as const,
};

describe('saved queries', () => {
  it('keeps everything the form and the read use, and says it in a line', () => {
    const parsed = queryFromForm(form);
    if ('error' in parsed) throw new Error(parsed.error);
    const saved = toSavedQuery('  Gold from 1200 ', {
      ...parsed,
      isolation: 'read_committed',
      showControl: true,
      decoders: { key: { kind: 'string' }, value: { kind: 'json' } },
    });
    expect(saved).toEqual({
      name: 'Gold from 1200',
      partition: 2,
      seek: { mode: 'offset', offset: 1200 },
      count: 50,
      maxBytes: 256 * 1024,
      endTimestamp: null,
      filter: { kind: 'regex', field: 'value', pattern: '"tier":\\s*"gold"', flags: '' },
      decoders: { key: { kind: 'string' }, value: { kind: 'json' } },
      isolation: 'read_committed',
      showControl: true,
      newestFirst: false,
    });
    expect(savedQuerySummary(saved)).toBe(
      'from offset 1,200 · 50 records · partition 2 · at most 256 KiB a page · value matches /"tier":\\s*"gold"/ · decoders string / json · read committed · markers shown · oldest first',
    );
    expect(sameQuery(saved, { ...saved, name: 'other' })).toBe(true);
    expect(sameQuery(saved, { ...saved, count: 51 })).toBe(false);

    const latest = toSavedQuery('Latest', {
      seek: { mode: 'latest' },
      count: 1,
      filter: { kind: 'contains', field: 'any', text: 'x'.repeat(60), ignoreCase: true },
      partition: null,
      endTimestamp: null,
      maxBytes: null,
      newestFirst: true,
      isolation: 'read_uncommitted',
      showControl: false,
      decoders: { key: { kind: 'auto' }, value: { kind: 'auto' } },
    });
    expect(savedQuerySummary(latest)).toBe(`latest · 1 record · all partitions · anywhere contains "${'x'.repeat(40)}…" (any case) · newest first`);
  });

  it("save, rename and delete replace the topic's list with the main process's answer, and hand back refusals", async () => {
    const gold: SavedQuery = {
      name: 'Gold',
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
    };
    let list: SavedQuery[] = [];
    const { client, calls } = scriptedClient({
      'messages.decoders': () => ({ ok: true, value: { key: { kind: 'auto' }, value: { kind: 'auto' } } }),
      'messages.read': () => ({ ok: false, error: { kind: 'unavailable', message: 'not in this test' } }),
      'messages.saveQuery': (request) => {
        if (list.some((query) => query.name === request.query.name) && !request.replace) {
          return { ok: false, error: { kind: 'conflict', message: `A query named "${request.query.name}" is already saved for t.` } };
        }
        list = [...list.filter((query) => query.name !== request.query.name), request.query as SavedQuery];
        return { ok: true, value: list };
      },
      'messages.renameQuery': (request) => {
        list = list.map((query) => (query.name === request.name ? { ...query, name: request.newName } : query));
        return { ok: true, value: list };
      },
      'messages.deleteQuery': (request) => {
        list = list.filter((query) => query.name !== request.name);
        return { ok: true, value: list };
      },
    });
    const store = createAppStore(client);
    store.getState().openMessages('t');
    const shown = () => selectResource<SavedQuery[]>(store.getState(), savedQueriesQuery(store.getState().activeConnectionId, 't').key).data;

    expect(await store.getState().saveQuery(gold, false)).toBeNull();
    expect(shown()).toEqual([gold]);
    const conflict = await store.getState().saveQuery({ ...gold, count: 5 }, false);
    expect(conflict).toMatchObject({ kind: 'conflict', message: 'A query named "Gold" is already saved for t.' });
    expect(shown()).toEqual([gold]);
    expect(await store.getState().saveQuery({ ...gold, count: 5 }, true)).toBeNull();
    expect(shown()).toEqual([{ ...gold, count: 5 }]);
    expect(await store.getState().renameSavedQuery('Gold', 'Gold, five')).toBeNull();
    expect(shown()?.map((query) => query.name)).toEqual(['Gold, five']);
    expect(await store.getState().deleteSavedQuery('Gold, five')).toBeNull();
    expect(shown()).toEqual([]);
    expect(calls.filter(([channel]) => channel.startsWith('messages.') && channel.endsWith('Query')).map(([, request]) => request)).toEqual([
      { connectionId: store.getState().activeConnectionId, topic: 't', query: gold, replace: false },
      { connectionId: store.getState().activeConnectionId, topic: 't', query: { ...gold, count: 5 }, replace: false },
      { connectionId: store.getState().activeConnectionId, topic: 't', query: { ...gold, count: 5 }, replace: true },
      { connectionId: store.getState().activeConnectionId, topic: 't', name: 'Gold', newName: 'Gold, five' },
      { connectionId: store.getState().activeConnectionId, topic: 't', name: 'Gold, five' },
    ]);
  });
});
