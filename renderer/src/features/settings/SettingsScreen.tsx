import { useEffect, useState } from 'react';
import {
  KAFKA_VERSION_CHOICES,
  embeddedSettingsSchema,
  metadataModeProblem,
  metadataModesOf,
  type KafkaVersion,
  type MetadataModeChoice,
  type Settings,
} from '../../../../shared/model/schemas';
import type { IpcError } from '../../../../shared/ipc/contract';
import { Field } from '../../components/Field';
import { formatQuantity } from '../../components/format';
import { ScreenHeader } from '../../components/ScreenHeader';
import { ErrorMessage, Loading } from '../../components/StateView';
import { useAppStore } from '../../store/hooks';
import { RunConfigFacts } from '../cluster-panel/ClusterPanelScreen';
import { ThemeSwitch } from '../theme/ThemeSwitch';
import { EmbeddedSecurityFields } from './EmbeddedSecurityFields';
import { securityFieldOf, securityFormOf, securityUpdateOf, type SecurityForm } from './security-form';

const overrideFlag: Record<string, string> = {
  enabled: '--no-embedded',
  brokers: '--brokers',
  basePort: '--base-port',
  dataDir: '--data-dir',
  kafkaVersion: '--kafka-version',
  metadataMode: '--metadata-mode',
  security: '--security-protocol/--user/--acl',
};

export function SettingsScreen() {
  const api = useAppStore((state) => state.api);
  const appInfo = useAppStore((state) => state.appInfo.data);
  const running = useAppStore((state) => state.embedded.data);
  const loadEmbedded = useAppStore((state) => state.loadEmbedded);
  const restartEmbedded = useAppStore((state) => state.restartEmbedded);
  const startEmbedded = useAppStore((state) => state.startEmbedded);
  const clusterAction = useAppStore((state) => state.clusterAction);
  const navigate = useAppStore((state) => state.navigate);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [loadError, setLoadError] = useState<IpcError | null>(null);
  const [form, setForm] = useState({
    enabled: true,
    brokers: '3',
    basePort: '19092',
    dataDir: '',
    kafkaVersion: '' as KafkaVersion | '',
    metadataMode: '' as MetadataModeChoice | '',
    registryPort: '',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [security, setSecurity] = useState<SecurityForm>(() => securityFormOf(undefined));
  const [securityErrors, setSecurityErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<'saved' | 'applied' | null>(null);
  /** The last save moved the running schema registry to its new port (it applies at once). */
  const [registryMoved, setRegistryMoved] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);

  useEffect(() => {
    void api.invoke('settings.get', {}).then((result) => {
      if (!result.ok) return setLoadError(result.error);
      setSettings(result.value);
      const embedded = result.value.embedded;
      setForm({
        enabled: embedded.enabled,
        brokers: String(embedded.brokers),
        basePort: String(embedded.basePort),
        dataDir: embedded.dataDir,
        kafkaVersion: embedded.kafkaVersion ?? '',
        metadataMode: embedded.metadataMode ?? '',
        registryPort: embedded.schemaRegistryPort === undefined ? '' : String(embedded.schemaRegistryPort),
      });
      setSecurity(securityFormOf(embedded.security));
    });
    void loadEmbedded();
  }, [api, loadEmbedded]);

  /** Saves for the next launch; `apply` also (re)starts the embedded cluster with them now. */
  const save = async (apply = false) => {
    setSaved(null);
    setSaveError(null);
    setRegistryMoved(false);
    const { security: savedSecurity, ...savedEmbedded } = settings?.embedded ?? { security: undefined };
    const candidate = {
      ...savedEmbedded,
      enabled: form.enabled,
      brokers: Number(form.brokers),
      basePort: Number(form.basePort),
      dataDir: form.dataDir.trim(),
      kafkaVersion: form.kafkaVersion || null,
      metadataMode: form.metadataMode || null,
      schemaRegistryPort: form.registryPort.trim() === '' ? undefined : /^\d+$/.test(form.registryPort.trim()) ? Number(form.registryPort.trim()) : -1,
    };
    const parsed = embeddedSettingsSchema.safeParse(candidate);
    const securityUpdate = securityUpdateOf(security, savedSecurity);
    setSecurityErrors(securityUpdate.ok ? {} : securityUpdate.errors);
    const modeProblem = metadataModeProblem(candidate.kafkaVersion, candidate.metadataMode);
    if (!parsed.success || modeProblem) {
      const next: Record<string, string> = {};
      for (const issue of parsed.success ? [] : parsed.error.issues) next[String(issue.path[0])] ??= issue.message;
      if (modeProblem) next.metadataMode ??= modeProblem;
      setErrors(next);
    } else setErrors({});
    if (!parsed.success || modeProblem || !securityUpdate.ok) return;
    const registryMoved = parsed.data.schemaRegistryPort !== settings?.embedded.schemaRegistryPort;
    const result = await api.invoke('settings.update', {
      embedded: { ...parsed.data, ...(securityUpdate.security ? { security: securityUpdate.security } : {}) },
    });
    if (!result.ok) {
      // The main process checks everything again: its word goes beside the field it names.
      const fromMain: Record<string, string> = {};
      for (const issue of result.error.issues ?? []) {
        const field = securityFieldOf(issue.path, security);
        if (field) fromMain[field] ??= issue.message;
      }
      setSecurityErrors(fromMain);
      setSaveError(result.error.message);
      // Saved all the same when only the registry's move failed: the form shows what is saved now.
      void api.invoke('settings.get', {}).then((current) => current.ok && setSettings(current.value));
      return;
    }
    setSettings(result.value);
    setRegistryMoved(registryMoved && running?.state === 'running');
    setSecurity(securityFormOf(result.value.embedded.security));
    if (!apply) {
      setSaved('saved');
      return;
    }
    const config = {
      brokers: parsed.data.brokers,
      basePort: parsed.data.basePort,
      dataDir: parsed.data.dataDir,
      kafkaVersion: parsed.data.kafkaVersion ?? null,
      metadataMode: parsed.data.metadataMode ?? null,
    };
    const status = running?.state === 'running' ? await restartEmbedded(config) : await startEmbedded(config);
    if (status?.state === 'running') setSaved('applied');
    else setSaveError(status?.message ?? 'The embedded cluster did not start; see the Cluster panel.');
  };

  // Where the saved settings and the running cluster differ (a --base-port flag, free ports chosen
  // after a port clash): said, with a way to keep what runs.
  const differences: string[] = [];
  if (running && settings && running.state !== 'disabled') {
    const next = settings.embedded;
    if (next.basePort !== running.config.basePort) differences.push(`first port ${running.config.basePort} (saved: ${next.basePort})`);
    if (next.brokers !== running.config.brokers) differences.push(`${formatQuantity(running.config.brokers, 'broker')} (saved: ${next.brokers})`);
    const release = (version: string | null | undefined) => (version ? `Kafka ${version}` : 'the newest Kafka');
    if ((next.kafkaVersion ?? null) !== (running.config.kafkaVersion ?? null)) {
      differences.push(`${release(running.config.kafkaVersion)} (saved: ${release(next.kafkaVersion)})`);
    } else if ((next.metadataMode ?? null) !== (running.config.metadataMode ?? null)) {
      const mode = (m: string | null | undefined) =>
        m === 'kraft' ? 'KRaft brokers' : m === 'zookeeper' ? 'ZooKeeper brokers' : "the release's default brokers";
      differences.push(`${mode(running.config.metadataMode)} (saved: ${mode(next.metadataMode)})`);
    }
  }
  const flags = running?.launchOverrides.map((key) => overrideFlag[key]).filter(Boolean) ?? [];

  return (
    <section className="screen">
      <ScreenHeader title="Settings" />
      <ThemeSwitch />
      {loadError ? <ErrorMessage error={loadError} /> : null}
      {!settings && !loadError ? <Loading /> : null}
      {running ? (
        <div className="card narrow running-now" data-testid="embedded-running-now">
          <h2 className="card-title">Embedded cluster now</h2>
          <p>
            {running.state === 'running'
              ? `Running: ${running.bootstrapServers}`
              : `${running.state[0]?.toUpperCase()}${running.state.slice(1)}${running.message ? `: ${running.message}` : '.'}`}
          </p>
          <RunConfigFacts status={running} />
          <footer className="form-actions">
            <button type="button" className="button" onClick={() => navigate('cluster')}>
              Open the Cluster panel
            </button>
          </footer>
        </div>
      ) : null}
      {settings ? (
        <form
          className="form card narrow"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <h2 className="card-title">Embedded cluster at the next launch</h2>
          <p className="muted">
            Kafka Desk starts the embedded cluster with these settings when it starts. <em>Save</em> keeps them for then;{' '}
            <em>Save and {running?.state === 'running' ? 'restart' : 'start'} now</em> also applies them to this run.
          </p>
          {appInfo?.mode === 'web' && flags.length ? (
            <p className="muted" data-testid="launch-overrides">
              This run of <code>npm run web</code> was started with {flags.join(' and ')}; flags given at a start win over these settings for that run
              {running?.launchOverrides.includes('security') ? ' (the security flags until the security is saved here)' : ''}.
            </p>
          ) : null}
          {differences.length ? (
            <div className="warning" data-testid="settings-differ">
              This run uses {differences.join(' and ')}.{' '}
              <button
                type="button"
                className="link-button"
                onClick={() =>
                  running &&
                  setForm({
                    ...form,
                    brokers: String(running.config.brokers),
                    basePort: String(running.config.basePort),
                    kafkaVersion: running.config.kafkaVersion ?? '',
                    metadataMode: running.config.metadataMode ?? '',
                  })
                }
              >
                Use the running values
              </button>
            </div>
          ) : null}
          <label className="checkbox">
            <input type="checkbox" checked={form.enabled} onChange={(event) => setForm({ ...form, enabled: event.target.checked })} /> Start the embedded
            cluster with the app
          </label>
          <div className="form-grid">
            <Field label="Brokers" error={errors.brokers}>
              {(props) => <input {...props} inputMode="numeric" value={form.brokers} onChange={(event) => setForm({ ...form, brokers: event.target.value })} />}
            </Field>
            <Field label="First port" error={errors.basePort} hint="Broker n listens on this port + n.">
              {(props) => (
                <input {...props} inputMode="numeric" value={form.basePort} onChange={(event) => setForm({ ...form, basePort: event.target.value })} />
              )}
            </Field>
            <Field
              label="Schema registry port"
              error={errors.schemaRegistryPort ? 'Use a port from 0 to 65535 (0: any free port).' : null}
              hint={`Empty: 18081. Applies at once: saving moves the running registry to it, the brokers keep running${running?.schemaRegistryUrl ? `; now ${running.schemaRegistryUrl}` : ''}.`}
            >
              {(props) => (
                <input
                  {...props}
                  inputMode="numeric"
                  placeholder="18081"
                  value={form.registryPort}
                  onChange={(event) => setForm({ ...form, registryPort: event.target.value })}
                />
              )}
            </Field>
          </div>
          <Field
            label="Kafka release"
            error={errors.kafkaVersion}
            hint="The brokers advertise and accept the API versions of this Apache Kafka release, to stand in for the cluster you run."
          >
            {(props) => (
              <select
                {...props}
                value={form.kafkaVersion}
                onChange={(event) => {
                  const kafkaVersion = event.target.value as KafkaVersion | '';
                  // A mode the new release did not have goes back to its default.
                  const keep = kafkaVersion !== '' && form.metadataMode !== '' && metadataModesOf(kafkaVersion).includes(form.metadataMode);
                  setForm({ ...form, kafkaVersion, metadataMode: keep ? form.metadataMode : '' });
                }}
              >
                <option value="">Newest (every version the embedded brokers implement)</option>
                {KAFKA_VERSION_CHOICES.map((version) => (
                  <option key={version} value={version}>
                    Kafka {version}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {form.kafkaVersion && metadataModesOf(form.kafkaVersion).length > 1 ? (
            <Field
              label="Brokers' metadata mode"
              error={errors.metadataMode}
              hint={`Kafka ${form.kafkaVersion} ran ZooKeeper-mode or KRaft brokers, which advertise different APIs (the controller channel; the quorum and client-metrics APIs).`}
            >
              {(props) => (
                <select
                  {...props}
                  value={form.metadataMode}
                  onChange={(event) => setForm({ ...form, metadataMode: event.target.value as MetadataModeChoice | '' })}
                >
                  <option value="">ZooKeeper mode (the release&apos;s default)</option>
                  <option value="kraft">KRaft mode</option>
                </select>
              )}
            </Field>
          ) : null}
          <Field label="Data directory" error={errors.dataDir} hint={`Empty: ${appInfo?.userDataDir ?? 'the app data directory'}/kafka-data`}>
            {(props) => <input {...props} value={form.dataDir} onChange={(event) => setForm({ ...form, dataDir: event.target.value })} />}
          </Field>
          <EmbeddedSecurityFields
            form={security}
            saved={settings.embedded.security}
            errors={securityErrors}
            onChange={(next) => {
              setSecurity(next);
              // Errors once shown follow the edits: a fixed field loses its error as it is typed.
              if (Object.keys(securityErrors).length > 0) {
                const checked = securityUpdateOf(next, settings.embedded.security);
                setSecurityErrors(checked.ok ? {} : checked.errors);
              }
            }}
          />
          {saveError ? (
            <div className="form-error" role="alert">
              {saveError}
            </div>
          ) : null}
          {saved ? (
            <div className="form-success" role="status">
              {saved === 'applied'
                ? 'Saved, and the embedded cluster runs with them now.'
                : registryMoved
                  ? `Saved. The schema registry serves at ${running?.schemaRegistryUrl ?? 'its new port'} now; the other settings apply at the next launch.`
                  : 'Saved. They apply at the next launch.'}
            </div>
          ) : null}
          <footer className="form-actions">
            <button type="submit" className="button button-primary" disabled={Boolean(clusterAction)}>
              Save settings
            </button>
            <button type="button" className="button" disabled={Boolean(clusterAction)} onClick={() => void save(true)}>
              {clusterAction === 'restart' || clusterAction === 'start'
                ? 'Applying…'
                : running?.state === 'running'
                  ? 'Save and restart now'
                  : 'Save and start now'}
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
            <dd>{appInfo.secretStorage === 'encrypted' ? 'encrypted with the system keychain' : 'kept in memory for this run only, never written to disk'}</dd>
          </dl>
        </div>
      ) : null}
    </section>
  );
}
