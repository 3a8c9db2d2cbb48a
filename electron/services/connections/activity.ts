// What every Kafka client of the app is waiting for on the network, per connection, read from the
// client library's diagnostics channels (plt:kafka:connections:*). Clients are made with a context
// naming their connection (clientContext), so every socket and request is attributed to it without
// wrapping the library. From this come the progress shown while a screen waits ("waiting for the
// Metadata answer from host:9092, 3 s of 10 s") and the precise words of a timeout (which request,
// to which broker).
import { tracingChannel, type TracingChannel } from 'node:diagnostics_channel';
import type { PendingWork } from '../../../shared/model/connections';
import { ApiKey } from '../../kafka/protocol/api-keys';

/** Put into every client's options as `context`; connections made by the client carry it. */
export interface ClientContext {
  kafkaDeskKey: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
}

export function clientContext(key: string, timeouts: { connectMs: number; requestMs: number }): ClientContext {
  return { kafkaDeskKey: key, connectTimeoutMs: timeouts.connectMs, requestTimeoutMs: timeouts.requestMs };
}

interface Tracked {
  id: string;
  connection: object;
  key: string;
  kind: 'connect' | 'request';
  apiKey: number | null;
  address: string;
  startedAt: number;
  timeoutMs: number;
}

export interface TimedOutRequest {
  api: string;
  address: string;
  timeoutMs: number;
  at: number;
}

const apiNames = new Map<number, string>(Object.entries(ApiKey).map(([name, key]) => [key, name]));
export const apiName = (apiKey: number): string => apiNames.get(apiKey) ?? `API ${apiKey}`;

// Fetch waits at the broker on purpose (long polling); it is not "waiting for the cluster".
const LONG_POLL_APIS = new Set<number>([ApiKey.Fetch]);
// Work younger than this is not shown: most answers come sooner, and progress would only flicker.
const VISIBLE_AFTER_MS = 300;
const TICK_MS = 250;

interface ConnectionLike {
  context?: unknown;
  host?: string;
  port?: number;
  once?: (event: 'close', listener: () => void) => unknown;
}

interface DiagnosticContext {
  connection?: ConnectionLike;
  host?: string;
  port?: number;
  apiKey?: number;
  error?: unknown;
  operation?: string;
}

function contextOf(connection: ConnectionLike | undefined): ClientContext | null {
  const context = connection?.context as Partial<ClientContext> | undefined;
  return context && typeof context.kafkaDeskKey === 'string' ? (context as ClientContext) : null;
}

export class NetworkActivity {
  readonly #tracked = new Map<object, Tracked>();
  readonly #timedOut = new Map<string, TimedOutRequest[]>();
  readonly #visible = new Map<string, string>();
  readonly #onChange: (key: string, pending: PendingWork[]) => void;
  readonly #unsubscribe: (() => void)[] = [];
  // Connections whose close is watched: a closed socket ends everything that waited on it (the
  // library fails those requests without publishing anything).
  readonly #watched = new WeakSet<object>();
  #timer: NodeJS.Timeout | null = null;
  #nextId = 1;

  constructor(onChange: (key: string, pending: PendingWork[]) => void) {
    this.#onChange = onChange;
    this.#subscribe(tracingChannel('plt:kafka:connections:connects'), 'connect');
    this.#subscribe(tracingChannel('plt:kafka:connections:api'), 'request');
  }

  /** The work of a connection waiting longer than a moment, oldest first (long polls left out). */
  pending(key: string, now = Date.now()): PendingWork[] {
    const items: PendingWork[] = [];
    for (const tracked of this.#tracked.values()) {
      if (tracked.key !== key) continue;
      const elapsedMs = now - tracked.startedAt;
      if (elapsedMs < VISIBLE_AFTER_MS || (tracked.apiKey !== null && LONG_POLL_APIS.has(tracked.apiKey))) continue;
      items.push({
        id: tracked.id,
        kind: tracked.kind,
        api: tracked.apiKey === null ? null : apiName(tracked.apiKey),
        address: tracked.address,
        elapsedMs,
        timeoutMs: tracked.timeoutMs,
      });
    }
    return items.sort((a, b) => b.elapsedMs - a.elapsedMs);
  }

  /** The latest request of this connection that got no answer within its timeout, if one did lately. */
  lastTimedOut(key: string, withinMs = 5_000, now = Date.now()): TimedOutRequest | null {
    // The library's timer starts a moment before the request is published, so allow for that.
    this.#expire(now + 100);
    const list = this.#timedOut.get(key) ?? [];
    const latest = list.at(-1);
    return latest && now - latest.at <= withinMs ? latest : null;
  }

  /** Drops what is kept for a key that is gone (a finished test from the connection dialog). */
  forget(key: string): void {
    this.#timedOut.delete(key);
  }

  close(): void {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#tracked.clear();
  }

  #subscribe(channel: TracingChannel<object, object>, kind: 'connect' | 'request'): void {
    const handlers = {
      start: (message: object) => this.#started(message, kind),
      end: () => undefined,
      asyncStart: (message: object) => this.#finished(message),
      asyncEnd: () => undefined,
      error: (message: object) => {
        // A request whose payload could not even be written ends here, without an asyncStart.
        if (kind === 'request') this.#finished(message);
      },
    };
    channel.subscribe(handlers);
    this.#unsubscribe.push(() => channel.unsubscribe(handlers));
  }

  #started(message: DiagnosticContext, kind: 'connect' | 'request'): void {
    const connection = message.connection;
    const context = contextOf(connection);
    if (!context || !connection) return;
    if (!this.#watched.has(connection) && typeof connection.once === 'function') {
      this.#watched.add(connection);
      connection.once('close', () => {
        for (const [tracked, item] of this.#tracked) if (item.connection === connection) this.#tracked.delete(tracked);
      });
    }
    const host = kind === 'connect' ? message.host : message.connection?.host;
    const port = kind === 'connect' ? message.port : message.connection?.port;
    this.#tracked.set(message, {
      id: String(this.#nextId++),
      connection,
      key: context.kafkaDeskKey,
      kind,
      apiKey: kind === 'request' && typeof message.apiKey === 'number' ? message.apiKey : null,
      address: `${host ?? '?'}:${port ?? '?'}`,
      startedAt: Date.now(),
      timeoutMs: kind === 'connect' ? context.connectTimeoutMs : context.requestTimeoutMs,
    });
    this.#timer ??= setInterval(() => this.#tick(), TICK_MS);
    this.#timer.unref?.();
  }

  #finished(message: object): void {
    const tracked = this.#tracked.get(message);
    if (!tracked) return;
    this.#tracked.delete(message);
  }

  /** Work past its timeout got its error from the library (which publishes nothing for timeouts):
   * it moves to the connection's recent timeouts, where a failing operation finds its words. */
  #expire(now: number): void {
    for (const [message, tracked] of this.#tracked) {
      if (now - tracked.startedAt < tracked.timeoutMs) continue;
      this.#tracked.delete(message);
      if (tracked.kind !== 'request' || tracked.apiKey === null) continue;
      const list = this.#timedOut.get(tracked.key) ?? [];
      list.push({ api: apiName(tracked.apiKey), address: tracked.address, timeoutMs: tracked.timeoutMs, at: tracked.startedAt + tracked.timeoutMs });
      this.#timedOut.set(tracked.key, list.slice(-10));
    }
  }

  #tick(): void {
    const now = Date.now();
    this.#expire(now);
    const keys = new Set<string>([...this.#visible.keys()]);
    for (const tracked of this.#tracked.values()) keys.add(tracked.key);
    for (const key of keys) {
      const pending = this.pending(key, now);
      const signature = pending.map((item) => item.id).join(',');
      if ((this.#visible.get(key) ?? '') === signature) continue;
      if (signature) this.#visible.set(key, signature);
      else this.#visible.delete(key);
      this.#onChange(key, pending);
    }
    if (this.#tracked.size === 0 && this.#visible.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }
}
