/**
 * How ConsumerGroupDescribe (KIP-848) shows a group of the consumer protocol: its epochs, assignor and
 * each member's current and target assignment, topics named from their ids as the coordinator knows
 * them now (a deleted topic is left out, as Kafka's asDescribedGroup does). A group this coordinator
 * does not hold is GROUP_ID_NOT_FOUND, with Kafka's words for why; the handler adds authorization.
 */
import { ErrorCode } from '../../kafka/protocol/error-codes';
import type { ConsumerGroupDescribeResponseDescribedGroup } from '../../kafka/protocol/generated/index';

export type DescribedConsumerGroup = ConsumerGroupDescribeResponseDescribedGroup;

/** Partitions by topic id, as a member's assignment is kept (the heartbeat speaks topic ids). */
export type TopicIdPartitions = ReadonlyMap<string, Iterable<number>>;

/** What the description reads of one member of a consumer-protocol group. */
export interface ConsumerGroupMemberSource {
  readonly memberId: string;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly memberEpoch: number;
  readonly clientId: string;
  readonly clientHost: string;
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex: string | null;
  /** The partitions it owns now (Kafka's assignedPartitions). */
  readonly assigned: TopicIdPartitions;
  /**
   * Set (not null) for a member that speaks the classic protocol inside a consumer group (KIP-848's
   * online migration); absent or null for a member of the consumer protocol.
   */
  readonly classicMetadata?: object | null;
}

/** ConsumerGroupDescribe v1's MemberType (KIP-1099); -1 (unknown) is what a v0 answer decodes to. */
export const MemberType = { UNKNOWN: -1, CLASSIC: 0, CONSUMER: 1 } as const;

/** What the description reads of one consumer-protocol group. */
export interface ConsumerGroupSource {
  readonly groupId: string;
  /** Kafka's names: Empty, Assigning, Reconciling, Stable, Dead. */
  readonly state: string;
  readonly groupEpoch: number;
  /** The epoch of the target assignment. */
  readonly assignmentEpoch: number;
  /** The assignor the members prefer, or the broker's default one. */
  readonly assignorName: string;
  readonly members: Iterable<ConsumerGroupMemberSource>;
  /** A member's target assignment (what the assignor gave it), or undefined when it has none yet. */
  targetOf(memberId: string): TopicIdPartitions | undefined;
}

/** A group that cannot be described: the code and message Kafka answers with. */
export function describeError(groupId: string, errorCode: number, errorMessage: string | null = null): DescribedConsumerGroup {
  return {
    errorCode,
    errorMessage,
    groupId,
    groupState: '',
    groupEpoch: 0,
    assignmentEpoch: 0,
    assignorName: '',
    members: [],
    authorizedOperations: -2147483648,
  };
}

/** Kafka's GROUP_ID_NOT_FOUND for an unknown group, or a group of another type (a classic one). */
export function notAConsumerGroup(groupId: string, exists: boolean): DescribedConsumerGroup {
  return describeError(groupId, ErrorCode.GROUP_ID_NOT_FOUND, exists ? `Group ${groupId} is not a consumer group.` : `Group ${groupId} not found.`);
}

function topicPartitions(partitions: TopicIdPartitions | undefined, topicName: (topicId: string) => string | undefined) {
  const result: Array<{ topicId: string; topicName: string; partitions: number[] }> = [];
  for (const [topicId, indexes] of partitions ?? []) {
    const name = topicName(topicId);
    if (name === undefined) continue;
    result.push({ topicId, topicName: name, partitions: [...indexes].sort((a, b) => a - b) });
  }
  return result.sort((a, b) => (a.topicName < b.topicName ? -1 : a.topicName > b.topicName ? 1 : 0));
}

/** A consumer-protocol group as ConsumerGroupDescribe answers it (authorized operations left to the handler). */
export function describeConsumerGroup(group: ConsumerGroupSource, topicName: (topicId: string) => string | undefined): DescribedConsumerGroup {
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    groupId: group.groupId,
    groupState: group.state,
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch,
    assignorName: group.assignorName,
    members: [...group.members].map((member) => ({
      memberId: member.memberId,
      instanceId: member.instanceId,
      rackId: member.rackId,
      memberEpoch: member.memberEpoch,
      clientId: member.clientId,
      clientHost: member.clientHost,
      subscribedTopicNames: [...member.subscribedTopicNames],
      subscribedTopicRegex: member.subscribedTopicRegex,
      assignment: { topicPartitions: topicPartitions(member.assigned, topicName) },
      targetAssignment: { topicPartitions: topicPartitions(group.targetOf(member.memberId), topicName) },
      // Kafka's ConsumerGroupMember.useClassicProtocol(); v0 answers drop the field.
      memberType: member.classicMetadata != null ? MemberType.CLASSIC : MemberType.CONSUMER,
    })),
    authorizedOperations: -2147483648,
  };
}
