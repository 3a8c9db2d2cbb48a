// Partition reassignments as the planner screen sees them (KIP-455): the cluster's assignment with
// sizes, to plan from (shared/model/reassignment-plan.ts), the moves under way with how far each new
// replica has caught up, and what the app asks (apply with an optional throttle, cancel).
import { z } from 'zod';
import { brokerRefSchema } from './cluster';
import { connectionIdSchema, topicNameSchema } from './schemas';

export const MAX_REASSIGNED_PARTITIONS = 10_000;

export const assignedPartitionSchema = z.object({
  partition: z.number().int(),
  /** The target replicas (during a move, without the ones being removed), preferred leader first. */
  replicas: z.array(z.number().int()),
  leader: z.number().int(),
  isr: z.array(z.number().int()),
  /** Bytes of the leader's log; null when its broker did not say. */
  sizeBytes: z.number().nullable(),
});
export type AssignedPartition = z.infer<typeof assignedPartitionSchema>;

export const replicaProgressSchema = z.object({
  broker: z.number().int(),
  /** Bytes the new replica holds so far; null when its broker did not say. */
  bytes: z.number().nullable(),
  inIsr: z.boolean(),
});
export type ReplicaProgress = z.infer<typeof replicaProgressSchema>;

export const ongoingReassignmentSchema = z.object({
  topic: z.string(),
  partition: z.number().int(),
  /** Every replica while it runs: the target, then the removing ones. */
  replicas: z.array(z.number().int()),
  adding: z.array(z.number().int()),
  removing: z.array(z.number().int()),
  leader: z.number().int(),
  isr: z.array(z.number().int()),
  sizeBytes: z.number().nullable(),
  progress: z.array(replicaProgressSchema),
});
export type OngoingReassignment = z.infer<typeof ongoingReassignmentSchema>;

/** Replication throttles set on a cluster where nothing moves: left by moves done (or by another tool), to remove. */
export const leftoverThrottleSchema = z.object({
  brokers: z.array(z.object({ broker: z.number().int(), leaderBytesPerSecond: z.number().nullable(), followerBytesPerSecond: z.number().nullable() })),
  topics: z.array(z.object({ topic: z.string(), leaderReplicas: z.string().nullable(), followerReplicas: z.string().nullable() })),
});
export type LeftoverThrottle = z.infer<typeof leftoverThrottleSchema>;

export const reassignmentStateSchema = z.object({
  brokers: z.array(brokerRefSchema),
  topics: z.array(z.object({ name: z.string(), internal: z.boolean(), partitions: z.array(assignedPartitionSchema) })),
  ongoing: z.array(ongoingReassignmentSchema),
  /** While moves run: the replication throttle they run at (bytes/s; the app's, or one set by another tool); null when none. */
  throttleBytesPerSecond: z.number().nullable(),
  /** With no move running: the throttles still set on the cluster (the app lifts its own by itself); null when none. */
  leftoverThrottle: leftoverThrottleSchema.nullable(),
  /** Why the throttles could not be read or lifted, when so. */
  throttleProblem: z.string().nullable(),
  /** Brokers whose sizes could not be read, with why (sizes are then unknown, not zero). */
  sizeErrors: z.array(z.string()),
  readAt: z.number(),
});
export type ReassignmentState = z.infer<typeof reassignmentStateSchema>;

const partitionRefSchema = z.object({ topic: topicNameSchema, partition: z.number().int().min(0) }).strict();

export const reassignmentApplySchema = z
  .object({
    connectionId: connectionIdSchema,
    moves: z
      .array(
        z
          .object({
            topic: topicNameSchema,
            partition: z.number().int().min(0),
            replicas: z
              .array(z.number().int().min(0))
              .min(1, 'A partition needs at least one replica.')
              .max(64)
              .refine((ids) => new Set(ids).size === ids.length, 'A broker appears twice in a replica list.'),
          })
          .strict(),
      )
      .min(1, 'Choose at least one partition to move.')
      .max(MAX_REASSIGNED_PARTITIONS),
    // Bytes per second for the moving replicas, on the brokers concerned; null: no throttle.
    throttleBytesPerSecond: z
      .number()
      .int('The throttle is a whole number of bytes per second.')
      .min(1024, 'A throttle below 1 KiB/s would barely move anything.')
      .max(10 * 1024 ** 3)
      .nullable(),
  })
  .strict();
export type ReassignmentApply = z.infer<typeof reassignmentApplySchema>;

export const reassignmentCancelSchema = z
  .object({ connectionId: connectionIdSchema, partitions: z.array(partitionRefSchema).min(1).max(MAX_REASSIGNED_PARTITIONS) })
  .strict();

export const reassignmentResultSchema = z.object({
  results: z.array(z.object({ topic: z.string(), partition: z.number().int(), error: z.string().nullable(), message: z.string().nullable() })),
  accepted: z.number().int(),
});
export type ReassignmentResult = z.infer<typeof reassignmentResultSchema>;
