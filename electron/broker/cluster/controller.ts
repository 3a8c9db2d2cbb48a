import type { Logger } from '../server/logger';
import { SecurityMetadata } from '../security/security-metadata';
import { ClientQuotas } from '../quotas/client-quotas';
import type { ClientQuotaRules } from '../quotas/client-quota-entity';
import { ControllerMutationQuotaManager, type MutationQuota } from '../quotas/controller-mutation-quota';
import { DelegationTokens, type DelegationTokenConfig } from '../security/delegation-tokens';
import { assignReplicas } from './assignment';
import { ClusterFeatures, ELR_VERSION, releaseFeatures, type ReleaseFeatures } from './features';
import { ClientMetricsSubscriptions } from '../telemetry/client-metrics-subscriptions';
import { GroupConfigs } from '../groups/group-configs';
import { electLeader, type ElectionResult, type ReplicaLogInfo } from './election';
import { completedReassignment, revertedReassignment, startReassignment, targetProblem, type ReassignmentState } from './reassignment';
import type { ClusterEvents } from './events';
import {
  MetadataStoreError,
  newTopicId,
  type ClusterMetadataState,
  type MetadataRecord,
  type MetadataStore,
  type PartitionMetadata,
  type TopicMetadata,
} from './metadata-store';
import { foldedTopicName, INTERNAL_TOPICS, topicNameError } from './topic-names';

/** Error names as in Kafka's protocol; handlers turn them into codes. */
export type ControllerErrorName =
  | 'TOPIC_ALREADY_EXISTS'
  | 'INVALID_TOPIC_EXCEPTION'
  | 'INVALID_PARTITIONS'
  | 'POLICY_VIOLATION'
  | 'INVALID_REPLICATION_FACTOR'
  | 'INVALID_REPLICA_ASSIGNMENT'
  | 'UNKNOWN_TOPIC_OR_PARTITION'
  | 'UNKNOWN_TOPIC_ID'
  | 'INVALID_CONFIG'
  | 'INVALID_REQUEST'
  | 'TOPIC_AUTHORIZATION_FAILED'
  | 'ELECTION_NOT_NEEDED'
  | 'PREFERRED_LEADER_NOT_AVAILABLE'
  | 'ELIGIBLE_LEADERS_NOT_AVAILABLE'
  | 'KAFKA_STORAGE_ERROR'
  | 'NO_REASSIGNMENT_IN_PROGRESS'
  | 'THROTTLING_QUOTA_EXCEEDED';

export interface ControllerFailure {
  error: ControllerErrorName;
  message: string;
}

/** Controller results are the value or a failure; metadata objects never carry an `error` key. */
export function isFailure(value: object): value is ControllerFailure {
  return 'error' in value;
}

export interface CreateTopicSpec {
  name: string;
  /** -1 or undefined: num.partitions. */
  partitions?: number;
  /** -1 or undefined: default.replication.factor. */
  replicationFactor?: number;
  /** Manual assignment: replicas per partition, partition i at index i. */
  assignment?: number[][];
  configs?: Record<string, string>;
  validateOnly?: boolean;
  /** Internal topics (__consumer_offsets) may be created only by the cluster itself. */
  internal?: boolean;
  /** The requester's controller mutation quota (KIP-599), charged the new partitions once they are valid. */
  mutationQuota?: MutationQuota;
}

/** Ceilings on partition counts (Kafka Desk's broker configs max.partitions.*). */
export interface PartitionLimits {
  /** Partitions one CreateTopics or CreatePartitions request may create (Kafka's controller: 10,000). */
  perRequest: number;
  /** Partitions a topic may have. */
  perTopic: number;
  /** Partitions in the whole cluster; internal topics are created even beyond it. */
  total: number;
}

export const DEFAULT_PARTITION_LIMITS: PartitionLimits = { perRequest: 10_000, perTopic: 10_000, total: 50_000 };

export interface ControllerOptions {
  store: MetadataStore;
  brokerIds: readonly number[];
  events: ClusterEvents;
  /** Broker defaults used when a request leaves a value at -1. */
  defaults: () => { numPartitions: number; replicationFactor: number };
  /** Validates topic configs (names, types, ranges); returns an error message or null. */
  validateTopicConfigs: (configs: Record<string, string>) => string | null;
  /** Validates dynamic broker configs; returns an error message or null. */
  validateBrokerConfigs?: (configs: Record<string, string>) => string | null;
  /** Told after topic or broker configs changed, so open logs can run with the new values at once. */
  onConfigChange?: (change: { topic: string } | { brokerId: number | '' }) => void;
  /** The effective value of a topic config (topic override, else broker default). */
  topicConfig: (topic: TopicMetadata, name: string) => string | undefined;
  /**
   * What a live broker's replica of a partition holds (log end, committed offset, records it lost,
   * epochs, storage failure), asked at elections as KIP-966 asks replicas for their log info; null
   * when unknown. Without it every replica counts as intact (Kafka's plain rules).
   */
  replicaLog?: (brokerId: number, topic: string, partition: number) => ReplicaLogInfo | null;
  /** Where elections that keep a partition offline, pass over replicas or lose records are reported. */
  logger?: Logger;
  /** Partition ceilings; DEFAULT_PARTITION_LIMITS unless given. */
  limits?: () => PartitionLimits;
  now?: () => number;
  random?: () => number;
  /** The delegation.token.* configs (KIP-48); tokens are disabled without them. */
  delegationTokens?: () => DelegationTokenConfig;
  /** The features of the release played (features.ts); the newest release's without. */
  features?: ReleaseFeatures;
  /** The client quota keys and entity types of the release played (client-quota-entity.ts); the newest release's without. */
  clientQuotaRules?: ClientQuotaRules;
  /** Told after a broker was unregistered (UnregisterBroker or the cluster's removeBroker), so its broker object goes. */
  onBrokerUnregistered?: (brokerId: number) => void;
}

/** How often metadata that could not be written is tried again. */
const STORE_RETRY_MS = 1000;

/** An entity whose change must reach the metadata log. */
type MetadataChange =
  | { kind: 'topic'; name: string }
  | { kind: 'partition'; topic: TopicMetadata; partition: PartitionMetadata }
  | { kind: 'broker-configs'; brokerId: string }
  | { kind: 'producer-ids' }
  | { kind: 'brokers' }
  /** A change of another part of the metadata (ACLs, SCRAM credentials): its key and how to build its record. */
  | { kind: 'record'; key: string; build: () => MetadataRecord | null };

/** A mutation a strict controller mutation quota refuses (KIP-599), as the failure the request answers per topic. */
function mutationRefused(quota: MutationQuota | undefined, partitions: number): ControllerFailure | null {
  const refusal = quota?.record(partitions) ?? null;
  return refusal ? { error: 'THROTTLING_QUOTA_EXCEEDED', message: refusal.message } : null;
}

/**
 * The cluster controller: the single owner of cluster metadata (topics, replica assignments, leaders,
 * leader epochs, ISR, producer-id allocation). Brokers ask it; they never keep their own copy. Every
 * change is persisted before it is acknowledged to a client (within a `batch`, at its end).
 */
export class Controller {
  readonly #state: ClusterMetadataState;
  readonly #byName = new Map<string, TopicMetadata>();
  readonly #byId = new Map<string, TopicMetadata>();
  /** Names by their '.'-to-'_' folding, to refuse colliding names without a scan of every topic. */
  readonly #byFoldedName = new Map<string, string>();
  readonly #live = new Set<number>();
  readonly #now: () => number;
  /** Partitions of every topic, kept with the topics (for max.partitions). */
  #partitionTotal = 0;
  /** ACLs and SCRAM credentials, persisted with the rest of the metadata. */
  readonly security: SecurityMetadata;
  /** Client quotas (KIP-546), persisted with the rest of the metadata; each broker enforces them. */
  readonly clientQuotas: ClientQuotas;
  /** Delegation tokens (KIP-48), persisted with the rest of the metadata. */
  readonly delegationTokens: DelegationTokens;
  /** Controller mutation quotas (KIP-599): one bucket per client for the whole cluster, as the controller keeps them. */
  readonly controllerMutations: ControllerMutationQuotaManager;
  /** Finalized feature levels (KIP-584), persisted with the rest of the metadata. */
  readonly features: ClusterFeatures;
  /** Client metrics subscriptions (KIP-714), persisted with the rest of the metadata. */
  readonly clientMetrics: ClientMetricsSubscriptions;
  /** GROUP config resources (KIP-848, KIP-932), persisted with the rest of the metadata. */
  readonly groupConfigs: GroupConfigs;
  readonly #options: ControllerOptions;

  constructor(options: ControllerOptions) {
    this.#options = options;
    this.#state = options.store.load();
    this.#brokerIds = this.#state.brokerIds ? [...this.#state.brokerIds] : [...options.brokerIds];
    this.security = new SecurityMetadata({
      state: this.#state,
      record: (key, build) => this.#persist([{ kind: 'record', key, build }]),
      unavailable: () => this.#storeUnavailable()?.message ?? null,
    });
    this.clientQuotas = new ClientQuotas(
      {
        state: this.#state,
        record: (key, build) => this.#persist([{ kind: 'record', key, build }]),
        unavailable: () => this.#storeUnavailable()?.message ?? null,
      },
      options.clientQuotaRules,
    );
    this.delegationTokens = new DelegationTokens(
      {
        state: this.#state,
        record: (key, build) => this.#persist([{ kind: 'record', key, build }]),
        unavailable: () => this.#storeUnavailable()?.message ?? null,
      },
      options.delegationTokens ?? (() => ({ secretKey: null, maxLifetimeMs: 604_800_000, expiryTimeMs: 86_400_000 })),
      options.now ?? Date.now,
    );
    this.features = new ClusterFeatures(
      {
        state: this.#state,
        record: (key, build) => this.#persist([{ kind: 'record', key, build }]),
        unavailable: () => this.#storeUnavailable()?.message ?? null,
      },
      options.features ?? releaseFeatures(null),
    );
    this.clientMetrics = new ClientMetricsSubscriptions({
      state: this.#state,
      record: (key, build) => this.#persist([{ kind: 'record', key, build }]),
      unavailable: () => this.#storeUnavailable()?.message ?? null,
    });
    this.groupConfigs = new GroupConfigs({
      state: this.#state,
      record: (key, build) => this.#persist([{ kind: 'record', key, build }]),
      unavailable: () => this.#storeUnavailable()?.message ?? null,
    });
    for (const ignored of this.features.ignored) options.logger?.warn('finalized feature level not taken', { reason: ignored });
    this.features.onChange((feature, level) => {
      if (feature === ELR_VERSION && level === 0) this.#dropElr();
    });
    for (const topic of this.#state.topics) {
      this.#index(topic);
      this.#partitionTotal += topic.partitions.length;
    }
    this.#now = options.now ?? Date.now;
    this.controllerMutations = new ControllerMutationQuotaManager(this.clientQuotas, this.#now);
    // The metadata on disk may predate the broker set (a broker count lowered): drop unknown brokers
    // from nothing but liveness; their replicas stay assigned and show as offline.
  }

  get clusterId(): string {
    return this.#state.clusterId;
  }

  /** The controller is the live broker with the lowest id, or -1 while none runs. */
  get controllerId(): number {
    let id = -1;
    for (const broker of this.#live) if (id === -1 || broker < id) id = broker;
    return id;
  }

  #metadataRecordsWritten = 0;
  #quorumLeader = -1;
  #quorumEpoch = 0;

  /**
   * The metadata quorum as DescribeQuorum reports it (KIP-595): one voter, the controller, which leads;
   * its epoch grows each time another broker becomes the controller (as a KRaft election would). The
   * high watermark counts the metadata records written by this process (the metadata log here has no
   * Raft offsets).
   */
  quorum(): { leaderId: number; leaderEpoch: number; highWatermark: number } {
    this.#followQuorumLeader();
    return { leaderId: this.#quorumLeader, leaderEpoch: this.#quorumEpoch, highWatermark: this.#metadataRecordsWritten };
  }

  #followQuorumLeader(): void {
    const leaderId = this.controllerId;
    if (leaderId === this.#quorumLeader) return;
    this.#quorumLeader = leaderId;
    if (leaderId !== -1) this.#quorumEpoch++;
  }

  /** The registered brokers: those the cluster was started with, or as added and removed since (persisted). */
  get brokerIds(): readonly number[] {
    return this.#brokerIds;
  }

  #brokerIds: number[];

  /** The replicas a broker holds or is to receive (ongoing reassignments included), as topic-partition names. */
  replicasOn(brokerId: number): string[] {
    const found: string[] = [];
    for (const topic of this.#byName.values()) for (const p of topic.partitions) if (p.replicas.includes(brokerId)) found.push(`${topic.name}-${p.partition}`);
    return found;
  }

  /** Registers a new broker (added at run time); persisted, so it is started again after a restart. */
  registerBroker(brokerId: number): ControllerFailure | null {
    if (this.#brokerIds.includes(brokerId)) return { error: 'INVALID_REQUEST', message: `Broker ${brokerId} is already registered.` };
    const unavailable = this.#storeUnavailable();
    if (unavailable) return unavailable;
    this.#brokerIds = [...this.#brokerIds, brokerId].sort((a, b) => a - b);
    this.#state.brokerIds = [...this.#brokerIds];
    this.#persist([{ kind: 'brokers' }]);
    return null;
  }

  /**
   * Unregisters a broker that is stopped and holds no replica (Kafka's UnregisterBroker): refused
   * while any partition lists it, since its replicas would be lost; drain it with a reassignment first.
   */
  unregisterBroker(brokerId: number): ControllerFailure | null {
    if (!this.#brokerIds.includes(brokerId)) return { error: 'INVALID_REQUEST', message: `There is no broker ${brokerId} in this cluster.` };
    if (this.#live.has(brokerId)) return { error: 'INVALID_REQUEST', message: `Broker ${brokerId} is running: stop it first.` };
    if (this.#brokerIds.length === 1) return { error: 'INVALID_REQUEST', message: `Broker ${brokerId} is the cluster's last broker.` };
    const held = this.replicasOn(brokerId);
    if (held.length > 0) {
      const named = held.slice(0, 5).join(', ') + (held.length > 5 ? ` and ${held.length - 5} more` : '');
      return {
        error: 'INVALID_REPLICA_ASSIGNMENT',
        message: `Broker ${brokerId} still holds ${held.length} replica${held.length === 1 ? '' : 's'} (${named}): move them to other brokers first (drain it).`,
      };
    }
    const unavailable = this.#storeUnavailable();
    if (unavailable) return unavailable;
    this.#brokerIds = this.#brokerIds.filter((id) => id !== brokerId);
    this.#state.brokerIds = [...this.#brokerIds];
    this.#persist([{ kind: 'brokers' }]);
    this.#options.onBrokerUnregistered?.(brokerId);
    return null;
  }

  isLive(brokerId: number): boolean {
    return this.#live.has(brokerId);
  }

  liveBrokerIds(): number[] {
    return [...this.#live].sort((a, b) => a - b);
  }

  topics(): IterableIterator<TopicMetadata> {
    return this.#byName.values();
  }

  topicCount(): number {
    return this.#byName.size;
  }

  partitionCount(): number {
    return this.#partitionTotal;
  }

  get limits(): PartitionLimits {
    return this.#options.limits?.() ?? DEFAULT_PARTITION_LIMITS;
  }

  /**
   * The per-request ceiling, checked before anything is allocated (as Kafka's controller does in
   * validateTotalNumberOfPartitions): `requested` counts the partitions every topic of the request would
   * create, so one refusal answers the whole request.
   */
  checkRequestedPartitions(requested: number): ControllerFailure | null {
    const limit = this.limits.perRequest;
    if (requested <= limit) return null;
    return {
      error: 'POLICY_VIOLATION',
      message: `Excessively large number of partitions per request: ${requested} requested, the limit is ${limit} (max.partitions.per.request).`,
    };
  }

  /** Whether `adding` partitions may be added to a topic that has `current` (per topic and cluster ceilings). */
  #checkNewPartitions(topicName: string, current: number, adding: number, internal: boolean): ControllerFailure | null {
    const { perRequest, perTopic, total } = this.limits;
    const after = current + adding;
    if (after > perTopic) {
      return {
        error: 'INVALID_PARTITIONS',
        message: `Topic '${topicName}' would have ${after} partitions; a topic may have at most ${perTopic} (max.partitions.per.topic).`,
      };
    }
    // The request and cluster ceilings bound what clients ask for; the internal topics (offsets,
    // transaction state) are sized by the broker's own configs and must exist for groups and transactions.
    if (!internal && adding > perRequest) return this.checkRequestedPartitions(adding);
    if (!internal && this.#partitionTotal + adding > total) {
      return {
        error: 'POLICY_VIOLATION',
        message: `Adding ${adding} partitions would bring the cluster to ${this.#partitionTotal + adding}, above its limit of ${total} (max.partitions); it has ${this.#partitionTotal}.`,
      };
    }
    return null;
  }

  topic(name: string): TopicMetadata | undefined {
    return this.#byName.get(name);
  }

  topicById(id: string): TopicMetadata | undefined {
    return this.#byId.get(id);
  }

  partition(topic: string, partition: number): PartitionMetadata | undefined {
    return this.#byName.get(topic)?.partitions[partition];
  }

  brokerConfigs(brokerId: number | ''): Record<string, string> {
    return this.#state.brokerConfigs[String(brokerId)] ?? {};
  }

  setBrokerConfigs(brokerId: number | '', configs: Record<string, string>): undefined | ControllerFailure {
    const problem = this.#options.validateBrokerConfigs?.(configs);
    if (problem) return { error: 'INVALID_CONFIG', message: problem };
    const unavailable = this.#storeUnavailable();
    if (unavailable) return unavailable;
    this.#state.brokerConfigs[String(brokerId)] = { ...configs };
    this.#persist([{ kind: 'broker-configs', brokerId: String(brokerId) }]);
    this.#options.onConfigChange?.({ brokerId });
    // unclean.leader.election.enable may have changed for every topic.
    this.electOfflinePartitions(this.#byName.values());
  }

  /** The first of `count` producer ids reserved at once (AllocateProducerIds, KIP-730: a block for one broker). */
  allocateProducerIdBlock(count: number): number {
    const start = this.#state.nextProducerId;
    this.#state.nextProducerId += count;
    this.#persist([{ kind: 'producer-ids' }]);
    return start;
  }

  allocateProducerId(): number {
    const id = this.#state.nextProducerId++;
    this.#persist([{ kind: 'producer-ids' }]);
    return id;
  }

  #index(topic: TopicMetadata): void {
    this.#byName.set(topic.name, topic);
    this.#byId.set(topic.topicId, topic);
    this.#byFoldedName.set(foldedTopicName(topic.name), topic.name);
  }

  #batchDepth = 0;
  /** Entities changed and not yet in the metadata log, by key; their records are built at the flush. */
  readonly #unsaved = new Map<string, () => MetadataRecord | null>();

  /**
   * Runs `work` with persistence deferred to its end, so a request that creates or deletes many
   * topics appends its records in one write instead of one per topic.
   * The request is answered only after the batch, so nothing is acknowledged before it is on disk.
   */
  batch<T>(work: () => T): T {
    this.#batchDepth++;
    try {
      return work();
    } finally {
      if (--this.#batchDepth === 0) this.#flush();
    }
  }

  /**
   * Records that these entities changed; written at once, or at the end of the current batch. False
   * when written at once failed: the changes stay in memory and are written by a later flush.
   */
  #persist(changes: MetadataChange[]): boolean {
    for (const change of changes) {
      switch (change.kind) {
        case 'topic':
          this.#unsaved.set(`topic:${change.name}`, () => {
            const topic = this.#byName.get(change.name);
            return topic ? { type: 'topic', topic } : { type: 'topic-deleted', name: change.name };
          });
          break;
        case 'partition':
          this.#unsaved.set(`partition:${change.topic.name}:${change.partition.partition}`, () =>
            // A partition of a topic deleted (or created again) since is covered by the topic's record.
            this.#byName.get(change.topic.name) === change.topic ? { type: 'partition', topic: change.topic.name, partition: change.partition } : null,
          );
          break;
        case 'broker-configs':
          this.#unsaved.set(`broker-configs:${change.brokerId}`, () => ({
            type: 'broker-configs',
            brokerId: change.brokerId,
            configs: this.#state.brokerConfigs[change.brokerId] ?? {},
          }));
          break;
        case 'producer-ids':
          this.#unsaved.set('producer-ids', () => ({ type: 'producer-ids', next: this.#state.nextProducerId }));
          break;
        case 'brokers':
          this.#unsaved.set('brokers', () => ({ type: 'brokers', ids: [...this.#brokerIds] }));
          break;
        case 'record':
          this.#unsaved.set(change.key, change.build);
          break;
      }
    }
    return this.#batchDepth > 0 || this.#flush();
  }

  /** Why the metadata cannot be written (a full disk), while changes wait in memory; null when it can. */
  #storeFailure: string | null = null;
  #lastFailedFlush = 0;
  #flushRetry: NodeJS.Timeout | null = null;

  /**
   * Writes the unsaved changes; false when the store failed. Records are built from the current state,
   * so changes that failed are written by the next flush (a timer retries every second, and a request
   * that needs the store first tries it); the failure is logged once, and so is the recovery.
   */
  #flush(retrying = false): boolean {
    if (this.#unsaved.size === 0) return true;
    // While the disk is full, requests that change metadata fail fast instead of each trying a write.
    if (this.#storeFailure !== null && !retrying && this.#now() - this.#lastFailedFlush < STORE_RETRY_MS) return false;
    const records: MetadataRecord[] = [];
    for (const build of this.#unsaved.values()) {
      const record = build();
      if (record) records.push(record);
    }
    try {
      this.#options.store.append(records, this.#state);
      this.#metadataRecordsWritten += records.length;
    } catch (error) {
      if (!(error instanceof MetadataStoreError)) throw error;
      this.#lastFailedFlush = this.#now();
      if (this.#storeFailure === null) {
        this.#logger?.error('cluster metadata cannot be written: changes are kept in memory and written when it works again', {
          path: error.path,
          error: error.message,
        });
      }
      this.#storeFailure = error.message;
      if (!this.#closed && this.#flushRetry === null) {
        this.#flushRetry = setTimeout(() => {
          this.#flushRetry = null;
          if (this.#batchDepth === 0) this.#flush(true);
        }, STORE_RETRY_MS);
        this.#flushRetry.unref();
      }
      return false;
    }
    this.#unsaved.clear();
    if (this.#storeFailure !== null) {
      this.#logger?.info('cluster metadata written again', { records: records.length });
      this.#storeFailure = null;
    }
    return true;
  }

  /** A metadata change a client asked for is refused while earlier changes cannot be written. */
  #storeUnavailable(): ControllerFailure | null {
    if (this.#storeFailure === null || this.#flush()) return null;
    return { error: 'KAFKA_STORAGE_ERROR', message: `The cluster metadata cannot be written: ${this.#storeFailure}` };
  }

  #closed = false;

  /** Stops retrying metadata writes (the cluster closes); a last write is tried. */
  close(): void {
    this.#closed = true;
    this.#flush(true);
    if (this.#flushRetry) clearTimeout(this.#flushRetry);
    this.#flushRetry = null;
  }

  createTopic(spec: CreateTopicSpec): TopicMetadata | ControllerFailure {
    const nameError = topicNameError(spec.name);
    if (nameError) return { error: 'INVALID_TOPIC_EXCEPTION', message: nameError };
    if (this.#byName.has(spec.name)) return { error: 'TOPIC_ALREADY_EXISTS', message: `Topic '${spec.name}' already exists.` };
    if (INTERNAL_TOPICS.has(spec.name) && !spec.internal) {
      return { error: 'INVALID_TOPIC_EXCEPTION', message: `'${spec.name}' is reserved for an internal topic.` };
    }
    const folded = this.#byFoldedName.get(foldedTopicName(spec.name));
    const clash = folded !== undefined && folded !== spec.name ? folded : null;
    if (clash) {
      return {
        error: 'INVALID_TOPIC_EXCEPTION',
        message: `Topic '${spec.name}' collides with existing topic '${clash}' ('.' and '_' are equivalent in metric names).`,
      };
    }
    const configs = spec.configs ?? {};
    const configError = this.#options.validateTopicConfigs(configs);
    if (configError) return { error: 'INVALID_CONFIG', message: configError };

    let assignment: number[][];
    if (spec.assignment && spec.assignment.length > 0) {
      if ((spec.partitions ?? -1) !== -1 || (spec.replicationFactor ?? -1) !== -1) {
        return { error: 'INVALID_REQUEST', message: 'Both a replica assignment and a partition count or replication factor were given.' };
      }
      const tooMany = this.#checkNewPartitions(spec.name, 0, spec.assignment.length, spec.internal ?? false);
      if (tooMany) return tooMany;
      const problem = this.#checkAssignment(spec.assignment, 0);
      if (problem) return { error: 'INVALID_REPLICA_ASSIGNMENT', message: problem };
      assignment = spec.assignment.map((replicas) => [...replicas]);
    } else {
      const defaults = this.#options.defaults();
      const partitions = spec.partitions === undefined || spec.partitions === -1 ? defaults.numPartitions : spec.partitions;
      const rf = spec.replicationFactor === undefined || spec.replicationFactor === -1 ? defaults.replicationFactor : spec.replicationFactor;
      if (!Number.isInteger(partitions) || partitions < 1) {
        return { error: 'INVALID_PARTITIONS', message: `Number of partitions must be at least 1, got ${partitions}.` };
      }
      // Before assignReplicas, which allocates per partition: 2^31-1 partitions must cost nothing.
      const tooMany = this.#checkNewPartitions(spec.name, 0, partitions, spec.internal ?? false);
      if (tooMany) return tooMany;
      if (!Number.isInteger(rf) || rf < 1) {
        return { error: 'INVALID_REPLICATION_FACTOR', message: `Replication factor must be at least 1, got ${rf}.` };
      }
      const brokers = this.#brokerIds;
      if (rf > brokers.length) {
        return {
          error: 'INVALID_REPLICATION_FACTOR',
          message: `Replication factor ${rf} is larger than the number of brokers (${brokers.length}).`,
        };
      }
      assignment = assignReplicas({ brokerIds: brokers, partitions, replicationFactor: rf, random: this.#options.random });
    }

    const topic: TopicMetadata = {
      name: spec.name,
      topicId: newTopicId(),
      internal: spec.internal ?? false,
      configs: { ...configs },
      partitions: assignment.map((replicas, partition) => this.#newPartition(partition, replicas)),
    };
    // KIP-599, as Kafka's ReplicationControlManager: a valid topic's partitions are charged, validate_only included.
    const throttled = mutationRefused(spec.mutationQuota, topic.partitions.length);
    if (throttled) return throttled;
    if (spec.validateOnly) return topic;
    const unavailable = this.#storeUnavailable();
    if (unavailable) return unavailable;
    this.#state.topics.push(topic);
    this.#index(topic);
    this.#partitionTotal += topic.partitions.length;
    if (!this.#persist([{ kind: 'topic', name: topic.name }])) {
      // Not on disk, not announced: as if never created (the pending record then says it does not exist).
      this.#byName.delete(topic.name);
      this.#byId.delete(topic.topicId);
      this.#partitionTotal -= topic.partitions.length;
      this.#state.topics = this.#state.topics.filter((t) => t !== topic);
      return { error: 'KAFKA_STORAGE_ERROR', message: `Topic '${spec.name}' was not created: the cluster metadata cannot be written: ${this.#storeFailure}` };
    }
    const at = this.#now();
    this.#options.events.emit({ type: 'topic', topic: topic.name, change: 'created', at });
    for (const p of topic.partitions) {
      this.#options.events.emit({ type: 'leader', topic: topic.name, partition: p.partition, leader: p.leader, leaderEpoch: p.leaderEpoch, at });
    }
    return topic;
  }

  #newPartition(partition: number, replicas: number[]): PartitionMetadata {
    const liveReplicas = replicas.filter((id) => this.#live.has(id));
    // A new partition's ISR is its live replicas (all empty, so all in sync); a replica that is down when
    // the topic is created joins the ISR after it comes up and catches up.
    const isr = liveReplicas.length > 0 ? liveReplicas : [...replicas];
    return { partition, replicas, leader: liveReplicas[0] ?? -1, leaderEpoch: 0, isr, partitionEpoch: 0 };
  }

  #checkAssignment(assignment: number[][], firstPartition: number): string | null {
    const rf = assignment[0]?.length ?? 0;
    for (let i = 0; i < assignment.length; i++) {
      const replicas = assignment[i]!;
      const partition = firstPartition + i;
      if (replicas.length === 0) return `Partition ${partition} has no replicas.`;
      if (replicas.length > this.#brokerIds.length) {
        return `Partition ${partition} has ${replicas.length} replicas; the cluster has ${this.#brokerIds.length} broker(s).`;
      }
      if (replicas.length !== rf) return `All partitions must have the same number of replicas; partition ${partition} has ${replicas.length}, expected ${rf}.`;
      if (new Set(replicas).size !== replicas.length) return `Partition ${partition} lists a broker twice: [${replicas.join(', ')}].`;
      const unknown = replicas.find((id) => !this.#brokerIds.includes(id));
      if (unknown !== undefined) return `Partition ${partition} is assigned to broker ${unknown}, which does not exist.`;
    }
    return null;
  }

  deleteTopic(name: string, options: { internal?: boolean; mutationQuota?: MutationQuota } = {}): TopicMetadata | ControllerFailure {
    const topic = this.#byName.get(name);
    if (!topic) return { error: 'UNKNOWN_TOPIC_OR_PARTITION', message: `Topic '${name}' does not exist.` };
    if ((topic.internal || INTERNAL_TOPICS.has(name)) && !options.internal) {
      return { error: 'INVALID_TOPIC_EXCEPTION', message: `'${name}' is an internal topic of the cluster and cannot be deleted.` };
    }
    const throttled = mutationRefused(options.mutationQuota, topic.partitions.length);
    if (throttled) return throttled;
    const unavailable = this.#storeUnavailable();
    if (unavailable) return unavailable;
    this.#byName.delete(name);
    this.#byId.delete(topic.topicId);
    if (this.#byFoldedName.get(foldedTopicName(name)) === name) this.#byFoldedName.delete(foldedTopicName(name));
    this.#partitionTotal -= topic.partitions.length;
    this.#state.topics = this.#state.topics.filter((t) => t !== topic);
    this.#persist([{ kind: 'topic', name }]);
    this.#options.events.emit({ type: 'topic', topic: name, change: 'deleted', at: this.#now() });
    return topic;
  }

  createPartitions(
    name: string,
    totalCount: number,
    assignment: number[][] | null,
    validateOnly: boolean,
    mutationQuota?: MutationQuota,
  ): TopicMetadata | ControllerFailure {
    const topic = this.#byName.get(name);
    if (!topic) return { error: 'UNKNOWN_TOPIC_OR_PARTITION', message: `Topic '${name}' does not exist.` };
    const current = topic.partitions.length;
    if (totalCount <= current) {
      return { error: 'INVALID_PARTITIONS', message: `Topic '${name}' already has ${current} partitions; the new count must be larger, got ${totalCount}.` };
    }
    const adding = totalCount - current;
    const tooMany = this.#checkNewPartitions(name, current, adding, topic.internal);
    if (tooMany) return tooMany;
    const rf = topic.partitions[0]?.replicas.length ?? 1;
    let newAssignment: number[][];
    if (assignment) {
      if (assignment.length !== adding) {
        return { error: 'INVALID_REPLICA_ASSIGNMENT', message: `Expected an assignment for ${adding} new partitions, got ${assignment.length}.` };
      }
      const problem = this.#checkAssignment(assignment, current);
      if (problem) return { error: 'INVALID_REPLICA_ASSIGNMENT', message: problem };
      if ((assignment[0]?.length ?? 0) !== rf) {
        return { error: 'INVALID_REPLICA_ASSIGNMENT', message: `New partitions must have ${rf} replicas like the existing ones.` };
      }
      newAssignment = assignment;
    } else {
      if (rf > this.#brokerIds.length) {
        return { error: 'INVALID_REPLICATION_FACTOR', message: `Replication factor ${rf} is larger than the number of brokers.` };
      }
      newAssignment = assignReplicas({
        brokerIds: this.#brokerIds,
        partitions: adding,
        replicationFactor: rf,
        firstPartition: current,
        random: this.#options.random,
      });
    }
    const throttled = mutationRefused(mutationQuota, adding);
    if (throttled) return throttled;
    if (validateOnly) return topic;
    const unavailable = this.#storeUnavailable();
    if (unavailable) return unavailable;
    const at = this.#now();
    newAssignment.forEach((replicas, i) => {
      const p = this.#newPartition(current + i, [...replicas]);
      topic.partitions.push(p);
    });
    this.#partitionTotal += newAssignment.length;
    this.#persist([{ kind: 'topic', name }]);
    this.#options.events.emit({ type: 'topic', topic: name, change: 'partitions', at });
    for (const p of topic.partitions.slice(current)) {
      this.#options.events.emit({ type: 'leader', topic: name, partition: p.partition, leader: p.leader, leaderEpoch: p.leaderEpoch, at });
    }
    return topic;
  }

  setTopicConfigs(name: string, configs: Record<string, string>, validateOnly: boolean): TopicMetadata | ControllerFailure {
    const topic = this.#byName.get(name);
    if (!topic) return { error: 'UNKNOWN_TOPIC_OR_PARTITION', message: `Topic '${name}' does not exist.` };
    const problem = this.#options.validateTopicConfigs(configs);
    if (problem) return { error: 'INVALID_CONFIG', message: problem };
    if (validateOnly) return topic;
    const unavailable = this.#storeUnavailable();
    if (unavailable) return unavailable;
    topic.configs = { ...configs };
    this.#persist([{ kind: 'topic', name }]);
    this.#options.onConfigChange?.({ topic: name });
    this.electOfflinePartitions([topic]);
    return topic;
  }

  /**
   * A live broker cannot open or create its log of a partition (a full or failing disk), as Kafka's
   * controller hears of a failed log dir (KIP-858): the replica leaves the ISR (it holds nothing now,
   * and acks=all writes must not wait for it), and if it led, another in-sync replica takes over when
   * one can; otherwise it keeps leading (answering KAFKA_STORAGE_ERROR) until its log opens. Once it
   * opens, the replica catches up and rejoins the ISR as any follower does.
   */
  replicaLogFailed(topicName: string, partition: number, brokerId: number): void {
    const topic = this.#byName.get(topicName);
    const p = topic?.partitions[partition];
    if (!topic || !p || !this.#live.has(brokerId)) return;
    const at = this.#now();
    let changed = false;
    if (p.leader === brokerId && this.#elect(topic, p, at, { onlyClean: true })) {
      this.#logger?.warn('leadership moved off a replica whose log cannot be opened', { topic: topicName, partition, from: brokerId, to: p.leader });
      changed = true;
    }
    if (p.leader !== brokerId && p.isr.includes(brokerId) && p.isr.length > 1) {
      this.#setIsr(
        topic,
        p,
        p.isr.filter((id) => id !== brokerId),
        at,
      );
      changed = true;
    }
    if (changed) this.#persist([{ kind: 'partition', topic, partition: p }]);
  }

  /**
   * Elects leaders for offline partitions that may have one now (after unclean.leader.election.enable
   * was turned on, as Kafka's controller does, or after a replica's storage recovered).
   */
  electOfflinePartitions(topics: Iterable<TopicMetadata>): void {
    const at = this.#now();
    const changes: MetadataChange[] = [];
    for (const topic of topics) {
      for (const p of topic.partitions) {
        if (p.leader === -1 && p.replicas.some((id) => this.#live.has(id)) && this.#elect(topic, p, at))
          changes.push({ kind: 'partition', topic, partition: p });
      }
    }
    this.#persist(changes);
  }

  /**
   * A broker came up: offline partitions it hosts get a leader if one may lead now (usually this
   * broker, their last ISR member). A replica of it that lost committed records leaves the ISR, and
   * does not keep a leadership recorded before a crash.
   */
  /**
   * Each running broker's epoch (KIP-380): a number the controller gives a broker each time it starts,
   * higher than any before, so requests of an earlier incarnation can be told apart (ZooKeeper used
   * the broker's registration znode's czxid, KRaft the offset of its registration record). Only the
   * broker knows its own; requests from elsewhere naming one are answered STALE_BROKER_EPOCH.
   */
  readonly #brokerEpochs = new Map<number, bigint>();
  #lastBrokerEpoch = 0n;

  brokerEpoch(brokerId: number): bigint | undefined {
    return this.#live.has(brokerId) ? this.#brokerEpochs.get(brokerId) : undefined;
  }

  brokerStarted(brokerId: number): void {
    this.#live.add(brokerId);
    this.#lastBrokerEpoch = BigInt(Math.max(Number(this.#lastBrokerEpoch) + 1, this.#metadataRecordsWritten));
    this.#brokerEpochs.set(brokerId, this.#lastBrokerEpoch);
    this.#followQuorumLeader();
    const at = this.#now();
    this.#options.events.emit({ type: 'broker', brokerId, state: 'up', at });
    const changes: MetadataChange[] = [];
    const uncleanShutdown = this.#uncleanlyStopped.delete(brokerId) && this.elrEnabled;
    for (const topic of this.#byName.values()) {
      for (const p of topic.partitions) {
        if (!p.replicas.includes(brokerId)) continue;
        if (uncleanShutdown && (p.isr.includes(brokerId) || (p.elr ?? []).includes(brokerId))) {
          // Kafka's handleBrokerUncleanShutdown: a broker back from an unclean shutdown may have lost
          // records it had not flushed, so it leaves the ISR and the ELR (into the last known ELR) and
          // rejoins by catching up.
          this.#setIsr(
            topic,
            p,
            p.isr.filter((id) => id !== brokerId),
            at,
            [brokerId],
          );
          changes.push({ kind: 'partition', topic, partition: p });
        }
        if (p.leader === -1 || (p.leader === brokerId && this.#unfitToLead(topic, p, brokerId))) {
          if (this.#elect(topic, p, at)) changes.push({ kind: 'partition', topic, partition: p });
          continue;
        }
        const unfit = p.isr.includes(brokerId) && p.isr.length > 1 ? this.#unfitToLead(topic, p, brokerId) : null;
        if (unfit) {
          this.#logger?.warn(`replica removed from the ISR until it has caught up: ${unfit}`, { topic: topic.name, partition: p.partition, broker: brokerId });
          this.#setIsr(
            topic,
            p,
            p.isr.filter((id) => id !== brokerId),
            at,
          );
          changes.push({ kind: 'partition', topic, partition: p });
        }
      }
    }
    this.#persist(changes);
  }

  get #logger(): Logger | undefined {
    return this.#options.logger;
  }

  #replicaLog(topic: TopicMetadata, p: PartitionMetadata, brokerId: number): ReplicaLogInfo | null {
    return this.#live.has(brokerId) ? (this.#options.replicaLog?.(brokerId, topic.name, p.partition) ?? null) : null;
  }

  /** Why a live replica may not lead (its log lost committed records, or has a storage failure), or null. */
  #unfitToLead(topic: TopicMetadata, p: PartitionMetadata, brokerId: number): string | null {
    const log = this.#replicaLog(topic, p, brokerId);
    if (log?.missing) return `its log lost committed records (offsets ${log.missing.from}..${log.missing.to - 1})`;
    if (log?.lostLog) return 'its log directory vanished while its broker was down (the records it had are unknown)';
    if (log?.storageError) return `its log has a storage failure (${log.storageError})`;
    return null;
  }

  /** Sets a partition's ISR, keeping its eligible leader replicas up to date; `excluded` may not be eligible (unclean shutdown, lost records). */
  #setIsr(topic: TopicMetadata, p: PartitionMetadata, isr: number[], at: number, excluded: readonly number[] = []): void {
    this.#trackElr(topic, p, isr, excluded);
    p.isr = isr;
    p.partitionEpoch++;
    this.#options.events.emit({ type: 'isr', topic: topic.name, partition: p.partition, isr: [...isr], at });
  }

  /** Brokers stopped abruptly (killed) since they last ran: back up, they leave the ISR and ELR (KIP-966). */
  readonly #uncleanlyStopped = new Set<number>();

  /** Whether eligible leader replicas are tracked: eligible.leader.replicas.version finalized at 1 or more (KIP-966). */
  get elrEnabled(): boolean {
    return this.features.level(ELR_VERSION) >= 1;
  }

  /** min.insync.replicas of a topic, at most its replication factor (Kafka's effective min ISR). */
  #effectiveMinIsr(topic: TopicMetadata, p: PartitionMetadata): number {
    const configured = Number(this.#options.topicConfig(topic, 'min.insync.replicas') ?? '1');
    return Math.min(Number.isInteger(configured) && configured > 0 ? configured : 1, p.replicas.length);
  }

  /**
   * The ELR for an ISR about to become `targetIsr` (Kafka's PartitionChangeBuilder.maybePopulateTargetElr):
   * at or above min ISR it is empty; below it, the replicas of the current ISR and ELR that leave or stay
   * out of the ISR are eligible (they hold every committed record: the high watermark stops under min
   * ISR), except `excluded` ones. The last known ELR holds the last known leader (Kafka's
   * maybeUpdateLastKnownLeader, with useLastKnownLeaderInBalancedRecovery as Kafka sets it): the leader
   * when the ISR first empties, cleared when a leader is elected.
   */
  #trackElr(topic: TopicMetadata, p: PartitionMetadata, targetIsr: readonly number[], excluded: readonly number[]): void {
    if (!this.elrEnabled) {
      delete p.elr;
      delete p.lastKnownElr;
      return;
    }
    if (targetIsr.length >= this.#effectiveMinIsr(topic, p)) {
      delete p.elr;
    } else {
      const elr = [...new Set([...(p.elr ?? []), ...p.isr])]
        .filter((id) => !targetIsr.includes(id) && !excluded.includes(id) && p.replicas.includes(id))
        .sort((a, b) => p.replicas.indexOf(a) - p.replicas.indexOf(b));
      if (elr.length > 0) p.elr = elr;
      else delete p.elr;
    }
    if (targetIsr.length === 0 && p.isr.length > 0 && p.leader !== -1) p.lastKnownElr = [p.leader];
  }

  /**
   * eligible.leader.replicas.version went back to 0: the ELR fields are cleared. A partition whose ISR
   * was empty gets its eligible replicas (or else its last known leader) as its ISR: they hold every
   * committed record, so it is led as a cluster without ELR would lead it, by its last in-sync replicas.
   */
  #dropElr(): void {
    const at = this.#now();
    const changes: MetadataChange[] = [];
    for (const topic of this.#byName.values()) {
      for (const p of topic.partitions) {
        if (!p.elr && !p.lastKnownElr) continue;
        const eligible = p.elr ?? p.lastKnownElr ?? [];
        delete p.elr;
        delete p.lastKnownElr;
        if (p.isr.length === 0 && eligible.length > 0) {
          this.#setIsr(topic, p, [...eligible], at);
          if (p.leader === -1) this.#elect(topic, p, at);
        } else p.partitionEpoch++;
        changes.push({ kind: 'partition', topic, partition: p });
      }
    }
    this.#persist(changes);
  }

  /** Last election report per partition, so a partition waiting across several broker starts logs once per change. */
  readonly #electionReports = new Map<string, string>();

  /**
   * Elects a leader for a partition that needs one (see election.ts) and applies it; true when the
   * partition changed. A partition no replica may lead goes (or stays) offline.
   */
  #elect(topic: TopicMetadata, p: PartitionMetadata, at: number, options: { onlyClean?: boolean; uncleanOnDemand?: boolean } = {}): boolean {
    return this.#electWith(topic, p, at, options).changed;
  }

  /** elect(), also saying what the election found. `uncleanOnDemand`: ElectLeaders UNCLEAN (KIP-460) allows it whatever the topic says. */
  #electWith(
    topic: TopicMetadata,
    p: PartitionMetadata,
    at: number,
    options: { onlyClean?: boolean; uncleanOnDemand?: boolean },
  ): { changed: boolean; result: ElectionResult } {
    const result = electLeader({
      replicas: p.replicas,
      isr: p.isr,
      elr: this.elrEnabled ? (p.elr ?? []) : [],
      lastKnownLeader: this.elrEnabled ? (p.lastKnownElr ?? []) : [],
      isLive: (id) => this.#live.has(id),
      replicaLog: (id) => this.#replicaLog(topic, p, id),
      uncleanAllowed: options.uncleanOnDemand === true || this.#uncleanAllowed(topic),
    });
    // A leader that still serves what it can stays, unless an in-sync replica can take over cleanly.
    if (options.onlyClean && (result.kind !== 'clean' || result.leader === p.leader)) return { changed: false, result };
    this.#reportElection(topic, p, result, options.uncleanOnDemand === true);
    if (result.kind === 'none') {
      if (p.leader === -1) return { changed: false, result };
      this.#setLeader(topic, p, -1, at);
      return { changed: true, result };
    }
    const damaged = result.damaged.map((d) => d.brokerId);
    if (result.isr.length !== p.isr.length || result.isr.some((id) => !p.isr.includes(id))) this.#setIsr(topic, p, result.isr, at, damaged);
    // An unclean election clears the ELR fields (PartitionChangeBuilder.maybeUpdateRecordElr): records may be lost.
    if (result.kind === 'unclean') {
      delete p.elr;
      delete p.lastKnownElr;
    }
    this.#setLeader(topic, p, result.leader, at);
    // Kept with the partition (as KIP-704's leader recovery state marks an unclean leader): followers
    // holding records from before this epoch that the new leader lacks accept losing them (replica-fetcher.ts).
    if (result.kind === 'unclean') p.uncleanElectionEpoch = p.leaderEpoch;
    return { changed: true, result };
  }

  #reportElection(topic: TopicMetadata, p: PartitionMetadata, result: ElectionResult, onDemand = false): void {
    const key = `${topic.name}\u0000${p.partition}`;
    const fields: Record<string, unknown> = { topic: topic.name, partition: p.partition };
    if (result.damaged.length > 0) {
      fields.lostRecords = result.damaged
        .map((d) => `broker ${d.brokerId}: ${d.lostLog ? 'its whole log (directory vanished)' : `offsets ${d.from}..${d.to - 1}`}`)
        .join('; ');
    }
    let level: 'warn' | 'error';
    let message: string;
    if (result.kind === 'none') {
      // A partition going offline because its last in-sync replica stopped is routine; one kept offline
      // because replicas lost records is not.
      if (result.damaged.length === 0) {
        this.#electionReports.delete(key);
        return;
      }
      level = result.waitingFor.length > 0 ? 'warn' : 'error';
      message = `partition offline: ${result.reason}`;
    } else if (result.kind === 'clean') {
      this.#electionReports.delete(key);
      if (result.damaged.length === 0) return;
      level = 'warn';
      message = `leader ${result.leader} elected; in-sync replica(s) that lost committed records left the ISR until they catch up`;
    } else if (result.kind === 'recovered') {
      level = 'warn';
      message = `every in-sync replica lost committed records; replica ${result.leader}, outside the ISR, holds them all and leads`;
    } else {
      level = 'error';
      message = `unclean leader election (${onDemand ? 'ElectLeaders UNCLEAN' : 'unclean.leader.election.enable=true'}): replica ${result.leader} leads; committed records it does not hold are lost`;
    }
    if (this.#electionReports.get(key) === message) return;
    this.#electionReports.set(key, message);
    this.#logger?.[level](message, fields);
  }

  /**
   * A broker went away (clean stop or kill): it leaves the ISR of every partition, and partitions it
   * led get a new leader from the remaining live ISR members. With no live ISR member a partition goes
   * offline (leader -1) and keeps its last ISR member, rather than lose acknowledged data; only with
   * unclean.leader.election.enable may an out-of-sync replica take over.
   */
  brokerStopped(brokerId: number, { clean = true }: { clean?: boolean } = {}): void {
    this.#live.delete(brokerId);
    this.#followQuorumLeader();
    if (clean) this.#uncleanlyStopped.delete(brokerId);
    else this.#uncleanlyStopped.add(brokerId);
    const at = this.#now();
    const changes: MetadataChange[] = [];
    const elr = this.elrEnabled;
    for (const topic of this.#byName.values()) {
      for (const p of topic.partitions) {
        if (!p.replicas.includes(brokerId)) continue;
        // Without ELR the last in-sync replica stays in the ISR; with it the ISR may empty, the replicas
        // that left it below min.insync.replicas kept as eligible leaders (KIP-966).
        if (p.isr.includes(brokerId) && (p.isr.length > 1 || elr)) {
          this.#setIsr(
            topic,
            p,
            p.isr.filter((id) => id !== brokerId),
            at,
          );
          changes.push({ kind: 'partition', topic, partition: p });
        }
        if (p.leader === brokerId && this.#elect(topic, p, at)) changes.push({ kind: 'partition', topic, partition: p });
      }
    }
    this.#options.events.emit({ type: 'broker', brokerId, state: 'down', at });
    this.#persist(changes);
  }

  #uncleanAllowed(topic: TopicMetadata): boolean {
    return this.#options.topicConfig(topic, 'unclean.leader.election.enable') === 'true';
  }

  #setLeader(topic: TopicMetadata, p: PartitionMetadata, leader: number, at: number): void {
    // The last known leader is kept only while the partition has none (KIP-966).
    if (leader !== -1) delete p.lastKnownElr;
    p.leader = leader;
    p.leaderEpoch++;
    p.partitionEpoch++;
    this.#options.events.emit({ type: 'leader', topic: topic.name, partition: p.partition, leader, leaderEpoch: p.leaderEpoch, at });
  }

  /** Moves leadership away from a broker about to stop cleanly (controlled shutdown). */
  moveLeadershipAway(brokerId: number): void {
    const at = this.#now();
    const changes: MetadataChange[] = [];
    for (const topic of this.#byName.values()) {
      for (const p of topic.partitions) {
        if (p.leader !== brokerId) continue;
        const next = p.replicas.find((id) => id !== brokerId && this.#live.has(id) && p.isr.includes(id) && !this.#unfitToLead(topic, p, id));
        if (next === undefined) continue;
        this.#setLeader(topic, p, next, at);
        changes.push({ kind: 'partition', topic, partition: p });
      }
    }
    this.#persist(changes);
  }

  /** The leader of a partition reports a new ISR (Kafka's AlterPartition). Refused if stale. */
  changeIsr(topicName: string, partition: number, leaderEpoch: number, isr: number[]): boolean {
    const topic = this.#byName.get(topicName);
    const p = topic?.partitions[partition];
    if (!topic || !p || p.leaderEpoch !== leaderEpoch || !isr.includes(p.leader)) return false;
    if (isr.length === p.isr.length && isr.every((id) => p.isr.includes(id))) return true;
    const previous = { isr: p.isr, partitionEpoch: p.partitionEpoch, elr: p.elr, lastKnownElr: p.lastKnownElr };
    const target = [...isr].sort((a, b) => p.replicas.indexOf(a) - p.replicas.indexOf(b));
    this.#trackElr(topic, p, target, []);
    p.isr = target;
    p.partitionEpoch++;
    if (!this.#persist([{ kind: 'partition', topic, partition: p }])) {
      // Kafka's AlterPartition: an ISR the controller did not commit is not one the leader may use
      // (a smaller ISR not on disk could let a replica without the newest records lead after a crash).
      Object.assign(p, previous);
      if (!previous.elr) delete p.elr;
      if (!previous.lastKnownElr) delete p.lastKnownElr;
      return false;
    }
    this.#options.events.emit({ type: 'isr', topic: topicName, partition, isr: [...p.isr], at: this.#now() });
    // An adding replica that joined the ISR may complete a reassignment: after the leader's own work
    // with this ISR (its high watermark), since completing may move leadership off it.
    if ((p.addingReplicas?.length ?? 0) > 0 || (p.removingReplicas?.length ?? 0) > 0) queueMicrotask(() => this.#maybeCompleteReassignment(topic, p));
    return true;
  }

  /** The ongoing reassignment of a partition, or null. */
  #reassignmentOf(p: PartitionMetadata): ReassignmentState | null {
    const adding = p.addingReplicas ?? [];
    const removing = p.removingReplicas ?? [];
    return adding.length > 0 || removing.length > 0 ? { replicas: p.replicas, adding, removing } : null;
  }

  #setReplicas(p: PartitionMetadata, replicas: number[], adding: number[], removing: number[]): void {
    p.replicas = replicas;
    if (adding.length > 0) p.addingReplicas = adding;
    else delete p.addingReplicas;
    if (removing.length > 0) p.removingReplicas = removing;
    else delete p.removingReplicas;
    p.partitionEpoch++;
  }

  /** Tells the brokers (and the UI) a partition's replica set changed, once its ISR and leader are settled too. */
  #announceReplicas(topic: TopicMetadata, p: PartitionMetadata, at: number): void {
    const { addingReplicas: adding = [], removingReplicas: removing = [] } = p;
    this.#options.events.emit({
      type: 'replicas',
      topic: topic.name,
      partition: p.partition,
      replicas: [...p.replicas],
      adding: [...adding],
      removing: [...removing],
      at,
    });
  }

  /**
   * Completes a partition's reassignment once its adding replicas are all in the ISR (KIP-455): the
   * replica set becomes the target, the removing replicas leave the ISR, and a removing leader hands
   * leadership to the first live in-sync replica of the target. True when it completed.
   */
  #maybeCompleteReassignment(topic: TopicMetadata, p: PartitionMetadata): boolean {
    if (this.#byName.get(topic.name) !== topic || topic.partitions[p.partition] !== p) return false;
    const state = this.#reassignmentOf(p);
    const done = state && completedReassignment(state, p.isr);
    if (!done) return false;
    const at = this.#now();
    this.#setReplicas(p, done.replicas, [], []);
    if (done.isr.length !== p.isr.length) this.#setIsr(topic, p, done.isr, at);
    if (!done.replicas.includes(p.leader)) this.#elect(topic, p, at);
    this.#announceReplicas(topic, p, at);
    this.#persist([{ kind: 'partition', topic, partition: p }]);
    this.#logger?.info('reassignment completed', { topic: topic.name, partition: p.partition, replicas: done.replicas.join(','), leader: p.leader });
    return true;
  }

  /**
   * AlterPartitionReassignments (KIP-455): per partition, start (or replace) a reassignment towards
   * `replicas`, or cancel the ongoing one (null). Adding replicas are created on their brokers and catch
   * up as followers; the reassignment completes when they are all in the ISR. Errors per partition:
   * UNKNOWN_TOPIC_OR_PARTITION, INVALID_REPLICA_ASSIGNMENT (empty, repeated or unknown brokers; a cancel
   * that would need an unclean election), NO_REASSIGNMENT_IN_PROGRESS (cancel with none ongoing),
   * INVALID_REPLICATION_FACTOR when `allowReplicationFactorChange` is false and the target has another
   * number of replicas than the partition had before any reassignment (KIP-860; cancels are unaffected).
   */
  alterPartitionReassignments(
    requests: ReadonlyArray<{ topic: string; partition: number; replicas: readonly number[] | null }>,
    { allowReplicationFactorChange = true }: { allowReplicationFactorChange?: boolean } = {},
  ): Array<{ topic: string; partition: number; error: ControllerErrorName | null; message: string | null }> {
    const at = this.#now();
    return requests.map(({ topic: name, partition, replicas: target }) => {
      const ok = { topic: name, partition, error: null, message: null };
      const topic = this.#byName.get(name);
      const p = topic?.partitions[partition];
      if (!topic || !p)
        return { topic: name, partition, error: 'UNKNOWN_TOPIC_OR_PARTITION' as const, message: `Topic '${name}' has no partition ${partition}.` };
      const state = this.#reassignmentOf(p);
      if (target === null) {
        if (!state)
          return { topic: name, partition, error: 'NO_REASSIGNMENT_IN_PROGRESS' as const, message: `No reassignment of ${name}-${partition} is in progress.` };
        const reverted = revertedReassignment(state, p.isr);
        if (reverted.unclean && !this.#uncleanAllowed(topic)) {
          return {
            topic: name,
            partition,
            error: 'INVALID_REPLICA_ASSIGNMENT' as const,
            message: `Cancelling the reassignment of ${name}-${partition} would need an unclean leader election: no replica of the original set is in sync.`,
          };
        }
        const unavailable = this.#storeUnavailable();
        if (unavailable) return { topic: name, partition, ...unavailable };
        this.#setReplicas(p, reverted.replicas, [], []);
        if (reverted.isr.length !== p.isr.length) this.#setIsr(topic, p, reverted.isr, at);
        if (!reverted.replicas.includes(p.leader) || !p.isr.includes(p.leader)) this.#elect(topic, p, at, { uncleanOnDemand: reverted.unclean });
        this.#announceReplicas(topic, p, at);
        this.#persist([{ kind: 'partition', topic, partition: p }]);
        this.#logger?.info('reassignment cancelled', { topic: name, partition, replicas: reverted.replicas.join(',') });
        return ok;
      }
      const problem = targetProblem(target, this.brokerIds);
      if (problem) return { topic: name, partition, error: 'INVALID_REPLICA_ASSIGNMENT' as const, message: problem };
      // The replication factor is the partition's before any reassignment: its replicas less those being added.
      const replicationFactor = p.replicas.length - (state?.adding.length ?? 0);
      if (!allowReplicationFactorChange && target.length !== replicationFactor) {
        return {
          topic: name,
          partition,
          error: 'INVALID_REPLICATION_FACTOR' as const,
          message: `The replication factor is changed from ${replicationFactor} to ${target.length}, and the request does not allow replication factor changes.`,
        };
      }
      const unavailable = this.#storeUnavailable();
      if (unavailable) return { topic: name, partition, ...unavailable };
      const next = startReassignment(p.replicas, target);
      if (!state && next.adding.length === 0 && next.removing.length === 0 && next.replicas.every((id, i) => p.replicas[i] === id)) return ok;
      this.#setReplicas(p, next.replicas, next.adding, next.removing);
      // Replicas neither leaving nor arriving keep their ISR standing; an adding one joins by catching up.
      if (!this.#maybeCompleteReassignment(topic, p)) {
        this.#announceReplicas(topic, p, at);
        this.#persist([{ kind: 'partition', topic, partition: p }]);
      }
      this.#logger?.info('reassignment started', {
        topic: name,
        partition,
        target: target.join(','),
        adding: next.adding.join(','),
        removing: next.removing.join(','),
      });
      return ok;
    });
  }

  /** ListPartitionReassignments (KIP-455): the ongoing reassignments, of every partition (null) or of those named. */
  listPartitionReassignments(
    targets: ReadonlyArray<{ topic: string; partitions: readonly number[] }> | null,
  ): Array<{ topic: string; partition: number; replicas: number[]; adding: number[]; removing: number[] }> {
    const found: Array<{ topic: string; partition: number; replicas: number[]; adding: number[]; removing: number[] }> = [];
    const add = (topic: TopicMetadata, p: PartitionMetadata | undefined) => {
      const state = p && this.#reassignmentOf(p);
      if (p && state)
        found.push({ topic: topic.name, partition: p.partition, replicas: [...p.replicas], adding: [...state.adding], removing: [...state.removing] });
    };
    if (targets === null) {
      for (const topic of this.#byName.values()) for (const p of topic.partitions) add(topic, p);
    } else {
      for (const { topic: name, partitions } of targets) {
        const topic = this.#byName.get(name);
        if (topic) for (const partition of partitions) add(topic, topic.partitions[partition]);
      }
    }
    return found;
  }

  /**
   * Preferred leader election: give each partition back to its first assigned replica when that replica
   * is live and in sync. Returns per-partition outcomes.
   */
  electPreferredLeaders(
    targets?: Array<{ topic: string; partition: number }>,
  ): Array<{ topic: string; partition: number; error: ControllerErrorName | null; message: string | null }> {
    const list = targets ?? [...this.#byName.values()].flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition })));
    const at = this.#now();
    const changes: MetadataChange[] = [];
    const results = list.map(({ topic: name, partition }) => {
      const topic = this.#byName.get(name);
      const p = topic?.partitions[partition];
      if (!topic || !p) return { topic: name, partition, error: 'UNKNOWN_TOPIC_OR_PARTITION' as const, message: 'Unknown topic or partition.' };
      const preferred = p.replicas[0]!;
      if (p.leader === preferred) return { topic: name, partition, error: 'ELECTION_NOT_NEEDED' as const, message: 'The preferred replica already leads.' };
      if (!this.#live.has(preferred) || !p.isr.includes(preferred)) {
        return { topic: name, partition, error: 'PREFERRED_LEADER_NOT_AVAILABLE' as const, message: `Preferred replica ${preferred} is not live and in sync.` };
      }
      const unfit = this.#unfitToLead(topic, p, preferred);
      if (unfit)
        return { topic: name, partition, error: 'PREFERRED_LEADER_NOT_AVAILABLE' as const, message: `Preferred replica ${preferred} may not lead: ${unfit}.` };
      this.#setLeader(topic, p, preferred, at);
      changes.push({ kind: 'partition', topic, partition: p });
      return { topic: name, partition, error: null, message: null };
    });
    this.#persist(changes);
    return results;
  }

  /**
   * Unclean leader election on demand (ElectLeaders UNCLEAN, KIP-460): an operator's one-time consent to
   * an unclean election, whatever unclean.leader.election.enable says. Only for partitions without a
   * leader (ELECTION_NOT_NEEDED otherwise, as Kafka); the election's own order still applies — an in-sync
   * replica if one may lead, then a replica that holds every committed record, and only then the live
   * replica with the longest log, losing what it lacks (logged as an error). ELIGIBLE_LEADERS_NOT_AVAILABLE
   * when no replica is live and usable.
   */
  electUncleanLeaders(
    targets?: Array<{ topic: string; partition: number }>,
  ): Array<{ topic: string; partition: number; error: ControllerErrorName | null; message: string | null }> {
    const list = targets ?? [...this.#byName.values()].flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition })));
    const at = this.#now();
    const changes: MetadataChange[] = [];
    const results = list.map(({ topic: name, partition }) => {
      const topic = this.#byName.get(name);
      const p = topic?.partitions[partition];
      if (!topic || !p) return { topic: name, partition, error: 'UNKNOWN_TOPIC_OR_PARTITION' as const, message: 'Unknown topic or partition.' };
      if (p.leader !== -1) return { topic: name, partition, error: 'ELECTION_NOT_NEEDED' as const, message: `Replica ${p.leader} leads the partition.` };
      const unavailable = this.#storeUnavailable();
      if (unavailable) return { topic: name, partition, ...unavailable };
      const { changed, result } = this.#electWith(topic, p, at, { uncleanOnDemand: true });
      if (result.kind === 'none')
        return { topic: name, partition, error: 'ELIGIBLE_LEADERS_NOT_AVAILABLE' as const, message: `No replica may lead: ${result.reason}.` };
      if (changed) changes.push({ kind: 'partition', topic, partition: p });
      return { topic: name, partition, error: null, message: null };
    });
    this.#persist(changes);
    return results;
  }
}
