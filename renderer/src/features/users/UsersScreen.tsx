// The Users screen (#15): the cluster's SCRAM users (KIP-554) with their mechanisms and iterations;
// create a user, change a password, delete a user. The password goes to the main process, which
// salts it (only the salted password reaches the broker). Without the DESCRIBE or ALTER right it says
// which is missing.
import { useState } from 'react';
import {
  SCRAM_MECHANISMS,
  SCRAM_MAX_ITERATIONS,
  SCRAM_MIN_ITERATIONS,
  scramCredentialRequestSchema,
  type ScramMechanism,
  type ScramUser,
} from '../../../../shared/model/acls';
import { ConfirmDialog, Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { ScreenHeader } from '../../components/ScreenHeader';
import { Empty } from '../../components/StateView';
import { formatQuantity } from '../../components/format';
import { useAppStore, useResource } from '../../store/hooks';
import { selectActiveAvailable, selectWriteBlock } from '../connections/connections-slice';
import { SecurityStateView } from '../acls/SecurityStateView';
import { usersQuery } from './users-slice';
import { ClientQuotas } from './ClientQuotas';

type Editing = { kind: 'create' } | { kind: 'password'; user: ScramUser } | { kind: 'delete'; user: ScramUser } | null;

export function UsersScreen() {
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const available = useAppStore(selectActiveAvailable);
  const writeBlock = useAppStore(selectWriteBlock);
  const [users, reload] = useResource(usersQuery(connectionId), available);
  const [editing, setEditing] = useState<Editing>(null);
  return (
    <section className="screen">
      <ScreenHeader title="Users" onRefresh={reload} refreshing={users.status === 'loading'}>
        <button
          type="button"
          className="button button-primary"
          disabled={Boolean(writeBlock)}
          title={writeBlock ?? undefined}
          onClick={() => setEditing({ kind: 'create' })}
        >
          Create user
        </button>
      </ScreenHeader>
      <p className="muted small">
        The SCRAM credentials the cluster stores (SCRAM-SHA-256, SCRAM-SHA-512). Kafka keeps PLAIN users in its brokers&apos; JAAS config, which no API lists;
        the embedded cluster checks PLAIN passwords against these credentials.
      </p>
      <SecurityStateView
        resource={users}
        onRetry={reload}
        loadingLabel="Loading users…"
        isEmpty={(data) => data.users.length === 0}
        empty={<Empty title="This cluster has no SCRAM users." />}
      >
        {(data) => (
          <>
            <p className="subtitle">
              {formatQuantity(data.users.length, 'user')}
              {data.connectedAs ? ` · connected as ${data.connectedAs}` : ''}
            </p>
            <table className="table compact" aria-label="SCRAM users">
              <thead>
                <tr>
                  <th>User</th>
                  <th>Mechanisms</th>
                  <th aria-label="Actions" />
                </tr>
              </thead>
              <tbody>
                {data.users.map((user) => (
                  <tr key={user.name}>
                    <td>
                      <code>{user.name}</code>
                      {data.connectedAs === `User:${user.name}` ? <span className="muted small"> (this connection)</span> : null}
                    </td>
                    <td>{user.credentials.map((credential) => `${credential.mechanism} (${credential.iterations} iterations)`).join(', ')}</td>
                    <td className="actions">
                      <button
                        type="button"
                        className="button button-small"
                        disabled={Boolean(writeBlock)}
                        title={writeBlock ?? undefined}
                        aria-label={`Change the password of ${user.name}`}
                        onClick={() => setEditing({ kind: 'password', user })}
                      >
                        Change password
                      </button>
                      <button
                        type="button"
                        className="button button-small button-danger"
                        disabled={Boolean(writeBlock)}
                        title={writeBlock ?? undefined}
                        aria-label={`Delete ${user.name}`}
                        onClick={() => setEditing({ kind: 'delete', user })}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </SecurityStateView>
      <ClientQuotas />
      {editing?.kind === 'create' || editing?.kind === 'password' ? (
        <CredentialDialog user={editing.kind === 'password' ? editing.user : null} onClose={() => setEditing(null)} />
      ) : null}
      {editing?.kind === 'delete' ? <DeleteUserDialog user={editing.user} onClose={() => setEditing(null)} /> : null}
    </section>
  );
}

/** Create a user (user null), or set a new password for one. */
function CredentialDialog({ user, onClose }: { user: ScramUser | null; onClose: () => void }) {
  const createUser = useAppStore((state) => state.createUser);
  const changeUserPassword = useAppStore((state) => state.changeUserPassword);
  const [name, setName] = useState(user?.name ?? '');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mechanisms, setMechanisms] = useState<ScramMechanism[]>(user ? user.credentials.map((credential) => credential.mechanism) : [...SCRAM_MECHANISMS]);
  const [iterations, setIterations] = useState('8192');
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const parsed = scramCredentialRequestSchema.safeParse({
    connectionId: 'form',
    user: name,
    password,
    mechanisms,
    iterations: /^\d+$/.test(iterations.trim()) ? Number(iterations) : NaN,
  });
  const errors: Record<string, string> = {};
  if (!parsed.success) for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
  if (!errors['password'] && repeat !== password) errors['repeat'] = 'The two passwords differ.';
  const valid = Object.keys(errors).length === 0;
  const shown = (field: string) => (submitted ? errors[field] : undefined);
  const dropped = user?.credentials.map((credential) => credential.mechanism).filter((mechanism) => !mechanisms.includes(mechanism)) ?? [];

  const submit = async () => {
    setSubmitted(true);
    if (!valid || !parsed.success) return;
    setBusy(true);
    // The store adds the active connection.
    const request = { user: parsed.data.user, password: parsed.data.password, mechanisms: parsed.data.mechanisms, iterations: parsed.data.iterations };
    const result = await (user ? changeUserPassword(request) : createUser(request));
    setBusy(false);
    if (result.ok) onClose();
    else setServerError(result.error.message);
  };
  return (
    <Dialog
      title={user ? `Change the password of ${user.name}` : 'Create user'}
      onClose={onClose}
      onSubmit={() => void submit()}
      error={serverError}
      actions={
        <button type="submit" className="button button-primary" disabled={busy || (submitted && !valid)}>
          {busy ? 'Saving…' : user ? 'Change password' : 'Create user'}
        </button>
      }
    >
      {user ? null : (
        <Field label="User name" error={shown('user')} hint="Clients log in with it; ACLs name it as User:name.">
          {(props) => <input {...props} value={name} spellCheck={false} autoComplete="off" onChange={(event) => setName(event.target.value)} />}
        </Field>
      )}
      <div className="form-grid">
        <Field label="Password" error={shown('password')}>
          {(props) => <input {...props} type="password" autoComplete="new-password" value={password} onChange={(event) => setPassword(event.target.value)} />}
        </Field>
        <Field label="Repeat the password" error={shown('repeat')}>
          {(props) => <input {...props} type="password" autoComplete="new-password" value={repeat} onChange={(event) => setRepeat(event.target.value)} />}
        </Field>
      </div>
      <fieldset className="field" aria-describedby="mechanisms-hint">
        <legend>Mechanisms</legend>
        {SCRAM_MECHANISMS.map((mechanism) => (
          <label key={mechanism} className="checkbox">
            <input
              type="checkbox"
              checked={mechanisms.includes(mechanism)}
              onChange={(event) =>
                setMechanisms((current) => (event.target.checked ? [...current, mechanism] : current.filter((entry) => entry !== mechanism)))
              }
            />
            {mechanism}
          </label>
        ))}
        {shown('mechanisms') ? <div className="field-error">{shown('mechanisms')}</div> : null}
        <div className="field-hint" id="mechanisms-hint">
          {dropped.length
            ? `${dropped.join(' and ')} will be removed, so the old password stops working everywhere.`
            : 'Clients choose one when they connect; both is the safe choice.'}
        </div>
      </fieldset>
      <Field label="Iterations" error={shown('iterations')} hint={`${SCRAM_MIN_ITERATIONS}–${SCRAM_MAX_ITERATIONS}; more is slower to guess and to log in.`}>
        {(props) => <input {...props} inputMode="numeric" value={iterations} onChange={(event) => setIterations(event.target.value)} />}
      </Field>
      <p className="muted small">The password is salted in Kafka Desk; only the salted password is sent to the cluster.</p>
    </Dialog>
  );
}

function DeleteUserDialog({ user, onClose }: { user: ScramUser; onClose: () => void }) {
  const deleteUser = useAppStore((state) => state.deleteUser);
  return (
    <ConfirmDialog
      title="Delete user"
      confirmLabel="Delete user"
      typeToConfirm={user.name}
      action={() => deleteUser(user.name)}
      onDone={onClose}
      onClose={onClose}
    >
      <p>
        Delete the SCRAM credentials of <strong>{user.name}</strong> ({user.credentials.map((credential) => credential.mechanism).join(', ')})? Clients logging
        in as this user with SCRAM are refused from their next login; its ACLs stay.
      </p>
    </ConfirmDialog>
  );
}
