// The keyed resource layer: answers land under their key, the newest load of a key wins, writes and
// events invalidate by key (observed keys load again), and a connection's keys are dropped with it.
import { describe, expect, it } from 'vitest';
import type { IpcResult } from '../../shared/ipc/contract';
import { createAppStore } from '../../renderer/src/store/app-store';
import { keyStartsWith, selectResource, type Query } from '../../renderer/src/store/resources';
import { scriptedClient } from '../support/scripted-client';

/** A query whose answers the test releases one by one, in any order. */
function controlled(key: (string | number)[]) {
  const pending: ((result: IpcResult<string>) => void)[] = [];
  const query: Query<string> = { key, load: () => new Promise((resolve) => pending.push(resolve)) };
  return { query, pending };
}

describe('keyed resources', () => {
  it('keeps the newest load of a key: an older answer arriving last is not shown', async () => {
    const store = createAppStore(scriptedClient({}).client);
    const { query, pending } = controlled(['topic', 'embedded', 'orders']);
    const older = store.getState().fetchResource(query);
    const newer = store.getState().fetchResource(query);
    expect(selectResource(store.getState(), query.key)).toMatchObject({ status: 'loading', data: null });
    pending[1]?.({ ok: true, value: 'newer' });
    await newer;
    pending[0]?.({ ok: true, value: 'older' });
    await older;
    expect(selectResource(store.getState(), query.key)).toMatchObject({ status: 'ready', data: 'newer' });
  });

  it('keeps the last data next to an error, and loads observed keys again when invalidated by prefix', async () => {
    const store = createAppStore(scriptedClient({}).client);
    let answer: IpcResult<string> = { ok: true, value: 'first' };
    let loads = 0;
    const shown: Query<string> = { key: ['topic', 'embedded', 'orders'], load: () => (loads++, Promise.resolve(answer)) };
    const offScreen: Query<string> = { key: ['topic', 'embedded', 'audit'], load: () => (loads++, Promise.resolve(answer)) };
    const stop = store.getState().observeResource(shown);
    await store.getState().fetchResource(shown);
    await store.getState().fetchResource(offScreen);
    expect(loads).toBe(2);
    answer = { ok: false, error: { kind: 'unavailable', message: 'Cannot reach the cluster.' } };
    store.getState().invalidate(['topic', 'embedded']);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(loads).toBe(3);
    expect(selectResource(store.getState(), shown.key)).toMatchObject({ status: 'error', data: 'first', error: { kind: 'unavailable' } });
    expect(selectResource(store.getState(), offScreen.key)).toMatchObject({ status: 'ready', data: 'first' });
    stop();
    store.getState().invalidate(['topic', 'embedded', 'orders']);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(loads).toBe(3);
  });

  it('drops the keys of a connection left, and matches keys by whole parts', async () => {
    const store = createAppStore(scriptedClient({}).client);
    const query = (connectionId: string): Query<string> => ({ key: ['topics', connectionId], load: () => Promise.resolve({ ok: true, value: connectionId }) });
    await store.getState().fetchResource(query('embedded'));
    await store.getState().fetchResource(query('other'));
    store.getState().dropResources((key) => key[1] === 'embedded');
    expect(selectResource(store.getState(), query('embedded').key).status).toBe('idle');
    expect(selectResource(store.getState(), query('other').key).data).toBe('other');
    expect(keyStartsWith(['lag', 'embedded', 'billing'], ['lag', 'embedded', 'bill'])).toBe(false);
    expect(keyStartsWith(['lag', 'embedded', 'billing', 'series'], ['lag', 'embedded', 'billing'])).toBe(true);
  });
});
