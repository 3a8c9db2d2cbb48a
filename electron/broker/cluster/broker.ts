import { GroupCoordinator, OFFSETS_TOPIC, type CoordinatorClock } from '../groups/coordinator';
import { systemClock } from '../groups/group-partitions';
import { TRANSACTION_STATE_TOPIC, TransactionCoordinator } from '../transactions/coordinator';
import { inProcessMarkerChannel } from '../transactions/markers';
import { inProcessTransactionVerifier, type TransactionVerifier } from '../transactions/verification';
import { ensureShareStateTopic, SHARE_STATE_TOPIC, ShareCoordinator } from '../share/share-coordinator';
import { SharePartitionManager } from '../share/share-partition-manager';
import { inProcessSharePersister } from '../share/share-persister';
import type { ShareGroupView, ShareOffsetsBroker } from '../share/share-group-offsets';
import { LogManager } from '../log/log-manager';
import { parseLogConfig, type LogConfig } from '../log/log-config';
import type { RequestDispatcher } from '../server/dispatcher';
import type { Connection } from '../server/connection';
import { Listener } from '../server/listener';
import { saslGate, type BrokerSecurity } from '../security/sasl-session';
import { peerPrincipal, tlsServerOptions } from '../security/tls';
import { MemoryBudget } from '../server/memory-budget';
import type { Logger } from '../server/logger';
import { BrokerConfigView, parseListeners } from './broker-config';
import type { Controller } from './controller';
import type { ReplicaLogInfo } from './election';
import type { TopicMetadata } from './metadata-store';
import { PartitionReplica } from './partition-replica';
import { ReplicaFetcher, type BrokerQuotas } from './replica-fetcher';
import { ReplicationQuota } from './replication-quota';
import { ClientQuotaManager, QUOTA_WINDOW_MS } from '../quotas/client-quota-manager';
import { ConnectionQuotas } from '../quotas/connection-quotas';
import { StorageFailures } from './storage-failures';
import { releaseConfigDefaults } from './release-defaults';
import { KAFKA_RELEASE_IDS, type KafkaReleaseId, type MetadataMode } from '../../kafka/releases';
import { ClientMetricsManager } from '../telemetry/client-metrics-manager';
import { TelemetryReceiver } from '../telemetry/telemetry-receiver';

export type BrokerState = 'running' | 'stopped';

export interface BrokerOptions {
  id: number;
  host: string;
  port: number;
  logDir: string;
  rack?: string | null;
  staticConfigs: Record<string, string>;
  controller: Controller;
  /** Finds another broker of the same cluster (the in-process replica fetcher reads from leaders). */
  peer: (id: number) => Broker | undefined;
  dispatcher: RequestDispatcher<Broker>;
  logger: Logger;
  /** The memory budget of the cluster's connections (queued.max.request.bytes); the broker's own if not given. */
  memory?: MemoryBudget;
  /** TLS, SASL and the authorizer of the listener (see security/); PLAINTEXT with no authorizer if not given. */
  security?: BrokerSecurity;
  now?: () => number;
  /** The coordinators' timers (sessions, rebalances, offsets expiry, transaction timeouts); the system clock unless given. */
  groupClock?: CoordinatorClock;
  /** The Kafka release the cluster plays: its config defaults where they differed (release-defaults.ts). */
  kafkaVersion?: KafkaReleaseId | null;
  /** ZooKeeper or KRaft brokers of that release (the release's default unless given; KRaft without a release). */
  metadataMode?: MetadataMode;
  /** Where accepted client telemetry goes (KIP-714): the cluster's receiver; the broker's own if not given. */
  telemetry?: TelemetryReceiver;
}

/**
 * A broker's replicas by topic name, then partition. Looked up several times per produce and fetch
 * (handlers, the replica fetcher, the leader's peers): two map lookups on strings the requests already
 * hold, where a composite string key cost a concatenation and its hashing each time.
 */
class ReplicaTable {
  readonly #byTopic = new Map<string, Map<number, PartitionReplica>>();

  get(topic: string, partition: number): PartitionReplica | undefined {
    return this.#byTopic.get(topic)?.get(partition);
  }

  has(topic: string, partition: number): boolean {
    return this.get(topic, partition) !== undefined;
  }

  set(replica: PartitionReplica): void {
    let partitions = this.#byTopic.get(replica.topic);
    if (!partitions) {
      partitions = new Map();
      this.#byTopic.set(replica.topic, partitions);
    }
    partitions.set(replica.partition, replica);
  }

  delete(topic: string, partition: number): void {
    const partitions = this.#byTopic.get(topic);
    if (!partitions?.delete(partition)) return;
    if (partitions.size === 0) this.#byTopic.delete(topic);
  }

  *values(): IterableIterator<PartitionReplica> {
    for (const partitions of this.#byTopic.values()) yield* partitions.values();
  }

  clear(): void {
    this.#byTopic.clear();
  }
}

/** The client quotas a broker enforces (Kafka's QuotaManagers: produce, fetch, request). */
export interface BrokerClientQuotas {
  produce: ClientQuotaManager;
  fetch: ClientQuotaManager;
  request: ClientQuotaManager;
}

/** How often partitions whose log could not be opened or created are tried again. */
export const STORAGE_RETRY_MS = 1000;

/** Opening new replicas yields to the event loop at least this often (creating a log costs ~1-3 ms of file work). */
const SYNC_SLICE_MS = 10;

/**
 * One broker of the embedded cluster: a listener on its own port, a log dir with its partition logs,
 * the replicas of the partitions assigned to it, and a replica fetcher for those it follows.
 */
export class Broker {
  readonly id: number;
  readonly host: string;
  readonly rack: string | null;
  readonly config: BrokerConfigView;
  readonly logger: Logger;
  /** The group coordinator for the `__consumer_offsets` partitions this broker leads. */
  readonly groups: GroupCoordinator;
  /** The transaction coordinator for the `__transaction_state` partitions this broker leads. */
  readonly transactions: TransactionCoordinator;
  /** The produce path's way to the transaction coordinators (KIP-890 verification). */
  readonly transactionVerifier: TransactionVerifier;
  /** The share coordinator for the `__share_group_state` partitions this broker leads (KIP-932). */
  readonly shareCoordinator: ShareCoordinator;
  /** The share-partitions this broker leads and its members' share sessions (KIP-932). */
  readonly shares: SharePartitionManager;
  #port: number;
  #stateValue: BrokerState = 'stopped';
  #listener: Listener | null = null;
  #logs: LogManager | null = null;
  readonly #replicas = new ReplicaTable();
  /**
   * Parsed effective configs by topic, with the topic's config object they were parsed from (the
   * controller replaces it on every change). Broker-level changes clear it in applyTopicConfigs().
   * Parsing costs ~0.2 ms and every produce request asks twice.
   */
  readonly #logConfigs = new Map<string, { configs: Record<string, string>; config: LogConfig }>();
  #fetcher: ReplicaFetcher | null = null;
  #isrTimer: NodeJS.Timeout | null = null;
  #retentionTimer: NodeJS.Timeout | null = null;
  #storageTimer: NodeJS.Timeout | null = null;
  /** Partitions whose files this broker cannot open or write now (logged once, retried, reported). */
  storage: StorageFailures;
  /** The partitions assigned to this broker when it last started (see LogManager.lostLog). */
  #assignedAtStart = new Set<string>();
  readonly now: () => number;
  /** Replication quotas (leader.replication.throttled.rate, follower.replication.throttled.rate: dynamic). */
  readonly quotas: BrokerQuotas;
  /** Client quotas as this broker enforces them on its own traffic (KIP-13, KIP-124), from the controller's. */
  readonly clientQuotas: BrokerClientQuotas;
  /** Connection creation rates this broker accepts (KIP-612: per IP, and max.connection.creation.rate). */
  readonly connectionQuotas: ConnectionQuotas;
  /** The listener's security (TLS, SASL) and the authorizer; null: PLAINTEXT, everything allowed. */
  readonly security: BrokerSecurity | null;
  /** Client metrics (KIP-714): the client instances this broker tells what to push, and checks pushes of. */
  readonly clientMetrics: ClientMetricsManager;
  readonly #options: BrokerOptions;
  /** KAFKA-15583 (3.7+): no high watermark progress under min.insync.replicas (partition-replica.ts). */
  get #strictMinIsr(): boolean {
    const release = this.#options.kafkaVersion ?? null;
    return release === null || KAFKA_RELEASE_IDS.indexOf(release) >= KAFKA_RELEASE_IDS.indexOf('3.7');
  }

  constructor(options: BrokerOptions) {
    this.#options = options;
    this.id = options.id;
    this.host = options.host;
    this.#port = options.port;
    this.rack = options.rack ?? null;
    this.logger = options.logger.child({ broker: options.id });
    this.now = options.now ?? Date.now;
    this.security = options.security ?? null;
    const controller = options.controller;
    const protocol = this.security?.settings.protocol ?? 'PLAINTEXT';
    this.config = new BrokerConfigView(
      {
        ...options.staticConfigs,
        'broker.id': String(options.id),
        'node.id': String(options.id),
        'log.dirs': options.logDir,
        listeners: `${protocol}://${options.host}:${options.port}`,
      },
      () => controller.brokerConfigs(options.id),
      () => controller.brokerConfigs(''),
      releaseConfigDefaults(options.kafkaVersion ?? null),
    );
    this.groups = new GroupCoordinator(
      {
        id: this.id,
        logger: this.logger,
        config: this.config,
        metadata: controller,
        offsetsPartitions: (partition) => this.replica(OFFSETS_TOPIC, partition),
        isRunning: () => this.#stateValue === 'running',
        groupConfig: (groupId, name) => controller.groupConfigs.value(groupId, name),
        // Every live broker's share-partitions hear of members leaving (Kafka 4.1's ShareGroupListener).
        shareListeners: () => this.liveBrokers().map((b) => b.shares),
      },
      options.groupClock,
    );
    this.transactions = new TransactionCoordinator(
      {
        id: this.id,
        logger: this.logger,
        config: this.config,
        metadata: controller,
        statePartition: (partition) => this.replica(TRANSACTION_STATE_TOPIC, partition),
        markers: inProcessMarkerChannel((topic, partition) => {
          const leader = controller.partition(topic, partition)?.leader ?? -1;
          const broker = leader === this.id ? this : options.peer(leader);
          return broker?.state === 'running' ? broker : undefined;
        }),
        allocateProducerId: () => controller.allocateProducerId(),
        isRunning: () => this.#stateValue === 'running',
      },
      options.groupClock ?? systemClock,
    );
    this.transactionVerifier = inProcessTransactionVerifier((transactionalId) => {
      const partition = this.transactions.partitionFor(transactionalId);
      const leader = partition < 0 ? -1 : (controller.partition(TRANSACTION_STATE_TOPIC, partition)?.leader ?? -1);
      const broker = leader === this.id ? this : options.peer(leader);
      return broker?.state === 'running' ? broker.transactions : undefined;
    });
    this.shareCoordinator = new ShareCoordinator({
      id: this.id,
      logger: this.logger,
      config: this.config,
      metadata: controller,
      statePartition: (partition) => this.replica(SHARE_STATE_TOPIC, partition),
      isRunning: () => this.#stateValue === 'running',
    });
    this.shares = new SharePartitionManager({
      id: this.id,
      logger: this.logger,
      config: this.config,
      metadata: controller,
      replica: (topic, partition) => this.replica(topic, partition),
      // The share coordinator of a share-partition is the leader of its `__share_group_state` partition.
      persister: inProcessSharePersister((groupId, topicId, partition) => this.shareCoordinatorFor(groupId, topicId, partition)),
      groupConfig: (groupId, name) => controller.groupConfigs.value(groupId, name),
      isRunning: () => this.#stateValue === 'running',
    });
    this.storage = new StorageFailures(this.logger, this.now);
    this.quotas = {
      leader: new ReplicationQuota(() => this.config.int('leader.replication.throttled.rate')),
      follower: new ReplicationQuota(() => this.config.int('follower.replication.throttled.rate')),
    };
    this.clientQuotas = {
      produce: new ClientQuotaManager('producer_byte_rate', controller.clientQuotas, this.now),
      fetch: new ClientQuotaManager('consumer_byte_rate', controller.clientQuotas, this.now),
      request: new ClientQuotaManager('request_percentage', controller.clientQuotas, this.now, QUOTA_WINDOW_MS),
    };
    this.clientMetrics = new ClientMetricsManager({
      subscriptions: controller.clientMetrics,
      maxBytes: () => this.config.int('telemetry.max.bytes'),
      receiver: options.telemetry ?? new TelemetryReceiver(),
      brokerId: this.id,
      now: this.now,
    });
    this.connectionQuotas = new ConnectionQuotas(
      {
        ipRate: (ip) => controller.clientQuotas.ipConnectionRate(ip),
        ipRatesSet: () => controller.clientQuotas.inUse('connection_creation_rate'),
        brokerRate: () => this.config.int('max.connection.creation.rate'),
      },
      this.now,
    );
  }

  /** The Kafka release the broker plays (null: every version implemented). */
  get kafkaVersion(): KafkaReleaseId | null {
    return this.#options.kafkaVersion ?? null;
  }

  /** Whether the broker plays a ZooKeeper-mode or a KRaft broker. */
  get metadataMode(): MetadataMode {
    return this.#options.metadataMode ?? 'kraft';
  }

  /**
   * The share coordinator of a share-partition's state: the running broker leading its
   * `__share_group_state` partition (the topic is created on first use), or undefined.
   */
  shareCoordinatorFor(groupId: string, topicId: string, partition: number): ShareCoordinator | undefined {
    if (!ensureShareStateTopic(this)) return undefined;
    const statePartition = this.shareCoordinator.partitionFor(groupId, topicId, partition);
    const leader = statePartition < 0 ? -1 : (this.controller.partition(SHARE_STATE_TOPIC, statePartition)?.leader ?? -1);
    const broker = leader === this.id ? this : this.#options.peer(leader);
    return broker?.state === 'running' ? broker.shareCoordinator : undefined;
  }

  /** What the share-offsets admin APIs use of the cluster (share/share-group-offsets.ts). */
  shareOffsets(): ShareOffsetsBroker {
    return {
      metadata: this.controller,
      shareCoordinatorFor: (groupId, topicId, partition) => this.shareCoordinatorFor(groupId, topicId, partition),
      allShareCoordinators: () => this.liveBrokers().map((b) => b.shareCoordinator),
      forgetSharePartition: (groupId, topicId, partition) => {
        const topic = this.controller.topicById(topicId);
        const leader = topic?.partitions[partition]?.leader ?? -1;
        const broker = leader === this.id ? this : this.#options.peer(leader);
        broker?.shares.forget(groupId, topicId, partition);
      },
    };
  }

  /**
   * The group coordinator's view of share groups for the share-offsets admin APIs. Until the share
   * group coordinator supplies its own (setShareGroupView), a group is a share group when it has share
   * state or share sessions, and its members are those with share sessions on a running broker.
   */
  #shareGroupView: ShareGroupView | null = null;

  setShareGroupView(view: ShareGroupView): void {
    this.#shareGroupView = view;
  }

  get shareGroupView(): ShareGroupView {
    if (this.#shareGroupView) return this.#shareGroupView;
    return {
      groupType: (groupId) =>
        this.liveBrokers().some((b) => b.shareCoordinator.statesOf(groupId).length > 0 || b.shares.sessionMembers(groupId).length > 0) ? 'share' : undefined,
      memberCount: (groupId) => new Set(this.liveBrokers().flatMap((b) => b.shares.sessionMembers(groupId))).size,
    };
  }

  get controller(): Controller {
    return this.#options.controller;
  }

  get state(): BrokerState {
    return this.#stateValue;
  }

  get boundPort(): number {
    return this.#port;
  }

  /**
   * Where clients are told to find this broker (Metadata, FindCoordinator, DescribeCluster, Produce's
   * node endpoints): its PLAINTEXT entry of advertised.listeners when set (an empty host meaning its
   * own), else the address it listens on. Read per request: the config is dynamic per broker.
   */
  advertisedEndpoint(): { host: string; port: number } {
    const configured = this.config.value('advertised.listeners');
    if (configured) {
      const endpoints = parseListeners(configured);
      const plaintext = 'error' in endpoints ? undefined : endpoints.find((endpoint) => endpoint.name === 'PLAINTEXT');
      if (plaintext) return { host: plaintext.host || this.host, port: plaintext.port };
    }
    return { host: this.host, port: this.#port };
  }

  get logDir(): string {
    return this.#options.logDir;
  }

  get logManager(): LogManager {
    if (!this.#logs) throw new Error(`broker ${this.id} is not running`);
    return this.#logs;
  }

  async start(): Promise<void> {
    if (this.#stateValue === 'running') return;
    // Broker configs may have changed while it was stopped (no applyTopicConfigs then).
    this.#logConfigs.clear();
    // What this broker held before this start: a replica among them whose log dir is gone lost its log.
    this.#assignedAtStart = new Set();
    for (const topic of this.controller.topics()) {
      for (const p of topic.partitions) if (p.replicas.includes(this.id)) this.#assignedAtStart.add(`${topic.name}\u0000${p.partition}`);
    }
    this.#logs = await LogManager.open(this.#options.logDir, { logger: this.logger, now: this.now });
    this.storage = new StorageFailures(this.logger, this.now);
    for (const failed of this.#logs.failedPartitions()) {
      this.storage.report(failed.topic, failed.partition, 'open', failed.error, this.#logs.dirOf(failed.topic, failed.partition));
    }
    this.#removeDeletedTopicLogs();
    const requests = {
      handleFrame: (frame: Buffer, connection: Connection) => this.#options.dispatcher.handleFrame(frame, connection, this),
      mayOverlap: (frame: Buffer) => this.#options.dispatcher.mayOverlap?.(frame) === true,
    };
    const security = this.security;
    const listener = new Listener(security ? saslGate(security, this.logger, requests) : requests, {
      ...(security?.tls ? { tls: { options: tlsServerOptions(security.tls, security.settings), principal: peerPrincipal } } : {}),
      host: this.host,
      port: this.#port,
      maxRequestBytes: this.config.int('socket.request.max.bytes'),
      idleTimeoutMs: this.config.int('connections.max.idle.ms'),
      requestReadTimeoutMs: this.config.int('socket.request.read.timeout.ms'),
      memory: (this.#options.memory ??= new MemoryBudget(this.config.int('queued.max.request.bytes'))),
      connectionQuotas: this.connectionQuotas,
      logger: this.logger,
    });
    try {
      await listener.start();
    } catch (error) {
      await this.#logs.close();
      this.#logs = null;
      throw error;
    }
    this.#listener = listener;
    this.#port = listener.port;
    this.#stateValue = 'running';
    this.#fetcher = new ReplicaFetcher(this, this.#options.peer, this.logger);
    const lagMs = this.config.int('replica.lag.time.max.ms');
    this.#isrTimer = setInterval(() => this.#shrinkLaggingIsr(lagMs), Math.max(50, Math.floor(lagMs / 2)));
    this.#isrTimer.unref();
    const retentionMs = this.config.int('log.retention.check.interval.ms');
    this.#retentionTimer = setInterval(() => this.runRetention(), retentionMs);
    this.#retentionTimer.unref();
    this.#storageTimer = setInterval(() => this.#retryFailedStorage(), STORAGE_RETRY_MS);
    this.#storageTimer.unref();
    this.logger.info('broker started', { listener: `${this.host}:${this.#port}`, logDir: this.#options.logDir });
  }

  /** The partitions in the log dir whose topic no longer exists (deleted while this broker was down). */
  #removeDeletedTopicLogs(): void {
    for (const entry of this.logManager.onDisk()) {
      const topic = this.controller.topic(entry.topic);
      const assigned = topic?.partitions[entry.partition]?.replicas.includes(this.id) ?? false;
      if (!topic || (entry.topicId && entry.topicId !== topic.topicId) || !assigned) {
        this.logger.info('removing log of a deleted or reassigned partition', { topic: entry.topic, partition: entry.partition });
        this.logManager.deleteLog(entry.topic, entry.partition);
      }
    }
  }

  /** Effective topic config: topic overrides over this broker's defaults over Kafka's. */
  topicLogConfig(topic: TopicMetadata): LogConfig {
    const cached = this.#logConfigs.get(topic.name);
    if (cached && cached.configs === topic.configs) return cached.config;
    const parsed = parseLogConfig(topic.configs, this.config.topicDefaults());
    if (!parsed.ok) throw new Error(`invalid configs for topic ${topic.name}: ${parsed.errors.map((e) => e.message).join('; ')}`);
    this.#logConfigs.set(topic.name, { configs: topic.configs, config: parsed.config });
    return parsed.config;
  }

  /**
   * This broker's replica of a partition, opening (or creating) its log on first use. Undefined when
   * the partition does not exist or is not assigned to this broker.
   */
  replica(topicName: string, partition: number, retrying = false): PartitionReplica | undefined {
    const existing = this.#replicas.get(topicName, partition);
    if (existing) return existing;
    if (this.#stateValue !== 'running') return undefined;
    const topic = this.controller.topic(topicName);
    const meta = topic?.partitions[partition];
    if (!topic || !meta || !meta.replicas.includes(this.id)) return undefined;
    // A log that failed to open is tried again by the storage timer, not by every request meanwhile.
    if (!retrying && this.storage.failed(topicName, partition, 'open')) return undefined;
    let replica: PartitionReplica;
    try {
      const logs = this.logManager;
      const log = logs.getOrCreateLog(
        topicName,
        partition,
        this.topicLogConfig(topic),
        topic.topicId,
        this.#assignedAtStart.has(`${topicName}\u0000${partition}`),
      );
      replica = new PartitionReplica(topicName, partition, log, {
        brokerId: this.id,
        metadata: () => this.controller.partition(topicName, partition),
        logConfig: () => {
          const current = this.controller.topic(topicName);
          return current ? this.topicLogConfig(current) : log.config;
        },
        changeIsr: (epoch, isr) => this.controller.changeIsr(topicName, partition, epoch, isr),
        strictMinIsr: this.#strictMinIsr,
        storageFailed: (operation, error) => this.storage.report(topicName, partition, operation, error, log.dir),
        storageRecovered: (operation) => this.storage.recovered(topicName, partition, operation),
        logLost: logs.lostLog(topicName, partition, false),
        logRecovered: () => logs.logRecovered(topicName, partition),
        now: this.now,
      });
    } catch (error) {
      // A full disk or a broken directory: this partition stays unavailable here until a retry works.
      this.storage.report(topicName, partition, 'open', error, this.logManager.dirOf(topicName, partition));
      this.controller.replicaLogFailed(topicName, partition, this.id);
      return undefined;
    }
    this.storage.recovered(topicName, partition, 'open');
    this.#replicas.set(replica);
    replica.onMetadataChange();
    if (meta.leader !== this.id) this.#fetcher?.follow(replica);
    return replica;
  }

  /**
   * Tries again to open the logs that failed to open or be created; a partition that opens now takes
   * up its role (follower fetching, group coordinator loading its groups) as if it had just been
   * assigned, and an offline partition may get its leader.
   */
  #retryFailedStorage(): void {
    if (this.#stateValue !== 'running') return;
    for (const failure of this.storage.all()) {
      if (failure.operation !== 'open') continue;
      const topic = this.controller.topic(failure.topic);
      if (!topic?.partitions[failure.partition]?.replicas.includes(this.id)) {
        this.storage.forget(failure.topic, failure.partition);
        continue;
      }
      if (!this.replica(failure.topic, failure.partition, true)) continue;
      this.onPartitionChange(failure.topic, failure.partition);
      if (topic.partitions[failure.partition]!.leader === -1) this.controller.electOfflinePartitions([topic]);
    }
  }

  /** Why this broker's log of a partition cannot be used (it failed to open), or null. */
  storageErrorOf(topicName: string, partition: number): string | null {
    return this.storage.failed(topicName, partition, 'open')?.cause ?? null;
  }

  /** Opens replicas for every partition assigned to this broker, at once (at start). */
  syncReplicas(): void {
    if (this.#stateValue !== 'running') return;
    for (const topic of this.controller.topics()) {
      for (const p of topic.partitions) if (p.replicas.includes(this.id)) this.replica(topic.name, p.partition);
    }
    this.groups.syncAll();
    this.transactions.syncAll();
    this.shareCoordinator.syncAll();
  }

  #syncing: Promise<void> | null = null;
  #syncAgain = false;

  /**
   * Opens the replicas of partitions created since (after CreateTopics, CreatePartitions, auto-creation),
   * a slice at a time between turns of the event loop: creating 10,000 partitions' logs takes seconds
   * of file work, which must not stop the broker from serving its other clients. Changes that arrive
   * meanwhile are folded into one more pass. Resolves once every assigned replica is open; a request
   * needing a replica earlier opens it itself (see replica()).
   */
  scheduleSync(): Promise<void> {
    if (this.#stateValue !== 'running') return Promise.resolve();
    if (this.#syncing) {
      this.#syncAgain = true;
      return this.#syncing;
    }
    const run = async () => {
      do {
        this.#syncAgain = false;
        // After the current request: its metadata is written before its logs are created.
        await new Promise<void>((resolve) => setImmediate(resolve));
        await this.#openAssignedReplicas();
      } while (this.#syncAgain && this.#stateValue === 'running');
      this.groups.syncAll();
      this.transactions.syncAll();
      this.shareCoordinator.syncAll();
    };
    this.#syncing = run()
      .catch((error: unknown) =>
        this.logger.error('opening new replicas failed', { error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      )
      .finally(() => {
        this.#syncing = null;
      });
    return this.#syncing;
  }

  /** Resolves once replicas of partitions created so far are open on this broker (see scheduleSync). */
  replicasSynced(): Promise<void> {
    return this.#syncing ?? Promise.resolve();
  }

  /** Resolves once every running broker of the cluster has opened the replicas of partitions created so far. */
  clusterReplicasSynced(): Promise<void> {
    return Promise.all(this.liveBrokers().map((b) => b.replicasSynced())).then(() => undefined);
  }

  async #openAssignedReplicas(): Promise<void> {
    let sliceStart = performance.now();
    let opened = 0;
    for (const topic of [...this.controller.topics()]) {
      for (let i = 0; i < topic.partitions.length; i++) {
        if (this.#stateValue !== 'running' || this.controller.topic(topic.name) !== topic) break;
        const p = topic.partitions[i]!;
        if (!p.replicas.includes(this.id) || this.#replicas.has(topic.name, p.partition)) continue;
        this.replica(topic.name, p.partition);
        if (++opened % 16 === 0 && performance.now() - sliceStart > SYNC_SLICE_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
        }
      }
    }
  }

  /** Applies a leader, ISR or replica set change the controller announced. */
  onPartitionChange(topicName: string, partition: number): void {
    const replica = this.#replicas.get(topicName, partition);
    const meta = this.controller.partition(topicName, partition);
    if (replica && meta && !meta.replicas.includes(this.id)) {
      // Reassigned away (KIP-455: a removing replica once the reassignment completed, or an adding one
      // after a cancel): Kafka's StopReplica with deletion.
      this.#dropReplica(replica, `Partition ${topicName}-${partition} was reassigned away from broker ${this.id}.`);
    } else if (!replica) {
      // A new partition (or one this broker does not hold): its log is created with the others, in slices.
      void this.scheduleSync();
    } else {
      replica.onMetadataChange();
      replica.onIsrChange();
      if (replica.isLeader) this.#fetcher?.unfollow(replica);
      else this.#fetcher?.follow(replica);
    }
    // The coordinator of a group is the leader of its offsets partition: load or drop its groups.
    if (topicName === OFFSETS_TOPIC) this.groups.onPartitionChange(partition);
    // Likewise the transaction coordinator of a transactional id, of its `__transaction_state` partition.
    if (topicName === TRANSACTION_STATE_TOPIC) this.transactions.onPartitionChange(partition);
    // And the share coordinator of a share-partition's state; a share-partition lives on its partition's leader.
    if (topicName === SHARE_STATE_TOPIC) this.shareCoordinator.onPartitionChange(partition);
    this.shares.onPartitionChange(topicName, partition);
  }

  /**
   * Hands the effective configs to the open logs of one topic (or all, after a broker config change),
   * so retention, segment size or cleanup policy change at once, as in Kafka.
   */
  applyTopicConfigs(topicName?: string): void {
    if (topicName === undefined) this.#logConfigs.clear();
    else this.#logConfigs.delete(topicName);
    for (const replica of this.#replicas.values()) {
      if (topicName !== undefined && replica.topic !== topicName) continue;
      const topic = this.controller.topic(replica.topic);
      if (topic) replica.log.updateConfig(this.topicLogConfig(topic));
    }
  }

  #dropReplica(replica: PartitionReplica, message: string): void {
    this.#fetcher?.unfollow(replica);
    replica.close({ error: 'NOT_LEADER_OR_FOLLOWER', message });
    this.#replicas.delete(replica.topic, replica.partition);
    this.#logs?.deleteLog(replica.topic, replica.partition);
    this.storage.forget(replica.topic, replica.partition);
    this.logger.info('replica removed', { topic: replica.topic, partition: replica.partition });
  }

  /** Drops this broker's replicas and logs of a deleted topic. */
  onTopicDeleted(topicName: string): void {
    this.#logConfigs.delete(topicName);
    this.groups.onTopicDeleted(topicName);
    if (topicName === TRANSACTION_STATE_TOPIC) this.transactions.syncAll();
    if (topicName === SHARE_STATE_TOPIC) this.shareCoordinator.syncAll();
    this.shares.onTopicDeleted(topicName);
    for (const replica of [...this.#replicas.values()]) {
      if (replica.topic !== topicName) continue;
      this.#fetcher?.unfollow(replica);
      replica.close({ error: 'NOT_LEADER_OR_FOLLOWER', message: `Topic '${topicName}' was deleted.` });
      this.#replicas.delete(topicName, replica.partition);
      this.#logs?.deleteLog(topicName, replica.partition);
    }
    for (const failure of this.storage.all()) if (failure.topic === topicName) this.storage.forget(topicName, failure.partition);
  }

  /** The brokers of the cluster that are running, this one included, by id. */
  liveBrokers(): Broker[] {
    return this.controller.liveBrokerIds().flatMap((id) => {
      const broker = id === this.id ? this : this.#options.peer(id);
      return broker && broker.state === 'running' ? [broker] : [];
    });
  }

  /**
   * The brokers registered with the cluster that are not running (stopped, starting or failed): what
   * KRaft calls fenced, a broker the controller knows but that does not heartbeat (DescribeCluster v2,
   * KIP-1073). By id.
   */
  fencedBrokers(): Broker[] {
    const live = new Set(this.liveBrokers().map((b) => b.id));
    return this.controller.brokerIds.flatMap((id) => {
      if (live.has(id)) return [];
      const broker = id === this.id ? this : this.#options.peer(id);
      return broker ? [broker] : [];
    });
  }

  /**
   * What this broker's log of a partition holds, for the controller's elections: from the open
   * replica, or the log opened at start; an empty log when this broker has none yet. Null while the
   * broker is not running.
   */
  replicaLogInfo(topicName: string, partition: number): ReplicaLogInfo | null {
    if (this.#stateValue !== 'running' || !this.#logs) return null;
    const replica = this.#replicas.get(topicName, partition);
    const storageError = this.storageErrorOf(topicName, partition);
    const log = replica?.log ?? this.#logs.get(topicName, partition);
    const lostLog = replica ? replica.logLost : this.#logs.lostLog(topicName, partition, this.#assignedAtStart.has(`${topicName}\u0000${partition}`));
    if (!log) return { logEndOffset: 0, committedOffset: 0, missing: null, latestEpoch: -1, epochAt: () => -1, storageError, lostLog };
    const missing = log.missingCommitted;
    const highWatermark = replica?.highWatermark ?? log.highWatermark;
    return {
      logEndOffset: log.logEndOffset,
      committedOffset: Math.max(highWatermark, missing?.to ?? 0),
      missing,
      latestEpoch: log.latestEpoch(),
      epochAt: (offset) => (offset >= log.logStartOffset && offset < log.logEndOffset ? log.leaderEpochCache.epochFor(offset) : -1),
      storageError,
      lostLog,
    };
  }

  /** Replicas this broker holds, for DescribeLogDirs and the UI. */
  hostedReplicas(): PartitionReplica[] {
    return [...this.#replicas.values()];
  }

  #shrinkLaggingIsr(maxLagMs: number): void {
    for (const replica of this.#replicas.values()) {
      try {
        replica.maybeShrinkIsr(maxLagMs);
      } catch (error) {
        this.logger.error('ISR check failed', { topic: replica.topic, partition: replica.partition, error });
      }
    }
  }

  runRetention(): void {
    for (const replica of this.#replicas.values()) {
      try {
        replica.log.applyRetention(this.now());
        if (replica.log.config.cleanupPolicy.includes('compact')) replica.log.compact(this.now());
      } catch (error) {
        this.logger.error('retention failed', { topic: replica.topic, partition: replica.partition, error });
      }
    }
  }

  #stopTimers(): void {
    if (this.#isrTimer) clearInterval(this.#isrTimer);
    if (this.#retentionTimer) clearInterval(this.#retentionTimer);
    if (this.#storageTimer) clearInterval(this.#storageTimer);
    this.#isrTimer = null;
    this.#retentionTimer = null;
    this.#storageTimer = null;
  }

  /** A clean stop: no new requests, waiting requests answered, logs closed with a clean-shutdown mark. */
  async stop(): Promise<void> {
    if (this.#stateValue !== 'running') return;
    this.groups.shutdown();
    this.transactions.shutdown();
    this.shares.shutdown();
    this.shareCoordinator.shutdown();
    this.#stateValue = 'stopped';
    this.#stopTimers();
    this.#fetcher?.stop();
    this.#fetcher = null;
    for (const replica of this.#replicas.values()) {
      replica.close({ error: 'NOT_LEADER_OR_FOLLOWER', message: `Broker ${this.id} is shutting down.` });
      // The next start then reads no batch headers at all for this partition.
      replica.writeProducerSnapshot();
    }
    this.#replicas.clear();
    await this.#listener?.stop('broker shutting down');
    this.#listener = null;
    await this.#logs?.close();
    this.#logs = null;
    this.logger.info('broker stopped');
  }

  /**
   * An abrupt stop, as if the process died: sockets dropped, work halted, logs left without their
   * clean-shutdown mark (so the next start recovers them). File handles are released because the
   * process goes on.
   */
  async kill(): Promise<void> {
    if (this.#stateValue !== 'running') return;
    this.groups.shutdown();
    this.transactions.shutdown();
    this.shares.shutdown();
    this.shareCoordinator.shutdown();
    this.#stateValue = 'stopped';
    this.#stopTimers();
    this.#fetcher?.stop();
    this.#fetcher = null;
    const listener = this.#listener;
    this.#listener = null;
    const stopping = listener?.stop('broker killed');
    for (const replica of this.#replicas.values()) replica.close({ error: 'NOT_LEADER_OR_FOLLOWER', message: `Broker ${this.id} was killed.` });
    this.#replicas.clear();
    this.#logs?.abandon();
    this.#logs = null;
    await stopping;
    this.logger.warn('broker killed');
  }
}
