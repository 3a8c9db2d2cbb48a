import type { TopicPartitions } from '../groups/consumer-group';
import type { ConsumerHeartbeatResult } from '../groups/consumer-membership';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { ConsumerGroupHeartbeat, type ConsumerGroupHeartbeatResponse } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { clientHostOf } from './11-join-group';
import { AclOperation, authorizedOnGroup, authorizedOnTopic } from '../security/request-authorization';

function toWire(assignment: TopicPartitions | null): ConsumerGroupHeartbeatResponse['assignment'] {
  if (assignment === null) return null;
  return {
    topicPartitions: [...assignment]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([topicId, partitions]) => ({ topicId, partitions: [...partitions].sort((a, b) => a - b) })),
  };
}

/**
 * ConsumerGroupHeartbeat (KIP-848): a member of a consumer group joins (epoch 0), heartbeats with its
 * epoch and owned partitions, and leaves (epoch -1; -2 for a static member that will be back); the
 * coordinator answers with the member's epoch, the partitions it may use and the heartbeat interval
 * (groups/consumer-membership.ts). A broker whose `group.coordinator.rebalance.protocols` leaves out
 * `consumer` (the default before Kafka 4.0) answers UNSUPPORTED_VERSION, as KafkaApis does.
 * With ACLs on, a member needs READ on the group and DESCRIBE on every topic it names
 * (TOPIC_AUTHORIZATION_FAILED otherwise, KAFKA-18813, Kafka 4.0); the topics its regex matches are
 * filtered down to those the member may DESCRIBE.
 */
export const consumerGroupHeartbeatHandler = defineHandler({
  api: ConsumerGroupHeartbeat,
  minVersion: 0,
  maxVersion: 1,
  handle: (request, context) => {
    const toResponse = (r: ConsumerHeartbeatResult): ConsumerGroupHeartbeatResponse => ({
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
    const protocols = (context.broker.config.value('group.coordinator.rebalance.protocols') ?? '').split(',').map((p) => p.trim());
    if (!protocols.includes('consumer'))
      return refuse(ErrorCode.UNSUPPORTED_VERSION, 'The consumer group protocol is not enabled on this broker (group.coordinator.rebalance.protocols).');
    if (!authorizedOnGroup(context, AclOperation.READ, request.groupId)) return refuse(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    // KAFKA-18813: clients may not learn of topics they cannot DESCRIBE; Kafka sends no message with it.
    const names = request.subscribedTopicNames;
    if (names !== null && names.some((topic) => !authorizedOnTopic(context, AclOperation.DESCRIBE, topic))) {
      return refuse(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    }
    const secured = (context.broker.security?.authorizer ?? null) !== null;
    const result = context.broker.groups.consumerGroupHeartbeat({
      apiVersion: context.apiVersion,
      groupId: request.groupId,
      memberId: request.memberId,
      memberEpoch: request.memberEpoch,
      instanceId: request.instanceId,
      rackId: request.rackId,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      subscribedTopicNames: request.subscribedTopicNames,
      subscribedTopicRegex: context.apiVersion >= 1 ? request.subscribedTopicRegex : null,
      serverAssignor: request.serverAssignor,
      topicPartitions: request.topicPartitions,
      clientId: context.clientId ?? '',
      clientHost: clientHostOf(context),
      mayDescribeTopic: secured ? (topic) => authorizedOnTopic(context, AclOperation.DESCRIBE, topic) : null,
    });
    return result instanceof Promise ? result.then(toResponse) : toResponse(result);
  },
});
