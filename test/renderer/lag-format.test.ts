// The lag screens' words and axes: "keeping up" instead of a time to catch up for a group that keeps
// pace, and time ticks that are evenly spaced and round on the local clock.
import { describe, expect, it } from 'vitest';
import { formatCatchUp, timeTicks } from '../../renderer/src/features/groups/format';

describe('lag words', () => {
  it('says "keeping up" for a group that keeps pace, a duration for one catching up', () => {
    const base = { lag: 120, consumeRate: 101, produceRate: 100 };
    expect(formatCatchUp({ ...base, catchUpMs: null, keepingUp: true })).toBe('keeping up');
    expect(formatCatchUp({ ...base, catchUpMs: 19_000 })).toBe('19 s');
    expect(formatCatchUp({ ...base, consumeRate: 50, catchUpMs: null })).toBe('growing');
    expect(formatCatchUp({ ...base, lag: 0, catchUpMs: 0 })).toBe('caught up');
  });
});

describe('time ticks', () => {
  const minute = 60_000;
  it.each([
    [5 * minute, 60_000],
    [15 * minute, 5 * minute],
    [60 * minute, 10 * minute],
    [6 * 60 * minute, 60 * minute],
    [24 * 60 * minute, 6 * 60 * minute],
  ])('over %i ms: evenly spaced by %i ms, round on the local clock, at most 6', (range, step) => {
    const to = Date.UTC(2026, 11, 6, 10, 17, 23, 456);
    const from = to - range;
    const ticks = timeTicks(from, to);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.length).toBeLessThanOrEqual(6);
    const gaps = new Set(ticks.slice(1).map((tick, index) => tick - ticks[index]!));
    expect([...gaps]).toEqual([step]);
    expect(ticks.every((tick) => tick >= from && tick <= to)).toBe(true);
    const offset = new Date(from).getTimezoneOffset() * minute;
    expect(ticks.every((tick) => (tick - offset) % step === 0)).toBe(true);
  });

  it('has no ticks for an empty range', () => {
    expect(timeTicks(10, 10)).toEqual([]);
  });
});
