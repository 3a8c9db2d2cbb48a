import { ErrorCode } from '../../kafka/protocol/error-codes';
import { ListGroups } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnCluster, authorizedOnGroup } from '../security/request-authorization';

/** State and type names compared as Kafka does, case-insensitively; "_" is ignored as well (some clients send PREPARING_REBALANCE). */
const normalize = (name: string) => name.toLowerCase().replace(/_/g, '');

/**
 * ListGroups: the groups this broker coordinates (clients ask every broker), filtered by state (v4+;
 * a classic group's states or a consumer group's: Empty, Assigning, Reconciling, Stable) and type (v5+,
 * KIP-848: "classic" or "consumer"; KIP-932: "share"; an unknown type matches nothing, as Kafka's GroupType.parse).
 */
export const listGroupsHandler = defineHandler({
  api: ListGroups,
  minVersion: 0,
  maxVersion: 5,
  handle: (request, context) => {
    const mayListAll = authorizedOnCluster(context, AclOperation.DESCRIBE);
    const states = new Set((context.apiVersion >= 4 ? request.statesFilter : []).map(normalize));
    const types = new Set((context.apiVersion >= 5 ? request.typesFilter : []).map(normalize));
    const groups = context.broker.groups
      .listGroups()
      .filter((g) => (states.size === 0 || states.has(normalize(g.groupState))) && (types.size === 0 || types.has(normalize(g.groupType))))
      // DESCRIBE on the cluster lists every group; otherwise those the principal may DESCRIBE (Kafka's rule).
      .filter((g) => mayListAll || authorizedOnGroup(context, AclOperation.DESCRIBE, g.groupId));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups };
  },
});
