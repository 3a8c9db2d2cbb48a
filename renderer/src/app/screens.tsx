// The screen registry: every screen of the app once, with what the router, the sidebar and the store
// need to know about it. App renders the current screen from it, the sidebar lists its entries, and
// switching connection leaves the screens that show something of the previous cluster.
import type { ComponentType } from 'react';
import { OverviewScreen } from '../features/overview/OverviewScreen';
import { BrokersScreen } from '../features/brokers/BrokersScreen';
import { BrokerScreen } from '../features/brokers/BrokerScreen';
import { TopicsScreen } from '../features/topics/TopicsScreen';
import { TopicDetailScreen } from '../features/topics/TopicDetailScreen';
import { MessagesScreen } from '../features/messages/MessagesScreen';
import { ProduceScreen } from '../features/produce/ProduceScreen';
import { GroupsScreen } from '../features/groups/GroupsScreen';
import { GroupDetailScreen } from '../features/groups/GroupDetailScreen';
import { SchemasScreen } from '../features/schemas/SchemasScreen';
import { SubjectScreen } from '../features/schemas/SubjectScreen';
import { ClusterPanelScreen } from '../features/cluster-panel/ClusterPanelScreen';
import { SettingsScreen } from '../features/settings/SettingsScreen';
import { AclsScreen } from '../features/acls/AclsScreen';
import { UsersScreen } from '../features/users/UsersScreen';
import { ClientMetricsScreen } from '../features/client-metrics/ClientMetricsScreen';
import { TransactionsScreen } from '../features/transactions/TransactionsScreen';
import { ReassignScreen } from '../features/reassign/ReassignScreen';

export interface ScreenDefinition<Id extends string = string> {
  id: Id;
  /** The sidebar's label (and the screen's name in tests). */
  title: string;
  component: ComponentType;
  /** Where the sidebar lists it: the connection's screens, the footer, or nowhere (a page opened from
   * a list, such as one topic). */
  placement: 'cluster' | 'footer' | 'none';
  /** The list a page belongs to: its sidebar entry is highlighted while the page is open. */
  parent?: Id;
  /** What it needs: `embedded`, listed only while the embedded cluster's connection is active. */
  needs?: { embedded?: true };
  /** The page shows one thing of the active cluster (a topic, a broker, a group): on switching
   * connection the app goes to this screen instead. */
  onConnectionChange?: Id;
}

// In sidebar order.
const definitions = [
  { id: 'overview', title: 'Overview', component: OverviewScreen, placement: 'cluster' },
  { id: 'brokers', title: 'Brokers', component: BrokersScreen, placement: 'cluster' },
  { id: 'broker', title: 'Broker', component: BrokerScreen, placement: 'none', parent: 'brokers', onConnectionChange: 'brokers' },
  { id: 'topics', title: 'Topics', component: TopicsScreen, placement: 'cluster' },
  { id: 'reassign', title: 'Reassign partitions', component: ReassignScreen, placement: 'cluster' },
  { id: 'topic', title: 'Topic', component: TopicDetailScreen, placement: 'none', parent: 'topics', onConnectionChange: 'topics' },
  { id: 'messages', title: 'Messages', component: MessagesScreen, placement: 'cluster' },
  { id: 'produce', title: 'Produce', component: ProduceScreen, placement: 'cluster' },
  { id: 'groups', title: 'Consumer groups', component: GroupsScreen, placement: 'cluster' },
  { id: 'group', title: 'Consumer group', component: GroupDetailScreen, placement: 'none', parent: 'groups', onConnectionChange: 'groups' },
  { id: 'transactions', title: 'Transactions', component: TransactionsScreen, placement: 'cluster' },
  { id: 'schemas', title: 'Schemas', component: SchemasScreen, placement: 'cluster' },
  { id: 'subject', title: 'Subject', component: SubjectScreen, placement: 'none', parent: 'schemas', onConnectionChange: 'schemas' },
  { id: 'acls', title: 'ACLs', component: AclsScreen, placement: 'cluster' },
  { id: 'users', title: 'Users', component: UsersScreen, placement: 'cluster' },
  { id: 'client-metrics', title: 'Client metrics', component: ClientMetricsScreen, placement: 'cluster' },
  { id: 'cluster', title: 'Cluster panel', component: ClusterPanelScreen, placement: 'cluster', needs: { embedded: true } },
  { id: 'settings', title: 'Settings', component: SettingsScreen, placement: 'footer' },
] as const satisfies readonly ScreenDefinition[];

export type ScreenId = (typeof definitions)[number]['id'];

export const screens: readonly ScreenDefinition<ScreenId>[] = definitions;

const byId = new Map<ScreenId, ScreenDefinition<ScreenId>>(screens.map((screen) => [screen.id, screen]));

export function screenById(id: ScreenId): ScreenDefinition<ScreenId> {
  const screen = byId.get(id);
  if (!screen) throw new Error(`no screen "${id}" in the registry`);
  return screen;
}

/** The screens the sidebar lists in a place, for the active connection. */
export function sidebarScreens(placement: 'cluster' | 'footer', onEmbedded: boolean): ScreenDefinition<ScreenId>[] {
  return screens.filter((screen) => screen.placement === placement && (!screen.needs?.embedded || onEmbedded));
}

/** Whether a sidebar entry is the current screen or the list the current page belongs to. */
export function isCurrent(entry: ScreenId, current: ScreenId): boolean {
  return entry === current || screenById(current).parent === entry;
}

/** Where the app goes when the active connection changes while `current` is shown. */
export function screenAfterConnectionChange(current: ScreenId): ScreenId {
  return screenById(current).onConnectionChange ?? current;
}
