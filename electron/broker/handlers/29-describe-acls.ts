import { ErrorCode } from '../../kafka/protocol/error-codes';
import { DescribeAcls, type DescribeAclsResponse } from '../../kafka/protocol/generated/index';
import { AclOperation } from '../../kafka/protocol/acl-codes';
import { aclFilterError } from '../security/acl';
import { authorizedOnCluster } from '../security/request-authorization';
import { defineHandler } from './handler';

/**
 * DescribeAcls (KIP-140): the ACLs a filter matches, grouped by resource pattern. Needs DESCRIBE on the
 * cluster; SECURITY_DISABLED when no authorizer is configured, as in Kafka.
 */
export const describeAclsHandler = defineHandler({
  api: DescribeAcls,
  minVersion: 0,
  maxVersion: 3,
  handle: (request, context): DescribeAclsResponse => {
    const answer = (errorCode: number, errorMessage: string | null): DescribeAclsResponse => ({ throttleTimeMs: 0, errorCode, errorMessage, resources: [] });
    if (!context.broker.security?.authorizer) return answer(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker');
    if (!authorizedOnCluster(context, AclOperation.DESCRIBE))
      return answer(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'DescribeAcls needs DESCRIBE on the cluster');
    const filter = {
      resourceType: request.resourceTypeFilter,
      resourceName: request.resourceNameFilter,
      // v0 has no pattern type: it means LITERAL.
      patternType: context.apiVersion === 0 ? 3 : request.patternTypeFilter,
      principal: request.principalFilter,
      host: request.hostFilter,
      operation: request.operation,
      permissionType: request.permissionType,
    };
    const invalid = aclFilterError(filter);
    if (invalid) return answer(ErrorCode.INVALID_REQUEST, invalid);
    const byResource = new Map<string, DescribeAclsResponse['resources'][number]>();
    for (const acl of context.broker.controller.security.describeAcls(filter)) {
      const key = JSON.stringify([acl.resourceType, acl.resourceName, acl.patternType]);
      let resource = byResource.get(key);
      if (!resource)
        byResource.set(key, (resource = { resourceType: acl.resourceType, resourceName: acl.resourceName, patternType: acl.patternType, acls: [] }));
      resource.acls.push({ principal: acl.principal, host: acl.host, operation: acl.operation, permissionType: acl.permissionType });
    }
    return { ...answer(ErrorCode.NONE, null), resources: [...byResource.values()] };
  },
});
