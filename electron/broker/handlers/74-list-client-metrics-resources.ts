import { ErrorCode } from '../../kafka/protocol/error-codes';
import { ListClientMetricsResources } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { ResourceType } from './config-resources';
import { AclOperation, authorizedOnCluster } from '../security/request-authorization';
import { clientMetricsRefusal } from '../telemetry/release-support';

/** Config resource types ListConfigResources v1 lists (KIP-1142), and GROUP (32), which has no dynamic configs here. */
const GROUP = 32;
const LISTABLE = [ResourceType.TOPIC, ResourceType.BROKER, ResourceType.BROKER_LOGGER, ResourceType.CLIENT_METRICS, GROUP];

/**
 * ListClientMetricsResources (KIP-1000, Kafka 3.7, KRaft brokers): the names of the client metrics
 * subscriptions. Kafka 4.1 renames it ListConfigResources (KIP-1142) and adds v1, which lists the
 * config resources of the types asked for (none asked: every type): topics, brokers and broker loggers
 * (the broker ids), client metrics subscriptions; groups have no dynamic configs in the embedded cluster.
 * Needs DESCRIBE_CONFIGS on the cluster.
 */
export const listClientMetricsResourcesHandler = defineHandler({
  api: ListClientMetricsResources,
  minVersion: 0,
  maxVersion: 1,
  handle: (request, context) => {
    const answer = (errorCode: number, resources: Array<{ name: string; resourceType: number }> = []) => ({
      throttleTimeMs: 0,
      errorCode,
      clientMetricsResources: resources,
    });
    if (!authorizedOnCluster(context, AclOperation.DESCRIBE_CONFIGS)) return answer(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    // Advertised only by KRaft brokers of 3.7+, so a release without client metrics never gets here.
    if (clientMetricsRefusal(context.broker.kafkaVersion, context.broker.metadataMode)) return answer(ErrorCode.UNSUPPORTED_VERSION);
    const types = context.apiVersion === 0 ? [ResourceType.CLIENT_METRICS] : request.resourceTypes.length === 0 ? LISTABLE : request.resourceTypes;
    if (types.some((type) => !LISTABLE.includes(type))) return answer(ErrorCode.INVALID_REQUEST);
    const { controller } = context.broker;
    const resources: Array<{ name: string; resourceType: number }> = [];
    for (const resourceType of new Set(types)) {
      const names =
        resourceType === ResourceType.TOPIC
          ? [...controller.topics()].map((topic) => topic.name)
          : resourceType === ResourceType.BROKER || resourceType === ResourceType.BROKER_LOGGER
            ? controller.brokerIds.map(String)
            : resourceType === ResourceType.CLIENT_METRICS
              ? controller.clientMetrics.names()
              : [];
      for (const name of names) resources.push({ name, resourceType });
    }
    return answer(ErrorCode.NONE, resources);
  },
});
