// Choose the key and value decoders of a topic; the main process remembers them per topic.
import { useState } from 'react';
import type { DecoderKind, DecoderSpec, TopicDecoders } from '../../../../shared/model/messages';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { useAppStore, useResource } from '../../store/hooks';
import { registryQuery } from '../schemas/schemas-slice';

export const decoderLabels: Record<DecoderKind, string> = {
  auto: 'Auto (JSON, text or hex)',
  string: 'String (UTF-8)',
  json: 'JSON',
  hex: 'Hex dump',
  base64: 'Base64',
  int32: 'Int32 (big-endian)',
  int64: 'Int64 (big-endian)',
  float: 'Float (big-endian)',
  double: 'Double (big-endian)',
  avro: 'Avro (schema)',
  protobuf: 'Protobuf (.proto)',
  registry: 'Schema registry (Confluent)',
};

export function decoderSummary(spec: DecoderSpec): string {
  return spec.kind === 'auto' ? 'auto' : spec.kind === 'registry' ? 'registry' : spec.kind;
}

interface Draft {
  kind: DecoderKind;
  schema: string;
  messageType: string;
}

const toDraft = (spec: DecoderSpec): Draft => ({
  kind: spec.kind,
  schema: spec.kind === 'avro' || spec.kind === 'protobuf' ? spec.schema : '',
  messageType: spec.kind === 'protobuf' ? spec.messageType : '',
});

function toSpec(draft: Draft): DecoderSpec {
  switch (draft.kind) {
    case 'avro':
      return { kind: 'avro', schema: draft.schema };
    case 'protobuf':
      return { kind: 'protobuf', schema: draft.schema, messageType: draft.messageType.trim() };
    case 'registry':
      // Always the connection's registry, with its credentials and CA (set on the Schemas screen).
      return { kind: 'registry' };
    default:
      return { kind: draft.kind };
  }
}

/** Which registry the registry decoder reads through: the connection's, as the Schemas screen sets it. */
function RegistryNote({ label }: { label: string }) {
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const [registry] = useResource(registryQuery(connectionId));
  const summary = registry.data;
  const text = !summary
    ? registry.error
      ? `The connection's schema registry is not known: ${registry.error.message}`
      : "Reads through the connection's schema registry."
    : summary.kind === 'none'
      ? 'This connection has no schema registry: set one on the Schemas screen first.'
      : `Reads through the connection's ${summary.kind === 'embedded' ? 'embedded' : ''} registry ${summary.url ?? ''}${
          summary.kind === 'external' && summary.auth.kind !== 'none'
            ? ` with its ${summary.auth.kind === 'basic' ? 'user name and password' : 'bearer token'}`
            : ''
        }${summary.kind === 'external' && summary.caFile ? ' and CA' : ''} (set on the Schemas screen). Values carry magic byte 0 and a schema id; Avro, Protobuf and JSON schemas are read with their references.`.replace(
          /\s+/g,
          ' ',
        );
  return (
    <p className="muted small" data-testid={`${label.toLowerCase()}-registry-note`} role={summary?.kind === 'none' ? 'alert' : undefined}>
      {text}
      {summary?.problem ? ` ${summary.problem}` : ''}
    </p>
  );
}

function DecoderFields({ label, draft, onChange }: { label: string; draft: Draft; onChange: (draft: Draft) => void }) {
  return (
    <fieldset>
      <legend>{label}</legend>
      <Field label={`${label} decoder`}>
        {(props) => (
          <select {...props} value={draft.kind} onChange={(event) => onChange({ ...draft, kind: event.target.value as DecoderKind })}>
            {(Object.keys(decoderLabels) as DecoderKind[]).map((kind) => (
              <option key={kind} value={kind}>
                {decoderLabels[kind]}
              </option>
            ))}
          </select>
        )}
      </Field>
      {draft.kind === 'avro' ? (
        <Field
          label={`${label} Avro schema`}
          hint="The schema as JSON, as in an .avsc file. Values written with the Confluent serializer (magic byte and id) are read too."
        >
          {(props) => (
            <textarea {...props} rows={6} spellCheck={false} value={draft.schema} onChange={(event) => onChange({ ...draft, schema: event.target.value })} />
          )}
        </Field>
      ) : null}
      {draft.kind === 'protobuf' ? (
        <>
          <Field label={`${label} .proto definition`}>
            {(props) => (
              <textarea {...props} rows={6} spellCheck={false} value={draft.schema} onChange={(event) => onChange({ ...draft, schema: event.target.value })} />
            )}
          </Field>
          <Field label={`${label} message type`} hint="Fully qualified, such as shop.Order.">
            {(props) => <input {...props} value={draft.messageType} onChange={(event) => onChange({ ...draft, messageType: event.target.value })} />}
          </Field>
        </>
      ) : null}
      {draft.kind === 'registry' ? <RegistryNote label={label} /> : null}
    </fieldset>
  );
}

export function DecodersDialog({ decoders, onClose }: { decoders: TopicDecoders; onClose: () => void }) {
  const saveTopicDecoders = useAppStore((state) => state.saveTopicDecoders);
  const readMessages = useAppStore((state) => state.readMessages);
  const [key, setKey] = useState(toDraft(decoders.key));
  const [value, setValue] = useState(toDraft(decoders.value));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog
      title="Decoders"
      onClose={onClose}
      wide
      onSubmit={async () => {
        setBusy(true);
        const failure = await saveTopicDecoders({ key: toSpec(key), value: toSpec(value) });
        setBusy(false);
        if (failure) setError(failure.message);
        else {
          onClose();
          void readMessages();
        }
      }}
      error={error}
      actions={
        <button type="submit" className="button button-primary" disabled={busy}>
          Save decoders
        </button>
      }
    >
      <p className="muted">Remembered for this topic. Filters match the decoded text when a schema decoder is chosen.</p>
      <DecoderFields label="Key" draft={key} onChange={setKey} />
      <DecoderFields label="Value" draft={value} onChange={setValue} />
    </Dialog>
  );
}
