import { useState } from 'react';
import type { ConfigEntry, ConfigSource } from '../../../../shared/model/schemas';
import { Badge, type BadgeTone } from '../../components/Badge';
import { readableConfigValue } from './config-units';
import { topicConfigDoc } from '../../../../shared/model/topic-config-docs';

const sourceLabels: Record<ConfigSource, { label: string; tone: BadgeTone }> = {
  topic: { label: 'topic override', tone: 'accent' },
  'dynamic-broker': { label: 'broker (dynamic)', tone: 'neutral' },
  'dynamic-default-broker': { label: 'cluster default (dynamic)', tone: 'neutral' },
  'static-broker': { label: 'broker config', tone: 'neutral' },
  default: { label: 'Kafka default', tone: 'neutral' },
  unknown: { label: 'unknown', tone: 'neutral' },
};

export function ConfigsTable({
  configs,
  onSave,
  writeBlock = null,
}: {
  configs: readonly ConfigEntry[];
  onSave: (set: Record<string, string>, reset: string[]) => Promise<string | null>;
  /** Why changes cannot be sent now (the cluster is down), or null. */
  writeBlock?: string | null;
}) {
  const [editing, setEditing] = useState<{ name: string; value: string } | null>(null);
  const [error, setError] = useState<{ name: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [search, setSearch] = useState('');
  const needle = search.trim().toLowerCase();
  const shown = needle
    ? configs.filter((config) => config.name.includes(needle) || (topicConfigDoc(config.name)?.description.toLowerCase().includes(needle) ?? false))
    : configs;

  const save = async (set: Record<string, string>, reset: string[], name: string) => {
    setBusy(true);
    const failure = await onSave(set, reset);
    setBusy(false);
    if (failure) setError({ name, message: failure });
    else {
      setError(null);
      setEditing(null);
    }
  };

  return (
    <>
      <div className="filter-row">
        <input
          type="search"
          className="search"
          aria-label="Search configs"
          placeholder="Search configs and what they do"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
        <span className="muted small">
          {needle ? `${shown.length} of ${configs.length} configs match` : `${configs.length} configs`} · descriptions and defaults from Kafka's documentation
        </span>
      </div>
      <table className="table" aria-label="Configs">
        <thead>
          <tr>
            <th>Config</th>
            <th>Value</th>
            <th>Source</th>
            <th>Default</th>
            <th aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {shown.map((config) => {
            const source = sourceLabels[config.source];
            const doc = topicConfigDoc(config.name);
            const isEditing = editing?.name === config.name;
            return (
              <tr key={config.name} className={config.source === 'topic' ? 'row-accent' : undefined}>
                <td className="config-name">
                  <code>{config.name}</code>
                  {doc ? <div className="muted small config-description">{doc.description}</div> : null}
                </td>
                <td className="config-value">
                  {isEditing ? (
                    <form
                      className="inline-form"
                      onSubmit={(event) => {
                        event.preventDefault();
                        void save({ [config.name]: editing.value }, [], config.name);
                      }}
                    >
                      <input
                        aria-label={`New value of ${config.name}`}
                        autoFocus
                        value={editing.value}
                        onChange={(event) => setEditing({ name: config.name, value: event.target.value })}
                      />
                      <button type="submit" className="button button-small button-primary" disabled={busy}>
                        Save
                      </button>
                      <button type="button" className="button button-small" onClick={() => setEditing(null)}>
                        Cancel
                      </button>
                    </form>
                  ) : config.sensitive ? (
                    <span className="muted">hidden</span>
                  ) : (
                    <span>
                      {config.value ?? <span className="muted">null</span>}
                      <ReadableHint name={config.name} value={config.value} />
                    </span>
                  )}
                  {error?.name === config.name ? (
                    <div className="field-error" role="alert">
                      {error.message}
                    </div>
                  ) : null}
                </td>
                <td>
                  <Badge tone={source.tone}>{source.label}</Badge>
                </td>
                <td className="muted">
                  {config.source === 'topic'
                    ? config.defaultValue === null
                      ? '—'
                      : config.defaultName && config.defaultName !== config.name
                        ? `${config.defaultValue} (${config.defaultName})`
                        : config.defaultValue
                    : doc
                      ? doc.kafkaDefault === ''
                        ? '(none)'
                        : doc.kafkaDefault
                      : ''}
                  {config.source === 'topic' && config.defaultValue !== null ? (
                    <ReadableHint name={config.defaultName ?? config.name} value={config.defaultValue} />
                  ) : config.source !== 'topic' && doc ? (
                    <ReadableHint name={config.name} value={doc.kafkaDefault} />
                  ) : null}
                </td>
                <td className="actions">
                  {!config.readOnly && !isEditing ? (
                    <>
                      <button
                        type="button"
                        className="button button-small"
                        disabled={Boolean(writeBlock)}
                        title={writeBlock ?? undefined}
                        onClick={() => {
                          setError(null);
                          setEditing({ name: config.name, value: config.value ?? '' });
                        }}
                      >
                        Edit
                      </button>
                      {config.source === 'topic' ? (
                        <button
                          type="button"
                          className="button button-small"
                          disabled={busy || Boolean(writeBlock)}
                          title={writeBlock ?? undefined}
                          onClick={() => void save({}, [config.name], config.name)}
                        >
                          Reset
                        </button>
                      ) : null}
                    </>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

function ReadableHint({ name, value }: { name: string; value: string | null }) {
  const hint = readableConfigValue(name, value);
  return hint ? <span className="muted small config-hint"> · {hint}</span> : null;
}
