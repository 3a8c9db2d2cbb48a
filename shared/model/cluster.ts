// The cluster's brokers and partitions as the screens show them, sick or well: brokers that are down
// (Metadata lists only live ones; the app knows the others from replica assignments and from what it
// saw before), partitions that are offline or under-replicated, what each broker hosts, and
// preferred-leader elections.
import { z } from 'zod';

export const apiVersionSchema = z.object({
  apiKey: z.number().int(),
  name: z.string(),
  minVersion: z.number().int(),
  maxVersion: z.number().int(),
});
export type ApiVersion = z.infer<typeof apiVersionSchema>;

/**
 * A broker as far as the app knows it. `up`: listed by Metadata. `down`: not listed, but it holds
 * replicas (Metadata's assignments name it) or the app saw it before.
 */
export const brokerRefSchema = z.object({
  id: z.number().int(),
  state: z.enum(['up', 'down']),
  // Unknown for a down broker the app never saw up (known only from replica assignments).
  host: z.string().nullable(),
  port: z.number().int().nullable(),
  rack: z.string().nullable(),
  // When Metadata last listed it, and since when it is missing (as first noticed by the app, or as
  // the embedded cluster reported the stop); null when unknown or up.
  lastSeenAt: z.number().nullable(),
  downSince: z.number().nullable(),
});
export type BrokerRef = z.infer<typeof brokerRefSchema>;

export const brokerSchema = brokerRefSchema.extend({
  isController: z.boolean(),
  // Partitions this broker leads, replicas it hosts (in sync or not), and of those: replicas that are
  // out of the ISR, partitions that are offline, and partitions whose preferred leader it is.
  leaderPartitions: z.number().int(),
  replicas: z.number().int(),
  outOfSyncReplicas: z.number().int(),
  offlinePartitions: z.number().int(),
  preferredLeaderPartitions: z.number().int(),
  // Replicas Metadata reports offline although the broker is up: their log cannot be opened or
  // written there (a storage failure, KIP-112's offline replicas). Internal topics included: a
  // failed __consumer_offsets replica breaks consumer groups.
  failedReplicas: z.number().int(),
});
export type Broker = z.infer<typeof brokerSchema>;

/** A partition that is offline or under-replicated, with what is needed to say why. */
export const partitionProblemSchema = z.object({
  topic: z.string(),
  partition: z.number().int(),
  kind: z.enum(['offline', 'under-replicated']),
  leader: z.number().int(),
  replicas: z.array(z.number().int()),
  isr: z.array(z.number().int()),
  offlineReplicas: z.array(z.number().int()),
  // Kafka's error name from Metadata (LEADER_NOT_AVAILABLE, KAFKA_STORAGE_ERROR, ...), if any.
  error: z.string().nullable(),
});
export type PartitionProblem = z.infer<typeof partitionProblemSchema>;

/** At most this many problems of each kind travel with the overview; the counts are always exact. */
export const MAX_LISTED_PROBLEMS = 200;

export const clusterOverviewSchema = z.object({
  clusterId: z.string(),
  controllerId: z.number().int(),
  // Every broker, up and down, by id.
  brokers: z.array(brokerSchema),
  apiVersions: z.array(apiVersionSchema),
  // The Kafka release(s) those API versions match (electron/kafka/releases.ts detectRelease), in words
  // ("Kafka 2.8", "Kafka 3.7 or later"); exact: some release listed exactly these versions.
  kafkaRelease: z.object({ from: z.string(), to: z.string().nullable(), exact: z.boolean(), text: z.string() }).nullable().optional(),
  topicCount: z.number().int(),
  partitionCount: z.number().int(),
  replicaCount: z.number().int(),
  underReplicatedPartitions: z.number().int(),
  offlinePartitions: z.number().int(),
  // Partitions led by another replica than their preferred (first) one: what an election would move.
  // Of user topics (like the other counts), and of internal ones (__consumer_offsets ...) apart.
  preferredLeaderImbalance: z.number().int(),
  internalPreferredLeaderImbalance: z.number().int(),
  // Offline partitions first, then under-replicated ones; MAX_LISTED_PROBLEMS of each at most.
  problems: z.array(partitionProblemSchema),
  // Topics Metadata could not describe (TOPIC_AUTHORIZATION_FAILED, ...): named with their error.
  topicErrors: z.array(z.object({ topic: z.string(), error: z.string() })),
  readAt: z.number(),
});
export type ClusterOverview = z.infer<typeof clusterOverviewSchema>;

/** One replica a broker hosts, from Metadata, with its size from the broker's DescribeLogDirs. */
export const hostedReplicaSchema = z.object({
  topic: z.string(),
  // __consumer_offsets and other topics of the cluster's own.
  internal: z.boolean(),
  partition: z.number().int(),
  role: z.enum(['leader', 'follower']),
  leader: z.number().int(),
  inSync: z.boolean(),
  offline: z.boolean(),
  // This replica's log has a storage failure on this broker (Metadata lists it offline while the broker is up).
  storageFailure: z.boolean(),
  preferredLeader: z.boolean(),
  sizeBytes: z.number().nullable(),
  // How far behind the leader's log end this replica is, in records (followers; from DescribeLogDirs).
  offsetLag: z.number().nullable(),
  logDir: z.string().nullable(),
});
export type HostedReplica = z.infer<typeof hostedReplicaSchema>;

export const logDirSchema = z.object({
  path: z.string(),
  error: z.string().nullable(),
  totalBytes: z.number().nullable(),
  usableBytes: z.number().nullable(),
  sizeBytes: z.number(),
  replicas: z.number().int(),
});
export type LogDirInfo = z.infer<typeof logDirSchema>;

export const brokerConfigSchema = z.object({
  name: z.string(),
  value: z.string().nullable(),
  source: z.string(),
  readOnly: z.boolean(),
  sensitive: z.boolean(),
});
export type BrokerConfig = z.infer<typeof brokerConfigSchema>;

/** A broker's page: what it hosts (from Metadata, so known even when it is down), its log dirs and
 * configs (asked of the broker itself, so each may fail on its own and says why). */
export const brokerDetailSchema = z.object({
  broker: brokerSchema,
  replicas: z.array(hostedReplicaSchema),
  logDirs: z.array(logDirSchema).nullable(),
  logDirsError: z.string().nullable(),
  configs: z.array(brokerConfigSchema).nullable(),
  configsError: z.string().nullable(),
  readAt: z.number(),
});
export type BrokerDetail = z.infer<typeof brokerDetailSchema>;

/** Which partitions a preferred-leader election covers. */
export const electionScopeSchema = z.discriminatedUnion('scope', [
  z.object({ scope: z.literal('cluster') }).strict(),
  z.object({ scope: z.literal('topic'), topic: z.string().min(1).max(249) }).strict(),
  z.object({ scope: z.literal('partition'), topic: z.string().min(1).max(249), partition: z.number().int().min(0) }).strict(),
]);
export type ElectionScope = z.infer<typeof electionScopeSchema>;

/** A partition an election concerns, and whether its preferred replica can take over. */
export const electionMoveSchema = z.object({
  topic: z.string(),
  internal: z.boolean(),
  partition: z.number().int(),
  from: z.number().int(),
  to: z.number().int(),
  // null: the preferred replica can lead now. Otherwise why not (down, out of sync).
  blocked: z.string().nullable(),
});
export type ElectionMove = z.infer<typeof electionMoveSchema>;

export const electionPreviewSchema = z.object({
  moves: z.array(electionMoveSchema),
  // Partitions in scope already led by their preferred replica.
  alreadyPreferred: z.number().int(),
  // Partitions in scope.
  partitions: z.number().int(),
});
export type ElectionPreview = z.infer<typeof electionPreviewSchema>;

export const electionResultSchema = z.object({
  results: z.array(
    z.object({
      topic: z.string(),
      partition: z.number().int(),
      // null: elected. Otherwise Kafka's error name (ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE, ...).
      error: z.string().nullable(),
      message: z.string().nullable(),
    }),
  ),
  elected: z.number().int(),
});
export type ElectionResult = z.infer<typeof electionResultSchema>;
