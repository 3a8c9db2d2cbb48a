import { ErrorCode } from '../../kafka/protocol/error-codes';
import { DeleteGroups, type DeleteGroupsResponse } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnGroup } from '../security/request-authorization';

/** DeleteGroups: removes empty groups with their committed offsets (NON_EMPTY_GROUP otherwise). */
export const deleteGroupsHandler = defineHandler({
  api: DeleteGroups,
  minVersion: 0,
  maxVersion: 2,
  handle: (request, context) => {
    const toResponse = (results: Array<{ groupId: string; errorCode: number }>): DeleteGroupsResponse => ({ throttleTimeMs: 0, results });
    const refused = request.groupsNames.filter((g) => !authorizedOnGroup(context, AclOperation.DELETE, g));
    const withRefused = (results: Array<{ groupId: string; errorCode: number }>) =>
      toResponse([...results, ...refused.map((groupId) => ({ groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }))]);
    const result = context.broker.groups.deleteGroups(refused.length === 0 ? request.groupsNames : request.groupsNames.filter((g) => !refused.includes(g)));
    return result instanceof Promise ? result.then(withRefused) : withRefused(result);
  },
});
