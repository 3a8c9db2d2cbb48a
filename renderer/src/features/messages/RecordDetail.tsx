// One record in full: metadata, key, value (a collapsible JSON tree, text, hex dump), headers, and
// actions (copy as JSON or kcat, produce again). A value larger than its preview loads on demand in
// chunks, each appended in its own task, into a virtualized view, so a 10 MB value never blocks the
// window.
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Decoded, DecoderSpec, RecordView } from '../../../../shared/model/messages';
import { Badge } from '../../components/Badge';
import { formatBytes, formatCount } from '../../components/format';
import { useAppStore } from '../../store/hooks';
import { SchemaLink } from '../schemas/SchemaLink';
import { formatTimestamp, isTextual, kcatCommand, recordAsJson, transactionWords } from './record-format';

export function RecordDetail({ record, topic, onClose }: { record: RecordView; topic: string; onClose: () => void }) {
  const decoders = useAppStore((state) => state.messageQuery.decoders);
  const connections = useAppStore((state) => state.connections);
  const activeId = useAppStore((state) => state.activeConnectionId);
  const openProduceWith = useAppStore((state) => state.openProduceWith);
  const bootstrap = connections.data?.find((connection) => connection.id === activeId)?.bootstrapServers ?? '';
  const [copied, setCopied] = useState<string | null>(null);

  const copy = async (what: string, text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(what);
    } catch {
      setCopied('Copy failed: the browser refused clipboard access.');
    }
  };
  const canProduceAgain = isTextual(record.key) && isTextual(record.value) && record.headers.every((header) => isTextual(header.value));

  return (
    <aside className="record-detail card" aria-label="Record detail">
      <header className="record-detail-head">
        <h2 className="card-title">
          Partition {record.partition} · Offset {formatCount(record.offset)}
        </h2>
        <button type="button" className="icon-button" aria-label="Close the record" onClick={onClose}>
          ×
        </button>
      </header>
      <dl className="record-meta">
        <dt>Timestamp</dt>
        <dd>
          {formatTimestamp(record.timestamp)} <span className="muted">({record.timestampType === 'create' ? 'create time' : 'log append time'})</span>
        </dd>
        <dt>Size</dt>
        <dd>{formatBytes(record.size)}</dd>
        <dt>Batch</dt>
        <dd>
          base offset {formatCount(record.batch.baseOffset)} · {record.batch.compression === 'none' ? 'uncompressed' : record.batch.compression}
          {record.batch.transactional ? (
            <>
              {' '}
              <Badge tone="accent">transactional</Badge>
            </>
          ) : null}
        </dd>
        {transactionRow(record)}
        <dt>Producer</dt>
        <dd>
          {record.batch.producerId >= 0
            ? `id ${record.batch.producerId} · epoch ${record.batch.producerEpoch} · sequence ${record.batch.sequence}`
            : 'not idempotent (no producer id)'}
        </dd>
      </dl>
      <div className="record-actions">
        <button type="button" className="button button-small" onClick={() => void copy('Copied the record as JSON.', recordAsJson(record, topic))}>
          Copy as JSON
        </button>
        <button
          type="button"
          className="button button-small"
          onClick={() => void copy('Copied a kcat command that produces this record.', kcatCommand(record, topic, bootstrap))}
        >
          Copy as kcat
        </button>
        <button
          type="button"
          className="button button-small"
          disabled={!canProduceAgain}
          title={
            canProduceAgain ? 'Open the produce form with this record' : 'Only records whose key, value and headers are text can be sent again from the form.'
          }
          onClick={() =>
            openProduceWith({
              topic,
              partition: record.partition,
              key: record.key.format === 'null' ? null : record.key.text,
              value: record.value.format === 'null' ? null : record.value.text,
              headers: record.headers.map((header) => ({ key: header.key, value: header.value.text })),
            })
          }
        >
          Produce again
        </button>
        {copied ? (
          <span className="muted small" role="status">
            {copied}
          </span>
        ) : null}
      </div>
      <FieldView label="Key" decoded={record.key} record={record} field="key" decoder={decoders.key} topic={topic} />
      <FieldView label="Value" decoded={record.value} record={record} field="value" decoder={decoders.value} topic={topic} />
      <h3 className="record-section">Headers</h3>
      {record.headers.length ? (
        <table className="table compact" aria-label="Headers">
          <tbody>
            {record.headers.map((header, index) => (
              <tr key={index}>
                <th scope="row">{header.key}</th>
                <td className="mono-cell">{header.value.format === 'null' ? <span className="muted">null</span> : header.value.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No headers.</p>
      )}
    </aside>
  );
}

function FieldView({
  label,
  decoded,
  record,
  field,
  decoder,
  topic,
}: {
  label: string;
  decoded: Decoded;
  record: RecordView;
  field: 'key' | 'value';
  decoder: DecoderSpec;
  topic: string;
}) {
  const [whole, setWhole] = useState(false);
  useEffect(() => setWhole(false), [record.partition, record.offset]);
  const describe = [decoded.format === 'null' ? null : decoded.format, decoded.format === 'null' ? null : formatBytes(decoded.size)].filter(Boolean);
  return (
    <section className="record-field" aria-label={label}>
      <h3 className="record-section">
        {label} <span className="muted small">{describe.join(' · ')}</span>
        {decoded.schemaId !== undefined ? (
          <>
            {' '}
            <SchemaLink schemaId={decoded.schemaId} />
          </>
        ) : null}
      </h3>
      {decoded.error ? <div className="warning small">{decoded.error}</div> : null}
      {decoded.format === 'null' ? (
        <p className="muted">null</p>
      ) : whole ? (
        <WholeValue topic={topic} record={record} field={field} decoder={decoder} />
      ) : (
        <>
          <FieldBody decoded={decoded} />
          {decoded.truncated ? (
            <div className="truncated-note">
              <span className="muted small">Showing the first part of {formatBytes(decoded.size)}.</span>
              <button type="button" className="button button-small" onClick={() => setWhole(true)}>
                Show the whole {label.toLowerCase()}
              </button>
            </div>
          ) : null}
        </>
      )}
    </section>
  );
}

function FieldBody({ decoded }: { decoded: Decoded }) {
  const parsed = useMemo(() => {
    if (decoded.format !== 'json' || decoded.truncated) return undefined;
    try {
      return { value: JSON.parse(decoded.text) as unknown };
    } catch {
      return undefined;
    }
  }, [decoded]);
  if (parsed) {
    return (
      <div className="json-view" role="tree" aria-label="JSON">
        <JsonNode value={parsed.value} depth={0} />
      </div>
    );
  }
  if (decoded.text.length > LARGE_TEXT) return <LinesView lines={toLines(decoded.text)} />;
  return <pre className="value-text">{decoded.text}</pre>;
}

function JsonNode({ name, value, depth }: { name?: ReactNode; value: unknown; depth: number }) {
  const label = name !== undefined ? <span className="json-key">{name}: </span> : null;
  if (value === null || typeof value !== 'object') {
    const kind = value === null ? 'null' : typeof value;
    return (
      <div className="json-leaf" role="treeitem">
        {label}
        <span className={`json-${kind}`}>{JSON.stringify(value)}</span>
      </div>
    );
  }
  const entries = Array.isArray(value) ? (value as unknown[]).map((item, index) => [index, item] as const) : Object.entries(value as Record<string, unknown>);
  const open = Array.isArray(value) ? '[' : '{';
  const close = Array.isArray(value) ? ']' : '}';
  if (!entries.length) {
    return (
      <div className="json-leaf" role="treeitem">
        {label}
        {open}
        {close}
      </div>
    );
  }
  return (
    <details className="json-branch" open={depth < 3} role="treeitem">
      <summary>
        {label}
        {open}
        <span className="json-count muted">
          {' '}
          {entries.length} {Array.isArray(value) ? (entries.length === 1 ? 'item' : 'items') : entries.length === 1 ? 'key' : 'keys'}{' '}
        </span>
      </summary>
      <div className="json-children" role="group">
        {entries.map(([key, item]) => (
          <JsonNode key={key} name={key} value={item} depth={depth + 1} />
        ))}
      </div>
      <div>{close}</div>
    </details>
  );
}

// ---------------------------------------------------------------------------------------------------
// Large text: lines in a fixed-height virtual list

const LINE_HEIGHT = 18;
/** Long lines are shown in slices of this many characters, so no row is wider than the window. */
const SLICE_CHARS = 400;
/** Text longer than this is shown through the virtual list rather than laid out whole. */
const LARGE_TEXT = 8 * 1024;
const VIEW_HEIGHT = 420;
/** Characters per request: small enough that receiving and splitting one stays far below a frame budget. */
const CHUNK_CHARS = 256 * 1024;

/** Appends the lines of `text` (sliced to SLICE_CHARS) to `into`; returns the unfinished last line. */
function appendLines(into: string[], text: string, carry: string, last: boolean): string {
  const parts = (carry + text).split('\n');
  const rest = last ? '' : (parts.pop() ?? '');
  for (const part of parts) {
    if (part.length <= SLICE_CHARS) into.push(part);
    else for (let at = 0; at < part.length; at += SLICE_CHARS) into.push(part.slice(at, at + SLICE_CHARS));
  }
  return rest;
}

function toLines(text: string): string[] {
  const lines: string[] = [];
  appendLines(lines, text, '', true);
  return lines;
}

/**
 * Only the rows in view are rendered, computed from the scroll position alone: the cost of a render
 * does not grow with the number of lines (a 10 MB value has hundreds of thousands).
 */
function LinesView({ lines, version = 0 }: { lines: readonly string[]; version?: number }) {
  const [scrollTop, setScrollTop] = useState(0);
  const first = Math.max(0, Math.floor(scrollTop / LINE_HEIGHT) - 10);
  const last = Math.min(lines.length, Math.ceil((scrollTop + VIEW_HEIGHT) / LINE_HEIGHT) + 10);
  const rows: ReactNode[] = [];
  for (let index = first; index < last; index++) {
    rows.push(
      <div key={index} className="whole-value-line" style={{ transform: `translateY(${index * LINE_HEIGHT}px)`, height: LINE_HEIGHT }}>
        {lines[index]}
      </div>,
    );
  }
  return (
    <div className="whole-value-scroll" data-testid="whole-value" data-version={version} onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}>
      <div style={{ height: lines.length * LINE_HEIGHT, position: 'relative' }}>{rows}</div>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------------
// The whole value, fetched in chunks; each chunk is split into lines in its own task.

function WholeValue({ topic, record, field, decoder }: { topic: string; record: RecordView; field: 'key' | 'value'; decoder: DecoderSpec }) {
  const api = useAppStore((state) => state.api);
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const lines = useRef<string[]>([]);
  const [version, setVersion] = useState(0);
  const [progress, setProgress] = useState<{ loaded: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    lines.current = [];
    let carry = '';
    void (async () => {
      let start = 0;
      let total = Infinity;
      while (start < total && !cancelled) {
        const result = await api.invoke('messages.value', {
          connectionId,
          topic,
          partition: record.partition,
          offset: record.offset,
          field,
          decoder,
          start,
          length: CHUNK_CHARS,
        });
        if (cancelled) return;
        if (!result.ok) {
          setError(result.error.message);
          return;
        }
        total = result.value.totalChars;
        start += result.value.text.length;
        carry = appendLines(lines.current, result.value.text, carry, start >= total);
        setVersion((current) => current + 1);
        setProgress({ loaded: start, total });
        if (!result.value.text.length) break;
        // Let the window paint between chunks.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [api, connectionId, topic, record.partition, record.offset, field, decoder]);

  if (error)
    return (
      <div className="form-error" role="alert">
        {error}
      </div>
    );
  return (
    <div className="whole-value">
      <div className="muted small" role="status" aria-label="Whole value">
        {progress
          ? progress.loaded >= progress.total
            ? `${formatCount(progress.total)} characters, ${formatCount(lines.current.length)} lines.`
            : `Loading… ${Math.round((progress.loaded / progress.total) * 100)}%`
          : 'Loading…'}
      </div>
      <LinesView lines={lines.current} version={version} />
    </div>
  );
}

/** The record's transaction (or marker) and what read_committed consumers make of it. */
function transactionRow(record: RecordView) {
  const words = transactionWords(record);
  if (!words) return null;
  return (
    <>
      <dt>{record.control ? 'Marker' : 'Transaction'}</dt>
      <dd data-testid="record-transaction">
        <Badge tone={words.tone}>{words.label}</Badge> {words.detail}
      </dd>
    </>
  );
}
