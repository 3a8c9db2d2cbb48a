// The records of a page or a live tail, virtualized: only the rows in view are in the DOM. Each row
// shows a one-line preview, with the filter's matches marked; the detail panel shows the whole record.
// Presentational: the records come in the order shown.
import { useEffect, useMemo, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Filter, RecordView } from '../../../../shared/model/messages';
import { formatBytes, formatCount } from '../../components/format';
import { Badge } from '../../components/Badge';
import { Highlighted, matcherFor } from './highlight';
import { formatTimestamp, headersLine, previewLine, transactionWords } from './record-format';

export const RECORD_ROW_HEIGHT = 34;

export function RecordTable({
  records,
  selected,
  onSelect,
  follow = false,
  filter = null,
}: {
  records: readonly RecordView[];
  /** The filter the records answer: its matches are marked in keys, values and headers. */
  filter?: Filter | null;
  selected: RecordView | null;
  onSelect: (record: RecordView) => void;
  /** Keep the newest row in view as records arrive (live tail). */
  follow?: boolean;
}) {
  const marks = useMemo(() => ({ key: matcherFor(filter, 'key'), value: matcherFor(filter, 'value'), header: matcherFor(filter, 'header') }), [filter]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: records.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => RECORD_ROW_HEIGHT,
    overscan: 10,
  });
  useEffect(() => {
    if (follow && records.length) virtualizer.scrollToIndex(records.length - 1, { align: 'end' });
  }, [follow, records.length, virtualizer]);

  return (
    <div className="vtable records-table" role="table" aria-label="Records" aria-rowcount={records.length + 1}>
      <div className="vtable-head" role="rowgroup">
        <div className="vtable-row records-grid" role="row">
          <div role="columnheader" className="numeric">
            Partition
          </div>
          <div role="columnheader" className="numeric">
            Offset
          </div>
          <div role="columnheader" data-column="timestamp">
            Timestamp
          </div>
          <div role="columnheader">Key</div>
          <div role="columnheader">Value</div>
          <div role="columnheader" data-column="headers">
            Headers
          </div>
          <div role="columnheader" className="numeric" data-column="size">
            Size
          </div>
        </div>
      </div>
      <div className="vtable-body" ref={scrollRef} role="rowgroup" data-testid="records-scroll">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const record = records[item.index];
            if (!record) return null;
            const isSelected = selected?.partition === record.partition && selected.offset === record.offset;
            // Aborted and open transactions' records and markers are marked; committed ones read as plain records.
            const txn = transactionWords(record);
            const marked = txn && txn.label !== 'committed' ? txn : null;
            const txnClass = record.control ? ' control-row' : record.transaction ? ` txn-${record.transaction.state}` : '';
            return (
              <div
                key={`${record.partition}:${record.offset}`}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={isSelected}
                className={`vtable-row records-grid clickable${isSelected ? ' selected' : ''}${txnClass}`}
                style={{ transform: `translateY(${item.start}px)`, height: RECORD_ROW_HEIGHT }}
                onClick={() => onSelect(record)}
                data-partition={record.partition}
                data-offset={record.offset}
              >
                <div role="cell" className="numeric" data-column="partition">
                  {record.partition}
                </div>
                <div role="cell" className="numeric" data-column="offset">
                  <button type="button" className="link-button" onClick={() => onSelect(record)} aria-label={`Record ${record.partition}:${record.offset}`}>
                    {formatCount(record.offset)}
                  </button>
                </div>
                <div role="cell" className="mono-cell" data-column="timestamp">
                  {formatTimestamp(record.timestamp)}
                </div>
                <div
                  role="cell"
                  className={record.key.format === 'null' ? 'mono-cell muted' : 'mono-cell'}
                  data-column="key"
                  title={cellTitle(record.key.text)}
                >
                  <Highlighted text={previewLine(record.key, 120)} match={record.key.format === 'null' ? null : marks.key} />
                </div>
                <div role="cell" className={record.value.format === 'null' || record.control ? 'mono-cell muted' : 'mono-cell'} data-column="value">
                  {marked ? (
                    <span className="txn-badge" data-transaction={record.control ? `${record.control.type}-marker` : record.transaction?.state}>
                      <Badge tone={marked.tone} title={marked.detail}>
                        {marked.label}
                      </Badge>{' '}
                    </span>
                  ) : null}
                  {record.control ? '' : <Highlighted text={previewLine(record.value)} match={record.value.format === 'null' ? null : marks.value} />}
                </div>
                <div
                  role="cell"
                  className={record.headers.length ? 'mono-cell' : 'mono-cell muted'}
                  data-column="headers"
                  title={record.headers.length ? headersLine(record.headers) : undefined}
                >
                  {record.headers.length ? <Highlighted text={headersLine(record.headers)} match={marks.header} /> : '—'}
                </div>
                <div role="cell" className="numeric" data-column="size">
                  {formatBytes(record.size)}
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

/** A short key's whole text as a tooltip, for when the column cuts it. */
const cellTitle = (text: string) => (text.length > 0 && text.length <= 500 ? text : undefined);
