import { isFailure } from '../cluster/controller';
import type { TopicMetadata } from '../cluster/metadata-store';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { refusalLog } from '../server/refusal-log';
import { CreateTopics, type CreateTopicsRequestCreatableTopic, type CreateTopicsResponseCreatableTopicResult } from '../../kafka/protocol/generated/index';
import { describeTopicConfigs, duplicateNames, oversizedConfigValue } from './config-resources';
import { defineHandler, type RequestContext } from './handler';
import { ZERO_UUID } from '../../kafka/protocol/uuid';
import { AclOperation, authorizedOnCluster, authorizedOnTopic } from '../security/request-authorization';
import type { MutationQuota } from '../quotas/controller-mutation-quota';
import { mutationQuotaOf, withMutationThrottle } from './mutation-quota';

function failed(name: string, errorCode: number, errorMessage: string): CreateTopicsResponseCreatableTopicResult {
  return { name, topicId: ZERO_UUID, errorCode, errorMessage, topicConfigErrorCode: 0, numPartitions: -1, replicationFactor: -1, configs: [] };
}

/** Manual assignment as the controller takes it (partition i at index i), or why it is not one. */
function assignmentOf(topic: CreateTopicsRequestCreatableTopic): number[][] | string {
  const sorted = [...topic.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex);
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i]!.partitionIndex !== i) {
      return `Partitions in a manual assignment must be numbered 0 to ${sorted.length - 1} without gaps or repeats; got ${sorted.map((a) => a.partitionIndex).join(', ')}.`;
    }
  }
  return sorted.map((a) => a.brokerIds);
}

function createOne(
  topic: CreateTopicsRequestCreatableTopic,
  validateOnly: boolean,
  context: RequestContext,
  mutationQuota: MutationQuota,
): CreateTopicsResponseCreatableTopicResult {
  const configs: Record<string, string> = {};
  const repeated = duplicateNames(topic.configs.map((c) => c.name));
  if (repeated.length > 0) return failed(topic.name, ErrorCode.INVALID_REQUEST, `Config ${repeated.join(', ')} is given more than once.`);
  for (const { name, value } of topic.configs) {
    if (value === null) return failed(topic.name, ErrorCode.INVALID_CONFIG, `Config ${name} has no value (null is not allowed when creating a topic).`);
    configs[name] = value;
  }
  const oversized = oversizedConfigValue(context.broker, configs);
  if (oversized) return refused(topic.name, 'INVALID_CONFIG', oversized, context);
  const assignment = assignmentOf(topic);
  if (typeof assignment === 'string') return failed(topic.name, ErrorCode.INVALID_REPLICA_ASSIGNMENT, assignment);
  const created = context.broker.controller.createTopic({
    name: topic.name,
    partitions: topic.numPartitions,
    replicationFactor: topic.replicationFactor,
    assignment,
    configs,
    validateOnly,
    mutationQuota,
  });
  if (isFailure(created)) return refused(topic.name, created.error, created.message, context);
  return succeeded(created, validateOnly, context);
}

/**
 * A refusal: answered with its code and message, and logged by the broker (nothing was changed); the
 * log lines are rate-limited, as a request may hold thousands of topics and a client may repeat it.
 */
function refused(name: string, error: keyof typeof ErrorCode, message: string, context: RequestContext): CreateTopicsResponseCreatableTopicResult {
  refusalLog(context.broker.logger).warn('CreateTopics refused', {
    topic: name,
    error,
    message,
    clientId: context.clientId ?? undefined,
    connection: context.connection.id,
  });
  return failed(name, ErrorCode[error], message);
}

/** Partitions the request would create, counted as Kafka's controller does before it allocates anything. */
function requestedPartitions(topics: readonly CreateTopicsRequestCreatableTopic[], defaultPartitions: number): number {
  let total = 0;
  for (const topic of topics) {
    if (topic.assignments.length > 0) total += topic.assignments.length;
    else if (topic.numPartitions === -1) total += defaultPartitions;
    else if (topic.numPartitions > 0) total += topic.numPartitions;
  }
  return total;
}

function succeeded(topic: TopicMetadata, validateOnly: boolean, context: RequestContext): CreateTopicsResponseCreatableTopicResult {
  return {
    name: topic.name,
    topicId: validateOnly ? ZERO_UUID : topic.topicId,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topicConfigErrorCode: 0,
    numPartitions: topic.partitions.length,
    replicationFactor: topic.partitions[0]?.replicas.length ?? -1,
    configs: describeTopicConfigs(context.broker, topic).map((c) => ({
      name: c.name,
      value: c.value,
      readOnly: c.readOnly,
      configSource: c.source,
      isSensitive: c.sensitive,
    })),
  };
}

/**
 * CreateTopics: the controller decides (names, partition counts, replication factors, assignments,
 * configs); this translates. Partition count and replication factor -1 take the broker defaults (from
 * v4 by the protocol; accepted in every version, as modern Kafka does). A name given twice in one
 * request is refused for each of its entries. v5+ answers the topic's effective configs; v7 its id.
 */
export const createTopicsHandler = defineHandler({
  api: CreateTopics,
  minVersion: 0,
  maxVersion: 7,
  // One metadata write for the whole request; as in Kafka's ReplicationControlManager, the partition
  // ceiling applies to the request as a whole. The answer comes once the brokers opened the new
  // partitions' logs, which they do a slice at a time while serving other clients.
  handle: (request, context) => {
    // KIP-599: strict from v6; older clients get their topics and a throttled answer.
    const mutationQuota = mutationQuotaOf(context, 6);
    const response = context.broker.controller.batch(() => {
      const tooMany = context.broker.controller.checkRequestedPartitions(requestedPartitions(request.topics, context.broker.config.int('num.partitions')));
      if (tooMany) {
        const names = [...new Set(request.topics.map((t) => t.name))];
        return { throttleTimeMs: 0, topics: names.map((name) => refused(name, tooMany.error, tooMany.message, context)) };
      }
      const repeated = new Set(duplicateNames(request.topics.map((t) => t.name)));
      const mayCreateAny = authorizedOnCluster(context, AclOperation.CREATE);
      const answered = new Set<string>();
      const topics: CreateTopicsResponseCreatableTopicResult[] = [];
      for (const topic of request.topics) {
        if (answered.has(topic.name)) continue;
        answered.add(topic.name);
        topics.push(
          repeated.has(topic.name)
            ? failed(topic.name, ErrorCode.INVALID_REQUEST, `Topic '${topic.name}' appears more than once in the request.`)
            : !mayCreateAny && !authorizedOnTopic(context, AclOperation.CREATE, topic.name)
              ? failed(
                  topic.name,
                  ErrorCode.TOPIC_AUTHORIZATION_FAILED,
                  `Not authorized to create topic ${topic.name} (needs CREATE on the cluster or the topic).`,
                )
              : createOne(topic, context.apiVersion >= 1 && request.validateOnly, context, mutationQuota),
        );
      }
      return { throttleTimeMs: 0, topics };
    });
    const created = !(context.apiVersion >= 1 && request.validateOnly) && response.topics.some((t) => t.errorCode === ErrorCode.NONE);
    return created
      ? context.broker.clusterReplicasSynced().then(() => withMutationThrottle(context, mutationQuota, response))
      : withMutationThrottle(context, mutationQuota, response);
  },
});
