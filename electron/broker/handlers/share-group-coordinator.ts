import { ensureOffsetsTopic } from '../groups/coordinator';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import type { RequestContext } from './handler';

/**
 * NONE when this broker coordinates the group (leads its `__consumer_offsets` partition), else what a
 * share-group admin request is told: COORDINATOR_NOT_AVAILABLE while the offsets topic cannot be made,
 * NOT_COORDINATOR otherwise. Then GROUP_ID_NOT_FOUND for no share group of that id (Kafka 4.1's
 * answer to a group of another type too), as GroupCoordinatorService for DescribeShareGroupOffsets.
 */
export function shareGroupCoordinatorError(context: RequestContext, groupId: string, requireGroup = true): number {
  const { broker } = context;
  if (!ensureOffsetsTopic(broker)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (!broker.groups.ownedPartitions().includes(broker.groups.partitionFor(groupId))) return ErrorCode.NOT_COORDINATOR;
  if (requireGroup && broker.shareGroupView.groupType(groupId) !== 'share') return ErrorCode.GROUP_ID_NOT_FOUND;
  return ErrorCode.NONE;
}
