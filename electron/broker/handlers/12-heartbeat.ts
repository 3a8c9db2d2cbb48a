import { Heartbeat } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';

/** Heartbeat: keeps a member's session; REBALANCE_IN_PROGRESS tells it to rejoin. */
export const heartbeatHandler = defineHandler({
  api: Heartbeat,
  minVersion: 0,
  maxVersion: 4,
  handle: (request, context) => ({
    throttleTimeMs: 0,
    errorCode: context.broker.groups.heartbeat({
      groupId: request.groupId,
      memberId: request.memberId,
      groupInstanceId: context.apiVersion >= 3 ? request.groupInstanceId : null,
      generationId: request.generationId,
    }),
  }),
});
