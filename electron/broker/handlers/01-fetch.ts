import { READ_COMMITTED, type PartitionReplica, type PartitionError, type ReadOutcome } from '../cluster/partition-replica';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import {
  createFetchResponseEpochEndOffset,
  createFetchResponseLeaderIdAndEpoch,
  createFetchResponseSnapshotId,
  Fetch,
  type FetchRequest,
  type FetchResponse,
  type FetchResponsePartitionData,
} from '../../kafka/protocol/generated/index';
import { ReadLease, type ReadAllocator } from '../log/read-buffers';
import { replicationMetrics as metrics } from '../cluster/replication-metrics';
import { downConvertBatches } from '../../kafka/records/convert';
import { scanBatches } from '../../kafka/records/record-batch';
import { refusalLog } from '../server/refusal-log';
import { defineHandler, type RequestContext } from './handler';
import { ZERO_UUID } from '../../kafka/protocol/uuid';
import { AclOperation, authorizedOnCluster, authorizedOnTopic } from '../security/request-authorization';
import { quotaIdentity } from '../quotas/throttle';

/** Kafka answers empty (never null) records for partitions without data; librdkafka 2.0 rejects null. */
const NO_RECORDS = Buffer.alloc(0);

/** Reads past batches that down-convert to nothing at most this many times per partition and fetch. */
const MAX_EMPTY_READS = 16;

/**
 * Fetch v0-3: the batches as magic 0/1 message sets. A batch that cannot be decoded is left out (and
 * logged) rather than failing the request: what follows it is still served. When everything read
 * converts to nothing (an unreadable batch's empty stand-in, control batches), the partition is read on
 * from after it, so an old client, which only learns offsets from messages, gets past it.
 */
function downConvert(
  records: Buffer,
  magic: 0 | 1,
  fetchOffset: number,
  highWatermark: number,
  maxBytes: number,
  minOneBatch: boolean,
  replica: PartitionReplica,
  alloc: ReadAllocator,
  context: RequestContext,
): Buffer {
  const onUnreadable = (batch: { baseOffset: number; lastOffset: number; reason: string }) =>
    refusalLog(context.broker.logger).warn('fetch: batch left out of a down-converted response', {
      topic: replica.topic,
      partition: replica.partition,
      offsets: `${batch.baseOffset}-${batch.lastOffset}`,
      reason: batch.reason,
      client: context.clientId ?? '',
    });
  let read = records;
  let converted = downConvertBatches(read, magic, { onUnreadable });
  for (let reads = 1; converted.length === 0 && reads < MAX_EMPTY_READS; reads++) {
    const next = lastOffsetIn(read) + 1;
    if (next <= fetchOffset || next >= highWatermark) break;
    const again = replica.readForConsumer(next, maxBytes, minOneBatch, alloc);
    if (again.error !== null || again.records.length === 0) break;
    read = again.records;
    converted = downConvertBatches(read, magic, { onUnreadable });
  }
  return converted;
}

/** The last offset of the last whole batch in `records` (-1 if none). */
function lastOffsetIn(records: Buffer): number {
  let last = -1;
  for (const span of scanBatches(records).spans) {
    last =
      span.magic === 2 && span.size >= 27
        ? Number(records.readBigInt64BE(span.offset)) + records.readInt32BE(span.offset + 23)
        : Number(records.readBigInt64BE(span.offset));
  }
  return last;
}

/**
 * A partition's answer with an error. A module function, not a closure per partition: tsx/esbuild's
 * keepNames gives every named closure a __name call (a defineProperty, microseconds) each time it is made.
 */
function failed(data: FetchResponsePartitionData, code: number): FetchResponsePartitionData {
  data.errorCode = code;
  return data;
}

/** One pass over the requested partitions; returns the response body and how many bytes it carries. */
function readOnce(
  request: FetchRequest,
  context: RequestContext,
  replicas: Set<PartitionReplica>,
  alloc: ReadAllocator,
): { body: FetchResponse; bytes: number; errors: boolean } {
  const { broker, apiVersion } = context;
  const controller = broker.controller;
  const replicaId = apiVersion >= 15 ? request.replicaState.replicaId : request.replicaId;
  // Fetch v0-2 has no response size limit; Kafka treats it as Int.MAX. Either way fetch.max.bytes caps
  // it, as in Kafka, and so does the memory the connections may still use (queued.max.request.bytes):
  // while clients that do not read their responses fill it, fetches return their first batch only.
  let budget = Math.min(apiVersion >= 3 ? request.maxBytes : 0x7fffffff, broker.config.int('fetch.max.bytes'), context.connection.responseAllowance());
  // A consumer with a consumer_byte_rate asks for at most what its quota window holds (Kafka's
  // getMaxValueInQuotaWindow), so that one fetch alone never earns a throttle.
  if (replicaId < 0 && controller.clientQuotas.inUse('consumer_byte_rate')) {
    const { user, clientId } = quotaIdentity(context.connection, context.clientId);
    budget = Math.min(budget, Math.max(1, Math.floor(broker.clientQuotas.fetch.maxValueInWindow(user, clientId))));
  }
  let bytes = 0;
  let errors = false;
  // Fetch v0-1 clients read magic 0 message sets, v2-3 magic 1, v4+ record batches as stored.
  const legacyMagic: 0 | 1 | null = apiVersion <= 1 ? 0 : apiVersion <= 3 ? 1 : null;
  // KIP-98: read_committed consumers (v4+) read up to the last stable offset and learn the aborted transactions.
  const isolation = apiVersion >= 4 && request.isolationLevel === READ_COMMITTED ? READ_COMMITTED : 0;

  const responses = request.topics.map((fetchTopic) => {
    const topic = apiVersion >= 13 ? controller.topicById(fetchTopic.topicId) : controller.topic(fetchTopic.topic);
    // Consumers need READ on the topic; a fetch as a replica (replicaId >= 0) CLUSTER_ACTION, as in Kafka.
    const name = topic?.name ?? fetchTopic.topic;
    const allowed =
      replicaId >= 0
        ? authorizedOnCluster(context, AclOperation.CLUSTER_ACTION)
        : apiVersion >= 13 && !topic
          ? true
          : authorizedOnTopic(context, AclOperation.READ, name);
    const partitions = fetchTopic.partitions.map((p): FetchResponsePartitionData => {
      const data: FetchResponsePartitionData = {
        partitionIndex: p.partition,
        errorCode: ErrorCode.NONE,
        highWatermark: -1n,
        lastStableOffset: -1n,
        logStartOffset: -1n,
        divergingEpoch: createFetchResponseEpochEndOffset(),
        currentLeader: createFetchResponseLeaderIdAndEpoch(),
        snapshotId: createFetchResponseSnapshotId(),
        abortedTransactions: apiVersion >= 4 ? [] : null,
        preferredReadReplica: -1,
        records: NO_RECORDS,
      };
      if (!allowed) return failed(data, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      if (!topic) return failed(data, apiVersion >= 13 ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      const meta = topic.partitions[p.partition];
      if (!meta) return failed(data, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      if (meta.leader !== broker.id) {
        data.currentLeader = { leaderId: meta.leader, leaderEpoch: meta.leaderEpoch };
        return failed(data, ErrorCode.NOT_LEADER_OR_FOLLOWER);
      }
      if (apiVersion >= 9 && p.currentLeaderEpoch !== -1 && p.currentLeaderEpoch !== meta.leaderEpoch) {
        return failed(data, p.currentLeaderEpoch < meta.leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH);
      }
      const replica = broker.replica(topic.name, p.partition);
      if (!replica)
        return failed(data, broker.storageErrorOf(topic.name, p.partition) !== null ? ErrorCode.KAFKA_STORAGE_ERROR : ErrorCode.NOT_LEADER_OR_FOLLOWER);
      replicas.add(replica);
      const maxBytes = Math.min(p.partitionMaxBytes, budget);
      const fetchOffset = Number(p.fetchOffset);
      // KIP-74: only the first partition with data may exceed the limits (so a large batch still makes
      // progress); later partitions get only whole batches that fit.
      const minOneBatch = bytes === 0;
      const result: ReadOutcome | PartitionError =
        replicaId >= 0
          ? replica.readForFollower(replicaId, fetchOffset, maxBytes, p.currentLeaderEpoch, minOneBatch, alloc)
          : replica.readForConsumer(fetchOffset, maxBytes, minOneBatch, alloc, isolation);
      if (result.error !== null) {
        data.highWatermark = BigInt(replica.highWatermark);
        data.lastStableOffset = BigInt(replica.lastStableOffset);
        data.logStartOffset = BigInt(replica.log.logStartOffset);
        return failed(data, ErrorCode[result.error]);
      }
      data.highWatermark = BigInt(result.highWatermark);
      data.lastStableOffset = BigInt(result.lastStableOffset);
      data.logStartOffset = BigInt(result.logStartOffset);
      if (result.abortedTransactions.length > 0) {
        data.abortedTransactions = result.abortedTransactions.map((t) => ({ producerId: BigInt(t.producerId), firstOffset: BigInt(t.firstOffset) }));
      }
      if (result.records.length === 0) return data;
      let records = result.records;
      if (legacyMagic !== null) records = downConvert(records, legacyMagic, fetchOffset, result.highWatermark, maxBytes, minOneBatch, replica, alloc, context);
      data.records = records;
      bytes += records.length;
      budget = Math.max(0, budget - records.length);
      return data;
    });
    for (const partition of partitions) if (partition.errorCode !== ErrorCode.NONE) errors = true;
    return { topic: fetchTopic.topic, topicId: topic?.topicId ?? fetchTopic.topicId ?? ZERO_UUID, partitions };
  });
  return {
    body: { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses, nodeEndpoints: [] },
    bytes,
    errors,
  };
}

/**
 * KIP-13 and KIP-124, as Kafka's KafkaApis answers a fetch: the request's handling time so far counts
 * against the request quota and its response bytes against consumer_byte_rate, both before the answer
 * is sent. Over either, the bytes are taken back and the fetch is answered empty with throttle_time_ms
 * (the records are read again once the channel is unmuted); a follower's fetch is never counted.
 */
function applyFetchQuota(pass: { body: FetchResponse; bytes: number }, request: FetchRequest, context: RequestContext): FetchResponse {
  const { broker } = context;
  const replicaId = context.apiVersion >= 15 ? request.replicaState.replicaId : request.replicaId;
  if (replicaId >= 0) return pass.body;
  const requestThrottle = context.requestTime?.record() ?? 0;
  const counted = broker.controller.clientQuotas.inUse('consumer_byte_rate');
  if (!counted && requestThrottle <= 0) return pass.body;
  const quota = broker.clientQuotas.fetch;
  const { user, clientId } = quotaIdentity(context.connection, context.clientId);
  const bandwidthThrottle = counted ? quota.recordAndGetThrottleTimeMs(user, clientId, pass.bytes) : 0;
  const throttle = Math.max(requestThrottle, bandwidthThrottle);
  if (throttle <= 0) return pass.body;
  if (counted) quota.unrecord(user, clientId, pass.bytes);
  if (bandwidthThrottle > requestThrottle) quota.recordThrottle(user, clientId, bandwidthThrottle);
  context.throttleTimeMs = Math.max(context.throttleTimeMs, throttle);
  return { throttleTimeMs: throttle, errorCode: ErrorCode.NONE, sessionId: pass.body.sessionId, responses: [], nodeEndpoints: [] };
}

/**
 * A fetch waiting for data (long poll): re-read when a fetched partition has news, answered once. A
 * class rather than closures per request: tsx/esbuild's keepNames gives each named closure a __name
 * call (a defineProperty costing microseconds) every time one is made.
 */
class LongPoll {
  done = false;
  scheduled = false;
  timer: NodeJS.Timeout | undefined;
  readonly unsubscribes: Array<() => void> = [];

  constructor(
    readonly request: FetchRequest,
    readonly context: RequestContext,
    readonly lease: ReadLease,
    readonly minBytes: number,
    readonly resolve: (body: FetchResponse) => void,
  ) {}

  finish(pass: { body: FetchResponse; bytes: number }): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    this.resolve(applyFetchQuota(pass, this.request, this.context));
  }

  retry(): void {
    this.scheduled = false;
    if (this.done) return;
    metrics.fetchLongPollWakeups++;
    const again = readOnce(this.request, this.context, new Set(), this.lease.alloc);
    if (again.bytes >= this.minBytes || again.errors || this.context.broker.state !== 'running') this.finish(again);
    else this.lease.release();
  }
}

/**
 * Fetch: reads each partition from its leader, below the high watermark for consumers. It waits up to
 * max.wait.ms for min.bytes to accumulate (long poll), waking when any fetched partition gets data.
 * Sessions (KIP-227) are not kept: every fetch is a full fetch, answered with session id 0, which
 * clients accept as "no session". Fetch v0-3 clients get magic 0/1 message sets, down-converted.
 */
export const fetchHandler = defineHandler({
  api: Fetch,
  minVersion: 0,
  // v17 (3.9) only adds the follower's log directory id (KIP-853) and v18 (4.1) the follower's high
  // watermark (KIP-1166: lets a leader answer a waiting follower fetch once it has a newer one): both
  // tagged fields only followers send. This cluster's followers replicate in process
  // (cluster/replica-fetcher.ts), so for the consumers that speak the wire v17 and v18 are v16.
  maxVersion: 18,
  handle: (request, context) => {
    // Records read from disk go into pooled buffers, back in the pool once the response is written.
    const lease = new ReadLease();
    context.connection.afterResponse(() => lease.release());
    const replicas = new Set<PartitionReplica>();
    const first = readOnce(request, context, replicas, lease.alloc);
    const minBytes = Math.max(1, request.minBytes);
    if (first.bytes >= minBytes || first.errors || request.maxWaitMs <= 0 || replicas.size === 0) return applyFetchQuota(first, request, context);
    // Only the last pass is answered: the buffers of a pass that is not are given back at once.
    lease.release();
    metrics.fetchLongPolls++;
    // A consumer waits for records it may read (the high watermark moving), a follower for new ones.
    const interest = (context.apiVersion >= 15 ? request.replicaState.replicaId : request.replicaId) >= 0 ? 'records' : 'highWatermark';
    return new Promise<FetchResponse>((resolve) => {
      const poll = new LongPoll(request, context, lease, minBytes, resolve);
      poll.timer = setTimeout(() => poll.finish(readOnce(request, context, new Set(), lease.alloc)), request.maxWaitMs);
      for (const replica of replicas) {
        poll.unsubscribes.push(
          replica.onData(() => {
            // News comes synchronously from inside another request or a follower's fetch: re-read
            // once that is done (a microtask), in the same turn, so the records reach the consumer
            // with the acknowledgement of the produce that wrote them.
            if (poll.scheduled || poll.done) return;
            poll.scheduled = true;
            queueMicrotask(() => poll.retry());
          }, interest),
        );
      }
      // A client gone leaves nothing waiting: maxWaitMs may be 2^31-1 ms, a timer and a subscription each.
      poll.unsubscribes.push(context.connection.onClose(() => poll.finish(first)));
    });
  },
});
