import type { IpcResult } from '../../../../shared/ipc/contract';
import type {
  DemoOptions,
  DemoStatus,
  GroupDetail,
  GroupSummary,
  LagSampledEvent,
  LagSeries,
  LagSettings,
  LagStack,
  ResetPreview,
  ResetStrategy,
  TopicGroupsLag,
} from '../../../../shared/model/groups';
import type { SliceCreator } from '../../store/app-store';
import { idle, loading, settle, type Resource } from '../../store/resource';
import type { Query } from '../../store/resources';

export type GroupSortKey = 'id' | 'state' | 'protocol' | 'members' | 'topics' | 'totalLag' | 'coordinator';
export interface GroupSort {
  key: GroupSortKey;
  direction: 'asc' | 'desc';
}

export const DEFAULT_LAG_RANGE_MS = 15 * 60_000;
/** How often a view tells the main process it is still on screen (its interest lasts a minute). */
export const VIEW_RENEW_MS = 20_000;

export interface ResetTarget {
  topics: string[] | null;
  strategy: ResetStrategy;
}

export const groupsQuery = (connectionId: string): Query<GroupSummary[]> => ({
  key: ['groups', connectionId],
  load: (api) => api.invoke('groups.list', { connectionId }),
});

export const groupQuery = (connectionId: string, group: string): Query<GroupDetail> => ({
  key: ['group', connectionId, group],
  load: (api) => api.invoke('groups.describe', { connectionId, group }),
});

export const lagSeriesQuery = (connectionId: string, group: string, rangeMs: number, stack: LagStack): Query<LagSeries> => ({
  key: ['lag', connectionId, group, 'series', rangeMs, stack],
  load: (api) => api.invoke('lag.series', { connectionId, group, rangeMs, stack }),
});

/** The lag of the groups reading a topic; it changes with the lag of any of them (of any group while
 * it shows none, as one may start reading). */
export const topicLagQuery = (connectionId: string, topic: string, rangeMs: number): Query<TopicGroupsLag> => ({
  key: ['topic-lag', connectionId, topic, rangeMs],
  load: (api) => api.invoke('lag.topic', { connectionId, topic, rangeMs }),
  dependsOn: (data) => (data?.groups.length ? data.groups.map((group) => ['lag', connectionId, group]) : [['lag', connectionId]]),
});

export type Sparklines = Record<string, (number | null)[]>;

/** Total lag over the last minutes per group, for the list's sparklines: loaded for the rows in view
 * and kept for rows scrolled away; each depends on its group's lag. */
export const sparklinesQuery = (connectionId: string, groups: readonly string[]): Query<Sparklines> => ({
  key: ['sparklines', connectionId],
  load: async (api) =>
    groups.length ? api.invoke('lag.sparklines', { connectionId, groups: [...groups], rangeMs: DEFAULT_LAG_RANGE_MS }) : { ok: true, value: {} },
  dependsOn: (data) => Object.keys(data ?? {}).map((group) => ['lag', connectionId, group]),
  merge: (previous, next) => ({ ...previous, ...next }),
});

export interface GroupsSlice {
  groupSearch: string;
  groupSort: GroupSort;
  selectedGroup: string | null;
  lagRangeMs: number;
  lagStack: LagStack;
  lagSettings: Resource<LagSettings>;
  demo: Resource<DemoStatus>;
  demoPending: boolean;
  /** A random id per window, so two windows' views do not replace each other's in the main process. */
  viewPrefix: string;
  setGroupSearch: (search: string) => void;
  sortGroupsBy: (key: GroupSortKey) => void;
  openGroup: (group: string) => void;
  setLagRange: (rangeMs: number) => void;
  setLagStack: (stack: LagStack) => void;
  /** Tells the main process which groups a view shows (they are sampled while it does). */
  viewGroups: (view: string, groups: readonly string[]) => Promise<void>;
  watchGroup: (group: string, watched: boolean) => Promise<IpcResult<{ watched: string[] }>>;
  previewReset: (group: string, target: ResetTarget) => Promise<IpcResult<ResetPreview>>;
  resetOffsets: (group: string, target: ResetTarget) => Promise<IpcResult<ResetPreview>>;
  deleteGroup: (group: string) => Promise<IpcResult<Record<string, never>>>;
  deleteGroupOffsets: (group: string, topic: string) => Promise<IpcResult<{ partitions: number }>>;
  sampleAllGroups: () => Promise<IpcResult<{ groups: number; at: number; durationMs: number }>>;
  loadLagSettings: () => Promise<void>;
  updateLagSettings: (settings: LagSettings) => Promise<IpcResult<LagSettings>>;
  loadDemo: () => Promise<void>;
  startDemo: (options: DemoOptions) => Promise<IpcResult<DemoStatus>>;
  stopDemo: (what: 'consumers' | 'all') => Promise<IpcResult<DemoStatus>>;
  /** New lag samples: the data made of these groups' lag is out of date. */
  lagSampled: (event: LagSampledEvent) => void;
  demoStatusChanged: (status: DemoStatus) => void;
}

export const createGroupsSlice: SliceCreator<GroupsSlice> = (set, get, api) => {
  const connection = () => get().activeConnectionId;
  return {
    groupSearch: '',
    groupSort: { key: 'id', direction: 'asc' },
    selectedGroup: null,
    lagRangeMs: DEFAULT_LAG_RANGE_MS,
    lagStack: 'topic',
    lagSettings: idle(),
    demo: idle(),
    demoPending: false,
    viewPrefix: Math.random().toString(36).slice(2, 10),
    setGroupSearch: (groupSearch) => set({ groupSearch }),
    sortGroupsBy(key) {
      const current = get().groupSort;
      set({
        groupSort:
          current.key === key
            ? { key, direction: current.direction === 'asc' ? 'desc' : 'asc' }
            : { key, direction: key === 'id' || key === 'state' || key === 'protocol' ? 'asc' : 'desc' },
      });
    },
    openGroup(group) {
      set({ screen: 'group', selectedGroup: group });
    },
    setLagRange: (lagRangeMs) => set({ lagRangeMs }),
    setLagStack: (lagStack) => set({ lagStack }),
    async viewGroups(view, groups) {
      await api.invoke('lag.view', { connectionId: connection(), viewId: `${get().viewPrefix}:${view}`, groups: [...groups] });
    },
    async watchGroup(group, watched) {
      const connectionId = connection();
      const result = await api.invoke('lag.watch', { connectionId, group, watched });
      const { lagRangeMs, lagStack } = get();
      if (result.ok)
        get().setResourceData<LagSeries>(lagSeriesQuery(connectionId, group, lagRangeMs, lagStack).key, (series) => series && { ...series, watched });
      return result;
    },
    previewReset: (group, target) => api.invoke('groups.resetPreview', { connectionId: connection(), group, ...target }),
    async resetOffsets(group, target) {
      const connectionId = connection();
      const result = await api.invoke('groups.resetOffsets', { connectionId, group, ...target });
      if (result.ok) get().invalidate(['group', connectionId, group]);
      return result;
    },
    async deleteGroup(group) {
      const connectionId = connection();
      const result = await api.invoke('groups.delete', { connectionId, group });
      if (result.ok) {
        set({ screen: 'groups', selectedGroup: null });
        get().invalidate(['groups', connectionId]);
      }
      return result;
    },
    async deleteGroupOffsets(group, topic) {
      const connectionId = connection();
      const result = await api.invoke('groups.deleteOffsets', { connectionId, group, topic });
      if (result.ok) get().invalidate(['group', connectionId, group]);
      return result;
    },
    sampleAllGroups: () => api.invoke('lag.sampleAll', { connectionId: connection() }),
    async loadLagSettings() {
      set({ lagSettings: loading(get().lagSettings) });
      set({ lagSettings: settle(get().lagSettings, await api.invoke('lag.settings', {})) });
    },
    async updateLagSettings(settings) {
      const result = await api.invoke('lag.updateSettings', settings);
      if (result.ok) set({ lagSettings: { status: 'ready', data: result.value, error: null } });
      return result;
    },
    async loadDemo() {
      set({ demo: loading(get().demo) });
      set({ demo: settle(get().demo, await api.invoke('demo.status', {})) });
    },
    async startDemo(options) {
      set({ demoPending: true });
      const result = await api.invoke('demo.start', options);
      set({ demoPending: false, ...(result.ok ? { demo: { status: 'ready', data: result.value, error: null } } : {}) });
      return result;
    },
    async stopDemo(what) {
      set({ demoPending: true });
      const result = await api.invoke('demo.stop', { what });
      set({ demoPending: false, ...(result.ok ? { demo: { status: 'ready', data: result.value, error: null } } : {}) });
      return result;
    },
    lagSampled(event) {
      // A group's lag series and sparkline are under its lag key, a topic's lag view depends on it,
      // and the group's page shows its lag too.
      for (const group of event.groups) {
        get().invalidate(['lag', event.connectionId, group]);
        get().invalidate(['group', event.connectionId, group]);
      }
    },
    demoStatusChanged(status) {
      set({ demo: { status: 'ready', data: status, error: null } });
    },
  };
};

const stateOrder: Record<string, number> = {
  STABLE: 0,
  PREPARING_REBALANCE: 1,
  COMPLETING_REBALANCE: 2,
  ASSIGNING: 3,
  RECONCILING: 4,
  EMPTY: 5,
  DEAD: 6,
  UNKNOWN: 7,
};

/** The groups the table shows: filtered by the search box (id or topic), then sorted. */
export function visibleGroups(groups: readonly GroupSummary[], search: string, sort: GroupSort): GroupSummary[] {
  const needle = search.trim().toLowerCase();
  const filtered = needle
    ? groups.filter((group) => group.id.toLowerCase().includes(needle) || group.topics.some((topic) => topic.toLowerCase().includes(needle)))
    : [...groups];
  const factor = sort.direction === 'asc' ? 1 : -1;
  const byId = (a: GroupSummary, b: GroupSummary) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const value = (group: GroupSummary): number | string => {
    switch (sort.key) {
      case 'id':
        return group.id;
      case 'state':
        return stateOrder[group.state] ?? 9;
      case 'protocol':
        return group.protocol || group.protocolType;
      case 'members':
        return group.members;
      case 'topics':
        return group.topics.length;
      case 'totalLag':
        // Groups without any committed offset sort below a lag of 0.
        return group.totalLag ?? -1;
      case 'coordinator':
        return group.coordinator ?? -1;
    }
  };
  return filtered.sort((a, b) => {
    const left = value(a);
    const right = value(b);
    const compared =
      typeof left === 'number' && typeof right === 'number' ? left - right : String(left) < String(right) ? -1 : String(left) > String(right) ? 1 : 0;
    return compared * factor || byId(a, b);
  });
}
