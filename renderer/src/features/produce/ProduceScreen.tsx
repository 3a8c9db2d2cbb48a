import { useEffect, useMemo, useRef, useState } from 'react';
import { TEMPLATE_HELP } from '../../../../shared/model/record-template';
import type { Compression } from '../../../../shared/model/schemas';
import { Field } from '../../components/Field';
import { ScreenHeader } from '../../components/ScreenHeader';
import { ErrorMessage } from '../../components/StateView';
import { useAppStore, useResource } from '../../store/hooks';
import { topicsQuery } from '../topics/topics-slice';
import { selectActiveAvailable, selectWriteBlock } from '../connections/connections-slice';
import type { IpcError } from '../../../../shared/ipc/contract';
import { emptyProduceForm, parseTimestamp, produceRequestOf, validateProduceForm, type ProduceForm, type ValueSource } from './produce-form';
import { ProduceResults, type SendOutcome } from './ProduceResults';
import type { ProduceSchema } from '../../../../shared/model/registry';
import { SchemaChoice } from '../schemas/SchemaChoice';
import { ProduceFileChoice } from './ProduceFileChoice';

export { validateProduceForm } from './produce-form';

/** Sends kept on screen, latest first. */
const SENDS_KEPT = 20;

export function ProduceScreen() {
  const produce = useAppStore((state) => state.produce);
  const initialTopic = useAppStore((state) => state.produceTopic);
  const openTopic = useAppStore((state) => state.openTopic);
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const available = useAppStore(selectActiveAvailable);
  const [topics] = useResource(topicsQuery(connectionId), available);
  const writeBlock = useAppStore(selectWriteBlock);
  // "Produce again" from the message browser opens the form filled with that record.
  const draft = useAppStore((state) => state.produceDraft);
  const [form, setForm] = useState<ProduceForm>({
    ...emptyProduceForm,
    topic: initialTopic ?? '',
    partition: draft?.partition === null || draft?.partition === undefined ? '' : String(draft.partition),
    key: draft?.key ?? '',
    value: draft?.value ?? '',
    headers: draft?.headers ?? [],
  });
  const [topicSearch, setTopicSearch] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [sends, setSends] = useState<SendOutcome[]>([]);
  const [failure, setFailure] = useState<IpcError | null>(null);
  // A registry subject to serialize the key/value JSON with (#17); null: the text as it is.
  const [keySchema, setKeySchema] = useState<ProduceSchema | null>(null);
  const [valueSchema, setValueSchema] = useState<ProduceSchema | null>(null);
  // The answer of a send is brought into view (under the form in a narrow window, or the form scrolled).
  const resultRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (sends.length || failure) resultRef.current?.scrollIntoView?.({ block: 'nearest' });
  }, [sends, failure]);

  const topicNames = useMemo(() => topics.data?.map((topic) => topic.name) ?? null, [topics.data]);
  const matchingTopics = useMemo(() => {
    const needle = topicSearch.trim().toLowerCase();
    const names = topicNames ?? [];
    const matches = needle ? names.filter((name) => name.toLowerCase().includes(needle)) : names;
    // The chosen topic stays listed while the search leaves it out, so the select keeps showing it.
    return form.topic && !matches.includes(form.topic) && names.includes(form.topic) ? [form.topic, ...matches] : matches;
  }, [topicNames, topicSearch, form.topic]);
  // One topic matches the search: it is the one meant. Decided once per search text, and only once the topics
  // have loaded (a search typed while they load still chooses), so a later refresh never overrides a choice.
  const autoChosenFor = useRef<string | null>(null);
  useEffect(() => {
    const needle = topicSearch.trim().toLowerCase();
    if (!needle || !topicNames || autoChosenFor.current === needle) return;
    const only = topicNames.filter((name) => name.toLowerCase().includes(needle));
    if (only.length !== 1) return;
    autoChosenFor.current = needle;
    const chosen = only[0] ?? '';
    setForm((current) => (current.topic === chosen ? current : { ...current, topic: chosen, partition: '' }));
  }, [topicSearch, topicNames]);
  const partitionCount = topics.data?.find((topic) => topic.name === form.topic)?.partitions ?? null;
  const errors = validateProduceForm(form, partitionCount, topicNames);
  const update = (patch: Partial<ProduceForm>) => setForm((current) => ({ ...current, ...patch }));
  const shown = (field: keyof typeof errors) => (submitted ? errors[field] : undefined);
  const timestamp = parseTimestamp(form.timestamp);
  const records = form.valueSource === 'file-lines' ? null : Number(form.repeat);

  const submit = async () => {
    setSubmitted(true);
    if (Object.keys(errors).length) return;
    setBusy(true);
    setFailure(null);
    const response = await produce({ ...produceRequestOf(form), keySchema: form.key === '' ? null : keySchema, valueSchema });
    setBusy(false);
    if (response.ok) {
      const outcome = { id: Date.now() + Math.random(), at: Date.now(), result: response.value };
      setSends((current) => [outcome, ...current].slice(0, SENDS_KEPT));
    } else setFailure(response.error);
  };

  return (
    <section className="screen">
      <ScreenHeader title="Produce" />
      <div className="produce-layout">
        <form
          className="form card"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          <div className="form-grid">
            <Field
              label="Topic"
              error={shown('topic')}
              hint={topicSearch.trim() && topicNames ? `${matchingTopics.length} of ${topicNames.length} topics match.` : undefined}
            >
              {(props) => (
                <div className="topic-picker">
                  <input
                    type="search"
                    className="topic-picker-search"
                    aria-label="Find a topic"
                    placeholder={topicNames && topicNames.length > 8 ? `Find among ${topicNames.length} topics` : 'Find a topic'}
                    value={topicSearch}
                    onChange={(event) => {
                      setTopicSearch(event.target.value);
                    }}
                  />
                  <select {...props} value={form.topic} onChange={(event) => update({ topic: event.target.value, partition: '' })}>
                    <option value="">
                      {topics.status === 'loading' && !topics.data
                        ? 'Loading topics…'
                        : matchingTopics.length
                          ? 'Choose a topic'
                          : topicNames?.length
                            ? 'No topic matches'
                            : 'This cluster has no topics'}
                    </option>
                    {matchingTopics.map((name) => (
                      <option key={name} value={name}>
                        {name}
                      </option>
                    ))}
                  </select>
                </div>
              )}
            </Field>
            <Field
              label="Partition"
              error={errors.partition}
              hint={
                partitionCount !== null ? `Empty: the key's partition (round-robin without a key). 0–${partitionCount - 1}.` : "Empty: the key's partition."
              }
            >
              {(props) => (
                <input
                  {...props}
                  inputMode="numeric"
                  placeholder="auto"
                  value={form.partition}
                  onChange={(event) => update({ partition: event.target.value.trim() })}
                />
              )}
            </Field>
          </div>
          <Field label="Key" error={errors.key ?? fieldFailure(failure, 'The key')} hint="Empty: no key.">
            {(props) => <input {...props} value={form.key} spellCheck={false} onChange={(event) => update({ key: event.target.value })} />}
          </Field>
          <SchemaChoice field="key" topic={form.topic} value={keySchema} onChange={setKeySchema} />
          <div className="value-source">
            <div className="segmented" role="radiogroup" aria-label="Source">
              {(
                [
                  ['typed', 'Typed here'],
                  ['file-lines', 'File, one record per line'],
                  ['file-whole', 'Whole file as one record'],
                ] as [ValueSource, string][]
              ).map(([source, label]) => (
                <label key={source} className={form.valueSource === source ? 'segment segment-on' : 'segment'}>
                  <input type="radio" name="value-source" checked={form.valueSource === source} onChange={() => update({ valueSource: source })} />
                  {label}
                </label>
              ))}
            </div>
            {form.valueSource !== 'typed' ? (
              <ProduceFileChoice source={form.valueSource} file={form.file} error={shown('file')} onChosen={(file) => update({ file })} />
            ) : (
              <Field label="Value" error={errors.value ?? fieldFailure(failure, 'The value')}>
                {(props) => (
                  <textarea
                    {...props}
                    rows={6}
                    spellCheck={false}
                    value={form.value}
                    onChange={(event) => update({ value: event.target.value })}
                    placeholder='{"id": 1}'
                  />
                )}
              </Field>
            )}
          </div>
          <SchemaChoice field="value" topic={form.topic} value={valueSchema} onChange={setValueSchema} />
          <fieldset>
            <legend>Headers</legend>
            {form.headers.map((header, index) => (
              <div className="config-row" key={index}>
                <input
                  aria-label={`Header ${index + 1} name`}
                  placeholder="name"
                  value={header.key}
                  onChange={(event) => update({ headers: form.headers.map((item, at) => (at === index ? { ...item, key: event.target.value } : item)) })}
                />
                <input
                  aria-label={`Header ${index + 1} value`}
                  placeholder="value"
                  value={header.value}
                  onChange={(event) => update({ headers: form.headers.map((item, at) => (at === index ? { ...item, value: event.target.value } : item)) })}
                />
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Remove header ${index + 1}`}
                  onClick={() => update({ headers: form.headers.filter((_, at) => at !== index) })}
                >
                  ×
                </button>
                {(submitted || form.templates) && errors[`header.${index}`] ? (
                  <div className="field-error" role="alert">
                    {errors[`header.${index}`]}
                  </div>
                ) : null}
              </div>
            ))}
            <button type="button" className="button button-small" onClick={() => update({ headers: [...form.headers, { key: '', value: '' }] })}>
              Add header
            </button>
          </fieldset>
          <div className="templates">
            <label className="checkbox">
              <input type="checkbox" checked={form.templates} onChange={(event) => update({ templates: event.target.checked })} />
              Templates: expand {'{{…}}'} placeholders for each record
            </label>
            <details className="template-help" open={form.templates}>
              <summary>Placeholders</summary>
              <table className="table compact" aria-label="Template placeholders">
                <tbody>
                  {TEMPLATE_HELP.map(([placeholder, meaning]) => (
                    <tr key={placeholder}>
                      <td>
                        <code>{placeholder}</code>
                      </td>
                      <td>{meaning}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className="muted small">
                Expanded by Kafka Desk for each record, never run as code; anything else between {'{{'} and {'}}'} is refused. Values from a file are sent as
                they are.
              </p>
            </details>
          </div>
          <div className="form-grid form-grid-3">
            <Field label="Compression">
              {(props) => (
                <select {...props} value={form.compression} onChange={(event) => update({ compression: event.target.value as Compression })}>
                  <option value="none">none</option>
                  <option value="gzip">gzip</option>
                  <option value="snappy">snappy</option>
                  <option value="lz4">lz4</option>
                  <option value="zstd">zstd</option>
                </select>
              )}
            </Field>
            <Field label="Acks">
              {(props) => (
                <select {...props} value={form.acks} onChange={(event) => update({ acks: event.target.value as ProduceForm['acks'] })}>
                  <option value="-1">all in-sync replicas (-1)</option>
                  <option value="1">leader only (1)</option>
                  <option value="0">none (0)</option>
                </select>
              )}
            </Field>
            <Field
              label="Repeat"
              error={errors.repeat}
              hint={form.valueSource === 'file-lines' ? 'One record per line of the file.' : form.templates ? 'Records to send.' : 'How many copies to send.'}
            >
              {(props) => (
                <input
                  {...props}
                  inputMode="numeric"
                  disabled={form.valueSource === 'file-lines'}
                  value={form.valueSource === 'file-lines' ? '' : form.repeat}
                  onChange={(event) => update({ repeat: event.target.value.trim() })}
                />
              )}
            </Field>
            <Field
              label="Timestamp"
              error={errors.timestamp}
              hint={timestamp.ok && timestamp.value !== null ? `${new Date(timestamp.value).toISOString()} (UTC)` : 'Empty: the time of the send.'}
            >
              {(props) => (
                <input {...props} spellCheck={false} placeholder="now" value={form.timestamp} onChange={(event) => update({ timestamp: event.target.value })} />
              )}
            </Field>
          </div>
          <footer className="form-actions">
            <button type="submit" className="button button-primary" disabled={busy || Boolean(writeBlock)} title={writeBlock ?? undefined}>
              {busy ? 'Sending…' : records === null ? 'Send the file' : records > 1 ? `Send ${form.repeat} records` : 'Send record'}
            </button>
            {writeBlock ? <span className="write-blocked">{writeBlock}</span> : null}
          </footer>
        </form>
        <div className="produce-result" ref={resultRef}>
          {failure && !fieldFailure(failure, 'The key') && !fieldFailure(failure, 'The value') ? <ErrorMessage error={failure} /> : null}
          {sends.length ? <ProduceResults sends={sends} onOpenTopic={openTopic} /> : null}
          {!sends.length && !failure ? (
            <div className="card muted">Each record you send is listed here with the partition and offset the cluster gave it.</div>
          ) : null}
        </div>
      </div>
    </section>
  );
}

/** A refusal about the key or the value (JSON not matching its schema), shown under that field. */
function fieldFailure(failure: IpcError | null, field: 'The key' | 'The value'): string | null {
  return failure?.kind === 'invalid-request' && failure.message.startsWith(field) ? failure.message : null;
}
