import type { EpochEntry } from '../log/leader-epoch-cache';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { ListOffsets, type ListOffsetsResponseListOffsetsPartitionResponse } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { leaderReplica } from './leader-lookup';
import { AclOperation, authorizedOnTopic } from '../security/request-authorization';

/** ListOffsets timestamps with a special meaning. */
const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;
const EARLIEST_LOCAL = -4n;
/** v9+ (KIP-1005): the highest offset in remote storage; without tiered storage Kafka answers -1. */
const LATEST_TIERED = -5n;

/** The epoch whose range holds `offset` in a leader-epoch cache (entries by increasing start offset), or -1. */
function epochAt(entries: readonly EpochEntry[], offset: number): number {
  let epoch = -1;
  for (const entry of entries) {
    if (entry.startOffset > offset) break;
    epoch = entry.epoch;
  }
  return epoch;
}

/**
 * ListOffsets: earliest (log start), latest (the high watermark, or with read_committed, v2+, the last
 * stable offset: KIP-98), the offset of the largest timestamp, or the first offset whose timestamp is
 * at least the given one and below the latest offset (-1 when there is none). v9's latest tiered offset is -1 (with
 * epoch -1), as Kafka answers without remote storage (UnifiedLog.fetchOffsetByTimestamp); v10 adds a
 * timeout for remote lookups, which never happen here.
 */
export const listOffsetsHandler = defineHandler({
  api: ListOffsets,
  minVersion: 0,
  maxVersion: 10,
  handle: (request, context) => {
    const committed = context.apiVersion >= 2 && request.isolationLevel === 1;
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p): ListOffsetsResponseListOffsetsPartitionResponse => {
          const response: ListOffsetsResponseListOffsetsPartitionResponse = {
            partitionIndex: p.partitionIndex,
            errorCode: ErrorCode.NONE,
            oldStyleOffsets: [],
            timestamp: -1n,
            offset: -1n,
            leaderEpoch: -1,
          };
          if (!authorizedOnTopic(context, AclOperation.DESCRIBE, topic.name)) {
            response.errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
            return response;
          }
          const replica = leaderReplica(context, topic.name, p.partitionIndex, context.apiVersion >= 4 ? p.currentLeaderEpoch : -1);
          if (typeof replica === 'number') {
            response.errorCode = replica;
            return response;
          }
          const log = replica.log;
          let found: { offset: number; timestamp: number; leaderEpoch: number } | null;
          // As Kafka does (KIP-320), the earliest offset comes with the epoch of the batch at the log start and
          // the latest with the current leader epoch, so clients can validate the position they reset to.
          const visibleEnd = committed ? replica.lastStableOffset : replica.highWatermark;
          if (p.timestamp === EARLIEST || p.timestamp === EARLIEST_LOCAL)
            found = { offset: log.logStartOffset, timestamp: -1, leaderEpoch: epochAt(log.leaderEpochCache.all(), log.logStartOffset) };
          else if (p.timestamp === LATEST) found = { offset: visibleEnd, timestamp: -1, leaderEpoch: replica.leaderEpoch };
          else if (p.timestamp === MAX_TIMESTAMP) found = log.maxTimestampOffset();
          else if (p.timestamp === LATEST_TIERED && context.apiVersion >= 9) found = { offset: -1, timestamp: -1, leaderEpoch: -1 };
          else if (p.timestamp < 0n) {
            response.errorCode = ErrorCode.INVALID_REQUEST;
            return response;
          } else {
            found = log.offsetForTimestamp(Number(p.timestamp));
            // Only committed records are visible to consumers (and with read_committed, only stable ones).
            if (found && found.offset >= visibleEnd) found = null;
          }
          if (context.apiVersion === 0) {
            // v0 answers a list of offsets, newest first; the earliest/latest pair is what clients use.
            response.oldStyleOffsets = found && p.maxNumOffsets > 0 ? [BigInt(found.offset)] : [];
            return response;
          }
          response.offset = BigInt(found ? found.offset : -1);
          response.timestamp = BigInt(found ? found.timestamp : -1);
          response.leaderEpoch = found ? found.leaderEpoch : -1;
          return response;
        }),
      })),
    };
  },
});
