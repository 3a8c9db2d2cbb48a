// Consumer groups, their lag, the lag history the main process samples, offset resets and the demo of
// the embedded cluster. Plain data validated with zod on both sides of the IPC contract.
//
// Lag of a partition = end offset (high watermark) − max(committed offset, log start offset): records
// deleted below the log start are no longer there to be consumed, so they are not lag. A partition
// without a committed offset has no lag (null), never 0: the group has not said where it stands.
import { z } from 'zod';
import { connectionIdSchema, topicNameSchema } from './schemas';

export const groupIdSchema = z.string().min(1, 'Enter a group id.').max(1_000);

// States as Kafka names them (DescribeGroups / ListGroups), upper-cased; UNKNOWN when the cluster did not say.
export const groupStateSchema = z.enum(['STABLE', 'PREPARING_REBALANCE', 'COMPLETING_REBALANCE', 'EMPTY', 'DEAD', 'ASSIGNING', 'RECONCILING', 'UNKNOWN']);
export type GroupState = z.infer<typeof groupStateSchema>;

// Kafka's group types (ListGroups v5, KIP-848): "classic" groups rebalance with JoinGroup/SyncGroup,
// "consumer" groups with ConsumerGroupHeartbeat and a server-side assignor; null when the cluster does
// not say (before Kafka 3.8 every group is classic).
export const groupTypeSchema = z.enum(['classic', 'consumer', 'share', 'streams', 'unknown']);
export type GroupType = z.infer<typeof groupTypeSchema>;

export const groupSummarySchema = z.object({
  id: z.string(),
  state: groupStateSchema,
  groupType: groupTypeSchema.nullable(),
  // "consumer" for Kafka consumers; "" for groups that only ever committed offsets (simple consumers).
  protocolType: z.string(),
  // The assignor the members agreed on (range, roundrobin, cooperative-sticky, ...); "" when empty.
  protocol: z.string(),
  members: z.number().int(),
  topics: z.array(z.string()),
  // Sum over partitions with a committed offset; null when none has one (or the offsets could not be read).
  totalLag: z.number().nullable(),
  partitions: z.number().int(),
  // Partitions assigned to a member that have no committed offset yet.
  partitionsWithoutCommit: z.number().int(),
  coordinator: z.number().int().nullable(),
});
export type GroupSummary = z.infer<typeof groupSummarySchema>;

export const groupPartitionLagSchema = z.object({
  topic: z.string(),
  partition: z.number().int(),
  committed: z.number().nullable(),
  // Log start (low watermark) and end (high watermark); null when the partition has no leader now.
  start: z.number().nullable(),
  end: z.number().nullable(),
  lag: z.number().nullable(),
  // The last stable offset (KIP-98) where an open transaction holds it below the end, and the lag of a
  // read_committed consumer (to it: what it can read now); null when no transaction holds it back, or it could not be read.
  stableEnd: z.number().nullable(),
  stableLag: z.number().nullable(),
  memberId: z.string().nullable(),
  clientId: z.string().nullable(),
  // Consumer-protocol groups (KIP-848): the member the target assignment gives the partition, where it
  // is not the member that owns it now (a move in progress); null otherwise and for classic groups.
  targetMemberId: z.string().nullable(),
  targetClientId: z.string().nullable(),
  // Metadata the consumer attached to its commit, if any.
  metadata: z.string().nullable(),
});
export type GroupPartitionLag = z.infer<typeof groupPartitionLagSchema>;

const topicPartitionsSchema = z.array(z.object({ topic: z.string(), partitions: z.array(z.number().int()) }));
export type TopicPartitions = z.infer<typeof topicPartitionsSchema>;

// What ConsumerGroupDescribe (KIP-848) says of a member of a consumer-protocol group.
export const consumerProtocolMemberSchema = z.object({
  // The epoch the member is at; below the group's assignment epoch while it is still reconciling.
  memberEpoch: z.number().int(),
  rackId: z.string().nullable(),
  subscribedTopics: z.array(z.string()),
  subscribedTopicRegex: z.string().nullable(),
  // What the assignor gave it; it converges to this by giving up `revoking` and then taking `assigning`.
  target: topicPartitionsSchema,
  // Owned now but not in the target: to be revoked (the member commits and releases them first).
  revoking: topicPartitionsSchema,
  // In the target but not owned yet: assigned once their previous owner has released them.
  assigning: topicPartitionsSchema,
  // Which protocol the member speaks (ConsumerGroupDescribe v1, KIP-1099, Kafka 4.0+): `classic` for a
  // member that joined with JoinGroup (an online migration from a classic group, or back); null where the
  // cluster answers v0 (3.8-3.9), which does not say.
  memberType: z.enum(['classic', 'consumer']).nullable(),
});
export type ConsumerProtocolMember = z.infer<typeof consumerProtocolMemberSchema>;

export const groupMemberSchema = z.object({
  memberId: z.string(),
  groupInstanceId: z.string().nullable(),
  clientId: z.string(),
  host: z.string(),
  // What it owns now (for a classic group: the leader's assignment of the generation).
  assignments: topicPartitionsSchema,
  // Sum of the lag of its assigned partitions that have a committed offset; null when none has one.
  lag: z.number().nullable(),
  // Consumer-protocol groups only; null for classic ones.
  consumerProtocol: consumerProtocolMemberSchema.nullable(),
});
export type GroupMember = z.infer<typeof groupMemberSchema>;

export const groupDetailSchema = z.object({
  id: z.string(),
  state: groupStateSchema,
  groupType: groupTypeSchema.nullable(),
  protocolType: z.string(),
  // The classic group's chosen assignor; for a consumer-protocol group its server-side assignor.
  protocol: z.string(),
  // Consumer-protocol groups (KIP-848): the group epoch (bumped by every membership or subscription
  // change) and the epoch of the target assignment (it lags the group epoch while the assignor runs).
  epochs: z.object({ group: z.number().int(), assignment: z.number().int() }).nullable(),
  coordinator: z.object({ id: z.number().int(), host: z.string(), port: z.number().int() }).nullable(),
  members: z.array(groupMemberSchema),
  partitions: z.array(groupPartitionLagSchema),
  totalLag: z.number().nullable(),
});
export type GroupDetail = z.infer<typeof groupDetailSchema>;

// ---------------------------------------------------------------------------------------------------
// Lag history

export const LAG_RANGES_MS = [5 * 60_000, 15 * 60_000, 60 * 60_000, 6 * 60 * 60_000, 24 * 60 * 60_000] as const;
export const MAX_LAG_RANGE_MS = 24 * 60 * 60_000;
export const lagRangeSchema = z.number().int().min(60_000).max(MAX_LAG_RANGE_MS);
export const lagStackSchema = z.enum(['topic', 'partition']);
export type LagStack = z.infer<typeof lagStackSchema>;

// Rates are per second over the last minute of samples (or fewer when the history is shorter).
export const lagSummarySchema = z.object({
  at: z.number().nullable(),
  lag: z.number().nullable(),
  consumeRate: z.number().nullable(),
  produceRate: z.number().nullable(),
  // Milliseconds until the lag reaches 0 at the current rates; null when it is not shrinking (or unknown),
  // 0 when there is no lag.
  catchUpMs: z.number().nullable(),
  // The group consumes about as fast as records are produced and its lag is a few seconds of production
  // (records between commits, not a backlog): there is nothing to catch up on.
  keepingUp: z.boolean().optional(),
});
export type LagSummary = z.infer<typeof lagSummarySchema>;

export const lagPointSchema = z.object({
  t: z.number(),
  // Lag per series key, in the order of `keys`; null where the partition(s) had no committed offset.
  values: z.array(z.number().nullable()),
  total: z.number().nullable(),
  consumeRate: z.number().nullable(),
  produceRate: z.number().nullable(),
});
export type LagPoint = z.infer<typeof lagPointSchema>;

export const lagSeriesSchema = z.object({
  group: z.string(),
  from: z.number(),
  to: z.number(),
  stack: lagStackSchema,
  // Series keys: topic names, or "topic-partition" when stacked by partition.
  keys: z.array(z.string()),
  points: z.array(lagPointSchema),
  summary: lagSummarySchema,
  intervalMs: z.number().int(),
  watched: z.boolean(),
});
export type LagSeries = z.infer<typeof lagSeriesSchema>;

export const topicGroupsLagSchema = z.object({
  topic: z.string(),
  from: z.number(),
  to: z.number(),
  // One series per group that reads the topic: that group's lag on this topic only. A group whose members
  // are assigned the topic but have committed nothing yet is listed too, its lag null ("no commit yet").
  groups: z.array(z.string()),
  points: z.array(z.object({ t: z.number(), values: z.array(z.number().nullable()) })),
  summaries: z.array(lagSummarySchema),
});
export type TopicGroupsLag = z.infer<typeof topicGroupsLagSchema>;

export const lagSettingsSchema = z.object({
  intervalMs: z.number().int().min(1_000, 'Sample at most once a second.').max(300_000, 'Sample at least every 5 minutes.'),
});
export type LagSettings = z.infer<typeof lagSettingsSchema>;

export const lagSampledEventSchema = z.object({
  connectionId: z.string(),
  at: z.number(),
  groups: z.array(z.string()),
});
export type LagSampledEvent = z.infer<typeof lagSampledEventSchema>;

// ---------------------------------------------------------------------------------------------------
// Offset resets

export const resetStrategySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('earliest') }),
  z.object({ kind: z.literal('latest') }),
  // Milliseconds since the epoch: the first offset whose record timestamp is at or after it (the end if none).
  z.object({ kind: z.literal('timestamp'), timestamp: z.number().int().min(0) }),
  z.object({
    kind: z.literal('offsets'),
    offsets: z
      .array(z.object({ topic: topicNameSchema, partition: z.number().int().min(0), offset: z.number().int().min(0) }))
      .min(1, 'Give at least one partition an offset.')
      .max(100_000),
  }),
  // Moves each committed offset by N (negative goes back); partitions without a commit are left without one.
  z.object({ kind: z.literal('shift'), by: z.number().int() }),
]);
export type ResetStrategy = z.infer<typeof resetStrategySchema>;

export const resetRequestSchema = z.object({
  connectionId: connectionIdSchema,
  group: groupIdSchema,
  // null: every topic the group has committed offsets for.
  topics: z.array(topicNameSchema).min(1, 'Choose at least one topic.').max(10_000).nullable(),
  strategy: resetStrategySchema,
});
export type ResetRequest = z.input<typeof resetRequestSchema>;

export const resetPreviewSchema = z.object({
  group: z.string(),
  // Why the reset cannot be applied now (active members), or null.
  blocked: z.string().nullable(),
  partitions: z.array(
    z.object({
      topic: z.string(),
      partition: z.number().int(),
      current: z.number().nullable(),
      target: z.number(),
      start: z.number(),
      end: z.number(),
      lagBefore: z.number().nullable(),
      lagAfter: z.number(),
      // The requested offset was outside the partition and was moved to its start or end.
      clamped: z.boolean(),
    }),
  ),
  totalLagBefore: z.number().nullable(),
  totalLagAfter: z.number(),
});
export type ResetPreview = z.infer<typeof resetPreviewSchema>;

// ---------------------------------------------------------------------------------------------------
// Demo on the embedded cluster: a producer and consumer groups at chosen rates.

export const DEMO_TOPIC = 'demo.orders';
export const DEMO_GROUP = 'demo.billing';
export const DEMO_SECOND_GROUP = 'demo.analytics';

export const demoOptionsSchema = z.object({
  // Records per second the producer writes, spread over the topic's partitions.
  produceRate: z.number().int().min(0).max(5_000),
  // Records per second each consumer processes.
  consumeRate: z.number().int().min(0).max(5_000),
  consumers: z.union([z.literal(1), z.literal(2)]),
  secondGroup: z.boolean(),
});
export type DemoOptions = z.infer<typeof demoOptionsSchema>;

export const demoConsumerSchema = z.object({
  name: z.string(),
  group: z.string(),
  state: z.enum(['joining', 'consuming', 'stopped', 'failed']),
  partitions: z.array(z.number().int()),
  consumed: z.number().int(),
  error: z.string().nullable(),
});

export const demoStatusSchema = z.object({
  running: z.boolean(),
  topic: z.string(),
  partitions: z.number().int(),
  options: demoOptionsSchema,
  producing: z.boolean(),
  produced: z.number().int(),
  consumers: z.array(demoConsumerSchema),
  error: z.string().nullable(),
});
export type DemoStatus = z.infer<typeof demoStatusSchema>;

// ---------------------------------------------------------------------------------------------------
// Requests of the contract's groups.*, lag.* and demo.* channels

export const MAX_VIEW_GROUPS = 1_000;

export const groupRequestSchema = z.object({ connectionId: connectionIdSchema, group: groupIdSchema }).strict();
export const groupTopicRequestSchema = z.object({ connectionId: connectionIdSchema, group: groupIdSchema, topic: topicNameSchema }).strict();
export const lagSeriesRequestSchema = z
  .object({ connectionId: connectionIdSchema, group: groupIdSchema, rangeMs: lagRangeSchema, stack: lagStackSchema.default('topic') })
  .strict();
export const lagTopicRequestSchema = z.object({ connectionId: connectionIdSchema, topic: topicNameSchema, rangeMs: lagRangeSchema }).strict();
export const lagSparklinesRequestSchema = z
  .object({ connectionId: connectionIdSchema, groups: z.array(groupIdSchema).max(MAX_VIEW_GROUPS), rangeMs: lagRangeSchema })
  .strict();
export const lagSparklinesSchema = z.record(z.string(), z.array(z.number().nullable()));
// A view (the groups list, a group's page, a topic's page) says which groups it shows; they are sampled
// while it keeps saying so (at least once a minute). An empty list ends the view's interest.
export const lagViewRequestSchema = z
  .object({ connectionId: connectionIdSchema, viewId: z.string().min(1).max(200), groups: z.array(groupIdSchema).max(MAX_VIEW_GROUPS) })
  .strict();
export const lagWatchRequestSchema = z.object({ connectionId: connectionIdSchema, group: groupIdSchema, watched: z.boolean() }).strict();
export const lagWatchedSchema = z.object({ watched: z.array(z.string()) });
export const sampleAllResultSchema = z.object({ groups: z.number().int(), at: z.number(), durationMs: z.number() });
export const demoStopRequestSchema = z.object({ what: z.enum(['consumers', 'all']) }).strict();
