// The members table of a KIP-848 consumer group, rendered with React's server renderer: a member that
// speaks the classic protocol inside the group (ConsumerGroupDescribe v1's MemberType 0, KIP-1099: an
// online migration) is marked; consumer-protocol members and members of a v0 answer (type unknown) are not.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ConsumerGroupMembers } from '../../renderer/src/features/groups/ConsumerGroupMembers';
import type { ConsumerProtocolMember, GroupDetail, GroupMember } from '../../shared/model/groups';

function member(clientId: string, memberType: ConsumerProtocolMember['memberType'], partition: number): GroupMember {
  const owned = [{ topic: 'orders', partitions: [partition] }];
  return {
    memberId: `${clientId}-id`,
    groupInstanceId: null,
    clientId,
    host: '/127.0.0.1',
    assignments: owned,
    lag: 0,
    consumerProtocol: {
      memberEpoch: 7,
      rackId: null,
      subscribedTopics: ['orders'],
      subscribedTopicRegex: null,
      target: owned,
      revoking: [],
      assigning: [],
      memberType,
    },
  };
}

const detail = (members: GroupMember[]): GroupDetail => ({
  id: 'billing',
  state: 'STABLE',
  groupType: 'consumer',
  protocolType: 'consumer',
  protocol: 'uniform',
  epochs: { group: 7, assignment: 7 },
  coordinator: { id: 0, host: '127.0.0.1', port: 9092 },
  members,
  partitions: [],
  totalLag: 0,
});

describe('ConsumerGroupMembers', () => {
  it('marks a member of the classic protocol inside a consumer group, and only it', () => {
    const html = renderToStaticMarkup(
      <ConsumerGroupMembers detail={detail([member('migrating', 'classic', 0), member('kip848', 'consumer', 1), member('unknown', null, 2)])} />,
    );
    expect(html.match(/data-member-type="classic"/g)).toHaveLength(1);
    expect(html.match(/classic protocol</g)).toHaveLength(1);
    const row = (clientId: string) => new RegExp(`<tr[^>]*data-member="${clientId}"[^>]*>(.*?)</tr>`).exec(html)?.[1] ?? '';
    expect(row('migrating')).toContain('classic protocol');
    expect(row('kip848')).not.toContain('classic protocol');
    expect(row('unknown')).not.toContain('classic protocol');
  });
});
