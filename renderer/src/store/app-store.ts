// The renderer's state: one zustand store made of slices. createAppStore() takes the IPC client, so
// tests build a store on a client of their choosing and screens read it through selector hooks.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { IpcClient } from '../../../shared/ipc/contract';
import { createConnectionsSlice, type ConnectionsSlice } from '../features/connections/connections-slice';
import { createClusterSlice, type ClusterSlice } from '../features/brokers/cluster-slice';
import { createTopicsSlice, type TopicsSlice } from '../features/topics/topics-slice';
import { createEmbeddedSlice, type EmbeddedSlice } from '../features/cluster-panel/embedded-slice';
import { createGroupsSlice, type GroupsSlice } from '../features/groups/groups-slice';
import { createUiSlice, type UiSlice } from '../app/ui-slice';
import { createMessagesSlice, type MessagesSlice } from '../features/messages/messages-slice';
import { createThemeSlice, type ThemeSlice } from '../features/theme/theme-slice';
import { createAclsSlice, type AclsSlice } from '../features/acls/acls-slice';
import { createUsersSlice, type UsersSlice } from '../features/users/users-slice';
import { createClientMetricsSlice, type ClientMetricsSlice } from '../features/client-metrics/client-metrics-slice';
import { createSchemasSlice, type SchemasSlice } from '../features/schemas/schemas-slice';
import { createTransactionsSlice, type TransactionsSlice } from '../features/transactions/transactions-slice';
import { createReassignSlice, type ReassignSlice } from '../features/reassign/reassign-slice';
import { createResourcesSlice, type ResourcesSlice } from './resources';

export type AppState = ResourcesSlice &
  ConnectionsSlice &
  ClusterSlice &
  TopicsSlice &
  EmbeddedSlice &
  UiSlice &
  GroupsSlice &
  MessagesSlice &
  ThemeSlice &
  AclsSlice &
  UsersSlice &
  ClientMetricsSlice &
  SchemasSlice &
  TransactionsSlice &
  ReassignSlice & { api: IpcClient };

export type AppStore = StoreApi<AppState>;

/** Makes a slice's state and actions. Slice interfaces declare actions as function properties, not
 * methods: screens take them out of the store (useAppStore((state) => state.openTopic)) and call them
 * alone, which is right as no action uses `this`. */
export type SliceCreator<Slice> = (set: StoreApi<AppState>['setState'], get: StoreApi<AppState>['getState'], api: IpcClient) => Slice;

export function createAppStore(api: IpcClient): AppStore {
  return createStore<AppState>()((set, get) => ({
    api,
    ...createResourcesSlice(set, get, api),
    ...createConnectionsSlice(set, get, api),
    ...createClusterSlice(set, get, api),
    ...createTopicsSlice(set, get, api),
    ...createEmbeddedSlice(set, get, api),
    ...createReassignSlice(set, get, api),
    ...createGroupsSlice(set, get, api),
    ...createUiSlice(set, get, api),
    ...createMessagesSlice(set, get, api),
    ...createThemeSlice(set, get, api),
    ...createAclsSlice(set, get, api),
    ...createUsersSlice(set, get, api),
    ...createClientMetricsSlice(set, get, api),
    ...createSchemasSlice(set, get, api),
    ...createTransactionsSlice(set, get, api),
  }));
}

/** Subscribes the store to the main process's pushed events; returns the unsubscribe. */
export function bindEvents(store: AppStore): () => void {
  const { api } = store.getState();
  const offs = [
    api.on('lag.sampled', (event) => store.getState().lagSampled(event)),
    api.on('demo.status', (status) => store.getState().demoStatusChanged(status)),
    api.on('connections.changed', (connections) => store.getState().connectionsChanged(connections)),
    api.on('connections.health', (health) => store.getState().connectionHealthChanged(health)),
    api.on('connections.activity', (activity) => store.getState().connectionActivityChanged(activity)),
    api.on('embedded.status', (status) => store.getState().embeddedStatusChanged(status)),
    api.on('embedded.event', (event) => store.getState().clusterEventReceived(event)),
    api.on('messages.progress', (progress) => store.getState().messageProgressReceived(progress)),
    api.on('messages.tail', (event) => store.getState().tailEventReceived(event)),
  ];
  return () => offs.forEach((off) => off());
}
