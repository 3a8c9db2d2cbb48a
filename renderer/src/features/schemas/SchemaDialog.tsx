// Registers a schema: a new subject, or a new version of one. Compatibility is checked first (the
// button says so) and Confluent's reasons are shown in words when the schema does not fit; Register
// checks again in the main process, and stores nothing when the schema is invalid or incompatible.
import { useState } from 'react';
import { SCHEMA_TYPES, type CompatibilityResult, type SchemaType } from '../../../../shared/model/registry';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { useAppStore } from '../../store/hooks';
import { SCHEMA_TYPE_LABEL, describeCompatibilityMessages } from './schemas-slice';

const EXAMPLES: Record<SchemaType, string> = {
  AVRO: JSON.stringify({ type: 'record', name: 'Order', namespace: 'shop', fields: [{ name: 'id', type: 'string' }] }, null, 2),
  PROTOBUF: 'syntax = "proto3";\npackage shop;\n\nmessage Order {\n  string id = 1;\n}\n',
  JSON: JSON.stringify({ type: 'object', properties: { id: { type: 'string' } }, required: ['id'] }, null, 2),
};

export function SchemaDialog({
  subject,
  schemaType,
  initialSchema,
  onClose,
  onRegistered,
}: {
  /** null: a new subject, named in the dialog. */
  subject: string | null;
  schemaType?: SchemaType;
  /** The latest version's text, to edit into the next. */
  initialSchema?: string;
  onClose: () => void;
  onRegistered: (subject: string, version: number) => void;
}) {
  const checkSchema = useAppStore((state) => state.checkSchema);
  const registerSchema = useAppStore((state) => state.registerSchema);
  const [name, setName] = useState(subject ?? '');
  const [type, setType] = useState<SchemaType>(schemaType ?? 'AVRO');
  const [text, setText] = useState(initialSchema ?? EXAMPLES[schemaType ?? 'AVRO']);
  const [check, setCheck] = useState<CompatibilityResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'check' | 'register' | null>(null);

  const draft = () => ({ subject: (subject ?? name).trim(), schemaType: type, schema: text });
  const missing = () => {
    if (!draft().subject) return 'Enter a subject name, such as orders-value.';
    if (!text.trim()) return 'Paste the schema text.';
    return null;
  };

  const runCheck = async () => {
    setError(missing());
    setCheck(null);
    if (missing()) return;
    setBusy('check');
    const result = await checkSchema(draft());
    setBusy(null);
    if (result.ok) setCheck(result.value);
    else setError(result.error.message);
  };

  const register = async () => {
    setError(missing());
    if (missing()) return;
    setBusy('register');
    // Compatibility first: an incompatible schema shows its reasons here, and is not sent.
    const checked = await checkSchema(draft());
    if (!checked.ok) {
      setBusy(null);
      setCheck(null);
      setError(checked.error.message);
      return;
    }
    setCheck(checked.value);
    if (!checked.value.compatible) {
      setBusy(null);
      return;
    }
    const result = await registerSchema(draft());
    setBusy(null);
    if (result.ok) onRegistered(draft().subject, result.value.version);
    else setError(result.error.message);
  };

  return (
    <Dialog
      title={subject ? `New version of ${subject}` : 'New subject'}
      onClose={onClose}
      wide
      onSubmit={() => void register()}
      error={error}
      actions={
        <>
          <button type="button" className="button" disabled={busy !== null} onClick={() => void runCheck()}>
            {busy === 'check' ? 'Checking…' : 'Check compatibility'}
          </button>
          <button type="submit" className="button button-primary" disabled={busy !== null}>
            {busy === 'register' ? 'Registering…' : 'Register'}
          </button>
        </>
      }
    >
      <div className="form-grid">
        {subject === null ? (
          <Field label="Subject" hint="TopicNameStrategy names it <topic>-value or <topic>-key.">
            {(props) => <input {...props} value={name} placeholder="orders-value" onChange={(event) => setName(event.target.value)} />}
          </Field>
        ) : null}
        <Field label="Type">
          {(props) => (
            <select
              {...props}
              value={type}
              onChange={(event) => {
                const next = event.target.value as SchemaType;
                // The example follows the type while the text is still an untouched example.
                if (Object.values(EXAMPLES).includes(text)) setText(EXAMPLES[next]);
                setType(next);
                setCheck(null);
              }}
            >
              {SCHEMA_TYPES.map((value) => (
                <option key={value} value={value}>
                  {SCHEMA_TYPE_LABEL[value]}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Field label="Schema">
        {(props) => (
          <textarea
            {...props}
            className="schema-text"
            spellCheck={false}
            rows={14}
            value={text}
            onChange={(event) => {
              setText(event.target.value);
              setCheck(null);
            }}
          />
        )}
      </Field>
      {check ? <CompatibilityVerdict result={check} /> : null}
    </Dialog>
  );
}

export function CompatibilityVerdict({ result }: { result: CompatibilityResult }) {
  if (result.compatible) {
    return (
      <div className="form-success" role="status" data-testid="compatibility-verdict">
        {result.checked ? `Compatible (${result.level}): it can be registered.` : 'Valid. The subject has no version yet, so it can be its first.'}
      </div>
    );
  }
  return (
    <div className="form-error" role="alert" data-testid="compatibility-verdict">
      <strong>Not compatible ({result.level}): the registry would refuse it.</strong>
      <ul className="compat-reasons">
        {describeCompatibilityMessages(result.messages).map((line, index) => (
          <li key={index}>{line}</li>
        ))}
      </ul>
    </div>
  );
}
