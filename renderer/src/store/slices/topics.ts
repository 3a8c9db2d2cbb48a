import type { IpcResult, RequestOf, ResponseOf } from '../../../../shared/ipc/contract';
import type { ConfigEntry, ProduceRequest, ProduceResult, TopicDetail, TopicStats, TopicSummary } from '../../../../shared/model/schemas';
import type { SliceCreator } from '../app-store';
import { idle, loading, settle, type Resource } from '../resource';

export type TopicSortKey = 'name' | 'partitions' | 'replicationFactor' | 'records' | 'sizeBytes';
export interface TopicSort {
  key: TopicSortKey;
  direction: 'asc' | 'desc';
}

type WithoutConnection<T> = Omit<T, 'connectionId'>;

export interface TopicsSlice {
  topics: Resource<TopicSummary[]>;
  /** Records and sizes by topic name; they arrive after the list. */
  topicStats: Resource<ReadonlyMap<string, TopicStats>>;
  topicSearch: string;
  topicSort: TopicSort;
  topicDetail: Resource<TopicDetail>;
  topicConfigs: Resource<ConfigEntry[]>;
  loadTopics(): Promise<void>;
  loadTopicStats(): Promise<void>;
  setTopicSearch(search: string): void;
  sortTopicsBy(key: TopicSortKey): void;
  createTopic(request: WithoutConnection<RequestOf<'topics.create'>>): Promise<IpcResult<ResponseOf<'topics.create'>>>;
  deleteTopic(topic: string): Promise<IpcResult<ResponseOf<'topics.delete'>>>;
  purgeTopic(topic: string): Promise<IpcResult<ResponseOf<'topics.purge'>>>;
  addPartitions(topic: string, totalPartitions: number): Promise<IpcResult<ResponseOf<'topics.addPartitions'>>>;
  loadTopicDetail(topic: string): Promise<void>;
  loadTopicConfigs(topic: string): Promise<void>;
  alterTopicConfigs(topic: string, set: Record<string, string>, reset: string[]): Promise<IpcResult<ConfigEntry[]>>;
  produce(request: WithoutConnection<ProduceRequest>): Promise<IpcResult<ProduceResult>>;
}

export const createTopicsSlice: SliceCreator<TopicsSlice> = (set, get, api) => {
  const connection = () => get().activeConnectionId;
  return {
    topics: idle(),
    topicStats: idle(),
    topicSearch: '',
    topicSort: { key: 'name', direction: 'asc' },
    topicDetail: idle(),
    topicConfigs: idle(),
    async loadTopics() {
      const connectionId = connection();
      set({ topics: loading(get().topics) });
      const result = await api.invoke('topics.list', { connectionId });
      if (connection() !== connectionId) return;
      set({ topics: settle(get().topics, result) });
    },
    async loadTopicStats() {
      const connectionId = connection();
      set({ topicStats: loading(get().topicStats) });
      const result = await api.invoke('topics.stats', { connectionId });
      if (connection() !== connectionId) return;
      set({
        topicStats: result.ok
          ? { status: 'ready', data: new Map(result.value.map((stats) => [stats.name, stats])), error: null }
          : { status: 'error', data: get().topicStats.data, error: result.error },
      });
    },
    setTopicSearch: (topicSearch) => set({ topicSearch }),
    sortTopicsBy(key) {
      const current = get().topicSort;
      set({
        topicSort:
          current.key === key
            ? { key, direction: current.direction === 'asc' ? 'desc' : 'asc' }
            : { key, direction: key === 'name' ? 'asc' : 'desc' },
      });
    },
    async createTopic(request) {
      const result = await api.invoke('topics.create', { connectionId: connection(), ...request });
      if (result.ok) void get().loadTopics();
      return result;
    },
    async deleteTopic(topic) {
      const result = await api.invoke('topics.delete', { connectionId: connection(), topic });
      if (result.ok) void get().loadTopics();
      return result;
    },
    async purgeTopic(topic) {
      const result = await api.invoke('topics.purge', { connectionId: connection(), topic });
      if (result.ok) void get().loadTopicDetail(topic);
      return result;
    },
    async addPartitions(topic, totalPartitions) {
      const result = await api.invoke('topics.addPartitions', { connectionId: connection(), topic, totalPartitions });
      if (result.ok) void get().loadTopicDetail(topic);
      return result;
    },
    async loadTopicDetail(topic) {
      const connectionId = connection();
      const previous = get().topicDetail.data?.name === topic ? get().topicDetail : idle<TopicDetail>();
      set({ topicDetail: loading(previous) });
      const result = await api.invoke('topics.describe', { connectionId, topic });
      if (connection() === connectionId && get().selectedTopic === topic) set({ topicDetail: settle(get().topicDetail, result) });
    },
    async loadTopicConfigs(topic) {
      const connectionId = connection();
      set({ topicConfigs: loading(idle()) });
      const result = await api.invoke('topics.configs', { connectionId, topic });
      if (connection() === connectionId && get().selectedTopic === topic) set({ topicConfigs: settle(get().topicConfigs, result) });
    },
    async alterTopicConfigs(topic, changes, reset) {
      const result = await api.invoke('topics.alterConfigs', { connectionId: connection(), topic, set: changes, reset });
      if (result.ok) set({ topicConfigs: { status: 'ready', data: result.value, error: null } });
      return result;
    },
    produce: (request) => api.invoke('produce.send', { connectionId: connection(), ...request }),
  };
};

/** The topics the table shows: filtered by the search box, then sorted (records and size from stats,
 * topics without stats yet sorting as if they had none). */
export function visibleTopics(
  topics: readonly TopicSummary[],
  search: string,
  sort: TopicSort,
  stats: ReadonlyMap<string, TopicStats> | null = null,
): TopicSummary[] {
  const needle = search.trim().toLowerCase();
  const filtered = needle ? topics.filter((topic) => topic.name.toLowerCase().includes(needle)) : [...topics];
  const factor = sort.direction === 'asc' ? 1 : -1;
  const { key } = sort;
  const value = (topic: TopicSummary): number =>
    key === 'records' || key === 'sizeBytes' ? (stats?.get(topic.name)?.[key] ?? -1) : key === 'name' ? 0 : topic[key];
  return filtered.sort((a, b) => {
    if (key === 'name') return factor * (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    const byValue = (value(a) - value(b)) * factor;
    return byValue || (a.name < b.name ? -1 : 1);
  });
}
