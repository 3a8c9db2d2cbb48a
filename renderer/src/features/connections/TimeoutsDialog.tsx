// The connect and request timeouts of a connection whose other settings cannot be edited: the
// embedded cluster's (its address, client id and security follow the cluster itself).
import { useState } from 'react';
import { connectionTimeoutsSchema, type ConnectionSummary } from '../../../../shared/model/schemas';
import type { IpcError } from '../../../../shared/ipc/contract';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { useAppStore } from '../../store/hooks';

type Errors = Partial<Record<'connectMs' | 'requestMs', string>>;

/** Seconds as typed ("2.5") to whole milliseconds; NaN when it is not a number. */
const toMs = (seconds: string) => (seconds.trim() === '' ? Number.NaN : Math.round(Number(seconds) * 1000));
const toSeconds = (ms: number) => String(ms / 1000);

export function TimeoutsDialog({ connection, onClose }: { connection: ConnectionSummary; onClose: () => void }) {
  const setConnectionTimeouts = useAppStore((state) => state.setConnectionTimeouts);
  const [connectTimeout, setConnectTimeout] = useState(toSeconds(connection.timeouts.connectMs));
  const [requestTimeout, setRequestTimeout] = useState(toSeconds(connection.timeouts.requestMs));
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);

  const onSave = async () => {
    const parsed = connectionTimeoutsSchema.safeParse({ connectMs: toMs(connectTimeout), requestMs: toMs(requestTimeout) });
    if (!parsed.success) {
      const next: Errors = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] as keyof Errors;
        next[field] ??= issue.code === 'invalid_type' ? 'Enter a number of seconds, such as 5 or 2.5.' : issue.message;
      }
      setErrors(next);
      return;
    }
    setErrors({});
    setBusy(true);
    setFailure(null);
    const result = await setConnectionTimeouts(connection.id, parsed.data);
    setBusy(false);
    if (result.ok) onClose();
    else setFailure(result.error);
  };

  return (
    <Dialog
      title={`Timeouts of ${connection.name}`}
      onClose={onClose}
      onSubmit={() => void onSave()}
      error={failure?.message ?? null}
      actions={
        <button type="submit" className="button button-primary" disabled={busy}>
          Save
        </button>
      }
    >
      <p className="muted">Calls under way on this connection end when the timeouts change.</p>
      <div className="timeouts-grid">
        <Field label="Connect timeout (s)" error={errors.connectMs} hint="To open a connection to a broker.">
          {(props) => <input {...props} inputMode="decimal" value={connectTimeout} onChange={(event) => setConnectTimeout(event.target.value)} />}
        </Field>
        <Field label="Request timeout (s)" error={errors.requestMs} hint="To wait for the answer to each request.">
          {(props) => <input {...props} inputMode="decimal" value={requestTimeout} onChange={(event) => setRequestTimeout(event.target.value)} />}
        </Field>
      </div>
    </Dialog>
  );
}
