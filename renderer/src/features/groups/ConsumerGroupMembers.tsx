// Members of a KIP-848 consumer-protocol group: each member's epoch against the group's assignment
// epoch, its subscription, what it owns now and what the assignor gave it. During a rebalance the two
// differ: partitions it still owns but must give up are marked "revoking", partitions it is to take once
// their previous owner released them "assigning" — a rebalance in progress, member by member.
import type { ConsumerProtocolMember, GroupDetail, TopicPartitions } from '../../../../shared/model/groups';
import { formatCount } from '../../components/format';

function partitionSet(assignments: TopicPartitions): Set<string> {
  return new Set(assignments.flatMap((assignment) => assignment.partitions.map((partition) => `${assignment.topic}\u0000${partition}`)));
}

/** One topic's partitions per line; those in `marked` carry its class and words. */
function PartitionList({
  assignments,
  marked,
  mark,
  empty,
}: {
  assignments: TopicPartitions;
  marked: TopicPartitions;
  mark: { className: string; title: string };
  empty: string;
}) {
  if (!assignments.length) return <span className="muted">{empty}</span>;
  const flagged = partitionSet(marked);
  return (
    <>
      {assignments.map((assignment) => (
        <div key={assignment.topic} className="partition-line">
          {assignment.topic}:{' '}
          {assignment.partitions.map((partition, index) => {
            const isMarked = flagged.has(`${assignment.topic}\u0000${partition}`);
            return (
              <span key={partition} className="mono">
                {index ? ', ' : ''}
                {isMarked ? (
                  <span className={mark.className} title={mark.title}>
                    {partition}
                  </span>
                ) : (
                  partition
                )}
              </span>
            );
          })}
        </div>
      ))}
    </>
  );
}

function Subscription({ protocol }: { protocol: ConsumerProtocolMember }) {
  if (protocol.subscribedTopicRegex) {
    return (
      <span title="A regular expression the coordinator matches against the cluster's topics (KIP-848)">
        regex <code>{protocol.subscribedTopicRegex}</code>
      </span>
    );
  }
  return protocol.subscribedTopics.length ? <>{protocol.subscribedTopics.join(', ')}</> : <span className="muted">nothing</span>;
}

export function ConsumerGroupMembers({ detail }: { detail: GroupDetail }) {
  if (!detail.members.length) {
    return <p className="muted">No active members: nothing consumes with this group now. Its committed offsets stay until the group expires or is deleted.</p>;
  }
  const assignmentEpoch = detail.epochs?.assignment ?? null;
  const count = (key: 'revoking' | 'assigning') =>
    detail.members.reduce((sum, member) => sum + (member.consumerProtocol?.[key] ?? []).reduce((n, t) => n + t.partitions.length, 0), 0);
  const revoking = count('revoking');
  const assigning = count('assigning');
  return (
    <>
      {revoking || assigning ? (
        <p className="rebalance-note" role="status" data-testid="rebalance-in-progress">
          A rebalance is in progress: {formatCount(revoking)} partition{revoking === 1 ? ' is' : 's are'} being revoked (
          <span className="partition-revoking">struck out</span>) and {formatCount(assigning)} assigned (<span className="partition-assigning">marked</span>) as
          the members converge on the target assignment{assignmentEpoch === null ? '' : ` of epoch ${assignmentEpoch}`}.
        </p>
      ) : null}
      <table className="table compact consumer-members" aria-label="Members">
        <thead>
          <tr>
            <th>Client id</th>
            <th className="numeric" title="The member's epoch; below the group's assignment epoch while it is still reconciling">
              Epoch
            </th>
            <th>Subscribed to</th>
            <th>Assigned now</th>
            <th>Target</th>
            <th className="numeric">Lag</th>
            <th>Member id</th>
          </tr>
        </thead>
        <tbody>
          {detail.members.map((member) => {
            const protocol = member.consumerProtocol;
            const reconciling = protocol !== null && assignmentEpoch !== null && protocol.memberEpoch < assignmentEpoch;
            const moving = protocol !== null && (protocol.revoking.length > 0 || protocol.assigning.length > 0);
            return (
              <tr key={member.memberId} data-member={member.clientId} data-moving={moving ? 'true' : undefined}>
                <td>
                  <div>{member.clientId}</div>
                  <code className="muted small">{member.host}</code>
                  {member.groupInstanceId ? <div className="muted small">static: {member.groupInstanceId}</div> : null}
                  {protocol?.memberType === 'classic' ? (
                    <div
                      className="muted small"
                      data-member-type="classic"
                      title="This member joined with JoinGroup (the classic protocol) and is kept in the consumer group as Kafka migrates the group online (KIP-848)"
                    >
                      classic protocol
                    </div>
                  ) : null}
                </td>
                <td className="numeric" data-column="member-epoch">
                  {protocol ? formatCount(protocol.memberEpoch) : '—'}
                  {reconciling ? <div className="muted small">reconciling</div> : null}
                </td>
                <td>{protocol ? <Subscription protocol={protocol} /> : <span className="muted">—</span>}</td>
                <td data-column="assigned">
                  <PartitionList
                    assignments={member.assignments}
                    marked={protocol?.revoking ?? []}
                    mark={{ className: 'partition-revoking', title: 'Revoking: not in its target; it gives the partition up before another member takes it' }}
                    empty="none"
                  />
                </td>
                <td data-column="target">
                  {protocol && !moving ? (
                    <span className="muted">same as assigned</span>
                  ) : (
                    <PartitionList
                      assignments={protocol?.target ?? []}
                      marked={protocol?.assigning ?? []}
                      mark={{
                        className: 'partition-assigning',
                        title: 'Assigning: in its target; it takes the partition once its previous owner has given it up',
                      }}
                      empty="none"
                    />
                  )}
                </td>
                <td className="numeric">{member.lag === null ? <span className="muted">no committed offset</span> : formatCount(member.lag)}</td>
                <td className="muted small member-id" title={member.memberId}>
                  {member.memberId}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
