/**
 * The group coordinator of one broker, for the groups whose `__consumer_offsets` partition this broker
 * leads: on becoming leader of such a partition it loads the partition's groups and offsets from the
 * log; on losing it, it drops them (waiting requests get NOT_COORDINATOR) and the new leader loads them.
 * Every change that must survive (offsets, a generation's members and assignments, deletions) is
 * appended to the partition with acks=-1 before it is acknowledged.
 *
 * A thin facade over its parts, which the handlers call through it: the owned partitions and their
 * write path (group-partitions.ts), membership and rebalances (group-membership.ts, Kafka's classic
 * GroupCoordinator) and committed offsets (group-offsets.ts, its GroupMetadataManager). It sees its
 * broker only through CoordinatorBroker. Timers come from an injectable clock (EmbeddedCluster's
 * groupClock; test/broker/groups/clock.test.ts moves it by hand).
 */
import type { BrokerConfigView } from '../cluster/broker-config';
import { isFailure, type Controller } from '../cluster/controller';
import type { Logger } from '../server/logger';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { describeConsumerGroup, describeError, notAConsumerGroup, type DescribedConsumerGroup } from './consumer-group-description';
import type { ConsumerGroup } from './consumer-group';
import type { ShareGroup } from './share-group';
import { ConsumerMembership, type ConsumerHeartbeatRequest } from './consumer-membership';
import { Group, joinError } from './group';
import {
  GroupMembership,
  type DescribedGroup,
  type JoinRequest,
  type LeaveResult,
  type ListedGroup,
  type MemberRef,
  type SyncRequest,
} from './group-membership';
import { GroupOffsets, type CommitRequest, type TxnCommitRequest } from './group-offsets';
import { GroupPartitions, systemClock, type CoordinatorBroker, type CoordinatorClock, type OwnedPartition } from './group-partitions';
import { loadOffsetsPartition } from './offsets-store';
import { OFFSETS_TOPIC } from './records';
import { ShareMembership, type ShareHeartbeatRequest } from './share-membership';
import { describeShareError, describeShareGroup, type DescribedShareGroup } from './share-group-description';

export { OFFSETS_TOPIC } from './records';
export type { CoordinatorBroker, CoordinatorClock } from './group-partitions';

/**
 * Creates `__consumer_offsets` if it does not exist yet (Kafka creates it on the first FindCoordinator):
 * offsets.topic.num.partitions partitions, min(offsets.topic.replication.factor, brokers) replicas,
 * compacted. Returns false when it cannot be created.
 */
export function ensureOffsetsTopic(broker: {
  readonly controller: Pick<Controller, 'topic' | 'createTopic' | 'brokerIds'>;
  readonly config: Pick<BrokerConfigView, 'int'>;
  readonly logger: Logger;
}): boolean {
  const controller = broker.controller;
  if (controller.topic(OFFSETS_TOPIC)) return true;
  const created = controller.createTopic({
    name: OFFSETS_TOPIC,
    partitions: broker.config.int('offsets.topic.num.partitions'),
    replicationFactor: Math.min(broker.config.int('offsets.topic.replication.factor'), controller.brokerIds.length),
    configs: { 'cleanup.policy': 'compact', 'compression.type': 'producer', 'segment.bytes': '104857600' },
    internal: true,
  });
  if (isFailure(created)) {
    // A metadata store that cannot be written was logged by the controller, once; clients retry.
    if (created.error === 'KAFKA_STORAGE_ERROR') broker.logger.debug('cannot create the offsets topic', { error: created.message });
    else broker.logger.error('cannot create the offsets topic', { error: created.message });
    return false;
  }
  broker.logger.info('created the offsets topic', { partitions: created.partitions.length, replicationFactor: created.partitions[0]?.replicas.length });
  return true;
}

export class GroupCoordinator {
  readonly membership: GroupMembership;
  readonly offsets: GroupOffsets;
  /** KIP-848 consumer groups (ConsumerGroupHeartbeat). */
  readonly consumer: ConsumerMembership;
  /** KIP-932 share groups (ShareGroupHeartbeat). */
  readonly share: ShareMembership;
  readonly #partitions: GroupPartitions;
  readonly #broker: CoordinatorBroker;

  constructor(broker: CoordinatorBroker, clock: CoordinatorClock = systemClock) {
    this.#broker = broker;
    this.#partitions = new GroupPartitions(broker, clock);
    this.membership = new GroupMembership(this.#partitions);
    this.consumer = new ConsumerMembership(this.#partitions, {
      retire: (group) => this.membership.retire(group),
      adopt: (holder, value) => this.membership.adopt(holder, value),
    });
    this.share = new ShareMembership(this.#partitions);
    this.offsets = new GroupOffsets(this.#partitions, this.membership, this.consumer, this.share);
  }

  /** The `__consumer_offsets` partition of a group, or -1 while the topic does not exist. */
  partitionFor(groupId: string): number {
    return this.#partitions.partitionFor(groupId);
  }

  /** The offsets partitions this broker coordinates now. */
  ownedPartitions(): number[] {
    return this.#partitions.ownedPartitions();
  }

  /** Reconciles one offsets partition with the controller: load it when we lead it, drop it when not. */
  onPartitionChange(partition: number): void {
    if (!this.#broker.isRunning()) return;
    const meta = this.#broker.metadata.partition(OFFSETS_TOPIC, partition);
    const leads = meta !== undefined && meta.leader === this.#broker.id;
    const current = this.#partitions.owned.get(partition);
    if (current && (!leads || current.leaderEpoch !== meta.leaderEpoch)) this.#unload(partition);
    if (leads && !this.#partitions.owned.has(partition)) this.#load(partition, meta.leaderEpoch);
  }

  /** Reconciles every offsets partition (broker start, topic changes). */
  syncAll(): void {
    if (!this.#broker.isRunning()) return;
    const topic = this.#broker.metadata.topic(OFFSETS_TOPIC);
    for (const partition of [...this.#partitions.owned.keys()]) {
      if (!topic || partition >= topic.partitions.length) this.#unload(partition);
    }
    if (topic) for (const p of topic.partitions) this.onPartitionChange(p.partition);
  }

  /** Drops every group (the broker stops): waiting requests are answered NOT_COORDINATOR. */
  shutdown(): void {
    for (const partition of [...this.#partitions.owned.keys()]) this.#unload(partition);
    this.offsets.stopExpiry();
  }

  #load(partition: number, leaderEpoch: number): void {
    // A log that cannot be opened now (a full disk) holds groups we cannot read: not ours until the
    // broker opens it (it retries and calls onPartitionChange then); members are told NOT_COORDINATOR.
    if (!this.#broker.offsetsPartitions(partition)) return;
    const started = Date.now();
    const loaded = loadOffsetsPartition(this.#broker.offsetsPartitions, partition);
    const owned: OwnedPartition = { partition, leaderEpoch, groups: new Map(), consumerGroups: new Map(), shareGroups: new Map() };
    const now = this.#partitions.clock.now();
    for (const [groupId, value] of loaded.groups) owned.groups.set(groupId, this.membership.restoreGroup(groupId, value, now));
    let offsets = 0;
    for (const [groupId, topics] of loaded.offsets) {
      let group = owned.groups.get(groupId);
      if (!group) owned.groups.set(groupId, (group = new Group(groupId, now)));
      for (const [topic, partitions] of topics) {
        for (const [p, value] of partitions) {
          group.setOffset(topic, p, value);
          offsets++;
        }
      }
    }
    for (const [producerId, pending] of loaded.pendingTxn) {
      for (const p of pending) {
        let group = owned.groups.get(p.group);
        if (!group) owned.groups.set(p.group, (group = new Group(p.group, now)));
        const list = group.pendingTxnOffsets.get(producerId) ?? [];
        list.push({ topic: p.topic, partition: p.partition, value: p.value });
        group.pendingTxnOffsets.set(producerId, list);
      }
    }
    for (const [groupId, value] of loaded.consumerGroups) {
      if (value.groupEpoch === null) continue;
      this.consumer.restoreGroup(owned, groupId, value);
      if (!owned.groups.has(groupId)) owned.groups.set(groupId, new Group(groupId, now));
    }
    for (const [groupId, value] of loaded.shareGroups) {
      if (value.groupEpoch === null) continue;
      this.share.restoreGroup(owned, groupId, value);
      if (!owned.groups.has(groupId)) owned.groups.set(groupId, new Group(groupId, now));
    }
    this.#partitions.owned.set(partition, owned);
    this.offsets.scheduleExpiry();
    this.membership.resumeSessions(owned);
    if (loaded.records > 0 || loaded.skipped > 0) {
      this.#partitions.log.info('loaded groups and offsets', {
        partition,
        groups: owned.groups.size,
        consumerGroups: owned.consumerGroups.size,
        shareGroups: owned.shareGroups.size,
        offsets,
        records: loaded.records,
        skipped: loaded.skipped,
        ms: Date.now() - started,
      });
    }
  }

  #unload(partition: number): void {
    const owned = this.#partitions.owned.get(partition);
    if (!owned) return;
    this.#partitions.owned.delete(partition);
    for (const group of owned.groups.values()) this.membership.dropGroup(group, ErrorCode.NOT_COORDINATOR);
    for (const group of owned.consumerGroups.values()) this.consumer.dropGroup(group);
    for (const group of owned.shareGroups.values()) this.share.dropGroup(group);
    if (owned.groups.size > 0) this.#partitions.log.info('no longer coordinator of offsets partition', { partition, groups: owned.groups.size });
  }

  /** A topic was deleted: its committed offsets go; the offsets topic itself takes every group along. */
  onTopicDeleted(topic: string): void {
    if (topic === OFFSETS_TOPIC) this.syncAll();
    else this.offsets.onTopicDeleted(topic);
  }

  // ---------------------------------------------------------------------------------------------
  // The handlers' calls

  joinGroup(request: JoinRequest) {
    // A share group's id cannot take classic members (Kafka: INCONSISTENT_GROUP_PROTOCOL, as for a consumer group).
    if (this.share.shareGroup(request.groupId)) return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, request.memberId);
    // A consumer group with members takes classic members (KIP-848's online migration, Kafka 3.8+'s
    // classicGroupJoinToConsumerGroup); an empty one is removed and the id becomes a classic group.
    const consumerGroup = this.consumer.consumerGroup(request.groupId);
    if (consumerGroup && consumerGroup.members.size > 0) {
      const config = this.#broker.config;
      if (request.sessionTimeoutMs < config.int('group.min.session.timeout.ms') || request.sessionTimeoutMs > config.int('group.max.session.timeout.ms')) {
        return joinError(ErrorCode.INVALID_SESSION_TIMEOUT, request.memberId);
      }
      return this.consumer.classicJoin(request);
    }
    if (consumerGroup) this.offsets.deleteEmptyConsumerGroup(consumerGroup);
    return this.membership.joinGroup(request);
  }

  /** ShareGroupHeartbeat (KIP-932). */
  shareGroupHeartbeat(request: ShareHeartbeatRequest) {
    return this.share.heartbeat(request);
  }

  /** ConsumerGroupHeartbeat (KIP-848). */
  consumerGroupHeartbeat(request: ConsumerHeartbeatRequest) {
    return this.consumer.heartbeat(request);
  }

  /** SyncGroup, Heartbeat and LeaveGroup of a consumer group's id go to its classic members (KIP-848 online migration). */
  syncGroup(request: SyncRequest) {
    if (request.groupId !== '' && this.consumer.consumerGroup(request.groupId)) return this.consumer.classicSync(request);
    return this.membership.syncGroup(request);
  }

  heartbeat(request: MemberRef) {
    if (request.groupId !== '' && this.consumer.consumerGroup(request.groupId)) return this.consumer.classicHeartbeat(request);
    return this.membership.heartbeat(request);
  }

  leaveGroup(groupId: string, leaving: Array<{ memberId: string; groupInstanceId: string | null }>): LeaveResult | Promise<LeaveResult> {
    if (groupId !== '' && this.consumer.consumerGroup(groupId)) return this.consumer.classicLeave(groupId, leaving);
    return this.membership.leaveGroup(groupId, leaving);
  }

  /**
   * DescribeGroups shows classic groups. A consumer-protocol group (KIP-848) or a share group (KIP-932)
   * is not one: Kafka reports it Dead (and from DescribeGroups v6 GROUP_ID_NOT_FOUND); its classic entry
   * only holds its offsets.
   */
  describeGroup(groupId: string): DescribedGroup {
    const owned = this.#partitions.ownerOf(groupId);
    if (typeof owned !== 'number' && (owned.consumerGroups.has(groupId) || owned.shareGroups.has(groupId))) {
      return {
        errorCode: ErrorCode.NONE,
        groupId,
        groupState: 'Dead',
        protocolType: '',
        protocolData: '',
        members: [],
        notFound: `Group ${groupId} is not a classic group.`,
      };
    }
    return this.membership.describeGroup(groupId);
  }

  /** ListGroups: the classic and the consumer-protocol groups this broker coordinates, each with its type (KIP-848). */
  listGroups(): ListedGroup[] {
    return this.membership.listGroups();
  }

  /** ConsumerGroupDescribe (KIP-848) of one group: a consumer-protocol group, else GROUP_ID_NOT_FOUND as Kafka says it. */
  describeConsumerGroup(groupId: string): DescribedConsumerGroup {
    const owned = this.#partitions.ownerOf(groupId);
    if (typeof owned === 'number') return describeError(groupId, owned);
    const group = owned.consumerGroups.get(groupId);
    if (group) {
      const metadata = this.#broker.metadata;
      const assignors = this.consumer.assignors();
      return describeConsumerGroup(
        {
          groupId,
          state: group.state(),
          groupEpoch: group.groupEpoch,
          assignmentEpoch: group.assignmentEpoch,
          assignorName: assignors.find((a) => a.name === group.preferredServerAssignor())?.name ?? assignors[0]!.name,
          members: [...group.members.values()].map((m) => ({ ...m, assigned: m.assignedPartitions })),
          targetOf: (memberId) => group.targetAssignment.get(memberId),
        },
        (topicId) => {
          for (const topic of metadata.topics()) if (topic.topicId === topicId) return topic.name;
          return undefined;
        },
      );
    }
    const classic = owned.groups.get(groupId);
    return notAConsumerGroup(groupId, classic !== undefined && !classic.is('Dead'));
  }

  /** ShareGroupDescribe (KIP-932) of one group: a share group, else GROUP_ID_NOT_FOUND with Kafka's words. */
  describeShareGroup(groupId: string): DescribedShareGroup {
    const owned = this.#partitions.ownerOf(groupId);
    if (typeof owned === 'number') return describeShareError(groupId, owned);
    const group = owned.shareGroups.get(groupId);
    if (!group) {
      const classic = owned.groups.get(groupId);
      const exists = owned.consumerGroups.has(groupId) || (classic !== undefined && !classic.is('Dead'));
      return describeShareError(groupId, ErrorCode.GROUP_ID_NOT_FOUND, exists ? `Group ${groupId} is not a share group.` : `Group ${groupId} not found.`);
    }
    const metadata = this.#broker.metadata;
    return describeShareGroup(group, (topicId) => {
      for (const topic of metadata.topics()) if (topic.topicId === topicId) return topic.name;
      return undefined;
    });
  }

  commitOffsets(request: CommitRequest) {
    return this.offsets.commitOffsets(request);
  }

  commitTransactionalOffsets(request: TxnCommitRequest) {
    return this.offsets.commitTransactionalOffsets(request);
  }

  /** A transaction marker was written to an offsets partition this broker leads (see GroupOffsets.completeTransaction). */
  completeTransaction(partition: number, producerId: number, commit: boolean): void {
    this.offsets.completeTransaction(partition, producerId, commit);
  }

  fetchOffsets(
    groupId: string,
    topics: Array<{ name: string; partitions: number[] }> | null,
    requireStable = false,
    member?: { memberId: string | null; memberEpoch: number },
  ) {
    return this.offsets.fetchOffsets(groupId, topics, requireStable, member);
  }

  deleteOffsets(groupId: string, topics: Array<{ name: string; partitions: number[] }>) {
    return this.offsets.deleteOffsets(groupId, topics);
  }

  deleteGroups(groupIds: string[]) {
    return this.offsets.deleteGroups(groupIds);
  }

  /** See GroupOffsets.expireOffsets (run by its timer; tests call it with a later time). */
  expireOffsets(now: number): number {
    return this.offsets.expireOffsets(now);
  }

  /**
   * The KIP-848 consumer groups this broker coordinates now, read-only (ListGroups, DescribeGroups, the
   * app): their ids are also keys of the classic groups map, whose entry then only holds the offsets.
   */
  consumerGroups(): ConsumerGroup[] {
    return this.ownedPartitions().flatMap((p) => [...(this.#partitions.owned.get(p)?.consumerGroups.values() ?? [])]);
  }

  /** The KIP-932 share groups this broker coordinates now, read-only (ListGroups, the app). */
  shareGroups(): ShareGroup[] {
    return this.ownedPartitions().flatMap((p) => [...(this.#partitions.owned.get(p)?.shareGroups.values() ?? [])]);
  }

  /** A group this broker coordinates, or undefined (UI, tests). */
  group(groupId: string): Group | undefined {
    return this.#partitions.group(groupId);
  }
}
