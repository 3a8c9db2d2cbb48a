/**
 * Reconciliation of one member's current assignment towards the group's target assignment, as Kafka's
 * CurrentAssignmentBuilder does it (KIP-848): a partition moves between members only once its previous
 * owner has revoked it. A member that must give partitions up stays in its epoch (UNREVOKED_PARTITIONS)
 * until its heartbeat no longer lists them; then it moves to the target epoch and gets the partitions
 * no other member owns any more; those still owned elsewhere wait (UNRELEASED_PARTITIONS) and come with a
 * later heartbeat once released.
 */
import { ErrorCode } from '../../kafka/protocol/error-codes';
import type { ConsumerGroupMember, TopicPartitions } from './consumer-group';

/** The owned partitions a heartbeat reports (null: not sent with this heartbeat). */
export type OwnedTopicPartitions = ReadonlyArray<{ topicId: string; partitions: readonly number[] }> | null;

/** The member must drop every partition and join again (FENCED_MEMBER_EPOCH). */
export class FencedMemberError extends Error {
  readonly errorCode = ErrorCode.FENCED_MEMBER_EPOCH;
}

function ownsAny(owned: OwnedTopicPartitions, partitions: TopicPartitions): boolean {
  if (owned === null) return true;
  for (const tp of owned) {
    const pending = partitions.get(tp.topicId);
    if (pending && tp.partitions.some((p) => pending.has(p))) return true;
  }
  return false;
}

export function reconcile(
  member: ConsumerGroupMember,
  targetEpoch: number,
  target: TopicPartitions,
  currentPartitionEpoch: (topicId: string, partition: number) => number,
  owned: OwnedTopicPartitions,
): ConsumerGroupMember {
  const next = (memberEpoch: number, assigned: TopicPartitions): ConsumerGroupMember => {
    let hasUnreleased = false;
    const newAssigned: TopicPartitions = new Map();
    const newRevoking: TopicPartitions = new Map();
    const newPending: TopicPartitions = new Map();
    for (const topicId of new Set([...target.keys(), ...assigned.keys()])) {
      const targetSet = target.get(topicId) ?? new Set<number>();
      const current = assigned.get(topicId) ?? new Set<number>();
      const kept = new Set([...current].filter((p) => targetSet.has(p)));
      const revoking = new Set([...current].filter((p) => !kept.has(p)));
      const pending = new Set<number>();
      for (const p of targetSet) {
        if (kept.has(p)) continue;
        if (currentPartitionEpoch(topicId, p) !== -1) hasUnreleased = true;
        else pending.add(p);
      }
      if (kept.size > 0) newAssigned.set(topicId, kept);
      if (revoking.size > 0) newRevoking.set(topicId, revoking);
      if (pending.size > 0) newPending.set(topicId, pending);
    }
    const moveTo = (state: ConsumerGroupMember['state'], epoch: number, assignedPartitions: TopicPartitions, pendingRevocation: TopicPartitions) => ({
      ...member,
      state,
      // Kafka's updateMemberEpoch: the epoch it had becomes the previous one, even when unchanged.
      previousMemberEpoch: member.memberEpoch,
      memberEpoch: epoch,
      assignedPartitions,
      partitionsPendingRevocation: pendingRevocation,
    });
    if (newRevoking.size > 0 && ownsAny(owned, newRevoking)) {
      // Revoke first: the member stays in its epoch until it says it let them go.
      return moveTo('UNREVOKED_PARTITIONS', memberEpoch, newAssigned, newRevoking);
    }
    for (const [topicId, partitions] of newPending) {
      const set = newAssigned.get(topicId) ?? new Set<number>();
      for (const p of partitions) set.add(p);
      newAssigned.set(topicId, set);
    }
    return moveTo(hasUnreleased ? 'UNRELEASED_PARTITIONS' : 'STABLE', targetEpoch, newAssigned, new Map());
  };

  switch (member.state) {
    case 'STABLE':
      return member.memberEpoch !== targetEpoch ? next(member.memberEpoch, member.assignedPartitions) : member;
    case 'UNREVOKED_PARTITIONS':
      if (ownsAny(owned, member.partitionsPendingRevocation)) return member;
      return next(member.memberEpoch + 1, member.assignedPartitions);
    case 'UNRELEASED_PARTITIONS':
      return next(member.memberEpoch, member.assignedPartitions);
    case 'UNKNOWN':
      if (owned === null || owned.length > 0)
        throw new FencedMemberError('The consumer group member is in an unknown state. The member must abandon all its partitions and rejoin.');
      return next(targetEpoch, member.assignedPartitions);
  }
}
