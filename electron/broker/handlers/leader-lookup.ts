import type { PartitionReplica } from '../cluster/partition-replica';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import type { RequestContext } from './handler';

/**
 * The leader replica of a partition on this broker, or the error code a client expects: unknown
 * partition, not the leader, or a leader epoch from the past (fenced) or the future (unknown).
 * `currentLeaderEpoch` -1 skips the epoch check, as the protocol defines.
 */
export function leaderReplica(context: RequestContext, topic: string, partition: number, currentLeaderEpoch = -1): PartitionReplica | number {
  const { broker } = context;
  const meta = broker.controller.partition(topic, partition);
  if (!meta) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  if (meta.leader !== broker.id) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  if (currentLeaderEpoch !== -1 && currentLeaderEpoch !== meta.leaderEpoch) {
    return currentLeaderEpoch < meta.leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH;
  }
  return (
    broker.replica(topic, partition) ?? (broker.storageErrorOf(topic, partition) !== null ? ErrorCode.KAFKA_STORAGE_ERROR : ErrorCode.NOT_LEADER_OR_FOLLOWER)
  );
}
