import { isFailure } from '../cluster/controller';
import type { Broker } from '../cluster/broker';
import type { TopicMetadata } from '../cluster/metadata-store';
import { topicNameError } from '../cluster/topic-names';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { refusalLog } from '../server/refusal-log';
import { Metadata, type MetadataResponse, type MetadataResponseTopic } from '../../kafka/protocol/generated/index';
import { defineHandler, type RequestContext } from './handler';
import { ZERO_UUID } from '../../kafka/protocol/uuid';
import { CLUSTER_NAME } from '../security/acl';
import { AclOperation, authorizedOnCluster, authorizedOnTopic, authorizedOperations, ResourceType } from '../security/request-authorization';

/** Sent when a client did not ask for authorized operations (Kafka's "omitted" sentinel). */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

/**
 * Offline replicas: on a broker that is down, or whose log of the partition cannot be opened or
 * written (a storage failure, KIP-112's meaning), so clients and the app can tell which.
 * `failing`: the live brokers that have storage failures now (usually none).
 */
function offlineReplicas(
  topic: string,
  partition: number,
  replicas: readonly number[],
  context: RequestContext,
  failing: ReadonlyMap<number, Broker>,
): number[] {
  const controller = context.broker.controller;
  return replicas.filter((id) => !controller.isLive(id) || (failing.get(id)?.storage.of(topic, partition).length ?? 0) > 0);
}

function describeTopic(topic: TopicMetadata, context: RequestContext, failing: ReadonlyMap<number, Broker>, withOperations = false): MetadataResponseTopic {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: topic.internal,
    partitions: topic.partitions.map((p) => ({
      errorCode: p.leader === -1 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
      partitionIndex: p.partition,
      leaderId: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: [...p.replicas],
      isrNodes: [...p.isr],
      offlineReplicas: offlineReplicas(topic.name, p.partition, p.replicas, context, failing),
    })),
    topicAuthorizedOperations: withOperations ? authorizedOperations(context, ResourceType.TOPIC, topic.name) : AUTHORIZED_OPERATIONS_OMITTED,
  };
}

function missingTopic(name: string | null, topicId: string, errorCode: number): MetadataResponseTopic {
  return { errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED };
}

/**
 * Metadata: live brokers, the controller, and the requested topics (all when the list is null; none
 * when it is empty). Unknown topics are created when auto.create.topics.enable and the client allows
 * it (versions before 4 always allow it), with num.partitions and default.replication.factor.
 * v13 (Kafka 4.0, KIP-1102) adds a top-level error code so a broker can tell a client to rebootstrap
 * (REBOOTSTRAP_REQUIRED); Kafka 4.0/4.1 brokers define but do not send it, so it is NONE here too.
 */
export const metadataHandler = defineHandler({
  api: Metadata,
  minVersion: 0,
  maxVersion: 13,
  handle: (request, context) => {
    const { broker } = context;
    const controller = broker.controller;
    const allowAutoCreate = (context.apiVersion < 4 || request.allowAutoTopicCreation) && broker.config.bool('auto.create.topics.enable');
    const failing = new Map(
      broker
        .liveBrokers()
        .filter((b) => b.storage.size > 0)
        .map((b) => [b.id, b]),
    );
    // With the authorizer, topics the principal may not DESCRIBE are absent from an all-topics answer and
    // refused by name (TOPIC_AUTHORIZATION_FAILED, whether they exist or not), as Kafka does.
    const describable = (name: string) => authorizedOnTopic(context, AclOperation.DESCRIBE, name);
    const withOperations = context.apiVersion >= 8 && request.includeTopicAuthorizedOperations;
    const mayCreateAny = allowAutoCreate && authorizedOnCluster(context, AclOperation.CREATE);
    const mayCreate = (name: string) => mayCreateAny || authorizedOnTopic(context, AclOperation.CREATE, name);
    let topics: MetadataResponseTopic[];
    let created = false;
    // Version 0 has no null list: an empty list there means every topic.
    if (request.topics === null || (context.apiVersion === 0 && request.topics.length === 0)) {
      topics = [...controller.topics()].filter((t) => describable(t.name)).map((t) => describeTopic(t, context, failing, withOperations));
    } else {
      // Auto-creation counts against the same per-request ceiling as CreateTopics (Kafka's controller
      // refuses the whole batch of an auto-creation beyond it): a request naming 100,000 new topics
      // creates none of them.
      const toCreate = allowAutoCreate
        ? new Set(
            request.topics.flatMap(({ name }) =>
              name !== null && !controller.topic(name) && !topicNameError(name) && describable(name) && mayCreate(name) ? [name] : [],
            ),
          )
        : new Set<string>();
      const tooMany = toCreate.size > 0 ? controller.checkRequestedPartitions(toCreate.size * broker.config.int('num.partitions')) : null;
      if (tooMany) {
        refusalLog(broker.logger).warn('topic auto-creation refused', {
          topics: toCreate.size,
          error: tooMany.error,
          message: tooMany.message,
          clientId: context.clientId ?? undefined,
          connection: context.connection.id,
        });
      }
      // One metadata write for every topic the request creates.
      topics = controller.batch(() =>
        request.topics!.map(({ name, topicId }) => {
          const byId = name === null && topicId !== ZERO_UUID ? controller.topicById(topicId) : undefined;
          if (name === null) {
            if (byId && !describable(byId.name)) return missingTopic(null, topicId, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
            return byId ? describeTopic(byId, context, failing, withOperations) : missingTopic(null, topicId, ErrorCode.UNKNOWN_TOPIC_ID);
          }
          if (!describable(name)) return missingTopic(name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          const existing = controller.topic(name);
          if (existing) return describeTopic(existing, context, failing, withOperations);
          if (topicNameError(name)) return missingTopic(name, ZERO_UUID, ErrorCode.INVALID_TOPIC_EXCEPTION);
          if (!allowAutoCreate) return missingTopic(name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          if (!mayCreate(name)) return missingTopic(name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          if (tooMany) return missingTopic(name, ZERO_UUID, ErrorCode[tooMany.error]);
          const topic = controller.createTopic({ name });
          if (isFailure(topic)) return missingTopic(name, ZERO_UUID, ErrorCode[topic.error]);
          created = true;
          return describeTopic(topic, context, failing, withOperations);
        }),
      );
    }
    const answer = (): MetadataResponse => ({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      brokers: broker.liveBrokers().map((b) => ({ nodeId: b.id, ...b.advertisedEndpoint(), rack: b.rack })),
      clusterId: controller.clusterId,
      controllerId: controller.controllerId,
      topics,
      clusterAuthorizedOperations:
        context.apiVersion >= 8 && context.apiVersion <= 10 && request.includeClusterAuthorizedOperations
          ? authorizedOperations(context, ResourceType.CLUSTER, CLUSTER_NAME)
          : AUTHORIZED_OPERATIONS_OMITTED,
    });
    // Created topics are answered once their logs are open (see Broker.scheduleSync).
    return created ? broker.clusterReplicasSynced().then(answer) : answer();
  },
});
