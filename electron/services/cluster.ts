// Cluster overview from Metadata and ApiVersions: the same requests on the embedded cluster and on
// any real one.
import type { Admin } from '@platformatic/kafka';
import type { ClusterOverview } from '../../shared/model/schemas';
import { allTopicsMetadata, type MetadataResponse } from './metadata';

/** The raw Metadata response in the shape the rest of this file reads (internal topics left out). */
function toClusterMetadata(response: MetadataResponse) {
  return {
    id: response.clusterId ?? '',
    controllerId: response.controllerId,
    brokers: new Map(response.brokers.map((broker) => [broker.nodeId, { host: broker.host, port: broker.port, rack: broker.rack }])),
    topics: new Map(
      response.topics
        .filter((topic) => !topic.isInternal && topic.name && topic.errorCode !== 3)
        .map((topic) => [
          topic.name ?? '',
          {
            partitions: topic.partitions.map((partition) => ({
              leader: partition.leaderId,
              replicas: partition.replicaNodes,
              isr: partition.isrNodes,
            })),
          },
        ]),
    ),
  };
}

export async function clusterOverview(admin: Admin): Promise<ClusterOverview> {
  const [response, apis] = await Promise.all([allTopicsMetadata(admin), admin.listApis()]);
  const metadata = toClusterMetadata(response);
  let partitionCount = 0;
  let replicaCount = 0;
  let underReplicatedPartitions = 0;
  let offlinePartitions = 0;
  const leadersByBroker = new Map<number, number>();
  const replicasByBroker = new Map<number, number>();
  for (const topic of metadata.topics.values()) {
    for (const partition of topic.partitions) {
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
      .map(([id, broker]) => ({
        id,
        host: broker.host,
        port: broker.port,
        rack: broker.rack ?? null,
        isController: id === metadata.controllerId,
        leaderPartitions: leadersByBroker.get(id) ?? 0,
        replicas: replicasByBroker.get(id) ?? 0,
      }))
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
