import { createHash } from 'node:crypto';
import { ZERO_UUID } from '../../kafka/protocol/uuid';
import { KRAFT_VERSION, type ClusterFeatures } from './features';

/**
 * The directory id of the embedded controller's metadata log as a voter (KIP-853): none (the zero
 * UUID) under kraft.version 0, a static quorum, as Kafka's voters have; from kraft.version 1 a UUID
 * derived from the cluster id and the node id, so it is the same at every start.
 */
export function voterDirectoryId(clusterId: string, nodeId: number, features: ClusterFeatures): string {
  if (features.level(KRAFT_VERSION) < 1) return ZERO_UUID;
  const hex = createHash('sha256').update(`${clusterId}/${nodeId}/__cluster_metadata`).digest('hex');
  // An RFC 4122 version-4 layout, so it reads as any other Kafka UUID.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
