/**
 * Kafka's config defaults that changed between releases: a cluster playing release X (issue #16,
 * `--kafka-version X`) starts from X's defaults, so it behaves as an untuned X broker did (0.11 refuses
 * DeleteTopics, 1.x drops a group's offsets after a day, 4.0 refuses timestamps over an hour ahead).
 *
 * Read from apache/kafka at each release's tag: `object Defaults` in
 * core/src/main/scala/kafka/server/KafkaConfig.scala (and `OffsetConfig.DefaultRetentionMs`'s
 * OffsetsRetentionMinutes there), for 4.0 KIP-1030 ("Change constraints and default values for various
 * configurations"). Only the configs this broker honours are listed; the config defs in broker-config.ts
 * and log-config.ts hold the defaults of the releases after the last change listed here.
 */
import { KAFKA_RELEASE_IDS, type KafkaReleaseId } from '../../kafka/releases';

interface DefaultChange {
  /** Broker config name (a topic config's broker synonym for topic defaults). */
  name: string;
  /** The default in every release before `since`. */
  before: string;
  /** The first release with the default of the config defs (undefined: `after` applies from `since`). */
  since: KafkaReleaseId;
  /** The default from `since` on, when it differs from the config defs' (4.0 changes). */
  after?: string;
  why: string;
}

const CHANGES: readonly DefaultChange[] = [
  { name: 'delete.topic.enable', before: 'false', since: '1.0', why: 'KAFKA-5384: topic deletion on by default from 1.0' },
  { name: 'offsets.retention.minutes', before: '1440', since: '2.0', why: 'KIP-186: committed offsets kept 7 days instead of 1 from 2.0' },
  { name: 'group.max.session.timeout.ms', before: '300000', since: '2.3', why: 'KIP-345 (static membership): 30 minutes instead of 5 from 2.3' },
  { name: 'message.max.bytes', before: '1000012', since: '2.5', why: '1 MiB + record batch overhead (1048588) instead of 1000000 + overhead from 2.5' },
  { name: 'replica.lag.time.max.ms', before: '10000', since: '2.5', why: 'KIP-537: followers may lag 30 s instead of 10 s from 2.5' },
  {
    name: 'transaction.partition.verification.enable',
    before: 'false',
    since: '3.6',
    why: 'KIP-890 part 1: partition leaders verify transactional produces with the coordinator from 3.6 (no such check before)',
  },
  {
    name: 'group.coordinator.rebalance.protocols',
    before: 'classic',
    since: '4.0',
    why: 'KIP-848: the consumer rebalance protocol is on by default from 4.0 (3.7-3.9: early access, off unless configured)',
  },
  {
    name: 'group.consumer.migration.policy',
    before: 'disabled',
    since: '4.0',
    why: 'KIP-848: online migration of non-empty groups between the classic and consumer protocols on by default from 4.0 (#17295); disabled in 3.8-3.9',
  },
  {
    name: 'log.message.timestamp.after.max.ms',
    before: '9223372036854775807',
    since: '4.0',
    after: '3600000',
    why: 'KIP-1030: records more than an hour in the future refused from 4.0',
  },
];

const releaseIndex = (release: KafkaReleaseId) => KAFKA_RELEASE_IDS.indexOf(release);

/**
 * The defaults of `release` that differ from the config defs' (broker config name -> value); none when
 * the cluster plays no release.
 */
export function releaseConfigDefaults(release: KafkaReleaseId | null): Readonly<Record<string, string>> {
  const defaults: Record<string, string> = {};
  if (release === null) return defaults;
  for (const change of CHANGES) {
    if (releaseIndex(release) < releaseIndex(change.since)) defaults[change.name] = change.before;
    else if (change.after !== undefined) defaults[change.name] = change.after;
  }
  return defaults;
}
