import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  KEY_PARTITIONERS,
  crc32Partition,
  fnv1a,
  fnv1aPartition,
  fnv1aReferencePartition,
  kafkajsLegacyPartition,
  keyPartitions,
  partitionForKey,
} from '../../../electron/kafka/partitioners/index';

const require = createRequire(import.meta.url);
const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('crc32 (librdkafka consistent, consistent_random)', () => {
  it('is the CRC-32 of the key, unsigned, modulo the count', () => {
    // "123456789" is CRC-32's check string: 0xCBF43926 = 3421780262 (the CRC catalogue's check value).
    expect(crc32Partition(bytes('123456789'), 2147483647)).toBe(3421780262 - 2147483647);
    expect(crc32Partition(bytes('123456789'), 100)).toBe(62);
    expect(crc32Partition(bytes('123456789'), 7)).toBe(3421780262 % 7);
  });

  it('maps an empty key to partition 0, as consistent does', () => {
    expect(crc32Partition(new Uint8Array(0), 7)).toBe(0);
  });
});

describe('fnv1a (sarama NewHashPartitioner, librdkafka fnv1a)', () => {
  it('hashes as FNV-1a 32', () => {
    // The FNV reference test vectors (isthe.com/chongo/src/fnv/test_fnv.c).
    expect(fnv1a(bytes(''))).toBe(0x811c9dc5);
    expect(fnv1a(bytes('a'))).toBe(0xe40c292c);
    expect(fnv1a(bytes('foobar'))).toBe(0xbf9cf968);
  });

  // librdkafka's unittest_fnv1a: Go's hash/fnv results after the absolute value librdkafka takes to
  // match sarama, which it then reduces modulo the count.
  const librdkafkaVectors: Array<[string, number]> = [
    ['kafka', 0xd33c4e1],
    ['giberish123456789', 0x77a58295],
    ['1234', 0x23bdd03],
    ['234', 0x2dea3cd2],
    ['34', 0x740fa83e],
    ['4', 0x310ca263],
    ['PreAmbleWillBeRemoved,ThePrePartThatIs', 0x65cbd69c],
    ['reAmbleWillBeRemoved,ThePrePartThatIs', 0x6e49c79a],
    ['eAmbleWillBeRemoved,ThePrePartThatIs', 0x69eed356],
    ['AmbleWillBeRemoved,ThePrePartThatIs', 0x6abcc023],
    ['', 0x7ee3623b],
  ];
  it.each(librdkafkaVectors)('puts %j where librdkafka and sarama do', (key, absoluteHash) => {
    expect(Math.abs(fnv1a(bytes(key)) | 0)).toBe(absoluteHash);
    for (const count of [1, 3, 7, 50, 1000, 2147483647]) expect(fnv1aPartition(bytes(key), count)).toBe(absoluteHash % count);
  });

  it('keeps a hash of -2^31 in range, as sarama does', () => {
    // sarama's TestHashPartitionerMinInt32: "1468509572224" hashes to 0x80000000.
    const key = bytes('1468509572224');
    expect(fnv1a(key)).toBe(0x80000000);
    expect(fnv1aPartition(key, 50)).toBe(2 ** 31 % 50);
    // NewReferenceHashPartitioner clears the sign bit first, as the Java client does with murmur2.
    expect(fnv1aReferencePartition(key, 50)).toBe(0);
  });

  it('the reference variant differs only for hashes with the sign bit set', () => {
    for (let i = 0; i < 500; i++) {
      const key = bytes(`key-${i}`);
      const hash = fnv1a(key);
      if (hash < 0x80000000) expect(fnv1aReferencePartition(key, 13)).toBe(fnv1aPartition(key, 13));
      else expect(fnv1aReferencePartition(key, 13)).toBe((hash & 0x7fffffff) % 13);
    }
  });
});

describe('kafkajs', () => {
  const { Partitioners } = require('kafkajs') as typeof import('kafkajs');
  const layout = (count: number) =>
    Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  const keys = Array.from({ length: 600 }, (_, i) => (i % 5 === 0 ? `ключ-${i}-é` : `user-${i * 7919}`.slice(0, 1 + (i % 17))));

  it('LegacyPartitioner (1.x default) puts every key where kafkajs itself does', () => {
    const legacy = Partitioners.LegacyPartitioner();
    for (const count of [1, 2, 7, 12, 100]) {
      for (const key of keys) {
        expect(kafkajsLegacyPartition(bytes(key), count), `${key} in ${count}`).toBe(
          legacy({ topic: 't', partitionMetadata: layout(count), message: { key, value: null } }),
        );
      }
    }
  });

  it('DefaultPartitioner (2.x) is the Java client murmur2', () => {
    const current = Partitioners.DefaultPartitioner();
    for (const key of keys) expect(partitionForKey(bytes(key), 12)).toBe(current({ topic: 't', partitionMetadata: layout(12), message: { key, value: null } }));
  });
});

describe('keyPartitions', () => {
  it('lists each partition a common client picks once, with who picks it', () => {
    const key = bytes('order-42');
    const found = keyPartitions(key, 7);
    expect(found.map((entry) => entry.partition)).toEqual([...new Set(KEY_PARTITIONERS.map((p) => p.partition(key, 7)))].sort((a, b) => a - b));
    expect(found.flatMap((entry) => entry.partitioners).sort()).toEqual(KEY_PARTITIONERS.map((p) => p.name).sort());
    for (const entry of found)
      for (const name of entry.partitioners) expect(KEY_PARTITIONERS.find((p) => p.name === name)!.partition(key, 7)).toBe(entry.partition);
    expect(keyPartitions(key, 1)).toEqual([{ partition: 0, partitioners: KEY_PARTITIONERS.map((p) => p.name) }]);
  });

  it('refuses impossible partition counts', () => {
    for (const count of [0, -1, 1.5, Number.NaN, 2 ** 31]) {
      for (const partitioner of KEY_PARTITIONERS) expect(() => partitioner.partition(bytes('x'), count)).toThrow(RangeError);
    }
  });
});
