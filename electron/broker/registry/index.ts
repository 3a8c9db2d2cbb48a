/**
 * The embedded cluster's schema registry: Confluent Schema Registry's REST API on 127.0.0.1, its state
 * in the cluster's compacted `_schemas` topic. Started beside the cluster by `npm run cluster --
 * --schema-registry-port P` and by the app's embedded cluster service.
 */
import type { EmbeddedCluster } from '../cluster/cluster';
import type { Logger as BrokerLogger } from '../server/logger';
import { startRegistryServer, type RegistryServer } from './http';
import { SchemaRegistry } from './registry';
import { ClusterSchemasLog, clusterTopicHost, type SchemasLog } from './schemas-log';

export { SchemaRegistry } from './registry';
export { SCHEMAS_TOPIC } from './records';
export type { SchemasLog } from './schemas-log';

export interface EmbeddedSchemaRegistry {
  readonly url: string;
  readonly port: number;
  readonly registry: SchemaRegistry;
  close(): Promise<void>;
}

export interface EmbeddedSchemaRegistryOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  logger?: BrokerLogger;
  /** How long to wait at start for `_schemas` to have a leader (default 30 s). */
  startTimeoutMs?: number;
  /** How long a write waits for the leader of `_schemas` and its in-sync replicas (default 10 s). */
  writeTimeoutMs?: number;
}

/** Starts a registry over any SchemasLog (tests give it one of their own). */
export async function startSchemaRegistry(
  log: SchemasLog,
  options: EmbeddedSchemaRegistryOptions & { clusterId?: () => string },
): Promise<EmbeddedSchemaRegistry> {
  const logger = options.logger?.child({ component: 'schema-registry' });
  const registry = new SchemaRegistry(log, logger, { writeTimeoutMs: options.writeTimeoutMs });
  await registry.start(options.startTimeoutMs ?? 30_000);
  const server: RegistryServer = await startRegistryServer({
    registry,
    port: options.port,
    host: options.host,
    clusterId: options.clusterId,
    onError: (error) => logger?.error('schema registry request failed', { error }),
  });
  logger?.info('schema registry listening', { url: server.url });
  return { url: server.url, port: server.port, registry, close: () => server.close() };
}

/** The registry of an embedded cluster, on its `_schemas` topic. */
export function startEmbeddedSchemaRegistry(cluster: EmbeddedCluster, options: EmbeddedSchemaRegistryOptions): Promise<EmbeddedSchemaRegistry> {
  return startSchemaRegistry(new ClusterSchemasLog(clusterTopicHost(cluster)), {
    ...options,
    logger: options.logger ?? cluster.logger,
    clusterId: () => cluster.controller.clusterId,
  });
}
