import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProducerStateTable, readProducerSnapshot, writeProducerSnapshot } from '../../../electron/broker/cluster/producer-state';

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

describe('producer-state snapshots', () => {
  it('round-trip a table: the loaded one answers duplicates and sequences as the original did', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kd-producer-snapshot-'));
    try {
      const table = new ProducerStateTable();
      for (let i = 0; i < 7; i++) table.record(batch(i * 2, 2, 1), 100 + i * 2, 5_000 + i);
      table.record(batch(0, 1, 0, 9), 120, 6_000);
      writeProducerSnapshot(dir, { offset: 121, producers: table.entries() });
      const snapshot = readProducerSnapshot(dir)!;
      expect(snapshot.offset).toBe(121);
      const loaded = new ProducerStateTable();
      loaded.load(snapshot.producers);
      expect(loaded.size).toBe(2);
      expect(loaded.check(batch(12, 2, 1))).toEqual({ kind: 'duplicate', firstOffset: 112, lastOffset: 113, timestamp: 5_006 });
      expect(loaded.check(batch(4, 2, 1))).toEqual(table.check(batch(4, 2, 1)));
      expect(loaded.check(batch(14, 2, 1))).toEqual({ kind: 'append' });
      expect(loaded.check(batch(16, 2, 1)).kind).toBe('error');
      expect(loaded.check(batch(0, 1, 0, 9)).kind).toBe('duplicate');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('are ignored when missing, unreadable or malformed, so the state is rebuilt from the log instead', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kd-producer-snapshot-'));
    try {
      expect(readProducerSnapshot(dir)).toBeNull();
      const file = join(dir, 'producer-state.snapshot');
      for (const content of [
        '{"version":1,"offset":',
        '[]',
        '{"version":2,"offset":5,"producers":[]}',
        '{"version":1,"offset":-1,"producers":[]}',
        '{"version":1,"offset":5,"producers":[{"producerId":1,"epoch":0,"batches":[{"firstSequence":"x"}]}]}',
      ]) {
        writeFileSync(file, content);
        expect(readProducerSnapshot(dir)).toBeNull();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
