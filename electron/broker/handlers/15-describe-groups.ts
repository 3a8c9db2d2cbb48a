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
 * group (not a classic group; ConsumerGroupDescribe shows it); from v6 (KIP-1043) both are also
 * GROUP_ID_NOT_FOUND with Kafka's message ("Group g not found." / "Group g is not a classic group.").
 */
export const describeGroupsHandler = defineHandler({
  api: DescribeGroups,
  minVersion: 0,
  maxVersion: 6,
  handle: (request, context) => {
    const includeOperations = context.apiVersion >= 3 && request.includeAuthorizedOperations;
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => {
        if (!authorizedOnGroup(context, AclOperation.DESCRIBE, groupId)) {
          return {
            errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
            errorMessage: null,
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
        const { notFound, ...described } = context.broker.groups.describeGroup(groupId);
        // An unknown group, or one of another type, is "Dead"; from v6 (KIP-1043) also GROUP_ID_NOT_FOUND, with why.
        if (notFound !== undefined && context.apiVersion >= 6) {
          return { ...described, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: notFound, authorizedOperations: operations };
        }
        return { ...described, errorMessage: null, authorizedOperations: operations };
      }),
    };
  },
});
