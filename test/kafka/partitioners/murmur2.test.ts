import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from '../../../electron/kafka/partitioners/murmur2';

describe('murmur2', () => {
  // Vectors from Apache Kafka's UtilsTest.testMurmur2 (the Java client's own expectations).
  const vectors: Array<[string, number]> = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];
  it.each(vectors)('hashes %s as the Java client does', (key, expected) => {
    expect(murmur2(Buffer.from(key))).toBe(expected);
  });

  it('picks partitions in range and rejects impossible partition counts', () => {
    for (let i = 0; i < 1000; i++) {
      const p = partitionForKey(Buffer.from(`key-${i}`), 7);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(7);
    }
    expect(() => partitionForKey(Buffer.from('x'), 0)).toThrow(RangeError);
  });
});
