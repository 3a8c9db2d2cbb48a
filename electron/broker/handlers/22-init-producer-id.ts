import { ErrorCode } from '../../kafka/protocol/error-codes';
import { InitProducerId, type InitProducerIdResponse } from '../../kafka/protocol/generated/index';
import { requestProducerId } from '../transactions/producer-id';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnAny, authorizedOnCluster, authorizedOnTransactionalId, ResourceType } from '../security/request-authorization';

const MAX_EPOCH = 32767;

const answer = (errorCode: number, producerId = -1n, producerEpoch = -1): InitProducerIdResponse => ({
  throttleTimeMs: 0,
  errorCode,
  producerId,
  producerEpoch,
});

/**
 * InitProducerId. With a transactional id (KIP-98), the transaction coordinator of the id answers: the
 * id's producer id with its epoch bumped, fencing older producers of the id (KIP-360: a producer may
 * name its current id and epoch; KIP-588: PRODUCER_FENCED from v4, INVALID_PRODUCER_EPOCH before),
 * after aborting a transaction still open (CONCURRENT_TRANSACTIONS meanwhile). Needs WRITE on the
 * transactional id. Without one, for an idempotent producer: a fresh producer id with epoch 0, or, when
 * a producer asks to bump its own epoch (KIP-360, v3+), the same id with the next epoch (a new id once
 * the epoch would overflow).
 */
export const initProducerIdHandler = defineHandler({
  api: InitProducerId,
  minVersion: 0,
  maxVersion: 5,
  handle: async (request, context) => {
    const controller = context.broker.controller;
    const transactionalId = request.transactionalId;
    if (transactionalId !== null) {
      if (transactionalId === '') return answer(ErrorCode.INVALID_REQUEST);
      if (!authorizedOnTransactionalId(context, AclOperation.WRITE, transactionalId)) return answer(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      const expectedProducerId = context.apiVersion >= 3 ? requestProducerId(request.producerId) : -1;
      // An id this cluster never assigned cannot be the current producer of the transactional id.
      if (expectedProducerId === null) return answer(context.apiVersion >= 4 ? ErrorCode.PRODUCER_FENCED : ErrorCode.INVALID_PRODUCER_EPOCH);
      const result = await context.broker.transactions.initProducerId(
        transactionalId,
        request.transactionTimeoutMs,
        expectedProducerId,
        context.apiVersion >= 3 ? request.producerEpoch : -1,
      );
      const errorCode = result.errorCode === ErrorCode.PRODUCER_FENCED && context.apiVersion < 4 ? ErrorCode.INVALID_PRODUCER_EPOCH : result.errorCode;
      return answer(errorCode, BigInt(result.producerId), result.producerEpoch);
    }
    // An idempotent producer needs IDEMPOTENT_WRITE on the cluster, or WRITE on some topic (KIP-679).
    if (!authorizedOnCluster(context, AclOperation.IDEMPOTENT_WRITE) && !authorizedOnAny(context, AclOperation.WRITE, ResourceType.TOPIC)) {
      return answer(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    }
    if (request.producerId >= 0n && request.producerEpoch >= 0 && request.producerEpoch < MAX_EPOCH - 1) {
      return answer(ErrorCode.NONE, request.producerId, request.producerEpoch + 1);
    }
    return answer(ErrorCode.NONE, BigInt(controller.allocateProducerId()), 0);
  },
});
