// Topics and partitions over the Kafka protocol only: Metadata for layout, ListOffsets for watermarks,
// DescribeLogDirs for sizes, CreateTopics / DeleteTopics / CreatePartitions / DeleteRecords for changes,
// DescribeConfigs / IncrementalAlterConfigs for configs.
import { ConfigResourceTypes, ConfigSources, IncrementalAlterConfigOperationTypes, type Admin, type ClusterMetadata } from '@platformatic/kafka';
import type { ConfigEntry, ConfigSource, PartitionInfo, TopicDetail, TopicStats, TopicSummary } from '../../shared/model/schemas';
import { AppError } from '../ipc/errors';
import { allTopicsMetadata, type MetadataResponse } from './metadata';
import { isNetworkFailure } from './connections/errors';

type OffsetMap = Map<string, number>; // "topic/partition" -> offset
const key = (topic: string, partition: number) => `${topic}/${partition}`;

const EARLIEST = -2n;
const LATEST = -1n;

/** Watermarks of every partition that has a leader; partitions without one are left out. */
async function listOffsets(admin: Admin, metadata: ClusterMetadata, timestamp: bigint): Promise<OffsetMap | null> {
  const topics = [];
  for (const [name, topic] of metadata.topics) {
    if (!topic) continue;
    const partitions = [];
    for (let index = 0; index < topic.partitions.length; index += 1) {
      const partition = topic.partitions[index];
      if (partition && partition.leader >= 0) partitions.push({ partitionIndex: index, timestamp });
    }
    if (partitions.length) topics.push({ name, partitions });
  }
  const offsets: OffsetMap = new Map();
  if (!topics.length) return offsets;
  try {
    for (const topic of await admin.listOffsets({ topics })) {
      for (const partition of topic.partitions) offsets.set(key(topic.name, partition.partitionIndex), Number(partition.offset));
    }
    return offsets;
  } catch {
    // A leader moving mid-request fails the whole call; the UI shows "unknown" and refreshes later.
    return null;
  }
}

/** Size in bytes of each partition's leader replica (or its largest replica when the leader is unknown). */
async function partitionSizes(admin: Admin, metadata: ClusterMetadata): Promise<OffsetMap | null> {
  const topics = [];
  for (const [name, topic] of metadata.topics) {
    if (topic) topics.push({ name, partitions: topic.partitions.map((_, index) => index) });
  }
  if (!topics.length) return new Map();
  try {
    const perBroker = await admin.describeLogDirs({ topics });
    const leaderSizes: OffsetMap = new Map();
    const largestSizes: OffsetMap = new Map();
    for (const broker of perBroker) {
      for (const dir of broker.results) {
        for (const topic of dir.topics) {
          const layout = metadata.topics.get(topic.name);
          for (const partition of topic.partitions) {
            if (partition.isFutureKey) continue;
            const size = Number(partition.partitionSize);
            const id = key(topic.name, partition.partitionIndex);
            if (layout?.partitions[partition.partitionIndex]?.leader === broker.broker) leaderSizes.set(id, size);
            largestSizes.set(id, Math.max(largestSizes.get(id) ?? 0, size));
          }
        }
      }
    }
    const sizes: OffsetMap = new Map(largestSizes);
    for (const [id, size] of leaderSizes) sizes.set(id, size);
    return sizes;
  } catch {
    return null;
  }
}

function unknownTopic(error: unknown, topic: string): never {
  if (error instanceof Error && /^Unknown topic/.test(error.message)) {
    throw new AppError('not-found', `The topic "${topic}" does not exist on this cluster.`);
  }
  throw error;
}

async function metadataFor(admin: Admin, topics: string[]): Promise<ClusterMetadata> {
  return admin.metadata({ topics, forceUpdate: true });
}

/** Every topic's layout and health: what the topics screen renders first. */
export async function listTopics(admin: Admin): Promise<TopicSummary[]> {
  let response: MetadataResponse;
  try {
    response = await allTopicsMetadata(admin);
  } catch (error) {
    // A cluster that cannot be reached is not asked twice (that would double the wait).
    if (isNetworkFailure(error)) throw error;
    // The client's retrying two-step path (names, then their metadata) is the fallback.
    return listTopicsInTwoRounds(admin);
  }
  const summaries: TopicSummary[] = [];
  for (const topic of response.topics) {
    if (topic.isInternal || !topic.name || topic.errorCode === 3 /* UNKNOWN_TOPIC_OR_PARTITION */) continue;
    let underReplicated = 0;
    let offline = 0;
    let replicationFactor = 0;
    for (const partition of topic.partitions) {
      if (partition.leaderId < 0) offline += 1;
      if (partition.isrNodes.length < partition.replicaNodes.length) underReplicated += 1;
      if (partition.partitionIndex === 0) replicationFactor = partition.replicaNodes.length;
    }
    summaries.push({
      name: topic.name,
      partitions: topic.partitions.length,
      replicationFactor,
      underReplicatedPartitions: underReplicated,
      offlinePartitions: offline,
    });
  }
  return summaries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function listTopicsInTwoRounds(admin: Admin): Promise<TopicSummary[]> {
  const names = await admin.listTopics();
  if (!names.length) return [];
  const metadata = await metadataFor(admin, names);
  const summaries: TopicSummary[] = [];
  for (const name of names) {
    const topic = metadata.topics.get(name);
    if (!topic) continue; // deleted between the two requests
    let underReplicated = 0;
    let offline = 0;
    for (const partition of topic.partitions) {
      if (!partition) continue;
      if (partition.leader < 0) offline += 1;
      if (partition.isr.length < partition.replicas.length) underReplicated += 1;
    }
    summaries.push({
      name,
      partitions: topic.partitionsCount,
      replicationFactor: topic.partitions[0]?.replicas.length ?? 0,
      underReplicatedPartitions: underReplicated,
      offlinePartitions: offline,
    });
  }
  return summaries;
}

/** Records (high minus low watermark) and bytes on disk of every topic. */
export async function topicStats(admin: Admin): Promise<TopicStats[]> {
  const names = await admin.listTopics();
  if (!names.length) return [];
  const metadata = await metadataFor(admin, names);
  const [earliest, latest, sizes] = await Promise.all([
    listOffsets(admin, metadata, EARLIEST),
    listOffsets(admin, metadata, LATEST),
    partitionSizes(admin, metadata),
  ]);
  const stats: TopicStats[] = [];
  for (const name of names) {
    const topic = metadata.topics.get(name);
    if (!topic) continue;
    let records: number | null = earliest && latest ? 0 : null;
    let size: number | null = sizes ? 0 : null;
    for (let index = 0; index < topic.partitions.length; index += 1) {
      const low = earliest?.get(key(name, index));
      const high = latest?.get(key(name, index));
      if (records !== null && low !== undefined && high !== undefined) records += high - low;
      if (size !== null) size += sizes?.get(key(name, index)) ?? 0;
    }
    stats.push({ name, records, sizeBytes: size });
  }
  return stats;
}

export async function describeTopic(admin: Admin, topicName: string): Promise<TopicDetail> {
  const metadata = await metadataFor(admin, [topicName]).catch((error: unknown) => unknownTopic(error, topicName));
  const topic = metadata.topics.get(topicName);
  if (!topic) throw new AppError('not-found', `The topic "${topicName}" does not exist on this cluster.`);
  const [earliest, latest, sizes] = await Promise.all([
    listOffsets(admin, metadata, EARLIEST),
    listOffsets(admin, metadata, LATEST),
    partitionSizes(admin, metadata),
  ]);
  const partitions: PartitionInfo[] = topic.partitions.flatMap((partition, index) =>
    partition
      ? [
          {
            partition: index,
            leader: partition.leader,
            leaderEpoch: partition.leaderEpoch,
            replicas: partition.replicas,
            isr: partition.isr,
            offlineReplicas: partition.offlineReplicas,
            lowWatermark: earliest?.get(key(topicName, index)) ?? null,
            highWatermark: latest?.get(key(topicName, index)) ?? null,
            sizeBytes: sizes?.get(key(topicName, index)) ?? null,
          },
        ]
      : [],
  );
  return { name: topicName, id: topic.id, partitions };
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

export async function deleteTopic(admin: Admin, topic: string): Promise<void> {
  await admin.deleteTopics({ topics: [topic] });
}

export async function addPartitions(admin: Admin, topic: string, totalPartitions: number): Promise<void> {
  const detail = await describeTopic(admin, topic);
  if (totalPartitions <= detail.partitions.length) {
    throw new AppError(
      'invalid-request',
      `The topic already has ${detail.partitions.length} partitions; enter a larger total. Kafka cannot remove partitions.`,
    );
  }
  await admin.createPartitions({ topics: [{ name: topic, count: totalPartitions }] });
}

/** Deletes every record below each partition's current high watermark. */
export async function purgeTopic(admin: Admin, topic: string): Promise<{ partitions: number }> {
  const metadata = await metadataFor(admin, [topic]).catch((error: unknown) => unknownTopic(error, topic));
  const latest = await listOffsets(admin, metadata, LATEST);
  if (!latest) throw new AppError('unavailable', 'Could not read the end offsets of this topic; try again in a moment.');
  const layout = metadata.topics.get(topic);
  const offline = layout?.partitions.filter((partition) => partition && partition.leader < 0).length ?? 0;
  if (offline) throw new AppError('unavailable', `${offline} partition(s) of this topic have no leader, so they cannot be purged now.`);
  const partitions = [...latest.entries()].map(([id, offset]) => ({ partition: Number(id.slice(id.lastIndexOf('/') + 1)), offset: BigInt(offset) }));
  if (partitions.length) await admin.deleteRecords({ topics: [{ name: topic, partitions }] });
  return { partitions: partitions.length };
}

const sourceNames: Record<number, ConfigSource> = {
  [ConfigSources.TOPIC_CONFIG]: 'topic',
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
      const fallback = config.synonyms.find((synonym) => synonym.source !== ConfigSources.TOPIC_CONFIG);
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

export async function alterTopicConfigs(
  admin: Admin,
  topic: string,
  set: Record<string, string>,
  reset: string[],
): Promise<ConfigEntry[]> {
  const overlap = reset.filter((name) => name in set);
  if (overlap.length) throw new AppError('invalid-request', `A config cannot be both set and reset: ${overlap.join(', ')}.`);
  const configs = [
    ...Object.entries(set).map(([name, value]) => ({ name, value, configOperation: IncrementalAlterConfigOperationTypes.SET })),
    ...reset.map((name) => ({ name, configOperation: IncrementalAlterConfigOperationTypes.DELETE })),
  ];
  if (configs.length) {
    await admin.incrementalAlterConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configs }] });
  }
  return topicConfigs(admin, topic);
}
