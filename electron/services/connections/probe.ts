// One health check of a cluster through a connection's Admin client: Metadata without topics from a
// bootstrap server (its round trip is the connection's RTT, and it lists the brokers), then
// ApiVersions to every listed broker, so a broker that is listed but refuses connections or times
// out (a wrong advertised listener, a hung process) is found as well. Cheap: no topic is read.
import {
  apiVersionsV3,
  clientSoftwareName,
  clientSoftwareVersion,
  kGetApi,
  kGetBootstrapConnection,
  kGetConnection,
  type Admin,
  type API,
  type Connection,
  type metadataV12,
} from '@platformatic/kafka';
import type { ProbedBroker, ProbeResult } from './health';
import { describeNetworkFailure } from '../../core/network-errors';

type MetadataApi = API<[topics: string[] | null, allowAutoTopicCreation?: boolean, includeTopicAuthorizedOperations?: boolean], metadataV12.MetadataResponse>;

function bootstrapConnection(admin: Admin): Promise<Connection> {
  return new Promise((resolve, reject) =>
    admin[kGetBootstrapConnection]((error, value) => (error || !value ? reject(error ?? new Error('no connection')) : resolve(value))),
  );
}

function brokerConnection(admin: Admin, broker: { host: string; port: number }): Promise<Connection> {
  return new Promise((resolve, reject) =>
    admin[kGetConnection](broker, (error, value) => (error || !value ? reject(error ?? new Error('no connection')) : resolve(value))),
  );
}

function metadataApi(admin: Admin): Promise<MetadataApi> {
  return new Promise((resolve, reject) =>
    admin[kGetApi]<[string[] | null, boolean?, boolean?], metadataV12.MetadataResponse>('Metadata', (error, value) =>
      error || !value ? reject(error ?? new Error('Metadata API not available')) : resolve(value),
    ),
  );
}

export interface ProbeOptions {
  /** Words for a broker's network failure (with the request that timed out, when one did). */
  describe?: (error: unknown) => string | null;
}

export async function probeCluster(admin: Admin, options: ProbeOptions = {}): Promise<ProbeResult & { clusterId: string; controllerId: number }> {
  const describe = options.describe ?? ((error: unknown) => describeNetworkFailure(error));
  const connection = await bootstrapConnection(admin);
  const api = await metadataApi(admin);
  const started = performance.now();
  // An empty topic list asks for no topics (null would mean all of them).
  const response = await api.async(connection, [], false, false);
  const rttMs = Math.round((performance.now() - started) * 10) / 10;
  const brokers = await Promise.all(
    response.brokers.map(async (broker): Promise<ProbedBroker> => {
      const address = `${broker.host}:${broker.port}`;
      try {
        const brokerConn = await brokerConnection(admin, { host: broker.host, port: broker.port });
        const sent = performance.now();
        await apiVersionsV3.api.async(brokerConn, clientSoftwareName as string, clientSoftwareVersion as string).catch((error: unknown) => {
          // Any answer, even an error code, means the broker is there.
          if (describe(error) !== null) throw error;
        });
        return { id: broker.nodeId, address, ok: true, rttMs: Math.round((performance.now() - sent) * 10) / 10, error: null };
      } catch (error) {
        return { id: broker.nodeId, address, ok: false, rttMs: null, error: describe(error) ?? (error instanceof Error ? error.message : String(error)) };
      }
    }),
  );
  return { rttMs, brokers, clusterId: response.clusterId ?? '', controllerId: response.controllerId };
}
