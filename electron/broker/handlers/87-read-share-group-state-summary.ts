import { ErrorCode } from '../../kafka/protocol/error-codes';
import { ReadShareGroupStateSummary } from '../../kafka/protocol/generated/index';
import { AclOperation, authorizedOnCluster } from '../security/request-authorization';
import { defineHandler } from './handler';

/**
 * ReadShareGroupStateSummary (KIP-932, inter-broker): the state epoch, leader epoch and start offset of
 * share-partitions, without their state batches (what DescribeShareGroupOffsets needs). A cluster action.
 */
export const readShareGroupStateSummaryHandler = defineHandler({
  api: ReadShareGroupStateSummary,
  minVersion: 0,
  maxVersion: 0,
  handle: (request, context) => {
    const allowed = authorizedOnCluster(context, AclOperation.CLUSTER_ACTION);
    const coordinator = context.broker.shareCoordinator;
    return {
      results: request.topics.map((t) => ({
        topicId: t.topicId,
        partitions: t.partitions.map((p) => {
          const state = allowed
            ? coordinator.readStateSummary(request.groupId, t.topicId, p.partition)
            : { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, stateEpoch: 0, leaderEpoch: -1, startOffset: -1 };
          return {
            partition: p.partition,
            errorCode: state.errorCode,
            errorMessage: state.errorMessage,
            stateEpoch: state.stateEpoch,
            leaderEpoch: state.leaderEpoch,
            startOffset: BigInt(state.startOffset),
          };
        }),
      })),
    };
  },
});
