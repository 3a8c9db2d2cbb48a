import { ErrorCode } from '../../kafka/protocol/error-codes';
import { LeaderAndIsr, type LeaderAndIsrRequest, type LeaderAndIsrResponse } from '../../kafka/protocol/generated/index';
import { clusterActionAllowed } from './controller-channel';
import { defineHandler } from './handler';

/** Kafka's LeaderAndIsrRequest.getErrorResponse: the error for the request and for each partition it names. */
function errorResponse(request: LeaderAndIsrRequest, version: number, errorCode: number): LeaderAndIsrResponse {
  if (version < 5) {
    const states =
      version < 2 ? request.ungroupedPartitionStates : request.topicStates.flatMap((t) => t.partitionStates.map((p) => ({ ...p, topicName: t.topicName })));
    return { errorCode, partitionErrors: states.map((p) => ({ topicName: p.topicName, partitionIndex: p.partitionIndex, errorCode })), topics: [] };
  }
  return {
    errorCode,
    partitionErrors: [],
    topics: request.topicStates.map((t) => ({
      topicId: t.topicId,
      partitionErrors: t.partitionStates.map((p) => ({ topicName: '', partitionIndex: p.partitionIndex, errorCode })),
    })),
  };
}

/**
 * LeaderAndIsr (ZooKeeper-mode controller → broker; v2 KIP-380 broker epoch, v4 KIP-482 flexible, v5
 * KIP-516 topic ids, v6 KIP-704 leader recovery state, v7 KIP-866 migration): listed by releases up to
 * 3.9. Needs CLUSTER_ACTION; otherwise refused as from a stale controller (see controller-channel.ts).
 */
export const leaderAndIsrHandler = defineHandler({
  api: LeaderAndIsr,
  minVersion: 0,
  maxVersion: 7,
  zooKeeperModeOnly: true,
  handle: (request, context): LeaderAndIsrResponse => {
    if (!clusterActionAllowed(context)) return errorResponse(request, context.apiVersion, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    return errorResponse(request, context.apiVersion, ErrorCode.STALE_CONTROLLER_EPOCH);
  },
});
