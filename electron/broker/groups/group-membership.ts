/**
 * The membership part of the group coordinator: Kafka's classic group protocol (JoinGroup, SyncGroup,
 * Heartbeat, LeaveGroup), the rebalance state machine and session timeouts, and the group metadata
 * record that stores a generation's members and assignments. The rules follow Kafka's classic
 * GroupCoordinator: member ids handed out with MEMBER_ID_REQUIRED from JoinGroup v4 (KIP-394), static
 * members (KIP-345), the initial rebalance delay for an empty group, rebalance and session timeouts.
 * Timers come from the partitions' clock.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { decodeConsumerProtocolSubscription } from '../../kafka/protocol/generated/consumer-protocol-subscription';
import { Reader } from '../../kafka/protocol/reader';
import type { ConsumerGroupState } from './consumer-group';
import { emptyConsumerAssignment, Group, joinError, Member, syncError, type GroupState, type JoinResult, type MemberProtocol, type SyncResult } from './group';
import type { GroupPartitions, OwnedPartition } from './group-partitions';
import { groupMetadataRecord } from './offsets-store';
import type { GroupMetadataValue } from './records';

/** How long a new member's JoinGroup may wait in a rebalance before it is dropped (Kafka's constant). */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 300_000;
/** Authorized operations of a group when asked for (no ACLs here): READ, DELETE, DESCRIBE. */
export const GROUP_AUTHORIZED_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8);

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

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; memberMetadata: Buffer; memberAssignment: Buffer }>;
  /** Why no classic group answers (Kafka's words, for DescribeGroups v6's GROUP_ID_NOT_FOUND); absent when one does. */
  notFound?: string;
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState: GroupState | ConsumerGroupState;
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

export class GroupMembership {
  #emptyAssignmentBytes: Buffer | null = null;
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

  joinGroup(request: JoinRequest): JoinResult | Promise<JoinResult> {
    if (request.groupId === '') return joinError(ErrorCode.INVALID_GROUP_ID, request.memberId);
    const owned = this.#partitions.ownerOf(request.groupId);
    if (typeof owned === 'number') return joinError(owned, request.memberId);
    const config = this.#partitions.broker.config;
    if (request.sessionTimeoutMs < config.int('group.min.session.timeout.ms') || request.sessionTimeoutMs > config.int('group.max.session.timeout.ms')) {
      return joinError(ErrorCode.INVALID_SESSION_TIMEOUT, request.memberId);
    }
    const unknown = request.memberId === '';
    let group = owned.groups.get(request.groupId);
    if (!group) {
      if (!unknown) return joinError(ErrorCode.UNKNOWN_MEMBER_ID, request.memberId);
      group = new Group(request.groupId, this.#clock.now());
      owned.groups.set(request.groupId, group);
    }
    const target = group;
    const box: { result: JoinResult | null; resolve: ((result: JoinResult) => void) | null } = { result: null, resolve: null };
    const callback = (result: JoinResult) => {
      if (box.resolve) box.resolve(result);
      else box.result = result;
    };
    if (unknown) this.#doNewMemberJoin(owned, target, request, callback);
    else this.#doCurrentMemberJoin(owned, target, request, callback);
    if (target.is('PreparingRebalance')) this.#tryCompleteJoin(target);
    this.#partitions.maybeForget(owned, target);
    if (box.result !== null) return box.result;
    return new Promise<JoinResult>((resolve) => {
      box.resolve = resolve;
    });
  }

  #doNewMemberJoin(owned: OwnedPartition, group: Group, request: JoinRequest, callback: (result: JoinResult) => void): void {
    if (group.is('Dead')) return callback(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(request.protocolType, request.protocols)) return callback(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    const newMemberId = `${request.clientId}-${randomUUID()}`;
    if (request.groupInstanceId !== null) return this.#doStaticMemberJoin(owned, group, newMemberId, request, callback);
    if (group.members.size + group.pendingMembers.size >= this.#partitions.broker.config.int('group.max.size')) {
      return callback(joinError(ErrorCode.GROUP_MAX_SIZE_REACHED));
    }
    if (request.requireKnownMemberId) {
      // KIP-394: hand out the id first; the member joins again with it. Forgotten if it never does.
      const timer = this.#partitions.schedule('pending member expiry', () => this.#expirePendingMember(owned, group, newMemberId), request.sessionTimeoutMs);
      group.pendingMembers.set(newMemberId, timer);
      return callback(joinError(ErrorCode.MEMBER_ID_REQUIRED, newMemberId));
    }
    this.#addMemberAndRebalance(group, newMemberId, request, callback);
  }

  #expirePendingMember(owned: OwnedPartition, group: Group, memberId: string): void {
    if (!group.pendingMembers.delete(memberId)) return;
    if (group.is('PreparingRebalance')) this.#tryCompleteJoin(group);
    this.#partitions.maybeForget(owned, group);
  }

  #doStaticMemberJoin(owned: OwnedPartition, group: Group, newMemberId: string, request: JoinRequest, callback: (result: JoinResult) => void): void {
    const instanceId = request.groupInstanceId!;
    const oldMemberId = group.staticMembers.get(instanceId);
    const old = oldMemberId !== undefined ? group.members.get(oldMemberId) : undefined;
    if (!old) {
      if (group.members.size + group.pendingMembers.size >= this.#partitions.broker.config.int('group.max.size')) {
        return callback(joinError(ErrorCode.GROUP_MAX_SIZE_REACHED));
      }
      return this.#addMemberAndRebalance(group, newMemberId, request, callback);
    }
    // A known instance restarted: its new member id replaces the old one, which is fenced.
    const previousLeader = group.leaderId ?? '';
    if (old.heartbeatTimer !== null) this.#clock.clearTimeout(old.heartbeatTimer);
    old.heartbeatTimer = null;
    group.updateProtocols(old, request.protocols);
    const member = new Member(
      newMemberId,
      instanceId,
      request.clientId,
      request.clientHost,
      request.rebalanceTimeoutMs,
      request.sessionTimeoutMs,
      request.protocolType,
      request.protocols,
    );
    group.replaceStaticMember(instanceId, old.memberId, member);
    member.awaitingJoin = callback;
    this.scheduleHeartbeat(group, member);
    switch (group.state) {
      case 'Stable': {
        if (group.selectProtocol() !== group.protocolName) {
          this.#maybePrepareRebalance(group, `static member ${instanceId} rejoined with other protocols`);
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
        this.#partitions.whenWritten(this.#storeGroup(owned, group, assignments), 'static member join', done);
        return;
      }
      case 'CompletingRebalance':
        this.#prepareRebalance(group, `static member ${instanceId} rejoined during the rebalance`);
        return;
      default:
        // PreparingRebalance: the member waits for the rebalance to complete like the others.
        return;
    }
  }

  #doCurrentMemberJoin(owned: OwnedPartition, group: Group, request: JoinRequest, callback: (result: JoinResult) => void): void {
    const { memberId } = request;
    if (group.is('Dead')) return callback(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, memberId));
    if (!group.supportsProtocols(request.protocolType, request.protocols)) return callback(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, memberId));
    const pending = group.pendingMembers.get(memberId);
    if (pending !== undefined) {
      this.#clock.clearTimeout(pending);
      group.pendingMembers.delete(memberId);
      return this.#addMemberAndRebalance(group, memberId, request, callback);
    }
    if (group.isStaticMemberFenced(memberId, request.groupInstanceId)) return callback(joinError(ErrorCode.FENCED_INSTANCE_ID, memberId));
    const member = group.members.get(memberId);
    if (!member) return callback(joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
    member.clientId = request.clientId;
    member.clientHost = request.clientHost;
    switch (group.state) {
      case 'PreparingRebalance':
        return this.#updateMemberAndRebalance(group, member, request, callback);
      case 'CompletingRebalance':
        if (member.matches(request.protocols)) return callback(this.#currentGeneration(group, member, group.isLeader(memberId)));
        return this.#updateMemberAndRebalance(group, member, request, callback);
      case 'Stable':
        if (group.isLeader(memberId) || !member.matches(request.protocols)) return this.#updateMemberAndRebalance(group, member, request, callback);
        this.scheduleHeartbeat(group, member);
        return callback(this.#currentGeneration(group, member, false));
      default:
        return callback(joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
    }
  }

  #currentGeneration(group: Group, member: Member, withMembers: boolean): JoinResult {
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

  #addMemberAndRebalance(group: Group, memberId: string, request: JoinRequest, callback: (result: JoinResult) => void): void {
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
    this.#maybePrepareRebalance(group, `member ${memberId} joined`);
  }

  #updateMemberAndRebalance(group: Group, member: Member, request: JoinRequest, callback: (result: JoinResult) => void): void {
    group.updateProtocols(member, request.protocols);
    member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
    member.sessionTimeoutMs = request.sessionTimeoutMs;
    // A JoinGroup of this member still waiting (from a connection it gave up on) is superseded.
    member.answerJoin(joinError(ErrorCode.REBALANCE_IN_PROGRESS, member.memberId));
    member.awaitingJoin = callback;
    this.#maybePrepareRebalance(group, `member ${member.memberId} rejoined`);
  }

  #maybePrepareRebalance(group: Group, reason: string): void {
    if (group.is('Stable') || group.is('CompletingRebalance') || group.is('Empty')) this.#prepareRebalance(group, reason);
  }

  #prepareRebalance(group: Group, reason: string): void {
    if (group.is('CompletingRebalance')) this.#resetAndPropagateAssignmentError(group, ErrorCode.REBALANCE_IN_PROGRESS);
    const initial = group.is('Empty');
    group.transitionTo('PreparingRebalance', this.#clock.now());
    if (group.joinTimer !== null) this.#clock.clearTimeout(group.joinTimer);
    this.#log.debug('preparing rebalance', { group: group.groupId, generation: group.generationId, reason });
    if (initial) {
      // An empty group waits group.initial.rebalance.delay.ms for more members, extended (up to the
      // rebalance timeout) while new members keep coming.
      const delay = this.#partitions.broker.config.int('group.initial.rebalance.delay.ms');
      group.initialDelay = true;
      group.newMemberAdded = false;
      group.initialDelayRemainingMs = Math.max(group.rebalanceTimeoutMs() - delay, 0);
      group.joinTimer = this.#partitions.schedule('initial rebalance delay', () => this.#onInitialDelayExpired(group), delay);
    } else {
      group.initialDelay = false;
      group.joinTimer = this.#partitions.schedule('rebalance timeout', () => this.#onRebalanceTimeout(group), group.rebalanceTimeoutMs());
      this.#tryCompleteJoin(group);
    }
  }

  #onInitialDelayExpired(group: Group): void {
    group.joinTimer = null;
    if (!group.is('PreparingRebalance')) return;
    if (group.newMemberAdded && group.initialDelayRemainingMs > 0) {
      const configured = this.#partitions.broker.config.int('group.initial.rebalance.delay.ms');
      const delay = Math.min(configured, group.initialDelayRemainingMs);
      group.newMemberAdded = false;
      group.initialDelayRemainingMs = Math.max(group.initialDelayRemainingMs - delay, 0);
      group.joinTimer = this.#partitions.schedule('initial rebalance delay', () => this.#onInitialDelayExpired(group), delay);
      return;
    }
    group.initialDelay = false;
    this.#completeJoin(group);
  }

  #onRebalanceTimeout(group: Group): void {
    group.joinTimer = null;
    if (group.is('PreparingRebalance')) this.#completeJoin(group);
  }

  #tryCompleteJoin(group: Group): void {
    if (group.is('PreparingRebalance') && !group.initialDelay && group.hasAllMembersJoined()) this.#completeJoin(group);
  }

  /** The join phase ends: members that did not rejoin are dropped, the next generation begins. */
  #completeJoin(group: Group): void {
    if (!group.is('PreparingRebalance')) return;
    if (group.joinTimer !== null) this.#clock.clearTimeout(group.joinTimer);
    group.joinTimer = null;
    group.initialDelay = false;
    for (const member of [...group.members.values()]) {
      if (member.awaitingJoin || member.groupInstanceId !== null) continue;
      if (member.heartbeatTimer !== null) this.#clock.clearTimeout(member.heartbeatTimer);
      member.heartbeatTimer = null;
      group.remove(member.memberId);
      this.#log.info('member did not rejoin in time and was removed', { group: group.groupId, member: member.memberId });
    }
    const joined = [...group.members.values()].filter((m) => m.awaitingJoin !== null);
    if (group.members.size > 0 && joined.length === 0) {
      // Only static members that have not rejoined: wait again (their session timeouts remove them).
      group.joinTimer = this.#partitions.schedule('rebalance timeout', () => this.#onRebalanceTimeout(group), group.rebalanceTimeoutMs());
      return;
    }
    if (group.leaderId !== null && !group.members.get(group.leaderId)?.awaitingJoin) group.leaderId = joined[0]?.memberId ?? group.leaderId;
    const owned = this.#partitions.ownerOf(group.groupId);
    group.generationId++;
    const now = this.#clock.now();
    if (group.members.size === 0) {
      group.protocolName = null;
      group.transitionTo('Empty', now);
      this.#log.info('group is empty', { group: group.groupId, generation: group.generationId });
      if (typeof owned !== 'number') {
        this.#partitions.whenWritten(this.#storeGroup(owned, group, new Map()), 'empty group metadata', (code) => this.#logStoreError(group, code));
      }
      return;
    }
    group.protocolName = group.selectProtocol();
    group.transitionTo('CompletingRebalance', now);
    this.#log.info('rebalance: new generation', {
      group: group.groupId,
      generation: group.generationId,
      members: group.members.size,
      protocol: group.protocolName,
    });
    for (const member of joined) {
      member.answerJoin(this.#currentGeneration(group, member, group.isLeader(member.memberId)));
      member.isNew = false;
      this.scheduleHeartbeat(group, member);
    }
  }

  #logStoreError(group: Group, code: number): void {
    if (code !== ErrorCode.NONE) this.#log.warn('could not store group metadata', { group: group.groupId, errorCode: code });
  }

  syncGroup(request: SyncRequest): SyncResult | Promise<SyncResult> {
    if (request.groupId === '') return syncError(ErrorCode.INVALID_GROUP_ID);
    const owned = this.#partitions.ownerOf(request.groupId);
    if (typeof owned === 'number') return syncError(owned);
    const group = owned.groups.get(request.groupId);
    if (!group) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    if (group.is('Dead')) return syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (group.isStaticMemberFenced(request.memberId, request.groupInstanceId)) return syncError(ErrorCode.FENCED_INSTANCE_ID);
    const member = group.members.get(request.memberId);
    if (!member) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    if (request.generationId !== group.generationId) return syncError(ErrorCode.ILLEGAL_GENERATION);
    if (
      (request.protocolType !== null && request.protocolType !== group.protocolType) ||
      (request.protocolName !== null && request.protocolName !== group.protocolName)
    ) {
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
      for (const m of group.members.values()) assignments.set(m.memberId, request.assignments.get(m.memberId) ?? this.#emptyAssignment(group));
      const done = (code: number) => {
        if (!this.#partitions.isCurrent(owned) || !group.is('CompletingRebalance') || group.generationId !== generation) return;
        if (code !== ErrorCode.NONE) {
          this.#resetAndPropagateAssignmentError(group, code);
          this.#maybePrepareRebalance(group, 'the group metadata could not be stored');
          return;
        }
        for (const m of group.members.values()) {
          m.assignment = assignments.get(m.memberId) ?? this.#emptyAssignment(group);
          if (m.awaitingSync) {
            m.answerSync({ errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: m.assignment });
            this.scheduleHeartbeat(group, m);
          }
        }
        group.transitionTo('Stable', this.#clock.now());
        this.#log.info('group stable', { group: group.groupId, generation: group.generationId, members: group.members.size });
      };
      this.#partitions.whenWritten(this.#storeGroup(owned, group, assignments), 'leader assignment', done);
    });
  }

  #emptyAssignment(group: Group): Buffer {
    if (group.protocolType !== 'consumer') return Buffer.alloc(0);
    return (this.#emptyAssignmentBytes ??= emptyConsumerAssignment());
  }

  #resetAndPropagateAssignmentError(group: Group, errorCode: number): void {
    for (const member of group.members.values()) {
      member.assignment = Buffer.alloc(0);
      member.answerSync(syncError(errorCode));
    }
  }

  heartbeat(request: MemberRef): number {
    if (request.groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const owned = this.#partitions.ownerOf(request.groupId);
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
    const owned = this.#partitions.ownerOf(groupId);
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
        this.#clock.clearTimeout(pending);
        group.pendingMembers.delete(id);
        if (group.is('PreparingRebalance')) this.#tryCompleteJoin(group);
        return result(ErrorCode.NONE);
      }
      const member = group.members.get(id);
      if (!member) return result(ErrorCode.UNKNOWN_MEMBER_ID);
      this.#removeMemberAndUpdateGroup(group, member, 'left the group');
      return result(ErrorCode.NONE);
    });
    this.#partitions.maybeForget(owned, group);
    return { errorCode: ErrorCode.NONE, members };
  }

  scheduleHeartbeat(group: Group, member: Member, timeoutMs = member.sessionTimeoutMs): void {
    member.lastHeartbeat = this.#clock.now();
    if (member.heartbeatTimer !== null) this.#clock.clearTimeout(member.heartbeatTimer);
    member.heartbeatTimer = this.#partitions.schedule('session timeout', () => this.#onHeartbeatExpired(group, member), timeoutMs);
  }

  #onHeartbeatExpired(group: Group, member: Member): void {
    member.heartbeatTimer = null;
    if (group.members.get(member.memberId) !== member || group.is('Dead')) return;
    // Members waiting in a JoinGroup or SyncGroup cannot heartbeat: the rebalance timeout covers them.
    const keepAlive = (member.awaitingJoin !== null && !member.isNew) || member.awaitingSync !== null;
    if (keepAlive) {
      this.scheduleHeartbeat(group, member);
      return;
    }
    this.#removeMemberAndUpdateGroup(group, member, member.isNew ? 'new member join timeout' : 'session timeout');
  }

  #removeMemberAndUpdateGroup(group: Group, member: Member, reason: string): void {
    if (member.heartbeatTimer !== null) this.#clock.clearTimeout(member.heartbeatTimer);
    member.heartbeatTimer = null;
    member.answerJoin(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    member.answerSync(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    group.remove(member.memberId);
    this.#log.info('member removed', { group: group.groupId, member: member.memberId, reason });
    if (group.is('Stable') || group.is('CompletingRebalance')) this.#maybePrepareRebalance(group, `member ${member.memberId} ${reason}`);
    else if (group.is('PreparingRebalance')) this.#tryCompleteJoin(group);
  }

  #storeGroup(owned: OwnedPartition, group: Group, assignments: Map<string, Buffer>): number | Promise<number> {
    const now = this.#clock.now();
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
    return this.#partitions.append(owned, [groupMetadataRecord(group.groupId, value, now)]);
  }

  /** After loading a partition: the members it stored must heartbeat again within their session timeouts. */
  resumeSessions(owned: OwnedPartition): void {
    for (const group of owned.groups.values()) {
      for (const member of group.members.values()) this.scheduleHeartbeat(group, member);
    }
  }

  restoreGroup(groupId: string, value: GroupMetadataValue, now: number): Group {
    const group = new Group(groupId, now);
    this.#fill(group, value);
    return group;
  }

  /** Gives an empty group the members and generation of a stored value, Stable (or Empty without members). */
  #fill(group: Group, value: GroupMetadataValue): void {
    const protocolType = value.protocolType === '' ? null : value.protocolType;
    for (const m of value.members) {
      const protocols = value.protocol !== null ? [{ name: value.protocol, metadata: m.subscription }] : [];
      const member = new Member(
        m.memberId,
        m.groupInstanceId,
        m.clientId,
        m.clientHost,
        m.rebalanceTimeoutMs,
        m.sessionTimeoutMs,
        value.protocolType,
        protocols,
      );
      member.assignment = m.assignment;
      group.add(member, null);
    }
    group.protocolType = protocolType;
    group.generationId = value.generation;
    group.protocolName = value.protocol;
    group.leaderId = value.leader !== null && group.members.has(value.leader) ? value.leader : (group.members.keys().next().value ?? null);
    group.state = group.members.size > 0 ? 'Stable' : 'Empty';
    if (value.currentStateTimestamp >= 0) group.stateTimestamp = value.currentStateTimestamp;
  }

  /**
   * The group became a consumer group (online upgrade, KIP-848): requests waiting in a rebalance are told
   * to rejoin (REBALANCE_IN_PROGRESS), its members and timers go; the entry stays, Empty, for its
   * committed offsets.
   */
  retire(group: Group): void {
    this.dropGroup(group, ErrorCode.REBALANCE_IN_PROGRESS);
    for (const memberId of [...group.members.keys()]) group.remove(memberId);
    group.staticMembers.clear();
    group.generationId = 0;
    group.protocolType = null;
    group.protocolName = null;
    group.leaderId = null;
    group.newMemberAdded = false;
    group.initialDelay = false;
    group.state = 'Empty';
    group.stateTimestamp = this.#clock.now();
  }

  /**
   * A consumer group became this classic group (online downgrade, KIP-848): the entry that holds its
   * offsets takes the members of `value` (written to the log by the caller) and a rebalance starts, so
   * each member joins the classic group; their sessions run from now.
   */
  adopt(group: Group, value: GroupMetadataValue): void {
    this.#fill(group, value);
    if (group.members.size === 0) return;
    for (const member of group.members.values()) this.scheduleHeartbeat(group, member);
    this.#prepareRebalance(group, `Downgrade group ${group.groupId} from consumer to classic.`);
  }

  /** Stops a group's timers and answers its waiting requests; the group object is discarded. */
  dropGroup(group: Group, errorCode: number): void {
    if (group.joinTimer !== null) this.#clock.clearTimeout(group.joinTimer);
    group.joinTimer = null;
    for (const timer of group.pendingMembers.values()) this.#clock.clearTimeout(timer);
    group.pendingMembers.clear();
    for (const member of group.members.values()) {
      if (member.heartbeatTimer !== null) this.#clock.clearTimeout(member.heartbeatTimer);
      member.heartbeatTimer = null;
      member.answerJoin(joinError(errorCode, member.memberId));
      member.answerSync(syncError(errorCode));
    }
    group.state = 'Dead';
  }

  describeGroup(groupId: string): DescribedGroup {
    const owned = this.#partitions.ownerOf(groupId);
    const blank = (errorCode: number, state: string): DescribedGroup => ({
      errorCode,
      groupId,
      groupState: state,
      protocolType: '',
      protocolData: '',
      members: [],
    });
    if (typeof owned === 'number') return blank(owned, '');
    const group = owned.groups.get(groupId);
    if (!group) return { ...blank(ErrorCode.NONE, 'Dead'), notFound: `Group ${groupId} not found.` };
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
    for (const owned of this.#partitions.owned.values()) {
      for (const group of owned.groups.values()) {
        // A consumer group's (KIP-848) committed offsets live in a classic entry of its id: listed below as what it is.
        if (group.is('Dead') || owned.consumerGroups.has(group.groupId) || owned.shareGroups.has(group.groupId)) continue;
        groups.push({ groupId: group.groupId, protocolType: group.protocolType ?? '', groupState: group.state, groupType: 'classic' });
      }
      for (const group of owned.consumerGroups.values()) {
        groups.push({ groupId: group.groupId, protocolType: 'consumer', groupState: group.state(), groupType: 'consumer' });
      }
      // KIP-932: Kafka lists a share group with protocol type and group type "share".
      for (const group of owned.shareGroups.values()) {
        groups.push({ groupId: group.groupId, protocolType: 'share', groupState: group.state(), groupType: 'share' });
      }
    }
    return groups.sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  }
}
