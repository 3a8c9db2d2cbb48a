import { ErrorCode } from '../../kafka/protocol/error-codes';
import { ReadShareGroupState } from '../../kafka/protocol/generated/index';
import { AclOperation, authorizedOnCluster } from '../security/request-authorization';
import { defineHandler } from './handler';

/**
 * ReadShareGroupState (KIP-932, inter-broker): a share-partition leader reads the durable state of a
 * share-partition from its share coordinator: state epoch, start offset (-1 when never initialized) and
 * the state batches of the in-flight records. A cluster action; FENCED_LEADER_EPOCH for a leader epoch
 * older than one already seen, NOT_COORDINATOR when this broker is not the key's share coordinator.
 */
export const readShareGroupStateHandler = defineHandler({
  api: ReadShareGroupState,
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
            ? coordinator.readState(request.groupId, t.topicId, p.partition, p.leaderEpoch)
            : { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, stateEpoch: 0, startOffset: -1, stateBatches: [] };
          return {
            partition: p.partition,
            errorCode: state.errorCode,
            errorMessage: state.errorMessage,
            stateEpoch: state.stateEpoch,
            startOffset: BigInt(state.startOffset),
            stateBatches: state.stateBatches.map((b) => ({
              firstOffset: BigInt(b.firstOffset),
              lastOffset: BigInt(b.lastOffset),
              deliveryState: b.deliveryState,
              deliveryCount: b.deliveryCount,
            })),
          };
        }),
      })),
    };
  },
});
