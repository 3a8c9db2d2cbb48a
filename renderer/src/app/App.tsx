import { useEffect } from 'react';
import { useAppStore, useAppStoreApi } from '../store/hooks';
import type { Screen } from '../store/slices/ui';
import { Sidebar } from '../features/connections/Sidebar';
import { GroupsScreen } from '../features/groups/GroupsScreen';
import { GroupDetailScreen } from '../features/groups/GroupDetailScreen';
import { OverviewScreen } from '../features/overview/OverviewScreen';
import { BrokersScreen } from '../features/brokers/BrokersScreen';
import { BrokerScreen } from '../features/brokers/BrokerScreen';
import { TopicsScreen } from '../features/topics/TopicsScreen';
import { TopicDetailScreen } from '../features/topics/TopicDetailScreen';
import { ProduceScreen } from '../features/produce/ProduceScreen';
import { ClusterPanelScreen } from '../features/cluster-panel/ClusterPanelScreen';
import { SettingsScreen } from '../features/settings/SettingsScreen';
import { MessagesScreen } from '../features/messages/MessagesScreen';
import { ConnectionStatusBar } from '../features/connections/ConnectionStatusBar';

const screens: Record<Screen, () => React.JSX.Element> = {
  overview: OverviewScreen,
  brokers: BrokersScreen,
  broker: BrokerScreen,
  topics: TopicsScreen,
  topic: TopicDetailScreen,
  groups: GroupsScreen,
  group: GroupDetailScreen,
  produce: ProduceScreen,
  cluster: ClusterPanelScreen,
  settings: SettingsScreen,
  messages: MessagesScreen,
};

export function App() {
  const screen = useAppStore((state) => state.screen);
  const loadApp = useAppStore((state) => state.loadApp);
  const loadConnections = useAppStore((state) => state.loadConnections);
  const loadEmbedded = useAppStore((state) => state.loadEmbedded);
  const loadConnectionHealth = useAppStore((state) => state.loadConnectionHealth);
  const checkConnection = useAppStore((state) => state.checkConnection);
  useEffect(() => {
    void loadApp();
    void loadConnections();
    void loadEmbedded();
    void loadConnectionHealth();
  }, [loadApp, loadConnections, loadEmbedded, loadConnectionHealth]);
  // The connection shown at start is checked at once (choosing another checks that one).
  const store = useAppStoreApi();
  useEffect(() => {
    void checkConnection(store.getState().activeConnectionId);
  }, [checkConnection, store]);
  const Current = screens[screen];
  return (
    <div className="app">
      <Sidebar />
      <main className="content">
        <ConnectionStatusBar />
        <Current />
      </main>
    </div>
  );
}
