import type { ClusterEvent, EmbeddedClusterStatus, EmbeddedRunConfig, TopicDetail } from '../../../../shared/model/schemas';
import type { IpcError, IpcResult } from '../../../../shared/ipc/contract';
import type { SliceCreator } from '../app-store';
import { idle, loading, settle, type Resource } from '../resource';
import { EMBEDDED_CONNECTION_ID } from '../../../../shared/model/schemas';

export const MAX_EVENTS = 200;

export interface EmbeddedSlice {
  embedded: Resource<EmbeddedClusterStatus>;
  /** Newest first. */
  clusterEvents: ClusterEvent[];
  gridTopic: string | null;
  gridDetail: Resource<TopicDetail>;
  brokerAction: { brokerId: number; action: 'stop' | 'kill' | 'start' } | null;
  brokerActionError: IpcError | null;
  /** The whole cluster being started, stopped or restarted from the UI. */
  clusterAction: 'start' | 'stop' | 'restart' | null;
  clusterActionError: IpcError | null;
  loadEmbedded(): Promise<void>;
  /** Starts the embedded cluster, optionally on other ports or another data directory for this run. */
  startEmbedded(changes?: Partial<EmbeddedRunConfig>): Promise<EmbeddedClusterStatus | null>;
  stopEmbedded(): Promise<EmbeddedClusterStatus | null>;
  restartEmbedded(changes?: Partial<EmbeddedRunConfig>): Promise<EmbeddedClusterStatus | null>;
  selectGridTopic(topic: string | null): void;
  loadGrid(): Promise<void>;
  controlBroker(brokerId: number, action: 'stop' | 'kill' | 'start'): Promise<void>;
  embeddedStatusChanged(status: EmbeddedClusterStatus): void;
  clusterEventReceived(event: ClusterEvent): void;
}

const channelFor = { stop: 'embedded.stopBroker', kill: 'embedded.killBroker', start: 'embedded.startBroker' } as const;

export const createEmbeddedSlice: SliceCreator<EmbeddedSlice> = (set, get, api) => {
  const runClusterAction = async (
    action: 'start' | 'stop' | 'restart',
    call: () => Promise<IpcResult<EmbeddedClusterStatus>>,
  ): Promise<EmbeddedClusterStatus | null> => {
    set({ clusterAction: action, clusterActionError: null });
    const result = await call();
    set({
      clusterAction: null,
      clusterActionError: result.ok ? null : result.error,
      ...(result.ok ? { embedded: { status: 'ready', data: result.value, error: null } } : {}),
    });
    return result.ok ? result.value : null;
  };
  return {
    embedded: idle(),
    clusterEvents: [],
    gridTopic: null,
    gridDetail: idle(),
    brokerAction: null,
    brokerActionError: null,
    clusterAction: null,
    clusterActionError: null,
    startEmbedded: (changes = {}) => runClusterAction('start', () => api.invoke('embedded.start', changes)),
    stopEmbedded: () => runClusterAction('stop', () => api.invoke('embedded.stop', {})),
    restartEmbedded: (changes = {}) => runClusterAction('restart', () => api.invoke('embedded.restart', changes)),
    async loadEmbedded() {
      set({ embedded: loading(get().embedded) });
      set({ embedded: settle(get().embedded, await api.invoke('embedded.status', {})) });
    },
    selectGridTopic(topic) {
      set({ gridTopic: topic, gridDetail: idle() });
      if (topic) void get().loadGrid();
    },
    async loadGrid() {
      const topic = get().gridTopic;
      if (!topic) return;
      set({ gridDetail: loading(get().gridDetail) });
      const result = await api.invoke('topics.describe', { connectionId: EMBEDDED_CONNECTION_ID, topic });
      if (get().gridTopic === topic) set({ gridDetail: settle(get().gridDetail, result) });
    },
    async controlBroker(brokerId, action) {
      set({ brokerAction: { brokerId, action }, brokerActionError: null });
      const result = await api.invoke(channelFor[action], { brokerId });
      set({
        brokerAction: null,
        brokerActionError: result.ok ? null : result.error,
        ...(result.ok ? { embedded: { status: 'ready', data: result.value, error: null } } : {}),
      });
    },
    embeddedStatusChanged(status) {
      set({ embedded: { status: 'ready', data: status, error: null } });
    },
    clusterEventReceived(event) {
      const events = [event, ...get().clusterEvents].slice(0, MAX_EVENTS);
      const grid = get().gridDetail;
      if (event.type === 'topic') {
        set({ clusterEvents: events });
        if (event.topic === get().gridTopic) {
          if (event.change === 'deleted') get().selectGridTopic(null);
          else void get().loadGrid();
        }
        // Keep the embedded cluster's topic list current when topics come and go.
        if (get().activeConnectionId === EMBEDDED_CONNECTION_ID && get().topics.status !== 'idle') void get().loadTopics();
        return;
      }
      // Leader and ISR events patch the grid at once; a describe follows to pick up watermarks.
      if (grid.data && event.type !== 'broker' && event.topic === grid.data.name) {
        const partitions = grid.data.partitions.map((partition) => {
          if (partition.partition !== event.partition) return partition;
          return event.type === 'leader'
            ? { ...partition, leader: event.leader, leaderEpoch: event.leaderEpoch }
            : { ...partition, isr: event.isr };
        });
        set({ clusterEvents: events, gridDetail: { ...grid, data: { ...grid.data, partitions } } as typeof grid });
        return;
      }
      set({ clusterEvents: events });
    },
  };
};
