// Transactions as the app shows them (issue #18): the coordinators' transactions (ListTransactions and
// DescribeTransactions, KIP-664), the transactions open on partitions (DescribeProducers where the last
// stable offset is below the high watermark), which of them hang, and aborting one as
// `kafka-transactions.sh abort` does (WriteTxnMarkers ABORT to the partition's leader).
import { z } from 'zod';
import { connectionIdSchema, topicNameSchema } from './schemas';

export const transactionStateSchema = z.enum([
  'Empty',
  'Ongoing',
  'PrepareCommit',
  'PrepareAbort',
  'CompleteCommit',
  'CompleteAbort',
  'Dead',
  'PrepareEpochFence',
]);
export type TransactionState = z.infer<typeof transactionStateSchema>;

/** States in which a transaction is open: its partitions' markers are not all written yet. */
export const OPEN_TRANSACTION_STATES: readonly TransactionState[] = ['Ongoing', 'PrepareCommit', 'PrepareAbort', 'PrepareEpochFence'];

export const topicPartitionsSchema = z.object({ topic: z.string(), partitions: z.array(z.number().int()) });

export const transactionViewSchema = z.object({
  transactionalId: z.string(),
  producerId: z.number(),
  producerEpoch: z.number().int(),
  // Kafka's name, or a state this app does not know (a newer release's), as the coordinator wrote it.
  state: z.string(),
  timeoutMs: z.number().int(),
  // When the open transaction began; null when none is open.
  startTimeMs: z.number().nullable(),
  // The partitions of the current (or last) transaction.
  partitions: z.array(topicPartitionsSchema),
  // The broker coordinating it.
  coordinator: z.number().int(),
  // Why it hangs (open past its timeout), or null.
  hanging: z.string().nullable(),
  // Set when DescribeTransactions failed for it (the listing still names it).
  error: z.string().nullable(),
});
export type TransactionView = z.infer<typeof transactionViewSchema>;

// A producer's transaction open on one partition (DescribeProducers on a partition whose last stable
// offset is below its high watermark).
export const openPartitionTransactionSchema = z.object({
  topic: z.string(),
  partition: z.number().int(),
  producerId: z.number(),
  producerEpoch: z.number().int(),
  coordinatorEpoch: z.number().int(),
  // The first offset of the open transaction on this partition.
  startOffset: z.number(),
  lastTimestamp: z.number(),
  lastStableOffset: z.number(),
  highWatermark: z.number(),
  // Its start is the partition's last stable offset: read_committed consumers wait for it.
  blocksLso: z.boolean(),
  // The coordinator's transaction with this producer id, when one lists it.
  transactionalId: z.string().nullable(),
  hanging: z.string().nullable(),
});
export type OpenPartitionTransaction = z.infer<typeof openPartitionTransactionSchema>;

export const transactionsOverviewSchema = z.object({
  transactions: z.array(transactionViewSchema),
  openOnPartitions: z.array(openPartitionTransactionSchema),
  // What could not be read (a broker that did not answer, partitions skipped), in words.
  notes: z.array(z.string()),
  // Set when the cluster cannot list transactions at all (before Kafka 3.0): the sentence that says so.
  unsupported: z.string().nullable(),
  readAt: z.number(),
});
export type TransactionsOverview = z.infer<typeof transactionsOverviewSchema>;

export const activeProducerSchema = z.object({
  producerId: z.number(),
  producerEpoch: z.number().int(),
  lastSequence: z.number().int(),
  lastTimestamp: z.number(),
  coordinatorEpoch: z.number().int(),
  // -1 when no transaction is open on the partition.
  currentTxnStartOffset: z.number(),
});
export type ActiveProducer = z.infer<typeof activeProducerSchema>;

export const partitionProducersSchema = z.object({
  partition: z.number().int(),
  highWatermark: z.number().nullable(),
  lastStableOffset: z.number().nullable(),
  producers: z.array(activeProducerSchema),
  // Why this partition's producers or offsets could not be read.
  error: z.string().nullable(),
});
export type PartitionProducers = z.infer<typeof partitionProducersSchema>;

export const topicTransactionsSchema = z.object({
  topic: z.string(),
  partitions: z.array(partitionProducersSchema),
  // Set when the cluster does not offer DescribeProducers (before Kafka 2.8): the offsets are still shown.
  unsupported: z.string().nullable(),
});
export type TopicTransactions = z.infer<typeof topicTransactionsSchema>;

export const abortTargetSchema = z
  .object({
    topic: topicNameSchema,
    partition: z.number().int().min(0),
    producerId: z.number().int().min(0),
    producerEpoch: z.number().int().min(0).max(32767),
    coordinatorEpoch: z.number().int().min(-1),
  })
  .strict();
export type AbortTarget = z.infer<typeof abortTargetSchema>;

export const abortRequestSchema = z
  .object({
    connectionId: connectionIdSchema,
    targets: z.array(abortTargetSchema).min(1, 'Name at least one partition to abort on.').max(1000),
  })
  .strict();

export const abortResultSchema = z.object({
  results: z.array(z.object({ topic: z.string(), partition: z.number().int(), error: z.string().nullable() })),
});
export type AbortResult = z.infer<typeof abortResultSchema>;
