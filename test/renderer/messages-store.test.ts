// The message browser's slice on a scripted IPC client: reads and paging by cursor, progress events
// for the current read only, the live tail's bounded buffer counting what left the view, exports.
import { describe, expect, it } from 'vitest';
import type { Channel, IpcResult, RequestOf } from '../../shared/ipc/contract';
import { scriptedClient } from '../support/scripted-client';
import type { Page, RecordView } from '../../shared/model/messages';
import { bindEvents, createAppStore } from '../../renderer/src/store/app-store';
import { TAIL_BUFFER } from '../../renderer/src/features/messages/messages-slice';
import { kcatCommand, recordAsJson } from '../../renderer/src/features/messages/record-format';
import { queryFromForm } from '../../renderer/src/features/messages/MessagesScreen';

const text = (value: string) => ({ format: 'text' as const, text: value, size: value.length, truncated: false });
const record = (partition: number, offset: number, value = `v${offset}`): RecordView => ({
  partition,
  offset,
  timestamp: 1_700_000_000_000 + offset,
  timestampType: 'create',
  key: text(`k${offset}`),
  value: text(value),
  headers: [{ key: 'source', value: text('test') }],
  size: 20,
  batch: { baseOffset: offset, compression: 'none', producerId: -1, producerEpoch: -1, sequence: -1, transactional: false },
});

const page = (records: RecordView[], cursor: Page['cursor']): Page => ({
  topic: 't',
  records,
  cursor,
  ranges: [{ partition: 0, low: 0, high: 100 }],
  hasBefore: true,
  hasAfter: true,
  stoppedBy: 'count',
  scanned: records.length,
  durationMs: 1,
  notes: [],
});

describe('messages slice', () => {
  it('reads with the remembered decoders, then pages forward and back from the cursor', async () => {
    const { client, calls } = scriptedClient({
      'messages.decoders': () => ({ ok: true, value: { key: { kind: 'string' }, value: { kind: 'auto' } } }),
      'messages.read': (request) => {
        const from = request.page ? (request.page.direction === 'forward' ? request.page.cursor[0]!.after : request.page.cursor[0]!.before - 2) : 0;
        return { ok: true, value: page([record(0, from), record(0, from + 1)], [{ partition: 0, before: from, after: from + 2 }]) };
      },
      'messages.tailControl': () => ({ ok: true, value: { state: 'stopped' } }),
    });
    const store = createAppStore(client);
    store.getState().openMessages('t');
    expect(store.getState().screen).toBe('messages');
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(store.getState().messageQuery.decoders.key).toEqual({ kind: 'string' });
    expect(store.getState().messagePage.data?.records.map((r) => r.offset)).toEqual([0, 1]);
    await store.getState().pageMessages('forward');
    expect(store.getState().messagePage.data?.records.map((r) => r.offset)).toEqual([2, 3]);
    await store.getState().pageMessages('backward');
    expect(store.getState().messagePage.data?.records.map((r) => r.offset)).toEqual([0, 1]);
    const reads = calls.filter(([channel]) => channel === 'messages.read').map(([, request]) => request as RequestOf<'messages.read'>);
    expect(reads[0]).toMatchObject({ topic: 't', seek: { mode: 'latest' }, decoders: { key: { kind: 'string' } }, limit: { count: 500 } });
    expect(reads[1]?.page).toEqual({ cursor: [{ partition: 0, before: 0, after: 2 }], direction: 'forward' });
    expect(reads[2]?.page).toEqual({ cursor: [{ partition: 0, before: 2, after: 4 }], direction: 'backward' });
  });

  it('keeps the last TAIL_BUFFER tail records and counts those that left the view', async () => {
    const { client, push } = scriptedClient({
      'messages.tailStart': () => ({ ok: true, value: { tailId: 'tail-1', partitions: [0] } }),
      'messages.tailControl': (request) => ({
        ok: true,
        value: { state: request.action === 'pause' ? 'paused' : request.action === 'resume' ? 'running' : 'stopped' },
      }),
    });
    const store = createAppStore(client);
    bindEvents(store);
    store.getState().setMessageQuery({ topic: 't' });
    await store.getState().startTail();
    expect(store.getState().tail).toMatchObject({ tailId: 'tail-1', state: 'running' });
    const batch = (from: number, count: number) => Array.from({ length: count }, (_, index) => record(0, from + index));
    push('messages.tail', { tailId: 'other', records: batch(0, 10), skipped: 0, missed: 0, state: 'running' });
    expect(store.getState().tail?.received).toBe(0);
    push('messages.tail', { tailId: 'tail-1', records: batch(0, 1500), skipped: 3, missed: 0, state: 'running' });
    push('messages.tail', { tailId: 'tail-1', records: batch(1500, 1000), skipped: 2, missed: 7, state: 'running' });
    const tail = store.getState().tail!;
    expect(tail.records).toHaveLength(TAIL_BUFFER);
    expect(tail.records[0]!.offset).toBe(2500 - TAIL_BUFFER);
    expect(tail.records.at(-1)!.offset).toBe(2499);
    expect(tail).toMatchObject({ received: 2500, evicted: 2500 - TAIL_BUFFER, skipped: 5, missed: 7 });
    await store.getState().pauseTail();
    expect(store.getState().tail?.state).toBe('paused');
    await store.getState().resumeTail();
    expect(store.getState().tail?.state).toBe('running');
    await store.getState().stopTail();
    expect(store.getState().tail).toBeNull();
  });

  it('says "pausing" until the tail has paused: records it read before still come, the state stays', async () => {
    const { client, push } = scriptedClient({
      'messages.tailStart': () => ({ ok: true, value: { tailId: 'tail-1', partitions: [0] } }),
      'messages.tailControl': () => ({ ok: true, value: { state: 'running' } }),
    });
    let answerPause: (value: IpcResult<{ state: 'paused' }>) => void = () => undefined;
    const invoke = client.invoke.bind(client);
    client.invoke = (channel: Channel, request: unknown) =>
      channel === 'messages.tailControl' && (request as { action: string }).action === 'pause'
        ? new Promise((resolve) => (answerPause = resolve as never))
        : invoke(channel as never, request as never);
    const store = createAppStore(client);
    bindEvents(store);
    store.getState().setMessageQuery({ topic: 't' });
    await store.getState().startTail();
    const pausing = store.getState().pauseTail();
    expect(store.getState().tail?.state).toBe('pausing');
    // Read before the pause reached the tail.
    push('messages.tail', { tailId: 'tail-1', records: [record(0, 0), record(0, 1)], skipped: 0, missed: 0, state: 'running' });
    expect(store.getState().tail).toMatchObject({ state: 'pausing', received: 2 });
    answerPause({ ok: true, value: { state: 'paused' } });
    await pausing;
    expect(store.getState().tail?.state).toBe('paused');
    await store.getState().resumeTail();
    expect(store.getState().tail?.state).toBe('running');
  });

  it('shows progress only for its own read, and records an export result', async () => {
    let resolveRead: (value: IpcResult<Page>) => void = () => undefined;
    const { client, push } = scriptedClient({
      'messages.export': () => ({ ok: true, value: { status: 'download', url: '/downloads/x', fileName: 't.jsonl', records: 3, bytes: 30, durationMs: 5 } }),
    });
    const invoke = client.invoke.bind(client);
    client.invoke = (channel: Channel, request: unknown) =>
      channel === 'messages.read' ? new Promise((resolve) => (resolveRead = resolve as never)) : invoke(channel as never, request as never);
    const store = createAppStore(client);
    bindEvents(store);
    store.getState().setMessageQuery({ topic: 't', filter: { kind: 'contains', field: 'value', text: 'x', ignoreCase: false } });
    const reading = store.getState().readMessages();
    const operationId = store.getState().messageOperationId!;
    push('messages.progress', { operationId: 'someone-else', scanned: 5, matches: 0, ratePerSecond: 1, elapsedMs: 1, done: false });
    expect(store.getState().messageProgress).toBeNull();
    push('messages.progress', { operationId, scanned: 50_000, matches: 2, ratePerSecond: 400_000, elapsedMs: 125, done: false });
    expect(store.getState().messageProgress).toMatchObject({ scanned: 50_000, matches: 2 });
    resolveRead({ ok: true, value: page([record(0, 7)], [{ partition: 0, before: 0, after: 8 }]) });
    await reading;
    expect(store.getState().messageOperationId).toBeNull();
    await store.getState().exportMessages('jsonl');
    expect(store.getState().messageExport).toMatchObject({ status: 'done', result: { url: '/downloads/x', records: 3 } });
  });
  it('drops a finished export notice on a new query or another topic, and the result when the form cannot run', async () => {
    const { client } = scriptedClient({
      'messages.decoders': () => ({ ok: true, value: { key: { kind: 'string' }, value: { kind: 'auto' } } }),
      'messages.read': () => ({ ok: true, value: page([record(0, 1)], [{ partition: 0, before: 0, after: 2 }]) }),
      'messages.export': () => ({ ok: true, value: { status: 'download', url: '/downloads/x', fileName: 't.jsonl', records: 1, bytes: 10, durationMs: 5 } }),
      'messages.tailControl': () => ({ ok: true, value: { state: 'stopped' } }),
    });
    const store = createAppStore(client);
    store.getState().setMessageQuery({ topic: 't' });
    await store.getState().readMessages();
    await store.getState().exportMessages('jsonl');
    expect(store.getState().messageExport?.status).toBe('done');
    await store.getState().pageMessages('forward');
    expect(store.getState().messageExport?.status).toBe('done');
    await store.getState().readMessages();
    expect(store.getState().messageExport).toBeNull();

    await store.getState().exportMessages('jsonl');
    store.getState().openMessages('other');
    expect(store.getState().messageExport).toBeNull();

    await store.getState().readMessages();
    store.getState().selectRecord(record(0, 1));
    store.getState().discardMessageResult();
    expect(store.getState().messagePage.data).toBeNull();
    expect(store.getState().selectedRecord).toBeNull();
  });
});

describe('query form and record formats', () => {
  const form = {
    partition: '',
    start: 'offset' as const,
    offset: '42',
    time: '',
    group: '',
    count: '100',
    until: '',
    maxKiB: '',
    filter: 'jsonPath' as const,
    text: '$.a',
    equals: '1',
    order: 'oldest' as const,
  };
  it('turns the form into a query, or says what is wrong', () => {
    expect(queryFromForm(form)).toEqual({
      seek: { mode: 'offset', offset: 42 },
      count: 100,
      filter: { kind: 'jsonPath', path: '$.a', equals: '1' },
      partition: null,
      endTimestamp: null,
      maxBytes: null,
      newestFirst: false,
    });
    expect(queryFromForm({ ...form, order: 'newest' })).toMatchObject({ newestFirst: true });
    expect(queryFromForm({ ...form, until: '2024-06-01T00:00:05.000', maxKiB: '64' })).toMatchObject({
      endTimestamp: new Date('2024-06-01T00:00:05.000').getTime(),
      maxBytes: 65_536,
    });
    expect(queryFromForm({ ...form, maxKiB: 'lots' })).toMatchObject({ error: expect.stringContaining('KiB') });
    expect(queryFromForm({ ...form, offset: '-1' })).toEqual({ error: 'An offset is a whole number of 0 or more.' });
    expect(queryFromForm({ ...form, count: '20000' })).toMatchObject({ error: expect.stringContaining('10,000') });
    expect(queryFromForm({ ...form, filter: 'regex', text: '(' })).toMatchObject({ error: expect.stringContaining('regular expression') });
    expect(queryFromForm({ ...form, filter: 'findKey', text: 'alice', partition: '2' })).toMatchObject({ filter: { kind: 'key', key: 'alice' }, partition: 2 });
  });

  it('copies a record as JSON and as a kcat command that produces it again', () => {
    const json = { ...record(1, 5), value: { format: 'json' as const, text: '{"a":1}', size: 7, truncated: false } };
    expect(JSON.parse(recordAsJson(json, 'orders'))).toMatchObject({
      topic: 'orders',
      partition: 1,
      offset: 5,
      key: 'k5',
      value: { a: 1 },
      headers: [{ key: 'source', value: 'test' }],
    });
    expect(kcatCommand(json, 'orders', 'localhost:9092')).toBe(
      `printf '%s\\n' '{"a":1}' | kcat -P -b 'localhost:9092' -t 'orders' -p 1 -k 'k5' -H 'source=test'`,
    );
    const multiline = { ...record(0, 1, "it's\ntwo lines") };
    expect(kcatCommand(multiline, 't', 'b:1')).toBe(
      `printf '%s\\036' 'it'\\''s\ntwo lines' | kcat -P -b 'b:1' -t 't' -p 0 -k 'k1' -H 'source=test' -D '\\x1e'`,
    );
  });
});
