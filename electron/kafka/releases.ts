/**
 * What each Apache Kafka release advertised in ApiVersions: the data behind "play a Kafka release"
 * (issue #16). For every release from 0.11 to 4.1, the API keys and [min, max] version ranges a broker
 * of that release lists in its ApiVersions response with default configuration.
 *
 * How the numbers were read (apache/kafka git tags; every release's tag is named in its entry):
 * - 0.11: `clients/.../common/protocol/ApiKeys.java` (the key list) and `Protocol.java` (per API, one
 *   request schema per version; `MIN_VERSIONS` is the first non-null one). `ApiVersionsResponse.java`
 *   advertises every `ApiKeys` value whose `minRequiredInterBrokerMagic` the message format allows.
 * - 1.0-2.1: `ApiKeys.java` names each API's `XRequest.schemaVersions()`; the version range is that
 *   array (`clients/.../common/requests/*Request.java`), oldest version 0. Same advertising rule.
 * - 2.2-2.7: `ApiKeys.java` mixes `XRequest.schemaVersions()` and the generated `XRequestData.SCHEMAS`,
 *   whose range is `validVersions` in `clients/src/main/resources/common/message/XRequest.json` (both
 *   were read; they agree). 2.7 adds `isEnabled`: the Raft APIs (Vote, BeginQuorumEpoch,
 *   EndQuorumEpoch, DescribeQuorum) are defined but not advertised.
 * - 2.8-3.9: `common/message/*Request.json` alone: `validVersions`, `"listeners"` (a ZooKeeper-mode
 *   broker advertises the APIs listing `zkBroker`, a KRaft broker those listing `broker`; APIs only on
 *   `controller` are never advertised by a broker) and, from 3.5, `latestVersionUnstable` (the last
 *   version is hidden unless `unstable.api.versions.enable`; an API whose only version is unstable is
 *   not advertised at all: `ApiKeys.toApiVersion`). A KRaft broker intersects forwardable APIs
 *   (`ApiKeys.java` `forwardable`) with the controller's range (`ApiVersionsResponse
 *   .intersectForwardableApis`), dropping those the controller lacks. The client-telemetry APIs
 *   (GetTelemetrySubscriptions 71, PushTelemetry 72, 3.7+) are advertised only when a telemetry metrics
 *   reporter is configured (`clientTelemetryEnabled`), so they are left out here.
 * - 4.0 and 4.1 are not in the apache/kafka snapshot this was read from (it ends 2024-10-25, trunk
 *   1eb7644, between 3.9 and 4.0). Their `validVersions` (and which last versions are unstable) come from
 *   tychedelia/kafka-protocol-rs, generated from Kafka's JSON pinned to the release commits (4.0:
 *   commit 6c78350 there, Kafka 74d93ad; 4.1: commit 5d10821, Kafka 13f7025); listeners and
 *   forwardability from the trunk snapshot; the advertised set was cross-checked with
 *   twmb/franz-go `pkg/kversion/requests.go` (b40, b41), which agrees except where noted.
 * Cross-check: for 1.0 through 3.9 the ZooKeeper tables equal franz-go's z10..z39 and the KRaft tables
 * (3.3-3.9) its b33..b39; for 0.11 they differ only in ControlledShutdown's minimum (1 here, from
 * `Protocol.java`; franz-go does not track minimums before 4.0). Patch releases were compared with their
 * x.y.0 (0.11.0.0-0.11.0.3, 1.0.0-1.0.2, ..., 3.8.0-3.8.1): none changed a version range.
 *
 * What the tables include: every API the broker lists, inter-broker ones too (LeaderAndIsr,
 * WriteTxnMarkers, ...; see INTER_BROKER_API_KEYS), since real brokers list them. Behaviour every
 * release shares: a request whose API key or version the broker does not support cannot be parsed and
 * the broker closes the connection (SocketServer); only ApiVersions is answered at v0 with
 * UNSUPPORTED_VERSION. Differences that matter for a broker are in each release's notes.
 *
 * This module is data. The embedded cluster plays a release from it (broker/handlers/release-apis.ts:
 * `npm run cluster -- --kafka-version X`), advertising the APIs of these tables that it implements.
 */
import { apiKeyName } from './protocol/api-keys';

/** [oldest, newest] version of one API. */
export type ApiVersionRange = readonly [min: number, max: number];
/** API key -> version range, as one ApiVersions response lists them. */
export type ApiVersionTable = Readonly<Record<number, ApiVersionRange>>;
/** Where a release keeps its cluster metadata, which changes the APIs its brokers list. */
export type MetadataMode = 'zookeeper' | 'kraft';

export const KAFKA_RELEASE_IDS = [
  '0.11', '1.0', '1.1', '2.0', '2.1', '2.2', '2.3', '2.4', '2.5', '2.6', '2.7', '2.8',
  '3.0', '3.1', '3.2', '3.3', '3.4', '3.5', '3.6', '3.7', '3.8', '3.9', '4.0', '4.1',
] as const;
export type KafkaReleaseId = (typeof KAFKA_RELEASE_IDS)[number];

export interface KafkaRelease {
  id: KafkaReleaseId;
  /** The apache/kafka tag the tables were read from, and the last patch release checked to be identical. */
  tag: string;
  sameThrough?: string;
  /** The files the numbers come from (paths in apache/kafka unless said otherwise). */
  sources: readonly string[];
  /** The mode a broker of this release ran in by default: ZooKeeper through 3.9, KRaft only from 4.0. */
  defaultMode: MetadataMode;
  /** A ZooKeeper-mode broker's ApiVersions (0.11-3.9). */
  zookeeper?: ApiVersionTable;
  /** A KRaft broker's ApiVersions: 3.3-3.9 (KRaft production-ready from 3.3; earlier it was a preview, not modelled) and 4.0+. */
  kraft?: ApiVersionTable;
  /** Versions advertised but answered with UNSUPPORTED_VERSION (4.0+: Produce v0-2, KAFKA-18659). */
  refused?: ApiVersionTable;
  /** Behaviour that differs from the releases around it and matters for a broker or for the app. */
  notes: readonly string[];
}

const PROTOCOL_JAVA = [
  'clients/src/main/java/org/apache/kafka/common/protocol/ApiKeys.java',
  'clients/src/main/java/org/apache/kafka/common/protocol/Protocol.java',
  'clients/src/main/java/org/apache/kafka/common/requests/ApiVersionsResponse.java',
];
const REQUEST_SCHEMAS_JAVA = [
  'clients/src/main/java/org/apache/kafka/common/protocol/ApiKeys.java',
  'clients/src/main/java/org/apache/kafka/common/requests/*Request.java (schemaVersions())',
  'clients/src/main/java/org/apache/kafka/common/requests/ApiVersionsResponse.java',
];
const MIXED_JAVA_JSON = [
  'clients/src/main/java/org/apache/kafka/common/protocol/ApiKeys.java',
  'clients/src/main/java/org/apache/kafka/common/requests/*Request.java (schemaVersions())',
  'clients/src/main/resources/common/message/*Request.json (validVersions)',
  'clients/src/main/java/org/apache/kafka/common/requests/ApiVersionsResponse.java',
];
const MESSAGE_JSON = [
  'clients/src/main/resources/common/message/*Request.json (validVersions, listeners)',
  'clients/src/main/java/org/apache/kafka/common/protocol/ApiKeys.java (forwardable)',
  'clients/src/main/java/org/apache/kafka/common/requests/ApiVersionsResponse.java (filterApis, intersectForwardableApis)',
];
const MESSAGE_JSON_UNSTABLE = [
  'clients/src/main/resources/common/message/*Request.json (validVersions, listeners, latestVersionUnstable)',
  'clients/src/main/java/org/apache/kafka/common/protocol/ApiKeys.java (forwardable, toApiVersion)',
  'clients/src/main/java/org/apache/kafka/common/requests/ApiVersionsResponse.java (filterApis, intersectForwardableApis)',
];

export const KAFKA_RELEASES: Readonly<Record<KafkaReleaseId, KafkaRelease>> = {
  '0.11': {
    id: '0.11',
    tag: '0.11.0.0',
    sameThrough: '0.11.0.3',
    sources: PROTOCOL_JAVA,
    defaultMode: 'zookeeper',
    zookeeper: {
      0: [0, 3], 1: [0, 5], 2: [0, 2], 3: [0, 4], 4: [0, 0], 5: [0, 0], 6: [0, 3], 7: [1, 1],
      8: [0, 3], 9: [0, 3], 10: [0, 1], 11: [0, 2], 12: [0, 1], 13: [0, 1], 14: [0, 1], 15: [0, 1],
      16: [0, 1], 17: [0, 0], 18: [0, 1], 19: [0, 2], 20: [0, 1], 21: [0, 0], 22: [0, 0], 23: [0, 0],
      24: [0, 0], 25: [0, 0], 26: [0, 0], 27: [0, 0], 28: [0, 0], 29: [0, 0], 30: [0, 0], 31: [0, 0],
      32: [0, 0], 33: [0, 0],
    },
    notes: [
      'Record batch v2 (magic 2: headers, idempotent and transactional producers, KIP-98) arrives with Produce v3 and Fetch v4; older fetchers get message sets down-converted.',
      'JoinGroup v0-2 only: the coordinator assigns a member id on the first JoinGroup (MEMBER_ID_REQUIRED is 2.2, KIP-394); no static membership (2.3).',
      'No SaslAuthenticate (1.0, KIP-152): after SaslHandshake v0 the SASL tokens travel as bare size-prefixed frames, not as Kafka requests.',
      'No CreatePartitions or DescribeLogDirs (1.0), no DeleteGroups (1.1), no IncrementalAlterConfigs (2.3), no OffsetDelete (2.4), no DescribeCluster (2.8).',
      'offsets.retention.minutes defaults to 1440 (one day) until 2.0 (KIP-186), counted from each commit (from 2.1 it counts from the group becoming empty, KIP-211).',
      'ControlledShutdown v0 is not advertised (minimum 1).',
      'With inter.broker.protocol.version or log.message.format.version below 0.11, the transaction APIs (24-28) are left out of ApiVersions (minRequiredInterBrokerMagic); the table assumes the default.',
      'An ApiVersions request of a version the broker lacks gets a v0 response with UNSUPPORTED_VERSION and an empty list (until 2.4, KIP-511).',
    ],
  },
  '1.0': {
    id: '1.0',
    tag: '1.0.0',
    sameThrough: '1.0.2',
    sources: REQUEST_SCHEMAS_JAVA,
    defaultMode: 'zookeeper',
    zookeeper: {
      0: [0, 5], 1: [0, 6], 2: [0, 2], 3: [0, 5], 4: [0, 1], 5: [0, 0], 6: [0, 4], 7: [0, 1],
      8: [0, 3], 9: [0, 3], 10: [0, 1], 11: [0, 2], 12: [0, 1], 13: [0, 1], 14: [0, 1], 15: [0, 1],
      16: [0, 1], 17: [0, 1], 18: [0, 1], 19: [0, 2], 20: [0, 1], 21: [0, 0], 22: [0, 0], 23: [0, 0],
      24: [0, 0], 25: [0, 0], 26: [0, 0], 27: [0, 0], 28: [0, 0], 29: [0, 0], 30: [0, 0], 31: [0, 0],
      32: [0, 0], 33: [0, 0], 34: [0, 0], 35: [0, 0], 36: [0, 0], 37: [0, 0],
    },
    notes: [
      'SaslHandshake v1 + SaslAuthenticate v0 (KIP-152): SASL tokens are wrapped in Kafka requests when the client uses SaslHandshake v1.',
      'CreatePartitions (KIP-195); DescribeLogDirs and AlterReplicaLogDirs (KIP-113, JBOD).',
      'Produce v4-5, Fetch v6, Metadata v5 (KIP-112): KAFKA_STORAGE_ERROR, offline replicas in Metadata, log start offset in Produce responses.',
    ],
  },
  '1.1': {
    id: '1.1',
    tag: '1.1.0',
    sameThrough: '1.1.1',
    sources: REQUEST_SCHEMAS_JAVA,
    defaultMode: 'zookeeper',
    zookeeper: {
      0: [0, 5], 1: [0, 7], 2: [0, 2], 3: [0, 5], 4: [0, 1], 5: [0, 0], 6: [0, 4], 7: [0, 1],
      8: [0, 3], 9: [0, 3], 10: [0, 1], 11: [0, 2], 12: [0, 1], 13: [0, 1], 14: [0, 1], 15: [0, 1],
      16: [0, 1], 17: [0, 1], 18: [0, 1], 19: [0, 2], 20: [0, 1], 21: [0, 0], 22: [0, 0], 23: [0, 0],
      24: [0, 0], 25: [0, 0], 26: [0, 0], 27: [0, 0], 28: [0, 0], 29: [0, 0], 30: [0, 0], 31: [0, 0],
      32: [0, 1], 33: [0, 0], 34: [0, 0], 35: [0, 0], 36: [0, 0], 37: [0, 0], 38: [0, 0], 39: [0, 0],
      40: [0, 0], 41: [0, 0], 42: [0, 0],
    },
    notes: [
      'DeleteGroups (KIP-229); delegation tokens, keys 38-41 (KIP-48).',
      'Fetch v7: incremental fetch sessions (KIP-227: session id and epoch, FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH).',
      'DescribeConfigs v1 returns config synonyms (KIP-226).',
    ],
  },
  '2.0': {
    id: '2.0',
    tag: '2.0.0',
    sameThrough: '2.0.1',
    sources: REQUEST_SCHEMAS_JAVA,
    defaultMode: 'zookeeper',
    zookeeper: {
      0: [0, 6], 1: [0, 8], 2: [0, 3], 3: [0, 6], 4: [0, 1], 5: [0, 0], 6: [0, 4], 7: [0, 1],
      8: [0, 4], 9: [0, 4], 10: [0, 2], 11: [0, 3], 12: [0, 2], 13: [0, 2], 14: [0, 2], 15: [0, 2],
      16: [0, 2], 17: [0, 1], 18: [0, 2], 19: [0, 3], 20: [0, 2], 21: [0, 1], 22: [0, 1], 23: [0, 1],
      24: [0, 1], 25: [0, 1], 26: [0, 1], 27: [0, 0], 28: [0, 1], 29: [0, 1], 30: [0, 1], 31: [0, 1],
      32: [0, 2], 33: [0, 1], 34: [0, 1], 35: [0, 1], 36: [0, 0], 37: [0, 1], 38: [0, 1], 39: [0, 1],
      40: [0, 1], 41: [0, 1], 42: [0, 1],
    },
    notes: [
      'Most APIs bump one version for KIP-219: from these versions the broker answers at once with throttle_time_ms and the client waits; older versions get a delayed response.',
      'offsets.retention.minutes default becomes 10080 (7 days, KIP-186).',
      'Prefixed ACLs (KIP-290): DescribeAcls/CreateAcls/DeleteAcls v1.',
      'OffsetForLeaderEpoch v1 returns the leader epoch with the end offset (KIP-279).',
    ],
  },
  '2.1': {
    id: '2.1',
    tag: '2.1.0',
    sameThrough: '2.1.1',
    sources: REQUEST_SCHEMAS_JAVA,
    defaultMode: 'zookeeper',
    zookeeper: {
      0: [0, 7], 1: [0, 10], 2: [0, 4], 3: [0, 7], 4: [0, 1], 5: [0, 0], 6: [0, 4], 7: [0, 1],
      8: [0, 6], 9: [0, 5], 10: [0, 2], 11: [0, 3], 12: [0, 2], 13: [0, 2], 14: [0, 2], 15: [0, 2],
      16: [0, 2], 17: [0, 1], 18: [0, 2], 19: [0, 3], 20: [0, 3], 21: [0, 1], 22: [0, 1], 23: [0, 2],
      24: [0, 1], 25: [0, 1], 26: [0, 1], 27: [0, 0], 28: [0, 2], 29: [0, 1], 30: [0, 1], 31: [0, 1],
      32: [0, 2], 33: [0, 1], 34: [0, 1], 35: [0, 1], 36: [0, 0], 37: [0, 1], 38: [0, 1], 39: [0, 1],
      40: [0, 1], 41: [0, 1], 42: [0, 1],
    },
    notes: [
      'zstd (KIP-110): Produce v7 and Fetch v10. A zstd batch in an older Produce is refused (UNSUPPORTED_COMPRESSION_TYPE) and zstd data is not served to older Fetch versions.',
      'OffsetCommit v5 drops the retention time (KIP-211): offsets expire offsets.retention.minutes after the group becomes empty.',
      'Leader epochs in Fetch v9, ListOffsets v4, Metadata v7, OffsetCommit v6, OffsetFetch v5, OffsetForLeaderEpoch v2 (KIP-320: FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH).',
      'DeleteTopics v3 (KIP-322): TOPIC_DELETION_DISABLED when delete.topic.enable=false.',
    ],
  },
  '2.2': {
    id: '2.2',
    tag: '2.2.0',
    sameThrough: '2.2.2',
    sources: MIXED_JAVA_JSON,
    defaultMode: 'zookeeper',
    zookeeper: {
      0: [0, 7], 1: [0, 10], 2: [0, 5], 3: [0, 7], 4: [0, 2], 5: [0, 1], 6: [0, 5], 7: [0, 2],
      8: [0, 6], 9: [0, 5], 10: [0, 2], 11: [0, 4], 12: [0, 2], 13: [0, 2], 14: [0, 2], 15: [0, 2],
      16: [0, 2], 17: [0, 1], 18: [0, 2], 19: [0, 3], 20: [0, 3], 21: [0, 1], 22: [0, 1], 23: [0, 2],
      24: [0, 1], 25: [0, 1], 26: [0, 1], 27: [0, 0], 28: [0, 2], 29: [0, 1], 30: [0, 1], 31: [0, 1],
      32: [0, 2], 33: [0, 1], 34: [0, 1], 35: [0, 1], 36: [0, 1], 37: [0, 1], 38: [0, 1], 39: [0, 1],
      40: [0, 1], 41: [0, 1], 42: [0, 1], 43: [0, 0],
    },
    notes: [
      'KIP-394: a JoinGroup v4+ with an empty member id gets MEMBER_ID_REQUIRED and the id to join again with; v0-3 keep the old rule (the id is assigned in the first response).',
      'ElectPreferredLeaders, key 43 v0 (KIP-183).',
      'ListOffsets v5 (KIP-207), SaslAuthenticate v1 with session lifetime (KIP-368).',
    ],
  },
  '2.3': {
    id: '2.3',
    tag: '2.3.0',
    sameThrough: '2.3.1',
    sources: MIXED_JAVA_JSON,
    defaultMode: 'zookeeper',
    zookeeper: {
      0: [0, 7], 1: [0, 11], 2: [0, 5], 3: [0, 8], 4: [0, 2], 5: [0, 1], 6: [0, 5], 7: [0, 2],
      8: [0, 7], 9: [0, 5], 10: [0, 2], 11: [0, 5], 12: [0, 3], 13: [0, 2], 14: [0, 3], 15: [0, 3],
      16: [0, 2], 17: [0, 1], 18: [0, 2], 19: [0, 3], 20: [0, 3], 21: [0, 1], 22: [0, 1], 23: [0, 3],
      24: [0, 1], 25: [0, 1], 26: [0, 1], 27: [0, 0], 28: [0, 2], 29: [0, 1], 30: [0, 1], 31: [0, 1],
      32: [0, 2], 33: [0, 1], 34: [0, 1], 35: [0, 1], 36: [0, 1], 37: [0, 1], 38: [0, 1], 39: [0, 1],
      40: [0, 1], 41: [0, 1], 42: [0, 1], 43: [0, 0], 44: [0, 0],
    },
    notes: [
      'IncrementalAlterConfigs (KIP-339); before 2.3 only AlterConfigs, which replaces a resource\'s whole config.',
      'Static membership (KIP-345): group.instance.id in JoinGroup v5, SyncGroup v3, Heartbeat v3, OffsetCommit v7; group.max.session.timeout.ms default rises from 300000 to 1800000.',
      'Authorized operations in Metadata v8 and DescribeGroups v3 (KIP-430); rack id in Fetch v11 for fetching from followers (KIP-392).',
    ],
  },
  '2.4': {
    id: '2.4',
    tag: '2.4.0',
    sameThrough: '2.4.1',
    sources: MIXED_JAVA_JSON,
    defaultMode: 'zookeeper',
    zookeeper: {
      0: [0, 8], 1: [0, 11], 2: [0, 5], 3: [0, 9], 4: [0, 4], 5: [0, 2], 6: [0, 6], 7: [0, 3],
      8: [0, 8], 9: [0, 6], 10: [0, 3], 11: [0, 6], 12: [0, 4], 13: [0, 4], 14: [0, 4], 15: [0, 5],
      16: [0, 3], 17: [0, 1], 18: [0, 3], 19: [0, 5], 20: [0, 4], 21: [0, 1], 22: [0, 2], 23: [0, 3],
      24: [0, 1], 25: [0, 1], 26: [0, 1], 27: [0, 0], 28: [0, 2], 29: [0, 1], 30: [0, 1], 31: [0, 1],
      32: [0, 2], 33: [0, 1], 34: [0, 1], 35: [0, 1], 36: [0, 1], 37: [0, 1], 38: [0, 2], 39: [0, 1],
      40: [0, 1], 41: [0, 1], 42: [0, 2], 43: [0, 2], 44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0],
    },
    notes: [
      'First flexible versions (KIP-482: compact strings and arrays, tagged fields, request header v2): ApiVersions v3, Metadata v9, the group APIs, CreateTopics v5 and more. ApiVersions responses keep response header v0.',
      'ApiVersions v3 carries the client software name and version (KIP-511); UNSUPPORTED_VERSION for ApiVersions now lists ApiVersions\' own range so the client can retry.',
      'OffsetDelete (KIP-496); AlterPartitionReassignments / ListPartitionReassignments (KIP-455); ElectLeaders v1-2 with the election type (KIP-460).',
      'LeaveGroup v3 removes several members at once (KIP-345); CreateTopics v4 takes the broker default partitions and replication factor (KIP-464); Produce v8 reports per-record errors (KIP-467).',
    ],
  },
  '2.5': {
    id: '2.5',
    tag: '2.5.0',
    sameThrough: '2.5.1',
    sources: MIXED_JAVA_JSON,
    defaultMode: 'zookeeper',
    zookeeper: {
      0: [0, 8], 1: [0, 11], 2: [0, 5], 3: [0, 9], 4: [0, 4], 5: [0, 2], 6: [0, 6], 7: [0, 3],
      8: [0, 8], 9: [0, 7], 10: [0, 3], 11: [0, 7], 12: [0, 4], 13: [0, 4], 14: [0, 5], 15: [0, 5],
      16: [0, 3], 17: [0, 1], 18: [0, 3], 19: [0, 5], 20: [0, 4], 21: [0, 1], 22: [0, 3], 23: [0, 3],
      24: [0, 1], 25: [0, 1], 26: [0, 1], 27: [0, 0], 28: [0, 3], 29: [0, 2], 30: [0, 2], 31: [0, 2],
      32: [0, 2], 33: [0, 1], 34: [0, 1], 35: [0, 1], 36: [0, 2], 37: [0, 2], 38: [0, 2], 39: [0, 2],
      40: [0, 2], 41: [0, 2], 42: [0, 2], 43: [0, 2], 44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0],
    },
    notes: [
      'Exactly-once for consumer groups (KIP-447): OffsetFetch v7 require_stable, TxnOffsetCommit v3 with the group generation and member.',
      'InitProducerId v3 bumps the epoch of an existing producer (KIP-360); JoinGroup v7 / SyncGroup v5 carry the protocol type and name (KIP-559).',
    ],
  },
  '2.6': {
    id: '2.6',
    tag: '2.6.0',
    sameThrough: '2.6.3',
    sources: MIXED_JAVA_JSON,
    defaultMode: 'zookeeper',
    zookeeper: {
      0: [0, 8], 1: [0, 11], 2: [0, 5], 3: [0, 9], 4: [0, 4], 5: [0, 3], 6: [0, 6], 7: [0, 3],
      8: [0, 8], 9: [0, 7], 10: [0, 3], 11: [0, 7], 12: [0, 4], 13: [0, 4], 14: [0, 5], 15: [0, 5],
      16: [0, 4], 17: [0, 1], 18: [0, 3], 19: [0, 5], 20: [0, 4], 21: [0, 2], 22: [0, 3], 23: [0, 3],
      24: [0, 1], 25: [0, 1], 26: [0, 1], 27: [0, 0], 28: [0, 3], 29: [0, 2], 30: [0, 2], 31: [0, 2],
      32: [0, 3], 33: [0, 1], 34: [0, 1], 35: [0, 2], 36: [0, 2], 37: [0, 2], 38: [0, 2], 39: [0, 2],
      40: [0, 2], 41: [0, 2], 42: [0, 2], 43: [0, 2], 44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0],
      48: [0, 0], 49: [0, 0],
    },
    notes: [
      'DescribeClientQuotas / AlterClientQuotas (KIP-546).',
      'ListGroups v4 filters by state (KIP-518); DescribeConfigs v3 returns documentation and types (KIP-569).',
    ],
  },
  '2.7': {
    id: '2.7',
    tag: '2.7.0',
    sameThrough: '2.7.2',
    sources: MIXED_JAVA_JSON,
    defaultMode: 'zookeeper',
    zookeeper: {
      0: [0, 8], 1: [0, 12], 2: [0, 5], 3: [0, 9], 4: [0, 4], 5: [0, 3], 6: [0, 6], 7: [0, 3],
      8: [0, 8], 9: [0, 7], 10: [0, 3], 11: [0, 7], 12: [0, 4], 13: [0, 4], 14: [0, 5], 15: [0, 5],
      16: [0, 4], 17: [0, 1], 18: [0, 3], 19: [0, 6], 20: [0, 5], 21: [0, 2], 22: [0, 4], 23: [0, 3],
      24: [0, 2], 25: [0, 2], 26: [0, 2], 27: [0, 0], 28: [0, 3], 29: [0, 2], 30: [0, 2], 31: [0, 2],
      32: [0, 3], 33: [0, 1], 34: [0, 1], 35: [0, 2], 36: [0, 2], 37: [0, 3], 38: [0, 2], 39: [0, 2],
      40: [0, 2], 41: [0, 2], 42: [0, 2], 43: [0, 2], 44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0],
      48: [0, 0], 49: [0, 0], 50: [0, 0], 51: [0, 0], 56: [0, 0], 57: [0, 0],
    },
    notes: [
      'DescribeUserScramCredentials / AlterUserScramCredentials (KIP-554).',
      'Controller mutation quota (KIP-599): CreateTopics v6, DeleteTopics v5, CreatePartitions v3 may answer THROTTLING_QUOTA_EXCEEDED.',
      'PRODUCER_FENCED for InitProducerId v4, AddPartitionsToTxn v2, AddOffsetsToTxn v2, EndTxn v2 (KIP-588); Fetch v12 becomes flexible (KIP-595).',
      'AlterIsr (56, KIP-497) and UpdateFeatures (57, KIP-584) appear; the Raft APIs 52-55 are defined but disabled.',
    ],
  },
  '2.8': {
    id: '2.8',
    tag: '2.8.0',
    sameThrough: '2.8.2',
    sources: MESSAGE_JSON,
    defaultMode: 'zookeeper',
    zookeeper: {
      0: [0, 9], 1: [0, 12], 2: [0, 6], 3: [0, 11], 4: [0, 5], 5: [0, 3], 6: [0, 7], 7: [0, 3],
      8: [0, 8], 9: [0, 7], 10: [0, 3], 11: [0, 7], 12: [0, 4], 13: [0, 4], 14: [0, 5], 15: [0, 5],
      16: [0, 4], 17: [0, 1], 18: [0, 3], 19: [0, 7], 20: [0, 6], 21: [0, 2], 22: [0, 4], 23: [0, 4],
      24: [0, 3], 25: [0, 3], 26: [0, 3], 27: [0, 1], 28: [0, 3], 29: [0, 2], 30: [0, 2], 31: [0, 2],
      32: [0, 4], 33: [0, 2], 34: [0, 2], 35: [0, 2], 36: [0, 2], 37: [0, 3], 38: [0, 2], 39: [0, 2],
      40: [0, 2], 41: [0, 2], 42: [0, 2], 43: [0, 2], 44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0],
      48: [0, 1], 49: [0, 1], 50: [0, 0], 51: [0, 0], 56: [0, 0], 57: [0, 0], 60: [0, 0], 61: [0, 0],
    },
    notes: [
      'DescribeCluster (KIP-700); before 2.8 the Admin client describes the cluster with Metadata. Metadata v11 drops the cluster authorized operations (now in DescribeCluster).',
      'Topic ids (KIP-516): Metadata v10, CreateTopics v7, DeleteTopics v6 (delete by id).',
      'DescribeProducers (KIP-664); Produce v9, ListOffsets v6, OffsetForLeaderEpoch v4 and the transaction APIs become flexible.',
      'KRaft is an early-access preview here; only ZooKeeper mode is tabled.',
    ],
  },
  '3.0': {
    id: '3.0',
    tag: '3.0.0',
    sameThrough: '3.0.2',
    sources: MESSAGE_JSON,
    defaultMode: 'zookeeper',
    zookeeper: {
      0: [0, 9], 1: [0, 12], 2: [0, 7], 3: [0, 11], 4: [0, 5], 5: [0, 3], 6: [0, 7], 7: [0, 3],
      8: [0, 8], 9: [0, 8], 10: [0, 4], 11: [0, 7], 12: [0, 4], 13: [0, 4], 14: [0, 5], 15: [0, 5],
      16: [0, 4], 17: [0, 1], 18: [0, 3], 19: [0, 7], 20: [0, 6], 21: [0, 2], 22: [0, 4], 23: [0, 4],
      24: [0, 3], 25: [0, 3], 26: [0, 3], 27: [0, 1], 28: [0, 3], 29: [0, 2], 30: [0, 2], 31: [0, 2],
      32: [0, 4], 33: [0, 2], 34: [0, 2], 35: [0, 2], 36: [0, 2], 37: [0, 3], 38: [0, 2], 39: [0, 2],
      40: [0, 2], 41: [0, 2], 42: [0, 2], 43: [0, 2], 44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0],
      48: [0, 1], 49: [0, 1], 50: [0, 0], 51: [0, 0], 56: [0, 0], 57: [0, 0], 60: [0, 0], 61: [0, 0],
      65: [0, 0], 66: [0, 0], 67: [0, 0],
    },
    notes: [
      'DescribeTransactions / ListTransactions (KIP-664); AllocateProducerIds (67, inter-broker, KIP-730).',
      'FindCoordinator v4 looks up several keys at once (KIP-699); OffsetFetch v8 several groups at once (KIP-709); ListOffsets v7 MAX_TIMESTAMP (KIP-734).',
      'Message formats v0 and v1 are deprecated (KIP-724) but still written and read.',
    ],
  },
  '3.1': {
    id: '3.1',
    tag: '3.1.0',
    sameThrough: '3.1.2',
    sources: MESSAGE_JSON,
    defaultMode: 'zookeeper',
    zookeeper: {
      0: [0, 9], 1: [0, 13], 2: [0, 7], 3: [0, 12], 4: [0, 5], 5: [0, 3], 6: [0, 7], 7: [0, 3],
      8: [0, 8], 9: [0, 8], 10: [0, 4], 11: [0, 7], 12: [0, 4], 13: [0, 4], 14: [0, 5], 15: [0, 5],
      16: [0, 4], 17: [0, 1], 18: [0, 3], 19: [0, 7], 20: [0, 6], 21: [0, 2], 22: [0, 4], 23: [0, 4],
      24: [0, 3], 25: [0, 3], 26: [0, 3], 27: [0, 1], 28: [0, 3], 29: [0, 2], 30: [0, 2], 31: [0, 2],
      32: [0, 4], 33: [0, 2], 34: [0, 2], 35: [0, 2], 36: [0, 2], 37: [0, 3], 38: [0, 2], 39: [0, 2],
      40: [0, 2], 41: [0, 2], 42: [0, 2], 43: [0, 2], 44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0],
      48: [0, 1], 49: [0, 1], 50: [0, 0], 51: [0, 0], 56: [0, 0], 57: [0, 0], 60: [0, 0], 61: [0, 0],
      65: [0, 0], 66: [0, 0], 67: [0, 0],
    },
    notes: ['Fetch v13 names topics by id (KIP-516: UNKNOWN_TOPIC_ID, INCONSISTENT_TOPIC_ID); Metadata v12 accepts topic ids.'],
  },
  '3.2': {
    id: '3.2',
    tag: '3.2.0',
    sameThrough: '3.2.3',
    sources: MESSAGE_JSON,
    defaultMode: 'zookeeper',
    zookeeper: {
      0: [0, 9], 1: [0, 13], 2: [0, 7], 3: [0, 12], 4: [0, 6], 5: [0, 3], 6: [0, 7], 7: [0, 3],
      8: [0, 8], 9: [0, 8], 10: [0, 4], 11: [0, 9], 12: [0, 4], 13: [0, 5], 14: [0, 5], 15: [0, 5],
      16: [0, 4], 17: [0, 1], 18: [0, 3], 19: [0, 7], 20: [0, 6], 21: [0, 2], 22: [0, 4], 23: [0, 4],
      24: [0, 3], 25: [0, 3], 26: [0, 3], 27: [0, 1], 28: [0, 3], 29: [0, 2], 30: [0, 2], 31: [0, 2],
      32: [0, 4], 33: [0, 2], 34: [0, 2], 35: [0, 3], 36: [0, 2], 37: [0, 3], 38: [0, 2], 39: [0, 2],
      40: [0, 2], 41: [0, 2], 42: [0, 2], 43: [0, 2], 44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0],
      48: [0, 1], 49: [0, 1], 50: [0, 0], 51: [0, 0], 56: [0, 1], 57: [0, 0], 60: [0, 0], 61: [0, 0],
      65: [0, 0], 66: [0, 0], 67: [0, 0],
    },
    notes: [
      'JoinGroup v8 / LeaveGroup v5 carry a reason (KIP-800); JoinGroup v9 lets the leader skip the assignment (KIP-814).',
      'DescribeLogDirs v3 returns a top-level error (KIP-784); AlterIsr becomes AlterPartition v1 (KIP-704).',
    ],
  },
  '3.3': {
    id: '3.3',
    tag: '3.3.1',
    sameThrough: '3.3.2',
    sources: MESSAGE_JSON,
    defaultMode: 'zookeeper',
    zookeeper: {
      0: [0, 9], 1: [0, 13], 2: [0, 7], 3: [0, 12], 4: [0, 6], 5: [0, 3], 6: [0, 7], 7: [0, 3],
      8: [0, 8], 9: [0, 8], 10: [0, 4], 11: [0, 9], 12: [0, 4], 13: [0, 5], 14: [0, 5], 15: [0, 5],
      16: [0, 4], 17: [0, 1], 18: [0, 3], 19: [0, 7], 20: [0, 6], 21: [0, 2], 22: [0, 4], 23: [0, 4],
      24: [0, 3], 25: [0, 3], 26: [0, 3], 27: [0, 1], 28: [0, 3], 29: [0, 3], 30: [0, 3], 31: [0, 3],
      32: [0, 4], 33: [0, 2], 34: [0, 2], 35: [0, 4], 36: [0, 2], 37: [0, 3], 38: [0, 3], 39: [0, 2],
      40: [0, 2], 41: [0, 3], 42: [0, 2], 43: [0, 2], 44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0],
      48: [0, 1], 49: [0, 1], 50: [0, 0], 51: [0, 0], 56: [0, 2], 57: [0, 1], 60: [0, 0], 61: [0, 0],
      65: [0, 0], 66: [0, 0], 67: [0, 0],
    },
    kraft: {
      0: [0, 9], 1: [0, 13], 2: [0, 7], 3: [0, 12], 8: [0, 8], 9: [0, 8], 10: [0, 4], 11: [0, 9],
      12: [0, 4], 13: [0, 5], 14: [0, 5], 15: [0, 5], 16: [0, 4], 17: [0, 1], 18: [0, 3], 19: [0, 7],
      20: [0, 6], 21: [0, 2], 22: [0, 4], 23: [0, 4], 24: [0, 3], 25: [0, 3], 26: [0, 3], 27: [0, 1],
      28: [0, 3], 29: [0, 3], 30: [0, 3], 31: [0, 3], 32: [0, 4], 33: [0, 2], 34: [0, 2], 35: [0, 4],
      36: [0, 2], 37: [0, 3], 42: [0, 2], 43: [0, 2], 44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0],
      48: [0, 1], 49: [0, 1], 55: [0, 1], 57: [0, 1], 60: [0, 0], 61: [0, 0], 64: [0, 0], 65: [0, 0],
      66: [0, 0],
    },
    notes: [
      'KRaft is production-ready for new clusters (3.3.1 was the first 3.3 release published; 3.3.0 has the same tables). A KRaft broker lists neither the ZooKeeper inter-broker APIs nor, until 3.5/3.6, SCRAM credentials and delegation tokens; it adds DescribeQuorum and UnregisterBroker, forwarded to the controller.',
      'User principals in ACL and delegation-token APIs (KIP-373: DescribeAcls/CreateAcls/DeleteAcls v3, CreateDelegationToken v3, DescribeDelegationToken v3).',
      'DescribeLogDirs v4 reports total and usable bytes (KIP-827); UpdateFeatures v1.',
    ],
  },
  '3.4': {
    id: '3.4',
    tag: '3.4.0',
    sameThrough: '3.4.1',
    sources: MESSAGE_JSON,
    defaultMode: 'zookeeper',
    zookeeper: {
      0: [0, 9], 1: [0, 13], 2: [0, 7], 3: [0, 12], 4: [0, 7], 5: [0, 4], 6: [0, 8], 7: [0, 3],
      8: [0, 8], 9: [0, 8], 10: [0, 4], 11: [0, 9], 12: [0, 4], 13: [0, 5], 14: [0, 5], 15: [0, 5],
      16: [0, 4], 17: [0, 1], 18: [0, 3], 19: [0, 7], 20: [0, 6], 21: [0, 2], 22: [0, 4], 23: [0, 4],
      24: [0, 3], 25: [0, 3], 26: [0, 3], 27: [0, 1], 28: [0, 3], 29: [0, 3], 30: [0, 3], 31: [0, 3],
      32: [0, 4], 33: [0, 2], 34: [0, 2], 35: [0, 4], 36: [0, 2], 37: [0, 3], 38: [0, 3], 39: [0, 2],
      40: [0, 2], 41: [0, 3], 42: [0, 2], 43: [0, 2], 44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0],
      48: [0, 1], 49: [0, 1], 50: [0, 0], 51: [0, 0], 56: [0, 2], 57: [0, 1], 58: [0, 0], 60: [0, 0],
      61: [0, 0], 65: [0, 0], 66: [0, 0], 67: [0, 0],
    },
    kraft: {
      0: [0, 9], 1: [0, 13], 2: [0, 7], 3: [0, 12], 8: [0, 8], 9: [0, 8], 10: [0, 4], 11: [0, 9],
      12: [0, 4], 13: [0, 5], 14: [0, 5], 15: [0, 5], 16: [0, 4], 17: [0, 1], 18: [0, 3], 19: [0, 7],
      20: [0, 6], 21: [0, 2], 22: [0, 4], 23: [0, 4], 24: [0, 3], 25: [0, 3], 26: [0, 3], 27: [0, 1],
      28: [0, 3], 29: [0, 3], 30: [0, 3], 31: [0, 3], 32: [0, 4], 33: [0, 2], 34: [0, 2], 35: [0, 4],
      36: [0, 2], 37: [0, 3], 42: [0, 2], 43: [0, 2], 44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0],
      48: [0, 1], 49: [0, 1], 55: [0, 1], 57: [0, 1], 60: [0, 0], 61: [0, 0], 64: [0, 0], 65: [0, 0],
      66: [0, 0],
    },
    notes: ['ZooKeeper-to-KRaft migration (KIP-866): a ZooKeeper broker lists Envelope; LeaderAndIsr v7, StopReplica v4, UpdateMetadata v8.'],
  },
  '3.5': {
    id: '3.5',
    tag: '3.5.0',
    sameThrough: '3.5.2',
    sources: MESSAGE_JSON_UNSTABLE,
    defaultMode: 'zookeeper',
    zookeeper: {
      0: [0, 9], 1: [0, 15], 2: [0, 8], 3: [0, 12], 4: [0, 7], 5: [0, 4], 6: [0, 8], 7: [0, 3],
      8: [0, 8], 9: [0, 8], 10: [0, 4], 11: [0, 9], 12: [0, 4], 13: [0, 5], 14: [0, 5], 15: [0, 5],
      16: [0, 4], 17: [0, 1], 18: [0, 3], 19: [0, 7], 20: [0, 6], 21: [0, 2], 22: [0, 4], 23: [0, 4],
      24: [0, 3], 25: [0, 3], 26: [0, 3], 27: [0, 1], 28: [0, 3], 29: [0, 3], 30: [0, 3], 31: [0, 3],
      32: [0, 4], 33: [0, 2], 34: [0, 2], 35: [0, 4], 36: [0, 2], 37: [0, 3], 38: [0, 3], 39: [0, 2],
      40: [0, 2], 41: [0, 3], 42: [0, 2], 43: [0, 2], 44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0],
      48: [0, 1], 49: [0, 1], 50: [0, 0], 51: [0, 0], 56: [0, 3], 57: [0, 1], 58: [0, 0], 60: [0, 0],
      61: [0, 0], 65: [0, 0], 66: [0, 0], 67: [0, 0],
    },
    kraft: {
      0: [0, 9], 1: [0, 15], 2: [0, 8], 3: [0, 12], 8: [0, 8], 9: [0, 8], 10: [0, 4], 11: [0, 9],
      12: [0, 4], 13: [0, 5], 14: [0, 5], 15: [0, 5], 16: [0, 4], 17: [0, 1], 18: [0, 3], 19: [0, 7],
      20: [0, 6], 21: [0, 2], 22: [0, 4], 23: [0, 4], 24: [0, 3], 25: [0, 3], 26: [0, 3], 27: [0, 1],
      28: [0, 3], 29: [0, 3], 30: [0, 3], 31: [0, 3], 32: [0, 4], 33: [0, 2], 34: [0, 2], 35: [0, 4],
      36: [0, 2], 37: [0, 3], 42: [0, 2], 43: [0, 2], 44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0],
      48: [0, 1], 49: [0, 1], 50: [0, 0], 51: [0, 0], 55: [0, 1], 57: [0, 1], 60: [0, 0], 61: [0, 0],
      64: [0, 0], 65: [0, 0], 66: [0, 0],
    },
    notes: [
      'Tiered storage (KIP-405, early access): Fetch v14 and ListOffsets v8 (EARLIEST_LOCAL_TIMESTAMP, -4); Fetch v15 replica state (KIP-903).',
      'AddPartitionsToTxn v4 and ConsumerGroupHeartbeat v0 exist but are marked unstable: not advertised.',
      'KRaft brokers list the SCRAM credential APIs (50, 51).',
    ],
  },
  '3.6': {
    id: '3.6',
    tag: '3.6.0',
    sameThrough: '3.6.2',
    sources: MESSAGE_JSON_UNSTABLE,
    defaultMode: 'zookeeper',
    zookeeper: {
      0: [0, 9], 1: [0, 15], 2: [0, 8], 3: [0, 12], 4: [0, 7], 5: [0, 4], 6: [0, 8], 7: [0, 3],
      8: [0, 8], 9: [0, 8], 10: [0, 4], 11: [0, 9], 12: [0, 4], 13: [0, 5], 14: [0, 5], 15: [0, 5],
      16: [0, 4], 17: [0, 1], 18: [0, 3], 19: [0, 7], 20: [0, 6], 21: [0, 2], 22: [0, 4], 23: [0, 4],
      24: [0, 4], 25: [0, 3], 26: [0, 3], 27: [0, 1], 28: [0, 3], 29: [0, 3], 30: [0, 3], 31: [0, 3],
      32: [0, 4], 33: [0, 2], 34: [0, 2], 35: [0, 4], 36: [0, 2], 37: [0, 3], 38: [0, 3], 39: [0, 2],
      40: [0, 2], 41: [0, 3], 42: [0, 2], 43: [0, 2], 44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0],
      48: [0, 1], 49: [0, 1], 50: [0, 0], 51: [0, 0], 56: [0, 3], 57: [0, 1], 58: [0, 0], 60: [0, 0],
      61: [0, 0], 65: [0, 0], 66: [0, 0], 67: [0, 0],
    },
    kraft: {
      0: [0, 9], 1: [0, 15], 2: [0, 8], 3: [0, 12], 8: [0, 8], 9: [0, 8], 10: [0, 4], 11: [0, 9],
      12: [0, 4], 13: [0, 5], 14: [0, 5], 15: [0, 5], 16: [0, 4], 17: [0, 1], 18: [0, 3], 19: [0, 7],
      20: [0, 6], 21: [0, 2], 22: [0, 4], 23: [0, 4], 24: [0, 4], 25: [0, 3], 26: [0, 3], 27: [0, 1],
      28: [0, 3], 29: [0, 3], 30: [0, 3], 31: [0, 3], 32: [0, 4], 33: [0, 2], 34: [0, 2], 35: [0, 4],
      36: [0, 2], 37: [0, 3], 38: [0, 3], 39: [0, 2], 40: [0, 2], 41: [0, 3], 42: [0, 2], 43: [0, 2],
      44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0], 48: [0, 1], 49: [0, 1], 50: [0, 0], 51: [0, 0],
      55: [0, 1], 57: [0, 1], 60: [0, 0], 61: [0, 0], 64: [0, 0], 65: [0, 0], 66: [0, 0],
    },
    notes: [
      'AddPartitionsToTxn v4 (KIP-890 part 1: brokers verify that a transactional produce belongs to an ongoing transaction).',
      'OffsetCommit v9 and ConsumerGroupHeartbeat exist but are unstable: not advertised. KRaft brokers list the delegation-token APIs (38-41).',
    ],
  },
  '3.7': {
    id: '3.7',
    tag: '3.7.0',
    sameThrough: '3.7.1',
    sources: MESSAGE_JSON_UNSTABLE,
    defaultMode: 'zookeeper',
    zookeeper: {
      0: [0, 10], 1: [0, 16], 2: [0, 8], 3: [0, 12], 4: [0, 7], 5: [0, 4], 6: [0, 8], 7: [0, 3],
      8: [0, 9], 9: [0, 9], 10: [0, 4], 11: [0, 9], 12: [0, 4], 13: [0, 5], 14: [0, 5], 15: [0, 5],
      16: [0, 4], 17: [0, 1], 18: [0, 3], 19: [0, 7], 20: [0, 6], 21: [0, 2], 22: [0, 4], 23: [0, 4],
      24: [0, 4], 25: [0, 3], 26: [0, 3], 27: [0, 1], 28: [0, 3], 29: [0, 3], 30: [0, 3], 31: [0, 3],
      32: [0, 4], 33: [0, 2], 34: [0, 2], 35: [0, 4], 36: [0, 2], 37: [0, 3], 38: [0, 3], 39: [0, 2],
      40: [0, 2], 41: [0, 3], 42: [0, 2], 43: [0, 2], 44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0],
      48: [0, 1], 49: [0, 1], 50: [0, 0], 51: [0, 0], 56: [0, 3], 57: [0, 1], 58: [0, 0], 60: [0, 1],
      61: [0, 0], 65: [0, 0], 66: [0, 0], 67: [0, 0], 68: [0, 0],
    },
    kraft: {
      0: [0, 10], 1: [0, 16], 2: [0, 8], 3: [0, 12], 8: [0, 9], 9: [0, 9], 10: [0, 4], 11: [0, 9],
      12: [0, 4], 13: [0, 5], 14: [0, 5], 15: [0, 5], 16: [0, 4], 17: [0, 1], 18: [0, 3], 19: [0, 7],
      20: [0, 6], 21: [0, 2], 22: [0, 4], 23: [0, 4], 24: [0, 4], 25: [0, 3], 26: [0, 3], 27: [0, 1],
      28: [0, 3], 29: [0, 3], 30: [0, 3], 31: [0, 3], 32: [0, 4], 33: [0, 2], 34: [0, 2], 35: [0, 4],
      36: [0, 2], 37: [0, 3], 38: [0, 3], 39: [0, 2], 40: [0, 2], 41: [0, 3], 42: [0, 2], 43: [0, 2],
      44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0], 48: [0, 1], 49: [0, 1], 50: [0, 0], 51: [0, 0],
      55: [0, 1], 57: [0, 1], 60: [0, 1], 61: [0, 0], 64: [0, 0], 65: [0, 0], 66: [0, 0], 68: [0, 0],
      74: [0, 0],
    },
    notes: [
      'Produce v10 / Fetch v16 return the new leader with NOT_LEADER_OR_FOLLOWER (KIP-951: CurrentLeader, NodeEndpoints).',
      'ConsumerGroupHeartbeat v0 is advertised (KIP-848 early access) but answers UNSUPPORTED_VERSION unless the new group coordinator is enabled (group.coordinator.new.enable, or group.coordinator.rebalance.protocols including consumer; both off by default); OffsetCommit / OffsetFetch v9 carry the member epoch.',
      'DescribeCluster v1 (KIP-919). KRaft: ListClientMetricsResources (KIP-1000); GetTelemetrySubscriptions / PushTelemetry (KIP-714) only with a telemetry reporter, left out.',
    ],
  },
  '3.8': {
    id: '3.8',
    tag: '3.8.0',
    sameThrough: '3.8.1',
    sources: MESSAGE_JSON_UNSTABLE,
    defaultMode: 'zookeeper',
    zookeeper: {
      0: [0, 11], 1: [0, 16], 2: [0, 8], 3: [0, 12], 4: [0, 7], 5: [0, 4], 6: [0, 8], 7: [0, 3],
      8: [0, 9], 9: [0, 9], 10: [0, 5], 11: [0, 9], 12: [0, 4], 13: [0, 5], 14: [0, 5], 15: [0, 5],
      16: [0, 5], 17: [0, 1], 18: [0, 3], 19: [0, 7], 20: [0, 6], 21: [0, 2], 22: [0, 5], 23: [0, 4],
      24: [0, 5], 25: [0, 4], 26: [0, 4], 27: [0, 1], 28: [0, 4], 29: [0, 3], 30: [0, 3], 31: [0, 3],
      32: [0, 4], 33: [0, 2], 34: [0, 2], 35: [0, 4], 36: [0, 2], 37: [0, 3], 38: [0, 3], 39: [0, 2],
      40: [0, 2], 41: [0, 3], 42: [0, 2], 43: [0, 2], 44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0],
      48: [0, 1], 49: [0, 1], 50: [0, 0], 51: [0, 0], 56: [0, 3], 57: [0, 1], 58: [0, 0], 60: [0, 1],
      61: [0, 0], 65: [0, 0], 66: [0, 1], 67: [0, 0], 68: [0, 0], 69: [0, 0],
    },
    kraft: {
      0: [0, 11], 1: [0, 16], 2: [0, 8], 3: [0, 12], 8: [0, 9], 9: [0, 9], 10: [0, 5], 11: [0, 9],
      12: [0, 4], 13: [0, 5], 14: [0, 5], 15: [0, 5], 16: [0, 5], 17: [0, 1], 18: [0, 3], 19: [0, 7],
      20: [0, 6], 21: [0, 2], 22: [0, 5], 23: [0, 4], 24: [0, 5], 25: [0, 4], 26: [0, 4], 27: [0, 1],
      28: [0, 4], 29: [0, 3], 30: [0, 3], 31: [0, 3], 32: [0, 4], 33: [0, 2], 34: [0, 2], 35: [0, 4],
      36: [0, 2], 37: [0, 3], 38: [0, 3], 39: [0, 2], 40: [0, 2], 41: [0, 3], 42: [0, 2], 43: [0, 2],
      44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0], 48: [0, 1], 49: [0, 1], 50: [0, 0], 51: [0, 0],
      55: [0, 1], 57: [0, 1], 60: [0, 1], 61: [0, 0], 64: [0, 0], 65: [0, 0], 66: [0, 1], 68: [0, 0],
      69: [0, 0], 74: [0, 0], 75: [0, 0],
    },
    notes: [
      'TRANSACTION_ABORTABLE (KIP-890): Produce v11, InitProducerId v5, AddPartitionsToTxn v5, AddOffsetsToTxn v4, EndTxn v4, TxnOffsetCommit v4, FindCoordinator v5.',
      'ListGroups v5 filters by group type and ConsumerGroupDescribe appears (KIP-848; it answers only with the new group coordinator enabled, off by default); ListTransactions v1 filters by duration (KIP-994).',
      'KRaft: DescribeTopicPartitions (KIP-966), which 3.8+ Admin clients prefer for describeTopics when a broker lists it.',
    ],
  },
  '3.9': {
    id: '3.9',
    tag: '3.9.0-rc3',
    sources: [
      ...MESSAGE_JSON_UNSTABLE,
      'read at tag 3.9.0-rc3 (the 3.9 branch head of 2024-10-21; the final 3.9.0 tag is not in the snapshot); equal to franz-go pkg/kversion z39 and b39',
    ],
    defaultMode: 'zookeeper',
    zookeeper: {
      0: [0, 11], 1: [0, 17], 2: [0, 9], 3: [0, 12], 4: [0, 7], 5: [0, 4], 6: [0, 8], 7: [0, 3],
      8: [0, 9], 9: [0, 9], 10: [0, 6], 11: [0, 9], 12: [0, 4], 13: [0, 5], 14: [0, 5], 15: [0, 5],
      16: [0, 5], 17: [0, 1], 18: [0, 4], 19: [0, 7], 20: [0, 6], 21: [0, 2], 22: [0, 5], 23: [0, 4],
      24: [0, 5], 25: [0, 4], 26: [0, 4], 27: [0, 1], 28: [0, 4], 29: [0, 3], 30: [0, 3], 31: [0, 3],
      32: [0, 4], 33: [0, 2], 34: [0, 2], 35: [0, 4], 36: [0, 2], 37: [0, 3], 38: [0, 3], 39: [0, 2],
      40: [0, 2], 41: [0, 3], 42: [0, 2], 43: [0, 2], 44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0],
      48: [0, 1], 49: [0, 1], 50: [0, 0], 51: [0, 0], 56: [0, 3], 57: [0, 1], 58: [0, 0], 60: [0, 1],
      61: [0, 0], 65: [0, 0], 66: [0, 1], 67: [0, 0], 68: [0, 0], 69: [0, 0],
    },
    kraft: {
      0: [0, 11], 1: [0, 17], 2: [0, 9], 3: [0, 12], 8: [0, 9], 9: [0, 9], 10: [0, 6], 11: [0, 9],
      12: [0, 4], 13: [0, 5], 14: [0, 5], 15: [0, 5], 16: [0, 5], 17: [0, 1], 18: [0, 4], 19: [0, 7],
      20: [0, 6], 21: [0, 2], 22: [0, 5], 23: [0, 4], 24: [0, 5], 25: [0, 4], 26: [0, 4], 27: [0, 1],
      28: [0, 4], 29: [0, 3], 30: [0, 3], 31: [0, 3], 32: [0, 4], 33: [0, 2], 34: [0, 2], 35: [0, 4],
      36: [0, 2], 37: [0, 3], 38: [0, 3], 39: [0, 2], 40: [0, 2], 41: [0, 3], 42: [0, 2], 43: [0, 2],
      44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0], 48: [0, 1], 49: [0, 1], 50: [0, 0], 51: [0, 0],
      55: [0, 2], 57: [0, 1], 60: [0, 1], 61: [0, 0], 64: [0, 0], 65: [0, 0], 66: [0, 1], 68: [0, 0],
      69: [0, 0], 74: [0, 0], 75: [0, 0], 80: [0, 0], 81: [0, 0],
    },
    notes: [
      'The last release with ZooKeeper mode.',
      'Fetch v17 (KIP-853: replica directory id), ListOffsets v9 (KIP-1005: EARLIEST_PENDING_UPLOAD, -5), FindCoordinator v6 (share coordinator keys, KIP-932), ApiVersions v4 (KAFKA-17011).',
      'KRaft: AddRaftVoter / RemoveRaftVoter (KIP-853, forwarded to the controller), DescribeQuorum v2. The share-group APIs exist but are unstable: not advertised.',
    ],
  },
  '4.0': {
    id: '4.0',
    tag: '4.0.0',
    sources: [
      'tychedelia/kafka-protocol-rs commit 6c78350 src/messages.rs and src/messages/*_request.rs (validVersions and stable versions of apache/kafka 74d93ad, pinned in protocol_codegen/src/main.rs as 4.0.0)',
      'apache/kafka trunk 1eb7644 (2024-10-25): common/message/*Request.json listeners, ApiKeys.java forwardable',
      'twmb/franz-go pkg/kversion/requests.go b40 (agrees, including JoinGroup v2-9)',
      'apache/kafka#18727 (KAFKA-18659: Produce advertised from v0), apache/kafka#20116 (KAFKA-19444: JoinGroup v0-1 back in 4.0.1)',
    ],
    defaultMode: 'kraft',
    kraft: {
      0: [0, 12], 1: [4, 17], 2: [1, 10], 3: [0, 13], 8: [2, 9], 9: [1, 9], 10: [0, 6], 11: [2, 9],
      12: [0, 4], 13: [0, 5], 14: [0, 5], 15: [0, 6], 16: [0, 5], 17: [0, 1], 18: [0, 4], 19: [2, 7],
      20: [1, 6], 21: [0, 2], 22: [0, 5], 23: [2, 4], 24: [0, 5], 25: [0, 4], 26: [0, 5], 27: [1, 1],
      28: [0, 5], 29: [1, 3], 30: [1, 3], 31: [1, 3], 32: [1, 4], 33: [0, 2], 34: [1, 2], 35: [1, 4],
      36: [0, 2], 37: [0, 3], 38: [1, 3], 39: [1, 2], 40: [1, 2], 41: [1, 3], 42: [0, 2], 43: [0, 2],
      44: [0, 1], 45: [0, 0], 46: [0, 0], 47: [0, 0], 48: [0, 1], 49: [0, 1], 50: [0, 0], 51: [0, 0],
      55: [0, 2], 57: [0, 2], 60: [0, 2], 61: [0, 0], 64: [0, 0], 65: [0, 0], 66: [0, 1], 68: [0, 1],
      69: [0, 1], 74: [0, 0], 75: [0, 0], 80: [0, 0], 81: [0, 0],
    },
    refused: { 0: [0, 2] },
    notes: [
      'KRaft only: ZooKeeper mode and its inter-broker APIs (LeaderAndIsr, StopReplica, UpdateMetadata, ControlledShutdown) are gone.',
      'Old request versions removed (KIP-896): minimums Fetch 4, ListOffsets 1, OffsetCommit 2, OffsetFetch 1, JoinGroup 2, CreateTopics 2, DeleteTopics 1, OffsetForLeaderEpoch 2, WriteTxnMarkers 1, ACL APIs 1, DescribeConfigs 1, AlterReplicaLogDirs 1, DescribeLogDirs 1, delegation-token APIs 1.',
      'Produce is advertised from v0 because librdkafka will not compress otherwise (KAFKA-18659), but v0-2 are answered with UNSUPPORTED_VERSION (see refused).',
      'Message formats v0/v1 can no longer be written and Fetch below v4 is gone, so nothing is down-converted (KIP-724).',
      'JoinGroup v2-9 is 4.0.0; 4.0.1 and later list v0-9 again (KAFKA-19444, for librdkafka before 2.11 with Kerberos). kafka-protocol-rs\'s 4.0 pin already has 0-9.',
      'KIP-848 consumer groups are generally available and on by default: ConsumerGroupHeartbeat v1, ConsumerGroupDescribe v1.',
      'Transactions v2 (KIP-890 part 2): Produce v12, EndTxn v5, TxnOffsetCommit v5. Metadata v13 (KIP-1102, REBOOTSTRAP_REQUIRED), DescribeGroups v6 (KIP-1043), DescribeCluster v2 (KIP-1073), ListOffsets v10 (KIP-1075).',
      'Share groups (KIP-932) are early access: their APIs are unstable and not advertised.',
    ],
  },
  '4.1': {
    id: '4.1',
    tag: '4.1.0',
    sources: [
      'tychedelia/kafka-protocol-rs commit 5d10821 src/messages.rs and src/messages/*_request.rs (apache/kafka 13f7025, pinned as 4.1.0)',
      'apache/kafka trunk 1eb7644 (2024-10-25): common/message/*Request.json listeners, ApiKeys.java forwardable (keys 90-92 are newer: broker listener, as franz-go lists them)',
      'twmb/franz-go pkg/kversion/requests.go b41 (agrees; it does not track the share-group minimum of 1)',
    ],
    defaultMode: 'kraft',
    kraft: {
      0: [0, 13], 1: [4, 18], 2: [1, 10], 3: [0, 13], 8: [2, 9], 9: [1, 9], 10: [0, 6], 11: [0, 9],
      12: [0, 4], 13: [0, 5], 14: [0, 5], 15: [0, 6], 16: [0, 5], 17: [0, 1], 18: [0, 4], 19: [2, 7],
      20: [1, 6], 21: [0, 2], 22: [0, 5], 23: [2, 4], 24: [0, 5], 25: [0, 4], 26: [0, 5], 27: [1, 1],
      28: [0, 5], 29: [1, 3], 30: [1, 3], 31: [1, 3], 32: [1, 4], 33: [0, 2], 34: [1, 2], 35: [1, 4],
      36: [0, 2], 37: [0, 3], 38: [1, 3], 39: [1, 2], 40: [1, 2], 41: [1, 3], 42: [0, 2], 43: [0, 2],
      44: [0, 1], 45: [0, 1], 46: [0, 0], 47: [0, 0], 48: [0, 1], 49: [0, 1], 50: [0, 0], 51: [0, 0],
      55: [0, 2], 57: [0, 2], 60: [0, 2], 61: [0, 0], 64: [0, 0], 65: [0, 0], 66: [0, 2], 68: [0, 1],
      69: [0, 1], 74: [0, 1], 75: [0, 0], 76: [1, 1], 77: [1, 1], 78: [1, 1], 79: [1, 1], 80: [0, 0],
      81: [0, 0], 83: [0, 0], 84: [0, 0], 85: [0, 0], 86: [0, 0], 87: [0, 0], 90: [0, 0], 91: [0, 0],
      92: [0, 0],
    },
    refused: { 0: [0, 2] },
    notes: [
      'Produce v13 names topics by id (KIP-516); Fetch v18 (KIP-1166); AlterPartitionReassignments v1 (KIP-860); ListTransactions v2 filters by transactional id pattern (KIP-1152); key 74 becomes ListConfigResources v1 (KIP-1142).',
      'JoinGroup v0-1 are back (KAFKA-19444).',
      'Share groups in preview (KIP-932): ShareGroupHeartbeat, ShareGroupDescribe, ShareFetch, ShareAcknowledge from v1 (v0 was the 4.0 early access), the share-state APIs 83-87 (inter-broker) and Describe/Alter/DeleteShareGroupOffsets (90-92).',
      'OffsetCommit / OffsetFetch v10 (topic ids) and InitProducerId v6 (KIP-939, two-phase commit) exist but are unstable: not advertised.',
    ],
  },
};

/** APIs brokers list but only brokers and controllers call; a stand-in may serve them or answer as it can. */
export const INTER_BROKER_API_KEYS: ReadonlySet<number> = new Set([
  4, // LeaderAndIsr
  5, // StopReplica
  6, // UpdateMetadata
  7, // ControlledShutdown
  27, // WriteTxnMarkers
  56, // AlterIsr / AlterPartition
  58, // Envelope
  67, // AllocateProducerIds
  83, 84, 85, 86, 87, // share-group state (share coordinator)
]);

/** Names of keys newer than api-keys.ts (which follows the message definitions of late 2024). */
const NEWER_API_NAMES: ReadonlyMap<number, string> = new Map([
  [90, 'DescribeShareGroupOffsets'],
  [91, 'AlterShareGroupOffsets'],
  [92, 'DeleteShareGroupOffsets'],
]);

/** The API's name, including keys the codec does not define yet. */
export function releaseApiName(apiKey: number): string {
  return NEWER_API_NAMES.get(apiKey) ?? apiKeyName(apiKey);
}

export function isKafkaReleaseId(value: string): value is KafkaReleaseId {
  return (KAFKA_RELEASE_IDS as readonly string[]).includes(value);
}

/**
 * The release id for a version as users write it: "2.8", "2.8.2", "v3.9.1", "0.11.0.3" (and "0.11.0").
 * Undefined for versions this table does not cover.
 */
export function parseKafkaReleaseId(text: string): KafkaReleaseId | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+){0,2}$/.exec(text.trim());
  if (!m) return undefined;
  const id = `${Number(m[1])}.${Number(m[2])}`;
  return isKafkaReleaseId(id) ? id : undefined;
}

/** What a broker of `id` advertised in `mode` (its default mode unless given); throws if that release had no such mode. */
export function advertisedApis(id: KafkaReleaseId, mode?: MetadataMode): ApiVersionTable {
  const release = KAFKA_RELEASES[id];
  const m = mode ?? release.defaultMode;
  const table = m === 'zookeeper' ? release.zookeeper : release.kraft;
  if (!table) throw new Error(`Kafka ${id} has no ${m === 'zookeeper' ? 'ZooKeeper' : 'KRaft'} mode in this table`);
  return table;
}

/**
 * The first release whose brokers advertise `version` of `apiKey` (in `mode`, else each release's default
 * mode), for messages like "deleting a group's offsets for one topic needs Kafka 2.4 or later".
 */
export function firstReleaseSupporting(apiKey: number, version = 0, mode?: MetadataMode): KafkaReleaseId | undefined {
  for (const id of KAFKA_RELEASE_IDS) {
    const release = KAFKA_RELEASES[id];
    const table = (mode ?? release.defaultMode) === 'zookeeper' ? release.zookeeper : release.kraft;
    const range = table?.[apiKey];
    if (range && range[0] <= version && version <= range[1]) return id;
  }
  return undefined;
}

/** Which Kafka releases a broker's ApiVersions answer points to (the Overview's "Kafka 2.8"). */
export interface DetectedRelease {
  /** The oldest and newest release consistent with the answer; `to` null when newer than every known release. */
  from: KafkaReleaseId;
  to: KafkaReleaseId | null;
  /** True when some release listed exactly these versions (for every API the broker lists). */
  exact: boolean;
}

/**
 * The releases whose brokers (ZooKeeper or KRaft) list every API of `apis` with the same version range:
 * an Apache Kafka broker with default settings matches its own release. A broker that lists fewer APIs
 * than its release (the embedded cluster playing a release implements part of them) matches too, as
 * long as each range it does list is that release's. When no release matches (a newer or patched
 * broker, another implementation), the newest release whose every shared API the broker speaks at
 * least as new a version of, as "that release or later". Null when even 0.11 is newer.
 */
export function detectRelease(apis: ReadonlyArray<{ apiKey: number; minVersion: number; maxVersion: number }>): DetectedRelease | null {
  const matching = KAFKA_RELEASE_IDS.filter((id) => {
    const release = KAFKA_RELEASES[id];
    return [release.zookeeper, release.kraft].some(
      (table) => table !== undefined && apis.every((api) => table[api.apiKey]?.[0] === api.minVersion && table[api.apiKey]?.[1] === api.maxVersion),
    );
  });
  if (matching.length > 0) {
    // Releases that match are consecutive in practice; name the span from the first to the last.
    return { from: matching[0]!, to: matching.at(-1)!, exact: true };
  }
  const listed = new Map(apis.map((api) => [api.apiKey, api.maxVersion]));
  let atLeast: KafkaReleaseId | null = null;
  for (const id of KAFKA_RELEASE_IDS) {
    const table = advertisedApis(id);
    const asNew = Object.entries(table).every(([key, range]) => {
      const max = listed.get(Number(key));
      return max === undefined || max >= range[1];
    });
    if (asNew) atLeast = id;
  }
  return atLeast === null ? null : { from: atLeast, to: null, exact: false };
}

/** "Kafka 2.8", "Kafka 3.5 to 3.6", "Kafka 3.7 or later" for a detected release. */
export function describeDetectedRelease(detected: DetectedRelease | null): string {
  if (!detected) return 'older than Kafka 0.11 or not Apache Kafka';
  if (detected.to === null) return `Kafka ${detected.from} or later`;
  return detected.from === detected.to ? `Kafka ${detected.from}` : `Kafka ${detected.from} to ${detected.to}`;
}
