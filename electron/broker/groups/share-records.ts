/**
 * The `__consumer_offsets` records of KIP-932 share groups, in the formats of Kafka 4.1's group
 * coordinator (group-coordinator/src/main/resources/common/message/ShareGroup*Key/Value.json), so a
 * share group survives a coordinator move or a restart as a KIP-848 group does (consumer-records.ts).
 * Keys are `version INT16, groupId STRING[, memberId STRING]`, not flexible; values are version 0,
 * flexible (compact strings, tagged fields). A null value is a tombstone.
 * - 10 ShareGroupMemberMetadata (group, member): `rackId?, clientId, clientHost, subscribedTopicNames [STRING]`.
 * - 11 ShareGroupMetadata (group): `epoch INT32, metadataHash INT64` (the hash is written 0: the
 *   coordinator here keeps the subscribed topics' layout in memory and recomputes it on load).
 * - 12 ShareGroupTargetAssignmentMetadata (group): `assignmentEpoch INT32`.
 * - 13 ShareGroupTargetAssignmentMember (group, member): `topicPartitions [topicId UUID, partitions [INT32]]`.
 * - 14 ShareGroupCurrentMemberAssignment (group, member): `memberEpoch INT32, previousMemberEpoch INT32,
 *   state INT8, assignedPartitions [...]`.
 */
import { Reader } from '../../kafka/protocol/reader';
import { Writer } from '../../kafka/protocol/writer';
import type { RecordInput } from '../../kafka/records/record-batch';
import type { TopicPartitions } from './consumer-group';

export const SHARE_RECORD_VERSIONS = {
  memberMetadata: 10,
  groupMetadata: 11,
  targetAssignmentMetadata: 12,
  targetAssignmentMember: 13,
  currentMemberAssignment: 14,
} as const;

export type ShareRecordKind = keyof typeof SHARE_RECORD_VERSIONS;
export type ShareRecordKey = { kind: ShareRecordKind; group: string; member: string | null };

const KIND_BY_VERSION = new Map<number, ShareRecordKind>(Object.entries(SHARE_RECORD_VERSIONS).map(([kind, v]) => [v, kind as ShareRecordKind]));
const MEMBER_KEYED = new Set<ShareRecordKind>(['memberMetadata', 'targetAssignmentMember', 'currentMemberAssignment']);

export function encodeShareRecordKey(kind: ShareRecordKind, group: string, member?: string): Buffer {
  const w = new Writer(32 + group.length + (member?.length ?? 0)).int16(SHARE_RECORD_VERSIONS[kind]).string(group);
  if (MEMBER_KEYED.has(kind)) w.string(member ?? '');
  return w.toBuffer();
}

/** The key of a share-group record (after its version was read), or null when the version is not one. */
export function decodeShareRecordKey(version: number, r: Reader): ShareRecordKey | null {
  const kind = KIND_BY_VERSION.get(version);
  if (!kind) return null;
  const group = r.readString();
  const member = MEMBER_KEYED.has(kind) ? r.readString() : null;
  return { kind, group, member };
}

export function shareRecord(kind: ShareRecordKind, group: string, member: string | null, data: Buffer | null, now: number): RecordInput {
  return { key: encodeShareRecordKey(kind, group, member ?? undefined), value: data, timestamp: now };
}

function value(build: (w: Writer) => void): Buffer {
  const w = new Writer(64).int16(0);
  build(w);
  w.taggedFields([]);
  return w.toBuffer();
}

function writeTopicPartitions(w: Writer, assignment: TopicPartitions): void {
  const topics = [...assignment].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  w.compactArrayLength(topics.length);
  for (const [topicId, partitions] of topics) {
    const sorted = [...partitions].sort((a, b) => a - b);
    w.uuid(topicId).compactArrayLength(sorted.length);
    for (const p of sorted) w.int32(p);
    w.taggedFields([]);
  }
}

function readTopicPartitions(r: Reader): TopicPartitions {
  const result: TopicPartitions = new Map();
  const count = r.readCompactArrayLength(18);
  for (let i = 0; i < count; i++) {
    const topicId = r.readUuid();
    const n = r.readCompactArrayLength(4);
    const set = new Set<number>();
    for (let k = 0; k < n; k++) set.add(r.readInt32());
    r.readTaggedFields();
    if (set.size > 0) result.set(topicId, set);
  }
  return result;
}

/** Opens a value: version 0 is the only one Kafka defines; the reader is past it. */
function open(data: Buffer): Reader {
  const r = new Reader(data);
  const version = r.readInt16();
  if (version !== 0) throw new Error(`unknown share group record value version ${version}`);
  return r;
}

export interface ShareMemberMetadata {
  rackId: string | null;
  clientId: string;
  clientHost: string;
  /** Sorted. */
  subscribedTopicNames: string[];
}

export interface ShareCurrentAssignment {
  memberEpoch: number;
  previousMemberEpoch: number;
  assignedPartitions: TopicPartitions;
}

export function encodeShareMemberMetadataValue(m: ShareMemberMetadata): Buffer {
  return value((w) => {
    w.compactNullableString(m.rackId).compactString(m.clientId).compactString(m.clientHost);
    w.compactArrayLength(m.subscribedTopicNames.length);
    for (const t of m.subscribedTopicNames) w.compactString(t);
  });
}

export function decodeShareMemberMetadataValue(data: Buffer): ShareMemberMetadata {
  const r = open(data);
  const rackId = r.readCompactNullableString();
  const clientId = r.readCompactString();
  const clientHost = r.readCompactString();
  const n = r.readCompactArrayLength(1);
  const subscribedTopicNames: string[] = [];
  for (let i = 0; i < n; i++) subscribedTopicNames.push(r.readCompactString());
  r.readTaggedFields();
  return { rackId, clientId, clientHost, subscribedTopicNames: subscribedTopicNames.sort() };
}

export function encodeShareGroupEpochValue(epoch: number): Buffer {
  return value((w) => w.int32(epoch).int64(0n));
}

export function decodeShareGroupEpochValue(data: Buffer): number {
  const r = open(data);
  const epoch = r.readInt32();
  r.readInt64();
  r.readTaggedFields();
  return epoch;
}

export function encodeShareAssignmentEpochValue(epoch: number): Buffer {
  return value((w) => w.int32(epoch));
}

export function decodeShareAssignmentEpochValue(data: Buffer): number {
  const r = open(data);
  const epoch = r.readInt32();
  r.readTaggedFields();
  return epoch;
}

export function encodeShareTargetMemberValue(assignment: TopicPartitions): Buffer {
  return value((w) => writeTopicPartitions(w, assignment));
}

export function decodeShareTargetMemberValue(data: Buffer): TopicPartitions {
  const r = open(data);
  const assignment = readTopicPartitions(r);
  r.readTaggedFields();
  return assignment;
}

/** State is always STABLE (0): share group members have nothing to revoke (KIP-932). */
export function encodeShareCurrentAssignmentValue(a: ShareCurrentAssignment): Buffer {
  return value((w) => {
    w.int32(a.memberEpoch).int32(a.previousMemberEpoch).int8(0);
    writeTopicPartitions(w, a.assignedPartitions);
  });
}

export function decodeShareCurrentAssignmentValue(data: Buffer): ShareCurrentAssignment {
  const r = open(data);
  const memberEpoch = r.readInt32();
  const previousMemberEpoch = r.readInt32();
  r.readInt8();
  const assignedPartitions = readTopicPartitions(r);
  r.readTaggedFields();
  return { memberEpoch, previousMemberEpoch, assignedPartitions };
}

/** What a `__consumer_offsets` partition holds of one share group, replayed in log order. */
export interface LoadedShareGroup {
  groupEpoch: number | null;
  members: Map<string, ShareMemberMetadata>;
  assignmentEpoch: number;
  targets: Map<string, TopicPartitions>;
  current: Map<string, ShareCurrentAssignment>;
}

export function replayShareRecord(groups: Map<string, LoadedShareGroup>, key: ShareRecordKey, data: Buffer | null): void {
  let group = groups.get(key.group);
  if (!group) {
    if (data === null) return;
    groups.set(key.group, (group = { groupEpoch: null, members: new Map(), assignmentEpoch: 0, targets: new Map(), current: new Map() }));
  }
  const member = key.member ?? '';
  switch (key.kind) {
    case 'groupMetadata':
      if (data === null) groups.delete(key.group);
      else group.groupEpoch = decodeShareGroupEpochValue(data);
      return;
    case 'memberMetadata':
      if (data === null) group.members.delete(member);
      else group.members.set(member, decodeShareMemberMetadataValue(data));
      return;
    case 'targetAssignmentMetadata':
      group.assignmentEpoch = data === null ? 0 : decodeShareAssignmentEpochValue(data);
      return;
    case 'targetAssignmentMember':
      if (data === null) group.targets.delete(member);
      else group.targets.set(member, decodeShareTargetMemberValue(data));
      return;
    case 'currentMemberAssignment':
      if (data === null) group.current.delete(member);
      else group.current.set(member, decodeShareCurrentAssignmentValue(data));
      return;
  }
}
