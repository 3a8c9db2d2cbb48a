// Choose the key and value decoders of a topic; the main process remembers them per topic.
import { useState } from 'react';
import type { DecoderKind, DecoderSpec, TopicDecoders } from '../../../../shared/model/messages';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { useAppStore } from '../../store/hooks';

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
  url: string;
}

const toDraft = (spec: DecoderSpec): Draft => ({
  kind: spec.kind,
  schema: spec.kind === 'avro' || spec.kind === 'protobuf' ? spec.schema : '',
  messageType: spec.kind === 'protobuf' ? spec.messageType : '',
  url: spec.kind === 'registry' ? spec.url : '',
});

function toSpec(draft: Draft): DecoderSpec {
  switch (draft.kind) {
    case 'avro':
      return { kind: 'avro', schema: draft.schema };
    case 'protobuf':
      return { kind: 'protobuf', schema: draft.schema, messageType: draft.messageType.trim() };
    case 'registry':
      return { kind: 'registry', url: draft.url.trim() };
    default:
      return { kind: draft.kind };
  }
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
      {draft.kind === 'registry' ? (
        <Field label={`${label} registry URL`} hint="Values carry magic byte 0 and a schema id; Avro, Protobuf and JSON schemas are read from the registry.">
          {(props) => (
            <input {...props} placeholder="http://localhost:8081" value={draft.url} onChange={(event) => onChange({ ...draft, url: event.target.value })} />
          )}
        </Field>
      ) : null}
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
