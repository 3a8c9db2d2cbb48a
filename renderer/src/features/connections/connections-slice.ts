import {
  EMBEDDED_CONNECTION_ID,
  type AppInfo,
  type ConnectionInput,
  type ConnectionSummary,
  type ConnectionTestResult,
  type ConnectionTimeouts,
} from '../../../../shared/model/schemas';
import type { ConnectionActivity, ConnectionHealth, PendingWork } from '../../../../shared/model/connections';
import type { IpcResult, ResponseOf } from '../../../../shared/ipc/contract';
import type { SliceCreator } from '../../store/app-store';
import { idle, loading, settle, type Resource } from '../../store/resource';
import { screenAfterConnectionChange } from '../../app/screens';

/** What a connection (or a dialog's test) waits for, with when it was heard of here: the elapsed time
 * shown is `elapsedMs` plus the time since `receivedAt`. */
export interface ActivityView {
  pending: PendingWork[];
  receivedAt: number;
}

export interface ConnectionsSlice {
  appInfo: Resource<AppInfo>;
  connections: Resource<ConnectionSummary[]>;
  activeConnectionId: string;
  /** By connection id: connecting / up / degraded / down, last error, round trip (main process's view). */
  connectionHealth: Record<string, ConnectionHealth>;
  /** By connection id or "test:<testId>". */
  connectionActivity: Record<string, ActivityView>;
  loadApp: () => Promise<void>;
  loadConnections: () => Promise<void>;
  loadConnectionHealth: () => Promise<void>;
  selectConnection: (id: string) => void;
  saveConnection: (input: ConnectionInput) => Promise<IpcResult<ConnectionSummary>>;
  /** Sets the connect and request timeouts of any connection, the embedded one included. */
  setConnectionTimeouts: (id: string, timeouts: ConnectionTimeouts) => Promise<IpcResult<ConnectionSummary>>;
  deleteConnection: (id: string) => Promise<IpcResult<Record<string, never>>>;
  /** Saves a connection made from a client .properties file the main process reads. */
  importProperties: (path: string) => Promise<IpcResult<ResponseOf<'connections.importProperties'>>>;
  testConnection: (input: ConnectionInput | { id: string }, testId?: string) => Promise<IpcResult<ConnectionTestResult>>;
  cancelTest: (testId: string) => Promise<void>;
  /** Checks a connection now (on choosing it, and "Check now"). */
  checkConnection: (id: string) => Promise<void>;
  /** Ends every call under way on a connection: the screens waiting for them show "Cancelled". */
  cancelConnection: (id: string) => Promise<void>;
  connectionsChanged: (connections: ConnectionSummary[]) => void;
  connectionHealthChanged: (health: ConnectionHealth) => void;
  connectionActivityChanged: (activity: ConnectionActivity) => void;
}

export const createConnectionsSlice: SliceCreator<ConnectionsSlice> = (set, get, api) => ({
  appInfo: idle(),
  connections: idle(),
  activeConnectionId: EMBEDDED_CONNECTION_ID,
  connectionHealth: {},
  connectionActivity: {},
  async loadApp() {
    set({ appInfo: loading(get().appInfo) });
    set({ appInfo: settle(get().appInfo, await api.invoke('app.info', {})) });
  },
  async loadConnections() {
    set({ connections: loading(get().connections) });
    set({ connections: settle(get().connections, await api.invoke('connections.list', {})) });
  },
  async loadConnectionHealth() {
    const result = await api.invoke('connections.health', {});
    if (result.ok) set({ connectionHealth: Object.fromEntries(result.value.map((health) => [health.connectionId, health])) });
  },
  selectConnection(id) {
    const previous = get().activeConnectionId;
    if (id === previous) return;
    set({ activeConnectionId: id, selectedTopic: null, screen: screenAfterConnectionChange(get().screen) });
    get().resetClusterData(previous);
    void get().checkConnection(id);
  },
  async saveConnection(input) {
    const result = await api.invoke('connections.save', input);
    if (result.ok) await get().loadConnections();
    return result;
  },
  async setConnectionTimeouts(id, timeouts) {
    const result = await api.invoke('connections.setTimeouts', { connectionId: id, timeouts });
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
  async importProperties(path) {
    const result = await api.invoke('connections.importProperties', { path });
    if (result.ok) await get().loadConnections();
    return result;
  },
  testConnection: (input, testId) => api.invoke('connections.test', testId ? { ...input, testId } : input),
  async cancelTest(testId) {
    await api.invoke('connections.cancel', { testId });
  },
  async checkConnection(id) {
    const result = await api.invoke('connections.check', { connectionId: id });
    if (result.ok) get().connectionHealthChanged(result.value);
  },
  async cancelConnection(id) {
    await api.invoke('connections.cancel', { connectionId: id });
  },
  connectionsChanged(connections) {
    set({ connections: { status: 'ready', data: connections, error: null } });
  },
  connectionHealthChanged(health) {
    const current = get().connectionHealth[health.connectionId];
    // Events and answers can cross: keep the newest view.
    if (current && (current.checkedAt ?? 0) > (health.checkedAt ?? 0)) return;
    set({ connectionHealth: { ...get().connectionHealth, [health.connectionId]: health } });
  },
  connectionActivityChanged(activity) {
    const next = { ...get().connectionActivity };
    if (activity.pending.length) next[activity.key] = { pending: activity.pending, receivedAt: Date.now() };
    else delete next[activity.key];
    set({ connectionActivity: next });
  },
});

type ConnectionsView = Pick<ConnectionsSlice, 'connections' | 'activeConnectionId' | 'connectionHealth'>;

/** Whether the active connection can be used now; screens refetch when it becomes available (the
 * embedded cluster finishing its start, a cluster answering again after it was found down): views
 * heal by themselves. */
export function selectActiveAvailable(state: ConnectionsView): boolean {
  const available = state.connections.data?.find((connection) => connection.id === state.activeConnectionId)?.available ?? false;
  return available && (state.connectionHealth[state.activeConnectionId]?.reachable ?? true);
}

export function selectActiveConnection(state: ConnectionsView): ConnectionSummary | undefined {
  return state.connections.data?.find((connection) => connection.id === state.activeConnectionId);
}

export function selectActiveHealth(state: ConnectionsView): ConnectionHealth | undefined {
  return state.connectionHealth[state.activeConnectionId];
}

/**
 * Why writes (create a topic, produce, delete, reset offsets ...) cannot be sent on the active
 * connection now, or null when they can: a write to a cluster that is down would only wait for its
 * timeout. Shown beside (and as the title of) the disabled buttons; the status bar says why it is down.
 */
export function selectWriteBlock(state: ConnectionsView): string | null {
  const connection = selectActiveConnection(state);
  if (!connection) return null;
  if (!connection.available) return `Writes are off while ${connection.kind === 'embedded' ? 'the embedded cluster' : connection.name} is not running.`;
  if (state.connectionHealth[connection.id]?.state === 'down') return `Writes are off while ${connection.name} is down.`;
  return null;
}
