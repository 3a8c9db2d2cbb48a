/**
 * One share group (KIP-932) as its coordinator keeps it: the group epoch, the target assignment and its
 * epoch, and the members with their epoch and assignment. Simpler than a KIP-848 consumer group
 * (consumer-group.ts): a share group's members share partitions, so nothing is revoked before it is
 * given to another member; a member takes its target assignment, and the assignment epoch, at its next
 * heartbeat. Every field is backed by a record of share-records.ts in `__consumer_offsets`.
 *
 * The share-partition leaders (electron/broker/share/) see a group through ShareGroupView only.
 */
import type { TopicPartitions } from './consumer-group';
import type { TimerHandle } from './group';

/** Kafka's ShareGroup.ShareGroupState, as DescribeGroups, ListGroups and ShareGroupDescribe name it. */
export type ShareGroupState = 'Empty' | 'Stable' | 'Dead';

export interface ShareGroupMember {
  readonly memberId: string;
  readonly rackId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  /** Sorted. */
  readonly subscribedTopicNames: readonly string[];
  readonly memberEpoch: number;
  readonly previousMemberEpoch: number;
  readonly assignedPartitions: TopicPartitions;
}

export function newShareMember(memberId: string): ShareGroupMember {
  return {
    memberId,
    rackId: null,
    clientId: '',
    clientHost: '',
    subscribedTopicNames: [],
    memberEpoch: 0,
    previousMemberEpoch: 0,
    assignedPartitions: new Map(),
  };
}

/** A subscribed topic as the group last saw it (the layout whose change bumps the group epoch). */
export interface ShareSubscribedTopic {
  topicId: string;
  name: string;
  numPartitions: number;
}

/** What a share-partition leader may ask of a share group (h32sharefetch's ShareFetch/ShareAcknowledge). */
export interface ShareGroupView {
  readonly groupId: string;
  readonly groupEpoch: number;
  isEmpty(): boolean;
  memberIds(): string[];
  isMember(memberId: string): boolean;
  /** The member's epoch, or undefined when it is not a member. */
  memberEpoch(memberId: string): number | undefined;
  /** topic id -> partitions the member is assigned (empty when it is not a member). */
  assignment(memberId: string): TopicPartitions;
}

export class ShareGroup implements ShareGroupView {
  readonly type = 'share';
  groupEpoch = 0;
  assignmentEpoch = 0;
  readonly members = new Map<string, ShareGroupMember>();
  /** member id -> the partitions the assignor gave it. */
  readonly targetAssignment = new Map<string, TopicPartitions>();
  /** The subscribed topics by name when the group epoch last changed. */
  subscriptionMetadata = new Map<string, ShareSubscribedTopic>();
  readonly sessionTimers = new Map<string, TimerHandle>();
  /** The group was deleted or its coordinator moved: timers and late writes do nothing. */
  dead = false;

  constructor(readonly groupId: string) {}

  state(): ShareGroupState {
    if (this.dead) return 'Dead';
    return this.members.size === 0 ? 'Empty' : 'Stable';
  }

  isEmpty(): boolean {
    return this.members.size === 0;
  }

  memberIds(): string[] {
    return [...this.members.keys()].sort();
  }

  isMember(memberId: string): boolean {
    return this.members.has(memberId);
  }

  memberEpoch(memberId: string): number | undefined {
    return this.members.get(memberId)?.memberEpoch;
  }

  assignment(memberId: string): TopicPartitions {
    return this.members.get(memberId)?.assignedPartitions ?? new Map<string, Set<number>>();
  }

  targetOf(memberId: string): TopicPartitions {
    return this.targetAssignment.get(memberId) ?? new Map<string, Set<number>>();
  }
}

/**
 * KIP-932's simple assignor (Kafka's SimpleAssignor, "share groups allow several members per
 * partition"): every partition of a subscribed topic goes to at least one of the members subscribed to
 * it. With at least as many partitions as members they are dealt round-robin (one member each); with
 * more members than partitions each member gets one partition, so every member has work and the
 * partitions are shared as evenly as the numbers allow. Members are taken in id order, so the same
 * group always gets the same assignment.
 */
export function assignShareGroup(
  members: ReadonlyArray<{ memberId: string; topicIds: ReadonlySet<string> }>,
  topics: ReadonlyMap<string, ShareSubscribedTopic>,
): Map<string, TopicPartitions> {
  const result = new Map<string, TopicPartitions>(members.map((m) => [m.memberId, new Map<string, Set<number>>()]));
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  for (const topic of [...topics.values()].sort((a, b) => (a.topicId < b.topicId ? -1 : 1))) {
    const subscribers = sorted.filter((m) => m.topicIds.has(topic.topicId));
    if (subscribers.length === 0 || topic.numPartitions === 0) continue;
    const give = (memberId: string, partition: number) => {
      const assignment = result.get(memberId)!;
      let set = assignment.get(topic.topicId);
      if (!set) assignment.set(topic.topicId, (set = new Set<number>()));
      set.add(partition);
    };
    if (subscribers.length <= topic.numPartitions) {
      for (let p = 0; p < topic.numPartitions; p++) give(subscribers[p % subscribers.length]!.memberId, p);
    } else {
      subscribers.forEach((m, i) => give(m.memberId, i % topic.numPartitions));
    }
  }
  return result;
}

/** What share-partition leaders are told of members (Kafka 4.1's ShareGroupListener, electron/broker/share/). */
export interface ShareMemberListener {
  onMemberLeave(groupId: string, memberId: string): void;
  onGroupEmpty(groupId: string): void;
}
