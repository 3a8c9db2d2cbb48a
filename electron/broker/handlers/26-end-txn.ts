import { ErrorCode } from '../../kafka/protocol/error-codes';
import { EndTxn } from '../../kafka/protocol/generated/index';
import { requestProducerId } from '../transactions/producer-id';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnTransactionalId } from '../security/request-authorization';

/**
 * EndTxn (KIP-98): commits or aborts the producer's transaction. Answered once the coordinator has
 * written PrepareCommit / PrepareAbort; the markers to the transaction's partitions follow. v5 (KIP-890
 * part 2, transaction version 2): every transaction ends with the producer's epoch bumped, and the
 * answer carries the producer id and epoch to use next. Needs WRITE on the transactional id.
 */
export const endTxnHandler = defineHandler({
  api: EndTxn,
  minVersion: 0,
  maxVersion: 5,
  handle: async (request, context) => {
    const answer = (errorCode: number, producerId = -1, producerEpoch = -1) => ({
      throttleTimeMs: 0,
      errorCode,
      producerId: BigInt(producerId),
      producerEpoch,
    });
    if (!authorizedOnTransactionalId(context, AclOperation.WRITE, request.transactionalId)) return answer(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    const producerId = requestProducerId(request.producerId);
    if (producerId === null) return answer(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    // Kafka's KafkaApis: the request version says which transaction version the client speaks.
    const transactionVersion = context.apiVersion > 4 ? 2 : 0;
    const result = await context.broker.transactions.endTransaction(
      request.transactionalId,
      producerId,
      request.producerEpoch,
      request.committed,
      transactionVersion,
    );
    // KIP-588: clients before v2 know INVALID_PRODUCER_EPOCH, not PRODUCER_FENCED.
    const code = result.errorCode === ErrorCode.PRODUCER_FENCED && context.apiVersion < 2 ? ErrorCode.INVALID_PRODUCER_EPOCH : result.errorCode;
    return answer(code, result.producerId, result.producerEpoch);
  },
});
