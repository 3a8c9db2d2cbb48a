/**
 * The server-side assignors of KIP-848 consumer groups: the coordinator computes the target assignment
 * itself with the assignor the members ask for (ServerAssignor) or the broker's first of
 * `group.consumer.assignors` (Kafka's default `uniform,range`). Inputs and outputs are by topic id, as
 * Kafka's ConsumerGroupPartitionAssignor sees them.
 */
import type { SubscribedTopic, TopicPartitions } from './consumer-group';

export interface AssignorMember {
  memberId: string;
  instanceId: string | null;
  /** Topic ids the member subscribes to that exist. */
  subscribedTopicIds: ReadonlySet<string>;
  /** The member's partitions in the current target assignment (for stickiness). */
  currentTarget: TopicPartitions;
}

export interface PartitionAssignor {
  readonly name: string;
  /** The new target assignment: member id -> partitions (every member present, maybe empty). */
  assign(members: readonly AssignorMember[], topics: ReadonlyMap<string, SubscribedTopic>): Map<string, TopicPartitions>;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function add(assignment: TopicPartitions, topicId: string, partition: number): void {
  let set = assignment.get(topicId);
  if (!set) assignment.set(topicId, (set = new Set()));
  set.add(partition);
}

/**
 * Kafka's UniformAssignor: balance first (two members subscribed to the same topics differ by at most
 * one partition), then stickiness (a member keeps as much of its current target as balance allows).
 * Members keep their still-valid partitions; unowned partitions go, those with the fewest eligible
 * members first, to the eligible member with the fewest partitions; then partitions move from a member
 * with more than one partition above an eligible member's count until no such move remains. With every
 * member subscribed to the same topics (Kafka's homogeneous case) this ends balanced to within one.
 */
export const uniformAssignor: PartitionAssignor = {
  name: 'uniform',
  assign(members, topics) {
    const result = new Map<string, TopicPartitions>();
    const counts = new Map<string, number>();
    const owner = new Map<string, string>(); // `${topicId}:${partition}` -> member id
    const sorted = [...members].sort((a, b) => compare(a.memberId, b.memberId));
    for (const m of sorted) {
      result.set(m.memberId, new Map());
      counts.set(m.memberId, 0);
    }
    const eligible = new Map<string, AssignorMember[]>();
    for (const topicId of topics.keys())
      eligible.set(
        topicId,
        sorted.filter((m) => m.subscribedTopicIds.has(topicId)),
      );
    // 1. Stickiness: keep what is still valid.
    for (const m of sorted) {
      for (const [topicId, partitions] of m.currentTarget) {
        const topic = topics.get(topicId);
        if (!topic || !m.subscribedTopicIds.has(topicId)) continue;
        for (const p of [...partitions].sort((a, b) => a - b)) {
          const key = `${topicId}:${p}`;
          if (p >= topic.numPartitions || owner.has(key)) continue;
          owner.set(key, m.memberId);
          add(result.get(m.memberId)!, topicId, p);
          counts.set(m.memberId, counts.get(m.memberId)! + 1);
        }
      }
    }
    // 2. Unowned partitions to the least loaded eligible member.
    const unowned: Array<{ topicId: string; partition: number; candidates: AssignorMember[] }> = [];
    for (const [topicId, topic] of [...topics].sort(([, a], [, b]) => compare(a.name, b.name))) {
      const candidates = eligible.get(topicId)!;
      if (candidates.length === 0) continue;
      for (let p = 0; p < topic.numPartitions; p++) if (!owner.has(`${topicId}:${p}`)) unowned.push({ topicId, partition: p, candidates });
    }
    unowned.sort((a, b) => a.candidates.length - b.candidates.length);
    const leastLoaded = (candidates: AssignorMember[]) => candidates.reduce((best, m) => (counts.get(m.memberId)! < counts.get(best.memberId)! ? m : best));
    for (const u of unowned) {
      const m = leastLoaded(u.candidates);
      owner.set(`${u.topicId}:${u.partition}`, m.memberId);
      add(result.get(m.memberId)!, u.topicId, u.partition);
      counts.set(m.memberId, counts.get(m.memberId)! + 1);
    }
    // 3. Balance: move a partition from an owner with at least two more than an eligible member.
    let moved = true;
    for (let round = 0; moved && round < 10_000; round++) {
      moved = false;
      for (const m of [...sorted].sort((a, b) => counts.get(b.memberId)! - counts.get(a.memberId)! || compare(a.memberId, b.memberId))) {
        const assignment = result.get(m.memberId)!;
        for (const [topicId, partitions] of [...assignment].sort(([a], [b]) => compare(a, b))) {
          const target = leastLoaded(eligible.get(topicId)!);
          if (counts.get(m.memberId)! - counts.get(target.memberId)! < 2) continue;
          const partition = Math.max(...partitions);
          partitions.delete(partition);
          if (partitions.size === 0) assignment.delete(topicId);
          add(result.get(target.memberId)!, topicId, partition);
          counts.set(m.memberId, counts.get(m.memberId)! - 1);
          counts.set(target.memberId, counts.get(target.memberId)! + 1);
          moved = true;
          break;
        }
        if (moved) break;
      }
    }
    return result;
  },
};

/**
 * Kafka's RangeAssignor for consumer groups: per topic, its subscribers in order (instance id, else
 * member id) get contiguous ranges, the first `partitions % members` one partition more; members
 * subscribed to the same co-partitioned topics get the same partition numbers of each.
 */
export const rangeAssignor: PartitionAssignor = {
  name: 'range',
  assign(members, topics) {
    const result = new Map<string, TopicPartitions>();
    for (const m of members) result.set(m.memberId, new Map());
    const order = (m: AssignorMember) => m.instanceId ?? m.memberId;
    for (const [topicId, topic] of topics) {
      const subscribers = members
        .filter((m) => m.subscribedTopicIds.has(topicId))
        .sort((a, b) => compare(order(a), order(b)) || compare(a.memberId, b.memberId));
      if (subscribers.length === 0) continue;
      const base = Math.floor(topic.numPartitions / subscribers.length);
      const extra = topic.numPartitions % subscribers.length;
      let next = 0;
      subscribers.forEach((m, i) => {
        const count = base + (i < extra ? 1 : 0);
        for (let k = 0; k < count; k++) add(result.get(m.memberId)!, topicId, next++);
      });
    }
    return result;
  },
};

export const CONSUMER_ASSIGNORS: readonly PartitionAssignor[] = [uniformAssignor, rangeAssignor];

/** The assignors named in `group.consumer.assignors` (unknown names ignored; the first is the default). */
export function configuredAssignors(names: string): PartitionAssignor[] {
  const list = names
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((name) => CONSUMER_ASSIGNORS.find((a) => a.name === name || `org.apache.kafka.coordinator.group.assignor.${capitalize(a.name)}Assignor` === name))
    .filter((a): a is PartitionAssignor => a !== undefined);
  return list.length > 0 ? list : [uniformAssignor, rangeAssignor];
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
