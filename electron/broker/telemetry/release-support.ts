import { KAFKA_RELEASE_IDS, type KafkaReleaseId, type MetadataMode } from '../../kafka/releases';

/**
 * Whether a broker playing `release` has client metrics (KIP-714): null when it does, else why not, in
 * the words the resource is refused with. Kafka 3.7 brought them, on KRaft brokers only (a ZooKeeper
 * broker refuses CLIENT_METRICS resources: ZkConfigRepository); 3.7-3.9 play ZooKeeper mode unless told KRaft.
 */
export function clientMetricsRefusal(release: KafkaReleaseId | null, mode: MetadataMode): string | null {
  if (release === null) return null;
  if (KAFKA_RELEASE_IDS.indexOf(release) < KAFKA_RELEASE_IDS.indexOf('3.7')) {
    return `Unsupported resource type 16 (CLIENT_METRICS): client metrics came with Kafka 3.7 (KIP-714) and this cluster plays Kafka ${release}.`;
  }
  if (mode === 'zookeeper') return 'Config type client-metrics is only supported on KRaft clusters';
  return null;
}
