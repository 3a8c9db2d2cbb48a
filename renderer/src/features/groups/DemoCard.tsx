// The demo on the embedded cluster's panel: a producer and consumer groups at chosen rates, so a new
// user sees within a minute how a queue (one group shares the partitions) differs from
// publish/subscribe (each group reads everything), and watches the lag rise and fall.
import { useEffect, useState } from 'react';
import { DEMO_GROUP, DEMO_SECOND_GROUP, DEMO_TOPIC, type DemoOptions, type DemoStatus } from '../../../../shared/model/groups';
import { Badge } from '../../components/Badge';
import { Field } from '../../components/Field';
import { ErrorMessage } from '../../components/StateView';
import { formatCount, formatQuantity } from '../../components/format';
import { useAppStore } from '../../store/hooks';
import type { IpcError } from '../../../../shared/ipc/contract';
import { TopicGroupsLag } from './TopicGroupsLag';
import './groups.css';

interface Form {
  produceRate: string;
  consumeRate: string;
  consumers: '1' | '2';
  secondGroup: boolean;
}

const toForm = (options: DemoOptions): Form => ({
  produceRate: String(options.produceRate),
  consumeRate: String(options.consumeRate),
  consumers: String(options.consumers) as '1' | '2',
  secondGroup: options.secondGroup,
});

function rateError(value: string): string | null {
  if (!/^\d+$/.test(value.trim())) return 'A whole number of records per second.';
  if (Number(value) > 5_000) return 'At most 5,000 records per second.';
  return null;
}

export function DemoCard() {
  const demo = useAppStore((state) => state.demo);
  const pending = useAppStore((state) => state.demoPending);
  const loadDemo = useAppStore((state) => state.loadDemo);
  const startDemo = useAppStore((state) => state.startDemo);
  const stopDemo = useAppStore((state) => state.stopDemo);
  const openGroup = useAppStore((state) => state.openGroup);
  const [form, setForm] = useState<Form>({ produceRate: '50', consumeRate: '30', consumers: '1', secondGroup: false });
  const [error, setError] = useState<IpcError | null>(null);
  const [touched, setTouched] = useState(false);

  useEffect(() => {
    void loadDemo();
  }, [loadDemo]);
  // The demo's current (or last) options fill the form, e.g. after a reload, until the user edits it.
  useEffect(() => {
    if (demo.data && !touched) setForm(toForm(demo.data.options));
  }, [demo.data, touched]);

  const status = demo.data;
  const running = status?.running ?? false;
  const errors = { produceRate: rateError(form.produceRate), consumeRate: rateError(form.consumeRate) };
  const update = (patch: Partial<Form>) => {
    setTouched(true);
    setForm({ ...form, ...patch });
  };
  const submit = async () => {
    if (errors.produceRate || errors.consumeRate) return;
    const result = await startDemo({
      produceRate: Number(form.produceRate),
      consumeRate: Number(form.consumeRate),
      consumers: form.consumers === '2' ? 2 : 1,
      secondGroup: form.secondGroup,
    });
    setError(result.ok ? null : result.error);
    if (result.ok) setTouched(false);
  };

  return (
    <div className="card demo-card" data-testid="demo-card">
      <div className="card-head">
        <h2 className="card-title">Demo: a queue and publish/subscribe</h2>
        {running ? <Badge tone="good">running</Badge> : <Badge>stopped</Badge>}
      </div>
      <p className="demo-intro">
        A producer writes orders to <code>{DEMO_TOPIC}</code> (4 partitions). The consumers of <strong>{DEMO_GROUP}</strong> share the partitions like a queue:
        each order goes to one of them. <strong>{DEMO_SECOND_GROUP}</strong> is a second group: it reads every order too (publish/subscribe). Produce faster
        than the consumers process and the lag rises; stop the producer or add a consumer and it falls.
      </p>
      <form
        className="demo-form"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <Field label="Produce (records/s)" error={errors.produceRate}>
          {(props) => <input {...props} inputMode="numeric" value={form.produceRate} onChange={(event) => update({ produceRate: event.target.value })} />}
        </Field>
        <Field label="Consume, per consumer (records/s)" error={errors.consumeRate}>
          {(props) => <input {...props} inputMode="numeric" value={form.consumeRate} onChange={(event) => update({ consumeRate: event.target.value })} />}
        </Field>
        <Field label={`Consumers in ${DEMO_GROUP}`}>
          {(props) => (
            <select {...props} value={form.consumers} onChange={(event) => update({ consumers: event.target.value as '1' | '2' })}>
              <option value="1">1 consumer</option>
              <option value="2">2 consumers</option>
            </select>
          )}
        </Field>
        <label className="checkbox demo-second">
          <input type="checkbox" checked={form.secondGroup} onChange={(event) => update({ secondGroup: event.target.checked })} />
          Also run a second group, {DEMO_SECOND_GROUP}
        </label>
        <div className="demo-actions">
          <button type="submit" className="button button-primary" disabled={pending}>
            {running ? 'Apply changes' : 'Start demo'}
          </button>
          <button type="button" className="button" disabled={pending || !status?.consumers.length} onClick={() => void stopDemo('consumers')}>
            Stop consumers
          </button>
          <button type="button" className="button" disabled={pending || !running} onClick={() => void stopDemo('all')}>
            Stop demo
          </button>
        </div>
      </form>
      {error ? <ErrorMessage error={error} /> : null}
      {status?.error ? (
        <div className="warning" role="alert">
          {status.error}
        </div>
      ) : null}
      {status && (running || status.produced > 0) ? <DemoProgress status={status} onOpenGroup={openGroup} /> : null}
      {running || (status?.produced ?? 0) > 0 ? <TopicGroupsLag topic={DEMO_TOPIC} compact title="Lag of the demo groups" /> : null}
    </div>
  );
}

function DemoProgress({ status, onOpenGroup }: { status: DemoStatus; onOpenGroup: (group: string) => void }) {
  const groups = [...new Set(status.consumers.map((consumer) => consumer.group))];
  return (
    <div className="demo-progress">
      <p className="small" aria-live="polite" data-testid="demo-produced">
        {status.producing ? 'Producing' : 'Producer stopped'} · {formatQuantity(status.produced, 'record')} written to{' '}
        {formatQuantity(status.partitions, 'partition')}
      </p>
      {status.consumers.length ? (
        <table className="table compact" aria-label="Demo consumers">
          <thead>
            <tr>
              <th>Consumer</th>
              <th>Group</th>
              <th>State</th>
              <th>Partitions</th>
              <th className="numeric">Processed</th>
            </tr>
          </thead>
          <tbody>
            {status.consumers.map((consumer) => (
              <tr key={consumer.name} data-consumer={consumer.name}>
                <td>{consumer.name}</td>
                <td>
                  <button type="button" className="link-button" onClick={() => onOpenGroup(consumer.group)}>
                    {consumer.group}
                  </button>
                </td>
                <td>
                  <Badge tone={consumer.state === 'consuming' ? 'good' : consumer.state === 'failed' ? 'bad' : 'warn'} title={consumer.error ?? undefined}>
                    {consumer.state}
                  </Badge>
                </td>
                <td data-column="partitions">{consumer.partitions.length ? consumer.partitions.join(', ') : <span className="muted">none yet</span>}</td>
                <td className="numeric">{formatCount(consumer.consumed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted small">No consumers are running: the lag of the groups grows with every record produced.</p>
      )}
      {groups.length > 1 ? (
        <p className="muted small">
          Each group gets every record: {groups.join(' and ')} both read all {status.partitions} partitions, while the members of one group split them.
        </p>
      ) : null}
    </div>
  );
}
