import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { AppState, AppStore } from './app-store';
import { idle, type Resource } from './resource';
import { keyStartsWith, resourceId, selectResource, type Query, type ResourceKey } from './resources';

export const StoreContext = createContext<AppStore | null>(null);

export function useAppStoreApi(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useAppStore needs a <StoreContext.Provider>.');
  return store;
}

/** Reads one piece of state; the component re-renders only when that piece changes. */
export function useAppStore<T>(selector: (state: AppState) => T): T {
  return useStore(useAppStoreApi(), selector);
}

/**
 * The data of a query's key, loaded when the key is first shown (and again when `reloadOn` changes,
 * such as the connection becoming available), observed while the component is mounted so that
 * invalidating the key loads it again. Returns the resource and a reload. A null query shows nothing.
 * `keepPreviousOf`: while a new key under this prefix has no data yet, the previous key's data stays
 * shown as loading (a chart switching range does not blink).
 */
export function useResource<T>(query: Query<T> | null, reloadOn: unknown = null, options: { keepPreviousOf?: ResourceKey } = {}): [Resource<T>, () => void] {
  const store = useAppStoreApi();
  const key = query ? resourceId(query.key) : null;
  const resource = useAppStore((state) => (query ? selectResource<T>(state, query.key) : IDLE_RESOURCE)) as Resource<T>;
  // The latest query (its loader closes over the current parameters), for reloads and invalidations.
  const queryRef = useRef(query);
  useEffect(() => {
    queryRef.current = query;
  });
  useEffect(() => {
    const current = queryRef.current;
    if (!current) return;
    const stop = store.getState().observeResource(current);
    void store.getState().fetchResource(current);
    return stop;
  }, [key, store, reloadOn]);
  const reload = useCallback(() => {
    if (queryRef.current) void store.getState().fetchResource(queryRef.current);
  }, [store]);
  // The last data shown, kept as state from render to render (React's "storing information from
  // previous renders").
  const [lastShown, setLastShown] = useState<{ key: ResourceKey; data: T } | null>(null);
  if (query && resource.data !== null && lastShown?.data !== resource.data) setLastShown({ key: query.key, data: resource.data });
  const prefix = options.keepPreviousOf;
  if (
    query &&
    resource.data === null &&
    prefix &&
    resource.status !== 'error' &&
    lastShown &&
    keyStartsWith(query.key, prefix) &&
    keyStartsWith(lastShown.key, prefix)
  ) {
    return [{ status: 'loading', data: lastShown.data, error: null }, reload];
  }
  return [resource, reload];
}

const IDLE_RESOURCE: Resource<never> = Object.freeze(idle<never>());
