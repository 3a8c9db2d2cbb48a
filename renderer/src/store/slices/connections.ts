import { EMBEDDED_CONNECTION_ID, type AppInfo, type ConnectionInput, type ConnectionSummary, type ConnectionTestResult } from '../../../../shared/model/schemas';
import type { IpcResult } from '../../../../shared/ipc/contract';
import type { SliceCreator } from '../app-store';
import { idle, loading, settle, type Resource } from '../resource';

export interface ConnectionsSlice {
  appInfo: Resource<AppInfo>;
  connections: Resource<ConnectionSummary[]>;
  activeConnectionId: string;
  loadApp(): Promise<void>;
  loadConnections(): Promise<void>;
  selectConnection(id: string): void;
  saveConnection(input: ConnectionInput): Promise<IpcResult<ConnectionSummary>>;
  deleteConnection(id: string): Promise<IpcResult<Record<string, never>>>;
  testConnection(input: ConnectionInput | { id: string }): Promise<IpcResult<ConnectionTestResult>>;
  connectionsChanged(connections: ConnectionSummary[]): void;
}

export const createConnectionsSlice: SliceCreator<ConnectionsSlice> = (set, get, api) => ({
  appInfo: idle(),
  connections: idle(),
  activeConnectionId: EMBEDDED_CONNECTION_ID,
  async loadApp() {
    set({ appInfo: loading(get().appInfo) });
    set({ appInfo: settle(get().appInfo, await api.invoke('app.info', {})) });
  },
  async loadConnections() {
    set({ connections: loading(get().connections) });
    set({ connections: settle(get().connections, await api.invoke('connections.list', {})) });
  },
  selectConnection(id) {
    if (id === get().activeConnectionId) return;
    set({ activeConnectionId: id, selectedTopic: null, screen: get().screen === 'topic' ? 'topics' : get().screen });
    get().resetClusterData();
  },
  async saveConnection(input) {
    const result = await api.invoke('connections.save', input);
    if (result.ok) await get().loadConnections();
    return result;
  },
  async deleteConnection(id) {
    const result = await api.invoke('connections.delete', { id });
    if (result.ok) {
      if (get().activeConnectionId === id) get().selectConnection(EMBEDDED_CONNECTION_ID);
      await get().loadConnections();
    }
    return result;
  },
  testConnection: (input) => api.invoke('connections.test', input),
  connectionsChanged(connections) {
    set({ connections: { status: 'ready', data: connections, error: null } });
  },
});

/** Whether the active connection can be used now; screens refetch when it becomes available (the
 * embedded cluster finishing its start, for one). */
export function selectActiveAvailable(state: { connections: Resource<ConnectionSummary[]>; activeConnectionId: string }): boolean {
  return state.connections.data?.find((connection) => connection.id === state.activeConnectionId)?.available ?? false;
}
