import { parseConfigValue, TOPIC_CONFIG_DEFS, type ConfigDef, type ConfigError } from '../log/log-config';

/** Where a config value came from, numbered as DescribeConfigs reports it (ConfigSource). */
export const ConfigSource = {
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  /** A client metrics subscription's config (KIP-714). */
  CLIENT_METRICS_CONFIG: 7,
  /** A group's own config (KIP-848 group configs, GROUP resources). */
  GROUP_CONFIG: 8,
} as const;
export type ConfigSourceCode = (typeof ConfigSource)[keyof typeof ConfigSource];

export interface BrokerConfigDef extends ConfigDef {
  /** Changeable at run time through AlterConfigs (Kafka's dynamic broker configs). */
  dynamic: boolean;
  /** Kafka's "per-broker" update mode: changeable for one broker, never as the cluster-wide default. */
  perBrokerOnly?: boolean;
  /** A check of the value beyond its type: an error message, or null. */
  check?: (value: string) => string | null;
  sensitive?: boolean;
}

/** A listener as `advertised.listeners` lists it: `NAME://host:port` (an empty host is the broker's own). */
export interface ListenerEndpoint {
  name: string;
  host: string;
  port: number;
}

/** Parses a listener list (`PLAINTEXT://host:9092,...`; IPv6 hosts in brackets), or says what is wrong. */
export function parseListeners(value: string): ListenerEndpoint[] | { error: string } {
  const endpoints: ListenerEndpoint[] = [];
  for (const entry of value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')) {
    const match = /^([A-Za-z0-9_-]+):\/\/(\[[0-9A-Fa-f:.]+\]|[^:/\s[\]]*):(\d{1,5})$/.exec(entry);
    const port = match ? Number(match[3]) : NaN;
    if (!match || port < 1 || port > 65535) {
      return {
        error: `'${entry.length > 200 ? `${entry.slice(0, 200)}...` : entry}' is not a listener: use NAME://host:port with a port from 1 to 65535, e.g. PLAINTEXT://localhost:9092.`,
      };
    }
    const host = match[2]!.startsWith('[') ? match[2]!.slice(1, -1) : match[2]!;
    endpoints.push({ name: match[1]!.toUpperCase(), host, port });
  }
  return endpoints;
}

/**
 * advertised.listeners, as Kafka checks it: every listener named once, and only listeners the broker
 * has (the embedded broker has one, PLAINTEXT).
 */
function checkAdvertisedListeners(value: string): string | null {
  const parsed = parseListeners(value);
  if ('error' in parsed) return `advertised.listeners: ${parsed.error}`;
  const names = parsed.map((endpoint) => endpoint.name);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated) return `advertised.listeners names the listener ${repeated} twice.`;
  const unknown = names.find((name) => name !== 'PLAINTEXT');
  if (unknown) return `advertised.listeners names the listener ${unknown}, which this broker does not have: its only listener is PLAINTEXT.`;
  return null;
}

const INT_MAX = '2147483647';
const broker = (d: Omit<BrokerConfigDef, 'topicConfig' | 'importance'> & { importance?: ConfigDef['importance'] }): BrokerConfigDef => ({
  importance: 'medium',
  topicConfig: false,
  ...d,
});

/**
 * The broker configs the embedded broker honours or reports, with Kafka's names and defaults. The
 * log.* and other synonyms of topic configs supply the topic defaults; `topicDefaults` maps them.
 */
export const BROKER_CONFIG_DEFS: readonly BrokerConfigDef[] = [
  broker({ name: 'broker.id', type: 'int', default: '-1', dynamic: false, doc: 'The broker id for this server.' }),
  broker({ name: 'node.id', type: 'int', default: '-1', dynamic: false, doc: 'The node id for this server.' }),
  broker({ name: 'listeners', type: 'list', default: 'PLAINTEXT://127.0.0.1:9092', dynamic: false, doc: 'Listener list: the URIs the broker listens on.' }),
  // Per-broker and dynamic, as in Kafka: the address Metadata gives clients for this broker. A wrong one
  // (an address clients cannot reach) is how a cluster lists a broker the app cannot talk to.
  broker({
    name: 'advertised.listeners',
    type: 'list',
    default: null,
    dynamic: true,
    perBrokerOnly: true,
    check: checkAdvertisedListeners,
    doc: 'Listeners published to clients, if different from listeners.',
  }),
  broker({ name: 'broker.rack', type: 'string', default: null, dynamic: false, doc: 'Rack of the broker, used in rack-aware replica assignment.' }),
  broker({ name: 'log.dirs', type: 'list', default: null, dynamic: false, doc: 'The directories in which the log data is kept.' }),
  broker({
    name: 'num.partitions',
    type: 'int',
    default: '1',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The default number of log partitions per topic.',
  }),
  broker({
    name: 'default.replication.factor',
    type: 'int',
    default: '1',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The replication factor for automatically created topics, and for topics created with -1 as the replication factor.',
  }),
  broker({ name: 'auto.create.topics.enable', type: 'boolean', default: 'true', dynamic: false, doc: 'Enable auto creation of topic on the server.' }),
  broker({ name: 'delete.topic.enable', type: 'boolean', default: 'true', dynamic: false, doc: 'Enables delete topic.' }),
  broker({
    name: 'socket.request.max.bytes',
    type: 'int',
    default: '104857600',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The maximum number of bytes in a socket request.',
  }),
  // KIP-612 (Kafka 2.7); Kafka's listener-prefixed form (listener.name.<name>.max.connection.creation.rate) is not taken: one listener.
  broker({
    name: 'max.connection.creation.rate',
    type: 'int',
    default: '2147483647',
    dynamic: true,
    validator: { kind: 'range', min: 0 },
    doc: 'The maximum connection creation rate we allow in the broker at any time. New connections over it wait before the broker accepts them. (Listener-level limits are not supported by the embedded broker: it has one listener.)',
  }),
  broker({
    name: 'connections.max.idle.ms',
    type: 'long',
    default: '600000',
    dynamic: false,
    doc: 'Idle connections timeout: the server socket processor threads close the connections that idle more than this.',
  }),
  // Kafka's name, but bounded by default (Kafka's default is -1, no limit): see server/memory-budget.ts.
  broker({
    name: 'queued.max.request.bytes',
    type: 'long',
    default: '268435456',
    dynamic: false,
    validator: { kind: 'range', min: -1 },
    doc: 'The number of bytes all connections together may hold for requests being read and responses not yet written, before large requests wait and fetches return less; -1 for no limit. At least socket.request.max.bytes.',
  }),
  broker({
    name: 'telemetry.max.bytes',
    type: 'int',
    default: '1048576',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The maximum size (after compression if compression is used) of telemetry metrics pushed from a client to the broker (KIP-714).',
  }),
  // Kafka Desk's own (Kafka's brokers receive telemetry through a metrics reporter plugin).
  broker({
    name: 'telemetry.receiver.enable',
    type: 'boolean',
    default: 'false',
    dynamic: false,
    doc: 'Whether the brokers receive client telemetry (KIP-714) and advertise GetTelemetrySubscriptions and PushTelemetry, as a Kafka broker with a metrics reporter implementing ClientTelemetry in metric.reporters does (a stock broker has none). Playing a release, only 3.7+ KRaft brokers can.',
  }),
  broker({
    name: 'max.request.partition.size.limit',
    type: 'int',
    default: '2000',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The maximum number of partitions can be served in one request (DescribeTopicPartitions, KIP-966).',
  }),
  // The limits below are Kafka Desk's own: Kafka has no such setting (or a fixed one).
  broker({
    name: 'socket.request.read.timeout.ms',
    type: 'long',
    default: '30000',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'A request must arrive in full within this time of its first byte, or the connection is closed (a client trickling a frame cannot hold a connection).',
  }),
  broker({
    name: 'max.partitions.per.request',
    type: 'int',
    default: '10000',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: "The most partitions one CreateTopics or CreatePartitions request may create (POLICY_VIOLATION beyond; Kafka's controller has the same fixed limit).",
  }),
  broker({
    name: 'max.partitions.per.topic',
    type: 'int',
    default: '10000',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The most partitions a topic may have (INVALID_PARTITIONS beyond).',
  }),
  broker({
    name: 'max.partitions',
    type: 'int',
    default: '50000',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The most partitions the cluster may have (POLICY_VIOLATION beyond); internal topics are created even beyond it. Each partition replica costs this process a log directory and about 10-25 KB of memory.',
  }),
  broker({
    name: 'max.config.value.bytes',
    type: 'int',
    default: '65536',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The longest value (in UTF-8 bytes) a topic or broker config may be given by CreateTopics or AlterConfigs (INVALID_CONFIG beyond).',
  }),
  broker({
    name: 'fetch.max.bytes',
    type: 'int',
    default: '57671680',
    dynamic: false,
    validator: { kind: 'range', min: 1024 },
    doc: 'The maximum number of bytes returned for a fetch request.',
  }),
  broker({
    name: 'replica.lag.time.max.ms',
    type: 'long',
    default: '30000',
    dynamic: false,
    doc: "If a follower has not sent any fetch requests or has not consumed up to the leader's log end offset for at least this time, the leader will remove the follower from the ISR.",
  }),
  broker({
    name: 'replica.fetch.max.bytes',
    type: 'int',
    default: '1048576',
    dynamic: false,
    validator: { kind: 'range', min: 0 },
    doc: 'The number of bytes of messages to attempt to fetch for each partition.',
  }),
  // Replication quotas (KIP-73), per broker or as the cluster default, as kafka-reassign-partitions
  // --throttle sets them; they apply to the replicas the topics' *.replication.throttled.replicas list.
  broker({
    name: 'leader.replication.throttled.rate',
    type: 'long',
    default: '9223372036854775807',
    dynamic: true,
    validator: { kind: 'range', min: 0 },
    doc: 'A long representing the upper bound (bytes/sec) on outbound replication traffic for leader replicas enumerated in the property leader.replication.throttled.replicas (for each topic). This property can be only set dynamically. It is suggested that the limit be kept above 1MB/s for accurate behaviour.',
  }),
  broker({
    name: 'follower.replication.throttled.rate',
    type: 'long',
    default: '9223372036854775807',
    dynamic: true,
    validator: { kind: 'range', min: 0 },
    doc: 'A long representing the upper bound (bytes/sec) on inbound replication traffic for follower replicas enumerated in the property follower.replication.throttled.replicas (for each topic). This property can be only set dynamically. It is suggested that the limit be kept above 1MB/s for accurate behaviour.',
  }),
  broker({
    name: 'replica.fetch.wait.max.ms',
    type: 'int',
    default: '500',
    dynamic: false,
    doc: 'The maximum wait time for each fetcher request issued by follower replicas.',
  }),
  broker({
    name: 'log.retention.check.interval.ms',
    type: 'long',
    default: '300000',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The frequency in milliseconds that the log cleaner checks whether any log is eligible for deletion.',
  }),
  broker({
    name: 'log.retention.hours',
    type: 'int',
    default: '168',
    dynamic: false,
    doc: 'The number of hours to keep a log file before deleting it, tertiary to log.retention.ms.',
  }),
  broker({
    name: 'log.retention.minutes',
    type: 'int',
    default: null,
    dynamic: false,
    doc: 'The number of minutes to keep a log file before deleting it, secondary to log.retention.ms.',
  }),
  broker({
    name: 'log.roll.hours',
    type: 'int',
    default: '168',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The maximum time before a new log segment is rolled out (in hours), secondary to log.roll.ms.',
  }),
  broker({
    name: 'log.roll.jitter.hours',
    type: 'int',
    default: '0',
    dynamic: false,
    validator: { kind: 'range', min: 0 },
    doc: 'The maximum jitter to subtract from logRollTimeMillis (in hours), secondary to log.roll.jitter.ms.',
  }),
  broker({
    name: 'offsets.topic.replication.factor',
    type: 'int',
    default: '3',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The replication factor for the offsets topic (capped at the number of brokers here).',
  }),
  broker({
    name: 'offsets.topic.num.partitions',
    type: 'int',
    default: '50',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The number of partitions for the offset commit topic.',
  }),
  broker({
    name: 'offsets.retention.minutes',
    type: 'int',
    default: '10080',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'Committed offsets of a group that has been empty this long are discarded.',
  }),
  broker({
    name: 'offsets.retention.check.interval.ms',
    type: 'long',
    default: '600000',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'Frequency at which to check for stale offsets.',
  }),
  broker({
    name: 'group.initial.rebalance.delay.ms',
    type: 'int',
    default: '3000',
    dynamic: false,
    doc: 'The time the group coordinator waits for more consumers to join a new group before the first rebalance.',
  }),
  broker({
    name: 'group.min.session.timeout.ms',
    type: 'int',
    default: '6000',
    dynamic: false,
    doc: 'The minimum allowed session timeout for registered consumers.',
  }),
  broker({
    name: 'group.max.session.timeout.ms',
    type: 'int',
    default: '1800000',
    dynamic: false,
    doc: 'The maximum allowed session timeout for registered consumers.',
  }),
  broker({
    name: 'group.max.size',
    type: 'int',
    default: INT_MAX,
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The maximum number of consumers that a single consumer group can accommodate.',
  }),
  broker({
    name: 'group.coordinator.rebalance.protocols',
    type: 'list',
    default: 'classic,consumer',
    dynamic: false,
    validator: { kind: 'oneOf', values: ['classic', 'consumer'] },
    doc: 'The list of enabled rebalance protocols: classic (JoinGroup/SyncGroup) and consumer (KIP-848 ConsumerGroupHeartbeat).',
  }),
  broker({
    name: 'group.consumer.migration.policy',
    type: 'string',
    default: 'bidirectional',
    dynamic: false,
    validator: { kind: 'oneOf', values: ['bidirectional', 'upgrade', 'downgrade', 'disabled'] },
    doc: 'Online migration of non-empty groups between the classic and consumer protocols (KIP-848): bidirectional, upgrade (classic to consumer only), downgrade (consumer to classic only) or disabled.',
  }),
  broker({
    name: 'group.consumer.session.timeout.ms',
    type: 'int',
    default: '45000',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The timeout to detect client failures when using the consumer group protocol.',
  }),
  broker({
    name: 'group.consumer.heartbeat.interval.ms',
    type: 'int',
    default: '5000',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The heartbeat interval given to the members of a consumer group.',
  }),
  broker({
    name: 'group.consumer.max.size',
    type: 'int',
    default: INT_MAX,
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The maximum number of consumers that a single consumer group can accommodate.',
  }),
  broker({
    name: 'group.consumer.assignors',
    type: 'list',
    default: 'uniform,range',
    dynamic: false,
    validator: {
      kind: 'oneOf',
      values: ['uniform', 'range', 'org.apache.kafka.coordinator.group.assignor.UniformAssignor', 'org.apache.kafka.coordinator.group.assignor.RangeAssignor'],
    },
    doc: 'The server side assignors as a list of names (uniform, range) or full class names; the first one is the default.',
  }),
  broker({
    name: 'transaction.state.log.replication.factor',
    type: 'int',
    default: '3',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The replication factor for the transaction topic (capped at the number of brokers here).',
  }),
  broker({
    name: 'transaction.state.log.num.partitions',
    type: 'int',
    default: '50',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The number of partitions for the transaction topic.',
  }),
  broker({
    name: 'transaction.state.log.min.isr',
    type: 'int',
    default: '2',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The min.insync.replicas of the transaction topic (capped at its replication factor here, so one broker can run transactions).',
  }),
  broker({
    name: 'transaction.state.log.segment.bytes',
    type: 'int',
    default: '104857600',
    dynamic: false,
    validator: { kind: 'range', min: 1048576 },
    doc: 'The transaction topic segment bytes should be kept relatively small in order to facilitate faster log compaction and cache loads.',
  }),
  broker({
    name: 'transaction.max.timeout.ms',
    type: 'int',
    default: '900000',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The maximum allowed timeout for transactions. A client asking for a longer transaction.timeout.ms gets INVALID_TRANSACTION_TIMEOUT from InitProducerId.',
  }),
  broker({
    name: 'transaction.partition.verification.enable',
    type: 'boolean',
    default: 'true',
    dynamic: true,
    doc: 'Enable verification that checks that the partition has been added to the transaction before writing transactional records to the partition (KIP-890).',
  }),
  broker({
    name: 'transaction.abort.timed.out.transaction.cleanup.interval.ms',
    type: 'int',
    default: '10000',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The interval at which to roll back transactions that have timed out.',
  }),
  broker({
    name: 'transactional.id.expiration.ms',
    type: 'int',
    default: '604800000',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The time the transaction coordinator waits without receiving any transaction status updates for the current transaction before expiring its transactional id.',
  }),
  broker({
    name: 'transaction.remove.expired.transaction.cleanup.interval.ms',
    type: 'int',
    default: '3600000',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The interval at which to remove transactions that have expired due to transactional.id.expiration.ms passing.',
  }),
  // Share partitions and the share coordinator (KIP-932, electron/broker/share/).
  broker({
    name: 'group.share.session.timeout.ms',
    type: 'int',
    default: '45000',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The timeout to detect client failures when using the share group protocol (a group overrides it with share.session.timeout.ms).',
  }),
  broker({
    name: 'group.share.heartbeat.interval.ms',
    type: 'int',
    default: '5000',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The heartbeat interval given to the members of a share group (a group overrides it with share.heartbeat.interval.ms).',
  }),
  broker({
    name: 'group.share.max.size',
    type: 'int',
    default: '200',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The maximum number of members that a single share group can accommodate.',
  }),
  broker({
    name: 'group.share.delivery.count.limit',
    type: 'int',
    default: '5',
    dynamic: false,
    validator: { kind: 'range', min: 2, max: 10 },
    doc: 'The maximum number of delivery attempts for a record delivered to a share group; a record delivered that many times is archived.',
  }),
  broker({
    name: 'group.share.record.lock.duration.ms',
    type: 'int',
    default: '30000',
    dynamic: false,
    validator: { kind: 'range', min: 1000, max: 3600000 },
    doc: 'The record acquisition lock duration in milliseconds for share groups (a group overrides it with share.record.lock.duration.ms).',
  }),
  broker({
    name: 'group.share.min.record.lock.duration.ms',
    type: 'int',
    default: '15000',
    dynamic: false,
    validator: { kind: 'range', min: 1000, max: 30000 },
    doc: 'The record acquisition lock minimum duration in milliseconds for share groups.',
  }),
  broker({
    name: 'group.share.max.record.lock.duration.ms',
    type: 'int',
    default: '60000',
    dynamic: false,
    validator: { kind: 'range', min: 30000, max: 3600000 },
    doc: 'The record acquisition lock maximum duration in milliseconds for share groups.',
  }),
  broker({
    name: 'group.share.partition.max.record.locks',
    type: 'int',
    default: '2000',
    dynamic: false,
    validator: { kind: 'range', min: 100, max: 10000 },
    doc: 'Share-group record lock limit per share-partition: at most this many records are in flight.',
  }),
  broker({
    name: 'share.coordinator.state.topic.num.partitions',
    type: 'int',
    default: '50',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The number of partitions for the share-group state topic (__share_group_state).',
  }),
  broker({
    name: 'share.coordinator.state.topic.replication.factor',
    type: 'int',
    default: '3',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'Replication factor for the share-group state topic (capped at the number of brokers here).',
  }),
  broker({
    name: 'share.coordinator.state.topic.min.isr',
    type: 'int',
    default: '2',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'Overridden min.insync.replicas for the share-group state topic (capped at its replicas).',
  }),
  broker({
    name: 'share.coordinator.state.topic.segment.bytes',
    type: 'int',
    default: '104857600',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The log segment size for the share-group state topic.',
  }),
  broker({
    name: 'share.coordinator.snapshot.update.records.per.snapshot',
    type: 'int',
    default: '500',
    dynamic: false,
    validator: { kind: 'range', min: 0, max: 500 },
    doc: 'The number of ShareUpdate records the share coordinator writes for a share-partition before it writes a whole ShareSnapshot again.',
  }),
  // Security (see electron/broker/security/). The listener's protocol is the scheme of `listeners`; its
  // host and port are the cluster's (--host, --port + broker id).
  broker({
    name: 'sasl.enabled.mechanisms',
    type: 'list',
    default: 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER',
    dynamic: false,
    validator: { kind: 'oneOf', values: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'] },
    doc: "The list of SASL mechanisms enabled in the Kafka server (Kafka Desk serves PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 and OAUTHBEARER; Kafka's default is GSSAPI, which it does not).",
  }),
  broker({
    name: 'ssl.client.auth',
    type: 'string',
    default: 'none',
    dynamic: false,
    validator: { kind: 'oneOf', values: ['none', 'requested', 'required'] },
    doc: 'Whether TLS listeners ask clients for a certificate: required, requested or none. A client with a certificate is named by its subject (User:CN=...,O=...).',
  }),
  broker({
    name: 'ssl.enabled.protocols',
    type: 'list',
    default: 'TLSv1.2,TLSv1.3',
    dynamic: false,
    validator: { kind: 'oneOf', values: ['TLSv1.2', 'TLSv1.3'] },
    doc: 'The TLS versions enabled for TLS connections (TLSv1.2 and TLSv1.3).',
  }),
  // Delegation tokens (KIP-48): on only with a secret key, the same on every broker (it signs the tokens).
  broker({
    name: 'delegation.token.secret.key',
    type: 'password',
    default: null,
    dynamic: false,
    doc: 'Secret key to generate and verify delegation tokens. The same key must be configured across all the brokers. If using Kafka with KRaft, the key must also be set across all controllers. If the key is not set or set to empty string, brokers will disable the delegation token support.',
  }),
  broker({
    name: 'delegation.token.master.key',
    type: 'password',
    default: null,
    dynamic: false,
    doc: 'DEPRECATED: An alias for delegation.token.secret.key, which should be used instead of this config.',
  }),
  broker({
    name: 'delegation.token.max.lifetime.ms',
    type: 'long',
    default: '604800000',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The token has a maximum lifetime beyond which it cannot be renewed anymore. Default value 7 days.',
  }),
  broker({
    name: 'delegation.token.expiry.time.ms',
    type: 'long',
    default: '86400000',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'The token validity time in milliseconds before the token needs to be renewed. Default value 1 day.',
  }),
  broker({
    name: 'delegation.token.expiry.check.interval.ms',
    type: 'long',
    default: '3600000',
    dynamic: false,
    validator: { kind: 'range', min: 1 },
    doc: 'Scan interval to remove expired delegation tokens.',
  }),
  broker({
    name: 'connections.max.reauth.ms',
    type: 'long',
    default: '0',
    dynamic: false,
    validator: { kind: 'range', min: 0 },
    doc: 'When positive, a SASL session lasts at most this long: the client must re-authenticate on its connection (KIP-368) or is disconnected at its next request.',
  }),
  broker({
    name: 'authorizer.class.name',
    type: 'string',
    default: '',
    dynamic: false,
    doc: 'Any non-empty value (e.g. org.apache.kafka.metadata.authorizer.StandardAuthorizer) turns on the authorizer: requests are checked against the ACLs.',
  }),
  broker({
    name: 'super.users',
    type: 'string',
    default: null,
    dynamic: false,
    doc: 'Principals allowed everything by the authorizer, separated by semicolons (User:admin;User:CN=ops,O=Kafka Desk).',
  }),
  broker({
    name: 'allow.everyone.if.no.acl.found',
    type: 'boolean',
    default: 'false',
    dynamic: false,
    doc: 'With the authorizer on, whether a resource that no ACL matches is open to every principal.',
  }),
];

/** Topic configs whose broker default is set by a unit-scaled synonym, highest precedence first. */
const SCALED_SYNONYMS: Record<string, Array<[string, number]>> = {
  'retention.ms': [
    ['log.retention.ms', 1],
    ['log.retention.minutes', 60_000],
    ['log.retention.hours', 3_600_000],
  ],
  'segment.ms': [
    ['log.roll.ms', 1],
    ['log.roll.hours', 3_600_000],
  ],
  'segment.jitter.ms': [
    ['log.roll.jitter.ms', 1],
    ['log.roll.jitter.hours', 3_600_000],
  ],
};

/** Broker-level names of the topic configs (log.retention.bytes, message.max.bytes, ...), as dynamic defs. */
const TOPIC_SYNONYM_DEFS: BrokerConfigDef[] = TOPIC_CONFIG_DEFS.filter(
  (d) => d.brokerSynonym && !BROKER_CONFIG_DEFS.some((b) => b.name === d.brokerSynonym),
).map((d) => ({
  ...d,
  name: d.brokerSynonym!,
  topicConfig: false,
  dynamic: true,
  brokerSynonym: undefined,
  default: SCALED_SYNONYMS[d.name] ? null : d.default,
}));

export const ALL_BROKER_CONFIG_DEFS: ReadonlyMap<string, BrokerConfigDef> = new Map([...BROKER_CONFIG_DEFS, ...TOPIC_SYNONYM_DEFS].map((d) => [d.name, d]));

export interface ResolvedConfig {
  name: string;
  value: string | null;
  source: ConfigSourceCode;
  readOnly: boolean;
  sensitive: boolean;
}

/**
 * Validates broker config values (from the CLI, the app settings or AlterConfigs). `clusterDefault`: the
 * values are the dynamic cluster-wide default (AlterConfigs on the broker resource ""), where Kafka
 * refuses per-broker configs.
 */
export function validateBrokerConfigs(map: Readonly<Record<string, string>>, options: { dynamicOnly?: boolean; clusterDefault?: boolean } = {}): ConfigError[] {
  const errors: ConfigError[] = [];
  for (const [key, value] of Object.entries(map)) {
    const d = ALL_BROKER_CONFIG_DEFS.get(key);
    if (!d) {
      errors.push({ key, message: `Unknown broker config name: ${key}` });
      continue;
    }
    if (options.dynamicOnly && !d.dynamic) {
      errors.push({ key, message: `Cannot update ${key} at run time: it is a read-only (static) broker config.` });
      continue;
    }
    if (options.clusterDefault && d.perBrokerOnly) {
      errors.push({ key, message: `Cannot update ${key} at the cluster-wide default level: it is a per-broker config, name the broker.` });
      continue;
    }
    const parsed = parseConfigValue(d, value);
    if ('error' in parsed) errors.push({ key, message: parsed.error });
    else if (d.check) {
      const problem = d.check(value);
      if (problem) errors.push({ key, message: problem });
    }
  }
  return errors;
}

/**
 * One broker's configuration as Kafka layers it: dynamic per-broker over dynamic cluster default over
 * static (given at start) over Kafka's default. Kafka's default is the played release's where it
 * differed (`releaseDefaults`, from release-defaults.ts), else the config def's.
 */
export class BrokerConfigView {
  readonly #staticConfigs: Readonly<Record<string, string>>;
  readonly #dynamicBroker: () => Readonly<Record<string, string>>;
  readonly #dynamicDefault: () => Readonly<Record<string, string>>;
  readonly #releaseDefaults: Readonly<Record<string, string>>;
  constructor(
    staticConfigs: Readonly<Record<string, string>>,
    dynamicBroker: () => Readonly<Record<string, string>>,
    dynamicDefault: () => Readonly<Record<string, string>>,
    releaseDefaults: Readonly<Record<string, string>> = {},
  ) {
    this.#staticConfigs = staticConfigs;
    this.#dynamicBroker = dynamicBroker;
    this.#dynamicDefault = dynamicDefault;
    this.#releaseDefaults = releaseDefaults;
  }

  /** Kafka's default for `name` in the release this broker plays. */
  kafkaDefault(name: string): string | null {
    return this.#releaseDefaults[name] ?? ALL_BROKER_CONFIG_DEFS.get(name)?.default ?? null;
  }

  resolve(name: string): ResolvedConfig {
    const d = ALL_BROKER_CONFIG_DEFS.get(name);
    const readOnly = !(d?.dynamic ?? false);
    const sensitive = d?.sensitive ?? d?.type === 'password';
    const layers: Array<[Readonly<Record<string, string>>, ConfigSourceCode]> = [
      [this.#dynamicBroker(), ConfigSource.DYNAMIC_BROKER_CONFIG],
      [this.#dynamicDefault(), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
      [this.#staticConfigs, ConfigSource.STATIC_BROKER_CONFIG],
    ];
    for (const [values, source] of layers) {
      const value = values[name];
      if (value !== undefined) return { name, value, source, readOnly, sensitive };
    }
    return { name, value: this.kafkaDefault(name), source: ConfigSource.DEFAULT_CONFIG, readOnly, sensitive };
  }

  /** resolve(name).value without building the resolution (read per request on hot paths: fetch.max.bytes). */
  value(name: string): string | null {
    return this.#dynamicBroker()[name] ?? this.#dynamicDefault()[name] ?? this.#staticConfigs[name] ?? this.kafkaDefault(name);
  }

  int(name: string): number {
    const value = this.value(name);
    const parsed = value === null ? NaN : Number(value);
    if (!Number.isFinite(parsed)) throw new Error(`broker config ${name} has no numeric value`);
    return parsed;
  }

  bool(name: string): boolean {
    return this.value(name) === 'true';
  }

  /** Every known broker config, resolved (DescribeConfigs on a broker resource). */
  all(): ResolvedConfig[] {
    return [...ALL_BROKER_CONFIG_DEFS.keys()].sort().map((name) => this.resolve(name));
  }

  /**
   * The broker-level synonyms of a topic config that are set (not Kafka defaults), highest precedence
   * first, with their values converted to the topic config's unit.
   */
  topicSynonyms(topicConfig: string): ResolvedConfig[] {
    const scaled = SCALED_SYNONYMS[topicConfig];
    const def = TOPIC_CONFIG_DEFS.find((d) => d.name === topicConfig);
    const names: Array<[string, number]> = scaled ?? (def?.brokerSynonym ? [[def.brokerSynonym, 1]] : []);
    const found: ResolvedConfig[] = [];
    for (const [name, scale] of names) {
      const resolved = this.resolve(name);
      if (resolved.value === null) continue;
      const value = scale === 1 ? resolved.value : String(Number(resolved.value) * scale);
      found.push({ ...resolved, value });
    }
    return found;
  }

  /** Defaults for topic configs (keyed by topic config name) that come from this broker's configs. */
  topicDefaults(): Record<string, string> {
    const defaults: Record<string, string> = {};
    for (const d of TOPIC_CONFIG_DEFS) {
      const [first] = this.topicSynonyms(d.name);
      if (first) defaults[d.name] = first.value!;
    }
    return defaults;
  }
}
