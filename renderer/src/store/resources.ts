// Keyed data: everything a screen reads from the main process lives under a key such as
// ['topic', connectionId, 'orders']. The key says what the data is, so
// - an answer lands under the key it was asked for: an answer for the previous connection or the
//   previous topic can never show on the current one, with no check of what is selected now;
// - a newer load of the same key wins over an older one still under way;
// - events and writes invalidate by key ('lag.sampled' invalidates ['lag', connectionId, group]):
//   the keys a mounted screen observes load again, the others when a screen next shows them.
import type { IpcClient, IpcResult } from '../../../shared/ipc/contract';
import type { SliceCreator } from './app-store';
import { idle, loading, settle, type Resource } from './resource';

export type ResourceKey = readonly (string | number | null)[];

/** How to load the data of one key. */
export interface Query<T> {
  key: ResourceKey;
  load: (api: IpcClient) => Promise<IpcResult<T>>;
  /** Keys this data is made of besides its own (a topic's lag view shows the lag of its groups):
   * invalidating one of them invalidates this too. */
  dependsOn?: (data: T | null) => readonly ResourceKey[];
  /** Combines what was there with a new answer (sparklines of rows scrolled away stay). */
  merge?: (previous: T | null, next: T) => T;
}

export interface ResourcesSlice {
  /** By resourceId(key). Read with selectResource or useResource. */
  resources: Readonly<Record<string, Resource<unknown>>>;
  /** Loads (again) the data of a key; keeps what was there while loading and after a failure. */
  fetchResource: <T>(query: Query<T>) => Promise<void>;
  /** A screen shows the key: it loads again when invalidated. Returns the end of the observation. */
  observeResource: <T>(query: Query<T>) => () => void;
  /** Every resource whose key starts with `key`, or that depends on a key overlapping it, is out of
   * date: observed ones load again (after the load under way, if any). `where` narrows by data. */
  invalidate: (key: ResourceKey, where?: (data: unknown) => boolean) => void;
  /** Replaces the data of a key with what a write or an event told (no load needed); `update`
   * answering null leaves it as it is. */
  setResourceData: <T>(key: ResourceKey, update: (data: T | null) => T | null) => void;
  /** Forgets the resources whose key matches (the previous connection's data). A screen still
   * observing one gets a fresh entry when it loads again. */
  dropResources: (where: (key: ResourceKey) => boolean) => void;
}

export const resourceId = (key: ResourceKey): string => JSON.stringify(key);

const IDLE: Resource<never> = Object.freeze(idle<never>());

/** The resource of a key in a state; the same idle object while nothing was loaded, so selectors are stable. */
export function selectResource<T>(state: Pick<ResourcesSlice, 'resources'>, key: ResourceKey): Resource<T> {
  return (state.resources[resourceId(key)] ?? IDLE) as Resource<T>;
}

/** `prefix` is the beginning of `key` (or all of it). */
export function keyStartsWith(key: ResourceKey, prefix: ResourceKey): boolean {
  return prefix.length <= key.length && prefix.every((part, index) => key[index] === part);
}

const overlap = (a: ResourceKey, b: ResourceKey) => keyStartsWith(a, b) || keyStartsWith(b, a);

interface Entry {
  query: Query<unknown>;
  observers: number;
  /** Counts loads: only the answer of the newest lands. */
  generation: number;
  loading: boolean;
  /** Invalidated during a load: load again when it ends. */
  stale: boolean;
}

export const createResourcesSlice: SliceCreator<ResourcesSlice> = (set, get, api) => {
  const entries = new Map<string, Entry>();
  const entryOf = (query: Query<unknown>): Entry => {
    const id = resourceId(query.key);
    let entry = entries.get(id);
    if (!entry) {
      entry = { query, observers: 0, generation: 0, loading: false, stale: false };
      entries.set(id, entry);
    }
    return entry;
  };
  const write = (id: string, resource: Resource<unknown>) => set({ resources: { ...get().resources, [id]: resource } });

  const fetchResource = async <T>(query: Query<T>): Promise<void> => {
    const id = resourceId(query.key);
    const entry = entryOf(query as Query<unknown>);
    entry.query = query as Query<unknown>;
    const generation = ++entry.generation;
    entry.loading = true;
    write(id, loading(selectResource<T>(get(), query.key)));
    const result = await query.load(api);
    // Dropped meanwhile (another connection), or a newer load of the key started: not this answer.
    if (entries.get(id) !== entry || entry.generation !== generation) return;
    entry.loading = false;
    const previous = selectResource<T>(get(), query.key);
    const merged: IpcResult<T> = result.ok && query.merge ? { ok: true, value: query.merge(previous.data, result.value) } : result;
    write(id, settle(previous, merged));
    if (entry.stale) {
      entry.stale = false;
      if (entry.observers > 0) void fetchResource(entry.query);
    }
  };

  return {
    resources: {},
    fetchResource,
    observeResource(query) {
      const entry = entryOf(query as Query<unknown>);
      entry.query = query as Query<unknown>;
      entry.observers += 1;
      return () => {
        entry.observers -= 1;
      };
    },
    invalidate(key, where) {
      const resources = get().resources;
      for (const [id, entry] of entries) {
        const data = resources[id]?.data ?? null;
        const dependsOn = entry.query.dependsOn?.(data) ?? [];
        if (!keyStartsWith(entry.query.key, key) && !dependsOn.some((dependency) => overlap(dependency, key))) continue;
        if (where && !where(data)) continue;
        if (entry.observers === 0) continue; // loaded again when a screen shows it
        if (entry.loading) entry.stale = true;
        else void fetchResource(entry.query);
      }
    },
    setResourceData(key, update) {
      const current = selectResource(get(), key);
      const data = update(current.data as never);
      if (data === null) return;
      // A load under way stays under way (its answer follows).
      write(resourceId(key), current.status === 'loading' ? { ...current, data } : { status: 'ready', data, error: null });
    },
    dropResources(where) {
      for (const [id, entry] of entries) if (where(entry.query.key)) entries.delete(id);
      set({ resources: Object.fromEntries(Object.entries(get().resources).filter(([id]) => !where(JSON.parse(id) as ResourceKey))) });
    },
  };
};
