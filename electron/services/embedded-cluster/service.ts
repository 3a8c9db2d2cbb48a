// The app's view of the embedded Kafka cluster (electron/broker/cluster/cluster.ts), through the
// narrow handle of ./factory, so the app depends only on the cluster's public API.
//
// The cluster can be started, stopped and restarted at any time (the Cluster panel, Settings), on the
// ports and data directory its status shows (`config`); a start that fails because a port is taken
// says which ports and offers the first free range after them (`freeBasePort`).
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { ClusterEvent, EmbeddedClusterStatus, EmbeddedRunConfig, EmbeddedSecurity, EmbeddedSettings } from '../../../shared/model/schemas';
import { AppError } from '../../core/errors';
import { Signal, type EventHub } from '../../core/events';
import { loadEmbeddedClusterFactory, type EmbeddedClusterFactory, type EmbeddedClusterHandle } from './factory';
import type { EmbeddedTelemetry } from '../client-metrics/service';

/** The embedded schema registry's port when Settings name none (18081, beside the brokers' 19092). */
export const DEFAULT_SCHEMA_REGISTRY_PORT = 18081;

const HOST = '127.0.0.1';

/** Whether a port can be listened on here, as a broker would (same host, exclusive). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: HOST, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function portsInUse(basePort: number, count: number): Promise<number[]> {
  const taken: number[] = [];
  for (let port = basePort; port < basePort + count; port += 1) if (!(await portFree(port))) taken.push(port);
  return taken;
}

/** The first `count` consecutive free ports after `after`, searching up to 65000. */
export async function findFreeBasePort(after: number, count: number): Promise<number | null> {
  let candidate = after;
  while (candidate + count - 1 <= 65_000) {
    const taken = await portsInUse(candidate, count);
    if (taken.length === 0) return candidate;
    candidate = (taken.at(-1) ?? candidate) + 1;
  }
  return null;
}

const formatPorts = (ports: number[]) => (ports.length === 1 ? `Port ${ports[0]} is` : `Ports ${ports.slice(0, -1).join(', ')} and ${ports.at(-1)} are`);

export interface EmbeddedClusterServiceDeps {
  settings: Omit<EmbeddedSettings, 'security'>;
  dataDir: string;
  hub: EventHub;
  factory?: () => Promise<EmbeddedClusterFactory | null>;
  /** Which settings of this run came from the command line (web mode flags), not Settings. */
  launchOverrides?: EmbeddedClusterStatus['launchOverrides'];
  /** The data directory a Settings value names ('' is the default under the app's data). */
  resolveDataDir?: (setting: string) => string;
  /** How to secure the cluster at its next start (Settings as saved now, or the launch's override). */
  security?: () => EmbeddedSecurityPlan | undefined;
}

/**
 * The security of a start, with each user's password as this run knows it: null when it is not known
 * (kept in memory by an earlier run without an OS keychain). Such a user keeps the credentials the
 * cluster stored at an earlier start; the first user, whom the app logs in as, must have one.
 */
export interface EmbeddedSecurityPlan {
  protocol: EmbeddedSecurity['protocol'];
  users: ReadonlyArray<{ name: string; password: string | null }>;
  acl: boolean;
}

/** What the app's embedded connection needs to reach the running cluster. */
export interface EmbeddedCredentials {
  protocol: EmbeddedSecurity['protocol'];
  caLocation: string | null;
  user: { name: string; password: string } | null;
}

/** Broker configs for a secured start, as the cluster CLI's --security-protocol and --acl make them. */
export function securityConfig(security: EmbeddedSecurityPlan | undefined): Record<string, string> {
  if (!security || security.protocol === 'PLAINTEXT') return {};
  const config: Record<string, string> = { listeners: `${security.protocol}://${HOST}:0` };
  const first = security.users[0];
  if (security.acl && first) {
    config['authorizer.class.name'] = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';
    config['super.users'] = `User:${first.name}`;
    config['allow.everyone.if.no.acl.found'] = 'false';
  }
  return config;
}

/** Starts, watches and controls the embedded cluster; pushes its events and status to the hub. */
export class EmbeddedClusterService {
  #cluster: EmbeddedClusterHandle | null = null;
  #state: EmbeddedClusterStatus['state'];
  #message: string | null = null;
  #portsInUse: number[] = [];
  #freeBasePort: number | null = null;
  #unsubscribe: (() => void) | null = null;
  /** What the next start uses and the running cluster was started with. */
  #config: EmbeddedRunConfig;
  readonly #enabled: boolean;
  /** The port the registry was asked to serve on (Settings, or the command line for this run). */
  #schemaRegistryPort: number;
  /** The settings that still hold the command line's value (a start with other values drops them). */
  #launchOverrides: EmbeddedClusterStatus['launchOverrides'];
  /** The settings changed by a start or restart from the app in this run. */
  #changedInRun: EmbeddedClusterStatus['changedInRun'] = [];
  readonly #resolveDataDir: (setting: string) => string;
  readonly #security: () => EmbeddedSecurityPlan | undefined;
  /** The security the running cluster was started with. */
  #runningSecurity: EmbeddedSecurityPlan | undefined;
  readonly #hub: EventHub;
  readonly #factory: () => Promise<EmbeddedClusterFactory | null>;
  readonly #changed = new Signal<void>();
  readonly #statuses = new Signal<EmbeddedClusterStatus>();
  readonly #events = new Signal<ClusterEvent>();
  /** Start, stop and restart run one after another. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(deps: EmbeddedClusterServiceDeps) {
    this.#enabled = deps.settings.enabled;
    this.#schemaRegistryPort = deps.settings.schemaRegistryPort ?? DEFAULT_SCHEMA_REGISTRY_PORT;
    this.#config = {
      brokers: deps.settings.brokers,
      basePort: deps.settings.basePort,
      dataDir: deps.dataDir,
      kafkaVersion: deps.settings.kafkaVersion ?? null,
      metadataMode: deps.settings.metadataMode ?? null,
    };
    this.#launchOverrides = deps.launchOverrides ?? [];
    this.#resolveDataDir = deps.resolveDataDir ?? ((setting) => setting || deps.dataDir);
    this.#security = deps.security ?? (() => undefined);
    this.#hub = deps.hub;
    this.#factory = deps.factory ?? loadEmbeddedClusterFactory;
    this.#state = deps.settings.enabled ? 'stopped' : 'disabled';
  }

  get cluster(): EmbeddedClusterHandle | null {
    return this.#cluster;
  }

  /** The client telemetry the running cluster received (KIP-714), or null when it does not run. */
  telemetry(): EmbeddedTelemetry | null {
    const cluster = this.#cluster;
    if (!cluster?.telemetry) return null;
    const release = this.#config.kafkaVersion ?? null;
    return {
      receiving: release === null,
      whyNot:
        release === null
          ? null
          : `The embedded cluster plays Kafka ${release}, whose stock brokers have no telemetry reporter, so they do not advertise GetTelemetrySubscriptions and PushTelemetry and clients push nothing (run it without a release to receive client telemetry).`,
      list: () => cluster.telemetry?.list() ?? [],
    };
  }

  /** Called when the cluster starts or stops, so connections to it can be rebuilt. */
  onChange(listener: () => void): () => void {
    return this.#changed.subscribe(listener);
  }

  /** Called with every status the renderer is sent (a state change, a broker stopped or started). */
  onStatus(listener: (status: EmbeddedClusterStatus) => void): () => void {
    return this.#statuses.subscribe(listener);
  }

  /** Called with every event of the running cluster (brokers up and down, leaders, ISR, topics). */
  onEvent(listener: (event: ClusterEvent) => void): () => void {
    return this.#events.subscribe(listener);
  }

  /** At launch: starts the cluster if Settings (or the command line) turn it on. */
  async startAtLaunch(): Promise<void> {
    if (this.#enabled) await this.start();
  }

  /**
   * Starts the cluster (whether or not it starts with the app), with changes to its brokers, ports or
   * data directory for this run. Answers the status; a failed start is a status, not an error.
   */
  start(changes: Partial<EmbeddedRunConfig> = {}): Promise<EmbeddedClusterStatus> {
    return this.#serially(async () => {
      if (this.#cluster) {
        if (Object.keys(changes).length) throw new AppError('conflict', 'The embedded cluster is running; restart it to change its ports or data directory.');
        return this.status();
      }
      await this.#start(changes);
      return this.status();
    });
  }

  stop(): Promise<EmbeddedClusterStatus> {
    return this.#serially(async () => {
      await this.#stop('stopped', 'The embedded cluster was stopped from Kafka Desk.');
      return this.status();
    });
  }

  restart(changes: Partial<EmbeddedRunConfig> = {}): Promise<EmbeddedClusterStatus> {
    return this.#serially(async () => {
      await this.#stop('stopped', null);
      await this.#start(changes);
      return this.status();
    });
  }

  async close(): Promise<void> {
    await this.#serially(() => this.#stop('stopped', null));
  }

  /**
   * A new schema registry port from Settings, applied at once: a running cluster's registry moves to it
   * (the brokers keep running); a stopped cluster's starts there. Throws, in words, when the port is
   * taken: the registry then keeps serving where it was.
   */
  moveSchemaRegistry(port: number | undefined): Promise<EmbeddedClusterStatus> {
    return this.#serially(async () => {
      this.#schemaRegistryPort = port ?? DEFAULT_SCHEMA_REGISTRY_PORT;
      const cluster = this.#cluster;
      if (!cluster?.moveSchemaRegistry) return this.status();
      try {
        await cluster.moveSchemaRegistry(this.#schemaRegistryPort);
      } catch (error) {
        throw new AppError('conflict', error instanceof Error ? error.message : String(error));
      } finally {
        this.#statusChanged();
      }
      return this.status();
    });
  }

  status(): EmbeddedClusterStatus {
    const cluster = this.#cluster;
    return {
      enabled: this.#enabled,
      state: this.#state,
      message: this.#message,
      bootstrapServers: cluster ? cluster.bootstrapServers() : null,
      dataDir: this.#config.dataDir,
      brokers: cluster ? cluster.brokers() : [],
      config: this.#config,
      launchOverrides: this.#launchOverrides,
      changedInRun: this.#changedInRun,
      portsInUse: this.#portsInUse,
      freeBasePort: this.#freeBasePort,
      schemaRegistryUrl: cluster?.schemaRegistry?.().url ?? null,
      schemaRegistryError: cluster?.schemaRegistry?.().error ?? null,
      security:
        cluster && this.#runningSecurity
          ? {
              protocol: this.#runningSecurity.protocol,
              caLocation: cluster.caLocation ?? null,
              user: this.#runningSecurity.users[0]?.name ?? null,
              acl: this.#runningSecurity.acl,
            }
          : null,
    };
  }

  /** A setting of the command line no longer holds (Settings changed it in this run): the status stops naming its flag. */
  dropLaunchOverride(key: EmbeddedClusterStatus['launchOverrides'][number]): void {
    if (!this.#launchOverrides.includes(key)) return;
    this.#launchOverrides = this.#launchOverrides.filter((other) => other !== key);
    this.#publishStatus(this.status());
  }

  /** How the app's embedded connection reaches the running cluster: the protocol, the CA, the first user. Null while stopped. */
  credentials(): EmbeddedCredentials | null {
    const cluster = this.#cluster;
    if (!cluster) return null;
    const security = this.#runningSecurity;
    const sasl = security?.protocol === 'SASL_SSL' || security?.protocol === 'SASL_PLAINTEXT';
    const first = sasl ? security?.users[0] : undefined;
    return {
      protocol: security?.protocol ?? 'PLAINTEXT',
      caLocation: cluster.caLocation ?? null,
      user: first?.password ? { name: first.name, password: first.password } : null,
    };
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #start(changes: Partial<EmbeddedRunConfig>): Promise<void> {
    const config: EmbeddedRunConfig = {
      brokers: changes.brokers ?? this.#config.brokers,
      basePort: changes.basePort ?? this.#config.basePort,
      dataDir: changes.dataDir !== undefined ? this.#resolveDataDir(changes.dataDir) : this.#config.dataDir,
      kafkaVersion: changes.kafkaVersion !== undefined ? changes.kafkaVersion : (this.#config.kafkaVersion ?? null),
      // A new release without a mode takes its default mode: the old release's mode may not exist in it.
      metadataMode: changes.metadataMode !== undefined ? changes.metadataMode : changes.kafkaVersion !== undefined ? null : (this.#config.metadataMode ?? null),
    };
    const changed = (['brokers', 'basePort', 'dataDir', 'kafkaVersion', 'metadataMode'] as const).filter(
      (key) => (config[key] ?? null) !== (this.#config[key] ?? null),
    );
    this.#launchOverrides = this.#launchOverrides.filter((key) => !changed.includes(key as (typeof changed)[number]));
    this.#changedInRun = [...new Set([...this.#changedInRun, ...changed])];
    this.#config = config;
    this.#portsInUse = [];
    this.#freeBasePort = null;
    this.#setState('starting', null);
    try {
      const factory = await this.#factory();
      if (!factory) {
        this.#setState('unavailable', 'The embedded cluster is not available in this build.');
        return;
      }
      await mkdir(config.dataDir, { recursive: true });
      const security = this.#security();
      const first = security?.users[0];
      if ((security?.protocol === 'SASL_SSL' || security?.protocol === 'SASL_PLAINTEXT') && first && first.password === null) {
        this.#setState(
          'failed',
          `The embedded cluster uses SASL and Kafka Desk logs in as ${first.name}, whose password this run does not have: without an OS keychain (web mode) passwords are kept in memory for one run only. Enter it again in Settings, or start with --user ${first.name}:<password>.`,
        );
        return;
      }
      const cluster = await factory.start({
        brokers: config.brokers,
        basePort: config.basePort,
        host: HOST,
        dataDir: config.dataDir,
        schemaRegistryPort: this.#schemaRegistryPort,
        kafkaVersion: config.kafkaVersion ?? null,
        metadataMode: config.metadataMode ?? null,
        // The app is the embedded cluster's telemetry receiver (KIP-714) unless it plays a release,
        // whose stock brokers have none (so they do not advertise the telemetry APIs).
        config: { ...securityConfig(security), ...(config.kafkaVersion ? {} : { 'telemetry.receiver.enable': 'true' }) },
        // A user whose password this run does not know keeps the credentials stored at an earlier start.
        users: (security?.users ?? []).flatMap((user) => (user.password === null ? [] : [{ name: user.name, password: user.password }])),
      });
      this.#runningSecurity = security;
      this.#cluster = cluster;
      this.#unsubscribe = cluster.onEvent((event) => {
        this.#hub.emit('embedded.event', event);
        this.#events.emit(event);
        if (event.type === 'broker') this.#publishStatus(this.status());
      });
      this.#setState('running', null);
      this.#changed.emit();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if ((error as { code?: string }).code === 'EADDRINUSE' || /EADDRINUSE/.test(reason)) {
        const taken = await portsInUse(config.basePort, config.brokers);
        const failedPort = (error as { port?: number }).port;
        this.#portsInUse = taken.length ? taken : failedPort ? [failedPort] : [];
        this.#freeBasePort = await findFreeBasePort(config.basePort + config.brokers, config.brokers);
        const last = config.basePort + config.brokers - 1;
        const range = config.brokers === 1 ? `port ${config.basePort}` : `ports ${config.basePort}–${last}`;
        this.#setState(
          'failed',
          `${formatPorts(this.#portsInUse)} in use by another program, so the embedded cluster (${config.brokers} broker${config.brokers === 1 ? '' : 's'} on ${range}) could not start.`,
        );
        return;
      }
      this.#setState('failed', `The embedded cluster could not start: ${reason.replace(/\.$/, '')}.`);
    }
  }

  async #stop(state: 'stopped', message: string | null): Promise<void> {
    const cluster = this.#cluster;
    if (!cluster) return;
    this.#setState('stopping', null);
    this.#cluster = null;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#changed.emit();
    try {
      await cluster.close();
    } finally {
      this.#setState(state, message);
    }
  }

  async stopBroker(brokerId: number): Promise<EmbeddedClusterStatus> {
    await this.#requireBroker(brokerId).stopBroker(brokerId);
    return this.#statusChanged();
  }

  async killBroker(brokerId: number): Promise<EmbeddedClusterStatus> {
    await this.#requireBroker(brokerId).killBroker(brokerId);
    return this.#statusChanged();
  }

  async startBroker(brokerId: number): Promise<EmbeddedClusterStatus> {
    await this.#requireBroker(brokerId).startBroker(brokerId);
    return this.#statusChanged();
  }

  /** Grows the running cluster by one broker (the next free id, on the first port + id). */
  async addBroker(): Promise<EmbeddedClusterStatus> {
    const cluster = this.#cluster;
    if (!cluster) throw new AppError('unavailable', this.#message ?? 'The embedded cluster is not running.');
    try {
      await cluster.addBroker();
    } catch (error) {
      throw new AppError('kafka', `No broker was added: ${error instanceof Error ? error.message : String(error)}.`);
    }
    return this.#statusChanged();
  }

  /** Removes a broker from the running cluster; refused while it holds replicas (drain it first). */
  async removeBroker(brokerId: number): Promise<EmbeddedClusterStatus> {
    const cluster = this.#requireBroker(brokerId);
    try {
      await cluster.removeBroker(brokerId);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new AppError('conflict', `Broker ${brokerId} was not removed: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}.`);
    }
    return this.#statusChanged();
  }

  #statusChanged(): EmbeddedClusterStatus {
    const status = this.status();
    this.#publishStatus(status);
    return status;
  }

  #requireBroker(brokerId: number): EmbeddedClusterHandle {
    const cluster = this.#cluster;
    if (!cluster) throw new AppError('unavailable', this.#message ?? 'The embedded cluster is not running.');
    if (!cluster.brokers().some((broker) => broker.id === brokerId)) {
      throw new AppError('not-found', `The embedded cluster has no broker ${brokerId}.`);
    }
    return cluster;
  }

  #setState(state: EmbeddedClusterStatus['state'], message: string | null): void {
    this.#state = state;
    this.#message = message;
    this.#publishStatus(this.status());
  }

  #publishStatus(status: EmbeddedClusterStatus): void {
    this.#hub.emit('embedded.status', status);
    this.#statuses.emit(status);
  }
}
