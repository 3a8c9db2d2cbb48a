// Connections: the embedded cluster plus any number of saved external clusters. Owns the Kafka
// clients (one Admin and one Producer per connection, made on first use) and rebuilds them when a
// connection changes or the embedded cluster restarts.
import { readFile, writeFile, rename, mkdir } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Admin, Producer, type BaseOptions } from '@platformatic/kafka';
import { z } from 'zod';
import {
  EMBEDDED_CONNECTION_ID,
  connectionInputSchema,
  saslMechanismSchema,
  type ConnectionConfig,
  type ConnectionSummary,
  type ConnectionTestResult,
} from '../../../shared/model/schemas';
import { AppError } from '../../ipc/errors';
import type { EventHub } from '../../ipc/registry';
import type { EmbeddedClusterService } from '../embedded-cluster';
import type { SecretStore } from '../secrets';

const storedConnectionSchema = z.object({
  id: z.string(),
  name: z.string(),
  bootstrapServers: z.string(),
  clientId: z.string(),
  sasl: z.object({ mechanism: saslMechanismSchema, username: z.string(), sealedPassword: z.string().optional() }).nullable(),
  tls: z.object({
    enabled: z.boolean(),
    caFile: z.string().optional(),
    certFile: z.string().optional(),
    keyFile: z.string().optional(),
    rejectUnauthorized: z.boolean(),
  }),
});
type StoredConnection = z.infer<typeof storedConnectionSchema>;

interface Clients {
  admin: Admin;
  producer: Producer<Buffer, Buffer, Buffer, Buffer> | null;
}

// Short enough that a wrong address fails fast in the UI, long enough for a loaded cluster.
const CLIENT_TIMEOUTS = { connectTimeout: 5_000, requestTimeout: 15_000, timeout: 15_000, retries: 3, retryDelay: 300 };

export class ConnectionService {
  readonly #file: string;
  readonly #secrets: SecretStore;
  readonly #embedded: EmbeddedClusterService;
  readonly #hub: EventHub;
  #saved: StoredConnection[] = [];
  // Passwords that could not be sealed to disk: kept for this run only.
  readonly #memoryPasswords = new Map<string, string>();
  readonly #clients = new Map<string, Clients>();

  constructor(options: { dataDir: string; secrets: SecretStore; embedded: EmbeddedClusterService; hub: EventHub }) {
    this.#file = path.join(options.dataDir, 'connections.json');
    this.#secrets = options.secrets;
    this.#embedded = options.embedded;
    this.#hub = options.hub;
    this.#embedded.onChange(() => {
      void this.#dropClients(EMBEDDED_CONNECTION_ID);
      this.#hub.emit('connections.changed', this.list());
    });
  }

  async load(): Promise<void> {
    try {
      this.#saved = z.array(storedConnectionSchema).parse(JSON.parse(await readFile(this.#file, 'utf8')));
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') {
        console.error('[kafka-desk] connections file is not valid; starting with none:', error);
      }
      this.#saved = [];
    }
  }

  list(): ConnectionSummary[] {
    const embeddedStatus = this.#embedded.status();
    const embedded: ConnectionSummary = {
      id: EMBEDDED_CONNECTION_ID,
      name: 'Embedded cluster',
      kind: 'embedded',
      bootstrapServers: embeddedStatus.bootstrapServers ?? '',
      clientId: 'kafka-desk',
      sasl: null,
      tls: { enabled: false, rejectUnauthorized: true },
      available: embeddedStatus.state === 'running',
    };
    return [embedded, ...this.#saved.map((stored) => this.#summary(stored))];
  }

  async save(input: ConnectionConfig): Promise<ConnectionSummary> {
    if (input.id === EMBEDDED_CONNECTION_ID) throw new AppError('conflict', 'The embedded cluster connection cannot be edited.');
    const existing = input.id ? this.#saved.find((stored) => stored.id === input.id) : undefined;
    if (input.id && !existing) throw new AppError('not-found', 'This connection no longer exists.');
    const id = existing?.id ?? randomUUID();

    let sealedPassword: string | undefined;
    if (input.sasl) {
      if (input.sasl.password !== undefined) {
        sealedPassword = this.#secrets.seal(input.sasl.password) ?? undefined;
        if (sealedPassword === undefined) this.#memoryPasswords.set(id, input.sasl.password);
      } else {
        sealedPassword = existing?.sasl?.sealedPassword;
      }
    } else {
      this.#memoryPasswords.delete(id);
    }

    const stored: StoredConnection = {
      id,
      name: input.name,
      bootstrapServers: input.bootstrapServers,
      clientId: input.clientId,
      sasl: input.sasl
        ? { mechanism: input.sasl.mechanism, username: input.sasl.username, ...(sealedPassword ? { sealedPassword } : {}) }
        : null,
      tls: input.tls,
    };
    this.#saved = existing ? this.#saved.map((item) => (item.id === id ? stored : item)) : [...this.#saved, stored];
    await this.#persist();
    await this.#dropClients(id);
    this.#hub.emit('connections.changed', this.list());
    return this.#summary(stored);
  }

  async delete(id: string): Promise<void> {
    if (id === EMBEDDED_CONNECTION_ID) throw new AppError('conflict', 'The embedded cluster connection cannot be deleted.');
    if (!this.#saved.some((stored) => stored.id === id)) throw new AppError('not-found', 'This connection no longer exists.');
    this.#saved = this.#saved.filter((stored) => stored.id !== id);
    this.#memoryPasswords.delete(id);
    await this.#persist();
    await this.#dropClients(id);
    this.#hub.emit('connections.changed', this.list());
  }

  async test(target: { id: string } | ConnectionConfig): Promise<ConnectionTestResult> {
    const options =
      'bootstrapServers' in target
        ? await this.#optionsFromInput(target)
        : await this.#options(target.id);
    const admin = new Admin({ ...options, retries: 0 });
    const started = performance.now();
    try {
      const metadata = await admin.metadata({ topics: [] });
      return {
        clusterId: metadata.id,
        brokers: metadata.brokers.size,
        controllerId: metadata.controllerId,
        latencyMs: Math.round(performance.now() - started),
      };
    } finally {
      await admin.close().catch(() => undefined);
    }
  }

  /** The Kafka client options of a connection, for services that keep clients of their own. */
  clientOptions(id: string): Promise<BaseOptions> {
    return this.#options(id);
  }

  async admin(id: string): Promise<Admin> {
    return (await this.#clientsFor(id)).admin;
  }

  async producer(id: string): Promise<Producer<Buffer, Buffer, Buffer, Buffer>> {
    const clients = await this.#clientsFor(id);
    if (!clients.producer) {
      clients.producer = new Producer({ ...(await this.#options(id)), clientId: `${await this.#clientId(id)}-producer` });
    }
    return clients.producer;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#clients.keys()].map((id) => this.#dropClients(id)));
  }

  async #clientsFor(id: string): Promise<Clients> {
    const cached = this.#clients.get(id);
    if (cached) return cached;
    const clients: Clients = { admin: new Admin(await this.#options(id)), producer: null };
    this.#clients.set(id, clients);
    return clients;
  }

  async #clientId(id: string): Promise<string> {
    return id === EMBEDDED_CONNECTION_ID ? 'kafka-desk' : (this.#find(id).clientId);
  }

  async #dropClients(id: string): Promise<void> {
    const clients = this.#clients.get(id);
    if (!clients) return;
    this.#clients.delete(id);
    await Promise.all([clients.admin.close().catch(() => undefined), clients.producer?.close().catch(() => undefined)]);
  }

  #find(id: string): StoredConnection {
    const stored = this.#saved.find((item) => item.id === id);
    if (!stored) throw new AppError('not-found', 'This connection does not exist. It may have been deleted.');
    return stored;
  }

  async #options(id: string): Promise<BaseOptions> {
    if (id === EMBEDDED_CONNECTION_ID) {
      const status = this.#embedded.status();
      if (!status.bootstrapServers) {
        if (status.state === 'starting') throw new AppError('unavailable', 'The embedded cluster is starting; this takes a moment.');
        throw new AppError('unavailable', status.message ?? 'The embedded cluster is not running.');
      }
      return { clientId: 'kafka-desk', bootstrapBrokers: status.bootstrapServers.split(','), ...CLIENT_TIMEOUTS };
    }
    const stored = this.#find(id);
    let password: string | undefined;
    if (stored.sasl) {
      password = stored.sasl.sealedPassword ? this.#secrets.open(stored.sasl.sealedPassword) : this.#memoryPasswords.get(id);
      if (password === undefined) {
        throw new AppError(
          'invalid-request',
          'The password of this connection was kept only for the previous run. Edit the connection and enter it again.',
        );
      }
    }
    return buildClientOptions(stored, password);
  }

  async #optionsFromInput(input: ConnectionConfig): Promise<BaseOptions> {
    const valid = connectionInputSchema.parse(input);
    let password = valid.sasl?.password;
    // Testing an edited connection without retyping its password uses the stored one.
    if (valid.sasl && password === undefined && valid.id) {
      const stored = this.#saved.find((item) => item.id === valid.id);
      password = stored?.sasl?.sealedPassword ? this.#secrets.open(stored.sasl.sealedPassword) : this.#memoryPasswords.get(valid.id);
    }
    return buildClientOptions(
      {
        id: valid.id ?? 'unsaved',
        name: valid.name,
        bootstrapServers: valid.bootstrapServers,
        clientId: valid.clientId,
        sasl: valid.sasl ? { mechanism: valid.sasl.mechanism, username: valid.sasl.username } : null,
        tls: valid.tls,
      },
      password,
    );
  }

  #summary(stored: StoredConnection): ConnectionSummary {
    return {
      id: stored.id,
      name: stored.name,
      kind: 'external',
      bootstrapServers: stored.bootstrapServers,
      clientId: stored.clientId,
      sasl: stored.sasl
        ? {
            mechanism: stored.sasl.mechanism,
            username: stored.sasl.username,
            hasPassword: stored.sasl.sealedPassword !== undefined || this.#memoryPasswords.has(stored.id),
          }
        : null,
      tls: stored.tls,
      available: true,
    };
  }

  async #persist(): Promise<void> {
    await mkdir(path.dirname(this.#file), { recursive: true });
    const temporary = `${this.#file}.tmp`;
    await writeFile(temporary, JSON.stringify(this.#saved, null, 2), { mode: 0o600 });
    await rename(temporary, this.#file);
  }
}

async function readTlsFile(file: string | undefined, what: string): Promise<Buffer | undefined> {
  if (!file) return undefined;
  try {
    return await readFile(file);
  } catch {
    throw new AppError('invalid-request', `The ${what} file ${file} cannot be read.`);
  }
}

export async function buildClientOptions(stored: StoredConnection, password: string | undefined): Promise<BaseOptions> {
  const options: BaseOptions = {
    clientId: stored.clientId,
    bootstrapBrokers: stored.bootstrapServers.split(',').map((entry) => entry.trim()),
    ...CLIENT_TIMEOUTS,
  };
  if (stored.sasl) {
    options.sasl = { mechanism: stored.sasl.mechanism, username: stored.sasl.username, password: password ?? '' };
  }
  if (stored.tls.enabled) {
    const [ca, cert, key] = await Promise.all([
      readTlsFile(stored.tls.caFile, 'CA certificate'),
      readTlsFile(stored.tls.certFile, 'client certificate'),
      readTlsFile(stored.tls.keyFile, 'client key'),
    ]);
    options.tls = {
      rejectUnauthorized: stored.tls.rejectUnauthorized,
      ...(ca ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
    };
  }
  return options;
}
