import { crc32 } from '../records/crc32';
import { checkPartitionCount } from './count';

/**
 * librdkafka's `consistent` and `consistent_random` partitioners (its default is consistent_random, so
 * this is where kcat, confluent-kafka-python/-go/-dotnet and node-rdkafka put keyed records): the
 * CRC-32 (IEEE) of the key, unsigned, modulo the partition count. An empty key hashes to 0 here, as
 * `consistent` maps it; `consistent_random` spreads empty and null keys at random instead.
 */
export function crc32Partition(key: Uint8Array, partitionCount: number): number {
  checkPartitionCount(partitionCount);
  return crc32(key) % partitionCount;
}
