import { ErrorCode } from '../../kafka/protocol/error-codes';
import { DeleteRecords } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { leaderReplica } from './leader-lookup';
import { AclOperation, authorizedOnTopic } from '../security/request-authorization';

/**
 * DeleteRecords: moves a partition's log start offset forward (whole segments below it are deleted).
 * Offset -1 means the high watermark; beyond it is out of range. Followers follow the new log start
 * through replication.
 */
export const deleteRecordsHandler = defineHandler({
  api: DeleteRecords,
  minVersion: 0,
  maxVersion: 2,
  handle: (request, context) => ({
    throttleTimeMs: 0,
    topics: request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) => {
        if (!authorizedOnTopic(context, AclOperation.DELETE, topic.name))
          return { partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
        const replica = leaderReplica(context, topic.name, p.partitionIndex);
        if (typeof replica === 'number') return { partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: replica };
        const target = p.offset === -1n ? replica.highWatermark : Number(p.offset);
        if (target < 0 || target > replica.highWatermark) {
          return { partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
        }
        replica.deleteRecordsBefore(target);
        return { partitionIndex: p.partitionIndex, lowWatermark: BigInt(replica.log.logStartOffset), errorCode: ErrorCode.NONE };
      }),
    })),
  }),
});
