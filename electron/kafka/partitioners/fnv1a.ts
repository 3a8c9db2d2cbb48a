import { checkPartitionCount } from './count';

/** 32-bit FNV-1a (Fowler/Noll/Vo), unsigned: Go's hash/fnv New32a, librdkafka's rd_fnv1a before its abs. */
export function fnv1a(data: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) hash = Math.imul(hash ^ data[i]!, 0x01000193);
  return hash >>> 0;
}

/**
 * Sarama's default partitioner (NewHashPartitioner), and librdkafka's `fnv1a` and `fnv1a_random`,
 * which copy it: the FNV-1a hash read as a signed 32-bit number, modulo the partition count, then its
 * absolute value (Go's % keeps the dividend's sign). librdkafka takes the absolute value before the
 * modulo; the two agree for every hash, -2^31 included.
 */
export function fnv1aPartition(key: Uint8Array, partitionCount: number): number {
  checkPartitionCount(partitionCount);
  // Math.abs also turns the -0 that a negative hash modulo 1 gives into 0.
  return Math.abs((fnv1a(key) | 0) % partitionCount);
}

/**
 * Sarama's NewReferenceHashPartitioner (and NewCustomPartitioner(WithAbsFirst())): the FNV-1a hash
 * with its sign bit cleared, modulo the partition count, as the Java client treats murmur2.
 */
export function fnv1aReferencePartition(key: Uint8Array, partitionCount: number): number {
  checkPartitionCount(partitionCount);
  return (fnv1a(key) & 0x7fffffff) % partitionCount;
}
