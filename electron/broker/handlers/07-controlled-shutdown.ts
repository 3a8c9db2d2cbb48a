import { ErrorCode } from '../../kafka/protocol/error-codes';
import { ControlledShutdown, type ControlledShutdownResponse } from '../../kafka/protocol/generated/index';
import { clusterActionAllowed, isActiveController } from './controller-channel';
import { defineHandler } from './handler';

/**
 * ControlledShutdown (a ZooKeeper-mode broker about to stop asks the controller to move its leaders
 * away; v2 KIP-380 broker epoch, v3 flexible): listed by releases up to 3.9. As KafkaController's
 * doControlledShutdown: CLUSTER_ACTION, then STALE_CONTROLLER_EPOCH on a broker that is not the
 * controller (ControllerMovedException), STALE_BROKER_EPOCH for an epoch older than the broker's
 * (-1, before KIP-380, passes), BROKER_NOT_AVAILABLE for a broker not running; then leadership moves
 * to other in-sync replicas and the answer lists the partitions the broker still leads (no other
 * replica in sync). Unlike Kafka's controller, which keeps the broker out of leadership and its
 * followers out of ISRs until it is gone, the embedded controller only moves the leaders: the broker
 * stops when the app or the CLI stops it (which does all of this again).
 */
export const controlledShutdownHandler = defineHandler({
  api: ControlledShutdown,
  minVersion: 0,
  maxVersion: 3,
  zooKeeperModeOnly: true,
  handle: (request, context): ControlledShutdownResponse => {
    const answer = (errorCode: number): ControlledShutdownResponse => ({ errorCode, remainingPartitions: [] });
    if (!clusterActionAllowed(context)) return answer(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    if (!isActiveController(context)) return answer(ErrorCode.STALE_CONTROLLER_EPOCH);
    const controller = context.broker.controller;
    const current = controller.brokerEpoch(request.brokerId);
    if (current === undefined) return answer(ErrorCode.BROKER_NOT_AVAILABLE);
    if (request.brokerEpoch !== -1n && request.brokerEpoch < current) return answer(ErrorCode.STALE_BROKER_EPOCH);
    controller.moveLeadershipAway(request.brokerId);
    const remainingPartitions: ControlledShutdownResponse['remainingPartitions'] = [];
    for (const topic of controller.topics()) {
      for (const p of topic.partitions) if (p.leader === request.brokerId) remainingPartitions.push({ topicName: topic.name, partitionIndex: p.partition });
    }
    return { errorCode: ErrorCode.NONE, remainingPartitions };
  },
});
