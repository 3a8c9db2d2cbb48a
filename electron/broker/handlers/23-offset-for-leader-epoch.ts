import { ErrorCode } from '../../kafka/protocol/error-codes';
import { OffsetForLeaderEpoch } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { leaderReplica } from './leader-lookup';
import { AclOperation, authorizedOnCluster, authorizedOnTopic } from '../security/request-authorization';

/**
 * OffsetForLeaderEpoch: where a leader epoch ends in the leader's log (the start of the next epoch, or
 * the log end for the current one), so consumers and followers can detect and cut divergent history.
 */
export const offsetForLeaderEpochHandler = defineHandler({
  api: OffsetForLeaderEpoch,
  minVersion: 0,
  maxVersion: 4,
  handle: (request, context) => ({
    throttleTimeMs: 0,
    topics: request.topics.map((topic) => ({
      topic: topic.topic,
      partitions: topic.partitions.map((p) => {
        // Consumers need DESCRIBE on the topic (replicas, CLUSTER_ACTION).
        if (!authorizedOnTopic(context, AclOperation.DESCRIBE, topic.topic) && !authorizedOnCluster(context, AclOperation.CLUSTER_ACTION)) {
          return { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, partition: p.partition, leaderEpoch: -1, endOffset: -1n };
        }
        const replica = leaderReplica(context, topic.topic, p.partition, context.apiVersion >= 2 ? p.currentLeaderEpoch : -1);
        if (typeof replica === 'number') return { errorCode: replica, partition: p.partition, leaderEpoch: -1, endOffset: -1n };
        const { epoch, endOffset } = replica.log.endOffsetForEpoch(p.leaderEpoch);
        return { errorCode: ErrorCode.NONE, partition: p.partition, leaderEpoch: epoch, endOffset: BigInt(endOffset) };
      }),
    })),
  }),
});
