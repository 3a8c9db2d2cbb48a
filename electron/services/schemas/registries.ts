// Which schema registry each connection uses, kept in schema-registries.json beside connections.json.
// The embedded connection uses the embedded cluster's registry unless told otherwise; an external
// registry's password or token is sealed with the app's SecretStore (or kept in memory for this run),
// like connection passwords, and never sent back to the renderer.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { EMBEDDED_CONNECTION_ID } from '../../../shared/model/schemas';
import type { RegistryConfig, RegistrySummary } from '../../../shared/model/registry';
import { AtomicFile } from '../../core/atomic-file';
import { AppError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { SecretStore } from '../secrets/service';
import { basicAuthHeader, RegistryClient, type RegistryAccess } from './registry-client';

const storedRegistrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('embedded') }),
  z.object({
    kind: z.literal('external'),
    url: z.string(),
    auth: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('none') }),
      z.object({ kind: z.literal('basic'), username: z.string(), sealedSecret: z.string().optional() }),
      z.object({ kind: z.literal('bearer'), sealedSecret: z.string().optional() }),
    ]),
    caFile: z.string().optional(),
    rejectUnauthorized: z.boolean(),
  }),
]);
type StoredRegistry = z.infer<typeof storedRegistrySchema>;

export interface RegistrySettingsDeps {
  dataDir: string;
  secrets: SecretStore;
  /** The embedded registry's URL while it serves, and why not otherwise. */
  embedded: () => { url: string | null; problem: string | null };
  /** Whether a connection exists (a registry is set only for one that does). */
  connectionExists: (connectionId: string) => boolean;
  logger: Logger;
}

export class RegistrySettings {
  /** Written one write after another (two at once shared the temporary file: ENOENT on the second rename). */
  readonly #file: AtomicFile;
  readonly #deps: RegistrySettingsDeps;
  #stored: Record<string, StoredRegistry> = {};
  /** Secrets that could not be sealed to disk: this run only. */
  readonly #memorySecrets = new Map<string, string>();

  constructor(deps: RegistrySettingsDeps) {
    this.#deps = deps;
    this.#file = new AtomicFile(path.join(deps.dataDir, 'schema-registries.json'), { mode: 0o600 });
  }

  async load(): Promise<void> {
    try {
      this.#stored = z.record(z.string(), storedRegistrySchema).parse(JSON.parse(await readFile(this.#file.path, 'utf8')));
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') this.#deps.logger.error('The schema registries file is not valid; starting with none', { error });
      this.#stored = {};
    }
  }

  #of(connectionId: string): StoredRegistry {
    return this.#stored[connectionId] ?? (connectionId === EMBEDDED_CONNECTION_ID ? { kind: 'embedded' } : { kind: 'none' });
  }

  summary(connectionId: string): RegistrySummary {
    const stored = this.#of(connectionId);
    const base = { connectionId, rejectUnauthorized: true, auth: { kind: 'none' as const, hasSecret: false } };
    if (stored.kind === 'none') return { ...base, kind: 'none', url: null, problem: null };
    if (stored.kind === 'embedded') {
      const embedded = this.#deps.embedded();
      return { ...base, kind: 'embedded', url: embedded.url, problem: embedded.url ? null : embedded.problem };
    }
    const hasSecret = stored.auth.kind !== 'none' && (stored.auth.sealedSecret !== undefined || this.#memorySecrets.has(connectionId));
    return {
      connectionId,
      kind: 'external',
      url: stored.url,
      auth: { kind: stored.auth.kind, ...(stored.auth.kind === 'basic' ? { username: stored.auth.username } : {}), hasSecret },
      ...(stored.caFile ? { caFile: stored.caFile } : {}),
      rejectUnauthorized: stored.rejectUnauthorized,
      problem:
        stored.auth.kind !== 'none' && !hasSecret
          ? `The registry's ${stored.auth.kind === 'basic' ? 'password' : 'token'} was kept only for the previous run. Enter it again.`
          : null,
    };
  }

  async save(connectionId: string, input: RegistryConfig): Promise<RegistrySummary> {
    if (!this.#deps.connectionExists(connectionId)) throw new AppError('not-found', 'This connection does not exist. It may have been deleted.');
    if (input.kind === 'embedded' && connectionId !== EMBEDDED_CONNECTION_ID) {
      throw new AppError('invalid-request', "Only the embedded cluster's connection can use the embedded schema registry.");
    }
    let stored: StoredRegistry;
    if (input.kind !== 'external') stored = { kind: input.kind };
    else {
      const previous = this.#of(connectionId);
      const previousAuth = previous.kind === 'external' ? previous.auth : null;
      const secret = input.auth.kind === 'basic' ? input.auth.password : input.auth.kind === 'bearer' ? input.auth.token : undefined;
      let sealedSecret: string | undefined;
      if (input.auth.kind !== 'none') {
        if (secret !== undefined) {
          sealedSecret = this.#deps.secrets.seal(secret) ?? undefined;
          if (sealedSecret === undefined) this.#memorySecrets.set(connectionId, secret);
          else this.#memorySecrets.delete(connectionId);
        } else if (previousAuth?.kind === input.auth.kind) {
          // Kept: the same kind of credential without a new secret typed in.
          sealedSecret = previousAuth.sealedSecret;
        } else {
          this.#memorySecrets.delete(connectionId);
          throw new AppError('invalid-request', input.auth.kind === 'basic' ? 'Enter the password (or API secret).' : 'Enter the bearer token.');
        }
      } else this.#memorySecrets.delete(connectionId);
      if (input.caFile) {
        try {
          await readFile(input.caFile);
        } catch {
          throw new AppError('invalid-request', `The CA certificate file ${input.caFile} cannot be read.`);
        }
      }
      stored = {
        kind: 'external',
        url: input.url.replace(/\/+$/, ''),
        auth:
          input.auth.kind === 'none'
            ? { kind: 'none' }
            : input.auth.kind === 'basic'
              ? { kind: 'basic', username: input.auth.username, ...(sealedSecret ? { sealedSecret } : {}) }
              : { kind: 'bearer', ...(sealedSecret ? { sealedSecret } : {}) },
        ...(input.caFile ? { caFile: input.caFile } : {}),
        rejectUnauthorized: input.rejectUnauthorized,
      };
    }
    this.#stored = { ...this.#stored, [connectionId]: stored };
    await this.#persist();
    return this.summary(connectionId);
  }

  /** Drops the registries of connections that no longer exist. */
  async keepConnections(ids: ReadonlySet<string>): Promise<void> {
    const gone = Object.keys(this.#stored).filter((id) => !ids.has(id));
    if (!gone.length) return;
    this.#stored = Object.fromEntries(Object.entries(this.#stored).filter(([id]) => ids.has(id)));
    for (const id of gone) this.#memorySecrets.delete(id);
    await this.#persist();
  }

  /** How to reach the connection's registry; null when it has none. Throws when it cannot be used now. */
  async access(connectionId: string): Promise<RegistryAccess | null> {
    const stored = this.#of(connectionId);
    if (stored.kind === 'none') return null;
    if (stored.kind === 'embedded') {
      const embedded = this.#deps.embedded();
      if (!embedded.url) throw new AppError('unavailable', embedded.problem ?? 'The embedded schema registry is not running.', { recovery: 'start-embedded' });
      return { url: embedded.url, headers: {}, rejectUnauthorized: true };
    }
    const headers: Record<string, string> = {};
    if (stored.auth.kind !== 'none') {
      const secret = stored.auth.sealedSecret ? this.#deps.secrets.open(stored.auth.sealedSecret) : this.#memorySecrets.get(connectionId);
      if (secret === undefined) throw new AppError('invalid-request', this.summary(connectionId).problem ?? 'The registry needs its secret again.');
      headers['Authorization'] = stored.auth.kind === 'basic' ? basicAuthHeader(stored.auth.username, secret) : `Bearer ${secret}`;
    }
    let ca: string | undefined;
    if (stored.caFile) {
      try {
        ca = await readFile(stored.caFile, 'utf8');
      } catch {
        throw new AppError('invalid-request', `The registry's CA certificate file ${stored.caFile} cannot be read.`);
      }
    }
    return { url: stored.url, headers, rejectUnauthorized: stored.rejectUnauthorized, ...(ca ? { ca } : {}) };
  }

  /** A client of the connection's registry; a clear error when it has none. */
  async client(connectionId: string): Promise<RegistryClient> {
    const access = await this.access(connectionId);
    if (!access) throw new AppError('not-found', 'This connection has no schema registry. Set one on the Schemas screen.');
    return new RegistryClient(access);
  }

  /** Resolves once the writes under way are done (the app closing waits for them). */
  async close(): Promise<void> {
    await this.#file.idle();
  }

  /** Writes what is stored now, after the writes before it. */
  #persist(): Promise<void> {
    return this.#file.write(JSON.stringify(this.#stored, null, 2));
  }
}
