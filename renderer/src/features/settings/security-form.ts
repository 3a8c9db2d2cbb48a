// The Settings form's embedded-cluster security: what the user types (passwords only when they set
// one: a saved password never comes back) and the settings.update section made from it, checked with
// the contract's own schema before it is sent (the main process checks it again).
import { embeddedSecurityUpdateSchema, type EmbeddedSecurityUpdate, type EmbeddedSecurityView } from '../../../../shared/model/schemas';

export type SecurityProtocol = EmbeddedSecurityView['protocol'];

export interface SecurityUserRow {
  /** Stable across edits (React key): the row, not the name typed in it. */
  key: number;
  name: string;
  /** A new password; empty keeps the saved one. */
  password: string;
}

export interface SecurityForm {
  protocol: SecurityProtocol;
  users: SecurityUserRow[];
  acl: boolean;
}

export const isSasl = (protocol: SecurityProtocol) => protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';

let nextKey = 1;
export const newUserRow = (name = ''): SecurityUserRow => ({ key: nextKey++, name, password: '' });

export function securityFormOf(saved: EmbeddedSecurityView | undefined): SecurityForm {
  return { protocol: saved?.protocol ?? 'PLAINTEXT', users: (saved?.users ?? []).map((user) => newUserRow(user.name)), acl: saved?.acl ?? false };
}

/** Whether the saved settings keep a password for this user name (false: none, or not known in this run). */
export function keptPassword(saved: EmbeddedSecurityView | undefined, name: string): 'kept' | 'not-in-this-run' | 'none' {
  const user = saved?.users.find((candidate) => candidate.name === name.trim());
  return !user ? 'none' : user.hasPassword ? 'kept' : 'not-in-this-run';
}

/**
 * The security section of settings.update (undefined: PLAINTEXT without users, the default), or the
 * errors by field: `protocol`, `users`, `acl`, `users.<row index>.name|password`.
 */
export function securityUpdateOf(
  form: SecurityForm,
  saved: EmbeddedSecurityView | undefined,
): { ok: true; security: EmbeddedSecurityUpdate | undefined } | { ok: false; errors: Record<string, string> } {
  // Rows left blank are no users; the others keep their row index for the errors.
  const rows = form.users.map((row, index) => ({ row, index })).filter(({ row }) => row.name.trim() !== '' || row.password !== '');
  if (form.protocol === 'PLAINTEXT' && rows.length === 0 && !form.acl) return { ok: true, security: undefined };
  const errors: Record<string, string> = {};
  const candidate = {
    protocol: form.protocol,
    users: rows.map(({ row }) => ({ name: row.name.trim(), ...(row.password !== '' ? { password: row.password } : {}) })),
    acl: form.acl,
  };
  rows.forEach(({ row, index }) => {
    if (row.name.trim() !== '' && row.password === '' && keptPassword(saved, row.name) === 'none')
      errors[`users.${index}.password`] = `Enter a password for ${row.name.trim()}: a new user needs one.`;
  });
  const parsed = embeddedSecurityUpdateSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [field, position, part] = issue.path;
      const key = field === 'users' && typeof position === 'number' ? `users.${rows[position]?.index ?? position}.${String(part)}` : String(field);
      errors[key] ??= issue.message;
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, security: parsed.data };
}

/**
 * The form's field for an error the main process reported (`embedded.security.users.1.password`), in
 * the terms securityUpdateOf uses; null when it is not about security.
 */
export function securityFieldOf(path: string, form: SecurityForm): string | null {
  const match = /^embedded\.security(?:\.(.+))?$/.exec(path);
  if (!match) return null;
  const rest = match[1] ?? 'protocol';
  const user = /^users\.(\d+)\.(name|password)$/.exec(rest);
  if (!user) return rest.split('.')[0] ?? 'protocol';
  // The request's users are the non-blank rows, in order.
  const rows = form.users.map((row, index) => ({ row, index })).filter(({ row }) => row.name.trim() !== '' || row.password !== '');
  return `users.${rows[Number(user[1])]?.index ?? user[1]}.${user[2]}`;
}
