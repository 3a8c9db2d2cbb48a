import { useEffect } from 'react';
import type { ClusterOverview } from '../../../../shared/model/schemas';
import { Badge } from '../../components/Badge';
import { ScreenHeader } from '../../components/ScreenHeader';
import { Empty, ErrorMessage, Loading } from '../../components/StateView';
import { formatCount } from '../../components/format';
import { useAppStore } from '../../store/hooks';
import { selectActiveAvailable } from '../../store/slices/connections';

export function BrokersScreen() {
  const overview = useAppStore((state) => state.overview);
  const loadOverview = useAppStore((state) => state.loadOverview);
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const available = useAppStore(selectActiveAvailable);
  useEffect(() => {
    void loadOverview();
  }, [loadOverview, connectionId, available]);
  return (
    <section className="screen">
      <ScreenHeader title="Brokers" onRefresh={() => void loadOverview()} refreshing={overview.status === 'loading'} />
      {overview.status === 'error' ? <ErrorMessage error={overview.error} onRetry={() => void loadOverview()} /> : null}
      {overview.data ? <BrokersView overview={overview.data} /> : overview.status !== 'error' ? <Loading /> : null}
    </section>
  );
}

export function BrokersView({ overview }: { overview: ClusterOverview }) {
  if (!overview.brokers.length) return <Empty title="The cluster reports no brokers." />;
  return (
    <>
      <table className="table">
        <thead>
          <tr>
            <th>ID</th>
            <th>State</th>
            <th>Host</th>
            <th>Port</th>
            <th>Rack</th>
            <th className="numeric">Leader partitions</th>
            <th className="numeric">Replicas</th>
            <th>Role</th>
          </tr>
        </thead>
        <tbody>
          {overview.brokers.map((broker) => (
            <tr key={broker.id}>
              <td>{broker.id}</td>
              <td>{broker.state === 'up' ? <Badge tone="good">up</Badge> : <Badge tone="bad">down</Badge>}</td>
              <td>{broker.host ? <code>{broker.host}</code> : <span className="muted">unknown</span>}</td>
              <td>{broker.port ?? '—'}</td>
              <td>{broker.rack ?? <span className="muted">none</span>}</td>
              <td className="numeric">{formatCount(broker.leaderPartitions)}</td>
              <td className="numeric">{formatCount(broker.replicas)}</td>
              <td>{broker.isController ? <Badge tone="accent">controller</Badge> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
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
