// The message browser's state: the query (topic, partitions, start, bounds, filter, decoders), the
// page it read with its cursor, scan progress, the selected record, a live tail with its bounded
// buffer, and exports.
import type { IpcError, IpcResult } from '../../../../shared/ipc/contract';
import {
  DEFAULT_DECODERS,
  type ExportFormat,
  type ExportResult,
  type Filter,
  type Isolation,
  type Page,
  type Progress,
  type RecordView,
  type SavedQuery,
  type Seek,
  type TailEvent,
  type TopicDecoders,
  type UnreadableBatch,
} from '../../../../shared/model/messages';
import type { SliceCreator } from '../../store/app-store';
import { idle, loading, settle, type Resource } from '../../store/resource';
import type { Query } from '../../store/resources';

/** Records a live tail keeps in view; older ones leave it and are counted. */
export const TAIL_BUFFER = 2_000;

export interface MessageQuery {
  topic: string | null;
  /** null: all partitions. */
  partition: number | null;
  seek: Seek;
  count: number;
  maxBytes: number | null;
  endTimestamp: number | null;
  filter: Filter | null;
  decoders: TopicDecoders;
  /** read_uncommitted shows every record, marking those of aborted and open transactions; read_committed what such a consumer sees. */
  isolation: Isolation;
  /** Show transaction markers (control records) among the records. */
  showControl: boolean;
  /** Show a page newest first (the default for "Latest"); paging is the same either way. */
  newestFirst: boolean;
}

export interface TailView {
  tailId: string | null;
  /** 'pausing': asked to pause, until the cluster-side tail says it has (records it read before may still come). */
  state: TailEvent['state'] | 'starting' | 'pausing';
  /** Oldest first, at most TAIL_BUFFER. */
  records: RecordView[];
  received: number;
  /** Records that left the view because the buffer was full. */
  evicted: number;
  skipped: number;
  missed: number;
  /** Batches the tail went past because they cannot be read (the last few kept). */
  unreadable: UnreadableBatch[];
  error: string | null;
}

export interface ExportState {
  status: 'running' | 'done' | 'error' | 'cancelled';
  format: ExportFormat;
  operationId: string;
  result: ExportResult | null;
  error: IpcError | null;
}

export interface MessagesSlice {
  messageQuery: MessageQuery;
  messagePage: Resource<Page>;
  /** The filter the page on screen answers (the form may hold a newer one): what its rows mark. */
  messagePageFilter: Filter | null;
  messageProgress: Progress | null;
  messageOperationId: string | null;
  selectedRecord: RecordView | null;
  tail: TailView | null;
  messageExport: ExportState | null;
  openMessages: (topic: string | null) => void;
  setMessageQuery: (patch: Partial<MessageQuery>) => void;
  readMessages: () => Promise<void>;
  /** The form holds a query that cannot run: the previous result no longer answers it. */
  discardMessageResult: () => void;
  pageMessages: (direction: 'forward' | 'backward') => Promise<void>;
  cancelMessages: () => Promise<void>;
  selectRecord: (record: RecordView | null) => void;
  loadTopicDecoders: (topic: string) => Promise<void>;
  saveTopicDecoders: (decoders: TopicDecoders) => Promise<IpcError | null>;
  /** Saves a query under its name for the topic on screen; `replace` a query of that name. */
  saveQuery: (query: SavedQuery, replace: boolean) => Promise<IpcError | null>;
  renameSavedQuery: (name: string, newName: string) => Promise<IpcError | null>;
  deleteSavedQuery: (name: string) => Promise<IpcError | null>;
  startTail: () => Promise<void>;
  pauseTail: () => Promise<void>;
  resumeTail: () => Promise<void>;
  stopTail: () => Promise<void>;
  exportMessages: (format: ExportFormat) => Promise<void>;
  messageProgressReceived: (progress: Progress) => void;
  tailEventReceived: (event: TailEvent) => void;
}

/** A topic's saved queries (see saved-queries.ts). */
export const savedQueriesQuery = (connectionId: string, topic: string): Query<SavedQuery[]> => ({
  key: ['saved-queries', connectionId, topic],
  load: (api) => api.invoke('messages.savedQueries', { connectionId, topic }),
});

let operations = 0;
const newOperationId = () => `read-${Date.now().toString(36)}-${++operations}`;

export const defaultMessageQuery = (): MessageQuery => ({
  topic: null,
  partition: null,
  seek: { mode: 'latest' },
  count: 500,
  maxBytes: null,
  endTimestamp: null,
  filter: null,
  decoders: DEFAULT_DECODERS,
  isolation: 'read_uncommitted',
  showControl: false,
  newestFirst: true,
});

export const createMessagesSlice: SliceCreator<MessagesSlice> = (set, get, api) => {
  const connection = () => get().activeConnectionId;
  const baseRequest = (query: MessageQuery) => ({
    connectionId: connection(),
    topic: query.topic!,
    partitions: query.partition === null ? null : [query.partition],
    filter: query.filter,
    decoders: query.decoders,
    isolation: query.isolation,
  });
  const limit = (query: MessageQuery) => ({
    count: query.count,
    ...(query.maxBytes ? { maxBytes: query.maxBytes } : {}),
    ...(query.endTimestamp !== null ? { endTimestamp: query.endTimestamp } : {}),
  });

  // A finished export's notice belongs to the query it exported; a running one stays (its file is on the way).
  const exportStillRunning = () => (get().messageExport?.status === 'running' ? get().messageExport : null);

  const run = async (page?: { cursor: Page['cursor']; direction: 'forward' | 'backward' }) => {
    const query = get().messageQuery;
    if (!query.topic) return;
    const operationId = newOperationId();
    set({
      messagePage: loading(get().messagePage),
      messageOperationId: operationId,
      messageProgress: null,
      ...(page ? {} : { messageExport: exportStillRunning() }),
    });
    const result = await api.invoke('messages.read', {
      ...baseRequest(query),
      seek: query.seek,
      limit: limit(query),
      showControl: query.showControl,
      operationId,
      ...(page ? { page } : {}),
    });
    if (get().messageOperationId !== operationId) return;
    const selected = get().selectedRecord;
    const stillThere =
      result.ok && selected && result.value.records.some((record) => record.partition === selected.partition && record.offset === selected.offset);
    set({
      messagePage: settle(get().messagePage, result),
      messagePageFilter: result.ok ? query.filter : get().messagePageFilter,
      messageOperationId: null,
      ...(stillThere ? {} : { selectedRecord: null }),
    });
  };

  // A change answers the topic's saved queries: they replace what the list shows, under the key of
  // the topic they belong to (the screen may have moved on meanwhile).
  const changeSavedQueries = async (
    change: (target: { connectionId: string; topic: string }) => Promise<IpcResult<SavedQuery[]>>,
  ): Promise<IpcError | null> => {
    const topic = get().messageQuery.topic;
    if (!topic) return null;
    const target = { connectionId: connection(), topic };
    const result = await change(target);
    if (!result.ok) return result.error;
    get().setResourceData<SavedQuery[]>(savedQueriesQuery(target.connectionId, topic).key, () => result.value);
    return null;
  };

  return {
    messageQuery: defaultMessageQuery(),
    messagePage: idle(),
    messagePageFilter: null,
    messageProgress: null,
    messageOperationId: null,
    selectedRecord: null,
    tail: null,
    messageExport: null,

    openMessages(topic) {
      const current = get().messageQuery;
      if (topic !== null && topic !== current.topic) {
        void get().stopTail();
        set({
          messageQuery: { ...current, topic, partition: null, filter: null, decoders: DEFAULT_DECODERS },
          messagePage: idle(),
          selectedRecord: null,
          messageExport: exportStillRunning(),
        });
        void get().loadTopicDecoders(topic);
      }
      set({ screen: 'messages' });
    },
    setMessageQuery(patch) {
      set({ messageQuery: { ...get().messageQuery, ...patch } });
    },
    readMessages: () => run(),
    discardMessageResult() {
      set({ messagePage: idle(), selectedRecord: null, messageExport: exportStillRunning() });
    },
    async pageMessages(direction) {
      const page = get().messagePage.data;
      if (!page) return;
      await run({ cursor: page.cursor, direction });
    },
    async cancelMessages() {
      const operationId = get().messageOperationId ?? (get().messageExport?.status === 'running' ? get().messageExport!.operationId : null);
      if (operationId) await api.invoke('messages.cancel', { operationId });
    },
    selectRecord: (record) => set({ selectedRecord: record }),

    async loadTopicDecoders(topic) {
      const result = await api.invoke('messages.decoders', { connectionId: connection(), topic });
      if (result.ok && get().messageQuery.topic === topic) {
        set({ messageQuery: { ...get().messageQuery, decoders: result.value } });
        void get().readMessages();
      }
    },
    async saveTopicDecoders(decoders) {
      const topic = get().messageQuery.topic;
      if (!topic) return null;
      const result = await api.invoke('messages.saveDecoders', { connectionId: connection(), topic, decoders });
      if (!result.ok) return result.error;
      set({ messageQuery: { ...get().messageQuery, decoders: result.value } });
      return null;
    },

    saveQuery: (query, replace) => changeSavedQueries((target) => api.invoke('messages.saveQuery', { ...target, query, replace })),
    renameSavedQuery: (name, newName) => changeSavedQueries((target) => api.invoke('messages.renameQuery', { ...target, name, newName })),
    deleteSavedQuery: (name) => changeSavedQueries((target) => api.invoke('messages.deleteQuery', { ...target, name })),

    async startTail() {
      const query = get().messageQuery;
      if (!query.topic) return;
      await get().stopTail();
      set({
        tail: { tailId: null, state: 'starting', records: [], received: 0, evicted: 0, skipped: 0, missed: 0, unreadable: [], error: null },
        selectedRecord: null,
      });
      const result = await api.invoke('messages.tailStart', { ...baseRequest(query), showControl: query.showControl });
      const tail = get().tail;
      if (!tail || tail.tailId !== null) return;
      if (!result.ok) {
        set({ tail: { ...tail, state: 'stopped', error: result.error.message } });
        return;
      }
      set({ tail: { ...tail, tailId: result.value.tailId, state: 'running' } });
    },
    async pauseTail() {
      const tail = get().tail;
      if (!tail?.tailId || tail.state !== 'running') return;
      // "Paused" only once the tail has paused: until then it may still deliver what it read, and a
      // record written after the view said "Paused" would still have shown.
      set({ tail: { ...tail, state: 'pausing' } });
      const result = await api.invoke('messages.tailControl', { tailId: tail.tailId, action: 'pause' });
      const now = get().tail;
      if (!now || now.tailId !== tail.tailId || now.state !== 'pausing') return;
      set({ tail: result.ok ? { ...now, state: result.value.state } : { ...now, state: 'running', error: result.error.message } });
    },
    async resumeTail() {
      const tail = get().tail;
      if (!tail?.tailId) return;
      set({ tail: { ...tail, state: 'running' } });
      await api.invoke('messages.tailControl', { tailId: tail.tailId, action: 'resume' });
    },
    async stopTail() {
      const tail = get().tail;
      if (!tail) return;
      set({ tail: null, selectedRecord: null });
      if (tail.tailId) await api.invoke('messages.tailControl', { tailId: tail.tailId, action: 'stop' });
    },

    async exportMessages(format) {
      const query = get().messageQuery;
      if (!query.topic) return;
      const operationId = newOperationId();
      set({ messageExport: { status: 'running', format, operationId, result: null, error: null }, messageProgress: null });
      const result = await api.invoke('messages.export', {
        ...baseRequest(query),
        seek: query.seek,
        format,
        operationId,
        // "Latest" exports as many records as the page shows; the other starts run to the end.
        ...(query.seek.mode === 'latest' ? { maxRecords: query.count } : {}),
        ...(query.endTimestamp !== null ? { endTimestamp: query.endTimestamp } : {}),
      });
      if (get().messageExport?.operationId !== operationId) return;
      set({
        messageExport: result.ok
          ? { status: result.value.status === 'cancelled' ? 'cancelled' : 'done', format, operationId, result: result.value, error: null }
          : { status: 'error', format, operationId, result: null, error: result.error },
      });
    },

    messageProgressReceived(progress) {
      if (progress.operationId === get().messageOperationId || progress.operationId === get().messageExport?.operationId) {
        set({ messageProgress: progress });
      }
    },
    tailEventReceived(event) {
      const tail = get().tail;
      if (!tail || tail.tailId !== event.tailId) return;
      let records = tail.records;
      let evicted = tail.evicted;
      if (event.records.length) {
        records = records.concat(event.records);
        if (records.length > TAIL_BUFFER) {
          evicted += records.length - TAIL_BUFFER;
          records = records.slice(records.length - TAIL_BUFFER);
        }
      }
      set({
        tail: {
          ...tail,
          records,
          evicted,
          received: tail.received + event.records.length,
          skipped: tail.skipped + event.skipped,
          missed: tail.missed + event.missed,
          unreadable: event.unreadable?.length ? [...tail.unreadable, ...event.unreadable].slice(-20) : tail.unreadable,
          // Records read before a pause was asked for still say 'running': the view stays 'pausing' until it is answered.
          state: tail.state === 'pausing' && event.state === 'running' ? 'pausing' : event.state,
          error: event.error ?? tail.error,
        },
      });
    },
  };
};
