import type { FetchOffsetsResult } from '../groups/group-offsets';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { OffsetFetch, type OffsetFetchResponseTopics } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnGroup, authorizedOnTopic } from '../security/request-authorization';

function topicsOf(result: FetchOffsetsResult): OffsetFetchResponseTopics[] {
  return result.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({
      partitionIndex: p.partitionIndex,
      committedOffset: BigInt(p.committedOffset),
      committedLeaderEpoch: p.committedLeaderEpoch,
      metadata: p.metadata,
      errorCode: p.errorCode,
    })),
  }));
}

/**
 * OffsetFetch: a group's committed offsets (-1 where none), for the partitions asked or, with a null
 * list (v2+), all of them; several groups in one request from v8. With requireStable (v7+, KIP-447), a
 * partition whose offset a transaction has committed but not yet decided answers UNSTABLE_OFFSET_COMMIT,
 * which clients retry, so a consumer starting after a commit sees that commit's offsets.
 */
export const offsetFetchHandler = defineHandler({
  api: OffsetFetch,
  minVersion: 0,
  maxVersion: 9,
  handle: (request, context) => {
    const coordinator = context.broker.groups;
    const v = context.apiVersion;
    const asked = (topics: Array<{ name: string; partitionIndexes: number[] }> | null) =>
      topics?.map((t) => ({ name: t.name, partitions: t.partitionIndexes })) ?? null;
    // As Kafka: a group the principal may not DESCRIBE is refused; its topics it may not DESCRIBE are
    // refused per partition when asked for, and left out of an all-topics answer.
    const fetch = (
      groupId: string,
      topics: Array<{ name: string; partitions: number[] }> | null,
      member?: { memberId: string | null; memberEpoch: number },
    ): FetchOffsetsResult => {
      if (!authorizedOnGroup(context, AclOperation.DESCRIBE, groupId)) {
        return {
          errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
          topics: (topics ?? []).map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p,
              committedOffset: -1,
              committedLeaderEpoch: -1,
              metadata: '',
              errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
            })),
          })),
        };
      }
      const result = coordinator.fetchOffsets(groupId, topics, v >= 7 && request.requireStable, member);
      return {
        errorCode: result.errorCode,
        topics: result.topics.flatMap((t) => {
          if (authorizedOnTopic(context, AclOperation.DESCRIBE, t.name)) return [t];
          return topics === null
            ? []
            : [
                {
                  name: t.name,
                  partitions: t.partitions.map((p) => ({
                    ...p,
                    committedOffset: -1,
                    committedLeaderEpoch: -1,
                    metadata: '',
                    errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
                  })),
                },
              ];
        }),
      };
    };
    if (v >= 8) {
      return {
        throttleTimeMs: 0,
        topics: [],
        errorCode: ErrorCode.NONE,
        groups: request.groups.map((g) => {
          // v9: a consumer group's member names itself and its epoch (KIP-848).
          const result = fetch(g.groupId, asked(g.topics), v >= 9 ? { memberId: g.memberId, memberEpoch: g.memberEpoch } : undefined);
          return { groupId: g.groupId, topics: result.errorCode === ErrorCode.NONE ? topicsOf(result) : [], errorCode: result.errorCode };
        }),
      };
    }
    // v0-1 have no null list (and no top-level error: errors go on each partition).
    const result = fetch(request.groupId, v < 2 ? (asked(request.topics) ?? []) : asked(request.topics));
    return { throttleTimeMs: 0, topics: topicsOf(result), errorCode: result.errorCode, groups: [] };
  },
});
