/**
 * One consumer group of KIP-848's consumer group protocol (ConsumerGroupHeartbeat), as its coordinator
 * keeps it: the group epoch, the target assignment and its epoch, and the members with their own epoch
 * and current assignment. Plain data plus the bookkeeping rules of Kafka's ConsumerGroup (group state,
 * static members, which member owns each partition in which epoch); the protocol is in
 * consumer-membership.ts. Every field here is backed by a record in `__consumer_offsets`
 * (consumer-records.ts), so a new coordinator rebuilds the same group.
 *
 * Partitions are keyed by topic id, as the protocol and Kafka's records do.
 */
import type { TimerHandle } from './group';

/** topic id -> partitions. */
export type TopicPartitions = Map<string, Set<number>>;

/** A member's reconciliation state (Kafka's MemberState and its byte values in the records). */
export type ConsumerMemberState = 'STABLE' | 'UNREVOKED_PARTITIONS' | 'UNRELEASED_PARTITIONS' | 'UNKNOWN';

export const MEMBER_STATE_VALUE: Record<ConsumerMemberState, number> = { STABLE: 0, UNREVOKED_PARTITIONS: 1, UNRELEASED_PARTITIONS: 2, UNKNOWN: 127 };

export function memberStateFromValue(value: number): ConsumerMemberState {
  return (Object.keys(MEMBER_STATE_VALUE) as ConsumerMemberState[]).find((s) => MEMBER_STATE_VALUE[s] === value) ?? 'UNKNOWN';
}

/** The states of a consumer group (Kafka's ConsumerGroupState), as DescribeGroups and ListGroups name them. */
export type ConsumerGroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable' | 'Dead';

/** Member epoch of a request that leaves the group (KIP-848). */
export const LEAVE_GROUP_MEMBER_EPOCH = -1;
/** Member epoch of a static member that leaves for now and will be back with the same instance id. */
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;

/**
 * What a member that speaks the classic protocol (JoinGroup/SyncGroup/Heartbeat) inside a consumer group
 * brings along (Kafka's ClassicMemberMetadata): its session timeout and the protocols (assignor names
 * with their ConsumerProtocolSubscription bytes) it joined with, in its order of preference.
 */
export interface ClassicMemberMetadata {
  readonly sessionTimeoutMs: number;
  readonly supportedProtocols: ReadonlyArray<{ readonly name: string; readonly metadata: Buffer }>;
}

/** One member, immutable: a change makes a new object (Kafka's ConsumerGroupMember and its Builder). */
export interface ConsumerGroupMember {
  readonly memberId: string;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  /** Sorted. */
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex: string | null;
  readonly rebalanceTimeoutMs: number;
  readonly serverAssignor: string | null;
  readonly memberEpoch: number;
  readonly previousMemberEpoch: number;
  readonly state: ConsumerMemberState;
  /** The partitions the member may use now (or owns). */
  readonly assignedPartitions: TopicPartitions;
  /** Partitions the member must give up before it moves to the next epoch. */
  readonly partitionsPendingRevocation: TopicPartitions;
  /** Set for a member that uses the classic protocol (online migration, KIP-848); null for the consumer protocol. */
  readonly classicMetadata: ClassicMemberMetadata | null;
}

export function newMember(memberId: string): ConsumerGroupMember {
  return {
    memberId,
    instanceId: null,
    rackId: null,
    clientId: '',
    clientHost: '',
    subscribedTopicNames: [],
    subscribedTopicRegex: null,
    rebalanceTimeoutMs: -1,
    serverAssignor: null,
    memberEpoch: 0,
    previousMemberEpoch: 0,
    state: 'STABLE',
    assignedPartitions: new Map(),
    partitionsPendingRevocation: new Map(),
    classicMetadata: null,
  };
}

function sameClassicMetadata(a: ClassicMemberMetadata | null, b: ClassicMemberMetadata | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.sessionTimeoutMs === b.sessionTimeoutMs &&
    a.supportedProtocols.length === b.supportedProtocols.length &&
    a.supportedProtocols.every((p, i) => p.name === b.supportedProtocols[i]!.name && p.metadata.equals(b.supportedProtocols[i]!.metadata))
  );
}

export function sameTopicPartitions(a: TopicPartitions, b: TopicPartitions): boolean {
  if (a.size !== b.size) return false;
  for (const [topicId, partitions] of a) {
    const other = b.get(topicId);
    if (!other || other.size !== partitions.size) return false;
    for (const p of partitions) if (!other.has(p)) return false;
  }
  return true;
}

export function countPartitions(assignment: TopicPartitions): number {
  let n = 0;
  for (const partitions of assignment.values()) n += partitions.size;
  return n;
}

/** Whether a member's subscription (the part its heartbeat sets) differs. */
export function sameSubscription(a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return (
    a.subscribedTopicRegex === b.subscribedTopicRegex &&
    a.subscribedTopicNames.length === b.subscribedTopicNames.length &&
    a.subscribedTopicNames.every((t, i) => t === b.subscribedTopicNames[i])
  );
}

/** Whether anything stored in ConsumerGroupMemberMetadata differs. */
export function sameMemberMetadata(a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return (
    sameSubscription(a, b) &&
    a.instanceId === b.instanceId &&
    a.rackId === b.rackId &&
    a.clientId === b.clientId &&
    a.clientHost === b.clientHost &&
    a.rebalanceTimeoutMs === b.rebalanceTimeoutMs &&
    a.serverAssignor === b.serverAssignor &&
    sameClassicMetadata(a.classicMetadata, b.classicMetadata)
  );
}

/** Whether anything stored in ConsumerGroupCurrentMemberAssignment differs. */
export function sameCurrentAssignment(a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return (
    a.memberEpoch === b.memberEpoch &&
    a.previousMemberEpoch === b.previousMemberEpoch &&
    a.state === b.state &&
    sameTopicPartitions(a.assignedPartitions, b.assignedPartitions) &&
    sameTopicPartitions(a.partitionsPendingRevocation, b.partitionsPendingRevocation)
  );
}

/** A member has caught up with the target assignment of `epoch`. */
export function isReconciledTo(member: ConsumerGroupMember, epoch: number): boolean {
  return member.state === 'STABLE' && member.memberEpoch === epoch;
}

/** A subscribed topic as the group last saw it (Kafka's ConsumerGroupPartitionMetadata). */
export interface SubscribedTopic {
  topicId: string;
  name: string;
  numPartitions: number;
}

/** What a write may change of a group, taken before it (ConsumerGroup.snapshot); the members are immutable. */
export interface ConsumerGroupSnapshot {
  readonly groupEpoch: number;
  readonly assignmentEpoch: number;
  readonly members: ReadonlyMap<string, ConsumerGroupMember>;
  readonly targetAssignment: ReadonlyMap<string, TopicPartitions>;
  readonly subscriptionMetadata: Map<string, SubscribedTopic>;
  readonly topicFilters: ReadonlyMap<string, (topic: string) => boolean>;
}

export class ConsumerGroup {
  readonly type = 'consumer';
  groupEpoch = 0;
  /** The epoch of the target assignment (Kafka's assignment epoch). */
  assignmentEpoch = 0;
  readonly members = new Map<string, ConsumerGroupMember>();
  /** instance id -> member id of the static member holding it. */
  readonly staticMembers = new Map<string, string>();
  /** member id -> the partitions the assignor gave it in the target assignment. */
  readonly targetAssignment = new Map<string, TopicPartitions>();
  /** The subscribed topics by name when the group epoch last changed. */
  subscriptionMetadata = new Map<string, SubscribedTopic>();
  /** topic id -> partition -> epoch of the member that owns it now (assigned or pending revocation). */
  readonly #partitionEpochs = new Map<string, Map<number, number>>();
  readonly sessionTimers = new Map<string, TimerHandle>();
  readonly rebalanceTimers = new Map<string, TimerHandle>();
  /** Classic members told to rejoin (REBALANCE_IN_PROGRESS), fenced unless they JoinGroup within their rebalance timeout. */
  readonly joinTimers = new Map<string, TimerHandle>();
  /** Classic members that joined, fenced unless they SyncGroup within their rebalance timeout. */
  readonly syncTimers = new Map<string, TimerHandle>();
  /** member id -> which topics its principal may DESCRIBE (ACLs on), from its last heartbeat; not stored. */
  readonly topicFilters = new Map<string, (topic: string) => boolean>();
  /** The group was deleted or its coordinator moved: timers and late writes must do nothing. */
  dead = false;

  constructor(readonly groupId: string) {}

  state(): ConsumerGroupState {
    if (this.dead) return 'Dead';
    if (this.members.size === 0) return 'Empty';
    if (this.groupEpoch > this.assignmentEpoch) return 'Assigning';
    for (const member of this.members.values()) if (!isReconciledTo(member, this.assignmentEpoch)) return 'Reconciling';
    return 'Stable';
  }

  /**
   * The group's state before a write, to go back to when the write fails (Kafka keeps its groups in
   * timeline structures and reverts them to the last committed offset). Partition owners and static
   * members are derived from the members and rebuilt on revert.
   */
  snapshot(): ConsumerGroupSnapshot {
    return {
      groupEpoch: this.groupEpoch,
      assignmentEpoch: this.assignmentEpoch,
      members: new Map(this.members),
      targetAssignment: new Map(this.targetAssignment),
      subscriptionMetadata: this.subscriptionMetadata,
      topicFilters: new Map(this.topicFilters),
    };
  }

  /** Puts back a snapshot (timers are the membership's to reconcile). */
  revertTo(snapshot: ConsumerGroupSnapshot): void {
    this.groupEpoch = snapshot.groupEpoch;
    this.assignmentEpoch = snapshot.assignmentEpoch;
    this.subscriptionMetadata = snapshot.subscriptionMetadata;
    for (const memberId of [...this.members.keys()]) this.removeMember(memberId);
    this.#partitionEpochs.clear();
    this.staticMembers.clear();
    for (const member of snapshot.members.values()) this.updateMember(member);
    this.targetAssignment.clear();
    for (const [memberId, target] of snapshot.targetAssignment) this.targetAssignment.set(memberId, target);
    this.topicFilters.clear();
    for (const [memberId, filter] of snapshot.topicFilters) this.topicFilters.set(memberId, filter);
  }

  /** How many members use the classic protocol. */
  classicMemberCount(): number {
    let n = 0;
    for (const m of this.members.values()) if (m.classicMetadata !== null) n++;
    return n;
  }

  /**
   * Whether a classic member with these protocols may join (Kafka's supportsClassicProtocols): the
   * `consumer` protocol type, and one protocol every classic member already supports.
   */
  supportsClassicProtocols(protocolType: string, names: readonly string[]): boolean {
    if (protocolType !== 'consumer') return false;
    const classic = [...this.members.values()].filter((m) => m.classicMetadata !== null);
    if (classic.length === 0) return names.length > 0;
    return names.some((name) => classic.every((m) => m.classicMetadata!.supportedProtocols.some((p) => p.name === name)));
  }

  /** Every member but `memberId` uses the classic protocol, and that one does not (Kafka's allMembersUseClassicProtocolExcept). */
  allMembersUseClassicProtocolExcept(memberId: string): boolean {
    const member = this.members.get(memberId);
    return member !== undefined && member.classicMetadata === null && this.classicMemberCount() === this.members.size - 1;
  }

  /** A member still waits for a partition of its target that another member owns (Kafka's waitingOnUnreleasedPartition). */
  waitingOnUnreleasedPartition(member: ConsumerGroupMember): boolean {
    if (member.state !== 'UNRELEASED_PARTITIONS') return false;
    for (const [topicId, partitions] of this.targetOf(member.memberId)) {
      const assigned = member.assignedPartitions.get(topicId);
      for (const p of partitions) if (!assigned?.has(p) && this.currentPartitionEpoch(topicId, p) !== -1) return true;
    }
    return false;
  }

  /** The epoch of the member owning a partition, or -1 when no member owns it. */
  currentPartitionEpoch(topicId: string, partition: number): number {
    return this.#partitionEpochs.get(topicId)?.get(partition) ?? -1;
  }

  staticMember(instanceId: string): ConsumerGroupMember | undefined {
    const memberId = this.staticMembers.get(instanceId);
    return memberId === undefined ? undefined : this.members.get(memberId);
  }

  /** Adds or replaces a member, keeping the partition owners and static members in step. */
  updateMember(member: ConsumerGroupMember): void {
    const old = this.members.get(member.memberId);
    if (old) this.#releasePartitions(old);
    this.members.set(member.memberId, member);
    this.#claimPartitions(member);
    if (old?.instanceId && old.instanceId !== member.instanceId && this.staticMembers.get(old.instanceId) === member.memberId) {
      this.staticMembers.delete(old.instanceId);
    }
    if (member.instanceId !== null) this.staticMembers.set(member.instanceId, member.memberId);
  }

  removeMember(memberId: string): ConsumerGroupMember | undefined {
    const member = this.members.get(memberId);
    if (!member) return undefined;
    this.#releasePartitions(member);
    this.members.delete(memberId);
    this.topicFilters.delete(memberId);
    if (member.instanceId !== null && this.staticMembers.get(member.instanceId) === memberId) this.staticMembers.delete(member.instanceId);
    return member;
  }

  #claimPartitions(member: ConsumerGroupMember): void {
    for (const assignment of [member.assignedPartitions, member.partitionsPendingRevocation]) {
      for (const [topicId, partitions] of assignment) {
        let epochs = this.#partitionEpochs.get(topicId);
        if (!epochs) this.#partitionEpochs.set(topicId, (epochs = new Map<number, number>()));
        for (const p of partitions) epochs.set(p, member.memberEpoch);
      }
    }
  }

  #releasePartitions(member: ConsumerGroupMember): void {
    for (const assignment of [member.assignedPartitions, member.partitionsPendingRevocation]) {
      for (const [topicId, partitions] of assignment) {
        const epochs = this.#partitionEpochs.get(topicId);
        if (!epochs) continue;
        for (const p of partitions) if (epochs.get(p) === member.memberEpoch) epochs.delete(p);
        if (epochs.size === 0) this.#partitionEpochs.delete(topicId);
      }
    }
  }

  /** The member's partitions in the target assignment (empty when it has none). */
  targetOf(memberId: string): TopicPartitions {
    return this.targetAssignment.get(memberId) ?? new Map<string, Set<number>>();
  }

  /**
   * The server assignor the members prefer (the one most of them name), or null for the broker's
   * default (Kafka's computePreferredServerAssignor).
   */
  preferredServerAssignor(): string | null {
    const votes = new Map<string, number>();
    for (const m of this.members.values()) if (m.serverAssignor !== null) votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1);
    let best: string | null = null;
    let bestVotes = 0;
    for (const [name, count] of [...votes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (count > bestVotes) {
        best = name;
        bestVotes = count;
      }
    }
    return best;
  }
}
