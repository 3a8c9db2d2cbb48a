/**
 * One consumer group of Kafka's classic group protocol, as its coordinator keeps it: members, generation,
 * chosen protocol, leader, state, and committed offsets. Plain data plus the bookkeeping rules of Kafka's
 * GroupMetadata; the protocol (who may join, when a rebalance completes) is in coordinator.ts.
 */
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { encodeConsumerProtocolAssignment } from '../../kafka/protocol/generated/consumer-protocol-assignment';
import { Writer } from '../../kafka/protocol/writer';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export const GROUP_STATES: readonly GroupState[] = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'];

/** Which states a group may come from when entering each state (Kafka's validPreviousStates). */
const VALID_PREVIOUS: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>;
  skipAssignment: boolean;
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export function joinError(errorCode: number, memberId = ''): JoinResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [], skipAssignment: false };
}

export function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
}

export interface MemberProtocol {
  name: string;
  metadata: Buffer;
}

export interface CommittedOffset {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  expireTimestamp: number;
}

/** A timer handle as the coordinator's clock hands them out. */
export type TimerHandle = object | number;

export class Member {
  assignment: Buffer = Buffer.alloc(0);
  awaitingJoin: ((result: JoinResult) => void) | null = null;
  awaitingSync: ((result: SyncResult) => void) | null = null;
  /** Joined but not yet part of a generation (Kafka gives such members a longer join timeout). */
  isNew = false;
  heartbeatTimer: TimerHandle | null = null;
  lastHeartbeat = 0;

  constructor(
    readonly memberId: string,
    public groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    public protocolType: string,
    public protocols: MemberProtocol[],
  ) {}

  /** This member's metadata for a protocol (empty when it does not support it). */
  metadata(protocol: string | null): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? Buffer.alloc(0);
  }

  /** Same protocols with the same metadata, in the same order (a rejoin that changes nothing). */
  matches(protocols: readonly MemberProtocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    return protocols.every((p, i) => p.name === this.protocols[i]!.name && p.metadata.equals(this.protocols[i]!.metadata));
  }

  /** Answers a pending JoinGroup, if any. */
  answerJoin(result: JoinResult): void {
    const callback = this.awaitingJoin;
    this.awaitingJoin = null;
    callback?.(result);
  }

  /** Answers a pending SyncGroup, if any. */
  answerSync(result: SyncResult): void {
    const callback = this.awaitingSync;
    this.awaitingSync = null;
    callback?.(result);
  }
}

export class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** group.instance.id -> member id of the static member holding it. */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, waiting for the member's second JoinGroup. */
  readonly pendingMembers = new Map<string, TimerHandle>();
  /** topic -> partition -> committed offset. */
  readonly offsets = new Map<string, Map<number, CommittedOffset>>();
  /**
   * Offsets committed in transactions not decided yet (TxnOffsetCommit), by producer id: invisible to
   * OffsetFetch until the transaction's commit marker reaches the offsets partition (KIP-98).
   */
  readonly pendingTxnOffsets = new Map<number, Array<{ topic: string; partition: number; value: CommittedOffset }>>();
  /** For each protocol name, how many members support it. */
  readonly #supportedProtocols = new Map<string, number>();
  /** A new member joined while the initial (delayed) rebalance of an empty group waits. */
  newMemberAdded = false;
  joinTimer: TimerHandle | null = null;
  /** The join timer is the initial delay of an empty group (it never completes early). */
  initialDelay = false;
  initialDelayRemainingMs = 0;
  stateTimestamp: number;

  constructor(
    readonly groupId: string,
    now: number,
  ) {
    this.stateTimestamp = now;
  }

  is(state: GroupState): boolean {
    return this.state === state;
  }

  transitionTo(state: GroupState, now: number): void {
    if (!VALID_PREVIOUS[state].includes(this.state)) {
      throw new Error(`group ${this.groupId}: invalid transition from ${this.state} to ${state}`);
    }
    this.state = state;
    this.stateTimestamp = now;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  add(member: Member, callback: ((result: JoinResult) => void) | null): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    this.members.set(member.memberId, member);
    for (const p of member.protocols) this.#supportedProtocols.set(p.name, (this.#supportedProtocols.get(p.name) ?? 0) + 1);
    member.awaitingJoin = callback;
    if (this.leaderId === null) this.leaderId = member.memberId;
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
  }

  remove(memberId: string): Member | undefined {
    const member = this.members.get(memberId);
    if (!member) return undefined;
    this.members.delete(memberId);
    for (const p of member.protocols) this.#decrementProtocol(p.name);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
      this.staticMembers.delete(member.groupInstanceId);
    }
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
    return member;
  }

  #decrementProtocol(name: string): void {
    const count = (this.#supportedProtocols.get(name) ?? 0) - 1;
    if (count <= 0) this.#supportedProtocols.delete(name);
    else this.#supportedProtocols.set(name, count);
  }

  updateProtocols(member: Member, protocols: MemberProtocol[]): void {
    for (const p of member.protocols) this.#decrementProtocol(p.name);
    member.protocols = protocols;
    for (const p of protocols) this.#supportedProtocols.set(p.name, (this.#supportedProtocols.get(p.name) ?? 0) + 1);
  }

  /** A joining member fits the group: a non-empty type and list for the first, else a shared protocol. */
  supportsProtocols(protocolType: string, protocols: readonly MemberProtocol[]): boolean {
    if (this.members.size === 0) return protocolType.length > 0 && protocols.length > 0;
    return this.protocolType === protocolType && protocols.some((p) => this.#supportedProtocols.get(p.name) === this.members.size);
  }

  /** The protocol for the next generation: among those every member supports, the one most members prefer. */
  selectProtocol(): string {
    const candidates = [...this.#supportedProtocols].filter(([, count]) => count === this.members.size).map(([name]) => name);
    const votes = new Map<string, number>();
    for (const member of this.members.values()) {
      const vote = member.protocols.find((p) => candidates.includes(p.name))?.name;
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
    if (best === null) throw new Error(`group ${this.groupId}: no protocol supported by every member`);
    return best;
  }

  awaitingJoinCount(): number {
    let count = 0;
    for (const member of this.members.values()) if (member.awaitingJoin) count++;
    return count;
  }

  hasAllMembersJoined(): boolean {
    return this.pendingMembers.size === 0 && this.awaitingJoinCount() === this.members.size;
  }

  /** The largest rebalance timeout among the members (how long a rebalance may wait for rejoins). */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const member of this.members.values()) max = Math.max(max, member.rebalanceTimeoutMs);
    return max;
  }

  /** A static member's id changed (it restarted): the old id is fenced, the new one takes its place. */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMember: Member): void {
    const old = this.members.get(oldMemberId);
    if (!old) throw new Error(`group ${this.groupId}: no member ${oldMemberId} for instance ${groupInstanceId}`);
    old.answerJoin(joinError(ErrorCode.FENCED_INSTANCE_ID, oldMemberId));
    old.answerSync(syncError(ErrorCode.FENCED_INSTANCE_ID));
    this.members.delete(oldMemberId);
    newMember.assignment = old.assignment;
    this.members.set(newMember.memberId, newMember);
    if (this.leaderId === oldMemberId) this.leaderId = newMember.memberId;
    this.staticMembers.set(groupInstanceId, newMember.memberId);
  }

  /** A static member's id is not the one registered for its instance id. */
  isStaticMemberFenced(memberId: string, groupInstanceId: string | null): boolean {
    if (groupInstanceId === null) return false;
    const registered = this.staticMembers.get(groupInstanceId);
    return registered !== undefined && registered !== memberId;
  }

  /** The members' metadata for the chosen protocol (what the leader gets to compute assignments). */
  currentMemberMetadata(): JoinResult['members'] {
    return [...this.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata(this.protocolName) }));
  }

  hasOffsets(): boolean {
    return this.offsets.size > 0;
  }

  offsetCount(): number {
    let n = 0;
    for (const partitions of this.offsets.values()) n += partitions.size;
    return n;
  }

  setOffset(topic: string, partition: number, value: CommittedOffset): void {
    let partitions = this.offsets.get(topic);
    if (!partitions) {
      partitions = new Map();
      this.offsets.set(topic, partitions);
    }
    partitions.set(partition, value);
  }

  removeOffset(topic: string, partition: number): void {
    const partitions = this.offsets.get(topic);
    if (!partitions) return;
    partitions.delete(partition);
    if (partitions.size === 0) this.offsets.delete(topic);
  }

  /** The topics the members subscribe to, from their consumer-protocol metadata (empty for other protocols). */
  subscribedTopics(decode: (metadata: Buffer) => string[] | null): Set<string> | null {
    if (this.protocolType !== 'consumer' || this.protocolName === null) return null;
    const topics = new Set<string>();
    for (const member of this.members.values()) {
      const list = decode(member.metadata(this.protocolName));
      if (list === null) return null;
      for (const topic of list) topics.add(topic);
    }
    return topics;
  }

  /** A group with nothing in it any more (no members, no offsets, nothing pending) can be forgotten. */
  isForgettable(): boolean {
    return (
      this.state === 'Empty' &&
      this.members.size === 0 &&
      this.pendingMembers.size === 0 &&
      this.offsets.size === 0 &&
      this.pendingTxnOffsets.size === 0 &&
      this.generationId === 0
    );
  }
}

/** An empty ConsumerProtocolAssignment (version 0): what a consumer member gets when the leader gave it nothing. */
export function emptyConsumerAssignment(): Buffer {
  const w = new Writer(16);
  w.int16(0);
  encodeConsumerProtocolAssignment(w, 0, { assignedPartitions: [], userData: null });
  return w.toBuffer();
}
