import { BatchAttributes, setBaseOffset, setPartitionLeaderEpoch, updateBatchCrc } from '../../kafka/records/batch-header';
import { UnexpectedAppendOffsetError } from './errors';
import type { EpochEntry } from './leader-epoch-cache';
import type { ValidatedRecords } from './validator';

/**
 * The offsets and timestamps of validated records about to be appended, the step between validation
 * (validator.ts) and writing (PartitionLog.appendValidated). Kafka does the same in
 * LogValidator.validateMessagesAndAssignOffsets (a leader's offsets, LogAppendTime) and
 * UnifiedLog.analyzeAndValidateRecords (a follower's offsets must rise).
 *
 * A leader's batches get offsets from the log end and its leader epoch, written into the buffer, and
 * LogAppendTime (message.timestamp.type=LogAppendTime) or their records' own largest timestamp as their
 * maxTimestamp (CRC updated). A follower's batches keep the offsets the leader assigned, which must rise
 * above the log end and each other (else UnexpectedAppendOffsetError, the buffer untouched).
 */
export interface OffsetAssignment {
  /** The log end offset the records go after. */
  logEndOffset: number;
  /** The log's latest leader epoch: batches of a later epoch start a new epoch entry. */
  latestEpoch: number;
  /** Leader appends: assign offsets from the log end. Follower appends: keep the batches' offsets. */
  assignOffsets: boolean;
  /** Leader epoch stamped into every batch (leader appends only). */
  leaderEpoch?: number;
  /** The LogAppendTime to stamp into every batch, or -1 to keep CreateTime. */
  logAppendTime: number;
}

export interface AssignedOffsets {
  /** First offset of the first batch (-1 when there is none). */
  firstOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  /** Base offset of the batch holding maxTimestamp. */
  offsetOfMaxTimestamp: number;
  /** Leader epochs that start with these records, oldest first. */
  newEpochs: EpochEntry[];
}

export function assignOffsets(validated: ValidatedRecords, assignment: OffsetAssignment): AssignedOffsets {
  const { records } = validated;
  const { logEndOffset: leo, assignOffsets: assign, leaderEpoch, logAppendTime } = assignment;
  const logAppend = logAppendTime >= 0;
  let nextOffset = leo;
  let prevLast = leo - 1;
  let firstOffset = -1;
  let lastOffset = -1;
  let maxTimestamp = -1;
  let offsetOfMaxTimestamp = -1;
  const newEpochs: EpochEntry[] = [];
  let latestEpoch = assignment.latestEpoch;
  for (let index = 0; index < validated.batches.length; index++) {
    const { header: h, position: pos, maxTimestamp: recordsMaxTimestamp } = validated.batches[index]!;
    let base: number;
    let epoch = h.partitionLeaderEpoch;
    if (assign) {
      base = nextOffset;
      setBaseOffset(records, pos, base);
      if (leaderEpoch !== undefined) {
        setPartitionLeaderEpoch(records, pos, leaderEpoch);
        epoch = leaderEpoch;
      }
    } else {
      base = h.baseOffset;
      if (base <= prevLast) {
        throw new UnexpectedAppendOffsetError(`batch ${index}: offset ${base} is not above the previous offset ${prevLast} (log end offset ${leo})`, base, leo);
      }
    }
    const last = base + h.lastOffsetDelta;
    let batchMaxTs = h.maxTimestamp;
    if (logAppend) {
      records.writeInt16BE(h.attributes | BatchAttributes.TimestampTypeLogAppend, pos + 21);
      records.writeBigInt64BE(BigInt(logAppendTime), pos + 35);
      updateBatchCrc(records, pos);
      batchMaxTs = logAppendTime;
    } else if (assign && recordsMaxTimestamp !== h.maxTimestamp) {
      // The time index and retention go by maxTimestamp: take the records' own, as Kafka does.
      records.writeBigInt64BE(BigInt(recordsMaxTimestamp), pos + 35);
      updateBatchCrc(records, pos);
      batchMaxTs = recordsMaxTimestamp;
    }
    if (epoch > latestEpoch) {
      newEpochs.push({ epoch, startOffset: base });
      latestEpoch = epoch;
    }
    if (firstOffset < 0) firstOffset = base;
    lastOffset = last;
    if (batchMaxTs > maxTimestamp) {
      maxTimestamp = batchMaxTs;
      offsetOfMaxTimestamp = base;
    }
    nextOffset = last + 1;
    prevLast = last;
  }
  return { firstOffset, lastOffset, maxTimestamp, offsetOfMaxTimestamp, newEpochs };
}
