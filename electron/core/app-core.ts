// The main-process core, the same in Electron and in web mode: it makes every service (each from a
// deps object), wires the typed callbacks between them, and builds the IPC registry over them. Only
// the carrier (Electron IPC or a WebSocket) differs.
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { EMBEDDED_CONNECTION_ID, type AppInfo, type EmbeddedSecurity, type EmbeddedSettings } from '../../shared/model/schemas';
import { createHandlers } from '../ipc/handlers';
import { createDispatcher, type Dispatch } from '../ipc/registry';
import { AclsService } from '../services/acls/service';
import { TransactionService } from '../services/transactions/service';
import { ClusterService } from '../services/cluster/service';
import { ReassignmentService } from '../services/reassignments/service';
import { teachClientErrorCodes } from '../services/connections/client-error-codes';
import { ConnectionService } from '../services/connections/service';
import { DemoService } from '../services/demo/service';
import type { EmbeddedClusterFactory } from '../services/embedded-cluster/factory';
import { EmbeddedClusterService } from '../services/embedded-cluster/service';
import { GroupsService } from '../services/groups/service';
import { LagService } from '../services/lag/service';
import { MessageService } from '../services/messages/service';
import { ProduceService } from '../services/produce/service';
import { RegistrySettings } from '../services/schemas/registries';
import { SchemasService } from '../services/schemas/service';
import type { SecretStore } from '../services/secrets/service';
import { SettingsService, embeddedDataDir } from '../services/settings/service';
import { UsersService } from '../services/users/service';
import { ClientMetricsService } from '../services/client-metrics/service';
import { TopicsService } from '../services/topics/service';
import { EventHub } from './events';
import { appLogger, type Logger } from './logger';
import type { Services } from './services';

export interface AppCoreOptions {
  mode: AppInfo['mode'];
  version: string;
  /** The app's own data: settings, saved connections and (by default) the embedded cluster's logs. */
  dataDir: string;
  secrets: SecretStore;
  /** Overrides the saved embedded-cluster settings for this run (command-line flags, tests). */
  embeddedOverride?: EmbeddedOverride;
  embeddedFactory?: () => Promise<EmbeddedClusterFactory | null>;
  /** Overrides the lag sampler's saved interval (tests). */
  lagSampleIntervalMs?: number;
  /** 'wait' (web mode, tests): resolve once the embedded cluster is up. 'background' (the desktop
   * app): resolve at once so the window opens while the brokers start; the status event follows. */
  embeddedStart?: 'wait' | 'background';
  /** Desktop: asks where to save a message export. Without it (web mode) exports become downloads. */
  chooseExportFile?: (suggestedName: string) => Promise<string | null>;
  /** Desktop: asks which file to produce from (the system's open dialog). Without it (web mode) files are uploaded. */
  chooseProduceFile?: () => Promise<string | null>;
  /** The built message worker (the desktop bundle); from source it is loaded through tsx. */
  messageWorkerScript?: URL;
  /** Where the services log (default: stderr). */
  logger?: Logger;
}

/**
 * Settings a run takes from its command line instead of Settings (web mode's flags, tests): the
 * security with its users' passwords, as `npm run cluster -- --security-protocol ... --user ... --acl`.
 */
export type EmbeddedOverride = Partial<Omit<EmbeddedSettings, 'security'>> & { security?: EmbeddedSecurity | undefined };

export interface AppCore extends Services {
  dispatch: Dispatch;
  hub: EventHub;
  close(): Promise<void>;
}

export async function createAppCore(options: AppCoreOptions): Promise<AppCore> {
  // Before any client exists: the client library names error codes from a table that ends at 127.
  teachClientErrorCodes();
  await mkdir(options.dataDir, { recursive: true });
  const hub = new EventHub();
  const logger = options.logger ?? appLogger;
  // What services do when connections are deleted runs in the background: a failure (a file that cannot
  // be written) is logged, never left an unhandled rejection, which would end the main process.
  const afterConnectionsChange = (what: string, work: Promise<void>): void =>
    void work.catch((error: unknown) => logger.error(`Forgetting deleted connections' ${what} failed`, { error: String(error) }));
  const settings = new SettingsService({ dataDir: options.dataDir, secrets: options.secrets, logger });
  const saved = await settings.load();
  const { security: securityOverride, ...override } = options.embeddedOverride ?? {};
  const embeddedSettings = { ...saved.embedded, ...override };
  // The command line's security holds for this run until Settings' security is saved in it.
  let securityFromLaunch = options.embeddedOverride !== undefined && 'security' in options.embeddedOverride;
  const embedded = new EmbeddedClusterService({
    settings: embeddedSettings,
    dataDir: embeddedDataDir({ embedded: embeddedSettings }, options.dataDir),
    hub,
    launchOverrides: [
      ...(['enabled', 'brokers', 'basePort', 'dataDir', 'kafkaVersion', 'metadataMode'] as const).filter((key) => override[key] !== undefined),
      ...(securityFromLaunch ? (['security'] as const) : []),
    ],
    resolveDataDir: (setting) => embeddedDataDir({ embedded: { ...embeddedSettings, dataDir: setting } }, options.dataDir),
    // Read at every start: Settings saved in this run apply at the next start or restart from the app.
    security: () => (securityFromLaunch ? securityOverride : settings.embeddedSecurity()),
    ...(options.embeddedFactory ? { factory: options.embeddedFactory } : {}),
  });
  settings.onSecurityChange(() => {
    securityFromLaunch = false;
    embedded.dropLaunchOverride('security');
  });
  const connections = new ConnectionService({ dataDir: options.dataDir, secrets: options.secrets, embedded, hub, logger });
  await connections.load();
  const admin = (connectionId: string) => connections.admin(connectionId);
  const cluster = new ClusterService({ dataDir: options.dataDir, admin, embedded, logger });
  await cluster.load();
  const topics = new TopicsService({ admin, reads: (connectionId) => cluster.reads(connectionId) });
  const produce = new ProduceService({
    ...(options.chooseProduceFile ? { chooseFile: options.chooseProduceFile } : {}),
    serializer: (connectionId, schema) => schemas.serializer(connectionId, schema),
    producer: (connectionId) => connections.producer(connectionId),
    unreachableBrokers: (connectionId) =>
      new Set(
        connections
          .health()
          .find((health) => health.connectionId === connectionId)
          ?.brokers.filter((broker) => broker.state === 'down')
          .map((broker) => broker.id) ?? [],
      ),
  });
  const messages = new MessageService({
    dataDir: options.dataDir,
    clientOptions: (connectionId) => connections.clientOptions(connectionId),
    emitProgress: (progress) => hub.emit('messages.progress', progress),
    emitTail: (event) => hub.emit('messages.tail', event),
    chooseExportFile: options.chooseExportFile,
    messageWorker: { script: options.messageWorkerScript },
    // Auto decoders read Confluent's wire format through the connection's registry (#17).
    registryAccess: (connectionId) => schemas.access(connectionId),
  });
  // The browser's own clients follow connection changes (an edit, the embedded cluster restarting).
  connections.onChange(() => void messages.resetClients());

  // Groups and their lag: the lag service samples through the groups service, which tells it when
  // a group's offsets change or the group goes.
  const lag: LagService = new LagService({
    dataDir: options.dataDir,
    readSamples: (connectionId, ids) => groups.samples(connectionId, ids),
    groupsReadingTopic: (connectionId, topic) => groups.readingTopic(connectionId, topic),
    emit: (event) => hub.emit('lag.sampled', event),
    logger,
    ...(options.lagSampleIntervalMs ? { sampleIntervalMs: options.lagSampleIntervalMs } : {}),
  });
  const groups: GroupsService = new GroupsService({
    admin,
    onOffsetsChanged: (connectionId, group) => lag.sampleSoon(connectionId, [group]),
    onGroupDeleted: (connectionId, group) => lag.forgetGroup(connectionId, group),
  });
  // A deleted connection's groups are no longer sampled.
  connections.onChange((list) => afterConnectionsChange('lag', lag.keepConnections(new Set(list.map((connection) => connection.id)))));
  await lag.start();

  const demo = new DemoService({
    bootstrapServers: () => embedded.status().bootstrapServers,
    ensureTopic: (topic, partitions) => topics.ensure(EMBEDDED_CONNECTION_ID, topic, partitions, Math.max(1, Math.min(3, embedded.status().brokers.length))),
    emit: (status) => hub.emit('demo.status', status),
  });
  // The demo runs on the embedded cluster only: when it stops, so does the demo.
  embedded.onChange(() => {
    if (!embedded.cluster) void demo.stop('all');
  });

  // ACLs and SCRAM users, on any connection; the screens name the principal a connection uses.
  const connectedAs = (connectionId: string) => {
    const sasl = connections.list().find((connection) => connection.id === connectionId)?.sasl;
    return sasl ? `User:${sasl.username}` : null;
  };
  const acls = new AclsService({ admin, connectedAs });
  const users = new UsersService({
    admin,
    connectedAs,
    // The brokers' throttle-time metrics: the app hosts the embedded cluster's brokers, and no Kafka API reports them for another cluster.
    throttledClients: (connectionId) => (connectionId === EMBEDDED_CONNECTION_ID ? (embedded.cluster?.throttledClients() ?? []) : null),
  });
  const clientMetrics = new ClientMetricsService({
    admin,
    connectedAs,
    embeddedTelemetry: (connectionId) => (connectionId === EMBEDDED_CONNECTION_ID ? embedded.telemetry() : null),
  });
  const transactions = new TransactionService({ admin });

  // Schema registries per connection: the embedded connection's is the embedded cluster's own.
  const registries = new RegistrySettings({
    dataDir: options.dataDir,
    secrets: options.secrets,
    embedded: () => {
      const status = embedded.status();
      return {
        url: status.schemaRegistryUrl ?? null,
        problem:
          status.schemaRegistryError ??
          (status.state === 'running' ? 'The embedded schema registry is not running.' : (status.message ?? 'The embedded cluster is not running.')),
      };
    },
    connectionExists: (connectionId) => connections.list().some((connection) => connection.id === connectionId),
    logger,
  });
  await registries.load();
  connections.onChange((list) => afterConnectionsChange('schema registries', registries.keepConnections(new Set(list.map((connection) => connection.id)))));
  const schemas: SchemasService = new SchemasService({
    registries,
    topicNames: async (connectionId) => (await topics.list(connectionId)).filter((topic) => !topic.internal).map((topic) => topic.name),
    recentSchemaIds: (connectionId, topic, perPartition) => messages.recentSchemaIds(connectionId, topic, perPartition),
  });

  const appInfo: AppInfo = {
    mode: options.mode,
    version: options.version,
    secretStorage: options.secrets.kind,
    userDataDir: path.resolve(options.dataDir),
  };
  // Throttles the app set for its moves are written down and lifted once the moves are done, after a restart too.
  const reassignments = new ReassignmentService({ reads: (connectionId) => cluster.reads(connectionId), dataDir: options.dataDir, logger });
  await reassignments.load();
  connections.onChange((list) =>
    afterConnectionsChange('reassignment throttles', reassignments.keepConnections(new Set(list.map((connection) => connection.id)))),
  );
  const services: Services = {
    settings,
    embedded,
    connections,
    cluster,
    topics,
    produce,
    groups,
    lag,
    demo,
    messages,
    acls,
    users,
    clientMetrics,
    schemas,
    transactions,
    reassignments,
  };
  const dispatch = createDispatcher(createHandlers(appInfo, services), logger);
  if (options.embeddedStart === 'background') void embedded.startAtLaunch();
  else await embedded.startAtLaunch();

  let closing: Promise<void> | null = null;
  return {
    ...services,
    dispatch,
    hub,
    close: () => {
      closing ??= (async () => {
        await reassignments.close();
        await messages.close();
        await connections.close();
        await registries.close();
        await demo.close();
        await lag.close();
        await settings.close();
        await cluster.close();
        await embedded.close();
      })();
      return closing;
    },
  };
}
