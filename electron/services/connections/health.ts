// The truthful state of each connection: checked now and then while the connection is in use (every
// 15 s while it answers; after 2, 4, 8 ... up to 30 s while it does not), and at once when something
// hints at a change (a request failed for network reasons, or succeeded while the cluster was down).
// A check (the probe, given by the connection service) asks a bootstrap server for the brokers
// (Metadata without topics, timed: the round trip) and each broker for its API versions; its outcome
// alone decides the state, so screens that fail for other reasons never flip it.
import type { BrokerReachability, ConnectionHealth, ConnectionState } from '../../../shared/model/connections';
import type { ConnectionTimeouts } from '../../../shared/model/schemas';

export interface ProbedBroker {
  id: number;
  address: string;
  ok: boolean;
  rttMs: number | null;
  /** Why it did not answer. */
  error: string | null;
}

export interface ProbeResult {
  rttMs: number;
  /** Every broker the cluster listed, plus those known to exist that it did not list (not ok). */
  brokers: ProbedBroker[];
}

export type Probe = (connectionId: string) => Promise<ProbeResult>;

/** Thrown by a probe whose clients were closed under it (Cancel, an edited connection). */
export class ProbeAborted extends Error {}

interface Entry {
  health: ConnectionHealth;
  lastUsedAt: number;
  timer: NodeJS.Timeout | null;
  running: Promise<ConnectionHealth> | null;
  generation: number;
  failures: number;
  /** Brokers seen in this run, so one that leaves the metadata is reported missing, not forgotten. */
  known: Map<number, string>;
  /** The state a check that shows "connecting" replaced, restored if the check is abandoned. */
  before: ConnectionState | null;
}

export interface HealthMonitorOptions {
  probe: Probe;
  emit: (health: ConnectionHealth) => void;
  timeouts: (connectionId: string) => ConnectionTimeouts;
  intervalMs?: number;
  firstBackoffMs?: number;
  maxBackoffMs?: number;
  /** A connection nobody asked anything of for this long is no longer checked. */
  idleAfterMs?: number;
  now?: () => number;
}

export class HealthMonitor {
  readonly #entries = new Map<string, Entry>();
  readonly #options: Required<Omit<HealthMonitorOptions, 'now'>> & { now: () => number };
  #closed = false;

  constructor(options: HealthMonitorOptions) {
    this.#options = {
      intervalMs: 15_000,
      firstBackoffMs: 2_000,
      maxBackoffMs: 30_000,
      idleAfterMs: 120_000,
      now: Date.now,
      ...options,
    };
  }

  get(connectionId: string): ConnectionHealth {
    return this.#entry(connectionId).health;
  }

  /** The connection is in use: keep checking it. The first use starts a check. */
  touch(connectionId: string): void {
    const entry = this.#entry(connectionId);
    entry.lastUsedAt = this.#options.now();
    if (!entry.timer && !entry.running) void this.#start(connectionId, entry);
  }

  /** Checks now (or joins the check under way) and answers the state it found. */
  check(connectionId: string): Promise<ConnectionHealth> {
    const entry = this.#entry(connectionId);
    entry.lastUsedAt = this.#options.now();
    return this.#start(connectionId, entry);
  }

  /** Something hints that the state changed: check at once unless a check is under way. */
  suspect(connectionId: string): void {
    const entry = this.#entries.get(connectionId);
    if (entry && !entry.running) void this.#start(connectionId, entry);
  }

  /** The check under way is void (its clients were closed): its outcome is dropped and the state
   * goes back to what it was before it. `pause` (the user pressed Cancel): no more checks until
   * the connection is used again. */
  abort(connectionId: string, options: { pause?: boolean } = {}): void {
    const entry = this.#entries.get(connectionId);
    if (!entry) return;
    entry.generation += 1;
    if (options.pause) {
      entry.lastUsedAt = 0;
      if (!entry.running) this.#schedule(connectionId, entry);
    }
    if (entry.running) {
      entry.running = null;
      const state = entry.health.state === 'connecting' ? (entry.before ?? 'idle') : entry.health.state;
      entry.before = null;
      this.#schedule(connectionId, entry, { ...entry.health, state });
    }
  }

  /** The connection changed (edited, the embedded cluster restarted): start over, keeping use. */
  reset(connectionId: string): void {
    const entry = this.#entries.get(connectionId);
    if (!entry) return;
    this.abort(connectionId);
    entry.known.clear();
    entry.failures = 0;
    this.#set(entry, { ...this.#initial(connectionId), reachable: entry.health.reachable, lastError: entry.health.lastError });
    if (this.#inUse(entry)) void this.#start(connectionId, entry);
  }

  /**
   * Forgets the brokers of a connection that are not in `ids`: a broker removed from the embedded cluster
   * is gone, not missing (the cluster panel's Remove, #19), and must not leave the connection degraded.
   */
  retainBrokers(connectionId: string, ids: ReadonlySet<number>): void {
    const entry = this.#entries.get(connectionId);
    if (!entry) return;
    for (const id of [...entry.known.keys()]) if (!ids.has(id)) entry.known.delete(id);
  }

  forget(connectionId: string): void {
    const entry = this.#entries.get(connectionId);
    if (!entry) return;
    entry.generation += 1;
    if (entry.timer) clearTimeout(entry.timer);
    this.#entries.delete(connectionId);
  }

  close(): void {
    this.#closed = true;
    for (const entry of this.#entries.values()) {
      entry.generation += 1;
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
    }
  }

  #initial(connectionId: string): ConnectionHealth {
    return {
      connectionId,
      state: 'idle',
      since: this.#options.now(),
      reachable: true,
      rttMs: null,
      checkedAt: null,
      nextCheckAt: null,
      checking: false,
      lastError: null,
      detail: null,
      brokers: [],
      timeouts: this.#options.timeouts(connectionId),
    };
  }

  #entry(connectionId: string): Entry {
    let entry = this.#entries.get(connectionId);
    if (!entry) {
      entry = {
        health: this.#initial(connectionId),
        lastUsedAt: 0,
        timer: null,
        running: null,
        generation: 0,
        failures: 0,
        known: new Map(),
        before: null,
      };
      this.#entries.set(connectionId, entry);
    }
    return entry;
  }

  #inUse(entry: Entry): boolean {
    return this.#options.now() - entry.lastUsedAt < this.#options.idleAfterMs;
  }

  #set(entry: Entry, next: ConnectionHealth): void {
    const now = this.#options.now();
    const health = { ...next, since: next.state === entry.health.state ? entry.health.since : now };
    entry.health = health;
    if (!this.#closed) this.#options.emit(health);
  }

  async #run(connectionId: string, entry: Entry): Promise<ConnectionHealth> {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    const generation = entry.generation;
    const timeouts = this.#options.timeouts(connectionId);
    // Only a first contact shows "connecting": a cluster found down stays down while it is checked
    // again (its writes stay off, its error stays shown) until a check finds it answering.
    if (entry.health.state === 'idle') entry.before = entry.health.state;
    this.#set(entry, {
      ...entry.health,
      state: entry.health.state === 'idle' ? 'connecting' : entry.health.state,
      checking: true,
      nextCheckAt: null,
      timeouts,
    });
    let next: ConnectionHealth;
    try {
      const result = await this.#options.probe(connectionId);
      if (generation !== entry.generation) return entry.health;
      entry.failures = 0;
      next = this.#fromResult(entry, result, timeouts);
    } catch (error) {
      if (generation !== entry.generation) return entry.health;
      if (error instanceof ProbeAborted) {
        this.abort(connectionId);
        return entry.health;
      }
      entry.failures += 1;
      const now = this.#options.now();
      next = {
        ...entry.health,
        state: 'down',
        reachable: false,
        rttMs: null,
        checkedAt: now,
        lastError: { message: error instanceof Error ? error.message : String(error), at: now },
        detail: null,
        brokers: entry.health.brokers.map((broker) => (broker.state === 'up' ? { ...broker, state: 'down', rttMs: null, since: now } : broker)),
        timeouts,
      };
    }
    entry.running = null;
    entry.before = null;
    this.#schedule(connectionId, entry, next);
    return entry.health;
  }

  #start(connectionId: string, entry: Entry): Promise<ConnectionHealth> {
    entry.running ??= this.#run(connectionId, entry);
    return entry.running;
  }

  #fromResult(entry: Entry, result: ProbeResult, timeouts: ConnectionTimeouts): ConnectionHealth {
    const now = this.#options.now();
    const previous = new Map(entry.health.brokers.map((broker) => [broker.id, broker]));
    const brokers: BrokerReachability[] = [];
    const listed = new Set<number>();
    for (const broker of result.brokers) {
      listed.add(broker.id);
      entry.known.set(broker.id, broker.address);
      const state = broker.ok ? 'up' : 'down';
      const before = previous.get(broker.id);
      brokers.push({
        id: broker.id,
        address: broker.address,
        state,
        rttMs: broker.rttMs,
        error: broker.error,
        since: before?.state === state ? before.since : now,
      });
    }
    for (const [id, address] of entry.known) {
      if (listed.has(id)) continue;
      const before = previous.get(id);
      brokers.push({
        id,
        address,
        state: 'missing',
        rttMs: null,
        error: 'The cluster no longer lists this broker: it is stopped or cannot reach the controller.',
        since: before?.state === 'missing' ? before.since : now,
      });
    }
    brokers.sort((a, b) => a.id - b.id);
    const notAnswering = brokers.filter((broker) => broker.state !== 'up');
    const state: ConnectionState = notAnswering.length ? 'degraded' : 'up';
    const detail = notAnswering.length
      ? `${notAnswering.length} of ${brokers.length} brokers ${notAnswering.length === 1 ? 'does' : 'do'} not answer: ${notAnswering
          .map((broker) => `broker ${broker.id} at ${broker.address}${broker.error ? ` (${broker.error.replace(/\.$/, '')})` : ''}`)
          .join('; ')}.`
      : null;
    return { ...entry.health, state, reachable: true, rttMs: result.rttMs, checkedAt: now, detail, brokers, timeouts };
  }

  #schedule(connectionId: string, entry: Entry, next: ConnectionHealth = entry.health): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    let nextCheckAt: number | null = null;
    if (!this.#closed && this.#inUse(entry)) {
      const delay =
        next.state === 'down'
          ? Math.min(this.#options.maxBackoffMs, this.#options.firstBackoffMs * 2 ** Math.max(0, entry.failures - 1))
          : this.#options.intervalMs;
      nextCheckAt = this.#options.now() + delay;
      entry.timer = setTimeout(() => {
        entry.timer = null;
        if (this.#entries.get(connectionId) === entry) void this.#start(connectionId, entry);
      }, delay);
      entry.timer.unref?.();
    }
    this.#set(entry, { ...next, nextCheckAt, checking: entry.running !== null });
  }
}
