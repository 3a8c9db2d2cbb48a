import { isPartitionError, type AppendOutcome, type PartitionError, type PartitionReplica } from '../cluster/partition-replica';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import {
  createProduceResponseLeaderIdAndEpoch,
  Produce,
  type ProduceResponse,
  type ProduceResponseNodeEndpoint,
  type ProduceResponsePartitionProduceResponse,
} from '../../kafka/protocol/generated/index';
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, MAGIC_OFFSET, compressionOf, isTransactional, readInt64 } from '../../kafka/records/batch-header';
import { CompressionType } from '../../kafka/records/compression';
import { DecompressionBudget } from '../log/validator';
import { refusalLog } from '../server/refusal-log';
import { Deferred, defineHandler, type RequestContext } from './handler';
import { AclOperation, authorizedOnTopic, authorizedOnTransactionalId } from '../security/request-authorization';
import { quotaIdentity } from '../quotas/throttle';
import { produceOperation, verificationRefusal, type TransactionSupportedOperation } from '../transactions/verification';

/**
 * KIP-13: the request's bytes count against the producer's producer_byte_rate (Kafka records the whole
 * request's size); over it, the answer carries throttle_time_ms and the channel is muted for that time.
 */
function recordProduceQuota(context: RequestContext, requestBytes: number): void {
  const { broker } = context;
  if (!broker.controller.clientQuotas.inUse('producer_byte_rate')) return;
  const { user, clientId } = quotaIdentity(context.connection, context.clientId);
  const throttle = broker.clientQuotas.produce.recordAndGetThrottleTimeMs(user, clientId, requestBytes);
  if (throttle <= 0) return;
  broker.clientQuotas.produce.recordThrottle(user, clientId, throttle);
  context.throttleTimeMs = Math.max(context.throttleTimeMs, throttle);
}

type PartitionResult = AppendOutcome | PartitionError;

function partitionResponse(index: number, result: PartitionResult, context: RequestContext, topic: string): ProduceResponsePartitionProduceResponse {
  if (!isPartitionError(result)) {
    return {
      index,
      errorCode: ErrorCode.NONE,
      baseOffset: BigInt(result.baseOffset),
      logAppendTimeMs: BigInt(result.logAppendTime),
      logStartOffset: BigInt(result.logStartOffset),
      recordErrors: [],
      errorMessage: null,
      currentLeader: createProduceResponseLeaderIdAndEpoch(),
    };
  }
  const meta = context.broker.controller.partition(topic, index);
  return {
    index,
    errorCode: ErrorCode[result.error],
    baseOffset: -1n,
    logAppendTimeMs: -1n,
    logStartOffset: -1n,
    recordErrors: [],
    errorMessage: result.message,
    // KIP-951: tell the client where the partition moved, so it need not refresh all metadata.
    currentLeader:
      result.error === 'NOT_LEADER_OR_FOLLOWER' && meta ? { leaderId: meta.leader, leaderEpoch: meta.leaderEpoch } : createProduceResponseLeaderIdAndEpoch(),
  };
}

/**
 * What the request version allows (Kafka's ProduceRequest.validateRecords): v3+ carries exactly one record
 * batch (magic 2) per partition, and zstd needs v7+ (KIP-110). Older versions may send any message format.
 * Bytes too broken to tell are left to the validator, which answers CORRUPT_MESSAGE.
 */
function checkRequestFormat(records: Buffer, version: number): PartitionError | null {
  if (version < 3 || records.length <= MAGIC_OFFSET) return null;
  const magic = records.readInt8(MAGIC_OFFSET);
  if (magic === 0 || magic === 1) {
    return { error: 'INVALID_RECORD', message: `Produce requests of version ${version} may only carry record batches of magic 2, not magic ${magic}.` };
  }
  if (magic !== 2 || records.length < BATCH_HEADER_SIZE) return null;
  const size = records.readInt32BE(8) + LOG_OVERHEAD;
  if (size >= BATCH_HEADER_SIZE && size < records.length) {
    return { error: 'INVALID_RECORD', message: `Produce requests of version ${version} may carry exactly one record batch per partition.` };
  }
  if (version < 7 && compressionOf(records.readInt16BE(ATTRIBUTES_OFFSET)) === CompressionType.Zstd) {
    return { error: 'UNSUPPORTED_COMPRESSION_TYPE', message: `Produce requests of version ${version} may not use zstd compression (version 7 or later may).` };
  }
  return null;
}

/** Whether a partition's records (one batch from Produce v3 on, checked already) are a transactional batch of magic 2. */
function carriesTransactionalBatch(records: Buffer): boolean {
  return records.length >= BATCH_HEADER_SIZE && records.readInt8(MAGIC_OFFSET) === 2 && isTransactional(records.readInt16BE(ATTRIBUTES_OFFSET));
}

/** One partition's answer, filled in when its append (or refusal) is known. */
interface Slot {
  topic: string;
  index: number;
  result: PartitionResult;
}

const UNANSWERED: PartitionError = { error: 'UNKNOWN_SERVER_ERROR', message: '' };

/**
 * Records a partition's outcome; refusals of the records are logged. Module functions rather than
 * closures made per request: tsx/esbuild's keepNames gives every named closure a __name call (a
 * defineProperty costing microseconds) each time one is made, a measurable share of a produce.
 */
function settle(slot: Slot, result: PartitionResult, context: RequestContext): void {
  slot.result = result;
  if (isPartitionError(result) && RECORD_REFUSALS.has(result.error)) {
    refusalLog(context.broker.logger).warn('produce refused', {
      topic: slot.topic,
      partition: slot.index,
      error: result.error,
      reason: result.message,
      client: context.clientId ?? '',
      version: context.apiVersion,
    });
  }
}

/** The response once every partition is settled; none for acks=0. */
function responseOf(
  acks: number,
  responses: ReadonlyArray<{ name: string; topicId: string; partitionResponses: readonly Slot[] }>,
  context: RequestContext,
): ProduceResponse | null {
  if (acks === 0) return null;
  let leaders: Set<number> | null = null;
  const body: ProduceResponse = {
    responses: responses.map((topic) => ({
      name: topic.name,
      topicId: topic.topicId,
      partitionResponses: topic.partitionResponses.map((slot) => {
        const response = partitionResponse(slot.index, slot.result, context, topic.name);
        if (response.currentLeader.leaderId >= 0) (leaders ??= new Set()).add(response.currentLeader.leaderId);
        return response;
      }),
    })),
    throttleTimeMs: 0,
    nodeEndpoints: [],
  };
  if (leaders === null) return body;
  const moved: Set<number> = leaders;
  body.nodeEndpoints = context.broker
    .liveBrokers()
    .filter((b) => moved.has(b.id))
    .map((b): ProduceResponseNodeEndpoint => ({ nodeId: b.id, ...b.advertisedEndpoint(), rack: b.rack }));
  return body;
}

function append(
  slot: Slot,
  replica: PartitionReplica,
  records: Buffer,
  acks: number,
  timeoutMs: number,
  budget: DecompressionBudget,
  pending: Array<Promise<void>>,
  context: RequestContext,
): void {
  const outcome = replica.appendAsLeader(records, acks, timeoutMs, budget);
  if (outcome instanceof Promise) pending.push(outcome.then((result) => settle(slot, result, context)));
  else settle(slot, outcome, context);
}

/** A partition's transactional batch, waiting for the coordinator's word (KIP-890). */
interface TransactionalAppend {
  slot: Slot;
  replica: PartitionReplica;
  records: Buffer;
}

const PRODUCER_ID_OFFSET = 43;
const PRODUCER_EPOCH_OFFSET = 51;

/**
 * KIP-890 (Kafka's ReplicaManager.handleProduceAppend): a transactional batch is appended only if its
 * partition is in the producer's open transaction. A partition where the producer has that
 * transaction open already needs no check; the others are verified with the transaction coordinator
 * (transaction.partition.verification.enable, Produce v3-11), or, from Produce v12 (transaction
 * version 2), added to the transaction by it, as the producer no longer sends AddPartitionsToTxn.
 * Refused partitions are settled here; the caller appends the rest. Returns null when the verdict is
 * known now (this process's coordinators answer a verification at once), else a promise of the
 * partitions to append once the coordinator has added them.
 */
function verifyTransactionalAppends(transactionalId: string, appends: TransactionalAppend[], context: RequestContext): Promise<TransactionalAppend[]> | null {
  const { broker, apiVersion } = context;
  const operation = produceOperation(apiVersion);
  if (operation !== 'addPartition' && !broker.config.bool('transaction.partition.verification.enable')) return null;
  const first = appends[0]!.records;
  const producerId = readInt64(first, PRODUCER_ID_OFFSET);
  const producerEpoch = first.readInt16BE(PRODUCER_EPOCH_OFFSET);
  const unverified: TransactionalAppend[] = [];
  for (const p of appends) {
    if (readInt64(p.records, PRODUCER_ID_OFFSET) !== producerId) {
      settle(p.slot, { error: 'INVALID_PRODUCER_ID_MAPPING', message: 'Transactional records contained more than one producer id.' }, context);
    } else if (!p.replica.producers.hasOngoingTransaction(producerId, producerEpoch)) {
      unverified.push(p);
    }
  }
  if (unverified.length === 0) return null;
  const partitions = unverified.map((p) => ({ topic: p.slot.topic, partition: p.slot.index }));
  if (operation === 'addPartition') {
    return broker.transactionVerifier.add(transactionalId, producerId, producerEpoch, partitions).then((code) => {
      if (code !== ErrorCode.NONE) for (const p of unverified) settle(p.slot, verificationRefusal(code, operation), context);
      // Checked again now that the write is done: the transaction may have ended meanwhile.
      else refuseUnverified(transactionalId, producerId, producerEpoch, unverified, operation, context);
      return appends.filter((p) => p.slot.result === UNANSWERED);
    });
  }
  refuseUnverified(transactionalId, producerId, producerEpoch, unverified, operation, context);
  return null;
}

function refuseUnverified(
  transactionalId: string,
  producerId: number,
  producerEpoch: number,
  unverified: TransactionalAppend[],
  operation: TransactionSupportedOperation,
  context: RequestContext,
): void {
  const partitions = unverified.map((p) => ({ topic: p.slot.topic, partition: p.slot.index }));
  const codes = context.broker.transactionVerifier.verify(transactionalId, producerId, producerEpoch, partitions);
  unverified.forEach((p, i) => {
    const code = codes[i]!;
    if (code !== ErrorCode.NONE) settle(p.slot, verificationRefusal(code, operation), context);
  });
}

/** Refusals of the records themselves (validator.ts), logged so an operator sees who sends what. */
const RECORD_REFUSALS = new Set<PartitionError['error']>([
  'CORRUPT_MESSAGE',
  'INVALID_RECORD',
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_TIMESTAMP',
  'UNSUPPORTED_COMPRESSION_TYPE',
]);
const ATTRIBUTES_OFFSET = 21;

/**
 * Produce: appends each partition's batches on its leader. acks=0 gets no response, acks=1 answers
 * after the leader's append, acks=-1 after every in-sync replica has the records (Kafka's delayed
 * produce). While an acks=-1 request waits, the connection goes on with the next produce requests
 * (`overlaps`): they are appended in arrival order and answered in order, and one replication round
 * then covers all of them. The leader validates the records (log/validator.ts; legacy v0/v1 message
 * sets of Produce v0-2 are converted there): a refused partition gets its error code and message,
 * nothing of it is stored, and the other partitions of the request are unaffected. Transactional
 * batches are first verified with (v12, transaction version 2: added by) the transaction coordinator
 * (KIP-890, verifyTransactionalAppends). v13 (Kafka 4.1, KIP-516) names topics by id.
 */
export const produceHandler = defineHandler({
  api: Produce,
  minVersion: 0,
  maxVersion: 13,
  overlaps: true,
  handle: (request, context) => {
    const { broker } = context;
    const acks = request.acks;
    recordProduceQuota(context, context.requestSize);
    const pending: Array<Promise<void>> = [];
    const transactional: TransactionalAppend[] = [];
    // The partitions of one request share what it may decompress (log/validator.ts).
    const budget = new DecompressionBudget();
    // v13 (Kafka 4.1, KIP-516) names topics by id: resolved here, an unknown id answered UNKNOWN_TOPIC_ID
    // before anything else (KafkaApis). The name is '' in the request and in the answer, which keeps the id.
    const named =
      context.apiVersion >= 13 ? request.topicData.map((t) => ({ ...t, name: broker.controller.topicById(t.topicId)?.name ?? '' })) : request.topicData;
    // Kafka's order: authorization before existence, so an unauthorized client learns nothing of a topic.
    const writable = new Map(named.map((t) => [t.name, authorizedOnTopic(context, AclOperation.WRITE, t.name)]));
    // A transactional producer needs WRITE on its transactional id (KIP-98), before anything else.
    const transactionRefused = request.transactionalId !== null && !authorizedOnTransactionalId(context, AclOperation.WRITE, request.transactionalId);
    const responses = named.map((topicData) => ({
      name: topicData.name,
      topicId: topicData.topicId,
      partitionResponses: topicData.partitionData.map((data) => {
        const slot: Slot = { topic: topicData.name, index: data.index, result: UNANSWERED };
        let formatError: PartitionError | null;
        if (context.versionRefused) {
          // Kafka 4.0+ lists Produce v0-2 only for librdkafka's sake (KAFKA-18659) and refuses them.
          settle(slot, { error: 'UNSUPPORTED_VERSION', message: `Produce version ${context.apiVersion} is not supported; use version 3 or later.` }, context);
        } else if (transactionRefused) {
          settle(
            slot,
            { error: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', message: `Not authorized to write with transactional id ${request.transactionalId}.` },
            context,
          );
        } else if (context.apiVersion >= 13 && topicData.name === '') {
          settle(slot, { error: 'UNKNOWN_TOPIC_ID', message: `No topic has the id ${topicData.topicId}.` }, context);
        } else if (acks !== 0 && acks !== 1 && acks !== -1) {
          settle(slot, { error: 'INVALID_REQUIRED_ACKS', message: `acks must be 0, 1 or -1, got ${acks}.` }, context);
        } else if (!writable.get(topicData.name)) {
          settle(slot, { error: 'TOPIC_AUTHORIZATION_FAILED', message: `Not authorized to write to topic ${topicData.name}.` }, context);
        } else if (!broker.controller.partition(topicData.name, data.index)) {
          settle(slot, { error: 'UNKNOWN_TOPIC_OR_PARTITION', message: `Unknown partition ${topicData.name}-${data.index}.` }, context);
        } else {
          const replica = broker.replica(topicData.name, data.index);
          const storageError = replica ? null : broker.storageErrorOf(topicData.name, data.index);
          if (storageError !== null) {
            settle(
              slot,
              {
                error: 'KAFKA_STORAGE_ERROR',
                message: `The log of ${topicData.name}-${data.index} on broker ${broker.id} cannot be opened: ${storageError}`,
              },
              context,
            );
          } else if (!replica) {
            settle(slot, { error: 'NOT_LEADER_OR_FOLLOWER', message: `Broker ${broker.id} holds no replica of ${topicData.name}-${data.index}.` }, context);
          } else if (!data.records || data.records.length === 0) {
            settle(slot, { error: 'CORRUPT_MESSAGE', message: 'No records in the request.' }, context);
          } else if ((formatError = checkRequestFormat(data.records, context.apiVersion))) {
            settle(slot, formatError, context);
          } else if (request.transactionalId === null && carriesTransactionalBatch(data.records)) {
            // Kafka's KafkaApis refuses transactional records sent without the transactional id they belong
            // to (KIP-98): nothing could ever commit or abort them, so they would hold the LSO until a
            // find-hanging abort.
            settle(
              slot,
              {
                error: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
                message: 'Transactional records need the transactional id of their producer in the Produce request.',
              },
              context,
            );
          } else if (request.transactionalId !== null && carriesTransactionalBatch(data.records)) {
            // KIP-890: appended once the coordinator has verified (or added) the partition, below.
            transactional.push({ slot, replica, records: data.records });
          } else {
            append(slot, replica, data.records, acks, request.timeoutMs, budget, pending, context);
          }
        }
        return slot;
      }),
    }));

    if (transactional.length > 0) {
      const added = verifyTransactionalAppends(request.transactionalId!, transactional, context);
      if (added !== null) {
        // Transaction version 2: the coordinator adds the partitions first. A plain promise (not a
        // Deferred): the connection's next produce waits, so its batches stay behind these.
        return added.then((appendable) => {
          for (const p of appendable) append(p.slot, p.replica, p.records, acks, request.timeoutMs, budget, pending, context);
          return Promise.all(pending).then(() => responseOf(acks, responses, context));
        });
      }
      for (const p of transactional) if (p.slot.result === UNANSWERED) append(p.slot, p.replica, p.records, acks, request.timeoutMs, budget, pending, context);
    }
    if (pending.length === 0) return responseOf(acks, responses, context);
    // One partition waiting is the common case (a producer's acks=all request): no Promise.all around it.
    return new Deferred((pending.length === 1 ? pending[0]! : Promise.all(pending)).then(() => responseOf(acks, responses, context)));
  },
});
