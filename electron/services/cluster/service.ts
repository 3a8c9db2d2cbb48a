// The cluster as a whole: overview, brokers (up and down), a broker's page and preferred-leader
// elections. Every read goes through the tolerant readers in ./read, and every Metadata answer is
// recorded in the broker history, so a broker that drops out of Metadata is listed as down with the
// time the app noticed, instead of vanishing.
import { describeDetectedRelease, detectRelease } from '../../kafka/releases';
import { ConfigResourceTypes, ConfigSources, type Admin } from '@platformatic/kafka';
import {
  EMBEDDED_CONNECTION_ID,
  MAX_LISTED_PROBLEMS,
  type Broker,
  type BrokerConfig,
  type BrokerDetail,
  type BrokerRef,
  type ClusterOverview,
  type ElectionMove,
  type ElectionPreview,
  type ElectionResult,
  type ElectionScope,
  type HostedReplica,
  type PartitionProblem,
} from '../../../shared/model/schemas';
import { errorName } from '../../kafka/protocol/error-codes';
import { ElectLeaders } from '../../kafka/protocol/generated/index';
import { AppError, describeUnsupportedApi } from '../../core/errors';
import type { EmbeddedClusterService } from '../embedded-cluster/service';
import { BrokerHistory } from './broker-history';
import { readFeatures, updateFeature } from './features';
import type { ClusterFeatures, FeatureUpdateRequest, FeatureUpdateResult } from '../../../shared/model/features';
import { describeLogDirs, failureReason, isOffline, isUnderReplicated, readMetadata, type ClusterSnapshot, type PartitionState, type TopicState } from './read';
import { bootstrapConnection, brokerConnection, negotiateVersion, send } from './wire';
import type { Logger } from '../../core/logger';

/** What the topic, group and message services need to read a connection's cluster tolerantly. */
export interface ClusterReads {
  readonly connectionId: string;
  readonly admin: Admin;
  /** Metadata for every topic (null) or the named ones; recorded in the broker history. */
  metadata(topics: readonly string[] | null): Promise<ClusterSnapshot>;
  /** Every broker known for this connection as of the snapshot, up or down, by id. */
  brokers(snapshot: ClusterSnapshot): Map<number, BrokerRef>;
}

export interface ClusterServiceDeps {
  /** Where the broker history is kept; null keeps it in memory. */
  dataDir: string | null;
  admin: (connectionId: string) => Promise<Admin>;
  embedded?: EmbeddedClusterService;
  logger?: Logger;
}

const ELECTION_TIMEOUT_MS = 15_000;

export class ClusterService {
  readonly history: BrokerHistory;
  readonly #admin: (connectionId: string) => Promise<Admin>;
  readonly #embedded: EmbeddedClusterService | undefined;
  #unsubscribe: (() => void) | null = null;

  constructor(deps: ClusterServiceDeps) {
    this.history = new BrokerHistory(deps.dataDir, deps.logger);
    this.#admin = deps.admin;
    this.#embedded = deps.embedded;
    // The embedded cluster says exactly when a broker stops or starts; Metadata alone would only
    // tell the next time the app asks.
    this.#unsubscribe =
      deps.embedded?.onEvent((change) => {
        if (change.type !== 'broker') return;
        // A broker removed from the cluster is gone, not down: the history forgets it.
        if (change.state === 'removed') {
          this.history.forget(EMBEDDED_CONNECTION_ID, change.brokerId);
          return;
        }
        const broker = this.#embedded?.status().brokers.find((entry) => entry.id === change.brokerId);
        if (!broker) return;
        if (change.state === 'down') this.history.markDown(EMBEDDED_CONNECTION_ID, broker, change.at);
        else this.history.markUp(EMBEDDED_CONNECTION_ID, broker, change.at);
      }) ?? null;
  }

  load(): Promise<void> {
    return this.history.load();
  }

  async close(): Promise<void> {
    this.#unsubscribe?.();
    await this.history.close();
  }

  async reads(connectionId: string): Promise<ClusterReads> {
    const admin = await this.#admin(connectionId);
    return {
      connectionId,
      admin,
      metadata: async (topics) => {
        const snapshot = await readMetadata(admin, topics);
        this.history.observe(connectionId, snapshot);
        return snapshot;
      },
      brokers: (snapshot) => this.brokerRefs(connectionId, snapshot),
    };
  }

  /**
   * Brokers listed by Metadata are up. Down: brokers named in the snapshot's replica assignments but
   * not listed, brokers the app saw before, and the embedded cluster's stopped brokers.
   */
  brokerRefs(connectionId: string, snapshot: ClusterSnapshot): Map<number, BrokerRef> {
    const seen = this.history.brokers(connectionId);
    const refs = new Map<number, BrokerRef>();
    for (const [id, address] of snapshot.brokers) {
      refs.set(id, { id, state: 'up', host: address.host, port: address.port, rack: address.rack, lastSeenAt: snapshot.at, downSince: null });
    }
    const addDown = (id: number) => {
      if (refs.has(id)) return;
      const known = seen.get(id);
      refs.set(id, {
        id,
        state: 'down',
        host: known?.host ?? null,
        port: known?.port ?? null,
        rack: known?.rack ?? null,
        lastSeenAt: known?.lastSeenAt ?? null,
        downSince: known?.downSince ?? null,
      });
    };
    for (const topic of snapshot.topics.values()) for (const partition of topic.partitions) for (const replica of partition.replicas) addDown(replica);
    if (connectionId === EMBEDDED_CONNECTION_ID && this.#embedded) {
      const embedded = this.#embedded.status().brokers;
      // The embedded cluster knows its own brokers: ids from an earlier, larger cluster are gone.
      if (embedded.length) this.history.retain(EMBEDDED_CONNECTION_ID, new Set(embedded.map((broker) => broker.id)));
      for (const broker of embedded) {
        addDown(broker.id);
        const ref = refs.get(broker.id);
        if (ref && ref.host === null) Object.assign(ref, { host: broker.host, port: broker.port });
      }
    } else {
      for (const id of seen.keys()) addDown(id);
    }
    return new Map([...refs].sort(([a], [b]) => a - b));
  }

  async overview(connectionId: string): Promise<ClusterOverview> {
    const reads = await this.reads(connectionId);
    const [snapshot, apis] = await Promise.all([reads.metadata(null), reads.admin.listApis()]);
    const refs = reads.brokers(snapshot);
    const stats = new Map<number, { leaders: number; replicas: number; outOfSync: number; offline: number; preferred: number; failed: number }>();
    const statsOf = (id: number) => {
      let entry = stats.get(id);
      if (!entry) stats.set(id, (entry = { leaders: 0, replicas: 0, outOfSync: 0, offline: 0, preferred: 0, failed: 0 }));
      return entry;
    };
    let topicCount = 0;
    let partitionCount = 0;
    let replicaCount = 0;
    let imbalance = 0;
    const offline: PartitionProblem[] = [];
    const under: PartitionProblem[] = [];
    let offlineCount = 0;
    let underCount = 0;
    const topicErrors: ClusterOverview['topicErrors'] = [];
    let internalImbalance = 0;
    for (const topic of snapshot.topics.values()) {
      if (!topic.internal) continue;
      for (const partition of topic.partitions) {
        if (partition.leader >= 0 && partition.replicas[0] !== undefined && partition.leader !== partition.replicas[0]) internalImbalance += 1;
        // Storage failures count for internal topics too: a failed __consumer_offsets replica breaks groups.
        for (const replica of partition.offlineReplicas) if (snapshot.brokers.has(replica)) statsOf(replica).failed += 1;
      }
    }
    for (const topic of visibleTopics(snapshot)) {
      if (topic.error) {
        topicErrors.push({ topic: topic.name, error: topic.error });
        if (!topic.partitions.length) continue;
      }
      topicCount += 1;
      for (const partition of topic.partitions) {
        partitionCount += 1;
        replicaCount += partition.replicas.length;
        const down = isOffline(partition, snapshot);
        if (partition.leader >= 0 && !down) statsOf(partition.leader).leaders += 1;
        if (partition.leader >= 0 && partition.replicas[0] !== undefined && partition.leader !== partition.replicas[0]) imbalance += 1;
        if (partition.replicas[0] !== undefined) statsOf(partition.replicas[0]).preferred += 1;
        for (const replica of partition.replicas) {
          const entry = statsOf(replica);
          entry.replicas += 1;
          if (!partition.isr.includes(replica)) entry.outOfSync += 1;
          if (down) entry.offline += 1;
          if (partition.offlineReplicas.includes(replica) && snapshot.brokers.has(replica)) entry.failed += 1;
        }
        if (down) {
          offlineCount += 1;
          if (offline.length < MAX_LISTED_PROBLEMS) offline.push(problem(topic.name, partition, 'offline'));
        } else if (isUnderReplicated(partition)) {
          underCount += 1;
          if (under.length < MAX_LISTED_PROBLEMS) under.push(problem(topic.name, partition, 'under-replicated'));
        }
      }
    }
    const brokers: Broker[] = [...refs.values()].map((ref) => {
      const entry = stats.get(ref.id);
      return {
        ...ref,
        isController: ref.id === snapshot.controllerId,
        leaderPartitions: entry?.leaders ?? 0,
        replicas: entry?.replicas ?? 0,
        outOfSyncReplicas: entry?.outOfSync ?? 0,
        offlinePartitions: entry?.offline ?? 0,
        preferredLeaderPartitions: entry?.preferred ?? 0,
        failedReplicas: entry?.failed ?? 0,
      };
    });
    return {
      clusterId: snapshot.clusterId,
      controllerId: snapshot.controllerId,
      brokers,
      apiVersions: apis
        .map((api) => ({ apiKey: api.apiKey, name: api.name, minVersion: api.minVersion, maxVersion: api.maxVersion }))
        .sort((a, b) => a.apiKey - b.apiKey),
      kafkaRelease: kafkaReleaseOf(apis),
      topicCount,
      partitionCount,
      replicaCount,
      underReplicatedPartitions: underCount,
      offlinePartitions: offlineCount,
      preferredLeaderImbalance: imbalance,
      internalPreferredLeaderImbalance: internalImbalance,
      problems: [...offline, ...under],
      topicErrors,
      readAt: snapshot.at,
    };
  }

  /** Feature versions (KIP-584): supported ranges and finalized levels, from ApiVersions v3+. */
  async features(connectionId: string): Promise<ClusterFeatures> {
    return readFeatures(await this.#admin(connectionId));
  }

  /** Changes one feature's finalized level (UpdateFeatures); the cluster's controller validates it. */
  async updateFeature(request: FeatureUpdateRequest): Promise<FeatureUpdateResult> {
    return updateFeature(await this.#admin(request.connectionId), request);
  }

  async describeBroker(connectionId: string, brokerId: number): Promise<BrokerDetail> {
    const reads = await this.reads(connectionId);
    const snapshot = await reads.metadata(null);
    const refs = reads.brokers(snapshot);
    const ref = refs.get(brokerId);
    if (!ref)
      throw new AppError('not-found', `Broker ${brokerId} is not part of this cluster: Metadata does not list it and no partition has a replica on it.`);
    const replicas: HostedReplica[] = [];
    const counts = { leaders: 0, outOfSync: 0, offline: 0, preferred: 0, failed: 0 };
    for (const topic of snapshot.topics.values()) {
      for (const partition of topic.partitions) {
        if (!partition.replicas.includes(brokerId)) continue;
        const offline = isOffline(partition, snapshot);
        const inSync = partition.isr.includes(brokerId);
        const preferred = partition.replicas[0] === brokerId;
        const storageFailure = partition.offlineReplicas.includes(brokerId) && snapshot.brokers.has(brokerId);
        replicas.push({
          topic: topic.name,
          internal: topic.internal,
          partition: partition.partition,
          role: partition.leader === brokerId && !offline ? 'leader' : 'follower',
          leader: partition.leader,
          inSync,
          offline,
          storageFailure,
          preferredLeader: preferred,
          sizeBytes: null,
          offsetLag: null,
          logDir: null,
        });
        // As on the overview: storage failures of every topic, the rest of user topics only.
        if (storageFailure) counts.failed += 1;
        if (topic.internal) continue;
        if (partition.leader === brokerId && !offline) counts.leaders += 1;
        if (!inSync) counts.outOfSync += 1;
        if (offline) counts.offline += 1;
        if (preferred) counts.preferred += 1;
      }
    }
    replicas.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    const broker: Broker = {
      ...ref,
      isController: brokerId === snapshot.controllerId,
      leaderPartitions: counts.leaders,
      replicas: replicas.filter((replica) => !replica.internal).length,
      outOfSyncReplicas: counts.outOfSync,
      offlinePartitions: counts.offline,
      preferredLeaderPartitions: counts.preferred,
      failedReplicas: counts.failed,
    };
    const detail: BrokerDetail = { broker, replicas, logDirs: null, logDirsError: null, configs: null, configsError: null, readAt: snapshot.at };
    const address = snapshot.brokers.get(brokerId);
    if (ref.state === 'down' || !address) {
      const why = `Broker ${brokerId} is down, so it cannot be asked`;
      detail.logDirsError = `${why} for its log dirs.`;
      detail.configsError = `${why} for its configs.`;
      return detail;
    }
    const [dirs, configs] = await Promise.all([
      describeLogDirs(reads.admin, new Map([[brokerId, address]]), null),
      brokerConfigs(reads.admin, brokerId).then(
        (value) => ({ value, error: null }),
        (error: unknown) => ({ value: null, error: `DescribeConfigs on broker ${brokerId} (${address.host}:${address.port}) failed: ${failureReason(error)}` }),
      ),
    ]);
    detail.configs = configs.value;
    detail.configsError = configs.error;
    const answer = dirs[0];
    if (!answer || answer.error !== null) {
      detail.logDirsError = answer?.error ?? 'No answer to DescribeLogDirs.';
    } else {
      const byReplica = new Map(replicas.map((replica) => [`${replica.topic}\u0000${replica.partition}`, replica]));
      detail.logDirs = answer.dirs.map((dir) => {
        let size = 0;
        for (const partition of dir.partitions) {
          size += partition.sizeBytes;
          const replica = byReplica.get(`${partition.topic}\u0000${partition.partition}`);
          if (replica && !partition.future) Object.assign(replica, { sizeBytes: partition.sizeBytes, offsetLag: partition.offsetLag, logDir: dir.path });
        }
        return { path: dir.path, error: dir.error, totalBytes: dir.totalBytes, usableBytes: dir.usableBytes, sizeBytes: size, replicas: dir.partitions.length };
      });
    }
    return detail;
  }

  async electionPreview(connectionId: string, scope: ElectionScope): Promise<ElectionPreview> {
    const reads = await this.reads(connectionId);
    const snapshot = await reads.metadata(scope.scope === 'cluster' ? null : [scope.topic]);
    const inScope = partitionsInScope(snapshot, scope);
    const moves: ElectionMove[] = [];
    let already = 0;
    for (const { topic, partition } of inScope) {
      const preferred = partition.replicas[0];
      if (preferred === undefined) continue;
      if (partition.leader === preferred && !isOffline(partition, snapshot)) {
        already += 1;
        continue;
      }
      const blocked = !snapshot.brokers.has(preferred)
        ? `broker ${preferred} is down`
        : !partition.isr.includes(preferred)
          ? `broker ${preferred} is not in sync`
          : null;
      moves.push({ topic: topic.name, internal: topic.internal, partition: partition.partition, from: partition.leader, to: preferred, blocked });
    }
    // The user's topics first; the cluster's own after.
    moves.sort((a, b) => Number(a.internal) - Number(b.internal) || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    return { moves, alreadyPreferred: already, partitions: inScope.length };
  }

  /**
   * Runs a preferred-leader election (KIP-460's ElectLeaders, type 0) for the partitions the preview
   * shows as movable now, on the controller. Partitions already led by their preferred replica, or
   * whose preferred replica is down or out of sync, are not asked for.
   */
  async electLeaders(connectionId: string, scope: ElectionScope): Promise<ElectionResult> {
    const preview = await this.electionPreview(connectionId, scope);
    const movable = preview.moves.filter((move) => move.blocked === null);
    if (!movable.length) return { results: [], elected: 0 };
    const reads = await this.reads(connectionId);
    let version: number;
    try {
      version = await negotiateVersion(reads.admin, ElectLeaders);
    } catch {
      throw new AppError('kafka', describeUnsupportedApi('ElectLeaders'));
    }
    const byTopic = new Map<string, number[]>();
    for (const move of movable) byTopic.set(move.topic, [...(byTopic.get(move.topic) ?? []), move.partition]);
    const snapshot = await reads.metadata([]);
    // In ZooKeeper mode only the controller elects; KRaft brokers forward to the controller.
    const controller = snapshot.brokers.get(snapshot.controllerId);
    const connection = controller ? await brokerConnection(reads.admin, controller) : await bootstrapConnection(reads.admin);
    const response = await send(connection, ElectLeaders, version, {
      electionType: 0,
      topicPartitions: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
      timeoutMs: ELECTION_TIMEOUT_MS,
    });
    if (response.errorCode) {
      throw new AppError('kafka', `The cluster refused the election: ${errorName(response.errorCode)}.`, { kafkaCode: errorName(response.errorCode) });
    }
    const results = response.replicaElectionResults.flatMap((topic) =>
      topic.partitionResult.map((partition) => ({
        topic: topic.topic,
        partition: partition.partitionId,
        error: partition.errorCode ? errorName(partition.errorCode) : null,
        message: partition.errorCode ? (partition.errorMessage ?? null) : null,
      })),
    );
    results.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    return { results, elected: results.filter((result) => result.error === null).length };
  }
}

/** User topics: internal ones (__consumer_offsets, ...) are the cluster's own bookkeeping. */
export function visibleTopics(snapshot: ClusterSnapshot): TopicState[] {
  return [...snapshot.topics.values()].filter((topic) => !topic.internal && topic.error !== 'UNKNOWN_TOPIC_OR_PARTITION');
}

function problem(topic: string, partition: PartitionState, kind: PartitionProblem['kind']): PartitionProblem {
  return {
    topic,
    partition: partition.partition,
    kind,
    leader: partition.leader,
    replicas: partition.replicas,
    isr: partition.isr,
    offlineReplicas: partition.offlineReplicas,
    error: partition.error,
  };
}

function partitionsInScope(snapshot: ClusterSnapshot, scope: ElectionScope): { topic: TopicState; partition: PartitionState }[] {
  if (scope.scope !== 'cluster') {
    const topic = snapshot.topics.get(scope.topic);
    if (!topic || topic.error === 'UNKNOWN_TOPIC_OR_PARTITION') throw new AppError('not-found', `The topic "${scope.topic}" does not exist on this cluster.`);
    const partitions = scope.scope === 'topic' ? topic.partitions : topic.partitions.filter((partition) => partition.partition === scope.partition);
    if (scope.scope === 'partition' && !partitions.length) throw new AppError('not-found', `The topic "${scope.topic}" has no partition ${scope.partition}.`);
    return partitions.map((partition) => ({ topic, partition }));
  }
  // The whole cluster includes internal topics: Kafka's own election does too.
  return [...snapshot.topics.values()].flatMap((topic) => topic.partitions.map((partition) => ({ topic, partition })));
}

const sourceNames: Record<number, string> = {
  [ConfigSources.DYNAMIC_BROKER_CONFIG]: 'dynamic-broker',
  [ConfigSources.DYNAMIC_DEFAULT_BROKER_CONFIG]: 'dynamic-default-broker',
  [ConfigSources.STATIC_BROKER_CONFIG]: 'static-broker',
  [ConfigSources.DEFAULT_CONFIG]: 'default',
  [ConfigSources.DYNAMIC_BROKER_LOGGER_CONFIG]: 'dynamic-broker-logger',
};

async function brokerConfigs(admin: Admin, brokerId: number): Promise<BrokerConfig[]> {
  const [description] = await admin.describeConfigs({
    resources: [{ resourceType: ConfigResourceTypes.BROKER, resourceName: String(brokerId) }],
    includeSynonyms: false,
  });
  return (description?.configs ?? [])
    .map((config) => ({
      name: config.name,
      value: config.isSensitive ? null : (config.value ?? null),
      source: sourceNames[config.configSource] ?? 'unknown',
      readOnly: config.readOnly,
      sensitive: config.isSensitive,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The release range the cluster's ApiVersions answer matches, with its words for the Overview. */
function kafkaReleaseOf(apis: ReadonlyArray<{ apiKey: number; minVersion: number; maxVersion: number }>): ClusterOverview['kafkaRelease'] {
  const detected = detectRelease(apis);
  return detected ? { ...detected, text: describeDetectedRelease(detected) } : null;
}
