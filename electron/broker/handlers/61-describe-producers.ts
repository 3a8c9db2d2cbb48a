import { ErrorCode } from '../../kafka/protocol/error-codes';
import { DescribeProducers } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { leaderReplica } from './leader-lookup';
import { AclOperation, authorizedOnTopic } from '../security/request-authorization';

const ERROR_MESSAGES: Partial<Record<number, string>> = {
  [ErrorCode.TOPIC_AUTHORIZATION_FAILED]: 'Describing producers needs READ on the topic.',
  [ErrorCode.NOT_LEADER_OR_FOLLOWER]: 'This broker does not lead the partition; ask its leader.',
  [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]: 'The partition does not exist.',
};

/**
 * DescribeProducers (KIP-664): the producers a partition's leader knows, from the idempotent and
 * transactional producer state it keeps to check sequences (producer id, epoch, last sequence and
 * timestamp, the coordinator epoch of its last marker, where its open transaction starts). Sent to the
 * leader of each partition; any other broker answers NOT_LEADER_OR_FOLLOWER for it. Needs READ on the
 * topic, as in Kafka.
 */
export const describeProducersHandler = defineHandler({
  api: DescribeProducers,
  minVersion: 0,
  maxVersion: 0,
  handle: (request, context) => ({
    throttleTimeMs: 0,
    topics: request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitionIndexes.map((partitionIndex) => {
        const replica = authorizedOnTopic(context, AclOperation.READ, topic.name)
          ? leaderReplica(context, topic.name, partitionIndex)
          : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        if (typeof replica === 'number') return { partitionIndex, errorCode: replica, errorMessage: ERROR_MESSAGES[replica] ?? null, activeProducers: [] };
        return {
          partitionIndex,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          activeProducers: replica.producerStates().map((p) => ({
            producerId: BigInt(p.producerId),
            producerEpoch: p.producerEpoch,
            lastSequence: p.lastSequence,
            lastTimestamp: BigInt(p.lastTimestamp),
            coordinatorEpoch: p.coordinatorEpoch,
            currentTxnStartOffset: BigInt(p.currentTxnStartOffset),
          })),
        };
      }),
    })),
  }),
});
