import { GROUP_AUTHORIZED_OPERATIONS } from '../groups/group-membership';
import { SHARE_GROUPS_DISABLED_MESSAGE, shareGroupsEnabled } from '../groups/share-gate';
import { describeShareError, type DescribedShareGroup } from '../groups/share-group-description';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { ShareGroupDescribe } from '../../kafka/protocol/generated/index';
import { defineHandler, type RequestContext } from './handler';
import { AclOperation, authorizedOnGroup, authorizedOnTopic, authorizedOperations, ResourceType } from '../security/request-authorization';

function describe(groupId: string, includeOperations: boolean, context: RequestContext): DescribedShareGroup {
  if (groupId === '') return describeShareError(groupId, ErrorCode.INVALID_GROUP_ID);
  if (!authorizedOnGroup(context, AclOperation.DESCRIBE, groupId)) return describeShareError(groupId, ErrorCode.GROUP_AUTHORIZATION_FAILED);
  const group = context.broker.groups.describeShareGroup(groupId);
  if (group.errorCode !== ErrorCode.NONE) return group;
  const topics = new Set(group.members.flatMap((m) => [...m.subscribedTopicNames, ...m.assignment.topicPartitions.map((t) => t.topicName)]));
  if ([...topics].some((topic) => !authorizedOnTopic(context, AclOperation.DESCRIBE, topic))) {
    return describeShareError(groupId, ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'The described group uses topics that the client is not authorized to describe.');
  }
  if (includeOperations) {
    group.authorizedOperations = context.broker.security?.authorizer ? authorizedOperations(context, ResourceType.GROUP, groupId) : GROUP_AUTHORIZED_OPERATIONS;
  }
  return group;
}

/**
 * ShareGroupDescribe (KIP-932): share groups with their epochs, assignor and each member's subscription
 * and assignment, one answer per group: GROUP_AUTHORIZATION_FAILED without DESCRIBE on the group,
 * TOPIC_AUTHORIZATION_FAILED when it uses a topic the requester may not DESCRIBE, NOT_COORDINATOR where
 * another broker holds it, GROUP_ID_NOT_FOUND for an unknown group or one of another type,
 * INVALID_GROUP_ID for an empty id. UNSUPPORTED_VERSION while `share.version` is 0, as Kafka 4.1.
 */
export const shareGroupDescribeHandler = defineHandler({
  api: ShareGroupDescribe,
  minVersion: 1,
  maxVersion: 1,
  handle: (request, context) => {
    if (!shareGroupsEnabled(context.broker)) {
      return {
        throttleTimeMs: 0,
        groups: request.groupIds.map((groupId) => describeShareError(groupId, ErrorCode.UNSUPPORTED_VERSION, SHARE_GROUPS_DISABLED_MESSAGE)),
      };
    }
    return { throttleTimeMs: 0, groups: request.groupIds.map((groupId) => describe(groupId, request.includeAuthorizedOperations, context)) };
  },
});
