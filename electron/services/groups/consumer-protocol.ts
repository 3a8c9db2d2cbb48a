// Groups of the KIP-848 consumer protocol, which DescribeGroups does not show (Kafka answers it Dead
// for them): ConsumerGroupDescribe (API 69) on each group's coordinator, with the group and assignment
// epochs, the server-side assignor and, per member, its epoch, subscription, and current and target
// assignments — what a rebalance in progress looks like. Clusters without API 69 are never asked.
import type { Admin } from '@platformatic/kafka';
import type { ConsumerProtocolMember, GroupMember, GroupState, TopicPartitions } from '../../../shared/model/groups';
import { ErrorCode, errorName } from '../../kafka/protocol/error-codes';
import {
  ConsumerGroupDescribe,
  ShareGroupDescribe,
  type ConsumerGroupDescribeResponseDescribedGroup,
  type ShareGroupDescribeResponseDescribedGroup,
} from '../../kafka/protocol/generated/index';
import { chunks, GROUP_BATCH } from '../cluster/offsets';
import { brokerConnection, negotiateVersion, send, supportsApi } from '../cluster/wire';
import { coordinators, type Coordinator } from './coordinators';

export const CONSUMER_GROUP_DESCRIBE_KEY = ConsumerGroupDescribe.apiKey;

/** A consumer-protocol group as the app shows it (lag is added by the caller). */
export interface ConsumerGroupInfo {
  state: GroupState;
  protocolType: 'consumer' | 'share';
  /** The server-side assignor (uniform, range, ...; simple for a share group). */
  protocol: string;
  epochs: { group: number; assignment: number };
  members: GroupMember[];
}

/** A group ConsumerGroupDescribe did not describe: its error, Kafka's name for it and message. */
export interface ConsumerGroupRefusal {
  errorCode: number;
  error: string;
  message: string | null;
}

export type ConsumerGroupResult = { group: ConsumerGroupInfo } | { refused: ConsumerGroupRefusal };

// Kafka answers these while a coordinator moves or loads; asking its new coordinator again settles them.
const RETRIABLE = new Set<number>([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);
const ATTEMPTS = 3;

const STATES: Record<string, GroupState> = {
  empty: 'EMPTY',
  assigning: 'ASSIGNING',
  reconciling: 'RECONCILING',
  stable: 'STABLE',
  dead: 'DEAD',
};

// ConsumerGroupDescribe v1's MemberType (KIP-1099); a v0 answer decodes to -1, unknown.
const MEMBER_TYPES: Record<number, 'classic' | 'consumer'> = { 0: 'classic', 1: 'consumer' };

const byTopic = (a: { topic: string }, b: { topic: string }) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0);

function toTopicPartitions(assignment: { topicPartitions: Array<{ topicName: string; partitions: number[] }> }): TopicPartitions {
  return assignment.topicPartitions.map((t) => ({ topic: t.topicName, partitions: [...t.partitions].sort((a, b) => a - b) })).sort(byTopic);
}

/** The partitions of `a` that `b` does not have, by topic (topics left empty are left out). */
export function minus(a: TopicPartitions, b: TopicPartitions): TopicPartitions {
  const other = new Map(b.map((t) => [t.topic, new Set(t.partitions)]));
  return a.map((t) => ({ topic: t.topic, partitions: t.partitions.filter((p) => !other.get(t.topic)?.has(p)) })).filter((t) => t.partitions.length > 0);
}

function toInfo(group: ConsumerGroupDescribeResponseDescribedGroup): ConsumerGroupInfo {
  return {
    state: STATES[group.groupState.toLowerCase()] ?? 'UNKNOWN',
    protocolType: 'consumer',
    protocol: group.assignorName,
    epochs: { group: group.groupEpoch, assignment: group.assignmentEpoch },
    members: group.members.map((member) => {
      const assignments = toTopicPartitions(member.assignment);
      const target = toTopicPartitions(member.targetAssignment);
      const consumerProtocol: ConsumerProtocolMember = {
        memberEpoch: member.memberEpoch,
        rackId: member.rackId,
        subscribedTopics: [...member.subscribedTopicNames].sort(),
        subscribedTopicRegex: member.subscribedTopicRegex,
        target,
        revoking: minus(assignments, target),
        assigning: minus(target, assignments),
        memberType: MEMBER_TYPES[member.memberType] ?? null,
      };
      return {
        memberId: member.memberId,
        groupInstanceId: member.instanceId,
        clientId: member.clientId,
        host: member.clientHost,
        assignments,
        lag: null,
        consumerProtocol,
      };
    }),
  };
}

/** Whether the cluster has consumer-protocol groups to describe (Kafka 3.8+ lists ConsumerGroupDescribe). */
export function supportsConsumerGroups(admin: Admin): Promise<boolean> {
  return supportsApi(admin, CONSUMER_GROUP_DESCRIBE_KEY);
}

/**
 * ConsumerGroupDescribe of the given groups, each on its coordinator: one result per group that was
 * answered (a group whose coordinator is unknown or unreachable is left out). A coordinator that moved
 * is found again and asked again, a few times.
 */
export async function describeConsumerGroups(admin: Admin, groups: readonly string[]): Promise<Map<string, ConsumerGroupResult>> {
  if (!groups.length) return new Map();
  const version = await negotiateVersion(admin, ConsumerGroupDescribe);
  return describeOnCoordinators(admin, groups, async (connection, batch) => {
    const response = await send(connection, ConsumerGroupDescribe, version, { groupIds: batch, includeAuthorizedOperations: false });
    return response.groups.map((described) => ({ described, info: () => toInfo(described) }));
  });
}

/**
 * Share groups (KIP-932, Kafka 4.1): ShareGroupDescribe (API 77) on each group's coordinator, shown as
 * a consumer-protocol group is: epochs, the assignor (simple) and each member's epoch, subscription and
 * assignment (a share group has no target to move to: members take their assignment at once, and
 * several may share a partition). A cluster with share.version 0 answers UNSUPPORTED_VERSION.
 */
export async function describeShareGroups(admin: Admin, groups: readonly string[]): Promise<Map<string, ConsumerGroupResult>> {
  if (!groups.length || !(await supportsApi(admin, ShareGroupDescribe.apiKey).catch(() => false))) return new Map();
  const version = await negotiateVersion(admin, ShareGroupDescribe);
  return describeOnCoordinators(admin, groups, async (connection, batch) => {
    const response = await send(connection, ShareGroupDescribe, version, { groupIds: batch, includeAuthorizedOperations: false });
    return response.groups.map((described) => ({ described, info: () => shareInfo(described) }));
  });
}

function shareInfo(group: ShareGroupDescribeResponseDescribedGroup): ConsumerGroupInfo {
  return {
    state: STATES[group.groupState.toLowerCase()] ?? 'UNKNOWN',
    protocolType: 'share',
    protocol: group.assignorName,
    epochs: { group: group.groupEpoch, assignment: group.assignmentEpoch },
    members: group.members.map((member) => {
      const assignments = toTopicPartitions(member.assignment);
      return {
        memberId: member.memberId,
        groupInstanceId: null,
        clientId: member.clientId,
        host: member.clientHost,
        assignments,
        lag: null,
        consumerProtocol: {
          memberEpoch: member.memberEpoch,
          rackId: member.rackId,
          subscribedTopics: [...member.subscribedTopicNames].sort(),
          subscribedTopicRegex: null,
          target: assignments,
          revoking: [],
          assigning: [],
          memberType: null,
        },
      };
    }),
  };
}

type Described = { groupId: string; errorCode: number; errorMessage: string | null };

async function describeOnCoordinators(
  admin: Admin,
  groups: readonly string[],
  ask: (connection: Awaited<ReturnType<typeof brokerConnection>>, batch: string[]) => Promise<Array<{ described: Described; info: () => ConsumerGroupInfo }>>,
): Promise<Map<string, ConsumerGroupResult>> {
  const results = new Map<string, ConsumerGroupResult>();
  let pending = [...new Set(groups)];
  for (let attempt = 1; attempt <= ATTEMPTS && pending.length; attempt += 1) {
    const found = await coordinators(admin, pending);
    const byCoordinator = new Map<number, { coordinator: Coordinator; groups: string[] }>();
    for (const group of pending) {
      const coordinator = found.get(group);
      if (!coordinator) continue;
      const entry = byCoordinator.get(coordinator.id) ?? { coordinator, groups: [] };
      entry.groups.push(group);
      byCoordinator.set(coordinator.id, entry);
    }
    const retry: string[] = [];
    await Promise.all(
      [...byCoordinator.values()].flatMap(({ coordinator, groups: ids }) =>
        chunks(ids, GROUP_BATCH).map(async (batch) => {
          const connection = await brokerConnection(admin, coordinator);
          for (const { described, info } of await ask(connection, batch)) {
            if (described.errorCode === ErrorCode.NONE) results.set(described.groupId, { group: info() });
            else if (RETRIABLE.has(described.errorCode) && attempt < ATTEMPTS) retry.push(described.groupId);
            else
              results.set(described.groupId, {
                refused: { errorCode: described.errorCode, error: errorName(described.errorCode), message: described.errorMessage },
              });
          }
        }),
      ),
    );
    pending = retry;
    if (pending.length) await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
  }
  return results;
}
