/**
 * The records of the `__transaction_state` topic, in Kafka's own formats (TransactionLogKey and
 * TransactionLogValue of its transaction coordinator), so the topic reads the same as a real broker's:
 * - key v0: `version INT16, transactionalId STRING`;
 * - value v0: `producerId INT64, producerEpoch INT16, transactionTimeoutMs INT32, transactionStatus INT8,
 *   transactionPartitions NULLABLE [topic STRING, partitionIds [INT32]], transactionLastUpdateTimestampMs
 *   INT64, transactionStartTimestampMs INT64`; v1 is v0 made flexible, with tagged fields (previous and
 *   next producer id, client transaction version: KIP-890) that this broker reads past.
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
  const w = new Writer(64);
  w.int16(0).int64(BigInt(value.producerId)).int16(value.producerEpoch).int32(value.timeoutMs).int8(value.state).arrayLength(value.partitions.length);
  for (const t of value.partitions) {
    w.string(t.topic).arrayLength(t.partitions.length);
    for (const p of t.partitions) w.int32(p);
  }
  return w.int64(BigInt(value.lastUpdateTimestamp)).int64(BigInt(value.startTimestamp)).toBuffer();
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
  if (flexible) r.readTaggedFields();
  return { producerId, producerEpoch, timeoutMs, state: state as TransactionStateId, partitions, lastUpdateTimestamp, startTimestamp };
}
