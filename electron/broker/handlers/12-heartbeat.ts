import { ErrorCode } from '../../kafka/protocol/error-codes';
import { Heartbeat } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnGroup } from '../security/request-authorization';

/** Heartbeat: keeps a member's session; REBALANCE_IN_PROGRESS tells it to rejoin. */
export const heartbeatHandler = defineHandler({
  api: Heartbeat,
  minVersion: 0,
  maxVersion: 4,
  handle: (request, context) => ({
    throttleTimeMs: 0,
    errorCode: !authorizedOnGroup(context, AclOperation.READ, request.groupId)
      ? ErrorCode.GROUP_AUTHORIZATION_FAILED
      : context.broker.groups.heartbeat({
          groupId: request.groupId,
          memberId: request.memberId,
          groupInstanceId: context.apiVersion >= 3 ? request.groupInstanceId : null,
          generationId: request.generationId,
        }),
  }),
});
