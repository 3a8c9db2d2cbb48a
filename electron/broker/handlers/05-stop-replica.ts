import { ErrorCode } from '../../kafka/protocol/error-codes';
import { StopReplica, type StopReplicaRequest, type StopReplicaResponse } from '../../kafka/protocol/generated/index';
import { clusterActionAllowed } from './controller-channel';
import { defineHandler } from './handler';

/** Kafka's StopReplicaRequest.getErrorResponse: the error for the request and each partition it names. */
function errorResponse(request: StopReplicaRequest, version: number, errorCode: number): StopReplicaResponse {
  const partitions =
    version === 0
      ? request.ungroupedPartitions.map((p) => ({ topicName: p.topicName, partitionIndex: p.partitionIndex }))
      : version < 3
        ? request.topics.flatMap((t) => t.partitionIndexes.map((partitionIndex) => ({ topicName: t.name, partitionIndex })))
        : request.topicStates.flatMap((t) => t.partitionStates.map((p) => ({ topicName: t.topicName, partitionIndex: p.partitionIndex })));
  return { errorCode, partitionErrors: partitions.map((p) => ({ ...p, errorCode })) };
}

/**
 * StopReplica (ZooKeeper-mode controller → broker; v1 KIP-380 broker epoch, v2 flexible, v3 KIP-570
 * leader epochs): listed by releases up to 3.9. Needs CLUSTER_ACTION (each partition gets the error,
 * as Kafka's error response); otherwise answered as ReplicaManager.stopReplicas answers a stale
 * controller: STALE_CONTROLLER_EPOCH and no partitions (see controller-channel.ts).
 */
export const stopReplicaHandler = defineHandler({
  api: StopReplica,
  minVersion: 0,
  maxVersion: 4,
  zooKeeperModeOnly: true,
  handle: (request, context): StopReplicaResponse => {
    if (!clusterActionAllowed(context)) return errorResponse(request, context.apiVersion, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    return { errorCode: ErrorCode.STALE_CONTROLLER_EPOCH, partitionErrors: [] };
  },
});
