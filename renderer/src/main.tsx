import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectApi } from './api/client';
import { bindEvents, createAppStore } from './store/app-store';
import { StoreContext } from './store/hooks';
import { App } from './app/App';
import { applyInitialColorScheme } from './app/use-color-scheme';
import './app/theme.css';

const store = createAppStore(connectApi());
applyInitialColorScheme(store.getState().themePreference);
bindEvents(store);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <StoreContext.Provider value={store}>
      <App />
    </StoreContext.Provider>
  </StrictMode>,
);
