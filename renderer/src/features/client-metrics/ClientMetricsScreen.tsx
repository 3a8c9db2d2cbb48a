// The Client metrics screen (KIP-714, Kafka 3.7+ in KRaft mode): the subscriptions that tell clients
// which metrics to push and how often (create, edit, delete), and, on the embedded cluster, the
// clients that pushed telemetry with their latest metrics. A cluster without client metrics says which
// release it needs; another cluster's pushed metrics go to its own reporter plugin, and the screen says so.
import { useEffect, useState } from 'react';
import type { ClientMetricsOverview, ClientMetricsSubscription, TelemetryClient, TelemetryMetric } from '../../../../shared/model/client-metrics';
import { DEFAULT_PUSH_INTERVAL_MS } from '../../../../shared/model/client-metrics';
import { useLiveView } from '../../app/use-live-view';
import { Badge } from '../../components/Badge';
import { ConfirmDialog } from '../../components/Dialog';
import { ScreenHeader } from '../../components/ScreenHeader';
import { Empty, StateView } from '../../components/StateView';
import { formatBytes, formatQuantity } from '../../components/format';
import { useAppStore, useResource } from '../../store/hooks';
import { selectActiveAvailable } from '../connections/connections-slice';
import { clientMetricsQuery } from './client-metrics-slice';
import { SubscriptionDialog } from './SubscriptionDialog';
import './client-metrics.css';

/** Pushes arrive every interval (100 ms to an hour): the screen reads them again this often. */
const REFRESH_MS = 5_000;

type Editing = { kind: 'create' } | { kind: 'edit'; subscription: ClientMetricsSubscription } | { kind: 'delete'; subscription: ClientMetricsSubscription };

export function ClientMetricsScreen() {
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const available = useAppStore(selectActiveAvailable);
  const [overview, reload] = useResource(clientMetricsQuery(connectionId), available);
  const [editing, setEditing] = useState<Editing | null>(null);
  useLiveView(reload, { failing: overview.status === 'error', unhealthy: false, busy: overview.status === 'loading' });
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  return (
    <section className="screen client-metrics-screen">
      <ScreenHeader title="Client metrics" onRefresh={reload} refreshing={overview.status === 'loading'}>
        {overview.data && !overview.data.unsupported ? (
          <button type="button" className="button button-primary" onClick={() => setEditing({ kind: 'create' })}>
            New subscription
          </button>
        ) : null}
      </ScreenHeader>
      <StateView resource={overview} onRetry={reload} loadingLabel="Reading client metrics…">
        {(data) => <ClientMetricsView data={data} onEdit={setEditing} />}
      </StateView>
      {editing?.kind === 'create' ? <SubscriptionDialog subscription={null} onClose={() => setEditing(null)} /> : null}
      {editing?.kind === 'edit' ? <SubscriptionDialog subscription={editing.subscription} onClose={() => setEditing(null)} /> : null}
      {editing?.kind === 'delete' ? <DeleteSubscriptionDialog subscription={editing.subscription} onClose={() => setEditing(null)} /> : null}
    </section>
  );
}

function interval(ms: number | null): string {
  const value = ms ?? DEFAULT_PUSH_INTERVAL_MS;
  const text = value % 60_000 === 0 ? `${value / 60_000} min` : value % 1000 === 0 ? `${value / 1000} s` : `${value} ms`;
  return ms === null ? `${text} (default)` : text;
}

function ago(at: number): string {
  const ms = Date.now() - at;
  if (ms < 2000) return 'just now';
  if (ms < 120_000) return `${Math.round(ms / 1000)} s ago`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min ago`;
  return `${(ms / 3_600_000).toFixed(1)} h ago`;
}

function ClientMetricsView({ data, onEdit }: { data: ClientMetricsOverview; onEdit: (editing: Editing) => void }) {
  if (data.unsupported) {
    return (
      <div className="warning" role="note" aria-label="Not supported">
        {data.unsupported}
      </div>
    );
  }
  return (
    <>
      <p className="muted client-metrics-intro">
        Clients of Kafka 3.7+ (KIP-714) ask the brokers which of their metrics to push and how often, and push them. A subscription names metric prefixes (
        <code>*</code> for all), a push interval and, optionally, patterns a client must match.
      </p>
      <div className="card">
        <h2 className="card-title">Subscriptions</h2>
        {data.subscriptions.length ? (
          <div className="table-x">
            <table className="table" aria-label="Subscriptions">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Metrics</th>
                  <th>Interval</th>
                  <th>Clients matched</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {data.subscriptions.map((subscription) => (
                  <tr key={subscription.name} data-subscription={subscription.name}>
                    <td className="mono-cell id-cell">{subscription.name}</td>
                    <td>
                      {subscription.metrics.length ? (
                        subscription.metrics.map((metric) => (
                          <code key={metric} className="metric-prefix">
                            {metric === '*' ? '* (all metrics)' : metric}
                          </code>
                        ))
                      ) : (
                        <span className="muted">none (the clients push nothing)</span>
                      )}
                    </td>
                    <td className="nowrap">{interval(subscription.intervalMs)}</td>
                    <td>
                      {subscription.match.length ? (
                        subscription.match.map((m) => (
                          <code key={m.selector} className="metric-prefix">
                            {m.selector}={m.pattern}
                          </code>
                        ))
                      ) : (
                        <span className="muted">every client</span>
                      )}
                    </td>
                    <td className="actions-cell nowrap">
                      <button type="button" className="button" onClick={() => onEdit({ kind: 'edit', subscription })}>
                        Edit
                      </button>{' '}
                      <button type="button" className="button button-danger" onClick={() => onEdit({ kind: 'delete', subscription })}>
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <Empty title="No subscriptions: clients push no metrics.">Create one to have clients of Kafka 3.7 or later push their metrics to the brokers.</Empty>
        )}
      </div>
      <div className="card">
        <h2 className="card-title">Clients that pushed metrics</h2>
        {!data.telemetry.available ? (
          <p className="muted" role="note" aria-label="Pushed metrics">
            {data.telemetry.note}
          </p>
        ) : data.telemetry.clients.length ? (
          <>
            <p className="muted small">
              {formatQuantity(data.telemetry.clients.length, 'client instance')}, each with its latest push (the embedded cluster keeps at most 1,000 instances
              and 32 MB of pushes).
            </p>
            {data.telemetry.clients.map((client) => (
              <TelemetryClientCard key={client.clientInstanceId} client={client} />
            ))}
          </>
        ) : (
          <Empty title="No client has pushed metrics yet.">
            A client pushes once a subscription matches it, at the subscription&apos;s interval. Clients before Kafka 3.7 (librdkafka before 2.5) push nothing.
          </Empty>
        )}
      </div>
    </>
  );
}

function pointValue(metric: TelemetryMetric, index: number): string {
  const point = metric.points[index];
  if (!point) return '';
  const value = point.value === null ? '—' : Number.isInteger(point.value) ? String(point.value) : point.value.toPrecision(6).replace(/\.?0+$/, '');
  if (metric.kind === 'gauge' || metric.kind === 'sum') return value;
  return `count ${point.count ?? 0}, sum ${value}${point.min !== undefined ? `, min ${point.min}` : ''}${point.max !== undefined ? `, max ${point.max}` : ''}`;
}

function TelemetryClientCard({ client }: { client: TelemetryClient }) {
  const [filter, setFilter] = useState('');
  const shown = client.metrics.filter((metric) => metric.name.toLowerCase().includes(filter.trim().toLowerCase()));
  return (
    <article className="telemetry-client" aria-label={`Client ${client.clientId ?? client.clientInstanceId}`}>
      <header className="telemetry-client-header">
        <div>
          <strong>{client.clientId ?? '(no client id)'}</strong> {client.terminating ? <Badge tone="neutral">closed</Badge> : null}
          <div className="muted small mono-cell">{client.clientInstanceId}</div>
        </div>
        <dl className="telemetry-facts">
          <div>
            <dt>Software</dt>
            <dd>{client.softwareName ? `${client.softwareName} ${client.softwareVersion ?? ''}` : 'unknown'}</dd>
          </div>
          <div>
            <dt>From</dt>
            <dd className="mono-cell">{client.sourceAddress ? `${client.sourceAddress}:${client.sourcePort ?? '?'}` : 'unknown'}</dd>
          </div>
          <div>
            <dt>Last push</dt>
            <dd>
              {ago(client.at)} to broker {client.brokerId}
            </dd>
          </div>
          <div>
            <dt>Pushes</dt>
            <dd>
              {client.pushes} every {interval(client.pushIntervalMs)}
            </dd>
          </div>
          <div>
            <dt>Payload</dt>
            <dd>
              {formatBytes(client.payloadBytes)}, {client.compression}
            </dd>
          </div>
        </dl>
      </header>
      {client.decodeError ? (
        <div className="warning" role="alert">
          {client.decodeError}
        </div>
      ) : client.metrics.length === 0 ? (
        <p className="muted small">The latest push held no metrics{client.requestedMetrics.length ? '' : ' (no subscription matches this client)'}.</p>
      ) : (
        <>
          <div className="telemetry-toolbar">
            <input
              type="search"
              className="input"
              aria-label="Filter metrics"
              placeholder="Filter metrics by name"
              value={filter}
              onChange={(event) => setFilter(event.target.value)}
            />
            <span className="muted small">
              {formatQuantity(shown.length, 'metric')}
              {client.metricsOmitted ? ` (${client.metricsOmitted} more not shown)` : ''}
            </span>
          </div>
          <div className="table-x telemetry-metrics">
            <table className="table compact" aria-label="Metrics">
              <thead>
                <tr>
                  <th>Metric</th>
                  <th>Kind</th>
                  <th className="numeric">Value</th>
                  <th>Attributes</th>
                </tr>
              </thead>
              <tbody>
                {shown.flatMap((metric) =>
                  (metric.points.length ? metric.points : [null]).map((point, index) => (
                    <tr key={`${metric.name}-${index}`}>
                      <td className="mono-cell metric-name" title={metric.description || undefined}>
                        {index === 0 ? metric.name : ''}
                      </td>
                      <td className="nowrap">{index === 0 ? `${metric.kind}${metric.temporality ? ` (${metric.temporality})` : ''}` : ''}</td>
                      <td className="numeric nowrap">
                        {point ? pointValue(metric, index) : '—'}
                        {point && metric.unit && metric.unit !== '1' ? ` ${metric.unit}` : ''}
                      </td>
                      <td className="small">
                        {point
                          ? Object.entries(point.attributes)
                              .map(([key, value]) => `${key}=${value}`)
                              .join(', ')
                          : ''}
                      </td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </div>
        </>
      )}
    </article>
  );
}

function DeleteSubscriptionDialog({ subscription, onClose }: { subscription: ClientMetricsSubscription; onClose: () => void }) {
  const deleteSubscription = useAppStore((state) => state.deleteClientMetricsSubscription);
  return (
    <ConfirmDialog
      title="Delete subscription"
      confirmLabel="Delete subscription"
      action={() => deleteSubscription(subscription.name)}
      onDone={onClose}
      onClose={onClose}
    >
      <p>
        Delete the client metrics subscription <strong>{subscription.name}</strong>? The clients it matches get their new subscription set when they next ask
        (at once after their next push), and stop pushing the metrics only it requested.
      </p>
    </ConfirmDialog>
  );
}
