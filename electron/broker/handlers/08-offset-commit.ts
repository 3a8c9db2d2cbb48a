import type { PartitionResults } from '../groups/group-offsets';
import { OffsetCommit, type OffsetCommitResponse } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';

/**
 * OffsetCommit: members of a group commit within their generation; clients without a membership
 * (generation -1: simple consumers, admin tools) commit to a group that has no active members. The
 * commit is acknowledged once every in-sync replica of the group's offsets partition has it.
 */
export const offsetCommitHandler = defineHandler({
  api: OffsetCommit,
  minVersion: 0,
  maxVersion: 9,
  handle: (request, context) => {
    const v = context.apiVersion;
    const toResponse = (topics: PartitionResults): OffsetCommitResponse => ({ throttleTimeMs: 0, topics });
    const result = context.broker.groups.commitOffsets({
      groupId: request.groupId,
      generationId: v >= 1 ? request.generationIdOrMemberEpoch : -1,
      memberId: v >= 1 ? request.memberId : '',
      groupInstanceId: v >= 7 ? request.groupInstanceId : null,
      retentionTimeMs: v >= 2 && v <= 4 ? Number(request.retentionTimeMs) : -1,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partition: p.partitionIndex,
          offset: Number(p.committedOffset),
          leaderEpoch: v >= 6 ? p.committedLeaderEpoch : -1,
          metadata: p.committedMetadata,
          commitTimestamp: v === 1 ? Number(p.commitTimestamp) : -1,
        })),
      })),
    });
    return result instanceof Promise ? result.then(toResponse) : toResponse(result);
  },
});
