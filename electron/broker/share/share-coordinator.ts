/**
 * The share coordinator of one broker (KIP-932): the durable state of share-partitions, for the keys
 * ("groupId:topicId:partition") whose `__share_group_state` partition this broker leads. Share-partition
 * leaders read and write it (Kafka's Persister: ReadShareGroupState, WriteShareGroupState...); each
 * write is appended to the state partition with acks=-1, as a ShareSnapshot (the whole state) or a
 * ShareUpdate (a change on top of the last snapshot; a snapshot again every
 * `share.coordinator.snapshot.update.records.per.snapshot` updates), and applied once every in-sync
 * replica has it. On becoming leader of a state partition the coordinator replays it from the log, so a
 * crash or a leadership change loses nothing that was acknowledged.
 *
 * As Kafka's ShareCoordinatorShard (share-coordinator/.../ShareCoordinatorShard.java), read, not
 * copied: fenced leader and state epochs, the snapshot/update choice and the batch combining. It sees
 * its broker only through ShareCoordinatorBroker.
 */
import type { BrokerConfigView } from '../cluster/broker-config';
import { isFailure, type Controller } from '../cluster/controller';
import { isPartitionError, type PartitionReplica } from '../cluster/partition-replica';
import type { Logger } from '../server/logger';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { isControlBatch } from '../../kafka/records/batch-header';
import { encodeRecordBatch, iterateBatches } from '../../kafka/records/record-batch';
import { coordinatorErrorFor } from '../groups/offsets-store';
import type { StateBatch } from './share-partition';
import {
  combineStateBatches,
  decodeShareSnapshotValue,
  decodeShareStateKey,
  decodeShareUpdateValue,
  encodeShareSnapshotValue,
  encodeShareStateKey,
  encodeShareUpdateValue,
  partitionForShareKey,
  SHARE_SNAPSHOT_KEY_VERSION,
  SHARE_STATE_TOPIC,
  SHARE_UPDATE_KEY_VERSION,
  shareCoordinatorKey,
} from './share-state-records';

export { SHARE_STATE_TOPIC } from './share-state-records';

/** What the share coordinator uses of a replica of a `__share_group_state` partition on this broker. */
export type ShareStateReplica = Pick<PartitionReplica, 'isLeader' | 'appendAsLeader'> & {
  readonly log: Pick<PartitionReplica['log'], 'logStartOffset' | 'logEndOffset' | 'read'>;
};

export interface ShareCoordinatorBroker {
  readonly id: number;
  readonly logger: Logger;
  readonly config: Pick<BrokerConfigView, 'int'>;
  readonly metadata: Pick<Controller, 'topic' | 'partition' | 'topicById'>;
  statePartition(partition: number): ShareStateReplica | undefined;
  isRunning(): boolean;
}

/** How long a write waits for the in-sync replicas (Kafka's share.coordinator.write.timeout.ms). */
const WRITE_TIMEOUT_MS = 5000;
const LOAD_CHUNK_BYTES = 4 * 1024 * 1024;

/** One share-partition's durable state, as the coordinator holds it (Kafka's ShareGroupOffset). */
export interface ShareGroupOffset {
  groupId: string;
  topicId: string;
  partition: number;
  snapshotEpoch: number;
  stateEpoch: number;
  leaderEpoch: number;
  startOffset: number;
  stateBatches: StateBatch[];
  /** ShareUpdate records written since the last ShareSnapshot. */
  updatesSinceSnapshot: number;
}

interface OwnedStatePartition {
  partition: number;
  leaderEpoch: number;
  states: Map<string, ShareGroupOffset>;
}

export interface PartitionStateResult {
  errorCode: number;
  errorMessage: string | null;
  stateEpoch: number;
  startOffset: number;
  stateBatches: StateBatch[];
}

/**
 * Creates `__share_group_state` if it does not exist yet (Kafka creates it when the share coordinator is
 * first looked up): share.coordinator.state.topic.num.partitions partitions, min(replication factor,
 * brokers) replicas, compacted, min.insync.replicas capped at the replicas. False when it cannot be created.
 */
export function ensureShareStateTopic(broker: {
  readonly controller: Pick<Controller, 'topic' | 'createTopic' | 'brokerIds'>;
  readonly config: Pick<BrokerConfigView, 'int'>;
  readonly logger: Logger;
}): boolean {
  const controller = broker.controller;
  if (controller.topic(SHARE_STATE_TOPIC)) return true;
  const replicationFactor = Math.min(broker.config.int('share.coordinator.state.topic.replication.factor'), controller.brokerIds.length);
  const created = controller.createTopic({
    name: SHARE_STATE_TOPIC,
    partitions: broker.config.int('share.coordinator.state.topic.num.partitions'),
    replicationFactor,
    configs: {
      'cleanup.policy': 'compact,delete',
      'retention.ms': '-1',
      'compression.type': 'producer',
      'min.insync.replicas': String(Math.min(broker.config.int('share.coordinator.state.topic.min.isr'), replicationFactor)),
      'segment.bytes': String(broker.config.int('share.coordinator.state.topic.segment.bytes')),
    },
    internal: true,
  });
  if (isFailure(created)) {
    if (created.error === 'KAFKA_STORAGE_ERROR') broker.logger.debug('cannot create the share-group state topic', { error: created.message });
    else broker.logger.error('cannot create the share-group state topic', { error: created.message });
    return false;
  }
  broker.logger.info('created the share-group state topic', { partitions: created.partitions.length, replicationFactor });
  return true;
}

export class ShareCoordinator {
  readonly #broker: ShareCoordinatorBroker;
  readonly #owned = new Map<number, OwnedStatePartition>();

  constructor(broker: ShareCoordinatorBroker) {
    this.#broker = broker;
  }

  /** The `__share_group_state` partition of a share-partition, or -1 while the topic does not exist. */
  partitionFor(groupId: string, topicId: string, partition: number): number {
    const count = this.#broker.metadata.topic(SHARE_STATE_TOPIC)?.partitions.length ?? 0;
    return count === 0 ? -1 : partitionForShareKey(shareCoordinatorKey(groupId, topicId, partition), count);
  }

  /** Partition of a coordinator key as FindCoordinator (key type 2) gets it. */
  partitionForKey(coordinatorKey: string): number {
    const count = this.#broker.metadata.topic(SHARE_STATE_TOPIC)?.partitions.length ?? 0;
    return count === 0 ? -1 : partitionForShareKey(coordinatorKey, count);
  }

  ownedPartitions(): number[] {
    return [...this.#owned.keys()].sort((a, b) => a - b);
  }

  // ---------------------------------------------------------------------------------------------
  // Leadership

  onPartitionChange(partition: number): void {
    if (!this.#broker.isRunning()) return;
    const meta = this.#broker.metadata.partition(SHARE_STATE_TOPIC, partition);
    const leads = meta !== undefined && meta.leader === this.#broker.id;
    const current = this.#owned.get(partition);
    if (current && (!leads || current.leaderEpoch !== meta.leaderEpoch)) this.#owned.delete(partition);
    if (leads && !this.#owned.has(partition)) this.#load(partition, meta.leaderEpoch);
  }

  syncAll(): void {
    if (!this.#broker.isRunning()) return;
    const topic = this.#broker.metadata.topic(SHARE_STATE_TOPIC);
    for (const partition of [...this.#owned.keys()]) if (!topic || partition >= topic.partitions.length) this.#owned.delete(partition);
    if (topic) for (const p of topic.partitions) this.onPartitionChange(p.partition);
  }

  shutdown(): void {
    this.#owned.clear();
  }

  #load(partition: number, leaderEpoch: number): void {
    const replica = this.#broker.statePartition(partition);
    if (!replica) return;
    const owned: OwnedStatePartition = { partition, leaderEpoch, states: new Map() };
    const log = replica.log;
    const end = log.logEndOffset;
    let offset = log.logStartOffset;
    let records = 0;
    let skipped = 0;
    while (offset < end) {
      const { records: chunk } = log.read(offset, LOAD_CHUNK_BYTES, end, true);
      if (chunk.length === 0) break;
      const before = offset;
      for (const batch of iterateBatches(chunk)) {
        offset = batch.baseOffset + batch.lastOffsetDelta + 1;
        if (isControlBatch(batch.attributes)) continue;
        for (const record of batch.records) {
          if (!record.key) continue;
          try {
            const key = decodeShareStateKey(record.key);
            if (key === null) continue;
            this.#replay(owned, key.type, key.groupId, key.topicId, key.partition, record.value);
            records++;
          } catch {
            skipped++;
          }
        }
      }
      if (offset <= before) break;
    }
    this.#owned.set(partition, owned);
    if (records > 0 || skipped > 0) this.#broker.logger.info('loaded share-group state', { partition, sharePartitions: owned.states.size, records, skipped });
  }

  /** Applies one record of the state topic to the coordinator's state (load, and after each write). */
  #replay(owned: OwnedStatePartition, type: number, groupId: string, topicId: string, partition: number, value: Buffer | null): void {
    const mapKey = shareCoordinatorKey(groupId, topicId, partition);
    if (value === null) {
      owned.states.delete(mapKey);
      return;
    }
    if (type === SHARE_SNAPSHOT_KEY_VERSION) {
      const v = decodeShareSnapshotValue(value);
      owned.states.set(mapKey, { groupId, topicId, partition, ...v, updatesSinceSnapshot: 0 });
      return;
    }
    const v = decodeShareUpdateValue(value);
    const current = owned.states.get(mapKey);
    if (!current) {
      owned.states.set(mapKey, { groupId, topicId, partition, ...v, stateEpoch: 0, updatesSinceSnapshot: 0 });
      return;
    }
    const startOffset = v.startOffset === -1 ? current.startOffset : v.startOffset;
    current.leaderEpoch = v.leaderEpoch === -1 ? current.leaderEpoch : Math.max(current.leaderEpoch, v.leaderEpoch);
    current.stateBatches = combineStateBatches(current.stateBatches, v.stateBatches, startOffset);
    current.startOffset = startOffset;
    current.updatesSinceSnapshot++;
  }

  #ownerOf(groupId: string, topicId: string, partition: number): OwnedStatePartition | number {
    const statePartition = this.partitionFor(groupId, topicId, partition);
    if (statePartition < 0) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    return this.#owned.get(statePartition) ?? ErrorCode.NOT_COORDINATOR;
  }

  /** Appends one record and replays it once on every in-sync replica; resolves to an error code. */
  async #append(owned: OwnedStatePartition, type: number, groupId: string, topicId: string, partition: number, value: Buffer | null): Promise<number> {
    if (this.#owned.get(owned.partition) !== owned) return ErrorCode.NOT_COORDINATOR;
    const replica = this.#broker.statePartition(owned.partition);
    if (!replica || !replica.isLeader) return ErrorCode.NOT_COORDINATOR;
    const now = Date.now();
    const records = [{ key: encodeShareStateKey({ type, groupId, topicId, partition }), value, timestamp: now }];
    // A deletion also removes the updates' key (both are compacted away by their tombstones).
    if (value === null)
      records.push({ key: encodeShareStateKey({ type: SHARE_UPDATE_KEY_VERSION, groupId, topicId, partition }), value: null, timestamp: now });
    const outcome = await replica.appendAsLeader(encodeRecordBatch({ records, timestamp: now }), -1, WRITE_TIMEOUT_MS);
    if (isPartitionError(outcome)) return coordinatorErrorFor(outcome.error);
    if (this.#owned.get(owned.partition) === owned) this.#replay(owned, type, groupId, topicId, partition, value);
    return ErrorCode.NONE;
  }

  #topicExists(topicId: string, partition: number): boolean {
    const topic = this.#broker.metadata.topicById(topicId);
    return topic !== undefined && partition >= 0 && partition < topic.partitions.length;
  }

  // ---------------------------------------------------------------------------------------------
  // The persister's calls (WriteShareGroupState, ReadShareGroupState, ...), one share-partition each

  /** WriteShareGroupState: a ShareSnapshot the first time and every N updates, else a ShareUpdate. */
  writeState(
    groupId: string,
    topicId: string,
    partition: number,
    data: { stateEpoch: number; leaderEpoch: number; startOffset: number; stateBatches: StateBatch[] },
  ): Promise<number> | number {
    const owned = this.#ownerOf(groupId, topicId, partition);
    if (typeof owned === 'number') return owned;
    if (partition < 0) return ErrorCode.INVALID_REQUEST;
    const current = owned.states.get(shareCoordinatorKey(groupId, topicId, partition));
    if (current && current.leaderEpoch > data.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
    if (current && current.stateEpoch > data.stateEpoch) return ErrorCode.FENCED_STATE_EPOCH;
    if (!this.#topicExists(topicId, partition)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    const perSnapshot = this.#broker.config.int('share.coordinator.snapshot.update.records.per.snapshot');
    if (!current || current.updatesSinceSnapshot >= perSnapshot) {
      const startOffset = data.startOffset === -1 ? (current?.startOffset ?? -1) : data.startOffset;
      const value = encodeShareSnapshotValue({
        snapshotEpoch: current ? (current.snapshotEpoch + 1) & 0xffff : 0,
        stateEpoch: data.stateEpoch === -1 ? (current?.stateEpoch ?? 0) : data.stateEpoch,
        leaderEpoch: data.leaderEpoch === -1 ? (current?.leaderEpoch ?? 0) : data.leaderEpoch,
        startOffset,
        stateBatches: combineStateBatches(current?.stateBatches ?? [], data.stateBatches, startOffset),
      });
      return this.#append(owned, SHARE_SNAPSHOT_KEY_VERSION, groupId, topicId, partition, value);
    }
    const value = encodeShareUpdateValue({
      snapshotEpoch: current.snapshotEpoch,
      leaderEpoch: data.leaderEpoch,
      startOffset: data.startOffset,
      stateBatches: combineStateBatches([], data.stateBatches, data.startOffset === -1 ? current.startOffset : data.startOffset),
    });
    return this.#append(owned, SHARE_UPDATE_KEY_VERSION, groupId, topicId, partition, value);
  }

  /**
   * ReadShareGroupState: the share-partition's state. One never written reads as start offset -1 (the
   * share-partition leader then starts it as share.auto.offset.reset says), state epoch 0, as Kafka's shard.
   */
  readState(groupId: string, topicId: string, partition: number, leaderEpoch: number): PartitionStateResult {
    const owned = this.#ownerOf(groupId, topicId, partition);
    if (typeof owned === 'number') return stateError(owned);
    if (partition < 0) return stateError(ErrorCode.INVALID_REQUEST, 'The partition id is negative.');
    const current = owned.states.get(shareCoordinatorKey(groupId, topicId, partition));
    if (current && leaderEpoch !== -1 && current.leaderEpoch > leaderEpoch) return stateError(ErrorCode.FENCED_LEADER_EPOCH);
    if (!this.#topicExists(topicId, partition)) return stateError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    if (!current) return { errorCode: ErrorCode.NONE, errorMessage: null, stateEpoch: 0, startOffset: -1, stateBatches: [] };
    if (leaderEpoch > current.leaderEpoch) current.leaderEpoch = leaderEpoch;
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      stateEpoch: current.stateEpoch,
      startOffset: current.startOffset,
      stateBatches: current.stateBatches.map((b) => ({ ...b })),
    };
  }

  /** ReadShareGroupStateSummary: the state epoch, leader epoch and start offset only (DescribeShareGroupOffsets). */
  readStateSummary(groupId: string, topicId: string, partition: number): Omit<PartitionStateResult, 'stateBatches'> & { leaderEpoch: number } {
    const owned = this.#ownerOf(groupId, topicId, partition);
    const none = { errorMessage: null, stateEpoch: 0, leaderEpoch: -1, startOffset: -1 };
    if (typeof owned === 'number') return { ...none, errorCode: owned };
    if (!this.#topicExists(topicId, partition)) return { ...none, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
    const current = owned.states.get(shareCoordinatorKey(groupId, topicId, partition));
    if (!current) return { ...none, errorCode: ErrorCode.NONE };
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      stateEpoch: current.stateEpoch,
      leaderEpoch: current.leaderEpoch,
      startOffset: current.startOffset,
    };
  }

  /**
   * InitializeShareGroupState: a fresh ShareSnapshot with the given state epoch and start offset (the
   * group coordinator's, and AlterShareGroupOffsets'); FENCED_STATE_EPOCH for an older state epoch.
   */
  initializeState(groupId: string, topicId: string, partition: number, stateEpoch: number, startOffset: number): Promise<number> | number {
    const owned = this.#ownerOf(groupId, topicId, partition);
    if (typeof owned === 'number') return owned;
    const current = owned.states.get(shareCoordinatorKey(groupId, topicId, partition));
    if (current && current.stateEpoch > stateEpoch) return ErrorCode.FENCED_STATE_EPOCH;
    if (!this.#topicExists(topicId, partition)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    const value = encodeShareSnapshotValue({
      snapshotEpoch: current ? (current.snapshotEpoch + 1) & 0xffff : 0,
      stateEpoch,
      leaderEpoch: -1,
      startOffset,
      stateBatches: [],
    });
    return this.#append(owned, SHARE_SNAPSHOT_KEY_VERSION, groupId, topicId, partition, value);
  }

  /** DeleteShareGroupState: tombstones for the share-partition's records (DeleteShareGroupOffsets, group deletion). */
  deleteState(groupId: string, topicId: string, partition: number): Promise<number> | number {
    const owned = this.#ownerOf(groupId, topicId, partition);
    if (typeof owned === 'number') return owned;
    if (!owned.states.has(shareCoordinatorKey(groupId, topicId, partition))) return ErrorCode.NONE;
    return this.#append(owned, SHARE_SNAPSHOT_KEY_VERSION, groupId, topicId, partition, null);
  }

  /** The share-partitions of a group this coordinator holds (the app, tests). */
  statesOf(groupId: string): ShareGroupOffset[] {
    const out: ShareGroupOffset[] = [];
    for (const owned of this.#owned.values()) for (const state of owned.states.values()) if (state.groupId === groupId) out.push(state);
    return out;
  }
}

function stateError(errorCode: number, errorMessage: string | null = null): PartitionStateResult {
  return { errorCode, errorMessage, stateEpoch: 0, startOffset: -1, stateBatches: [] };
}
