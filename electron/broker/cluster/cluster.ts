import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateTopicConfigs } from '../log/log-config';
import { initCompression } from '../../kafka/records/compression';
import { createDispatcher, createRegistry } from '../handlers/registry';
import { advertisedApisFor, type AdvertisedApis } from '../handlers/release-apis';
import { playedMetadataMode, type KafkaReleaseId, type MetadataMode } from '../../kafka/releases';
import { releaseFeatures } from './features';
import { TelemetryReceiver } from '../telemetry/telemetry-receiver';
import { clientQuotaRules } from '../quotas/client-quota-entity';
import { throttledClients, type ThrottledClientReport } from '../quotas/throttle-report';
import type { CoordinatorClock } from '../groups/coordinator';
import type { RequestDispatcher } from '../server/dispatcher';
import { createLogger, type Logger } from '../server/logger';
import { tuneGarbageCollectorForBrokers } from '../server/gc-tuning';
import { MemoryBudget } from '../server/memory-budget';
import { Broker } from './broker';
import { BrokerConfigView, validateBrokerConfigs } from './broker-config';
import { Controller } from './controller';
import { ClusterEvents, type ClusterEvent } from './events';
import { MetadataStore } from './metadata-store';
import { Authorizer } from '../security/authorizer';
import { ensureBrokerTls } from '../security/certificates';
import type { BrokerSecurity } from '../security/sasl-session';
import { securityConfigErrors, securitySettings } from '../security/security-config';
import { upsertUser, type UserSpec } from '../security/users';

export type { ClusterEvent } from './events';

export interface EmbeddedClusterOptions {
  brokers: number;
  basePort: number;
  /** Interface to listen on; 127.0.0.1 unless told otherwise. */
  host?: string;
  dataDir: string;
  /** Static broker configs by Kafka name, applied to every broker. */
  config?: Record<string, string>;
  logger?: Logger;
  /** Turns request frames into responses; the full handler registry unless given (benches swap handlers). */
  dispatcher?: RequestDispatcher<Broker>;
  /**
   * The Apache Kafka release the brokers play: they advertise and accept the API versions it did
   * (handlers/release-apis.ts). Absent: every version implemented.
   */
  kafkaVersion?: KafkaReleaseId | null;
  /**
   * ZooKeeper or KRaft brokers of that release: Kafka 3.3-3.9 ran either, and they advertised different
   * APIs (a ZooKeeper broker its controller channel, a KRaft broker the quorum and client-metrics APIs).
   * The release's default unless given (ZooKeeper through 3.9, KRaft from 4.0); refused for a mode the
   * release did not have.
   */
  metadataMode?: MetadataMode | null;
  /**
   * Users given SCRAM-SHA-256 and SCRAM-SHA-512 credentials at start (PLAIN checks its password against
   * them): created, or their password set again. Others can be made with AlterUserScramCredentials.
   */
  users?: readonly UserSpec[];
  /** The group coordinators' clock (session, rebalance and retention timers); the system's unless given (tests pass a manual one). */
  groupClock?: CoordinatorClock;
}

/**
 * Whether the brokers act as a KIP-714 telemetry receiver and advertise GetTelemetrySubscriptions and
 * PushTelemetry: `telemetry.receiver.enable=true` (Kafka Desk's switch for what Kafka gets from a
 * `metric.reporters` class implementing ClientTelemetry). Off by default, as a stock Kafka broker;
 * playing a release, only 3.7+ KRaft brokers list them (kafka/releases.ts telemetryApis).
 */
export function clientTelemetryEnabled(config: Readonly<Record<string, string>>): boolean {
  return config['telemetry.receiver.enable']?.trim().toLowerCase() === 'true';
}

/** The most brokers one embedded cluster runs. */
export const MAX_BROKERS = 32;

export interface EmbeddedBrokerStatus {
  id: number;
  host: string;
  port: number;
  state: 'running' | 'stopped';
}

/**
 * The embedded Kafka cluster: N brokers in this process, each on its own port with its own log dir
 * under the data dir, and one controller owning the cluster metadata. Brokers stop (cleanly, leaders
 * moved away first), get killed (abruptly) and start again at run time.
 */
export class EmbeddedCluster {
  readonly controller: Controller;
  readonly events = new ClusterEvents();
  readonly logger: Logger;
  /** The brokers' security (listener protocol, TLS material, SASL, authorizer), shared by all of them. */
  readonly security: BrokerSecurity;
  readonly #brokerMap = new Map<number, Broker>();
  #closed = false;
  /** The Kafka release the brokers play (null: every version implemented). */
  readonly kafkaVersion: KafkaReleaseId | null;
  /** ZooKeeper or KRaft brokers (KRaft when no release is played). */
  readonly metadataMode: MetadataMode;
  /** The client telemetry the brokers accepted (KIP-714): each client instance's latest push. */
  readonly telemetry = new TelemetryReceiver();

  /** What the brokers advertise: the release's APIs they implement, and those they do not. */
  advertisedApis(): AdvertisedApis {
    return advertisedApisFor(createRegistry(), this.kafkaVersion, { clientTelemetry: clientTelemetryEnabled(this.options.config), mode: this.metadataMode });
  }

  private constructor(
    readonly options: Required<Omit<EmbeddedClusterOptions, 'logger' | 'config' | 'dispatcher' | 'kafkaVersion' | 'metadataMode' | 'users' | 'groupClock'>> & {
      config: Record<string, string>;
    },
    logger: Logger,
    dispatcher: RequestDispatcher<Broker>,
    groupClock?: CoordinatorClock,
    kafkaVersion: KafkaReleaseId | null = null,
    metadataMode: MetadataMode = 'kraft',
  ) {
    this.kafkaVersion = kafkaVersion;
    this.metadataMode = metadataMode;
    this.logger = logger;
    const count = options.brokers;
    const brokerIds = Array.from({ length: count }, (_, i) => i);
    const staticConfigs: Record<string, string> = { 'default.replication.factor': String(Math.min(3, count)), ...options.config };
    const probe = { value: (name: string) => staticConfigs[name] };
    const staticView = new BrokerConfigView(
      staticConfigs,
      () => ({}),
      () => ({}),
    );
    // One budget for the connections of every broker: they share this process's memory.
    const memory = new MemoryBudget(staticView.int('queued.max.request.bytes'));
    const limits = {
      perRequest: staticView.int('max.partitions.per.request'),
      perTopic: staticView.int('max.partitions.per.topic'),
      total: staticView.int('max.partitions'),
    };
    this.controller = new Controller({
      store: new MetadataStore(options.dataDir),
      brokerIds,
      events: this.events,
      defaults: () => ({
        numPartitions: Number(probe.value('num.partitions') ?? 1),
        replicationFactor: Number(probe.value('default.replication.factor') ?? 1),
      }),
      validateTopicConfigs: (configs) => validateTopicConfigs(configs)[0]?.message ?? null,
      validateBrokerConfigs: (configs) => validateBrokerConfigs(configs, { dynamicOnly: true })[0]?.message ?? null,
      limits: () => limits,
      onConfigChange: (change) => {
        for (const broker of this.runningBrokers()) {
          if ('topic' in change) broker.applyTopicConfigs(change.topic);
          else if (change.brokerId === '' || change.brokerId === broker.id) broker.applyTopicConfigs();
        }
      },
      replicaLog: (brokerId, topic, partition) => this.#brokerMap.get(brokerId)?.replicaLogInfo(topic, partition) ?? null,
      logger: logger.child({ controller: true }),
      features: releaseFeatures(kafkaVersion, metadataMode),
      clientQuotaRules: clientQuotaRules(kafkaVersion),
      onBrokerUnregistered: (id) => {
        // UnregisterBroker (or removeBroker): the broker, already stopped, is forgotten.
        if (!this.#brokerMap.delete(id)) return;
        this.events.emit({ type: 'broker', brokerId: id, state: 'removed', at: Date.now() });
      },
      delegationTokens: () => ({
        secretKey: staticConfigs['delegation.token.secret.key'] ?? staticConfigs['delegation.token.master.key'] ?? null,
        maxLifetimeMs: staticView.int('delegation.token.max.lifetime.ms'),
        expiryTimeMs: staticView.int('delegation.token.expiry.time.ms'),
      }),
      topicConfig: (topic, name) => {
        if (topic.configs[name] !== undefined) return topic.configs[name];
        const anyBroker = this.#brokerMap.values().next().value;
        return anyBroker?.config.topicDefaults()[name];
      },
    });
    const settings = securitySettings(staticView, staticConfigs['listeners']);
    this.security = {
      settings,
      // Made on first start (a second or so of key generation), kept in the data dir after.
      tls: settings.tls ? ensureBrokerTls(options.dataDir, options.host) : null,
      credentials: {
        scramCredential: (user, mechanism) => this.controller.security.scramCredential(user, mechanism),
        delegationToken: (tokenId, mechanism) => this.controller.delegationTokens.scramCredential(tokenId, mechanism),
      },
      authorizer: settings.authorizerEnabled ? new Authorizer(this.controller.security, settings) : null,
      now: Date.now,
    };
    this.#newBroker = (id) =>
      new Broker({
        id,
        host: options.host,
        port: options.basePort === 0 ? 0 : options.basePort + id,
        logDir: join(options.dataDir, `broker-${id}`),
        staticConfigs,
        controller: this.controller,
        peer: (peerId) => this.#brokerMap.get(peerId),
        dispatcher,
        logger,
        memory,
        security: this.security,
        groupClock,
        kafkaVersion,
        metadataMode,
        telemetry: this.telemetry,
      });
    // The registered brokers: the count asked for, or as brokers were added and removed since (kept in the metadata).
    if (this.controller.brokerIds.join() !== brokerIds.join()) {
      logger.info('starting the brokers registered in the cluster metadata (brokers were added or removed at run time)', {
        brokers: this.controller.brokerIds.join(','),
        asked: count,
      });
    }
    for (const id of this.controller.brokerIds) this.#brokerMap.set(id, this.#newBroker(id));
    this.events.subscribe((event) => this.#route(event));
  }

  readonly #newBroker: (id: number) => Broker;

  /**
   * Adds a broker while the cluster runs: the next free id (one above the highest), on base port + id,
   * registered in the cluster metadata (so it starts again after a restart) and started. It holds no
   * replica until partitions are created on it or reassigned to it.
   */
  async addBroker(): Promise<EmbeddedBrokerStatus> {
    const id = Math.max(-1, ...this.#brokerMap.keys()) + 1;
    if (this.#brokerMap.size >= MAX_BROKERS) throw new RangeError(`the cluster has ${this.#brokerMap.size} brokers, the most it may have`);
    if (this.options.basePort !== 0 && this.options.basePort + id > 65535) throw new RangeError(`port ${this.options.basePort + id} is not a valid TCP port`);
    const failure = this.controller.registerBroker(id);
    if (failure) throw new Error(failure.message);
    const broker = this.#newBroker(id);
    this.#brokerMap.set(id, broker);
    try {
      await this.startBroker(id);
    } catch (error) {
      // A port taken: the broker was never up, so it is forgotten again.
      this.#brokerMap.delete(id);
      this.controller.unregisterBroker(id);
      throw error;
    }
    this.events.emit({ type: 'broker', brokerId: id, state: 'added', at: Date.now() });
    return { id, host: broker.host, port: broker.boundPort, state: broker.state };
  }

  /**
   * Removes a broker while the cluster runs (Kafka's UnregisterBroker): refused while any partition
   * has a replica on it (move them away first: a reassignment, the planner's "drain"), and for the last
   * broker. It is stopped cleanly first; its log dir stays on disk.
   */
  async removeBroker(id: number): Promise<void> {
    this.broker(id);
    const held = this.controller.replicasOn(id);
    if (held.length > 0) {
      const named = held.slice(0, 5).join(', ') + (held.length > 5 ? ` and ${held.length - 5} more` : '');
      throw new Error(`broker ${id} still holds ${held.length} replica${held.length === 1 ? '' : 's'} (${named}): move them to other brokers first (drain it)`);
    }
    if (this.#brokerMap.size === 1) throw new Error(`broker ${id} is the cluster's last broker`);
    await this.stopBroker(id);
    const failure = this.controller.unregisterBroker(id);
    if (failure) throw new Error(failure.message);
  }

  static async start(options: EmbeddedClusterOptions): Promise<EmbeddedCluster> {
    if (!Number.isInteger(options.brokers) || options.brokers < 1 || options.brokers > MAX_BROKERS) {
      throw new RangeError(`broker count must be an integer from 1 to 32, got ${options.brokers}`);
    }
    if (!Number.isInteger(options.basePort) || options.basePort < 0 || options.basePort + options.brokers - 1 > 65535) {
      throw new RangeError(`ports ${options.basePort}..${options.basePort + options.brokers - 1} are not valid TCP ports`);
    }
    const errors = [...validateBrokerConfigs(options.config ?? {}), ...securityConfigErrors(options.config ?? {}).map((message) => ({ message }))];
    if (errors.length > 0) throw new Error(`invalid broker config: ${errors.map((e) => e.message).join('; ')}`);
    // This process now hosts brokers: V8 collects its old generation as a broker needs (server/gc-tuning.ts).
    // Here rather than in each entry point, so the app loads no broker module until the cluster starts.
    tuneGarbageCollectorForBrokers();
    const configured = new BrokerConfigView(
      options.config ?? {},
      () => ({}),
      () => ({}),
    );
    const budget = configured.int('queued.max.request.bytes');
    if (budget !== -1 && budget < configured.int('socket.request.max.bytes')) {
      throw new Error(
        `invalid broker config: queued.max.request.bytes (${budget}) must be -1 or at least socket.request.max.bytes (${configured.int('socket.request.max.bytes')})`,
      );
    }
    const metadataMode = playedMetadataMode(options.kafkaVersion ?? null, options.metadataMode);
    mkdirSync(options.dataDir, { recursive: true });
    // The zstd codec is WebAssembly and must be instantiated before the first batch is decoded.
    await initCompression();
    const logger = options.logger ?? createLogger({ level: 'info' });
    const cluster = new EmbeddedCluster(
      { brokers: options.brokers, basePort: options.basePort, host: options.host ?? '127.0.0.1', dataDir: options.dataDir, config: options.config ?? {} },
      logger,
      options.dispatcher ??
        createDispatcher(createRegistry(), {
          release: options.kafkaVersion ?? null,
          mode: metadataMode,
          clientTelemetry: clientTelemetryEnabled(options.config ?? {}),
        }),
      options.groupClock,
      options.kafkaVersion ?? null,
      metadataMode,
    );
    try {
      for (const user of options.users ?? []) {
        const failure = await upsertUser(cluster.controller.security, user);
        if (failure) throw new Error(`cannot create user ${user.name}: ${failure}`);
      }
      for (const id of cluster.#brokerMap.keys()) await cluster.startBroker(id);
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  /** Applies controller decisions to the brokers that host the partitions concerned. */
  #route(event: ClusterEvent): void {
    for (const broker of this.#brokerMap.values()) {
      if (broker.state !== 'running') continue;
      try {
        if (event.type === 'leader' || event.type === 'isr' || event.type === 'replicas') broker.onPartitionChange(event.topic, event.partition);
        else if (event.type === 'topic' && event.change === 'deleted') broker.onTopicDeleted(event.topic);
        else if (event.type === 'topic') void broker.scheduleSync();
      } catch (error) {
        // The event hub would swallow it; a broker that did not apply a change must say so.
        broker.logger.error('applying a cluster change failed', { event: event.type, topic: 'topic' in event ? event.topic : undefined, error });
      }
    }
  }

  /** The path of the CA certificate clients must trust (ssl.ca.location), or null without TLS. */
  get caLocation(): string | null {
    return this.security.tls?.caPath ?? null;
  }

  bootstrapServers(): string {
    return [...this.#brokerMap.values()].map((b) => `${b.host}:${b.boundPort}`).join(',');
  }

  brokers(): EmbeddedBrokerStatus[] {
    return [...this.#brokerMap.values()].sort((a, b) => a.id - b.id).map((b) => ({ id: b.id, host: b.host, port: b.boundPort, state: b.state }));
  }

  /** The clients the brokers throttled (their throttle-time metrics; no Kafka API returns them), for the app's Users screen. */
  throttledClients(): ThrottledClientReport[] {
    return throttledClients(
      [...this.#brokerMap.values()].sort((a, b) => a.id - b.id),
      this.controller.controllerMutations,
    );
  }

  broker(id: number): Broker {
    const broker = this.#brokerMap.get(id);
    if (!broker) throw new RangeError(`no broker ${id} in this cluster (brokers are ${[...this.#brokerMap.keys()].join(', ')})`);
    return broker;
  }

  runningBrokers(): Broker[] {
    return [...this.#brokerMap.values()].filter((b) => b.state === 'running');
  }

  async startBroker(id: number): Promise<void> {
    const broker = this.broker(id);
    if (broker.state === 'running') return;
    await broker.start();
    this.controller.brokerStarted(id);
    broker.syncReplicas();
    for (const other of this.runningBrokers()) if (other !== broker) other.syncReplicas();
  }

  /** A clean stop: leadership moves to other in-sync replicas first, then the broker shuts down. */
  async stopBroker(id: number): Promise<void> {
    const broker = this.broker(id);
    if (broker.state !== 'running') return;
    this.controller.moveLeadershipAway(id);
    await broker.stop();
    this.controller.brokerStopped(id);
  }

  /** An abrupt stop: sockets closed and work halted at once; the controller notices afterwards. */
  async killBroker(id: number): Promise<void> {
    const broker = this.broker(id);
    if (broker.state !== 'running') return;
    await broker.kill();
    this.controller.brokerStopped(id, { clean: false });
  }

  onEvent(listener: (event: ClusterEvent) => void): () => void {
    return this.events.subscribe(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const broker of [...this.#brokerMap.values()].reverse()) {
      if (broker.state === 'running') {
        await broker.stop();
        this.controller.brokerStopped(broker.id);
      }
    }
    this.controller.close();
  }
}
