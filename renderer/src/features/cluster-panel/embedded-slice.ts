import type { ClusterEvent, EmbeddedClusterStatus, EmbeddedRunConfig, TopicDetail } from '../../../../shared/model/schemas';
import type { IpcError, IpcResult } from '../../../../shared/ipc/contract';
import type { SliceCreator } from '../../store/app-store';
import { idle, loading, settle, type Resource } from '../../store/resource';
import { topicQuery } from '../topics/topics-slice';
import { EMBEDDED_CONNECTION_ID } from '../../../../shared/model/schemas';

export const MAX_EVENTS = 200;

export interface EmbeddedSlice {
  embedded: Resource<EmbeddedClusterStatus>;
  /** Newest first. */
  clusterEvents: ClusterEvent[];
  /** The topic the cluster panel's grid shows (its data: topicQuery on the embedded cluster). */
  gridTopic: string | null;
  brokerAction: { brokerId: number; action: 'stop' | 'kill' | 'start' | 'remove' } | { brokerId: null; action: 'add' } | null;
  /** Replicas being added and removed, by `topic-partition`, from the embedded cluster's replica events. */
  moving: Readonly<Record<string, { adding: number[]; removing: number[] }>>;
  brokerActionError: IpcError | null;
  /** The whole cluster being started, stopped or restarted from the UI. */
  clusterAction: 'start' | 'stop' | 'restart' | null;
  clusterActionError: IpcError | null;
  loadEmbedded: () => Promise<void>;
  /** Starts the embedded cluster, optionally on other ports or another data directory for this run. */
  startEmbedded: (changes?: Partial<EmbeddedRunConfig>) => Promise<EmbeddedClusterStatus | null>;
  stopEmbedded: () => Promise<EmbeddedClusterStatus | null>;
  restartEmbedded: (changes?: Partial<EmbeddedRunConfig>) => Promise<EmbeddedClusterStatus | null>;
  selectGridTopic: (topic: string | null) => void;
  controlBroker: (brokerId: number, action: 'stop' | 'kill' | 'start' | 'remove') => Promise<void>;
  /** Grows the cluster by one broker (the next free id). */
  addBroker: () => Promise<void>;
  embeddedStatusChanged: (status: EmbeddedClusterStatus) => void;
  clusterEventReceived: (event: ClusterEvent) => void;
}

const channelFor = { stop: 'embedded.stopBroker', kill: 'embedded.killBroker', start: 'embedded.startBroker', remove: 'embedded.removeBroker' } as const;

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
    brokerAction: null,
    brokerActionError: null,
    moving: {},
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
      set({ gridTopic: topic });
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
    async addBroker() {
      set({ brokerAction: { brokerId: null, action: 'add' }, brokerActionError: null });
      const result = await api.invoke('embedded.addBroker', {});
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
      set({ clusterEvents: [event, ...get().clusterEvents].slice(0, MAX_EVENTS) });
      if (event.type === 'topic') {
        if (event.topic === get().gridTopic && event.change === 'deleted') get().selectGridTopic(null);
        else get().invalidate(['topic', EMBEDDED_CONNECTION_ID, event.topic]);
        // Keep the embedded cluster's topic list current when topics come and go.
        get().invalidate(['topics', EMBEDDED_CONNECTION_ID]);
        return;
      }
      // Leader and ISR events patch the topic at once (the grid shows them); a describe follows to
      // pick up watermarks.
      if (event.type === 'broker') return;
      if (event.type === 'replicas') {
        const key = `${event.topic}-${event.partition}`;
        const others = Object.fromEntries(Object.entries(get().moving).filter(([entry]) => entry !== key));
        set({ moving: event.adding.length + event.removing.length > 0 ? { ...others, [key]: { adding: event.adding, removing: event.removing } } : others });
        get().invalidate(['reassignments', EMBEDDED_CONNECTION_ID]);
      }
      get().setResourceData<TopicDetail>(topicQuery(EMBEDDED_CONNECTION_ID, event.topic).key, (topic) => {
        if (!topic) return null;
        const partitions = topic.partitions.map((partition) => {
          if (partition.partition !== event.partition) return partition;
          if (event.type === 'replicas') return { ...partition, replicas: event.replicas };
          return event.type === 'leader' ? { ...partition, leader: event.leader, leaderEpoch: event.leaderEpoch } : { ...partition, isr: event.isr };
        });
        return { ...topic, partitions };
      });
    },
  };
};
