/**
 * The offsets part of the group coordinator: OffsetCommit, OffsetFetch, OffsetDelete and DeleteGroups,
 * the removal of a deleted topic's offsets, and Kafka's offset expiration (offsets.retention.minutes,
 * checked every offsets.retention.check.interval.ms). What GroupMetadataManager does for Kafka's
 * classic coordinator: every change is a record appended to the group's `__consumer_offsets` partition
 * before it is acknowledged or applied.
 */
import { ErrorCode } from '../../kafka/protocol/error-codes';
import type { RecordInput } from '../../kafka/records/record-batch';
import { Group, type CommittedOffset, type Member, type TimerHandle } from './group';
import type { ConsumerGroup } from './consumer-group';
import type { ConsumerMembership } from './consumer-membership';
import type { ShareMembership } from './share-membership';
import { subscriptionTopics, type GroupMembership, type MemberRef } from './group-membership';
import type { GroupPartitions, OwnedPartition } from './group-partitions';
import { groupMetadataRecord, offsetCommitRecord } from './offsets-store';

/** Kafka's offset.metadata.max.bytes default. */
export const OFFSET_METADATA_MAX_BYTES = 4096;

export interface CommitPartition {
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
  /** -1: now. */
  commitTimestamp: number;
}

export interface CommitRequest extends MemberRef {
  /** OffsetCommit v2-4 retention time; -1 for the broker's. */
  retentionTimeMs: number;
  /** The OffsetCommit version: members of a consumer group (KIP-848) must use v9+. */
  apiVersion?: number;
  topics: Array<{ name: string; partitions: CommitPartition[] }>;
}

/** TxnOffsetCommit (KIP-98; KIP-447 adds the member's generation): offsets committed in a producer's transaction. */
export interface TxnCommitRequest extends MemberRef {
  producerId: number;
  producerEpoch: number;
  topics: Array<{ name: string; partitions: CommitPartition[] }>;
}

export type PartitionResults = Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>;

export interface FetchedPartition {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  metadata: string;
  errorCode: number;
}

export interface FetchOffsetsResult {
  errorCode: number;
  topics: Array<{ name: string; partitions: FetchedPartition[] }>;
}

export class GroupOffsets {
  #expiryTimer: TimerHandle | null = null;
  readonly #partitions: GroupPartitions;
  readonly #membership: GroupMembership;
  readonly #consumer: ConsumerMembership;
  readonly #share: ShareMembership | null;

  constructor(partitions: GroupPartitions, membership: GroupMembership, consumer: ConsumerMembership, share: ShareMembership | null = null) {
    this.#partitions = partitions;
    this.#membership = membership;
    this.#consumer = consumer;
    this.#share = share;
  }

  /**
   * Kafka's ConsumerGroup.validateOffsetCommit: with no member (epoch -1) only while the group is empty
   * (admin tools); a transactional commit that names no member is accepted; else the member must exist,
   * use OffsetCommit v9+ (KIP-848), and send its current member epoch (STALE_MEMBER_EPOCH otherwise).
   * A classic member of the group (online migration) commits with any version and its generation, the
   * member epoch (ILLEGAL_GENERATION otherwise).
   */
  #validateConsumerCommit(group: ConsumerGroup, request: MemberRef, transactional: boolean, apiVersion: number): number {
    if (request.generationId < 0 && group.members.size === 0) return ErrorCode.NONE;
    if (transactional && request.generationId === -1 && request.memberId === '' && request.groupInstanceId === null) return ErrorCode.NONE;
    const member = group.members.get(request.memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    const classic = member.classicMetadata !== null;
    if (!transactional && !classic && apiVersion < 9) return ErrorCode.UNSUPPORTED_VERSION;
    if (request.generationId !== member.memberEpoch) return classic ? ErrorCode.ILLEGAL_GENERATION : ErrorCode.STALE_MEMBER_EPOCH;
    return ErrorCode.NONE;
  }

  /** The holder of a consumer group's committed offsets (the classic-group record, with no members). */
  #offsetsHolder(owned: OwnedPartition, groupId: string): Group {
    let group = owned.groups.get(groupId);
    if (!group) owned.groups.set(groupId, (group = new Group(groupId, this.#clock.now())));
    return group;
  }

  /** The topics a consumer group's members subscribe to now, or null when the group is not a consumer group or is empty. */
  #consumerSubscribedTopics(owned: OwnedPartition, groupId: string): Set<string> | null {
    const group = owned.consumerGroups.get(groupId);
    if (!group || group.members.size === 0) return null;
    return new Set(group.subscriptionMetadata.keys());
  }

  /** Removes an empty consumer group and its records (a classic member takes the group id over). */
  deleteEmptyConsumerGroup(group: ConsumerGroup): void {
    const owned = this.#partitions.ownerOf(group.groupId);
    if (typeof owned === 'number' || owned.consumerGroups.get(group.groupId) !== group || group.members.size > 0) return;
    owned.consumerGroups.delete(group.groupId);
    this.#consumer.dropGroup(group);
    this.#partitions.whenWritten(this.#partitions.append(owned, this.#consumer.tombstones(group, this.#clock.now())), 'consumer group removal', (code) => {
      if (code !== ErrorCode.NONE) this.#log.warn('could not write the removal of a consumer group', { group: group.groupId, errorCode: code });
    });
  }

  get #clock() {
    return this.#partitions.clock;
  }

  get #log() {
    return this.#partitions.log;
  }

  commitOffsets(request: CommitRequest): PartitionResults | Promise<PartitionResults> {
    const all = (errorCode: number): PartitionResults =>
      request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode })) }));
    const owned = this.#partitions.ownerOf(request.groupId);
    if (typeof owned === 'number') return all(owned);
    let group = owned.groups.get(request.groupId);
    let member: Member | undefined;
    const consumerGroup = owned.consumerGroups.get(request.groupId);
    if (consumerGroup) {
      const code = this.#validateConsumerCommit(consumerGroup, request, false, request.apiVersion ?? 9);
      if (code !== ErrorCode.NONE) return all(code);
      group = this.#offsetsHolder(owned, request.groupId);
    } else if (!group) {
      // Simple consumers and admin tools commit without a membership (generation -1).
      if (request.generationId >= 0) return all(ErrorCode.ILLEGAL_GENERATION);
      group = new Group(request.groupId, this.#clock.now());
      owned.groups.set(request.groupId, group);
    } else if (group.is('Dead')) {
      return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    } else if (group.isStaticMemberFenced(request.memberId, request.groupInstanceId)) {
      return all(ErrorCode.FENCED_INSTANCE_ID);
    } else if (!(request.generationId < 0 && group.is('Empty'))) {
      member = group.members.get(request.memberId);
      if (!member) return all(ErrorCode.UNKNOWN_MEMBER_ID);
      if (request.generationId !== group.generationId) return all(ErrorCode.ILLEGAL_GENERATION);
      if (group.is('CompletingRebalance')) return all(ErrorCode.REBALANCE_IN_PROGRESS);
      this.#membership.scheduleHeartbeat(group, member);
    }
    const target = group;
    const now = this.#clock.now();
    const cluster = this.#partitions.broker.metadata;
    const records: RecordInput[] = [];
    const accepted: Array<{ topic: string; partition: number; value: CommittedOffset }> = [];
    const results: PartitionResults = request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        if (!cluster.partition(t.name, p.partition)) return { partitionIndex: p.partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        const metadata = p.metadata ?? '';
        if (Buffer.byteLength(metadata) > OFFSET_METADATA_MAX_BYTES) return { partitionIndex: p.partition, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE };
        const commitTimestamp = p.commitTimestamp >= 0 ? p.commitTimestamp : now;
        const value: CommittedOffset = {
          offset: p.offset,
          leaderEpoch: p.leaderEpoch,
          metadata,
          commitTimestamp,
          expireTimestamp: request.retentionTimeMs >= 0 ? commitTimestamp + request.retentionTimeMs : -1,
        };
        records.push(offsetCommitRecord(target.groupId, t.name, p.partition, value, now));
        accepted.push({ topic: t.name, partition: p.partition, value });
        return { partitionIndex: p.partition, errorCode: -1 };
      }),
    }));
    const finish = (code: number): PartitionResults => {
      if (code === ErrorCode.NONE && owned.groups.get(target.groupId) === target) {
        for (const a of accepted) target.setOffset(a.topic, a.partition, a.value);
      }
      for (const t of results) for (const p of t.partitions) if (p.errorCode === -1) p.errorCode = code;
      this.#partitions.maybeForget(owned, target);
      return results;
    };
    const written = this.#partitions.append(owned, records);
    return written instanceof Promise ? written.then(finish) : finish(written);
  }

  /**
   * TxnOffsetCommit: the offsets go to the group's offsets partition in a transactional batch of the
   * producer and stay pending (OffsetFetch does not see them) until the transaction's marker reaches that
   * partition: completeTransaction. A member's generation is checked when it names itself (KIP-447).
   */
  commitTransactionalOffsets(request: TxnCommitRequest): PartitionResults | Promise<PartitionResults> {
    const all = (errorCode: number): PartitionResults =>
      request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode })) }));
    const owned = this.#partitions.ownerOf(request.groupId);
    if (typeof owned === 'number') return all(owned);
    let group = owned.groups.get(request.groupId);
    const consumerGroup = owned.consumerGroups.get(request.groupId);
    if (consumerGroup) {
      const code = this.#validateConsumerCommit(consumerGroup, request, true, 0);
      if (code !== ErrorCode.NONE) return all(code);
      group = this.#offsetsHolder(owned, request.groupId);
    } else if (!group) {
      group = new Group(request.groupId, this.#clock.now());
      owned.groups.set(request.groupId, group);
    } else if (group.is('Dead')) {
      return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    } else if (group.isStaticMemberFenced(request.memberId, request.groupInstanceId)) {
      return all(ErrorCode.FENCED_INSTANCE_ID);
    } else if (request.memberId !== '' && request.generationId >= 0) {
      if (!group.members.has(request.memberId)) return all(ErrorCode.UNKNOWN_MEMBER_ID);
      if (request.generationId !== group.generationId) return all(ErrorCode.ILLEGAL_GENERATION);
    }
    const target = group;
    const now = this.#clock.now();
    const cluster = this.#partitions.broker.metadata;
    const records: RecordInput[] = [];
    const accepted: Array<{ topic: string; partition: number; value: CommittedOffset }> = [];
    const results: PartitionResults = request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        if (!cluster.partition(t.name, p.partition)) return { partitionIndex: p.partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        const metadata = p.metadata ?? '';
        if (Buffer.byteLength(metadata) > OFFSET_METADATA_MAX_BYTES) return { partitionIndex: p.partition, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE };
        const value: CommittedOffset = { offset: p.offset, leaderEpoch: p.leaderEpoch, metadata, commitTimestamp: now, expireTimestamp: -1 };
        records.push(offsetCommitRecord(target.groupId, t.name, p.partition, value, now));
        accepted.push({ topic: t.name, partition: p.partition, value });
        return { partitionIndex: p.partition, errorCode: -1 };
      }),
    }));
    const finish = (code: number): PartitionResults => {
      if (code === ErrorCode.NONE && owned.groups.get(target.groupId) === target && accepted.length > 0) {
        const pending = target.pendingTxnOffsets.get(request.producerId) ?? [];
        pending.push(...accepted);
        target.pendingTxnOffsets.set(request.producerId, pending);
      }
      for (const t of results) for (const p of t.partitions) if (p.errorCode === -1) p.errorCode = code;
      this.#partitions.maybeForget(owned, target);
      return results;
    };
    const written = this.#partitions.append(owned, records, { producerId: request.producerId, producerEpoch: request.producerEpoch });
    return written instanceof Promise ? written.then(finish) : finish(written);
  }

  /**
   * A transaction marker reached an offsets partition this broker leads (WriteTxnMarkers): the
   * producer's pending offsets there become committed offsets, or are dropped on abort.
   */
  completeTransaction(partition: number, producerId: number, commit: boolean): void {
    const owned = this.#partitions.owned.get(partition);
    if (!owned) return;
    for (const group of [...owned.groups.values()]) {
      const pending = group.pendingTxnOffsets.get(producerId);
      if (!pending) continue;
      group.pendingTxnOffsets.delete(producerId);
      if (commit) for (const p of pending) group.setOffset(p.topic, p.partition, p.value);
      this.#partitions.maybeForget(owned, group);
    }
  }

  /** Whether offsets of an undecided transaction are pending for the partition (OffsetFetch's requireStable). */
  hasPendingTxnOffset(groupId: string, topic: string, partition: number): boolean {
    const group = this.#partitions.group(groupId);
    if (!group) return false;
    for (const pending of group.pendingTxnOffsets.values()) if (pending.some((p) => p.topic === topic && p.partition === partition)) return true;
    return false;
  }

  /**
   * OffsetFetch. From v9 a member of a consumer group names itself (KIP-848): an unknown member gets
   * UNKNOWN_MEMBER_ID, an epoch other than its current one STALE_MEMBER_EPOCH (Kafka's
   * ConsumerGroup.validateOffsetFetch); admin tools send no member id and epoch -1.
   */
  fetchOffsets(
    groupId: string,
    topics: Array<{ name: string; partitions: number[] }> | null,
    requireStable = false,
    member: { memberId: string | null; memberEpoch: number } = { memberId: null, memberEpoch: -1 },
  ): FetchOffsetsResult {
    const missing = (partitionIndex: number, errorCode: number = ErrorCode.NONE): FetchedPartition => ({
      partitionIndex,
      committedOffset: -1,
      committedLeaderEpoch: -1,
      metadata: '',
      errorCode,
    });
    const owned = this.#partitions.ownerOf(groupId);
    if (typeof owned === 'number') {
      return { errorCode: owned, topics: (topics ?? []).map((t) => ({ name: t.name, partitions: t.partitions.map((p) => missing(p, owned)) })) };
    }
    const consumerGroup = owned.consumerGroups.get(groupId);
    if (consumerGroup && !(member.memberId === null && member.memberEpoch < 0)) {
      const known = member.memberId === null ? undefined : consumerGroup.members.get(member.memberId);
      const stale = known?.classicMetadata ? ErrorCode.ILLEGAL_GENERATION : ErrorCode.STALE_MEMBER_EPOCH;
      const code = !known ? ErrorCode.UNKNOWN_MEMBER_ID : known.memberEpoch !== member.memberEpoch ? stale : ErrorCode.NONE;
      if (code !== ErrorCode.NONE)
        return { errorCode: code, topics: (topics ?? []).map((t) => ({ name: t.name, partitions: t.partitions.map((p) => missing(p, code)) })) };
    }
    const group = owned.groups.get(groupId);
    const found = (topic: string, partition: number): FetchedPartition => {
      if (requireStable && this.hasPendingTxnOffset(groupId, topic, partition)) return missing(partition, ErrorCode.UNSTABLE_OFFSET_COMMIT);
      const value = group?.offsets.get(topic)?.get(partition);
      if (!value) return missing(partition);
      return {
        partitionIndex: partition,
        committedOffset: value.offset,
        committedLeaderEpoch: value.leaderEpoch,
        metadata: value.metadata,
        errorCode: ErrorCode.NONE,
      };
    };
    if (topics === null) {
      const all = group
        ? [...group.offsets].map(([name, partitions]) => ({ name, partitions: [...partitions.keys()].sort((a, b) => a - b).map((p) => found(name, p)) }))
        : [];
      return { errorCode: ErrorCode.NONE, topics: all };
    }
    return { errorCode: ErrorCode.NONE, topics: topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => found(t.name, p)) })) };
  }

  /** OffsetDelete: removes committed offsets of topics the group does not subscribe to (any, when empty). */
  deleteOffsets(
    groupId: string,
    topics: Array<{ name: string; partitions: number[] }>,
  ): { errorCode: number; topics: PartitionResults } | Promise<{ errorCode: number; topics: PartitionResults }> {
    const all = (errorCode: number) => ({ errorCode, topics: [] as PartitionResults });
    const owned = this.#partitions.ownerOf(groupId);
    if (typeof owned === 'number') return all(owned);
    // A consumer group exists before it commits anything (Kafka: its topics are still refused per partition).
    const group = owned.groups.get(groupId) ?? (owned.consumerGroups.has(groupId) ? this.#offsetsHolder(owned, groupId) : undefined);
    if (!group || group.is('Dead')) return all(ErrorCode.GROUP_ID_NOT_FOUND);
    let subscribed: Set<string> = this.#consumerSubscribedTopics(owned, groupId) ?? new Set();
    if (!group.is('Empty')) {
      const topicsInUse = group.subscribedTopics(subscriptionTopics);
      if (topicsInUse === null) return all(ErrorCode.NON_EMPTY_GROUP);
      subscribed = topicsInUse;
    }
    const now = this.#clock.now();
    const records: RecordInput[] = [];
    const removed: Array<{ topic: string; partition: number }> = [];
    const results: PartitionResults = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((partition) => {
        if (subscribed.has(t.name)) return { partitionIndex: partition, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
        if (!this.#partitions.broker.metadata.partition(t.name, partition))
          return { partitionIndex: partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        if (group.offsets.get(t.name)?.has(partition)) {
          records.push(offsetCommitRecord(groupId, t.name, partition, null, now));
          removed.push({ topic: t.name, partition });
          return { partitionIndex: partition, errorCode: -1 };
        }
        return { partitionIndex: partition, errorCode: ErrorCode.NONE };
      }),
    }));
    const finish = (code: number) => {
      if (code === ErrorCode.NONE) for (const r of removed) group.removeOffset(r.topic, r.partition);
      for (const t of results) for (const p of t.partitions) if (p.errorCode === -1) p.errorCode = code;
      return { errorCode: ErrorCode.NONE, topics: results };
    };
    const written = this.#partitions.append(owned, records);
    return written instanceof Promise ? written.then(finish) : finish(written);
  }

  /** A topic was deleted: its committed offsets go from every group this broker coordinates. */
  onTopicDeleted(topic: string): void {
    const now = this.#clock.now();
    for (const owned of this.#partitions.owned.values()) {
      const records: RecordInput[] = [];
      for (const group of [...owned.groups.values()]) {
        const partitions = group.offsets.get(topic);
        if (!partitions) continue;
        for (const partition of partitions.keys()) records.push(offsetCommitRecord(group.groupId, topic, partition, null, now));
        group.offsets.delete(topic);
        if (
          group.is('Empty') &&
          group.members.size === 0 &&
          !group.hasOffsets() &&
          group.pendingMembers.size === 0 &&
          !owned.consumerGroups.has(group.groupId)
        ) {
          records.push(groupMetadataRecord(group.groupId, null, now));
          this.#membership.dropGroup(group, ErrorCode.COORDINATOR_NOT_AVAILABLE);
          owned.groups.delete(group.groupId);
        }
      }
      this.#partitions.whenWritten(this.#partitions.append(owned, records), 'deleted topic offsets', (code) => {
        if (code !== ErrorCode.NONE) this.#log.warn('could not remove the offsets of a deleted topic', { topic, partition: owned.partition, errorCode: code });
      });
    }
  }

  scheduleExpiry(): void {
    if (this.#expiryTimer !== null) return;
    this.#expiryTimer = this.#partitions.schedule(
      'offsets expiry',
      () => {
        this.#expiryTimer = null;
        if (this.#partitions.owned.size === 0) return;
        this.expireOffsets(this.#clock.now());
        this.scheduleExpiry();
      },
      this.#partitions.broker.config.int('offsets.retention.check.interval.ms'),
    );
  }

  /** Stops the expiry timer (the broker stops). */
  stopExpiry(): void {
    if (this.#expiryTimer !== null) this.#clock.clearTimeout(this.#expiryTimer);
    this.#expiryTimer = null;
  }

  /**
   * Kafka's offset expiration (offsets.retention.minutes, checked every
   * offsets.retention.check.interval.ms): the offsets of a group that has been empty for the retention
   * time go; so do, in an active consumer group, those of topics no member subscribes to any more, and
   * any offset committed with an explicit retention (OffsetCommit v1-4) once it expires. An empty group
   * left without offsets is removed. Returns how many offsets expired.
   */
  expireOffsets(now: number): number {
    const retentionMs = this.#partitions.broker.config.int('offsets.retention.minutes') * 60_000;
    let expired = 0;
    for (const owned of this.#partitions.owned.values()) {
      const records: RecordInput[] = [];
      for (const group of [...owned.groups.values()]) {
        const consumerGroup = owned.consumerGroups.get(group.groupId);
        const consumerSubscribed = this.#consumerSubscribedTopics(owned, group.groupId);
        const subscribed = consumerGroup ? consumerSubscribed : group.is('Empty') ? null : group.subscribedTopics(subscriptionTopics);
        for (const [topic, partitions] of [...group.offsets]) {
          for (const [partition, value] of [...partitions]) {
            let expiresAt: number;
            if (value.expireTimestamp >= 0) expiresAt = value.expireTimestamp;
            else if (consumerGroup) {
              // Kafka's consumer groups: an offset expires by its commit time unless a member subscribes to its topic.
              if (consumerSubscribed?.has(topic)) continue;
              expiresAt = value.commitTimestamp + retentionMs;
            } else if (group.is('Empty')) expiresAt = Math.max(value.commitTimestamp, group.stateTimestamp) + retentionMs;
            else if (subscribed !== null && !subscribed.has(topic)) expiresAt = value.commitTimestamp + retentionMs;
            else continue;
            if (expiresAt > now) continue;
            group.removeOffset(topic, partition);
            records.push(offsetCommitRecord(group.groupId, topic, partition, null, now));
            expired++;
          }
        }
        if (consumerGroup) {
          if (consumerGroup.members.size === 0 && !group.hasOffsets()) {
            records.push(...this.#consumer.tombstones(consumerGroup, now));
            this.#consumer.dropGroup(consumerGroup);
            owned.consumerGroups.delete(group.groupId);
            owned.groups.delete(group.groupId);
            this.#log.info('removed an empty consumer group without offsets', { group: group.groupId });
          }
        } else if (group.is('Empty') && group.members.size === 0 && group.pendingMembers.size === 0 && !group.hasOffsets()) {
          records.push(groupMetadataRecord(group.groupId, null, now));
          this.#membership.dropGroup(group, ErrorCode.COORDINATOR_NOT_AVAILABLE);
          owned.groups.delete(group.groupId);
          this.#log.info('removed an empty group without offsets', { group: group.groupId });
        }
      }
      this.#partitions.whenWritten(this.#partitions.append(owned, records), 'offsets expiry', (code) => {
        if (code !== ErrorCode.NONE) this.#log.warn('could not write expired offsets', { partition: owned.partition, errorCode: code });
      });
    }
    if (expired > 0) this.#log.info('expired committed offsets', { count: expired });
    return expired;
  }

  /** DeleteGroups: only empty groups; their offsets and metadata are tombstoned. */
  deleteGroups(groupIds: string[]): Array<{ groupId: string; errorCode: number }> | Promise<Array<{ groupId: string; errorCode: number }>> {
    const now = this.#clock.now();
    const byPartition = new Map<OwnedPartition, { records: RecordInput[]; groups: string[] }>();
    const results = groupIds.map((groupId): { groupId: string; errorCode: number } => {
      const owned = this.#partitions.ownerOf(groupId);
      if (typeof owned === 'number') return { groupId, errorCode: owned };
      const consumerGroup = owned.consumerGroups.get(groupId);
      const shareGroup = owned.shareGroups.get(groupId);
      const group = owned.groups.get(groupId) ?? (consumerGroup || shareGroup ? this.#offsetsHolder(owned, groupId) : undefined);
      if (!group || group.is('Dead')) return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND };
      const members = (consumerGroup?.members.size ?? 0) + (shareGroup?.members.size ?? 0);
      if (!group.is('Empty') || members > 0) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
      let entry = byPartition.get(owned);
      if (!entry) byPartition.set(owned, (entry = { records: [], groups: [] }));
      for (const [topic, partitions] of group.offsets) {
        for (const partition of partitions.keys()) entry.records.push(offsetCommitRecord(groupId, topic, partition, null, now));
      }
      if (consumerGroup) {
        entry.records.push(...this.#consumer.tombstones(consumerGroup, now));
        this.#consumer.dropGroup(consumerGroup);
        owned.consumerGroups.delete(groupId);
      } else if (shareGroup && this.#share) {
        // KIP-932: an empty share group is deleted with its records (its share-partition state is the share coordinator's).
        entry.records.push(...this.#share.tombstones(shareGroup, now));
        this.#share.dropGroup(shareGroup);
        owned.shareGroups.delete(groupId);
      } else entry.records.push(groupMetadataRecord(groupId, null, now));
      entry.groups.push(groupId);
      this.#membership.dropGroup(group, ErrorCode.COORDINATOR_NOT_AVAILABLE);
      owned.groups.delete(groupId);
      return { groupId, errorCode: -1 };
    });
    const writes = [...byPartition].map(([owned, entry]) => {
      const written = this.#partitions.append(owned, entry.records);
      const apply = (code: number) => {
        for (const r of results) if (r.errorCode === -1 && entry.groups.includes(r.groupId)) r.errorCode = code;
      };
      if (written instanceof Promise) return written.then(apply);
      apply(written);
      return null;
    });
    const pending = writes.filter((w): w is Promise<void> => w !== null);
    return pending.length === 0 ? results : Promise.all(pending).then(() => results);
  }
}
