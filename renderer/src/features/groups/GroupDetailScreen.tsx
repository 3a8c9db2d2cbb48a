import { useEffect, useMemo, useState } from 'react';
import type { GroupDetail, GroupPartitionLag, LagSeries } from '../../../../shared/model/groups';
import { Badge } from '../../components/Badge';
import { ConfirmDialog } from '../../components/Dialog';
import { ScreenHeader } from '../../components/ScreenHeader';
import { StatCard } from '../../components/StatCard';
import { Empty, StateView } from '../../components/StateView';
import { formatCount } from '../../components/format';
import { useAppStore, useResource } from '../../store/hooks';
import { selectWriteBlock } from '../connections/connections-slice';
import { VIEW_RENEW_MS, groupQuery, lagSeriesQuery } from './groups-slice';
import { formatCatchUp, formatRate, groupTypeLabel, STATE_LABELS } from './format';
import { ConsumerGroupMembers } from './ConsumerGroupMembers';
import { LagChart, RangePicker, RatesChart, StackPicker } from './LagCharts';
import { ResetOffsetsDialog } from './ResetOffsetsDialog';
import { ResourceAccess } from '../acls/ResourceAccess';
import './groups.css';

type Confirm = { kind: 'reset' } | { kind: 'delete' } | { kind: 'delete-offsets'; topic: string } | null;

export function GroupDetailScreen() {
  const group = useAppStore((state) => state.selectedGroup);
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const rangeMs = useAppStore((state) => state.lagRangeMs);
  const stack = useAppStore((state) => state.lagStack);
  const [detail, reloadDetail] = useResource(group ? groupQuery(connectionId, group) : null);
  // Another range or stacking keeps the chart shown until its own data arrives.
  const [series, reloadSeries] = useResource(group ? lagSeriesQuery(connectionId, group, rangeMs, stack) : null, null, {
    keepPreviousOf: ['lag', connectionId, group, 'series'],
  });
  const setLagRange = useAppStore((state) => state.setLagRange);
  const setLagStack = useAppStore((state) => state.setLagStack);
  const viewGroups = useAppStore((state) => state.viewGroups);
  const watchGroup = useAppStore((state) => state.watchGroup);
  const navigate = useAppStore((state) => state.navigate);
  const [confirm, setConfirm] = useState<Confirm>(null);
  // A group belongs to its cluster: switching to another connection goes back to the groups list
  // (the registry's onConnectionChange).
  const writeBlock = useAppStore(selectWriteBlock);

  useEffect(() => {
    if (!group) return;
    // While this page is open the group is sampled at the sampler's interval.
    void viewGroups('group', [group]);
    const timer = setInterval(() => void viewGroups('group', [group]), VIEW_RENEW_MS);
    return () => {
      clearInterval(timer);
      void viewGroups('group', []);
    };
  }, [group, viewGroups]);

  if (!group) {
    return (
      <section className="screen">
        <Empty title="No consumer group selected.">
          <button type="button" className="button" onClick={() => navigate('groups')}>
            Back to consumer groups
          </button>
        </Empty>
      </section>
    );
  }
  const data = detail.data;
  const lag = series.data?.group === group ? series.data : null;
  const watched = lag?.watched ?? false;
  return (
    <section className="screen">
      <ScreenHeader
        title={
          <>
            <button type="button" className="breadcrumb" onClick={() => navigate('groups')}>
              Consumer groups
            </button>
            <span className="breadcrumb-separator">/</span>
            <span className="topic-title">{group}</span>
          </>
        }
        onRefresh={() => {
          reloadDetail();
          reloadSeries();
        }}
        refreshing={detail.status === 'loading' && !data}
      >
        <button
          type="button"
          className="button"
          aria-pressed={watched}
          title="A watched group is sampled all the time, also when it is not on screen and after a restart"
          onClick={() => void watchGroup(group, !watched)}
        >
          {watched ? '★ Watched' : '☆ Watch'}
        </button>
        <button
          type="button"
          className="button"
          disabled={!data || Boolean(writeBlock)}
          title={writeBlock ?? undefined}
          onClick={() => setConfirm({ kind: 'reset' })}
        >
          Reset offsets
        </button>
        <button
          type="button"
          className="button button-danger"
          disabled={!data || Boolean(writeBlock)}
          title={writeBlock ?? undefined}
          onClick={() => setConfirm({ kind: 'delete' })}
        >
          Delete group
        </button>
      </ScreenHeader>
      <StateView resource={detail} onRetry={reloadDetail} loadingLabel="Loading the group…">
        {(data) => (
          <>
            <GroupSummaryLine detail={data} />
            <GroupStats detail={data} series={lag} />
          </>
        )}
      </StateView>

      <div className="card lag-card">
        <div className="card-head">
          <h2 className="card-title">Lag</h2>
          <div className="chart-controls">
            <StackPicker value={stack} onChange={setLagStack} />
            <RangePicker value={rangeMs} onChange={setLagRange} />
          </div>
        </div>
        <StateView resource={series} onRetry={reloadSeries} loadingLabel="Loading the lag history…">
          {(lag) =>
            lag.points.some((point) => point.total !== null) ? (
              <div data-testid="lag-charts" data-points={lag.points.length} data-last-total={lag.points[lag.points.length - 1]?.total ?? ''}>
                <LagChart series={lag} />
                <RatesChart series={lag} />
              </div>
            ) : (
              <p className="muted chart-empty">
                {lag.points.length
                  ? 'No partition of this group had a committed offset in this range, so there is no lag to chart. '
                  : 'No samples in this range yet. '}
                The lag is sampled every {Math.round(lag.intervalMs / 1000)} s while this page is open; the chart fills in as samples arrive.
              </p>
            )
          }
        </StateView>
      </div>

      {data ? (
        <>
          <h2 className="section-title">Members</h2>
          {data.groupType === 'consumer' ? <ConsumerGroupMembers detail={data} /> : <MembersTable detail={data} />}
          <h2 className="section-title">Partitions</h2>
          <PartitionsByTopic detail={data} onDeleteOffsets={(topic) => setConfirm({ kind: 'delete-offsets', topic })} />
        </>
      ) : null}
      <h2 className="section-title">Who can access it</h2>
      <ResourceAccess resourceType="GROUP" name={group} />

      {confirm?.kind === 'reset' && data ? <ResetOffsetsDialog detail={data} onClose={() => setConfirm(null)} /> : null}
      {confirm?.kind === 'delete' && data ? <DeleteGroupDialog detail={data} onClose={() => setConfirm(null)} /> : null}
      {confirm?.kind === 'delete-offsets' && data ? <DeleteOffsetsDialog detail={data} topic={confirm.topic} onClose={() => setConfirm(null)} /> : null}
    </section>
  );
}

function GroupSummaryLine({ detail }: { detail: GroupDetail }) {
  const state = STATE_LABELS[detail.state] ?? { label: detail.state.toLowerCase(), tone: 'neutral' as const };
  const type = groupTypeLabel(detail.groupType);
  return (
    <p className="subtitle group-summary">
      <Badge tone={state.tone}>{state.label}</Badge>
      {type ? (
        <Badge
          tone={detail.groupType === 'consumer' ? 'accent' : 'neutral'}
          title="The group's type, as ListGroups v5 / ConsumerGroupDescribe say it (KIP-848)"
        >
          {type}
        </Badge>
      ) : null}
      {detail.groupType === 'consumer' ? (
        <>
          <span title="The server-side assignor that computes the target assignment">assignor {detail.protocol || '—'}</span>
          {detail.epochs ? (
            <span
              data-testid="group-epochs"
              title="The group epoch grows with every change of members or subscriptions; the assignment epoch is that of the target assignment, behind it while the assignor runs"
            >
              · group epoch {detail.epochs.group} · assignment epoch {detail.epochs.assignment}
            </span>
          ) : null}
        </>
      ) : (
        <span>{detail.protocolType ? `${detail.protocolType}${detail.protocol ? ` · ${detail.protocol}` : ''}` : 'offsets only (no consumer protocol)'}</span>
      )}
      <span>
        · coordinator{' '}
        {detail.coordinator ? (
          <>
            broker {detail.coordinator.id} <code>{`${detail.coordinator.host}:${detail.coordinator.port}`}</code>
          </>
        ) : (
          'unknown'
        )}
      </span>
    </p>
  );
}

function GroupStats({ detail, series }: { detail: GroupDetail; series: LagSeries | null }) {
  const withoutCommit = detail.partitions.filter((partition) => partition.committed === null).length;
  // Committed partitions whose end offset could not be read (offline, leader unreachable): the total
  // leaves them out, so it is a lower bound.
  const unread = detail.partitions.filter((partition) => partition.committed !== null && partition.end === null).length;
  const summary = series?.summary;
  return (
    <div className="stats">
      <StatCard
        label={unread ? `Total lag (${unread} partition${unread === 1 ? '' : 's'} unknown)` : 'Total lag'}
        value={detail.totalLag === null ? '—' : `${unread ? '≥ ' : ''}${formatCount(detail.totalLag)}`}
        tone={detail.totalLag === null ? 'neutral' : detail.totalLag ? 'warn' : 'good'}
      />
      <StatCard label="Members" value={formatCount(detail.members.length)} />
      <StatCard label="Consumed, last minute" value={formatRate(summary?.consumeRate)} />
      <StatCard label="Produced, last minute" value={formatRate(summary?.produceRate)} />
      <StatCard label="Time to catch up" value={formatCatchUp(summary)} tone={formatCatchUp(summary) === 'growing' ? 'bad' : 'neutral'} />
      <StatCard label="Partitions without a commit" value={formatCount(withoutCommit)} tone={withoutCommit ? 'warn' : 'neutral'} />
    </div>
  );
}

function MembersTable({ detail }: { detail: GroupDetail }) {
  if (!detail.members.length) {
    return <p className="muted">No active members: nothing consumes with this group now. Its committed offsets stay until the group expires or is deleted.</p>;
  }
  return (
    <table className="table compact" aria-label="Members">
      <thead>
        <tr>
          <th>Client id</th>
          <th>Host</th>
          <th>Assigned partitions</th>
          <th className="numeric">Lag</th>
          <th>Member id</th>
        </tr>
      </thead>
      <tbody>
        {detail.members.map((member) => (
          <tr key={member.memberId} data-member={member.clientId}>
            <td>{member.clientId}</td>
            <td>
              <code>{member.host}</code>
            </td>
            <td>
              {member.assignments.length ? (
                member.assignments.map((assignment) => (
                  <div key={assignment.topic}>
                    {assignment.topic}: <span className="mono">{assignment.partitions.join(', ') || '—'}</span>
                  </div>
                ))
              ) : (
                <span className="muted">none</span>
              )}
            </td>
            <td className="numeric">{member.lag === null ? <span className="muted">no committed offset</span> : formatCount(member.lag)}</td>
            <td className="muted small member-id" title={member.memberId}>
              {member.memberId}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function PartitionsByTopic({ detail, onDeleteOffsets }: { detail: GroupDetail; onDeleteOffsets: (topic: string) => void }) {
  const writeBlock = useAppStore(selectWriteBlock);
  const topics = useMemo(() => {
    const byTopic = new Map<string, GroupPartitionLag[]>();
    for (const partition of detail.partitions) {
      const list = byTopic.get(partition.topic) ?? [];
      list.push(partition);
      byTopic.set(partition.topic, list);
    }
    return [...byTopic];
  }, [detail.partitions]);
  if (!topics.length) return <p className="muted">This group has no committed offsets and no assigned partitions.</p>;
  return (
    <>
      {topics.map(([topic, partitions]) => {
        const lag = partitions.reduce<number | null>((sum, partition) => (partition.lag === null ? sum : (sum ?? 0) + partition.lag), null);
        const committed = partitions.some((partition) => partition.committed !== null);
        return (
          <div key={topic} className="topic-block">
            <div className="topic-block-head">
              <strong>{topic}</strong>
              <span className="muted">
                {partitions.length} partition{partitions.length === 1 ? '' : 's'} · {lag === null ? 'no committed offsets' : `lag ${formatCount(lag)}`}
              </span>
              <span className="spacer" />
              <button
                type="button"
                className="button button-small"
                disabled={!committed || Boolean(writeBlock)}
                title={writeBlock ?? undefined}
                onClick={() => onDeleteOffsets(topic)}
              >
                Delete committed offsets
              </button>
            </div>
            <table className="table compact" aria-label={`Offsets of ${topic}`}>
              <thead>
                <tr>
                  <th>Partition</th>
                  <th>Consumer</th>
                  <th className="numeric">Committed offset</th>
                  <th className="numeric">Log start</th>
                  <th className="numeric">Log end</th>
                  <th className="numeric">Lag</th>
                </tr>
              </thead>
              <tbody>
                {partitions.map((partition) => (
                  <tr key={partition.partition} data-partition={partition.partition}>
                    <td>{partition.partition}</td>
                    <td data-column="consumer">
                      {partition.clientId ?? <span className="muted">unassigned</span>}
                      {partition.targetClientId !== null ? (
                        <span
                          className="partition-moving"
                          title={`Being moved by the group's target assignment to ${partition.targetClientId} (${partition.targetMemberId ?? ''}); it takes the partition once ${partition.clientId ?? 'its previous owner'} has given it up`}
                        >
                          {' → '}
                          {partition.targetClientId}
                        </span>
                      ) : null}
                    </td>
                    <td className="numeric" data-column="committed">
                      {partition.committed === null ? <span className="muted">no committed offset</span> : formatCount(partition.committed)}
                    </td>
                    <td className="numeric">{formatCount(partition.start)}</td>
                    <td
                      className="numeric"
                      data-column="end"
                      title={partition.end === null ? 'The end offset could not be read: the partition is offline or its leader did not answer.' : undefined}
                    >
                      {formatCount(partition.end)}
                    </td>
                    <td className="numeric" data-column="lag">
                      {partition.lag === null ? <span className="muted">—</span> : formatCount(partition.lag)}
                      {partition.committed !== null && partition.start !== null && partition.committed < partition.start ? (
                        <span className="muted small" title="Records below the log start were deleted; they are not counted as lag">
                          {' '}
                          (deleted records skipped)
                        </span>
                      ) : null}
                      {partition.stableEnd !== null ? (
                        <div
                          className="muted small"
                          data-testid="stable-lag"
                          title={`An open transaction holds this partition's last stable offset at ${formatCount(partition.stableEnd)}: a read_committed consumer reads up to it, so its lag is measured to it. Kafka does not say which isolation level the group's consumers use.`}
                        >
                          read_committed: {partition.stableLag === null ? '—' : formatCount(partition.stableLag)} to the LSO {formatCount(partition.stableEnd)}
                        </div>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
      })}
    </>
  );
}

function DeleteGroupDialog({ detail, onClose }: { detail: GroupDetail; onClose: () => void }) {
  const deleteGroup = useAppStore((state) => state.deleteGroup);
  const active = detail.members.length;
  return (
    <ConfirmDialog title="Delete consumer group" confirmLabel="Delete group" action={() => deleteGroup(detail.id)} onClose={onClose}>
      <p>
        Delete <strong>{detail.id}</strong> and all its committed offsets? Consumers that join it later start from their <code>auto.offset.reset</code>{' '}
        position.
      </p>
      {active ? (
        <div className="warning" role="alert">
          The group has {active} active member{active === 1 ? '' : 's'}. Stop {active === 1 ? 'its consumer' : 'its consumers'} first: Kafka only deletes a
          group nobody consumes with.
        </div>
      ) : null}
    </ConfirmDialog>
  );
}

function DeleteOffsetsDialog({ detail, topic, onClose }: { detail: GroupDetail; topic: string; onClose: () => void }) {
  const deleteGroupOffsets = useAppStore((state) => state.deleteGroupOffsets);
  return (
    <ConfirmDialog
      title="Delete committed offsets"
      confirmLabel="Delete offsets"
      action={() => deleteGroupOffsets(detail.id, topic)}
      onDone={onClose}
      onClose={onClose}
    >
      <p>
        Delete the offsets <strong>{detail.id}</strong> committed for <strong>{topic}</strong>? Its partitions then have no committed offset, and a consumer of
        the group starts them from its <code>auto.offset.reset</code> position.
      </p>
    </ConfirmDialog>
  );
}
