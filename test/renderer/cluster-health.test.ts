// The words a sick cluster is explained in, the back-off of views that heal by themselves, and the
// store's broker page and election actions.
import { describe, expect, it } from 'vitest';
import type { Channel, IpcClient, IpcResult, RequestOf, ResponseOf } from '../../shared/ipc/contract';
import type { BrokerDetail, BrokerRef, TopicDetail } from '../../shared/model/schemas';
import { brokerMap, brokerState, explainPartition, formatTime } from '../../renderer/src/features/brokers/explain';
import { MAX_RETRY_MS, retryDelay } from '../../renderer/src/app/use-live-view';
import { createAppStore } from '../../renderer/src/store/app-store';
import { selectResource } from '../../renderer/src/store/resources';
import { brokerQuery, overviewQuery } from '../../renderer/src/features/brokers/cluster-slice';
import { topicQuery } from '../../renderer/src/features/topics/topics-slice';

const at = (hours: number, minutes: number) => new Date(2026, 11, 5, hours, minutes).getTime();
const now = at(23, 0);
const up = (id: number): BrokerRef => ({ id, state: 'up', host: '10.0.0.1', port: 9092 + id, rack: null, lastSeenAt: now, downSince: null });
const down = (id: number, since: number | null, lastSeen: number | null = since): BrokerRef => ({
  id,
  state: 'down',
  host: since === null && lastSeen === null ? null : '10.0.0.1',
  port: since === null && lastSeen === null ? null : 9092 + id,
  rack: null,
  lastSeenAt: lastSeen,
  downSince: since,
});
const partition = (fields: Partial<Parameters<typeof explainPartition>[0]>) => ({
  partition: 2,
  leader: -1,
  replicas: [1],
  isr: [1],
  offlineReplicas: [],
  error: 'LEADER_NOT_AVAILABLE',
  ...fields,
});

describe('explaining partitions and brokers', () => {
  it('says when a broker went down, in the local time of day, or what is known when that is not', () => {
    expect(formatTime(at(22, 41), now)).toBe('22:41');
    expect(formatTime(at(22, 41) - 86_400_000, now)).toBe('Dec 4, 22:41');
    expect(brokerState(down(1, at(22, 41)), now)).toBe('down since 22:41');
    expect(brokerState(down(1, null, at(22, 40)), now)).toBe('down (last seen 22:40)');
    expect(brokerState(down(1, null, null), now)).toMatch(/^down \(not in the cluster’s metadata, and never seen up/);
    expect(brokerState(up(0), now)).toBe('up');
  });

  it('explains an offline partition by where its replicas are and why they cannot lead', () => {
    const brokers = brokerMap([up(0), down(1, at(22, 41)), down(2, at(22, 43)), up(3)]);
    expect(explainPartition(partition({}), brokers, undefined, now)).toBe(
      'partition 2 is offline: its only replica is on broker 1, which is down since 22:41.',
    );
    expect(explainPartition(partition({ replicas: [1, 2], isr: [1, 2] }), brokers, 'orders-2', now)).toBe(
      'orders-2 is offline: all 2 of its replicas are on brokers that are down (broker 1 since 22:41; broker 2 since 22:43).',
    );
    expect(explainPartition(partition({ replicas: [1, 0, 3], isr: [1] }), brokers, undefined, now)).toBe(
      'partition 2 is offline: its in-sync replica on broker 1 is down, and the live replicas on brokers 0 and 3 are out of sync, so they cannot lead without an unclean leader election (which loses records).',
    );
    expect(explainPartition(partition({ replicas: [0, 3], isr: [0, 3] }), brokers, undefined, now)).toBe(
      'partition 2 has no leader right now: brokers 0 and 3 are in sync and up, so an election should follow.',
    );
    expect(explainPartition(partition({ error: 'KAFKA_STORAGE_ERROR', replicas: [0] }), brokers, undefined, now)).toMatch(
      /log directory holding it has failed/,
    );
    // A leader that Metadata names but does not list as live.
    expect(explainPartition(partition({ leader: 2, replicas: [2, 0], isr: [2, 0], error: null }), brokers, undefined, now)).toBe(
      'partition 2 is offline: its leader, broker 2, is down since 22:43.',
    );
  });

  it('tells a storage failure (an offline replica on a broker that is up) from a broker that is down', () => {
    const brokers = brokerMap([up(0), up(1)]);
    expect(explainPartition(partition({ replicas: [1], isr: [1], offlineReplicas: [1] }), brokers, undefined, now)).toBe(
      'partition 2 is offline: its only replica, on broker 1, has a storage failure there (its log cannot be opened or written).',
    );
    expect(explainPartition(partition({ leader: 0, replicas: [0, 1], isr: [0], offlineReplicas: [1], error: null }), brokers, undefined, now)).toBe(
      'partition 2 is under-replicated: the replica on broker 1 is out of sync (broker 1 has a storage failure there (its log cannot be opened or written)).',
    );
  });

  it('says when a storage failure keeps an in-sync leader or follower from writing', () => {
    const brokers = brokerMap([up(0), up(1), up(2)]);
    expect(explainPartition(partition({ leader: 1, replicas: [1, 0, 2], isr: [1, 0, 2], offlineReplicas: [1], error: null }), brokers, undefined, now)).toBe(
      'partition 2 cannot be written: its leader, broker 1, has a storage failure there (its log cannot be opened or written); producers get KAFKA_STORAGE_ERROR until it works again.',
    );
    expect(explainPartition(partition({ leader: 0, replicas: [0, 1, 2], isr: [0, 1, 2], offlineReplicas: [1], error: null }), brokers, undefined, now)).toBe(
      'partition 2 has a storage failure: broker 1 cannot open or write its replica of it, which will fall out of sync.',
    );
  });

  it('explains an under-replicated partition replica by replica, and says nothing of a healthy one', () => {
    const brokers = brokerMap([up(0), down(1, at(22, 41)), up(2)]);
    expect(explainPartition(partition({ leader: 0, replicas: [0, 1, 2], isr: [0], offlineReplicas: [1], error: null }), brokers, undefined, now)).toBe(
      'partition 2 is under-replicated: the replicas on brokers 1 and 2 are out of sync (broker 1 is down since 22:41; broker 2 is up, catching up).',
    );
    expect(explainPartition(partition({ leader: 0, replicas: [0, 2], isr: [0, 2], error: null }), brokers, undefined, now)).toBeNull();
  });
});

describe('views that heal by themselves', () => {
  it('back off from 3 s to every 30 s while the cluster stays sick', () => {
    expect([0, 1, 2, 3, 4, 10].map(retryDelay)).toEqual([3_000, 6_000, 12_000, 24_000, MAX_RETRY_MS, MAX_RETRY_MS]);
  });
});

describe('cluster slice', () => {
  const detail = (brokerId: number) => ({
    broker: {
      ...up(brokerId),
      isController: false,
      leaderPartitions: 0,
      replicas: 0,
      outOfSyncReplicas: 0,
      offlinePartitions: 0,
      preferredLeaderPartitions: 0,
      failedReplicas: 0,
    },
    replicas: [],
    logDirs: [],
    logDirsError: null,
    configs: [],
    configsError: null,
    readAt: 0,
  });
  function client(answers: { [C in Channel]?: (request: RequestOf<C>) => IpcResult<ResponseOf<C>> }) {
    const calls: string[] = [];
    const api: IpcClient = {
      async invoke<C extends Channel>(channel: C, request: RequestOf<C>) {
        calls.push(channel);
        const answer = answers[channel];
        return answer ? answer(request) : { ok: false, error: { kind: 'internal', message: `no answer for ${channel}` } };
      },
      on: () => () => undefined,
    };
    return { api, calls };
  }

  it("opens a broker page; each broker's answer lands under its own key", async () => {
    const { api } = client({ 'brokers.describe': ({ brokerId }) => ({ ok: true, value: detail(brokerId) }) });
    const store = createAppStore(api);
    store.getState().openBroker(1);
    expect(store.getState()).toMatchObject({ screen: 'broker', selectedBroker: 1 });
    const first = store.getState().fetchResource(brokerQuery('embedded', 1));
    store.getState().openBroker(2);
    await first;
    expect(selectResource(store.getState(), brokerQuery('embedded', 2).key).status).toBe('idle');
    await store.getState().fetchResource(brokerQuery('embedded', 2));
    expect(selectResource<BrokerDetail>(store.getState(), brokerQuery('embedded', 2).key).data?.broker.id).toBe(2);
    // Switching connection leaves the page: the broker belongs to the other cluster.
    store.getState().selectConnection('other');
    expect(store.getState()).toMatchObject({ screen: 'brokers', selectedBroker: null });
  });

  it('reads the leaders again on the screens that show them after an election', async () => {
    const topic: TopicDetail = { name: 't', id: 'x', partitions: [], brokers: [], readAt: 0 };
    const { api, calls } = client({
      'cluster.electLeaders': () => ({ ok: true, value: { elected: 1, results: [{ topic: 't', partition: 0, error: null, message: null }] } }),
      'topics.describe': () => ({ ok: true, value: topic }),
    });
    const store = createAppStore(api);
    store.getState().openTopic('t');
    // The topic's page observes its detail; the overview is off screen, so it is not read again.
    store.getState().observeResource(topicQuery('embedded', 't'));
    await store.getState().fetchResource(topicQuery('embedded', 't'));
    await store.getState().fetchResource(overviewQuery('embedded'));
    calls.length = 0;
    const result = await store.getState().electLeaders({ scope: 'topic', topic: 't' });
    expect(result).toMatchObject({ ok: true, value: { elected: 1 } });
    expect(calls).toEqual(['cluster.electLeaders', 'topics.describe']);
  });
});
