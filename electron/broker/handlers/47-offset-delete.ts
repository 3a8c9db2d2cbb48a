import type { PartitionResults } from '../groups/group-offsets';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { OffsetDelete, type OffsetDeleteResponse } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnGroup, authorizedOnTopic } from '../security/request-authorization';

/**
 * OffsetDelete: removes a group's committed offsets for some partitions; refused per partition
 * (GROUP_SUBSCRIBED_TO_TOPIC) for topics the group's active members subscribe to.
 */
export const offsetDeleteHandler = defineHandler({
  api: OffsetDelete,
  minVersion: 0,
  maxVersion: 0,
  handle: (request, context) => {
    const toResponse = (r: { errorCode: number; topics: PartitionResults }): OffsetDeleteResponse => ({
      errorCode: r.errorCode,
      throttleTimeMs: 0,
      topics: r.topics,
    });
    if (!authorizedOnGroup(context, AclOperation.DELETE, request.groupId))
      return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, throttleTimeMs: 0, topics: [] };
    // Topics the principal may not READ are refused per partition (Kafka's OffsetDelete rule); the others go ahead.
    const refused = request.topics.filter((t) => !authorizedOnTopic(context, AclOperation.READ, t.name));
    const refusedResults = refused.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })),
    }));
    const withRefused = (r: { errorCode: number; topics: PartitionResults }) =>
      toResponse({ errorCode: r.errorCode, topics: [...r.topics, ...refusedResults] });
    const result = context.broker.groups.deleteOffsets(
      request.groupId,
      request.topics.filter((t) => !refused.includes(t)).map((t) => ({ name: t.name, partitions: t.partitions.map((p) => p.partitionIndex) })),
    );
    return result instanceof Promise ? result.then(withRefused) : withRefused(result);
  },
});
