import { describe, expect, it } from 'vitest';
import { ProducerStateTable } from '../../../electron/broker/cluster/producer-state';

const batch = (baseSequence: number, records = 1, producerEpoch = 0, producerId = 7) => ({
  producerId,
  producerEpoch,
  baseSequence,
  lastOffsetDelta: records - 1,
});

describe('ProducerStateTable', () => {
  it('accepts consecutive sequences and reports retries of recent batches as duplicates', () => {
    const table = new ProducerStateTable();
    expect(table.check(batch(0, 3))).toEqual({ kind: 'append' });
    table.record(batch(0, 3), 100, 1);
    expect(table.check(batch(3, 2)).kind).toBe('append');
    table.record(batch(3, 2), 103, 2);
    expect(table.check(batch(0, 3))).toEqual({ kind: 'duplicate', firstOffset: 100, lastOffset: 102, timestamp: 1 });
    expect(table.check(batch(3, 2))).toMatchObject({ kind: 'duplicate', firstOffset: 103 });
  });

  it('refuses gaps, stale epochs and a new epoch not starting at 0', () => {
    const table = new ProducerStateTable();
    table.record(batch(0, 1, 2), 0, 0);
    expect(table.check(batch(5, 1, 2))).toMatchObject({ kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    expect(table.check(batch(1, 1, 1))).toMatchObject({ kind: 'error', error: 'INVALID_PRODUCER_EPOCH' });
    expect(table.check(batch(4, 1, 3))).toMatchObject({ kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    expect(table.check(batch(0, 1, 3))).toEqual({ kind: 'append' });
  });

  it('keeps only the last five batches, wraps sequences, and forgets truncated offsets', () => {
    const table = new ProducerStateTable();
    for (let i = 0; i < 7; i++) table.record(batch(i), i, 0);
    expect(table.check(batch(1)).kind).toBe('error');
    expect(table.check(batch(2)).kind).toBe('duplicate');
    const wrap = new ProducerStateTable();
    wrap.record(batch(0x7ffffffe, 2), 0, 0);
    expect(wrap.check(batch(0)).kind).toBe('append');
    table.truncateFrom(5);
    expect(table.check(batch(5)).kind).toBe('append');
    table.truncateFrom(0);
    expect(table.size).toBe(0);
  });
});
