// Connections: the embedded cluster plus any number of saved external clusters. Owns the Kafka
// clients (one Admin and one Producer per connection, made on first use) and rebuilds them when a
// connection changes or the embedded cluster restarts. Every call the app makes on a connection runs
// through track(): it counts as use (so the connection's health is checked), can be cancelled, and
// a network failure comes back in words that say which broker and which request.
import { readFile, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Admin, type BaseOptions, type Producer } from '@platformatic/kafka';
import { TolerantProducer } from '../cluster/tolerant-producer';
import { z } from 'zod';
import {
  DEFAULT_TIMEOUTS,
  EMBEDDED_CONNECTION_ID,
  connectionInputSchema,
  connectionTimeoutsSchema,
  oauthSchema,
  saslMechanismSchema,
  type ConnectionConfig,
  type ConnectionSummary,
  type ConnectionTestResult,
  type ConnectionTimeouts,
  type EmbeddedClusterStatus,
} from '../../../shared/model/schemas';
import { testActivityKey, type ConnectionHealth } from '../../../shared/model/connections';
import { AtomicFile } from '../../core/atomic-file';
import { AppError } from '../../core/errors';
import { Signal, type EventHub } from '../../core/events';
import { appLogger, type Logger } from '../../core/logger';
import type { EmbeddedClusterService } from '../embedded-cluster/service';
import type { SecretStore } from '../secrets/service';
import { NetworkActivity, clientContext } from './activity';
import { describeNetworkFailure, formatSeconds } from '../../core/network-errors';
import { withFinalTimeouts } from './final-timeouts';
import { HealthMonitor, ProbeAborted, type ProbeResult } from './health';
import { probeCluster } from './probe';
import { connectionFromProperties, type ImportedProperties } from './properties';
import { classifyConnectionFailure, diagnoseListener, isUnexplainedClose, type SecurityContext } from './failures';
import { loadTlsMaterial, readCertificates, systemCaCertificates } from './tls-files';
import { clientCredentialsProvider, oauthBearerAuthenticator } from './oauth';

const storedConnectionSchema = z.object({
  id: z.string(),
  name: z.string(),
  bootstrapServers: z.string(),
  clientId: z.string(),
  // sealedPassword: the connection's secret as the secret store sealed it (the password, the OAUTHBEARER
  // token or the OAuth client secret, as the mechanism says); absent when kept in memory for this run.
  sasl: z.object({ mechanism: saslMechanismSchema, username: z.string(), sealedPassword: z.string().optional(), oauth: oauthSchema.optional() }).nullable(),
  tls: z.object({
    enabled: z.boolean(),
    caFile: z.string().optional(),
    certFile: z.string().optional(),
    keyFile: z.string().optional(),
    rejectUnauthorized: z.boolean(),
    // Absent in files written before it could be turned off.
    verifyHostname: z.boolean().default(true),
  }),
  // Absent in files written before timeouts could be set.
  timeouts: connectionTimeoutsSchema.default(DEFAULT_TIMEOUTS),
});
type StoredConnection = z.infer<typeof storedConnectionSchema>;

/** How the app logs in to a secured embedded cluster (its users have SCRAM credentials for both SHA sizes). */
const EMBEDDED_MECHANISM = 'SCRAM-SHA-512';

/** A client .properties file is a few KB; anything this large is not one. */
const MAX_PROPERTIES_BYTES = 256 * 1024;

const embeddedConnectionSchema = z.object({ timeouts: connectionTimeoutsSchema });

interface Clients {
  admin: Admin;
  producer: Producer | null;
}

interface Operation {
  startedAt: number;
  cancel: (error: AppError) => void;
}

/** The client library's timing options from a connection's timeouts. Timeouts are not retried
 * (withFinalTimeouts), so a broker that never answers fails after one request timeout. */
function timingOptions(timeouts: ConnectionTimeouts) {
  return {
    connectTimeout: timeouts.connectMs,
    requestTimeout: timeouts.requestMs,
    // How long the broker itself may wait (CreateTopics, acks=all): less than the client waits, so
    // its own REQUEST_TIMED_OUT answer arrives before the client gives up.
    timeout: Math.max(500, Math.round(timeouts.requestMs * 0.9)),
    retries: 3,
    retryDelay: 300,
  };
}

export interface ConnectionServiceDeps {
  dataDir: string;
  secrets: SecretStore;
  embedded: EmbeddedClusterService;
  hub: EventHub;
  /** How often a connection in use is checked while it answers (tests make it short). */
  healthIntervalMs?: number;
  logger?: Logger;
}

export class ConnectionService {
  /** Written one write after another: two saves at once shared the temporary file. */
  readonly #file: AtomicFile;
  /** The embedded connection's own settings (only its timeouts: the rest follows the cluster). */
  readonly #embeddedFile: AtomicFile;
  #embeddedTimeouts: ConnectionTimeouts = DEFAULT_TIMEOUTS;
  readonly #secrets: SecretStore;
  readonly #embedded: EmbeddedClusterService;
  readonly #hub: EventHub;
  #saved: StoredConnection[] = [];
  // Passwords that could not be sealed to disk: kept for this run only.
  readonly #memoryPasswords = new Map<string, string>();
  readonly #clients = new Map<string, Clients>();
  readonly #operations = new Map<string, Set<Operation>>();
  readonly #activity: NetworkActivity;
  readonly #health: HealthMonitor;
  readonly #listChanged = new Signal<ConnectionSummary[]>();
  readonly #logger: Logger;

  constructor(deps: ConnectionServiceDeps) {
    this.#file = new AtomicFile(path.join(deps.dataDir, 'connections.json'), { mode: 0o600 });
    this.#embeddedFile = new AtomicFile(path.join(deps.dataDir, 'embedded-connection.json'), { mode: 0o600 });
    this.#secrets = deps.secrets;
    this.#embedded = deps.embedded;
    this.#hub = deps.hub;
    this.#logger = deps.logger ?? appLogger;
    this.#activity = new NetworkActivity((key, pending) => this.#hub.emit('connections.activity', { key, pending }));
    this.#health = new HealthMonitor({
      probe: (id) => this.#probe(id),
      emit: (health) => this.#hub.emit('connections.health', health),
      timeouts: (id) => this.#timeoutsOf(id),
      ...(deps.healthIntervalMs ? { intervalMs: deps.healthIntervalMs } : {}),
    });
    this.#embedded.onChange(() => {
      void this.#dropClients(EMBEDDED_CONNECTION_ID);
      this.#health.reset(EMBEDDED_CONNECTION_ID);
      this.#publishList();
    });
    // A broker of the embedded cluster stopped or started: check at once rather than at the next tick.
    this.#embedded.onStatus((status) => {
      // A running cluster lists every broker it has: any other one was removed.
      if (status.state === 'running') this.#health.retainBrokers(EMBEDDED_CONNECTION_ID, new Set(status.brokers.map((broker) => broker.id)));
      this.#health.suspect(EMBEDDED_CONNECTION_ID);
    });
  }

  async load(): Promise<void> {
    try {
      this.#saved = z.array(storedConnectionSchema).parse(JSON.parse(await readFile(this.#file.path, 'utf8')));
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') {
        this.#logger.error('The connections file is not valid; starting with none', { error });
      }
      this.#saved = [];
    }
    try {
      this.#embeddedTimeouts = embeddedConnectionSchema.parse(JSON.parse(await readFile(this.#embeddedFile.path, 'utf8'))).timeouts;
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') {
        console.error('[kafka-desk] embedded connection file is not valid; using the default timeouts:', error);
      }
      this.#embeddedTimeouts = DEFAULT_TIMEOUTS;
    }
  }

  /** Called with the new list when a connection is saved or deleted, or the embedded cluster starts or stops. */
  onChange(listener: (connections: ConnectionSummary[]) => void): () => void {
    return this.#listChanged.subscribe(listener);
  }

  list(): ConnectionSummary[] {
    const embeddedStatus = this.#embedded.status();
    const credentials = this.#embedded.credentials();
    const embedded: ConnectionSummary = {
      id: EMBEDDED_CONNECTION_ID,
      name: 'Embedded cluster',
      kind: 'embedded',
      bootstrapServers: embeddedStatus.bootstrapServers ?? '',
      clientId: 'kafka-desk',
      sasl: credentials?.user ? { mechanism: EMBEDDED_MECHANISM, username: credentials.user.name, hasPassword: true } : null,
      tls: {
        enabled: Boolean(credentials?.caLocation),
        ...(credentials?.caLocation ? { caFile: credentials.caLocation } : {}),
        rejectUnauthorized: true,
        verifyHostname: true,
      },
      timeouts: this.#embeddedTimeouts,
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
        else this.#memoryPasswords.delete(id);
      } else if (existing?.sasl && secretKind(existing.sasl) === secretKind(input.sasl)) {
        sealedPassword = existing.sasl.sealedPassword;
      } else {
        // The secret kept was another kind (a password, now a token): it does not carry over.
        this.#memoryPasswords.delete(id);
      }
    } else {
      this.#memoryPasswords.delete(id);
    }

    const stored: StoredConnection = {
      id,
      name: input.name,
      bootstrapServers: input.bootstrapServers,
      clientId: input.clientId,
      sasl: input.sasl ? { ...storedSasl(input.sasl), ...(sealedPassword ? { sealedPassword } : {}) } : null,
      tls: input.tls,
      timeouts: input.timeouts,
    };
    this.#saved = existing ? this.#saved.map((item) => (item.id === id ? stored : item)) : [...this.#saved, stored];
    await this.#persist();
    this.#cancelOperations(id, 'The connection was edited while this was under way.');
    await this.#dropClients(id);
    this.#health.reset(id);
    this.#publishList();
    return this.#summary(stored);
  }

  /**
   * Saves a connection made from a client .properties file (read here, never in the renderer: it may
   * hold a password, which is sealed like any other). Relative file paths in it are taken from the
   * file's directory.
   */
  async importProperties(file: string, name?: string): Promise<{ connection: ConnectionSummary; warnings: string[]; ignored: string[] }> {
    if (!path.isAbsolute(file)) throw new AppError('invalid-request', `Give the .properties file by its full path; ${file} is relative.`);
    let text: string;
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new AppError('invalid-request', `${file} is not a file.`);
      if (info.size > MAX_PROPERTIES_BYTES)
        throw new AppError('invalid-request', `${file} is ${Math.round(info.size / 1024)} KB; a client .properties file is at most 256 KB.`);
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (error instanceof AppError) throw error;
      const code = (error as { code?: string }).code;
      throw new AppError('invalid-request', `${file} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})`}.`);
    }
    let imported: ImportedProperties;
    try {
      imported = connectionFromProperties(text, { name: name || path.basename(file).replace(/\.properties$/i, '') || 'Imported', baseDir: path.dirname(file) });
    } catch (error) {
      throw new AppError('invalid-request', `${path.basename(file)}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const parsed = connectionInputSchema.safeParse(imported.input);
    if (!parsed.success) {
      const why = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join(' ');
      throw new AppError('invalid-request', `${path.basename(file)} does not make a valid connection. ${why}`);
    }
    const connection = await this.save(parsed.data);
    return { connection, warnings: imported.warnings, ignored: imported.ignored };
  }

  /**
   * Sets the connect and request timeouts of any connection, the embedded one included (whose other
   * settings follow the cluster and cannot be edited). Calls under way end, as on an edit: they run
   * with the old timeouts on clients that are replaced.
   */
  async setTimeouts(id: string, timeouts: ConnectionTimeouts): Promise<ConnectionSummary> {
    if (id === EMBEDDED_CONNECTION_ID) {
      this.#embeddedTimeouts = timeouts;
      await this.#embeddedFile.write(JSON.stringify({ timeouts }, null, 2));
    } else {
      const stored = this.#find(id);
      this.#saved = this.#saved.map((item) => (item.id === id ? { ...stored, timeouts } : item));
      await this.#persist();
    }
    this.#cancelOperations(id, "The connection's timeouts were changed while this was under way.");
    await this.#dropClients(id);
    this.#health.reset(id);
    this.#publishList();
    const summary = this.list().find((connection) => connection.id === id);
    if (!summary) throw new AppError('not-found', 'This connection does not exist. It may have been deleted.');
    return summary;
  }

  async delete(id: string): Promise<void> {
    if (id === EMBEDDED_CONNECTION_ID) throw new AppError('conflict', 'The embedded cluster connection cannot be deleted.');
    if (!this.#saved.some((stored) => stored.id === id)) throw new AppError('not-found', 'This connection no longer exists.');
    this.#saved = this.#saved.filter((stored) => stored.id !== id);
    this.#memoryPasswords.delete(id);
    await this.#persist();
    this.#cancelOperations(id, 'The connection was deleted while this was under way.');
    await this.#dropClients(id);
    this.#health.forget(id);
    this.#publishList();
  }

  /**
   * Connects with a saved connection or the dialog's unsaved one, with its own client, and checks
   * the cluster and every broker it lists. `testId` names it for its progress events
   * (`connections.activity` under "test:<testId>") and for Cancel.
   */
  async test(target: { id: string } | ConnectionConfig, testId: string = randomUUID()): Promise<ConnectionTestResult> {
    const key = testActivityKey(testId);
    const timeouts = 'bootstrapServers' in target ? target.timeouts : this.#timeoutsOf(target.id);
    const options = 'bootstrapServers' in target ? await this.#optionsFromInput(target) : await this.#options(target.id);
    const context = 'bootstrapServers' in target ? securityContextOf(storedFromInput(connectionInputSchema.parse(target))) : this.#securityOf(target.id);
    const admin = withFinalTimeouts(new Admin({ ...options, retries: 0, context: clientContext(key, timeouts) }));
    const started = performance.now();
    try {
      const result = await this.#cancellable(key, () => probeCluster(admin, { describe: (error) => this.#describe(key, timeouts, error) }));
      const unreachable = result.brokers.filter((broker) => !broker.ok);
      return {
        clusterId: result.clusterId,
        brokers: result.brokers.length,
        controllerId: result.controllerId,
        latencyMs: Math.round(performance.now() - started),
        rttMs: result.rttMs,
        unreachableBrokers: unreachable.map((broker) => `Broker ${broker.id} at ${broker.address}: ${broker.error ?? 'no answer'}`),
      };
    } catch (error) {
      if (error instanceof AppError) throw error;
      const security = await this.#explainSecurity(error, options, context, timeouts);
      if (security) throw security;
      const words = this.#describe(key, timeouts, error);
      throw words ? new AppError('unavailable', words, { cause: error }) : error;
    } finally {
      await admin.close().catch(() => undefined);
      this.#activity.forget(key);
    }
  }

  /**
   * Runs one call of the app on a connection: it counts as use (the connection's health is kept
   * checked), Cancel ends it at once, and a network failure comes back as an `unavailable` AppError
   * naming the broker and the request (and makes the health check run now).
   */
  async track<T>(connectionId: string, work: () => Promise<T>): Promise<T> {
    const known = connectionId === EMBEDDED_CONNECTION_ID || this.#saved.some((stored) => stored.id === connectionId);
    if (known) this.#health.touch(connectionId);
    try {
      const value = await this.#cancellable(connectionId, work);
      if (known && this.#health.get(connectionId).state === 'down') this.#health.suspect(connectionId);
      return value;
    } catch (error) {
      if (error instanceof AppError) throw error;
      const security = known ? classifyConnectionFailure(error, this.#securityOf(connectionId)) : null;
      if (security) {
        this.#health.suspect(connectionId);
        throw security;
      }
      const words = this.#describe(connectionId, this.#timeoutsOf(connectionId), error);
      if (!words) throw error;
      if (known) this.#health.suspect(connectionId);
      throw new AppError('unavailable', words, { cause: error });
    }
  }

  /** Ends every call under way on a connection (or a test, by "test:<testId>"), closing its sockets. */
  cancel(target: { connectionId: string } | { testId: string }): number {
    const key = 'testId' in target ? testActivityKey(target.testId) : target.connectionId;
    const count = this.#cancelOperations(key, null);
    if ('connectionId' in target) {
      this.#health.abort(target.connectionId, { pause: true });
      void this.#dropClients(target.connectionId);
    }
    return count;
  }

  health(): ConnectionHealth[] {
    return this.list().map((connection) => this.#health.get(connection.id));
  }

  /** Checks a connection now (the renderer asks when a connection is chosen, and on "Check now"). */
  async check(connectionId: string): Promise<ConnectionHealth> {
    if (connectionId !== EMBEDDED_CONNECTION_ID) this.#find(connectionId);
    return this.#health.check(connectionId);
  }

  /** The Kafka client options of a connection, for services that keep clients of their own. */
  clientOptions(id: string): Promise<BaseOptions> {
    return this.#options(id);
  }

  async admin(id: string): Promise<Admin> {
    return (await this.#clientsFor(id)).admin;
  }

  async producer(id: string): Promise<Producer> {
    const clients = await this.#clientsFor(id);
    if (!clients.producer) {
      const options = await this.#options(id);
      const clientId = `${await this.#clientId(id)}-producer`;
      clients.producer ??= withFinalTimeouts(new TolerantProducer({ ...options, clientId }));
    }
    return clients.producer;
  }

  async close(): Promise<void> {
    this.#health.close();
    for (const key of [...this.#operations.keys()]) this.#cancelOperations(key, 'Kafka Desk is closing.');
    await Promise.all([...this.#clients.keys()].map((id) => this.#dropClients(id)));
    this.#activity.close();
    await Promise.all([this.#file.idle(), this.#embeddedFile.idle()]);
  }

  async #cancellable<T>(key: string, work: () => Promise<T>): Promise<T> {
    let operation: Operation | null = null;
    const cancelled = new Promise<never>((_, reject) => {
      operation = { startedAt: performance.now(), cancel: reject };
    });
    const running = work();
    // A cancelled call's work still ends (its sockets are closed); nobody waits for it any more.
    running.catch(() => undefined);
    const set = this.#operations.get(key) ?? new Set<Operation>();
    this.#operations.set(key, set);
    set.add(operation!);
    try {
      return await Promise.race([running, cancelled]);
    } finally {
      set.delete(operation!);
      if (set.size === 0) this.#operations.delete(key);
    }
  }

  #cancelOperations(key: string, reason: string | null): number {
    const set = this.#operations.get(key);
    if (!set?.size) return 0;
    const waiting = this.#activity.pending(key)[0];
    const what = waiting
      ? waiting.kind === 'connect'
        ? ` while connecting to ${waiting.address}`
        : ` while waiting for the ${waiting.api} answer from ${waiting.address}`
      : '';
    const now = performance.now();
    for (const operation of set) {
      operation.cancel(new AppError('cancelled', reason ?? `Cancelled after ${formatSeconds(Math.round(now - operation.startedAt))}${what}.`));
    }
    const count = set.size;
    this.#operations.delete(key);
    return count;
  }

  #describe(key: string, timeouts: ConnectionTimeouts, error: unknown): string | null {
    return describeNetworkFailure(error, { connectTimeoutMs: timeouts.connectMs, timedOut: this.#activity.lastTimedOut(key) });
  }

  /** The security mismatch behind a failed connection, asking the listener when it closed without a word. */
  async #explainSecurity(error: unknown, options: BaseOptions, context: SecurityContext, timeouts: ConnectionTimeouts): Promise<AppError | null> {
    const classified = classifyConnectionFailure(error, context);
    if (classified || !isUnexplainedClose(error)) return classified;
    const first = options.bootstrapBrokers?.[0];
    const address = typeof first === 'string' ? first : first ? `${first.host}:${first.port}` : null;
    if (!address) return null;
    return diagnoseListener(address, { ...context, tlsOptions: options.tls }, timeouts.connectMs, error).catch(() => null);
  }

  #securityOf(id: string): SecurityContext {
    if (id === EMBEDDED_CONNECTION_ID) {
      const credentials = this.#embedded.credentials();
      return {
        tls: Boolean(credentials?.caLocation),
        caFile: credentials?.caLocation ?? undefined,
        mechanism: credentials?.user ? EMBEDDED_MECHANISM : null,
        username: credentials?.user?.name,
      };
    }
    const stored = this.#saved.find((item) => item.id === id);
    return stored ? securityContextOf(stored) : { tls: false, mechanism: null };
  }

  #timeoutsOf(id: string): ConnectionTimeouts {
    if (id === EMBEDDED_CONNECTION_ID) return this.#embeddedTimeouts;
    return this.#saved.find((stored) => stored.id === id)?.timeouts ?? DEFAULT_TIMEOUTS;
  }

  async #probe(id: string): Promise<ProbeResult> {
    const stopped: ProbeResult['brokers'] = [];
    if (id === EMBEDDED_CONNECTION_ID) {
      const status = this.#embedded.status();
      if (status.state !== 'running') throw embeddedNotRunning(status);
      for (const broker of status.brokers) {
        if (broker.state !== 'running') {
          stopped.push({ id: broker.id, address: `${broker.host}:${broker.port}`, ok: false, rttMs: null, error: 'stopped in the Cluster panel' });
        }
      }
    }
    const clients = await this.#clientsFor(id);
    const timeouts = this.#timeoutsOf(id);
    try {
      const result = await probeCluster(clients.admin, { describe: (error) => this.#describe(id, timeouts, error) });
      const listed = new Set(result.brokers.map((broker) => broker.id));
      return { ...result, brokers: [...result.brokers, ...stopped.filter((broker) => !listed.has(broker.id))] };
    } catch (error) {
      if (clients.admin.closed || this.#clients.get(id) !== clients) throw new ProbeAborted('the clients were closed');
      if (error instanceof AppError) throw error;
      const security = await this.#explainSecurity(error, await this.#options(id), this.#securityOf(id), timeouts);
      if (security) throw security;
      throw new AppError('unavailable', this.#describe(id, timeouts, error) ?? toMessage(error), { cause: error });
    }
  }

  async #clientsFor(id: string): Promise<Clients> {
    const cached = this.#clients.get(id);
    if (cached) return cached;
    const options = await this.#options(id);
    // Another call may have made them while the options were read: one set of clients per connection.
    const raced = this.#clients.get(id);
    if (raced) return raced;
    const clients: Clients = { admin: withFinalTimeouts(new Admin(options)), producer: null };
    this.#clients.set(id, clients);
    return clients;
  }

  async #clientId(id: string): Promise<string> {
    return id === EMBEDDED_CONNECTION_ID ? 'kafka-desk' : this.#find(id).clientId;
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
      if (!status.bootstrapServers) throw embeddedNotRunning(status);
      // A secured embedded cluster: its own CA, and the first of its users (the super user with ACLs on).
      const credentials = this.#embedded.credentials();
      return {
        clientId: 'kafka-desk',
        bootstrapBrokers: status.bootstrapServers.split(','),
        ...timingOptions(this.#embeddedTimeouts),
        ...(credentials?.caLocation ? { tls: { ca: (await readCertificates(credentials.caLocation, 'embedded cluster CA')).pem } } : {}),
        ...(credentials?.user ? { sasl: { mechanism: EMBEDDED_MECHANISM, username: credentials.user.name, password: credentials.user.password } } : {}),
        context: clientContext(id, this.#embeddedTimeouts),
      };
    }
    const stored = this.#find(id);
    let password: string | undefined;
    if (stored.sasl) {
      password = stored.sasl.sealedPassword ? this.#secrets.open(stored.sasl.sealedPassword) : this.#memoryPasswords.get(id);
      if (password === undefined) {
        throw new AppError('invalid-request', 'The password of this connection was kept only for the previous run. Edit the connection and enter it again.');
      }
    }
    return { ...(await buildClientOptions(stored, password)), context: clientContext(id, stored.timeouts) };
  }

  async #optionsFromInput(input: ConnectionConfig): Promise<BaseOptions> {
    const valid = connectionInputSchema.parse(input);
    let password = valid.sasl?.password;
    // Testing an edited connection without retyping its password uses the stored one.
    if (valid.sasl && password === undefined && valid.id) {
      const stored = this.#saved.find((item) => item.id === valid.id);
      password = stored?.sasl?.sealedPassword ? this.#secrets.open(stored.sasl.sealedPassword) : this.#memoryPasswords.get(valid.id);
    }
    return buildClientOptions(storedFromInput(valid), password);
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
            ...(stored.sasl.oauth ? { oauth: stored.sasl.oauth } : {}),
          }
        : null,
      tls: stored.tls,
      timeouts: stored.timeouts,
      available: true,
    };
  }

  #publishList(): void {
    const connections = this.list();
    this.#hub.emit('connections.changed', connections);
    this.#listChanged.emit(connections);
  }

  async #persist(): Promise<void> {
    await this.#file.write(JSON.stringify(this.#saved, null, 2));
  }
}

/** The stored form of a connection from the dialog (no secret: it is sealed apart). */
function storedFromInput(valid: ConnectionConfig): StoredConnection {
  return {
    id: valid.id ?? 'unsaved',
    name: valid.name,
    bootstrapServers: valid.bootstrapServers,
    clientId: valid.clientId,
    sasl: valid.sasl ? storedSasl(valid.sasl) : null,
    tls: valid.tls,
    timeouts: valid.timeouts,
  };
}

function storedSasl(sasl: NonNullable<ConnectionConfig['sasl']>): NonNullable<StoredConnection['sasl']> {
  return {
    mechanism: sasl.mechanism,
    username: sasl.mechanism === 'OAUTHBEARER' ? '' : sasl.username,
    ...(sasl.mechanism === 'OAUTHBEARER' && sasl.oauth ? { oauth: sasl.oauth } : {}),
  };
}

/** What a connection's secret is: a password, a token, or an OAuth client secret. */
function secretKind(sasl: { mechanism: string; oauth?: { method: string } | undefined }): string {
  return sasl.mechanism === 'OAUTHBEARER' ? (sasl.oauth?.method ?? 'token') : 'password';
}

function securityContextOf(stored: StoredConnection): SecurityContext {
  return {
    tls: stored.tls.enabled,
    caFile: stored.tls.caFile,
    certFile: stored.tls.certFile,
    mechanism: stored.sasl?.mechanism ?? null,
    username: stored.sasl?.username,
  };
}

/** The client library's options for a connection: TLS from its checked files, SASL with its secret. */
export async function buildClientOptions(stored: StoredConnection, secret: string | undefined): Promise<BaseOptions> {
  const options: BaseOptions = {
    clientId: stored.clientId,
    bootstrapBrokers: stored.bootstrapServers.split(',').map((entry) => entry.trim()),
    ...timingOptions(stored.timeouts),
  };
  let tokenEndpointCa: string[] | undefined;
  if (stored.tls.enabled) {
    const material = await loadTlsMaterial(stored.tls);
    options.tls = {
      ca: material.ca,
      ...(material.cert ? { cert: material.cert, key: material.key } : {}),
      rejectUnauthorized: stored.tls.rejectUnauthorized,
      // Kafka's ssl.endpoint.identification.algorithm="": the chain is still checked, the name is not.
      ...(stored.tls.verifyHostname ? {} : { checkServerIdentity: () => undefined }),
    };
    // An https token endpoint may be served under the cluster's own CA, or a public one.
    if (stored.tls.caFile) tokenEndpointCa = [...systemCaCertificates(), ...[material.ca].flat()];
  }
  if (stored.sasl) {
    const { mechanism, username, oauth } = stored.sasl;
    if (mechanism !== 'OAUTHBEARER') {
      options.sasl = { mechanism, username, password: secret ?? '' };
    } else if (oauth?.method === 'client-credentials') {
      if (!secret) throw new AppError('invalid-request', 'Enter the OAuth client secret.');
      const fetchToken = clientCredentialsProvider(
        { tokenEndpoint: oauth.tokenEndpoint ?? '', clientId: oauth.clientId ?? '', clientSecret: secret, scope: oauth.scope },
        { timeoutMs: stored.timeouts.connectMs + stored.timeouts.requestMs, ca: tokenEndpointCa },
      );
      options.sasl = { mechanism, token: fetchToken, authenticate: oauthBearerAuthenticator };
    } else {
      if (!secret) throw new AppError('invalid-request', 'Enter the OAUTHBEARER token.');
      options.sasl = { mechanism, token: secret.trim(), authenticate: oauthBearerAuthenticator };
    }
  }
  return options;
}

function toMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function embeddedNotRunning(status: EmbeddedClusterStatus): AppError {
  if (status.state === 'starting') return new AppError('unavailable', 'The embedded cluster is starting; this takes a moment.');
  if (status.state === 'stopping') return new AppError('unavailable', 'The embedded cluster is stopping.');
  return new AppError('unavailable', status.message ?? 'The embedded cluster is not running.', { recovery: 'start-embedded' });
}
