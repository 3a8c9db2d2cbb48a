// The one IPC contract between the main process and the renderer: every channel with the schema of
// its request and of its response, and every event the main process pushes. The preload bridge, the
// main-process registry, the web-mode socket and the renderer's client are all derived from it.
import { z } from 'zod';
import {
  demoOptionsSchema,
  demoStatusSchema,
  demoStopRequestSchema,
  groupDetailSchema,
  groupRequestSchema,
  groupSummarySchema,
  groupTopicRequestSchema,
  lagSampledEventSchema,
  lagSeriesRequestSchema,
  lagSeriesSchema,
  lagSettingsSchema,
  lagSparklinesRequestSchema,
  lagSparklinesSchema,
  lagTopicRequestSchema,
  lagViewRequestSchema,
  lagWatchedSchema,
  lagWatchRequestSchema,
  resetPreviewSchema,
  resetRequestSchema,
  sampleAllResultSchema,
  topicGroupsLagSchema,
} from '../model/groups';
import {
  appInfoSchema,
  brokerDetailSchema,
  clusterEventSchema,
  clusterOverviewSchema,
  boundedText,
  configEntrySchema,
  configNameSchema,
  connectionIdSchema,
  connectionInputSchema,
  connectionSummarySchema,
  connectionTimeoutsSchema,
  connectionTestResultSchema,
  electionPreviewSchema,
  electionResultSchema,
  electionScopeSchema,
  embeddedClusterStatusSchema,
  embeddedRunConfigSchema,
  chosenFileSchema,
  produceRequestSchema,
  produceResultSchema,
  uploadFileSchema,
  settingsSchema,
  settingsUpdateSchema,
  topicDetailSchema,
  topicNameSchema,
  topicStatsSchema,
  topicSummarySchema,
} from '../model/schemas';
import {
  aclBindingRequestSchema,
  aclDeleteRequestSchema,
  aclEntrySchema,
  aclListRequestSchema,
  aclListSchema,
  aclPreviewSchema,
  scramCredentialRequestSchema,
  scramUserListSchema,
  clientQuotaListSchema,
  clientQuotaAlterRequestSchema,
  clientThrottlingSchema,
  scramUserRequestSchema,
  scramUserSchema,
} from '../model/acls';
import { clusterFeaturesSchema, featureUpdateRequestSchema, featureUpdateResultSchema } from '../model/features';
import { reassignmentApplySchema, reassignmentCancelSchema, reassignmentResultSchema, reassignmentStateSchema } from '../model/reassignments';
import { connectionActivitySchema, connectionFailureSchema, connectionHealthSchema, testIdSchema } from '../model/connections';
import {
  deleteSavedQuerySchema,
  exportRequestSchema,
  exportResultSchema,
  pageSchema,
  progressSchema,
  readRequestSchema,
  renameSavedQuerySchema,
  savedQueryRequestSchema,
  savedQuerySchema,
  tailEventSchema,
  tailInfoSchema,
  tailStartSchema,
  topicDecodersSchema,
  valueChunkSchema,
  valueRequestSchema,
} from '../model/messages';
import {
  compatibilityResultSchema,
  compatibilityLevelSchema,
  deleteSchemaRequestSchema,
  produceSchemasSchema,
  registeredSchema,
  registryInputSchema,
  registrySummarySchema,
  schemaIdRequestSchema,
  schemaIdSubjectsSchema,
  schemaInputSchema,
  setCompatibilityRequestSchema,
  subjectDetailSchema,
  subjectListSchema,
  subjectRequestSchema,
  subjectUsageSchema,
} from '../model/registry';

import { abortRequestSchema, abortResultSchema, topicTransactionsSchema, transactionsOverviewSchema } from '../model/transactions';
import { clientMetricsDeleteRequestSchema, clientMetricsOverviewSchema, clientMetricsSaveRequestSchema } from '../model/client-metrics';

const empty = z.object({}).strict();
const onConnection = z.object({ connectionId: connectionIdSchema }).strict();
const withInternal = z.object({ connectionId: connectionIdSchema, includeInternal: z.boolean().default(false) }).strict();
const onTopic = z.object({ connectionId: connectionIdSchema, topic: topicNameSchema }).strict();
const brokerId = z.object({ brokerId: z.number().int().min(0) }).strict();
const configValueSchema = boundedText(100_000, 'A config value');

export const MAX_PARTITIONS = 10_000;

/**
 * The largest message web mode's socket carries, in bytes of its JSON frame. Text fields of requests
 * are limited in UTF-8 bytes (shared/model), which is what a frame and a Kafka record carry; the
 * renderer refuses a larger call before sending it, the server closes a socket that sends one (1009).
 */
export const MAX_IPC_MESSAGE_BYTES = 16 * 1024 * 1024;

export const contract = {
  'app.info': { request: empty, response: appInfoSchema },
  'settings.get': { request: empty, response: settingsSchema },
  // Settings of the embedded cluster take effect at the next launch; the response says what is saved.
  // Each section given replaces the saved one; sections left out stay as saved.
  // An embedded user given without a password keeps the one kept; passwords are never sent back.
  'settings.update': { request: settingsUpdateSchema, response: settingsSchema },

  'connections.list': { request: empty, response: z.array(connectionSummarySchema) },
  'connections.save': { request: connectionInputSchema.strict(), response: connectionSummarySchema },
  // Makes and saves a connection from a Kafka client .properties file (Java client or librdkafka names),
  // read by the main process; says what in it could not be used.
  'connections.importProperties': {
    request: z
      .object({ path: z.string().trim().min(1, 'Enter the path of the .properties file.').max(4096), name: z.string().trim().max(100).optional() })
      .strict(),
    response: z.object({ connection: connectionSummarySchema, warnings: z.array(z.string()), ignored: z.array(z.string()) }),
  },
  'connections.delete': { request: z.object({ id: connectionIdSchema }).strict(), response: empty },
  // The connect and request timeouts of any connection, the embedded one included.
  'connections.setTimeouts': {
    request: z.object({ connectionId: connectionIdSchema, timeouts: connectionTimeoutsSchema.strict() }).strict(),
    response: connectionSummarySchema,
  },
  // Either a saved connection by id, or an unsaved one from the form. `testId` names the test for
  // its progress (`connections.activity` under "test:<testId>") and for `connections.cancel`.
  'connections.test': {
    request: z.union([
      z.object({ id: connectionIdSchema, testId: testIdSchema.optional() }).strict(),
      connectionInputSchema.extend({ testId: testIdSchema.optional() }).strict(),
    ]),
    response: connectionTestResultSchema,
  },
  // Ends the calls under way on a connection (or a test) at once: they answer kind `cancelled`.
  'connections.cancel': {
    request: z.union([z.object({ connectionId: connectionIdSchema }).strict(), z.object({ testId: testIdSchema }).strict()]),
    response: z.object({ cancelled: z.number().int() }),
  },
  // The state of every connection (connecting / up / degraded / down, last error, round trip).
  'connections.health': { request: empty, response: z.array(connectionHealthSchema) },
  // Checks a connection now; answers what the check found.
  'connections.check': { request: onConnection, response: connectionHealthSchema },

  // Reads tolerate a sick cluster: offline partitions and down brokers are data, not errors. Only a
  // cluster that cannot be reached at all fails them.
  'cluster.overview': { request: onConnection, response: clusterOverviewSchema },
  // Feature versions (KIP-584): supported ranges and finalized levels from ApiVersions v3+, and a
  // change of one feature's level (UpdateFeatures, validated by the cluster's controller).
  'cluster.features': { request: onConnection, response: clusterFeaturesSchema },
  'cluster.updateFeature': { request: featureUpdateRequestSchema, response: featureUpdateResultSchema },
  // A broker's page: the replicas it hosts (known from Metadata even while it is down), its log dirs
  // (DescribeLogDirs) and configs (DescribeConfigs), each with its own error.
  'brokers.describe': {
    request: z.object({ connectionId: connectionIdSchema, brokerId: z.number().int().min(0) }).strict(),
    response: brokerDetailSchema,
  },
  // Preferred-leader election (ElectLeaders) for the cluster, a topic or a partition: first which
  // leaders would move, then the election itself for those that can.
  'cluster.electionPreview': {
    request: z.object({ connectionId: connectionIdSchema, target: electionScopeSchema }).strict(),
    response: electionPreviewSchema,
  },
  'cluster.electLeaders': {
    request: z.object({ connectionId: connectionIdSchema, target: electionScopeSchema }).strict(),
    response: electionResultSchema,
  },
  // Partition reassignments (KIP-455) for the planner: the assignment with sizes and the moves under
  // way; start moves (optionally throttled), cancel them, lift the app's throttle.
  'reassignments.state': { request: onConnection, response: reassignmentStateSchema },
  'reassignments.apply': { request: reassignmentApplySchema, response: reassignmentResultSchema },
  'reassignments.cancel': { request: reassignmentCancelSchema, response: reassignmentResultSchema },
  'reassignments.clearThrottle': { request: onConnection, response: z.null() },

  // Without includeInternal, the topics Metadata flags internal (__consumer_offsets, ...) are left out.
  'topics.list': { request: withInternal, response: z.array(topicSummarySchema) },
  'topics.stats': { request: withInternal, response: z.array(topicStatsSchema) },
  'topics.create': {
    request: z
      .object({
        connectionId: connectionIdSchema,
        topic: topicNameSchema,
        partitions: z.number().int().min(1, 'A topic needs at least 1 partition.').max(MAX_PARTITIONS),
        replicationFactor: z.number().int().min(1, 'The replication factor must be at least 1.').max(32),
        configs: z.record(configNameSchema, configValueSchema).default({}),
      })
      .strict(),
    response: z.object({ topic: z.string(), partitions: z.number().int(), replicationFactor: z.number().int() }),
  },
  'topics.delete': { request: onTopic, response: empty },
  'topics.addPartitions': {
    request: z.object({ connectionId: connectionIdSchema, topic: topicNameSchema, totalPartitions: z.number().int().min(1).max(MAX_PARTITIONS) }).strict(),
    response: empty,
  },
  // Deletes every record up to each partition's high watermark with DeleteRecords.
  'topics.purge': { request: onTopic, response: z.object({ partitions: z.number().int() }) },
  'topics.describe': { request: onTopic, response: topicDetailSchema },
  'topics.configs': { request: onTopic, response: z.array(configEntrySchema) },
  'topics.alterConfigs': {
    request: z
      .object({
        connectionId: connectionIdSchema,
        topic: topicNameSchema,
        set: z.record(configNameSchema, configValueSchema).default({}),
        reset: z.array(configNameSchema).default([]),
      })
      .strict(),
    response: z.array(configEntrySchema),
  },

  // With keySchema/valueSchema the key/value is JSON, serialized with that subject's schema (#17).
  'produce.send': { request: produceRequestSchema.extend(produceSchemasSchema.shape).strict(), response: produceResultSchema },
  // A file for produce.send, chosen by the user: on the desktop with the system's open dialog (null:
  // cancelled; refused in web mode), in web mode uploaded by the browser. Either answers a handle, so the
  // renderer never names a path for the main process to read.
  'produce.chooseFile': { request: empty, response: z.object({ file: chosenFileSchema.nullable() }) },
  'produce.uploadFile': { request: uploadFileSchema, response: chosenFileSchema },

  // Consumer groups, their lag history and the embedded cluster's demo (shared/model/groups.ts).
  'groups.list': { request: onConnection, response: z.array(groupSummarySchema) },
  'groups.describe': { request: groupRequestSchema, response: groupDetailSchema },
  // The offsets a reset would commit and the lag after it; `blocked` says why it cannot be applied now.
  'groups.resetPreview': { request: resetRequestSchema.strict(), response: resetPreviewSchema },
  // Refused (conflict) while the group has active members.
  'groups.resetOffsets': { request: resetRequestSchema.strict(), response: resetPreviewSchema },
  'groups.delete': { request: groupRequestSchema, response: empty },
  'groups.deleteOffsets': { request: groupTopicRequestSchema, response: z.object({ partitions: z.number().int() }) },
  'lag.series': { request: lagSeriesRequestSchema, response: lagSeriesSchema },
  'lag.topic': { request: lagTopicRequestSchema, response: topicGroupsLagSchema },
  'lag.sparklines': { request: lagSparklinesRequestSchema, response: lagSparklinesSchema },
  'lag.view': { request: lagViewRequestSchema, response: empty },
  'lag.watch': { request: lagWatchRequestSchema, response: lagWatchedSchema },
  'lag.sampleAll': { request: onConnection, response: sampleAllResultSchema },
  'lag.settings': { request: empty, response: lagSettingsSchema },
  'lag.updateSettings': { request: lagSettingsSchema.strict(), response: lagSettingsSchema },
  'demo.status': { request: empty, response: demoStatusSchema },
  // Starts the demo, or applies new options to the running one.
  'demo.start': { request: demoOptionsSchema.strict(), response: demoStatusSchema },
  'demo.stop': { request: demoStopRequestSchema, response: demoStatusSchema },

  // ACLs (shared/model/acls.ts). Listing needs DESCRIBE on the cluster, changing ALTER; a cluster
  // without an authorizer answers SECURITY_DISABLED. The preview says what an ACL would grant.
  'acls.list': { request: aclListRequestSchema, response: aclListSchema },
  'acls.preview': { request: aclBindingRequestSchema, response: aclPreviewSchema },
  'acls.create': { request: aclBindingRequestSchema, response: aclEntrySchema },
  'acls.delete': { request: aclDeleteRequestSchema, response: z.object({ deleted: z.number().int() }) },
  // SCRAM users (KIP-554): the password goes to the main process, which salts it; only the salted
  // password reaches the broker. Changing a password drops the user's other SCRAM mechanisms.
  'users.list': { request: onConnection, response: scramUserListSchema },
  'users.create': { request: scramCredentialRequestSchema, response: scramUserSchema },
  'users.changePassword': { request: scramCredentialRequestSchema, response: scramUserSchema },
  'users.delete': { request: scramUserRequestSchema, response: empty },
  // Client quotas (KIP-546, Kafka 2.6+): every entity's quotas; set or remove (null) one, answered with the new list.
  'users.quotas': { request: onConnection, response: clientQuotaListSchema },
  'users.alterQuota': { request: clientQuotaAlterRequestSchema, response: clientQuotaListSchema },
  // Who the brokers throttle (their metrics): measured on the embedded cluster only.
  'users.throttled': { request: onConnection, response: clientThrottlingSchema },

  // Client metrics (KIP-714, Kafka 3.7+ KRaft; shared/model/client-metrics.ts): the subscriptions
  // (CLIENT_METRICS config resources) and, on the embedded cluster, the clients' latest pushed metrics.
  // Saving creates (refused if the name is taken) or replaces one; both answer the new overview.
  'clientMetrics.overview': { request: onConnection, response: clientMetricsOverviewSchema },
  'clientMetrics.save': { request: clientMetricsSaveRequestSchema, response: clientMetricsOverviewSchema },
  'clientMetrics.delete': { request: clientMetricsDeleteRequestSchema, response: clientMetricsOverviewSchema },

  // Transactions (shared/model/transactions.ts): the coordinators' and those open on partitions, hanging
  // ones named; a topic's producers and last stable offsets; aborting on partitions (WriteTxnMarkers).
  'transactions.overview': { request: onConnection, response: transactionsOverviewSchema },
  'transactions.topic': { request: onTopic, response: topicTransactionsSchema },
  'transactions.abort': { request: abortRequestSchema, response: abortResultSchema },

  'embedded.status': { request: empty, response: embeddedClusterStatusSchema },
  // Start (whether or not it starts with the app), stop and restart the whole cluster at any time.
  // Start and restart may change the brokers, first port or data directory for this run (Settings
  // keep what applies at the next launch); a failed start answers a status that says why.
  'embedded.start': { request: embeddedRunConfigSchema.partial().strict(), response: embeddedClusterStatusSchema },
  'embedded.stop': { request: empty, response: embeddedClusterStatusSchema },
  'embedded.restart': { request: embeddedRunConfigSchema.partial().strict(), response: embeddedClusterStatusSchema },
  'embedded.stopBroker': { request: brokerId, response: embeddedClusterStatusSchema },
  'embedded.killBroker': { request: brokerId, response: embeddedClusterStatusSchema },
  'embedded.startBroker': { request: brokerId, response: embeddedClusterStatusSchema },
  // Grow or shrink the running cluster: a new broker gets the next free id; removing one that still
  // holds replicas is refused (move them with a reassignment first).
  'embedded.addBroker': { request: empty, response: embeddedClusterStatusSchema },
  'embedded.removeBroker': { request: brokerId, response: embeddedClusterStatusSchema },

  // The message browser (shared/model/messages.ts). A read with a filter reports `messages.progress`
  // under its operationId and stops early on `messages.cancel`.
  'messages.read': { request: readRequestSchema, response: pageSchema },
  'messages.cancel': { request: z.object({ operationId: z.string().min(1).max(100) }).strict(), response: z.object({ cancelled: z.boolean() }) },
  // A whole key or value, decoded, in chunks of characters (large values stay off the page reads).
  'messages.value': { request: valueRequestSchema, response: valueChunkSchema },
  'messages.export': { request: exportRequestSchema, response: exportResultSchema },
  'messages.tailStart': { request: tailStartSchema, response: tailInfoSchema },
  'messages.tailControl': {
    request: z.object({ tailId: z.string().min(1).max(100), action: z.enum(['pause', 'resume', 'stop']) }).strict(),
    response: z.object({ state: z.enum(['running', 'paused', 'stopped']) }),
  },
  // The key and value decoders remembered for a topic.
  'messages.decoders': { request: onTopic, response: topicDecodersSchema },
  'messages.saveDecoders': {
    request: z.object({ connectionId: connectionIdSchema, topic: topicNameSchema, decoders: topicDecodersSchema }).strict(),
    response: topicDecodersSchema,
  },
  // Saved queries of a topic (the browser's whole form under a name), kept by the main process. Each
  // change answers the topic's queries as saved; a name already taken is a conflict unless `replace`.
  'messages.savedQueries': { request: onTopic, response: z.array(savedQuerySchema) },
  'messages.saveQuery': { request: savedQueryRequestSchema, response: z.array(savedQuerySchema) },
  'messages.renameQuery': { request: renameSavedQuerySchema, response: z.array(savedQuerySchema) },
  'messages.deleteQuery': { request: deleteSavedQuerySchema, response: z.array(savedQuerySchema) },

  // Schema registries (shared/model/registry.ts): the one a connection uses, its subjects and versions.
  // Register checks compatibility first and stores nothing when the schema is invalid or incompatible.
  'schemas.registry': { request: onConnection, response: registrySummarySchema },
  'schemas.setRegistry': { request: z.object({ connectionId: connectionIdSchema, registry: registryInputSchema }).strict(), response: registrySummarySchema },
  'schemas.subjects': { request: onConnection, response: subjectListSchema },
  'schemas.subject': { request: subjectRequestSchema, response: subjectDetailSchema },
  'schemas.check': { request: schemaInputSchema, response: compatibilityResultSchema },
  'schemas.register': { request: schemaInputSchema, response: registeredSchema },
  'schemas.setCompatibility': { request: setCompatibilityRequestSchema, response: z.object({ compatibility: compatibilityLevelSchema }) },
  'schemas.delete': { request: deleteSchemaRequestSchema, response: z.object({ versions: z.array(z.number().int()) }) },
  'schemas.usage': { request: subjectRequestSchema, response: subjectUsageSchema },
  'schemas.subjectsOfId': { request: schemaIdRequestSchema, response: schemaIdSubjectsSchema },
} as const;

export const events = {
  // Broker, leader and ISR changes inside the embedded cluster, as they happen.
  'embedded.event': clusterEventSchema,
  'embedded.status': embeddedClusterStatusSchema,
  // After each round of the lag sampler: which groups of which connection have a new sample.
  'lag.sampled': lagSampledEventSchema,
  'demo.status': demoStatusSchema,
  'connections.changed': z.array(connectionSummarySchema),
  // A connection's state changed (or its check ran).
  'connections.health': connectionHealthSchema,
  // What a connection (or a test) waits for on the network longer than a moment, as it changes.
  'connections.activity': connectionActivitySchema,
  // Scan progress of a filtered read or an export, every 200 ms and once when done.
  'messages.progress': progressSchema,
  // Records of a live tail as they arrive, and its state changes.
  'messages.tail': tailEventSchema,
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type EventName = keyof typeof events;

/** What a caller passes: defaults may be left out. */
export type RequestOf<C extends Channel> = z.input<Contract[C]['request']>;
/** What a handler receives after validation, with defaults filled in. */
export type ParsedRequestOf<C extends Channel> = z.output<Contract[C]['request']>;
export type ResponseOf<C extends Channel> = z.output<Contract[C]['response']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const channels = Object.keys(contract) as Channel[];
export const eventNames = Object.keys(events) as EventName[];

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && Object.hasOwn(contract, value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.hasOwn(events, value);
}

/**
 * Error kinds a caller can act on:
 * - invalid-request: the input failed validation; `issues` says which field and why.
 * - not-found: the connection, topic or broker does not exist.
 * - conflict: it already exists, or the change is not allowed in the current state.
 * - unavailable: the cluster cannot be reached or the embedded cluster is not running.
 * - kafka: the cluster refused the request; `kafkaCode` carries Kafka's error name.
 * - cancelled: the user cancelled the call (connections.cancel) before it ended.
 * - internal: a bug; the message says so and the details are logged in the main process.
 */
export const ipcErrorSchema = z.object({
  kind: z.enum(['invalid-request', 'not-found', 'conflict', 'unavailable', 'kafka', 'cancelled', 'internal']),
  message: z.string(),
  kafkaCode: z.string().optional(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  // What would fix it, when the app can do it: start-embedded (the embedded cluster is not running).
  recovery: z.enum(['start-embedded']).optional(),
  // A connection that could not be made because of its security settings: which mismatch, and what to change.
  failure: connectionFailureSchema.optional(),
  hint: z.string().optional(),
});
export type IpcError = z.infer<typeof ipcErrorSchema>;

export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** The interface the renderer talks to, whatever carries it (Electron bridge or WebSocket). */
export interface IpcClient {
  invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<IpcResult<ResponseOf<C>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** Electron channel names, prefixed so they cannot collide with other ipcMain users. */
export const electronChannel = (channel: Channel): string => `kafka-desk:${channel}`;
export const electronEvent = (event: EventName): string => `kafka-desk-event:${event}`;
