import { ErrorCode } from '../../kafka/protocol/error-codes';
import { ShareAcknowledge, type ShareAcknowledgeRequest, type ShareAcknowledgeResponse } from '../../kafka/protocol/generated/index';
import { AclOperation, authorizedOnGroup, authorizedOnTopic } from '../security/request-authorization';
import { SHARE_GROUPS_DISABLED_MESSAGE, shareGroupsEnabled } from '../share/share-feature';
import { FINAL_SHARE_SESSION_EPOCH, INITIAL_SHARE_SESSION_EPOCH } from '../share/share-sessions';
import { defineHandler, type RequestContext } from './handler';

function refuse(errorCode: number, errorMessage: string | null = null): ShareAcknowledgeResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage, responses: [], nodeEndpoints: [] };
}

async function shareAcknowledge(request: ShareAcknowledgeRequest, context: RequestContext): Promise<ShareAcknowledgeResponse> {
  const { broker } = context;
  const groupId = request.groupId ?? '';
  const memberId = request.memberId ?? '';
  const opened = broker.shares.session(groupId, memberId, request.shareSessionEpoch, [], []);
  if (opened.error !== undefined) return refuse(opened.error);
  const movedTo = new Set<number>();
  const responses = await Promise.all(
    request.topics.map(async (t) => {
      const topic = broker.controller.topicById(t.topicId);
      const partitions = await Promise.all(
        t.partitions.map(async (p) => {
          const meta = topic?.partitions[p.partitionIndex];
          const errorCode = !topic
            ? ErrorCode.UNKNOWN_TOPIC_ID
            : !authorizedOnTopic(context, AclOperation.READ, topic.name)
              ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
              : await broker.shares.acknowledge(
                  groupId,
                  memberId,
                  { topicId: t.topicId, partition: p.partitionIndex },
                  p.acknowledgementBatches.map((b) => ({
                    firstOffset: Number(b.firstOffset),
                    lastOffset: Number(b.lastOffset),
                    acknowledgeTypes: b.acknowledgeTypes,
                  })),
                );
          if (errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER && meta && meta.leader >= 0) movedTo.add(meta.leader);
          return {
            partitionIndex: p.partitionIndex,
            errorCode,
            errorMessage: null,
            currentLeader: { leaderId: meta?.leader ?? -1, leaderEpoch: meta?.leaderEpoch ?? -1 },
          };
        }),
      );
      return { topicId: t.topicId, partitions };
    }),
  );
  // A final acknowledgement closes the session: what the member still holds is released.
  if (request.shareSessionEpoch === FINAL_SHARE_SESSION_EPOCH) await broker.shares.closeSession(opened.session);
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    responses,
    nodeEndpoints: broker
      .liveBrokers()
      .filter((b) => movedTo.has(b.id))
      .map((b) => ({ nodeId: b.id, ...b.advertisedEndpoint(), rack: b.rack })),
  };
}

/**
 * ShareAcknowledge (KIP-932): a share-group member acknowledges records it acquired with ShareFetch
 * (Accept 1, Release 2, Reject 3, Gap 0), within its share session: epoch 0 cannot open a session
 * here (INVALID_SHARE_SESSION_EPOCH), -1 acknowledges and closes it; per partition INVALID_RECORD_STATE
 * when a record is not acquired by this member (its lock expired, or never fetched). Gated by
 * share.version as ShareFetch.
 */
export const shareAcknowledgeHandler = defineHandler({
  api: ShareAcknowledge,
  minVersion: 1,
  maxVersion: 1,
  handle: (request, context) => {
    if (!shareGroupsEnabled(context.broker)) return refuse(ErrorCode.UNSUPPORTED_VERSION, SHARE_GROUPS_DISABLED_MESSAGE);
    if (!request.groupId) return refuse(ErrorCode.INVALID_REQUEST, 'The group id is empty.');
    if (!request.memberId) return refuse(ErrorCode.INVALID_REQUEST, 'The member id is empty.');
    if (!authorizedOnGroup(context, AclOperation.READ, request.groupId)) return refuse(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    if (request.shareSessionEpoch === INITIAL_SHARE_SESSION_EPOCH)
      return refuse(ErrorCode.INVALID_SHARE_SESSION_EPOCH, 'ShareAcknowledge cannot open a share session.');
    return shareAcknowledge(request, context);
  },
});
