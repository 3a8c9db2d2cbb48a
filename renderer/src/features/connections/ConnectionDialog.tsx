// Add or edit an external cluster: bootstrap servers, SASL (PLAIN, SCRAM, OAUTHBEARER with a token or
// OAuth client credentials), TLS (CA file or the system store, client certificate, hostname check), or
// import all of it from a client .properties file. Secrets (password, token, client secret) go to the
// main process and never come back: an edited connection shows "saved" and keeps its secret unless a
// new one is typed. A failed test says which security mismatch it is and what to change.
import { useState } from 'react';
import {
  DEFAULT_TIMEOUTS,
  connectionInputSchema,
  type ConnectionInput,
  type ConnectionSummary,
  type ConnectionTestResult,
  type OAuthSettings,
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

  // The connection edited: the one opened, or the one a .properties import just saved.
  const [current, setCurrent] = useState(connection);
  const [name, setName] = useState(connection?.name ?? '');
  const [bootstrapServers, setBootstrapServers] = useState(connection?.bootstrapServers ?? '');
  const [clientId, setClientId] = useState(connection?.clientId ?? 'kafka-desk');
  const [saslMechanism, setSaslMechanism] = useState<SaslMechanism | 'none'>(connection?.sasl?.mechanism ?? 'none');
  const [username, setUsername] = useState(connection?.sasl?.username ?? '');
  const [password, setPassword] = useState('');
  const [oauthMethod, setOauthMethod] = useState<OAuthSettings['method']>(connection?.sasl?.oauth?.method ?? 'token');
  const [tokenEndpoint, setTokenEndpoint] = useState(connection?.sasl?.oauth?.tokenEndpoint ?? '');
  const [oauthClientId, setOauthClientId] = useState(connection?.sasl?.oauth?.clientId ?? '');
  const [scope, setScope] = useState(connection?.sasl?.oauth?.scope ?? '');
  const [tlsEnabled, setTlsEnabled] = useState(connection?.tls.enabled ?? false);
  const [caSource, setCaSource] = useState<'system' | 'file'>(connection?.tls.caFile ? 'file' : 'system');
  const [caFile, setCaFile] = useState(connection?.tls.caFile ?? '');
  const [certFile, setCertFile] = useState(connection?.tls.certFile ?? '');
  const [keyFile, setKeyFile] = useState(connection?.tls.keyFile ?? '');
  const [verify, setVerify] = useState(connection?.tls.rejectUnauthorized ?? true);
  const [verifyHostname, setVerifyHostname] = useState(connection?.tls.verifyHostname ?? true);
  const [importing, setImporting] = useState(false);
  const [importPath, setImportPath] = useState('');
  const [imported, setImported] = useState<{ warnings: string[]; ignored: string[] } | null>(null);
  const importProperties = useAppStore((state) => state.importProperties);
  const [connectTimeout, setConnectTimeout] = useState(toSeconds(connection?.timeouts.connectMs ?? DEFAULT_TIMEOUTS.connectMs));
  const [requestTimeout, setRequestTimeout] = useState(toSeconds(connection?.timeouts.requestMs ?? DEFAULT_TIMEOUTS.requestMs));
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<IpcError | null>(null);
  const [tested, setTested] = useState<ConnectionTestResult | null>(null);
  const [busy, setBusy] = useState(false);
  // The test under way, so Cancel can name it.
  const [testId, setTestId] = useState<string | null>(null);

  // The secret kept for the connection is of the kind now chosen (a password stays a password).
  const secretKept =
    Boolean(current?.sasl?.hasPassword) &&
    (current?.sasl?.mechanism === 'OAUTHBEARER') === (saslMechanism === 'OAUTHBEARER') &&
    (saslMechanism !== 'OAUTHBEARER' || (current?.sasl?.oauth?.method ?? 'token') === oauthMethod);
  const securityProtocol = `${saslMechanism === 'none' ? '' : 'SASL_'}${tlsEnabled ? 'SSL' : 'PLAINTEXT'}`;
  const secretHint = (what: string) =>
    (secretKept ? `A ${what} is saved; leave empty to keep it. ` : '') +
    (secretStorage === 'encrypted' ? 'Stored encrypted with the system keychain.' : 'Kept in memory for this run only: it is not written to disk here.');

  const oauth = (): OAuthSettings =>
    oauthMethod === 'token'
      ? { method: 'token' }
      : { method: 'client-credentials', tokenEndpoint, clientId: oauthClientId, ...(scope.trim() ? { scope } : {}) };

  const input = (): ConnectionInput => ({
    ...(current ? { id: current.id } : {}),
    name,
    bootstrapServers,
    clientId,
    sasl:
      saslMechanism === 'none'
        ? null
        : {
            mechanism: saslMechanism,
            ...(saslMechanism === 'OAUTHBEARER' ? { oauth: oauth() } : { username }),
            ...(password || !secretKept ? { password } : {}),
          },
    tls: {
      enabled: tlsEnabled,
      ...(caSource === 'file' && caFile ? { caFile } : {}),
      ...(certFile ? { certFile } : {}),
      ...(keyFile ? { keyFile } : {}),
      rejectUnauthorized: verify,
      verifyHostname,
    },
    timeouts: { connectMs: toMs(connectTimeout), requestMs: toMs(requestTimeout) },
  });

  /** The form from a saved connection (after an import). */
  const fill = (saved: ConnectionSummary) => {
    setCurrent(saved);
    setName(saved.name);
    setBootstrapServers(saved.bootstrapServers);
    setClientId(saved.clientId);
    setSaslMechanism(saved.sasl?.mechanism ?? 'none');
    setUsername(saved.sasl?.username ?? '');
    setPassword('');
    setOauthMethod(saved.sasl?.oauth?.method ?? 'token');
    setTokenEndpoint(saved.sasl?.oauth?.tokenEndpoint ?? '');
    setOauthClientId(saved.sasl?.oauth?.clientId ?? '');
    setScope(saved.sasl?.oauth?.scope ?? '');
    setTlsEnabled(saved.tls.enabled);
    setCaSource(saved.tls.caFile ? 'file' : 'system');
    setCaFile(saved.tls.caFile ?? '');
    setCertFile(saved.tls.certFile ?? '');
    setKeyFile(saved.tls.keyFile ?? '');
    setVerify(saved.tls.rejectUnauthorized);
    setVerifyHostname(saved.tls.verifyHostname);
  };

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

  const onImport = () =>
    run(async () => {
      const result = await importProperties(importPath);
      if (!result.ok) {
        setFailure(result.error);
        return;
      }
      fill(result.value.connection);
      setImported({ warnings: result.value.warnings, ignored: result.value.ignored });
      setImporting(false);
      setErrors({});
    });

  const onDelete = () =>
    run(async () => {
      if (!current) return;
      const result = await deleteConnection(current.id);
      if (result.ok) onClose();
      else setFailure(result.error);
    });

  return (
    <Dialog
      title={current ? `Edit ${current.name}` : 'Add a connection'}
      onClose={onClose}
      wide
      onSubmit={() => void (importing ? onImport() : onSave())}
      error={
        failure ? (
          <>
            {failure.message}
            {failure.hint ? <div className="failure-hint">{failure.hint}</div> : null}
          </>
        ) : null
      }
      errorTone={failure?.kind === 'cancelled' ? 'warning' : 'error'}
      cancelLabel={null}
      leadingActions={
        current ? (
          <button type="button" className="button button-danger" disabled={busy} onClick={() => void onDelete()}>
            Delete
          </button>
        ) : (
          <button type="button" className="button" disabled={busy} aria-expanded={importing} onClick={() => setImporting(!importing)}>
            Import .properties…
          </button>
        )
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
      {importing ? (
        <fieldset className="import-properties">
          <legend>Import a client .properties file</legend>
          <div className="import-row">
            <Field
              label="File"
              hint="Its full path. Kafka (Java) and librdkafka names are read: bootstrap.servers, security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.location, ssl.ca.location, …"
            >
              {(props) => (
                <input {...props} value={importPath} onChange={(event) => setImportPath(event.target.value)} placeholder="/path/to/client.properties" />
              )}
            </Field>
            <button type="button" className="button button-primary" disabled={busy || importPath.trim() === ''} onClick={() => void onImport()}>
              Import
            </button>
          </div>
        </fieldset>
      ) : null}
      {imported ? (
        <div className={imported.warnings.length ? 'warning' : 'form-success'} role="status">
          Imported and saved{imported.warnings.length ? ', but:' : '.'}
          {imported.warnings.length ? (
            <ul>
              {imported.warnings.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          ) : null}
          {imported.ignored.length ? <div className="field-hint">Not used for connecting: {imported.ignored.join(', ')}.</div> : null}
        </div>
      ) : null}
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
          <Field label="SASL mechanism" hint={`security.protocol=${securityProtocol}`}>
            {(props) => (
              <select {...props} value={saslMechanism} onChange={(event) => setSaslMechanism(event.target.value as SaslMechanism | 'none')}>
                <option value="none">None</option>
                <option value="PLAIN">PLAIN</option>
                <option value="SCRAM-SHA-256">SCRAM-SHA-256</option>
                <option value="SCRAM-SHA-512">SCRAM-SHA-512</option>
                <option value="OAUTHBEARER">OAUTHBEARER</option>
              </select>
            )}
          </Field>
          {saslMechanism === 'OAUTHBEARER' ? (
            <Field label="Token from">
              {(props) => (
                <select {...props} value={oauthMethod} onChange={(event) => setOauthMethod(event.target.value as OAuthSettings['method'])}>
                  <option value="token">A token I enter</option>
                  <option value="client-credentials">A token endpoint (client credentials)</option>
                </select>
              )}
            </Field>
          ) : null}
          {saslMechanism === 'PLAIN' || saslMechanism === 'SCRAM-SHA-256' || saslMechanism === 'SCRAM-SHA-512' ? (
            <>
              <Field label="User name" error={errors['sasl.username']}>
                {(props) => <input {...props} value={username} autoComplete="off" onChange={(event) => setUsername(event.target.value)} />}
              </Field>
              <Field label="Password" error={errors['sasl.password']} hint={secretHint('password')}>
                {(props) => (
                  <input {...props} type="password" value={password} autoComplete="new-password" onChange={(event) => setPassword(event.target.value)} />
                )}
              </Field>
            </>
          ) : null}
          {saslMechanism === 'OAUTHBEARER' && oauthMethod === 'token' ? (
            <Field label="Token" error={errors['sasl.password']} hint={secretHint('token')}>
              {(props) => (
                <input
                  {...props}
                  type="password"
                  value={password}
                  autoComplete="off"
                  placeholder="eyJhbGciOi…"
                  onChange={(event) => setPassword(event.target.value)}
                />
              )}
            </Field>
          ) : null}
          {saslMechanism === 'OAUTHBEARER' && oauthMethod === 'client-credentials' ? (
            <>
              <div className="grid-span-all">
                <Field label="Token endpoint" error={errors['sasl.oauth.tokenEndpoint']} hint="sasl.oauthbearer.token.endpoint.url">
                  {(props) => (
                    <input
                      {...props}
                      value={tokenEndpoint}
                      onChange={(event) => setTokenEndpoint(event.target.value)}
                      placeholder="https://idp.example.com/oauth2/token"
                    />
                  )}
                </Field>
              </div>
              <Field label="OAuth client id" error={errors['sasl.oauth.clientId']}>
                {(props) => <input {...props} value={oauthClientId} autoComplete="off" onChange={(event) => setOauthClientId(event.target.value)} />}
              </Field>
              <Field label="OAuth client secret" error={errors['sasl.password']} hint={secretHint('client secret')}>
                {(props) => (
                  <input {...props} type="password" value={password} autoComplete="new-password" onChange={(event) => setPassword(event.target.value)} />
                )}
              </Field>
              <Field label="Scope" hint="Optional, space-separated">
                {(props) => <input {...props} value={scope} onChange={(event) => setScope(event.target.value)} />}
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
            <div className="form-grid tls-ca-grid">
              <Field label="Trusted CAs">
                {(props) => (
                  <select {...props} value={caSource} onChange={(event) => setCaSource(event.target.value as 'system' | 'file')}>
                    <option value="system">The system's trust store</option>
                    <option value="file">A CA file (PEM)</option>
                  </select>
                )}
              </Field>
              {caSource === 'file' ? (
                <Field label="CA certificate file" error={errors['tls.caFile']} hint="ssl.ca.location / ssl.truststore.location (PEM)">
                  {(props) => <input {...props} value={caFile} onChange={(event) => setCaFile(event.target.value)} placeholder="/path/to/ca.pem" />}
                </Field>
              ) : null}
            </div>
            <div className="form-grid tls-client-grid">
              <Field label="Client certificate file" hint="Optional: for clusters that ask for one (PEM)">
                {(props) => <input {...props} value={certFile} onChange={(event) => setCertFile(event.target.value)} placeholder="/path/to/client.pem" />}
              </Field>
              <Field label="Client key file" hint="Its private key, unencrypted (PEM)">
                {(props) => <input {...props} value={keyFile} onChange={(event) => setKeyFile(event.target.value)} placeholder="/path/to/client-key.pem" />}
              </Field>
            </div>
            <label className="checkbox">
              <input type="checkbox" checked={verifyHostname} disabled={!verify} onChange={(event) => setVerifyHostname(event.target.checked)} /> Verify that
              the certificate names the broker's host
            </label>
            <label className="checkbox">
              <input type="checkbox" checked={verify} onChange={(event) => setVerify(event.target.checked)} /> Verify the cluster's certificate
            </label>
            {!verify ? (
              <div className="warning">Certificate checks are off for this connection: anyone on the network path could pose as the cluster.</div>
            ) : !verifyHostname ? (
              <div className="warning">
                Hostname verification is off: the certificate must still come from a trusted CA, but any certificate that CA issued is accepted for these
                brokers.
              </div>
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
