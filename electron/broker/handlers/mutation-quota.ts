import { quotaIdentity } from '../quotas/throttle';
import { UNBOUNDED_MUTATION_QUOTA, type MutationQuota } from '../quotas/controller-mutation-quota';
import type { RequestContext } from './handler';

/**
 * The controller mutation quota (KIP-599) a CreateTopics, CreatePartitions or DeleteTopics request
 * mutates under: strict from `strictFrom`, the first version whose clients know THROTTLING_QUOTA_EXCEEDED
 * (Kafka's ControllerMutationQuotaManager.newQuotaFor), permissive before it.
 */
export function mutationQuotaOf(context: RequestContext, strictFrom: number): MutationQuota {
  const { broker } = context;
  if (!broker.controller.clientQuotas.inUse('controller_mutation_rate')) return UNBOUNDED_MUTATION_QUOTA;
  const { user, clientId } = quotaIdentity(context.connection, context.clientId);
  return broker.controller.controllerMutations.quotaFor(user, clientId, context.apiVersion >= strictFrom);
}

/**
 * Throttles the answer for the quota, computed when the answer is ready (Kafka's
 * sendResponseMaybeThrottleWithControllerQuota): the time spent since the bucket was found short counts.
 */
export function withMutationThrottle<T>(context: RequestContext, quota: MutationQuota, response: T): T {
  context.throttleTimeMs = Math.max(context.throttleTimeMs, quota.throttleTimeMs());
  return response;
}
