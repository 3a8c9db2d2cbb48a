// A broker's page: its state, the replicas it hosts (from Metadata, so listed even while it is down),
// its log dirs with their sizes (DescribeLogDirs) and its configs (DescribeConfigs). Log dirs and
// configs are asked of the broker itself: each says on its own why it could not be read.
import { useDeferredValue, useMemo, useState } from 'react';
import type { BrokerDetail, HostedReplica } from '../../../../shared/model/schemas';
import { useLiveView } from '../../app/use-live-view';
import { Badge } from '../../components/Badge';
import { ScreenHeader } from '../../components/ScreenHeader';
import { Stale } from '../../components/Stale';
import { Empty, ErrorMessage, StateView } from '../../components/StateView';
import { formatBytes, formatCount } from '../../components/format';
import { useAppStore, useResource } from '../../store/hooks';
import { brokerQuery } from './cluster-slice';
import { selectActiveAvailable } from '../connections/connections-slice';
import { brokerState, formatTime } from './explain';
import './health.css';

type Tab = 'partitions' | 'logdirs' | 'configs';
/** Rows rendered at most; the filter narrows the rest down. */
const MAX_ROWS = 500;

export function BrokerScreen() {
  const brokerId = useAppStore((state) => state.selectedBroker);
  const navigate = useAppStore((state) => state.navigate);
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const available = useAppStore(selectActiveAvailable);
  const [detail, reload] = useResource(brokerId === null ? null : brokerQuery(connectionId, brokerId), available);
  const [tab, setTab] = useState<Tab>('partitions');
  const data = detail.data;
  const sick = Boolean(
    data && (data.broker.state === 'down' || data.broker.outOfSyncReplicas || data.broker.offlinePartitions || data.logDirsError || data.configsError),
  );
  useLiveView(reload, {
    failing: detail.status === 'error',
    unhealthy: sick,
    busy: detail.status === 'loading',
    signature: data ? `${data.broker.state}/${data.broker.outOfSyncReplicas}/${data.broker.offlinePartitions}` : '',
  });

  if (brokerId === null) {
    return (
      <section className="screen">
        <Empty title="No broker selected.">
          <button type="button" className="button" onClick={() => navigate('brokers')}>
            Back to brokers
          </button>
        </Empty>
      </section>
    );
  }
  return (
    <section className="screen">
      <ScreenHeader
        title={
          <>
            <button type="button" className="breadcrumb" onClick={() => navigate('brokers')}>
              Brokers
            </button>
            <span className="breadcrumb-separator">/</span>
            <span>Broker {brokerId}</span>
            {data ? data.broker.state === 'up' ? <Badge tone="good">up</Badge> : <Badge tone="bad">down</Badge> : null}
            {data?.broker.isController ? <Badge tone="accent">controller</Badge> : null}
          </>
        }
        onRefresh={reload}
        refreshing={detail.status === 'loading'}
      />
      <StateView resource={detail} onRetry={reload}>
        {(data, stale) => (
          <Stale stale={stale} readAt={data.readAt}>
            <BrokerSummary detail={data} />
            <div className="tabs" role="tablist">
              <button type="button" role="tab" aria-selected={tab === 'partitions'} className="tab" onClick={() => setTab('partitions')}>
                Partitions ({formatCount(data.broker.replicas)})
              </button>
              <button type="button" role="tab" aria-selected={tab === 'logdirs'} className="tab" onClick={() => setTab('logdirs')}>
                Log dirs
              </button>
              <button type="button" role="tab" aria-selected={tab === 'configs'} className="tab" onClick={() => setTab('configs')}>
                Configs
              </button>
            </div>
            {tab === 'partitions' ? <HostedReplicas replicas={data.replicas} /> : null}
            {tab === 'logdirs' ? <LogDirs detail={data} /> : null}
            {tab === 'configs' ? <BrokerConfigs detail={data} /> : null}
          </Stale>
        )}
      </StateView>
    </section>
  );
}

function BrokerSummary({ detail }: { detail: BrokerDetail }) {
  const { broker } = detail;
  const address = broker.host ? `${broker.host}:${broker.port}` : 'address unknown';
  return (
    <>
      <p className="subtitle">
        <code>{address}</code>
        {broker.rack ? ` · rack ${broker.rack}` : ''} · leads {formatCount(broker.leaderPartitions)} · hosts {formatCount(broker.replicas)} replicas
        {broker.outOfSyncReplicas ? ` · ${formatCount(broker.outOfSyncReplicas)} out of sync` : ''} · preferred leader of{' '}
        {formatCount(broker.preferredLeaderPartitions)}
        {broker.state === 'up' && broker.lastSeenAt ? ` · read at ${formatTime(detail.readAt)}` : ''}
      </p>
      {broker.state === 'down' ? (
        <div className="card problems" role="status" aria-label="Broker state">
          <p>
            Broker {broker.id} is {brokerState(broker)}
            {broker.lastSeenAt && broker.downSince ? ` (last seen at ${formatTime(broker.lastSeenAt)})` : ''}. The cluster’s metadata no longer lists it; its
            replicas are known from the partitions’ assignments.
            {broker.offlinePartitions
              ? ` ${formatCount(broker.offlinePartitions)} partition${broker.offlinePartitions === 1 ? ' has' : 's have'} no other replica to lead and ${broker.offlinePartitions === 1 ? 'is' : 'are'} offline.`
              : ''}
          </p>
        </div>
      ) : null}
    </>
  );
}

function HostedReplicas({ replicas }: { replicas: readonly HostedReplica[] }) {
  const [filter, setFilter] = useState('');
  const [internal, setInternal] = useState(false);
  const deferred = useDeferredValue(filter);
  const internalCount = useMemo(() => replicas.filter((replica) => replica.internal).length, [replicas]);
  const rows = useMemo(() => {
    const needle = deferred.trim().toLowerCase();
    return replicas.filter((replica) => (internal || !replica.internal) && (!needle || replica.topic.toLowerCase().includes(needle)));
  }, [replicas, deferred, internal]);
  if (!replicas.length) return <Empty title="This broker hosts no replicas." />;
  return (
    <>
      <div className="filter-row">
        <input
          type="search"
          className="search"
          aria-label="Filter partitions by topic"
          placeholder="Filter by topic"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
        />
        {internalCount ? (
          <label className="inline-label">
            <input type="checkbox" checked={internal} onChange={(event) => setInternal(event.target.checked)} /> Internal topics ({formatCount(internalCount)})
          </label>
        ) : null}
        <span className="muted small">
          {rows.length > MAX_ROWS ? `first ${formatCount(MAX_ROWS)} of ` : ''}
          {formatCount(rows.length)} replica{rows.length === 1 ? '' : 's'}
        </span>
      </div>
      {!rows.length ? <p className="muted">No replica of a user topic matches.</p> : null}
      <div className="table-x">
        <table className="table" aria-label="Hosted partitions">
          <thead>
            <tr>
              <th>Topic</th>
              <th className="numeric">Partition</th>
              <th>Role</th>
              <th>Leader</th>
              <th>In sync</th>
              <th>Preferred leader</th>
              <th className="numeric">Size</th>
              <th className="numeric">Behind leader</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, MAX_ROWS).map((replica) => (
              <tr
                key={`${replica.topic}-${replica.partition}`}
                className={replica.offline || replica.storageFailure ? 'row-bad' : !replica.inSync ? 'row-warn' : undefined}
                data-replica={`${replica.topic}-${replica.partition}`}
              >
                <td>{replica.topic}</td>
                <td className="numeric">{replica.partition}</td>
                <td>
                  {replica.offline ? <Badge tone="bad">offline</Badge> : replica.role === 'leader' ? <Badge tone="accent">leader</Badge> : 'follower'}
                  {replica.storageFailure ? (
                    <Badge tone="bad" title="Its log cannot be opened or written on this broker">
                      storage failure
                    </Badge>
                  ) : null}
                </td>
                <td>{replica.leader < 0 ? <span className="muted">none</span> : `broker ${replica.leader}`}</td>
                <td>{replica.inSync ? <Badge tone="good">yes</Badge> : <Badge tone="warn">no</Badge>}</td>
                <td>{replica.preferredLeader ? replica.role === 'leader' ? 'yes' : <Badge tone="warn">yes, not leading</Badge> : ''}</td>
                <td className="numeric">{formatBytes(replica.sizeBytes)}</td>
                <td className="numeric">{replica.offsetLag === null ? '—' : formatCount(replica.offsetLag)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function LogDirs({ detail }: { detail: BrokerDetail }) {
  if (detail.logDirsError) return <ErrorMessage error={{ kind: 'unavailable', message: detail.logDirsError }} />;
  if (!detail.logDirs?.length) return <Empty title="The broker reports no log dirs." />;
  return (
    <table className="table" aria-label="Log dirs">
      <thead>
        <tr>
          <th>Path</th>
          <th>State</th>
          <th className="numeric">Replicas</th>
          <th className="numeric">Size of replicas</th>
          <th>Volume</th>
        </tr>
      </thead>
      <tbody>
        {detail.logDirs.map((dir) => {
          const used = dir.totalBytes !== null && dir.usableBytes !== null ? dir.totalBytes - dir.usableBytes : null;
          return (
            <tr key={dir.path} className={dir.error ? 'row-bad' : undefined}>
              <td>
                <code>{dir.path}</code>
              </td>
              <td>{dir.error ? <Badge tone="bad">{dir.error}</Badge> : <Badge tone="good">online</Badge>}</td>
              <td className="numeric">{formatCount(dir.replicas)}</td>
              <td className="numeric">{formatBytes(dir.sizeBytes)}</td>
              <td>
                {used !== null && dir.totalBytes ? (
                  <>
                    <span className="usage-bar" aria-hidden="true">
                      <span style={{ width: `${Math.min(100, (used / dir.totalBytes) * 100)}%` }} />
                    </span>
                    {formatBytes(dir.usableBytes)} free of {formatBytes(dir.totalBytes)}
                  </>
                ) : (
                  <span className="muted">not reported</span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function BrokerConfigs({ detail }: { detail: BrokerDetail }) {
  const [filter, setFilter] = useState('');
  const [overridesOnly, setOverridesOnly] = useState(false);
  const deferred = useDeferredValue(filter);
  const configs = detail.configs;
  const rows = useMemo(() => {
    const needle = deferred.trim().toLowerCase();
    return (configs ?? []).filter((config) => (!needle || config.name.includes(needle)) && (!overridesOnly || config.source !== 'default'));
  }, [configs, deferred, overridesOnly]);
  if (detail.configsError) return <ErrorMessage error={{ kind: 'unavailable', message: detail.configsError }} />;
  if (!configs?.length) return <Empty title="The broker reports no configs." />;
  return (
    <>
      <div className="filter-row">
        <input
          type="search"
          className="search"
          aria-label="Filter configs"
          placeholder="Filter configs"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
        />
        <label className="inline-label">
          <input type="checkbox" checked={overridesOnly} onChange={(event) => setOverridesOnly(event.target.checked)} /> Set on this cluster only
        </label>
        <span className="muted small">{formatCount(rows.length)} configs</span>
      </div>
      <table className="table compact" aria-label="Broker configs">
        <thead>
          <tr>
            <th>Name</th>
            <th>Value</th>
            <th>Source</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((config) => (
            <tr key={config.name}>
              <td>
                <code>{config.name}</code>
              </td>
              <td>
                {config.sensitive ? (
                  <span className="muted">hidden</span>
                ) : config.value === null ? (
                  <span className="muted">null</span>
                ) : (
                  <code>{config.value}</code>
                )}
              </td>
              <td>{config.source === 'default' ? <span className="muted">default</span> : <Badge tone="accent">{config.source}</Badge>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
