// The consumer groups table, virtualized like the topics table: only rows in view are in the DOM, so
// 10,000 groups scroll smoothly. It reports which groups are in view, so only those are sampled and
// get sparklines. Presentational: it renders what it is given and reports clicks.
import { useEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { GroupSummary } from '../../../../shared/model/groups';
import { Badge } from '../../components/Badge';
import { formatCount, formatQuantity } from '../../components/format';
import type { GroupSort, GroupSortKey } from './groups-slice';
import { groupTypeLabel, STATE_LABELS } from './format';
import { Sparkline } from './Sparkline';

export const GROUP_ROW_HEIGHT = 38;

const columns: { key: GroupSortKey | null; label: string; numeric?: boolean }[] = [
  { key: 'id', label: 'Group' },
  { key: 'state', label: 'State' },
  { key: 'protocol', label: 'Protocol' },
  { key: 'members', label: 'Members', numeric: true },
  { key: 'topics', label: 'Topics' },
  { key: 'totalLag', label: 'Total lag', numeric: true },
  { key: null, label: 'Lag, 15 min' },
  { key: 'coordinator', label: 'Coordinator', numeric: true },
];

/** "range" as before types existed; with a type (Kafka 3.8+) "classic · range", "consumer · uniform". */
function protocolText(group: GroupSummary): string {
  const protocol = group.protocol || group.protocolType || 'offsets only';
  return group.groupType ? `${group.groupType} · ${protocol}` : protocol;
}

function protocolTitle(group: GroupSummary): string {
  const type = groupTypeLabel(group.groupType);
  const protocol = group.protocolType ? `${group.protocolType} / ${group.protocol || '—'}` : 'offsets only';
  if (!type) return protocol;
  return group.groupType === 'consumer' ? `${type} group, server-side assignor ${group.protocol || '—'}` : `${type} group: ${protocol}`;
}

export function GroupsTable({
  groups,
  sparklines,
  sort,
  onSort,
  onOpen,
  onVisibleChange,
}: {
  groups: readonly GroupSummary[];
  sparklines: Readonly<Record<string, (number | null)[]>>;
  sort: GroupSort;
  onSort: (key: GroupSortKey) => void;
  onOpen: (group: string) => void;
  /** The ids of the rows in view, whenever they change. */
  onVisibleChange: (groups: string[]) => void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: groups.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => GROUP_ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const visibleKey = items.map((item) => groups[item.index]?.id ?? '').join('\u0000');
  const report = useRef(onVisibleChange);
  report.current = onVisibleChange;
  useEffect(() => {
    report.current(visibleKey ? visibleKey.split('\u0000') : []);
  }, [visibleKey]);

  return (
    <div className="vtable" role="table" aria-label="Consumer groups" aria-rowcount={groups.length + 1}>
      <div className="vtable-head" role="rowgroup">
        <div className="vtable-row groups-grid" role="row">
          {columns.map((column) => (
            <div
              key={column.label}
              role="columnheader"
              className={column.numeric ? 'numeric' : undefined}
              aria-sort={column.key && sort.key === column.key ? (sort.direction === 'asc' ? 'ascending' : 'descending') : column.key ? 'none' : undefined}
            >
              {column.key ? (
                <button type="button" className="sort-button" onClick={() => onSort(column.key as GroupSortKey)}>
                  {column.label}
                  <span className="sort-indicator" aria-hidden="true">
                    {sort.key === column.key ? (sort.direction === 'asc' ? '▲' : '▼') : ''}
                  </span>
                </button>
              ) : (
                column.label
              )}
            </div>
          ))}
        </div>
      </div>
      <div className="vtable-body" ref={scrollRef} role="rowgroup" data-testid="groups-scroll">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const group = groups[item.index];
            if (!group) return null;
            const state = STATE_LABELS[group.state] ?? { label: group.state.toLowerCase(), tone: 'neutral' as const };
            return (
              <div
                key={group.id}
                role="row"
                aria-rowindex={item.index + 2}
                className="vtable-row groups-grid clickable"
                style={{ transform: `translateY(${item.start}px)`, height: GROUP_ROW_HEIGHT }}
                onClick={() => onOpen(group.id)}
                data-group={group.id}
              >
                <div role="cell" className="topic-name group-name-cell">
                  <button type="button" className="link-button" onClick={() => onOpen(group.id)} title={group.id}>
                    {group.id}
                  </button>
                  {/* Classic groups are the default and go unmarked; the Protocol column says both when it fits. */}
                  {group.groupType === 'consumer' ? (
                    <Badge tone="accent" title="A group of the KIP-848 consumer protocol (ConsumerGroupHeartbeat, server-side assignor)">
                      KIP-848
                    </Badge>
                  ) : null}
                </div>
                <div role="cell">
                  <Badge tone={state.tone}>{state.label}</Badge>
                </div>
                <div role="cell" className="muted group-protocol-cell" data-column="protocol" title={protocolTitle(group)}>
                  {protocolText(group)}
                </div>
                <div role="cell" className="numeric">
                  {formatCount(group.members)}
                </div>
                <div role="cell" title={group.topics.join(', ')}>
                  {group.topics.length ? group.topics.join(', ') : <span className="muted">none</span>}
                </div>
                <div role="cell" className="numeric" data-column="total-lag">
                  {group.totalLag === null ? (
                    <span
                      className="muted"
                      title={
                        group.partitionsWithoutCommit
                          ? `${formatQuantity(group.partitionsWithoutCommit, 'assigned partition has', 'assigned partitions have')} no committed offset yet`
                          : 'No partition of this group has a committed offset'
                      }
                    >
                      no commits
                    </span>
                  ) : (
                    formatCount(group.totalLag)
                  )}
                  {/* Lag of the committed partitions, and how many assigned ones have no commit to measure from. */}
                  {group.totalLag !== null && group.partitionsWithoutCommit ? (
                    <span
                      className="muted small"
                      title={`${formatQuantity(group.partitionsWithoutCommit, 'assigned partition has', 'assigned partitions have')} no committed offset: not in the lag`}
                    >
                      {' '}
                      · {formatCount(group.partitionsWithoutCommit)} uncommitted
                    </span>
                  ) : null}
                </div>
                <div role="cell" className="sparkline-cell">
                  <Sparkline values={sparklines[group.id] ?? []} label={`Lag of ${group.id}`} />
                </div>
                <div role="cell" className="numeric">
                  {group.coordinator === null ? <span className="muted">—</span> : `broker ${group.coordinator}`}
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
