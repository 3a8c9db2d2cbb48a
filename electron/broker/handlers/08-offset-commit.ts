import type { PartitionResults } from '../groups/group-offsets';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { OffsetCommit, type OffsetCommitResponse } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnGroup, authorizedOnTopic } from '../security/request-authorization';

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
    const refuse = (topics: typeof request.topics, errorCode: number): PartitionResults =>
      topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) }));
    if (!authorizedOnGroup(context, AclOperation.READ, request.groupId))
      return { throttleTimeMs: 0, topics: refuse(request.topics, ErrorCode.GROUP_AUTHORIZATION_FAILED) };
    const refused = request.topics.filter((t) => !authorizedOnTopic(context, AclOperation.READ, t.name));
    const allowed = refused.length === 0 ? request.topics : request.topics.filter((t) => !refused.includes(t));
    const toResponse = (topics: PartitionResults): OffsetCommitResponse => ({
      throttleTimeMs: 0,
      topics: refused.length === 0 ? topics : [...topics, ...refuse(refused, ErrorCode.TOPIC_AUTHORIZATION_FAILED)],
    });
    const result = context.broker.groups.commitOffsets({
      groupId: request.groupId,
      generationId: v >= 1 ? request.generationIdOrMemberEpoch : -1,
      memberId: v >= 1 ? request.memberId : '',
      groupInstanceId: v >= 7 ? request.groupInstanceId : null,
      retentionTimeMs: v >= 2 && v <= 4 ? Number(request.retentionTimeMs) : -1,
      apiVersion: v,
      topics: allowed.map((t) => ({
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
