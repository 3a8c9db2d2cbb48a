/**
 * The records of the `__consumer_offsets` topic, in Kafka's own formats (GroupCoordinatorRecordSerde), so
 * that the topic's contents read the same as a real broker's:
 * - OffsetCommitKey v0/v1: `version INT16, group STRING, topic STRING, partition INT32`;
 *   OffsetCommitValue v0-v4 (we write v3: `offset INT64, leaderEpoch INT32, metadata STRING,
 *   commitTimestamp INT64`; v1 adds `expireTimestamp INT64`; v4 is v3 made flexible).
 * - GroupMetadataKey v2: `version INT16, group STRING`; GroupMetadataValue v0-v4 (we write v3:
 *   `protocolType STRING, generation INT32, protocol NULLABLE_STRING, leader NULLABLE_STRING,
 *   currentStateTimestamp INT64, members [memberId, groupInstanceId, clientId, clientHost,
 *   rebalanceTimeout, sessionTimeout, subscription BYTES, assignment BYTES]`).
 * A null value is a tombstone: the offset (or the group) was deleted, and compaction drops it in time.
 */
import { Reader } from '../../kafka/protocol/reader';
import { Writer } from '../../kafka/protocol/writer';

export const OFFSETS_TOPIC = '__consumer_offsets';

/** Java's String.hashCode: s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code units, in int32 arithmetic. */
export function javaStringHashCode(value: string): number {
  let hash = 0;
  for (let i = 0; i < value.length; i++) hash = (Math.imul(hash, 31) + value.charCodeAt(i)) | 0;
  return hash;
}

/** Kafka's Utils.abs: Math.abs, except that Integer.MIN_VALUE maps to 0. */
function kafkaAbs(n: number): number {
  return n === -0x80000000 ? 0 : Math.abs(n);
}

/** The `__consumer_offsets` partition holding a group: abs(groupId.hashCode) % partitionCount, as Kafka does. */
export function partitionForGroup(groupId: string, partitionCount: number): number {
  return kafkaAbs(javaStringHashCode(groupId)) % partitionCount;
}

export interface OffsetCommitValue {
  offset: number;
  /** -1 when unknown. */
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** Only OffsetCommitValue v1 carries one; -1 otherwise. */
  expireTimestamp: number;
}

export interface GroupMemberRecord {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadataValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp: number;
  members: GroupMemberRecord[];
}

export type OffsetsRecordKey =
  { kind: 'offset'; group: string; topic: string; partition: number } | { kind: 'group'; group: string } | { kind: 'unknown'; version: number };

export function encodeOffsetCommitKey(group: string, topic: string, partition: number): Buffer {
  return new Writer(32 + group.length + topic.length).int16(1).string(group).string(topic).int32(partition).toBuffer();
}

export function encodeGroupMetadataKey(group: string): Buffer {
  return new Writer(16 + group.length).int16(2).string(group).toBuffer();
}

export function decodeOffsetsRecordKey(key: Buffer): OffsetsRecordKey {
  const r = new Reader(key);
  const version = r.readInt16();
  if (version === 0 || version === 1) {
    const group = r.readString();
    const topic = r.readString();
    const partition = r.readInt32();
    return { kind: 'offset', group, topic, partition };
  }
  if (version === 2) return { kind: 'group', group: r.readString() };
  return { kind: 'unknown', version };
}

export function encodeOffsetCommitValue(value: OffsetCommitValue): Buffer {
  // v1 is the only version with an expire timestamp; v3 otherwise (Kafka 2.1+ writes v3 too).
  if (value.expireTimestamp >= 0) {
    return new Writer(64 + value.metadata.length)
      .int16(1)
      .int64(BigInt(value.offset))
      .string(value.metadata)
      .int64(BigInt(value.commitTimestamp))
      .int64(BigInt(value.expireTimestamp))
      .toBuffer();
  }
  return new Writer(64 + value.metadata.length)
    .int16(3)
    .int64(BigInt(value.offset))
    .int32(value.leaderEpoch)
    .string(value.metadata)
    .int64(BigInt(value.commitTimestamp))
    .toBuffer();
}

export function decodeOffsetCommitValue(data: Buffer): OffsetCommitValue {
  const r = new Reader(data);
  const version = r.readInt16();
  const flexible = version >= 4;
  const offset = Number(r.readInt64());
  const leaderEpoch = version >= 3 ? r.readInt32() : -1;
  const metadata = flexible ? r.readCompactString() : r.readString();
  const commitTimestamp = Number(r.readInt64());
  const expireTimestamp = version === 1 ? Number(r.readInt64()) : -1;
  if (flexible) r.readTaggedFields();
  return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp };
}

export function encodeGroupMetadataValue(value: GroupMetadataValue): Buffer {
  const w = new Writer(256);
  w.int16(3)
    .string(value.protocolType)
    .int32(value.generation)
    .nullableString(value.protocol)
    .nullableString(value.leader)
    .int64(BigInt(value.currentStateTimestamp))
    .arrayLength(value.members.length);
  for (const m of value.members) {
    w.string(m.memberId)
      .nullableString(m.groupInstanceId)
      .string(m.clientId)
      .string(m.clientHost)
      .int32(m.rebalanceTimeoutMs)
      .int32(m.sessionTimeoutMs)
      .bytes(m.subscription)
      .bytes(m.assignment);
  }
  return w.toBuffer();
}

export function decodeGroupMetadataValue(data: Buffer): GroupMetadataValue {
  const r = new Reader(data);
  const version = r.readInt16();
  const flexible = version >= 4;
  const str = () => (flexible ? r.readCompactString() : r.readString());
  const nullableStr = () => (flexible ? r.readCompactNullableString() : r.readNullableString());
  const bytes = () => Buffer.from(flexible ? r.readCompactBytes() : r.readBytes());
  const protocolType = str();
  const generation = r.readInt32();
  const protocol = nullableStr();
  const leader = nullableStr();
  const currentStateTimestamp = version >= 2 ? Number(r.readInt64()) : -1;
  const count = flexible ? r.readCompactArrayLength() : r.readArrayLength();
  const members: GroupMemberRecord[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = str();
    const groupInstanceId = version >= 3 ? nullableStr() : null;
    const clientId = str();
    const clientHost = str();
    const rebalanceTimeoutMs = version >= 1 ? r.readInt32() : -1;
    const sessionTimeoutMs = r.readInt32();
    const subscription = bytes();
    const assignment = bytes();
    if (flexible) r.readTaggedFields();
    members.push({
      memberId,
      groupInstanceId,
      clientId,
      clientHost,
      rebalanceTimeoutMs: rebalanceTimeoutMs >= 0 ? rebalanceTimeoutMs : sessionTimeoutMs,
      sessionTimeoutMs,
      subscription,
      assignment,
    });
  }
  if (flexible) r.readTaggedFields();
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}
