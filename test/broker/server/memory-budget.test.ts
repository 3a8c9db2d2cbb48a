import { describe, expect, it } from 'vitest';
import { MemoryBudget } from '../../../electron/broker/server/memory-budget';

describe('MemoryBudget (queued.max.request.bytes)', () => {
  it('reserves while there is room, then queues requests and grants them in arrival order as memory comes back', () => {
    const budget = new MemoryBudget(100);
    expect(budget.tryReserve(60)).toBe(true);
    const granted: string[] = [];
    budget.reserve(50, () => granted.push('a'));
    budget.reserve(10, () => granted.push('b'));
    // b would fit, but waits behind a: a large request is not starved by small ones.
    expect(granted).toEqual([]);
    expect(budget.tryReserve(10)).toBe(false);
    budget.release(60);
    expect(granted).toEqual(['a', 'b']);
    expect(budget.usedBytes).toBe(60);
    expect(budget.available()).toBe(40);
  });

  it('lets a cancelled head of the line unblock the others', () => {
    const budget = new MemoryBudget(100);
    budget.tryReserve(90);
    const granted: string[] = [];
    const cancel = budget.reserve(50, () => granted.push('big'));
    budget.reserve(5, () => granted.push('small'));
    cancel();
    expect(granted).toEqual(['small']);
    expect(budget.waiting).toBe(0);
  });

  it('counts responses that exist already, beyond the capacity, and lets one oversized request through when nothing else holds memory', () => {
    const budget = new MemoryBudget(100);
    budget.charge(150);
    expect(budget.available()).toBe(0);
    let granted = false;
    budget.reserve(500, () => (granted = true));
    expect(granted).toBe(false);
    budget.release(150);
    expect(granted).toBe(true);
    expect(budget.usedBytes).toBe(500);
  });

  it("has no limit at -1 (Kafka's default)", () => {
    const budget = new MemoryBudget(-1);
    expect(budget.tryReserve(1e12)).toBe(true);
    expect(budget.available()).toBe(Infinity);
  });
});
