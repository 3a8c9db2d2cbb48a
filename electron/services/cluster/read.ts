// Reading a cluster that may be sick: Metadata, ListOffsets and DescribeLogDirs that never turn one
// offline partition, one missing broker or one refused connection into a failure of the whole read.
// What could not be read is kept, per topic, per partition or per broker, with the reason: the
// screens show it next to what could be read. Only a cluster that cannot be reached at all (no
// bootstrap broker answers Metadata) is an error here.
import { TimeoutError, type Admin } from '@platformatic/kafka';
import { errorName } from '../../kafka/protocol/error-codes';
import { DescribeLogDirs, ListOffsets, Metadata } from '../../kafka/protocol/generated/index';
import { ZERO_UUID } from '../../kafka/protocol/uuid';
import { bootstrapConnection, brokerConnection, negotiateVersion, send, type KafkaClient } from './wire';

export interface PartitionState {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  /** Kafka's error name for this partition in Metadata (LEADER_NOT_AVAILABLE, ...); null when none. */
  error: string | null;
}

export interface TopicState {
  name: string;
  id: string;
  internal: boolean;
  /** Kafka's error name for the whole topic (TOPIC_AUTHORIZATION_FAILED, UNKNOWN_TOPIC_OR_PARTITION, ...). */
  error: string | null;
  partitions: PartitionState[];
}

export interface BrokerAddress {
  host: string;
  port: number;
  rack: string | null;
}

/** One Metadata answer, as read, with every error kept. */
export interface ClusterSnapshot {
  clusterId: string;
  controllerId: number;
  /** The brokers Metadata lists: those the cluster considers alive. */
  brokers: Map<number, BrokerAddress>;
  topics: Map<string, TopicState>;
  at: number;
}

/**
 * Metadata for every topic (null) or the named ones, from the first bootstrap broker that answers.
 * Topics asked for by name that do not exist come back with UNKNOWN_TOPIC_OR_PARTITION, never
 * auto-created.
 */
export async function readMetadata(admin: KafkaClient, topics: readonly string[] | null): Promise<ClusterSnapshot> {
  const version = await negotiateVersion(admin, Metadata);
  const request = {
    // Version 0 has no null: an empty list there means every topic.
    topics: topics === null ? (version === 0 ? [] : null) : topics.map((name) => ({ name, topicId: ZERO_UUID })),
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  };
  let response;
  for (let attempt = 1; ; attempt += 1) {
    try {
      response = await send(await bootstrapConnection(admin), Metadata, version, request);
      break;
    } catch (error) {
      // A pooled connection to a broker that just stopped fails at once; the next attempt connects
      // to another bootstrap broker. A timeout is not tried again: that would only double the wait.
      if (attempt >= METADATA_ATTEMPTS || !failedFast(error)) throw error;
    }
  }
  const snapshot: ClusterSnapshot = {
    clusterId: response.clusterId ?? '',
    controllerId: response.controllerId,
    brokers: new Map(response.brokers.map((broker) => [broker.nodeId, { host: broker.host, port: broker.port, rack: broker.rack }])),
    topics: new Map(),
    at: Date.now(),
  };
  forgetStaleBrokers(admin, snapshot);
  for (const topic of response.topics) {
    if (topic.name === null) continue; // only for topics asked for by id, which we never do
    snapshot.topics.set(topic.name, {
      name: topic.name,
      id: topic.topicId,
      internal: topic.isInternal,
      error: topic.errorCode ? errorName(topic.errorCode) : null,
      partitions: topic.partitions
        .map((partition) => ({
          partition: partition.partitionIndex,
          leader: partition.leaderId,
          leaderEpoch: partition.leaderEpoch,
          replicas: partition.replicaNodes,
          isr: partition.isrNodes,
          offlineReplicas: partition.offlineReplicas,
          error: partition.errorCode ? errorName(partition.errorCode) : null,
        }))
        .sort((a, b) => a.partition - b.partition),
    });
  }
  return snapshot;
}

/**
 * The client library re-reads its list of brokers only when it fetches topics, so after a broker
 * stops, requests it sends to "every broker" (ListGroups, DescribeLogDirs) keep trying the stopped
 * one and fail as a whole. When Metadata shows a different set of brokers than the library cached,
 * its cache is dropped so its next request reads them afresh.
 */
function forgetStaleBrokers(admin: KafkaClient, snapshot: ClusterSnapshot): void {
  const cached = admin.currentMetadata?.brokers;
  if (!cached) return;
  let same = cached.size === snapshot.brokers.size;
  for (const [id, address] of snapshot.brokers) {
    const known = cached.get(id);
    if (!known || known.host !== address.host || known.port !== address.port) same = false;
  }
  if (!same) admin.clearMetadata();
}

const METADATA_ATTEMPTS = 3;

/** A connection that was closed or refused (not one that timed out). */
function failedFast(error: unknown): boolean {
  for (let inner: unknown = error, depth = 0; inner instanceof Error && depth < 8; inner = inner.cause, depth += 1) {
    if (inner instanceof TimeoutError) return false;
    const code = (inner as { code?: unknown }).code;
    if (code === 'PLT_KFK_NETWORK' || code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE') return true;
    if (inner instanceof AggregateError) return inner.errors.some(failedFast);
  }
  return false;
}

/** A partition is offline when it has no leader, or its leader is not among the live brokers. */
export function isOffline(partition: PartitionState, snapshot: ClusterSnapshot): boolean {
  return partition.leader < 0 || !snapshot.brokers.has(partition.leader);
}

export function isUnderReplicated(partition: PartitionState): boolean {
  return partition.isr.length < partition.replicas.length;
}

/** Replicas on brokers that Metadata does not list, or that it reports offline. */
export function missingReplicas(partition: PartitionState, snapshot: ClusterSnapshot): number[] {
  return partition.replicas.filter((replica) => !snapshot.brokers.has(replica) || partition.offlineReplicas.includes(replica));
}

// ---------------------------------------------------------------------------------------------------
// Per-partition and per-broker results

/** Values by topic and partition, and for each one that could not be read, why. */
export class PartitionResults<T> {
  readonly #values = new Map<string, Map<number, T>>();
  readonly #errors = new Map<string, Map<number, string>>();

  set(topic: string, partition: number, value: T): void {
    let byPartition = this.#values.get(topic);
    if (!byPartition) {
      byPartition = new Map();
      this.#values.set(topic, byPartition);
    }
    byPartition.set(partition, value);
  }

  fail(topic: string, partition: number, reason: string): void {
    let byPartition = this.#errors.get(topic);
    if (!byPartition) {
      byPartition = new Map();
      this.#errors.set(topic, byPartition);
    }
    byPartition.set(partition, reason);
  }

  get(topic: string, partition: number): T | undefined {
    return this.#values.get(topic)?.get(partition);
  }

  error(topic: string, partition: number): string | undefined {
    return this.#errors.get(topic)?.get(partition);
  }
}

/** Words for a failed request to one broker: who, where, and what happened. */
export function brokerFailure(brokerId: number, address: { host: string; port: number } | undefined, what: string, error: unknown): string {
  const where = address ? `broker ${brokerId} (${address.host}:${address.port})` : `broker ${brokerId}`;
  return `${what} on ${where} failed: ${failureReason(error)}`;
}

/** The cause of a network or protocol failure in a few words. */
export function failureReason(error: unknown): string {
  const codes: string[] = [];
  const messages: string[] = [];
  let timedOut = false;
  const visit = (value: unknown, depth: number) => {
    if (depth > 6 || !(value instanceof Error)) return;
    if (value instanceof TimeoutError) timedOut = true;
    const code = (value as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    messages.push(value.message);
    if (value instanceof AggregateError) for (const inner of value.errors) visit(inner, depth + 1);
    if (value.cause !== undefined) visit(value.cause, depth + 1);
  };
  visit(error, 0);
  if (codes.includes('ECONNREFUSED')) return 'the connection was refused';
  if (codes.includes('ENOTFOUND') || codes.includes('EAI_AGAIN')) return 'the host name was not found';
  if (timedOut || codes.includes('ETIMEDOUT') || codes.includes('PLT_KFK_TIMEOUT') || messages.some((m) => /timed? ?out/i.test(m)))
    return 'it did not answer in time';
  if (codes.includes('ECONNRESET') || codes.includes('EPIPE')) return 'the connection was closed';
  if (codes.includes('EHOSTUNREACH') || codes.includes('ENETUNREACH')) return 'the host cannot be reached';
  const system = codes.find((code) => /^E[A-Z]+$/.test(code));
  if (system) return system;
  return messages.find((message) => message && !/^Received response with error/.test(message)) ?? 'unknown error';
}

/** What an error code in a partition result means, in words. */
export function partitionErrorWords(code: string): string {
  switch (code) {
    case 'LEADER_NOT_AVAILABLE':
      return 'the partition has no leader';
    case 'NOT_LEADER_OR_FOLLOWER':
      return 'leadership moved during the request';
    case 'UNKNOWN_TOPIC_OR_PARTITION':
      return 'the broker does not host this partition';
    case 'KAFKA_STORAGE_ERROR':
      return "the leader's log directory has failed";
    case 'REPLICA_NOT_AVAILABLE':
      return 'a replica is not available';
    case 'LISTENER_NOT_FOUND':
      return "the leader has no listener for this connection's security protocol";
    default:
      return code;
  }
}

/**
 * ListOffsets for the given partitions at `timestamp` (-2 earliest, -1 latest, else by time), one
 * request per leader, all leaders at once. A partition without a leader, a leader that cannot be
 * reached, or a partition error is a per-partition error; the other partitions are read.
 */
export async function listOffsets(
  admin: Admin,
  snapshot: ClusterSnapshot,
  wanted: ReadonlyMap<string, readonly number[]>,
  timestamp: bigint,
  /** read_committed (1): "latest" is the last stable offset (KIP-98; ListOffsets v2+, Kafka 0.11). */
  isolationLevel: 0 | 1 = 0,
): Promise<PartitionResults<number>> {
  const results = new PartitionResults<number>();
  const byLeader = new Map<number, Map<string, { partitionIndex: number; currentLeaderEpoch: number; timestamp: bigint; maxNumOffsets: number }[]>>();
  for (const [topicName, partitions] of wanted) {
    const topic = snapshot.topics.get(topicName);
    for (const index of partitions) {
      const partition = topic?.partitions.find((entry) => entry.partition === index);
      if (!partition) {
        results.fail(topicName, index, 'the partition is not in the metadata');
        continue;
      }
      if (partition.leader < 0) {
        results.fail(topicName, index, 'the partition is offline (no leader)');
        continue;
      }
      if (!snapshot.brokers.has(partition.leader)) {
        results.fail(topicName, index, `its leader, broker ${partition.leader}, is not among the live brokers`);
        continue;
      }
      let topics = byLeader.get(partition.leader);
      if (!topics) {
        topics = new Map();
        byLeader.set(partition.leader, topics);
      }
      let list = topics.get(topicName);
      if (!list) topics.set(topicName, (list = []));
      list.push({ partitionIndex: index, currentLeaderEpoch: partition.leaderEpoch, timestamp, maxNumOffsets: 1 });
    }
  }
  if (!byLeader.size) return results;
  let version: number;
  try {
    version = await negotiateVersion(admin, ListOffsets);
  } catch (error) {
    for (const topics of byLeader.values()) for (const [name, list] of topics) for (const p of list) results.fail(name, p.partitionIndex, failureReason(error));
    return results;
  }
  await Promise.all(
    [...byLeader].map(async ([leader, topics]) => {
      const address = snapshot.brokers.get(leader);
      try {
        if (!address) throw new Error('unknown broker');
        const connection = await brokerConnection(admin, address);
        const response = await send(connection, ListOffsets, version, {
          replicaId: -1,
          isolationLevel: version >= 2 ? isolationLevel : 0,
          topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
          timeoutMs: 0,
        });
        for (const topic of response.topics) {
          for (const partition of topic.partitions) {
            if (partition.errorCode) {
              results.fail(topic.name, partition.partitionIndex, partitionErrorWords(errorName(partition.errorCode)));
              continue;
            }
            const offset = version === 0 ? partition.oldStyleOffsets[0] : partition.offset;
            if (offset === undefined) results.fail(topic.name, partition.partitionIndex, 'no offset in the answer');
            else results.set(topic.name, partition.partitionIndex, Number(offset));
          }
        }
      } catch (error) {
        const reason = brokerFailure(leader, address, 'ListOffsets', error);
        for (const [name, list] of topics) for (const partition of list) results.fail(name, partition.partitionIndex, reason);
      }
    }),
  );
  return results;
}

export interface LogDirPartition {
  topic: string;
  partition: number;
  sizeBytes: number;
  offsetLag: number;
  /** A replica being moved to this dir (AlterReplicaLogDirs) rather than the current one. */
  future: boolean;
}

export interface LogDir {
  path: string;
  /** Kafka's error name for the dir (KAFKA_STORAGE_ERROR when it failed); null when healthy. */
  error: string | null;
  totalBytes: number | null;
  usableBytes: number | null;
  partitions: LogDirPartition[];
}

export type BrokerLogDirs = { broker: number; dirs: LogDir[]; error: null } | { broker: number; dirs: null; error: string };

/**
 * DescribeLogDirs on each of the given brokers (every live broker when null), for the given topics
 * (every topic when null). A broker that fails gives an error for that broker only.
 */
export async function describeLogDirs(
  admin: Admin,
  brokers: ReadonlyMap<number, { host: string; port: number }>,
  topics: ReadonlyMap<string, readonly number[]> | null,
): Promise<BrokerLogDirs[]> {
  let version: number;
  try {
    version = await negotiateVersion(admin, DescribeLogDirs);
  } catch (error) {
    return [...brokers.keys()].map((broker) => ({ broker, dirs: null, error: failureReason(error) }));
  }
  const request = {
    topics: topics === null ? null : [...topics].map(([topic, partitions]) => ({ topic, partitions: [...partitions] })),
  };
  return Promise.all(
    [...brokers].map(async ([broker, address]): Promise<BrokerLogDirs> => {
      try {
        const connection = await brokerConnection(admin, address);
        const response = await send(connection, DescribeLogDirs, version, request);
        if (response.errorCode) return { broker, dirs: null, error: `DescribeLogDirs was refused: ${errorName(response.errorCode)}` };
        return {
          broker,
          error: null,
          dirs: response.results.map((dir) => ({
            path: dir.logDir,
            error: dir.errorCode ? errorName(dir.errorCode) : null,
            totalBytes: dir.totalBytes >= 0n ? Number(dir.totalBytes) : null,
            usableBytes: dir.usableBytes >= 0n ? Number(dir.usableBytes) : null,
            partitions: dir.topics.flatMap((topic) =>
              topic.partitions.map((partition) => ({
                topic: topic.name,
                partition: partition.partitionIndex,
                sizeBytes: Number(partition.partitionSize),
                offsetLag: Number(partition.offsetLag),
                future: partition.isFutureKey,
              })),
            ),
          })),
        };
      } catch (error) {
        return { broker, dirs: null, error: brokerFailure(broker, address, 'DescribeLogDirs', error) };
      }
    }),
  );
}
