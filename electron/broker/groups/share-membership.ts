/**
 * The share-group part of the group coordinator: KIP-932's ShareGroupHeartbeat, as Kafka 4.1's
 * GroupMetadataManager runs it for groups of type `share`. Each heartbeat
 * 1. creates or updates the member (its subscription); a new subscription, or a subscribed topic that
 *    appeared, went or grew, bumps the group epoch;
 * 2. when the group epoch is ahead of the target assignment's, the simple assignor (share-group.ts)
 *    computes a new target assignment for every member;
 * 3. gives the member its target at once, in the assignment epoch: share groups revoke nothing, since
 *    several members may consume one partition (the share-partition leader arbitrates records).
 * Members leave with epoch -1 or are fenced when their session times out (`share.session.timeout.ms`
 * of the group, else `group.share.session.timeout.ms`); they heartbeat every `share.heartbeat.interval.ms`
 * (else `group.share.heartbeat.interval.ms`). Every change is a record of share-records.ts appended to
 * the group's `__consumer_offsets` partition and answered once it is on every in-sync replica. When a
 * member goes, the share-partition leaders are told (ShareGroupListener), so its records are released.
 *
 * A group id is one type: a share heartbeat for a classic or consumer group is GROUP_ID_NOT_FOUND.
 */
import { ErrorCode } from '../../kafka/protocol/error-codes';
import type { RecordInput } from '../../kafka/records/record-batch';
import { sameTopicPartitions, type TopicPartitions } from './consumer-group';
import type { GroupPartitions, OwnedPartition } from './group-partitions';
import {
  assignShareGroup,
  newShareMember,
  ShareGroup,
  type ShareGroupMember,
  type ShareGroupView,
  type ShareMemberListener,
  type ShareSubscribedTopic,
} from './share-group';
import {
  encodeShareAssignmentEpochValue,
  encodeShareCurrentAssignmentValue,
  encodeShareGroupEpochValue,
  encodeShareMemberMetadataValue,
  encodeShareTargetMemberValue,
  shareRecord,
  type LoadedShareGroup,
} from './share-records';

/** Member epoch of a heartbeat that leaves the share group. */
export const LEAVE_SHARE_GROUP_MEMBER_EPOCH = -1;

export interface ShareHeartbeatRequest {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  rackId: string | null;
  subscribedTopicNames: string[] | null;
  clientId: string;
  clientHost: string;
}

export interface ShareHeartbeatResult {
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  /** The member's partitions; null when unchanged and not asked for. */
  assignment: TopicPartitions | null;
}

class HeartbeatError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

function failure(errorCode: number, errorMessage: string | null, memberId: string | null = null): ShareHeartbeatResult {
  return { errorCode, errorMessage, memberId, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null };
}

export class ShareMembership {
  readonly #partitions: GroupPartitions;

  constructor(partitions: GroupPartitions) {
    this.#partitions = partitions;
  }

  get #clock() {
    return this.#partitions.clock;
  }

  get #log() {
    return this.#partitions.log;
  }

  /** A group's setting: its GROUP config (share.*), else the broker's group.share.* default. */
  #setting(groupId: string, groupName: string, brokerName: string): number {
    const configured = this.#partitions.broker.groupConfig?.(groupId, groupName);
    const value = configured === undefined ? NaN : Number(configured);
    return Number.isFinite(value) && value > 0 ? value : this.#partitions.broker.config.int(brokerName);
  }

  heartbeatIntervalMs(groupId: string): number {
    return this.#setting(groupId, 'share.heartbeat.interval.ms', 'group.share.heartbeat.interval.ms');
  }

  sessionTimeoutMs(groupId: string): number {
    return this.#setting(groupId, 'share.session.timeout.ms', 'group.share.session.timeout.ms');
  }

  /** The share group of this id, when this broker coordinates it and it is one. */
  shareGroup(groupId: string): ShareGroup | undefined {
    const owned = this.#partitions.ownerOf(groupId);
    return typeof owned === 'number' ? undefined : owned.shareGroups.get(groupId);
  }

  /** What a share-partition leader may ask of a group coordinated here (undefined: not here, or not a share group). */
  view(groupId: string): ShareGroupView | undefined {
    return this.shareGroup(groupId);
  }

  heartbeat(request: ShareHeartbeatRequest): ShareHeartbeatResult | Promise<ShareHeartbeatResult> {
    try {
      this.#validate(request);
      const owned = this.#partitions.ownerOf(request.groupId);
      if (typeof owned === 'number') return failure(owned, null);
      if (request.memberEpoch === LEAVE_SHARE_GROUP_MEMBER_EPOCH) return this.#leave(owned, request);
      return this.#join(owned, request);
    } catch (error) {
      if (error instanceof HeartbeatError) return failure(error.errorCode, error.message);
      throw error;
    }
  }

  /** Kafka 4.1's throwIfShareGroupHeartbeatRequestIsInvalid (v1: the member chooses its id). */
  #validate(r: ShareHeartbeatRequest): void {
    const invalid = (message: string) => new HeartbeatError(ErrorCode.INVALID_REQUEST, message);
    if (r.groupId === '') throw invalid("GroupId can't be empty.");
    if (r.rackId === '') throw invalid("RackId can't be empty.");
    if (r.memberId === '') throw invalid("MemberId can't be empty.");
    if (r.memberEpoch === 0) {
      if (r.subscribedTopicNames === null || r.subscribedTopicNames.length === 0) throw invalid('SubscribedTopicNames must be set in first request.');
    } else if (r.memberEpoch < LEAVE_SHARE_GROUP_MEMBER_EPOCH) {
      throw invalid('MemberEpoch is invalid.');
    }
  }

  #groupFor(owned: OwnedPartition, groupId: string, create: boolean): ShareGroup {
    const existing = owned.shareGroups.get(groupId);
    if (existing) return existing;
    const classic = owned.groups.get(groupId);
    const otherType = owned.consumerGroups.has(groupId) || (classic !== undefined && (classic.members.size > 0 || !classic.is('Empty')));
    if (otherType) throw new HeartbeatError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a share group.`);
    if (!create) throw new HeartbeatError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} not found.`);
    const group = new ShareGroup(groupId);
    owned.shareGroups.set(groupId, group);
    return group;
  }

  #join(owned: OwnedPartition, request: ShareHeartbeatRequest): ShareHeartbeatResult | Promise<ShareHeartbeatResult> {
    const now = this.#clock.now();
    const records: RecordInput[] = [];
    const joining = request.memberEpoch === 0;
    const group = this.#groupFor(owned, request.groupId, joining);
    const groupId = group.groupId;
    const memberId = request.memberId;
    const maxSize = this.#partitions.broker.config.int('group.share.max.size');
    if (!group.members.has(memberId) && group.members.size >= maxSize) {
      throw new HeartbeatError(ErrorCode.GROUP_MAX_SIZE_REACHED, `The share group has reached its maximum capacity of ${maxSize} members.`);
    }
    const existing = group.members.get(memberId);
    if (!existing && !joining) throw new HeartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${groupId}.`);
    if (existing) this.#checkEpoch(existing, request.memberEpoch);
    const member = existing ?? newShareMember(memberId);

    // 1. The member's metadata; a new subscription (a new member's included) bumps the group epoch.
    const updated: ShareGroupMember = {
      ...member,
      rackId: request.rackId ?? member.rackId,
      clientId: request.clientId,
      clientHost: request.clientHost,
      subscribedTopicNames: request.subscribedTopicNames !== null ? [...new Set(request.subscribedTopicNames)].sort() : member.subscribedTopicNames,
    };
    const subscriptionChanged =
      !existing ||
      updated.subscribedTopicNames.length !== member.subscribedTopicNames.length ||
      updated.subscribedTopicNames.some((t, i) => t !== member.subscribedTopicNames[i]);
    const metadataChanged =
      subscriptionChanged || updated.rackId !== member.rackId || updated.clientId !== member.clientId || updated.clientHost !== member.clientHost;
    if (metadataChanged)
      records.push(
        shareRecord(
          'memberMetadata',
          groupId,
          memberId,
          encodeShareMemberMetadataValue({ ...updated, subscribedTopicNames: [...updated.subscribedTopicNames] }),
          now,
        ),
      );
    group.members.set(memberId, updated);
    if (!existing) this.#log.info('member joins the share group', { group: groupId, member: memberId });

    let bump = subscriptionChanged;
    bump = this.#refreshSubscriptionMetadata(group) || bump;
    if (bump) {
      group.groupEpoch++;
      records.push(shareRecord('groupMetadata', groupId, null, encodeShareGroupEpochValue(group.groupEpoch), now));
    }

    // 2. A new target assignment when the group epoch moved past it.
    if (group.groupEpoch > group.assignmentEpoch) this.#updateTargetAssignment(group, records, now);

    // 3. The member takes its target in the assignment epoch.
    const before = group.members.get(memberId)!;
    const after = this.#reconcile(group, before, records, now);
    this.#scheduleSession(owned, group, memberId);

    const fullRequest = joining || request.subscribedTopicNames !== null;
    return this.#write(owned, records, {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId,
      memberEpoch: after.memberEpoch,
      heartbeatIntervalMs: this.heartbeatIntervalMs(groupId),
      assignment: fullRequest || !sameTopicPartitions(member.assignedPartitions, after.assignedPartitions) ? after.assignedPartitions : null,
    });
  }

  /** Kafka's throwIfShareGroupMemberEpochIsInvalid: the current epoch, or the previous one when the answer that bumped it was lost. */
  #checkEpoch(member: ShareGroupMember, received: number): void {
    if (received === 0) return;
    if (received > member.memberEpoch || (received < member.memberEpoch && received !== member.previousMemberEpoch)) {
      throw new HeartbeatError(
        ErrorCode.FENCED_MEMBER_EPOCH,
        `The share group member has a ${received > member.memberEpoch ? 'greater' : 'smaller'} member epoch (${received}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`,
      );
    }
  }

  #write(owned: OwnedPartition, records: RecordInput[], result: ShareHeartbeatResult): ShareHeartbeatResult | Promise<ShareHeartbeatResult> {
    const written = this.#partitions.append(owned, records);
    const finish = (code: number): ShareHeartbeatResult => (code === ErrorCode.NONE ? result : failure(code, null, result.memberId));
    return written instanceof Promise ? written.then(finish) : finish(written);
  }

  /** The subscribed topics as the cluster has them now; true when their layout changed. */
  #refreshSubscriptionMetadata(group: ShareGroup): boolean {
    const metadata = this.#partitions.broker.metadata;
    const next = new Map<string, ShareSubscribedTopic>();
    for (const member of group.members.values()) {
      for (const name of member.subscribedTopicNames) {
        if (next.has(name)) continue;
        const topic = metadata.topic(name);
        if (topic && !topic.internal) next.set(name, { topicId: topic.topicId, name, numPartitions: topic.partitions.length });
      }
    }
    const current = group.subscriptionMetadata;
    const same =
      next.size === current.size &&
      [...next].every(([name, t]) => {
        const c = current.get(name);
        return c !== undefined && c.topicId === t.topicId && c.numPartitions === t.numPartitions;
      });
    if (same) return false;
    group.subscriptionMetadata = next;
    return true;
  }

  #updateTargetAssignment(group: ShareGroup, records: RecordInput[], now: number): void {
    const members = [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      topicIds: new Set(
        m.subscribedTopicNames.flatMap((name) => (group.subscriptionMetadata.has(name) ? [group.subscriptionMetadata.get(name)!.topicId] : [])),
      ),
    }));
    const topics = new Map([...group.subscriptionMetadata.values()].map((t) => [t.topicId, t]));
    const assignment = assignShareGroup(members, topics);
    for (const m of members) {
      const next = assignment.get(m.memberId) ?? new Map<string, Set<number>>();
      const previous = group.targetAssignment.get(m.memberId);
      if (previous && sameTopicPartitions(previous, next)) continue;
      group.targetAssignment.set(m.memberId, next);
      records.push(shareRecord('targetAssignmentMember', group.groupId, m.memberId, encodeShareTargetMemberValue(next), now));
    }
    group.assignmentEpoch = group.groupEpoch;
    records.push(shareRecord('targetAssignmentMetadata', group.groupId, null, encodeShareAssignmentEpochValue(group.assignmentEpoch), now));
    this.#log.info('computed a new share group assignment', { group: group.groupId, epoch: group.assignmentEpoch, members: members.length });
  }

  #reconcile(group: ShareGroup, member: ShareGroupMember, records: RecordInput[], now: number): ShareGroupMember {
    const target = group.targetOf(member.memberId);
    if (member.memberEpoch === group.assignmentEpoch && sameTopicPartitions(member.assignedPartitions, target)) return member;
    const next: ShareGroupMember = {
      ...member,
      previousMemberEpoch: member.memberEpoch,
      memberEpoch: group.assignmentEpoch,
      assignedPartitions: target,
    };
    records.push(shareRecord('currentMemberAssignment', group.groupId, member.memberId, encodeShareCurrentAssignmentValue(next), now));
    group.members.set(member.memberId, next);
    return next;
  }

  // -----------------------------------------------------------------------------------------------
  // Leaving and fencing

  #leave(owned: OwnedPartition, request: ShareHeartbeatRequest): ShareHeartbeatResult | Promise<ShareHeartbeatResult> {
    const group = owned.shareGroups.get(request.groupId);
    if (!group) {
      const otherType = owned.consumerGroups.has(request.groupId) || owned.groups.get(request.groupId)?.members.size;
      throw new HeartbeatError(
        ErrorCode.GROUP_ID_NOT_FOUND,
        otherType ? `Group ${request.groupId} is not a share group.` : `Group ${request.groupId} not found.`,
      );
    }
    if (!group.members.has(request.memberId)) {
      throw new HeartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${request.memberId} is not a member of group ${group.groupId}.`);
    }
    this.#log.info('member left the share group', { group: group.groupId, member: request.memberId });
    const records = this.#fence(group, request.memberId, this.#clock.now());
    return this.#write(owned, records, {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: request.memberId,
      memberEpoch: LEAVE_SHARE_GROUP_MEMBER_EPOCH,
      heartbeatIntervalMs: 0,
      assignment: null,
    });
  }

  /** Removes a member, bumps the group epoch and tells the share-partition leaders. */
  #fence(group: ShareGroup, memberId: string, now: number): RecordInput[] {
    const records: RecordInput[] = [
      // Kafka's order: current assignment, target assignment, then the member's metadata.
      shareRecord('currentMemberAssignment', group.groupId, memberId, null, now),
      shareRecord('targetAssignmentMember', group.groupId, memberId, null, now),
      shareRecord('memberMetadata', group.groupId, memberId, null, now),
    ];
    this.#cancelSession(group, memberId);
    group.members.delete(memberId);
    group.targetAssignment.delete(memberId);
    this.#refreshSubscriptionMetadata(group);
    group.groupEpoch++;
    records.push(shareRecord('groupMetadata', group.groupId, null, encodeShareGroupEpochValue(group.groupEpoch), now));
    this.#notify((l) => l.onMemberLeave(group.groupId, memberId));
    if (group.members.size === 0) this.#notify((l) => l.onGroupEmpty(group.groupId));
    return records;
  }

  #notify(call: (listener: ShareMemberListener) => void): void {
    for (const listener of this.#partitions.broker.shareListeners?.() ?? []) this.#partitions.guarded('share group listener', () => call(listener));
  }

  #scheduleSession(owned: OwnedPartition, group: ShareGroup, memberId: string): void {
    this.#cancelSession(group, memberId);
    group.sessionTimers.set(
      memberId,
      this.#partitions.schedule(
        'share group session timeout',
        () => {
          group.sessionTimers.delete(memberId);
          if (group.dead || owned.shareGroups.get(group.groupId) !== group || !group.members.has(memberId)) return;
          this.#log.info('member fenced from the share group', { group: group.groupId, member: memberId, reason: 'the member session expired' });
          const records = this.#fence(group, memberId, this.#clock.now());
          this.#partitions.whenWritten(this.#partitions.append(owned, records), 'share group fencing', (code) => {
            if (code !== ErrorCode.NONE) this.#log.warn('could not write a fenced share member', { group: group.groupId, member: memberId, errorCode: code });
          });
        },
        this.sessionTimeoutMs(group.groupId),
      ),
    );
  }

  #cancelSession(group: ShareGroup, memberId: string): void {
    const timer = group.sessionTimers.get(memberId);
    if (timer !== undefined) this.#clock.clearTimeout(timer);
    group.sessionTimers.delete(memberId);
  }

  // -----------------------------------------------------------------------------------------------
  // The coordinator's calls

  /** Forgets a group (its partition is no longer ours, or it was deleted): its timers stop. */
  dropGroup(group: ShareGroup): void {
    group.dead = true;
    for (const memberId of [...group.sessionTimers.keys()]) this.#cancelSession(group, memberId);
  }

  /** Tombstones of every record of a group (DeleteGroups on an empty share group). */
  tombstones(group: ShareGroup, now: number): RecordInput[] {
    const records: RecordInput[] = [];
    for (const memberId of group.members.keys()) records.push(shareRecord('currentMemberAssignment', group.groupId, memberId, null, now));
    for (const memberId of group.targetAssignment.keys()) records.push(shareRecord('targetAssignmentMember', group.groupId, memberId, null, now));
    records.push(shareRecord('targetAssignmentMetadata', group.groupId, null, null, now));
    for (const memberId of group.members.keys()) records.push(shareRecord('memberMetadata', group.groupId, memberId, null, now));
    records.push(shareRecord('groupMetadata', group.groupId, null, null, now));
    return records;
  }

  /** Rebuilds a group read back from its offsets partition; members get a full session to heartbeat again. */
  restoreGroup(owned: OwnedPartition, groupId: string, loaded: LoadedShareGroup): ShareGroup {
    const group = new ShareGroup(groupId);
    group.groupEpoch = loaded.groupEpoch ?? 0;
    group.assignmentEpoch = loaded.assignmentEpoch;
    for (const [memberId, target] of loaded.targets) group.targetAssignment.set(memberId, target);
    for (const [memberId, metadata] of loaded.members) {
      const current = loaded.current.get(memberId);
      group.members.set(memberId, { ...newShareMember(memberId), ...metadata, ...(current ?? {}) });
    }
    // The subscribed topics as the cluster has them now (Kafka keeps only their hash): a topic that
    // changed while no coordinator ran is not noticed until the next change of the group.
    const metadata = this.#partitions.broker.metadata;
    for (const member of group.members.values()) {
      for (const name of member.subscribedTopicNames) {
        const topic = metadata.topic(name);
        if (topic && !group.subscriptionMetadata.has(name))
          group.subscriptionMetadata.set(name, { topicId: topic.topicId, name, numPartitions: topic.partitions.length });
      }
    }
    owned.shareGroups.set(groupId, group);
    for (const memberId of group.members.keys()) this.#scheduleSession(owned, group, memberId);
    return group;
  }
}
