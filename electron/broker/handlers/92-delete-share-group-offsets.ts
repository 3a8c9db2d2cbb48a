import { ErrorCode } from '../../kafka/protocol/error-codes';
import { DeleteShareGroupOffsets, type DeleteShareGroupOffsetsResponse } from '../../kafka/protocol/generated/index';
import { AclOperation, authorizedOnGroup, authorizedOnTopic } from '../security/request-authorization';
import { deleteShareOffsets } from '../share/share-group-offsets';
import { SHARE_GROUPS_DISABLED_MESSAGE, shareGroupsEnabled } from '../share/share-feature';
import { defineHandler } from './handler';
import { shareGroupCoordinatorError } from './share-group-coordinator';

function refuse(errorCode: number, errorMessage: string | null = null): DeleteShareGroupOffsetsResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage, responses: [] };
}

/**
 * DeleteShareGroupOffsets (KIP-932): deletes a share group's state for whole topics (DeleteShareGroupState
 * on their share coordinators), only while the group has no members (NON_EMPTY_GROUP otherwise); the
 * next member starts those share-partitions again where share.auto.offset.reset says. READ on the
 * group and on each topic.
 */
export const deleteShareGroupOffsetsHandler = defineHandler({
  api: DeleteShareGroupOffsets,
  minVersion: 0,
  maxVersion: 0,
  handle: async (request, context) => {
    if (!shareGroupsEnabled(context.broker)) return refuse(ErrorCode.UNSUPPORTED_VERSION, SHARE_GROUPS_DISABLED_MESSAGE);
    if (!authorizedOnGroup(context, AclOperation.READ, request.groupId)) return refuse(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const coordinatorError = shareGroupCoordinatorError(context, request.groupId);
    if (coordinatorError !== ErrorCode.NONE) return refuse(coordinatorError);
    if (context.broker.shareGroupView.memberCount(request.groupId) > 0)
      return refuse(ErrorCode.NON_EMPTY_GROUP, 'The share group has members: its offsets can be deleted only while it is empty.');
    const names = request.topics.map((t) => t.topicName);
    const deleted = await deleteShareOffsets(
      context.broker.shareOffsets(),
      request.groupId,
      names.filter((name) => authorizedOnTopic(context, AclOperation.READ, name)),
    );
    const responses = names.map((topicName) => {
      const done = deleted.find((d) => d.topicName === topicName);
      return {
        topicName,
        topicId: done?.topicId ?? context.broker.controller.topic(topicName)?.topicId ?? '00000000-0000-0000-0000-000000000000',
        errorCode: done?.errorCode ?? ErrorCode.TOPIC_AUTHORIZATION_FAILED,
        errorMessage: null,
      };
    });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses };
  },
});
