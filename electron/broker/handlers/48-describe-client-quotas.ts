import { ErrorCode } from '../../kafka/protocol/error-codes';
import { DescribeClientQuotas, type DescribeClientQuotasResponse } from '../../kafka/protocol/generated/index';
import { AclOperation, authorizedOnCluster } from '../security/request-authorization';
import { defineHandler } from './handler';

/**
 * DescribeClientQuotas (KIP-546, Kafka 2.6): the quota entities a filter matches, with their quotas.
 * Needs DESCRIBE_CONFIGS on the cluster. An invalid filter (a type named twice, ip with user or
 * client-id, a name where none is taken) fails the request with INVALID_REQUEST and no entries.
 */
export const describeClientQuotasHandler = defineHandler({
  api: DescribeClientQuotas,
  minVersion: 0,
  maxVersion: 1,
  handle: (request, context): DescribeClientQuotasResponse => {
    if (!authorizedOnCluster(context, AclOperation.DESCRIBE_CONFIGS)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: 'DescribeClientQuotas needs DESCRIBE_CONFIGS on the cluster.',
        entries: null,
      };
    }
    const found = context.broker.controller.clientQuotas.describe(request.components, request.strict);
    if ('error' in found) return { throttleTimeMs: 0, errorCode: ErrorCode[found.error], errorMessage: found.message, entries: null };
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      entries: found.map((entry) => ({
        entity: entry.entity.map((part) => ({ entityType: part.entityType, entityName: part.entityName })),
        values: Object.entries(entry.quotas).map(([key, value]) => ({ key, value })),
      })),
    };
  },
});
