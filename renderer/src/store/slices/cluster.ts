import type { IpcResult } from '../../../../shared/ipc/contract';
import type { BrokerDetail, ClusterOverview, ElectionPreview, ElectionResult, ElectionScope } from '../../../../shared/model/schemas';
import type { SliceCreator } from '../app-store';
import { idle, loading, settle, type Resource } from '../resource';

export interface ClusterSlice {
  overview: Resource<ClusterOverview>;
  /** The broker whose page is open. */
  selectedBroker: number | null;
  brokerDetail: Resource<BrokerDetail>;
  loadOverview(): Promise<void>;
  openBroker(brokerId: number): void;
  loadBrokerDetail(brokerId: number): Promise<void>;
  /** Which leaders a preferred-leader election would move, and which cannot move now. */
  previewElection(target: ElectionScope): Promise<IpcResult<ElectionPreview>>;
  /** Runs it; the screens showing leaders read them again. */
  electLeaders(target: ElectionScope): Promise<IpcResult<ElectionResult>>;
  /** Forgets everything fetched from the previous connection. */
  resetClusterData(): void;
}

export const createClusterSlice: SliceCreator<ClusterSlice> = (set, get, api) => ({
  overview: idle(),
  selectedBroker: null,
  brokerDetail: idle(),
  async loadOverview() {
    const connectionId = get().activeConnectionId;
    set({ overview: loading(get().overview) });
    const result = await api.invoke('cluster.overview', { connectionId });
    if (get().activeConnectionId === connectionId) set({ overview: settle(get().overview, result) });
  },
  openBroker(brokerId) {
    const same = get().selectedBroker === brokerId;
    set({ screen: 'broker', selectedBroker: brokerId, ...(same ? {} : { brokerDetail: idle<BrokerDetail>() }) });
  },
  async loadBrokerDetail(brokerId) {
    const connectionId = get().activeConnectionId;
    const previous = get().brokerDetail.data?.broker.id === brokerId ? get().brokerDetail : idle<BrokerDetail>();
    set({ brokerDetail: loading(previous) });
    const result = await api.invoke('brokers.describe', { connectionId, brokerId });
    if (get().activeConnectionId === connectionId && get().selectedBroker === brokerId) set({ brokerDetail: settle(get().brokerDetail, result) });
  },
  previewElection: (target) => api.invoke('cluster.electionPreview', { connectionId: get().activeConnectionId, target }),
  async electLeaders(target) {
    const result = await api.invoke('cluster.electLeaders', { connectionId: get().activeConnectionId, target });
    if (result.ok) {
      const state = get();
      if (state.overview.status !== 'idle') void state.loadOverview();
      if (state.selectedBroker !== null && state.brokerDetail.status !== 'idle') void state.loadBrokerDetail(state.selectedBroker);
      if (state.selectedTopic && state.topicDetail.status !== 'idle') void state.loadTopicDetail(state.selectedTopic);
      if (state.gridTopic) void state.loadGrid();
    }
    return result;
  },
  resetClusterData() {
    set({ overview: idle(), brokerDetail: idle(), selectedBroker: null, topics: idle(), topicStats: idle(), topicDetail: idle(), topicConfigs: idle() });
  },
});
