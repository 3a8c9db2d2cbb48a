/**
 * Replica assignment as Kafka spreads replicas without racks (AdminUtils.assignReplicasToBrokers): the
 * first replica of each partition goes round robin over the brokers from a random start, and the
 * followers are placed at a shift that grows by one each time the partitions wrap around the brokers,
 * so leaders and followers are both spread evenly.
 */
export function assignReplicas(options: {
  brokerIds: readonly number[];
  partitions: number;
  replicationFactor: number;
  /** Partition id of the first new partition (CreatePartitions continues an existing topic). */
  firstPartition?: number;
  random?: () => number;
}): number[][] {
  const brokers = [...options.brokerIds].sort((a, b) => a - b);
  const n = brokers.length;
  const { partitions, replicationFactor } = options;
  if (replicationFactor < 1) throw new RangeError('replication factor must be at least 1');
  if (replicationFactor > n) {
    throw new RangeError(`replication factor ${replicationFactor} is larger than the ${n} available broker(s)`);
  }
  const random = options.random ?? Math.random;
  const startIndex = Math.floor(random() * n);
  let nextReplicaShift = Math.floor(random() * n);
  let partitionId = Math.max(0, options.firstPartition ?? 0);
  const assignment: number[][] = [];
  for (let i = 0; i < partitions; i++) {
    if (partitionId > 0 && partitionId % n === 0) nextReplicaShift++;
    const first = (partitionId + startIndex) % n;
    const replicas = [brokers[first]!];
    for (let j = 0; j < replicationFactor - 1; j++) {
      const shift = 1 + ((nextReplicaShift + j) % (n - 1));
      replicas.push(brokers[(first + shift) % n]!);
    }
    assignment.push(replicas);
    partitionId++;
  }
  return assignment;
}
