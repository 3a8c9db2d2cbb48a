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
import type { SliceCreator } from '../app-store';
import { idle, loading, settle, type Resource } from '../resource';

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

export interface GroupsSlice {
  groups: Resource<GroupSummary[]>;
  /** The connection the list was read from, so another connection's groups never show. */
  groupsConnectionId: string | null;
  groupSearch: string;
  groupSort: GroupSort;
  /** Total lag over the last minutes per group, for the list's sparklines (visible rows only). */
  sparklines: Record<string, (number | null)[]>;
  selectedGroup: string | null;
  groupDetail: Resource<GroupDetail>;
  lagRangeMs: number;
  lagStack: LagStack;
  lagSeries: Resource<LagSeries>;
  topicLag: Resource<TopicGroupsLag>;
  lagSettings: Resource<LagSettings>;
  demo: Resource<DemoStatus>;
  demoPending: boolean;
  /** A random id per window, so two windows' views do not replace each other's in the main process. */
  viewPrefix: string;
  loadGroups(): Promise<void>;
  setGroupSearch(search: string): void;
  sortGroupsBy(key: GroupSortKey): void;
  openGroup(group: string): void;
  loadGroupDetail(group: string): Promise<void>;
  loadLagSeries(group: string): Promise<void>;
  setLagRange(rangeMs: number): void;
  setLagStack(stack: LagStack): void;
  /** Tells the main process which groups a view shows (they are sampled while it does). */
  viewGroups(view: string, groups: readonly string[]): Promise<void>;
  loadSparklines(groups: readonly string[]): Promise<void>;
  watchGroup(group: string, watched: boolean): Promise<IpcResult<{ watched: string[] }>>;
  previewReset(group: string, target: ResetTarget): Promise<IpcResult<ResetPreview>>;
  resetOffsets(group: string, target: ResetTarget): Promise<IpcResult<ResetPreview>>;
  deleteGroup(group: string): Promise<IpcResult<Record<string, never>>>;
  deleteGroupOffsets(group: string, topic: string): Promise<IpcResult<{ partitions: number }>>;
  loadTopicLag(topic: string): Promise<void>;
  sampleAllGroups(): Promise<IpcResult<{ groups: number; at: number; durationMs: number }>>;
  loadLagSettings(): Promise<void>;
  updateLagSettings(settings: LagSettings): Promise<IpcResult<LagSettings>>;
  loadDemo(): Promise<void>;
  startDemo(options: DemoOptions): Promise<IpcResult<DemoStatus>>;
  stopDemo(what: 'consumers' | 'all'): Promise<IpcResult<DemoStatus>>;
  lagSampled(event: LagSampledEvent): void;
  demoStatusChanged(status: DemoStatus): void;
}

export const createGroupsSlice: SliceCreator<GroupsSlice> = (set, get, api) => {
  const connection = () => get().activeConnectionId;
  return {
    groups: idle(),
    groupsConnectionId: null,
    groupSearch: '',
    groupSort: { key: 'id', direction: 'asc' },
    sparklines: {},
    selectedGroup: null,
    groupDetail: idle(),
    lagRangeMs: DEFAULT_LAG_RANGE_MS,
    lagStack: 'topic',
    lagSeries: idle(),
    topicLag: idle(),
    lagSettings: idle(),
    demo: idle(),
    demoPending: false,
    viewPrefix: Math.random().toString(36).slice(2, 10),
    async loadGroups() {
      const connectionId = connection();
      const previous = get().groupsConnectionId === connectionId ? get().groups : idle<GroupSummary[]>();
      set({ groups: loading(previous), groupsConnectionId: connectionId, ...(previous.data ? {} : { sparklines: {} }) });
      const result = await api.invoke('groups.list', { connectionId });
      if (connection() === connectionId) set({ groups: settle(get().groups, result) });
    },
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
      const same = get().selectedGroup === group;
      set({
        screen: 'group',
        selectedGroup: group,
        ...(same ? {} : { groupDetail: idle<GroupDetail>(), lagSeries: idle<LagSeries>() }),
      });
    },
    async loadGroupDetail(group) {
      const connectionId = connection();
      const previous = get().groupDetail.data?.id === group ? get().groupDetail : idle<GroupDetail>();
      set({ groupDetail: loading(previous) });
      const result = await api.invoke('groups.describe', { connectionId, group });
      if (connection() === connectionId && get().selectedGroup === group) set({ groupDetail: settle(get().groupDetail, result) });
    },
    async loadLagSeries(group) {
      const connectionId = connection();
      const { lagRangeMs: rangeMs, lagStack: stack } = get();
      const previous = get().lagSeries.data?.group === group ? get().lagSeries : idle<LagSeries>();
      set({ lagSeries: loading(previous) });
      const result = await api.invoke('lag.series', { connectionId, group, rangeMs, stack });
      const current = get();
      if (connection() === connectionId && current.selectedGroup === group && current.lagRangeMs === rangeMs && current.lagStack === stack) {
        set({ lagSeries: settle(current.lagSeries, result) });
      }
    },
    setLagRange(lagRangeMs) {
      set({ lagRangeMs });
      const group = get().selectedGroup;
      if (group && get().screen === 'group') void get().loadLagSeries(group);
    },
    setLagStack(lagStack) {
      set({ lagStack });
      const group = get().selectedGroup;
      if (group && get().screen === 'group') void get().loadLagSeries(group);
    },
    async viewGroups(view, groups) {
      await api.invoke('lag.view', { connectionId: connection(), viewId: `${get().viewPrefix}:${view}`, groups: [...groups] });
    },
    async loadSparklines(groups) {
      if (!groups.length) return;
      const connectionId = connection();
      const result = await api.invoke('lag.sparklines', { connectionId, groups: [...groups], rangeMs: DEFAULT_LAG_RANGE_MS });
      if (result.ok && connection() === connectionId) set({ sparklines: { ...get().sparklines, ...result.value } });
    },
    async watchGroup(group, watched) {
      const result = await api.invoke('lag.watch', { connectionId: connection(), group, watched });
      const series = get().lagSeries;
      if (result.ok && series.data?.group === group) set({ lagSeries: { ...series, data: { ...series.data, watched } } as Resource<LagSeries> });
      return result;
    },
    previewReset: (group, target) => api.invoke('groups.resetPreview', { connectionId: connection(), group, ...target }),
    async resetOffsets(group, target) {
      const result = await api.invoke('groups.resetOffsets', { connectionId: connection(), group, ...target });
      if (result.ok) void get().loadGroupDetail(group);
      return result;
    },
    async deleteGroup(group) {
      const result = await api.invoke('groups.delete', { connectionId: connection(), group });
      if (result.ok) {
        set({ screen: 'groups', selectedGroup: null, groupDetail: idle(), lagSeries: idle() });
        void get().loadGroups();
      }
      return result;
    },
    async deleteGroupOffsets(group, topic) {
      const result = await api.invoke('groups.deleteOffsets', { connectionId: connection(), group, topic });
      if (result.ok) void get().loadGroupDetail(group);
      return result;
    },
    async loadTopicLag(topic) {
      const connectionId = connection();
      const previous = get().topicLag.data?.topic === topic ? get().topicLag : idle<TopicGroupsLag>();
      set({ topicLag: loading(previous) });
      const result = await api.invoke('lag.topic', { connectionId, topic, rangeMs: get().lagRangeMs });
      if (connection() === connectionId) set({ topicLag: settle(get().topicLag, result) });
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
      const state = get();
      if (event.connectionId !== state.activeConnectionId) return;
      const sampled = new Set(event.groups);
      if (state.screen === 'group' && state.selectedGroup && sampled.has(state.selectedGroup)) {
        void state.loadLagSeries(state.selectedGroup);
        void state.loadGroupDetail(state.selectedGroup);
      }
      if (state.screen === 'groups') {
        const visible = Object.keys(state.sparklines).filter((group) => sampled.has(group));
        if (visible.length) void state.loadSparklines(visible);
      }
      const topicLag = state.topicLag.data;
      if (topicLag && state.topicLag.status !== 'loading' && (state.screen === 'topic' || state.screen === 'cluster')) {
        if (topicLag.groups.some((group) => sampled.has(group)) || !topicLag.groups.length) void state.loadTopicLag(topicLag.topic);
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
    const compared = typeof left === 'number' && typeof right === 'number' ? left - right : String(left) < String(right) ? -1 : String(left) > String(right) ? 1 : 0;
    return compared * factor || byId(a, b);
  });
}
