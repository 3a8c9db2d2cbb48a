import { describe, expect, it } from 'vitest';
import { scriptedClient } from '../support/scripted-client';
import type { TopicDetail, TopicSummary } from '../../shared/model/schemas';
import { bindEvents, createAppStore } from '../../renderer/src/store/app-store';
import { selectResource } from '../../renderer/src/store/resources';
import { topicQuery, topicStatsQuery, topicsQuery, visibleTopics } from '../../renderer/src/features/topics/topics-slice';

const topic = (name: string, partitions: number): TopicSummary => ({
  name,
  partitions,
  replicationFactor: 3,
  underReplicatedPartitions: 0,
  offlinePartitions: 0,
  error: null,
});
const stat = (name: string, records: number, sizeBytes: number) => ({ name, records, sizeBytes, recordsUnknownPartitions: 0, sizeUnknownPartitions: 0 });

describe('topics slice', () => {
  it('loads topics and their stats for the active connection, and keeps errors next to the last data', async () => {
    let fail = false;
    const { client, calls } = scriptedClient({
      'topics.list': () => (fail ? { ok: false, error: { kind: 'unavailable', message: 'Cannot reach the cluster.' } } : { ok: true, value: [topic('a', 1)] }),
      'topics.stats': () => ({ ok: true, value: [stat('a', 5, 100)] }),
    });
    const store = createAppStore(client);
    const topics = () => selectResource(store.getState(), topicsQuery('embedded').key);
    await store.getState().fetchResource(topicsQuery('embedded'));
    expect(topics()).toMatchObject({ status: 'ready', data: [{ name: 'a' }] });
    await store.getState().fetchResource(topicStatsQuery('embedded'));
    expect(selectResource<ReadonlyMap<string, unknown>>(store.getState(), topicStatsQuery('embedded').key).data?.get('a')).toEqual(stat('a', 5, 100));
    expect(calls).toEqual([
      ['topics.list', { connectionId: 'embedded' }],
      ['topics.stats', { connectionId: 'embedded' }],
    ]);
    fail = true;
    await store.getState().fetchResource(topicsQuery('embedded'));
    expect(topics()).toMatchObject({ status: 'error', data: [{ name: 'a' }], error: { kind: 'unavailable' } });
  });

  it('searches and sorts: name ascending first, numbers descending first, toggling on a second click', () => {
    const store = createAppStore(scriptedClient({}).client);
    const topics = [topic('orders', 6), topic('payments', 3), topic('audit.log', 12)];
    const stats = new Map([
      ['orders', stat('orders', 10, 1)],
      ['payments', stat('payments', 500, 2)],
      ['audit.log', stat('audit.log', 0, 4096)],
    ]);
    const names = () => visibleTopics(topics, store.getState().topicSearch, store.getState().topicSort, stats).map((t) => t.name);
    expect(names()).toEqual(['audit.log', 'orders', 'payments']);
    store.getState().sortTopicsBy('records');
    expect(names()).toEqual(['payments', 'orders', 'audit.log']);
    store.getState().sortTopicsBy('records');
    expect(names()).toEqual(['audit.log', 'orders', 'payments']);
    store.getState().sortTopicsBy('partitions');
    expect(names()).toEqual(['audit.log', 'orders', 'payments']);
    store.getState().setTopicSearch('PAY');
    expect(names()).toEqual(['payments']);
  });

  it('reloads the list on screen after a topic is created, and returns the error when it is refused', async () => {
    const created: string[] = [];
    const { client } = scriptedClient({
      'topics.create': (request) =>
        request.topic === 'taken'
          ? { ok: false, error: { kind: 'conflict', message: 'A topic with this name already exists.' } }
          : (created.push(request.topic),
            { ok: true, value: { topic: request.topic, partitions: request.partitions, replicationFactor: request.replicationFactor } }),
      'topics.list': () => ({ ok: true, value: created.map((name) => topic(name, 1)) }),
    });
    const store = createAppStore(client);
    // The topics screen observes the list.
    store.getState().observeResource(topicsQuery('embedded'));
    await store.getState().fetchResource(topicsQuery('embedded'));
    const refused = await store.getState().createTopic({ topic: 'taken', partitions: 1, replicationFactor: 1 });
    expect(refused).toEqual({ ok: false, error: { kind: 'conflict', message: 'A topic with this name already exists.' } });
    await store.getState().createTopic({ topic: 'fresh', partitions: 3, replicationFactor: 1 });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(selectResource<TopicSummary[]>(store.getState(), topicsQuery('embedded').key).data?.map((t) => t.name)).toEqual(['fresh']);
  });

  it('forgets the previous cluster when the connection changes', async () => {
    const { client } = scriptedClient({ 'topics.list': () => ({ ok: true, value: [topic('a', 1)] }) });
    const store = createAppStore(client);
    await store.getState().fetchResource(topicsQuery('embedded'));
    store.getState().selectConnection('other');
    expect(store.getState().activeConnectionId).toBe('other');
    expect(selectResource(store.getState(), topicsQuery('embedded').key).status).toBe('idle');
    expect(store.getState().resources).toEqual({});
  });
});

describe('embedded slice', () => {
  const detail: TopicDetail = {
    name: 'orders',
    id: 'x',
    partitions: [0, 1].map((partition) => ({
      partition,
      leader: partition + 1,
      leaderEpoch: 0,
      replicas: [1, 2, 3],
      isr: [1, 2, 3],
      offlineReplicas: [],
      lowWatermark: 0,
      highWatermark: 0,
      sizeBytes: 0,
      error: null,
      eligibleLeaderReplicas: [],
      lastKnownElr: [],
      readError: null,
    })),
    brokers: [],
    readAt: 0,
  };

  it('moves leaders and shrinks ISR in the grid as events arrive', async () => {
    const { client, push } = scriptedClient({ 'topics.describe': () => ({ ok: true, value: detail }) });
    const store = createAppStore(client);
    bindEvents(store);
    store.getState().selectGridTopic('orders');
    // The cluster panel loads the grid topic's detail.
    await store.getState().fetchResource(topicQuery('embedded', 'orders'));
    const grid = () => selectResource<TopicDetail>(store.getState(), topicQuery('embedded', 'orders').key).data;
    expect(grid()?.partitions[1]?.leader).toBe(2);

    push('embedded.event', { type: 'broker', brokerId: 2, state: 'down', at: 1 });
    push('embedded.event', { type: 'leader', topic: 'orders', partition: 1, leader: 3, leaderEpoch: 1, at: 2 });
    push('embedded.event', { type: 'isr', topic: 'orders', partition: 1, isr: [1, 3], at: 3 });
    push('embedded.event', { type: 'leader', topic: 'other', partition: 1, leader: 1, leaderEpoch: 4, at: 4 });

    const partition = grid()?.partitions[1];
    expect(partition).toMatchObject({ leader: 3, leaderEpoch: 1, isr: [1, 3] });
    expect(grid()?.partitions[0]).toMatchObject({ leader: 1, isr: [1, 2, 3] });
    expect(store.getState().clusterEvents.map((event) => event.at)).toEqual([4, 3, 2, 1]);
  });

  it('shows a broker action failure where it happened and clears it on the next try', async () => {
    let attempt = 0;
    const { client } = scriptedClient({
      'embedded.stopBroker': () =>
        ++attempt === 1
          ? { ok: false, error: { kind: 'unavailable', message: 'The embedded cluster is not running.' } }
          : {
              ok: true,
              value: {
                enabled: true,
                state: 'running',
                message: null,
                bootstrapServers: 'x:1',
                dataDir: '/d',
                brokers: [],
                config: { brokers: 1, basePort: 1, dataDir: '/d' },
                launchOverrides: [],
                changedInRun: [],
                portsInUse: [],
                freeBasePort: null,
              },
            },
    });
    const store = createAppStore(client);
    await store.getState().controlBroker(1, 'stop');
    expect(store.getState().brokerActionError?.message).toBe('The embedded cluster is not running.');
    await store.getState().controlBroker(1, 'stop');
    expect(store.getState().brokerActionError).toBeNull();
    expect(store.getState().embedded.data?.state).toBe('running');
  });
});
