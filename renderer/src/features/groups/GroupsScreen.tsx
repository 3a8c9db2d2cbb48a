import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { ScreenHeader } from '../../components/ScreenHeader';
import { Empty, StateView } from '../../components/StateView';
import { formatCount } from '../../components/format';
import { useShallow } from 'zustand/react/shallow';
import { useLiveView } from '../../app/use-live-view';
import { useAppStore, useResource } from '../../store/hooks';
import { selectActiveAvailable, selectActiveHealth } from '../connections/connections-slice';
import { VIEW_RENEW_MS, groupsQuery, sparklinesQuery, visibleGroups, type Sparklines } from './groups-slice';

const NO_SPARKLINES: Sparklines = {};
import { GroupsTable } from './GroupsTable';
import { SamplerControls } from './SamplerControls';
import './groups.css';

export function GroupsScreen() {
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const available = useAppStore(selectActiveAvailable);
  const [groups, reload] = useResource(groupsQuery(connectionId), available);
  const search = useAppStore((state) => state.groupSearch);
  const sort = useAppStore((state) => state.groupSort);
  const setSearch = useAppStore((state) => state.setGroupSearch);
  const sortBy = useAppStore((state) => state.sortGroupsBy);
  const openGroup = useAppStore((state) => state.openGroup);
  const viewGroups = useAppStore((state) => state.viewGroups);
  const fetchResource = useAppStore((state) => state.fetchResource);
  // Brokers Metadata lists that do not answer: the groups they coordinate cannot be listed.
  const silent = useAppStore(useShallow((state) => (selectActiveHealth(state)?.brokers ?? []).filter((broker) => broker.state === 'down')));

  useLiveView(reload, {
    failing: groups.status === 'error',
    unhealthy: silent.length > 0,
    busy: groups.status === 'loading',
    signature: silent.map((broker) => broker.id).join(','),
    followEvents: false,
  });

  // The rows in view are sampled (a view in the main process) and get sparklines; the view is
  // renewed while the screen is open and dropped when it closes.
  const [visible, setVisible] = useState<string[]>([]);
  const visibleRef = useRef(visible);
  visibleRef.current = visible;
  // Observed, so new samples of the groups shown reload their lines (lag.sampled).
  const [sparklines] = useResource(sparklinesQuery(connectionId, visible));
  useEffect(() => {
    const timer = setTimeout(() => {
      void viewGroups('groups', visible);
      if (visible.length) void fetchResource(sparklinesQuery(connectionId, visible));
    }, 300);
    return () => clearTimeout(timer);
  }, [visible, viewGroups, fetchResource, connectionId]);
  useEffect(() => {
    const timer = setInterval(() => void viewGroups('groups', visibleRef.current), VIEW_RENEW_MS);
    return () => {
      clearInterval(timer);
      void viewGroups('groups', []);
    };
  }, [viewGroups]);
  const onVisibleChange = useCallback((ids: string[]) => setVisible(ids), []);

  const deferredSearch = useDeferredValue(search);
  const data = groups.data;
  const rows = useMemo(() => visibleGroups(data ?? [], deferredSearch, sort), [data, deferredSearch, sort]);
  const totalLag = useMemo(() => rows.reduce((sum, group) => sum + (group.totalLag ?? 0), 0), [rows]);

  return (
    <section className="screen screen-fill">
      <ScreenHeader title="Consumer groups" onRefresh={reload} refreshing={groups.status === 'loading'}>
        <input
          type="search"
          className="search"
          aria-label="Search groups"
          placeholder="Search groups or topics"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
        <SamplerControls />
      </ScreenHeader>
      <StateView
        resource={groups}
        onRetry={reload}
        loadingLabel="Loading consumer groups…"
        isEmpty={(list) => list.length === 0}
        empty={
          <Empty title="This cluster has no consumer groups yet.">
            <p className="muted">
              Groups appear when consumers join them or commit offsets. On the embedded cluster, the demo in the Cluster panel starts a producer and consumer
              groups.
            </p>
          </Empty>
        }
      >
        {(data) => (
          <>
            <p className="subtitle" aria-live="polite">
              {rows.length === data.length ? `${formatCount(rows.length)} groups` : `${formatCount(rows.length)} of ${formatCount(data.length)} groups match`} ·
              total lag {formatCount(totalLag)}
            </p>
            {silent.length ? (
              <p className="muted small" role="note">
                {silent.map((broker) => `broker ${broker.id} (${broker.address})`).join(', ')} {silent.length === 1 ? 'does' : 'do'} not answer: the groups{' '}
                {silent.length === 1 ? 'it coordinates are' : 'they coordinate are'} not listed until {silent.length === 1 ? 'it answers' : 'they answer'}.
              </p>
            ) : null}
            {rows.length ? (
              <GroupsTable
                groups={rows}
                sparklines={sparklines.data ?? NO_SPARKLINES}
                sort={sort}
                onSort={sortBy}
                onOpen={openGroup}
                onVisibleChange={onVisibleChange}
              />
            ) : (
              <Empty title={`No group matches "${search}".`} />
            )}
          </>
        )}
      </StateView>
    </section>
  );
}
