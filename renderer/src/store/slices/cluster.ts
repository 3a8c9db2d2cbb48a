import type { ClusterOverview } from '../../../../shared/model/schemas';
import type { SliceCreator } from '../app-store';
import { idle, loading, settle, type Resource } from '../resource';

export interface ClusterSlice {
  overview: Resource<ClusterOverview>;
  loadOverview(): Promise<void>;
  /** Forgets everything fetched from the previous connection. */
  resetClusterData(): void;
}

export const createClusterSlice: SliceCreator<ClusterSlice> = (set, get, api) => ({
  overview: idle(),
  async loadOverview() {
    const connectionId = get().activeConnectionId;
    set({ overview: loading(get().overview) });
    const result = await api.invoke('cluster.overview', { connectionId });
    if (get().activeConnectionId === connectionId) set({ overview: settle(get().overview, result) });
  },
  resetClusterData() {
    set({ overview: idle(), topics: idle(), topicStats: idle(), topicDetail: idle(), topicConfigs: idle() });
  },
});
