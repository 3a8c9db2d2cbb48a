/**
 * Partition reassignment (KIP-455), the replica arithmetic alone, as Kafka's PartitionReassignmentReplicas
 * and PartitionReassignmentRevert do it (the controller applies the results):
 *
 * - A reassignment towards `target` starts from the partition's current replica set (during another
 *   reassignment, the whole set: target and removing). Adding = target - current, removing = current -
 *   target, and the replica set while it runs is the target followed by the removing replicas, so
 *   Metadata lists every replica that holds or receives data.
 * - It completes once every adding replica is in the ISR: the replica set becomes the target, the
 *   removing replicas leave the ISR (never leaving it empty) and, if the leader was one of them, a new
 *   leader is elected from the target.
 * - Cancelling reverts to the set without the adding replicas, which leave the ISR too.
 */

/** A replica list check for a reassignment target; the message, or null when it is usable. */
export function targetProblem(target: readonly number[], registered: readonly number[]): string | null {
  if (target.length === 0) return 'The manual partition assignment includes an empty replica list.';
  const twice = target.find((id, i) => target.indexOf(id) !== i);
  if (twice !== undefined) return `The manual partition assignment includes the broker ${twice} more than once.`;
  const unknown = target.find((id) => !registered.includes(id));
  if (unknown !== undefined) return `The manual partition assignment includes broker ${unknown}, but no such broker is registered.`;
  return null;
}

export interface ReassignmentState {
  /** The replica set while it runs: target first, then the removing replicas. */
  replicas: number[];
  adding: number[];
  removing: number[];
}

/** The state of a reassignment from `current` (the partition's whole replica set) towards `target`. */
export function startReassignment(current: readonly number[], target: readonly number[]): ReassignmentState {
  const removing = current.filter((id) => !target.includes(id));
  return { replicas: [...target, ...removing], adding: target.filter((id) => !current.includes(id)), removing };
}

/**
 * The replica set and ISR once the reassignment completes, or null while an adding replica is not in
 * the ISR yet (or no target replica is in it: the removing ones must not take the ISR down to nothing).
 */
export function completedReassignment(state: ReassignmentState, isr: readonly number[]): { replicas: number[]; isr: number[] } | null {
  if (!state.adding.every((id) => isr.includes(id))) return null;
  const replicas = state.replicas.filter((id) => !state.removing.includes(id));
  const newIsr = isr.filter((id) => !state.removing.includes(id));
  if (newIsr.length === 0) return null;
  return { replicas, isr: newIsr };
}

/** The replica set and ISR after cancelling: without the adding replicas. `unclean` when no ISR member is left. */
export function revertedReassignment(state: ReassignmentState, isr: readonly number[]): { replicas: number[]; isr: number[]; unclean: boolean } {
  const replicas = state.replicas.filter((id) => !state.adding.includes(id));
  const newIsr = isr.filter((id) => !state.adding.includes(id));
  return { replicas, isr: newIsr, unclean: newIsr.length === 0 };
}
