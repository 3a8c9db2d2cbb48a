import { useEffect, useMemo, useState } from 'react';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { useAppStore, useResource } from '../../store/hooks';
import { selectResource } from '../../store/resources';
import { overviewQuery } from '../brokers/cluster-slice';
import { topicsQuery } from './topics-slice';
import type { TopicSummary } from '../../../../shared/model/schemas';
import { collisionCharsWarning, validateCreateTopic, type CreateTopicForm } from './validation';

const commonConfigs = ['cleanup.policy', 'retention.ms', 'retention.bytes', 'min.insync.replicas', 'compression.type', 'max.message.bytes'];

export function CreateTopicDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (topic: string) => void }) {
  const createTopic = useAppStore((state) => state.createTopic);
  const connectionId = useAppStore((state) => state.activeConnectionId);
  // The replication factor is checked against the broker count, which the overview knows.
  const [overview] = useResource(overviewQuery(connectionId));
  const brokerCount = overview.data?.brokers.length ?? null;
  // The list the topics screen shows (internal topics too when shown): names to check against.
  const showInternal = useAppStore((state) => state.showInternalTopics);
  const topics = useAppStore((state) => selectResource<TopicSummary[]>(state, topicsQuery(connectionId, showInternal).key).data);
  const existingTopics = useMemo(() => new Set(topics?.map((topic) => topic.name)), [topics]);
  const [form, setForm] = useState<CreateTopicForm>({
    name: '',
    partitions: '3',
    replicationFactor: String(Math.min(3, brokerCount ?? 1)),
    configs: [],
  });
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Until the user picks one, the replication factor follows the broker count (3 at most).
  useEffect(() => {
    if (brokerCount !== null && !touched['replicationFactor']) {
      setForm((current) => ({ ...current, replicationFactor: String(Math.min(3, brokerCount)) }));
    }
  }, [brokerCount, touched]);
  const errors = validateCreateTopic(form, { brokerCount, existingTopics });
  const shown = (field: keyof typeof errors) => (submitted || touched[field] ? errors[field] : undefined);

  const update = (patch: Partial<CreateTopicForm>) => {
    setForm((current) => ({ ...current, ...patch }));
    setServerError(null);
  };

  const submit = async () => {
    setSubmitted(true);
    if (Object.keys(errors).length) return;
    setBusy(true);
    const configs = Object.fromEntries(form.configs.filter((config) => config.name).map((config) => [config.name, config.value]));
    const result = await createTopic({
      topic: form.name,
      partitions: Number(form.partitions),
      replicationFactor: Number(form.replicationFactor),
      configs,
    });
    setBusy(false);
    if (result.ok) onCreated(result.value.topic);
    else setServerError(result.error.message);
  };

  return (
    <Dialog
      title="Create topic"
      onClose={onClose}
      onSubmit={() => void submit()}
      error={serverError}
      actions={
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create topic'}
        </button>
      }
    >
      <Field
        label="Topic name"
        error={shown('name')}
        hint={
          collisionCharsWarning(form.name) ? (
            <span className="field-warning">{collisionCharsWarning(form.name)}</span>
          ) : (
            "Letters, digits, '.', '_' and '-'; up to 249 characters."
          )
        }
      >
        {(props) => (
          <input
            {...props}
            value={form.name}
            spellCheck={false}
            onChange={(event) => {
              update({ name: event.target.value });
              setTouched((current) => ({ ...current, name: true }));
            }}
            placeholder="orders.created"
          />
        )}
      </Field>
      <div className="form-grid">
        <Field label="Partitions" error={shown('partitions')}>
          {(props) => (
            <input
              {...props}
              inputMode="numeric"
              value={form.partitions}
              onChange={(event) => {
                update({ partitions: event.target.value });
                setTouched((current) => ({ ...current, partitions: true }));
              }}
            />
          )}
        </Field>
        <Field
          label="Replication factor"
          error={shown('replicationFactor')}
          hint={brokerCount !== null ? `At most ${brokerCount} (the number of brokers).` : undefined}
        >
          {(props) => (
            <input
              {...props}
              inputMode="numeric"
              value={form.replicationFactor}
              onChange={(event) => {
                update({ replicationFactor: event.target.value });
                setTouched((current) => ({ ...current, replicationFactor: true }));
              }}
            />
          )}
        </Field>
      </div>
      <fieldset>
        <legend>Configs</legend>
        {form.configs.length === 0 ? <p className="muted">The cluster's defaults apply unless you add a config.</p> : null}
        {form.configs.map((config, index) => (
          <div className="config-row" key={index}>
            <input
              aria-label={`Config ${index + 1} name`}
              list="common-topic-configs"
              value={config.name}
              placeholder="retention.ms"
              onChange={(event) => update({ configs: form.configs.map((item, at) => (at === index ? { ...item, name: event.target.value } : item)) })}
            />
            <input
              aria-label={`Config ${index + 1} value`}
              value={config.value}
              placeholder="604800000"
              onChange={(event) => update({ configs: form.configs.map((item, at) => (at === index ? { ...item, value: event.target.value } : item)) })}
            />
            <button
              type="button"
              className="icon-button"
              aria-label={`Remove config ${index + 1}`}
              onClick={() => update({ configs: form.configs.filter((_, at) => at !== index) })}
            >
              ×
            </button>
            {submitted && errors[`config.${index}`] ? (
              <div className="field-error" role="alert">
                {errors[`config.${index}`]}
              </div>
            ) : null}
          </div>
        ))}
        <datalist id="common-topic-configs">
          {commonConfigs.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
        <button type="button" className="button button-small" onClick={() => update({ configs: [...form.configs, { name: '', value: '' }] })}>
          Add config
        </button>
      </fieldset>
    </Dialog>
  );
}
