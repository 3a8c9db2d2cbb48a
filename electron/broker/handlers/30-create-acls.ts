import { ErrorCode } from '../../kafka/protocol/error-codes';
import { CreateAcls, type CreateAclsResponse } from '../../kafka/protocol/generated/index';
import { AclOperation } from '../../kafka/protocol/acl-codes';
import { authorizedOnCluster } from '../security/request-authorization';
import { defineHandler } from './handler';

/**
 * CreateAcls (KIP-140, PREFIXED patterns from KIP-290): one result per creation. Needs ALTER on the
 * cluster. ACLs are cluster metadata: written to the metadata log before the answer.
 */
export const createAclsHandler = defineHandler({
  api: CreateAcls,
  minVersion: 0,
  maxVersion: 3,
  handle: (request, context): CreateAclsResponse => {
    const each = (errorCode: number, errorMessage: string | null): CreateAclsResponse => ({
      throttleTimeMs: 0,
      results: request.creations.map(() => ({ errorCode, errorMessage })),
    });
    if (!context.broker.security?.authorizer) return each(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker');
    if (!authorizedOnCluster(context, AclOperation.ALTER)) return each(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'CreateAcls needs ALTER on the cluster');
    const security = context.broker.controller.security;
    const results = context.broker.controller.batch(() =>
      request.creations.map((creation) => {
        const failure = security.createAcl({
          resourceType: creation.resourceType,
          resourceName: creation.resourceName,
          // v0 has no pattern type: LITERAL.
          patternType: context.apiVersion === 0 ? 3 : creation.resourcePatternType,
          principal: creation.principal,
          host: creation.host,
          operation: creation.operation,
          permissionType: creation.permissionType,
        });
        return failure ? { errorCode: ErrorCode[failure.error], errorMessage: failure.message } : { errorCode: ErrorCode.NONE, errorMessage: null };
      }),
    );
    return { throttleTimeMs: 0, results };
  },
});
