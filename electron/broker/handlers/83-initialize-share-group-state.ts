import { ErrorCode } from '../../kafka/protocol/error-codes';
import { InitializeShareGroupState } from '../../kafka/protocol/generated/index';
import { AclOperation, authorizedOnCluster } from '../security/request-authorization';
import { defineHandler } from './handler';

/**
 * InitializeShareGroupState (KIP-932, inter-broker): the group coordinator sets a share-partition's
 * state epoch and start offset on the share coordinator (a fresh ShareSnapshot in `__share_group_state`).
 * A cluster action; per partition NOT_COORDINATOR when this broker is not the key's share coordinator,
 * FENCED_STATE_EPOCH for an older state epoch, as Kafka's ShareCoordinatorShard.
 */
export const initializeShareGroupStateHandler = defineHandler({
  api: InitializeShareGroupState,
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
              ? await coordinator.initializeState(request.groupId, t.topicId, p.partition, p.stateEpoch, Number(p.startOffset))
              : ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
            errorMessage: null,
          })),
        ),
      })),
    );
    return { results };
  },
});
