// Settings persisted as JSON in the app's data directory. A missing or unreadable file means the
// defaults; a file that fails validation is set aside (renamed) rather than silently overwritten.
//
// The embedded cluster's user passwords are secrets like a connection's: sealed by the secret store
// (the OS keychain on desktop) and written sealed, or kept in memory for this run only (web mode, no
// keychain), never written in clear and never sent back to the renderer, which only learns whether a
// user has one. A settings.json of an earlier version, with passwords in clear, is rewritten at load.
import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import {
  SECURITY_PROTOCOL_CHOICES,
  embeddedSettingsSchema,
  embeddedUserNameSchema,
  settingsSchema,
  type EmbeddedSecurityUpdate,
  type Settings,
  type SettingsUpdate,
} from '../../../shared/model/schemas';
import { AtomicFile } from '../../core/atomic-file';
import { appLogger, type Logger } from '../../core/logger';
import { Signal } from '../../core/events';
import type { EmbeddedSecurityPlan } from '../embedded-cluster/service';
import { MemorySecretStore, type SecretStore } from '../secrets/service';

export const DEFAULT_SETTINGS: Settings = {
  embedded: { enabled: true, brokers: 3, basePort: 19092, dataDir: '' },
};

// settings.json's form of the embedded cluster's security: each user's password sealed by the secret
// store (absent: not written, kept in memory for this run only). `password` in clear is how versions
// before the secret store wrote it: read once, sealed, and the file rewritten without it.
const storedUserSchema = z.object({ name: embeddedUserNameSchema, sealedPassword: z.string().optional(), password: z.string().min(1).optional() });
const storedSecuritySchema = z
  .object({ protocol: z.enum(SECURITY_PROTOCOL_CHOICES), users: z.array(storedUserSchema).max(20), acl: z.boolean() })
  .superRefine((security, context) => {
    const sasl = security.protocol === 'SASL_PLAINTEXT' || security.protocol === 'SASL_SSL';
    if (sasl && security.users.length === 0) context.addIssue({ code: 'custom', path: ['users'], message: 'SASL needs a user.' });
    if (security.acl && !sasl) context.addIssue({ code: 'custom', path: ['acl'], message: 'ACLs need SASL.' });
  });
const storedSettingsSchema = settingsSchema.extend({ embedded: embeddedSettingsSchema.extend({ security: storedSecuritySchema.optional() }) });
type StoredSettings = z.infer<typeof storedSettingsSchema>;
type StoredSecurity = z.infer<typeof storedSecuritySchema>;

export interface SettingsServiceDeps {
  /** The app's data directory: settings.json lives there. */
  dataDir: string;
  /** Where the embedded users' passwords are kept (default: memory, for this run only). */
  secrets?: SecretStore;
  logger?: Logger;
}

export class SettingsService {
  /** Changed one update after another: two at once shared the temporary file, and the later one dropped the other's change. */
  readonly #file: AtomicFile;
  readonly #secrets: SecretStore;
  readonly #logger: Logger;
  #stored: StoredSettings = DEFAULT_SETTINGS;
  // Embedded users' passwords the secret store could not seal (no keychain): by user name, for this run only.
  readonly #memoryPasswords = new Map<string, string>();
  readonly #securityChanged = new Signal<void>();

  constructor(deps: SettingsServiceDeps) {
    this.#file = new AtomicFile(path.join(deps.dataDir, 'settings.json'));
    this.#secrets = deps.secrets ?? new MemorySecretStore();
    this.#logger = deps.logger ?? appLogger;
  }

  /** Settings as the renderer may see them: no password, only whether each user has one. */
  get current(): Settings {
    const { security, ...embedded } = this.#stored.embedded;
    return {
      ...this.#stored,
      embedded: {
        ...embedded,
        ...(security
          ? {
              security: {
                protocol: security.protocol,
                users: security.users.map((user) => ({ name: user.name, hasPassword: this.#password(user) !== null })),
                acl: security.acl,
              },
            }
          : {}),
      },
    };
  }

  /** How the embedded cluster is to be secured at its next start, with the passwords this run knows. */
  embeddedSecurity(): EmbeddedSecurityPlan | undefined {
    const security = this.#stored.embedded.security;
    if (!security) return undefined;
    return { protocol: security.protocol, users: security.users.map((user) => ({ name: user.name, password: this.#password(user) })), acl: security.acl };
  }

  /** Called after a change to the embedded cluster's security is saved. */
  onSecurityChange(listener: () => void): () => void {
    return this.#securityChanged.subscribe(listener);
  }

  async load(): Promise<Settings> {
    let text: string;
    try {
      text = await readFile(this.#file.path, 'utf8');
    } catch {
      this.#stored = DEFAULT_SETTINGS;
      return this.current;
    }
    try {
      this.#stored = storedSettingsSchema.parse(JSON.parse(text));
    } catch (error) {
      const aside = `${this.#file.path}.invalid-${Date.now()}`;
      this.#logger.error(`The settings file is not valid, moved to ${aside}`, { error });
      await rename(this.#file.path, aside).catch(() => undefined);
      this.#stored = DEFAULT_SETTINGS;
      return this.current;
    }
    const security = this.#stored.embedded.security;
    const inClear = security?.users.filter((user) => user.password !== undefined) ?? [];
    if (security && inClear.length > 0) {
      // An earlier version's file: its passwords go to the secret store, and the file is rewritten without them.
      const sealed = { ...security, users: security.users.map((user) => (user.password === undefined ? user : this.#seal(user.name, user.password))) };
      this.#stored = { ...this.#stored, embedded: { ...this.#stored.embedded, security: sealed } };
      try {
        await this.#file.write(JSON.stringify(this.#stored, null, 2));
        this.#logger.info(
          this.#secrets.kind === 'encrypted'
            ? `Moved the embedded cluster users' passwords (${inClear.map((user) => user.name).join(', ')}) out of settings.json into the keychain`
            : `Removed the embedded cluster users' passwords (${inClear.map((user) => user.name).join(', ')}) from settings.json: without a keychain they are kept in memory for this run only`,
        );
      } catch (error) {
        this.#logger.error('Could not rewrite settings.json without the passwords in clear; they stay there until the next save', { error });
      }
    }
    return this.current;
  }

  /**
   * Saves the sections given (each replaces the saved one). Embedded users given without a password
   * keep the one kept for that name; a new user must bring one.
   */
  update(request: SettingsUpdate): Promise<Settings> {
    return this.#file.change(async (save) => {
      const { security: securityUpdate, ...embedded } = request.embedded ?? {};
      const next: StoredSettings = {
        ...this.#stored,
        ...(request.appearance ? { appearance: request.appearance } : {}),
        ...(request.embedded
          ? {
              embedded: {
                ...embeddedSettingsSchema.omit({ security: true }).parse(embedded),
                ...(securityUpdate ? { security: this.#merge(securityUpdate) } : {}),
              },
            }
          : {}),
      };
      const valid = storedSettingsSchema.parse(next);
      const securityChanged = request.embedded !== undefined && JSON.stringify(securityUpdate ?? null) !== JSON.stringify(this.#viewOfStoredSecurity() ?? null);
      await save(JSON.stringify(valid, null, 2));
      this.#stored = valid;
      // Passwords of users no longer listed are forgotten.
      const names = new Set(valid.embedded.security?.users.map((user) => user.name) ?? []);
      for (const name of [...this.#memoryPasswords.keys()]) if (!names.has(name)) this.#memoryPasswords.delete(name);
      if (securityChanged) this.#securityChanged.emit();
      return this.current;
    });
  }

  #viewOfStoredSecurity(): EmbeddedSecurityUpdate | undefined {
    const security = this.#stored.embedded.security;
    return security && { protocol: security.protocol, users: security.users.map((user) => ({ name: user.name })), acl: security.acl };
  }

  /** The stored form of a security change: new passwords sealed, the others kept by name. */
  #merge(update: EmbeddedSecurityUpdate): StoredSecurity {
    const kept = new Map((this.#stored.embedded.security?.users ?? []).map((user) => [user.name, user]));
    const missing: z.core.$ZodIssue[] = [];
    const users = update.users.map((user, index) => {
      if (user.password !== undefined) return this.#seal(user.name, user.password);
      const existing = kept.get(user.name);
      if (!existing) {
        missing.push({
          code: 'custom',
          path: ['embedded', 'security', 'users', index, 'password'],
          message: `Enter a password for ${user.name}: a new user needs one.`,
          input: undefined,
        });
        return { name: user.name };
      }
      return existing;
    });
    if (missing.length) throw new z.ZodError(missing);
    return { protocol: update.protocol, users, acl: update.acl };
  }

  #seal(name: string, password: string): z.infer<typeof storedUserSchema> {
    const sealed = this.#secrets.seal(password);
    if (sealed === null) {
      this.#memoryPasswords.set(name, password);
      return { name };
    }
    this.#memoryPasswords.delete(name);
    return { name, sealedPassword: sealed };
  }

  #password(user: z.infer<typeof storedUserSchema>): string | null {
    if (user.password !== undefined) return user.password;
    if (user.sealedPassword !== undefined) {
      try {
        return this.#secrets.open(user.sealedPassword);
      } catch (error) {
        // Sealed by another keychain (the file copied from another machine or account).
        this.#logger.error(`The embedded user ${user.name}'s password cannot be read back from the keychain`, { error });
        return this.#memoryPasswords.get(user.name) ?? null;
      }
    }
    return this.#memoryPasswords.get(user.name) ?? null;
  }

  /** Resolves once the writes under way are done (the app closing waits for them). */
  async close(): Promise<void> {
    await this.#file.idle();
  }
}

/** Where the embedded cluster keeps its logs: the setting, or kafka-data under the app's data dir. */
export function embeddedDataDir(settings: Settings, appDataDir: string): string {
  return settings.embedded.dataDir.trim() ? path.resolve(settings.embedded.dataDir) : path.join(appDataDir, 'kafka-data');
}
