import { SECURITY_PROTOCOL_CHOICES, type EmbeddedSecurityView } from '../../../../shared/model/schemas';
import { Field } from '../../components/Field';
import { isSasl, keptPassword, newUserRow, type SecurityForm, type SecurityProtocol } from './security-form';
import './settings.css';

const protocolWords: Record<SecurityProtocol, string> = {
  PLAINTEXT: 'PLAINTEXT: no TLS, no login',
  SSL: 'SSL: TLS with the cluster’s own CA',
  SASL_PLAINTEXT: 'SASL_PLAINTEXT: users log in, no TLS',
  SASL_SSL: 'SASL_SSL: TLS, and users log in',
};

/**
 * The embedded cluster's security in Settings, as `npm run cluster -- --security-protocol P --user
 * name:password ... --acl` runs it. A saved password is never shown: its field stays empty and keeps it.
 */
export function EmbeddedSecurityFields({
  form,
  saved,
  errors,
  onChange,
}: {
  form: SecurityForm;
  saved: EmbeddedSecurityView | undefined;
  errors: Record<string, string>;
  onChange: (form: SecurityForm) => void;
}) {
  const sasl = isSasl(form.protocol);
  const setUser = (key: number, change: Partial<{ name: string; password: string }>) =>
    onChange({ ...form, users: form.users.map((row) => (row.key === key ? { ...row, ...change } : row)) });
  return (
    <fieldset className="embedded-security" data-testid="embedded-security-settings">
      <legend>Security</legend>
      <p className="muted">
        As <code>npm run cluster -- --security-protocol … --user … --acl</code> runs it. With TLS, clients trust the CA made in the data directory; with SASL
        each user logs in with PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 (or an OAUTHBEARER token). Applies at the next start.
      </p>
      <Field label="Security protocol" error={errors.protocol}>
        {(props) => (
          <select {...props} value={form.protocol} onChange={(event) => onChange({ ...form, protocol: event.target.value as SecurityProtocol })}>
            {SECURITY_PROTOCOL_CHOICES.map((protocol) => (
              <option key={protocol} value={protocol}>
                {protocolWords[protocol]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="security-users" role="group" aria-label="Users">
        <div className="security-users-title">
          <strong>Users</strong>
          <span className="muted">
            {sasl ? 'Kafka Desk logs in as the first one (SCRAM-SHA-512).' : 'Used with SASL_PLAINTEXT or SASL_SSL.'} Removing a user here leaves its
            credentials in the cluster: delete it on the Users screen.
          </span>
        </div>
        {errors.users ? (
          <div className="field-error" role="alert">
            {errors.users}
          </div>
        ) : null}
        {form.users.map((row, index) => {
          const kept = keptPassword(saved, row.name);
          const role = index === 0 && sasl ? (form.acl ? 'Kafka Desk logs in as this user, a super user.' : 'Kafka Desk logs in as this user.') : null;
          const passwordHint =
            kept === 'kept'
              ? 'Kept (not shown). Leave empty to keep it.'
              : kept === 'not-in-this-run'
                ? 'Not known in this run (kept in memory only, without an OS keychain): enter it again.'
                : 'A new user: enter a password.';
          return (
            <div key={row.key} className="security-user" role="group" aria-label={`User ${index + 1}`}>
              <div className="form-grid">
                <Field label="Name" error={errors[`users.${index}.name`]} hint={role}>
                  {(props) => <input {...props} autoComplete="off" value={row.name} onChange={(event) => setUser(row.key, { name: event.target.value })} />}
                </Field>
                <Field label="Password" error={errors[`users.${index}.password`]} hint={row.password ? null : passwordHint}>
                  {(props) => (
                    <input
                      {...props}
                      type="password"
                      autoComplete="new-password"
                      placeholder={kept === 'kept' ? '••••••••' : ''}
                      value={row.password}
                      onChange={(event) => setUser(row.key, { password: event.target.value })}
                    />
                  )}
                </Field>
              </div>
              <button
                type="button"
                className="button button-small"
                aria-label={`Remove user ${index + 1}${row.name ? ` (${row.name})` : ''}`}
                onClick={() => onChange({ ...form, users: form.users.filter((other) => other.key !== row.key) })}
              >
                Remove
              </button>
            </div>
          );
        })}
        <button type="button" className="button button-small" onClick={() => onChange({ ...form, users: [...form.users, newUserRow()] })}>
          Add user
        </button>
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={form.acl} onChange={(event) => onChange({ ...form, acl: event.target.checked })} /> ACLs on: the authorizer checks every
        request, the first user is a super user, the others need ACLs (allow.everyone.if.no.acl.found=false)
      </label>
      {errors.acl ? (
        <div className="field-error" role="alert">
          {errors.acl}
        </div>
      ) : null}
    </fieldset>
  );
}
