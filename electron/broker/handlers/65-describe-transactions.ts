import { ErrorCode } from '../../kafka/protocol/error-codes';
import { DescribeTransactions, type DescribeTransactionsResponse } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnTransactionalId } from '../security/request-authorization';

type TransactionStateEntry = DescribeTransactionsResponse['transactionStates'][number];

function failed(transactionalId: string, errorCode: number): TransactionStateEntry {
  return {
    errorCode,
    transactionalId,
    transactionState: '',
    transactionTimeoutMs: 0,
    transactionStartTimeMs: -1n,
    producerId: -1n,
    producerEpoch: -1,
    topics: [],
  };
}

/**
 * DescribeTransactions (KIP-664): the coordinator's state of each transactional id it coordinates —
 * state, producer id and epoch, timeout, when the open transaction began and its partitions. Sent to
 * the id's coordinator (FindCoordinator key type 1); any other broker answers NOT_COORDINATOR for it.
 * Needs DESCRIBE on the TRANSACTIONAL_ID, else TRANSACTIONAL_ID_AUTHORIZATION_FAILED for that id.
 */
export const describeTransactionsHandler = defineHandler({
  api: DescribeTransactions,
  minVersion: 0,
  maxVersion: 0,
  handle: (request, context) => ({
    throttleTimeMs: 0,
    transactionStates: request.transactionalIds.map((transactionalId): TransactionStateEntry => {
      if (!authorizedOnTransactionalId(context, AclOperation.DESCRIBE, transactionalId)) {
        return failed(transactionalId, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      }
      const { errorCode, description } = context.broker.transactions.describeTransaction(transactionalId);
      if (errorCode !== ErrorCode.NONE || !description) return failed(transactionalId, errorCode);
      return {
        errorCode: ErrorCode.NONE,
        transactionalId,
        transactionState: description.state,
        transactionTimeoutMs: description.timeoutMs,
        transactionStartTimeMs: BigInt(description.startTimeMs),
        producerId: BigInt(description.producerId),
        producerEpoch: description.producerEpoch,
        topics: description.topics.map((t) => ({ topic: t.topic, partitions: t.partitions })),
      };
    }),
  }),
});
