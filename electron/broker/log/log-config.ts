/**
 * Topic-level configuration: Kafka's names, types, defaults, validators and documentation, as a table the
 * admin handlers (CreateTopics, DescribeConfigs, AlterConfigs, IncrementalAlterConfigs) validate against,
 * plus `parseLogConfig`, which turns a string map into the typed `LogConfig` a `PartitionLog` runs with.
 *
 * Values are strings on the wire and in this table (as `kafka-configs --describe --all` prints them).
 * Longs are parsed with BigInt and kept as JS numbers; Long.MAX_VALUE (9223372036854775807) becomes
 * ~9.22e18, which every comparison treats as "never".
 */

export type ConfigType = 'boolean' | 'int' | 'long' | 'double' | 'string' | 'list' | 'class' | 'password';

export type ConfigValidator =
  | { kind: 'range'; min?: number; max?: number }
  /** The value (or, for lists, every element) must be one of `values` (case-sensitive unless `ignoreCase`). */
  | { kind: 'oneOf'; values: readonly string[]; ignoreCase?: boolean; allowEmpty?: boolean }
  /** Either a fixed special value or a range, e.g. gzip level -1 or 1..9. */
  | { kind: 'specialOrRange'; special: readonly number[]; min: number; max: number }
  /** follower/leader.replication.throttled.replicas: "" | "*" | "p:b,p:b". */
  | { kind: 'throttledReplicas' };

export interface ConfigDef {
  name: string;
  type: ConfigType;
  /** Default as Kafka prints it; null for "no default" (nullable). */
  default: string | null;
  validator?: ConfigValidator;
  /** Kafka's importance: high | medium | low. */
  importance: 'high' | 'medium' | 'low';
  doc: string;
  /** Settable per topic (all entries here are; the flag is for callers that mix in broker configs). */
  topicConfig: boolean;
  /** The broker-level config that supplies the default (DescribeConfigs synonyms, source DEFAULT_BROKER_CONFIG). */
  brokerSynonym?: string;
  /** Deprecated in Kafka; still accepted. */
  deprecated?: boolean;
}

export const LONG_MAX = '9223372036854775807';
const INT_MAX = 2147483647;

const def = (d: Omit<ConfigDef, 'topicConfig'> & { topicConfig?: boolean }): ConfigDef => ({ topicConfig: true, ...d });

/** Every topic config `kafka-configs --describe --all --entity-type topics` shows (Kafka 3.9), in its order. */
export const TOPIC_CONFIG_DEFS: readonly ConfigDef[] = [
  def({
    name: 'cleanup.policy',
    type: 'list',
    default: 'delete',
    importance: 'medium',
    brokerSynonym: 'log.cleanup.policy',
    validator: { kind: 'oneOf', values: ['compact', 'delete'] },
    doc: 'This config designates the retention policy to use on log segments. The "delete" policy (which is the default) will discard old segments when their retention time or size limit has been reached. The "compact" policy will enable log compaction, which retains the latest value for each key. It is also possible to specify both policies in a comma-separated list (e.g. "delete,compact"). In this case, old segments will be discarded per the retention time and size configuration, while retained segments will be compacted.',
  }),
  def({
    name: 'compression.gzip.level',
    type: 'int',
    default: '-1',
    importance: 'medium',
    brokerSynonym: 'compression.gzip.level',
    validator: { kind: 'specialOrRange', special: [-1], min: 1, max: 9 },
    doc: 'The compression level to use if compression.type is set to gzip.',
  }),
  def({
    name: 'compression.lz4.level',
    type: 'int',
    default: '9',
    importance: 'medium',
    brokerSynonym: 'compression.lz4.level',
    validator: { kind: 'range', min: 1, max: 17 },
    doc: 'The compression level to use if compression.type is set to lz4.',
  }),
  def({
    name: 'compression.type',
    type: 'string',
    default: 'producer',
    importance: 'medium',
    brokerSynonym: 'compression.type',
    validator: { kind: 'oneOf', values: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'], ignoreCase: true },
    doc: "Specify the final compression type for a given topic. This configuration accepts the standard compression codecs ('gzip', 'snappy', 'lz4', 'zstd'). It additionally accepts 'uncompressed' which is equivalent to no compression; and 'producer' which means retain the original compression codec set by the producer.",
  }),
  def({
    name: 'compression.zstd.level',
    type: 'int',
    default: '3',
    importance: 'medium',
    brokerSynonym: 'compression.zstd.level',
    validator: { kind: 'range', min: -131072, max: 22 },
    doc: 'The compression level to use if compression.type is set to zstd.',
  }),
  def({
    name: 'delete.retention.ms',
    type: 'long',
    default: '86400000',
    importance: 'medium',
    brokerSynonym: 'log.cleaner.delete.retention.ms',
    validator: { kind: 'range', min: 0 },
    doc: 'The amount of time to retain delete tombstone markers for log compacted topics. This setting also gives a bound on the time in which a consumer must complete a read if they begin from offset 0 to ensure that they get a valid snapshot of the final stage (otherwise delete tombstones may be collected before they complete their scan).',
  }),
  def({
    name: 'file.delete.delay.ms',
    type: 'long',
    default: '60000',
    importance: 'medium',
    brokerSynonym: 'log.segment.delete.delay.ms',
    validator: { kind: 'range', min: 0 },
    doc: 'The time to wait before deleting a file from the filesystem.',
  }),
  def({
    name: 'flush.messages',
    type: 'long',
    default: LONG_MAX,
    importance: 'medium',
    brokerSynonym: 'log.flush.interval.messages',
    validator: { kind: 'range', min: 1 },
    doc: "This setting allows specifying an interval at which we will force an fsync of data written to the log. For example if this was set to 1 we would fsync after every message; if it were 5 we would fsync after every five messages. In general we recommend you not set this and use replication for durability and allow the operating system's background flush capabilities as it is more efficient.",
  }),
  def({
    name: 'flush.ms',
    type: 'long',
    default: LONG_MAX,
    importance: 'medium',
    brokerSynonym: 'log.flush.interval.ms',
    validator: { kind: 'range', min: 0 },
    doc: "This setting allows specifying a time interval at which we will force an fsync of data written to the log. For example if this was set to 1000 we would fsync after 1000 ms had passed. In general we recommend you not set this and use replication for durability and allow the operating system's background flush capabilities as it is more efficient.",
  }),
  def({
    name: 'follower.replication.throttled.replicas',
    type: 'list',
    default: '',
    importance: 'medium',
    brokerSynonym: 'follower.replication.throttled.replicas',
    validator: { kind: 'throttledReplicas' },
    doc: "A list of replicas for which log replication should be throttled on the follower side. The list should describe a set of replicas in the form [PartitionId]:[BrokerId],[PartitionId]:[BrokerId]:... or alternatively the wildcard '*' can be used to throttle all replicas for this topic.",
  }),
  def({
    name: 'index.interval.bytes',
    type: 'int',
    default: '4096',
    importance: 'medium',
    brokerSynonym: 'log.index.interval.bytes',
    validator: { kind: 'range', min: 0 },
    doc: "This setting controls how frequently Kafka adds an index entry to its offset index. The default setting ensures that we index a message roughly every 4096 bytes. More indexing allows reads to jump closer to the exact position in the log but makes the index larger. You probably don't need to change this.",
  }),
  def({
    name: 'leader.replication.throttled.replicas',
    type: 'list',
    default: '',
    importance: 'medium',
    brokerSynonym: 'leader.replication.throttled.replicas',
    validator: { kind: 'throttledReplicas' },
    doc: "A list of replicas for which log replication should be throttled on the leader side. The list should describe a set of replicas in the form [PartitionId]:[BrokerId],[PartitionId]:[BrokerId]:... or alternatively the wildcard '*' can be used to throttle all replicas for this topic.",
  }),
  def({
    name: 'local.retention.bytes',
    type: 'long',
    default: '-2',
    importance: 'medium',
    brokerSynonym: 'log.local.retention.bytes',
    validator: { kind: 'range', min: -2 },
    doc: 'The maximum size of local log segments that can grow for a partition before it deletes the old segments. Default value is -2, it represents `retention.bytes` value to be used. The effective value should always be less than or equal to `retention.bytes` value.',
  }),
  def({
    name: 'local.retention.ms',
    type: 'long',
    default: '-2',
    importance: 'medium',
    brokerSynonym: 'log.local.retention.ms',
    validator: { kind: 'range', min: -2 },
    doc: 'The number of milliseconds to keep the local log segment before it gets deleted. Default value is -2, it represents `retention.ms` value is to be used. The effective value should always be less than or equal to `retention.ms` value.',
  }),
  def({
    name: 'max.compaction.lag.ms',
    type: 'long',
    default: LONG_MAX,
    importance: 'medium',
    brokerSynonym: 'log.cleaner.max.compaction.lag.ms',
    validator: { kind: 'range', min: 1 },
    doc: 'The maximum time a message will remain ineligible for compaction in the log. Only applicable for logs that are being compacted.',
  }),
  def({
    name: 'max.message.bytes',
    type: 'int',
    default: '1048588',
    importance: 'medium',
    brokerSynonym: 'message.max.bytes',
    validator: { kind: 'range', min: 0 },
    doc: "The largest record batch size allowed by Kafka (after compression if compression is enabled). If this is increased and there are consumers older than 0.10.2, the consumers' fetch size must also be increased so that they can fetch record batches this large. In the latest message format version, records are always grouped into batches for efficiency. In previous message format versions, uncompressed records are not grouped into batches and this limit only applies to a single record in that case.",
  }),
  def({
    name: 'message.downconversion.enable',
    type: 'boolean',
    default: 'true',
    importance: 'low',
    brokerSynonym: 'log.message.downconversion.enable',
    deprecated: true,
    doc: 'This configuration controls whether down-conversion of message formats is enabled to satisfy consume requests. When set to false, broker will not perform down-conversion for consumers expecting an older message format. The broker responds with UNSUPPORTED_VERSION error for consume requests from such older clients. This configuration does not apply to any message format conversion that might be required for replication to followers.',
  }),
  def({
    name: 'message.format.version',
    type: 'string',
    default: '3.0-IV1',
    importance: 'medium',
    brokerSynonym: 'log.message.format.version',
    deprecated: true,
    doc: '[DEPRECATED] Specify the message format version the broker will use to append messages to the logs. The value of this config is always assumed to be `3.0` if `inter.broker.protocol.version` is 3.0 or higher (the actual config value is ignored).',
  }),
  def({
    name: 'message.timestamp.after.max.ms',
    type: 'long',
    default: LONG_MAX,
    importance: 'medium',
    brokerSynonym: 'log.message.timestamp.after.max.ms',
    validator: { kind: 'range', min: 0 },
    doc: "This configuration sets the allowable timestamp difference between the message timestamp and the broker's timestamp. The message timestamp can be later than or equal to the broker's timestamp, with the maximum allowable difference determined by the value set in this configuration. If message.timestamp.type=CreateTime, the message will be rejected if the difference in timestamps exceeds this specified threshold. This configuration is ignored if message.timestamp.type=LogAppendTime.",
  }),
  def({
    name: 'message.timestamp.before.max.ms',
    type: 'long',
    default: LONG_MAX,
    importance: 'medium',
    brokerSynonym: 'log.message.timestamp.before.max.ms',
    validator: { kind: 'range', min: 0 },
    doc: "This configuration sets the allowable timestamp difference between the broker's timestamp and the message timestamp. The message timestamp can be earlier than or equal to the broker's timestamp, with the maximum allowable difference determined by the value set in this configuration. If message.timestamp.type=CreateTime, the message will be rejected if the difference in timestamps exceeds this specified threshold. This configuration is ignored if message.timestamp.type=LogAppendTime.",
  }),
  def({
    name: 'message.timestamp.difference.max.ms',
    type: 'long',
    default: LONG_MAX,
    importance: 'medium',
    brokerSynonym: 'log.message.timestamp.difference.max.ms',
    validator: { kind: 'range', min: 0 },
    deprecated: true,
    doc: '[DEPRECATED] The maximum difference allowed between the timestamp when a broker receives a message and the timestamp specified in the message. If message.timestamp.type=CreateTime, a message will be rejected if the difference in timestamp exceeds this threshold. This configuration is ignored if message.timestamp.type=LogAppendTime.',
  }),
  def({
    name: 'message.timestamp.type',
    type: 'string',
    default: 'CreateTime',
    importance: 'medium',
    brokerSynonym: 'log.message.timestamp.type',
    validator: { kind: 'oneOf', values: ['CreateTime', 'LogAppendTime'] },
    doc: 'Define whether the timestamp in the message is message create time or log append time. The value should be either `CreateTime` or `LogAppendTime`.',
  }),
  def({
    name: 'min.cleanable.dirty.ratio',
    type: 'double',
    default: '0.5',
    importance: 'medium',
    brokerSynonym: 'log.cleaner.min.cleanable.ratio',
    validator: { kind: 'range', min: 0, max: 1 },
    doc: 'This configuration controls how frequently the log compactor will attempt to clean the log (assuming log compaction is enabled). By default we will avoid cleaning a log where more than 50% of the log has been compacted. This ratio bounds the maximum space wasted in the log by duplicates (at 50% at most 50% of the log could be duplicates). A higher ratio will mean fewer, more efficient cleanings but will mean more wasted space in the log.',
  }),
  def({
    name: 'min.compaction.lag.ms',
    type: 'long',
    default: '0',
    importance: 'medium',
    brokerSynonym: 'log.cleaner.min.compaction.lag.ms',
    validator: { kind: 'range', min: 0 },
    doc: 'The minimum time a message will remain uncompacted in the log. Only applicable for logs that are being compacted.',
  }),
  def({
    name: 'min.insync.replicas',
    type: 'int',
    default: '1',
    importance: 'medium',
    brokerSynonym: 'min.insync.replicas',
    validator: { kind: 'range', min: 1 },
    doc: 'When a producer sets acks to "all" (or "-1"), this configuration specifies the minimum number of replicas that must acknowledge a write for the write to be considered successful. If this minimum cannot be met, then the producer will raise an exception (either NotEnoughReplicas or NotEnoughReplicasAfterAppend).',
  }),
  def({
    name: 'preallocate',
    type: 'boolean',
    default: 'false',
    importance: 'medium',
    brokerSynonym: 'log.preallocate',
    doc: 'True if we should preallocate the file on disk when creating a new log segment.',
  }),
  def({
    name: 'remote.log.copy.disable',
    type: 'boolean',
    default: 'false',
    importance: 'medium',
    doc: 'Determines whether tiered data for a topic should become read only, and no more data uploading on a topic.',
  }),
  def({
    name: 'remote.log.delete.on.disable',
    type: 'boolean',
    default: 'false',
    importance: 'medium',
    doc: 'Determines whether tiered data for a topic should be deleted after tiered storage is disabled on a topic.',
  }),
  def({
    name: 'remote.storage.enable',
    type: 'boolean',
    default: 'false',
    importance: 'medium',
    doc: 'To enable tiered storage for a topic, set this configuration as true. You can not disable this config once it is enabled.',
  }),
  def({
    name: 'retention.bytes',
    type: 'long',
    default: '-1',
    importance: 'medium',
    brokerSynonym: 'log.retention.bytes',
    doc: 'This configuration controls the maximum size a partition (which consists of log segments) can grow to before we will discard old log segments to free up space if we are using the "delete" retention policy. By default there is no size limit only a time limit. Since this limit is enforced at the partition level, multiply it by the number of partitions to compute the topic retention in bytes.',
  }),
  def({
    name: 'retention.ms',
    type: 'long',
    default: '604800000',
    importance: 'medium',
    brokerSynonym: 'log.retention.ms',
    validator: { kind: 'range', min: -1 },
    doc: 'This configuration controls the maximum time we will retain a log before we will discard old log segments to free up space if we are using the "delete" retention policy. This represents an SLA on how soon consumers must read their data. If set to -1, no time limit is applied.',
  }),
  def({
    name: 'segment.bytes',
    type: 'int',
    default: '1073741824',
    importance: 'medium',
    brokerSynonym: 'log.segment.bytes',
    validator: { kind: 'range', min: 14 },
    doc: 'This configuration controls the segment file size for the log. Retention and cleaning is always done a file at a time so a larger segment size means fewer files but less granular control over retention.',
  }),
  def({
    name: 'segment.index.bytes',
    type: 'int',
    default: '10485760',
    importance: 'medium',
    brokerSynonym: 'log.index.size.max.bytes',
    validator: { kind: 'range', min: 4 },
    doc: 'This configuration controls the size of the index that maps offsets to file positions. We preallocate this index file and shrink it only after log rolls. You generally should not need to change this setting.',
  }),
  def({
    name: 'segment.jitter.ms',
    type: 'long',
    default: '0',
    importance: 'medium',
    brokerSynonym: 'log.roll.jitter.ms',
    validator: { kind: 'range', min: 0 },
    doc: 'The maximum random jitter subtracted from the scheduled segment roll time to avoid thundering herds of segment rolling',
  }),
  def({
    name: 'segment.ms',
    type: 'long',
    default: '604800000',
    importance: 'medium',
    brokerSynonym: 'log.roll.ms',
    validator: { kind: 'range', min: 1 },
    doc: "This configuration controls the period of time after which Kafka will force the log to roll even if the segment file isn't full to ensure that retention can delete or compact old data.",
  }),
  def({
    name: 'unclean.leader.election.enable',
    type: 'boolean',
    default: 'false',
    importance: 'medium',
    brokerSynonym: 'unclean.leader.election.enable',
    doc: 'Indicates whether to enable replicas not in the ISR set to be elected as leader as a last resort, even though doing so may result in data loss.',
  }),
];

export const TOPIC_CONFIGS: ReadonlyMap<string, ConfigDef> = new Map(TOPIC_CONFIG_DEFS.map((d) => [d.name, d]));

export function isTopicConfig(name: string): boolean {
  return TOPIC_CONFIGS.has(name);
}

export type CleanupPolicy = 'delete' | 'compact';
export type TimestampType = 'CreateTime' | 'LogAppendTime';

/** The typed configuration a PartitionLog runs with (durations in ms, sizes in bytes). */
export interface LogConfig {
  segmentBytes: number;
  segmentMs: number;
  segmentJitterMs: number;
  segmentIndexBytes: number;
  indexIntervalBytes: number;
  /** -1: unlimited. */
  retentionMs: number;
  /** -1: unlimited. */
  retentionBytes: number;
  cleanupPolicy: CleanupPolicy[];
  deleteRetentionMs: number;
  minCompactionLagMs: number;
  maxCompactionLagMs: number;
  minCleanableDirtyRatio: number;
  messageTimestampType: TimestampType;
  messageTimestampBeforeMaxMs: number;
  messageTimestampAfterMaxMs: number;
  maxMessageBytes: number;
  flushMessages: number;
  flushMs: number;
  fileDeleteDelayMs: number;
  compressionType: string;
  minInsyncReplicas: number;
  uncleanLeaderElectionEnable: boolean;
  messageDownconversionEnable: boolean;
  preallocate: boolean;
  /** Every topic config, resolved to its effective string value (for DescribeConfigs). */
  raw: Readonly<Record<string, string>>;
}

export interface ConfigError {
  key: string;
  message: string;
}

export type ParseLogConfigResult = { ok: true; config: LogConfig } | { ok: false; errors: ConfigError[] };

function parseLong(text: string): number | null {
  const t = text.trim();
  if (!/^[-+]?\d+$/.test(t)) return null;
  const big = BigInt(t);
  if (big > 9223372036854775807n || big < -9223372036854775808n) return null;
  return Number(big);
}

/** Parses and validates one value against its definition; returns the typed value or an error message. */
export function parseConfigValue(d: ConfigDef, value: string): { value: number | string | boolean | string[] } | { error: string } {
  // Not the whole of a huge value: the message goes back to the client and into the log.
  const got = `got '${value.length > 200 ? `${value.slice(0, 200)}...` : value}'`;
  const rangeText = (): string => {
    const v = d.validator;
    if (v?.kind === 'range') {
      if (v.min !== undefined && v.max !== undefined) return ` in [${v.min}, ${v.max}]`;
      if (v.min !== undefined) return ` >= ${v.min}`;
      if (v.max !== undefined) return ` <= ${v.max}`;
    }
    if (v?.kind === 'specialOrRange') return ` (${v.special.join(' or ')} or in [${v.min}, ${v.max}])`;
    return '';
  };
  const checkRange = (n: number): string | null => {
    const v = d.validator;
    if (v?.kind === 'range') {
      if ((v.min !== undefined && n < v.min) || (v.max !== undefined && n > v.max)) {
        return `${d.name} must be a${d.type === 'int' ? 'n' : ''} ${d.type}${rangeText()}, ${got}`;
      }
    }
    if (v?.kind === 'specialOrRange' && !v.special.includes(n) && (n < v.min || n > v.max)) {
      return `${d.name} must be a${d.type === 'int' ? 'n' : ''} ${d.type}${rangeText()}, ${got}`;
    }
    return null;
  };
  switch (d.type) {
    case 'int':
    case 'long': {
      const n = parseLong(value);
      if (n === null || (d.type === 'int' && (n > INT_MAX || n < -INT_MAX - 1))) {
        return { error: `${d.name} must be a${d.type === 'int' ? 'n' : ''} ${d.type}${rangeText()}, ${got}` };
      }
      const e = checkRange(n);
      return e ? { error: e } : { value: n };
    }
    case 'double': {
      const t = value.trim();
      const n = t === '' ? NaN : Number(t);
      if (!Number.isFinite(n)) return { error: `${d.name} must be a double${rangeText()}, ${got}` };
      const e = checkRange(n);
      return e ? { error: e } : { value: n };
    }
    case 'boolean': {
      const t = value.trim().toLowerCase();
      if (t !== 'true' && t !== 'false') return { error: `${d.name} must be a boolean (true or false), ${got}` };
      return { value: t === 'true' };
    }
    case 'list': {
      const items = value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      const v = d.validator;
      if (v?.kind === 'oneOf') {
        if (items.length === 0 && !v.allowEmpty) return { error: `${d.name} must be a list of ${v.values.join(', ')}, ${got}` };
        for (const item of items) {
          const ok = v.ignoreCase ? v.values.some((x) => x.toLowerCase() === item.toLowerCase()) : v.values.includes(item);
          if (!ok) return { error: `${d.name} must be a list of ${v.values.join(', ')}, got '${item}' in '${value}'` };
        }
      }
      if (v?.kind === 'throttledReplicas') {
        const t = value.trim();
        if (t !== '*' && !items.every((i) => /^\d+:\d+$/.test(i))) {
          return { error: `${d.name} must be '*' or a list of [partitionId]:[brokerId], ${got}` };
        }
      }
      return { value: items };
    }
    default: {
      const v = d.validator;
      if (v?.kind === 'oneOf') {
        const match = v.values.find((x) => (v.ignoreCase ? x.toLowerCase() === value.trim().toLowerCase() : x === value.trim()));
        if (match === undefined) return { error: `${d.name} must be one of ${v.values.join(', ')}, ${got}` };
        return { value: match };
      }
      return { value };
    }
  }
}

/**
 * Validates topic-level overrides (unknown names and bad values), without resolving defaults.
 * CreateTopics/AlterConfigs use this and answer INVALID_CONFIG (40) with the first message.
 */
export function validateTopicConfigs(map: Readonly<Record<string, string | null | undefined>>): ConfigError[] {
  const errors: ConfigError[] = [];
  for (const [key, value] of Object.entries(map)) {
    const d = TOPIC_CONFIGS.get(key);
    if (!d) {
      errors.push({ key, message: `Unknown topic config name: ${key}` });
      continue;
    }
    if (value === null || value === undefined) continue;
    const r = parseConfigValue(d, value);
    if ('error' in r) errors.push({ key, message: r.error });
  }
  return errors;
}

/** Effective string values: topic overrides over broker defaults over Kafka defaults. */
export function resolveTopicConfigs(
  overrides: Readonly<Record<string, string | null | undefined>>,
  brokerDefaults: Readonly<Record<string, string | undefined>> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of TOPIC_CONFIG_DEFS) {
    const v = overrides[d.name] ?? brokerDefaults[d.name] ?? d.default;
    if (v !== null && v !== undefined) out[d.name] = v;
  }
  return out;
}

/**
 * Builds a typed LogConfig from topic overrides (`map`) over `brokerDefaults` (both keyed by topic config
 * names, e.g. 'retention.ms') over Kafka's defaults. Unknown keys and invalid values are errors, one per key,
 * e.g. "retention.ms must be a long >= -1, got 'abc'".
 */
export function parseLogConfig(
  map: Readonly<Record<string, string | null | undefined>> = {},
  brokerDefaults: Readonly<Record<string, string | undefined>> = {},
): ParseLogConfigResult {
  const errors = validateTopicConfigs(map);
  for (const [key, value] of Object.entries(brokerDefaults)) {
    const d = TOPIC_CONFIGS.get(key);
    if (!d || value === undefined || key in map) continue;
    const r = parseConfigValue(d, value);
    if ('error' in r) errors.push({ key, message: `broker default ${r.error}` });
  }
  if (errors.length > 0) return { ok: false, errors };
  const raw = resolveTopicConfigs(map, brokerDefaults);
  const get = (name: string): number | string | boolean | string[] => {
    const d = TOPIC_CONFIGS.get(name)!;
    const r = parseConfigValue(d, raw[name] ?? d.default ?? '');
    if ('error' in r) throw new Error(r.error); // defaults are valid; reached only through a bug
    return r.value;
  };
  const num = (name: string): number => get(name) as number;
  const timestampBefore = Math.min(num('message.timestamp.before.max.ms'), num('message.timestamp.difference.max.ms'));
  const timestampAfter = Math.min(num('message.timestamp.after.max.ms'), num('message.timestamp.difference.max.ms'));
  const config: LogConfig = {
    segmentBytes: num('segment.bytes'),
    segmentMs: num('segment.ms'),
    segmentJitterMs: num('segment.jitter.ms'),
    segmentIndexBytes: num('segment.index.bytes'),
    indexIntervalBytes: num('index.interval.bytes'),
    retentionMs: num('retention.ms'),
    retentionBytes: num('retention.bytes'),
    cleanupPolicy: [...new Set(get('cleanup.policy') as string[])] as CleanupPolicy[],
    deleteRetentionMs: num('delete.retention.ms'),
    minCompactionLagMs: num('min.compaction.lag.ms'),
    maxCompactionLagMs: num('max.compaction.lag.ms'),
    minCleanableDirtyRatio: num('min.cleanable.dirty.ratio'),
    messageTimestampType: get('message.timestamp.type') as TimestampType,
    messageTimestampBeforeMaxMs: timestampBefore,
    messageTimestampAfterMaxMs: timestampAfter,
    maxMessageBytes: num('max.message.bytes'),
    flushMessages: num('flush.messages'),
    flushMs: num('flush.ms'),
    fileDeleteDelayMs: num('file.delete.delay.ms'),
    compressionType: (get('compression.type') as string).toLowerCase(),
    minInsyncReplicas: num('min.insync.replicas'),
    uncleanLeaderElectionEnable: get('unclean.leader.election.enable') as boolean,
    messageDownconversionEnable: get('message.downconversion.enable') as boolean,
    preallocate: get('preallocate') as boolean,
    raw,
  };
  return { ok: true, config };
}

/** Kafka's defaults as a LogConfig, optionally with a few typed fields replaced (tests, internal topics). */
export function defaultLogConfig(overrides: Partial<Omit<LogConfig, 'raw'>> = {}): LogConfig {
  const r = parseLogConfig();
  if (!r.ok) throw new Error('default topic configs are invalid');
  return { ...r.config, ...overrides };
}
