import { ErrorCode } from '../../kafka/protocol/error-codes';
import { DeleteAcls, type DeleteAclsResponse } from '../../kafka/protocol/generated/index';
import { AclOperation } from '../../kafka/protocol/acl-codes';
import { aclFilterError } from '../security/acl';
import { authorizedOnCluster } from '../security/request-authorization';
import { defineHandler } from './handler';

/** DeleteAcls (KIP-140): deletes what each filter matches and returns it. Needs ALTER on the cluster. */
export const deleteAclsHandler = defineHandler({
  api: DeleteAcls,
  minVersion: 0,
  maxVersion: 3,
  handle: (request, context): DeleteAclsResponse => {
    const each = (errorCode: number, errorMessage: string | null): DeleteAclsResponse => ({
      throttleTimeMs: 0,
      filterResults: request.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })),
    });
    if (!context.broker.security?.authorizer) return each(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker');
    if (!authorizedOnCluster(context, AclOperation.ALTER)) return each(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'DeleteAcls needs ALTER on the cluster');
    const security = context.broker.controller.security;
    const filterResults = context.broker.controller.batch(() =>
      request.filters.map((f) => {
        const filter = {
          resourceType: f.resourceTypeFilter,
          resourceName: f.resourceNameFilter,
          patternType: context.apiVersion === 0 ? 3 : f.patternTypeFilter,
          principal: f.principalFilter,
          host: f.hostFilter,
          operation: f.operation,
          permissionType: f.permissionType,
        };
        const invalid = aclFilterError(filter);
        if (invalid) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: invalid, matchingAcls: [] };
        const deleted = security.deleteAcls(filter);
        if (!Array.isArray(deleted)) return { errorCode: ErrorCode[deleted.error], errorMessage: deleted.message, matchingAcls: [] };
        return {
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          matchingAcls: deleted.map((acl) => ({ errorCode: ErrorCode.NONE, errorMessage: null, ...acl })),
        };
      }),
    );
    return { throttleTimeMs: 0, filterResults };
  },
});
