import { describe, expect, it } from 'vitest';
import { scriptedClient } from '../support/scripted-client';
import type { GroupSummary, LagSeries } from '../../shared/model/groups';
import { bindEvents, createAppStore } from '../../renderer/src/store/app-store';
import { selectResource } from '../../renderer/src/store/resources';
import { groupQuery, groupsQuery, lagSeriesQuery, sparklinesQuery, topicLagQuery, visibleGroups } from '../../renderer/src/features/groups/groups-slice';

const group = (id: string, patch: Partial<GroupSummary> = {}): GroupSummary => ({
  id,
  state: 'STABLE',
  groupType: 'classic',
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
    const groups = (connectionId: string) => selectResource<GroupSummary[]>(store.getState(), groupsQuery(connectionId).key);
    await store.getState().fetchResource(groupsQuery('embedded'));
    expect(groups('embedded')).toMatchObject({ status: 'ready', data: [{ id: 'embedded-group' }] });
    store.getState().selectConnection('other');
    const pending = store.getState().fetchResource(groupsQuery('other'));
    // The other connection's list is not shown while the new one loads.
    expect(groups('other')).toMatchObject({ status: 'loading', data: null });
    await pending;
    expect(groups('other').data?.[0]?.id).toBe('other-group');
    // An answer for the previous connection arriving late lands under its own key, never on this one.
    await store.getState().fetchResource(groupsQuery('embedded'));
    expect(groups('other').data?.map((group) => group.id)).toEqual(['other-group']);
  });

  it('opens a group, and a sample of that group reloads its series and detail', async () => {
    const { client, calls, push } = scriptedClient({
      'lag.series': ({ group: name }) => ({ ok: true, value: series(name) }),
      'groups.describe': ({ group: name }) => ({
        ok: true,
        value: {
          id: name,
          state: 'STABLE',
          groupType: 'classic',
          protocolType: 'consumer',
          protocol: 'range',
          epochs: null,
          coordinator: null,
          members: [],
          partitions: [],
          totalLag: 0,
        },
      }),
    });
    const store = createAppStore(client);
    bindEvents(store);
    store.getState().openGroup('billing');
    expect(store.getState()).toMatchObject({ screen: 'group', selectedGroup: 'billing' });
    // The group's page observes its detail and lag series.
    const seriesQuery = () => lagSeriesQuery('embedded', 'billing', store.getState().lagRangeMs, store.getState().lagStack);
    store.getState().observeResource(groupQuery('embedded', 'billing'));
    const stopSeries = store.getState().observeResource(seriesQuery());
    push('lag.sampled', { connectionId: 'embedded', at: 1, groups: ['other'] });
    push('lag.sampled', { connectionId: 'another-connection', at: 1, groups: ['billing'] });
    await flush();
    expect(calls).toEqual([]);
    push('lag.sampled', { connectionId: 'embedded', at: 2, groups: ['billing'] });
    await flush();
    expect(calls.map(([channel]) => channel).sort()).toEqual(['groups.describe', 'lag.series']);
    expect(calls.find(([channel]) => channel === 'lag.series')?.[1]).toEqual({
      connectionId: 'embedded',
      group: 'billing',
      rangeMs: 15 * 60_000,
      stack: 'topic',
    });
    expect(selectResource(store.getState(), seriesQuery().key)).toMatchObject({ status: 'ready', data: { group: 'billing' } });

    // Another range and stacking is another key, with the new parameters.
    store.getState().setLagRange(60 * 60_000);
    store.getState().setLagStack('partition');
    stopSeries();
    store.getState().observeResource(seriesQuery());
    await store.getState().fetchResource(seriesQuery());
    expect(calls.filter(([channel]) => channel === 'lag.series').pop()?.[1]).toMatchObject({ rangeMs: 60 * 60_000, stack: 'partition' });
    // Samples reload only what is observed: the old range's series is off screen.
    calls.length = 0;
    push('lag.sampled', { connectionId: 'embedded', at: 3, groups: ['billing'] });
    await flush();
    expect(calls.filter(([channel]) => channel === 'lag.series').map(([, request]) => request)).toEqual([
      { connectionId: 'embedded', group: 'billing', rangeMs: 60 * 60_000, stack: 'partition' },
    ]);
  });

  it("reloads a topic's lag view when one of its groups is sampled, sparklines of the sampled groups only, and once at a time", async () => {
    let answer: (value: unknown) => void = () => undefined;
    const { client, calls, push } = scriptedClient({
      'lag.topic': ({ topic }) => ({ ok: true, value: { topic, rangeMs: 1, intervalMs: 1, groups: ['billing'], summaries: [], points: [] } as never }),
      'lag.sparklines': ({ groups }) => ({ ok: true, value: Object.fromEntries(groups.map((group) => [group, [1, 2]])) }),
    });
    const store = createAppStore(client);
    bindEvents(store);
    const topicLag = topicLagQuery('embedded', 'orders', 60_000);
    store.getState().observeResource(topicLag);
    await store.getState().fetchResource(topicLag);
    store.getState().observeResource(sparklinesQuery('embedded', []));
    await store.getState().fetchResource(sparklinesQuery('embedded', ['billing', 'audit']));
    expect(selectResource(store.getState(), sparklinesQuery('embedded', []).key).data).toEqual({ billing: [1, 2], audit: [1, 2] });
    calls.length = 0;
    push('lag.sampled', { connectionId: 'embedded', at: 1, groups: ['shipping'] });
    await flush();
    expect(calls).toEqual([]);
    push('lag.sampled', { connectionId: 'embedded', at: 2, groups: ['billing'] });
    await flush();
    expect(calls.map(([channel]) => channel).sort()).toEqual(['lag.sparklines', 'lag.topic']);
    // A sample arriving while a reload is under way is followed by one more reload, not one each.
    calls.length = 0;
    const slow = new Promise((resolve) => (answer = resolve));
    const original = client.invoke.bind(client);
    client.invoke = async (channel: never, request: never) => {
      if (channel === 'lag.topic') await slow;
      return original(channel, request);
    };
    push('lag.sampled', { connectionId: 'embedded', at: 3, groups: ['billing'] });
    push('lag.sampled', { connectionId: 'embedded', at: 4, groups: ['billing'] });
    push('lag.sampled', { connectionId: 'embedded', at: 5, groups: ['billing'] });
    answer(null);
    await flush();
    await flush();
    expect(calls.filter(([channel]) => channel === 'lag.topic')).toHaveLength(2);
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
      'groups.delete': () => (refuse ? { ok: false, error: { kind: 'conflict', message: 'The group has 1 active member.' } } : { ok: true, value: {} }),
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
