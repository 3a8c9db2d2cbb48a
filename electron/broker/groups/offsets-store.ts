/**
 * The coordinator's persistence: records appended to its partitions of `__consumer_offsets` (through the
 * partition leader, acks=-1, so a commit is on every in-sync replica before it is acknowledged), and the
 * groups and offsets read back from such a partition when this broker becomes its leader.
 */
import { isPartitionError, type PartitionErrorName, type PartitionReplica } from '../cluster/partition-replica';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { isControlBatch } from '../../kafka/records/batch-header';
import { ControlRecordType, decodeEndTxnMarker, encodeRecordBatch, iterateBatches, type KafkaRecord, type RecordInput } from '../../kafka/records/record-batch';
import { decodeConsumerRecordKey, replayConsumerRecord, type LoadedConsumerGroup } from './consumer-records';
import { decodeShareRecordKey, replayShareRecord, type LoadedShareGroup } from './share-records';
import type { CommittedOffset } from './group';
import { Reader } from '../../kafka/protocol/reader';
import {
  decodeGroupMetadataValue,
  decodeOffsetCommitValue,
  decodeOffsetsRecordKey,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  type GroupMetadataValue,
} from './records';

/**
 * What the offsets store uses of one replica of a `__consumer_offsets` partition on this broker: append
 * as its leader, read its log back. Kafka's coordinators likewise see their partitions only through a
 * PartitionWriter ("the minimum required for coordinators") and a CoordinatorLoader, not the broker.
 */
export type OffsetsReplica = Pick<PartitionReplica, 'isLeader' | 'appendAsLeader'> & {
  readonly log: Pick<PartitionReplica['log'], 'logStartOffset' | 'logEndOffset' | 'read'>;
};

/** The producer of a transaction whose offsets are committed (TxnOffsetCommit). */
export interface TransactionalProducer {
  producerId: number;
  producerEpoch: number;
}

/** This broker's replica of an offsets partition; undefined when it holds none or its log cannot be opened. */
export type OffsetsPartitions = (partition: number) => OffsetsReplica | undefined;

/** How long a write waits for the in-sync replicas (Kafka's offsets.commit.timeout.ms). */
export const OFFSETS_COMMIT_TIMEOUT_MS = 5000;
/** Read size when loading a partition. */
const LOAD_CHUNK_BYTES = 4 * 1024 * 1024;

export function offsetCommitRecord(group: string, topic: string, partition: number, value: CommittedOffset | null, now: number): RecordInput {
  return { key: encodeOffsetCommitKey(group, topic, partition), value: value ? encodeOffsetCommitValue(value) : null, timestamp: now };
}

export function groupMetadataRecord(group: string, value: GroupMetadataValue | null, now: number): RecordInput {
  return { key: encodeGroupMetadataKey(group), value: value ? encodeGroupMetadataValue(value) : null, timestamp: now };
}

/** Kafka's mapping of a failed offsets-topic append to what a group client is told. */
export function coordinatorErrorFor(error: PartitionErrorName): number {
  switch (error) {
    case 'UNKNOWN_TOPIC_OR_PARTITION':
    case 'NOT_ENOUGH_REPLICAS':
    case 'NOT_ENOUGH_REPLICAS_AFTER_APPEND':
    case 'REQUEST_TIMED_OUT':
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case 'NOT_LEADER_OR_FOLLOWER':
    case 'KAFKA_STORAGE_ERROR':
      return ErrorCode.NOT_COORDINATOR;
    case 'MESSAGE_TOO_LARGE':
    case 'RECORD_LIST_TOO_LARGE':
      return ErrorCode.INVALID_COMMIT_OFFSET_SIZE;
    default:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}

/**
 * Appends records to one partition of `__consumer_offsets` as its leader and waits until every in-sync
 * replica has them. Resolves to an error code (NONE on success).
 */
export function appendToOffsetsPartition(
  partitions: OffsetsPartitions,
  partition: number,
  records: RecordInput[],
  now: number,
  producer?: TransactionalProducer,
): number | Promise<number> {
  if (records.length === 0) return ErrorCode.NONE;
  const replica = partitions(partition);
  if (!replica || !replica.isLeader) return ErrorCode.NOT_COORDINATOR;
  // Offsets committed in a transaction go in a transactional batch of its producer (no sequence), which
  // its commit or abort marker later decides, as Kafka's GroupMetadataManager writes them.
  const batch = producer
    ? encodeRecordBatch({
        records,
        timestamp: now,
        producerId: producer.producerId,
        producerEpoch: producer.producerEpoch,
        baseSequence: -1,
        transactional: true,
      })
    : encodeRecordBatch({ records, timestamp: now });
  const outcome = replica.appendAsLeader(batch, -1, OFFSETS_COMMIT_TIMEOUT_MS, undefined, producer ? 'coordinator' : 'client');
  const toCode = (result: Awaited<typeof outcome>) => (isPartitionError(result) ? coordinatorErrorFor(result.error) : ErrorCode.NONE);
  return outcome instanceof Promise ? outcome.then(toCode) : toCode(outcome);
}

export interface LoadedPartition {
  /** group -> topic -> partition -> offset (latest record wins, tombstones remove). */
  offsets: Map<string, Map<string, Map<number, CommittedOffset>>>;
  /** Offsets of transactions without a marker yet, by producer id (decided when their marker comes). */
  pendingTxn: Map<number, Array<{ group: string; topic: string; partition: number; value: CommittedOffset }>>;
  /** group -> its latest metadata (tombstoned groups absent). */
  groups: Map<string, GroupMetadataValue>;
  /** KIP-848 consumer groups, replayed from their records (consumer-records.ts). */
  consumerGroups: Map<string, LoadedConsumerGroup>;
  /** KIP-932 share groups, replayed from their records (share-records.ts). */
  shareGroups: Map<string, LoadedShareGroup>;
  records: number;
}

/**
 * Reads a partition of `__consumer_offsets` from its log start to its log end and keeps the latest value
 * of every key. Offsets committed in a transaction (transactional batches) count only once their commit
 * marker follows; an abort marker drops them, and those with no marker yet come back as `pendingTxn`.
 * Records that cannot be decoded are counted in `skipped` and ignored, as Kafka ignores keys of versions
 * it does not know.
 */
export function loadOffsetsPartition(partitions: OffsetsPartitions, partition: number): LoadedPartition & { skipped: number } {
  const result: LoadedPartition & { skipped: number } = {
    offsets: new Map(),
    groups: new Map(),
    consumerGroups: new Map(),
    shareGroups: new Map(),
    pendingTxn: new Map(),
    records: 0,
    skipped: 0,
  };
  const undecided = new Map<number, KafkaRecord[]>();
  const replica = partitions(partition);
  if (!replica) return result;
  const log = replica.log;
  const end = log.logEndOffset;
  let offset = log.logStartOffset;
  while (offset < end) {
    const { records: chunk } = log.read(offset, LOAD_CHUNK_BYTES, end, true);
    if (chunk.length === 0) break;
    const before = offset;
    for (const batch of iterateBatches(chunk)) {
      offset = batch.baseOffset + batch.lastOffsetDelta + 1;
      if (isControlBatch(batch.attributes)) {
        const held = undecided.get(batch.producerId);
        undecided.delete(batch.producerId);
        let commit = false;
        try {
          commit = batch.records[0] !== undefined && decodeEndTxnMarker(batch.records[0]).type === ControlRecordType.Commit;
        } catch {
          result.skipped++;
        }
        if (commit) for (const record of held ?? []) applyRecord(result, record);
        continue;
      }
      if ((batch.attributes & TRANSACTIONAL) !== 0) {
        let held = undecided.get(batch.producerId);
        if (!held) undecided.set(batch.producerId, (held = []));
        held.push(...batch.records.filter((r) => r.key));
        continue;
      }
      for (const record of batch.records) applyRecord(result, record);
    }
    if (offset <= before) break;
  }
  for (const [producerId, records] of undecided) {
    const pending: Array<{ group: string; topic: string; partition: number; value: CommittedOffset }> = [];
    for (const record of records) {
      try {
        const k = decodeOffsetsRecordKey(record.key!);
        if (k.kind === 'offset' && record.value)
          pending.push({ group: k.group, topic: k.topic, partition: k.partition, value: decodeOffsetCommitValue(record.value) });
      } catch {
        result.skipped++;
      }
    }
    if (pending.length > 0) result.pendingTxn.set(producerId, pending);
  }
  return result;
}

const TRANSACTIONAL = 0x10;

function applyRecord(result: LoadedPartition & { skipped: number }, record: KafkaRecord): void {
  if (!record.key) return;
  result.records++;
  try {
    apply(result, record.key, record.value);
  } catch {
    result.skipped++;
  }
}

function apply(loaded: LoadedPartition, key: Buffer, value: Buffer | null): void {
  const k = decodeOffsetsRecordKey(key);
  if (k.kind === 'offset') {
    let topics = loaded.offsets.get(k.group);
    if (value === null) {
      const partitions = topics?.get(k.topic);
      partitions?.delete(k.partition);
      if (partitions && partitions.size === 0) topics!.delete(k.topic);
      if (topics && topics.size === 0) loaded.offsets.delete(k.group);
      return;
    }
    const decoded = decodeOffsetCommitValue(value);
    if (!topics) {
      topics = new Map();
      loaded.offsets.set(k.group, topics);
    }
    let partitions = topics.get(k.topic);
    if (!partitions) {
      partitions = new Map();
      topics.set(k.topic, partitions);
    }
    partitions.set(k.partition, decoded);
  } else if (k.kind === 'group') {
    if (value === null) loaded.groups.delete(k.group);
    else loaded.groups.set(k.group, decodeGroupMetadataValue(value));
  } else {
    const r = new Reader(key);
    const version = r.readInt16();
    const consumerKey = decodeConsumerRecordKey(version, r);
    if (consumerKey) replayConsumerRecord(loaded.consumerGroups, consumerKey, value);
    const shareKey = consumerKey ? null : decodeShareRecordKey(version, r);
    if (shareKey) replayShareRecord(loaded.shareGroups, shareKey, value);
  }
}
