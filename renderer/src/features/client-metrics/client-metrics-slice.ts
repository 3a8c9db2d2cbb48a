// Client metrics (KIP-714) in the renderer: the overview (subscriptions and pushed telemetry) as a
// keyed query, and the writes, which answer the new overview and invalidate the query.
import type { IpcResult, RequestOf, ResponseOf } from '../../../../shared/ipc/contract';
import type { ClientMetricsOverview } from '../../../../shared/model/client-metrics';
import type { SliceCreator } from '../../store/app-store';
import type { Query } from '../../store/resources';

type SaveRequest = Omit<RequestOf<'clientMetrics.save'>, 'connectionId'>;

export const clientMetricsQuery = (connectionId: string): Query<ClientMetricsOverview> => ({
  key: ['client-metrics', connectionId],
  load: (api) => api.invoke('clientMetrics.overview', { connectionId }),
});

export interface ClientMetricsSlice {
  saveClientMetricsSubscription: (request: SaveRequest) => Promise<IpcResult<ResponseOf<'clientMetrics.save'>>>;
  deleteClientMetricsSubscription: (name: string) => Promise<IpcResult<ResponseOf<'clientMetrics.delete'>>>;
}

export const createClientMetricsSlice: SliceCreator<ClientMetricsSlice> = (_set, get, api) => {
  const write = async <T>(call: (connectionId: string) => Promise<IpcResult<T>>): Promise<IpcResult<T>> => {
    const connectionId = get().activeConnectionId;
    const result = await call(connectionId);
    if (result.ok || result.error.kind === 'not-found' || result.error.kind === 'conflict') get().invalidate(['client-metrics', connectionId]);
    return result;
  };
  return {
    saveClientMetricsSubscription: (request) => write((connectionId) => api.invoke('clientMetrics.save', { connectionId, ...request })),
    deleteClientMetricsSubscription: (name) => write((connectionId) => api.invoke('clientMetrics.delete', { connectionId, name })),
  };
};
