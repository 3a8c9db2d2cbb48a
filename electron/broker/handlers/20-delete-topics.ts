import { isFailure } from '../cluster/controller';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { DeleteTopics, type DeleteTopicsResponseDeletableTopicResult } from '../../kafka/protocol/generated/index';
import { defineHandler, type RequestContext } from './handler';
import { ZERO_UUID } from '../../kafka/protocol/uuid';
import { AclOperation, authorizedOnTopic } from '../security/request-authorization';
import type { MutationQuota } from '../quotas/controller-mutation-quota';
import { mutationQuotaOf, withMutationThrottle } from './mutation-quota';

function deleteOne(name: string | null, topicId: string, context: RequestContext, mutationQuota: MutationQuota): DeleteTopicsResponseDeletableTopicResult {
  const controller = context.broker.controller;
  const result = (errorCode: number, errorMessage: string | null, id = topicId): DeleteTopicsResponseDeletableTopicResult => ({
    name,
    topicId: id,
    errorCode,
    errorMessage,
  });
  const byId = name === null;
  if (byId && topicId === ZERO_UUID) return result(ErrorCode.INVALID_REQUEST, 'Give a topic name or a topic id.');
  const topic = byId ? controller.topicById(topicId) : controller.topic(name);
  // DELETE on the topic, checked before existence (by id: an unknown id tells nothing anyway).
  if ((topic || !byId) && !authorizedOnTopic(context, AclOperation.DELETE, topic?.name ?? name!)) {
    return result(ErrorCode.TOPIC_AUTHORIZATION_FAILED, `Not authorized to delete topic ${topic?.name ?? name}.`);
  }
  if (!topic) {
    return byId
      ? result(ErrorCode.UNKNOWN_TOPIC_ID, `No topic has the id ${topicId}.`)
      : result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
  }
  if (!context.broker.config.bool('delete.topic.enable')) {
    return result(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled on this cluster (delete.topic.enable=false).');
  }
  // The controller refuses internal topics itself.
  const deleted = controller.deleteTopic(topic.name, { mutationQuota });
  if (isFailure(deleted)) return result(ErrorCode[deleted.error], deleted.message);
  return { name: topic.name, topicId: deleted.topicId, errorCode: ErrorCode.NONE, errorMessage: null };
}

/**
 * DeleteTopics: by name (v0-5) or by name or topic id (v6). The topic's partitions and their logs go
 * on every broker (brokers that are down drop them when they start). Internal topics are refused, and
 * so is every deletion while delete.topic.enable is false.
 */
export const deleteTopicsHandler = defineHandler({
  api: DeleteTopics,
  minVersion: 0,
  maxVersion: 6,
  // One metadata write for the whole request.
  handle: (request, context) => {
    // KIP-599: strict from v5; older clients get their deletions and a throttled answer.
    const mutationQuota = mutationQuotaOf(context, 5);
    const response = context.broker.controller.batch(() => {
      const targets = context.apiVersion >= 6 ? request.topics : request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
      return {
        throttleTimeMs: 0,
        responses: targets.map(({ name, topicId }) => {
          const answer = deleteOne(name, topicId, context, mutationQuota);
          return context.apiVersion >= 6 ? answer : { ...answer, topicId: ZERO_UUID };
        }),
      };
    });
    return withMutationThrottle(context, mutationQuota, response);
  },
});
