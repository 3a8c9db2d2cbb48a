// Brokers across, partitions down: who leads each partition and which replicas are in sync. It is
// patched live from leader and ISR events, so stopping a broker shows leadership moving.
import type { EmbeddedBrokerStatus, TopicDetail } from '../../../../shared/model/schemas';

export function BrokerPartitionGrid({ detail, brokers }: { detail: TopicDetail; brokers: readonly EmbeddedBrokerStatus[] }) {
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
              const label = !isReplica ? '' : isLeader ? 'leader' : inSync ? 'in sync' : 'out of sync';
              return (
                <td key={broker.id} data-broker={broker.id} className="grid-cell">
                  {isReplica ? <span className={`cell cell-${isLeader ? 'leader' : inSync ? 'isr' : 'lagging'}`}>{label}</span> : null}
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
