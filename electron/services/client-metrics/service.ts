// Client metrics for the IPC handlers (KIP-714, Kafka 3.7+ in KRaft mode): the subscriptions, which are
// CLIENT_METRICS config resources (listed with ListClientMetricsResources / 4.1's ListConfigResources,
// read with DescribeConfigs, changed with IncrementalAlterConfigs, all through the generated codec), and
// the clients that pushed telemetry with their latest metrics. Kafka hands pushed metrics to a metrics
// reporter plugin and has no API to read them back, so those come only from the embedded cluster's own
// receiver; for any other cluster the overview says so.
import type { Admin } from '@platformatic/kafka';
import type {
  ClientMetricsDeleteRequest,
  ClientMetricsOverview,
  ClientMetricsSaveRequest,
  ClientMetricsSubscription,
  TelemetryClient,
} from '../../../shared/model/client-metrics';
import { AppError } from '../../core/errors';
import { errorName } from '../../kafka/protocol/error-codes';
import { DescribeConfigs, IncrementalAlterConfigs, ListClientMetricsResources } from '../../kafka/protocol/generated/index';
import { COMPRESSION_NAMES } from '../../kafka/records/compression';
import { refusal } from '../acls/refusals';
import { bootstrapConnection, negotiateVersion, send, supportsApi } from '../cluster/wire';
import { decodeTelemetryPayload } from './otlp';

const CLIENT_METRICS = 16;
const SET = 0;
const DELETE = 1;
const CONFIGS = ['metrics', 'interval.ms', 'match'] as const;

/** One push as the embedded cluster's receiver keeps it (broker/telemetry/telemetry-receiver.ts). */
export interface ReceivedTelemetry {
  clientInstanceId: string;
  clientId: string | null;
  softwareName: string | null;
  softwareVersion: string | null;
  sourceAddress: string | null;
  sourcePort: string | null;
  brokerId: number;
  subscriptionId: number;
  requestedMetrics: readonly string[];
  pushIntervalMs: number;
  compressionType: number;
  payload: Buffer;
  at: number;
  terminating: boolean;
  pushes: number;
}

/** The embedded cluster's telemetry, as the service needs it. */
export interface EmbeddedTelemetry {
  /** Whether its brokers receive telemetry (telemetry.receiver.enable), and why not. */
  receiving: boolean;
  whyNot: string | null;
  list(): ReceivedTelemetry[];
}

export interface ClientMetricsServiceDeps {
  admin(connectionId: string): Promise<Admin>;
  connectedAs(connectionId: string): string | null;
  /** The embedded cluster's telemetry when `connectionId` is its connection and it runs; null otherwise. */
  embeddedTelemetry(connectionId: string): EmbeddedTelemetry | null;
}

export const UNSUPPORTED =
  'Client metrics need Kafka 3.7 or later, in KRaft mode (KIP-714): this cluster does not offer ListClientMetricsResources, so it has no client metrics subscriptions and takes no client telemetry.';

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

function subscriptionOf(name: string, configs: ReadonlyMap<string, string>): ClientMetricsSubscription {
  const interval = configs.get('interval.ms');
  return {
    name,
    metrics: list(configs.get('metrics')),
    intervalMs: interval === undefined ? null : Number(interval),
    match: list(configs.get('match')).map((entry) => {
      const at = entry.indexOf('=');
      return at < 0 ? { selector: entry, pattern: '' } : { selector: entry.slice(0, at).trim(), pattern: entry.slice(at + 1).trim() };
    }),
  };
}

function telemetryClient(push: ReceivedTelemetry): TelemetryClient {
  let decoded: ReturnType<typeof decodeTelemetryPayload> | null = null;
  let decodeError: string | null = null;
  try {
    decoded = decodeTelemetryPayload(push.payload, push.compressionType);
  } catch (error) {
    decodeError = `The pushed metrics are not OTLP MetricsData Kafka Desk can read: ${error instanceof Error ? error.message : String(error)}`;
  }
  return {
    clientInstanceId: push.clientInstanceId,
    clientId: push.clientId,
    softwareName: push.softwareName,
    softwareVersion: push.softwareVersion,
    sourceAddress: push.sourceAddress,
    sourcePort: push.sourcePort,
    brokerId: push.brokerId,
    subscriptionId: push.subscriptionId,
    requestedMetrics: [...push.requestedMetrics],
    pushIntervalMs: push.pushIntervalMs,
    compression: COMPRESSION_NAMES[push.compressionType as 0] ?? `codec ${push.compressionType}`,
    payloadBytes: push.payload.length,
    at: push.at,
    terminating: push.terminating,
    pushes: push.pushes,
    resource: decoded?.resource ?? {},
    metrics: decoded?.metrics ?? [],
    metricsOmitted: decoded?.omitted ?? 0,
    decodeError,
  };
}

export class ClientMetricsService {
  readonly #deps: ClientMetricsServiceDeps;

  constructor(deps: ClientMetricsServiceDeps) {
    this.#deps = deps;
  }

  /** The subscriptions and the clients that pushed telemetry; `unsupported` says why a cluster has none. */
  async overview(connectionId: string): Promise<ClientMetricsOverview> {
    const admin = await this.#deps.admin(connectionId);
    if (!(await supportsApi(admin, ListClientMetricsResources.apiKey))) {
      return { unsupported: UNSUPPORTED, subscriptions: [], telemetry: { available: false, note: null, clients: [] } };
    }
    const subscriptions = await this.#subscriptions(connectionId, admin);
    return { unsupported: null, subscriptions, telemetry: this.#telemetry(connectionId) };
  }

  /**
   * Creates (`create`: refused if the name is taken) or replaces a subscription: its metrics, push
   * interval and match patterns, set in one IncrementalAlterConfigs; the broker validates them as Kafka
   * does (a bad pattern comes back in its words).
   */
  async save(request: ClientMetricsSaveRequest): Promise<ClientMetricsOverview> {
    const admin = await this.#deps.admin(request.connectionId);
    const existing = await this.#subscriptions(request.connectionId, admin);
    const taken = existing.some((s) => s.name === request.name);
    if (request.create && taken) {
      throw new AppError('conflict', `A client metrics subscription named "${request.name}" exists already; edit it instead.`);
    }
    if (!request.create && !taken) throw new AppError('not-found', `There is no client metrics subscription named "${request.name}" (deleted meanwhile?).`);
    const match = request.match.map((m) => `${m.selector}=${m.pattern}`).join(',');
    await this.#alter(
      request.connectionId,
      admin,
      request.name,
      [
        { name: 'metrics', configOperation: SET, value: request.metrics.join(',') },
        { name: 'interval.ms', configOperation: SET, value: String(request.intervalMs) },
        match === '' ? { name: 'match', configOperation: DELETE, value: null } : { name: 'match', configOperation: SET, value: match },
      ],
      request.create ? 'create client metrics subscriptions' : 'change client metrics subscriptions',
    );
    return this.overview(request.connectionId);
  }

  /** Deletes a subscription: every config of it deleted (Kafka then drops the subscription). */
  async delete(request: ClientMetricsDeleteRequest): Promise<ClientMetricsOverview> {
    const admin = await this.#deps.admin(request.connectionId);
    const existing = await this.#subscriptions(request.connectionId, admin);
    if (!existing.some((s) => s.name === request.name)) throw new AppError('not-found', `There is no client metrics subscription named "${request.name}".`);
    await this.#alter(
      request.connectionId,
      admin,
      request.name,
      CONFIGS.map((name) => ({ name, configOperation: DELETE, value: null })),
      'delete client metrics subscriptions',
    );
    return this.overview(request.connectionId);
  }

  async #subscriptions(connectionId: string, admin: Admin): Promise<ClientMetricsSubscription[]> {
    const context = { action: 'read client metrics subscriptions', right: 'DESCRIBE_CONFIGS', connectedAs: this.#deps.connectedAs(connectionId) } as const;
    const connection = await bootstrapConnection(admin);
    const listVersion = await negotiateVersion(admin, ListClientMetricsResources);
    const listed = await send(connection, ListClientMetricsResources, listVersion, { resourceTypes: listVersion >= 1 ? [CLIENT_METRICS] : [] });
    if (listed.errorCode !== 0) throw refusal(listed.errorCode, null, context);
    const names = listed.clientMetricsResources.filter((r) => r.resourceType === CLIENT_METRICS).map((r) => r.name);
    if (names.length === 0) return [];
    const version = await negotiateVersion(admin, DescribeConfigs);
    const described = await send(connection, DescribeConfigs, version, {
      resources: names.map((resourceName) => ({ resourceType: CLIENT_METRICS, resourceName, configurationKeys: null })),
      includeSynonyms: false,
      includeDocumentation: false,
    });
    return described.results
      .map((result) => {
        if (result.errorCode !== 0) throw refusal(result.errorCode, result.errorMessage, context);
        return subscriptionOf(result.resourceName, new Map(result.configs.map((c) => [c.name, c.value ?? ''])));
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async #alter(
    connectionId: string,
    admin: Admin,
    name: string,
    configs: Array<{ name: string; configOperation: number; value: string | null }>,
    action: string,
  ): Promise<void> {
    const version = await negotiateVersion(admin, IncrementalAlterConfigs);
    const response = await send(await bootstrapConnection(admin), IncrementalAlterConfigs, version, {
      resources: [{ resourceType: CLIENT_METRICS, resourceName: name, configs }],
      validateOnly: false,
    });
    const result = response.responses[0];
    if (result && result.errorCode !== 0) {
      const kafkaCode = errorName(result.errorCode);
      // Kafka's validation (interval range, unknown selector, a pattern that does not compile) in its words.
      if (kafkaCode === 'INVALID_CONFIG' || kafkaCode === 'INVALID_REQUEST') {
        throw new AppError('invalid-request', `The cluster refused the subscription: ${result.errorMessage ?? kafkaCode}.`, { kafkaCode });
      }
      throw refusal(result.errorCode, result.errorMessage, { action, right: 'ALTER_CONFIGS', connectedAs: this.#deps.connectedAs(connectionId) });
    }
  }

  #telemetry(connectionId: string): ClientMetricsOverview['telemetry'] {
    const embedded = this.#deps.embeddedTelemetry(connectionId);
    if (!embedded) {
      return {
        available: false,
        note: "Kafka hands the metrics clients push to the brokers' telemetry reporter plugin (metric.reporters) and has no API to read them back, so Kafka Desk shows pushed metrics only for its embedded cluster.",
        clients: [],
      };
    }
    if (!embedded.receiving) return { available: false, note: embedded.whyNot, clients: [] };
    return { available: true, note: null, clients: embedded.list().map(telemetryClient) };
  }
}
