import { isFailure } from '../cluster/controller';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { refusalLog } from '../server/refusal-log';
import { CreatePartitions } from '../../kafka/protocol/generated/index';
import { duplicateNames } from './config-resources';
import { defineHandler } from './handler';
import { mutationQuotaOf, withMutationThrottle } from './mutation-quota';
import { AclOperation, authorizedOnTopic } from '../security/request-authorization';

/**
 * CreatePartitions: raises a topic's partition count to `count`, with the new partitions' replicas
 * chosen by the controller or given (one broker list per new partition). The controller decides;
 * this translates. A topic named twice in one request is refused for each entry.
 */
export const createPartitionsHandler = defineHandler({
  api: CreatePartitions,
  minVersion: 0,
  maxVersion: 3,
  // One metadata write for the whole request, answered once the brokers opened the new partitions' logs.
  handle: (request, context) => {
    // KIP-599: strict from v3; older clients get their partitions and a throttled answer.
    const mutationQuota = mutationQuotaOf(context, 3);
    const response = context.broker.controller.batch(() => {
      const repeated = new Set(duplicateNames(request.topics.map((t) => t.name)));
      const controller = context.broker.controller;
      // As in CreateTopics, the per-request ceiling is checked over the whole request before anything is allocated.
      let adding = 0;
      for (const topic of request.topics) adding += Math.max(0, topic.count - (controller.topic(topic.name)?.partitions.length ?? topic.count));
      const tooMany = controller.checkRequestedPartitions(adding);
      return {
        throttleTimeMs: 0,
        results: request.topics.map((topic) => {
          if (repeated.has(topic.name)) {
            return { name: topic.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Topic '${topic.name}' appears more than once in the request.` };
          }
          if (!authorizedOnTopic(context, AclOperation.ALTER, topic.name)) {
            return {
              name: topic.name,
              errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
              errorMessage: `Not authorized to add partitions to topic ${topic.name} (needs ALTER).`,
            };
          }
          // An empty assignment list asks for nothing in particular: the controller chooses, as with null.
          const assignment = topic.assignments?.length ? topic.assignments.map((a) => a.brokerIds) : null;
          const result = tooMany ?? context.broker.controller.createPartitions(topic.name, topic.count, assignment, request.validateOnly, mutationQuota);
          if (isFailure(result)) {
            refusalLog(context.broker.logger).warn('CreatePartitions refused', {
              topic: topic.name,
              error: result.error,
              message: result.message,
              clientId: context.clientId ?? undefined,
              connection: context.connection.id,
            });
            return { name: topic.name, errorCode: ErrorCode[result.error], errorMessage: result.message };
          }
          return { name: topic.name, errorCode: ErrorCode.NONE, errorMessage: null };
        }),
      };
    });
    const created = !request.validateOnly && response.results.some((r) => r.errorCode === ErrorCode.NONE);
    return created
      ? context.broker.clusterReplicasSynced().then(() => withMutationThrottle(context, mutationQuota, response))
      : withMutationThrottle(context, mutationQuota, response);
  },
});
