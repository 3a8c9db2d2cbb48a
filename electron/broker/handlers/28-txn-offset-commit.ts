import type { PartitionResults } from '../groups/group-offsets';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { TxnOffsetCommit, type TxnOffsetCommitResponse } from '../../kafka/protocol/generated/index';
import { requestProducerId } from '../transactions/producer-id';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnGroup, authorizedOnTopic, authorizedOnTransactionalId } from '../security/request-authorization';

/**
 * TxnOffsetCommit (KIP-98; KIP-447 adds the member and generation in v3): a transactional producer
 * commits a group's offsets in its transaction (consume-transform-produce). The group coordinator writes
 * them at once but they stay invisible to OffsetFetch until the transaction's commit marker reaches the
 * group's offsets partition; an abort drops them. Needs WRITE on the transactional id, READ on the
 * group and on each topic.
 */
export const txnOffsetCommitHandler = defineHandler({
  api: TxnOffsetCommit,
  minVersion: 0,
  maxVersion: 4,
  handle: (request, context) => {
    const v = context.apiVersion;
    const refuse = (topics: typeof request.topics, errorCode: number): PartitionResults =>
      topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) }));
    if (!authorizedOnTransactionalId(context, AclOperation.WRITE, request.transactionalId)) {
      return { throttleTimeMs: 0, topics: refuse(request.topics, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED) };
    }
    if (!authorizedOnGroup(context, AclOperation.READ, request.groupId)) {
      return { throttleTimeMs: 0, topics: refuse(request.topics, ErrorCode.GROUP_AUTHORIZATION_FAILED) };
    }
    const producerId = requestProducerId(request.producerId);
    if (producerId === null || producerId < 0) return { throttleTimeMs: 0, topics: refuse(request.topics, ErrorCode.INVALID_PRODUCER_ID_MAPPING) };
    const refused = request.topics.filter((t) => !authorizedOnTopic(context, AclOperation.READ, t.name));
    const allowed = refused.length === 0 ? request.topics : request.topics.filter((t) => !refused.includes(t));
    const toResponse = (topics: PartitionResults): TxnOffsetCommitResponse => ({
      throttleTimeMs: 0,
      topics: refused.length === 0 ? topics : [...topics, ...refuse(refused, ErrorCode.TOPIC_AUTHORIZATION_FAILED)],
    });
    const result = context.broker.groups.commitTransactionalOffsets({
      groupId: request.groupId,
      producerId,
      producerEpoch: request.producerEpoch,
      generationId: v >= 3 ? request.generationId : -1,
      memberId: v >= 3 ? request.memberId : '',
      groupInstanceId: v >= 3 ? request.groupInstanceId : null,
      topics: allowed.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partition: p.partitionIndex,
          offset: Number(p.committedOffset),
          leaderEpoch: v >= 2 ? p.committedLeaderEpoch : -1,
          metadata: p.committedMetadata,
          commitTimestamp: -1,
        })),
      })),
    });
    return result instanceof Promise ? result.then(toResponse) : toResponse(result);
  },
});
