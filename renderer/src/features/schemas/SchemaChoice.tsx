// The produce form's schema for a key or a value: none (the text is sent as it is), or a subject of the
// connection's registry with a version (the latest by default) and, for Protobuf, the message to write.
// With one, the text typed in is JSON, checked against the schema and serialized in the main process.
import type { ProduceSchema } from '../../../../shared/model/registry';
import { useAppStore, useResource } from '../../store/hooks';
import { SCHEMA_TYPE_LABEL, registryQuery, subjectQuery, subjectsQuery } from './schemas-slice';
import './schemas.css';

export function SchemaChoice({
  field,
  topic,
  value,
  onChange,
}: {
  field: 'key' | 'value';
  topic: string;
  value: ProduceSchema | null;
  onChange: (schema: ProduceSchema | null) => void;
}) {
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const [registry] = useResource(registryQuery(connectionId));
  const usable = Boolean(registry.data && registry.data.kind !== 'none' && registry.data.url && !registry.data.problem);
  const [subjects] = useResource(usable ? subjectsQuery(connectionId) : null);
  const [detail] = useResource(value ? subjectQuery(connectionId, value.subject) : null);
  if (!usable) return null;
  const names = (subjects.data?.subjects ?? []).filter((subject) => subject.latestVersion !== null).map((subject) => subject.name);
  // The topic's own subject (TopicNameStrategy) first.
  const own = `${topic}-${field}`;
  const ordered = names.includes(own) ? [own, ...names.filter((name) => name !== own)] : names;
  const versions = detail.data?.versions ?? [];
  const chosenVersion = value?.version === null || value === null ? versions.at(-1) : versions.find((v) => v.version === value.version);
  const label = field === 'key' ? 'Key schema' : 'Value schema';
  return (
    <div className="schema-choice">
      <label>
        {label}{' '}
        <select
          aria-label={label}
          value={value?.subject ?? ''}
          onChange={(event) => onChange(event.target.value ? { subject: event.target.value, version: null } : null)}
        >
          <option value="">None: send the text as it is</option>
          {ordered.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      {value ? (
        <>
          <label>
            Version{' '}
            <select
              aria-label={`${label} version`}
              value={value.version === null ? '' : String(value.version)}
              onChange={(event) => onChange({ ...value, version: event.target.value ? Number(event.target.value) : null })}
            >
              <option value="">latest{versions.length ? ` (${versions.at(-1)!.version})` : ''}</option>
              {versions.map((version) => (
                <option key={version.version} value={version.version}>
                  {version.version}
                </option>
              ))}
            </select>
          </label>
          {chosenVersion?.schemaType === 'PROTOBUF' && chosenVersion.recordNames.length > 1 ? (
            <label>
              Message{' '}
              <select
                aria-label={`${label} message`}
                value={value.messageType ?? ''}
                onChange={(event) =>
                  onChange(event.target.value ? { ...value, messageType: event.target.value } : { subject: value.subject, version: value.version })
                }
              >
                <option value="">{chosenVersion.recordNames[0]} (the first)</option>
                {chosenVersion.recordNames.slice(1).map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          {chosenVersion ? (
            <span className="muted small">
              {SCHEMA_TYPE_LABEL[chosenVersion.schemaType]}, id {chosenVersion.id}: type JSON, checked against the schema
            </span>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
