// The connection state machine on its own, with a scripted probe and fake timers: which state each
// outcome leads to, when the next check runs (backing off while down), and what Cancel leaves.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionHealth } from '../../shared/model/connections';
import { HealthMonitor, ProbeAborted, type ProbeResult } from '../../electron/services/connections/health';

const timeouts = { connectMs: 1_000, requestMs: 2_000 };
const up = (ids: number[]): ProbeResult => ({
  rttMs: 3,
  brokers: ids.map((id) => ({ id, address: `h:${9092 + id}`, ok: true, rttMs: 1, error: null })),
});

describe('health monitor', () => {
  let outcomes: (ProbeResult | Error)[];
  let emitted: ConnectionHealth[];
  let probes: number;
  let monitor: HealthMonitor;

  beforeEach(() => {
    vi.useFakeTimers();
    outcomes = [];
    emitted = [];
    probes = 0;
    monitor = new HealthMonitor({
      probe: async () => {
        probes += 1;
        const next = outcomes.shift() ?? new Error('no outcome scripted');
        if (next instanceof Error) throw next;
        return next;
      },
      emit: (health) => emitted.push(health),
      timeouts: () => timeouts,
      intervalMs: 15_000,
    });
  });
  afterEach(() => {
    monitor.close();
    vi.useRealTimers();
  });

  it('goes idle → connecting → up on first use, then checks every interval while in use', async () => {
    outcomes.push(up([0, 1]), up([0, 1]));
    expect(monitor.get('c').state).toBe('idle');
    const checked = await monitor.check('c');
    expect(emitted.map((health) => health.state)).toEqual(['connecting', 'up']);
    expect(checked).toMatchObject({ state: 'up', rttMs: 3, reachable: true, detail: null, timeouts });
    expect(checked.nextCheckAt! - checked.checkedAt!).toBe(15_000);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(probes).toBe(2);
  });

  it('is down with the error while nothing answers, backing off 2, 4, 8 s, and reachable again when it answers', async () => {
    outcomes.push(new Error('h:9092 refused'), new Error('h:9092 refused'), new Error('h:9092 refused'), up([0]));
    const down = await monitor.check('c');
    expect(down).toMatchObject({ state: 'down', reachable: false, lastError: { message: 'h:9092 refused' } });
    expect(down.nextCheckAt! - down.checkedAt!).toBe(2_000);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(monitor.get('c').nextCheckAt! - monitor.get('c').checkedAt!).toBe(4_000);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(monitor.get('c').nextCheckAt! - monitor.get('c').checkedAt!).toBe(8_000);
    await vi.advanceTimersByTimeAsync(8_000);
    expect(monitor.get('c')).toMatchObject({ state: 'up', reachable: true, lastError: { message: 'h:9092 refused' } });
    // Only the first contact showed "connecting"; checked again, it stayed down until it answered.
    expect(emitted.map((health) => health.state).filter((state, index, all) => state !== all[index - 1])).toEqual(['connecting', 'down', 'up']);
  });

  it('is degraded when a broker does not answer or leaves the metadata, naming it', async () => {
    outcomes.push(up([0, 1, 2]));
    await monitor.check('c');
    outcomes.push({ rttMs: 4, brokers: [...up([0]).brokers, { id: 1, address: 'h:9093', ok: false, rttMs: null, error: 'h:9093 refused the connection.' }] });
    const degraded = await monitor.check('c');
    expect(degraded.state).toBe('degraded');
    expect(degraded.brokers.map((broker) => [broker.id, broker.state])).toEqual([
      [0, 'up'],
      [1, 'down'],
      [2, 'missing'],
    ]);
    expect(degraded.detail).toBe(
      '2 of 3 brokers do not answer: broker 1 at h:9093 (h:9093 refused the connection); broker 2 at h:9094 (The cluster no longer lists this broker: it is stopped or cannot reach the controller).',
    );
  });

  it('an aborted check leaves the state it found, and Cancel stops checking until the next use', async () => {
    outcomes.push(new ProbeAborted('closed'));
    expect(await monitor.check('c')).toMatchObject({ state: 'idle' });
    outcomes.push(up([0]));
    await monitor.check('c');
    monitor.abort('c', { pause: true });
    expect(monitor.get('c').nextCheckAt).toBeNull();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(probes).toBe(2);
  });

  it('stops checking a connection nobody used for two minutes', async () => {
    for (let index = 0; index < 20; index += 1) outcomes.push(up([0]));
    monitor.touch('c');
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(200_000);
    // Checks at 0, 15, 30, ... 120 s; none after that.
    expect(probes).toBe(9);
    expect(monitor.get('c').nextCheckAt).toBeNull();
  });
});
