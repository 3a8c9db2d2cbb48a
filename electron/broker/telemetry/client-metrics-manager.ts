import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { crc32c } from '../../kafka/protocol/crc32c';
import { ZERO_UUID } from '../../kafka/protocol/uuid';
import { isCompressionType } from '../../kafka/records/compression';
import { ALL_METRICS, DEFAULT_PUSH_INTERVAL_MS, type ClientMetricsSubscription, type MatchSelector } from './client-metrics-config';
import type { TelemetryClient, TelemetryReceiver } from './telemetry-receiver';

/** What the manager needs: the cluster's subscriptions, telemetry.max.bytes, where pushes go, a clock. */
export interface ClientMetricsManagerDeps {
  subscriptions: { readonly version: number; all(): readonly ClientMetricsSubscription[] };
  maxBytes: () => number;
  receiver: TelemetryReceiver;
  brokerId: number;
  now: () => number;
}

/** The requesting connection, as the manager sees it. */
export interface TelemetryConnection extends Omit<TelemetryClient, 'clientInstanceId'> {
  connectionId: number;
}

/** Compression types accepted for pushes, in Kafka's order of preference (ClientMetricsManager). */
export const ACCEPTED_COMPRESSION_TYPES = [4, 3, 1, 2]; // zstd, lz4, gzip, snappy
/** Client instances one broker tracks (Kafka: 16k active client connections per broker). */
const MAX_INSTANCES = 16_384;
/** An instance not heard of for max(this, 3 push intervals) is forgotten (Kafka's cache expiry). */
const INSTANCE_EXPIRY_MS = 60_000;
/** Kafka's reserved Uuids (Uuid.RESERVED): the zero one and the metadata topic's. */
const RESERVED_UUIDS = new Set([ZERO_UUID, '00000000-0000-0000-0000-000000000001']);

interface ClientInstance {
  id: string;
  client: TelemetryConnection;
  subscriptionId: number;
  subscriptionVersion: number;
  metrics: string[];
  pushIntervalMs: number;
  lastGetMs: number;
  lastPushMs: number;
  lastSeenMs: number;
  /** A GetTelemetrySubscriptions was answered since the last accepted push (Kafka compares the two timestamps). */
  fetchedSincePush: boolean;
  terminating: boolean;
  lastError: number;
}

export interface SubscriptionsAnswer {
  errorCode: number;
  errorMessage?: string;
  clientInstanceId: string;
  subscriptionId: number;
  acceptedCompressionTypes: number[];
  pushIntervalMs: number;
  telemetryMaxBytes: number;
  deltaTemporality: boolean;
  requestedMetrics: string[];
}

export interface PushRequest {
  clientInstanceId: string;
  subscriptionId: number;
  terminating: boolean;
  compressionType: number;
  metrics: Buffer;
}

/** The instance id as Java's Uuid.hashCode mixes it: the xor of its four 32-bit words. */
function uuidHash(id: string): number {
  const hex = id.replace(/-/g, '');
  let hash = 0;
  for (let i = 0; i < 32; i += 8) hash ^= parseInt(hex.slice(i, i + 8), 16) | 0;
  return hash;
}

/**
 * One broker's client metrics (KIP-714), after Kafka's ClientMetricsManager: it tells each client
 * instance what to push (GetTelemetrySubscriptions: the union of the matching subscriptions' metrics,
 * the shortest of their intervals) and checks its pushes (PushTelemetry: the subscription id it was
 * given, no faster than the interval, a known compression type, at most telemetry.max.bytes), which go
 * to the receiver. Instances are kept per broker and forgotten when their connection closes, after 3
 * intervals (at least a minute) without a request, or beyond 16k.
 */
export class ClientMetricsManager {
  readonly #deps: ClientMetricsManagerDeps;
  /** By instance id, least recently used first. */
  readonly #instances = new Map<string, ClientInstance>();

  constructor(deps: ClientMetricsManagerDeps) {
    this.#deps = deps;
  }

  /** GetTelemetrySubscriptions: a new instance id when the client sends the zero one. */
  getSubscriptions(clientInstanceId: string, client: TelemetryConnection): SubscriptionsAnswer {
    const now = this.#deps.now();
    const id = clientInstanceId === ZERO_UUID ? this.#newInstanceId() : clientInstanceId;
    const instance = this.#instance(id, client, now);
    const answer = (errorCode: number, errorMessage?: string): SubscriptionsAnswer => ({
      errorCode,
      ...(errorMessage ? { errorMessage } : {}),
      clientInstanceId: errorCode === ErrorCode.NONE ? id : ZERO_UUID,
      subscriptionId: errorCode === ErrorCode.NONE ? instance.subscriptionId : 0,
      acceptedCompressionTypes: errorCode === ErrorCode.NONE ? [...ACCEPTED_COMPRESSION_TYPES] : [],
      pushIntervalMs: errorCode === ErrorCode.NONE ? instance.pushIntervalMs : 0,
      telemetryMaxBytes: errorCode === ErrorCode.NONE ? this.#deps.maxBytes() : 0,
      deltaTemporality: errorCode === ErrorCode.NONE,
      requestedMetrics: errorCode === ErrorCode.NONE ? [...instance.metrics] : [],
    });
    // KIP-714: asking again before the push interval is throttled, unless the last push was refused
    // for an unknown subscription or compression type (then the client must ask at once).
    const since = now - Math.max(instance.lastGetMs, instance.lastPushMs);
    const mustRefetch = instance.lastError === ErrorCode.UNKNOWN_SUBSCRIPTION_ID || instance.lastError === ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
    if (since < instance.pushIntervalMs && !mustRefetch) {
      return answer(ErrorCode.THROTTLING_QUOTA_EXCEEDED, `Request from the client [${id}] arrived before the next push interval time`);
    }
    instance.lastGetMs = now;
    instance.fetchedSincePush = true;
    instance.lastError = ErrorCode.NONE;
    return answer(ErrorCode.NONE);
  }

  /** PushTelemetry: the error code, after the checks in Kafka's order; accepted metrics go to the receiver. */
  push(request: PushRequest, client: TelemetryConnection): { errorCode: number; errorMessage: string | null } {
    const id = request.clientInstanceId;
    if (RESERVED_UUIDS.has(id)) {
      return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Invalid request from the client [${id}], invalid client instance id` };
    }
    const now = this.#deps.now();
    const instance = this.#instance(id, client, now);
    const refuse = (errorCode: number, errorMessage: string) => {
      instance.lastError = errorCode;
      // As Kafka, the flag is taken from every push, refused or not.
      instance.terminating = request.terminating;
      return { errorCode, errorMessage };
    };
    if (instance.terminating) {
      return refuse(
        ErrorCode.INVALID_REQUEST,
        `Client [${id}] sent the previous request with state terminating to TRUE, can not accept any requests after that`,
      );
    }
    // A push right after GetTelemetrySubscriptions is accepted whenever it comes (the client jitters
    // its interval); a terminating push always is.
    const canAccept = instance.fetchedSincePush || now - instance.lastPushMs >= instance.pushIntervalMs;
    if (!canAccept && !request.terminating) {
      return refuse(ErrorCode.THROTTLING_QUOTA_EXCEEDED, `Request from the client [${id}] arrived before the next push interval time`);
    }
    if (canAccept) {
      instance.lastPushMs = now;
      instance.fetchedSincePush = false;
    }
    if (request.subscriptionId !== instance.subscriptionId) {
      return refuse(ErrorCode.UNKNOWN_SUBSCRIPTION_ID, `Unknown client subscription id for the client [${id}]`);
    }
    if (!isCompressionType(request.compressionType)) {
      return refuse(
        ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
        `Unknown compression type [${request.compressionType}] is received in telemetry request from [${id}]`,
      );
    }
    const max = this.#deps.maxBytes();
    if (request.metrics.length > max) {
      return refuse(ErrorCode.TELEMETRY_TOO_LARGE, `Telemetry request from [${id}] is larger than the maximum allowed size [${max}]`);
    }
    instance.terminating = request.terminating;
    instance.lastError = ErrorCode.NONE;
    if (request.metrics.length > 0 || request.terminating) {
      const who = instance.client;
      this.#deps.receiver.export({
        clientId: who.clientId,
        softwareName: who.softwareName,
        softwareVersion: who.softwareVersion,
        sourceAddress: who.sourceAddress,
        sourcePort: who.sourcePort,
        clientInstanceId: id,
        brokerId: this.#deps.brokerId,
        subscriptionId: instance.subscriptionId,
        requestedMetrics: instance.metrics,
        pushIntervalMs: instance.pushIntervalMs,
        compressionType: request.compressionType,
        payload: Buffer.from(request.metrics),
        at: now,
        terminating: request.terminating,
      });
    }
    return { errorCode: ErrorCode.NONE, errorMessage: null };
  }

  /** The connection closed: its instances are forgotten (Kafka's ConnectionDisconnectListener). */
  connectionClosed(connectionId: number): void {
    for (const [id, instance] of this.#instances) if (instance.client.connectionId === connectionId) this.#instances.delete(id);
  }

  get instanceCount(): number {
    return this.#instances.size;
  }

  #newInstanceId(): string {
    let id = randomUUID();
    while (this.#instances.has(id) || RESERVED_UUIDS.has(id)) id = randomUUID();
    return id;
  }

  /** The instance, created (or re-evaluated after the subscriptions changed, or expired) as needed. */
  #instance(id: string, client: TelemetryConnection, now: number): ClientInstance {
    const subscriptions = this.#deps.subscriptions;
    let instance = this.#instances.get(id);
    const expired = instance !== undefined && now - instance.lastSeenMs > Math.max(INSTANCE_EXPIRY_MS, 3 * instance.pushIntervalMs);
    if (instance === undefined || expired || instance.subscriptionVersion !== subscriptions.version) {
      // The attributes matched are the instance's first connection's (Kafka's ClientMetricsInstanceMetadata).
      const keep = expired ? undefined : instance;
      instance = this.#evaluate(id, keep?.client ?? client);
    }
    this.#instances.delete(id);
    this.#instances.set(id, instance);
    instance.lastSeenMs = now;
    instance.client = { ...instance.client, connectionId: client.connectionId };
    if (this.#instances.size > MAX_INSTANCES) this.#instances.delete(this.#instances.keys().next().value!);
    return instance;
  }

  #evaluate(id: string, client: TelemetryConnection): ClientInstance {
    const attributes: Record<MatchSelector, string | null> = {
      client_instance_id: id,
      client_id: client.clientId,
      client_software_name: client.softwareName,
      client_software_version: client.softwareVersion,
      client_source_address: client.sourceAddress,
      client_source_port: client.sourcePort,
    };
    let pushIntervalMs = DEFAULT_PUSH_INTERVAL_MS;
    const metrics = new Set<string>();
    for (const subscription of this.#deps.subscriptions.all()) {
      const matches = subscription.match.every((m) => {
        const value = attributes[m.selector];
        return value !== null && m.regex.matches(value);
      });
      if (!matches) continue;
      for (const metric of subscription.metrics) metrics.add(metric);
      pushIntervalMs = Math.min(pushIntervalMs, subscription.intervalMs);
    }
    const requested = metrics.has(ALL_METRICS) ? [ALL_METRICS] : [...metrics].sort();
    // Kafka: a CRC32C of the metrics and the interval, xor the instance id's hash.
    const subscriptionId = crc32c(Buffer.from(`[${requested.join(', ')}]${pushIntervalMs}`)) ^ uuidHash(id);
    return {
      id,
      client,
      subscriptionId: subscriptionId | 0,
      subscriptionVersion: this.#deps.subscriptions.version,
      metrics: requested,
      pushIntervalMs,
      // A new or re-evaluated instance starts afresh, so a changed subscription is fetched at once.
      lastGetMs: 0,
      lastPushMs: 0,
      lastSeenMs: 0,
      fetchedSincePush: false,
      terminating: false,
      lastError: ErrorCode.NONE,
    };
  }
}
