/**
 * The embedded cluster's client telemetry receiver (KIP-714's ClientTelemetryReceiver: what Kafka hands
 * pushed metrics to, a metrics reporter plugin): it keeps each client instance's latest push, as pushed
 * (OTLP MetricsData protobuf, maybe compressed), for the app to show. One for the whole cluster, as a
 * client pushes to whichever broker it likes. Bounded: at most MAX_CLIENTS instances and MAX_TOTAL_BYTES
 * of payloads; beyond either, the instances that pushed longest ago are forgotten.
 */
export interface TelemetryClient {
  clientInstanceId: string;
  clientId: string | null;
  softwareName: string | null;
  softwareVersion: string | null;
  sourceAddress: string | null;
  sourcePort: string | null;
}

export interface PushedTelemetry extends TelemetryClient {
  brokerId: number;
  subscriptionId: number;
  /** The metric prefixes the client was subscribed to when it pushed ('*' for all). */
  requestedMetrics: readonly string[];
  pushIntervalMs: number;
  /** Kafka's compression type id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd). */
  compressionType: number;
  /** The payload as pushed. */
  payload: Buffer;
  /** When the push arrived (ms since the epoch). */
  at: number;
  /** The client said this was its last push (it is closing). */
  terminating: boolean;
  /** Pushes received from this instance since the receiver first saw it. */
  pushes: number;
}

export const MAX_CLIENTS = 1000;
export const MAX_TOTAL_BYTES = 32 * 1024 * 1024;

export class TelemetryReceiver {
  /** By client instance id, least recently pushed first. */
  readonly #latest = new Map<string, PushedTelemetry>();
  #bytes = 0;
  readonly #maxClients: number;
  readonly #maxBytes: number;

  constructor(limits: { maxClients?: number; maxBytes?: number } = {}) {
    this.#maxClients = limits.maxClients ?? MAX_CLIENTS;
    this.#maxBytes = limits.maxBytes ?? MAX_TOTAL_BYTES;
  }

  /** Keeps a push as the instance's latest (an empty payload, a terminating push's, keeps the metrics of the one before). */
  export(push: Omit<PushedTelemetry, 'pushes'>): void {
    const before = this.#latest.get(push.clientInstanceId);
    if (before) {
      this.#latest.delete(push.clientInstanceId);
      this.#bytes -= before.payload.length;
    }
    const kept = push.payload.length === 0 && before ? { ...push, payload: before.payload, compressionType: before.compressionType } : push;
    this.#latest.set(push.clientInstanceId, { ...kept, pushes: (before?.pushes ?? 0) + 1 });
    this.#bytes += kept.payload.length;
    for (const [id, oldest] of this.#latest) {
      if (this.#latest.size <= this.#maxClients && this.#bytes <= this.#maxBytes) break;
      this.#latest.delete(id);
      this.#bytes -= oldest.payload.length;
    }
  }

  /** The latest push of every instance kept, most recent first. */
  list(): PushedTelemetry[] {
    return [...this.#latest.values()].reverse();
  }

  get size(): number {
    return this.#latest.size;
  }

  get bytes(): number {
    return this.#bytes;
  }
}
