import { DeleteGroups, type DeleteGroupsResponse } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';

/** DeleteGroups: removes empty groups with their committed offsets (NON_EMPTY_GROUP otherwise). */
export const deleteGroupsHandler = defineHandler({
  api: DeleteGroups,
  minVersion: 0,
  maxVersion: 2,
  handle: (request, context) => {
    const toResponse = (results: Array<{ groupId: string; errorCode: number }>): DeleteGroupsResponse => ({ throttleTimeMs: 0, results });
    const result = context.broker.groups.deleteGroups(request.groupsNames);
    return result instanceof Promise ? result.then(toResponse) : toResponse(result);
  },
});
