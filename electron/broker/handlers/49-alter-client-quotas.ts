import { ErrorCode } from '../../kafka/protocol/error-codes';
import { AlterClientQuotas, type AlterClientQuotasResponse } from '../../kafka/protocol/generated/index';
import { entityKey } from '../quotas/client-quota-entity';
import { AclOperation, authorizedOnCluster } from '../security/request-authorization';
import { defineHandler } from './handler';

/**
 * AlterClientQuotas (KIP-546, Kafka 2.6): sets or removes quotas per entity (user, client-id, both, or
 * ip; a null name is the default), all of an entity's ops or none. One result per entity: an invalid
 * entity, key or value gets INVALID_REQUEST, an entity named twice in a request fails both times.
 * Needs ALTER_CONFIGS on the cluster. With validate_only nothing is changed.
 */
export const alterClientQuotasHandler = defineHandler({
  api: AlterClientQuotas,
  minVersion: 0,
  maxVersion: 1,
  handle: (request, context): AlterClientQuotasResponse => {
    const quotas = context.broker.controller.clientQuotas;
    const allowed = authorizedOnCluster(context, AclOperation.ALTER_CONFIGS);
    const counts = new Map<string, number>();
    for (const entry of request.entries) counts.set(entityKey(entry.entity), (counts.get(entityKey(entry.entity)) ?? 0) + 1);
    const entries = context.broker.controller.batch(() =>
      request.entries.map((entry) => {
        const entity = entry.entity.map((part) => ({ entityType: part.entityType, entityName: part.entityName }));
        const result = (errorCode: number, errorMessage: string | null) => ({ errorCode, errorMessage, entity });
        if (!allowed) return result(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'AlterClientQuotas needs ALTER_CONFIGS on the cluster.');
        if ((counts.get(entityKey(entity)) ?? 0) > 1)
          return result(ErrorCode.INVALID_REQUEST, 'The entity is named more than once in the request: none of its alterations were applied.');
        const ops = entry.ops.map((op) => ({ key: op.key, value: op.remove ? null : op.value }));
        const failure = request.validateOnly ? quotas.validate(entity, ops) : quotas.alter(entity, ops);
        return failure ? result(ErrorCode[failure.error], failure.message) : result(ErrorCode.NONE, null);
      }),
    );
    return { throttleTimeMs: 0, entries };
  },
});
