/**
 * KIP-848's online migration between the two group protocols, the data side (Kafka 3.8+'s
 * ConsumerGroup.fromClassicGroup and ClassicGroup.fromConsumerGroup): a classic group whose members use
 * the `consumer` embedded protocol becomes a consumer group when a ConsumerGroupHeartbeat member joins
 * (upgrade), and a consumer group whose last consumer-protocol member leaves becomes a classic group
 * again (downgrade), as `group.consumer.migration.policy` permits. Classic members of a consumer group
 * keep speaking JoinGroup/SyncGroup/Heartbeat; their subscription and owned partitions are read from
 * their ConsumerProtocolSubscription and their assignment is written as a ConsumerProtocolAssignment.
 * The protocol side (when, and the records written) is in consumer-membership.ts.
 */
import { decodeConsumerProtocolAssignment, encodeConsumerProtocolAssignment } from '../../kafka/protocol/generated/consumer-protocol-assignment';
import { decodeConsumerProtocolSubscription, type ConsumerProtocolSubscription } from '../../kafka/protocol/generated/consumer-protocol-subscription';
import { Reader } from '../../kafka/protocol/reader';
import { Writer } from '../../kafka/protocol/writer';
import { newMember, type ConsumerGroup, type ConsumerGroupMember, type TopicPartitions } from './consumer-group';
import type { OwnedTopicPartitions } from './current-assignment';
import type { Group } from './group';
import type { GroupMetadataValue } from './records';

/** `group.consumer.migration.policy` (Kafka's ConsumerGroupMigrationPolicy); an unknown value is `disabled`, as Kafka parses it. */
export type MigrationPolicy = 'bidirectional' | 'upgrade' | 'downgrade' | 'disabled';

export const MIGRATION_POLICIES: readonly MigrationPolicy[] = ['bidirectional', 'upgrade', 'downgrade', 'disabled'];

export function parseMigrationPolicy(value: string | undefined): MigrationPolicy {
  const policy = (value ?? '').trim().toLowerCase();
  return (MIGRATION_POLICIES as readonly string[]).includes(policy) ? (policy as MigrationPolicy) : 'disabled';
}

export const upgradeEnabled = (policy: MigrationPolicy) => policy === 'bidirectional' || policy === 'upgrade';
export const downgradeEnabled = (policy: MigrationPolicy) => policy === 'bidirectional' || policy === 'downgrade';

/** The embedded consumer protocol of a classic member cannot be read. */
export class MalformedEmbeddedProtocolError extends Error {}

/** The highest ConsumerProtocolSubscription/Assignment version known; newer ones are read as it (Kafka does the same). */
const CONSUMER_PROTOCOL_MAX_VERSION = 3;

/** The version of an embedded consumer protocol buffer. */
export function embeddedVersion(metadata: Buffer): number {
  if (metadata.length < 2) throw new MalformedEmbeddedProtocolError('no version');
  return metadata.readInt16BE(0);
}

/** A ConsumerProtocolSubscription (version prefix included). */
export function decodeSubscription(metadata: Buffer): ConsumerProtocolSubscription {
  try {
    const r = new Reader(metadata);
    const version = Math.min(r.readInt16(), CONSUMER_PROTOCOL_MAX_VERSION);
    if (version < 0) throw new Error(`version ${version}`);
    return decodeConsumerProtocolSubscription(r, version);
  } catch (error) {
    throw new MalformedEmbeddedProtocolError(`malformed ConsumerProtocolSubscription: ${(error as Error).message}`);
  }
}

/** Topic name -> id, as the cluster has them now. */
export type TopicIdOf = (name: string) => string | undefined;
/** Topic id -> name. */
export type TopicNameOf = (topicId: string) => string | undefined;

/** A ConsumerProtocolAssignment's partitions by topic id (topics the cluster does not know are dropped, as Kafka's toTopicPartitionMap). */
export function decodeAssignment(bytes: Buffer, idOf: TopicIdOf): TopicPartitions {
  const result: TopicPartitions = new Map();
  if (bytes.length === 0) return result;
  let decoded;
  try {
    const r = new Reader(bytes);
    const version = Math.min(r.readInt16(), CONSUMER_PROTOCOL_MAX_VERSION);
    if (version < 0) throw new Error(`version ${version}`);
    decoded = decodeConsumerProtocolAssignment(r, version);
  } catch (error) {
    throw new MalformedEmbeddedProtocolError(`malformed ConsumerProtocolAssignment: ${(error as Error).message}`);
  }
  for (const tp of decoded.assignedPartitions) {
    const topicId = idOf(tp.topic);
    if (topicId === undefined || tp.partitions.length === 0) continue;
    const set = result.get(topicId) ?? new Set<number>();
    for (const p of tp.partitions) set.add(p);
    result.set(topicId, set);
  }
  return result;
}

/** A member's partitions as a ConsumerProtocolAssignment in the version of its subscription (Kafka's prepareAssignment). */
export function encodeAssignment(assignment: TopicPartitions, nameOf: TopicNameOf, subscriptionVersion: number): Buffer {
  const version = Math.max(0, Math.min(subscriptionVersion, CONSUMER_PROTOCOL_MAX_VERSION));
  const assignedPartitions = [...assignment]
    .flatMap(([topicId, partitions]) => {
      const topic = nameOf(topicId);
      return topic === undefined ? [] : [{ topic, partitions: [...partitions].sort((a, b) => a - b) }];
    })
    .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  const w = new Writer(32).int16(version);
  encodeConsumerProtocolAssignment(w, version, { assignedPartitions, userData: null });
  return w.toBuffer();
}

/** The owned partitions a classic member's subscription lists, by topic id (unknown topics dropped, as Kafka's toTopicPartitions). */
export function ownedPartitionsOf(subscription: ConsumerProtocolSubscription, idOf: TopicIdOf): OwnedTopicPartitions {
  return subscription.ownedPartitions.flatMap((tp) => {
    const topicId = idOf(tp.topic);
    return topicId === undefined ? [] : [{ topicId, partitions: tp.partitions }];
  });
}

/**
 * The members a classic group brings into the consumer group it becomes (Kafka's fromClassicGroup): each
 * keeps its last assignment, as its current and its target one, in the group's generation, Stable.
 */
export function membersFromClassicGroup(classic: Group, idOf: TopicIdOf): ConsumerGroupMember[] {
  const protocol = classic.protocolName;
  return [...classic.members.values()].map((m) => {
    // A group in its first rebalance has chosen no protocol yet: the member's preferred one.
    const subscription = decodeSubscription(protocol !== null ? m.metadata(protocol) : (m.protocols[0]?.metadata ?? Buffer.alloc(0)));
    const assigned = decodeAssignment(m.assignment, idOf);
    return {
      ...newMember(m.memberId),
      memberEpoch: classic.generationId,
      previousMemberEpoch: classic.generationId,
      state: 'STABLE',
      instanceId: m.groupInstanceId,
      rackId: subscription.rackId,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopicNames: [...new Set(subscription.topics)].sort(),
      assignedPartitions: assigned,
      classicMetadata: { sessionTimeoutMs: m.sessionTimeoutMs, supportedProtocols: m.protocols.map((p) => ({ name: p.name, metadata: p.metadata })) },
    } satisfies ConsumerGroupMember;
  });
}

/**
 * The classic group a consumer group becomes when `leavingMemberId`, its last consumer-protocol member,
 * leaves (Kafka's fromConsumerGroup): every other member with its target assignment, in the group epoch;
 * the protocol is the one the members prefer among those all support. The coordinator then starts a
 * rebalance so the members join the classic group.
 */
export function classicGroupValueFrom(group: ConsumerGroup, leavingMemberId: string, nameOf: TopicNameOf, now: number): GroupMetadataValue {
  const members = [...group.members.values()].filter((m) => m.memberId !== leavingMemberId && m.classicMetadata !== null);
  const protocol = selectClassicProtocol(members);
  return {
    protocolType: 'consumer',
    generation: group.groupEpoch,
    protocol,
    leader: members[0]?.memberId ?? null,
    currentStateTimestamp: now,
    members: members.map((m) => {
      const subscription = m.classicMetadata!.supportedProtocols.find((p) => p.name === protocol)?.metadata ?? Buffer.alloc(0);
      return {
        memberId: m.memberId,
        groupInstanceId: m.instanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        sessionTimeoutMs: m.classicMetadata!.sessionTimeoutMs,
        subscription,
        assignment: encodeAssignment(group.targetOf(m.memberId), nameOf, subscription.length >= 2 ? embeddedVersion(subscription) : 0),
      };
    }),
  };
}

/** Among the protocols every member supports, the one most members list first (Kafka's ClassicGroup.selectProtocol). */
function selectClassicProtocol(members: readonly ConsumerGroupMember[]): string | null {
  const first = members[0]?.classicMetadata;
  if (!first) return null;
  const candidates = first.supportedProtocols
    .map((p) => p.name)
    .filter((name) => members.every((m) => m.classicMetadata!.supportedProtocols.some((p) => p.name === name)));
  const votes = new Map<string, number>();
  for (const m of members) {
    const vote = m.classicMetadata!.supportedProtocols.find((p) => candidates.includes(p.name))?.name;
    if (vote !== undefined) votes.set(vote, (votes.get(vote) ?? 0) + 1);
  }
  let best: string | null = null;
  let bestVotes = -1;
  for (const name of candidates) {
    const count = votes.get(name) ?? 0;
    if (count > bestVotes) {
      best = name;
      bestVotes = count;
    }
  }
  return best;
}
