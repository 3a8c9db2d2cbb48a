import { describe, expect, it } from 'vitest';
import { formatCount, formatQuantity } from '../../renderer/src/components/format';

describe('formatQuantity', () => {
  it('agrees the noun with the count', () => {
    expect(formatQuantity(1, 'record')).toBe('1 record');
    expect(formatQuantity(0, 'record')).toBe('0 records');
    expect(formatQuantity(3, 'broker')).toBe('3 brokers');
    expect(formatQuantity(1, 'match', 'matches')).toBe('1 match');
    expect(formatQuantity(2, 'match', 'matches')).toBe('2 matches');
  });

  it('writes counts and offsets with thousands separators', () => {
    expect(formatQuantity(9967, 'record')).toBe('9,967 records');
    expect(formatCount(1234567)).toBe('1,234,567');
  });
});
