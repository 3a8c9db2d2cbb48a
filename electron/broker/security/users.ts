import { makeCredential, type ScramMechanism } from './scram';
import type { SecurityMetadata } from './security-metadata';

export interface UserSpec {
  name: string;
  password: string;
}

/** Parses `name:password` (the CLI's --user); the password may hold ':'. */
export function parseUserSpec(text: string): UserSpec | { error: string } {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) return { error: `a user is name:password, got '${text}'` };
  const name = text.slice(0, colon);
  if (name.includes('\u0000')) return { error: 'a user name cannot hold a NUL character' };
  return { name, password: text.slice(colon + 1) };
}

/** Gives a user SCRAM-SHA-256 and SCRAM-SHA-512 credentials for `password` (PLAIN is checked against them). Null, or why not. */
export async function upsertUser(security: SecurityMetadata, user: UserSpec): Promise<string | null> {
  if (user.name === '' || user.password === '') return 'a user needs a name and a password';
  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as ScramMechanism[]) {
    const failure = security.setScramCredential(user.name, mechanism, await makeCredential(mechanism, user.password));
    if (failure) return failure.message;
  }
  return null;
}
