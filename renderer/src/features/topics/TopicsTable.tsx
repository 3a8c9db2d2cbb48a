// The topics table, virtualized: only the rows in view are in the DOM, so 10,000 topics scroll as
// smoothly as 10. Presentational: it renders what it is given and reports clicks.
import { memo, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { TopicStats, TopicSummary } from '../../../../shared/model/schemas';
import { Badge } from '../../components/Badge';
import { formatBytes, formatCount } from '../../components/format';
import type { TopicSort, TopicSortKey } from './topics-slice';

export const TOPIC_ROW_HEIGHT = 36;

const columns: { key: TopicSortKey; label: string; numeric?: boolean }[] = [
  { key: 'name', label: 'Topic' },
  { key: 'partitions', label: 'Partitions', numeric: true },
  { key: 'replicationFactor', label: 'Replication', numeric: true },
  { key: 'records', label: 'Records', numeric: true },
  { key: 'sizeBytes', label: 'Size', numeric: true },
];

export function TopicsTable({
  topics,
  stats,
  statsPending,
  sort,
  onSort,
  onOpen,
  selected,
  onToggle,
}: {
  topics: readonly TopicSummary[];
  stats: ReadonlyMap<string, TopicStats> | null;
  /** Stats are on their way: show a placeholder rather than "unknown". */
  statsPending: boolean;
  sort: TopicSort;
  onSort: (key: TopicSortKey) => void;
  onOpen: (topic: string) => void;
  /** Topics ticked for a bulk action, and how a tick changes them (all shown rows when topic is null). */
  selected: ReadonlySet<string>;
  onToggle: (topic: string | null, on: boolean) => void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: topics.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => TOPIC_ROW_HEIGHT,
    overscan: 6,
  });
  const items = virtualizer.getVirtualItems();
  // Rows are keyed by slot, not by topic: scrolling then updates the same few DOM rows in place
  // instead of unmounting the rows that leave and mounting new ones. The pool only has to be larger
  // than the rows in view, and stays the same size so keys are stable from frame to frame.
  const pool = Math.max(64, 2 ** Math.ceil(Math.log2(items.length + 1)));

  return (
    <div className="vtable" role="table" aria-label="Topics" aria-rowcount={topics.length + 1}>
      <div className="vtable-head" role="rowgroup">
        <div className="vtable-row topics-grid" role="row">
          <div role="columnheader" className="select-cell">
            <input
              type="checkbox"
              aria-label="Select every topic shown"
              checked={topics.length > 0 && topics.every((topic) => selected.has(topic.name))}
              onChange={(event) => onToggle(null, event.target.checked)}
            />
          </div>
          {columns.map((column) => (
            <div
              key={column.key}
              role="columnheader"
              className={column.numeric ? 'numeric' : undefined}
              aria-sort={sort.key === column.key ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'}
            >
              <button type="button" className="sort-button" onClick={() => onSort(column.key)}>
                {column.label}
                <span className="sort-indicator" aria-hidden="true">
                  {sort.key === column.key ? (sort.direction === 'asc' ? '▲' : '▼') : ''}
                </span>
              </button>
            </div>
          ))}
          <div role="columnheader">Health</div>
        </div>
      </div>
      <div className="vtable-body" ref={scrollRef} role="rowgroup" data-testid="topics-scroll">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const topic = topics[item.index];
            if (!topic) return null;
            return (
              <TopicRow
                key={item.index % pool}
                topic={topic}
                stats={stats?.get(topic.name)}
                statsPending={statsPending}
                rowIndex={item.index}
                top={item.start}
                onOpen={onOpen}
                checked={selected.has(topic.name)}
                onToggle={onToggle}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}

/** One row; memoized so a scroll re-renders only the rows whose topic changed, not every row in view. */
const TopicRow = memo(function TopicRow({
  topic,
  stats,
  statsPending,
  rowIndex,
  top,
  onOpen,
  checked,
  onToggle,
}: {
  topic: TopicSummary;
  checked: boolean;
  onToggle: (topic: string | null, on: boolean) => void;
  stats: TopicStats | undefined;
  statsPending: boolean;
  rowIndex: number;
  top: number;
  onOpen: (topic: string) => void;
}) {
  return (
    <div
      role="row"
      aria-rowindex={rowIndex + 2}
      className="vtable-row topics-grid clickable"
      style={{ transform: `translateY(${top}px)`, height: TOPIC_ROW_HEIGHT }}
      // The name's button gives keyboard users a focus target; its click bubbles up to here.
      onClick={() => onOpen(topic.name)}
    >
      <div role="cell" className="select-cell" onClick={(event) => event.stopPropagation()}>
        <input type="checkbox" aria-label={`Select ${topic.name}`} checked={checked} onChange={(event) => onToggle(topic.name, event.target.checked)} />
      </div>
      {/* A name cut by a narrow column shows whole as a tooltip; the topic's page shows it whole too. */}
      <div role="cell" className="topic-name" title={topic.name}>
        <button type="button" className="link-button">
          {topic.name}
        </button>
      </div>
      <div role="cell" className="numeric">
        {formatCount(topic.partitions)}
      </div>
      <div role="cell" className="numeric">
        {topic.replicationFactor}
      </div>
      <div role="cell" className="numeric">
        {statsPending ? (
          <span className="muted">…</span>
        ) : (
          <Partial value={formatCount(stats?.records)} unknown={stats?.recordsUnknownPartitions ?? 0} what="records" />
        )}
      </div>
      <div role="cell" className="numeric">
        {statsPending ? (
          <span className="muted">…</span>
        ) : (
          <Partial value={formatBytes(stats?.sizeBytes)} unknown={stats?.sizeUnknownPartitions ?? 0} what="size" />
        )}
      </div>
      <div role="cell" className="badges" data-column="health">
        {topic.internal ? (
          <Badge tone="neutral" title="The cluster or its platform keeps this topic for itself: change it only if you know why.">
            internal
          </Badge>
        ) : null}
        {topic.error ? (
          <Badge tone="warn" title={`Metadata could not describe this topic: ${topic.error}`}>
            {topic.error}
          </Badge>
        ) : null}
        {topic.offlinePartitions ? (
          <Badge
            tone="bad"
            title={`${topic.offlinePartitions} of ${topic.partitions} partitions have no leader: nothing can be written to or read from them. Open the topic for why.`}
          >
            {topic.offlinePartitions} offline
          </Badge>
        ) : null}
        {topic.underReplicatedPartitions ? (
          <Badge tone="warn" title={`${topic.underReplicatedPartitions} partitions have replicas out of sync. Open the topic for why.`}>
            {topic.underReplicatedPartitions} under-replicated
          </Badge>
        ) : null}
        {!topic.error && !topic.offlinePartitions && !topic.underReplicatedPartitions ? <Badge tone="good">healthy</Badge> : null}
      </div>
    </div>
  );
});

/** A sum that leaves out partitions that could not be read: shown as a lower bound, saying why. */
function Partial({ value, unknown, what }: { value: string; unknown: number; what: string }) {
  if (!unknown || value === '—') return <>{value}</>;
  return (
    <span
      title={`The ${what} of ${unknown} partition${unknown === 1 ? '' : 's'} could not be read (offline, or its broker did not answer): at least this much.`}
    >
      ≥ {value}
    </span>
  );
}
