/**
 * Transaction markers on a partition's leader: what WriteTxnMarkers (KIP-98) does for each partition it
 * names, and what the coordinators of this cluster call directly for their transactions (the
 * in-process MarkerChannel): the marker is appended as a control batch (acks=-1), and when the partition
 * is one of `__consumer_offsets`, the group coordinator then commits or drops the offsets the
 * transaction committed there (Kafka's scheduleHandleTxnCompletion).
 */
import { isPartitionError, type MarkerRequest, type PartitionReplica } from '../cluster/partition-replica';
import { OFFSETS_TOPIC } from '../groups/records';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import type { MarkerChannel } from './coordinator';

/** How long a marker waits for the partition's in-sync replicas. */
export const MARKER_TIMEOUT_MS = 5000;

/** What writing a marker needs of the broker leading the partition. */
export interface MarkerBroker {
  readonly id: number;
  readonly state: 'running' | 'stopped';
  replica(topic: string, partition: number): Pick<PartitionReplica, 'appendMarker'> | undefined;
  storageErrorOf(topic: string, partition: number): string | null;
  readonly controller: { partition(topic: string, partition: number): { leader: number } | undefined };
  readonly groups: { completeTransaction(partition: number, producerId: number, commit: boolean): void };
}

/** Writes one marker on this broker as the partition's leader; resolves to an error code (NONE once replicated). */
export function writeMarker(broker: MarkerBroker, topic: string, partition: number, marker: MarkerRequest): number | Promise<number> {
  const meta = broker.controller.partition(topic, partition);
  if (!meta) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  if (meta.leader !== broker.id || broker.state !== 'running') return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  const replica = broker.replica(topic, partition);
  if (!replica) return broker.storageErrorOf(topic, partition) !== null ? ErrorCode.KAFKA_STORAGE_ERROR : ErrorCode.NOT_LEADER_OR_FOLLOWER;
  const finish = (outcome: Awaited<ReturnType<PartitionReplica['appendMarker']>>): number => {
    if (isPartitionError(outcome)) return ErrorCode[outcome.error];
    if (topic === OFFSETS_TOPIC) broker.groups.completeTransaction(partition, marker.producerId, marker.commit);
    return ErrorCode.NONE;
  };
  const outcome = replica.appendMarker(marker, MARKER_TIMEOUT_MS);
  return outcome instanceof Promise ? outcome.then(finish) : finish(outcome);
}

/**
 * The coordinators' way to their partitions' leaders in this process: the leader's own marker code,
 * without a request on the wire. `leaderOf` finds the running broker that leads a partition.
 */
export function inProcessMarkerChannel(leaderOf: (topic: string, partition: number) => MarkerBroker | undefined): MarkerChannel {
  return {
    write: async (topic, partition, marker) => {
      const leader = leaderOf(topic, partition);
      if (!leader) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
      return writeMarker(leader, topic, partition, marker);
    },
  };
}
