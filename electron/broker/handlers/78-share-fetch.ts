import { ErrorCode } from '../../kafka/protocol/error-codes';
import { ShareFetch, type ShareFetchRequest, type ShareFetchResponse, type ShareFetchResponsePartitionData } from '../../kafka/protocol/generated/index';
import { AclOperation, authorizedOnGroup, authorizedOnTopic } from '../security/request-authorization';
import { SHARE_GROUPS_DISABLED_MESSAGE, shareGroupsEnabled } from '../share/share-feature';
import type { SharePartitionAnswer } from '../share/share-partition-manager';
import { FINAL_SHARE_SESSION_EPOCH, INITIAL_SHARE_SESSION_EPOCH, refKey, type SharePartitionRef } from '../share/share-sessions';
import { defineHandler, type RequestContext } from './handler';

type Answer = Omit<SharePartitionAnswer, 'acknowledgeErrorCode' | 'acknowledgeErrorMessage'> & { acknowledgeErrorCode?: number };

function refuse(errorCode: number, errorMessage: string | null = null): ShareFetchResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage, acquisitionLockTimeoutMs: 0, responses: [], nodeEndpoints: [] };
}

function emptyAnswer(ref: SharePartitionRef, errorCode: number): Answer {
  return { ...ref, errorCode, errorMessage: null, currentLeader: { leaderId: -1, leaderEpoch: -1 }, records: null, acquiredRecords: [] };
}

/** The response: every partition of the request, then any other session partition with records or an error. */
function respond(context: RequestContext, requested: SharePartitionRef[], answers: Map<string, Answer>, lockMs: number): ShareFetchResponse {
  const order = [...requested.map(refKey), ...[...answers.keys()].filter((k) => !requested.some((r) => refKey(r) === k))];
  const byTopic = new Map<string, ShareFetchResponsePartitionData[]>();
  const movedTo = new Set<number>();
  for (const key of new Set(order)) {
    const a = answers.get(key);
    if (!a) continue;
    const isRequested = requested.some((r) => refKey(r) === key);
    if (!isRequested && a.acquiredRecords.length === 0 && a.errorCode === ErrorCode.NONE) continue;
    if (a.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER && a.currentLeader.leaderId >= 0) movedTo.add(a.currentLeader.leaderId);
    const list = byTopic.get(a.topicId) ?? [];
    byTopic.set(a.topicId, list);
    list.push({
      partitionIndex: a.partition,
      errorCode: a.errorCode,
      errorMessage: a.errorMessage,
      acknowledgeErrorCode: a.acknowledgeErrorCode ?? ErrorCode.NONE,
      acknowledgeErrorMessage: null,
      currentLeader: a.currentLeader,
      records: a.records,
      acquiredRecords: a.acquiredRecords.map((r) => ({ firstOffset: BigInt(r.firstOffset), lastOffset: BigInt(r.lastOffset), deliveryCount: r.deliveryCount })),
    });
  }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    acquisitionLockTimeoutMs: lockMs,
    responses: [...byTopic].map(([topicId, partitions]) => ({ topicId, partitions })),
    nodeEndpoints: context.broker
      .liveBrokers()
      .filter((b) => movedTo.has(b.id))
      .map((b) => ({ nodeId: b.id, ...b.advertisedEndpoint(), rack: b.rack })),
  };
}

async function shareFetch(request: ShareFetchRequest, context: RequestContext): Promise<ShareFetchResponse> {
  const { broker } = context;
  const shares = broker.shares;
  const groupId = request.groupId ?? '';
  const memberId = request.memberId ?? '';
  const epoch = request.shareSessionEpoch;
  const requested: SharePartitionRef[] = request.topics.flatMap((t) => t.partitions.map((p) => ({ topicId: t.topicId, partition: p.partitionIndex })));
  const hasAcks = request.topics.some((t) => t.partitions.some((p) => p.acknowledgementBatches.length > 0));
  if (epoch === INITIAL_SHARE_SESSION_EPOCH && hasAcks) return refuse(ErrorCode.INVALID_REQUEST, 'A share session cannot open with acknowledgements.');
  if (epoch === FINAL_SHARE_SESSION_EPOCH && request.forgottenTopicsData.length > 0)
    return refuse(ErrorCode.INVALID_REQUEST, 'A final share fetch cannot forget topics.');
  const forgotten = request.forgottenTopicsData.flatMap((t) => t.partitions.map((partition) => ({ topicId: t.topicId, partition })));
  const opened = shares.session(groupId, memberId, epoch, epoch === FINAL_SHARE_SESSION_EPOCH ? [] : requested, forgotten);
  if (opened.error !== undefined) return refuse(opened.error);
  const session = opened.session;
  const lockMs = shares.recordLockDurationMs(groupId);

  // Partitions the member may not READ, or that do not exist, are answered with their error and not fetched.
  const answers = new Map<string, Answer>();
  const readable = (ref: SharePartitionRef): boolean => {
    const topic = broker.controller.topicById(ref.topicId);
    const code = !topic
      ? ErrorCode.UNKNOWN_TOPIC_ID
      : !authorizedOnTopic(context, AclOperation.READ, topic.name)
        ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
        : ref.partition < 0 || ref.partition >= topic.partitions.length
          ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
          : ErrorCode.NONE;
    if (code !== ErrorCode.NONE) answers.set(refKey(ref), emptyAnswer(ref, code));
    return code === ErrorCode.NONE;
  };

  // Piggy-backed acknowledgements first, as KIP-932 orders them: they may make records available.
  const ackCodes = new Map<string, number>();
  await Promise.all(
    request.topics.flatMap((t) =>
      t.partitions
        .filter((p) => p.acknowledgementBatches.length > 0)
        .map(async (p) => {
          const ref = { topicId: t.topicId, partition: p.partitionIndex };
          if (!readable(ref)) {
            ackCodes.set(refKey(ref), answers.get(refKey(ref))!.errorCode);
            return;
          }
          const batches = p.acknowledgementBatches.map((b) => ({
            firstOffset: Number(b.firstOffset),
            lastOffset: Number(b.lastOffset),
            acknowledgeTypes: b.acknowledgeTypes,
          }));
          ackCodes.set(refKey(ref), await shares.acknowledge(groupId, memberId, ref, batches));
        }),
    ),
  );
  const withAcks = (map: Map<string, Answer>) => {
    for (const [key, code] of ackCodes) {
      const ref = requested.find((r) => refKey(r) === key)!;
      const answer = map.get(key) ?? emptyAnswer(ref, ErrorCode.NONE);
      answer.acknowledgeErrorCode = code;
      map.set(key, answer);
    }
    for (const [key, answer] of answers) if (!map.has(key)) map.set(key, answer);
    return map;
  };

  if (epoch === FINAL_SHARE_SESSION_EPOCH) {
    await shares.closeSession(session);
    for (const ref of requested) readable(ref);
    return respond(context, requested, withAcks(new Map()), lockMs);
  }

  const fetchable = [...session.partitions.values()].filter((ref) => !answers.has(refKey(ref)) && readable(ref));
  const limits = { maxBytes: Math.min(request.maxBytes, broker.config.int('fetch.max.bytes')), maxRecords: Math.max(1, request.maxRecords) };
  const pass = () => shares.acquire(groupId, memberId, fetchable, limits);
  let result = await pass();
  const hasErrors = () => [...result.answers.values()].some((a) => a.errorCode !== ErrorCode.NONE);
  if (result.records === 0 && !hasErrors() && request.maxWaitMs > 0 && fetchable.length > 0) {
    // Nothing to acquire yet: wait up to max wait for records to be produced or released (Kafka's
    // DelayedShareFetch), woken by the partitions' high watermarks and by released or expired locks.
    result = await new Promise<typeof result>((resolve) => {
      let done = false;
      let running = false;
      let again = false;
      let expired = false;
      const unsubscribes: Array<() => void> = [];
      const finish = (value: typeof result) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        for (const unsubscribe of unsubscribes) unsubscribe();
        resolve(value);
      };
      // One pass at a time, and the answer is the pass that ran last: records a pass acquired are
      // always the ones answered, never left locked by a pass nobody reads.
      const run = () => {
        if (done) return;
        if (running) {
          again = true;
          return;
        }
        running = true;
        again = false;
        void pass().then((next) => {
          running = false;
          if (next.records > 0 || expired || broker.state !== 'running') finish(next);
          else if (again) run();
        });
      };
      const timer = setTimeout(() => {
        expired = true;
        run();
      }, request.maxWaitMs);
      for (const ref of fetchable) {
        const topic = broker.controller.topicById(ref.topicId);
        const replica = topic ? broker.replica(topic.name, ref.partition) : undefined;
        if (replica?.isLeader) unsubscribes.push(replica.onData(() => queueMicrotask(run), 'highWatermark'));
      }
      unsubscribes.push(shares.onAvailable(() => queueMicrotask(run)));
      unsubscribes.push(context.connection.onClose(() => finish(result)));
    });
  }
  return respond(context, requested, withAcks(result.answers), lockMs);
}

/**
 * ShareFetch (KIP-932): a share-group member fetches records from the share-partitions of its share
 * session, each acquired for it under a lock of share.record.lock.duration.ms and returned as whole
 * record batches with the acquired offset ranges and their delivery counts; it acknowledges records it
 * fetched before in the same request (Accept 1, Release 2, Reject 3, Gap 0). Share sessions follow
 * KIP-932's epochs (share/share-sessions.ts). While share.version is 0 (Kafka 4.1's default) the
 * broker answers UNSUPPORTED_VERSION, as KafkaApis does. v0 was Kafka 4.0's early access, removed in 4.1.
 */
export const shareFetchHandler = defineHandler({
  api: ShareFetch,
  minVersion: 1,
  maxVersion: 1,
  handle: (request, context) => {
    if (!shareGroupsEnabled(context.broker)) return refuse(ErrorCode.UNSUPPORTED_VERSION, SHARE_GROUPS_DISABLED_MESSAGE);
    if (!request.groupId) return refuse(ErrorCode.INVALID_REQUEST, 'The group id is empty.');
    if (!request.memberId) return refuse(ErrorCode.INVALID_REQUEST, 'The member id is empty.');
    if (!authorizedOnGroup(context, AclOperation.READ, request.groupId)) return refuse(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    return shareFetch(request, context);
  },
});
