// Create or edit a client metrics subscription (KIP-714): its metric prefixes (one per line, * for all),
// push interval and match patterns (a regular expression per selector, all of which a client must
// match). Checked here with the IPC contract's own schema; the cluster then checks the patterns compile.
import { useState } from 'react';
import type { ClientMetricsSubscription, MatchSelector } from '../../../../shared/model/client-metrics';
import { clientMetricsSaveRequestSchema, DEFAULT_PUSH_INTERVAL_MS, MATCH_SELECTORS } from '../../../../shared/model/client-metrics';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { useAppStore } from '../../store/hooks';

const SELECTOR_HINTS: Record<MatchSelector, string> = {
  client_instance_id: 'the id the broker gave the client instance',
  client_id: 'client.id',
  client_software_name: 'e.g. apache-kafka-java, librdkafka',
  client_software_version: 'e.g. 3\\.9\\..*',
  client_source_address: 'the IP the client connects from',
  client_source_port: 'its TCP port',
};

export function SubscriptionDialog({ subscription, onClose }: { subscription: ClientMetricsSubscription | null; onClose: () => void }) {
  const save = useAppStore((state) => state.saveClientMetricsSubscription);
  const [name, setName] = useState(subscription?.name ?? '');
  const [metrics, setMetrics] = useState(subscription ? subscription.metrics.join('\n') : 'org.apache.kafka.');
  const [intervalMs, setIntervalMs] = useState(String(subscription?.intervalMs ?? DEFAULT_PUSH_INTERVAL_MS));
  const [patterns, setPatterns] = useState<Record<string, string>>(() => Object.fromEntries((subscription?.match ?? []).map((m) => [m.selector, m.pattern])));
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);

  const parsed = clientMetricsSaveRequestSchema.safeParse({
    connectionId: 'form',
    name,
    create: subscription === null,
    metrics: metrics
      .split(/\n/)
      .map((line) => line.trim())
      .filter((line) => line !== ''),
    intervalMs: /^\s*\d+\s*$/.test(intervalMs) ? Number(intervalMs) : NaN,
    match: MATCH_SELECTORS.filter((selector) => (patterns[selector] ?? '').trim() !== '').map((selector) => ({ selector, pattern: patterns[selector]! })),
  });
  const errors: Record<string, string> = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [field, index, part] = issue.path;
      // A match entry's error goes to its selector's field.
      const key =
        field === 'match' && typeof index === 'number' && part !== undefined
          ? `match:${MATCH_SELECTORS.filter((s) => (patterns[s] ?? '').trim() !== '')[index]}`
          : String(field);
      errors[key] ??= issue.message;
    }
  }
  const valid = Object.keys(errors).length === 0;
  const shown = (field: string) => (submitted ? errors[field] : undefined);

  const submit = async () => {
    setSubmitted(true);
    if (!valid || !parsed.success) return;
    setBusy(true);
    // The store adds the active connection.
    const { name: subscriptionName, create, metrics: prefixes, intervalMs: pushIntervalMs, match } = parsed.data;
    const result = await save({ name: subscriptionName, create, metrics: prefixes, intervalMs: pushIntervalMs, match });
    setBusy(false);
    if (result.ok) onClose();
    else setServerError(result.error.message);
  };

  return (
    <Dialog
      title={subscription ? `Edit subscription ${subscription.name}` : 'New client metrics subscription'}
      onClose={onClose}
      onSubmit={() => void submit()}
      error={serverError}
      wide
      actions={
        <button type="submit" className="button button-primary" disabled={busy || (submitted && !valid)}>
          {busy ? 'Saving…' : subscription ? 'Save subscription' : 'Create subscription'}
        </button>
      }
    >
      {subscription ? null : (
        <Field label="Name" error={shown('name')} hint="The CLIENT_METRICS config resource's name.">
          {(props) => <input {...props} value={name} spellCheck={false} autoComplete="off" onChange={(event) => setName(event.target.value)} />}
        </Field>
      )}
      <div className="form-grid">
        <Field label="Metrics" error={shown('metrics')} hint="Metric name prefixes, one per line; * for every metric; none: the clients push nothing.">
          {(props) => <textarea {...props} rows={4} value={metrics} spellCheck={false} onChange={(event) => setMetrics(event.target.value)} />}
        </Field>
        <Field label="Push interval (ms)" error={shown('intervalMs')} hint="100 to 3600000; a client matched by several subscriptions pushes at the shortest.">
          {(props) => <input {...props} inputMode="numeric" value={intervalMs} onChange={(event) => setIntervalMs(event.target.value)} />}
        </Field>
      </div>
      <fieldset className="field match-fieldset">
        <legend>Clients matched</legend>
        <p className="field-hint">
          A regular expression (RE2) the whole value must match, per selector; leave them all empty to match every client. Kafka allows no &quot;=&quot; or
          &quot;,&quot; in a pattern.
        </p>
        <div className="match-grid">
          {MATCH_SELECTORS.map((selector) => (
            <Field key={selector} label={selector} error={shown(`match:${selector}`)} hint={SELECTOR_HINTS[selector]}>
              {(props) => (
                <input
                  {...props}
                  value={patterns[selector] ?? ''}
                  spellCheck={false}
                  autoComplete="off"
                  onChange={(event) => setPatterns((current) => ({ ...current, [selector]: event.target.value }))}
                />
              )}
            </Field>
          ))}
        </div>
        {shown('match') ? <div className="field-error">{shown('match')}</div> : null}
      </fieldset>
    </Dialog>
  );
}
