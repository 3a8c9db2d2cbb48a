import { ErrorCode } from '../../kafka/protocol/error-codes';
import { WriteShareGroupState } from '../../kafka/protocol/generated/index';
import { AclOperation, authorizedOnCluster } from '../security/request-authorization';
import { defineHandler } from './handler';

/**
 * WriteShareGroupState (KIP-932, inter-broker): a share-partition leader writes a change of its
 * share-partition's state (start offset, state batches of records acknowledged, released, archived or
 * timed out) to the share coordinator, which appends it to `__share_group_state` (a ShareUpdate, or a
 * ShareSnapshot) before answering. A cluster action; FENCED_LEADER_EPOCH / FENCED_STATE_EPOCH for a
 * stale writer, as Kafka's ShareCoordinatorShard.
 */
export const writeShareGroupStateHandler = defineHandler({
  api: WriteShareGroupState,
  minVersion: 0,
  maxVersion: 0,
  handle: async (request, context) => {
    const allowed = authorizedOnCluster(context, AclOperation.CLUSTER_ACTION);
    const coordinator = context.broker.shareCoordinator;
    const results = await Promise.all(
      request.topics.map(async (t) => ({
        topicId: t.topicId,
        partitions: await Promise.all(
          t.partitions.map(async (p) => ({
            partition: p.partition,
            errorCode: allowed
              ? await coordinator.writeState(request.groupId, t.topicId, p.partition, {
                  stateEpoch: p.stateEpoch,
                  leaderEpoch: p.leaderEpoch,
                  startOffset: Number(p.startOffset),
                  stateBatches: p.stateBatches.map((b) => ({
                    firstOffset: Number(b.firstOffset),
                    lastOffset: Number(b.lastOffset),
                    deliveryState: b.deliveryState,
                    deliveryCount: b.deliveryCount,
                  })),
                })
              : ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
            errorMessage: null,
          })),
        ),
      })),
    );
    return { results };
  },
});
