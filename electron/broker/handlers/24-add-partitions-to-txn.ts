import { ErrorCode } from '../../kafka/protocol/error-codes';
import {
  AddPartitionsToTxn,
  type AddPartitionsToTxnRequestAddPartitionsToTxnTopic,
  type AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult,
} from '../../kafka/protocol/generated/index';
import { requestProducerId } from '../transactions/producer-id';
import { defineHandler, type RequestContext } from './handler';
import { AclOperation, authorizedOnCluster, authorizedOnTopic, authorizedOnTransactionalId } from '../security/request-authorization';

interface TransactionPartitions {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  verifyOnly: boolean;
  topics: AddPartitionsToTxnRequestAddPartitionsToTxnTopic[];
}

const everyPartition = (topics: AddPartitionsToTxnRequestAddPartitionsToTxnTopic[], code: (topic: string) => number) =>
  topics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode: code(t.name) })) }));

/** One transaction's partitions: authorized and existing ones go to the coordinator, as Kafka's KafkaApis does. */
async function addToTransaction(txn: TransactionPartitions, context: RequestContext): Promise<AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult[]> {
  const { broker, apiVersion } = context;
  if (!authorizedOnTransactionalId(context, AclOperation.WRITE, txn.transactionalId)) {
    return everyPartition(txn.topics, () => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  }
  // A partition that cannot be added fails the request; the others are not attempted.
  const refusals = new Map<string, number>();
  for (const t of txn.topics) {
    if (!authorizedOnTopic(context, AclOperation.WRITE, t.name)) refusals.set(t.name, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    else if (t.partitions.some((p) => !broker.controller.partition(t.name, p))) refusals.set(t.name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  }
  if (refusals.size > 0) return everyPartition(txn.topics, (topic) => refusals.get(topic) ?? ErrorCode.OPERATION_NOT_ATTEMPTED);
  const partitions = txn.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
  const producerId = requestProducerId(txn.producerId);
  if (producerId === null) return everyPartition(txn.topics, () => ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  if (txn.verifyOnly) {
    const codes = broker.transactions.verifyPartitions(txn.transactionalId, producerId, txn.producerEpoch, partitions);
    let i = 0;
    return everyPartition(txn.topics, () => codes[i++]!);
  }
  const code = await broker.transactions.addPartitions(txn.transactionalId, producerId, txn.producerEpoch, partitions);
  // KIP-588: clients before v2 know INVALID_PRODUCER_EPOCH, not PRODUCER_FENCED.
  const answered = code === ErrorCode.PRODUCER_FENCED && apiVersion < 2 ? ErrorCode.INVALID_PRODUCER_EPOCH : code;
  return everyPartition(txn.topics, () => answered);
}

/**
 * AddPartitionsToTxn (KIP-98): the transactional producer names the partitions it is about to write
 * before writing them, so its coordinator can write their markers at the end. v0-3 carry one
 * transaction (clients); v4+ several, each possibly verify-only (KIP-890: brokers asking whether a
 * partition is in a transaction), and need CLUSTER_ACTION.
 */
export const addPartitionsToTxnHandler = defineHandler({
  api: AddPartitionsToTxn,
  minVersion: 0,
  maxVersion: 5,
  handle: async (request, context) => {
    if (context.apiVersion <= 3) {
      const results = await addToTransaction(
        {
          transactionalId: request.v3AndBelowTransactionalId,
          producerId: request.v3AndBelowProducerId,
          producerEpoch: request.v3AndBelowProducerEpoch,
          verifyOnly: false,
          topics: request.v3AndBelowTopics,
        },
        context,
      );
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction: [], resultsByTopicV3AndBelow: results };
    }
    if (!authorizedOnCluster(context, AclOperation.CLUSTER_ACTION)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, resultsByTransaction: [], resultsByTopicV3AndBelow: [] };
    }
    const resultsByTransaction = await Promise.all(
      request.transactions.map(async (txn) => ({ transactionalId: txn.transactionalId, topicResults: await addToTransaction(txn, context) })),
    );
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction, resultsByTopicV3AndBelow: [] };
  },
});
