// The message browser: choose a topic, where to start, how much to read and what to look for; page
// through the result by cursor, open a record, export the whole result, or tail new records live.
import { useEffect, useState } from 'react';
import type { ExportFormat, Filter, Isolation, KeySearch, Page, SavedQuery, Seek, UnreadableBatch } from '../../../../shared/model/messages';
import { re2Error } from '../../../../shared/model/regex';
import { ScreenHeader } from '../../components/ScreenHeader';
import { Empty, ErrorMessage, Loading } from '../../components/StateView';
import { formatBytes, formatCount, formatQuantity } from '../../components/format';
import { useAppStore, useResource } from '../../store/hooks';
import { groupsQuery } from '../groups/groups-slice';
import { topicsQuery } from '../topics/topics-slice';
import { TAIL_BUFFER, type TailView } from './messages-slice';
import { DecodersDialog, decoderSummary } from './DecodersDialog';
import { foundText, searchedText } from './key-search';
import { RecordDetail } from './RecordDetail';
import { RecordTable } from './RecordTable';
import { SavedQueries } from './SavedQueries';
import { toDateTimeLocal } from './record-format';
import './messages.css';

type StartMode = Seek['mode'];
type FilterMode = 'none' | 'value' | 'key' | 'header' | 'any' | 'regex' | 'jsonPath' | 'findKey';

interface QueryForm {
  partition: string; // '' = all
  start: StartMode;
  offset: string;
  time: string;
  group: string;
  count: string;
  /** Optional bounds: records up to this time, and at most this many KiB a page. */
  until: string;
  maxKiB: string;
  filter: FilterMode;
  text: string;
  equals: string;
  order: 'newest' | 'oldest';
}

const tailStateLabels: Record<TailView['state'], string> = {
  starting: 'Starting…',
  running: 'Live',
  pausing: 'Pausing…',
  paused: 'Paused',
  stopped: 'Stopped',
};

const filterLabels: Record<FilterMode, string> = {
  none: 'No filter',
  value: 'Value contains',
  key: 'Key contains',
  header: 'Header contains',
  any: 'Anywhere contains',
  regex: 'Value matches regex (RE2)',
  jsonPath: 'JSON path equals',
  findKey: 'Find by key',
};

function formFromQuery(
  seek: Seek,
  count: number,
  filter: Filter | null,
  partition: number | null,
  endTimestamp: number | null,
  maxBytes: number | null,
  newestFirst: boolean,
): QueryForm {
  const form: QueryForm = {
    partition: partition === null ? '' : String(partition),
    start: seek.mode,
    offset: seek.mode === 'offset' ? String(seek.offset) : '0',
    time: toDateTimeLocal(seek.mode === 'timestamp' ? seek.timestamp : Date.now() - 3_600_000),
    group: seek.mode === 'group' ? seek.groupId : '',
    count: String(count),
    until: endTimestamp === null ? '' : toDateTimeLocal(endTimestamp),
    maxKiB: maxBytes === null ? '' : String(Math.round(maxBytes / 1024)),
    filter: 'none',
    text: '',
    equals: '',
    order: newestFirst ? 'newest' : 'oldest',
  };
  if (filter?.kind === 'contains') Object.assign(form, { filter: filter.field, text: filter.text });
  if (filter?.kind === 'regex') Object.assign(form, { filter: 'regex', text: filter.pattern });
  if (filter?.kind === 'jsonPath') Object.assign(form, { filter: 'jsonPath', text: filter.path, equals: filter.equals });
  if (filter?.kind === 'key') Object.assign(form, { filter: 'findKey', text: filter.key });
  return form;
}

/** The query a form describes, or the first thing wrong with it. */
export function queryFromForm(
  form: QueryForm,
):
  | { seek: Seek; count: number; filter: Filter | null; partition: number | null; endTimestamp: number | null; maxBytes: number | null; newestFirst: boolean }
  | { error: string } {
  let seek: Seek;
  switch (form.start) {
    case 'offset':
      if (!/^\d+$/.test(form.offset.trim())) return { error: 'An offset is a whole number of 0 or more.' };
      seek = { mode: 'offset', offset: Number(form.offset) };
      break;
    case 'timestamp': {
      const time = new Date(form.time).getTime();
      if (Number.isNaN(time)) return { error: 'Choose a date and time.' };
      seek = { mode: 'timestamp', timestamp: time };
      break;
    }
    case 'group':
      if (!form.group.trim()) return { error: 'Enter a consumer group id.' };
      seek = { mode: 'group', groupId: form.group.trim() };
      break;
    default:
      seek = { mode: form.start };
  }
  const count = Number(form.count);
  if (!/^\d+$/.test(form.count.trim()) || count < 1 || count > 10_000) return { error: 'Read between 1 and 10,000 records a page.' };
  let endTimestamp: number | null = null;
  if (form.until.trim()) {
    endTimestamp = new Date(form.until).getTime();
    if (Number.isNaN(endTimestamp)) return { error: 'Choose the date and time to read up to, or leave "Until" empty.' };
  }
  let maxBytes: number | null = null;
  if (form.maxKiB.trim()) {
    if (!/^\d+$/.test(form.maxKiB.trim()) || Number(form.maxKiB) < 1) return { error: 'The page size limit is a whole number of KiB, or empty.' };
    maxBytes = Number(form.maxKiB) * 1024;
  }
  let filter: Filter | null = null;
  if (form.filter !== 'none') {
    if (!form.text && form.filter !== 'findKey') return { error: 'Enter what to look for, or choose "No filter".' };
    if (form.filter === 'regex') {
      // RE2, as the main process runs it (JavaScript's RegExp would refuse (?i) and accept lookarounds).
      const invalid = re2Error(form.text);
      if (invalid) return { error: invalid };
      filter = { kind: 'regex', field: 'value', pattern: form.text, flags: '' };
    } else if (form.filter === 'jsonPath') filter = { kind: 'jsonPath', path: form.text, equals: form.equals };
    else if (form.filter === 'findKey') filter = { kind: 'key', key: form.text };
    else filter = { kind: 'contains', field: form.filter, text: form.text, ignoreCase: false };
  }
  return {
    seek,
    count,
    filter,
    partition: form.partition === '' ? null : Number(form.partition),
    endTimestamp,
    maxBytes,
    newestFirst: form.order === 'newest',
  };
}

export function MessagesScreen() {
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const [topics] = useResource(topicsQuery(connectionId));
  const query = useAppStore((state) => state.messageQuery);
  const page = useAppStore((state) => state.messagePage);
  const pageFilter = useAppStore((state) => state.messagePageFilter);
  const progress = useAppStore((state) => state.messageProgress);
  const reading = useAppStore((state) => state.messageOperationId !== null);
  const selected = useAppStore((state) => state.selectedRecord);
  const tail = useAppStore((state) => state.tail);
  const exportState = useAppStore((state) => state.messageExport);
  const openMessages = useAppStore((state) => state.openMessages);
  const setMessageQuery = useAppStore((state) => state.setMessageQuery);
  const readMessages = useAppStore((state) => state.readMessages);
  const discardMessageResult = useAppStore((state) => state.discardMessageResult);
  const pageMessages = useAppStore((state) => state.pageMessages);
  const cancelMessages = useAppStore((state) => state.cancelMessages);
  const selectRecord = useAppStore((state) => state.selectRecord);
  const startTail = useAppStore((state) => state.startTail);
  const pauseTail = useAppStore((state) => state.pauseTail);
  const resumeTail = useAppStore((state) => state.resumeTail);
  const stopTail = useAppStore((state) => state.stopTail);
  const exportMessages = useAppStore((state) => state.exportMessages);
  const [form, setForm] = useState<QueryForm>(() =>
    formFromQuery(query.seek, query.count, query.filter, query.partition, query.endTimestamp, query.maxBytes, query.newestFirst),
  );
  // What the read sees of transactions (applied with the rest of the form).
  const [isolation, setIsolation] = useState<Isolation>(query.isolation);
  const [showControl, setShowControl] = useState(query.showControl);
  const [formError, setFormError] = useState<string | null>(null);
  const [decodersOpen, setDecodersOpen] = useState(false);
  const [format, setFormat] = useState<ExportFormat>('jsonl');

  // A tail keeps polling only while this screen is open.
  useEffect(() => () => void stopTail(), [stopTail]);
  // Web mode: a finished export is downloaded by the browser.
  useEffect(() => {
    const result = exportState?.result;
    if (exportState?.status !== 'done' || result?.status !== 'download' || !result.url) return;
    const link = document.createElement('a');
    link.href = result.url;
    link.download = result.fileName;
    document.body.append(link);
    link.click();
    link.remove();
  }, [exportState]);

  const topic = query.topic;
  const partitionCount = topics.data?.find((candidate) => candidate.name === topic)?.partitions ?? 0;
  const update = (patch: Partial<QueryForm>) => setForm((current) => ({ ...current, ...patch }));
  const submit = () => {
    const parsed = queryFromForm(form);
    if ('error' in parsed) {
      setFormError(parsed.error);
      // Neither the table nor Export may go on showing or exporting the previous query as if it answered this one.
      if (!tail) discardMessageResult();
      return;
    }
    setFormError(null);
    setMessageQuery({ ...parsed, isolation, showControl });
    if (tail) void startTail();
    else void readMessages();
  };

  // Saved queries: the form's query with the rest of what a read uses, and a saved one put back whole.
  const currentQuery = () => {
    const parsed = queryFromForm(form);
    return 'error' in parsed ? parsed : { ...parsed, isolation, showControl, decoders: query.decoders };
  };
  const applySavedQuery = (saved: SavedQuery) => {
    setForm(formFromQuery(saved.seek, saved.count, saved.filter, saved.partition, saved.endTimestamp, saved.maxBytes, saved.newestFirst));
    setIsolation(saved.isolation);
    setShowControl(saved.showControl);
    setFormError(null);
    setMessageQuery({
      seek: saved.seek,
      count: saved.count,
      filter: saved.filter,
      partition: saved.partition,
      endTimestamp: saved.endTimestamp,
      maxBytes: saved.maxBytes,
      newestFirst: saved.newestFirst,
      isolation: saved.isolation,
      showControl: saved.showControl,
      decoders: saved.decoders,
    });
    if (tail) void startTail();
    else void readMessages();
  };

  return (
    <section className="screen screen-fill messages-screen">
      <ScreenHeader title="Messages">
        <label className="inline-label">
          Topic
          <select aria-label="Topic" value={topic ?? ''} onChange={(event) => event.target.value && openMessages(event.target.value)}>
            <option value="">{topics.status === 'loading' && !topics.data ? 'Loading topics…' : 'Choose a topic'}</option>
            {topics.data?.map((candidate) => (
              <option key={candidate.name} value={candidate.name}>
                {candidate.name}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="button"
          disabled={!topic}
          onClick={() => setDecodersOpen(true)}
          title="Key and value decoders, remembered for this topic"
        >
          Decoders: {decoderSummary(query.decoders.key)} / {decoderSummary(query.decoders.value)}
        </button>
        {topic ? <SavedQueries key={`${connectionId}/${topic}`} topic={topic} currentQuery={currentQuery} onApply={applySavedQuery} /> : null}
        {tail ? (
          <>
            {tail.state === 'paused' ? (
              <button type="button" className="button" onClick={() => void resumeTail()}>
                Resume
              </button>
            ) : (
              <button type="button" className="button" onClick={() => void pauseTail()} disabled={tail.state !== 'running'}>
                Pause
              </button>
            )}
            <button type="button" className="button" onClick={() => void stopTail()}>
              Stop live tail
            </button>
          </>
        ) : (
          <button type="button" className="button" disabled={!topic} onClick={() => void startTail()}>
            Live tail
          </button>
        )}
        <span className="export-group">
          <select aria-label="Export format" value={format} onChange={(event) => setFormat(event.target.value as ExportFormat)} disabled={!topic}>
            <option value="jsonl">JSON Lines</option>
            <option value="json">JSON</option>
            <option value="csv">CSV</option>
          </select>
          <button
            type="button"
            className="button"
            disabled={!topic || exportState?.status === 'running' || formError !== null}
            onClick={() => void exportMessages(format)}
            title="Every record of the query, not only this page"
          >
            {exportState?.status === 'running' ? 'Exporting…' : 'Export'}
          </button>
        </span>
      </ScreenHeader>

      {!topic ? (
        <Empty title="Choose a topic to browse its records.">Pick one above, or open a topic and choose Messages.</Empty>
      ) : (
        <>
          <form
            className="card query-bar"
            aria-label="Query"
            noValidate
            onSubmit={(event) => {
              event.preventDefault();
              submit();
            }}
          >
            <label className="query-field">
              <span>Partition</span>
              <select aria-label="Partition" value={form.partition} onChange={(event) => update({ partition: event.target.value })}>
                <option value="">All</option>
                {Array.from({ length: partitionCount }, (_, index) => (
                  <option key={index} value={index}>
                    {index}
                  </option>
                ))}
              </select>
            </label>
            {/* A live tail starts at the end and runs until stopped: only partition and filter apply. */}
            {!tail ? (
              <>
                <label className="query-field">
                  <span>Start</span>
                  <select
                    aria-label="Start"
                    value={form.start}
                    onChange={(event) => {
                      const start = event.target.value as StartMode;
                      // "Latest" reads the end of the topic: newest first; the other starts read on from a point: oldest first.
                      update({ start, order: start === 'latest' ? 'newest' : 'oldest' });
                    }}
                  >
                    <option value="latest">Latest</option>
                    <option value="earliest">Earliest</option>
                    <option value="offset">Offset</option>
                    <option value="timestamp">Time</option>
                    <option value="group">Consumer group</option>
                  </select>
                </label>
                {form.start === 'offset' ? (
                  <label className="query-field narrow">
                    <span>Offset</span>
                    <input aria-label="Offset" inputMode="numeric" value={form.offset} onChange={(event) => update({ offset: event.target.value })} />
                  </label>
                ) : null}
                {form.start === 'timestamp' ? (
                  <label className="query-field">
                    <span>From</span>
                    <input
                      aria-label="From time"
                      type="datetime-local"
                      step="0.001"
                      value={form.time}
                      onChange={(event) => update({ time: event.target.value })}
                    />
                  </label>
                ) : null}
                {form.start === 'group' && topic ? <GroupPicker topic={topic} value={form.group} onChange={(group) => update({ group })} /> : null}
                <label className="query-field narrow">
                  <span>Records</span>
                  <input aria-label="Records per page" inputMode="numeric" value={form.count} onChange={(event) => update({ count: event.target.value })} />
                </label>
                <label className="query-field">
                  <span>Until</span>
                  <input
                    aria-label="Until time"
                    type="datetime-local"
                    step="0.001"
                    value={form.until}
                    onChange={(event) => update({ until: event.target.value })}
                  />
                </label>
                <label className="query-field narrow">
                  <span>Max KiB</span>
                  <input
                    aria-label="Max KiB per page"
                    inputMode="numeric"
                    placeholder="none"
                    value={form.maxKiB}
                    onChange={(event) => update({ maxKiB: event.target.value })}
                  />
                </label>
              </>
            ) : null}
            <label
              className="query-field"
              title="Read uncommitted shows every record and marks those of aborted and open transactions; read committed shows what a read_committed consumer sees (up to the last stable offset, aborted transactions left out)."
            >
              <span>Isolation</span>
              <select aria-label="Isolation" value={isolation} onChange={(event) => setIsolation(event.target.value as Isolation)}>
                <option value="read_uncommitted">Read uncommitted</option>
                <option value="read_committed">Read committed</option>
              </select>
            </label>
            <label className="query-check" title="Show the transaction markers (control records) that end each transaction on a partition">
              <input type="checkbox" checked={showControl} onChange={(event) => setShowControl(event.target.checked)} />
              Markers
            </label>
            {!tail ? (
              <label className="query-field">
                <span>Order</span>
                <select
                  aria-label="Order"
                  value={form.order}
                  onChange={(event) => {
                    const order = event.target.value as QueryForm['order'];
                    update({ order });
                    // Only how the page is shown: no new read, the cursor stays.
                    setMessageQuery({ newestFirst: order === 'newest' });
                  }}
                >
                  <option value="newest">Newest first</option>
                  <option value="oldest">Oldest first</option>
                </select>
              </label>
            ) : null}
            <label className="query-field">
              <span>Filter</span>
              <select aria-label="Filter" value={form.filter} onChange={(event) => update({ filter: event.target.value as FilterMode })}>
                {(Object.keys(filterLabels) as FilterMode[]).map((mode) => (
                  <option key={mode} value={mode}>
                    {filterLabels[mode]}
                  </option>
                ))}
              </select>
            </label>
            {form.filter !== 'none' ? (
              <label className="query-field grow">
                <span>{form.filter === 'jsonPath' ? 'Path' : form.filter === 'regex' ? 'Pattern' : form.filter === 'findKey' ? 'Key' : 'Text'}</span>
                <input
                  aria-label="Filter text"
                  title={form.filter === 'regex' ? 'RE2 syntax (linear time): (?i) for ignore case; no lookarounds or backreferences.' : undefined}
                  spellCheck={false}
                  placeholder={form.filter === 'jsonPath' ? '$.customer.id' : form.filter === 'regex' ? '^ORD-\\d+' : ''}
                  value={form.text}
                  onChange={(event) => update({ text: event.target.value })}
                />
              </label>
            ) : null}
            {form.filter === 'jsonPath' ? (
              <label className="query-field">
                <span>Equals</span>
                <input
                  aria-label="Equals"
                  spellCheck={false}
                  placeholder='42 or "gold"'
                  value={form.equals}
                  onChange={(event) => update({ equals: event.target.value })}
                />
              </label>
            ) : null}
            <span className="spacer" />
            {reading ? (
              <button type="button" className="button" onClick={() => void cancelMessages()}>
                Cancel
              </button>
            ) : null}
            <button type="submit" className="button button-primary" disabled={reading}>
              {tail ? 'Restart tail' : 'Read'}
            </button>
          </form>
          {formError ? (
            <div className="form-error" role="alert">
              {formError}
            </div>
          ) : null}
          <ExportStatus />
          {!tail && page.data?.unreadable?.length ? <UnreadableBatches batches={page.data.unreadable} what="This page" /> : null}
          {/* read_committed: where an open transaction holds records back, said above the records, not only in the status line. */}
          {!tail && query.isolation === 'read_committed'
            ? page.data?.notes
                .filter((note) => note.includes('last stable offset'))
                .map((note) => (
                  <div key={note} className="warning held-back-note" role="note" aria-label="Held back by a transaction">
                    {note}
                  </div>
                ))
            : null}
          {tail ? renderTail() : renderPage(page.data)}
          {!tail && page.status === 'error' ? <ErrorMessage error={page.error} onRetry={() => void readMessages()} /> : null}
          {!tail ? (
            <StatusLine
              page={page.data}
              loading={page.status === 'loading'}
              progress={progress && reading ? progress : null}
              newestFirst={query.newestFirst}
              onPage={(direction) => void pageMessages(direction)}
            />
          ) : null}
        </>
      )}
      {decodersOpen ? <DecodersDialog decoders={query.decoders} onClose={() => setDecodersOpen(false)} /> : null}
    </section>
  );

  // Plain render helpers (not components), so the table keeps its identity and scroll position.
  function renderPage(data: Page | null) {
    if (!data) return page.status === 'loading' || (page.status === 'idle' && !formError) ? <Loading label="Reading records…" /> : null;
    if (!data.records.length && page.status !== 'loading') {
      return (
        <>
          {data.keySearch ? <KeySearchNote search={data.keySearch} /> : null}
          <Empty title={data.keySearch ? 'No record has this key here.' : query.filter ? 'No record matches in this range.' : 'No records here.'}>
            {data.hasAfter || data.hasBefore
              ? 'Page on, or start somewhere else.'
              : query.filter
                ? `None of the ${formatQuantity(data.scanned, 'record')} read matched.`
                : 'The range holds no records; produce some, or tail the topic live.'}
          </Empty>
        </>
      );
    }
    return (
      <>
        {data.keySearch ? <KeySearchNote search={data.keySearch} /> : null}
        <div className={selected ? 'records-layout with-detail' : 'records-layout'}>
          <RecordTable
            records={query.newestFirst ? [...data.records].reverse() : data.records}
            selected={selected}
            onSelect={selectRecord}
            filter={pageFilter}
          />
          {selected && topic ? <RecordDetail record={selected} topic={topic} onClose={() => selectRecord(null)} /> : null}
        </div>
      </>
    );
  }

  function renderTail() {
    if (!tail) return null;
    return (
      <>
        <div className="tail-status" role="status" aria-label="Live tail">
          <span className={`live-dot live-${tail.state}`} aria-hidden="true" />
          <strong>{tailStateLabels[tail.state]}</strong>
          <span>{formatCount(tail.received)} received</span>
          {tail.evicted ? (
            <span data-testid="tail-evicted">
              {formatCount(tail.evicted)} older left the view (it keeps the last {formatCount(TAIL_BUFFER)})
            </span>
          ) : null}
          {tail.skipped ? <span>{formatCount(tail.skipped)} did not match the filter</span> : null}
          {tail.missed ? <span className="warn-text">{formatCount(tail.missed)} were deleted before they could be read</span> : null}
          {tail.state === 'paused' ? <span className="muted">New records wait on the cluster; nothing is lost.</span> : null}
        </div>
        {tail.error ? (
          <div className="form-error" role="alert">
            {tail.error}
          </div>
        ) : null}
        {tail.unreadable.length ? <UnreadableBatches batches={tail.unreadable} what="The tail" /> : null}
        {tail.records.length ? (
          <div className={selected ? 'records-layout with-detail' : 'records-layout'}>
            <RecordTable
              records={tail.records}
              selected={selected}
              onSelect={selectRecord}
              follow={tail.state === 'running' && !selected}
              filter={query.filter}
            />
            {selected && topic ? <RecordDetail record={selected} topic={topic} onClose={() => selectRecord(null)} /> : null}
          </div>
        ) : (
          <Empty title="Waiting for new records…">Records produced to {topic} from now on appear here as they arrive.</Empty>
        )}
      </>
    );
  }
}

function ExportStatus() {
  const exportState = useAppStore((state) => state.messageExport);
  const progress = useAppStore((state) => state.messageProgress);
  if (!exportState) return null;
  if (exportState.status === 'running') {
    return (
      <div className="export-status muted" role="status" aria-label="Export">
        Exporting as {exportState.format.toUpperCase()}…{' '}
        {progress?.operationId === exportState.operationId ? `${formatQuantity(progress.matches, 'record')} written` : ''}
      </div>
    );
  }
  if (exportState.status === 'error') {
    return (
      <div className="form-error" role="alert">
        The export failed: {exportState.error?.message}
      </div>
    );
  }
  if (exportState.status === 'cancelled')
    return (
      <div className="export-status muted" role="status" aria-label="Export">
        The export was cancelled.
      </div>
    );
  const result = exportState.result!;
  return (
    <>
      <div className="export-status form-success" role="status" aria-label="Export">
        Exported {formatQuantity(result.records, 'record')} ({formatBytes(result.bytes)}){' '}
        {result.status === 'file' ? `to ${result.path}` : `as ${result.fileName}`} in {formatCount(result.durationMs)} ms.
      </div>
      {result.unreadable?.length ? <UnreadableBatches batches={result.unreadable} what="The export" /> : null}
    </>
  );
}

/**
 * "Start from a group's offsets": the cluster's groups to pick from, those reading this topic first; a
 * group id can still be typed (one the list does not have, or while it loads or cannot be read).
 */
function GroupPicker({ topic, value, onChange }: { topic: string; value: string; onChange: (group: string) => void }) {
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const [groups] = useResource(groupsQuery(connectionId));
  const reading = groups.data?.filter((group) => group.topics.includes(topic)).map((group) => group.id) ?? [];
  const others = groups.data?.filter((group) => !group.topics.includes(topic)).map((group) => group.id) ?? [];
  return (
    <>
      {groups.data?.length ? (
        <label className="query-field">
          <span>Group</span>
          <select
            aria-label="Pick a consumer group"
            value={groups.data.some((group) => group.id === value) ? value : ''}
            onChange={(event) => onChange(event.target.value)}
          >
            <option value="">{reading.length ? 'Choose a group…' : 'No group reads this topic'}</option>
            {reading.length ? (
              <optgroup label={`Reading ${topic}`}>
                {reading.map((id) => (
                  <option key={id} value={id}>
                    {id}
                  </option>
                ))}
              </optgroup>
            ) : null}
            {others.length ? (
              <optgroup label="Other groups">
                {others.map((id) => (
                  <option key={id} value={id}>
                    {id}
                  </option>
                ))}
              </optgroup>
            ) : null}
          </select>
        </label>
      ) : null}
      <label className="query-field">
        <span>{groups.data?.length ? 'or group id' : groups.status === 'loading' ? 'Group (loading the list…)' : 'Group'}</span>
        <input aria-label="Consumer group" value={value} spellCheck={false} onChange={(event) => onChange(event.target.value)} />
      </label>
    </>
  );
}

/** Where a find by key looked and where it found the key's records. */
function KeySearchNote({ search }: { search: KeySearch }) {
  const found = foundText(search);
  return (
    <div className="key-search muted small" role="note" aria-label="Find by key">
      {searchedText(search)}
      {found ? <strong> {found}</strong> : null}
    </div>
  );
}

const UNREADABLE_SHOWN = 5;

/** Batches a read or an export went past because they cannot be read: which, where and why. */
function UnreadableBatches({ batches, what }: { batches: UnreadableBatch[]; what: string }) {
  const shown = batches.slice(0, UNREADABLE_SHOWN);
  return (
    <div className="warning unreadable-batches" role="note" aria-label="Unreadable batches">
      {what} went past {batches.length === 1 ? 'a batch' : `${formatCount(batches.length)} batches`} that cannot be read;{' '}
      {batches.length === 1 ? 'its' : 'their'} records are missing, the others are all there.
      <ul>
        {shown.map((batch) => (
          <li key={`${batch.partition}:${batch.baseOffset}`}>
            Partition {batch.partition},{' '}
            {batch.baseOffset === batch.lastOffset ? `offset ${batch.baseOffset}` : `offsets ${batch.baseOffset}–${batch.lastOffset}`}: {batch.reason}
          </li>
        ))}
        {batches.length > shown.length ? <li>and {formatCount(batches.length - shown.length)} more</li> : null}
      </ul>
    </div>
  );
}

function StatusLine({
  page,
  loading,
  progress,
  newestFirst,
  onPage,
}: {
  page: Page | null;
  loading: boolean;
  progress: { scanned: number; matches: number; ratePerSecond: number } | null;
  newestFirst: boolean;
  onPage: (direction: 'forward' | 'backward') => void;
}) {
  const first = page?.records[0];
  const last = page?.records[page.records.length - 1];
  // Newest first, the newer records are above and to the left: the buttons follow what the list shows.
  const olderButton = (
    <button type="button" className="button button-small" disabled={loading || !page?.hasBefore} onClick={() => onPage('backward')}>
      {newestFirst ? 'Older records →' : '← Previous page'}
    </button>
  );
  const newerButton = (
    <button type="button" className="button button-small" disabled={loading || !page?.hasAfter} onClick={() => onPage('forward')}>
      {newestFirst ? '← Newer records' : 'Next page →'}
    </button>
  );
  return (
    <div className="pager">
      {newestFirst ? newerButton : olderButton}
      <div className="pager-status muted small" role="status" aria-label="Page status" title={page?.notes.length ? page.notes.join('\n') : undefined}>
        {progress ? (
          <span className="scan-progress">
            Scanned {formatCount(progress.scanned)} · {formatQuantity(progress.matches, 'match', 'matches')} · {formatCount(progress.ratePerSecond)} records/s
          </span>
        ) : page ? (
          <>
            {formatQuantity(page.records.length, 'record')}
            {first && last && page.ranges.length === 1 ? ` · offsets ${formatCount(first.offset)}–${formatCount(last.offset)}` : ''}
            {page.ranges.length > 1 ? ` · ${page.ranges.length} partitions` : ''}
            {` · scanned ${formatCount(page.scanned)} in ${formatCount(page.durationMs)} ms`}
            {page.stoppedBy === 'cancelled' ? ' · cancelled' : page.stoppedBy === 'time' ? ' · stopped by the time limit' : ''}
            {page.notes.map((note) => (
              <span key={note} className="page-note">
                {' · '}
                {note}
              </span>
            ))}
          </>
        ) : null}
      </div>
      {newestFirst ? olderButton : newerButton}
    </div>
  );
}
