// Client quotas (KIP-546, #16): what the cluster limits each user, client id or IP to, and who the
// brokers throttle. The brokers throttle a client over its quota (throttle_time_ms), which shows as a
// slow producer or consumer; this says why. Set a quota (the dialog), change it, or remove it
// (AlterClientQuotas). A cluster before Kafka 2.6 has no DescribeClientQuotas: the error says so.
import { useEffect, useState } from 'react';
import {
  clientQuotaAlterRequestSchema,
  type ClientQuotaEntry,
  type ClientQuotaKey,
  type ClientQuotaSupport,
  type ClientThrottling,
  type ThrottledClient,
} from '../../../../shared/model/acls';
import { ConfirmDialog, Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { Badge } from '../../components/Badge';
import { Empty } from '../../components/StateView';
import { formatBytes, formatQuantity } from '../../components/format';
import { useAppStore, useResource } from '../../store/hooks';
import { selectActiveAvailable, selectWriteBlock } from '../connections/connections-slice';
import { SecurityStateView } from '../acls/SecurityStateView';
import { clientQuotasQuery, throttledClientsQuery, type QuotaChange } from './users-slice';
import './users.css';

const KEY_LABELS: Record<string, string> = {
  producer_byte_rate: 'Produce',
  consumer_byte_rate: 'Fetch',
  request_percentage: 'Request time',
  controller_mutation_rate: 'Partition mutations',
  connection_creation_rate: 'New connections',
};

const KEY_UNITS: Record<ClientQuotaKey, string> = {
  producer_byte_rate: 'bytes per second, a whole number',
  consumer_byte_rate: 'bytes per second, a whole number',
  request_percentage: 'percent of one request-handler thread, e.g. 25 or 12.5',
  controller_mutation_rate: 'partitions created or deleted per second, e.g. 5 or 0.5',
  connection_creation_rate: 'new connections per second, a whole number',
};

/** How often the throttled clients are read again while shown. */
const THROTTLE_REFRESH_MS = 2_000;

function quotaValue(key: string, value: number): string {
  if (key.endsWith('_byte_rate')) return `${formatBytes(value)}/s`;
  if (key === 'request_percentage') return `${value} % of a thread`;
  return `${value}/s`;
}

type EntityPart = { type: 'user' | 'client-id' | 'ip'; name: string | null };

function entityLabel(entity: ReadonlyArray<{ type: string; name: string | null }>): string {
  return entity.map((part) => `${part.type} ${part.name ?? '(default)'}`).join(' · ');
}

type Editing =
  { kind: 'set'; entity: EntityPart[] | null; key: ClientQuotaKey | null; value: number | null } | { kind: 'remove'; entity: EntityPart[]; key: string } | null;

export function ClientQuotas() {
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const available = useAppStore(selectActiveAvailable);
  const writeBlock = useAppStore(selectWriteBlock);
  const [quotas, reload] = useResource(clientQuotasQuery(connectionId), available);
  const [editing, setEditing] = useState<Editing>(null);
  const supports = quotas.data?.supports ?? null;
  const blocked = writeBlock ?? (supports === null ? 'The quotas have not been read yet.' : null);
  return (
    <section aria-label="Client quotas">
      <div className="quota-section-header">
        <h2 className="section-title">Client quotas</h2>
        <button
          type="button"
          className="button"
          disabled={Boolean(blocked)}
          title={blocked ?? undefined}
          onClick={() => setEditing({ kind: 'set', entity: null, key: null, value: null })}
        >
          Set a quota
        </button>
      </div>
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
                  <QuotaRow
                    key={entityLabel(entry.entity)}
                    entry={entry}
                    blocked={writeBlock}
                    onChange={(key, value) => setEditing({ kind: 'set', entity: entry.entity as EntityPart[], key, value })}
                    onRemove={(key) => setEditing({ kind: 'remove', entity: entry.entity as EntityPart[], key })}
                  />
                ))}
              </tbody>
            </table>
          </>
        )}
      </SecurityStateView>
      <ThrottledClients />
      {editing?.kind === 'set' && supports ? <QuotaDialog initial={editing} supports={supports} onClose={() => setEditing(null)} /> : null}
      {editing?.kind === 'remove' ? <RemoveQuotaDialog entity={editing.entity} quotaKey={editing.key} onClose={() => setEditing(null)} /> : null}
    </section>
  );
}

function QuotaRow({
  entry,
  blocked,
  onChange,
  onRemove,
}: {
  entry: ClientQuotaEntry;
  blocked: string | null;
  onChange: (key: ClientQuotaKey, value: number) => void;
  onRemove: (key: string) => void;
}) {
  const label = entityLabel(entry.entity);
  return (
    <tr>
      <td>
        <code>{label}</code>
      </td>
      <td>
        <ul className="quota-list">
          {entry.quotas.map((q) => (
            <li key={q.key}>
              <span>
                {KEY_LABELS[q.key] ?? q.key}: <strong>{quotaValue(q.key, q.value)}</strong> <span className="muted small">({q.key})</span>
              </span>
              <span className="actions">
                {q.key in KEY_UNITS ? (
                  <button
                    type="button"
                    className="button button-small"
                    disabled={Boolean(blocked)}
                    title={blocked ?? undefined}
                    aria-label={`Change ${q.key} of ${label}`}
                    onClick={() => onChange(q.key as ClientQuotaKey, q.value)}
                  >
                    Change
                  </button>
                ) : null}
                <button
                  type="button"
                  className="button button-small button-danger"
                  disabled={Boolean(blocked)}
                  title={blocked ?? undefined}
                  aria-label={`Remove ${q.key} of ${label}`}
                  onClick={() => onRemove(q.key)}
                >
                  Remove
                </button>
              </span>
            </li>
          ))}
        </ul>
      </td>
    </tr>
  );
}

type EntityChoice = 'user' | 'client-id' | 'user+client-id' | 'ip';

function choiceOf(entity: EntityPart[] | null): EntityChoice {
  if (!entity) return 'user';
  const types = entity.map((part) => part.type);
  if (types.includes('ip')) return 'ip';
  if (types.length === 2) return 'user+client-id';
  return types[0] === 'client-id' ? 'client-id' : 'user';
}

/** One name of an entity: typed, or the type's default (every one without a quota of its own). */
interface NameInput {
  name: string;
  isDefault: boolean;
}

function nameInputOf(entity: EntityPart[] | null, type: EntityPart['type']): NameInput {
  const part = entity?.find((p) => p.type === type);
  return part ? { name: part.name ?? '', isDefault: part.name === null } : { name: '', isDefault: false };
}

/** Parses a typed quota: a plain decimal number, or NaN (said as "Enter a number"). */
function parseQuotaValue(text: string): number {
  const trimmed = text.trim();
  return /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : NaN;
}

function QuotaDialog({
  initial,
  supports,
  onClose,
}: {
  initial: { entity: EntityPart[] | null; key: ClientQuotaKey | null; value: number | null };
  supports: ClientQuotaSupport;
  onClose: () => void;
}) {
  const alterQuota = useAppStore((state) => state.alterQuota);
  const changing = initial.entity !== null;
  const [choice, setChoice] = useState<EntityChoice>(choiceOf(initial.entity));
  const [user, setUser] = useState<NameInput>(nameInputOf(initial.entity, 'user'));
  const [clientId, setClientId] = useState<NameInput>(nameInputOf(initial.entity, 'client-id'));
  const [ip, setIp] = useState<NameInput>(nameInputOf(initial.entity, 'ip'));
  const keys: ClientQuotaKey[] =
    choice === 'ip'
      ? ['connection_creation_rate']
      : ['producer_byte_rate', 'consumer_byte_rate', 'request_percentage', ...(supports.controllerMutationRate ? (['controller_mutation_rate'] as const) : [])];
  const [chosenKey, setKey] = useState<ClientQuotaKey>(initial.key ?? 'producer_byte_rate');
  const key = keys.includes(chosenKey) ? chosenKey : keys[0]!;
  const [valueText, setValueText] = useState(initial.value === null ? '' : String(initial.value));
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);

  const part = (type: EntityPart['type'], input: NameInput): EntityPart => ({ type, name: input.isDefault ? null : input.name.trim() });
  const entity: EntityPart[] =
    choice === 'ip'
      ? [part('ip', ip)]
      : choice === 'user+client-id'
        ? [part('user', user), part('client-id', clientId)]
        : choice === 'user'
          ? [part('user', user)]
          : [part('client-id', clientId)];
  const value = parseQuotaValue(valueText);
  const errors: Record<string, string> = {};
  if (valueText.trim() === '') errors['value'] = 'Enter a quota.';
  else if (Number.isNaN(value)) errors['value'] = `Enter a number (${KEY_UNITS[key]}), without units or signs.`;
  // The same schema the main process checks the request with.
  const parsed = clientQuotaAlterRequestSchema.safeParse({ connectionId: 'form', entity, key, value: Number.isNaN(value) ? 1 : value });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field =
        issue.path[0] === 'entity' ? (issue.path[2] === 'name' ? `name-${String(entity[Number(issue.path[1])]?.type)}` : 'entity') : String(issue.path[0]);
      errors[field] ??= issue.message;
    }
  }
  if (choice === 'ip' && !supports.ipEntities) errors['entity'] = "Quotas on IP addresses need Kafka 2.8 or later; this cluster's brokers do not take them.";
  const valid = Object.keys(errors).length === 0;
  const shown = (field: string) => (submitted ? errors[field] : undefined);

  const submit = async () => {
    setSubmitted(true);
    if (!valid || !parsed.success) return;
    setBusy(true);
    const change: QuotaChange = { entity: parsed.data.entity, key: parsed.data.key, value };
    const result = await alterQuota(change);
    setBusy(false);
    if (result.ok) onClose();
    else setServerError(result.error.message);
  };

  const nameField = (type: EntityPart['type'], label: string, input: NameInput, set: (input: NameInput) => void, defaultLabel: string) => (
    <div className="quota-name">
      <Field label={label} error={shown(`name-${type}`)}>
        {(props) => (
          <input
            {...props}
            value={input.name}
            disabled={input.isDefault || changing}
            spellCheck={false}
            autoComplete="off"
            onChange={(event) => set({ ...input, name: event.target.value })}
          />
        )}
      </Field>
      <label className="checkbox">
        <input type="checkbox" checked={input.isDefault} disabled={changing} onChange={(event) => set({ ...input, isDefault: event.target.checked })} />
        {defaultLabel}
      </label>
    </div>
  );

  return (
    <Dialog
      title={changing ? `Change ${key} of ${entityLabel(initial.entity ?? [])}` : 'Set a client quota'}
      onClose={onClose}
      onSubmit={() => void submit()}
      error={serverError}
      actions={
        <button type="submit" className="button button-primary" disabled={busy || (submitted && !valid)}>
          {busy ? 'Saving…' : 'Set quota'}
        </button>
      }
    >
      <Field
        label="Applies to"
        error={shown('entity')}
        hint={
          choice === 'ip'
            ? 'Counted per broker as connections are accepted (KIP-612).'
            : 'A user is the principal a client logs in as; a client id is what the client calls itself.'
        }
      >
        {(props) => (
          <select {...props} value={choice} disabled={changing} onChange={(event) => setChoice(event.target.value as EntityChoice)}>
            <option value="user">A user</option>
            <option value="client-id">A client id</option>
            <option value="user+client-id">A user and client id</option>
            <option value="ip" disabled={!supports.ipEntities}>
              An IP address{supports.ipEntities ? '' : ' (Kafka 2.8 or later)'}
            </option>
          </select>
        )}
      </Field>
      {choice === 'user' || choice === 'user+client-id'
        ? nameField('user', 'User', user, setUser, 'Default user (every user without a quota of its own)')
        : null}
      {choice === 'client-id' || choice === 'user+client-id'
        ? nameField('client-id', 'Client id', clientId, setClientId, 'Default client id (every client id without a quota of its own)')
        : null}
      {choice === 'ip' ? nameField('ip', 'IP address', ip, setIp, 'Default IP (every IP without a quota of its own)') : null}
      <Field
        label="Quota"
        error={shown('key')}
        hint={supports.controllerMutationRate || choice === 'ip' ? undefined : 'controller_mutation_rate needs Kafka 2.7 or later.'}
      >
        {(props) => (
          <select {...props} value={key} disabled={changing} onChange={(event) => setKey(event.target.value as ClientQuotaKey)}>
            {keys.map((k) => (
              <option key={k} value={k}>
                {KEY_LABELS[k]} ({k})
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Rate" error={shown('value')} hint={`In ${KEY_UNITS[key]}; above 0.`}>
        {(props) => <input {...props} inputMode="decimal" autoComplete="off" value={valueText} onChange={(event) => setValueText(event.target.value)} />}
      </Field>
    </Dialog>
  );
}

function RemoveQuotaDialog({ entity, quotaKey, onClose }: { entity: EntityPart[]; quotaKey: string; onClose: () => void }) {
  const alterQuota = useAppStore((state) => state.alterQuota);
  return (
    <ConfirmDialog
      title="Remove quota"
      confirmLabel="Remove quota"
      action={() => alterQuota({ entity, key: quotaKey as ClientQuotaKey, value: null })}
      onDone={onClose}
      onClose={onClose}
    >
      <p>
        Remove <strong>{quotaKey}</strong> of <code>{entityLabel(entity)}</code>? Its clients fall back to the next quota that applies to them (a default), or
        to none.
      </p>
    </ConfirmDialog>
  );
}

function throttledWho(client: ThrottledClient): string {
  if (client.ip !== null) return `ip ${client.ip}`;
  const parts = [client.user === null ? null : `user ${client.user}`, client.clientId === null ? null : `client-id ${client.clientId}`].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : '(anonymous)';
}

function agoText(at: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  return seconds < 2 ? 'just now' : seconds < 120 ? `${seconds} s ago` : `${Math.round(seconds / 60)} min ago`;
}

/** Who the brokers throttle: read every few seconds while shown, from the embedded brokers' metrics. */
function ThrottledClients() {
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const available = useAppStore(selectActiveAvailable);
  const [throttling, reload] = useResource(throttledClientsQuery(connectionId), available);
  const measured = throttling.data?.measured ?? true;
  useEffect(() => {
    if (!available || !measured) return;
    const timer = setInterval(reload, THROTTLE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [available, measured, reload]);
  return (
    <section aria-label="Throttled clients">
      <h3 className="section-title">Throttled clients</h3>
      <SecurityStateView
        resource={throttling}
        onRetry={reload}
        loadingLabel="Reading who the brokers throttle…"
        isEmpty={(data: ClientThrottling) => data.measured && data.clients.length === 0}
        empty={<Empty title="No client has been throttled." />}
      >
        {(data) =>
          !data.measured ? (
            <p className="muted small">
              Kafka tells only the throttled client (throttle_time_ms in its answers) and the brokers&apos; JMX metrics who is throttled; no Kafka API reports
              it. Kafka Desk shows it for its embedded cluster, whose brokers it hosts.
            </p>
          ) : (
            <table className="table compact" aria-label="Throttled clients">
              <thead>
                <tr>
                  <th>Client</th>
                  <th>Quota</th>
                  <th>Rate now</th>
                  <th>Throttled</th>
                  <th>Last</th>
                </tr>
              </thead>
              <tbody>
                {data.clients.map((client) => (
                  <tr key={`${client.quota}:${throttledWho(client)}`}>
                    <td>
                      <code>{throttledWho(client)}</code>
                    </td>
                    <td>
                      {KEY_LABELS[client.quota]}: {quotaValue(client.quota, client.limit)}
                    </td>
                    <td>
                      {client.rate === null ? '—' : quotaValue(client.quota, Math.round(client.rate * 10) / 10)}
                      {client.rate !== null && client.rate > client.limit ? (
                        <>
                          {' '}
                          <Badge tone="warn">over</Badge>
                        </>
                      ) : null}
                    </td>
                    <td>
                      {formatQuantity(client.throttled, client.quota === 'connection_creation_rate' ? 'connection' : 'request')}
                      {client.throttleTimeMs !== null ? `, ${(client.throttleTimeMs / 1000).toFixed(1)} s in all` : ''}
                    </td>
                    <td>{agoText(client.lastThrottledAt, data.at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </SecurityStateView>
    </section>
  );
}
