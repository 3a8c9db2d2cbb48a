import { ErrorCode } from '../../kafka/protocol/error-codes';
import type { SyncResult } from '../groups/group';
import { SyncGroup, type SyncGroupResponse } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnGroup } from '../security/request-authorization';

/**
 * SyncGroup: the leader hands in the assignment, which is stored and then given to every member (a
 * member the leader left out gets a valid empty assignment); the others wait for it.
 */
export const syncGroupHandler = defineHandler({
  api: SyncGroup,
  minVersion: 0,
  maxVersion: 5,
  handle: (request, context) => {
    const v = context.apiVersion;
    const toResponse = (r: SyncResult): SyncGroupResponse => ({
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      protocolType: r.protocolType,
      protocolName: r.protocolName,
      assignment: r.assignment,
    });
    if (!authorizedOnGroup(context, AclOperation.READ, request.groupId)) {
      return toResponse({ errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
    }
    const result = context.broker.groups.syncGroup({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: v >= 3 ? request.groupInstanceId : null,
      protocolType: v >= 5 ? request.protocolType : null,
      protocolName: v >= 5 ? request.protocolName : null,
      assignments: new Map(request.assignments.map((a) => [a.memberId, Buffer.from(a.assignment)])),
    });
    return result instanceof Promise ? result.then(toResponse) : toResponse(result);
  },
});
