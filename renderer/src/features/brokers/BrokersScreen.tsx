import { useState } from 'react';
import type { Broker, ClusterOverview } from '../../../../shared/model/schemas';
import { useLiveView } from '../../app/use-live-view';
import { Badge } from '../../components/Badge';
import { ScreenHeader } from '../../components/ScreenHeader';
import { Stale } from '../../components/Stale';
import { Empty, StateView } from '../../components/StateView';
import { formatCount } from '../../components/format';
import { useShallow } from 'zustand/react/shallow';
import type { BrokerReachability } from '../../../../shared/model/connections';
import { useAppStore, useResource } from '../../store/hooks';
import { overviewQuery } from './cluster-slice';
import { selectActiveAvailable, selectActiveHealth } from '../connections/connections-slice';
import { overviewHealth } from '../overview/OverviewScreen';
import { ElectionDialog } from './ElectionDialog';
import { brokerState } from './explain';
import './health.css';

export function BrokersScreen() {
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const available = useAppStore(selectActiveAvailable);
  const [overview, reload] = useResource(overviewQuery(connectionId), available);
  const [electing, setElecting] = useState(false);
  useLiveView(reload, overviewHealth(overview));
  const imbalance = (overview.data?.preferredLeaderImbalance ?? 0) + (overview.data?.internalPreferredLeaderImbalance ?? 0);
  return (
    <section className="screen">
      <ScreenHeader title="Brokers" onRefresh={reload} refreshing={overview.status === 'loading'}>
        <button
          type="button"
          className="button"
          disabled={!overview.data}
          title="Move each partition's leadership back to its preferred replica, after a preview"
          onClick={() => setElecting(true)}
        >
          Elect preferred leaders{imbalance ? ` (${formatCount(imbalance)})` : ''}
        </button>
      </ScreenHeader>
      <StateView resource={overview} onRetry={reload}>
        {(data, stale) => (
          <Stale stale={stale} readAt={data.readAt}>
            <BrokersView overview={data} />
          </Stale>
        )}
      </StateView>
      {electing ? <ElectionDialog target={{ scope: 'cluster' }} onClose={() => setElecting(false)} /> : null}
    </section>
  );
}

/** The partitions a down broker takes with it, from the overview's problem list. */
function downBrokerDetail(broker: Broker, overview: ClusterOverview): string {
  const offline = overview.problems.filter((problem) => problem.kind === 'offline' && problem.replicas.includes(broker.id));
  const parts: string[] = [];
  if (broker.offlinePartitions) {
    const named = offline.slice(0, 5).map((problem) => `${problem.topic}-${problem.partition}`);
    const rest = broker.offlinePartitions - named.length;
    parts.push(`offline with it: ${named.join(', ')}${rest > 0 ? ` and ${formatCount(rest)} more` : ''}`);
  }
  const following = broker.replicas - broker.offlinePartitions;
  if (following > 0) parts.push(`${formatCount(following)} partition${following === 1 ? '' : 's'} it followed run without it (under-replicated)`);
  if (broker.preferredLeaderPartitions) {
    parts.push(`preferred leader of ${formatCount(broker.preferredLeaderPartitions)}: elect preferred leaders once it is back`);
  }
  return parts.length ? `${parts.join(' · ')}.` : 'It holds no replicas of user topics.';
}

export function BrokersView({ overview }: { overview: ClusterOverview }) {
  const openBroker = useAppStore((state) => state.openBroker);
  // The connection's own checks (ApiVersions to every listed broker): whether each answers from here.
  const reach = useAppStore(useShallow((state) => selectActiveHealth(state)?.brokers ?? []));
  const reachOf = (id: number) => reach.find((entry) => entry.id === id);
  // Racks only when the cluster uses them.
  const racks = overview.brokers.some((broker) => broker.rack !== null);
  const columns = racks ? 10 : 9;
  if (!overview.brokers.length) return <Empty title="The cluster reports no brokers." />;
  const down = overview.brokers.filter((broker) => broker.state === 'down').length;
  return (
    <>
      <p className="subtitle">
        {formatCount(overview.brokers.length - down)} of {formatCount(overview.brokers.length)} brokers up
        {down ? ' · down brokers are known from the replicas they hold and from what this app saw before' : ''}. Open a broker for its partitions, log dirs and
        configs.
      </p>
      <div className="table-x">
        <table className="table" aria-label="Brokers">
          <thead>
            <tr>
              <th>ID</th>
              <th>State</th>
              <th>Address</th>
              {racks ? <th>Rack</th> : null}
              <th className="numeric" title="Round trip of an ApiVersions request from this app, at the last check">
                Answers
              </th>
              <th className="numeric">Leaders</th>
              <th className="numeric">Replicas</th>
              <th className="numeric">Out of sync</th>
              <th className="numeric" title="Partitions with a replica here that have no leader">
                Offline
              </th>
              <th>Role</th>
            </tr>
          </thead>
          <tbody>
            {overview.brokers.flatMap((broker) => {
              const row = (
                <tr
                  key={broker.id}
                  className={`clickable ${broker.state === 'down' || broker.failedReplicas ? 'row-bad' : broker.outOfSyncReplicas ? 'row-warn' : ''}`}
                  data-broker={broker.id}
                  onClick={() => openBroker(broker.id)}
                >
                  <td>
                    <button type="button" className="link-button" aria-label={`Open broker ${broker.id}`}>
                      {broker.id}
                    </button>
                  </td>
                  <td data-column="state">
                    {broker.state === 'up' ? <Badge tone="good">up</Badge> : <Badge tone="bad">down</Badge>}
                    {broker.state === 'down' ? <span className="muted small"> {brokerState(broker).replace(/^down /, '')}</span> : null}
                    {broker.failedReplicas ? (
                      <Badge tone="bad" title="Replicas whose log cannot be opened or written on this broker (Metadata reports them offline)">
                        {formatCount(broker.failedReplicas)} storage failure{broker.failedReplicas === 1 ? '' : 's'}
                      </Badge>
                    ) : null}
                  </td>
                  <td>{broker.host ? <code>{`${broker.host}:${broker.port}`}</code> : <span className="muted">unknown</span>}</td>
                  {racks ? <td>{broker.rack ?? <span className="muted">none</span>}</td> : null}
                  <td className="numeric" data-column="answers">
                    <Reachability broker={broker} reach={reachOf(broker.id)} />
                  </td>
                  <td className="numeric">{formatCount(broker.leaderPartitions)}</td>
                  <td className="numeric">{formatCount(broker.replicas)}</td>
                  <td className="numeric">{broker.outOfSyncReplicas ? <Badge tone="warn">{formatCount(broker.outOfSyncReplicas)}</Badge> : '0'}</td>
                  <td className="numeric">{broker.offlinePartitions ? <Badge tone="bad">{formatCount(broker.offlinePartitions)}</Badge> : '0'}</td>
                  <td>{broker.isController ? <Badge tone="accent">controller</Badge> : null}</td>
                </tr>
              );
              const silent = broker.state === 'up' && reachOf(broker.id)?.state === 'down';
              if (silent) {
                return [
                  row,
                  <tr key={`${broker.id}-detail`} className="broker-detail-row row-warn" data-broker-detail={broker.id}>
                    <td />
                    <td colSpan={columns - 1}>
                      The cluster lists broker {broker.id}, but it does not answer from here: {(reachOf(broker.id)?.error ?? 'no answer').replace(/\.$/, '')}.
                      Requests to it (its partitions' offsets, log dirs, configs, the groups it coordinates) fail until it does.
                    </td>
                  </tr>,
                ];
              }
              if (broker.state !== 'down') return [row];
              return [
                row,
                <tr key={`${broker.id}-detail`} className="broker-detail-row row-bad" data-broker-detail={broker.id}>
                  <td />
                  <td colSpan={columns - 1}>{downBrokerDetail(broker, overview)}</td>
                </tr>,
              ];
            })}
          </tbody>
        </table>
      </div>
      <h2 className="section-title">API versions</h2>
      <p className="subtitle">What the broker that answered supports, by Kafka API.</p>
      <div className="api-grid">
        {overview.apiVersions.map((api) => (
          <div key={api.apiKey} className="api-item">
            <span className="api-name">{api.name}</span>
            <span className="api-key">#{api.apiKey}</span>
            <span className="api-versions">
              v{api.minVersion}–v{api.maxVersion}
            </span>
          </div>
        ))}
      </div>
    </>
  );
}

/** Whether a broker answers this app: its round trip, or why not (a broker Metadata lists may still
 * refuse connections or time out: a wrong advertised address, a firewall). */
function Reachability({ broker, reach }: { broker: Broker; reach: BrokerReachability | undefined }) {
  if (broker.state === 'down') return <span className="muted">—</span>;
  if (!reach) return <span className="muted">not checked</span>;
  if (reach.state === 'up') return <>{reach.rttMs === null ? 'yes' : `${formatCount(Math.round(reach.rttMs))} ms`}</>;
  return (
    <Badge tone="bad" title={reach.error ?? undefined}>
      {reach.error ? 'no answer' : reach.state}
    </Badge>
  );
}
