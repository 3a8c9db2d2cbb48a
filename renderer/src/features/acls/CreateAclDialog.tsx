// Creating an ACL: the binding's fields, checked as the main process checks them (the shared zod
// schema), and a preview from the main process of what it grants before anything is created: the
// operations with those Kafka implies, the topics or groups its pattern reaches now, and notes.
import { useEffect, useState } from 'react';
import {
  ACL_RESOURCE_TYPES,
  CLUSTER_RESOURCE_NAME,
  SUPPORTED_OPERATIONS,
  aclBindingSchema,
  type AclBinding,
  type AclOperation,
  type AclPatternType,
  type AclPermission,
  type AclPreview,
  type AclResourceType,
} from '../../../../shared/model/acls';
import type { IpcError } from '../../../../shared/ipc/contract';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { useAppStore } from '../../store/hooks';

interface Form {
  principal: string;
  permission: AclPermission;
  operation: AclOperation;
  resourceType: AclResourceType;
  patternType: AclPatternType;
  resourceName: string;
  host: string;
}

export function CreateAclDialog({ initial, onClose }: { initial?: Partial<Form>; onClose: () => void }) {
  const previewAcl = useAppStore((state) => state.previewAcl);
  const createAcl = useAppStore((state) => state.createAcl);
  const [form, setForm] = useState<Form>({
    principal: 'User:',
    permission: 'ALLOW',
    operation: 'READ',
    resourceType: 'TOPIC',
    patternType: 'LITERAL',
    resourceName: '',
    host: '*',
    ...initial,
  });
  const [submitted, setSubmitted] = useState(false);
  const [touched, setTouched] = useState<Partial<Record<keyof Form, boolean>>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<{ key: string; value: AclPreview | null; error: IpcError | null } | null>(null);

  const parsed = aclBindingSchema.safeParse(form);
  const errors: Partial<Record<keyof Form, string>> = {};
  if (!parsed.success) for (const issue of parsed.error.issues) errors[issue.path[0] as keyof Form] ??= issue.message;
  const shown = (field: keyof Form) => (submitted || touched[field] ? errors[field] : undefined);
  const binding: AclBinding | null = parsed.success ? parsed.data : null;
  const bindingKey = binding ? JSON.stringify(binding) : null;

  // The preview follows the form, a moment after the last change.
  useEffect(() => {
    if (!bindingKey) return;
    let current = true;
    const timer = setTimeout(() => {
      void previewAcl(JSON.parse(bindingKey) as AclBinding).then((result) => {
        if (current) setPreview(result.ok ? { key: bindingKey, value: result.value, error: null } : { key: bindingKey, value: null, error: result.error });
      });
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [bindingKey, previewAcl]);

  const update = (patch: Partial<Form>) => {
    setServerError(null);
    setForm((previous) => {
      const next = { ...previous, ...patch };
      // The cluster is one resource, LITERAL "kafka-cluster"; an operation the new type lacks falls back to ALL.
      if (next.resourceType === 'CLUSTER') Object.assign(next, { resourceName: CLUSTER_RESOURCE_NAME, patternType: 'LITERAL' });
      else if (previous.resourceType === 'CLUSTER') next.resourceName = '';
      if (next.operation !== 'ALL' && !SUPPORTED_OPERATIONS[next.resourceType].includes(next.operation)) next.operation = 'ALL';
      return next;
    });
    setTouched((previous) => ({ ...previous, ...Object.fromEntries(Object.keys(patch).map((key) => [key, true])) }));
  };

  const submit = async () => {
    setSubmitted(true);
    if (!binding) return;
    setBusy(true);
    const result = await createAcl(binding);
    setBusy(false);
    if (result.ok) onClose();
    else setServerError(result.error.message);
  };

  const shownPreview = preview && preview.key === bindingKey ? preview : null;
  return (
    <Dialog
      title="Create ACL"
      wide
      onClose={onClose}
      onSubmit={() => void submit()}
      error={serverError}
      actions={
        <button type="submit" className="button button-primary" disabled={busy || (submitted && !binding)}>
          {busy ? 'Creating…' : 'Create ACL'}
        </button>
      }
    >
      <div className="form-grid">
        <Field label="Principal" error={shown('principal')} hint="User:name, or User:* for every user.">
          {(props) => <input {...props} value={form.principal} spellCheck={false} onChange={(event) => update({ principal: event.target.value })} />}
        </Field>
        <Field label="Host" error={shown('host')} hint="* for any host, or one IP address.">
          {(props) => <input {...props} value={form.host} spellCheck={false} onChange={(event) => update({ host: event.target.value })} />}
        </Field>
      </div>
      <div className="form-grid form-grid-3">
        <Field label="Permission">
          {(props) => (
            <select {...props} value={form.permission} onChange={(event) => update({ permission: event.target.value as AclPermission })}>
              <option value="ALLOW">ALLOW</option>
              <option value="DENY">DENY</option>
            </select>
          )}
        </Field>
        <Field label="Operation" error={shown('operation')}>
          {(props) => (
            <select {...props} value={form.operation} onChange={(event) => update({ operation: event.target.value as AclOperation })}>
              {['ALL' as const, ...SUPPORTED_OPERATIONS[form.resourceType]].map((operation) => (
                <option key={operation} value={operation}>
                  {operation}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Resource type">
          {(props) => (
            <select {...props} value={form.resourceType} onChange={(event) => update({ resourceType: event.target.value as AclResourceType })}>
              {ACL_RESOURCE_TYPES.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="form-grid">
        <Field
          label="Pattern"
          error={shown('patternType')}
          hint={form.patternType === 'PREFIXED' ? 'Every name that starts with the text below.' : 'Exactly this name; * is every name.'}
        >
          {(props) => (
            <select
              {...props}
              value={form.patternType}
              disabled={form.resourceType === 'CLUSTER'}
              onChange={(event) => update({ patternType: event.target.value as AclPatternType })}
            >
              <option value="LITERAL">LITERAL</option>
              <option value="PREFIXED">PREFIXED</option>
            </select>
          )}
        </Field>
        <Field label={form.patternType === 'PREFIXED' ? 'Name prefix' : 'Resource name'} error={shown('resourceName')}>
          {(props) => (
            <input
              {...props}
              value={form.resourceName}
              spellCheck={false}
              disabled={form.resourceType === 'CLUSTER'}
              placeholder={form.resourceType === 'GROUP' ? 'orders-service' : 'orders'}
              onChange={(event) => update({ resourceName: event.target.value })}
            />
          )}
        </Field>
      </div>
      <section className="card acl-preview" aria-label="What it grants" aria-live="polite">
        <h2 className="card-title">What it grants</h2>
        {!binding ? (
          <p className="muted">Complete the fields to see what this ACL would do.</p>
        ) : shownPreview?.value ? (
          <PreviewBody preview={shownPreview.value} resourceType={binding.resourceType} />
        ) : shownPreview?.error ? (
          <p className="form-error">{shownPreview.error.message}</p>
        ) : (
          <p className="muted">Working it out…</p>
        )}
      </section>
    </Dialog>
  );
}

function PreviewBody({ preview, resourceType }: { preview: AclPreview; resourceType: AclResourceType }) {
  const noun = resourceType === 'TOPIC' ? 'topic' : 'group';
  return (
    <>
      <p className="acl-summary">{preview.summary}</p>
      <ul className="acl-operations" aria-label="Operations it decides">
        {preview.operations.map((entry) => (
          <li key={entry.operation}>
            <code>{entry.operation}</code>
            {entry.impliedBy && entry.impliedBy !== 'ALL' ? <span className="muted small"> implied by {entry.impliedBy}</span> : null}
          </li>
        ))}
      </ul>
      {preview.existingMatches ? (
        <p className="small" aria-label="Existing matches">
          {preview.existingMatches.length === 0
            ? `No existing ${noun} matches now.`
            : `Covers ${preview.existingMatches.length}${preview.existingMatchesTruncated ? '+' : ''} existing ${noun}${preview.existingMatches.length === 1 ? '' : 's'}: `}
          {preview.existingMatches.map((name, index) => (
            <span key={name}>
              {index ? ', ' : ''}
              <code>{name}</code>
            </span>
          ))}
          {preview.existingMatchesTruncated ? ', …' : null}
        </p>
      ) : null}
      {preview.notes.length ? (
        <ul className={preview.alreadyExists ? 'acl-notes warning' : 'acl-notes'} aria-label="Notes">
          {preview.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
