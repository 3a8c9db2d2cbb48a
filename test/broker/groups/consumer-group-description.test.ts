// ConsumerGroupDescribe's view of a group (KIP-848), from the coordinator's members: topics named from
// their ids (a deleted topic left out) and, from v1 (KIP-1099), each member's type: classic for a member
// that joined with JoinGroup during an online migration, consumer otherwise. The wire test
// (consumer-group-describe.test.ts) covers members of real clients.
import { describe, expect, it } from 'vitest';
import { describeConsumerGroup, MemberType, type ConsumerGroupMemberSource } from '../../../electron/broker/groups/consumer-group-description';

const member = (memberId: string, extra: Partial<ConsumerGroupMemberSource> = {}): ConsumerGroupMemberSource => ({
  memberId,
  instanceId: null,
  rackId: null,
  memberEpoch: 3,
  clientId: memberId,
  clientHost: '/127.0.0.1',
  subscribedTopicNames: ['orders'],
  subscribedTopicRegex: null,
  assigned: new Map([
    ['id-orders', [1, 0]],
    ['id-deleted', [0]],
  ]),
  ...extra,
});

describe('describeConsumerGroup', () => {
  it('gives each member its type (KIP-1099) and names topics from their ids, leaving out a deleted one', () => {
    const described = describeConsumerGroup(
      {
        groupId: 'g',
        state: 'Reconciling',
        groupEpoch: 4,
        assignmentEpoch: 4,
        assignorName: 'uniform',
        members: [
          member('consumer-a'),
          member('consumer-b', { classicMetadata: null }),
          member('classic-c', { classicMetadata: { sessionTimeoutMs: 45_000 } }),
        ],
        targetOf: (memberId) => (memberId === 'consumer-a' ? new Map([['id-orders', [0]]]) : undefined),
      },
      (topicId) => (topicId === 'id-orders' ? 'orders' : undefined),
    );
    expect(described.members.map((m) => [m.memberId, m.memberType])).toEqual([
      ['consumer-a', MemberType.CONSUMER],
      ['consumer-b', MemberType.CONSUMER],
      ['classic-c', MemberType.CLASSIC],
    ]);
    expect(MemberType).toEqual({ UNKNOWN: -1, CLASSIC: 0, CONSUMER: 1 });
    expect(described.members[0]!.assignment.topicPartitions).toEqual([{ topicId: 'id-orders', topicName: 'orders', partitions: [0, 1] }]);
    expect(described.members[0]!.targetAssignment.topicPartitions).toEqual([{ topicId: 'id-orders', topicName: 'orders', partitions: [0] }]);
    expect(described.members[1]!.targetAssignment.topicPartitions).toEqual([]);
  });
});
