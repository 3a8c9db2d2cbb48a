// Client quotas (KIP-546, #16): what the cluster limits each user, client id or IP to, read only. The
// brokers throttle a client over its quota (throttle_time_ms), which shows as a slow producer or consumer;
// this says why. A cluster before Kafka 2.6 has no DescribeClientQuotas: the error says so.
import type { ClientQuotaEntry } from '../../../../shared/model/acls';
import { Empty } from '../../components/StateView';
import { formatBytes, formatQuantity } from '../../components/format';
import { useAppStore, useResource } from '../../store/hooks';
import { selectActiveAvailable } from '../connections/connections-slice';
import { SecurityStateView } from '../acls/SecurityStateView';
import { clientQuotasQuery } from './users-slice';

const KEY_LABELS: Record<string, string> = {
  producer_byte_rate: 'Produce',
  consumer_byte_rate: 'Fetch',
  request_percentage: 'Request time',
  controller_mutation_rate: 'Partition mutations',
  connection_creation_rate: 'New connections',
};

function quotaValue(key: string, value: number): string {
  if (key.endsWith('_byte_rate')) return `${formatBytes(value)}/s`;
  if (key === 'request_percentage') return `${value} % of a thread`;
  return `${value}/s`;
}

function entityLabel(entry: ClientQuotaEntry): string {
  return entry.entity.map((part) => `${part.type} ${part.name ?? '(default)'}`).join(' · ');
}

export function ClientQuotas() {
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const available = useAppStore(selectActiveAvailable);
  const [quotas, reload] = useResource(clientQuotasQuery(connectionId), available);
  return (
    <section aria-label="Client quotas">
      <h2 className="section-title">Client quotas</h2>
      <p className="muted small">
        Rates the brokers hold each user, client id or IP to (the most specific entity applies: user and client id, then user, then client id). A client over
        its quota is throttled: its requests wait, so it looks slow.
      </p>
      <SecurityStateView
        resource={quotas}
        onRetry={reload}
        loadingLabel="Loading client quotas…"
        isEmpty={(data) => data.entries.length === 0}
        empty={<Empty title="No client quotas: no client is throttled." />}
      >
        {(data) => (
          <>
            <p className="subtitle">{formatQuantity(data.entries.length, 'entity', 'entities')}</p>
            <table className="table compact" aria-label="Client quotas">
              <thead>
                <tr>
                  <th>Entity</th>
                  <th>Quotas</th>
                </tr>
              </thead>
              <tbody>
                {data.entries.map((entry) => (
                  <tr key={entityLabel(entry)}>
                    <td>
                      <code>{entityLabel(entry)}</code>
                    </td>
                    <td>{entry.quotas.map((q) => `${KEY_LABELS[q.key] ?? q.key}: ${quotaValue(q.key, q.value)}`).join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </SecurityStateView>
    </section>
  );
}
