import { ErrorCode } from '../../kafka/protocol/error-codes';
import { LeaveGroup } from '../../kafka/protocol/generated/index';
import type { LeaveResult } from '../groups/group-membership';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnGroup } from '../security/request-authorization';

/** LeaveGroup: one member (v0-2) or several, by member id or group.instance.id (v3+). */
export const leaveGroupHandler = defineHandler({
  api: LeaveGroup,
  minVersion: 0,
  maxVersion: 5,
  handle: (request, context) => {
    const batched = context.apiVersion >= 3;
    const leaving = batched
      ? request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId }))
      : [{ memberId: request.memberId, groupInstanceId: null }];
    if (!authorizedOnGroup(context, AclOperation.READ, request.groupId))
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] };
    const toResponse = (result: LeaveResult) => {
      if (batched) return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members };
      const memberError = result.members[0]?.errorCode ?? ErrorCode.NONE;
      return { throttleTimeMs: 0, errorCode: result.errorCode !== ErrorCode.NONE ? result.errorCode : memberError, members: [] };
    };
    // Classic members of a consumer group (KIP-848 migration) leave with a write to wait for.
    const result = context.broker.groups.leaveGroup(request.groupId, leaving);
    return result instanceof Promise ? result.then(toResponse) : toResponse(result);
  },
});
