import { useEffect, useState } from 'react';
import { embeddedSettingsSchema, type Settings } from '../../../../shared/model/schemas';
import type { IpcError } from '../../../../shared/ipc/contract';
import { Field } from '../../components/Field';
import { ScreenHeader } from '../../components/ScreenHeader';
import { ErrorMessage, Loading } from '../../components/StateView';
import { useAppStore } from '../../store/hooks';

export function SettingsScreen() {
  const api = useAppStore((state) => state.api);
  const appInfo = useAppStore((state) => state.appInfo.data);
  const running = useAppStore((state) => state.embedded.data);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [loadError, setLoadError] = useState<IpcError | null>(null);
  const [form, setForm] = useState({ enabled: true, brokers: '3', basePort: '19092', dataDir: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);

  useEffect(() => {
    void api.invoke('settings.get', {}).then((result) => {
      if (!result.ok) return setLoadError(result.error);
      setSettings(result.value);
      const embedded = result.value.embedded;
      setForm({ enabled: embedded.enabled, brokers: String(embedded.brokers), basePort: String(embedded.basePort), dataDir: embedded.dataDir });
    });
  }, [api]);

  const save = async () => {
    setSaved(false);
    setSaveError(null);
    const candidate = { enabled: form.enabled, brokers: Number(form.brokers), basePort: Number(form.basePort), dataDir: form.dataDir.trim() };
    const parsed = embeddedSettingsSchema.safeParse(candidate);
    if (!parsed.success) {
      const next: Record<string, string> = {};
      for (const issue of parsed.error.issues) next[String(issue.path[0])] ??= issue.message;
      setErrors(next);
      return;
    }
    setErrors({});
    const result = await api.invoke('settings.update', { embedded: parsed.data });
    if (result.ok) {
      setSettings(result.value);
      setSaved(true);
    } else setSaveError(result.error.message);
  };

  return (
    <section className="screen">
      <ScreenHeader title="Settings" />
      {loadError ? <ErrorMessage error={loadError} /> : null}
      {!settings && !loadError ? <Loading /> : null}
      {settings ? (
        <form
          className="form card narrow"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <h2 className="card-title">Embedded cluster</h2>
          <p className="muted">Changes take effect the next time Kafka Desk starts.</p>
          {running?.state === 'running' ? (
            <p className="muted">
              Running now: {running.brokers.length} broker{running.brokers.length === 1 ? '' : 's'} at <code>{running.bootstrapServers}</code>, data
              in <code>{running.dataDir}</code>
              {appInfo?.mode === 'web' ? ' (command-line flags of npm run web take precedence over these settings).' : '.'}
            </p>
          ) : null}
          <label className="checkbox">
            <input type="checkbox" checked={form.enabled} onChange={(event) => setForm({ ...form, enabled: event.target.checked })} /> Start the
            embedded cluster with the app
          </label>
          <div className="form-grid">
            <Field label="Brokers" error={errors.brokers}>
              {(props) => <input {...props} inputMode="numeric" value={form.brokers} onChange={(event) => setForm({ ...form, brokers: event.target.value })} />}
            </Field>
            <Field label="First port" error={errors.basePort} hint="Broker n listens on this port + n.">
              {(props) => <input {...props} inputMode="numeric" value={form.basePort} onChange={(event) => setForm({ ...form, basePort: event.target.value })} />}
            </Field>
          </div>
          <Field label="Data directory" error={errors.dataDir} hint={`Empty: ${appInfo?.userDataDir ?? 'the app data directory'}/kafka-data`}>
            {(props) => <input {...props} value={form.dataDir} onChange={(event) => setForm({ ...form, dataDir: event.target.value })} />}
          </Field>
          {saveError ? (
            <div className="form-error" role="alert">
              {saveError}
            </div>
          ) : null}
          {saved ? (
            <div className="form-success" role="status">
              Saved. Restart Kafka Desk to apply.
            </div>
          ) : null}
          <footer className="form-actions">
            <button type="submit" className="button button-primary">
              Save settings
            </button>
          </footer>
        </form>
      ) : null}
      {appInfo ? (
        <div className="card narrow">
          <h2 className="card-title">About</h2>
          <dl className="facts">
            <dt>Version</dt>
            <dd>{appInfo.version}</dd>
            <dt>Running as</dt>
            <dd>{appInfo.mode === 'web' ? 'web mode (npm run web)' : 'desktop app'}</dd>
            <dt>Data directory</dt>
            <dd>
              <code>{appInfo.userDataDir}</code>
            </dd>
            <dt>Saved passwords</dt>
            <dd>
              {appInfo.secretStorage === 'encrypted'
                ? 'encrypted with the system keychain'
                : 'kept in memory for this run only, never written to disk'}
            </dd>
          </dl>
        </div>
      ) : null}
    </section>
  );
}
