// The one door from the app to the embedded broker: EmbeddedClusterHandle is the narrow interface the
// services use, which the real EmbeddedCluster satisfies (checked by the compiler here), and the
// broker's modules are imported dynamically, only when the embedded cluster starts.
import type { ThrottledClient } from '../../../shared/model/acls';
import type { ClusterEvent, EmbeddedBrokerStatus, KafkaVersion, MetadataModeChoice } from '../../../shared/model/schemas';
import type { ReceivedTelemetry } from '../client-metrics/service';

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
  /** ZooKeeper or KRaft brokers of that release (null: its default); a mode it did not have fails the start, saying why. */
  metadataMode?: MetadataModeChoice | null;
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
  /** The clients the brokers throttled (their throttle-time metrics, which no Kafka API returns). */
  throttledClients(): ThrottledClient[];
  close(): Promise<void>;
  /** The client telemetry its brokers accepted (KIP-714): each client instance's latest push. */
  readonly telemetry?: { list(): ReceivedTelemetry[] };
  /** The CA certificate (PEM path) clients must trust when the listeners use TLS; null without TLS. */
  readonly caLocation?: string | null;
  /** The schema registry's URL while it serves, and why it does not when it was asked for. */
  schemaRegistry?(): { url: string | null; error: string | null };
  /**
   * Serves the schema registry on another port while the cluster runs (starts it when it could not
   * start before). Throws, in words, when the port is taken; a registry that served keeps serving.
   */
  moveSchemaRegistry?(port: number): Promise<void>;
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
      const why = (failure: unknown, port: number, outcome: string) => {
        const reason = failure instanceof Error ? failure.message : String(failure);
        return /EADDRINUSE/.test(reason)
          ? `Port ${port} is in use by another program, so the schema registry ${outcome}.`
          : `The schema registry ${outcome}: ${reason.replace(/\.$/, '')}.`;
      };
      try {
        registry = await startEmbeddedSchemaRegistry(cluster, { port: options.schemaRegistryPort, host: options.host });
      } catch (failure) {
        error = why(failure, options.schemaRegistryPort, 'did not start');
      }
      return Object.assign(cluster, {
        schemaRegistry: () => ({ url: registry?.url ?? null, error }),
        moveSchemaRegistry: async (port: number) => {
          if (registry) {
            try {
              await registry.move(port);
            } catch (failure) {
              throw new Error(`${why(failure, port, 'did not move')} It still serves at ${registry.url}.`, { cause: failure });
            }
            return;
          }
          try {
            registry = await startEmbeddedSchemaRegistry(cluster, { port, host: options.host });
            error = null;
          } catch (failure) {
            error = why(failure, port, 'did not start');
            throw new Error(error, { cause: failure });
          }
        },
        close: async () => {
          await registry?.close();
          await EmbeddedCluster.prototype.close.call(cluster);
        },
      });
    },
  };
}
