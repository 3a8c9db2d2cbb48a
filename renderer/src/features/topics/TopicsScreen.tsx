import { useDeferredValue, useEffect, useMemo, useState } from 'react';
import { useLiveView } from '../../app/use-live-view';
import { Badge } from '../../components/Badge';
import '../../components/stale.css';
import { ScreenHeader } from '../../components/ScreenHeader';
import { Empty, StateView } from '../../components/StateView';
import { formatCount } from '../../components/format';
import { useAppStore, useResource } from '../../store/hooks';
import { selectResource } from '../../store/resources';
import { selectActiveAvailable, selectWriteBlock } from '../connections/connections-slice';
import { topicStatsQuery, topicsQuery, visibleTopics } from './topics-slice';
import type { TopicStats, TopicSummary } from '../../../../shared/model/schemas';
import { CreateTopicDialog } from './CreateTopicDialog';
import { TopicsTable } from './TopicsTable';
import { BulkTopicsDialog } from './BulkTopicsDialog';

export function TopicsScreen() {
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const available = useAppStore(selectActiveAvailable);
  const showInternal = useAppStore((state) => state.showInternalTopics);
  const setShowInternal = useAppStore((state) => state.setShowInternalTopics);
  const [topics, reload] = useResource(topicsQuery(connectionId, showInternal), available);
  const stats = useAppStore((state) => selectResource<ReadonlyMap<string, TopicStats>>(state, topicStatsQuery(connectionId, showInternal).key));
  const fetchResource = useAppStore((state) => state.fetchResource);
  const search = useAppStore((state) => state.topicSearch);
  const sort = useAppStore((state) => state.topicSort);
  const setSearch = useAppStore((state) => state.setTopicSearch);
  const sortBy = useAppStore((state) => state.sortTopicsBy);
  const openTopic = useAppStore((state) => state.openTopic);
  const writeBlock = useAppStore(selectWriteBlock);
  const [creating, setCreating] = useState(false);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [bulk, setBulk] = useState<'delete' | 'purge' | null>(null);

  // Records and sizes cost the cluster far more than the list (offsets and log dirs of every
  // partition), so they are asked for only once the list is on screen.
  useEffect(() => {
    if (topics.status === 'ready') void fetchResource(topicStatsQuery(connectionId, showInternal));
  }, [topics.status, topics.data, fetchResource, connectionId, showInternal]);

  const health = useMemo(() => topicsHealth(topics.data ?? []), [topics.data]);
  useLiveView(reload, {
    failing: topics.status === 'error',
    unhealthy: health.offline + health.underReplicated + health.errors > 0,
    busy: topics.status === 'loading',
    signature: `${health.offline}/${health.underReplicated}/${health.errors}`,
  });

  const deferredSearch = useDeferredValue(search);
  const rows = useMemo(
    () => visibleTopics(topics.data ?? [], deferredSearch, sort, stats.data, showInternal),
    [topics.data, deferredSearch, sort, stats.data, showInternal],
  );
  // What the search is out of: every listed topic, internal ones only while shown.
  const listed = useMemo(() => (topics.data ?? []).filter((topic) => showInternal || !topic.internal), [topics.data, showInternal]);

  return (
    <section className="screen screen-fill">
      <ScreenHeader title="Topics" onRefresh={reload} refreshing={topics.status === 'loading'}>
        <input
          type="search"
          className="search"
          aria-label="Search topics"
          placeholder="Search topics"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
        <label className="checkbox toolbar-check" title="__consumer_offsets, __transaction_state, _schemas and other topics the cluster keeps for itself">
          <input type="checkbox" checked={showInternal} onChange={(event) => setShowInternal(event.target.checked)} />
          Internal topics
        </label>
        <button
          type="button"
          className="button button-primary"
          onClick={() => setCreating(true)}
          disabled={Boolean(writeBlock)}
          title={writeBlock ?? undefined}
        >
          Create topic
        </button>
      </ScreenHeader>
      {writeBlock ? <p className="write-blocked">{writeBlock}</p> : null}
      <StateView
        resource={topics}
        onRetry={reload}
        loadingLabel="Loading topics…"
        isEmpty={(data) => !data.some((topic) => showInternal || !topic.internal)}
        empty={
          <Empty title="This cluster has no topics yet.">
            <button
              type="button"
              className="button button-primary"
              onClick={() => setCreating(true)}
              disabled={Boolean(writeBlock)}
              title={writeBlock ?? undefined}
            >
              Create the first topic
            </button>
          </Empty>
        }
      >
        {(data, stale) => (
          <div className={stale ? 'stale-fill' : 'fill'}>
            {stale ? <p className="stale-note">As last read: the cluster does not answer now, so this may no longer be true.</p> : null}
            <p className="health-line" aria-live="polite" aria-label="Topics health">
              <span>
                {rows.length === listed.length
                  ? `${formatCount(rows.length)} ${rows.length === 1 ? 'topic' : 'topics'}`
                  : `${formatCount(rows.length)} of ${formatCount(listed.length)} topics match`}
              </span>
              {health.offline ? (
                <Badge tone="bad">
                  {formatCount(health.offline)} offline partition{health.offline === 1 ? '' : 's'} in {formatCount(health.offlineTopics)} topic
                  {health.offlineTopics === 1 ? '' : 's'}
                </Badge>
              ) : null}
              {health.underReplicated ? (
                <Badge tone="warn">
                  {formatCount(health.underReplicated)} under-replicated in {formatCount(health.underReplicatedTopics)} topic
                  {health.underReplicatedTopics === 1 ? '' : 's'}
                </Badge>
              ) : null}
              {health.errors ? <Badge tone="warn">{formatCount(health.errors)} not described</Badge> : null}
              {/* Records and sizes are extras: when they cannot be read the list still stands, so no second banner. */}
              {stats.status === 'error' ? <span className="muted small">Records and sizes could not be read: {stats.error.message}</span> : null}
            </p>
            {selected.size ? (
              <div className="bulk-bar" role="toolbar" aria-label="Selected topics">
                <span>{formatCount(selected.size)} selected</span>
                <button type="button" className="button button-small" disabled={Boolean(writeBlock)} onClick={() => setBulk('purge')}>
                  Purge {formatCount(selected.size)}
                </button>
                <button type="button" className="button button-small button-danger" disabled={Boolean(writeBlock)} onClick={() => setBulk('delete')}>
                  Delete {formatCount(selected.size)}
                </button>
                <button type="button" className="button button-small" onClick={() => setSelected(new Set())}>
                  Clear selection
                </button>
              </div>
            ) : null}
            {rows.length ? (
              <TopicsTable
                selected={selected}
                onToggle={(name, on) =>
                  setSelected((current) => {
                    const next = new Set(current);
                    for (const topic of name === null ? rows.map((row) => row.name) : [name]) {
                      if (on) next.add(topic);
                      else next.delete(topic);
                    }
                    return next;
                  })
                }
                topics={rows}
                stats={stats.data}
                statsPending={stats.status === 'loading' && !stats.data}
                sort={sort}
                onSort={sortBy}
                onOpen={openTopic}
              />
            ) : (
              <Empty title={`No topic matches "${search}".`} />
            )}
          </div>
        )}
      </StateView>
      {bulk ? (
        <BulkTopicsDialog
          action={bulk}
          topics={[...selected].sort()}
          onClose={(done) => {
            setBulk(null);
            if (bulk === 'delete' && done.length) setSelected((current) => new Set([...current].filter((topic) => !done.includes(topic))));
          }}
        />
      ) : null}
      {creating ? (
        <CreateTopicDialog
          onClose={() => setCreating(false)}
          onCreated={(topic) => {
            setCreating(false);
            openTopic(topic);
          }}
        />
      ) : null}
    </section>
  );
}

/** Offline and under-replicated partitions over all topics, and how many topics they are in. */
export function topicsHealth(topics: readonly TopicSummary[]) {
  const health = { offline: 0, offlineTopics: 0, underReplicated: 0, underReplicatedTopics: 0, errors: 0 };
  for (const topic of topics) {
    health.offline += topic.offlinePartitions;
    if (topic.offlinePartitions) health.offlineTopics += 1;
    health.underReplicated += topic.underReplicatedPartitions;
    if (topic.underReplicatedPartitions) health.underReplicatedTopics += 1;
    if (topic.error) health.errors += 1;
  }
  return health;
}
