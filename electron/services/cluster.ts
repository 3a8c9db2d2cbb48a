// Cluster overview from Metadata and ApiVersions: the same requests on the embedded cluster and on
// any real one.
import type { Admin } from '@platformatic/kafka';
import type { ClusterOverview } from '../../shared/model/schemas';

export async function clusterOverview(admin: Admin): Promise<ClusterOverview> {
  const topicNames = await admin.listTopics({ includeInternals: true });
  const [metadata, apis] = await Promise.all([
    admin.metadata({ topics: topicNames, forceUpdate: true }),
    admin.listApis(),
  ]);
  let partitionCount = 0;
  let replicaCount = 0;
  let underReplicatedPartitions = 0;
  let offlinePartitions = 0;
  for (const topic of metadata.topics.values()) {
    for (const partition of topic.partitions) {
      partitionCount += 1;
      replicaCount += partition.replicas.length;
      if (partition.leader < 0) offlinePartitions += 1;
      if (partition.isr.length < partition.replicas.length) underReplicatedPartitions += 1;
    }
  }
  return {
    clusterId: metadata.id,
    controllerId: metadata.controllerId,
    brokers: [...metadata.brokers.entries()]
      .map(([id, broker]) => ({ id, host: broker.host, port: broker.port, rack: broker.rack ?? null, isController: id === metadata.controllerId }))
      .sort((a, b) => a.id - b.id),
    apiVersions: apis
      .map((api) => ({ apiKey: api.apiKey, name: api.name, minVersion: api.minVersion, maxVersion: api.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey),
    topicCount: metadata.topics.size,
    partitionCount,
    replicaCount,
    underReplicatedPartitions,
    offlinePartitions,
  };
}
