// The one door from the app to the embedded broker: EmbeddedClusterHandle is the narrow interface the
// services use, which the real EmbeddedCluster satisfies (checked by the compiler here), and the
// broker's modules are imported dynamically, only when the embedded cluster starts.
import type { ClusterEvent, EmbeddedBrokerStatus, KafkaVersion } from '../../../shared/model/schemas';

export interface EmbeddedClusterOptions {
  brokers: number;
  basePort: number;
  host?: string;
  dataDir: string;
  config?: Record<string, string>;
  /** Serves the embedded schema registry on this port too (0: any free port). */
  schemaRegistryPort?: number;
  /** The Kafka release the brokers play (null: every version they implement). */
  kafkaVersion?: KafkaVersion | null;
  /**
   * SASL users given SCRAM credentials at start (PLAIN checks them too). With `config` holding
   * `listeners=SASL_SSL://...` (or SSL, SASL_PLAINTEXT) and the authorizer's configs, this runs the
   * cluster secured as `npm run cluster -- --security-protocol ... --user ... --acl` does.
   */
  users?: ReadonlyArray<{ name: string; password: string }>;
}

export interface EmbeddedClusterHandle {
  bootstrapServers(): string;
  brokers(): EmbeddedBrokerStatus[];
  stopBroker(id: number): Promise<void>;
  killBroker(id: number): Promise<void>;
  startBroker(id: number): Promise<void>;
  /** Adds a broker while running (next free id); see EmbeddedCluster.addBroker. */
  addBroker(): Promise<EmbeddedBrokerStatus>;
  /** Removes a broker that holds no replica; refused (thrown) otherwise. */
  removeBroker(id: number): Promise<void>;
  onEvent(listener: (event: ClusterEvent) => void): () => void;
  close(): Promise<void>;
  /** The CA certificate (PEM path) clients must trust when the listeners use TLS; null without TLS. */
  readonly caLocation?: string | null;
  /** The schema registry's URL while it serves, and why it does not when it was asked for. */
  schemaRegistry?(): { url: string | null; error: string | null };
}

export interface EmbeddedClusterFactory {
  start(options: EmbeddedClusterOptions): Promise<EmbeddedClusterHandle>;
}

/** Loads the broker code only when the embedded cluster is wanted: web mode with --no-embedded and
 * the app with the cluster turned off never pay for it. */
export async function loadEmbeddedClusterFactory(): Promise<EmbeddedClusterFactory> {
  const { EmbeddedCluster } = await import('../../broker/cluster/cluster');
  const { startEmbeddedSchemaRegistry } = await import('../../broker/registry');
  return {
    async start(options) {
      const cluster = await EmbeddedCluster.start(options);
      if (options.schemaRegistryPort === undefined) return cluster;
      // A registry that cannot start (its port taken) leaves the cluster running, and says why.
      let registry: Awaited<ReturnType<typeof startEmbeddedSchemaRegistry>> | null = null;
      let error: string | null = null;
      try {
        registry = await startEmbeddedSchemaRegistry(cluster, { port: options.schemaRegistryPort, host: options.host });
      } catch (failure) {
        const reason = failure instanceof Error ? failure.message : String(failure);
        error = /EADDRINUSE/.test(reason)
          ? `Port ${options.schemaRegistryPort} is in use by another program, so the schema registry did not start.`
          : `The schema registry could not start: ${reason.replace(/\.$/, '')}.`;
      }
      return Object.assign(cluster, {
        schemaRegistry: () => ({ url: registry?.url ?? null, error }),
        close: async () => {
          await registry?.close();
          await EmbeddedCluster.prototype.close.call(cluster);
        },
      });
    },
  };
}
