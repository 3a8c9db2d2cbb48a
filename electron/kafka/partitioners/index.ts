// Where producers put a keyed record. Kafka leaves the choice to the client, and the common clients
// differ: a key's records are in one partition, but which one depends on the client that wrote them.
import { crc32Partition } from './crc32';
import { fnv1aPartition, fnv1aReferencePartition } from './fnv1a';
import { kafkajsLegacyPartition } from './kafkajs-legacy';
import { partitionForKey } from './murmur2';

export { crc32Partition } from './crc32';
export { fnv1a, fnv1aPartition, fnv1aReferencePartition } from './fnv1a';
export { kafkajsLegacyHash, kafkajsLegacyPartition } from './kafkajs-legacy';
export { murmur2, partitionForKey } from './murmur2';

export type KeyPartitionerName = 'murmur2' | 'crc32' | 'fnv1a' | 'fnv1a-reference' | 'kafkajs-legacy';

export interface KeyPartitioner {
  name: KeyPartitionerName;
  /** Short, for a status line: the hash and the best-known clients that use it. */
  label: string;
  /** Which clients pick partitions this way (by default, or with the setting named). */
  clients: string;
  partition(key: Uint8Array, partitionCount: number): number;
}

/** The key partitioners of the common clients, the Java client's first. */
export const KEY_PARTITIONERS: readonly KeyPartitioner[] = [
  {
    name: 'murmur2',
    label: 'murmur2 (Java, kafkajs, kafka-python)',
    clients:
      'the Java client, kafkajs 2.x (DefaultPartitioner), kafka-python, @platformatic/kafka, franz-go; librdkafka with partitioner=murmur2 or murmur2_random',
    partition: partitionForKey,
  },
  {
    name: 'crc32',
    label: 'CRC32 (librdkafka: kcat, confluent-kafka)',
    clients: 'librdkafka (kcat, confluent-kafka for Python, Go and .NET, node-rdkafka): consistent_random, its default, and consistent',
    partition: crc32Partition,
  },
  {
    name: 'fnv1a',
    label: 'FNV-1a (sarama)',
    clients: "Go sarama's default (NewHashPartitioner); librdkafka with partitioner=fnv1a or fnv1a_random",
    partition: fnv1aPartition,
  },
  {
    name: 'fnv1a-reference',
    label: 'FNV-1a reference (sarama)',
    clients: "Go sarama's NewReferenceHashPartitioner",
    partition: fnv1aReferencePartition,
  },
  {
    name: 'kafkajs-legacy',
    label: 'kafkajs legacy',
    clients: 'kafkajs 1.x, and 2.x with createPartitioner: Partitioners.LegacyPartitioner',
    partition: kafkajsLegacyPartition,
  },
];

/**
 * The partitions the common clients would put `key` in, each with the partitioners that pick it, in
 * partition order: where to look for a key's records without knowing which client wrote them.
 */
export function keyPartitions(key: Uint8Array, partitionCount: number): { partition: number; partitioners: KeyPartitionerName[] }[] {
  const byPartition = new Map<number, KeyPartitionerName[]>();
  for (const partitioner of KEY_PARTITIONERS) {
    const partition = partitioner.partition(key, partitionCount);
    byPartition.set(partition, [...(byPartition.get(partition) ?? []), partitioner.name]);
  }
  return [...byPartition].sort(([a], [b]) => a - b).map(([partition, partitioners]) => ({ partition, partitioners }));
}
