// The Settings form's embedded security (renderer/src/features/settings/security-form.ts): the
// settings.update section it makes, and its errors by row, blank rows left out.
import { describe, expect, it } from 'vitest';
import { newUserRow, securityFieldOf, securityFormOf, securityUpdateOf } from '../../renderer/src/features/settings/security-form';

const saved = {
  protocol: 'SASL_SSL' as const,
  users: [
    { name: 'admin', hasPassword: true },
    { name: 'ops', hasPassword: false },
  ],
  acl: true,
};

describe('the embedded security form', () => {
  it('sends saved users without a password (kept) and new passwords only where typed', () => {
    const form = securityFormOf(saved);
    expect(form.users.map((row) => [row.name, row.password])).toEqual([
      ['admin', ''],
      ['ops', ''],
    ]);
    form.users[1]!.password = 'ops-secret';
    expect(securityUpdateOf(form, saved)).toEqual({
      ok: true,
      security: { protocol: 'SASL_SSL', users: [{ name: 'admin' }, { name: 'ops', password: 'ops-secret' }], acl: true },
    });
  });

  it('is no section at all for PLAINTEXT without users (the default)', () => {
    expect(securityUpdateOf({ ...securityFormOf(undefined), users: [newUserRow()] }, undefined)).toEqual({ ok: true, security: undefined });
  });

  it('names the row of each error, blank rows not counted by the schema but kept in the numbering', () => {
    const form = { protocol: 'SASL_SSL' as const, users: [newUserRow(), newUserRow('admin'), newUserRow('bad name'), newUserRow('admin')], acl: false };
    form.users[1]!.password = 'x';
    form.users[2]!.password = 'y';
    const result = securityUpdateOf(form, undefined);
    expect(result).toEqual({
      ok: false,
      errors: {
        'users.2.name': "A user name is 1 to 64 letters, digits, '.', '_', '@' or '-'.",
        'users.3.password': 'Enter a password for admin: a new user needs one.',
        'users.3.name': 'admin is listed twice.',
      },
    });
    // The main process numbers the users it was sent: its second is the form's third row.
    expect(securityFieldOf('embedded.security.users.1.name', form)).toBe('users.2.name');
    expect(securityFieldOf('embedded.security.acl', form)).toBe('acl');
    expect(securityFieldOf('embedded.brokers', form)).toBeNull();
  });

  it('refuses ACLs without SASL and SASL without a user', () => {
    expect(securityUpdateOf({ protocol: 'SSL', users: [], acl: true }, undefined)).toEqual({
      ok: false,
      errors: { acl: 'ACLs need SASL: the first user is the super user Kafka Desk logs in as.' },
    });
    expect(securityUpdateOf({ protocol: 'SASL_PLAINTEXT', users: [], acl: false }, undefined)).toEqual({
      ok: false,
      errors: { users: 'SASL needs a user: Kafka Desk logs in as the first one.' },
    });
  });
});
