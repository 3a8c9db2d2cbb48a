// Why a partition is offline or under-replicated, and how a broker is, in one sentence each: "partition
// 2 is offline: its only replica is on broker 1, which is down since 22:41". The main process sends
// the facts (leader, replicas, ISR, which brokers are down and since when); the words are made here,
// where the user's clock and locale are.
import type { BrokerRef } from '../../../../shared/model/schemas';

const sameDay = new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const otherDay = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** "22:41" today, "Dec 5, 22:41" on another day. */
export function formatTime(at: number, now: number = Date.now()): string {
  const a = new Date(at);
  const b = new Date(now);
  const today = a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  return (today ? sameDay : otherDay).format(a);
}

export type BrokerLookup = ReadonlyMap<number, BrokerRef>;

export function brokerMap(brokers: readonly BrokerRef[]): Map<number, BrokerRef> {
  return new Map(brokers.map((broker) => [broker.id, broker]));
}

/** "down since 22:41", "down (last seen 22:40)", "down (never seen up by this app)", or "up". */
export function brokerState(broker: BrokerRef | undefined, now?: number): string {
  if (!broker) return 'not known to this app';
  if (broker.state === 'up') return 'up';
  if (broker.downSince !== null) return `down since ${formatTime(broker.downSince, now)}`;
  if (broker.lastSeenAt !== null) return `down (last seen ${formatTime(broker.lastSeenAt, now)})`;
  return 'down (not in the cluster’s metadata, and never seen up by this app)';
}

export function isDown(id: number, brokers: BrokerLookup, offlineReplicas: readonly number[] = []): boolean {
  return offlineReplicas.includes(id) || brokers.get(id)?.state !== 'up';
}

/** A replica Metadata reports offline on a broker that is up: its log cannot be opened or written there. */
export function hasStorageFailure(id: number, brokers: BrokerLookup, offlineReplicas: readonly number[]): boolean {
  return offlineReplicas.includes(id) && brokers.get(id)?.state === 'up';
}

const STORAGE = 'has a storage failure there (its log cannot be opened or written)';

function list(ids: readonly number[]): string {
  if (ids.length <= 1) return ids.join('');
  return `${ids.slice(0, -1).join(', ')} and ${ids[ids.length - 1]}`;
}

function brokers(ids: readonly number[]): string {
  return ids.length === 1 ? `broker ${ids[0]}` : `brokers ${list(ids)}`;
}

export interface PartitionFacts {
  partition: number;
  leader: number;
  replicas: readonly number[];
  isr: readonly number[];
  offlineReplicas: readonly number[];
  /** Kafka's error name from Metadata, if any. */
  error: string | null;
  /** Eligible leader replicas (KIP-966, DescribeTopicPartitions); null or absent when not reported. */
  eligibleLeaderReplicas?: readonly number[] | null;
  lastKnownElr?: readonly number[] | null;
}

export function isPartitionOffline(partition: PartitionFacts, lookup: BrokerLookup): boolean {
  return partition.leader < 0 || lookup.get(partition.leader)?.state === 'down';
}

export function isPartitionUnderReplicated(partition: PartitionFacts): boolean {
  return partition.isr.length < partition.replicas.length;
}

/**
 * Why a partition is offline or under-replicated; null when it is neither. `subject` names it
 * ("partition 2", "orders-2"); the sentence starts with it.
 */
export function explainPartition(partition: PartitionFacts, lookup: BrokerLookup, subject = `partition ${partition.partition}`, now?: number): string | null {
  const down = (id: number) => isDown(id, lookup, partition.offlineReplicas);
  const failed = (id: number) => hasStorageFailure(id, lookup, partition.offlineReplicas);
  // "down since 22:41", or for a replica whose broker is up but whose log failed, why it is offline.
  const stateOf = (id: number) =>
    failed(id) ? 'up, but its replica of this partition cannot be read or written (a storage failure)' : brokerState(lookup.get(id), now);
  const errorNote = partition.error && partition.error !== 'LEADER_NOT_AVAILABLE' ? ` (Kafka reports ${partition.error})` : '';
  if (isPartitionOffline(partition, lookup)) {
    if (partition.error === 'KAFKA_STORAGE_ERROR') return `${subject} is offline: a log directory holding it has failed on its broker (KAFKA_STORAGE_ERROR).`;
    if (partition.leader >= 0) return `${subject} is offline: its leader, broker ${partition.leader}, is ${stateOf(partition.leader)}.${errorNote}`;
    const { replicas } = partition;
    if (!replicas.length) return `${subject} is offline: it has no replicas.${errorNote}`;
    const downReplicas = replicas.filter(down);
    const live = replicas.filter((id) => !down(id));
    if (replicas.length === 1 && downReplicas.length === 1) {
      const only = replicas[0] as number;
      if (failed(only)) return `${subject} is offline: its only replica, on broker ${only}, ${STORAGE}.${errorNote}`;
      return `${subject} is offline: its only replica is on broker ${only}, which is ${stateOf(only)}.${errorNote}`;
    }
    const eligible = partition.eligibleLeaderReplicas ?? [];
    if (!partition.isr.length && eligible.length) {
      // KIP-966: with the ISR empty, a replica of the ELR leads cleanly as soon as it is back.
      const waiting = eligible.filter(down);
      if (waiting.length)
        return `${subject} is offline: no replica is in sync, and its eligible leader ${waiting.length === 1 ? 'replica' : 'replicas'} (ELR) on ${brokers(waiting)} ${waiting.length === 1 ? 'is' : 'are'} down; once one is back it leads without losing a committed record.${errorNote}`;
    }
    if (!partition.isr.length && !eligible.length && (partition.lastKnownElr ?? []).length) {
      const last = partition.lastKnownElr ?? [];
      return `${subject} is offline: no replica is in sync or eligible to lead; its last known leader, ${brokers(last)}, leads again when it is back.${errorNote}`;
    }
    if (!live.length) {
      if (downReplicas.some(failed)) {
        const each = downReplicas.map((id) => (failed(id) ? `broker ${id}: storage failure` : `broker ${id} ${brokerState(lookup.get(id), now)}`));
        return `${subject} is offline: none of its ${replicas.length} replicas can lead (${each.join('; ')}).${errorNote}`;
      }
      const each = downReplicas.map((id) => `broker ${id} ${stateOf(id).replace(/^down /, '')}`);
      return `${subject} is offline: all ${replicas.length} of its replicas are on brokers that are down (${each.join('; ')}).${errorNote}`;
    }
    const liveInSync = live.filter((id) => partition.isr.includes(id));
    if (!liveInSync.length) {
      const lost = partition.isr.length
        ? `its in-sync ${partition.isr.length === 1 ? 'replica' : 'replicas'} on ${brokers(partition.isr)} ${partition.isr.length === 1 ? 'is' : 'are'} down`
        : 'no replica is in sync';
      return `${subject} is offline: ${lost}, and the live ${live.length === 1 ? 'replica' : 'replicas'} on ${brokers(live)} ${live.length === 1 ? 'is' : 'are'} out of sync, so ${live.length === 1 ? 'it' : 'they'} cannot lead without an unclean leader election (which loses records).${errorNote}`;
    }
    return `${subject} has no leader right now: ${brokers(liveInSync)} ${liveInSync.length === 1 ? 'is' : 'are'} in sync and up, so an election should follow.${errorNote}`;
  }
  if (isPartitionUnderReplicated(partition)) {
    const outOfSync = partition.replicas.filter((id) => !partition.isr.includes(id));
    const why = outOfSync.map((id) => (failed(id) ? `broker ${id} ${STORAGE}` : `broker ${id} is ${down(id) ? stateOf(id) : 'up, catching up'}`));
    return `${subject} is under-replicated: the ${outOfSync.length === 1 ? 'replica' : 'replicas'} on ${brokers(outOfSync)} ${outOfSync.length === 1 ? 'is' : 'are'} out of sync (${why.join('; ')}).${errorNote}`;
  }
  // Still in sync on paper (the ISR shrinks only after replica.lag.time.max.ms), but not writable.
  const failing = partition.replicas.filter(failed);
  if (failing.includes(partition.leader)) {
    return `${subject} cannot be written: its leader, broker ${partition.leader}, ${STORAGE}; producers get KAFKA_STORAGE_ERROR until it works again.${errorNote}`;
  }
  if (failing.length) {
    return `${subject} has a storage failure: ${brokers(failing)} cannot open or write ${failing.length === 1 ? 'its replica' : 'their replicas'} of it, which will fall out of sync.${errorNote}`;
  }
  return null;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
