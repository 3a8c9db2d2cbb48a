import { ErrorCode } from '../../kafka/protocol/error-codes';
import { DeleteShareGroupState } from '../../kafka/protocol/generated/index';
import { AclOperation, authorizedOnCluster } from '../security/request-authorization';
import { defineHandler } from './handler';

/**
 * DeleteShareGroupState (KIP-932, inter-broker): the group coordinator deletes share-partitions' state
 * (DeleteShareGroupOffsets, a deleted share group): tombstones in `__share_group_state`. A cluster action.
 */
export const deleteShareGroupStateHandler = defineHandler({
  api: DeleteShareGroupState,
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
            errorCode: allowed ? await coordinator.deleteState(request.groupId, t.topicId, p.partition) : ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
            errorMessage: null,
          })),
        ),
      })),
    );
    return { results };
  },
});
