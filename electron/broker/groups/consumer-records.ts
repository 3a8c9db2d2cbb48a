/**
 * The `__consumer_offsets` records of KIP-848 consumer groups, in Kafka's own formats (the group
 * coordinator's ConsumerGroup*Key/Value message definitions), so that the topic reads the same as a
 * real 4.0 broker's and a group survives a coordinator move or a restart. A key's version says which
 * record it is; keys are not flexible, values are (version 0, compact strings, tagged fields):
 * - 3 ConsumerGroupMetadata (group): `epoch INT32` — the group epoch.
 * - 4 ConsumerGroupPartitionMetadata (group): the subscribed topics `[topicId UUID, name, numPartitions
 *   INT32, partitionMetadata [partition INT32, racks [STRING]]]` (racks unused: written empty).
 * - 5 ConsumerGroupMemberMetadata (group, member): `instanceId?, rackId?, clientId, clientHost,
 *   subscribedTopicNames [STRING], subscribedTopicRegex?, rebalanceTimeoutMs INT32, serverAssignor?`
 *   and tag 0, ClassicMemberMetadata `sessionTimeoutMs INT32, supportedProtocols [name, metadata BYTES]`,
 *   a nullable struct (a presence byte first) written only for a member that uses the classic protocol.
 * - 6 ConsumerGroupTargetAssignmentMetadata (group): `assignmentEpoch INT32`.
 * - 7 ConsumerGroupTargetAssignmentMember (group, member): `topicPartitions [topicId UUID, partitions [INT32]]`.
 * - 8 ConsumerGroupCurrentMemberAssignment (group, member): `memberEpoch INT32, previousMemberEpoch INT32,
 *   state INT8, assignedPartitions [...], partitionsPendingRevocation [...]`.
 * A null value is a tombstone.
 */
import { Reader } from '../../kafka/protocol/reader';
import { Writer } from '../../kafka/protocol/writer';
import type { RecordInput } from '../../kafka/records/record-batch';
import {
  MEMBER_STATE_VALUE,
  type ClassicMemberMetadata,
  memberStateFromValue,
  type ConsumerGroupMember,
  type ConsumerMemberState,
  type SubscribedTopic,
  type TopicPartitions,
} from './consumer-group';

export const CONSUMER_RECORD_VERSIONS = {
  groupMetadata: 3,
  partitionMetadata: 4,
  memberMetadata: 5,
  targetAssignmentMetadata: 6,
  targetAssignmentMember: 7,
  currentMemberAssignment: 8,
} as const;

export type ConsumerRecordKind = keyof typeof CONSUMER_RECORD_VERSIONS;

export type ConsumerRecordKey = { kind: ConsumerRecordKind; group: string; member: string | null };

const KIND_BY_VERSION = new Map<number, ConsumerRecordKind>(Object.entries(CONSUMER_RECORD_VERSIONS).map(([kind, v]) => [v, kind as ConsumerRecordKind]));
const MEMBER_KEYED = new Set<ConsumerRecordKind>(['memberMetadata', 'targetAssignmentMember', 'currentMemberAssignment']);

export function encodeConsumerRecordKey(kind: ConsumerRecordKind, group: string, member?: string): Buffer {
  const w = new Writer(32 + group.length + (member?.length ?? 0)).int16(CONSUMER_RECORD_VERSIONS[kind]).string(group);
  if (MEMBER_KEYED.has(kind)) w.string(member ?? '');
  return w.toBuffer();
}

/** The key of a consumer-group record (after its version was read), or null when the version is not one. */
export function decodeConsumerRecordKey(version: number, r: Reader): ConsumerRecordKey | null {
  const kind = KIND_BY_VERSION.get(version);
  if (!kind) return null;
  const group = r.readString();
  const member = MEMBER_KEYED.has(kind) ? r.readString() : null;
  return { kind, group, member };
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

function value(build: (w: Writer) => void, tagged: ReadonlyArray<readonly [number, (w: Writer) => void]> = []): Buffer {
  const w = new Writer(64).int16(0);
  build(w);
  w.taggedFields(tagged);
  return w.toBuffer();
}

export function encodeGroupEpochValue(epoch: number): Buffer {
  return value((w) => w.int32(epoch));
}

export function encodePartitionMetadataValue(topics: Iterable<SubscribedTopic>): Buffer {
  const list = [...topics].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return value((w) => {
    w.compactArrayLength(list.length);
    for (const t of list) w.uuid(t.topicId).compactString(t.name).int32(t.numPartitions).compactArrayLength(0).taggedFields([]);
  });
}

export function encodeMemberMetadataValue(m: ConsumerGroupMember): Buffer {
  return value(
    (w) => {
      w.compactNullableString(m.instanceId).compactNullableString(m.rackId).compactString(m.clientId).compactString(m.clientHost);
      w.compactArrayLength(m.subscribedTopicNames.length);
      for (const t of m.subscribedTopicNames) w.compactString(t);
      w.compactNullableString(m.subscribedTopicRegex).int32(m.rebalanceTimeoutMs).compactNullableString(m.serverAssignor);
    },
    m.classicMetadata === null ? [] : [[0, (w: Writer) => writeClassicMetadata(w, m.classicMetadata!)]],
  );
}

function writeClassicMetadata(w: Writer, classic: ClassicMemberMetadata): void {
  w.int8(1).int32(classic.sessionTimeoutMs).compactArrayLength(classic.supportedProtocols.length);
  for (const p of classic.supportedProtocols) w.compactString(p.name).compactBytes(p.metadata).taggedFields([]);
  w.taggedFields([]);
}

function readClassicMetadata(r: Reader): ClassicMemberMetadata | null {
  if (r.readInt8() < 0) return null;
  const sessionTimeoutMs = r.readInt32();
  const n = r.readCompactArrayLength(3);
  const supportedProtocols: Array<{ name: string; metadata: Buffer }> = [];
  for (let i = 0; i < n; i++) {
    const name = r.readCompactString();
    const metadata = Buffer.from(r.readCompactBytes());
    r.readTaggedFields();
    supportedProtocols.push({ name, metadata });
  }
  r.readTaggedFields();
  return { sessionTimeoutMs, supportedProtocols };
}

export function encodeAssignmentEpochValue(epoch: number): Buffer {
  return value((w) => w.int32(epoch));
}

export function encodeTargetMemberValue(assignment: TopicPartitions): Buffer {
  return value((w) => writeTopicPartitions(w, assignment));
}

export function encodeCurrentAssignmentValue(m: ConsumerGroupMember): Buffer {
  return value((w) => {
    w.int32(m.memberEpoch).int32(m.previousMemberEpoch).int8(MEMBER_STATE_VALUE[m.state]);
    writeTopicPartitions(w, m.assignedPartitions);
    writeTopicPartitions(w, m.partitionsPendingRevocation);
  });
}

/** Opens a value: its version must be 0 (the only one Kafka defines); the reader is past it. */
function open(data: Buffer): Reader {
  const r = new Reader(data);
  const version = r.readInt16();
  if (version !== 0) throw new Error(`unknown consumer group record value version ${version}`);
  return r;
}

export function decodeEpochValue(data: Buffer): number {
  const r = open(data);
  const epoch = r.readInt32();
  r.readTaggedFields();
  return epoch;
}

export function decodePartitionMetadataValue(data: Buffer): SubscribedTopic[] {
  const r = open(data);
  const count = r.readCompactArrayLength(20);
  const topics: SubscribedTopic[] = [];
  for (let i = 0; i < count; i++) {
    const topicId = r.readUuid();
    const name = r.readCompactString();
    const numPartitions = r.readInt32();
    const racks = r.readCompactArrayLength(5);
    for (let k = 0; k < racks; k++) {
      r.readInt32();
      const n = r.readCompactArrayLength(1);
      for (let j = 0; j < n; j++) r.readCompactString();
      r.readTaggedFields();
    }
    r.readTaggedFields();
    topics.push({ topicId, name, numPartitions });
  }
  r.readTaggedFields();
  return topics;
}

export type MemberMetadata = Pick<
  ConsumerGroupMember,
  | 'instanceId'
  | 'rackId'
  | 'clientId'
  | 'clientHost'
  | 'subscribedTopicNames'
  | 'subscribedTopicRegex'
  | 'rebalanceTimeoutMs'
  | 'serverAssignor'
  | 'classicMetadata'
>;

export function decodeMemberMetadataValue(data: Buffer): MemberMetadata {
  const r = open(data);
  const instanceId = r.readCompactNullableString();
  const rackId = r.readCompactNullableString();
  const clientId = r.readCompactString();
  const clientHost = r.readCompactString();
  const n = r.readCompactArrayLength(1);
  const subscribedTopicNames: string[] = [];
  for (let i = 0; i < n; i++) subscribedTopicNames.push(r.readCompactString());
  const subscribedTopicRegex = r.readCompactNullableString();
  const rebalanceTimeoutMs = r.readInt32();
  const serverAssignor = r.readCompactNullableString();
  let classicMetadata: ClassicMemberMetadata | null = null;
  r.readTaggedFields((tag, sub) => {
    if (tag !== 0) return false;
    classicMetadata = readClassicMetadata(sub);
    return true;
  });
  return {
    instanceId,
    rackId,
    clientId,
    clientHost,
    subscribedTopicNames: subscribedTopicNames.sort(),
    subscribedTopicRegex,
    rebalanceTimeoutMs,
    serverAssignor,
    classicMetadata,
  };
}

export function decodeTargetMemberValue(data: Buffer): TopicPartitions {
  const r = open(data);
  const assignment = readTopicPartitions(r);
  r.readTaggedFields();
  return assignment;
}

export interface CurrentAssignment {
  memberEpoch: number;
  previousMemberEpoch: number;
  state: ConsumerMemberState;
  assignedPartitions: TopicPartitions;
  partitionsPendingRevocation: TopicPartitions;
}

export function decodeCurrentAssignmentValue(data: Buffer): CurrentAssignment {
  const r = open(data);
  const memberEpoch = r.readInt32();
  const previousMemberEpoch = r.readInt32();
  const state = memberStateFromValue(r.readInt8());
  const assignedPartitions = readTopicPartitions(r);
  const partitionsPendingRevocation = readTopicPartitions(r);
  r.readTaggedFields();
  return { memberEpoch, previousMemberEpoch, state, assignedPartitions, partitionsPendingRevocation };
}

/** One record of `__consumer_offsets` (null value: a tombstone). */
export function consumerRecord(kind: ConsumerRecordKind, group: string, member: string | null, data: Buffer | null, now: number): RecordInput {
  return { key: encodeConsumerRecordKey(kind, group, member ?? undefined), value: data, timestamp: now };
}

/**
 * What a `__consumer_offsets` partition holds of one consumer group, replayed in log order (latest
 * record of each key wins; tombstones remove), from which the coordinator rebuilds the group.
 */
export interface LoadedConsumerGroup {
  groupEpoch: number | null;
  subscribedTopics: SubscribedTopic[];
  members: Map<string, MemberMetadata>;
  assignmentEpoch: number;
  targets: Map<string, TopicPartitions>;
  current: Map<string, CurrentAssignment>;
}

export function emptyLoadedConsumerGroup(): LoadedConsumerGroup {
  return { groupEpoch: null, subscribedTopics: [], members: new Map(), assignmentEpoch: 0, targets: new Map(), current: new Map() };
}

/** Applies one record to what was loaded of the partition's consumer groups. */
export function replayConsumerRecord(groups: Map<string, LoadedConsumerGroup>, key: ConsumerRecordKey, data: Buffer | null): void {
  let group = groups.get(key.group);
  if (!group) {
    if (data === null) return;
    groups.set(key.group, (group = emptyLoadedConsumerGroup()));
  }
  const member = key.member ?? '';
  switch (key.kind) {
    case 'groupMetadata':
      if (data === null) groups.delete(key.group);
      else group.groupEpoch = decodeEpochValue(data);
      return;
    case 'partitionMetadata':
      group.subscribedTopics = data === null ? [] : decodePartitionMetadataValue(data);
      return;
    case 'memberMetadata':
      if (data === null) group.members.delete(member);
      else group.members.set(member, decodeMemberMetadataValue(data));
      return;
    case 'targetAssignmentMetadata':
      group.assignmentEpoch = data === null ? 0 : decodeEpochValue(data);
      return;
    case 'targetAssignmentMember':
      if (data === null) group.targets.delete(member);
      else group.targets.set(member, decodeTargetMemberValue(data));
      return;
    case 'currentMemberAssignment':
      if (data === null) group.current.delete(member);
      else group.current.set(member, decodeCurrentAssignmentValue(data));
      return;
  }
}
