/**
 * The group coordinator of one broker: Kafka's classic group protocol (JoinGroup, SyncGroup, Heartbeat,
 * LeaveGroup) and committed offsets for the groups whose `__consumer_offsets` partition this broker
 * leads. On becoming leader of such a partition it loads the partition's groups and offsets from the
 * log; on losing it, it drops them (waiting requests get NOT_COORDINATOR) and the new leader loads them.
 * Every change that must survive (offsets, a generation's members and assignments, deletions) is
 * appended to the partition with acks=-1 before it is acknowledged.
 *
 * The rules follow Kafka's GroupCoordinator (the classic one): member ids handed out with
 * MEMBER_ID_REQUIRED from JoinGroup v4 (KIP-394), static members (KIP-345), the initial rebalance delay
 * for an empty group, rebalance and session timeouts. Timers come from an injectable clock.
 */
import { randomUUID } from 'node:crypto';
import type { BrokerConfigView } from '../cluster/broker-config';
import { isFailure, type Controller } from '../cluster/controller';
import type { Logger } from '../server/logger';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { decodeConsumerProtocolSubscription } from '../../kafka/protocol/generated/consumer-protocol-subscription';
import { Reader } from '../../kafka/protocol/reader';
import type { RecordInput } from '../../kafka/records/record-batch';
import {
  emptyConsumerAssignment,
  Group,
  joinError,
  Member,
  syncError,
  type CommittedOffset,
  type GroupState,
  type JoinResult,
  type MemberProtocol,
  type SyncResult,
  type TimerHandle,
} from './group';
import { appendToOffsetsPartition, groupMetadataRecord, loadOffsetsPartition, offsetCommitRecord, type OffsetsPartitions } from './offsets-store';
import { OFFSETS_TOPIC, partitionForGroup, type GroupMetadataValue } from './records';

export { OFFSETS_TOPIC } from './records';

/**
 * What the group coordinator needs of its broker, and nothing more: Kafka hands its coordinators a
 * PartitionWriter ("the minimum required for coordinators") and the metadata image, never the broker.
 * The Broker builds one of these over itself.
 */
export interface CoordinatorBroker {
  readonly id: number;
  readonly logger: Logger;
  readonly config: Pick<BrokerConfigView, 'int'>;
  /** The cluster's topics and partitions (who leads which offsets partition, which topics exist). */
  readonly metadata: Pick<Controller, 'topic' | 'partition'>;
  /** This broker's replicas of the `__consumer_offsets` partitions, to load from and append to. */
  readonly offsetsPartitions: OffsetsPartitions;
  isRunning(): boolean;
}

export interface CoordinatorClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: CoordinatorClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, Math.max(0, ms));
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** How long a new member's JoinGroup may wait in a rebalance before it is dropped (Kafka's constant). */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 300_000;
/** Kafka's offset.metadata.max.bytes default. */
export const OFFSET_METADATA_MAX_BYTES = 4096;
/** Authorized operations of a group when asked for (no ACLs here): READ, DELETE, DESCRIBE. */
export const GROUP_AUTHORIZED_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8);

interface OwnedPartition {
  partition: number;
  leaderEpoch: number;
  groups: Map<string, Group>;
}

export interface JoinRequest {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  /** Metadata buffers must be the caller's own copies (they are kept). */
  protocols: MemberProtocol[];
  /** JoinGroup v4+: a member without an id gets one with MEMBER_ID_REQUIRED and joins again. */
  requireKnownMemberId: boolean;
}

export interface SyncRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  /** The leader's assignments (own copies); empty from followers. */
  assignments: Map<string, Buffer>;
}

export interface MemberRef {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  generationId: number;
}

export interface LeaveResult {
  errorCode: number;
  members: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }>;
}

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

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; memberMetadata: Buffer; memberAssignment: Buffer }>;
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState: GroupState;
  groupType: string;
}

/** The topics of a ConsumerProtocolSubscription (version prefix included), or null when it is not one. */
export function subscriptionTopics(metadata: Buffer): string[] | null {
  try {
    const r = new Reader(metadata);
    const version = r.readInt16();
    return decodeConsumerProtocolSubscription(r, version).topics;
  } catch {
    return null;
  }
}

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
  private readonly owned = new Map<number, OwnedPartition>();
  private emptyAssignmentBytes: Buffer | null = null;
  private expiryTimer: TimerHandle | null = null;

  constructor(
    private readonly broker: CoordinatorBroker,
    private readonly clock: CoordinatorClock = systemClock,
  ) {}

  private get log() {
    return this.broker.logger;
  }

  // ---------------------------------------------------------------------------------------------
  // Ownership

  /** The `__consumer_offsets` partition of a group, or -1 while the topic does not exist. */
  partitionFor(groupId: string): number {
    const count = this.broker.metadata.topic(OFFSETS_TOPIC)?.partitions.length ?? 0;
    return count === 0 ? -1 : partitionForGroup(groupId, count);
  }

  /** The offsets partitions this broker coordinates now. */
  ownedPartitions(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  private ownerOf(groupId: string): OwnedPartition | number {
    const partition = this.partitionFor(groupId);
    if (partition < 0) return ErrorCode.NOT_COORDINATOR;
    return this.owned.get(partition) ?? ErrorCode.NOT_COORDINATOR;
  }

  /** Reconciles one offsets partition with the controller: load it when we lead it, drop it when not. */
  onPartitionChange(partition: number): void {
    if (!this.broker.isRunning()) return;
    const meta = this.broker.metadata.partition(OFFSETS_TOPIC, partition);
    const leads = meta !== undefined && meta.leader === this.broker.id;
    const current = this.owned.get(partition);
    if (current && (!leads || current.leaderEpoch !== meta!.leaderEpoch)) this.unload(partition);
    if (leads && !this.owned.has(partition)) this.load(partition, meta!.leaderEpoch);
  }

  /** Reconciles every offsets partition (broker start, topic changes). */
  syncAll(): void {
    if (!this.broker.isRunning()) return;
    const topic = this.broker.metadata.topic(OFFSETS_TOPIC);
    for (const partition of [...this.owned.keys()]) {
      if (!topic || partition >= topic.partitions.length) this.unload(partition);
    }
    if (topic) for (const p of topic.partitions) this.onPartitionChange(p.partition);
  }

  /** Drops every group (the broker stops): waiting requests are answered NOT_COORDINATOR. */
  shutdown(): void {
    for (const partition of [...this.owned.keys()]) this.unload(partition);
    if (this.expiryTimer !== null) this.clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
  }

  private load(partition: number, leaderEpoch: number): void {
    // A log that cannot be opened now (a full disk) holds groups we cannot read: not ours until the
    // broker opens it (it retries and calls onPartitionChange then); members are told NOT_COORDINATOR.
    if (!this.broker.offsetsPartitions(partition)) return;
    const started = Date.now();
    const loaded = loadOffsetsPartition(this.broker.offsetsPartitions, partition);
    const owned: OwnedPartition = { partition, leaderEpoch, groups: new Map() };
    const now = this.clock.now();
    for (const [groupId, value] of loaded.groups) owned.groups.set(groupId, this.restoreGroup(groupId, value, now));
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
    this.owned.set(partition, owned);
    this.scheduleExpiry();
    for (const group of owned.groups.values()) {
      for (const member of group.members.values()) this.scheduleHeartbeat(group, member);
    }
    if (loaded.records > 0 || loaded.skipped > 0) {
      this.log.info('loaded groups and offsets', { partition, groups: owned.groups.size, offsets, records: loaded.records, skipped: loaded.skipped, ms: Date.now() - started });
    }
  }

  private restoreGroup(groupId: string, value: GroupMetadataValue, now: number): Group {
    const group = new Group(groupId, now);
    const protocolType = value.protocolType === '' ? null : value.protocolType;
    for (const m of value.members) {
      const protocols = value.protocol !== null ? [{ name: value.protocol, metadata: m.subscription }] : [];
      const member = new Member(m.memberId, m.groupInstanceId, m.clientId, m.clientHost, m.rebalanceTimeoutMs, m.sessionTimeoutMs, value.protocolType, protocols);
      member.assignment = m.assignment;
      group.add(member, null);
    }
    group.protocolType = protocolType;
    group.generationId = value.generation;
    group.protocolName = value.protocol;
    group.leaderId = value.leader !== null && group.members.has(value.leader) ? value.leader : (group.members.keys().next().value ?? null);
    group.state = group.members.size > 0 ? 'Stable' : 'Empty';
    if (value.currentStateTimestamp >= 0) group.stateTimestamp = value.currentStateTimestamp;
    return group;
  }

  private unload(partition: number): void {
    const owned = this.owned.get(partition);
    if (!owned) return;
    this.owned.delete(partition);
    for (const group of owned.groups.values()) this.dropGroup(group, ErrorCode.NOT_COORDINATOR);
    if (owned.groups.size > 0) this.log.info('no longer coordinator of offsets partition', { partition, groups: owned.groups.size });
  }

  /** Stops a group's timers and answers its waiting requests; the group object is discarded. */
  private dropGroup(group: Group, errorCode: number): void {
    if (group.joinTimer !== null) this.clock.clearTimeout(group.joinTimer);
    group.joinTimer = null;
    for (const timer of group.pendingMembers.values()) this.clock.clearTimeout(timer);
    group.pendingMembers.clear();
    for (const member of group.members.values()) {
      if (member.heartbeatTimer !== null) this.clock.clearTimeout(member.heartbeatTimer);
      member.heartbeatTimer = null;
      member.answerJoin(joinError(errorCode, member.memberId));
      member.answerSync(syncError(errorCode));
    }
    group.state = 'Dead';
  }

  /** Runs work from a timer or a completed write: a bug there is logged, never thrown into the event loop. */
  private guarded(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.log.error('group coordinator failure', { what, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  }

  private schedule(what: string, fn: () => void, ms: number): TimerHandle {
    return this.clock.setTimeout(() => this.guarded(what, fn), ms);
  }

  private whenWritten(written: number | Promise<number>, what: string, fn: (code: number) => void): void {
    if (written instanceof Promise) void written.then((code) => this.guarded(what, () => fn(code)));
    else fn(written);
  }

  private maybeForget(owned: OwnedPartition, group: Group): void {
    if (group.isForgettable() && owned.groups.get(group.groupId) === group) owned.groups.delete(group.groupId);
  }

  private isCurrent(owned: OwnedPartition): boolean {
    return this.owned.get(owned.partition) === owned;
  }

  // ---------------------------------------------------------------------------------------------
  // Membership: JoinGroup

  joinGroup(request: JoinRequest): JoinResult | Promise<JoinResult> {
    if (request.groupId === '') return joinError(ErrorCode.INVALID_GROUP_ID, request.memberId);
    const owned = this.ownerOf(request.groupId);
    if (typeof owned === 'number') return joinError(owned, request.memberId);
    const config = this.broker.config;
    if (request.sessionTimeoutMs < config.int('group.min.session.timeout.ms') || request.sessionTimeoutMs > config.int('group.max.session.timeout.ms')) {
      return joinError(ErrorCode.INVALID_SESSION_TIMEOUT, request.memberId);
    }
    const unknown = request.memberId === '';
    let group = owned.groups.get(request.groupId);
    if (!group) {
      if (!unknown) return joinError(ErrorCode.UNKNOWN_MEMBER_ID, request.memberId);
      group = new Group(request.groupId, this.clock.now());
      owned.groups.set(request.groupId, group);
    }
    const target = group;
    const box: { result: JoinResult | null; resolve: ((result: JoinResult) => void) | null } = { result: null, resolve: null };
    const callback = (result: JoinResult) => {
      if (box.resolve) box.resolve(result);
      else box.result = result;
    };
    if (unknown) this.doNewMemberJoin(owned, target, request, callback);
    else this.doCurrentMemberJoin(owned, target, request, callback);
    if (target.is('PreparingRebalance')) this.tryCompleteJoin(target);
    this.maybeForget(owned, target);
    if (box.result !== null) return box.result;
    return new Promise<JoinResult>((resolve) => {
      box.resolve = resolve;
    });
  }

  private doNewMemberJoin(owned: OwnedPartition, group: Group, request: JoinRequest, callback: (result: JoinResult) => void): void {
    if (group.is('Dead')) return callback(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(request.protocolType, request.protocols)) return callback(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    const newMemberId = `${request.clientId}-${randomUUID()}`;
    if (request.groupInstanceId !== null) return this.doStaticMemberJoin(owned, group, newMemberId, request, callback);
    if (group.members.size + group.pendingMembers.size >= this.broker.config.int('group.max.size')) {
      return callback(joinError(ErrorCode.GROUP_MAX_SIZE_REACHED));
    }
    if (request.requireKnownMemberId) {
      // KIP-394: hand out the id first; the member joins again with it. Forgotten if it never does.
      const timer = this.schedule('pending member expiry', () => this.expirePendingMember(owned, group, newMemberId), request.sessionTimeoutMs);
      group.pendingMembers.set(newMemberId, timer);
      return callback(joinError(ErrorCode.MEMBER_ID_REQUIRED, newMemberId));
    }
    this.addMemberAndRebalance(group, newMemberId, request, callback);
  }

  private expirePendingMember(owned: OwnedPartition, group: Group, memberId: string): void {
    if (!group.pendingMembers.delete(memberId)) return;
    if (group.is('PreparingRebalance')) this.tryCompleteJoin(group);
    this.maybeForget(owned, group);
  }

  private doStaticMemberJoin(owned: OwnedPartition, group: Group, newMemberId: string, request: JoinRequest, callback: (result: JoinResult) => void): void {
    const instanceId = request.groupInstanceId!;
    const oldMemberId = group.staticMembers.get(instanceId);
    const old = oldMemberId !== undefined ? group.members.get(oldMemberId) : undefined;
    if (!old) {
      if (group.members.size + group.pendingMembers.size >= this.broker.config.int('group.max.size')) {
        return callback(joinError(ErrorCode.GROUP_MAX_SIZE_REACHED));
      }
      return this.addMemberAndRebalance(group, newMemberId, request, callback);
    }
    // A known instance restarted: its new member id replaces the old one, which is fenced.
    const previousLeader = group.leaderId ?? '';
    if (old.heartbeatTimer !== null) this.clock.clearTimeout(old.heartbeatTimer);
    old.heartbeatTimer = null;
    group.updateProtocols(old, request.protocols);
    const member = new Member(newMemberId, instanceId, request.clientId, request.clientHost, request.rebalanceTimeoutMs, request.sessionTimeoutMs, request.protocolType, request.protocols);
    group.replaceStaticMember(instanceId, old.memberId, member);
    member.awaitingJoin = callback;
    this.scheduleHeartbeat(group, member);
    switch (group.state) {
      case 'Stable': {
        if (group.selectProtocol() !== group.protocolName) {
          this.maybePrepareRebalance(group, `static member ${instanceId} rejoined with other protocols`);
          return;
        }
        // Same protocols: no rebalance. The member gets the generation back (with the previous leader id,
        // so it does not act as leader) once the new member id is stored.
        const generation = group.generationId;
        const assignments = new Map([...group.members.values()].map((m) => [m.memberId, m.assignment]));
        const done = (code: number) => {
          if (!group.is('Stable') || group.generationId !== generation) return;
          if (code !== ErrorCode.NONE) {
            member.answerJoin(joinError(code, member.memberId));
            return;
          }
          member.answerJoin({
            errorCode: ErrorCode.NONE,
            generationId: group.generationId,
            protocolType: group.protocolType,
            protocolName: group.protocolName,
            leader: previousLeader,
            memberId: member.memberId,
            members: [],
            skipAssignment: false,
          });
        };
        this.whenWritten(this.storeGroup(owned, group, assignments), 'static member join', done);
        return;
      }
      case 'CompletingRebalance':
        this.prepareRebalance(group, `static member ${instanceId} rejoined during the rebalance`);
        return;
      default:
        // PreparingRebalance: the member waits for the rebalance to complete like the others.
        return;
    }
  }

  private doCurrentMemberJoin(owned: OwnedPartition, group: Group, request: JoinRequest, callback: (result: JoinResult) => void): void {
    const { memberId } = request;
    if (group.is('Dead')) return callback(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, memberId));
    if (!group.supportsProtocols(request.protocolType, request.protocols)) return callback(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, memberId));
    const pending = group.pendingMembers.get(memberId);
    if (pending !== undefined) {
      this.clock.clearTimeout(pending);
      group.pendingMembers.delete(memberId);
      return this.addMemberAndRebalance(group, memberId, request, callback);
    }
    if (group.isStaticMemberFenced(memberId, request.groupInstanceId)) return callback(joinError(ErrorCode.FENCED_INSTANCE_ID, memberId));
    const member = group.members.get(memberId);
    if (!member) return callback(joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
    member.clientId = request.clientId;
    member.clientHost = request.clientHost;
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, request, callback);
      case 'CompletingRebalance':
        if (member.matches(request.protocols)) return callback(this.currentGeneration(group, member, group.isLeader(memberId)));
        return this.updateMemberAndRebalance(group, member, request, callback);
      case 'Stable':
        if (group.isLeader(memberId) || !member.matches(request.protocols)) return this.updateMemberAndRebalance(group, member, request, callback);
        this.scheduleHeartbeat(group, member);
        return callback(this.currentGeneration(group, member, false));
      default:
        return callback(joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
    }
  }

  private currentGeneration(group: Group, member: Member, withMembers: boolean): JoinResult {
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      memberId: member.memberId,
      members: withMembers ? group.currentMemberMetadata() : [],
      skipAssignment: false,
    };
  }

  private addMemberAndRebalance(group: Group, memberId: string, request: JoinRequest, callback: (result: JoinResult) => void): void {
    const member = new Member(
      memberId,
      request.groupInstanceId,
      request.clientId,
      request.clientHost,
      request.rebalanceTimeoutMs,
      request.sessionTimeoutMs,
      request.protocolType,
      request.protocols,
    );
    member.isNew = true;
    group.add(member, callback);
    if (group.is('PreparingRebalance') && group.generationId === 0) group.newMemberAdded = true;
    // A new member cannot heartbeat before its first JoinGroup answer; it gets a longer timeout, after
    // which a member that went away (its JoinGroup still waiting) is dropped.
    this.scheduleHeartbeat(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS);
    this.maybePrepareRebalance(group, `member ${memberId} joined`);
  }

  private updateMemberAndRebalance(group: Group, member: Member, request: JoinRequest, callback: (result: JoinResult) => void): void {
    group.updateProtocols(member, request.protocols);
    member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
    member.sessionTimeoutMs = request.sessionTimeoutMs;
    // A JoinGroup of this member still waiting (from a connection it gave up on) is superseded.
    member.answerJoin(joinError(ErrorCode.REBALANCE_IN_PROGRESS, member.memberId));
    member.awaitingJoin = callback;
    this.maybePrepareRebalance(group, `member ${member.memberId} rejoined`);
  }

  private maybePrepareRebalance(group: Group, reason: string): void {
    if (group.is('Stable') || group.is('CompletingRebalance') || group.is('Empty')) this.prepareRebalance(group, reason);
  }

  private prepareRebalance(group: Group, reason: string): void {
    if (group.is('CompletingRebalance')) this.resetAndPropagateAssignmentError(group, ErrorCode.REBALANCE_IN_PROGRESS);
    const initial = group.is('Empty');
    group.transitionTo('PreparingRebalance', this.clock.now());
    if (group.joinTimer !== null) this.clock.clearTimeout(group.joinTimer);
    this.log.debug('preparing rebalance', { group: group.groupId, generation: group.generationId, reason });
    if (initial) {
      // An empty group waits group.initial.rebalance.delay.ms for more members, extended (up to the
      // rebalance timeout) while new members keep coming.
      const delay = this.broker.config.int('group.initial.rebalance.delay.ms');
      group.initialDelay = true;
      group.newMemberAdded = false;
      group.initialDelayRemainingMs = Math.max(group.rebalanceTimeoutMs() - delay, 0);
      group.joinTimer = this.schedule('initial rebalance delay', () => this.onInitialDelayExpired(group), delay);
    } else {
      group.initialDelay = false;
      group.joinTimer = this.schedule('rebalance timeout', () => this.onRebalanceTimeout(group), group.rebalanceTimeoutMs());
      this.tryCompleteJoin(group);
    }
  }

  private onInitialDelayExpired(group: Group): void {
    group.joinTimer = null;
    if (!group.is('PreparingRebalance')) return;
    if (group.newMemberAdded && group.initialDelayRemainingMs > 0) {
      const configured = this.broker.config.int('group.initial.rebalance.delay.ms');
      const delay = Math.min(configured, group.initialDelayRemainingMs);
      group.newMemberAdded = false;
      group.initialDelayRemainingMs = Math.max(group.initialDelayRemainingMs - delay, 0);
      group.joinTimer = this.schedule('initial rebalance delay', () => this.onInitialDelayExpired(group), delay);
      return;
    }
    group.initialDelay = false;
    this.completeJoin(group);
  }

  private onRebalanceTimeout(group: Group): void {
    group.joinTimer = null;
    if (group.is('PreparingRebalance')) this.completeJoin(group);
  }

  private tryCompleteJoin(group: Group): void {
    if (group.is('PreparingRebalance') && !group.initialDelay && group.hasAllMembersJoined()) this.completeJoin(group);
  }

  /** The join phase ends: members that did not rejoin are dropped, the next generation begins. */
  private completeJoin(group: Group): void {
    if (!group.is('PreparingRebalance')) return;
    if (group.joinTimer !== null) this.clock.clearTimeout(group.joinTimer);
    group.joinTimer = null;
    group.initialDelay = false;
    for (const member of [...group.members.values()]) {
      if (member.awaitingJoin || member.groupInstanceId !== null) continue;
      if (member.heartbeatTimer !== null) this.clock.clearTimeout(member.heartbeatTimer);
      member.heartbeatTimer = null;
      group.remove(member.memberId);
      this.log.info('member did not rejoin in time and was removed', { group: group.groupId, member: member.memberId });
    }
    const joined = [...group.members.values()].filter((m) => m.awaitingJoin !== null);
    if (group.members.size > 0 && joined.length === 0) {
      // Only static members that have not rejoined: wait again (their session timeouts remove them).
      group.joinTimer = this.schedule('rebalance timeout', () => this.onRebalanceTimeout(group), group.rebalanceTimeoutMs());
      return;
    }
    if (group.leaderId !== null && !group.members.get(group.leaderId)?.awaitingJoin) group.leaderId = joined[0]?.memberId ?? group.leaderId;
    const owned = this.ownerOf(group.groupId);
    group.generationId++;
    const now = this.clock.now();
    if (group.members.size === 0) {
      group.protocolName = null;
      group.transitionTo('Empty', now);
      this.log.info('group is empty', { group: group.groupId, generation: group.generationId });
      if (typeof owned !== 'number') {
        this.whenWritten(this.storeGroup(owned, group, new Map()), 'empty group metadata', (code) => this.logStoreError(group, code));
      }
      return;
    }
    group.protocolName = group.selectProtocol();
    group.transitionTo('CompletingRebalance', now);
    this.log.info('rebalance: new generation', { group: group.groupId, generation: group.generationId, members: group.members.size, protocol: group.protocolName });
    for (const member of joined) {
      member.answerJoin(this.currentGeneration(group, member, group.isLeader(member.memberId)));
      member.isNew = false;
      this.scheduleHeartbeat(group, member);
    }
  }

  private logStoreError(group: Group, code: number): void {
    if (code !== ErrorCode.NONE) this.log.warn('could not store group metadata', { group: group.groupId, errorCode: code });
  }

  // ---------------------------------------------------------------------------------------------
  // SyncGroup, Heartbeat, LeaveGroup

  syncGroup(request: SyncRequest): SyncResult | Promise<SyncResult> {
    if (request.groupId === '') return syncError(ErrorCode.INVALID_GROUP_ID);
    const owned = this.ownerOf(request.groupId);
    if (typeof owned === 'number') return syncError(owned);
    const group = owned.groups.get(request.groupId);
    if (!group) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    if (group.is('Dead')) return syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (group.isStaticMemberFenced(request.memberId, request.groupInstanceId)) return syncError(ErrorCode.FENCED_INSTANCE_ID);
    const member = group.members.get(request.memberId);
    if (!member) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    if (request.generationId !== group.generationId) return syncError(ErrorCode.ILLEGAL_GENERATION);
    if ((request.protocolType !== null && request.protocolType !== group.protocolType) || (request.protocolName !== null && request.protocolName !== group.protocolName)) {
      return syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    switch (group.state) {
      case 'Empty':
        return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
      case 'PreparingRebalance':
        return syncError(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Stable':
        this.scheduleHeartbeat(group, member);
        return { errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment };
      default:
        break;
    }
    return new Promise<SyncResult>((resolve) => {
      member.answerSync(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      member.awaitingSync = resolve;
      this.scheduleHeartbeat(group, member);
      if (!group.isLeader(member.memberId)) return;
      // The leader's assignment: stored first, then handed to every member (members it left out get a
      // valid empty assignment).
      const generation = group.generationId;
      const assignments = new Map<string, Buffer>();
      for (const m of group.members.values()) assignments.set(m.memberId, request.assignments.get(m.memberId) ?? this.emptyAssignment(group));
      const done = (code: number) => {
        if (!this.isCurrent(owned) || !group.is('CompletingRebalance') || group.generationId !== generation) return;
        if (code !== ErrorCode.NONE) {
          this.resetAndPropagateAssignmentError(group, code);
          this.maybePrepareRebalance(group, 'the group metadata could not be stored');
          return;
        }
        for (const m of group.members.values()) {
          m.assignment = assignments.get(m.memberId) ?? this.emptyAssignment(group);
          if (m.awaitingSync) {
            m.answerSync({ errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: m.assignment });
            this.scheduleHeartbeat(group, m);
          }
        }
        group.transitionTo('Stable', this.clock.now());
        this.log.info('group stable', { group: group.groupId, generation: group.generationId, members: group.members.size });
      };
      this.whenWritten(this.storeGroup(owned, group, assignments), 'leader assignment', done);
    });
  }

  private emptyAssignment(group: Group): Buffer {
    if (group.protocolType !== 'consumer') return Buffer.alloc(0);
    return (this.emptyAssignmentBytes ??= emptyConsumerAssignment());
  }

  private resetAndPropagateAssignmentError(group: Group, errorCode: number): void {
    for (const member of group.members.values()) {
      member.assignment = Buffer.alloc(0);
      member.answerSync(syncError(errorCode));
    }
  }

  heartbeat(request: MemberRef): number {
    if (request.groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const owned = this.ownerOf(request.groupId);
    if (typeof owned === 'number') return owned;
    const group = owned.groups.get(request.groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (group.isStaticMemberFenced(request.memberId, request.groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
    const member = group.members.get(request.memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (request.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    switch (group.state) {
      case 'Empty':
        return ErrorCode.UNKNOWN_MEMBER_ID;
      case 'PreparingRebalance':
        this.scheduleHeartbeat(group, member);
        return ErrorCode.REBALANCE_IN_PROGRESS;
      default:
        this.scheduleHeartbeat(group, member);
        return ErrorCode.NONE;
    }
  }

  leaveGroup(groupId: string, leaving: Array<{ memberId: string; groupInstanceId: string | null }>): LeaveResult {
    const echo = (errorCode: number) => leaving.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode }));
    if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, members: echo(ErrorCode.INVALID_GROUP_ID) };
    const owned = this.ownerOf(groupId);
    if (typeof owned === 'number') return { errorCode: owned, members: echo(owned) };
    const group = owned.groups.get(groupId);
    if (!group) return { errorCode: ErrorCode.NONE, members: echo(ErrorCode.UNKNOWN_MEMBER_ID) };
    if (group.is('Dead')) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: echo(ErrorCode.COORDINATOR_NOT_AVAILABLE) };
    const members = leaving.map(({ memberId, groupInstanceId }) => {
      const result = (errorCode: number) => ({ memberId, groupInstanceId, errorCode });
      let id = memberId;
      if (groupInstanceId !== null) {
        const registered = group.staticMembers.get(groupInstanceId);
        if (registered === undefined) return result(ErrorCode.UNKNOWN_MEMBER_ID);
        if (memberId !== '' && registered !== memberId) return result(ErrorCode.FENCED_INSTANCE_ID);
        id = registered;
      }
      const pending = group.pendingMembers.get(id);
      if (pending !== undefined) {
        this.clock.clearTimeout(pending);
        group.pendingMembers.delete(id);
        if (group.is('PreparingRebalance')) this.tryCompleteJoin(group);
        return result(ErrorCode.NONE);
      }
      const member = group.members.get(id);
      if (!member) return result(ErrorCode.UNKNOWN_MEMBER_ID);
      this.removeMemberAndUpdateGroup(group, member, 'left the group');
      return result(ErrorCode.NONE);
    });
    this.maybeForget(owned, group);
    return { errorCode: ErrorCode.NONE, members };
  }

  private scheduleHeartbeat(group: Group, member: Member, timeoutMs = member.sessionTimeoutMs): void {
    member.lastHeartbeat = this.clock.now();
    if (member.heartbeatTimer !== null) this.clock.clearTimeout(member.heartbeatTimer);
    member.heartbeatTimer = this.schedule('session timeout', () => this.onHeartbeatExpired(group, member), timeoutMs);
  }

  private onHeartbeatExpired(group: Group, member: Member): void {
    member.heartbeatTimer = null;
    if (group.members.get(member.memberId) !== member || group.is('Dead')) return;
    // Members waiting in a JoinGroup or SyncGroup cannot heartbeat: the rebalance timeout covers them.
    const keepAlive = (member.awaitingJoin !== null && !member.isNew) || member.awaitingSync !== null;
    if (keepAlive) {
      this.scheduleHeartbeat(group, member);
      return;
    }
    this.removeMemberAndUpdateGroup(group, member, member.isNew ? 'new member join timeout' : 'session timeout');
  }

  private removeMemberAndUpdateGroup(group: Group, member: Member, reason: string): void {
    if (member.heartbeatTimer !== null) this.clock.clearTimeout(member.heartbeatTimer);
    member.heartbeatTimer = null;
    member.answerJoin(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    member.answerSync(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    group.remove(member.memberId);
    this.log.info('member removed', { group: group.groupId, member: member.memberId, reason });
    if (group.is('Stable') || group.is('CompletingRebalance')) this.maybePrepareRebalance(group, `member ${member.memberId} ${reason}`);
    else if (group.is('PreparingRebalance')) this.tryCompleteJoin(group);
  }

  private storeGroup(owned: OwnedPartition, group: Group, assignments: Map<string, Buffer>): number | Promise<number> {
    const now = this.clock.now();
    const value: GroupMetadataValue = {
      protocolType: group.protocolType ?? '',
      generation: group.generationId,
      protocol: group.protocolName,
      leader: group.leaderId,
      currentStateTimestamp: now,
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        sessionTimeoutMs: m.sessionTimeoutMs,
        subscription: m.metadata(group.protocolName),
        assignment: assignments.get(m.memberId) ?? Buffer.alloc(0),
      })),
    };
    return this.append(owned, [groupMetadataRecord(group.groupId, value, now)]);
  }

  private append(owned: OwnedPartition, records: RecordInput[]): number | Promise<number> {
    if (!this.isCurrent(owned)) return ErrorCode.NOT_COORDINATOR;
    return appendToOffsetsPartition(this.broker.offsetsPartitions, owned.partition, records, this.clock.now());
  }

  // ---------------------------------------------------------------------------------------------
  // Offsets

  commitOffsets(request: CommitRequest): PartitionResults | Promise<PartitionResults> {
    const all = (errorCode: number): PartitionResults =>
      request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode })) }));
    const owned = this.ownerOf(request.groupId);
    if (typeof owned === 'number') return all(owned);
    let group = owned.groups.get(request.groupId);
    let member: Member | undefined;
    if (!group) {
      // Simple consumers and admin tools commit without a membership (generation -1).
      if (request.generationId >= 0) return all(ErrorCode.ILLEGAL_GENERATION);
      group = new Group(request.groupId, this.clock.now());
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
      this.scheduleHeartbeat(group, member);
    }
    const target = group;
    const now = this.clock.now();
    const cluster = this.broker.metadata;
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
      this.maybeForget(owned, target);
      return results;
    };
    const written = this.append(owned, records);
    return written instanceof Promise ? written.then(finish) : finish(written);
  }

  fetchOffsets(groupId: string, topics: Array<{ name: string; partitions: number[] }> | null): FetchOffsetsResult {
    const missing = (partitionIndex: number, errorCode: number = ErrorCode.NONE): FetchedPartition => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode });
    const owned = this.ownerOf(groupId);
    if (typeof owned === 'number') {
      return { errorCode: owned, topics: (topics ?? []).map((t) => ({ name: t.name, partitions: t.partitions.map((p) => missing(p, owned)) })) };
    }
    const group = owned.groups.get(groupId);
    const found = (topic: string, partition: number): FetchedPartition => {
      const value = group?.offsets.get(topic)?.get(partition);
      if (!value) return missing(partition);
      return { partitionIndex: partition, committedOffset: value.offset, committedLeaderEpoch: value.leaderEpoch, metadata: value.metadata, errorCode: ErrorCode.NONE };
    };
    if (topics === null) {
      const all = group ? [...group.offsets].map(([name, partitions]) => ({ name, partitions: [...partitions.keys()].sort((a, b) => a - b).map((p) => found(name, p)) })) : [];
      return { errorCode: ErrorCode.NONE, topics: all };
    }
    return { errorCode: ErrorCode.NONE, topics: topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => found(t.name, p)) })) };
  }

  /** OffsetDelete: removes committed offsets of topics the group does not subscribe to (any, when empty). */
  deleteOffsets(groupId: string, topics: Array<{ name: string; partitions: number[] }>): { errorCode: number; topics: PartitionResults } | Promise<{ errorCode: number; topics: PartitionResults }> {
    const all = (errorCode: number) => ({ errorCode, topics: [] as PartitionResults });
    const owned = this.ownerOf(groupId);
    if (typeof owned === 'number') return all(owned);
    const group = owned.groups.get(groupId);
    if (!group || group.is('Dead')) return all(ErrorCode.GROUP_ID_NOT_FOUND);
    let subscribed: Set<string> = new Set();
    if (!group.is('Empty')) {
      const topicsInUse = group.subscribedTopics(subscriptionTopics);
      if (topicsInUse === null) return all(ErrorCode.NON_EMPTY_GROUP);
      subscribed = topicsInUse;
    }
    const now = this.clock.now();
    const records: RecordInput[] = [];
    const removed: Array<{ topic: string; partition: number }> = [];
    const results: PartitionResults = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((partition) => {
        if (subscribed.has(t.name)) return { partitionIndex: partition, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
        if (!this.broker.metadata.partition(t.name, partition)) return { partitionIndex: partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
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
    const written = this.append(owned, records);
    return written instanceof Promise ? written.then(finish) : finish(written);
  }

  /** A topic was deleted: its committed offsets go from every group this broker coordinates. */
  onTopicDeleted(topic: string): void {
    if (topic === OFFSETS_TOPIC) {
      this.syncAll();
      return;
    }
    const now = this.clock.now();
    for (const owned of this.owned.values()) {
      const records: RecordInput[] = [];
      for (const group of [...owned.groups.values()]) {
        const partitions = group.offsets.get(topic);
        if (!partitions) continue;
        for (const partition of partitions.keys()) records.push(offsetCommitRecord(group.groupId, topic, partition, null, now));
        group.offsets.delete(topic);
        if (group.is('Empty') && group.members.size === 0 && !group.hasOffsets() && group.pendingMembers.size === 0) {
          records.push(groupMetadataRecord(group.groupId, null, now));
          this.dropGroup(group, ErrorCode.COORDINATOR_NOT_AVAILABLE);
          owned.groups.delete(group.groupId);
        }
      }
      this.whenWritten(this.append(owned, records), 'deleted topic offsets', (code) => {
        if (code !== ErrorCode.NONE) this.log.warn('could not remove the offsets of a deleted topic', { topic, partition: owned.partition, errorCode: code });
      });
    }
  }

  private scheduleExpiry(): void {
    if (this.expiryTimer !== null) return;
    this.expiryTimer = this.schedule(
      'offsets expiry',
      () => {
        this.expiryTimer = null;
        if (this.owned.size === 0) return;
        this.expireOffsets(this.clock.now());
        this.scheduleExpiry();
      },
      this.broker.config.int('offsets.retention.check.interval.ms'),
    );
  }

  /**
   * Kafka's offset expiration (offsets.retention.minutes, checked every
   * offsets.retention.check.interval.ms): the offsets of a group that has been empty for the retention
   * time go; so do, in an active consumer group, those of topics no member subscribes to any more, and
   * any offset committed with an explicit retention (OffsetCommit v1-4) once it expires. An empty group
   * left without offsets is removed. Returns how many offsets expired.
   */
  expireOffsets(now: number): number {
    const retentionMs = this.broker.config.int('offsets.retention.minutes') * 60_000;
    let expired = 0;
    for (const owned of this.owned.values()) {
      const records: RecordInput[] = [];
      for (const group of [...owned.groups.values()]) {
        const subscribed = group.is('Empty') ? null : group.subscribedTopics(subscriptionTopics);
        for (const [topic, partitions] of [...group.offsets]) {
          for (const [partition, value] of [...partitions]) {
            let expiresAt: number;
            if (value.expireTimestamp >= 0) expiresAt = value.expireTimestamp;
            else if (group.is('Empty')) expiresAt = Math.max(value.commitTimestamp, group.stateTimestamp) + retentionMs;
            else if (subscribed !== null && !subscribed.has(topic)) expiresAt = value.commitTimestamp + retentionMs;
            else continue;
            if (expiresAt > now) continue;
            group.removeOffset(topic, partition);
            records.push(offsetCommitRecord(group.groupId, topic, partition, null, now));
            expired++;
          }
        }
        if (group.is('Empty') && group.members.size === 0 && group.pendingMembers.size === 0 && !group.hasOffsets()) {
          records.push(groupMetadataRecord(group.groupId, null, now));
          this.dropGroup(group, ErrorCode.COORDINATOR_NOT_AVAILABLE);
          owned.groups.delete(group.groupId);
          this.log.info('removed an empty group without offsets', { group: group.groupId });
        }
      }
      this.whenWritten(this.append(owned, records), 'offsets expiry', (code) => {
        if (code !== ErrorCode.NONE) this.log.warn('could not write expired offsets', { partition: owned.partition, errorCode: code });
      });
    }
    if (expired > 0) this.log.info('expired committed offsets', { count: expired });
    return expired;
  }

  // ---------------------------------------------------------------------------------------------
  // Describe, list, delete

  describeGroup(groupId: string): DescribedGroup {
    const owned = this.ownerOf(groupId);
    const blank = (errorCode: number, state: string): DescribedGroup => ({ errorCode, groupId, groupState: state, protocolType: '', protocolData: '', members: [] });
    if (typeof owned === 'number') return blank(owned, '');
    const group = owned.groups.get(groupId);
    if (!group) return blank(ErrorCode.NONE, 'Dead');
    const stable = group.is('Stable');
    return {
      errorCode: ErrorCode.NONE,
      groupId,
      groupState: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: stable ? (group.protocolName ?? '') : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? m.metadata(group.protocolName) : Buffer.alloc(0),
        memberAssignment: stable ? m.assignment : Buffer.alloc(0),
      })),
    };
  }

  /** The groups this broker coordinates (clients ask every broker and merge). */
  listGroups(): ListedGroup[] {
    const groups: ListedGroup[] = [];
    for (const owned of this.owned.values()) {
      for (const group of owned.groups.values()) {
        if (group.is('Dead')) continue;
        groups.push({ groupId: group.groupId, protocolType: group.protocolType ?? '', groupState: group.state, groupType: 'classic' });
      }
    }
    return groups.sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  }

  /** DeleteGroups: only empty groups; their offsets and metadata are tombstoned. */
  deleteGroups(groupIds: string[]): Array<{ groupId: string; errorCode: number }> | Promise<Array<{ groupId: string; errorCode: number }>> {
    const now = this.clock.now();
    const byPartition = new Map<OwnedPartition, { records: RecordInput[]; groups: string[] }>();
    const results = groupIds.map((groupId): { groupId: string; errorCode: number } => {
      const owned = this.ownerOf(groupId);
      if (typeof owned === 'number') return { groupId, errorCode: owned };
      const group = owned.groups.get(groupId);
      if (!group || group.is('Dead')) return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND };
      if (!group.is('Empty')) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
      let entry = byPartition.get(owned);
      if (!entry) byPartition.set(owned, (entry = { records: [], groups: [] }));
      for (const [topic, partitions] of group.offsets) {
        for (const partition of partitions.keys()) entry.records.push(offsetCommitRecord(groupId, topic, partition, null, now));
      }
      entry.records.push(groupMetadataRecord(groupId, null, now));
      entry.groups.push(groupId);
      this.dropGroup(group, ErrorCode.COORDINATOR_NOT_AVAILABLE);
      owned.groups.delete(groupId);
      return { groupId, errorCode: -1 };
    });
    const writes = [...byPartition].map(([owned, entry]) => {
      const written = this.append(owned, entry.records);
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

  // ---------------------------------------------------------------------------------------------
  // Introspection (UI, tests)

  /** A group this broker coordinates, or undefined. */
  group(groupId: string): Group | undefined {
    const owned = this.ownerOf(groupId);
    return typeof owned === 'number' ? undefined : owned.groups.get(groupId);
  }
}
