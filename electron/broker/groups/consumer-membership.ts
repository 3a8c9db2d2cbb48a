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
import type { GroupPartitions, OwnedPartition } from './group-partitions';
import { groupMetadataRecord } from './offsets-store';

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

export class ConsumerMembership {
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

  /** The consumer group of this id, when this broker coordinates it and it is one. */
  consumerGroup(groupId: string): ConsumerGroup | undefined {
    const owned = this.#partitions.ownerOf(groupId);
    return typeof owned === 'number' ? undefined : owned.consumerGroups.get(groupId);
  }

  heartbeat(request: ConsumerHeartbeatRequest): ConsumerHeartbeatResult | Promise<ConsumerHeartbeatResult> {
    try {
      this.#validate(request);
      const owned = this.#partitions.ownerOf(request.groupId);
      if (typeof owned === 'number') return failure(owned, null);
      if (request.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH || request.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) return this.#leave(owned, request);
      return this.#join(owned, request);
    } catch (error) {
      if (error instanceof HeartbeatError) return failure(error.errorCode, error.message);
      if (error instanceof FencedMemberError) return failure(error.errorCode, error.message);
      throw error;
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

  /** The group a heartbeat joining (epoch 0) may create, or the existing consumer group. */
  #groupFor(owned: OwnedPartition, groupId: string, create: boolean, records: RecordInput[]): ConsumerGroup {
    const existing = owned.consumerGroups.get(groupId);
    if (existing) return existing;
    const classic = owned.groups.get(groupId);
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

  #join(owned: OwnedPartition, request: ConsumerHeartbeatRequest): ConsumerHeartbeatResult | Promise<ConsumerHeartbeatResult> {
    const now = this.#clock.now();
    const records: RecordInput[] = [];
    const joining = request.memberEpoch === 0;
    const group = this.#groupFor(owned, request.groupId, joining, records);
    const groupId = group.groupId;
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
    const isNew = !group.members.has(memberId);
    let bumpGroupEpoch = false;
    if (isNew || !sameMemberMetadata(member, updated)) {
      records.push(consumerRecord('memberMetadata', groupId, memberId, encodeMemberMetadataValue(updated), now));
      // Kafka's hasMemberSubscriptionChanged: only a new subscription (a new member's included) bumps the epoch.
      if (!sameSubscription(member, updated)) bumpGroupEpoch = true;
    }
    group.updateMember(updated);
    if (request.mayDescribeTopic) group.topicFilters.set(memberId, request.mayDescribeTopic);
    else group.topicFilters.delete(memberId);
    if (isNew) this.#log.info('member joins the consumer group', { group: groupId, member: memberId, instance: updated.instanceId });

    // The subscribed topics as the cluster has them now: one that appeared, went or grew bumps the epoch.
    bumpGroupEpoch = this.#refreshSubscriptionMetadata(group, records, now) || bumpGroupEpoch;
    if (bumpGroupEpoch) {
      group.groupEpoch++;
      records.push(consumerRecord('groupMetadata', groupId, null, encodeGroupEpochValue(group.groupEpoch), now));
    }

    // 2. A new target assignment when the group epoch moved past it.
    if (group.groupEpoch > group.assignmentEpoch) this.#updateTargetAssignment(group, records, now);

    // 3. Reconcile this member towards its target.
    const before = group.members.get(memberId)!;
    const after = this.#maybeReconcile(owned, group, before, request.topicPartitions, records, now);
    this.#scheduleSession(owned, group, memberId);

    const fullRequest = joining || (request.rebalanceTimeoutMs !== -1 && request.subscribedTopicNames !== null && request.topicPartitions !== null);
    const result: ConsumerHeartbeatResult = {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId,
      memberEpoch: after.memberEpoch,
      heartbeatIntervalMs: this.heartbeatIntervalMs(),
      assignment: fullRequest || !sameTopicPartitions(member.assignedPartitions, after.assignedPartitions) ? after.assignedPartitions : null,
    };
    return this.#write(owned, records, result);
  }

  /** Appends the records; the answer waits for them (an error code instead when they could not be written). */
  #write(owned: OwnedPartition, records: RecordInput[], result: ConsumerHeartbeatResult): ConsumerHeartbeatResult | Promise<ConsumerHeartbeatResult> {
    const written = this.#partitions.append(owned, records);
    const finish = (code: number): ConsumerHeartbeatResult => (code === ErrorCode.NONE ? result : failure(code, null, result.memberId));
    return written instanceof Promise ? written.then(finish) : finish(written);
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
      // The instance is back under a new member id: it takes the place (and assignment) of the old one.
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
      this.#log.info('static member rejoins the consumer group', { group: group.groupId, instance: instanceId, member: memberId, replaces: existing.memberId });
      return replacement;
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

  #leave(owned: OwnedPartition, request: ConsumerHeartbeatRequest): ConsumerHeartbeatResult | Promise<ConsumerHeartbeatResult> {
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
      return this.#write(owned, this.#fence(group, member.memberId, now), answer);
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
      return this.#write(owned, this.#fence(group, member.memberId, now), answer);
    }
    // Epoch -2: a static member away for now keeps its place (and assignment) until its session ends.
    const away: ConsumerGroupMember = { ...member, memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH, partitionsPendingRevocation: new Map() };
    group.updateMember(away);
    this.#cancelRebalanceTimeout(group, member.memberId);
    this.#log.info('static member left the consumer group for now', { group: group.groupId, member: member.memberId, instance: request.instanceId });
    const records = [consumerRecord('currentMemberAssignment', group.groupId, member.memberId, encodeCurrentAssignmentValue(away), now)];
    return this.#write(owned, records, { ...answer, memberId: member.memberId, memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH });
  }

  #removeMemberRecords(group: ConsumerGroup, memberId: string, records: RecordInput[], now: number): void {
    // Kafka's order: current assignment, target assignment, then the member's metadata.
    records.push(consumerRecord('currentMemberAssignment', group.groupId, memberId, null, now));
    records.push(consumerRecord('targetAssignmentMember', group.groupId, memberId, null, now));
    records.push(consumerRecord('memberMetadata', group.groupId, memberId, null, now));
  }

  /** Removes a member (it left, its session or rebalance timed out) and bumps the group epoch. */
  #fence(group: ConsumerGroup, memberId: string, now: number): RecordInput[] {
    const records: RecordInput[] = [];
    this.#removeMemberRecords(group, memberId, records, now);
    this.#cancelTimers(group, memberId);
    group.removeMember(memberId);
    group.targetAssignment.delete(memberId);
    this.#refreshSubscriptionMetadata(group, records, now);
    group.groupEpoch++;
    records.push(consumerRecord('groupMetadata', group.groupId, null, encodeGroupEpochValue(group.groupEpoch), now));
    return records;
  }

  /** Fences a member from a timer: the records are written, nobody waits for them. */
  #fenceFromTimer(owned: OwnedPartition, group: ConsumerGroup, memberId: string, reason: string): void {
    if (group.dead || owned.consumerGroups.get(group.groupId) !== group || !group.members.has(memberId)) return;
    this.#log.info('member fenced from the consumer group', { group: group.groupId, member: memberId, reason });
    const records = this.#fence(group, memberId, this.#clock.now());
    this.#partitions.whenWritten(this.#partitions.append(owned, records), 'consumer group fencing', (code) => {
      if (code !== ErrorCode.NONE) this.#log.warn('could not write a fenced member', { group: group.groupId, member: memberId, errorCode: code });
    });
  }

  #scheduleSession(owned: OwnedPartition, group: ConsumerGroup, memberId: string): void {
    const previous = group.sessionTimers.get(memberId);
    if (previous !== undefined) this.#clock.clearTimeout(previous);
    group.sessionTimers.set(
      memberId,
      this.#partitions.schedule(
        'consumer group session timeout',
        () => {
          group.sessionTimers.delete(memberId);
          this.#fenceFromTimer(owned, group, memberId, 'the member session expired');
        },
        this.sessionTimeoutMs(),
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
  }

  // -----------------------------------------------------------------------------------------------
  // The coordinator's calls

  /** Forgets a group (its partition is no longer ours, or it was deleted): its timers stop. */
  dropGroup(group: ConsumerGroup): void {
    group.dead = true;
    for (const memberId of [...group.members.keys()]) this.#cancelTimers(group, memberId);
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
