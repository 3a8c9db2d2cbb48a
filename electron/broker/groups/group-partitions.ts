/**
 * The `__consumer_offsets` partitions this broker coordinates, the groups loaded from each, and the one
 * way their changes are written: appended to the partition (acks=-1) while this broker still leads it
 * in the epoch it loaded. Shared by the coordinator's membership and offsets parts (Kafka's
 * GroupMetadataManager keeps the same: owned partitions, the group cache, the append path).
 */
import type { BrokerConfigView } from '../cluster/broker-config';
import type { Controller } from '../cluster/controller';
import type { Logger } from '../server/logger';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import type { RecordInput } from '../../kafka/records/record-batch';
import type { ConsumerGroup } from './consumer-group';
import type { Group, TimerHandle } from './group';
import type { ShareGroup, ShareMemberListener } from './share-group';
import { appendToOffsetsPartition, type OffsetsPartitions, type TransactionalProducer } from './offsets-store';
import { OFFSETS_TOPIC, partitionForGroup } from './records';

/**
 * What the group coordinator needs of its broker, and nothing more: Kafka hands its coordinators a
 * PartitionWriter ("the minimum required for coordinators") and the metadata image, never the broker.
 * The Broker builds one of these over itself.
 */
export interface CoordinatorBroker {
  readonly id: number;
  readonly logger: Logger;
  readonly config: Pick<BrokerConfigView, 'int' | 'value'>;
  /** The cluster's topics and partitions (who leads which offsets partition, which topics exist). */
  readonly metadata: Pick<Controller, 'topic' | 'partition' | 'topics'>;
  /** This broker's replicas of the `__consumer_offsets` partitions, to load from and append to. */
  readonly offsetsPartitions: OffsetsPartitions;
  isRunning(): boolean;
  /** A GROUP config of a group (share.session.timeout.ms...), undefined when not set. */
  groupConfig?(groupId: string, name: string): string | undefined;
  /** The share-partition leaders to tell when a share group member goes (every live broker's). */
  shareListeners?(): readonly ShareMemberListener[];
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

/**
 * One offsets partition this broker leads, in the leader epoch it loaded it, with its groups: classic
 * groups (which also hold every group's committed offsets, whatever its type) and KIP-848 consumer
 * groups. A group id names a classic group with members or a consumer group, never both.
 */
export interface OwnedPartition {
  partition: number;
  leaderEpoch: number;
  groups: Map<string, Group>;
  consumerGroups: Map<string, ConsumerGroup>;
  /** KIP-932 share groups. */
  shareGroups: Map<string, ShareGroup>;
}

export class GroupPartitions {
  /** The offsets partitions this broker leads and has loaded, by partition. */
  readonly owned = new Map<number, OwnedPartition>();

  constructor(
    readonly broker: CoordinatorBroker,
    readonly clock: CoordinatorClock = systemClock,
  ) {}

  get log() {
    return this.broker.logger;
  }

  /** The `__consumer_offsets` partition of a group, or -1 while the topic does not exist. */
  partitionFor(groupId: string): number {
    const count = this.broker.metadata.topic(OFFSETS_TOPIC)?.partitions.length ?? 0;
    return count === 0 ? -1 : partitionForGroup(groupId, count);
  }

  /** The offsets partitions this broker coordinates now. */
  ownedPartitions(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  /** The loaded partition of a group, or NOT_COORDINATOR when this broker does not coordinate it. */
  ownerOf(groupId: string): OwnedPartition | number {
    const partition = this.partitionFor(groupId);
    if (partition < 0) return ErrorCode.NOT_COORDINATOR;
    return this.owned.get(partition) ?? ErrorCode.NOT_COORDINATOR;
  }

  /** Whether `owned` is still this broker's (not unloaded, nor reloaded in a newer leader epoch). */
  isCurrent(owned: OwnedPartition): boolean {
    return this.owned.get(owned.partition) === owned;
  }

  /** Drops a group that holds nothing worth keeping (no members, offsets or pending joins). */
  maybeForget(owned: OwnedPartition, group: Group): void {
    if (group.isForgettable() && owned.groups.get(group.groupId) === group && !owned.consumerGroups.has(group.groupId) && !owned.shareGroups.has(group.groupId))
      owned.groups.delete(group.groupId);
  }

  /** Runs work from a timer or a completed write: a bug there is logged, never thrown into the event loop. */
  guarded(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.log.error('group coordinator failure', { what, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  }

  /** A timer of the clock whose callback is guarded. */
  schedule(what: string, fn: () => void, ms: number): TimerHandle {
    return this.clock.setTimeout(() => this.guarded(what, fn), ms);
  }

  /** Runs `fn` with the outcome of an append: at once when it is known, guarded when it comes later. */
  whenWritten(written: number | Promise<number>, what: string, fn: (code: number) => void): void {
    if (written instanceof Promise) void written.then((code) => this.guarded(what, () => fn(code)));
    else fn(written);
  }

  /** Appends to the partition while it is still ours; resolves to an error code (NONE once on every in-sync replica). */
  append(owned: OwnedPartition, records: RecordInput[], producer?: TransactionalProducer): number | Promise<number> {
    if (!this.isCurrent(owned)) return ErrorCode.NOT_COORDINATOR;
    return appendToOffsetsPartition(this.broker.offsetsPartitions, owned.partition, records, this.clock.now(), producer);
  }

  /** A group this broker coordinates, or undefined. */
  group(groupId: string): Group | undefined {
    const owned = this.ownerOf(groupId);
    return typeof owned === 'number' ? undefined : owned.groups.get(groupId);
  }
}
