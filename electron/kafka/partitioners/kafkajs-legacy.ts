import { checkPartitionCount } from './count';

/**
 * The hash of kafkajs's LegacyPartitioner (its default before 2.0, still chosen by applications that
 * keep their keys where 1.x put them). It follows murmur2's steps in JavaScript doubles rather than
 * 32-bit integers: products are not wrapped (they round once past 2^53 before the next xor truncates
 * them) and the block loop reads a last, partial block of four (missing bytes count as 0) before the
 * tail bytes are mixed in again. So it agrees with the Java client's murmur2 on few keys, and each
 * step here must stay a plain double operation, as there, to give its numbers.
 */
export function kafkajsLegacyHash(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = data.length;
  const byte = (index: number) => (index < length ? data[index]! : 0);
  let h: number = 0x9747b28c ^ length;
  for (let block = 0; block < length / 4; block++) {
    const at = block * 4;
    let k = byte(at) + (byte(at + 1) << 8) + (byte(at + 2) << 16) + (byte(at + 3) << 24);
    k *= m;
    k ^= k >>> 24;
    k *= m;
    h *= m;
    h ^= k;
  }
  const whole = length & ~3;
  const tail = length % 4;
  if (tail === 3) h ^= byte(whole + 2) << 16;
  if (tail >= 2) h ^= byte(whole + 1) << 8;
  if (tail >= 1) {
    h ^= byte(whole);
    h *= m;
  }
  h ^= h >>> 13;
  h *= m;
  h ^= h >>> 15;
  return h;
}

/** kafkajs's LegacyPartitioner for a keyed record: the hash with its sign bit cleared, modulo the count. */
export function kafkajsLegacyPartition(key: Uint8Array, partitionCount: number): number {
  checkPartitionCount(partitionCount);
  return (kafkajsLegacyHash(key) & 0x7fffffff) % partitionCount;
}
