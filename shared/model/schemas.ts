// Plain, serialisable data that crosses the IPC boundary. Each model is a zod schema so the main
// process can validate what it receives and what it answers; the TypeScript types are inferred.
//
// Offsets and sizes are JavaScript numbers: they are exact up to 2^53, far beyond any real offset, and
// numbers survive both Electron's structured clone and web mode's JSON without a custom codec.
import { z } from 'zod';
import { brokerRefSchema } from './cluster';

/**
 * UTF-8 bytes of a string, counted without encoding it. A lone surrogate counts as U+FFFD (3 bytes),
 * as TextEncoder and Buffer write it.
 */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** "1.5 MB", "100 KB", "12 bytes" (decimal units, as Kafka's byte limits are usually written). */
export function formatByteSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} byte${bytes === 1 ? '' : 's'}`;
  const [value, unit] = bytes < 1e6 ? [bytes / 1e3, 'KB'] : [bytes / 1e6, 'MB'];
  return `${Number(value.toFixed(1))} ${unit}`;
}

/**
 * A refinement limiting a string to `maxBytes` in UTF-8. IPC limits are in bytes because bytes are
 * what a frame, a socket buffer and a Kafka record carry: 10 million characters of "é" are 20 MB.
 */
export function maxUtf8Bytes(maxBytes: number, what: string) {
  return (text: string, context: z.RefinementCtx) => {
    // Every UTF-16 unit is 1 to 3 bytes: most strings are decided without counting.
    if (text.length * 3 <= maxBytes) return;
    const bytes = utf8ByteLength(text);
    if (bytes > maxBytes) {
      let [limit, size] = [formatByteSize(maxBytes), formatByteSize(bytes)];
      // Just over the limit: rounded sizes would read the same, so say the bytes.
      if (limit === size) [limit, size] = [`${maxBytes.toLocaleString('en')} bytes`, `${bytes.toLocaleString('en')} bytes`];
      context.addIssue({ code: 'custom', message: `${what} can be at most ${limit} in UTF-8; this one is ${size}.` });
    }
  };
}

/** A string of at most `maxBytes` bytes in UTF-8. */
export const boundedText = (maxBytes: number, what: string) => z.string().superRefine(maxUtf8Bytes(maxBytes, what));

// Kafka's own rules (org.apache.kafka.common.internals.Topic): 1..249 characters from [a-zA-Z0-9._-],
// and not "." or "..".
export const TOPIC_NAME_MAX_LENGTH = 249;
export const topicNameSchema = z
  .string()
  .min(1, 'Enter a topic name.')
  .max(TOPIC_NAME_MAX_LENGTH, `A topic name can have at most ${TOPIC_NAME_MAX_LENGTH} characters.`)
  .regex(/^[a-zA-Z0-9._-]*$/, 'A topic name can only contain letters, digits, ".", "_" and "-".')
  .refine((name) => name !== '.' && name !== '..', 'A topic name cannot be "." or "..".');

export const connectionIdSchema = z.string().min(1).max(100);
export const EMBEDDED_CONNECTION_ID = 'embedded';

export const saslMechanismSchema = z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER']);
export type SaslMechanism = z.infer<typeof saslMechanismSchema>;

/** Loopback hosts, where a token endpoint may be plain http (a local identity provider). */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

// OAUTHBEARER's token: given as is, or fetched from an identity provider's token endpoint with the
// client-credentials grant (RFC 6749 section 4.4), as Kafka's OAuthBearerLoginCallbackHandler does (KIP-768).
export const oauthSchema = z
  .object({
    method: z.enum(['token', 'client-credentials']),
    tokenEndpoint: z.string().trim().max(2048).optional(),
    clientId: z.string().trim().max(1024).optional(),
    // Space-separated scopes asked for (the grant's `scope`); empty asks for the client's default.
    scope: z.string().trim().max(1024).optional(),
  })
  .superRefine((oauth, context) => {
    if (oauth.method !== 'client-credentials') return;
    if (!oauth.clientId) context.addIssue({ code: 'custom', path: ['clientId'], message: 'Enter the OAuth client id.' });
    const endpoint = oauth.tokenEndpoint ?? '';
    let url: URL | null;
    try {
      url = new URL(endpoint);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      context.addIssue({ code: 'custom', path: ['tokenEndpoint'], message: 'Enter the token endpoint as an https:// URL.' });
    } else if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
      // The client secret travels in the request: only over TLS, except to this machine.
      context.addIssue({ code: 'custom', path: ['tokenEndpoint'], message: 'The token endpoint must use https:// (plain http only to localhost).' });
    }
  });
export type OAuthSettings = z.infer<typeof oauthSchema>;

const filePathSchema = z.string().max(4096);

// "host:port" pairs separated by commas, as every Kafka client takes them.
export const bootstrapServersSchema = z
  .string()
  .trim()
  .min(1, 'Enter at least one bootstrap server, such as localhost:9092.')
  .refine(
    (value) => value.split(',').every((entry) => /^[^\s:,]+:\d{1,5}$/.test(entry.trim()) && Number(entry.trim().split(':').pop()) <= 65535),
    'Bootstrap servers must be host:port pairs separated by commas, such as broker1:9092,broker2:9092.',
  );

// How long to wait for a broker: to open a connection (TCP, TLS and SASL), and for the answer to each
// request. Defaults as in the app before they could be set: short enough for a wrong address to fail
// fast, long enough for a loaded cluster.
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
export const connectionTimeoutsSchema = z.object({
  connectMs: z.number().int().min(500, 'The connect timeout must be at least 0.5 s.').max(120_000, 'The connect timeout can be at most 120 s.'),
  requestMs: z.number().int().min(1_000, 'The request timeout must be at least 1 s.').max(300_000, 'The request timeout can be at most 300 s.'),
});
export type ConnectionTimeouts = z.infer<typeof connectionTimeoutsSchema>;
export const DEFAULT_TIMEOUTS: ConnectionTimeouts = { connectMs: DEFAULT_CONNECT_TIMEOUT_MS, requestMs: DEFAULT_REQUEST_TIMEOUT_MS };

// What the renderer sends to save or test an external connection. Secrets travel one way only: the
// main process stores them and never sends them back (summaries carry `hasPassword` instead).
export const connectionInputSchema = z.object({
  id: connectionIdSchema.optional(),
  name: z.string().trim().min(1, 'Enter a name for the connection.').max(100),
  bootstrapServers: bootstrapServersSchema,
  clientId: z.string().trim().min(1, 'Enter a client id.').max(255).default('kafka-desk'),
  sasl: z
    .object({
      mechanism: saslMechanismSchema,
      // PLAIN and SCRAM log in with it; OAUTHBEARER takes the principal from the token.
      username: z.string().max(1024).default(''),
      // The secret: the password (PLAIN, SCRAM), the token (OAUTHBEARER, method token) or the client
      // secret (OAUTHBEARER, method client-credentials). Omitted when editing means "keep the stored one".
      password: z.string().max(16_384).optional(),
      oauth: oauthSchema.optional(),
    })
    .superRefine((sasl, context) => {
      if (sasl.mechanism !== 'OAUTHBEARER' && sasl.username === '')
        context.addIssue({ code: 'custom', path: ['username'], message: 'Enter the SASL user name.' });
      if (sasl.mechanism === 'OAUTHBEARER' && !sasl.oauth) {
        context.addIssue({ code: 'custom', path: ['oauth'], message: 'Choose how the OAUTHBEARER token is obtained.' });
      }
    })
    .nullable()
    .default(null),
  tls: z
    .object({
      enabled: z.boolean(),
      // Absent: the system's trusted CAs.
      caFile: filePathSchema.optional(),
      certFile: filePathSchema.optional(),
      keyFile: filePathSchema.optional(),
      // Certificate checks stay on unless the user turns them off for this one connection.
      rejectUnauthorized: z.boolean().default(true),
      // Whether the certificate must name the broker's host (Kafka's ssl.endpoint.identification.algorithm=https, its default).
      verifyHostname: z.boolean().default(true),
    })
    .default({ enabled: false, rejectUnauthorized: true, verifyHostname: true }),
  timeouts: connectionTimeoutsSchema.default(DEFAULT_TIMEOUTS),
});
export type ConnectionInput = z.input<typeof connectionInputSchema>;
export type ConnectionConfig = z.output<typeof connectionInputSchema>;

export const connectionSummarySchema = z.object({
  id: connectionIdSchema,
  name: z.string(),
  kind: z.enum(['embedded', 'external']),
  bootstrapServers: z.string(),
  clientId: z.string(),
  sasl: z
    .object({
      mechanism: saslMechanismSchema,
      username: z.string(),
      // A secret (password, token or client secret) is kept for it.
      hasPassword: z.boolean(),
      oauth: oauthSchema.optional(),
    })
    .nullable(),
  tls: z.object({
    enabled: z.boolean(),
    caFile: z.string().optional(),
    certFile: z.string().optional(),
    keyFile: z.string().optional(),
    rejectUnauthorized: z.boolean(),
    verifyHostname: z.boolean(),
  }),
  timeouts: connectionTimeoutsSchema,
  // False for the embedded cluster while it is stopped or disabled.
  available: z.boolean(),
});
export type ConnectionSummary = z.infer<typeof connectionSummarySchema>;

export const connectionTestResultSchema = z.object({
  clusterId: z.string(),
  brokers: z.number().int(),
  controllerId: z.number().int(),
  // The whole test: connecting, and asking every broker.
  latencyMs: z.number(),
  // The round trip of the Metadata request alone.
  rttMs: z.number(),
  // Brokers the cluster lists that could not be reached (often a wrong advertised listener).
  unreachableBrokers: z.array(z.string()),
});
export type ConnectionTestResult = z.infer<typeof connectionTestResultSchema>;

// Brokers, the cluster overview, broker pages and leader elections live in ./cluster.
export * from './cluster';

// Internal topics (__consumer_offsets, ...) are not listed: they are the cluster's own bookkeeping.
export const topicSummarySchema = z.object({
  name: z.string(),
  partitions: z.number().int(),
  replicationFactor: z.number().int(),
  underReplicatedPartitions: z.number().int(),
  offlinePartitions: z.number().int(),
  // Kafka's error name when Metadata could not describe the topic (TOPIC_AUTHORIZATION_FAILED, ...).
  error: z.string().nullable(),
  // The cluster's or a platform's own bookkeeping (isInternalTopic); absent: a user topic.
  internal: z.boolean().optional(),
});
export type TopicSummary = z.infer<typeof topicSummarySchema>;

/**
 * Topics a cluster or its platform keeps for itself: those Metadata flags internal (__consumer_offsets,
 * __transaction_state), and by convention any name starting with "__" (KRaft's __cluster_metadata,
 * MSK's __amazon_msk_canary), Schema Registry's _schemas and Confluent's _confluent-* topics.
 */
export function isInternalTopic(name: string, flaggedByMetadata = false): boolean {
  return flaggedByMetadata || name.startsWith('__') || name === '_schemas' || name.startsWith('_confluent');
}

// Record counts and sizes come separately from the layout: they take ListOffsets and DescribeLogDirs
// across every partition, so the topics screen shows the layout first and fills these in after.
export const topicStatsSchema = z.object({
  name: z.string(),
  // Sum over partitions of high watermark minus low watermark; null when the offsets could not be read.
  records: z.number().nullable(),
  // Bytes on disk of the leader replicas; null when the cluster would not say (DescribeLogDirs failed).
  sizeBytes: z.number().nullable(),
  // Partitions left out of `records` (offline, or their leader did not answer) and of `sizeBytes`
  // (no broker holding them answered DescribeLogDirs): the sums are then lower bounds.
  recordsUnknownPartitions: z.number().int(),
  sizeUnknownPartitions: z.number().int(),
});
export type TopicStats = z.infer<typeof topicStatsSchema>;

export const partitionInfoSchema = z.object({
  partition: z.number().int(),
  leader: z.number().int(),
  leaderEpoch: z.number().int(),
  replicas: z.array(z.number().int()),
  isr: z.array(z.number().int()),
  offlineReplicas: z.array(z.number().int()),
  lowWatermark: z.number().nullable(),
  highWatermark: z.number().nullable(),
  sizeBytes: z.number().nullable(),
  // Eligible leader replicas and the last known ELR (KIP-966) as DescribeTopicPartitions reports them;
  // null when the cluster does not report them (before Kafka 3.8, or the read failed).
  eligibleLeaderReplicas: z.array(z.number().int()).nullable(),
  lastKnownElr: z.array(z.number().int()).nullable(),
  // Kafka's error name for the partition in Metadata (LEADER_NOT_AVAILABLE when offline, ...).
  error: z.string().nullable(),
  // Why the watermarks or the size could not be read, in words; null when they were.
  readError: z.string().nullable(),
});
export type PartitionInfo = z.infer<typeof partitionInfoSchema>;

export const topicDetailSchema = z.object({
  name: z.string(),
  id: z.string(),
  partitions: z.array(partitionInfoSchema),
  // The brokers holding its replicas, up or down, to explain offline and under-replicated partitions.
  brokers: z.array(brokerRefSchema),
  readAt: z.number(),
});
export type TopicDetail = z.infer<typeof topicDetailSchema>;

export const configSourceSchema = z.enum(['topic', 'dynamic-broker', 'dynamic-default-broker', 'static-broker', 'default', 'unknown']);
export type ConfigSource = z.infer<typeof configSourceSchema>;

export const configEntrySchema = z.object({
  name: z.string(),
  value: z.string().nullable(),
  source: configSourceSchema,
  // What the topic falls back to without its own override, from the config's synonyms. The synonym
  // may be a broker config with another name and unit (retention.ms falls back to log.retention.hours).
  defaultValue: z.string().nullable(),
  defaultName: z.string().nullable(),
  readOnly: z.boolean(),
  sensitive: z.boolean(),
});
export type ConfigEntry = z.infer<typeof configEntrySchema>;

export const configNameSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[a-z0-9.]+$/, 'Config names are lower-case words separated by dots, such as retention.ms.');

export const compressionSchema = z.enum(['none', 'gzip', 'snappy', 'lz4', 'zstd']);
export type Compression = z.infer<typeof compressionSchema>;

export const MAX_PRODUCE_REPEAT = 10_000;

// 9999-12-31: what a date picker and ISO 8601 with four-digit years can write.
export const MAX_TIMESTAMP_MS = 253_402_300_799_999;

export const produceRequestSchema = z.object({
  connectionId: connectionIdSchema,
  topic: topicNameSchema,
  key: boundedText(1_000_000, 'The key').nullable(),
  value: boundedText(10_000_000, 'The value').nullable(),
  headers: z
    .array(
      z.object({
        key: z.string().min(1, 'A header needs a name.').superRefine(maxUtf8Bytes(1024, 'A header name')),
        value: boundedText(100_000, 'A header value'),
      }),
    )
    .max(100),
  // null: the client's partitioner chooses (murmur2 of the key, as the Java client does).
  partition: z.number().int().min(0).nullable(),
  compression: compressionSchema.default('none'),
  acks: z.union([z.literal(-1), z.literal(0), z.literal(1)]).default(-1),
  repeat: z.number().int().min(1, 'Send at least one record.').max(MAX_PRODUCE_REPEAT, `Send at most ${MAX_PRODUCE_REPEAT} records at once.`).default(1),
  // Expand {{seq}}, {{uuid}}, {{now}}, {{oneOf a,b}} and {{int 1,9}} in the key, the value and header
  // values for each record (shared/model/record-template.ts), in the main process.
  templates: z.boolean().default(false),
  // The records' CreateTime in milliseconds since the epoch; null: the time of the send.
  timestamp: z.number().int('A timestamp is whole milliseconds.').min(0, 'A timestamp cannot be before 1970.').max(MAX_TIMESTAMP_MS).nullable().default(null),
  // Values from a file the user chose (produce.chooseFile or produce.uploadFile: its handle, never a
  // path) instead of `value`: one record per line, or the whole file as one value. `repeat` then does
  // not apply (lines mode) or repeats the file's value.
  file: z
    .object({
      handle: z.string().min(1, 'Choose a file.').max(100),
      mode: z.enum(['lines', 'whole']),
    })
    .strict()
    .nullable()
    .default(null),
});
export type ProduceRequest = z.input<typeof produceRequestSchema>;

/** The largest file the browser uploads for the produce form (web mode): 8 MB of UTF-8 text. */
export const MAX_UPLOAD_BYTES = 8_000_000;

// A file chosen for the produce form: the handle a send names, the file's name and size in bytes.
export const chosenFileSchema = z.object({ handle: z.string(), name: z.string(), size: z.number().int() });
export type ChosenFile = z.infer<typeof chosenFileSchema>;
export const uploadFileSchema = z
  .object({
    name: z.string().trim().min(1, 'Name the file.').max(255, 'A file name can be at most 255 characters.'),
    content: boundedText(MAX_UPLOAD_BYTES, 'A file uploaded from the browser'),
  })
  .strict();

// `index`: the record's place in the send (0-based), as templates and file lines number them.
export const producedRecordSchema = z.object({ index: z.number().int(), partition: z.number().int(), offset: z.number() });
export const failedRecordSchema = z.object({ index: z.number().int(), partition: z.number().int(), error: z.string() });
export const produceResultSchema = z.object({
  topic: z.string(),
  // With acks=0 the broker does not answer, so partitions and offsets are unknown.
  records: z.array(producedRecordSchema),
  // Records the cluster did not take (their partition's batch was refused or its leader is offline),
  // each with why; the others were written. A send where every record failed is an error instead.
  failed: z.array(failedRecordSchema),
  acknowledged: z.boolean(),
  durationMs: z.number(),
});
export type ProduceResult = z.infer<typeof produceResultSchema>;

export const embeddedBrokerStatusSchema = z.object({
  id: z.number().int(),
  host: z.string(),
  port: z.number().int(),
  state: z.enum(['running', 'stopped']),
});
export type EmbeddedBrokerStatus = z.infer<typeof embeddedBrokerStatusSchema>;

// The Apache Kafka releases the embedded cluster can play (electron/kafka/releases.ts holds what each
// advertised; a test keeps the two lists equal). Null or absent: every version the cluster implements.
export const KAFKA_VERSION_CHOICES = [
  '0.11',
  '1.0',
  '1.1',
  '2.0',
  '2.1',
  '2.2',
  '2.3',
  '2.4',
  '2.5',
  '2.6',
  '2.7',
  '2.8',
  '3.0',
  '3.1',
  '3.2',
  '3.3',
  '3.4',
  '3.5',
  '3.6',
  '3.7',
  '3.8',
  '3.9',
  '4.0',
  '4.1',
] as const;
export const kafkaVersionSchema = z.enum(KAFKA_VERSION_CHOICES, { error: 'Choose a Kafka release from 0.11 to 4.1.' }).nullable();
export type KafkaVersion = (typeof KAFKA_VERSION_CHOICES)[number];
// ZooKeeper or KRaft brokers of the release played: 3.3-3.9 ran either (null: the release's default,
// ZooKeeper through 3.9, KRaft from 4.0). electron/kafka/releases.ts's releaseModes() is the reference.
export const METADATA_MODE_CHOICES = ['zookeeper', 'kraft'] as const;
export const metadataModeSchema = z.enum(METADATA_MODE_CHOICES, { error: 'Choose ZooKeeper or KRaft brokers.' }).nullable();
export type MetadataModeChoice = (typeof METADATA_MODE_CHOICES)[number];
/** The modes a release's brokers could run in (KRaft production-ready from 3.3, ZooKeeper removed in 4.0). */
export function metadataModesOf(version: KafkaVersion): MetadataModeChoice[] {
  const at = KAFKA_VERSION_CHOICES.indexOf(version);
  return [
    ...(at <= KAFKA_VERSION_CHOICES.indexOf('3.9') ? (['zookeeper'] as const) : []),
    ...(at >= KAFKA_VERSION_CHOICES.indexOf('3.3') ? (['kraft'] as const) : []),
  ];
}
/** Why a release cannot be played in a mode, in words; null when it can (or no mode is asked). */
export function metadataModeProblem(version: KafkaVersion | null | undefined, mode: MetadataModeChoice | null | undefined): string | null {
  if (!mode) return null;
  if (!version) return "Choose a Kafka release to choose its brokers' metadata mode: without one they answer as the newest (KRaft) brokers.";
  if (metadataModesOf(version).includes(mode)) return null;
  return mode === 'kraft'
    ? `Kafka ${version} cannot run KRaft brokers here: KRaft became production-ready in 3.3.`
    : `Kafka ${version} has no ZooKeeper mode: Kafka 4.0 removed it.`;
}

// What the embedded cluster runs with (or will, at its next start): broker count, first port (broker
// n listens on basePort + n) and data directory (resolved: never empty).
// Kafka's security protocols (a listener's, a client's security.protocol).
export const SECURITY_PROTOCOL_CHOICES = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;

export const embeddedRunConfigSchema = z.object({
  brokers: z.number().int().min(1, 'Run at least one broker.').max(9, 'Run at most 9 brokers.'),
  basePort: z.number().int().min(1024, 'Use a port of 1024 or more.').max(65_000, 'Use a port of 65000 or less.'),
  dataDir: z.string().max(4096),
  // The Kafka release the brokers play (advertise and accept its API versions); null: the newest.
  kafkaVersion: kafkaVersionSchema.optional(),
  // ZooKeeper or KRaft brokers of that release (null: the release's default).
  metadataMode: metadataModeSchema.optional(),
});
export type EmbeddedRunConfig = z.infer<typeof embeddedRunConfigSchema>;

export const embeddedClusterStatusSchema = z.object({
  // Whether it starts with the app (Settings, or --no-embedded).
  enabled: z.boolean(),
  // disabled: turned off and not started from the UI in this run.
  state: z.enum(['disabled', 'starting', 'running', 'stopping', 'stopped', 'failed', 'unavailable']),
  // Why the cluster is not running, in words a user understands.
  message: z.string().nullable(),
  bootstrapServers: z.string().nullable(),
  dataDir: z.string(),
  brokers: z.array(embeddedBrokerStatusSchema),
  config: embeddedRunConfigSchema,
  // Settings this run took from the command line (npm run web flags) instead of Settings.
  launchOverrides: z.array(z.enum(['enabled', 'brokers', 'basePort', 'dataDir', 'kafkaVersion', 'metadataMode', 'security'])),
  // Settings a start or restart from the app changed for this run (free ports after a clash, ...).
  changedInRun: z.array(z.enum(['brokers', 'basePort', 'dataDir', 'kafkaVersion', 'metadataMode'])),
  // After a start failed on taken ports: which, and the first free range after them (null: none).
  portsInUse: z.array(z.number().int()),
  freeBasePort: z.number().int().nullable(),
  // The embedded schema registry's address while it serves (Confluent-compatible REST API), and why
  // it does not when the cluster runs without it.
  schemaRegistryUrl: z.string().nullable().optional(),
  schemaRegistryError: z.string().nullable().optional(),
  // How the running cluster is secured: its listeners' protocol, the CA clients must trust (TLS), the
  // user the app's embedded connection logs in as (SASL), whether the authorizer is on.
  security: z
    .object({ protocol: z.enum(SECURITY_PROTOCOL_CHOICES), caLocation: z.string().nullable(), user: z.string().nullable(), acl: z.boolean() })
    .nullable()
    .optional(),
});
export type EmbeddedClusterStatus = z.infer<typeof embeddedClusterStatusSchema>;

export const clusterEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('broker'), brokerId: z.number().int(), state: z.enum(['up', 'down', 'added', 'removed']), at: z.number() }),
  z.object({
    type: z.literal('leader'),
    topic: z.string(),
    partition: z.number().int(),
    leader: z.number().int(),
    leaderEpoch: z.number().int(),
    at: z.number(),
  }),
  z.object({ type: z.literal('isr'), topic: z.string(), partition: z.number().int(), isr: z.array(z.number().int()), at: z.number() }),
  z.object({ type: z.literal('topic'), topic: z.string(), change: z.enum(['created', 'deleted', 'partitions']), at: z.number() }),
  // A partition's replica set changed: a reassignment started (adding/removing listed), completed or was cancelled.
  z.object({
    type: z.literal('replicas'),
    topic: z.string(),
    partition: z.number().int(),
    replicas: z.array(z.number().int()),
    adding: z.array(z.number().int()),
    removing: z.array(z.number().int()),
    at: z.number(),
  }),
]);
export type ClusterEvent = z.infer<typeof clusterEventSchema>;

// The embedded cluster secured as `npm run cluster -- --security-protocol P --user name:password ... --acl`
// runs it: TLS with its generated CA, SASL (PLAIN, SCRAM-SHA-256/512, OAUTHBEARER) for these users, the
// authorizer with the first user as super user. The app's embedded connection logs in as the first user.
export const embeddedUserNameSchema = z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, "A user name is 1 to 64 letters, digits, '.', '_', '@' or '-'.");
export const embeddedUserPasswordSchema = z.string().min(1, 'Enter a password for the user.').max(1024, 'A password is at most 1024 characters.');
const securityProtocolSchema = z.enum(SECURITY_PROTOCOL_CHOICES, { error: 'Choose PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.' });

/** What any form of the embedded cluster's security must hold, whatever carries the passwords. */
function checkEmbeddedSecurity(security: { protocol: string; users: ReadonlyArray<{ name: string }>; acl: boolean }, context: z.RefinementCtx): void {
  const sasl = security.protocol === 'SASL_PLAINTEXT' || security.protocol === 'SASL_SSL';
  if (sasl && security.users.length === 0)
    context.addIssue({ code: 'custom', path: ['users'], message: 'SASL needs a user: Kafka Desk logs in as the first one.' });
  if (security.acl && !sasl)
    context.addIssue({ code: 'custom', path: ['acl'], message: 'ACLs need SASL: the first user is the super user Kafka Desk logs in as.' });
  const seen = new Set<string>();
  security.users.forEach((user, index) => {
    if (seen.has(user.name)) context.addIssue({ code: 'custom', path: ['users', index, 'name'], message: `${user.name} is listed twice.` });
    seen.add(user.name);
  });
}

// With every password: what the cluster starts with (the main process only: from the command line, or
// Settings with the passwords taken from the secret store).
export const embeddedSecuritySchema = z
  .object({
    protocol: securityProtocolSchema,
    users: z.array(z.object({ name: embeddedUserNameSchema, password: embeddedUserPasswordSchema })).max(20, 'At most 20 users.'),
    acl: z.boolean(),
  })
  .superRefine(checkEmbeddedSecurity);
export type EmbeddedSecurity = z.infer<typeof embeddedSecuritySchema>;

// As Settings show it to the renderer: a user's password never comes back, only whether one is kept
// (false: it was kept in memory by an earlier run without an OS keychain, and must be given again).
export const embeddedSecurityViewSchema = z.object({
  protocol: z.enum(SECURITY_PROTOCOL_CHOICES),
  users: z.array(z.object({ name: z.string(), hasPassword: z.boolean() })),
  acl: z.boolean(),
});
export type EmbeddedSecurityView = z.infer<typeof embeddedSecurityViewSchema>;

// A change from Settings: a user without a password keeps the one kept for that name (a new user needs one).
export const embeddedSecurityUpdateSchema = z
  .object({
    protocol: securityProtocolSchema,
    users: z.array(z.object({ name: embeddedUserNameSchema, password: embeddedUserPasswordSchema.optional() })).max(20, 'At most 20 users.'),
    acl: z.boolean(),
  })
  .superRefine(checkEmbeddedSecurity);
export type EmbeddedSecurityUpdate = z.infer<typeof embeddedSecurityUpdateSchema>;

export const embeddedSettingsSchema = z.object({
  enabled: z.boolean(),
  brokers: z.number().int().min(1, 'Run at least one broker.').max(9, 'Run at most 9 brokers.'),
  basePort: z.number().int().min(1024, 'Use a port of 1024 or more.').max(65_000, 'Use a port of 65000 or less.'),
  // Empty means the default: "kafka-data" under the app's data directory.
  dataDir: z.string().max(4096),
  // The embedded schema registry's port on 127.0.0.1 (absent: 18081; 0: any free port).
  schemaRegistryPort: z.number().int().min(0).max(65_535, 'Use a port of 65535 or less.').optional(),
  // The Kafka release the embedded brokers play (absent or null: every version they implement).
  kafkaVersion: kafkaVersionSchema.optional(),
  // ZooKeeper or KRaft brokers of that release (absent or null: the release's default).
  metadataMode: metadataModeSchema.optional(),
  // Absent: PLAINTEXT, no users, no authorizer. Applies at the next start (launch, or a start/restart from the app).
  security: embeddedSecurityViewSchema.optional(),
});
export type EmbeddedSettings = z.infer<typeof embeddedSettingsSchema>;
// Settings' embedded section as a change gives it: the security with passwords to keep (or none: kept as they are).
export const embeddedSettingsUpdateSchema = embeddedSettingsSchema.extend({ security: embeddedSecurityUpdateSchema.optional() }).superRefine((value, ctx) => {
  const problem = metadataModeProblem(value.kafkaVersion, value.metadataMode);
  if (problem) ctx.addIssue({ code: 'custom', path: ['metadataMode'], message: problem });
});
export type EmbeddedSettingsUpdate = z.infer<typeof embeddedSettingsUpdateSchema>;

// The app's theme: follow the OS (system), or always light or dark.
export const themeSchema = z.enum(['system', 'light', 'dark'], { error: 'Choose system, light or dark.' });
export type ThemePreference = z.infer<typeof themeSchema>;

export const settingsSchema = z.object({
  embedded: embeddedSettingsSchema,
  // Absent: the theme follows the OS.
  appearance: z.object({ theme: themeSchema }).strict().optional(),
});
export type Settings = z.infer<typeof settingsSchema>;
// settings.update: each section given replaces the saved one; sections left out stay as saved.
export const settingsUpdateSchema = z.object({ embedded: embeddedSettingsUpdateSchema.optional(), appearance: settingsSchema.shape.appearance }).strict();
export type SettingsUpdate = z.infer<typeof settingsUpdateSchema>;

export const appInfoSchema = z.object({
  mode: z.enum(['electron', 'web']),
  version: z.string(),
  // Where saved passwords live: encrypted on disk with Electron's safeStorage, or only in memory for
  // this run (web mode, or an OS without a keyring), never written to disk in clear.
  secretStorage: z.enum(['encrypted', 'memory']),
  userDataDir: z.string(),
});
export type AppInfo = z.infer<typeof appInfoSchema>;
