import type { Broker } from '../cluster/broker';
import { KAFKA_RELEASE_IDS } from '../../kafka/releases';
import { ALL_BROKER_CONFIG_DEFS, ConfigSource, validateBrokerConfigs, type ConfigSourceCode } from '../cluster/broker-config';
import { isFailure } from '../cluster/controller';
import type { TopicMetadata } from '../cluster/metadata-store';
import { TOPIC_CONFIG_DEFS, TOPIC_CONFIGS, type ConfigType } from '../log/log-config';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { refusalLog } from '../server/refusal-log';
import { CLIENT_METRICS_CONFIG_DEFS } from '../telemetry/client-metrics-config';
import { clientMetricsRefusal } from '../telemetry/release-support';
import { GROUP_CONFIG_DEFS } from '../groups/group-configs';

/** Kafka's ConfigResource.Type codes. */
export const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, CLIENT_METRICS: 16, GROUP: 32 } as const;

/** Kafka's DescribeConfigs ConfigType codes. */
const CONFIG_TYPE_CODES: Record<ConfigType, number> = {
  boolean: 1,
  string: 2,
  int: 3,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9,
};

export function configTypeCode(name: string): number {
  const type = TOPIC_CONFIGS.get(name)?.type ?? ALL_BROKER_CONFIG_DEFS.get(name)?.type;
  return type ? CONFIG_TYPE_CODES[type] : 0;
}

export function configDoc(name: string): string | null {
  return TOPIC_CONFIGS.get(name)?.doc ?? ALL_BROKER_CONFIG_DEFS.get(name)?.doc ?? null;
}

export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: ConfigSourceCode;
}

/** One described config: its effective value and where it came from, highest precedence first. */
export interface DescribedConfig {
  name: string;
  value: string | null;
  source: ConfigSourceCode;
  readOnly: boolean;
  sensitive: boolean;
  synonyms: ConfigSynonym[];
  /** DescribeConfigs' ConfigType code when the name is not a topic or broker config (client metrics). */
  configType?: number;
  documentation?: string;
}

/**
 * Every topic config of a topic as Kafka describes it: the topic override (TOPIC_CONFIG), else the
 * broker synonym that supplies the default (dynamic broker, dynamic cluster default, static), else
 * Kafka's default (DEFAULT_CONFIG). Synonyms list every layer that has a value, highest first.
 */
export function describeTopicConfigs(broker: Broker, topic: TopicMetadata): DescribedConfig[] {
  return TOPIC_CONFIG_DEFS.map((d) => {
    const synonyms: ConfigSynonym[] = [];
    const override = topic.configs[d.name];
    if (override !== undefined) synonyms.push({ name: d.name, value: override, source: ConfigSource.TOPIC_CONFIG });
    // The broker synonyms come converted to the topic config's unit (log.retention.hours in ms): the
    // first one is the effective value; the synonyms list shows each as the broker has it.
    const fromBroker = broker.config.topicSynonyms(d.name);
    for (const s of fromBroker) synonyms.push({ name: s.name, value: broker.config.value(s.name), source: s.source });
    if (!synonyms.some((s) => s.source === ConfigSource.DEFAULT_CONFIG)) {
      synonyms.push({ name: d.brokerSynonym ?? d.name, value: d.default, source: ConfigSource.DEFAULT_CONFIG });
    }
    const value = override ?? fromBroker[0]?.value ?? d.default;
    const sensitive = d.type === 'password';
    return { name: d.name, value: sensitive ? null : value, source: synonyms[0]!.source, readOnly: false, sensitive, synonyms };
  });
}

/**
 * A broker's configs: every known broker config resolved through its layers. Synonyms are the layers
 * this view can see: dynamic per-broker and cluster-default values (from the controller), the static
 * value when it is the effective one, and Kafka's default.
 */
export function describeBrokerConfigs(broker: Broker): DescribedConfig[] {
  const perBroker = broker.controller.brokerConfigs(broker.id);
  const clusterDefault = broker.controller.brokerConfigs('');
  return broker.config.all().map((r) => {
    const synonyms: ConfigSynonym[] = [];
    if (perBroker[r.name] !== undefined) synonyms.push({ name: r.name, value: perBroker[r.name]!, source: ConfigSource.DYNAMIC_BROKER_CONFIG });
    if (clusterDefault[r.name] !== undefined)
      synonyms.push({ name: r.name, value: clusterDefault[r.name]!, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
    if (r.source === ConfigSource.STATIC_BROKER_CONFIG) synonyms.push({ name: r.name, value: r.value, source: r.source });
    const fallback = broker.config.kafkaDefault(r.name);
    if (fallback !== null) synonyms.push({ name: r.name, value: fallback, source: ConfigSource.DEFAULT_CONFIG });
    const hide = (value: string | null) => (r.sensitive ? null : value);
    return {
      name: r.name,
      value: hide(r.value),
      source: r.source,
      readOnly: r.readOnly,
      sensitive: r.sensitive,
      synonyms: synonyms.map((s) => ({ ...s, value: hide(s.value) })),
    };
  });
}

/** The cluster-wide dynamic broker defaults (DescribeConfigs on the broker resource named ""). */
export function describeClusterDefaultConfigs(broker: Broker): DescribedConfig[] {
  return Object.entries(broker.controller.brokerConfigs(''))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => {
      const d = ALL_BROKER_CONFIG_DEFS.get(name);
      const sensitive = d?.sensitive ?? d?.type === 'password';
      const shown = sensitive ? null : value;
      const source = ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG;
      return { name, value: shown, source, readOnly: !(d?.dynamic ?? false), sensitive, synonyms: [{ name, value: shown, source }] };
    });
}

export type ResourceError = { errorCode: number; errorMessage: string };

/**
 * The broker resource name as AlterConfigs and IncrementalAlterConfigs take it: '' for the cluster
 * default, else the id of a broker of this cluster.
 */
export function brokerTarget(broker: Broker, resourceName: string): number | '' | ResourceError {
  if (resourceName === '') return '';
  const id = /^\d+$/.test(resourceName) ? Number(resourceName) : NaN;
  if (!Number.isSafeInteger(id)) {
    return {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: `Broker resource name must be a broker id or empty (the cluster default), got '${resourceName}'.`,
    };
  }
  if (!broker.controller.brokerIds.includes(id)) {
    return {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: `There is no broker ${id} in this cluster (brokers are ${broker.controller.brokerIds.join(', ')}).`,
    };
  }
  return id;
}

export function isResourceError(value: unknown): value is ResourceError {
  return typeof value === 'object' && value !== null && 'errorCode' in value;
}

/** Names given twice in one resource's config list (Kafka refuses the resource with INVALID_REQUEST). */
export function duplicateNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const name of names) (seen.has(name) ? twice : seen).add(name);
  return [...twice];
}

/**
 * The first config whose value is longer than max.config.value.bytes, as an INVALID_CONFIG message (the
 * value is not echoed back), or null. Checked before anything parses or stores the values.
 */
export function oversizedConfigValue(broker: Broker, configs: Readonly<Record<string, string | null>>): string | null {
  const limit = broker.config.int('max.config.value.bytes');
  for (const [name, value] of Object.entries(configs)) {
    if (value === null || value.length * 3 <= limit) continue;
    const bytes = Buffer.byteLength(value);
    if (bytes > limit)
      return `The value of ${name.length > 200 ? `${name.slice(0, 200)}...` : name} is ${bytes} bytes; a config value may have at most ${limit} (max.config.value.bytes).`;
  }
  return null;
}

/** At most a few messages of a list, so an answer stays short however many entries a request had. */
function firstMessages(messages: readonly string[], shown = 5): string {
  const head = messages.slice(0, shown).join('; ');
  return messages.length > shown ? `${head}; and ${messages.length - shown} more` : head;
}

/** What an alteration sees of a resource: its current overrides and each config's definition. */
export interface AlterableResource {
  current: Readonly<Record<string, string>>;
  def: (name: string) => { type: ConfigType; default: string | null } | undefined;
}

/**
 * Replaces the overrides of a topic or of a broker (or the cluster-wide broker default, name '') with
 * what `next` computes from the current ones, through the controller; validated with Kafka's names,
 * types and ranges (only dynamic broker configs can change at run time). Null means success.
 */
export function alterResourceConfigs(
  broker: Broker,
  resourceType: number,
  resourceName: string,
  validateOnly: boolean,
  next: (resource: AlterableResource) => Record<string, string> | ResourceError,
): ResourceError | null {
  const refusal = alterResourceConfigsOrRefuse(broker, resourceType, resourceName, validateOnly, next);
  if (refusal) refusalLog(broker.logger).warn('config change refused', { resourceType, resourceName, error: refusal.errorCode, message: refusal.errorMessage });
  return refusal;
}

function alterResourceConfigsOrRefuse(
  broker: Broker,
  resourceType: number,
  resourceName: string,
  validateOnly: boolean,
  next: (resource: AlterableResource) => Record<string, string> | ResourceError,
): ResourceError | null {
  const controller = broker.controller;
  if (resourceType === ResourceType.TOPIC) {
    const topic = controller.topic(resourceName);
    if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic '${resourceName}' does not exist.` };
    const configs = next({ current: topic.configs, def: (name) => TOPIC_CONFIGS.get(name) });
    if (isResourceError(configs)) return configs;
    const oversized = oversizedConfigValue(broker, configs);
    if (oversized) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: oversized };
    const result = controller.setTopicConfigs(resourceName, configs, validateOnly);
    return isFailure(result) ? { errorCode: ErrorCode[result.error], errorMessage: result.message } : null;
  }
  if (resourceType === ResourceType.BROKER) {
    const target = brokerTarget(broker, resourceName);
    if (isResourceError(target)) return target;
    const configs = next({ current: controller.brokerConfigs(target), def: (name) => ALL_BROKER_CONFIG_DEFS.get(name) });
    if (isResourceError(configs)) return configs;
    const oversized = oversizedConfigValue(broker, configs);
    if (oversized) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: oversized };
    const errors = validateBrokerConfigs(configs, { dynamicOnly: true, clusterDefault: target === '' });
    if (errors.length > 0) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: firstMessages(errors.map((e) => e.message)) };
    if (!validateOnly) {
      const failure = controller.setBrokerConfigs(target, configs);
      if (failure) return { errorCode: ErrorCode[failure.error], errorMessage: failure.message };
    }
    return null;
  }
  if (resourceType === ResourceType.BROKER_LOGGER) {
    return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'The embedded broker has no loggers to configure.' };
  }
  if (resourceType === ResourceType.CLIENT_METRICS) {
    const refusal = clientMetricsRefusal(broker.kafkaVersion, broker.metadataMode);
    if (refusal) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: refusal };
    const subscriptions = controller.clientMetrics;
    const configs = next({ current: subscriptions.configs(resourceName), def: (name) => CLIENT_METRICS_CONFIG_DEFS.get(name) });
    if (isResourceError(configs)) return configs;
    const oversized = oversizedConfigValue(broker, configs);
    if (oversized) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: oversized };
    return subscriptions.set(resourceName, configs, validateOnly);
  }
  if (resourceType === ResourceType.GROUP) {
    const refusal = groupConfigsRefusal(broker);
    if (refusal) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: refusal };
    const groupConfigs = controller.groupConfigs;
    const configs = next({
      current: groupConfigs.configs(resourceName),
      def: (name) => {
        const d = GROUP_CONFIG_DEFS.get(name);
        return d ? { type: d.type, default: d.default } : undefined;
      },
    });
    if (isResourceError(configs)) return configs;
    const oversized = oversizedConfigValue(broker, configs);
    if (oversized) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: oversized };
    return groupConfigs.set(resourceName, configs, validateOnly);
  }
  return {
    errorCode: ErrorCode.INVALID_REQUEST,
    errorMessage: `Unsupported resource type ${resourceType} (2 = topic, 4 = broker, 16 = client metrics, 32 = group).`,
  };
}

/**
 * A client metrics subscription's configs as Kafka 3.7+ describes them (ConfigHelper): those set, each
 * with source CLIENT_METRICS_CONFIG; a name without a subscription has none.
 */
export function describeClientMetricsConfigs(broker: Broker, name: string): DescribedConfig[] | ResourceError {
  const refusal = clientMetricsRefusal(broker.kafkaVersion, broker.metadataMode);
  if (refusal) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: refusal };
  if (name === '') return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Client metrics subscription name must not be empty' };
  return Object.entries(broker.controller.clientMetrics.configs(name)).map(([key, value]) => {
    const def = CLIENT_METRICS_CONFIG_DEFS.get(key);
    const source = ConfigSource.CLIENT_METRICS_CONFIG;
    return {
      name: key,
      value,
      source,
      readOnly: false,
      sensitive: false,
      synonyms: [],
      configType: def ? CONFIG_TYPE_CODES[def.type] : 0,
      documentation: def?.doc,
    };
  });
}

/**
 * GROUP config resources exist from Kafka 3.8 (KIP-848's dynamic group configs); a broker playing an
 * older release refuses them as that release did (an unknown resource type).
 */
export function groupConfigsRefusal(broker: Broker): string | null {
  const release = broker.kafkaVersion;
  if (release === null || KAFKA_RELEASE_IDS.indexOf(release) >= KAFKA_RELEASE_IDS.indexOf('3.8')) return null;
  return `Group config resources (type 32) need Kafka 3.8 or later; this cluster plays Kafka ${release}.`;
}

/**
 * A group's configs as Kafka 3.8+ describes them (GroupConfigManager): every group config, the group's
 * own value (source GROUP_CONFIG) or the broker's default it falls back to (source DEFAULT_CONFIG).
 * Kafka 4.1 only lists the share.* configs with share groups enabled; they are listed here always.
 */
export function describeGroupConfigs(broker: Broker, groupId: string): DescribedConfig[] | ResourceError {
  const refusal = groupConfigsRefusal(broker);
  if (refusal) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: refusal };
  if (groupId === '') return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Group name must not be empty.' };
  const set = broker.controller.groupConfigs.configs(groupId);
  return [...GROUP_CONFIG_DEFS].map(([name, def]) => {
    const own = set[name];
    const fallback = (def.brokerSynonym ? broker.config.value(def.brokerSynonym) : null) ?? def.default;
    const synonyms: ConfigSynonym[] = [];
    if (own !== undefined) synonyms.push({ name, value: own, source: ConfigSource.GROUP_CONFIG });
    synonyms.push({ name: def.brokerSynonym ?? name, value: fallback, source: ConfigSource.DEFAULT_CONFIG });
    return {
      name,
      value: own ?? fallback,
      source: own !== undefined ? ConfigSource.GROUP_CONFIG : ConfigSource.DEFAULT_CONFIG,
      readOnly: false,
      sensitive: false,
      synonyms,
      configType: def.type === 'int' ? CONFIG_TYPE_CODES.int : CONFIG_TYPE_CODES.string,
      documentation: def.doc,
    };
  });
}
