import { ErrorCode } from '../../kafka/protocol/error-codes';
import { InitProducerId } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnAny, authorizedOnCluster, ResourceType } from '../security/request-authorization';

const MAX_EPOCH = 32767;

/**
 * InitProducerId for idempotent producers: a fresh producer id with epoch 0, or, when a producer asks
 * to bump its own epoch (KIP-360, v3+), the same id with the next epoch (a new id once the epoch would
 * overflow). Transactional ids are refused: the embedded broker has no transaction coordinator.
 */
export const initProducerIdHandler = defineHandler({
  api: InitProducerId,
  minVersion: 0,
  maxVersion: 5,
  handle: (request, context) => {
    const controller = context.broker.controller;
    if (request.transactionalId !== null) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1n, producerEpoch: -1 };
    }
    // An idempotent producer needs IDEMPOTENT_WRITE on the cluster, or WRITE on some topic (KIP-679).
    if (!authorizedOnCluster(context, AclOperation.IDEMPOTENT_WRITE) && !authorizedOnAny(context, AclOperation.WRITE, ResourceType.TOPIC)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, producerId: -1n, producerEpoch: -1 };
    }
    if (request.producerId >= 0n && request.producerEpoch >= 0 && request.producerEpoch < MAX_EPOCH - 1) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: request.producerId, producerEpoch: request.producerEpoch + 1 };
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: BigInt(controller.allocateProducerId()), producerEpoch: 0 };
  },
});
