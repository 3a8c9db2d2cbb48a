// Reassignment plans: where each partition's replicas should go, from the cluster's current assignment
// and a goal ("spread these topics evenly over these brokers", "drain broker N", or targets picked by
// hand), with the moves and what the brokers hold afterwards. Pure: the app previews with it, the main
// process applies what it plans (AlterPartitionReassignments), and `npm run cluster`'s drain-broker uses it.

/** One partition as the plan sees it. `replicas`: its target assignment (preferred leader first). */
export interface PlanPartition {
  topic: string;
  partition: number;
  replicas: readonly number[];
  /** Bytes of the partition's log (its leader's size), for what a move copies; null when unknown. */
  sizeBytes: number | null;
}

export type PlanGoal =
  /** Spread the partitions' replicas (and preferred leaders) evenly over `brokers`, keeping each one's replication factor. */
  | { kind: 'spread'; brokers: readonly number[] }
  /** Move every replica off `broker`, each to the broker holding the fewest replicas that the partition does not use yet. */
  | { kind: 'drain'; broker: number; brokers: readonly number[] }
  /** The targets given, per partition (`topic-partition` keys). */
  | { kind: 'manual'; targets: Readonly<Record<string, readonly number[]>> };

export interface PlannedMove {
  topic: string;
  partition: number;
  from: number[];
  to: number[];
  adding: number[];
  removing: number[];
  /** Bytes the adding replicas copy (size × adding replicas); null when the size is unknown. */
  bytesToCopy: number | null;
}

export interface BrokerLoad {
  broker: number;
  replicas: number;
  /** Preferred leaders (first replicas): who leads after a preferred leader election. */
  leaders: number;
  /** Bytes of the replicas it holds (a partition's size counted on each of its replicas; unknown sizes as 0). */
  bytes: number;
  /** Bytes the moves copy onto it (0 before). */
  incomingBytes: number;
}

export interface PlanOptions {
  /**
   * Every partition of the cluster, the chosen ones among them: the loads before and after then cover
   * the whole cluster, and a drain sends each replica to the broker least loaded cluster-wide.
   */
  cluster?: readonly PlanPartition[];
  /** Targets set by hand (`topic-partition` keys), in place of the goal's; check them first with targetProblem. */
  overrides?: Readonly<Record<string, readonly number[]>>;
}

export interface ReassignmentPlan {
  moves: PlannedMove[];
  /** Replicas, preferred leaders and bytes per broker, before and after, over the whole cluster when given (else the partitions planned). */
  before: BrokerLoad[];
  after: BrokerLoad[];
  bytesToCopy: number;
  /** Why a partition could not be planned as asked (too few brokers for its replication factor...). */
  problems: string[];
}

export const partitionKey = (topic: string, partition: number): string => `${topic}-${partition}`;

function loads(
  assignments: ReadonlyArray<{ replicas: readonly number[]; sizeBytes: number | null }>,
  brokers: readonly number[],
  incoming = new Map<number, number>(),
): BrokerLoad[] {
  const empty = (broker: number): BrokerLoad => ({ broker, replicas: 0, leaders: 0, bytes: 0, incomingBytes: incoming.get(broker) ?? 0 });
  const byBroker = new Map<number, BrokerLoad>(brokers.map((broker) => [broker, empty(broker)]));
  for (const { replicas, sizeBytes } of assignments) {
    replicas.forEach((id, i) => {
      let load = byBroker.get(id);
      if (!load) byBroker.set(id, (load = empty(id)));
      load.replicas++;
      load.bytes += sizeBytes ?? 0;
      if (i === 0) load.leaders++;
    });
  }
  return [...byBroker.values()].sort((a, b) => a.broker - b.broker);
}

/** "2, 0, 1" as broker ids (preferred leader first); null when the text is not such a list. */
export function parseReplicaList(text: string): number[] | null {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length === 1 && parts[0] === '') return [];
  if (!parts.every((part) => /^\d{1,9}$/.test(part))) return null;
  return parts.map(Number);
}

/**
 * Why a target replica list typed by hand cannot be applied, or null: at least one replica, each broker
 * once, every one a broker that is up, and as many replicas as now unless the replication factor is
 * meant to change.
 */
export function targetProblem(
  target: readonly number[] | null,
  current: readonly number[],
  brokers: ReadonlyArray<{ id: number; up: boolean }>,
  allowReplicationFactorChange: boolean,
): string | null {
  if (target === null) return 'Broker ids separated by commas, the preferred leader first (e.g. 2, 0, 1).';
  if (target.length === 0) return 'A partition needs at least one replica.';
  const twice = target.find((id, i) => target.indexOf(id) !== i);
  if (twice !== undefined) return `Broker ${twice} appears twice.`;
  for (const id of target) {
    const broker = brokers.find((candidate) => candidate.id === id);
    if (!broker) return `There is no broker ${id}.`;
    if (!broker.up) return `Broker ${id} is down: a new replica there could not catch up.`;
  }
  if (target.length !== current.length && !allowReplicationFactorChange)
    return `${target.length} replica${target.length === 1 ? '' : 's'} where the partition has ${current.length}: tick "Change replication factors" to change it.`;
  return null;
}

/**
 * Spread: replicas on brokers not chosen move to the least-loaded chosen broker; then, while the most
 * loaded broker holds two replicas more than the least loaded, one replica moves from the one to the
 * other (in a partition that does not use the least loaded yet). Preferred leaders (first replicas) are
 * then evened out the same way, by reordering replicas, which copies nothing. Few moves, each needed.
 */
function spread(partitions: readonly PlanPartition[], brokers: readonly number[], problems: string[]): Map<string, number[]> {
  const wanted = [...new Set(brokers)].sort((a, b) => a - b);
  const assignment: number[][] = [];
  const count = new Map(wanted.map((id) => [id, 0]));
  const fits: boolean[] = partitions.map((p) => {
    if (p.replicas.length <= wanted.length) return true;
    problems.push(`${partitionKey(p.topic, p.partition)} has ${p.replicas.length} replicas, more than the ${wanted.length} broker(s) chosen: left as it is.`);
    return false;
  });
  partitions.forEach((p, i) => {
    const replicas = [...p.replicas];
    assignment.push(replicas);
    if (fits[i]) for (const id of replicas) if (count.has(id)) count.set(id, count.get(id)! + 1);
  });
  const leastLoaded = (exclude: readonly number[]) => wanted.filter((id) => !exclude.includes(id)).sort((a, b) => count.get(a)! - count.get(b)! || a - b)[0];
  // 1. Off the brokers not chosen.
  assignment.forEach((replicas, i) => {
    if (!fits[i]) return;
    replicas.forEach((id, position) => {
      if (count.has(id)) return;
      const next = leastLoaded(replicas)!;
      replicas[position] = next;
      count.set(next, count.get(next)! + 1);
    });
  });
  // 2. From the most to the least loaded while they differ by two or more.
  for (let guard = 0; guard < 10_000; guard++) {
    const byLoad = [...wanted].sort((a, b) => count.get(a)! - count.get(b)! || a - b);
    let moved = false;
    for (const low of byLoad) {
      for (const high of [...byLoad].reverse()) {
        if (count.get(high)! - count.get(low)! < 2) break;
        const i = assignment.findIndex((replicas, j) => fits[j] && replicas.includes(high) && !replicas.includes(low));
        if (i < 0) continue;
        const replicas = assignment[i]!;
        replicas[replicas.indexOf(high)] = low;
        count.set(high, count.get(high)! - 1);
        count.set(low, count.get(low)! + 1);
        moved = true;
        break;
      }
      if (moved) break;
    }
    if (!moved) break;
  }
  // 3. Preferred leaders, by reordering.
  const leaders = new Map(wanted.map((id) => [id, 0]));
  assignment.forEach((replicas, i) => {
    if (fits[i]) leaders.set(replicas[0]!, leaders.get(replicas[0]!)! + 1);
  });
  for (let guard = 0; guard < 10_000; guard++) {
    const byLoad = [...wanted].sort((a, b) => leaders.get(a)! - leaders.get(b)! || a - b);
    let moved = false;
    for (const low of byLoad) {
      for (const high of [...byLoad].reverse()) {
        if (leaders.get(high)! - leaders.get(low)! < 2) break;
        const replicas = assignment.find((r, j) => fits[j] && r[0] === high && r.includes(low));
        if (!replicas) continue;
        replicas.splice(replicas.indexOf(low), 1);
        replicas.unshift(low);
        leaders.set(high, leaders.get(high)! - 1);
        leaders.set(low, leaders.get(low)! + 1);
        moved = true;
        break;
      }
      if (moved) break;
    }
    if (!moved) break;
  }
  return new Map(partitions.map((p, i) => [partitionKey(p.topic, p.partition), assignment[i]!]));
}

/** Drain: each replica on `broker` goes, in its place, to the least-loaded other broker the partition does not use. */
function drain(
  partitions: readonly PlanPartition[],
  broker: number,
  brokers: readonly number[],
  problems: string[],
  cluster: readonly PlanPartition[],
): Map<string, number[]> {
  const others = [...new Set(brokers)].filter((id) => id !== broker).sort((a, b) => a - b);
  const count = new Map(others.map((id) => [id, 0]));
  for (const p of cluster) for (const id of p.replicas) if (count.has(id)) count.set(id, count.get(id)! + 1);
  const targets = new Map<string, number[]>();
  for (const p of partitions) {
    if (!p.replicas.includes(broker)) continue;
    const candidates = others.filter((id) => !p.replicas.includes(id)).sort((a, b) => count.get(a)! - count.get(b)! || a - b);
    const replacement = candidates[0];
    if (replacement === undefined) {
      problems.push(`${partitionKey(p.topic, p.partition)} has ${p.replicas.length} replicas and no other broker is free to take the one on broker ${broker}.`);
      continue;
    }
    count.set(replacement, count.get(replacement)! + 1);
    targets.set(
      partitionKey(p.topic, p.partition),
      p.replicas.map((id) => (id === broker ? replacement : id)),
    );
  }
  return targets;
}

/** The moves that take `partitions` towards `goal` (or the targets set by hand), and the brokers' loads before and after. */
export function planReassignment(
  partitions: readonly PlanPartition[],
  goal: PlanGoal,
  allBrokers: readonly number[],
  options: PlanOptions = {},
): ReassignmentPlan {
  const problems: string[] = [];
  // The whole cluster, with the chosen partitions as given (they are its current state too).
  const cluster = new Map((options.cluster ?? []).map((p) => [partitionKey(p.topic, p.partition), p]));
  for (const p of partitions) cluster.set(partitionKey(p.topic, p.partition), p);
  let targets: Map<string, number[]>;
  if (goal.kind === 'spread') targets = spread(partitions, goal.brokers, problems);
  else if (goal.kind === 'drain') targets = drain(partitions, goal.broker, goal.brokers, problems, [...cluster.values()]);
  else targets = new Map(Object.entries(goal.targets).map(([key, replicas]) => [key, [...replicas]]));
  for (const [key, replicas] of Object.entries(options.overrides ?? {})) if (cluster.has(key)) targets.set(key, [...replicas]);
  const moves: PlannedMove[] = [];
  const after = new Map<string, { replicas: readonly number[]; sizeBytes: number | null }>(cluster);
  const incoming = new Map<number, number>();
  for (const p of partitions) {
    const key = partitionKey(p.topic, p.partition);
    const target = targets.get(key);
    const unchanged = !target || (target.length === p.replicas.length && target.every((id, i) => p.replicas[i] === id));
    if (unchanged) continue;
    const adding = target.filter((id) => !p.replicas.includes(id));
    const removing = p.replicas.filter((id) => !target.includes(id));
    after.set(key, { replicas: target, sizeBytes: p.sizeBytes });
    for (const id of adding) incoming.set(id, (incoming.get(id) ?? 0) + (p.sizeBytes ?? 0));
    moves.push({
      topic: p.topic,
      partition: p.partition,
      from: [...p.replicas],
      to: target,
      adding,
      removing,
      bytesToCopy: p.sizeBytes === null ? null : p.sizeBytes * adding.length,
    });
  }
  return {
    moves,
    before: loads([...cluster.values()], allBrokers),
    after: loads([...after.values()], allBrokers, incoming),
    bytesToCopy: moves.reduce((sum, move) => sum + (move.bytesToCopy ?? 0), 0),
    problems,
  };
}
