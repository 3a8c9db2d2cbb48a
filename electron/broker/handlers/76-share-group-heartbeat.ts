import type { TopicPartitions } from '../groups/consumer-group';
import { SHARE_GROUPS_DISABLED_MESSAGE, shareGroupsEnabled } from '../groups/share-gate';
import type { ShareHeartbeatResult } from '../groups/share-membership';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { ShareGroupHeartbeat, type ShareGroupHeartbeatResponse } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { clientHostOf } from './11-join-group';
import { AclOperation, authorizedOnGroup, authorizedOnTopic } from '../security/request-authorization';

function toWire(assignment: TopicPartitions | null): ShareGroupHeartbeatResponse['assignment'] {
  if (assignment === null) return null;
  return {
    topicPartitions: [...assignment]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([topicId, partitions]) => ({ topicId, partitions: [...partitions].sort((a, b) => a - b) })),
  };
}

/**
 * ShareGroupHeartbeat (KIP-932): a member of a share group joins (epoch 0, with the topics it
 * subscribes to and the member id it chose), heartbeats with its epoch and leaves (epoch -1); the
 * coordinator answers with its epoch, the partitions it may fetch from (shared with other members) and
 * the heartbeat interval (groups/share-membership.ts). Kafka 4.1 lists the API from v1 but answers
 * UNSUPPORTED_VERSION until `share.version` is finalized at 1 (groups/share-gate.ts). With ACLs on,
 * the member needs READ on the group and DESCRIBE on every topic it subscribes to, as KafkaApis checks.
 */
export const shareGroupHeartbeatHandler = defineHandler({
  api: ShareGroupHeartbeat,
  minVersion: 1,
  maxVersion: 1,
  handle: (request, context) => {
    const toResponse = (r: ShareHeartbeatResult): ShareGroupHeartbeatResponse => ({
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
      memberId: r.memberId,
      memberEpoch: r.memberEpoch,
      heartbeatIntervalMs: r.heartbeatIntervalMs,
      assignment: toWire(r.assignment),
    });
    const refuse = (errorCode: number, errorMessage: string | null = null) =>
      toResponse({ errorCode, errorMessage, memberId: null, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null });
    if (!shareGroupsEnabled(context.broker)) return refuse(ErrorCode.UNSUPPORTED_VERSION, SHARE_GROUPS_DISABLED_MESSAGE);
    if (!authorizedOnGroup(context, AclOperation.READ, request.groupId)) return refuse(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const names = request.subscribedTopicNames;
    if (names !== null && names.some((topic) => !authorizedOnTopic(context, AclOperation.DESCRIBE, topic))) {
      return refuse(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    }
    const result = context.broker.groups.shareGroupHeartbeat({
      groupId: request.groupId,
      memberId: request.memberId,
      memberEpoch: request.memberEpoch,
      rackId: request.rackId,
      subscribedTopicNames: names,
      clientId: context.clientId ?? '',
      clientHost: clientHostOf(context),
    });
    return result instanceof Promise ? result.then(toResponse) : toResponse(result);
  },
});
