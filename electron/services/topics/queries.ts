// Topics and partitions over the Kafka protocol only: Metadata for layout, ListOffsets for watermarks,
// DescribeLogDirs for sizes, CreateTopics / DeleteTopics / CreatePartitions / DeleteRecords for changes,
// DescribeConfigs / IncrementalAlterConfigs for configs, DescribeTopicPartitions (3.8+) for eligible
// leader replicas. Reads go through the tolerant readers of
// ../cluster/read: an offline partition or an unreachable broker leaves a per-partition reason, never
// a failed screen.
import { ConfigResourceTypes, ConfigSources, IncrementalAlterConfigOperationTypes, type Admin } from '@platformatic/kafka';
import {
  isInternalTopic,
  type ConfigEntry,
  type ConfigSource,
  type PartitionInfo,
  type TopicDetail,
  type TopicStats,
  type TopicSummary,
} from '../../../shared/model/schemas';
import { AppError } from '../../core/errors';
import { LATEST_TIMESTAMP, readWatermarks } from '../cluster/offsets';
import {
  describeLogDirs,
  isOffline,
  isUnderReplicated,
  listOffsets,
  PartitionResults,
  readMetadata,
  type ClusterSnapshot,
  type TopicState,
} from '../cluster/read';
import { visibleTopics, type ClusterReads } from '../cluster/service';
import { bootstrapConnection, negotiateVersion, send, supportsApi } from '../cluster/wire';
import { DescribeTopicPartitions, type DescribeTopicPartitionsResponse } from '../../kafka/protocol/generated/index';
import { ApiKey } from '../../kafka/protocol/api-keys';

function layoutOf(topics: Iterable<TopicState>): Map<string, number[]> {
  return new Map([...topics].map((topic) => [topic.name, topic.partitions.map((partition) => partition.partition)]));
}

/**
 * Size in bytes of each partition: its leader's replica, else its largest replica on a broker that
 * answered. Partitions no broker could tell are failed with the brokers' reasons.
 */
async function partitionSizes(reads: ClusterReads, snapshot: ClusterSnapshot, topics: TopicState[]): Promise<PartitionResults<number>> {
  const sizes = new PartitionResults<number>();
  if (!topics.length) return sizes;
  const answers = await describeLogDirs(reads.admin, snapshot.brokers, layoutOf(topics));
  const failedBrokers = new Map(answers.flatMap((answer) => (answer.error === null ? [] : [[answer.broker, answer.error] as const])));
  const leaderSizes = new Map<string, number>();
  const largest = new Map<string, number>();
  const id = (topic: string, partition: number) => `${topic}\u0000${partition}`;
  for (const answer of answers) {
    if (answer.error !== null) continue;
    for (const dir of answer.dirs) {
      for (const partition of dir.partitions) {
        if (partition.future) continue;
        const key = id(partition.topic, partition.partition);
        const layout = snapshot.topics.get(partition.topic)?.partitions.find((entry) => entry.partition === partition.partition);
        if (layout?.leader === answer.broker) leaderSizes.set(key, partition.sizeBytes);
        largest.set(key, Math.max(largest.get(key) ?? 0, partition.sizeBytes));
      }
    }
  }
  for (const topic of topics) {
    for (const partition of topic.partitions) {
      const key = id(topic.name, partition.partition);
      const size = leaderSizes.get(key) ?? largest.get(key);
      if (size !== undefined) {
        sizes.set(topic.name, partition.partition, size);
        continue;
      }
      const reasons = partition.replicas.map((replica) =>
        !snapshot.brokers.has(replica) ? `broker ${replica} is down` : (failedBrokers.get(replica) ?? `broker ${replica} did not report it`),
      );
      sizes.fail(topic.name, partition.partition, reasons.length ? `size unknown: ${reasons.join('; ')}` : 'size unknown: no replicas');
    }
  }
  return sizes;
}

/** The named topic from a snapshot, or not-found / the topic's own error. */
function requireTopic(snapshot: ClusterSnapshot, name: string): TopicState {
  const topic = snapshot.topics.get(name);
  if (!topic || topic.error === 'UNKNOWN_TOPIC_OR_PARTITION' || topic.error === 'INVALID_TOPIC_EXCEPTION') {
    throw new AppError('not-found', `The topic "${name}" does not exist on this cluster.`);
  }
  if (topic.error === 'TOPIC_AUTHORIZATION_FAILED') {
    throw new AppError('kafka', `This user is not allowed to describe the topic "${name}".`, { kafkaCode: topic.error });
  }
  if (topic.error && !topic.partitions.length) {
    throw new AppError('unavailable', `The cluster could not describe the topic "${name}": ${topic.error}.`, { kafkaCode: topic.error });
  }
  return topic;
}

/** User topics, and with `includeInternal` those Metadata flags internal too (never unknown ones). */
function listedTopics(snapshot: ClusterSnapshot, includeInternal: boolean): TopicState[] {
  return includeInternal ? [...snapshot.topics.values()].filter((topic) => topic.error !== 'UNKNOWN_TOPIC_OR_PARTITION') : visibleTopics(snapshot);
}

/** Every topic's layout and health: what the topics screen renders first. One Metadata request. */
export async function listTopics(reads: ClusterReads, includeInternal = false): Promise<TopicSummary[]> {
  const snapshot = await reads.metadata(null);
  const summaries: TopicSummary[] = [];
  for (const topic of listedTopics(snapshot, includeInternal)) {
    let underReplicated = 0;
    let offline = 0;
    for (const partition of topic.partitions) {
      if (isOffline(partition, snapshot)) offline += 1;
      else if (isUnderReplicated(partition)) underReplicated += 1;
    }
    summaries.push({
      name: topic.name,
      partitions: topic.partitions.length,
      replicationFactor: topic.partitions[0]?.replicas.length ?? 0,
      underReplicatedPartitions: underReplicated,
      offlinePartitions: offline,
      error: topic.error,
      ...(isInternalTopic(topic.name, topic.internal) ? { internal: true } : {}),
    });
  }
  return summaries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Records (high minus low watermark) and bytes on disk of every topic, from the partitions that answered. */
export async function topicStats(reads: ClusterReads, includeInternal = false): Promise<TopicStats[]> {
  const snapshot = await reads.metadata(null);
  const topics = listedTopics(snapshot, includeInternal).filter((topic) => topic.partitions.length);
  if (!topics.length) return [];
  const layout = layoutOf(topics);
  const [marks, sizes] = await Promise.all([readWatermarks(reads.admin, snapshot, layout), partitionSizes(reads, snapshot, topics)]);
  return topics.map((topic) => {
    let records = 0;
    let size = 0;
    let recordsUnknown = 0;
    let sizeUnknown = 0;
    for (const { partition } of topic.partitions) {
      const mark = marks.get(topic.name, partition);
      if (mark?.low != null && mark.high != null) records += mark.high - mark.low;
      else recordsUnknown += 1;
      const bytes = sizes.get(topic.name, partition);
      if (bytes !== undefined) size += bytes;
      else sizeUnknown += 1;
    }
    const all = topic.partitions.length;
    return {
      name: topic.name,
      records: recordsUnknown === all ? null : records,
      sizeBytes: sizeUnknown === all ? null : size,
      recordsUnknownPartitions: recordsUnknown,
      sizeUnknownPartitions: sizeUnknown,
    };
  });
}

export async function describeTopic(reads: ClusterReads, topicName: string): Promise<TopicDetail> {
  const snapshot = await reads.metadata([topicName]);
  const topic = requireTopic(snapshot, topicName);
  const layout = layoutOf([topic]);
  const [marks, sizes, eligible] = await Promise.all([
    readWatermarks(reads.admin, snapshot, layout),
    partitionSizes(reads, snapshot, [topic]),
    eligibleLeaderReplicas(reads.admin, topicName),
  ]);
  const partitions: PartitionInfo[] = topic.partitions.map((partition) => {
    const index = partition.partition;
    const mark = marks.get(topicName, index);
    const reasons = [marks.error(topicName, index), sizes.error(topicName, index)].filter((reason): reason is string => reason !== undefined);
    return {
      partition: index,
      leader: partition.leader,
      leaderEpoch: partition.leaderEpoch,
      replicas: partition.replicas,
      isr: partition.isr,
      offlineReplicas: partition.offlineReplicas,
      lowWatermark: mark?.low ?? null,
      highWatermark: mark?.high ?? null,
      sizeBytes: sizes.get(topicName, index) ?? null,
      eligibleLeaderReplicas: eligible?.get(index)?.elr ?? null,
      lastKnownElr: eligible?.get(index)?.lastKnownElr ?? null,
      error: partition.error,
      readError: reasons.length ? [...new Set(reasons)].join('; ') : null,
    };
  });
  const referenced = new Set(topic.partitions.flatMap((partition) => partition.replicas));
  const brokers = [...reads.brokers(snapshot).values()].filter((broker) => referenced.has(broker.id));
  return { name: topicName, id: topic.id, partitions, brokers, readAt: snapshot.at };
}

/**
 * Each partition's eligible leader replicas and last known ELR (KIP-966) as DescribeTopicPartitions
 * reports them, page by page; null when the cluster has no DescribeTopicPartitions (before 3.8) or the
 * read failed: the topic page then shows no ELR rather than fail (Metadata does not carry it).
 */
async function eligibleLeaderReplicas(admin: Admin, topic: string): Promise<Map<number, { elr: number[]; lastKnownElr: number[] }> | null> {
  try {
    if (!(await supportsApi(admin, DescribeTopicPartitions.apiKey))) return null;
    const version = await negotiateVersion(admin, DescribeTopicPartitions);
    const connection = await bootstrapConnection(admin);
    const found = new Map<number, { elr: number[]; lastKnownElr: number[] }>();
    let cursor: { topicName: string; partitionIndex: number } | null = null;
    // A page holds at most max.request.partition.size.limit partitions (2,000 by default).
    for (let page = 0; page < 100; page++) {
      const response: DescribeTopicPartitionsResponse = await send(connection, DescribeTopicPartitions, version, {
        topics: [{ name: topic }],
        responsePartitionLimit: 2000,
        cursor,
      });
      const described = response.topics.find((entry) => entry.name === topic);
      if (!described || described.errorCode !== 0) return null;
      for (const p of described.partitions) found.set(p.partitionIndex, { elr: p.eligibleLeaderReplicas ?? [], lastKnownElr: p.lastKnownElr ?? [] });
      if (!response.nextCursor || response.nextCursor.topicName !== topic) break;
      cursor = { topicName: response.nextCursor.topicName, partitionIndex: response.nextCursor.partitionIndex };
    }
    return found;
  } catch {
    return null;
  }
}

export async function createTopic(
  admin: Admin,
  request: { topic: string; partitions: number; replicationFactor: number; configs: Record<string, string> },
): Promise<{ topic: string; partitions: number; replicationFactor: number }> {
  const [created] = await admin.createTopics({
    topics: [request.topic],
    partitions: request.partitions,
    replicas: request.replicationFactor,
    configs: Object.entries(request.configs).map(([name, value]) => ({ name, value })),
  });
  return {
    topic: created?.name ?? request.topic,
    partitions: created?.partitions ?? request.partitions,
    replicationFactor: created?.replicas ?? request.replicationFactor,
  };
}

/** The topic's partition count, creating it first when it does not exist (the demo's topic). */
export async function ensureTopic(admin: Admin, topic: string, partitions: number, replicationFactor: number): Promise<number> {
  const existing = (await readMetadata(admin, [topic])).topics.get(topic)?.partitions.length;
  if (existing) return existing;
  await admin.createTopics({ topics: [topic], partitions, replicas: replicationFactor });
  return partitions;
}

export async function deleteTopic(admin: Admin, topic: string): Promise<void> {
  await admin.deleteTopics({ topics: [topic] });
}

export async function addPartitions(reads: ClusterReads, topic: string, totalPartitions: number): Promise<void> {
  const current = requireTopic(await reads.metadata([topic]), topic).partitions.length;
  if (totalPartitions <= current) {
    throw new AppError('invalid-request', `The topic already has ${current} partitions; enter a larger total. Kafka cannot remove partitions.`);
  }
  await reads.admin.createPartitions({ topics: [{ name: topic, count: totalPartitions }] });
}

/** Deletes every record below each partition's current high watermark; refused while any partition is offline. */
export async function purgeTopic(reads: ClusterReads, topicName: string): Promise<{ partitions: number }> {
  const snapshot = await reads.metadata([topicName]);
  const topic = requireTopic(snapshot, topicName);
  const offline = topic.partitions.filter((partition) => isOffline(partition, snapshot)).map((partition) => partition.partition);
  if (offline.length) {
    throw new AppError(
      'unavailable',
      `Partition${offline.length === 1 ? '' : 's'} ${offline.join(', ')} of this topic ${offline.length === 1 ? 'has' : 'have'} no leader, so the topic cannot be purged now.`,
    );
  }
  const latest = await listOffsets(reads.admin, snapshot, layoutOf([topic]), LATEST_TIMESTAMP);
  const partitions: { partition: number; offset: bigint }[] = [];
  for (const { partition } of topic.partitions) {
    const offset = latest.get(topicName, partition);
    if (offset === undefined) {
      throw new AppError('unavailable', `Could not read the end offset of partition ${partition}: ${latest.error(topicName, partition) ?? 'no answer'}.`);
    }
    partitions.push({ partition, offset: BigInt(offset) });
  }
  if (partitions.length) await reads.admin.deleteRecords({ topics: [{ name: topicName, partitions }] });
  return { partitions: partitions.length };
}

const sourceNames: Record<number, ConfigSource> = {
  [ConfigSources.DYNAMIC_TOPIC_CONFIG]: 'topic',
  [ConfigSources.DYNAMIC_BROKER_CONFIG]: 'dynamic-broker',
  [ConfigSources.DYNAMIC_DEFAULT_BROKER_CONFIG]: 'dynamic-default-broker',
  [ConfigSources.STATIC_BROKER_CONFIG]: 'static-broker',
  [ConfigSources.DEFAULT_CONFIG]: 'default',
};

export async function topicConfigs(admin: Admin, topic: string): Promise<ConfigEntry[]> {
  const [description] = await admin.describeConfigs({
    resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic }],
    includeSynonyms: true,
  });
  if (!description) throw new AppError('not-found', `The topic "${topic}" does not exist on this cluster.`);
  return description.configs
    .map((config) => {
      const source = sourceNames[config.configSource] ?? 'unknown';
      // Synonyms come in precedence order; the first one that is not the topic's own override is
      // what the topic falls back to when its override is removed.
      const fallback = config.synonyms.find((synonym) => synonym.source !== ConfigSources.DYNAMIC_TOPIC_CONFIG);
      return {
        name: config.name,
        value: config.isSensitive ? null : (config.value ?? null),
        source,
        defaultValue: source === 'topic' ? (fallback?.value ?? null) : (config.value ?? null),
        defaultName: source === 'topic' ? (fallback?.name ?? null) : config.name,
        readOnly: config.readOnly,
        sensitive: config.isSensitive,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function alterTopicConfigs(admin: Admin, topic: string, set: Record<string, string>, reset: string[]): Promise<ConfigEntry[]> {
  const overlap = reset.filter((name) => name in set);
  if (overlap.length) throw new AppError('invalid-request', `A config cannot be both set and reset: ${overlap.join(', ')}.`);
  const configs = [
    ...Object.entries(set).map(([name, value]) => ({ name, value, configOperation: IncrementalAlterConfigOperationTypes.SET })),
    ...reset.map((name) => ({ name, configOperation: IncrementalAlterConfigOperationTypes.DELETE })),
  ];
  if (!configs.length) return topicConfigs(admin, topic);
  if (await supportsApi(admin, ApiKey.IncrementalAlterConfigs)) {
    await admin.incrementalAlterConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configs }] });
    return topicConfigs(admin, topic);
  }
  // Before Kafka 2.3 (KIP-339) AlterConfigs replaces a topic's whole set of overrides: send the current
  // overrides with these changes, as Kafka's tools did then. Sensitive overrides, whose values the
  // cluster does not tell, would be lost, so they stop the change instead.
  const current = await topicConfigs(admin, topic);
  const overrides = new Map(current.filter((entry) => entry.source === 'topic').map((entry) => [entry.name, entry]));
  const hidden = [...overrides.values()].filter((entry) => entry.value === null && !reset.includes(entry.name) && !(entry.name in set));
  if (hidden.length) {
    throw new AppError(
      'conflict',
      `This cluster (older than Kafka 2.3) can only replace all of a topic's configs at once, and ${hidden.map((e) => e.name).join(', ')} ${hidden.length === 1 ? 'is' : 'are'} sensitive, so ${hidden.length === 1 ? 'its value' : 'their values'} cannot be kept.`,
    );
  }
  const next = new Map([...overrides].map(([name, entry]) => [name, entry.value as string]));
  for (const name of reset) next.delete(name);
  for (const [name, value] of Object.entries(set)) next.set(name, value);
  await admin.alterConfigs({
    resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configs: [...next].map(([name, value]) => ({ name, value })) }],
  });
  return topicConfigs(admin, topic);
}
