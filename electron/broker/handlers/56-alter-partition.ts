import { ErrorCode } from '../../kafka/protocol/error-codes';
import {
  AlterPartition,
  type AlterPartitionRequestPartitionData,
  type AlterPartitionResponse,
  type AlterPartitionResponsePartitionData,
} from '../../kafka/protocol/generated/index';
import { ZERO_UUID } from '../../kafka/protocol/uuid';
import type { PartitionMetadata } from '../cluster/metadata-store';
import { brokerEpochMatches, clusterActionAllowed, isActiveController } from './controller-channel';
import { defineHandler, type RequestContext } from './handler';

function partitionError(partitionIndex: number, errorCode: number): AlterPartitionResponsePartitionData {
  return { partitionIndex, errorCode, leaderId: -1, leaderEpoch: -1, isr: [], leaderRecoveryState: 0, partitionEpoch: -1 };
}

function partitionState(p: PartitionMetadata): AlterPartitionResponsePartitionData {
  return {
    partitionIndex: p.partition,
    errorCode: ErrorCode.NONE,
    leaderId: p.leader,
    leaderEpoch: p.leaderEpoch,
    isr: [...p.isr],
    leaderRecoveryState: 0,
    partitionEpoch: p.partitionEpoch,
  };
}

/** KafkaController.tryProcessAlterPartition's checks for one partition, then the change. */
function alterOne(
  context: RequestContext,
  brokerId: number,
  topicName: string,
  requested: AlterPartitionRequestPartitionData,
): AlterPartitionResponsePartitionData {
  const controller = context.broker.controller;
  const p = controller.partition(topicName, requested.partitionIndex);
  if (!p) return partitionError(requested.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  // A newer epoch than the controller's own: the sender heard from a newer controller (Kafka's reading).
  if (requested.partitionEpoch > p.partitionEpoch || requested.leaderEpoch > p.leaderEpoch) return partitionError(p.partition, ErrorCode.NOT_CONTROLLER);
  if (requested.leaderEpoch < p.leaderEpoch) return partitionError(p.partition, ErrorCode.FENCED_LEADER_EPOCH);
  if (p.leader !== brokerId) return partitionError(p.partition, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  const isr = context.apiVersion >= 3 ? requested.newIsrWithEpochs.map((b) => b.brokerId) : requested.newIsr;
  const same = isr.length === p.isr.length && isr.every((id) => p.isr.includes(id));
  if (same) return partitionState(p); // already so: answered before the partition-epoch fence, for idempotence
  if (requested.partitionEpoch < p.partitionEpoch) return partitionError(p.partition, ErrorCode.INVALID_UPDATE_VERSION);
  if (requested.leaderRecoveryState !== 0) return partitionError(p.partition, ErrorCode.INVALID_REQUEST); // no recovery in progress here
  // v3: each broker's epoch must be its current one (KIP-903); a replica not running or not assigned is ineligible.
  const ineligible = isr.some((id) => !p.replicas.includes(id) || controller.brokerEpoch(id) === undefined);
  const staleEpochs =
    context.apiVersion >= 3 && requested.newIsrWithEpochs.some((b) => b.brokerEpoch !== -1n && b.brokerEpoch !== controller.brokerEpoch(b.brokerId));
  if (ineligible || staleEpochs || !isr.includes(p.leader)) {
    return partitionError(p.partition, context.apiVersion >= 1 ? ErrorCode.INELIGIBLE_REPLICA : ErrorCode.OPERATION_NOT_ATTEMPTED);
  }
  if (!controller.changeIsr(topicName, p.partition, requested.leaderEpoch, isr)) return partitionError(p.partition, ErrorCode.UNKNOWN_SERVER_ERROR);
  return partitionState(controller.partition(topicName, p.partition)!);
}

/**
 * AlterPartition (AlterIsr in 2.7, KIP-497: a partition leader asks the controller to change its ISR;
 * v1 KIP-704 leader recovery state, v2 KIP-516 topic ids, v3 KIP-903 broker epochs in the ISR): listed
 * by ZooKeeper-mode releases 2.7-3.9. As KafkaController's tryProcessAlterPartition: CLUSTER_ACTION,
 * NOT_CONTROLLER on another broker, STALE_BROKER_EPOCH unless the sender names its current epoch
 * (which only the broker knows: controller-channel.ts); then per partition the epoch fences and the
 * ISR's eligibility, and the change the in-process leaders make themselves (Controller.changeIsr).
 */
export const alterPartitionHandler = defineHandler({
  api: AlterPartition,
  minVersion: 0,
  maxVersion: 3,
  zooKeeperModeOnly: true,
  handle: (request, context): AlterPartitionResponse => {
    const answer = (errorCode: number): AlterPartitionResponse => ({ throttleTimeMs: 0, errorCode, topics: [] });
    if (!clusterActionAllowed(context)) return answer(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    if (!isActiveController(context)) return answer(ErrorCode.NOT_CONTROLLER);
    if (!brokerEpochMatches(context, request.brokerId, request.brokerEpoch)) return answer(ErrorCode.STALE_BROKER_EPOCH);
    const byId = context.apiVersion >= 2;
    const controller = context.broker.controller;
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      topics: request.topics.map((t) => {
        const topicName = byId ? controller.topicById(t.topicId)?.name : t.topicName;
        const head = { topicName: byId ? '' : t.topicName, topicId: byId ? t.topicId : ZERO_UUID };
        if (topicName === undefined) return { ...head, partitions: t.partitions.map((p) => partitionError(p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_ID)) };
        return { ...head, partitions: t.partitions.map((p) => alterOne(context, request.brokerId, topicName, p)) };
      }),
    };
  },
});
