/**
 * KIP-890 "Transactions Server-Side Defense": before a partition leader appends a producer's first
 * transactional batch of a transaction, it asks the transaction coordinator whether the partition is in
 * that transaction (part 1, Kafka 3.6: AddPartitionsToTxn v4 verifyOnly, broker to coordinator), or has
 * the coordinator add it (part 2, transaction version 2: Produce v12, TxnOffsetCommit v5). A late or
 * stray write (a retry after its transaction was aborted, a produce whose AddPartitionsToTxn was lost)
 * is refused instead of opening a transaction no marker will ever end, which would hold the partition's
 * last stable offset until someone aborts it by hand.
 *
 * Kafka's brokers send that request over the network (AddPartitionsToTxnManager); this cluster's
 * brokers share one process, so the produce path gets this small interface to the coordinator instead,
 * as Kafka's coordinators get a PartitionWriter.
 */
import type { PartitionError } from '../cluster/partition-replica';
import { ErrorCode, errorName } from '../../kafka/protocol/error-codes';

export interface TransactionPartition {
  topic: string;
  partition: number;
}

/** The transaction coordinator as a partition leader sees it. */
export interface TransactionVerifier {
  /** Verify-only: per partition NONE, or the coordinator's error (synchronous in this process). */
  verify(transactionalId: string, producerId: number, producerEpoch: number, partitions: TransactionPartition[]): number[];
  /** Transaction version 2: adds the partitions to the transaction (opening it); resolves to one error code. */
  add(transactionalId: string, producerId: number, producerEpoch: number, partitions: TransactionPartition[]): Promise<number>;
}

/** What the coordinator of a transactional id offers the verifier (TransactionCoordinator). */
export interface VerifyingCoordinator {
  verifyPartitions(transactionalId: string, producerId: number, producerEpoch: number, partitions: TransactionPartition[]): number[];
  addPartitions(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    partitions: TransactionPartition[],
    transactionVersion: number,
  ): Promise<number>;
}

/**
 * The verifier of this process: `coordinatorOf` finds the running broker leading the id's
 * `__transaction_state` partition (undefined: COORDINATOR_NOT_AVAILABLE, as Kafka answers when the
 * partition has no live leader).
 */
export function inProcessTransactionVerifier(coordinatorOf: (transactionalId: string) => VerifyingCoordinator | undefined): TransactionVerifier {
  return {
    verify: (transactionalId, producerId, producerEpoch, partitions) => {
      const coordinator = coordinatorOf(transactionalId);
      if (!coordinator) return partitions.map(() => ErrorCode.COORDINATOR_NOT_AVAILABLE);
      return coordinator.verifyPartitions(transactionalId, producerId, producerEpoch, partitions);
    },
    add: async (transactionalId, producerId, producerEpoch, partitions) => {
      const coordinator = coordinatorOf(transactionalId);
      if (!coordinator) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
      return coordinator.addPartitions(transactionalId, producerId, producerEpoch, partitions, 2);
    },
  };
}

/**
 * Which errors the requester understands (Kafka's TransactionSupportedOperation, from the request
 * version): `default` (Produce v0-10, TxnOffsetCommit v0-3), `genericError` (Produce v11, TxnOffsetCommit
 * v4: TRANSACTION_ABORTABLE, KIP-890), `addPartition` (Produce v12+, TxnOffsetCommit v5+: transaction
 * version 2, the partition is added rather than verified).
 */
export type TransactionSupportedOperation = 'default' | 'genericError' | 'addPartition';

export function produceOperation(version: number): TransactionSupportedOperation {
  return version > 11 ? 'addPartition' : version > 10 ? 'genericError' : 'default';
}

export function txnOffsetCommitOperation(version: number): TransactionSupportedOperation {
  return version > 4 ? 'addPartition' : version > 3 ? 'genericError' : 'default';
}

const RETRIABLE_VERIFICATION_ERRORS = new Set<number>([
  ErrorCode.CONCURRENT_TRANSACTIONS,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
]);

/**
 * The coordinator's refusal as a partition leader passes it on (Kafka's AddPartitionsToTxnManager):
 * PRODUCER_FENCED becomes INVALID_PRODUCER_EPOCH (producers expect it there), TRANSACTION_ABORTABLE
 * becomes INVALID_TXN_STATE for requesters that predate it. What TxnOffsetCommit answers as is.
 */
export function verificationError(code: number, operation: TransactionSupportedOperation): number {
  if (code === ErrorCode.PRODUCER_FENCED) return ErrorCode.INVALID_PRODUCER_EPOCH;
  if (code === ErrorCode.TRANSACTION_ABORTABLE && operation === 'default') return ErrorCode.INVALID_TXN_STATE;
  return code;
}

/**
 * What a producer is told when the coordinator refused (verificationError, then Kafka's
 * ReplicaManager.handleProduceAppend): the coordinator's retriable errors become NOT_ENOUGH_REPLICAS,
 * which every client retries without a metadata refresh.
 */
export function verificationRefusal(coordinatorCode: number, operation: TransactionSupportedOperation): PartitionError {
  const code = verificationError(coordinatorCode, operation);
  if (code === ErrorCode.INVALID_PRODUCER_EPOCH) {
    return { error: 'INVALID_PRODUCER_EPOCH', message: 'The producer has been fenced: its transactional id has a newer epoch at the transaction coordinator.' };
  }
  if (code === ErrorCode.INVALID_TXN_STATE) return { error: 'INVALID_TXN_STATE', message: 'Partition was not added to the transaction' };
  if (code === ErrorCode.TRANSACTION_ABORTABLE) {
    return { error: 'TRANSACTION_ABORTABLE', message: 'Partition was not added to the transaction; abort the transaction to continue.' };
  }
  if (RETRIABLE_VERIFICATION_ERRORS.has(code)) {
    return {
      error: 'NOT_ENOUGH_REPLICAS',
      message: `Unable to verify the partition has been added to the transaction. Underlying error: ${errorName(code)}`,
    };
  }
  if (code === ErrorCode.INVALID_PRODUCER_ID_MAPPING) {
    return { error: 'INVALID_PRODUCER_ID_MAPPING', message: 'The transaction coordinator holds another producer id for this transactional id.' };
  }
  return { error: 'UNKNOWN_SERVER_ERROR', message: `Transaction verification failed: ${errorName(code)}` };
}
