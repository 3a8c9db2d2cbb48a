import { ErrorCode } from '../../kafka/protocol/error-codes';
import { EndTxn } from '../../kafka/protocol/generated/index';
import { requestProducerId } from '../transactions/producer-id';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnTransactionalId } from '../security/request-authorization';

/**
 * EndTxn (KIP-98): commits or aborts the producer's transaction. Answered once the coordinator has
 * written PrepareCommit / PrepareAbort; the markers to the transaction's partitions follow. v5 (KIP-890
 * part 2: an epoch bump per transaction) is not offered. Needs WRITE on the transactional id.
 */
export const endTxnHandler = defineHandler({
  api: EndTxn,
  minVersion: 0,
  maxVersion: 4,
  handle: async (request, context) => {
    const answer = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 });
    if (!authorizedOnTransactionalId(context, AclOperation.WRITE, request.transactionalId)) return answer(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    const producerId = requestProducerId(request.producerId);
    if (producerId === null) return answer(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    const code = await context.broker.transactions.endTransaction(request.transactionalId, producerId, request.producerEpoch, request.committed);
    // KIP-588: clients before v2 know INVALID_PRODUCER_EPOCH, not PRODUCER_FENCED.
    return answer(code === ErrorCode.PRODUCER_FENCED && context.apiVersion < 2 ? ErrorCode.INVALID_PRODUCER_EPOCH : code);
  },
});
