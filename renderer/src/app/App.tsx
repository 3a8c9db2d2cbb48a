import { useEffect } from 'react';
import { useAppStore, useAppStoreApi } from '../store/hooks';
import { Sidebar } from '../features/connections/Sidebar';
import { ConnectionStatusBar } from '../features/connections/ConnectionStatusBar';
import { screenById } from './screens';
import { useAppliedColorScheme } from './use-color-scheme';

export function App() {
  const screen = useAppStore((state) => state.screen);
  const loadApp = useAppStore((state) => state.loadApp);
  const loadConnections = useAppStore((state) => state.loadConnections);
  const loadEmbedded = useAppStore((state) => state.loadEmbedded);
  const loadConnectionHealth = useAppStore((state) => state.loadConnectionHealth);
  const loadTheme = useAppStore((state) => state.loadTheme);
  const checkConnection = useAppStore((state) => state.checkConnection);
  useEffect(() => {
    void loadApp();
    void loadConnections();
    void loadEmbedded();
    void loadConnectionHealth();
    void loadTheme();
  }, [loadApp, loadConnections, loadEmbedded, loadConnectionHealth, loadTheme]);
  useAppliedColorScheme();
  // The connection shown at start is checked at once (choosing another checks that one).
  const store = useAppStoreApi();
  useEffect(() => {
    void checkConnection(store.getState().activeConnectionId);
  }, [checkConnection, store]);
  const Current = screenById(screen).component;
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
