// Cluster overview from Metadata and ApiVersions: the same requests on the embedded cluster and on
// any real one.
import type { Admin } from '@platformatic/kafka';
import type { ClusterOverview } from '../../shared/model/schemas';

export async function clusterOverview(admin: Admin): Promise<ClusterOverview> {
  const topicNames = await admin.listTopics();
  const [metadata, apis] = await Promise.all([
    admin.metadata({ topics: topicNames, forceUpdate: true }),
    admin.listApis(),
  ]);
  let partitionCount = 0;
  let replicaCount = 0;
  let underReplicatedPartitions = 0;
  let offlinePartitions = 0;
  const leadersByBroker = new Map<number, number>();
  const replicasByBroker = new Map<number, number>();
  for (const topic of metadata.topics.values()) {
    // Internal topics are left out of the client's metadata cache.
    if (!topic) continue;
    for (const partition of topic.partitions) {
      if (!partition) continue;
      partitionCount += 1;
      leadersByBroker.set(partition.leader, (leadersByBroker.get(partition.leader) ?? 0) + 1);
      for (const replica of partition.replicas) replicasByBroker.set(replica, (replicasByBroker.get(replica) ?? 0) + 1);
      replicaCount += partition.replicas.length;
      if (partition.leader < 0) offlinePartitions += 1;
      if (partition.isr.length < partition.replicas.length) underReplicatedPartitions += 1;
    }
  }
  return {
    clusterId: metadata.id,
    controllerId: metadata.controllerId,
    brokers: [...metadata.brokers.entries()]
      .map(([id, broker]) => ({ id, host: broker.host, port: broker.port, rack: broker.rack ?? null, isController: id === metadata.controllerId,
        leaderPartitions: leadersByBroker.get(id) ?? 0,
        replicas: replicasByBroker.get(id) ?? 0,
      }))
      .sort((a, b) => a.id - b.id),
    apiVersions: apis
      .map((api) => ({ apiKey: api.apiKey, name: api.name, minVersion: api.minVersion, maxVersion: api.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey),
    topicCount: [...metadata.topics.values()].filter(Boolean).length,
    partitionCount,
    replicaCount,
    underReplicatedPartitions,
    offlinePartitions,
  };
}
