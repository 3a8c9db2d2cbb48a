import { ErrorCode } from '../protocol/error-codes';
import { ListGroups } from '../protocol/generated/index';
import { defineHandler } from './handler';

/**
 * ListGroups: the groups this broker coordinates (clients ask every broker), filtered by state (v4+)
 * and type (v5+; every group here is "classic"), case-insensitively as Kafka does.
 */
export const listGroupsHandler = defineHandler({
  api: ListGroups,
  minVersion: 0,
  maxVersion: 5,
  handle: (request, context) => {
    const states = new Set((context.apiVersion >= 4 ? request.statesFilter : []).map((s) => s.toLowerCase()));
    const types = new Set((context.apiVersion >= 5 ? request.typesFilter : []).map((s) => s.toLowerCase()));
    const groups = context.broker.groups
      .listGroups()
      .filter((g) => (states.size === 0 || states.has(g.groupState.toLowerCase())) && (types.size === 0 || types.has(g.groupType.toLowerCase())));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups };
  },
});
