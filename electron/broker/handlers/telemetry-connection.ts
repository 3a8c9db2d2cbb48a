import type { Connection } from '../server/connection';
import type { TelemetryConnection } from '../telemetry/client-metrics-manager';
import type { RequestContext } from './handler';

const watched = new WeakSet<Connection>();

/**
 * The requesting client as client metrics match it (KIP-714: client id, software name and version from
 * ApiVersions, source address and port); the broker's manager forgets the connection's instances once
 * it closes.
 */
export function telemetryConnection(context: RequestContext): TelemetryConnection {
  const { connection, broker } = context;
  if (!watched.has(connection)) {
    watched.add(connection);
    connection.onClose(() => broker.clientMetrics.connectionClosed(connection.id));
  }
  return {
    connectionId: connection.id,
    clientId: context.clientId,
    softwareName: connection.clientSoftware?.name ?? null,
    softwareVersion: connection.clientSoftware?.version ?? null,
    sourceAddress: connection.socket.remoteAddress?.replace(/^::ffff:/, '') ?? null,
    sourcePort: connection.socket.remotePort === undefined ? null : String(connection.socket.remotePort),
  };
}
