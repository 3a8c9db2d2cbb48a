import type { IpcResult, RequestOf, ResponseOf } from '../../../../shared/ipc/contract';
import type { ConfigEntry, ProduceResult, TopicDetail, TopicStats, TopicSummary } from '../../../../shared/model/schemas';
import type { SliceCreator } from '../../store/app-store';
import type { Query } from '../../store/resources';

export type TopicSortKey = 'name' | 'partitions' | 'replicationFactor' | 'records' | 'sizeBytes';
export interface TopicSort {
  key: TopicSortKey;
  direction: 'asc' | 'desc';
}

type WithoutConnection<T> = Omit<T, 'connectionId'>;

/** The topics of a connection; with `includeInternal` also those Metadata flags internal (__consumer_offsets, ...). */
export const topicsQuery = (connectionId: string, includeInternal = false): Query<TopicSummary[]> => ({
  key: includeInternal ? ['topics', connectionId, 'with-internal'] : ['topics', connectionId],
  load: (api) => api.invoke('topics.list', includeInternal ? { connectionId, includeInternal } : { connectionId }),
});

/** Records and sizes by topic name; asked for after the list (they cost the cluster far more). */
export const topicStatsQuery = (connectionId: string, includeInternal = false): Query<ReadonlyMap<string, TopicStats>> => ({
  key: includeInternal ? ['topic-stats', connectionId, 'with-internal'] : ['topic-stats', connectionId],
  async load(api) {
    const result = await api.invoke('topics.stats', includeInternal ? { connectionId, includeInternal } : { connectionId });
    return result.ok ? { ok: true, value: new Map(result.value.map((stats) => [stats.name, stats])) } : result;
  },
});

export const topicQuery = (connectionId: string, topic: string): Query<TopicDetail> => ({
  key: ['topic', connectionId, topic],
  load: (api) => api.invoke('topics.describe', { connectionId, topic }),
});

export const topicConfigsQuery = (connectionId: string, topic: string): Query<ConfigEntry[]> => ({
  key: ['topic-configs', connectionId, topic],
  load: (api) => api.invoke('topics.configs', { connectionId, topic }),
});

export interface TopicsSlice {
  topicSearch: string;
  topicSort: TopicSort;
  /** The topics screen lists internal topics (__consumer_offsets, _schemas, ...) too. */
  showInternalTopics: boolean;
  setShowInternalTopics: (show: boolean) => void;
  setTopicSearch: (search: string) => void;
  sortTopicsBy: (key: TopicSortKey) => void;
  createTopic: (request: WithoutConnection<RequestOf<'topics.create'>>) => Promise<IpcResult<ResponseOf<'topics.create'>>>;
  deleteTopic: (topic: string) => Promise<IpcResult<ResponseOf<'topics.delete'>>>;
  purgeTopic: (topic: string) => Promise<IpcResult<ResponseOf<'topics.purge'>>>;
  addPartitions: (topic: string, totalPartitions: number) => Promise<IpcResult<ResponseOf<'topics.addPartitions'>>>;
  alterTopicConfigs: (topic: string, set: Record<string, string>, reset: string[]) => Promise<IpcResult<ConfigEntry[]>>;
  produce: (request: WithoutConnection<RequestOf<'produce.send'>>) => Promise<IpcResult<ProduceResult>>;
  /** The produce form's file: the system's open dialog (desktop), or a file the browser read (web mode). */
  chooseProduceFile: () => Promise<IpcResult<ResponseOf<'produce.chooseFile'>>>;
  uploadProduceFile: (name: string, content: string) => Promise<IpcResult<ResponseOf<'produce.uploadFile'>>>;
}

export const createTopicsSlice: SliceCreator<TopicsSlice> = (set, get, api) => {
  const connection = () => get().activeConnectionId;
  return {
    topicSearch: '',
    topicSort: { key: 'name', direction: 'asc' },
    showInternalTopics: false,
    setShowInternalTopics: (showInternalTopics) => set({ showInternalTopics }),
    setTopicSearch: (topicSearch) => set({ topicSearch }),
    sortTopicsBy(key) {
      const current = get().topicSort;
      set({
        topicSort: current.key === key ? { key, direction: current.direction === 'asc' ? 'desc' : 'asc' } : { key, direction: key === 'name' ? 'asc' : 'desc' },
      });
    },
    async createTopic(request) {
      const connectionId = connection();
      const result = await api.invoke('topics.create', { connectionId, ...request });
      if (result.ok) get().invalidate(['topics', connectionId]);
      return result;
    },
    async deleteTopic(topic) {
      const connectionId = connection();
      const result = await api.invoke('topics.delete', { connectionId, topic });
      if (result.ok) get().invalidate(['topics', connectionId]);
      return result;
    },
    async purgeTopic(topic) {
      const connectionId = connection();
      const result = await api.invoke('topics.purge', { connectionId, topic });
      if (result.ok) {
        get().invalidate(['topic', connectionId, topic]);
        get().invalidate(['topic-stats', connectionId]);
      }
      return result;
    },
    async addPartitions(topic, totalPartitions) {
      const connectionId = connection();
      const result = await api.invoke('topics.addPartitions', { connectionId, topic, totalPartitions });
      if (result.ok) get().invalidate(['topic', connectionId, topic]);
      return result;
    },
    async alterTopicConfigs(topic, changes, reset) {
      const connectionId = connection();
      const result = await api.invoke('topics.alterConfigs', { connectionId, topic, set: changes, reset });
      // The answer is the configs after the change.
      if (result.ok) get().setResourceData<ConfigEntry[]>(topicConfigsQuery(connectionId, topic).key, () => result.value);
      return result;
    },
    produce: (request) => api.invoke('produce.send', { connectionId: connection(), ...request }),
    chooseProduceFile: () => api.invoke('produce.chooseFile', {}),
    uploadProduceFile: (name, content) => api.invoke('produce.uploadFile', { name, content }),
  };
};

/** The topics the table shows: filtered by the search box, then sorted (records and size from stats,
 * topics without stats yet sorting as if they had none). */
export function visibleTopics(
  topics: readonly TopicSummary[],
  search: string,
  sort: TopicSort,
  stats: ReadonlyMap<string, TopicStats> | null = null,
  showInternal = true,
): TopicSummary[] {
  const needle = search.trim().toLowerCase();
  const shown = showInternal ? topics : topics.filter((topic) => !topic.internal);
  const filtered = needle ? shown.filter((topic) => topic.name.toLowerCase().includes(needle)) : [...shown];
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
