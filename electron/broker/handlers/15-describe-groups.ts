import { GROUP_AUTHORIZED_OPERATIONS } from '../groups/group-membership';
import { DescribeGroups } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';

const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

/**
 * DescribeGroups: state, protocol and members of each group; member metadata and assignments are the
 * bytes the members and the leader sent (for a Stable group), so tools can show who reads what.
 * A group this broker does not know is reported Dead, as Kafka does.
 */
export const describeGroupsHandler = defineHandler({
  api: DescribeGroups,
  minVersion: 0,
  maxVersion: 5,
  handle: (request, context) => {
    const operations = context.apiVersion >= 3 && request.includeAuthorizedOperations ? GROUP_AUTHORIZED_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED;
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => ({ ...context.broker.groups.describeGroup(groupId), authorizedOperations: operations })),
    };
  },
});
