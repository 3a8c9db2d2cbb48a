/**
 * The consumer-group part of the group coordinator: KIP-848's ConsumerGroupHeartbeat, as Kafka's
 * GroupMetadataManager runs it for groups of type `consumer`. Each heartbeat
 * 1. creates or updates the member (its subscription, rebalance timeout, assignor); a changed
 *    subscription, or a subscribed topic that appeared, went or grew, bumps the group epoch;
 * 2. when the group epoch is ahead of the target assignment's, the server-side assignor computes a new
 *    target assignment for every member;
 * 3. reconciles the member's current assignment towards its target (current-assignment.ts): partitions
 *    are revoked from their owner before another member gets them.
 * Members are fenced (removed) when their session times out (`group.consumer.session.timeout.ms`) or
 * when they keep partitions to revoke beyond their rebalance timeout; they are told to heartbeat every
 * `group.consumer.heartbeat.interval.ms`. Every change is a record of consumer-records.ts appended to the
 * group's `__consumer_offsets` partition; it is applied in memory at once (as Kafka replays its records
 * before they commit) and the member is answered once the write is on every in-sync replica.
 *
 * A group id is one type or the other: a heartbeat for a classic group with members is answered
 * GROUP_ID_NOT_FOUND; an empty classic group (only committed offsets) becomes a consumer group.
 */
import { randomBytes } from 'node:crypto';
import { RE2JS } from 're2js';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import type { RecordInput } from '../../kafka/records/record-batch';
import { configuredAssignors, type AssignorMember, type PartitionAssignor } from './consumer-assignors';
import {
  ConsumerGroup,
  isReconciledTo,
  LEAVE_GROUP_MEMBER_EPOCH,
  LEAVE_GROUP_STATIC_MEMBER_EPOCH,
  newMember,
  sameCurrentAssignment,
  sameMemberMetadata,
  sameSubscription,
  sameTopicPartitions,
  type ConsumerGroupMember,
  type SubscribedTopic,
  type TopicPartitions,
} from './consumer-group';
import {
  consumerRecord,
  encodeAssignmentEpochValue,
  encodeCurrentAssignmentValue,
  encodeGroupEpochValue,
  encodeMemberMetadataValue,
  encodePartitionMetadataValue,
  encodeTargetMemberValue,
  type LoadedConsumerGroup,
} from './consumer-records';
import { FencedMemberError, reconcile, type OwnedTopicPartitions } from './current-assignment';
import {
  classicGroupValueFrom,
  decodeSubscription,
  downgradeEnabled,
  embeddedVersion,
  encodeAssignment,
  MalformedEmbeddedProtocolError,
  membersFromClassicGroup,
  ownedPartitionsOf,
  parseMigrationPolicy,
  upgradeEnabled,
  type MigrationPolicy,
} from './consumer-group-migration';
import { Group, joinError, syncError, type JoinResult, type SyncResult, type TimerHandle } from './group';
import type { JoinRequest, LeaveResult, MemberRef, SyncRequest } from './group-membership';
import type { GroupPartitions, OwnedPartition } from './group-partitions';
import { groupMetadataRecord } from './offsets-store';
import type { GroupMetadataValue } from './records';

/** ConsumerGroupHeartbeat v1+: the member chooses its id (KIP-1082); v0: the coordinator does. */
export const CONSUMER_GENERATED_MEMBER_ID_VERSION = 1;

export interface ConsumerHeartbeatRequest {
  apiVersion: number;
  groupId: string;
  memberId: string;
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[] | null;
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  topicPartitions: OwnedTopicPartitions;
  clientId: string;
  clientHost: string;
  /**
   * With ACLs on, whether the member's principal may DESCRIBE a topic: its regex matches only those
   * (KAFKA-18813). Null or absent: every topic.
   */
  mayDescribeTopic?: ((topic: string) => boolean) | null;
}

export interface ConsumerHeartbeatResult {
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  /** The partitions the member may use now; null when unchanged and not asked for. */
  assignment: TopicPartitions | null;
}

/** A refusal with Kafka's error code and message (Kafka throws an ApiException). */
class HeartbeatError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

function failure(errorCode: number, errorMessage: string | null, memberId: string | null = null): ConsumerHeartbeatResult {
  return { errorCode, errorMessage, memberId, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null };
}

/** Kafka's Uuid.randomUuid().toString(): 16 random bytes in URL-safe base64 without padding. */
export function newKafkaUuidString(): string {
  return randomBytes(16).toString('base64url');
}

/** A subscribed regex compiled with RE2 (Kafka uses RE2/J), cached by its text. */
const regexCache = new Map<string, RE2JS>();
function compileRegex(pattern: string): RE2JS {
  let compiled = regexCache.get(pattern);
  if (!compiled) {
    compiled = RE2JS.compile(pattern);
    if (regexCache.size > 256) regexCache.clear();
    regexCache.set(pattern, compiled);
  }
  return compiled;
}

/**
 * What the consumer-group side needs of the classic one to migrate a group between the protocols
 * (coordinator.ts wires GroupMembership in). Both change the group entry that also holds the group's
 * committed offsets, in place, so the offsets stay.
 */
export interface ClassicGroupsHost {
  /** A classic group became a consumer group: its waiting requests are told to rejoin; its members and timers go. */
  retire(group: Group): void;
  /** A consumer group became a classic group: `holder` takes the members of `value`, Stable, and starts a rebalance. */
  adopt(holder: Group, value: GroupMetadataValue): void;
}

/** What one request changes: the records that say it, the answer once they are written, and what to do once they are appended. */
interface Change<T> {
  records: RecordInput[];
  result: T;
  afterAppend?: () => void;
}

export class ConsumerMembership {
  readonly #partitions: GroupPartitions;
  readonly #classic: ClassicGroupsHost;

  constructor(partitions: GroupPartitions, classic: ClassicGroupsHost) {
    this.#partitions = partitions;
    this.#classic = classic;
  }

  get #clock() {
    return this.#partitions.clock;
  }

  get #log() {
    return this.#partitions.log;
  }

  get #config() {
    return this.#partitions.broker.config;
  }

  heartbeatIntervalMs(): number {
    return this.#config.int('group.consumer.heartbeat.interval.ms');
  }

  sessionTimeoutMs(): number {
    return this.#config.int('group.consumer.session.timeout.ms');
  }

  assignors(): PartitionAssignor[] {
    return configuredAssignors(this.#config.value('group.consumer.assignors') ?? 'uniform,range');
  }

  migrationPolicy(): MigrationPolicy {
    return parseMigrationPolicy(this.#config.value('group.consumer.migration.policy') ?? undefined);
  }

  /** The consumer group of this id, when this broker coordinates it and it is one. */
  consumerGroup(groupId: string): ConsumerGroup | undefined {
    const owned = this.#partitions.ownerOf(groupId);
    return typeof owned === 'number' ? undefined : owned.consumerGroups.get(groupId);
  }

  #topicIdOf = (name: string): string | undefined => this.#partitions.broker.metadata.topic(name)?.topicId;

  #topicNameOf = (topicId: string): string | undefined => {
    for (const topic of this.#partitions.broker.metadata.topics()) if (topic.topicId === topicId) return topic.name;
    return undefined;
  };

  heartbeat(request: ConsumerHeartbeatRequest): ConsumerHeartbeatResult | Promise<ConsumerHeartbeatResult> {
    try {
      this.#validate(request);
    } catch (error) {
      if (error instanceof HeartbeatError) return failure(error.errorCode, error.message);
      throw error;
    }
    const owned = this.#partitions.ownerOf(request.groupId);
    if (typeof owned === 'number') return failure(owned, null);
    const revert = this.#checkpoint(owned, request.groupId);
    let change: Change<ConsumerHeartbeatResult>;
    try {
      const leaving = request.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH || request.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH;
      change = leaving ? this.#leave(owned, request) : this.#join(owned, request);
    } catch (error) {
      revert();
      if (error instanceof HeartbeatError || error instanceof FencedMemberError) return failure(error.errorCode, error.message);
      throw error;
    }
    return this.#answer(owned, request.groupId, change, revert, (code) => failure(code, null, change.result.memberId));
  }

  // -----------------------------------------------------------------------------------------------
  // Writes and their rollback

  /**
   * The group's state before a request changes it, and how to go back to it (Kafka keeps groups in
   * timeline structures and reverts them when an append fails): the consumer group's snapshot, the
   * generation fields of the classic entry of the id, and which objects the partition held for it.
   */
  #checkpoint(owned: OwnedPartition, groupId: string): () => void {
    const consumer = owned.consumerGroups.get(groupId);
    const snapshot = consumer?.snapshot();
    const classic = owned.groups.get(groupId);
    const classicFields = classic && {
      generationId: classic.generationId,
      protocolType: classic.protocolType,
      protocolName: classic.protocolName,
      leaderId: classic.leaderId,
    };
    return () => {
      const current = owned.consumerGroups.get(groupId);
      if (current !== undefined && current !== consumer) {
        this.dropGroup(current);
        owned.consumerGroups.delete(groupId);
      }
      if (consumer !== undefined && snapshot !== undefined) {
        owned.consumerGroups.set(groupId, consumer);
        consumer.revertTo(snapshot);
        this.#resyncTimers(owned, consumer);
      }
      if (classic !== undefined && classicFields !== undefined) {
        Object.assign(classic, classicFields);
        owned.groups.set(groupId, classic);
      }
    };
  }

  /**
   * Appends a change's records. An append refused at once (no quorum of in-sync replicas, a full disk)
   * wrote nothing: the group goes back to how it was and the error is the answer. Otherwise the answer
   * waits for the write; a write that fails later stays in memory, as in Kafka, where it is in the
   * leader's log (a new coordinator reads what was committed).
   */
  #commit(owned: OwnedPartition, groupId: string, change: Change<unknown>, revert: () => void): number | Promise<number> {
    const written = this.#partitions.append(owned, change.records);
    if (typeof written === 'number' && written !== ErrorCode.NONE) {
      revert();
      this.#log.warn('a consumer group write was refused: the group is left as it was', { group: groupId, errorCode: written });
      return written;
    }
    change.afterAppend?.();
    return written;
  }

  /** #commit, answered with the change's result or `fail(code)`. */
  #answer<T>(owned: OwnedPartition, groupId: string, change: Change<T>, revert: () => void, fail: (code: number) => T): T | Promise<T> {
    const written = this.#commit(owned, groupId, change, revert);
    const finish = (code: number): T => (code === ErrorCode.NONE ? change.result : fail(code));
    return written instanceof Promise ? written.then(finish) : finish(written);
  }

  /** After a revert: timers for the members the group has again, none for those it no longer has. */
  #resyncTimers(owned: OwnedPartition, group: ConsumerGroup): void {
    for (const timers of [group.sessionTimers, group.rebalanceTimers, group.joinTimers, group.syncTimers]) {
      for (const [memberId, timer] of [...timers]) {
        if (group.members.has(memberId)) continue;
        this.#clock.clearTimeout(timer);
        timers.delete(memberId);
      }
    }
    for (const member of group.members.values()) {
      if (!group.sessionTimers.has(member.memberId)) this.#scheduleSession(owned, group, member.memberId);
      if (member.state === 'UNREVOKED_PARTITIONS' && !group.rebalanceTimers.has(member.memberId)) this.#scheduleRebalanceTimeout(owned, group, member);
      if (member.state !== 'UNREVOKED_PARTITIONS') this.#cancelRebalanceTimeout(group, member.memberId);
    }
  }

  /** Kafka's throwIfConsumerGroupHeartbeatRequestIsInvalid. */
  #validate(r: ConsumerHeartbeatRequest): void {
    const invalid = (message: string) => new HeartbeatError(ErrorCode.INVALID_REQUEST, message);
    if (r.apiVersion >= CONSUMER_GENERATED_MEMBER_ID_VERSION || r.memberEpoch > 0 || r.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH) {
      if (r.memberId === '') throw invalid("MemberId can't be empty.");
    }
    if (r.groupId === '') throw invalid("GroupId can't be empty.");
    if (r.instanceId === '') throw invalid("InstanceId can't be empty.");
    if (r.rackId === '') throw invalid("RackId can't be empty.");
    if (r.memberEpoch === 0) {
      if (r.rebalanceTimeoutMs === -1) throw invalid('RebalanceTimeoutMs must be provided in first request.');
      if (r.topicPartitions === null || r.topicPartitions.length > 0) throw invalid('TopicPartitions must be empty when (re-)joining.');
      if (r.subscribedTopicNames === null && r.subscribedTopicRegex === null) {
        throw invalid('Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.');
      }
    } else if (r.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      if (r.instanceId === null) throw invalid("InstanceId can't be null.");
      if (r.memberId === '') throw invalid("MemberId can't be empty.");
    } else if (r.memberEpoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      throw invalid('MemberEpoch is invalid.');
    }
    if (r.subscribedTopicRegex !== null && r.subscribedTopicRegex !== '') {
      try {
        compileRegex(r.subscribedTopicRegex);
      } catch (error) {
        throw new HeartbeatError(
          ErrorCode.INVALID_REGULAR_EXPRESSION,
          `SubscribedTopicRegex \`${r.subscribedTopicRegex}\` is not a valid regular expression: ${(error as Error).message}.`,
        );
      }
    }
    if (r.serverAssignor !== null) {
      const names = this.assignors().map((a) => a.name);
      if (!names.includes(r.serverAssignor)) {
        throw new HeartbeatError(
          ErrorCode.UNSUPPORTED_ASSIGNOR,
          `ServerAssignor ${r.serverAssignor} is not supported. Supported assignors: ${names.join(', ')}.`,
        );
      }
    }
  }

  /** The group a heartbeat joining (epoch 0) may create or convert, or the existing consumer group. */
  #groupFor(owned: OwnedPartition, groupId: string, create: boolean, records: RecordInput[], afterAppend: Array<() => void>): ConsumerGroup {
    const existing = owned.consumerGroups.get(groupId);
    if (existing) return existing;
    if (owned.shareGroups.has(groupId)) throw new HeartbeatError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`);
    const classic = owned.groups.get(groupId);
    if (classic && classic.members.size > 0 && create) return this.#upgrade(owned, classic, records, afterAppend);
    if (classic && (classic.members.size > 0 || classic.pendingMembers.size > 0 || !classic.is('Empty'))) {
      throw new HeartbeatError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`);
    }
    if (!create) throw new HeartbeatError(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${groupId} not found.`);
    if (classic && classic.generationId > 0) {
      // An empty classic group becomes a consumer group (its committed offsets stay): its generation goes.
      records.push(groupMetadataRecord(groupId, null, this.#clock.now()));
      classic.generationId = 0;
      classic.protocolType = null;
      classic.protocolName = null;
      classic.leaderId = null;
    }
    const group = new ConsumerGroup(groupId);
    owned.consumerGroups.set(groupId, group);
    return group;
  }

  /**
   * Online upgrade (Kafka's validateOnlineUpgrade and convertToConsumerGroup): a classic group with
   * members becomes a consumer group when a member of the consumer protocol joins, if the policy allows
   * it, its members use the `consumer` embedded protocol and they fit in `group.consumer.max.size`. Its
   * members stay as classic members with their last assignment; the joining member bumps the epoch, so
   * they are told to rejoin (REBALANCE_IN_PROGRESS) and get their share through reconciliation.
   */
  #upgrade(owned: OwnedPartition, classic: Group, records: RecordInput[], afterAppend: Array<() => void>): ConsumerGroup {
    const groupId = classic.groupId;
    const refusal = !upgradeEnabled(this.migrationPolicy())
      ? 'the online upgrade is disabled'
      : classic.protocolType !== 'consumer'
        ? 'the group does not use the consumer embedded protocol'
        : classic.members.size > this.#config.int('group.consumer.max.size')
          ? 'the group size exceeds the consumer group maximum size'
          : null;
    if (refusal !== null) {
      this.#log.info(`cannot upgrade the classic group to a consumer group: ${refusal}`, { group: groupId });
      throw new HeartbeatError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`);
    }
    let members: ConsumerGroupMember[];
    try {
      members = membersFromClassicGroup(classic, this.#topicIdOf);
    } catch (error) {
      if (!(error instanceof MalformedEmbeddedProtocolError)) throw error;
      this.#log.warn('cannot upgrade the classic group to a consumer group: malformed embedded protocol', { group: groupId, error: error.message });
      throw new HeartbeatError(
        ErrorCode.GROUP_ID_NOT_FOUND,
        `Cannot upgrade the classic group ${groupId} to consumer group because the embedded consumer protocol is malformed.`,
      );
    }
    const now = this.#clock.now();
    const group = new ConsumerGroup(groupId);
    group.groupEpoch = classic.generationId;
    group.assignmentEpoch = classic.generationId;
    for (const member of members) {
      group.updateMember(member);
      group.targetAssignment.set(member.memberId, member.assignedPartitions);
    }
    // Kafka's records for it: the classic group's tombstone, then the consumer group's (createConsumerGroupRecords).
    records.push(groupMetadataRecord(groupId, null, now));
    for (const m of members) records.push(consumerRecord('memberMetadata', groupId, m.memberId, encodeMemberMetadataValue(m), now));
    records.push(consumerRecord('groupMetadata', groupId, null, encodeGroupEpochValue(group.groupEpoch), now));
    for (const m of members) records.push(consumerRecord('targetAssignmentMember', groupId, m.memberId, encodeTargetMemberValue(m.assignedPartitions), now));
    records.push(consumerRecord('targetAssignmentMetadata', groupId, null, encodeAssignmentEpochValue(group.assignmentEpoch), now));
    for (const m of members) records.push(consumerRecord('currentMemberAssignment', groupId, m.memberId, encodeCurrentAssignmentValue(m), now));
    owned.consumerGroups.set(groupId, group);
    for (const m of members) this.#scheduleSession(owned, group, m.memberId);
    afterAppend.push(() => {
      this.#classic.retire(classic);
      this.#log.info('upgraded the classic group to a consumer group', { group: groupId, generation: group.groupEpoch, classicMembers: members.length });
    });
    return group;
  }

  #join(owned: OwnedPartition, request: ConsumerHeartbeatRequest): Change<ConsumerHeartbeatResult> {
    const now = this.#clock.now();
    const records: RecordInput[] = [];
    const afterAppend: Array<() => void> = [];
    const joining = request.memberEpoch === 0;
    const group = this.#groupFor(owned, request.groupId, joining, records, afterAppend);
    const maxSize = this.#config.int('group.consumer.max.size');
    if (group.members.size >= maxSize && (request.memberId === '' || !group.members.has(request.memberId))) {
      throw new HeartbeatError(ErrorCode.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${maxSize} members.`);
    }
    const memberId = request.memberId === '' ? newKafkaUuidString() : request.memberId;
    const member =
      request.instanceId === null
        ? this.#dynamicMember(group, memberId, request)
        : this.#staticMember(group, memberId, request.instanceId, request, records, now);

    // 1. The member's metadata; a new subscription bumps the group epoch.
    const regex =
      request.subscribedTopicRegex === null ? member.subscribedTopicRegex : request.subscribedTopicRegex === '' ? null : request.subscribedTopicRegex;
    const updated: ConsumerGroupMember = {
      ...member,
      instanceId: request.instanceId ?? member.instanceId,
      rackId: request.rackId ?? member.rackId,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs !== -1 ? request.rebalanceTimeoutMs : member.rebalanceTimeoutMs,
      serverAssignor: request.serverAssignor ?? member.serverAssignor,
      subscribedTopicNames: request.subscribedTopicNames !== null ? [...new Set(request.subscribedTopicNames)].sort() : member.subscribedTopicNames,
      subscribedTopicRegex: regex,
      clientId: request.clientId,
      clientHost: request.clientHost,
    };
    if (request.mayDescribeTopic) group.topicFilters.set(memberId, request.mayDescribeTopic);
    else group.topicFilters.delete(memberId);
    const after = this.#updateAndReconcile(owned, group, member, updated, request.topicPartitions, records, now);

    const fullRequest = joining || (request.rebalanceTimeoutMs !== -1 && request.subscribedTopicNames !== null && request.topicPartitions !== null);
    const result: ConsumerHeartbeatResult = {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId,
      memberEpoch: after.memberEpoch,
      heartbeatIntervalMs: this.heartbeatIntervalMs(),
      assignment: fullRequest || !sameTopicPartitions(member.assignedPartitions, after.assignedPartitions) ? after.assignedPartitions : null,
    };
    return { records, result, afterAppend: () => afterAppend.forEach((f) => f()) };
  }

  /**
   * The steps every join or heartbeat takes (Kafka's consumerGroupHeartbeat and
   * classicGroupJoinToConsumerGroup): 1. store the member's new metadata, bumping the group epoch on a
   * new subscription or changed topics; 2. compute a new target assignment when the epoch moved past
   * it; 3. reconcile the member towards its target. Returns the member as it is now.
   */
  #updateAndReconcile(
    owned: OwnedPartition,
    group: ConsumerGroup,
    member: ConsumerGroupMember,
    updated: ConsumerGroupMember,
    ownedPartitions: OwnedTopicPartitions,
    records: RecordInput[],
    now: number,
  ): ConsumerGroupMember {
    const groupId = group.groupId;
    const memberId = updated.memberId;
    const isNew = !group.members.has(memberId);
    let bumpGroupEpoch = false;
    if (isNew || !sameMemberMetadata(member, updated)) {
      records.push(consumerRecord('memberMetadata', groupId, memberId, encodeMemberMetadataValue(updated), now));
      // Kafka's hasMemberSubscriptionChanged: only a new subscription (a new member's included) bumps the epoch.
      if (!sameSubscription(member, updated)) bumpGroupEpoch = true;
    }
    group.updateMember(updated);
    if (isNew) {
      this.#log.info('member joins the consumer group', {
        group: groupId,
        member: memberId,
        instance: updated.instanceId,
        classic: updated.classicMetadata !== null,
      });
    }

    // The subscribed topics as the cluster has them now: one that appeared, went or grew bumps the epoch.
    bumpGroupEpoch = this.#refreshSubscriptionMetadata(group, records, now) || bumpGroupEpoch;
    if (bumpGroupEpoch) {
      group.groupEpoch++;
      records.push(consumerRecord('groupMetadata', groupId, null, encodeGroupEpochValue(group.groupEpoch), now));
    }

    // 2. A new target assignment when the group epoch moved past it.
    if (group.groupEpoch > group.assignmentEpoch) this.#updateTargetAssignment(group, records, now);

    // 3. Reconcile this member towards its target.
    const after = this.#maybeReconcile(owned, group, group.members.get(memberId)!, ownedPartitions, records, now);
    this.#scheduleSession(owned, group, memberId);
    return after;
  }

  #dynamicMember(group: ConsumerGroup, memberId: string, request: ConsumerHeartbeatRequest): ConsumerGroupMember {
    const member = group.members.get(memberId);
    if (!member) {
      if (request.memberEpoch !== 0) throw new HeartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${group.groupId}.`);
      return newMember(memberId);
    }
    this.#checkEpoch(member, request.memberEpoch, request.topicPartitions);
    return member;
  }

  #staticMember(
    group: ConsumerGroup,
    memberId: string,
    instanceId: string,
    request: ConsumerHeartbeatRequest,
    records: RecordInput[],
    now: number,
  ): ConsumerGroupMember {
    const existing = group.staticMember(instanceId);
    if (request.memberEpoch === 0) {
      if (!existing) return group.members.get(memberId) ?? newMember(memberId);
      if (existing.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
        throw new HeartbeatError(
          ErrorCode.UNRELEASED_INSTANCE_ID,
          `Static member ${memberId} with instance id ${instanceId} cannot join the group because the instance id is owned by ${existing.memberId} member.`,
        );
      }
      return this.#replaceStaticMember(group, existing, memberId, records, now);
    }
    if (!existing) throw new HeartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${instanceId} is unknown.`);
    if (existing.memberId !== memberId) {
      throw new HeartbeatError(
        ErrorCode.FENCED_INSTANCE_ID,
        `Static member ${memberId} with instance id ${instanceId} was fenced by member ${existing.memberId}.`,
      );
    }
    this.#checkEpoch(existing, request.memberEpoch, request.topicPartitions);
    return existing;
  }

  /** A static instance back under a new member id takes the place (and assignment) of the old one. */
  #replaceStaticMember(group: ConsumerGroup, existing: ConsumerGroupMember, memberId: string, records: RecordInput[], now: number): ConsumerGroupMember {
    const replacement: ConsumerGroupMember = { ...existing, memberId, memberEpoch: 0, previousMemberEpoch: 0 };
    const target = group.targetOf(existing.memberId);
    this.#removeMemberRecords(group, existing.memberId, records, now);
    this.#cancelTimers(group, existing.memberId);
    group.removeMember(existing.memberId);
    group.targetAssignment.delete(existing.memberId);
    records.push(consumerRecord('memberMetadata', group.groupId, memberId, encodeMemberMetadataValue(replacement), now));
    records.push(consumerRecord('targetAssignmentMember', group.groupId, memberId, encodeTargetMemberValue(target), now));
    records.push(consumerRecord('currentMemberAssignment', group.groupId, memberId, encodeCurrentAssignmentValue(replacement), now));
    group.updateMember(replacement);
    group.targetAssignment.set(memberId, target);
    this.#log.info('static member rejoins the consumer group', {
      group: group.groupId,
      instance: existing.instanceId,
      member: memberId,
      replaces: existing.memberId,
    });
    return replacement;
  }

  /**
   * Kafka's throwIfConsumerGroupMemberEpochIsInvalid: an epoch ahead of the coordinator's, or behind it
   * (except the previous one with partitions it still has, when the answer that bumped it was lost),
   * fences the member. Epoch 0 is a member joining again after being fenced, which KIP-848 allows
   * (KAFKA-19233).
   */
  #checkEpoch(member: ConsumerGroupMember, received: number, owned: OwnedTopicPartitions): void {
    if (received === 0) return;
    if (received > member.memberEpoch) {
      throw new HeartbeatError(
        ErrorCode.FENCED_MEMBER_EPOCH,
        `The consumer group member has a greater member epoch (${received}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`,
      );
    }
    if (received < member.memberEpoch) {
      const subset =
        owned !== null &&
        owned.every((tp) => {
          const assigned = member.assignedPartitions.get(tp.topicId);
          return tp.partitions.every((p) => assigned?.has(p) === true);
        });
      if (received !== member.previousMemberEpoch || !subset) {
        throw new HeartbeatError(
          ErrorCode.FENCED_MEMBER_EPOCH,
          `The consumer group member has a smaller member epoch (${received}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`,
        );
      }
    }
  }

  /**
   * The topic names a member subscribes to that exist now: its names, and those its regex matches that
   * its principal may DESCRIBE (as of its last heartbeat: Kafka resolves a regex with the ACLs of the
   * member whose heartbeat refreshed it).
   */
  #resolvedTopics(group: ConsumerGroup, member: ConsumerGroupMember): string[] {
    const metadata = this.#partitions.broker.metadata;
    const names = member.subscribedTopicNames.filter((t) => metadata.topic(t) !== undefined);
    if (member.subscribedTopicRegex !== null) {
      let regex: RE2JS;
      try {
        regex = compileRegex(member.subscribedTopicRegex);
      } catch {
        return names;
      }
      const describable = group.topicFilters.get(member.memberId) ?? (() => true);
      for (const topic of metadata.topics()) {
        if (!topic.internal && regex.matches(topic.name) && !names.includes(topic.name) && describable(topic.name)) names.push(topic.name);
      }
    }
    return names;
  }

  /** Recomputes the subscribed topics' metadata; true (and a record) when it changed. */
  #refreshSubscriptionMetadata(group: ConsumerGroup, records: RecordInput[], now: number): boolean {
    const metadata = this.#partitions.broker.metadata;
    const next = new Map<string, SubscribedTopic>();
    for (const member of group.members.values()) {
      for (const name of this.#resolvedTopics(group, member)) {
        if (next.has(name)) continue;
        const topic = metadata.topic(name);
        if (topic) next.set(name, { topicId: topic.topicId, name, numPartitions: topic.partitions.length });
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
    records.push(consumerRecord('partitionMetadata', group.groupId, null, encodePartitionMetadataValue(next.values()), now));
    return true;
  }

  /** Kafka's TargetAssignmentBuilder: the assignor's answer, and records for the members whose target changed. */
  #updateTargetAssignment(group: ConsumerGroup, records: RecordInput[], now: number): void {
    const assignors = this.assignors();
    const preferred = group.preferredServerAssignor();
    const assignor = assignors.find((a) => a.name === preferred) ?? assignors[0]!;
    const topicsById = new Map([...group.subscriptionMetadata.values()].map((t) => [t.topicId, t]));
    const members: AssignorMember[] = [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      instanceId: m.instanceId,
      subscribedTopicIds: new Set(
        this.#resolvedTopics(group, m).flatMap((name) => (group.subscriptionMetadata.has(name) ? [group.subscriptionMetadata.get(name)!.topicId] : [])),
      ),
      currentTarget: group.targetOf(m.memberId),
    }));
    const assignment = assignor.assign(members, topicsById);
    for (const m of members) {
      const next = assignment.get(m.memberId) ?? new Map<string, Set<number>>();
      const previous = group.targetAssignment.get(m.memberId);
      if (previous && sameTopicPartitions(previous, next)) continue;
      group.targetAssignment.set(m.memberId, next);
      records.push(consumerRecord('targetAssignmentMember', group.groupId, m.memberId, encodeTargetMemberValue(next), now));
    }
    group.assignmentEpoch = group.groupEpoch;
    records.push(consumerRecord('targetAssignmentMetadata', group.groupId, null, encodeAssignmentEpochValue(group.assignmentEpoch), now));
    this.#log.info('computed a new target assignment', {
      group: group.groupId,
      epoch: group.assignmentEpoch,
      assignor: assignor.name,
      members: members.length,
    });
  }

  #maybeReconcile(
    partition: OwnedPartition,
    group: ConsumerGroup,
    member: ConsumerGroupMember,
    owned: OwnedTopicPartitions,
    records: RecordInput[],
    now: number,
  ): ConsumerGroupMember {
    if (isReconciledTo(member, group.assignmentEpoch)) return member;
    const next = reconcile(member, group.assignmentEpoch, group.targetOf(member.memberId), (t, p) => group.currentPartitionEpoch(t, p), owned);
    if (sameCurrentAssignment(member, next)) return member;
    records.push(consumerRecord('currentMemberAssignment', group.groupId, member.memberId, encodeCurrentAssignmentValue(next), now));
    group.updateMember(next);
    if (next.state === 'UNREVOKED_PARTITIONS') this.#scheduleRebalanceTimeout(partition, group, next);
    else this.#cancelRebalanceTimeout(group, next.memberId);
    return next;
  }

  // -----------------------------------------------------------------------------------------------
  // Leaving and fencing

  #leave(owned: OwnedPartition, request: ConsumerHeartbeatRequest): Change<ConsumerHeartbeatResult> {
    const group = owned.consumerGroups.get(request.groupId);
    if (!group) throw new HeartbeatError(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${request.groupId} not found.`);
    const answer: ConsumerHeartbeatResult = {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: request.memberId,
      memberEpoch: request.memberEpoch,
      heartbeatIntervalMs: 0,
      assignment: null,
    };
    const now = this.#clock.now();
    if (request.instanceId === null) {
      const member = group.members.get(request.memberId);
      if (!member) throw new HeartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${request.memberId} is not a member of group ${group.groupId}.`);
      this.#log.info('member left the consumer group', { group: group.groupId, member: member.memberId });
      return { ...this.#fence(owned, group, member.memberId, now), result: answer };
    }
    const member = group.staticMember(request.instanceId);
    if (!member) throw new HeartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${request.instanceId} is unknown.`);
    if (member.memberId !== request.memberId) {
      throw new HeartbeatError(
        ErrorCode.FENCED_INSTANCE_ID,
        `Static member ${request.memberId} with instance id ${request.instanceId} was fenced by member ${member.memberId}.`,
      );
    }
    if (request.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH) {
      this.#log.info('static member left the consumer group', { group: group.groupId, member: member.memberId, instance: request.instanceId });
      return { ...this.#fence(owned, group, member.memberId, now), result: answer };
    }
    // Epoch -2: a static member away for now keeps its place (and assignment) until its session ends.
    const away: ConsumerGroupMember = { ...member, memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH, partitionsPendingRevocation: new Map() };
    group.updateMember(away);
    this.#cancelRebalanceTimeout(group, member.memberId);
    this.#log.info('static member left the consumer group for now', { group: group.groupId, member: member.memberId, instance: request.instanceId });
    const records = [consumerRecord('currentMemberAssignment', group.groupId, member.memberId, encodeCurrentAssignmentValue(away), now)];
    return { records, result: { ...answer, memberId: member.memberId, memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH } };
  }

  #removeMemberRecords(group: ConsumerGroup, memberId: string, records: RecordInput[], now: number): void {
    // Kafka's order: current assignment, target assignment, then the member's metadata.
    records.push(consumerRecord('currentMemberAssignment', group.groupId, memberId, null, now));
    records.push(consumerRecord('targetAssignmentMember', group.groupId, memberId, null, now));
    records.push(consumerRecord('memberMetadata', group.groupId, memberId, null, now));
  }

  /**
   * Removes a member (it left, its session or rebalance timed out) and bumps the group epoch (Kafka's
   * consumerGroupFenceMember); when it was the last member of the consumer protocol, the group becomes
   * a classic group of the others instead, as the migration policy permits (online downgrade).
   */
  #fence(owned: OwnedPartition, group: ConsumerGroup, memberId: string, now: number): Omit<Change<unknown>, 'result'> {
    if (this.#mayDowngrade(group, memberId)) return this.#downgrade(owned, group, memberId, now);
    const records: RecordInput[] = [];
    this.#removeMemberRecords(group, memberId, records, now);
    this.#cancelTimers(group, memberId);
    group.removeMember(memberId);
    group.targetAssignment.delete(memberId);
    this.#refreshSubscriptionMetadata(group, records, now);
    group.groupEpoch++;
    records.push(consumerRecord('groupMetadata', group.groupId, null, encodeGroupEpochValue(group.groupEpoch), now));
    return { records };
  }

  /** Kafka's validateOnlineDowngradeWithFencedMember. */
  #mayDowngrade(group: ConsumerGroup, leavingMemberId: string): boolean {
    if (!group.allMembersUseClassicProtocolExcept(leavingMemberId) || group.members.size <= 1) return false;
    let refusal: string | null = null;
    if (!downgradeEnabled(this.migrationPolicy())) refusal = 'the online downgrade is disabled';
    else if (group.members.size - 1 > this.#config.int('group.max.size')) refusal = 'its size is greater than the classic group max size';
    if (refusal === null) return true;
    this.#log.info(`cannot downgrade the consumer group to a classic group: ${refusal}`, { group: group.groupId });
    return false;
  }

  /**
   * Online downgrade (Kafka's convertToClassicGroup): the consumer group's records are tombstoned and a
   * classic group of its classic members, each with its target assignment, is written in the group
   * epoch; once appended, the entry that holds the group's offsets takes those members and rebalances.
   */
  #downgrade(owned: OwnedPartition, group: ConsumerGroup, leavingMemberId: string, now: number): Omit<Change<unknown>, 'result'> {
    const value = classicGroupValueFrom(group, leavingMemberId, this.#topicNameOf, now);
    const records = [...this.tombstones(group, now), groupMetadataRecord(group.groupId, value, now)];
    return {
      records,
      afterAppend: () => {
        this.dropGroup(group);
        owned.consumerGroups.delete(group.groupId);
        let holder = owned.groups.get(group.groupId);
        if (!holder) owned.groups.set(group.groupId, (holder = new Group(group.groupId, now)));
        this.#classic.adopt(holder, value);
        this.#log.info('downgraded the consumer group to a classic group', {
          group: group.groupId,
          generation: value.generation,
          members: value.members.length,
        });
      },
    };
  }

  /** Fences a member from a timer: the records are written, nobody waits for them. */
  #fenceFromTimer(owned: OwnedPartition, group: ConsumerGroup, memberId: string, reason: string): void {
    if (group.dead || owned.consumerGroups.get(group.groupId) !== group || !group.members.has(memberId)) return;
    if (!this.#partitions.isCurrent(owned)) return;
    this.#log.info('member fenced from the consumer group', { group: group.groupId, member: memberId, reason });
    const revert = this.#checkpoint(owned, group.groupId);
    const change = this.#fence(owned, group, memberId, this.#clock.now());
    const written = this.#commit(owned, group.groupId, { ...change, result: null }, revert);
    this.#partitions.whenWritten(written, 'consumer group fencing', (code) => {
      if (code !== ErrorCode.NONE) this.#log.warn('could not write a fenced member', { group: group.groupId, member: memberId, errorCode: code });
    });
  }

  // -----------------------------------------------------------------------------------------------
  // Classic members of a consumer group (online migration): JoinGroup, SyncGroup, Heartbeat, LeaveGroup

  /**
   * JoinGroup to a consumer group with members (Kafka's classicGroupJoinToConsumerGroup): the member
   * joins or rejoins as a classic member; its subscription and owned partitions come from its first
   * protocol's ConsumerProtocolSubscription and go through the same epoch, target and reconciliation
   * steps as a heartbeat. It is answered at once with its member epoch as the generation and no leader
   * (nobody computes assignments: its SyncGroup gets what reconciliation gave it).
   */
  classicJoin(request: JoinRequest): JoinResult | Promise<JoinResult> {
    const owned = this.#partitions.ownerOf(request.groupId);
    if (typeof owned === 'number') return joinError(owned, request.memberId);
    const group = owned.consumerGroups.get(request.groupId);
    if (!group) return joinError(ErrorCode.UNKNOWN_MEMBER_ID, request.memberId);
    const revert = this.#checkpoint(owned, request.groupId);
    let change: Change<JoinResult>;
    try {
      const joined = this.#classicJoin(owned, group, request);
      if ('errorCode' in joined) return joined;
      change = joined;
    } catch (error) {
      revert();
      if (error instanceof HeartbeatError || error instanceof FencedMemberError) return joinError(error.errorCode, request.memberId);
      throw error;
    }
    return this.#answer(owned, request.groupId, change, revert, (code) => joinError(code, change.result.memberId));
  }

  #classicJoin(owned: OwnedPartition, group: ConsumerGroup, request: JoinRequest): Change<JoinResult> | JoinResult {
    const now = this.#clock.now();
    const records: RecordInput[] = [];
    const unknown = request.memberId === '';
    const memberId = unknown ? newKafkaUuidString() : request.memberId;
    const maxSize = this.#config.int('group.consumer.max.size');
    if (group.members.size >= maxSize && !group.members.has(memberId)) {
      throw new HeartbeatError(ErrorCode.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${maxSize} members.`);
    }
    if (
      !group.supportsClassicProtocols(
        request.protocolType,
        request.protocols.map((p) => p.name),
      )
    ) {
      throw new HeartbeatError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, `Member ${memberId}'s protocols are not supported.`);
    }
    if (unknown && request.requireKnownMemberId && request.groupInstanceId === null) {
      // KIP-394: the member gets its id first and joins again with it.
      this.#log.info('classic member without an id joins the consumer group: asked to rejoin with one', { group: group.groupId, member: memberId });
      return joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId);
    }
    let member: ConsumerGroupMember;
    if (request.groupInstanceId === null) {
      member = group.members.get(memberId) ?? newMember(memberId);
    } else {
      const existing = group.staticMember(request.groupInstanceId);
      if (!existing) member = group.members.get(memberId) ?? newMember(memberId);
      else if (existing.memberId === memberId) member = existing;
      else if (unknown) member = this.#replaceStaticMember(group, existing, memberId, records, now);
      else {
        throw new HeartbeatError(
          ErrorCode.FENCED_INSTANCE_ID,
          `Static member ${memberId} with instance id ${request.groupInstanceId} was fenced by member ${existing.memberId}.`,
        );
      }
    }
    let subscription: ReturnType<typeof decodeSubscription>;
    try {
      subscription = decodeSubscription(request.protocols[0]!.metadata);
    } catch (error) {
      if (!(error instanceof MalformedEmbeddedProtocolError)) throw error;
      throw new HeartbeatError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, `Member ${memberId}'s subscription cannot be read: ${error.message}.`);
    }
    const updated: ConsumerGroupMember = {
      ...member,
      instanceId: request.groupInstanceId ?? member.instanceId,
      rackId: subscription.rackId ?? member.rackId,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs !== -1 ? request.rebalanceTimeoutMs : member.rebalanceTimeoutMs,
      subscribedTopicNames: [...new Set(subscription.topics)].sort(),
      clientId: request.clientId,
      clientHost: request.clientHost,
      classicMetadata: {
        sessionTimeoutMs: request.sessionTimeoutMs,
        supportedProtocols: request.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
      },
    };
    group.topicFilters.delete(memberId);
    const after = this.#updateAndReconcile(owned, group, member, updated, ownedPartitionsOf(subscription, this.#topicIdOf), records, now);
    const result: JoinResult = {
      errorCode: ErrorCode.NONE,
      generationId: after.memberEpoch,
      protocolType: 'consumer',
      protocolName: updated.classicMetadata!.supportedProtocols[0]!.name,
      leader: '',
      memberId,
      members: [],
      skipAssignment: false,
    };
    return {
      records,
      result,
      afterAppend: () => {
        this.#cancelClassicTimer(group.joinTimers, memberId);
        // The member must SyncGroup within its rebalance timeout (Kafka's sync timeout).
        this.#scheduleClassicTimer(owned, group, group.syncTimers, memberId, updated.rebalanceTimeoutMs, 'the member failed to sync within timeout');
      },
    };
  }

  /** The classic member a SyncGroup, Heartbeat names (Kafka's validateConsumerGroupMember and throwIfMemberDoesNotUseClassicProtocol). */
  #classicMember(group: ConsumerGroup, memberId: string, instanceId: string | null): ConsumerGroupMember {
    let member: ConsumerGroupMember | undefined;
    if (instanceId === null) {
      member = group.members.get(memberId);
      if (!member) throw new HeartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${group.groupId}.`);
    } else {
      member = group.staticMember(instanceId);
      if (!member) throw new HeartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Member with instance id ${instanceId} is not a member of group ${group.groupId}.`);
      if (member.memberId !== memberId) {
        throw new HeartbeatError(
          ErrorCode.FENCED_INSTANCE_ID,
          `Static member ${memberId} with instance id ${instanceId} was fenced by member ${member.memberId}.`,
        );
      }
    }
    if (member.classicMetadata === null) throw new HeartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${member.memberId} does not use the classic protocol.`);
    return member;
  }

  /** SyncGroup from a classic member of a consumer group (Kafka's classicGroupSyncToConsumerGroup): its assigned partitions. */
  classicSync(request: SyncRequest): SyncResult {
    const owned = this.#partitions.ownerOf(request.groupId);
    if (typeof owned === 'number') return syncError(owned);
    const group = owned.consumerGroups.get(request.groupId);
    if (!group) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    try {
      const member = this.#classicMember(group, request.memberId, request.groupInstanceId);
      if (request.generationId !== member.memberEpoch) throw new HeartbeatError(ErrorCode.ILLEGAL_GENERATION, 'generation mismatch');
      const protocol = member.classicMetadata!.supportedProtocols[0]!;
      if ((request.protocolType !== null && request.protocolType !== 'consumer') || (request.protocolName !== null && request.protocolName !== protocol.name)) {
        throw new HeartbeatError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, 'protocol mismatch');
      }
      // A newer epoch started: rejoin first (unless it is still revoking, which its next join finishes).
      if (group.groupEpoch > member.memberEpoch && member.state !== 'UNREVOKED_PARTITIONS') {
        this.#scheduleJoinTimeoutIfAbsent(owned, group, member);
        throw new HeartbeatError(ErrorCode.REBALANCE_IN_PROGRESS, 'rebalance in progress');
      }
      this.#cancelClassicTimer(group.syncTimers, member.memberId);
      this.#scheduleSession(owned, group, member.memberId);
      return {
        errorCode: ErrorCode.NONE,
        protocolType: request.protocolType,
        protocolName: request.protocolName,
        assignment: encodeAssignment(member.assignedPartitions, this.#topicNameOf, protocol.metadata.length >= 2 ? embeddedVersion(protocol.metadata) : 0),
      };
    } catch (error) {
      if (error instanceof HeartbeatError) return syncError(error.errorCode);
      throw error;
    }
  }

  /**
   * Heartbeat from a classic member of a consumer group (Kafka's classicGroupHeartbeatToConsumerGroup):
   * REBALANCE_IN_PROGRESS tells it to rejoin when the group epoch moved past its own, when it must
   * revoke partitions, or when partitions it waits for were released.
   */
  classicHeartbeat(request: MemberRef): number {
    const owned = this.#partitions.ownerOf(request.groupId);
    if (typeof owned === 'number') return owned;
    const group = owned.consumerGroups.get(request.groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    try {
      const member = this.#classicMember(group, request.memberId, request.groupInstanceId);
      if (request.generationId !== member.memberEpoch) return ErrorCode.ILLEGAL_GENERATION;
      this.#scheduleSession(owned, group, member.memberId);
      const rejoin =
        member.memberEpoch < group.groupEpoch ||
        member.state === 'UNREVOKED_PARTITIONS' ||
        (member.state === 'UNRELEASED_PARTITIONS' && !group.waitingOnUnreleasedPartition(member));
      if (!rejoin) return ErrorCode.NONE;
      this.#scheduleJoinTimeoutIfAbsent(owned, group, member);
      return ErrorCode.REBALANCE_IN_PROGRESS;
    } catch (error) {
      if (error instanceof HeartbeatError) return error.errorCode;
      throw error;
    }
  }

  /** LeaveGroup for classic members of a consumer group (Kafka's classicGroupLeaveToConsumerGroup): they go and the epoch is bumped. */
  classicLeave(groupId: string, leaving: Array<{ memberId: string; groupInstanceId: string | null }>): LeaveResult | Promise<LeaveResult> {
    const owned = this.#partitions.ownerOf(groupId);
    const echo = (errorCode: number) => leaving.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode }));
    if (typeof owned === 'number') return { errorCode: owned, members: echo(owned) };
    const group = owned.consumerGroups.get(groupId);
    if (!group) return { errorCode: ErrorCode.NONE, members: echo(ErrorCode.UNKNOWN_MEMBER_ID) };
    const revert = this.#checkpoint(owned, groupId);
    const now = this.#clock.now();
    const records: RecordInput[] = [];
    const members = leaving.map(({ memberId, groupInstanceId }) => {
      try {
        let member: ConsumerGroupMember | undefined;
        if (groupInstanceId === null) {
          member = group.members.get(memberId);
          if (!member) throw new HeartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, 'unknown member');
        } else {
          member = group.staticMember(groupInstanceId);
          if (!member) throw new HeartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, 'unknown instance');
          // An admin may remove a static member by instance id alone.
          if (memberId !== '' && member.memberId !== memberId) throw new HeartbeatError(ErrorCode.FENCED_INSTANCE_ID, 'fenced');
        }
        if (member.classicMetadata === null) throw new HeartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, 'not a classic member');
        this.#log.info('classic member left the consumer group', { group: groupId, member: member.memberId, instance: groupInstanceId });
        this.#removeMemberRecords(group, member.memberId, records, now);
        this.#cancelTimers(group, member.memberId);
        group.removeMember(member.memberId);
        group.targetAssignment.delete(member.memberId);
        return { memberId: member.memberId, groupInstanceId, errorCode: ErrorCode.NONE };
      } catch (error) {
        if (error instanceof HeartbeatError) return { memberId, groupInstanceId, errorCode: error.errorCode };
        throw error;
      }
    });
    if (records.length > 0) {
      this.#refreshSubscriptionMetadata(group, records, now);
      group.groupEpoch++;
      records.push(consumerRecord('groupMetadata', groupId, null, encodeGroupEpochValue(group.groupEpoch), now));
    }
    return this.#answer(owned, groupId, { records, result: { errorCode: ErrorCode.NONE, members } }, revert, (code) => ({
      errorCode: code,
      members: echo(code),
    }));
  }

  /** A classic member told to rejoin must do so within its rebalance timeout, or it is fenced (Kafka's join timeout). */
  #scheduleJoinTimeoutIfAbsent(owned: OwnedPartition, group: ConsumerGroup, member: ConsumerGroupMember): void {
    if (group.joinTimers.has(member.memberId)) return;
    this.#scheduleClassicTimer(
      owned,
      group,
      group.joinTimers,
      member.memberId,
      member.rebalanceTimeoutMs,
      'the classic member failed to join within the rebalance timeout',
    );
  }

  #scheduleClassicTimer(owned: OwnedPartition, group: ConsumerGroup, timers: Map<string, TimerHandle>, memberId: string, ms: number, reason: string): void {
    this.#cancelClassicTimer(timers, memberId);
    timers.set(
      memberId,
      this.#partitions.schedule(
        'consumer group classic member timeout',
        () => {
          timers.delete(memberId);
          this.#fenceFromTimer(owned, group, memberId, reason);
        },
        Math.max(0, ms),
      ),
    );
  }

  #cancelClassicTimer(timers: Map<string, TimerHandle>, memberId: string): void {
    const timer = timers.get(memberId);
    if (timer !== undefined) this.#clock.clearTimeout(timer);
    timers.delete(memberId);
  }

  #scheduleSession(owned: OwnedPartition, group: ConsumerGroup, memberId: string): void {
    const previous = group.sessionTimers.get(memberId);
    if (previous !== undefined) this.#clock.clearTimeout(previous);
    // A classic member keeps the session timeout it joined with.
    const timeoutMs = group.members.get(memberId)?.classicMetadata?.sessionTimeoutMs ?? this.sessionTimeoutMs();
    group.sessionTimers.set(
      memberId,
      this.#partitions.schedule(
        'consumer group session timeout',
        () => {
          group.sessionTimers.delete(memberId);
          this.#fenceFromTimer(owned, group, memberId, 'the member session expired');
        },
        timeoutMs,
      ),
    );
  }

  #scheduleRebalanceTimeout(owned: OwnedPartition, group: ConsumerGroup, member: ConsumerGroupMember): void {
    this.#cancelRebalanceTimeout(group, member.memberId);
    const epoch = member.memberEpoch;
    group.rebalanceTimers.set(
      member.memberId,
      this.#partitions.schedule(
        'consumer group rebalance timeout',
        () => {
          group.rebalanceTimers.delete(member.memberId);
          if (group.members.get(member.memberId)?.memberEpoch !== epoch) return;
          this.#fenceFromTimer(owned, group, member.memberId, `it failed to revoke partitions of epoch ${epoch} within ${member.rebalanceTimeoutMs}ms`);
        },
        Math.max(0, member.rebalanceTimeoutMs),
      ),
    );
  }

  #cancelRebalanceTimeout(group: ConsumerGroup, memberId: string): void {
    const timer = group.rebalanceTimers.get(memberId);
    if (timer !== undefined) this.#clock.clearTimeout(timer);
    group.rebalanceTimers.delete(memberId);
  }

  #cancelTimers(group: ConsumerGroup, memberId: string): void {
    const session = group.sessionTimers.get(memberId);
    if (session !== undefined) this.#clock.clearTimeout(session);
    group.sessionTimers.delete(memberId);
    this.#cancelRebalanceTimeout(group, memberId);
    this.#cancelClassicTimer(group.joinTimers, memberId);
    this.#cancelClassicTimer(group.syncTimers, memberId);
  }

  // -----------------------------------------------------------------------------------------------
  // The coordinator's calls

  /** Forgets a group (its partition is no longer ours, or it was deleted): its timers stop. */
  dropGroup(group: ConsumerGroup): void {
    group.dead = true;
    for (const timers of [group.sessionTimers, group.rebalanceTimers, group.joinTimers, group.syncTimers]) {
      for (const timer of timers.values()) this.#clock.clearTimeout(timer);
      timers.clear();
    }
  }

  /** Tombstones of every record of a group (DeleteGroups on an empty consumer group). */
  tombstones(group: ConsumerGroup, now: number): RecordInput[] {
    const records: RecordInput[] = [];
    for (const memberId of group.members.keys()) records.push(consumerRecord('currentMemberAssignment', group.groupId, memberId, null, now));
    for (const memberId of group.targetAssignment.keys()) records.push(consumerRecord('targetAssignmentMember', group.groupId, memberId, null, now));
    records.push(consumerRecord('targetAssignmentMetadata', group.groupId, null, null, now));
    for (const memberId of group.members.keys()) records.push(consumerRecord('memberMetadata', group.groupId, memberId, null, now));
    records.push(consumerRecord('partitionMetadata', group.groupId, null, null, now));
    records.push(consumerRecord('groupMetadata', group.groupId, null, null, now));
    return records;
  }

  /**
   * Rebuilds a group read back from its offsets partition (a new coordinator, a restart); members get
   * a full session to heartbeat again, and those revoking a rebalance timeout, as Kafka does on load.
   */
  restoreGroup(owned: OwnedPartition, groupId: string, loaded: LoadedConsumerGroup): ConsumerGroup {
    const group = new ConsumerGroup(groupId);
    group.groupEpoch = loaded.groupEpoch ?? 0;
    group.assignmentEpoch = loaded.assignmentEpoch;
    group.subscriptionMetadata = new Map(loaded.subscribedTopics.map((t) => [t.name, t]));
    for (const [memberId, target] of loaded.targets) group.targetAssignment.set(memberId, target);
    for (const [memberId, metadata] of loaded.members) {
      const current = loaded.current.get(memberId);
      const member: ConsumerGroupMember = { ...newMember(memberId), ...metadata, ...(current ?? {}) };
      group.updateMember(member);
    }
    owned.consumerGroups.set(groupId, group);
    for (const member of group.members.values()) {
      this.#scheduleSession(owned, group, member.memberId);
      if (member.state === 'UNREVOKED_PARTITIONS') this.#scheduleRebalanceTimeout(owned, group, member);
    }
    return group;
  }
}
