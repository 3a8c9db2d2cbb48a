// Find by key in words: what was searched, whether every partition was, where the key was found.
import { describe, expect, it } from 'vitest';
import { foundText, searchedText } from '../../renderer/src/features/messages/key-search';

const candidates = [
  { partition: 1, partitioners: ['CRC32 (librdkafka: kcat, confluent-kafka)'] },
  { partition: 4, partitioners: ['murmur2 (Java, kafkajs, kafka-python)', 'FNV-1a (sarama)'] },
];

describe('find by key words', () => {
  it('names each partition searched with the partitioners that pick it, and where the key was', () => {
    const search = { candidates, fallback: false, found: [candidates[0]!] };
    expect(searchedText(search)).toBe(
      'Searched partitions 1 (CRC32 (librdkafka: kcat, confluent-kafka)); 4 (murmur2 (Java, kafkajs, kafka-python), FNV-1a (sarama)).',
    );
    expect(foundText(search)).toBe('Found in partition 1, where CRC32 (librdkafka: kcat, confluent-kafka) puts it.');
  });

  it('says when the search went on to every partition, and when no common partitioner explains where the key was', () => {
    const search = { candidates, fallback: true, found: [{ partition: 3, partitioners: [] }] };
    expect(searchedText(search)).toMatch(/none held the key, so every other partition was searched too\.$/);
    expect(foundText(search)).toMatch(/^Found in partition 3, where none of the common partitioners puts it/);
    expect(foundText({ candidates, fallback: true, found: [] })).toBeNull();
  });

  it('a chosen partition is searched alone, said with whether a common partitioner picks it', () => {
    expect(searchedText({ candidates, chosen: [2], fallback: false, found: [] })).toBe(
      'Searched the partition chosen: partition 2 (none of the common partitioners put the key there).',
    );
    expect(searchedText({ candidates, chosen: [4], fallback: false, found: [] })).toContain('where murmur2');
  });
});
