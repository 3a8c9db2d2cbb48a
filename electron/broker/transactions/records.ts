/**
 * The records of the `__transaction_state` topic, in Kafka's own formats (TransactionLogKey and
 * TransactionLogValue of its transaction coordinator), so the topic reads the same as a real broker's:
 * - key v0: `version INT16, transactionalId STRING`;
 * - value v0: `producerId INT64, producerEpoch INT16, transactionTimeoutMs INT32, transactionStatus INT8,
 *   transactionPartitions NULLABLE [topic STRING, partitionIds [INT32]], transactionLastUpdateTimestampMs
 *   INT64, transactionStartTimestampMs INT64`; v1 is v0 made flexible, with tagged fields (KIP-890):
 *   0 previousProducerId INT64, 1 nextProducerId INT64, 2 clientTransactionVersion INT16. This broker
 *   writes v1 for the transactions of producers using transaction version 2 (as Kafka 4.0 does once
 *   transaction.version >= 1), v0 for the others, so older readers still read those.
 * A null value is a tombstone: the transactional id expired (transactional.id.expiration.ms).
 */
import { javaStringHashCode } from '../groups/records';
import { Reader } from '../../kafka/protocol/reader';
import { Writer } from '../../kafka/protocol/writer';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';

/** Kafka's TransactionState ids, as TransactionLogValue stores them. */
export const TransactionState = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
} as const;
export type TransactionStateId = (typeof TransactionState)[keyof typeof TransactionState];
export type TransactionStateName = keyof typeof TransactionState;

/** The state names DescribeTransactions and ListTransactions use, by id. */
export const TRANSACTION_STATE_NAMES = Object.keys(TransactionState) as TransactionStateName[];

export function stateName(state: TransactionStateId): TransactionStateName {
  return TRANSACTION_STATE_NAMES[state]!;
}

/** The `__transaction_state` partition of a transactional id: abs(id.hashCode) % partitionCount, as Kafka does. */
export function partitionForTransactionalId(transactionalId: string, partitionCount: number): number {
  const hash = javaStringHashCode(transactionalId);
  return (hash === -0x80000000 ? 0 : Math.abs(hash)) % partitionCount;
}

export interface TransactionLogValue {
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  state: TransactionStateId;
  /** The partitions of the transaction, by topic (empty when none is open). */
  partitions: Array<{ topic: string; partitions: number[] }>;
  lastUpdateTimestamp: number;
  /** -1 when no transaction is open. */
  startTimestamp: number;
  /** v1 tagged fields (KIP-890), -1 / 0 when absent: the producer id before an epoch overflow moved to a new one. */
  previousProducerId?: number;
  /** The producer id the transaction moves to once its markers are written (an epoch overflow under transaction version 2). */
  nextProducerId?: number;
  clientTransactionVersion?: number;
}

export function encodeTransactionLogKey(transactionalId: string): Buffer {
  return new Writer(8 + Buffer.byteLength(transactionalId)).int16(0).string(transactionalId).toBuffer();
}

/** The transactional id of a key, or null for a key version this broker does not know (skipped, as Kafka does). */
export function decodeTransactionLogKey(key: Buffer): string | null {
  const r = new Reader(key);
  const version = r.readInt16();
  return version === 0 ? r.readString() : null;
}

export function encodeTransactionLogValue(value: TransactionLogValue): Buffer {
  const version = (value.clientTransactionVersion ?? 0) >= 1 ? 1 : 0;
  const flexible = version === 1;
  const w = new Writer(64);
  w.int16(version).int64(BigInt(value.producerId)).int16(value.producerEpoch).int32(value.timeoutMs).int8(value.state);
  if (flexible) w.compactArrayLength(value.partitions.length);
  else w.arrayLength(value.partitions.length);
  for (const t of value.partitions) {
    if (flexible) w.compactString(t.topic).compactArrayLength(t.partitions.length);
    else w.string(t.topic).arrayLength(t.partitions.length);
    for (const p of t.partitions) w.int32(p);
    if (flexible) w.taggedFields([]);
  }
  w.int64(BigInt(value.lastUpdateTimestamp)).int64(BigInt(value.startTimestamp));
  if (flexible) {
    // Tagged fields are written only when they differ from their defaults, as Kafka's generated code does.
    const tags: Array<readonly [number, (w: Writer) => void]> = [];
    const previous = value.previousProducerId ?? -1;
    const next = value.nextProducerId ?? -1;
    if (previous !== -1) tags.push([0, (t) => t.int64(BigInt(previous))]);
    if (next !== -1) tags.push([1, (t) => t.int64(BigInt(next))]);
    tags.push([2, (t) => t.int16(value.clientTransactionVersion ?? 0)]);
    w.taggedFields(tags);
  }
  return w.toBuffer();
}

export function decodeTransactionLogValue(data: Buffer): TransactionLogValue {
  const r = new Reader(data);
  const version = r.readInt16();
  if (version < 0 || version > 1) throw new Error(`unknown TransactionLogValue version ${version}`);
  const flexible = version >= 1;
  const producerId = Number(r.readInt64());
  const producerEpoch = r.readInt16();
  const timeoutMs = r.readInt32();
  const state = r.readInt8();
  if (state < 0 || state > 7) throw new Error(`unknown transaction state ${state}`);
  const count = flexible ? r.readCompactArrayLength() : r.readArrayLength();
  const partitions: TransactionLogValue['partitions'] = [];
  for (let i = 0; i < count; i++) {
    const topic = flexible ? r.readCompactString() : r.readString();
    const n = flexible ? r.readCompactArrayLength() : r.readArrayLength();
    const ids: number[] = [];
    for (let j = 0; j < n; j++) ids.push(r.readInt32());
    if (flexible) r.readTaggedFields();
    partitions.push({ topic, partitions: ids });
  }
  const lastUpdateTimestamp = Number(r.readInt64());
  const startTimestamp = Number(r.readInt64());
  let previousProducerId = -1;
  let nextProducerId = -1;
  let clientTransactionVersion = 0;
  if (flexible) {
    r.readTaggedFields((tag, field) => {
      if (tag === 0) previousProducerId = Number(field.readInt64());
      else if (tag === 1) nextProducerId = Number(field.readInt64());
      else if (tag === 2) clientTransactionVersion = field.readInt16();
      else return false;
      return true;
    });
  }
  return {
    producerId,
    producerEpoch,
    timeoutMs,
    state: state as TransactionStateId,
    partitions,
    lastUpdateTimestamp,
    startTimestamp,
    previousProducerId,
    nextProducerId,
    clientTransactionVersion,
  };
}
