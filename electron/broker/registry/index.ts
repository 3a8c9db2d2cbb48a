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
  /**
   * Serves the same registry on another port (0: any free one): the new listener is opened first, so a
   * port that is taken throws and the registry keeps serving where it was; then the old one closes.
   */
  move(port: number): Promise<void>;
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
  const listen = async (port: number): Promise<RegistryServer> => {
    const started = await startRegistryServer({
      registry,
      port,
      host: options.host,
      clusterId: options.clusterId,
      onError: (error) => logger?.error('schema registry request failed', { error }),
    });
    logger?.info('schema registry listening', { url: started.url });
    return started;
  };
  let server = await listen(options.port);
  return {
    get url() {
      return server.url;
    },
    get port() {
      return server.port;
    },
    registry,
    async move(port) {
      const previous = server;
      server = await listen(port);
      await previous.close();
    },
    close: () => server.close(),
  };
}

/** The registry of an embedded cluster, on its `_schemas` topic. */
export function startEmbeddedSchemaRegistry(cluster: EmbeddedCluster, options: EmbeddedSchemaRegistryOptions): Promise<EmbeddedSchemaRegistry> {
  return startSchemaRegistry(new ClusterSchemasLog(clusterTopicHost(cluster)), {
    ...options,
    logger: options.logger ?? cluster.logger,
    clusterId: () => cluster.controller.clusterId,
  });
}
