import type { PartitionInfo } from '../../../../shared/model/schemas';
import { Badge } from '../../components/Badge';
import { formatBytes, formatCount } from '../../components/format';

/** One badge per replica: the leader, followers in sync, followers out of sync, offline replicas. */
export function ReplicaBadges({ partition }: { partition: PartitionInfo }) {
  return (
    <span className="badges">
      {partition.replicas.map((replica) => {
        const offline = partition.offlineReplicas.includes(replica);
        const inSync = partition.isr.includes(replica);
        const leader = replica === partition.leader;
        const tone = offline ? 'bad' : leader ? 'accent' : inSync ? 'good' : 'warn';
        const title = offline ? 'offline' : leader ? 'leader' : inSync ? 'in sync' : 'out of sync';
        return (
          <Badge key={replica} tone={tone} title={`Broker ${replica}: ${title}`}>
            {replica}
          </Badge>
        );
      })}
    </span>
  );
}

export function isUnderReplicated(partition: PartitionInfo): boolean {
  return partition.isr.length < partition.replicas.length;
}

export function PartitionsTable({ partitions }: { partitions: readonly PartitionInfo[] }) {
  return (
    <table className="table" aria-label="Partitions">
      <thead>
        <tr>
          <th>Partition</th>
          <th>Leader</th>
          <th>Replicas</th>
          <th>In-sync replicas</th>
          <th className="numeric">Low watermark</th>
          <th className="numeric">High watermark</th>
          <th className="numeric">Records</th>
          <th className="numeric">Size</th>
        </tr>
      </thead>
      <tbody>
        {partitions.map((partition) => (
          <tr
            key={partition.partition}
            className={partition.leader < 0 ? 'row-bad' : isUnderReplicated(partition) ? 'row-warn' : undefined}
            data-partition={partition.partition}
          >
            <td>{partition.partition}</td>
            <td data-column="leader">
              {partition.leader >= 0 ? <Badge tone="accent">{partition.leader}</Badge> : <Badge tone="bad">offline</Badge>}
            </td>
            <td>
              <ReplicaBadges partition={partition} />
            </td>
            <td>
              <span className="badges">
                {partition.isr.map((replica) => (
                  <Badge key={replica} tone="good">
                    {replica}
                  </Badge>
                ))}
                {isUnderReplicated(partition) ? <span className="muted small">under-replicated</span> : null}
              </span>
            </td>
            <td className="numeric">{formatCount(partition.lowWatermark)}</td>
            <td className="numeric" data-column="high-watermark">
              {formatCount(partition.highWatermark)}
            </td>
            <td className="numeric">
              {partition.highWatermark !== null && partition.lowWatermark !== null
                ? formatCount(partition.highWatermark - partition.lowWatermark)
                : '—'}
            </td>
            <td className="numeric">{formatBytes(partition.sizeBytes)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
