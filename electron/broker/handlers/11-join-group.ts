import { ErrorCode } from '../../kafka/protocol/error-codes';
import type { JoinResult } from '../groups/group';
import { JoinGroup, type JoinGroupResponse } from '../../kafka/protocol/generated/index';
import { defineHandler, type RequestContext } from './handler';
import { AclOperation, authorizedOnGroup } from '../security/request-authorization';

/** How group members are shown (DescribeGroups): Kafka's "/address" form. */
export function clientHostOf(context: RequestContext): string {
  return `/${context.connection.socket.remoteAddress ?? ''}`;
}

/**
 * JoinGroup: waits until the group's rebalance completes and answers with the generation, the chosen
 * protocol and the leader (the leader also gets every member's metadata). From v4 a member without an
 * id first gets one with MEMBER_ID_REQUIRED.
 */
export const joinGroupHandler = defineHandler({
  api: JoinGroup,
  minVersion: 0,
  maxVersion: 9,
  handle: (request, context) => {
    const v = context.apiVersion;
    const toResponse = (r: JoinResult): JoinGroupResponse => ({
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      generationId: r.generationId,
      protocolType: r.protocolType,
      // Not nullable before v7.
      protocolName: v >= 7 ? r.protocolName : (r.protocolName ?? ''),
      leader: r.leader,
      skipAssignment: r.skipAssignment,
      memberId: r.memberId,
      members: r.members,
    });
    if (!authorizedOnGroup(context, AclOperation.READ, request.groupId)) {
      return toResponse({
        errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
        generationId: -1,
        protocolType: null,
        protocolName: null,
        leader: '',
        skipAssignment: false,
        memberId: '',
        members: [],
      });
    }
    const result = context.broker.groups.joinGroup({
      groupId: request.groupId,
      memberId: request.memberId,
      groupInstanceId: v >= 5 ? request.groupInstanceId : null,
      clientId: context.clientId ?? '',
      clientHost: clientHostOf(context),
      sessionTimeoutMs: request.sessionTimeoutMs,
      // v0 has no rebalance timeout: the session timeout serves as one.
      rebalanceTimeoutMs: v >= 1 && request.rebalanceTimeoutMs >= 0 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs,
      protocolType: request.protocolType,
      // Decoded bytes are views into the request frame: keep copies.
      protocols: request.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
      requireKnownMemberId: v >= 4,
    });
    return result instanceof Promise ? result.then(toResponse) : toResponse(result);
  },
});
