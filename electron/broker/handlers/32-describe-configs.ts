import { ConfigSource } from '../cluster/broker-config';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import {
  DescribeConfigs,
  type DescribeConfigsRequestDescribeConfigsResource,
  type DescribeConfigsResponseDescribeConfigsResult,
} from '../../kafka/protocol/generated/index';
import {
  configDoc,
  configTypeCode,
  describeBrokerConfigs,
  describeClientMetricsConfigs,
  describeClusterDefaultConfigs,
  describeGroupConfigs,
  describeTopicConfigs,
  ResourceType,
  type DescribedConfig,
} from './config-resources';
import { defineHandler, type RequestContext } from './handler';
import { AclOperation, configResourceRefusal } from '../security/request-authorization';

interface Options {
  version: number;
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

function configsOf(
  resource: DescribeConfigsRequestDescribeConfigsResource,
  context: RequestContext,
): DescribedConfig[] | { errorCode: number; errorMessage: string } {
  const { broker } = context;
  const name = resource.resourceName;
  switch (resource.resourceType) {
    case ResourceType.TOPIC: {
      const topic = broker.controller.topic(name);
      if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic '${name}' does not exist.` };
      return describeTopicConfigs(broker, topic);
    }
    case ResourceType.BROKER: {
      if (name === '') return describeClusterDefaultConfigs(broker);
      const target = /^\d+$/.test(name) ? broker.liveBrokers().find((b) => b.id === Number(name)) : undefined;
      if (!target) {
        const known = broker.controller.brokerIds.map(String).includes(name);
        return {
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: known
            ? `Broker ${name} is not running.`
            : `'${name}' is not the id of a broker of this cluster (brokers are ${broker.controller.brokerIds.join(', ')}).`,
        };
      }
      return describeBrokerConfigs(target);
    }
    case ResourceType.BROKER_LOGGER:
      // The embedded broker has no per-class loggers to describe.
      return [];
    case ResourceType.CLIENT_METRICS:
      return describeClientMetricsConfigs(broker, name);
    case ResourceType.GROUP:
      return describeGroupConfigs(broker, name);
    default:
      return {
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: `Unsupported resource type ${resource.resourceType} (2 = topic, 4 = broker, 8 = broker logger, 16 = client metrics, 32 = group).`,
      };
  }
}

function describe(
  resource: DescribeConfigsRequestDescribeConfigsResource,
  context: RequestContext,
  options: Options,
): DescribeConfigsResponseDescribeConfigsResult {
  const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
  const refused = configResourceRefusal(context, AclOperation.DESCRIBE_CONFIGS, resource.resourceType, resource.resourceName);
  if (refused) return { ...base, ...refused, configs: [] };
  const all = configsOf(resource, context);
  if (!Array.isArray(all)) return { ...base, ...all, configs: [] };
  const keys = resource.configurationKeys === null ? null : new Set(resource.configurationKeys);
  const configs = all
    .filter((c) => keys === null || keys.has(c.name))
    .map((c) => ({
      name: c.name,
      value: c.value,
      readOnly: c.readOnly,
      isDefault: options.version === 0 && c.source === ConfigSource.DEFAULT_CONFIG,
      configSource: c.source,
      isSensitive: c.sensitive,
      synonyms: options.version >= 1 && options.includeSynonyms ? c.synonyms : [],
      configType: c.configType ?? configTypeCode(c.name),
      documentation: options.version >= 3 && options.includeDocumentation ? (c.documentation ?? configDoc(c.name)) : null,
    }));
  return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs };
}

/**
 * DescribeConfigs for topics (every topic config with its effective value and source), brokers (this
 * broker or any other running broker of the cluster; '' lists the dynamic cluster-wide defaults),
 * broker loggers (none here), client metrics subscriptions (KIP-714: the configs set) and groups (KIP-848/KIP-932 group configs, 3.8+). configurationKeys null means all; unknown keys are left out.
 */
export const describeConfigsHandler = defineHandler({
  api: DescribeConfigs,
  minVersion: 0,
  maxVersion: 4,
  handle: (request, context) => {
    const options: Options = {
      version: context.apiVersion,
      includeSynonyms: request.includeSynonyms,
      includeDocumentation: request.includeDocumentation,
    };
    return { throttleTimeMs: 0, results: request.resources.map((r) => describe(r, context, options)) };
  },
});
