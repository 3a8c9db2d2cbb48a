/**
 * How ShareGroupDescribe (KIP-932) shows a share group: its state, epochs, the assignor ("simple", the
 * only one Kafka 4.1 has for share groups) and each member's subscription and assignment, topics named
 * from their ids as the coordinator knows them now (a deleted topic is left out, as Kafka's
 * asDescribedGroup does). The handler adds authorization.
 */
import type { ShareGroupDescribeResponse } from '../../kafka/protocol/generated/index';
import type { ShareGroup } from './share-group';

export type DescribedShareGroup = ShareGroupDescribeResponse['groups'][number];

/** Kafka 4.1's only share group assignor (group.share.assignors default). */
export const SHARE_ASSIGNOR_NAME = 'simple';

export function describeShareError(groupId: string, errorCode: number, errorMessage: string | null = null): DescribedShareGroup {
  return {
    errorCode,
    errorMessage,
    groupId,
    groupState: '',
    groupEpoch: 0,
    assignmentEpoch: 0,
    assignorName: '',
    members: [],
    authorizedOperations: -2147483648,
  };
}

export function describeShareGroup(group: ShareGroup, topicName: (topicId: string) => string | undefined): DescribedShareGroup {
  return {
    errorCode: 0,
    errorMessage: null,
    groupId: group.groupId,
    groupState: group.state(),
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch,
    assignorName: SHARE_ASSIGNOR_NAME,
    members: [...group.members.values()]
      .sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0))
      .map((m) => ({
        memberId: m.memberId,
        rackId: m.rackId,
        memberEpoch: m.memberEpoch,
        clientId: m.clientId,
        clientHost: m.clientHost,
        subscribedTopicNames: [...m.subscribedTopicNames],
        assignment: {
          topicPartitions: [...m.assignedPartitions]
            .flatMap(([topicId, partitions]) => {
              const name = topicName(topicId);
              return name === undefined ? [] : [{ topicId, topicName: name, partitions: [...partitions].sort((a, b) => a - b) }];
            })
            .sort((a, b) => (a.topicName < b.topicName ? -1 : a.topicName > b.topicName ? 1 : 0)),
        },
      })),
    authorizedOperations: -2147483648,
  };
}
