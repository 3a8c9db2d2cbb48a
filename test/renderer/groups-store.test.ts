import { describe, expect, it } from 'vitest';
import { scriptedClient } from '../support/scripted-client';
import type { GroupSummary, LagSeries } from '../../shared/model/groups';
import { bindEvents, createAppStore } from '../../renderer/src/store/app-store';
import { visibleGroups } from '../../renderer/src/store/slices/groups';

const group = (id: string, patch: Partial<GroupSummary> = {}): GroupSummary => ({
  id,
  state: 'STABLE',
  protocolType: 'consumer',
  protocol: 'range',
  members: 1,
  topics: ['orders'],
  totalLag: 0,
  partitions: 1,
  partitionsWithoutCommit: 0,
  coordinator: 0,
  ...patch,
});

const series = (name: string): LagSeries => ({
  group: name,
  from: 0,
  to: 1,
  stack: 'topic',
  keys: ['orders'],
  points: [],
  summary: { at: null, lag: null, consumeRate: null, produceRate: null, catchUpMs: null },
  intervalMs: 5_000,
  watched: false,
});

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('groups slice', () => {
  it('searches by group or topic and sorts, groups without commits below a lag of 0', () => {
    const groups = [
      group('billing', { totalLag: 10, members: 2 }),
      group('audit', { totalLag: null, members: 0, state: 'EMPTY', topics: ['payments'] }),
      group('analytics', { totalLag: 0, members: 1, state: 'PREPARING_REBALANCE' }),
    ];
    const ids = (search: string, key: Parameters<typeof visibleGroups>[2]['key'], direction: 'asc' | 'desc' = 'desc') =>
      visibleGroups(groups, search, { key, direction }).map((entry) => entry.id);
    expect(ids('', 'id', 'asc')).toEqual(['analytics', 'audit', 'billing']);
    expect(ids('', 'totalLag')).toEqual(['billing', 'analytics', 'audit']);
    expect(ids('', 'totalLag', 'asc')).toEqual(['audit', 'analytics', 'billing']);
    expect(ids('', 'members')).toEqual(['billing', 'analytics', 'audit']);
    expect(ids('', 'state', 'asc')).toEqual(['billing', 'analytics', 'audit']);
    expect(ids('PAY', 'id')).toEqual(['audit']);
    expect(ids('bil', 'id')).toEqual(['billing']);
  });

  it('sorts a new column descending for numbers and ascending for names, toggling on a second click', () => {
    const store = createAppStore(scriptedClient({}).client);
    store.getState().sortGroupsBy('totalLag');
    expect(store.getState().groupSort).toEqual({ key: 'totalLag', direction: 'desc' });
    store.getState().sortGroupsBy('totalLag');
    expect(store.getState().groupSort).toEqual({ key: 'totalLag', direction: 'asc' });
    store.getState().sortGroupsBy('state');
    expect(store.getState().groupSort).toEqual({ key: 'state', direction: 'asc' });
  });

  it("loads the active connection's groups and never shows another connection's", async () => {
    const { client } = scriptedClient({
      'groups.list': ({ connectionId }) => ({ ok: true, value: [group(`${connectionId}-group`)] }),
    });
    const store = createAppStore(client);
    await store.getState().loadGroups();
    expect(store.getState()).toMatchObject({ groupsConnectionId: 'embedded', groups: { status: 'ready', data: [{ id: 'embedded-group' }] } });
    store.setState({ activeConnectionId: 'other' });
    const pending = store.getState().loadGroups();
    // The other connection's list is not shown while the new one loads.
    expect(store.getState().groups.data).toBeNull();
    await pending;
    expect(store.getState().groups.data?.[0]?.id).toBe('other-group');
  });

  it('opens a group, and a sample of that group reloads its series and detail', async () => {
    const { client, calls, push } = scriptedClient({
      'lag.series': ({ group: name }) => ({ ok: true, value: series(name) }),
      'groups.describe': ({ group: name }) => ({
        ok: true,
        value: { id: name, state: 'STABLE', protocolType: 'consumer', protocol: 'range', coordinator: null, members: [], partitions: [], totalLag: 0 },
      }),
    });
    const store = createAppStore(client);
    bindEvents(store);
    store.getState().openGroup('billing');
    expect(store.getState()).toMatchObject({ screen: 'group', selectedGroup: 'billing' });
    push('lag.sampled', { connectionId: 'embedded', at: 1, groups: ['other'] });
    push('lag.sampled', { connectionId: 'another-connection', at: 1, groups: ['billing'] });
    await flush();
    expect(calls).toEqual([]);
    push('lag.sampled', { connectionId: 'embedded', at: 2, groups: ['billing'] });
    await flush();
    expect(calls.map(([channel]) => channel).sort()).toEqual(['groups.describe', 'lag.series']);
    expect(calls.find(([channel]) => channel === 'lag.series')?.[1]).toEqual({ connectionId: 'embedded', group: 'billing', rangeMs: 15 * 60_000, stack: 'topic' });
    expect(store.getState().lagSeries).toMatchObject({ status: 'ready', data: { group: 'billing' } });

    store.getState().setLagRange(60 * 60_000);
    store.getState().setLagStack('partition');
    await flush();
    expect(calls.filter(([channel]) => channel === 'lag.series').pop()?.[1]).toMatchObject({ rangeMs: 60 * 60_000, stack: 'partition' });
  });

  it('tells the main process which groups a view shows, under a per-window id', async () => {
    const { client, calls } = scriptedClient({ 'lag.view': () => ({ ok: true, value: {} }) });
    const store = createAppStore(client);
    await store.getState().viewGroups('groups', ['a', 'b']);
    const prefix = store.getState().viewPrefix;
    expect(calls).toEqual([['lag.view', { connectionId: 'embedded', viewId: `${prefix}:groups`, groups: ['a', 'b'] }]]);
    expect(createAppStore(client).getState().viewPrefix).not.toBe(prefix);
  });

  it('goes back to the list after deleting a group, and keeps the error when refused', async () => {
    let refuse = true;
    const { client } = scriptedClient({
      'groups.delete': () =>
        refuse ? { ok: false, error: { kind: 'conflict', message: 'The group has 1 active member.' } } : { ok: true, value: {} },
      'groups.list': () => ({ ok: true, value: [] }),
    });
    const store = createAppStore(client);
    store.getState().openGroup('billing');
    const refused = await store.getState().deleteGroup('billing');
    expect(refused).toMatchObject({ ok: false, error: { kind: 'conflict' } });
    expect(store.getState().screen).toBe('group');
    refuse = false;
    await store.getState().deleteGroup('billing');
    expect(store.getState()).toMatchObject({ screen: 'groups', selectedGroup: null });
  });

  it('keeps the demo status pushed by the main process', () => {
    const { client, push } = scriptedClient({});
    const store = createAppStore(client);
    bindEvents(store);
    push('demo.status', {
      running: true,
      topic: 'demo.orders',
      partitions: 4,
      options: { produceRate: 50, consumeRate: 30, consumers: 1, secondGroup: false },
      producing: true,
      produced: 12,
      consumers: [],
      error: null,
    });
    expect(store.getState().demo).toMatchObject({ status: 'ready', data: { produced: 12 } });
  });
});
