import { ensureOffsetsTopic, OFFSETS_TOPIC } from '../groups/coordinator';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { AddOffsetsToTxn } from '../../kafka/protocol/generated/index';
import { requestProducerId } from '../transactions/producer-id';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnGroup, authorizedOnTransactionalId } from '../security/request-authorization';

/**
 * AddOffsetsToTxn (KIP-98): a transactional producer about to commit a group's offsets in its
 * transaction (send_offsets_to_transaction) adds the group's `__consumer_offsets` partition to it, so the
 * transaction's marker decides those offsets too. Needs WRITE on the transactional id and READ on the group.
 */
export const addOffsetsToTxnHandler = defineHandler({
  api: AddOffsetsToTxn,
  minVersion: 0,
  maxVersion: 4,
  handle: async (request, context) => {
    const answer = (errorCode: number) => ({ throttleTimeMs: 0, errorCode });
    const { broker } = context;
    if (!authorizedOnTransactionalId(context, AclOperation.WRITE, request.transactionalId)) return answer(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    if (!authorizedOnGroup(context, AclOperation.READ, request.groupId)) return answer(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    if (!ensureOffsetsTopic(broker)) return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const producerId = requestProducerId(request.producerId);
    if (producerId === null) return answer(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    const partition = broker.groups.partitionFor(request.groupId);
    const code = await broker.transactions.addPartitions(request.transactionalId, producerId, request.producerEpoch, [{ topic: OFFSETS_TOPIC, partition }]);
    return answer(code === ErrorCode.PRODUCER_FENCED && context.apiVersion < 2 ? ErrorCode.INVALID_PRODUCER_EPOCH : code);
  },
});
