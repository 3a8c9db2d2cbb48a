// Reset a group's offsets: choose the topics and where to, preview the new offsets and lag, then apply.
// The main process refuses while the group has active members, and the preview says so first.
import { useMemo, useState } from 'react';
import type { GroupDetail, ResetPreview, ResetStrategy } from '../../../../shared/model/groups';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { formatCount } from '../../components/format';
import { useAppStore } from '../../store/hooks';
import type { ResetTarget } from './groups-slice';

type Kind = ResetStrategy['kind'];

const KINDS: { kind: Kind; label: string }[] = [
  { kind: 'earliest', label: 'Earliest (re-read everything still in the log)' },
  { kind: 'latest', label: 'Latest (skip everything not yet read)' },
  { kind: 'timestamp', label: 'Date and time' },
  { kind: 'shift', label: 'Shift by N records' },
  { kind: 'offsets', label: 'A given offset per partition' },
];

/** "2024-05-01T13:45" in local time, for <input type="datetime-local">. */
function localInputValue(t: number): string {
  const date = new Date(t - new Date(t).getTimezoneOffset() * 60_000);
  return date.toISOString().slice(0, 19);
}

export function ResetOffsetsDialog({ detail, onClose }: { detail: GroupDetail; onClose: () => void }) {
  const previewReset = useAppStore((state) => state.previewReset);
  const resetOffsets = useAppStore((state) => state.resetOffsets);
  const topics = useMemo(() => [...new Set(detail.partitions.map((partition) => partition.topic))].sort(), [detail.partitions]);
  const committedTopics = useMemo(
    () => new Set(detail.partitions.filter((partition) => partition.committed !== null).map((partition) => partition.topic)),
    [detail.partitions],
  );
  const [scope, setScope] = useState<'all' | 'some'>(committedTopics.size ? 'all' : 'some');
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(committedTopics.size ? committedTopics : topics));
  const [kind, setKind] = useState<Kind>('earliest');
  const [when, setWhen] = useState(() => localInputValue(Date.now() - 60 * 60_000));
  const [shift, setShift] = useState('-100');
  const [offsets, setOffsets] = useState<Record<string, string>>(() =>
    Object.fromEntries(detail.partitions.map((partition) => [`${partition.topic}/${partition.partition}`, String(partition.committed ?? partition.end ?? 0)])),
  );
  const [preview, setPreview] = useState<ResetPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'preview' | 'apply' | null>(null);
  const [done, setDone] = useState<ResetPreview | null>(null);

  const edit =
    <T,>(setter: (value: T) => void) =>
    (value: T) => {
      setter(value);
      setPreview(null);
      setError(null);
    };

  const scopeTopics = scope === 'all' ? null : [...chosen].sort();
  const validation = ((): string | null => {
    if (scope === 'some' && !chosen.size) return 'Choose at least one topic.';
    if (kind === 'timestamp' && Number.isNaN(new Date(when).getTime())) return 'Enter a date and time.';
    if (kind === 'shift' && !/^-?\d+$/.test(shift.trim())) return 'The shift is a whole number, negative to go back.';
    if (kind === 'offsets') {
      const bad = Object.entries(offsets).find(
        ([id, value]) => (scopeTopics ?? topics).includes(id.slice(0, id.lastIndexOf('/'))) && !/^\d+$/.test(value.trim()),
      );
      if (bad) return `The offset of ${bad[0].replace('/', ' partition ')} must be a whole number of 0 or more.`;
    }
    return null;
  })();

  const target = (): ResetTarget => {
    let strategy: ResetStrategy;
    switch (kind) {
      case 'earliest':
      case 'latest':
        strategy = { kind };
        break;
      case 'timestamp':
        strategy = { kind, timestamp: new Date(when).getTime() };
        break;
      case 'shift':
        strategy = { kind, by: Number(shift.trim()) };
        break;
      case 'offsets':
        strategy = {
          kind,
          offsets: detail.partitions
            .filter((partition) => (scopeTopics ?? [...committedTopics]).includes(partition.topic))
            .map((partition) => ({
              topic: partition.topic,
              partition: partition.partition,
              offset: Number(offsets[`${partition.topic}/${partition.partition}`]),
            })),
        };
        break;
    }
    return { topics: scopeTopics, strategy };
  };

  const runPreview = async () => {
    if (validation) {
      setError(validation);
      return;
    }
    setBusy('preview');
    const result = await previewReset(detail.id, target());
    setBusy(null);
    if (result.ok) {
      setPreview(result.value);
      setError(null);
    } else setError(result.error.message);
  };

  const apply = async () => {
    setBusy('apply');
    const result = await resetOffsets(detail.id, target());
    setBusy(null);
    if (result.ok) setDone(result.value);
    else setError(result.error.message);
  };

  if (done) {
    return (
      <Dialog
        title="Reset offsets"
        onClose={onClose}
        wide
        plain
        cancelLabel={null}
        actions={
          <button type="button" className="button button-primary" onClick={onClose}>
            Close
          </button>
        }
      >
        <div className="form-success" role="status">
          Offsets of {formatCount(done.partitions.length)} partition{done.partitions.length === 1 ? '' : 's'} reset. The group&apos;s lag is now{' '}
          {formatCount(done.totalLagAfter)}.
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog
      title="Reset offsets"
      onClose={onClose}
      wide
      error={error}
      actions={
        <>
          <button type="button" className="button" disabled={busy !== null} onClick={() => void runPreview()}>
            {busy === 'preview' ? 'Previewing…' : preview ? 'Preview again' : 'Preview'}
          </button>
          <button
            type="button"
            className="button button-primary"
            disabled={!preview || Boolean(preview.blocked) || busy !== null}
            title={preview ? (preview.blocked ?? undefined) : 'Preview the new offsets first'}
            onClick={() => void apply()}
          >
            {busy === 'apply' ? 'Resetting…' : 'Reset offsets'}
          </button>
        </>
      }
    >
      <p className="muted">
        Moves the committed offsets of <strong>{detail.id}</strong>. Its consumers start from the new offsets the next time they join.
      </p>
      {detail.members.length && !preview ? (
        <div className="warning" role="alert">
          The group has {detail.members.length} active member{detail.members.length === 1 ? '' : 's'}. Stop its consumers before you reset: Kafka only changes
          the offsets of a group nobody consumes with. You can still preview.
        </div>
      ) : null}
      <fieldset>
        <legend>Topics</legend>
        <label className="checkbox">
          <input type="radio" name="reset-scope" checked={scope === 'all'} disabled={!committedTopics.size} onChange={() => edit(setScope)('all')} />
          All topics with committed offsets{committedTopics.size ? ` (${[...committedTopics].sort().join(', ')})` : ' (none yet)'}
        </label>
        <label className="checkbox">
          <input type="radio" name="reset-scope" checked={scope === 'some'} onChange={() => edit(setScope)('some')} />
          Some topics
        </label>
        {scope === 'some' ? (
          <div className="topic-choices">
            {topics.map((topic) => (
              <label key={topic} className="checkbox">
                <input
                  type="checkbox"
                  checked={chosen.has(topic)}
                  onChange={(event) => {
                    const next = new Set(chosen);
                    if (event.target.checked) next.add(topic);
                    else next.delete(topic);
                    edit(setChosen)(next);
                  }}
                />
                {topic}
              </label>
            ))}
          </div>
        ) : null}
      </fieldset>
      <div className="form-grid">
        <Field label="Reset to">
          {(props) => (
            <select {...props} value={kind} onChange={(event) => edit(setKind)(event.target.value as Kind)}>
              {KINDS.map((choice) => (
                <option key={choice.kind} value={choice.kind}>
                  {choice.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {kind === 'timestamp' ? (
          <Field label="Date and time" hint="The first record at or after this time, in this computer's time zone.">
            {(props) => <input {...props} type="datetime-local" step={1} value={when} onChange={(event) => edit(setWhen)(event.target.value)} />}
          </Field>
        ) : null}
        {kind === 'shift' ? (
          <Field label="Shift by" hint="Negative goes back (re-reads), positive skips ahead.">
            {(props) => <input {...props} inputMode="numeric" value={shift} onChange={(event) => edit(setShift)(event.target.value)} />}
          </Field>
        ) : null}
      </div>
      {kind === 'offsets' ? (
        <table className="table compact" aria-label="New offsets">
          <thead>
            <tr>
              <th>Topic</th>
              <th>Partition</th>
              <th className="numeric">Committed</th>
              <th className="numeric">Log start – end</th>
              <th className="numeric">New offset</th>
            </tr>
          </thead>
          <tbody>
            {detail.partitions
              .filter((partition) => (scopeTopics ?? [...committedTopics]).includes(partition.topic))
              .map((partition) => {
                const id = `${partition.topic}/${partition.partition}`;
                return (
                  <tr key={id}>
                    <td>{partition.topic}</td>
                    <td>{partition.partition}</td>
                    <td className="numeric">{partition.committed === null ? <span className="muted">none</span> : formatCount(partition.committed)}</td>
                    <td className="numeric">
                      {formatCount(partition.start)} – {formatCount(partition.end)}
                    </td>
                    <td className="numeric">
                      <input
                        className="offset-input"
                        aria-label={`New offset of ${partition.topic} partition ${partition.partition}`}
                        inputMode="numeric"
                        value={offsets[id] ?? ''}
                        onChange={(event) => edit(setOffsets)({ ...offsets, [id]: event.target.value })}
                      />
                    </td>
                  </tr>
                );
              })}
          </tbody>
        </table>
      ) : null}
      {preview ? <PreviewTable preview={preview} /> : null}
    </Dialog>
  );
}

function PreviewTable({ preview }: { preview: ResetPreview }) {
  const clamped = preview.partitions.filter((partition) => partition.clamped).length;
  return (
    <div className="reset-preview">
      {preview.blocked ? (
        <div className="warning" role="alert">
          {preview.blocked}
        </div>
      ) : null}
      <p className="small">
        Lag {preview.totalLagBefore === null ? 'now: no committed offsets' : `now ${formatCount(preview.totalLagBefore)}`}, after the reset{' '}
        <strong>{formatCount(preview.totalLagAfter)}</strong>
        {clamped ? ` · ${clamped} offset${clamped === 1 ? ' was' : 's were'} outside the partition and moved to its start or end` : ''}.
      </p>
      <div className="preview-scroll">
        <table className="table compact" aria-label="Preview of the new offsets">
          <thead>
            <tr>
              <th>Topic</th>
              <th>Partition</th>
              <th className="numeric">Committed now</th>
              <th className="numeric">New offset</th>
              <th className="numeric">Lag now</th>
              <th className="numeric">Lag after</th>
            </tr>
          </thead>
          <tbody>
            {preview.partitions.map((partition) => (
              <tr key={`${partition.topic}/${partition.partition}`} data-partition={partition.partition}>
                <td>{partition.topic}</td>
                <td>{partition.partition}</td>
                <td className="numeric">{partition.current === null ? <span className="muted">no committed offset</span> : formatCount(partition.current)}</td>
                <td className="numeric" data-column="target">
                  {formatCount(partition.target)}
                  {partition.clamped ? (
                    <span className="muted small" title="Moved into the partition's range">
                      {' '}
                      *
                    </span>
                  ) : null}
                </td>
                <td className="numeric">{partition.lagBefore === null ? <span className="muted">—</span> : formatCount(partition.lagBefore)}</td>
                <td className="numeric" data-column="lag-after">
                  {formatCount(partition.lagAfter)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
