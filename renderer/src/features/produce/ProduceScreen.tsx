import { useState } from 'react';
import { MAX_PRODUCE_REPEAT, type Compression, type ProduceResult } from '../../../../shared/model/schemas';
import { Field } from '../../components/Field';
import { ScreenHeader } from '../../components/ScreenHeader';
import { ErrorMessage } from '../../components/StateView';
import { formatCount } from '../../components/format';
import { useAppStore, useResource } from '../../store/hooks';
import { topicsQuery } from '../topics/topics-slice';
import { selectActiveAvailable, selectWriteBlock } from '../connections/connections-slice';
import type { IpcError } from '../../../../shared/ipc/contract';

interface ProduceForm {
  topic: string;
  partition: string; // '' = the key's partition (or round-robin without a key)
  key: string;
  value: string;
  headers: { key: string; value: string }[];
  compression: Compression;
  acks: '-1' | '0' | '1';
  repeat: string;
}

type Errors = Partial<Record<'topic' | 'partition' | 'repeat' | `header.${number}`, string>>;

export function validateProduceForm(form: ProduceForm, partitionCount: number | null): Errors {
  const errors: Errors = {};
  if (!form.topic) errors.topic = 'Choose a topic.';
  if (form.partition !== '') {
    if (!/^\d+$/.test(form.partition)) errors.partition = 'A partition is a whole number.';
    else if (partitionCount !== null && Number(form.partition) >= partitionCount) {
      errors.partition = `This topic has partitions 0 to ${partitionCount - 1}.`;
    }
  }
  if (!/^\d+$/.test(form.repeat) || Number(form.repeat) < 1) errors.repeat = 'Send at least 1 record.';
  else if (Number(form.repeat) > MAX_PRODUCE_REPEAT) errors.repeat = `Send at most ${formatCount(MAX_PRODUCE_REPEAT)} records at once.`;
  form.headers.forEach((header, index) => {
    if (!header.key && header.value) errors[`header.${index}`] = 'A header needs a name.';
  });
  return errors;
}

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
    topic: initialTopic ?? '',
    partition: draft?.partition === null || draft?.partition === undefined ? '' : String(draft.partition),
    key: draft?.key ?? '',
    value: draft?.value ?? '',
    headers: draft?.headers ?? [],
    compression: 'none',
    acks: '-1',
    repeat: '1',
  });
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ProduceResult | null>(null);
  const [failure, setFailure] = useState<IpcError | null>(null);

  const partitionCount = topics.data?.find((topic) => topic.name === form.topic)?.partitions ?? null;
  const errors = validateProduceForm(form, partitionCount);
  const update = (patch: Partial<ProduceForm>) => setForm((current) => ({ ...current, ...patch }));

  const submit = async () => {
    setSubmitted(true);
    if (Object.keys(errors).length) return;
    setBusy(true);
    setFailure(null);
    const response = await produce({
      topic: form.topic,
      partition: form.partition === '' ? null : Number(form.partition),
      key: form.key === '' ? null : form.key,
      value: form.value,
      headers: form.headers.filter((header) => header.key),
      compression: form.compression,
      acks: Number(form.acks) as -1 | 0 | 1,
      repeat: Number(form.repeat),
    });
    setBusy(false);
    if (response.ok) setResult(response.value);
    else {
      setResult(null);
      setFailure(response.error);
    }
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
            <Field label="Topic" error={submitted ? errors.topic : undefined}>
              {(props) => (
                <select {...props} value={form.topic} onChange={(event) => update({ topic: event.target.value, partition: '' })}>
                  <option value="">{topics.status === 'loading' && !topics.data ? 'Loading topics…' : 'Choose a topic'}</option>
                  {topics.data?.map((topic) => (
                    <option key={topic.name} value={topic.name}>
                      {topic.name}
                    </option>
                  ))}
                </select>
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
          <Field label="Key" hint="Empty: no key.">
            {(props) => <input {...props} value={form.key} spellCheck={false} onChange={(event) => update({ key: event.target.value })} />}
          </Field>
          <Field label="Value">
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
                {submitted && errors[`header.${index}`] ? (
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
            <Field label="Repeat" error={errors.repeat} hint="How many copies to send.">
              {(props) => <input {...props} inputMode="numeric" value={form.repeat} onChange={(event) => update({ repeat: event.target.value.trim() })} />}
            </Field>
          </div>
          <footer className="form-actions">
            <button type="submit" className="button button-primary" disabled={busy || Boolean(writeBlock)} title={writeBlock ?? undefined}>
              {busy ? 'Sending…' : Number(form.repeat) > 1 ? `Send ${form.repeat} records` : 'Send record'}
            </button>
            {writeBlock ? <span className="write-blocked">{writeBlock}</span> : null}
          </footer>
        </form>
        <div className="produce-result">
          {failure ? <ErrorMessage error={failure} /> : null}
          {result ? <ProduceResultView result={result} onOpenTopic={() => openTopic(result.topic)} /> : null}
          {!result && !failure ? (
            <div className="card muted">Each record you send is listed here with the partition and offset the cluster gave it.</div>
          ) : null}
        </div>
      </div>
    </section>
  );
}

function ProduceResultView({ result, onOpenTopic }: { result: ProduceResult; onOpenTopic: () => void }) {
  const byPartition = new Map<number, { count: number; first: number; last: number }>();
  for (const record of result.records) {
    const entry = byPartition.get(record.partition);
    if (entry) {
      entry.count += 1;
      entry.last = record.offset;
    } else byPartition.set(record.partition, { count: 1, first: record.offset, last: record.offset });
  }
  return (
    <div className="card" role="status" aria-label="Produce result">
      <h2 className="card-title">
        {result.acknowledged
          ? `Sent ${formatCount(result.records.length)} record${result.records.length === 1 ? '' : 's'} to ${result.topic}`
          : `Sent to ${result.topic} without acknowledgement (acks=0): partitions and offsets are unknown.`}
      </h2>
      <p className="muted">in {result.durationMs} ms</p>
      {byPartition.size ? (
        <table className="table compact" aria-label="Written records">
          <thead>
            <tr>
              <th>Partition</th>
              <th className="numeric">Records</th>
              <th className="numeric">Offsets</th>
            </tr>
          </thead>
          <tbody>
            {[...byPartition.entries()]
              .sort(([a], [b]) => a - b)
              .map(([partition, entry]) => (
                <tr key={partition}>
                  <td>{partition}</td>
                  <td className="numeric">{formatCount(entry.count)}</td>
                  <td className="numeric">{entry.first === entry.last ? entry.first : `${entry.first}–${entry.last}`}</td>
                </tr>
              ))}
          </tbody>
        </table>
      ) : null}
      <button type="button" className="button" onClick={onOpenTopic}>
        Open {result.topic}
      </button>
    </div>
  );
}
