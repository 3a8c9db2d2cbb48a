/**
 * The records of the `__share_group_state` topic, in the formats of Kafka's share coordinator (KIP-932,
 * share-coordinator/src/main/resources/common/message), so the topic reads the same as a real broker's:
 * - key: `version INT16` (0 ShareSnapshot, 1 ShareUpdate), then `groupId STRING, topicId UUID, partition INT32`;
 * - ShareSnapshotValue v0 (flexible): `snapshotEpoch UINT16, stateEpoch INT32, leaderEpoch INT32,
 *   startOffset INT64, stateBatches [firstOffset INT64, lastOffset INT64, deliveryState INT8, deliveryCount INT16]`;
 * - ShareUpdateValue v0 (flexible): the same without the state epoch; its start offset is -1 when unchanged.
 * A ShareSnapshot is the whole state of a share-partition; a ShareUpdate a change on top of the last
 * snapshot. A null value (tombstone) deletes the share-partition's state (DeleteShareGroupState).
 */
import { javaStringHashCode } from '../groups/records';
import { Reader } from '../../kafka/protocol/reader';
import { Writer } from '../../kafka/protocol/writer';
import type { StateBatch } from './share-partition';

export const SHARE_STATE_TOPIC = '__share_group_state';
export const SHARE_SNAPSHOT_KEY_VERSION = 0;
export const SHARE_UPDATE_KEY_VERSION = 1;

export interface ShareStateKey {
  /** 0 ShareSnapshot, 1 ShareUpdate. */
  type: number;
  groupId: string;
  topicId: string;
  partition: number;
}

export interface ShareSnapshotValue {
  snapshotEpoch: number;
  stateEpoch: number;
  leaderEpoch: number;
  startOffset: number;
  stateBatches: StateBatch[];
}

export type ShareUpdateValue = Omit<ShareSnapshotValue, 'stateEpoch'>;

/** Kafka's Uuid.toString(): URL-safe base64 of the 16 bytes, unpadded. */
export function kafkaUuidString(uuid: string): string {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url');
}

/**
 * The share coordinator's key of a share-partition ("groupId:topicId:partition", SharePartitionKey's
 * asCoordinatorKey) and its `__share_group_state` partition: abs(key.hashCode) % partitions, as Kafka.
 */
export function shareCoordinatorKey(groupId: string, topicId: string, partition: number): string {
  return `${groupId}:${kafkaUuidString(topicId)}:${partition}`;
}

export function partitionForShareKey(coordinatorKey: string, partitionCount: number): number {
  const hash = javaStringHashCode(coordinatorKey);
  return (hash === -0x80000000 ? 0 : Math.abs(hash)) % partitionCount;
}

export function encodeShareStateKey(key: ShareStateKey): Buffer {
  return new Writer(40 + Buffer.byteLength(key.groupId)).int16(key.type).string(key.groupId).uuid(key.topicId).int32(key.partition).toBuffer();
}

/** The key, or null for a key version this broker does not know (skipped, as Kafka does). */
export function decodeShareStateKey(data: Buffer): ShareStateKey | null {
  const r = new Reader(data);
  const type = r.readInt16();
  if (type !== SHARE_SNAPSHOT_KEY_VERSION && type !== SHARE_UPDATE_KEY_VERSION) return null;
  return { type, groupId: r.readString(), topicId: r.readUuid(), partition: r.readInt32() };
}

function writeBatches(w: Writer, batches: StateBatch[]): void {
  w.compactArrayLength(batches.length);
  for (const b of batches) w.int64(BigInt(b.firstOffset)).int64(BigInt(b.lastOffset)).int8(b.deliveryState).int16(b.deliveryCount).taggedFields([]);
}

function readBatches(r: Reader): StateBatch[] {
  const count = r.readCompactArrayLength(20);
  const batches: StateBatch[] = [];
  for (let i = 0; i < count; i++) {
    const firstOffset = Number(r.readInt64());
    const lastOffset = Number(r.readInt64());
    const deliveryState = r.readInt8();
    const deliveryCount = r.readInt16();
    r.readTaggedFields();
    batches.push({ firstOffset, lastOffset, deliveryState, deliveryCount });
  }
  return batches;
}

export function encodeShareSnapshotValue(value: ShareSnapshotValue): Buffer {
  const w = new Writer(64 + value.stateBatches.length * 22);
  w.int16(0).uint16(value.snapshotEpoch).int32(value.stateEpoch).int32(value.leaderEpoch).int64(BigInt(value.startOffset));
  writeBatches(w, value.stateBatches);
  return w.taggedFields([]).toBuffer();
}

export function decodeShareSnapshotValue(data: Buffer): ShareSnapshotValue {
  const r = new Reader(data);
  const version = r.readInt16();
  if (version !== 0) throw new Error(`unknown ShareSnapshotValue version ${version}`);
  const snapshotEpoch = r.readUInt16();
  const stateEpoch = r.readInt32();
  const leaderEpoch = r.readInt32();
  const startOffset = Number(r.readInt64());
  const stateBatches = readBatches(r);
  r.readTaggedFields();
  return { snapshotEpoch, stateEpoch, leaderEpoch, startOffset, stateBatches };
}

export function encodeShareUpdateValue(value: ShareUpdateValue): Buffer {
  const w = new Writer(64 + value.stateBatches.length * 22);
  w.int16(0).uint16(value.snapshotEpoch).int32(value.leaderEpoch).int64(BigInt(value.startOffset));
  writeBatches(w, value.stateBatches);
  return w.taggedFields([]).toBuffer();
}

export function decodeShareUpdateValue(data: Buffer): ShareUpdateValue {
  const r = new Reader(data);
  const version = r.readInt16();
  if (version !== 0) throw new Error(`unknown ShareUpdateValue version ${version}`);
  const snapshotEpoch = r.readUInt16();
  const leaderEpoch = r.readInt32();
  const startOffset = Number(r.readInt64());
  const stateBatches = readBatches(r);
  r.readTaggedFields();
  return { snapshotEpoch, leaderEpoch, startOffset, stateBatches };
}

/**
 * Lays `updates` over `current` (later wins per offset) and drops what lies below `startOffset`, merging
 * neighbours in the same state: Kafka's PersisterStateBatchCombiner, over sorted ranges.
 */
export function combineStateBatches(current: StateBatch[], updates: StateBatch[], startOffset: number): StateBatch[] {
  let ranges = [...current].sort((a, b) => a.firstOffset - b.firstOffset);
  for (const update of updates) {
    if (update.lastOffset < update.firstOffset) continue;
    const next: StateBatch[] = [];
    for (const r of ranges) {
      if (r.lastOffset < update.firstOffset || r.firstOffset > update.lastOffset) {
        next.push(r);
        continue;
      }
      if (r.firstOffset < update.firstOffset) next.push({ ...r, lastOffset: update.firstOffset - 1 });
      if (r.lastOffset > update.lastOffset) next.push({ ...r, firstOffset: update.lastOffset + 1 });
    }
    next.push({ ...update });
    ranges = next.sort((a, b) => a.firstOffset - b.firstOffset);
  }
  const out: StateBatch[] = [];
  for (const r of ranges) {
    if (r.lastOffset < startOffset) continue;
    const range = r.firstOffset < startOffset ? { ...r, firstOffset: startOffset } : { ...r };
    const last = out[out.length - 1];
    if (last && last.lastOffset + 1 === range.firstOffset && last.deliveryState === range.deliveryState && last.deliveryCount === range.deliveryCount)
      last.lastOffset = range.lastOffset;
    else out.push(range);
  }
  return out;
}
