import { GROUP_AUTHORIZED_OPERATIONS } from '../groups/group-membership';
import { describeError, type DescribedConsumerGroup } from '../groups/consumer-group-description';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { ConsumerGroupDescribe } from '../../kafka/protocol/generated/index';
import { defineHandler, type RequestContext } from './handler';
import { AclOperation, authorizedOnGroup, authorizedOnTopic, authorizedOperations, ResourceType } from '../security/request-authorization';

/** The topics a described group shows: its members' subscriptions, current and target assignments. */
function topicsOf(group: DescribedConsumerGroup): Set<string> {
  const topics = new Set<string>();
  for (const member of group.members) {
    for (const name of member.subscribedTopicNames) topics.add(name);
    for (const t of member.assignment.topicPartitions) topics.add(t.topicName);
    for (const t of member.targetAssignment.topicPartitions) topics.add(t.topicName);
  }
  return topics;
}

function describe(groupId: string, includeOperations: boolean, context: RequestContext): DescribedConsumerGroup {
  // Kafka 3.7-3.9 list the API but answer it only with the new group coordinator enabled (off by default).
  if (context.versionRefused) return describeError(groupId, ErrorCode.UNSUPPORTED_VERSION);
  // An empty id is no group (Kafka's isGroupIdNotEmpty).
  if (groupId === '') return describeError(groupId, ErrorCode.INVALID_GROUP_ID);
  if (!authorizedOnGroup(context, AclOperation.DESCRIBE, groupId)) return describeError(groupId, ErrorCode.GROUP_AUTHORIZATION_FAILED);
  const group = context.broker.groups.describeConsumerGroup(groupId);
  if (group.errorCode !== ErrorCode.NONE) return group;
  // The group's topics (a regex subscription resolves to topics the requester may not know of) are
  // shown only to a principal that may DESCRIBE every one of them.
  const hidden = [...topicsOf(group)].filter((topic) => !authorizedOnTopic(context, AclOperation.DESCRIBE, topic));
  if (hidden.length > 0) {
    return describeError(groupId, ErrorCode.TOPIC_AUTHORIZATION_FAILED, `The described group uses topics that the client is not authorized to describe.`);
  }
  if (includeOperations) {
    group.authorizedOperations = context.broker.security?.authorizer ? authorizedOperations(context, ResourceType.GROUP, groupId) : GROUP_AUTHORIZED_OPERATIONS;
  }
  return group;
}

/**
 * ConsumerGroupDescribe (KIP-848): groups of the consumer protocol with their epochs, assignor and each
 * member's current and target assignment, one answer per group: GROUP_AUTHORIZATION_FAILED without
 * DESCRIBE on the group, NOT_COORDINATOR where another broker holds it, GROUP_ID_NOT_FOUND for an
 * unknown or classic group (DescribeGroups shows those), INVALID_GROUP_ID for an empty id. v1 (KIP-1099,
 * Kafka 4.0) adds each member's MemberType: 1 for a member of the consumer protocol, 0 for a classic
 * member of a consumer group (one that joined with JoinGroup during an online migration).
 */
export const consumerGroupDescribeHandler = defineHandler({
  api: ConsumerGroupDescribe,
  minVersion: 0,
  maxVersion: 1,
  handle: (request, context) => ({
    throttleTimeMs: 0,
    groups: request.groupIds.map((groupId) => describe(groupId, request.includeAuthorizedOperations, context)),
  }),
});
