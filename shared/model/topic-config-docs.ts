// What each topic config does and its default, in short, for the topic page's config table.
// Source: Apache Kafka's documentation, "Topic-Level Configs" (https://kafka.apache.org/documentation/#topicconfigs,
// Kafka 3.9 and 4.0; ConfigDef docs in org.apache.kafka.common.config.TopicConfig), summarised in our words.
// The cluster's DescribeConfigs answer stays the truth for the current value; these defaults are
// Kafka's own, which a broker config may change (the table's Source column says where a value is from).

export interface TopicConfigDoc {
  description: string;
  /** Kafka's documented default, as DescribeConfigs would write it. */
  kafkaDefault: string;
}

const LONG_MAX = '9223372036854775807';

export const TOPIC_CONFIG_DOCS: Readonly<Record<string, TopicConfigDoc>> = {
  'cleanup.policy': {
    description: 'delete: old segments go once past retention; compact: only the latest record of each key is kept. Both may be set.',
    kafkaDefault: 'delete',
  },
  'compression.type': {
    description: "The codec the broker stores batches in; 'producer' keeps what the producer sent, 'uncompressed' stores them uncompressed.",
    kafkaDefault: 'producer',
  },
  'compression.gzip.level': {
    description: 'The gzip level when the broker compresses (compression.type gzip), 1 to 9; -1: the codec default (KIP-390).',
    kafkaDefault: '-1',
  },
  'compression.lz4.level': { description: 'The lz4 level when the broker compresses (compression.type lz4), 1 to 17 (KIP-390).', kafkaDefault: '9' },
  'compression.zstd.level': { description: 'The zstd level when the broker compresses (compression.type zstd), -131072 to 22 (KIP-390).', kafkaDefault: '3' },
  'delete.retention.ms': {
    description: 'How long tombstones (deletes) stay in a compacted topic, so slow consumers still see them.',
    kafkaDefault: '86400000',
  },
  'file.delete.delay.ms': { description: 'How long a deleted segment file lingers on disk before it is removed.', kafkaDefault: '60000' },
  'flush.messages': { description: 'Records written before the log is forced to disk (fsync); by default the OS decides.', kafkaDefault: LONG_MAX },
  'flush.ms': { description: 'Time before the log is forced to disk (fsync); by default the OS decides.', kafkaDefault: LONG_MAX },
  'follower.replication.throttled.replicas': {
    description: 'Replicas whose follower-side replication is throttled (partition:broker list, or *).',
    kafkaDefault: '',
  },
  'index.interval.bytes': { description: 'How many bytes of records go between two entries of the offset index.', kafkaDefault: '4096' },
  'leader.replication.throttled.replicas': {
    description: 'Replicas whose leader-side replication is throttled (partition:broker list, or *).',
    kafkaDefault: '',
  },
  'local.retention.bytes': {
    description: 'With tiered storage: bytes kept on local disk before segments live only in remote storage (-2: retention.bytes).',
    kafkaDefault: '-2',
  },
  'local.retention.ms': {
    description: 'With tiered storage: time segments stay on local disk before they live only in remote storage (-2: retention.ms).',
    kafkaDefault: '-2',
  },
  'max.compaction.lag.ms': { description: 'The longest a record may stay uncompacted in a compacted topic.', kafkaDefault: LONG_MAX },
  'max.message.bytes': { description: 'The largest record batch the topic accepts (after compression).', kafkaDefault: '1048588' },
  'message.downconversion.enable': {
    description: 'Whether the broker converts records to an old format for old consumers (removed in Kafka 4.0).',
    kafkaDefault: 'true',
  },
  'message.format.version': { description: 'The record format version stored (deprecated; removed in Kafka 4.0).', kafkaDefault: '3.0-IV1' },
  'message.timestamp.after.max.ms': {
    description: 'How far in the future a CreateTime timestamp may be, compared with the broker clock (Kafka 4.0: 1 hour).',
    kafkaDefault: LONG_MAX,
  },
  'message.timestamp.before.max.ms': {
    description: 'How far in the past a CreateTime timestamp may be, compared with the broker clock.',
    kafkaDefault: LONG_MAX,
  },
  'message.timestamp.difference.max.ms': {
    description: 'The largest gap allowed between a timestamp and the broker clock (deprecated for the two above).',
    kafkaDefault: LONG_MAX,
  },
  'message.timestamp.type': {
    description: "CreateTime keeps the producer's timestamp; LogAppendTime stamps records with the broker's time.",
    kafkaDefault: 'CreateTime',
  },
  'min.cleanable.dirty.ratio': { description: 'How much of a compacted log may be uncompacted before the cleaner runs (0 to 1).', kafkaDefault: '0.5' },
  'min.compaction.lag.ms': { description: 'The least time a record stays uncompacted in a compacted topic.', kafkaDefault: '0' },
  'min.insync.replicas': { description: 'In-sync replicas that must have a write for acks=all to succeed; fewer in sync refuses writes.', kafkaDefault: '1' },
  preallocate: { description: 'Whether new segment files are allocated on disk at their full size.', kafkaDefault: 'false' },
  'remote.storage.enable': { description: 'Whether the topic uses tiered (remote) storage.', kafkaDefault: 'false' },
  'remote.log.copy.disable': {
    description: 'With tiered storage: stop copying segments to remote storage; those there stay readable (KIP-950).',
    kafkaDefault: 'false',
  },
  'remote.log.delete.on.disable': {
    description: 'With tiered storage: confirms deleting the remote segments when remote storage is turned off (KIP-950).',
    kafkaDefault: 'false',
  },
  'retention.bytes': {
    description: 'Bytes a partition keeps before old segments are deleted (-1: no limit). Applies with cleanup.policy delete.',
    kafkaDefault: '-1',
  },
  'retention.ms': {
    description: 'How long records are kept before their segments are deleted (-1: forever). Applies with cleanup.policy delete.',
    kafkaDefault: '604800000',
  },
  'segment.bytes': { description: 'The size of a log segment file; retention and compaction work segment by segment.', kafkaDefault: '1073741824' },
  'segment.index.bytes': { description: 'The size of the offset index file of a segment.', kafkaDefault: '10485760' },
  'segment.jitter.ms': { description: 'A random time taken off segment.ms, so partitions do not roll all at once.', kafkaDefault: '0' },
  'segment.ms': { description: 'The time after which a segment is rolled even if not full, so retention can delete it.', kafkaDefault: '604800000' },
  'unclean.leader.election.enable': {
    description: 'Whether a replica out of sync may become leader when no in-sync one is left: available again, but records may be lost.',
    kafkaDefault: 'false',
  },
};

/** A config's documentation, or undefined for a config Kafka's topic docs do not list (a platform's own). */
export function topicConfigDoc(name: string): TopicConfigDoc | undefined {
  return Object.hasOwn(TOPIC_CONFIG_DOCS, name) ? TOPIC_CONFIG_DOCS[name] : undefined;
}
