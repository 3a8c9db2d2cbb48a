import type { PartitionResults } from '../groups/group-offsets';
import { OFFSETS_TOPIC } from '../groups/records';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { TxnOffsetCommit, type TxnOffsetCommitResponse } from '../../kafka/protocol/generated/index';
import { requestProducerId } from '../transactions/producer-id';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnGroup, authorizedOnTopic, authorizedOnTransactionalId } from '../security/request-authorization';
import { txnOffsetCommitOperation, verificationError } from '../transactions/verification';
import type { RequestContext } from './handler';

/**
 * TxnOffsetCommit (KIP-98; KIP-447 adds the member and generation in v3): a transactional producer
 * commits a group's offsets in its transaction (consume-transform-produce). The group coordinator writes
 * them at once but they stay invisible to OffsetFetch until the transaction's commit marker reaches the
 * group's offsets partition; an abort drops them. Needs WRITE on the transactional id, READ on the
 * group and on each topic.
 *
 * KIP-890: the group's `__consumer_offsets` partition must be in the producer's transaction. Before
 * v5 the producer added it (AddOffsetsToTxn) and the coordinator verifies that with the transaction
 * coordinator (transaction.partition.verification.enable), as for a produce; from v5 (transaction
 * version 2) the producer sends no AddOffsetsToTxn and the transaction coordinator adds it.
 */
export const txnOffsetCommitHandler = defineHandler({
  api: TxnOffsetCommit,
  minVersion: 0,
  maxVersion: 5,
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
    const commit = () =>
      context.broker.groups.commitTransactionalOffsets({
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
    const committed = (): TxnOffsetCommitResponse | Promise<TxnOffsetCommitResponse> => {
      const result = commit();
      return result instanceof Promise ? result.then(toResponse) : toResponse(result);
    };
    const verified = verifyOffsetsPartition(request.transactionalId, producerId, request.producerEpoch, request.groupId, context);
    if (verified === ErrorCode.NONE) return committed();
    if (typeof verified === 'number') return toResponse(refuse(allowed, verified));
    return verified.then((code) => (code === ErrorCode.NONE ? committed() : toResponse(refuse(allowed, code))));
  },
});

/**
 * KIP-890 for the group's offsets partition (Kafka's CoordinatorPartitionWriter.maybeStartTransactionVerification):
 * NONE when the partition may take the producer's transactional offsets, else the error for every
 * partition of the request; a promise while the transaction coordinator adds it (v5). Nothing to check
 * when this broker does not lead the partition (the commit answers NOT_COORDINATOR) or the producer's
 * transaction is open there already.
 */
function verifyOffsetsPartition(
  transactionalId: string,
  producerId: number,
  producerEpoch: number,
  groupId: string,
  context: RequestContext,
): number | Promise<number> {
  const { broker } = context;
  const operation = txnOffsetCommitOperation(context.apiVersion);
  if (operation !== 'addPartition' && !broker.config.bool('transaction.partition.verification.enable')) return ErrorCode.NONE;
  const partition = broker.groups.partitionFor(groupId);
  const replica = partition < 0 ? undefined : broker.replica(OFFSETS_TOPIC, partition);
  if (!replica?.isLeader || replica.producers.hasOngoingTransaction(producerId, producerEpoch)) return ErrorCode.NONE;
  const partitions = [{ topic: OFFSETS_TOPIC, partition }];
  const verify = () => verificationError(broker.transactionVerifier.verify(transactionalId, producerId, producerEpoch, partitions)[0]!, operation);
  if (operation !== 'addPartition') return verify();
  // Checked again once added: the transaction may have ended meanwhile.
  return broker.transactionVerifier
    .add(transactionalId, producerId, producerEpoch, partitions)
    .then((code) => (code === ErrorCode.NONE ? verify() : verificationError(code, operation)));
}
