import { GROUP_AUTHORIZED_OPERATIONS } from '../groups/group-membership';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { DescribeGroups } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnGroup, authorizedOperations, ResourceType } from '../security/request-authorization';

const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

/**
 * DescribeGroups: state, protocol and members of each group; member metadata and assignments are the
 * bytes the members and the leader sent (for a Stable group), so tools can show who reads what.
 * A group this broker does not know is reported Dead, as Kafka does, and so is a KIP-848 consumer
 * group (not a classic group; ConsumerGroupDescribe shows it).
 */
export const describeGroupsHandler = defineHandler({
  api: DescribeGroups,
  minVersion: 0,
  maxVersion: 5,
  handle: (request, context) => {
    const includeOperations = context.apiVersion >= 3 && request.includeAuthorizedOperations;
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => {
        if (!authorizedOnGroup(context, AclOperation.DESCRIBE, groupId)) {
          return {
            errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
            groupId,
            groupState: '',
            protocolType: '',
            protocolData: '',
            members: [],
            authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
          };
        }
        const operations = !includeOperations
          ? AUTHORIZED_OPERATIONS_OMITTED
          : context.broker.security?.authorizer
            ? authorizedOperations(context, ResourceType.GROUP, groupId)
            : GROUP_AUTHORIZED_OPERATIONS;
        // Before v6 (KIP-1043) an unknown group, or one of another type, is only "Dead".
        const described = context.broker.groups.describeGroup(groupId);
        delete described.notFound;
        return { ...described, authorizedOperations: operations };
      }),
    };
  },
});
