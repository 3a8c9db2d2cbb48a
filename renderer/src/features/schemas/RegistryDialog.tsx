// Which schema registry the active connection uses: the embedded cluster's own (embedded connection
// only), an external URL with basic auth or a bearer token and a CA file, or none. Secrets go to the
// main process and never come back: a blank password keeps the stored one.
import { useState } from 'react';
import { registryInputSchema, type RegistryInput, type RegistrySummary } from '../../../../shared/model/registry';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { useAppStore } from '../../store/hooks';

type Kind = RegistrySummary['kind'];
type AuthKind = RegistrySummary['auth']['kind'];

export function RegistryDialog({ current, embedded, onClose }: { current: RegistrySummary | null; embedded: boolean; onClose: () => void }) {
  const saveRegistry = useAppStore((state) => state.saveRegistry);
  const [kind, setKind] = useState<Kind>(current?.kind ?? (embedded ? 'embedded' : 'none'));
  const external = current?.kind === 'external' ? current : null;
  const [url, setUrl] = useState(external?.url ?? '');
  const [auth, setAuth] = useState<AuthKind>(external?.auth.kind ?? 'none');
  const [username, setUsername] = useState(external?.auth.username ?? '');
  const [secret, setSecret] = useState('');
  const [caFile, setCaFile] = useState(external?.caFile ?? '');
  const [verify, setVerify] = useState(external?.rejectUnauthorized ?? true);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const keepsSecret = Boolean(external?.auth.hasSecret && external.auth.kind === auth);

  const submit = async () => {
    setError(null);
    const candidate: RegistryInput =
      kind === 'external'
        ? {
            kind,
            url: url.trim(),
            auth:
              auth === 'basic'
                ? { kind: 'basic', username: username.trim(), ...(secret ? { password: secret } : {}) }
                : auth === 'bearer'
                  ? { kind: 'bearer', ...(secret ? { token: secret } : {}) }
                  : { kind: 'none' },
            ...(caFile.trim() ? { caFile: caFile.trim() } : {}),
            rejectUnauthorized: verify,
          }
        : { kind };
    const parsed = registryInputSchema.safeParse(candidate);
    if (!parsed.success) {
      const next: Record<string, string> = {};
      for (const issue of parsed.error.issues) next[issue.path.filter((part) => part !== 'auth').join('.') || 'kind'] ??= issue.message;
      setErrors(next);
      return;
    }
    setErrors({});
    setBusy(true);
    const result = await saveRegistry(candidate);
    setBusy(false);
    if (result.ok) onClose();
    else setError(result.error.message);
  };

  return (
    <Dialog
      title="Schema registry"
      onClose={onClose}
      onSubmit={() => void submit()}
      error={error}
      actions={
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
      }
    >
      <Field label="Registry" error={errors.kind}>
        {(props) => (
          <select {...props} value={kind} onChange={(event) => setKind(event.target.value as Kind)}>
            {embedded ? <option value="embedded">The embedded cluster&apos;s registry</option> : null}
            <option value="external">A registry at a URL</option>
            <option value="none">None</option>
          </select>
        )}
      </Field>
      {kind === 'external' ? (
        <>
          <Field label="URL" error={errors.url} hint="Confluent Schema Registry or a compatible one (Redpanda, Apicurio's ccompat API, Karapace).">
            {(props) => <input {...props} value={url} placeholder="https://registry.example.com:8081" onChange={(event) => setUrl(event.target.value)} />}
          </Field>
          <Field label="Authentication">
            {(props) => (
              <select {...props} value={auth} onChange={(event) => setAuth(event.target.value as AuthKind)}>
                <option value="none">None</option>
                <option value="basic">User name and password (basic)</option>
                <option value="bearer">Bearer token</option>
              </select>
            )}
          </Field>
          {auth === 'basic' ? (
            <div className="form-grid">
              <Field label="User name" error={errors.username}>
                {(props) => <input {...props} value={username} autoComplete="off" onChange={(event) => setUsername(event.target.value)} />}
              </Field>
              <Field label="Password" error={errors.password} hint={keepsSecret ? 'Blank keeps the saved password.' : undefined}>
                {(props) => <input {...props} type="password" value={secret} autoComplete="new-password" onChange={(event) => setSecret(event.target.value)} />}
              </Field>
            </div>
          ) : auth === 'bearer' ? (
            <Field label="Token" error={errors.token} hint={keepsSecret ? 'Blank keeps the saved token.' : undefined}>
              {(props) => <input {...props} type="password" value={secret} autoComplete="off" onChange={(event) => setSecret(event.target.value)} />}
            </Field>
          ) : null}
          <Field label="CA certificate file (PEM)" error={errors.caFile} hint="For https with a private CA; empty: the system's CAs.">
            {(props) => <input {...props} value={caFile} placeholder="/path/to/ca.pem" onChange={(event) => setCaFile(event.target.value)} />}
          </Field>
          <label className="checkbox">
            <input type="checkbox" checked={verify} onChange={(event) => setVerify(event.target.checked)} /> Check the registry&apos;s certificate
          </label>
        </>
      ) : null}
    </Dialog>
  );
}
