// Brokers across, partitions down: who leads each partition and which replicas are in sync. It is
// patched live from leader, ISR and replica events, so stopping a broker shows leadership moving, and a
// reassignment shows its new replicas catching up (adding) and the old ones leaving (removing).
import type { EmbeddedBrokerStatus, TopicDetail } from '../../../../shared/model/schemas';

export function BrokerPartitionGrid({
  detail,
  brokers,
  moving = {},
}: {
  detail: TopicDetail;
  brokers: readonly EmbeddedBrokerStatus[];
  /** Replicas being added and removed, by `topic-partition`. */
  moving?: Readonly<Record<string, { adding: number[]; removing: number[] }>>;
}) {
  return (
    <table className="table grid-table" aria-label={`Replicas of ${detail.name} by broker`}>
      <thead>
        <tr>
          <th>Partition</th>
          {brokers.map((broker) => (
            <th key={broker.id} className={broker.state === 'stopped' ? 'grid-broker stopped' : 'grid-broker'}>
              Broker {broker.id}
              <span className="muted small">{broker.state === 'stopped' ? ' (stopped)' : ''}</span>
            </th>
          ))}
          <th>Leader</th>
        </tr>
      </thead>
      <tbody>
        {detail.partitions.map((partition) => (
          <tr
            key={partition.partition}
            data-partition={partition.partition}
            className={partition.isr.length < partition.replicas.length ? 'row-warn' : undefined}
          >
            <td>{partition.partition}</td>
            {brokers.map((broker) => {
              const isReplica = partition.replicas.includes(broker.id);
              const isLeader = partition.leader === broker.id;
              const inSync = partition.isr.includes(broker.id);
              const move = moving[`${detail.name}-${partition.partition}`];
              const adding = move?.adding.includes(broker.id) === true && !inSync;
              const removing = move?.removing.includes(broker.id) === true;
              const label = !isReplica ? '' : isLeader ? 'leader' : adding ? 'adding' : inSync ? 'in sync' : 'out of sync';
              const tone = isLeader ? 'leader' : adding ? 'adding' : inSync ? 'isr' : 'lagging';
              return (
                <td key={broker.id} data-broker={broker.id} className="grid-cell">
                  {isReplica ? (
                    <span className={`cell cell-${tone}${removing ? ' cell-removing' : ''}`}>
                      {label}
                      {removing ? ' · leaving' : ''}
                    </span>
                  ) : null}
                </td>
              );
            })}
            <td data-column="leader">{partition.leader >= 0 ? partition.leader : 'offline'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
