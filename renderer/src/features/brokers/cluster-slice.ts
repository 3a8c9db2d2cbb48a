import type { IpcResult } from '../../../../shared/ipc/contract';
import type { BrokerDetail, ClusterOverview, ElectionPreview, ElectionResult, ElectionScope } from '../../../../shared/model/schemas';
import { EMBEDDED_CONNECTION_ID } from '../../../../shared/model/schemas';
import type { ClusterFeatures, FeatureUpdateRequest, FeatureUpdateResult } from '../../../../shared/model/features';
import type { SliceCreator } from '../../store/app-store';
import type { Query } from '../../store/resources';

export const overviewQuery = (connectionId: string): Query<ClusterOverview> => ({
  key: ['overview', connectionId],
  load: (api) => api.invoke('cluster.overview', { connectionId }),
});

/** Feature versions (KIP-584): the Overview's Features panel. */
export const featuresQuery = (connectionId: string): Query<ClusterFeatures> => ({
  key: ['features', connectionId],
  load: (api) => api.invoke('cluster.features', { connectionId }),
});

export const brokerQuery = (connectionId: string, brokerId: number): Query<BrokerDetail> => ({
  key: ['broker', connectionId, brokerId],
  load: (api) => api.invoke('brokers.describe', { connectionId, brokerId }),
});

export interface ClusterSlice {
  /** The broker whose page is open. */
  selectedBroker: number | null;
  openBroker: (brokerId: number) => void;
  /** Which leaders a preferred-leader election would move, and which cannot move now. */
  previewElection: (target: ElectionScope) => Promise<IpcResult<ElectionPreview>>;
  /** Runs it; the screens showing leaders read them again. */
  electLeaders: (target: ElectionScope) => Promise<IpcResult<ElectionResult>>;
  /** Changes (or with validateOnly, only validates) one feature's finalized level; the Features panel reads them again. */
  updateFeature: (change: Omit<FeatureUpdateRequest, 'connectionId'>) => Promise<IpcResult<FeatureUpdateResult>>;
  /** Forgets everything fetched from a connection (on leaving it). */
  resetClusterData: (connectionId: string) => void;
}

export const createClusterSlice: SliceCreator<ClusterSlice> = (set, get, api) => ({
  selectedBroker: null,
  openBroker(brokerId) {
    set({ screen: 'broker', selectedBroker: brokerId });
  },
  previewElection: (target) => api.invoke('cluster.electionPreview', { connectionId: get().activeConnectionId, target }),
  async electLeaders(target) {
    const connectionId = get().activeConnectionId;
    const result = await api.invoke('cluster.electLeaders', { connectionId, target });
    if (result.ok) {
      // Leaders show on the overview, the broker pages, the topic pages and the cluster panel's grid.
      for (const kind of ['overview', 'broker', 'topic']) get().invalidate([kind, connectionId]);
      if (connectionId !== EMBEDDED_CONNECTION_ID) get().invalidate(['topic', EMBEDDED_CONNECTION_ID]);
    }
    return result;
  },
  async updateFeature(change) {
    const connectionId = get().activeConnectionId;
    const result = await api.invoke('cluster.updateFeature', { connectionId, ...change });
    // A level changed: the panel, and the overview whose behaviour may follow it (ELR, share groups).
    if (result.ok && !change.validateOnly) for (const kind of ['features', 'overview', 'topic']) get().invalidate([kind, connectionId]);
    return result;
  },
  resetClusterData(connectionId) {
    set({ selectedBroker: null });
    // Keys of a connection's data have its id second: ['topic', connectionId, name].
    get().dropResources((key) => key[1] === connectionId);
  },
});
