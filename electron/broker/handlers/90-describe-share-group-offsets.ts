import { ErrorCode } from '../../kafka/protocol/error-codes';
import { DescribeShareGroupOffsets, type DescribeShareGroupOffsetsResponseGroup } from '../../kafka/protocol/generated/index';
import { AclOperation, authorizedOnGroup, authorizedOnTopic } from '../security/request-authorization';
import { describeShareOffsets } from '../share/share-group-offsets';
import { SHARE_GROUPS_DISABLED_MESSAGE, shareGroupsEnabled } from '../share/share-feature';
import { defineHandler } from './handler';
import { shareGroupCoordinatorError } from './share-group-coordinator';

/**
 * DescribeShareGroupOffsets (KIP-932): each share-partition's start offset (SPSO) and leader epoch for
 * the topics asked (all the group has state for when null), -1 for one never initialized. Per group
 * NOT_COORDINATOR, GROUP_AUTHORIZATION_FAILED (DESCRIBE on the group), GROUP_ID_NOT_FOUND; per
 * partition TOPIC_AUTHORIZATION_FAILED (DESCRIBE on the topic), UNKNOWN_TOPIC_OR_PARTITION.
 */
export const describeShareGroupOffsetsHandler = defineHandler({
  api: DescribeShareGroupOffsets,
  minVersion: 0,
  maxVersion: 0,
  handle: (request, context) => {
    const enabled = shareGroupsEnabled(context.broker);
    const groups = request.groups.map((g): DescribeShareGroupOffsetsResponseGroup => {
      const refuse = (errorCode: number, errorMessage: string | null = null) => ({ groupId: g.groupId, topics: [], errorCode, errorMessage });
      if (!enabled) return refuse(ErrorCode.UNSUPPORTED_VERSION, SHARE_GROUPS_DISABLED_MESSAGE);
      if (!authorizedOnGroup(context, AclOperation.DESCRIBE, g.groupId)) return refuse(ErrorCode.GROUP_AUTHORIZATION_FAILED);
      const coordinatorError = shareGroupCoordinatorError(context, g.groupId);
      if (coordinatorError !== ErrorCode.NONE) return refuse(coordinatorError);
      const described = describeShareOffsets(context.broker.shareOffsets(), g.groupId, g.topics);
      return {
        groupId: g.groupId,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        topics: described
          .filter((t) => g.topics !== null || authorizedOnTopic(context, AclOperation.DESCRIBE, t.topicName))
          .map((t) => {
            const allowed = authorizedOnTopic(context, AclOperation.DESCRIBE, t.topicName);
            return {
              topicName: t.topicName,
              topicId: t.topicId,
              partitions: t.partitions.map((p) => ({
                partitionIndex: p.partition,
                startOffset: BigInt(allowed ? p.startOffset : -1),
                leaderEpoch: allowed ? p.leaderEpoch : -1,
                errorCode: allowed ? p.errorCode : ErrorCode.TOPIC_AUTHORIZATION_FAILED,
                errorMessage: null,
              })),
            };
          }),
      };
    });
    return { throttleTimeMs: 0, groups };
  },
});
