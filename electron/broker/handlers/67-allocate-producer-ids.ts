import { ErrorCode } from '../../kafka/protocol/error-codes';
import { AllocateProducerIds, type AllocateProducerIdsResponse } from '../../kafka/protocol/generated/index';
import { brokerEpochMatches, clusterActionAllowed, isActiveController } from './controller-channel';
import { defineHandler } from './handler';

/** Kafka's ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE: the ids a broker gets at once. */
const PRODUCER_ID_BLOCK_SIZE = 1000;

/**
 * AllocateProducerIds (KIP-730: a broker asks the controller for a block of producer ids instead of
 * writing to ZooKeeper): listed by releases 3.0-3.9. As KafkaController.processAllocateProducerIds:
 * CLUSTER_ACTION, NOT_CONTROLLER on another broker, BROKER_ID_NOT_REGISTERED for a broker not
 * running, STALE_BROKER_EPOCH unless the epoch is that broker's (controller-channel.ts); then a block
 * of 1,000 ids the cluster will not hand out again (the brokers' own InitProducerId draws from the same
 * counter).
 */
export const allocateProducerIdsHandler = defineHandler({
  api: AllocateProducerIds,
  minVersion: 0,
  maxVersion: 0,
  zooKeeperModeOnly: true,
  handle: (request, context): AllocateProducerIdsResponse => {
    const answer = (errorCode: number, producerIdStart = -1n, producerIdLen = 0) => ({ throttleTimeMs: 0, errorCode, producerIdStart, producerIdLen });
    if (!clusterActionAllowed(context)) return answer(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    if (!isActiveController(context)) return answer(ErrorCode.NOT_CONTROLLER);
    const controller = context.broker.controller;
    if (controller.brokerEpoch(request.brokerId) === undefined) return answer(ErrorCode.BROKER_ID_NOT_REGISTERED);
    if (!brokerEpochMatches(context, request.brokerId, request.brokerEpoch)) return answer(ErrorCode.STALE_BROKER_EPOCH);
    const start = controller.allocateProducerIdBlock(PRODUCER_ID_BLOCK_SIZE);
    return answer(ErrorCode.NONE, BigInt(start), PRODUCER_ID_BLOCK_SIZE);
  },
});
