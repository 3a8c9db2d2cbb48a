import type { PartitionResults } from '../groups/group-offsets';
import { OffsetDelete, type OffsetDeleteResponse } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';

/**
 * OffsetDelete: removes a group's committed offsets for some partitions; refused per partition
 * (GROUP_SUBSCRIBED_TO_TOPIC) for topics the group's active members subscribe to.
 */
export const offsetDeleteHandler = defineHandler({
  api: OffsetDelete,
  minVersion: 0,
  maxVersion: 0,
  handle: (request, context) => {
    const toResponse = (r: { errorCode: number; topics: PartitionResults }): OffsetDeleteResponse => ({ errorCode: r.errorCode, throttleTimeMs: 0, topics: r.topics });
    const result = context.broker.groups.deleteOffsets(
      request.groupId,
      request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => p.partitionIndex) })),
    );
    return result instanceof Promise ? result.then(toResponse) : toResponse(result);
  },
});
