// What the app has seen of each connection's brokers: where each one was, when it was last listed by
// Metadata, and since when it is missing. Metadata lists only live brokers, so without this a broker
// that goes down simply disappears; with it the screens can say "broker 1 (10.0.0.7:9092) is down
// since 22:41". Kept on disk (a small JSON file) so a restart of the app does not forget it.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { ClusterSnapshot } from './read';
import { appLogger, type Logger } from '../../core/logger';

const brokerRecordSchema = z.object({
  id: z.number().int(),
  host: z.string().nullable(),
  port: z.number().int().nullable(),
  rack: z.string().nullable(),
  /** The last Metadata answer that listed it. */
  lastSeenAt: z.number().nullable(),
  /** When the app first found it missing (or the embedded cluster said it stopped); null while up. */
  downSince: z.number().nullable(),
});
export type BrokerRecord = z.infer<typeof brokerRecordSchema>;

const fileSchema = z.object({
  version: z.literal(1),
  connections: z.record(z.string(), z.object({ clusterId: z.string(), brokers: z.array(brokerRecordSchema) })),
});

// lastSeenAt moves on every read; writing it that often is pointless. State changes are written
// soon, a moved lastSeenAt at most this often.
const SEEN_WRITE_INTERVAL_MS = 60_000;
const CHANGE_WRITE_DELAY_MS = 1_000;

export class BrokerHistory {
  readonly #logger: Logger;
  readonly #file: string | null;
  readonly #connections = new Map<string, { clusterId: string; brokers: Map<number, BrokerRecord> }>();
  #timer: NodeJS.Timeout | null = null;
  #timerDue = 0;
  #lastWrite = 0;
  #writing: Promise<void> = Promise.resolve();

  /** `dataDir` null keeps the history in memory only. */
  constructor(dataDir: string | null, logger: Logger = appLogger) {
    this.#file = dataDir ? path.join(dataDir, 'broker-history.json') : null;
    this.#logger = logger;
  }

  async load(): Promise<void> {
    if (!this.#file) return;
    try {
      const parsed = fileSchema.parse(JSON.parse(await readFile(this.#file, 'utf8')));
      for (const [id, entry] of Object.entries(parsed.connections)) {
        this.#connections.set(id, { clusterId: entry.clusterId, brokers: new Map(entry.brokers.map((broker) => [broker.id, broker])) });
      }
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') this.#logger.error('Broker history is not valid; starting afresh', { error });
    }
  }

  /** The brokers seen on a connection, by id. */
  brokers(connectionId: string): ReadonlyMap<number, BrokerRecord> {
    return this.#connections.get(connectionId)?.brokers ?? new Map();
  }

  /** Records a Metadata answer: listed brokers are up, brokers seen before and not listed are down. */
  observe(connectionId: string, snapshot: ClusterSnapshot): void {
    let entry = this.#connections.get(connectionId);
    // Another cluster behind the same connection (edited, or the embedded cluster's data dir changed):
    // what was seen of the previous one says nothing about this one.
    if (!entry || (snapshot.clusterId && entry.clusterId && entry.clusterId !== snapshot.clusterId)) {
      entry = { clusterId: snapshot.clusterId, brokers: new Map() };
      this.#connections.set(connectionId, entry);
    }
    let changed = false;
    for (const [id, address] of snapshot.brokers) {
      const known = entry.brokers.get(id);
      if (!known || known.downSince !== null || known.host !== address.host || known.port !== address.port || known.rack !== address.rack) changed = true;
      entry.brokers.set(id, { id, host: address.host, port: address.port, rack: address.rack, lastSeenAt: snapshot.at, downSince: null });
    }
    for (const known of entry.brokers.values()) {
      if (snapshot.brokers.has(known.id) || known.downSince !== null) continue;
      // Down somewhere between the last answer that listed it and this one; this one is when we know.
      known.downSince = snapshot.at;
      changed = true;
    }
    this.#schedule(changed);
  }

  /** A stop or start the app witnessed itself (the embedded cluster's own events), with its time. */
  markDown(connectionId: string, broker: { id: number; host: string; port: number }, at: number): void {
    const entry = this.#entry(connectionId);
    const known = entry.brokers.get(broker.id);
    if (known?.downSince !== null && known?.downSince !== undefined) return;
    entry.brokers.set(broker.id, {
      id: broker.id,
      host: broker.host,
      port: broker.port,
      rack: known?.rack ?? null,
      lastSeenAt: known?.lastSeenAt ?? at,
      downSince: at,
    });
    this.#schedule(true);
  }

  markUp(connectionId: string, broker: { id: number; host: string; port: number }, at: number): void {
    const entry = this.#entry(connectionId);
    const known = entry.brokers.get(broker.id);
    entry.brokers.set(broker.id, { id: broker.id, host: broker.host, port: broker.port, rack: known?.rack ?? null, lastSeenAt: at, downSince: null });
    this.#schedule(true);
  }

  /** Forgets a broker (decommissioned) or, without an id, everything about a connection. */
  forget(connectionId: string, brokerId?: number): void {
    if (brokerId === undefined) this.#connections.delete(connectionId);
    else this.#connections.get(connectionId)?.brokers.delete(brokerId);
    this.#schedule(true);
  }

  /** Keeps only the given brokers of a connection (the embedded cluster after its broker count changed). */
  retain(connectionId: string, ids: ReadonlySet<number>): void {
    const entry = this.#connections.get(connectionId);
    if (!entry) return;
    let changed = false;
    for (const id of entry.brokers.keys()) {
      if (!ids.has(id)) {
        entry.brokers.delete(id);
        changed = true;
      }
    }
    if (changed) this.#schedule(true);
  }

  async close(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
      await this.#write();
    }
    await this.#writing;
  }

  #entry(connectionId: string) {
    let entry = this.#connections.get(connectionId);
    if (!entry) this.#connections.set(connectionId, (entry = { clusterId: '', brokers: new Map() }));
    return entry;
  }

  #schedule(changed: boolean): void {
    if (!this.#file) return;
    const delay = changed ? CHANGE_WRITE_DELAY_MS : Math.max(CHANGE_WRITE_DELAY_MS, this.#lastWrite + SEEN_WRITE_INTERVAL_MS - Date.now());
    if (this.#timer) {
      if (this.#timerDue <= Date.now() + delay) return;
      clearTimeout(this.#timer);
    }
    this.#timerDue = Date.now() + delay;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#write();
    }, delay);
    this.#timer.unref();
  }

  #write(): Promise<void> {
    const file = this.#file;
    if (!file) return Promise.resolve();
    this.#lastWrite = Date.now();
    const data = {
      version: 1,
      connections: Object.fromEntries([...this.#connections].map(([id, entry]) => [id, { clusterId: entry.clusterId, brokers: [...entry.brokers.values()] }])),
    };
    this.#writing = this.#writing.then(async () => {
      try {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(`${file}.tmp`, JSON.stringify(data));
        await rename(`${file}.tmp`, file);
      } catch (error) {
        this.#logger.error('Could not save the broker history', { error });
      }
    });
    return this.#writing;
  }
}
