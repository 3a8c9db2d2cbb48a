/**
 * Message versions Apache Kafka added after the definitions the codec is generated from.
 *
 * ../shared/kafka-protocol/messages holds Kafka's JSON as of trunk 2024-10-25 (between 3.9 and 4.0), so
 * the versions Kafka 4.0 and 4.1 added after that are missing from it. Each entry below adds ONE version
 * of ONE definition file, transcribed from the apache/kafka release tag that first has it (the tag and
 * file are cited), and scripts/generate-protocol.ts applies the entries to the JSON before generating:
 * the generated code still comes from definitions, and the staleness test (generator.test.ts) still
 * proves the committed code is what the generator produces. Entries only ever ADD the next version
 * (validVersions' upper bound + 1): KIP-896's removal of old versions in 4.0 is not applied, since the
 * embedded cluster also plays the releases that had them.
 *
 * How they were read: the apache/kafka snapshot available here ends on 2024-10-25 (no 4.x tags), so the
 * 4.0.0 and 4.1.0 files were read through tychedelia/kafka-protocol-rs, whose src/messages/*.rs are
 * generated from apache/kafka's JSON at the release commits (4.0.0 = 74d93ad, pinned in its commit
 * 6c78350; 4.1.0 = 13f7025, pinned in 5d10821): each field's name, type, versions, default, tag and
 * nullability, whether an encoder may drop it (ignorable) and its `about` text are all in that code.
 * Version ranges were cross-checked against Kafka's generated protocol guide for 4.0.0
 * (site-docs/protocol.html of the 4.0.0 distribution).
 *
 * Adding a version: append an entry for the request file and one for the response file (the generator
 * requires both to end at the same version, even when one of them does not change), then run
 * `npm run generate:protocol`. When the definitions under ../shared are updated past a version, delete
 * its entries: the generator refuses an entry that does not add the next version.
 *
 * Two further kinds, for KIP-932 (share groups), whose APIs were still unstable when the definitions
 * here were taken:
 * - `redefines: true` changes the definition's LAST version in place instead of adding one. Kafka may
 *   change an unstable version before releasing it (`latestVersionUnstable`), and did: 4.1.0's
 *   ReadShareGroupStateSummaryResponse v0 carries a LeaderEpoch the 2024 v0 lacks. The generator
 *   accepts it only for the last version of a definition whose request marks it unstable.
 * - {@link PROTOCOL_NEW_MESSAGES}: whole definitions of APIs newer than the definitions here
 *   (Describe/Alter/DeleteShareGroupOffsets, keys 90-92, added for 4.1), transcribed the same way. The
 *   generator reads one only when ../shared has no file of that name, and refuses it once ../shared
 *   has one (then delete the entry).
 */

/** A field as Kafka's message JSON writes it (the subset the generator reads). */
export interface OverlayField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  ignorable?: boolean;
  about: string;
  fields?: OverlayField[];
}

export interface VersionOverlay {
  /** The definition file it changes, without `.json` ("MetadataResponse"). */
  file: string;
  /** The version it adds: must be the file's current last version + 1. */
  version: number;
  /** The apache/kafka release tag that first has the version, and the path of the file there. */
  source: { tag: string; path: string };
  /** The file's name at that tag when Kafka renamed the message since the definitions (4.1: ListClientMetricsResources became ListConfigResources, KIP-1142). */
  renamedTo?: string;
  /** What the version changes, in the words of Kafka's comment in that file (and the KIP). */
  change: string;
  /** New fields, into the struct named `struct` (the message itself when absent), after the field `after` (at the end when absent). */
  add?: ReadonlyArray<{ struct?: string; after?: string; field: OverlayField }>;
  /** Existing fields whose attributes change in this version (a field the version drops ends at the version before). */
  alter?: ReadonlyArray<{ struct?: string; name: string; versions?: string; ignorable?: boolean }>;
  /** The entry changes `version`, the definition's last (unstable) version, in place instead of adding it. */
  redefines?: true;
}

/** A whole message definition newer than the definitions under ../shared, as Kafka's JSON writes it. */
export interface MessageOverlay {
  /** The definition file, without `.json` ("DescribeShareGroupOffsetsRequest"). */
  file: string;
  /** The apache/kafka release tag that first has the file, and its path there. */
  source: { tag: string; path: string };
  /** What the message is for (the KIP). */
  change: string;
  definition: {
    apiKey: number;
    type: 'request' | 'response';
    name: string;
    validVersions: string;
    flexibleVersions: string;
    latestVersionUnstable?: boolean;
    fields: OverlayField[];
  };
}

const MESSAGES = 'clients/src/main/resources/common/message';
const at = (tag: '4.0.0' | '4.1.0', file: string): VersionOverlay['source'] => ({ tag, path: `${MESSAGES}/${file}.json` });

export const PROTOCOL_OVERLAY: readonly VersionOverlay[] = [
  // ---- Kafka 4.0.0
  {
    file: 'MetadataRequest',
    version: 13,
    source: at('4.0.0', 'MetadataRequest'),
    change: 'Version 13 is the same as version 12 (the response may carry a top-level error code, KIP-1102).',
  },
  {
    file: 'MetadataResponse',
    version: 13,
    source: at('4.0.0', 'MetadataResponse'),
    change: 'Version 13 supports top-level error code in the response (KIP-1102: REBOOTSTRAP_REQUIRED).',
    add: [
      {
        after: 'ClusterAuthorizedOperations',
        field: { name: 'ErrorCode', type: 'int16', versions: '13+', ignorable: true, about: 'The top-level error code, or 0 if there was no error.' },
      },
    ],
  },
  {
    file: 'DescribeClusterRequest',
    version: 2,
    source: at('4.0.0', 'DescribeClusterRequest'),
    change: 'Version 2 adds IncludeFencedBrokers (KIP-1073).',
    add: [
      {
        after: 'EndpointType',
        field: {
          name: 'IncludeFencedBrokers',
          type: 'bool',
          versions: '2+',
          default: 'false',
          about: 'Whether to include fenced brokers when listing brokers.',
        },
      },
    ],
  },
  {
    file: 'DescribeClusterResponse',
    version: 2,
    source: at('4.0.0', 'DescribeClusterResponse'),
    change: 'Version 2 adds IsFenced to each broker (KIP-1073).',
    add: [
      {
        struct: 'DescribeClusterBroker',
        after: 'Rack',
        field: { name: 'IsFenced', type: 'bool', versions: '2+', default: 'false', about: 'Whether the broker is fenced' },
      },
    ],
  },
  {
    file: 'ProduceRequest',
    version: 12,
    source: at('4.0.0', 'ProduceRequest'),
    change:
      'Version 12 is the same as version 11 (KIP-890 part 2): a transactional produce at v12+ also adds its partition to the transaction, as AddPartitionsToTxn would.',
  },
  {
    file: 'ProduceResponse',
    version: 12,
    source: at('4.0.0', 'ProduceResponse'),
    change: 'Version 12 is the same as version 11 (KIP-890).',
  },
  {
    file: 'TxnOffsetCommitRequest',
    version: 5,
    source: at('4.0.0', 'TxnOffsetCommitRequest'),
    change: 'Version 5 is the same as version 4 (KIP-890 part 2): the group is added to the transaction implicitly, without AddOffsetsToTxn.',
  },
  {
    file: 'TxnOffsetCommitResponse',
    version: 5,
    source: at('4.0.0', 'TxnOffsetCommitResponse'),
    change: 'Version 5 is the same as version 4 (KIP-890); it may answer TRANSACTION_ABORTABLE.',
  },
  {
    file: 'DescribeGroupsRequest',
    version: 6,
    source: at('4.0.0', 'DescribeGroupsRequest'),
    change: 'Version 6 returns error code GROUP_ID_NOT_FOUND if the group ID is not found (KIP-1043).',
  },
  {
    file: 'DescribeGroupsResponse',
    version: 6,
    source: at('4.0.0', 'DescribeGroupsResponse'),
    change: 'Version 6 returns error code GROUP_ID_NOT_FOUND if the group ID is not found, with an ErrorMessage per group (KIP-1043).',
    add: [
      {
        struct: 'DescribedGroup',
        after: 'ErrorCode',
        field: {
          name: 'ErrorMessage',
          type: 'string',
          versions: '6+',
          nullableVersions: '6+',
          default: 'null',
          about: 'The describe error message, or null if there was no error.',
        },
      },
    ],
  },
  {
    file: 'ConsumerGroupDescribeRequest',
    version: 1,
    source: at('4.0.0', 'ConsumerGroupDescribeRequest'),
    change: 'Version 1 adds MemberType field (KIP-1099).',
  },
  {
    file: 'ConsumerGroupDescribeResponse',
    version: 1,
    source: at('4.0.0', 'ConsumerGroupDescribeResponse'),
    change: 'Version 1 adds MemberType field (KIP-1099): whether each member speaks the classic or the consumer protocol.',
    add: [
      {
        struct: 'Member',
        after: 'TargetAssignment',
        field: {
          name: 'MemberType',
          type: 'int8',
          versions: '1+',
          default: '-1',
          ignorable: true,
          about: '-1 for unknown. 0 for classic member. +1 for consumer member.',
        },
      },
    ],
  },
  // ---- Kafka 4.1.0
  {
    file: 'ProduceRequest',
    version: 13,
    source: at('4.1.0', 'ProduceRequest'),
    change: 'Version 13 replaces topic names with topic IDs (KIP-516). May return UNKNOWN_TOPIC_ID error code.',
    add: [
      { struct: 'TopicProduceData', after: 'Name', field: { name: 'TopicId', type: 'uuid', versions: '13+', ignorable: true, about: 'The unique topic ID' } },
    ],
    alter: [{ struct: 'TopicProduceData', name: 'Name', versions: '0-12', ignorable: true }],
  },
  {
    file: 'ProduceResponse',
    version: 13,
    source: at('4.1.0', 'ProduceResponse'),
    change: 'Version 13 replaces topic names with topic IDs (KIP-516).',
    add: [
      {
        struct: 'TopicProduceResponse',
        after: 'Name',
        field: { name: 'TopicId', type: 'uuid', versions: '13+', ignorable: true, about: 'The unique topic ID' },
      },
    ],
    alter: [{ struct: 'TopicProduceResponse', name: 'Name', versions: '0-12', ignorable: true }],
  },
  {
    file: 'FetchRequest',
    version: 18,
    source: at('4.1.0', 'FetchRequest'),
    change: "Version 18 adds the follower's HighWatermark to each partition, as a tagged field (KIP-1166).",
    add: [
      {
        struct: 'FetchPartition',
        after: 'ReplicaDirectoryId',
        field: {
          name: 'HighWatermark',
          type: 'int64',
          versions: '18+',
          taggedVersions: '18+',
          tag: 1,
          default: '9223372036854775807',
          ignorable: true,
          about: 'The high-watermark known by the replica. -1 if the high-watermark is not known and 9223372036854775807 if the feature is not supported.',
        },
      },
    ],
  },
  {
    file: 'FetchResponse',
    version: 18,
    source: at('4.1.0', 'FetchResponse'),
    change: 'Version 18 is the same as version 17 (KIP-1166).',
  },
  {
    file: 'AlterPartitionReassignmentsRequest',
    version: 1,
    source: at('4.1.0', 'AlterPartitionReassignmentsRequest'),
    change: "Version 1 adds AllowReplicationFactorChange (KIP-860): false refuses a reassignment that would change a partition's replication factor.",
    add: [
      {
        after: 'TimeoutMs',
        field: {
          name: 'AllowReplicationFactorChange',
          type: 'bool',
          versions: '1+',
          default: 'true',
          about: 'The option indicating whether changing the replication factor of any given partition as part of this request is a valid move.',
        },
      },
    ],
  },
  {
    file: 'AlterPartitionReassignmentsResponse',
    version: 1,
    source: at('4.1.0', 'AlterPartitionReassignmentsResponse'),
    change: 'Version 1 echoes AllowReplicationFactorChange (KIP-860).',
    add: [
      {
        after: 'ThrottleTimeMs',
        field: {
          name: 'AllowReplicationFactorChange',
          type: 'bool',
          versions: '1+',
          default: 'true',
          ignorable: true,
          about: 'The option indicating whether changing the replication factor of any given partition as part of the request was allowed.',
        },
      },
    ],
  },
  {
    file: 'ListTransactionsRequest',
    version: 2,
    source: at('4.1.0', 'ListTransactionsRequest'),
    change: 'Version 2 adds TransactionalIdPattern, a regular expression the transactional ids listed must match (KIP-1152).',
    add: [
      {
        after: 'DurationFilter',
        field: {
          name: 'TransactionalIdPattern',
          type: 'string',
          versions: '2+',
          nullableVersions: '2+',
          default: 'null',
          about:
            'The transactional ID regular expression pattern to filter by: if it is empty or null, all transactions are returned; Otherwise then only the transactions matching the given regular expression will be returned.',
        },
      },
    ],
  },
  {
    file: 'ListTransactionsResponse',
    version: 2,
    source: at('4.1.0', 'ListTransactionsResponse'),
    change: 'Version 2 is the same as version 1 (KIP-1152); it may answer INVALID_REGULAR_EXPRESSION.',
  },
  // ---- Kafka 4.1.0: share groups (KIP-932) in preview. 4.1 lists ShareGroupHeartbeat, ShareGroupDescribe,
  // ShareFetch and ShareAcknowledge from v1 only: v0 was 4.0's early access (KAFKA-19057, apache/kafka PR 19378).
  {
    file: 'ShareGroupHeartbeatRequest',
    version: 1,
    source: at('4.1.0', 'ShareGroupHeartbeatRequest'),
    change: "Version 1 is KIP-932's preview in 4.1 (KAFKA-19057); its fields are v0's. The member id is generated by the consumer.",
  },
  {
    file: 'ShareGroupHeartbeatResponse',
    version: 1,
    source: at('4.1.0', 'ShareGroupHeartbeatResponse'),
    change: "Version 1 is KIP-932's preview in 4.1 (KAFKA-19057); its fields are v0's.",
  },
  {
    file: 'ShareGroupDescribeRequest',
    version: 1,
    source: at('4.1.0', 'ShareGroupDescribeRequest'),
    change: "Version 1 is KIP-932's preview in 4.1 (KAFKA-19057); its fields are v0's.",
  },
  {
    file: 'ShareGroupDescribeResponse',
    version: 1,
    source: at('4.1.0', 'ShareGroupDescribeResponse'),
    change: "Version 1 is KIP-932's preview in 4.1 (KAFKA-19057); its fields are v0's.",
  },
  {
    file: 'ShareFetchRequest',
    version: 1,
    source: at('4.1.0', 'ShareFetchRequest'),
    change:
      "Version 1 is KIP-932's preview in 4.1 (KAFKA-19057): the fetch is bounded by MaxRecords and acquired in batches of BatchSize records; PartitionMaxBytes is gone.",
    add: [
      {
        after: 'MaxBytes',
        field: {
          name: 'MaxRecords',
          type: 'int32',
          versions: '1+',
          about: 'The maximum number of records to fetch. This limit can be exceeded for alignment of batch boundaries.',
        },
      },
      {
        after: 'MaxRecords',
        field: {
          name: 'BatchSize',
          type: 'int32',
          versions: '1+',
          about: 'The optimal number of records for batches of acquired records and acknowledgements.',
        },
      },
    ],
    alter: [{ struct: 'FetchPartition', name: 'PartitionMaxBytes', versions: '0' }],
  },
  {
    file: 'ShareFetchResponse',
    version: 1,
    source: at('4.1.0', 'ShareFetchResponse'),
    change: "Version 1 is KIP-932's preview in 4.1 (KAFKA-19057): it says how long the acquired records stay locked (AcquisitionLockTimeoutMs).",
    add: [
      {
        after: 'ErrorMessage',
        field: {
          name: 'AcquisitionLockTimeoutMs',
          type: 'int32',
          versions: '1+',
          about: 'The time in milliseconds for which the acquired records are locked.',
        },
      },
    ],
  },
  {
    file: 'ShareAcknowledgeRequest',
    version: 1,
    source: at('4.1.0', 'ShareAcknowledgeRequest'),
    change: "Version 1 is KIP-932's preview in 4.1 (KAFKA-19057); its fields are v0's.",
  },
  {
    file: 'ShareAcknowledgeResponse',
    version: 1,
    source: at('4.1.0', 'ShareAcknowledgeResponse'),
    change: "Version 1 is KIP-932's preview in 4.1 (KAFKA-19057); its fields are v0's.",
  },
  {
    file: 'ReadShareGroupStateSummaryResponse',
    version: 0,
    redefines: true,
    source: at('4.1.0', 'ReadShareGroupStateSummaryResponse'),
    change: "Version 0 as 4.1 released it: each partition's result also carries the share-partition's LeaderEpoch (used by DescribeShareGroupOffsets).",
    add: [
      {
        struct: 'PartitionResult',
        after: 'StateEpoch',
        field: { name: 'LeaderEpoch', type: 'int32', versions: '0+', about: 'The leader epoch of the share-partition.' },
      },
    ],
  },
  {
    file: 'ListClientMetricsResourcesRequest',
    version: 1,
    renamedTo: 'ListConfigResourcesRequest',
    source: at('4.1.0', 'ListConfigResourcesRequest'),
    change:
      'Kafka 4.1 renames the API ListConfigResources (KIP-1142; same key 74, v0 unchanged on the wire) and adds v1: ResourceTypes, the config resource types to list (empty: every type the broker supports). The codec keeps the v0 names.',
    add: [
      {
        field: {
          name: 'ResourceTypes',
          type: '[]int8',
          versions: '1+',
          about: 'The list of resource type. If the list is empty, it uses default supported config resource types.',
        },
      },
    ],
  },
  {
    file: 'ListClientMetricsResourcesResponse',
    version: 1,
    renamedTo: 'ListConfigResourcesResponse',
    source: at('4.1.0', 'ListConfigResourcesResponse'),
    change: "Version 1 adds each resource's ResourceType (KIP-1142; 4.1 names the list ConfigResources and the name ResourceName, the same on the wire).",
    add: [
      {
        struct: 'ClientMetricsResource',
        after: 'Name',
        field: { name: 'ResourceType', type: 'int8', versions: '1+', default: 16, about: 'The resource type.' },
      },
    ],
  },
];

/**
 * Error codes Apache Kafka added after ../shared/kafka-protocol/errors.json (which ends at 128,
 * INVALID_REGULAR_EXPRESSION). scripts/generate-protocol.ts appends them to errors.json's list before it
 * writes electron/kafka/protocol/error-codes.ts, so the broker, the services and the UI name them as
 * they name every other code. Each entry must be the next code (the generator refuses a gap or a code
 * the definitions already have: delete entries once errors.json catches up).
 *
 * Read from Kafka's Errors.java at the release that first has the code: names, codes and whether the
 * exception is retriable from tychedelia/kafka-protocol-rs src/error.rs (commit 52d60d0, "Update Kafka
 * error codes to 4.1.0"); the messages are Errors.java's own words, as its verbatim copy in
 * kroxylicious (io/kroxylicious/kafka/common/protocol/Errors.java) has them.
 */
export interface ErrorOverlay {
  code: number;
  name: string;
  retriable: boolean;
  message: string;
  /** The apache/kafka release tag that first has the code, and the KIP that added it. */
  source: { tag: string; path: string; kip: string };
}

const ERRORS_JAVA = 'clients/src/main/java/org/apache/kafka/common/protocol/Errors.java';
const since = (tag: '4.0.0' | '4.1.0', kip: string): ErrorOverlay['source'] => ({ tag, path: ERRORS_JAVA, kip });

export const ERROR_OVERLAY: readonly ErrorOverlay[] = [
  {
    code: 129,
    name: 'REBOOTSTRAP_REQUIRED',
    retriable: false,
    message: 'Client metadata is stale. The client should rebootstrap to obtain new metadata.',
    source: since('4.0.0', 'KIP-1102'),
  },
  { code: 130, name: 'STREAMS_INVALID_TOPOLOGY', retriable: false, message: 'The supplied topology is invalid.', source: since('4.1.0', 'KIP-1071') },
  {
    code: 131,
    name: 'STREAMS_INVALID_TOPOLOGY_EPOCH',
    retriable: false,
    message: 'The supplied topology epoch is invalid.',
    source: since('4.1.0', 'KIP-1071'),
  },
  { code: 132, name: 'STREAMS_TOPOLOGY_FENCED', retriable: false, message: 'The supplied topology epoch is outdated.', source: since('4.1.0', 'KIP-1071') },
  {
    code: 133,
    name: 'SHARE_SESSION_LIMIT_REACHED',
    retriable: true,
    message: 'The limit of share sessions has been reached.',
    source: since('4.1.0', 'KIP-932'),
  },
];

const errorFields = (level: string): OverlayField[] => [
  { name: 'ErrorCode', type: 'int16', versions: '0+', about: `The ${level}error code, or 0 if there was no error.` },
  {
    name: 'ErrorMessage',
    type: 'string',
    versions: '0+',
    nullableVersions: '0+',
    default: 'null',
    about: `The ${level}error message, or null if there was no error.`,
  },
];
const THROTTLE: OverlayField = {
  name: 'ThrottleTimeMs',
  type: 'int32',
  versions: '0+',
  about: 'The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota.',
};
const TOPIC_NAME: OverlayField = { name: 'TopicName', type: 'string', versions: '0+', about: 'The topic name.' };
const TOPIC_ID: OverlayField = { name: 'TopicId', type: 'uuid', versions: '0+', about: 'The unique topic ID.' };
const GROUP_ID: OverlayField = { name: 'GroupId', type: 'string', versions: '0+', about: 'The group identifier.' };
const KIP_932_ADMIN = 'KIP-932 (share groups) admin API, new in 4.1';

/** Whole definitions newer than ../shared (see the header): KIP-932's offset admin APIs, keys 90-92, from 4.1.0. */
export const PROTOCOL_NEW_MESSAGES: readonly MessageOverlay[] = [
  {
    file: 'DescribeShareGroupOffsetsRequest',
    source: at('4.1.0', 'DescribeShareGroupOffsetsRequest'),
    change: `${KIP_932_ADMIN}: the start offset of each share-partition of some groups (kafka-share-groups.sh --describe).`,
    definition: {
      apiKey: 90,
      type: 'request',
      name: 'DescribeShareGroupOffsetsRequest',
      validVersions: '0',
      flexibleVersions: '0+',
      fields: [
        {
          name: 'Groups',
          type: '[]DescribeShareGroupOffsetsRequestGroup',
          versions: '0+',
          about: 'The groups to describe offsets for.',
          fields: [
            GROUP_ID,
            {
              name: 'Topics',
              type: '[]DescribeShareGroupOffsetsRequestTopic',
              versions: '0+',
              nullableVersions: '0+',
              about: 'The topics to describe offsets for, or null for all topic-partitions.',
              fields: [TOPIC_NAME, { name: 'Partitions', type: '[]int32', versions: '0+', about: 'The partitions.' }],
            },
          ],
        },
      ],
    },
  },
  {
    file: 'DescribeShareGroupOffsetsResponse',
    source: at('4.1.0', 'DescribeShareGroupOffsetsResponse'),
    change: `${KIP_932_ADMIN}: per group, topic and partition the share-partition start offset and leader epoch, or an error.`,
    definition: {
      apiKey: 90,
      type: 'response',
      name: 'DescribeShareGroupOffsetsResponse',
      validVersions: '0',
      flexibleVersions: '0+',
      fields: [
        THROTTLE,
        {
          name: 'Groups',
          type: '[]DescribeShareGroupOffsetsResponseGroup',
          versions: '0+',
          about: 'The results for each group.',
          fields: [
            GROUP_ID,
            {
              name: 'Topics',
              type: '[]DescribeShareGroupOffsetsResponseTopic',
              versions: '0+',
              about: 'The results for each topic.',
              fields: [
                TOPIC_NAME,
                TOPIC_ID,
                {
                  name: 'Partitions',
                  type: '[]DescribeShareGroupOffsetsResponsePartition',
                  versions: '0+',
                  about: '',
                  fields: [
                    { name: 'PartitionIndex', type: 'int32', versions: '0+', about: 'The partition index.' },
                    { name: 'StartOffset', type: 'int64', versions: '0+', about: 'The share-partition start offset.' },
                    { name: 'LeaderEpoch', type: 'int32', versions: '0+', about: 'The leader epoch of the partition.' },
                    ...errorFields('partition-level '),
                  ],
                },
              ],
            },
            ...errorFields('group-level '),
          ],
        },
      ],
    },
  },
  {
    file: 'AlterShareGroupOffsetsRequest',
    source: at('4.1.0', 'AlterShareGroupOffsetsRequest'),
    change: `${KIP_932_ADMIN}: sets the start offset of share-partitions of an empty share group (kafka-share-groups.sh --reset-offsets).`,
    definition: {
      apiKey: 91,
      type: 'request',
      name: 'AlterShareGroupOffsetsRequest',
      validVersions: '0',
      flexibleVersions: '0+',
      fields: [
        GROUP_ID,
        {
          name: 'Topics',
          type: '[]AlterShareGroupOffsetsRequestTopic',
          versions: '0+',
          about: 'The topics to alter offsets for.',
          fields: [
            TOPIC_NAME,
            {
              name: 'Partitions',
              type: '[]AlterShareGroupOffsetsRequestPartition',
              versions: '0+',
              about: 'Each partition to alter offsets for.',
              fields: [
                { name: 'PartitionIndex', type: 'int32', versions: '0+', about: 'The partition index.' },
                { name: 'StartOffset', type: 'int64', versions: '0+', about: 'The share-partition start offset.' },
              ],
            },
          ],
        },
      ],
    },
  },
  {
    file: 'AlterShareGroupOffsetsResponse',
    source: at('4.1.0', 'AlterShareGroupOffsetsResponse'),
    change: `${KIP_932_ADMIN}: a top-level error (e.g. NON_EMPTY_GROUP) and one per partition.`,
    definition: {
      apiKey: 91,
      type: 'response',
      name: 'AlterShareGroupOffsetsResponse',
      validVersions: '0',
      flexibleVersions: '0+',
      fields: [
        THROTTLE,
        ...errorFields('top-level '),
        {
          name: 'Responses',
          type: '[]AlterShareGroupOffsetsResponseTopic',
          versions: '0+',
          about: 'The results for each topic.',
          fields: [
            TOPIC_NAME,
            TOPIC_ID,
            {
              name: 'Partitions',
              type: '[]AlterShareGroupOffsetsResponsePartition',
              versions: '0+',
              about: '',
              fields: [{ name: 'PartitionIndex', type: 'int32', versions: '0+', about: 'The partition index.' }, ...errorFields('')],
            },
          ],
        },
      ],
    },
  },
  {
    file: 'DeleteShareGroupOffsetsRequest',
    source: at('4.1.0', 'DeleteShareGroupOffsetsRequest'),
    change: `${KIP_932_ADMIN}: deletes the share-partition state of whole topics from an empty share group (kafka-share-groups.sh --delete-offsets).`,
    definition: {
      apiKey: 92,
      type: 'request',
      name: 'DeleteShareGroupOffsetsRequest',
      validVersions: '0',
      flexibleVersions: '0+',
      fields: [
        GROUP_ID,
        { name: 'Topics', type: '[]DeleteShareGroupOffsetsRequestTopic', versions: '0+', about: 'The topics to delete offsets for.', fields: [TOPIC_NAME] },
      ],
    },
  },
  {
    file: 'DeleteShareGroupOffsetsResponse',
    source: at('4.1.0', 'DeleteShareGroupOffsetsResponse'),
    change: `${KIP_932_ADMIN}: a top-level error and one per topic.`,
    definition: {
      apiKey: 92,
      type: 'response',
      name: 'DeleteShareGroupOffsetsResponse',
      validVersions: '0',
      flexibleVersions: '0+',
      fields: [
        THROTTLE,
        ...errorFields('top-level '),
        {
          name: 'Responses',
          type: '[]DeleteShareGroupOffsetsResponseTopic',
          versions: '0+',
          about: 'The results for each topic.',
          fields: [TOPIC_NAME, TOPIC_ID, ...errorFields('topic-level ')],
        },
      ],
    },
  },
];
