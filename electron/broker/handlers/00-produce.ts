import { isPartitionError, type AppendOutcome, type PartitionError } from '../cluster/partition-replica';
import { ErrorCode } from '../protocol/error-codes';
import { ProtocolDecodeError } from '../protocol/errors';
import {
  createProduceResponseLeaderIdAndEpoch,
  Produce,
  type ProduceResponse,
  type ProduceResponseNodeEndpoint,
  type ProduceResponsePartitionProduceResponse,
} from '../protocol/generated/index';
import { MAGIC_OFFSET } from '../records/batch-header';
import { upConvertMessageSet } from '../records/convert';
import { Deferred, defineHandler, type RequestContext } from './handler';

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
      result.error === 'NOT_LEADER_OR_FOLLOWER' && meta
        ? { leaderId: meta.leader, leaderEpoch: meta.leaderEpoch }
        : createProduceResponseLeaderIdAndEpoch(),
  };
}

/** Legacy producers (Produce v0-2) send magic 0/1 message sets; the log stores RecordBatch v2 only. */
function toBatches(records: Buffer): Buffer | PartitionError {
  if (records.length > MAGIC_OFFSET && records[MAGIC_OFFSET]! >= 2) return records;
  try {
    return upConvertMessageSet(records);
  } catch (error) {
    if (error instanceof ProtocolDecodeError) return { error: 'CORRUPT_MESSAGE', message: error.message };
    throw error;
  }
}

/**
 * Produce: appends each partition's batches on its leader. acks=0 gets no response, acks=1 answers
 * after the leader's append, acks=-1 after every in-sync replica has the records (Kafka's delayed
 * produce). While an acks=-1 request waits, the connection goes on with the next produce requests
 * (`overlaps`): they are appended in arrival order and answered in order, and one replication round
 * then covers all of them.
 */
export const produceHandler = defineHandler({
  api: Produce,
  minVersion: 0,
  maxVersion: 11,
  overlaps: true,
  handle: (request, context) => {
    const { broker } = context;
    const acks = request.acks;
    const pending: Array<Promise<void>> = [];
    const responses = request.topicData.map((topicData) => ({
      name: topicData.name,
      partitionResponses: topicData.partitionData.map((data) => {
        const slot: { result: PartitionResult } = { result: { error: 'UNKNOWN_SERVER_ERROR', message: '' } };
        const set = (result: PartitionResult) => {
          slot.result = result;
        };
        if (acks !== 0 && acks !== 1 && acks !== -1) {
          set({ error: 'INVALID_REQUIRED_ACKS', message: `acks must be 0, 1 or -1, got ${acks}.` });
        } else if (request.transactionalId !== null) {
          set({ error: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', message: 'Transactions are not supported by the embedded broker.' });
        } else if (!broker.controller.partition(topicData.name, data.index)) {
          set({ error: 'UNKNOWN_TOPIC_OR_PARTITION', message: `Unknown partition ${topicData.name}-${data.index}.` });
        } else {
          const replica = broker.replica(topicData.name, data.index);
          const batches = data.records && data.records.length > 0 ? toBatches(data.records) : ({ error: 'CORRUPT_MESSAGE', message: 'No records in the request.' } as PartitionError);
          if (!replica) {
            set({ error: 'NOT_LEADER_OR_FOLLOWER', message: `Broker ${broker.id} holds no replica of ${topicData.name}-${data.index}.` });
          } else if (!Buffer.isBuffer(batches)) {
            set(batches);
          } else {
            const outcome = replica.appendAsLeader(batches, acks, request.timeoutMs);
            if (outcome instanceof Promise) pending.push(outcome.then(set));
            else set(outcome);
          }
        }
        return { index: data.index, slot };
      }),
    }));

    const build = (): ProduceResponse | null => {
      if (acks === 0) return null;
      const leaders = new Set<number>();
      const body: ProduceResponse = {
        responses: responses.map((topic) => ({
          name: topic.name,
          partitionResponses: topic.partitionResponses.map(({ index, slot }) => {
            const response = partitionResponse(index, slot.result, context, topic.name);
            if (response.currentLeader.leaderId >= 0) leaders.add(response.currentLeader.leaderId);
            return response;
          }),
        })),
        throttleTimeMs: 0,
        nodeEndpoints: [],
      };
      body.nodeEndpoints = broker.liveBrokers().filter((b) => leaders.has(b.id)).map(
        (b): ProduceResponseNodeEndpoint => ({ nodeId: b.id, host: b.host, port: b.boundPort, rack: b.rack }),
      );
      return body;
    };
    return pending.length === 0 ? build() : new Deferred(Promise.all(pending).then(build));
  },
});
