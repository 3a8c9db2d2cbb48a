// A Producer whose view of the cluster survives offline partitions. The library's producer reads
// Metadata before every send and its parser throws when any partition of the topic has no leader,
// so one offline partition stopped every write to the topic, even to healthy partitions. This one
// answers the producer's metadata lookups from the tolerant reader instead (an offline partition has
// leader -1), and the produce service steers records away from offline partitions or says why not.
import { kMetadata, Producer, UserError, type CallbackWithPromise, type ClusterMetadata, type MetadataOptions } from '@platformatic/kafka';
import { readMetadata, type ClusterSnapshot } from './read';
import type { KafkaClient } from './wire';

/** The library's metadata shape from a tolerant snapshot; partitions without a live leader get -1. */
export function toClusterMetadata(snapshot: ClusterSnapshot, topics: readonly string[]): ClusterMetadata {
  const result: ClusterMetadata = {
    id: snapshot.clusterId,
    controllerId: snapshot.controllerId,
    brokers: new Map([...snapshot.brokers].map(([id, broker]) => [id, { host: broker.host, port: broker.port, rack: broker.rack }])),
    topics: new Map(),
    lastUpdate: snapshot.at,
  };
  for (const name of topics) {
    const topic = snapshot.topics.get(name);
    if (!topic || !topic.partitions.length) throw new UserError(`Unknown topic ${name}.`);
    const partitions = topic.partitions.map((partition) => ({
      leader: partition.leader >= 0 && snapshot.brokers.has(partition.leader) ? partition.leader : -1,
      leaderEpoch: partition.leaderEpoch,
      replicas: partition.replicas,
      isr: partition.isr,
      offlineReplicas: partition.offlineReplicas,
    }));
    result.topics.set(name, { id: topic.id, partitions, partitionsCount: partitions.length, lastUpdate: snapshot.at });
  }
  return result;
}

export class TolerantProducer<Key = Buffer, Value = Buffer, HeaderKey = Buffer, HeaderValue = Buffer> extends Producer<Key, Value, HeaderKey, HeaderValue> {
  override [kMetadata](options: MetadataOptions, callback: CallbackWithPromise<ClusterMetadata>): void {
    const topics = options.topics ?? [];
    readMetadata(this as unknown as KafkaClient, topics).then(
      (snapshot) => {
        let metadata: ClusterMetadata;
        try {
          metadata = toClusterMetadata(snapshot, topics);
        } catch (error) {
          callback(error as Error, undefined);
          return;
        }
        callback(null, metadata);
      },
      (error: unknown) => callback(error as Error, undefined as unknown as ClusterMetadata),
    );
  }
}
