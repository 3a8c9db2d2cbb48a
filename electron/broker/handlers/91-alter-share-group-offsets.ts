import { ErrorCode } from '../../kafka/protocol/error-codes';
import { AlterShareGroupOffsets, type AlterShareGroupOffsetsResponse } from '../../kafka/protocol/generated/index';
import { AclOperation, authorizedOnGroup, authorizedOnTopic } from '../security/request-authorization';
import { alterShareOffsets } from '../share/share-group-offsets';
import { SHARE_GROUPS_DISABLED_MESSAGE, shareGroupsEnabled } from '../share/share-feature';
import { defineHandler } from './handler';
import { shareGroupCoordinatorError } from './share-group-coordinator';

function refuse(errorCode: number, errorMessage: string | null = null): AlterShareGroupOffsetsResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage, responses: [] };
}

/**
 * AlterShareGroupOffsets (KIP-932): sets share-partitions' start offsets, only while the share group has
 * no members (NON_EMPTY_GROUP otherwise): each gets a new state epoch and no in-flight records
 * (InitializeShareGroupState on its share coordinator). READ on the group and on each topic.
 */
export const alterShareGroupOffsetsHandler = defineHandler({
  api: AlterShareGroupOffsets,
  minVersion: 0,
  maxVersion: 0,
  handle: async (request, context) => {
    if (!shareGroupsEnabled(context.broker)) return refuse(ErrorCode.UNSUPPORTED_VERSION, SHARE_GROUPS_DISABLED_MESSAGE);
    if (!authorizedOnGroup(context, AclOperation.READ, request.groupId)) return refuse(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const coordinatorError = shareGroupCoordinatorError(context, request.groupId);
    if (coordinatorError !== ErrorCode.NONE) return refuse(coordinatorError);
    if (context.broker.shareGroupView.memberCount(request.groupId) > 0)
      return refuse(ErrorCode.NON_EMPTY_GROUP, 'The share group has members: its offsets can be altered only while it is empty.');
    const allowed = request.topics.filter((t) => authorizedOnTopic(context, AclOperation.READ, t.topicName));
    const altered = await alterShareOffsets(
      context.broker.shareOffsets(),
      request.groupId,
      allowed.map((t) => ({
        topicName: t.topicName,
        partitions: t.partitions.map((p) => ({ partition: p.partitionIndex, startOffset: Number(p.startOffset) })),
      })),
    );
    const responses = request.topics.map((t) => {
      const done = altered.find((a) => a.topicName === t.topicName);
      return {
        topicName: t.topicName,
        topicId: done?.topicId ?? context.broker.controller.topic(t.topicName)?.topicId ?? '00000000-0000-0000-0000-000000000000',
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: done?.partitions.find((d) => d.partition === p.partitionIndex)?.errorCode ?? ErrorCode.TOPIC_AUTHORIZATION_FAILED,
          errorMessage: null,
        })),
      };
    });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses };
  },
});
