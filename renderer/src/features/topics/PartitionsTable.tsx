import type { BrokerRef, PartitionInfo } from '../../../../shared/model/schemas';
import { Badge } from '../../components/Badge';
import { formatBytes, formatCount } from '../../components/format';
import '../brokers/health.css';
import { brokerMap, brokerState, capitalize, explainPartition, hasStorageFailure, isPartitionOffline, type BrokerLookup } from '../brokers/explain';

/** One badge per replica: the leader, followers in sync, followers out of sync, replicas on down brokers. */
export function ReplicaBadges({ partition, lookup }: { partition: PartitionInfo; lookup?: BrokerLookup }) {
  return (
    <span className="badges">
      {partition.replicas.map((replica) => {
        const down = partition.offlineReplicas.includes(replica) || (lookup ? lookup.get(replica)?.state === 'down' : false);
        const inSync = partition.isr.includes(replica);
        const leader = replica === partition.leader;
        const tone = down ? 'bad' : leader ? 'accent' : inSync ? 'good' : 'warn';
        const storage = lookup ? hasStorageFailure(replica, lookup, partition.offlineReplicas) : false;
        const title = storage
          ? 'offline: a storage failure (its log cannot be opened or written on this broker)'
          : down
            ? `offline: broker ${replica} is ${brokerState(lookup?.get(replica))}`
            : leader
              ? 'leader'
              : inSync
                ? 'in sync'
                : 'out of sync';
        return (
          <Badge key={replica} tone={tone} title={`Broker ${replica}: ${title}`}>
            {replica}
          </Badge>
        );
      })}
    </span>
  );
}

/** The ELR as badges (red when the broker is down), then the last known leader, or a dash when both are empty. */
function EligibleLeaders({ partition, lookup }: { partition: PartitionInfo; lookup: BrokerLookup }) {
  const eligible = partition.eligibleLeaderReplicas ?? [];
  const lastKnown = partition.lastKnownElr ?? [];
  if (!eligible.length && !lastKnown.length) return <span className="muted">—</span>;
  return (
    <span className="badges">
      {eligible.map((replica) => {
        const down = lookup.get(replica)?.state === 'down';
        return (
          <Badge
            key={replica}
            tone={down ? 'bad' : 'warn'}
            title={`Broker ${replica}: eligible to lead (holds every committed record)${down ? `; it is ${brokerState(lookup.get(replica))}` : ''}`}
          >
            {replica}
          </Badge>
        );
      })}
      {lastKnown.length ? (
        <span className="muted small" data-testid="last-known-elr" title="The last known leader (KIP-966's last known ELR)">
          last known: {lastKnown.join(', ')}
        </span>
      ) : null}
    </span>
  );
}

export function isUnderReplicated(partition: PartitionInfo): boolean {
  return partition.isr.length < partition.replicas.length;
}

export function PartitionsTable({
  partitions,
  brokers = [],
  onElect,
}: {
  partitions: readonly PartitionInfo[];
  /** The brokers holding the replicas, up or down: to say why a partition is offline. */
  brokers?: readonly BrokerRef[];
  /** Offered on partitions not led by their preferred replica. */
  onElect?: (partition: number) => void;
}) {
  const lookup = brokerMap(brokers);
  // Only a cluster with DescribeTopicPartitions (3.8+) reports eligible leader replicas (KIP-966).
  const showElr = partitions.some((partition) => partition.eligibleLeaderReplicas !== null);
  return (
    <div className="table-x">
      <table className="table partitions-table" aria-label="Partitions">
        <thead>
          <tr>
            <th>Partition</th>
            <th>Leader</th>
            <th>Replicas</th>
            <th>In-sync replicas</th>
            {showElr ? (
              <th title="Eligible leader replicas (KIP-966): replicas that left the ISR below min.insync.replicas and still hold every committed record; with the ISR empty, one of them leads without data loss. The last known leader leads when no replica is in sync or eligible.">
                Eligible leaders (ELR)
              </th>
            ) : null}
            <th className="numeric">Low watermark</th>
            <th className="numeric">High watermark</th>
            <th className="numeric">Records</th>
            <th className="numeric">Size</th>
            {onElect ? <th title="The first replica: the leader a preferred-leader election picks">Preferred</th> : null}
          </tr>
        </thead>
        <tbody>
          {partitions.map((partition) => {
            const offline = isPartitionOffline(partition, lookup);
            const why = explainPartition(partition, lookup);
            const preferred = partition.replicas[0];
            const notPreferred = !offline && preferred !== undefined && partition.leader !== preferred;
            const unread = partition.readError ? `Not read: ${partition.readError}` : undefined;
            return (
              <tr
                key={partition.partition}
                className={offline ? 'row-bad' : isUnderReplicated(partition) ? 'row-warn' : undefined}
                data-partition={partition.partition}
                title={why ? capitalize(why) : undefined}
              >
                <td>{partition.partition}</td>
                <td data-column="leader">
                  {offline ? (
                    <Badge tone="bad" title={why ? capitalize(why) : undefined}>
                      offline
                    </Badge>
                  ) : (
                    <Badge tone="accent">{partition.leader}</Badge>
                  )}
                </td>
                <td>
                  <ReplicaBadges partition={partition} lookup={lookup} />
                </td>
                <td>
                  <span className="badges">
                    {partition.isr.map((replica) => (
                      <Badge key={replica} tone={lookup.get(replica)?.state === 'down' ? 'bad' : 'good'}>
                        {replica}
                      </Badge>
                    ))}
                    {isUnderReplicated(partition) && !offline ? <span className="muted small">under-replicated</span> : null}
                  </span>
                </td>
                {showElr ? (
                  <td data-column="elr">
                    <EligibleLeaders partition={partition} lookup={lookup} />
                  </td>
                ) : null}
                <td className="numeric" title={unread}>
                  {formatCount(partition.lowWatermark)}
                </td>
                <td className="numeric" data-column="high-watermark" title={unread}>
                  {formatCount(partition.highWatermark)}
                </td>
                <td className="numeric" title={unread}>
                  {partition.highWatermark !== null && partition.lowWatermark !== null ? formatCount(partition.highWatermark - partition.lowWatermark) : '—'}
                </td>
                <td className="numeric" title={unread}>
                  {formatBytes(partition.sizeBytes)}
                </td>
                {onElect ? (
                  <td data-column="preferred">
                    {preferred === undefined ? null : notPreferred ? (
                      <button
                        type="button"
                        className="button button-small"
                        title={`Broker ${preferred} is the preferred leader; broker ${partition.leader} leads now`}
                        onClick={() => onElect(partition.partition)}
                      >
                        Elect {preferred}
                      </button>
                    ) : (
                      <span className="muted">{preferred}</span>
                    )}
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
