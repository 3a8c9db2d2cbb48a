// Add or edit an external cluster. Passwords go to the main process and never come back: an edited
// connection shows "saved" and keeps its password unless a new one is typed.
import { useState } from 'react';
import {
  DEFAULT_TIMEOUTS,
  connectionInputSchema,
  type ConnectionInput,
  type ConnectionSummary,
  type ConnectionTestResult,
  type SaslMechanism,
} from '../../../../shared/model/schemas';
import { testActivityKey } from '../../../../shared/model/connections';
import type { IpcError } from '../../../../shared/ipc/contract';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { useAppStore } from '../../store/hooks';
import { ConnectionProgress } from './ConnectionProgress';
import { formatQuantity } from '../../components/format';
import { formatRtt } from './health-format';

type Errors = Partial<Record<string, string>>;

let testCounter = 0;
const newTestId = () => `${Date.now().toString(36)}-${(testCounter += 1)}-${Math.random().toString(36).slice(2, 8)}`;

/** Seconds as typed ("2.5") to whole milliseconds; NaN when it is not a number. */
const toMs = (seconds: string) => (seconds.trim() === '' ? Number.NaN : Math.round(Number(seconds) * 1000));
const toSeconds = (ms: number) => String(ms / 1000);

export function ConnectionDialog({ connection, onClose }: { connection: ConnectionSummary | null; onClose: () => void }) {
  const saveConnection = useAppStore((state) => state.saveConnection);
  const deleteConnection = useAppStore((state) => state.deleteConnection);
  const testConnection = useAppStore((state) => state.testConnection);
  const cancelTest = useAppStore((state) => state.cancelTest);
  const selectConnection = useAppStore((state) => state.selectConnection);
  const secretStorage = useAppStore((state) => state.appInfo.data?.secretStorage);

  const [name, setName] = useState(connection?.name ?? '');
  const [bootstrapServers, setBootstrapServers] = useState(connection?.bootstrapServers ?? '');
  const [clientId, setClientId] = useState(connection?.clientId ?? 'kafka-desk');
  const [saslMechanism, setSaslMechanism] = useState<SaslMechanism | 'none'>(connection?.sasl?.mechanism ?? 'none');
  const [username, setUsername] = useState(connection?.sasl?.username ?? '');
  const [password, setPassword] = useState('');
  const [tlsEnabled, setTlsEnabled] = useState(connection?.tls.enabled ?? false);
  const [caFile, setCaFile] = useState(connection?.tls.caFile ?? '');
  const [certFile, setCertFile] = useState(connection?.tls.certFile ?? '');
  const [keyFile, setKeyFile] = useState(connection?.tls.keyFile ?? '');
  const [verify, setVerify] = useState(connection?.tls.rejectUnauthorized ?? true);
  const [connectTimeout, setConnectTimeout] = useState(toSeconds(connection?.timeouts.connectMs ?? DEFAULT_TIMEOUTS.connectMs));
  const [requestTimeout, setRequestTimeout] = useState(toSeconds(connection?.timeouts.requestMs ?? DEFAULT_TIMEOUTS.requestMs));
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<IpcError | null>(null);
  const [tested, setTested] = useState<ConnectionTestResult | null>(null);
  const [busy, setBusy] = useState(false);
  // The test under way, so Cancel can name it.
  const [testId, setTestId] = useState<string | null>(null);

  const input = (): ConnectionInput => ({
    ...(connection ? { id: connection.id } : {}),
    name,
    bootstrapServers,
    clientId,
    sasl: saslMechanism === 'none' ? null : { mechanism: saslMechanism, username, ...(password || !connection?.sasl?.hasPassword ? { password } : {}) },
    tls: {
      enabled: tlsEnabled,
      ...(caFile ? { caFile } : {}),
      ...(certFile ? { certFile } : {}),
      ...(keyFile ? { keyFile } : {}),
      rejectUnauthorized: verify,
    },
    timeouts: { connectMs: toMs(connectTimeout), requestMs: toMs(requestTimeout) },
  });

  const validate = (): ConnectionInput | null => {
    const candidate = input();
    const parsed = connectionInputSchema.safeParse(candidate);
    if (parsed.success) {
      setErrors({});
      return candidate;
    }
    const next: Errors = {};
    for (const issue of parsed.error.issues) {
      const path = issue.path.join('.');
      // A field left empty or not a number gets words about seconds, not about NaN.
      const notNumber = path.startsWith('timeouts.') && issue.code === 'invalid_type';
      next[path] ??= notNumber ? 'Enter a number of seconds, such as 5 or 2.5.' : issue.message;
    }
    setErrors(next);
    return null;
  };

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setFailure(null);
    setTested(null);
    try {
      await action();
    } finally {
      setBusy(false);
    }
  };

  const onTest = () =>
    run(async () => {
      const candidate = validate();
      if (!candidate) return;
      const id = newTestId();
      setTestId(id);
      const result = await testConnection(candidate, id);
      setTestId(null);
      if (result.ok) setTested(result.value);
      else setFailure(result.error);
    });

  const onCancelTest = () => {
    if (testId) void cancelTest(testId);
  };

  const onSave = () =>
    run(async () => {
      const candidate = validate();
      if (!candidate) return;
      const result = await saveConnection(candidate);
      if (result.ok) {
        selectConnection(result.value.id);
        onClose();
      } else setFailure(result.error);
    });

  const onDelete = () =>
    run(async () => {
      if (!connection) return;
      const result = await deleteConnection(connection.id);
      if (result.ok) onClose();
      else setFailure(result.error);
    });

  return (
    <Dialog
      title={connection ? `Edit ${connection.name}` : 'Add a connection'}
      onClose={onClose}
      wide
      onSubmit={() => void onSave()}
      error={failure?.message ?? null}
      errorTone={failure?.kind === 'cancelled' ? 'warning' : 'error'}
      cancelLabel={null}
      leadingActions={
        connection ? (
          <button type="button" className="button button-danger" disabled={busy} onClick={() => void onDelete()}>
            Delete
          </button>
        ) : null
      }
      actions={
        <>
          {testId ? (
            <button type="button" className="button" onClick={onCancelTest}>
              Cancel test
            </button>
          ) : (
            <button type="button" className="button" disabled={busy} onClick={() => void onTest()}>
              Test connection
            </button>
          )}
          <button type="submit" className="button button-primary" disabled={busy}>
            Save
          </button>
        </>
      }
    >
      <div className="form-grid">
        <Field label="Name" error={errors.name}>
          {(props) => <input {...props} value={name} onChange={(event) => setName(event.target.value)} placeholder="Production" />}
        </Field>
        <Field label="Client id" error={errors.clientId}>
          {(props) => <input {...props} value={clientId} onChange={(event) => setClientId(event.target.value)} />}
        </Field>
      </div>
      <Field label="Bootstrap servers" error={errors.bootstrapServers} hint="host:port pairs separated by commas">
        {(props) => (
          <input {...props} value={bootstrapServers} onChange={(event) => setBootstrapServers(event.target.value)} placeholder="broker1:9092,broker2:9092" />
        )}
      </Field>
      <fieldset>
        <legend>Authentication</legend>
        <div className="form-grid">
          <Field label="SASL mechanism">
            {(props) => (
              <select {...props} value={saslMechanism} onChange={(event) => setSaslMechanism(event.target.value as SaslMechanism | 'none')}>
                <option value="none">None</option>
                <option value="PLAIN">PLAIN</option>
                <option value="SCRAM-SHA-256">SCRAM-SHA-256</option>
                <option value="SCRAM-SHA-512">SCRAM-SHA-512</option>
              </select>
            )}
          </Field>
          {saslMechanism !== 'none' ? (
            <>
              <Field label="User name" error={errors['sasl.username']}>
                {(props) => <input {...props} value={username} autoComplete="off" onChange={(event) => setUsername(event.target.value)} />}
              </Field>
              <Field
                label="Password"
                error={errors['sasl.password']}
                hint={
                  (connection?.sasl?.hasPassword ? 'A password is saved; leave empty to keep it. ' : '') +
                  (secretStorage === 'encrypted'
                    ? 'Stored encrypted with the system keychain.'
                    : 'Kept in memory for this run only: it is not written to disk here.')
                }
              >
                {(props) => (
                  <input {...props} type="password" value={password} autoComplete="new-password" onChange={(event) => setPassword(event.target.value)} />
                )}
              </Field>
            </>
          ) : null}
        </div>
      </fieldset>
      <fieldset>
        <legend>TLS</legend>
        <label className="checkbox">
          <input type="checkbox" checked={tlsEnabled} onChange={(event) => setTlsEnabled(event.target.checked)} /> Use TLS
        </label>
        {tlsEnabled ? (
          <>
            <div className="form-grid">
              <Field label="CA certificate file" hint="PEM; empty uses the system's trusted CAs">
                {(props) => <input {...props} value={caFile} onChange={(event) => setCaFile(event.target.value)} placeholder="/path/to/ca.pem" />}
              </Field>
              <Field label="Client certificate file">
                {(props) => <input {...props} value={certFile} onChange={(event) => setCertFile(event.target.value)} />}
              </Field>
              <Field label="Client key file">{(props) => <input {...props} value={keyFile} onChange={(event) => setKeyFile(event.target.value)} />}</Field>
            </div>
            <label className="checkbox">
              <input type="checkbox" checked={verify} onChange={(event) => setVerify(event.target.checked)} /> Verify the cluster's certificate
            </label>
            {!verify ? (
              <div className="warning">Certificate checks are off for this connection: anyone on the network path could pose as the cluster.</div>
            ) : null}
          </>
        ) : null}
      </fieldset>
      <fieldset>
        <legend>Timeouts</legend>
        <div className="timeouts-grid">
          <Field label="Connect timeout (s)" error={errors['timeouts.connectMs']} hint="To open a connection to a broker (TCP, TLS, SASL).">
            {(props) => <input {...props} inputMode="decimal" value={connectTimeout} onChange={(event) => setConnectTimeout(event.target.value)} />}
          </Field>
          <Field label="Request timeout (s)" error={errors['timeouts.requestMs']} hint="To wait for the answer to each request.">
            {(props) => <input {...props} inputMode="decimal" value={requestTimeout} onChange={(event) => setRequestTimeout(event.target.value)} />}
          </Field>
        </div>
      </fieldset>
      {testId ? <ConnectionProgress activityKey={testActivityKey(testId)} /> : null}
      {tested ? (
        <div className={tested.unreachableBrokers.length ? 'warning' : 'form-success'} role="status">
          Connected in {tested.latencyMs} ms (Metadata round trip {formatRtt(tested.rttMs)}): {formatQuantity(tested.brokers, 'broker')}, cluster{' '}
          {tested.clusterId || '(no id)'}.
          {tested.unreachableBrokers.length ? (
            <>
              {' '}
              But {tested.unreachableBrokers.length} of them cannot be reached at the address the cluster gives for them (check its advertised listeners):
              <ul>
                {tested.unreachableBrokers.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
      ) : null}
    </Dialog>
  );
}
