// The main-process core, the same in Electron and in web mode: settings, the embedded cluster,
// connections and the IPC registry. Only the carrier (Electron IPC or a WebSocket) differs.
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { AppInfo, EmbeddedSettings } from '../../shared/model/schemas';
import { createHandlers } from '../ipc/handlers';
import { createDispatcher, type Dispatch } from '../ipc/registry';
import { EventHub } from '../core/events';
import { ClusterService } from './cluster/service';
import { ConnectionService } from './connections/service';
import { EmbeddedClusterService, type EmbeddedClusterFactory } from './embedded-cluster';
import { MessageService } from './messages/service';
import { GroupsService } from './groups-service';
import type { SecretStore } from './secrets';
import { SettingsStore, embeddedDataDir } from './settings';

export interface AppCoreOptions {
  mode: AppInfo['mode'];
  version: string;
  /** The app's own data: settings, saved connections and (by default) the embedded cluster's logs. */
  dataDir: string;
  secrets: SecretStore;
  /** Overrides the saved embedded-cluster settings for this run (command-line flags, tests). */
  embeddedOverride?: Partial<EmbeddedSettings>;
  embeddedFactory?: () => Promise<EmbeddedClusterFactory | null>;
  /** Overrides the lag sampler's saved interval (tests). */
  lagSampleIntervalMs?: number;
  /** 'wait' (web mode, tests): resolve once the embedded cluster is up. 'background' (the desktop
   * app): resolve at once so the window opens while the brokers start; the status event follows. */
  embeddedStart?: 'wait' | 'background';
  /** Desktop: asks where to save a message export. Without it (web mode) exports become downloads. */
  chooseExportFile?: (suggestedName: string) => Promise<string | null>;
  /** The built message worker (the desktop bundle); from source it is loaded through tsx. */
  messageWorkerScript?: URL;
}

export interface AppCore {
  dispatch: Dispatch;
  hub: EventHub;
  embedded: EmbeddedClusterService;
  connections: ConnectionService;
  messages: MessageService;
  groups: GroupsService;
  cluster: ClusterService;
  close(): Promise<void>;
}

export async function createAppCore(options: AppCoreOptions): Promise<AppCore> {
  await mkdir(options.dataDir, { recursive: true });
  const hub = new EventHub();
  const settings = new SettingsStore(options.dataDir);
  const saved = await settings.load();
  const embeddedSettings: EmbeddedSettings = { ...saved.embedded, ...options.embeddedOverride };
  const override = options.embeddedOverride ?? {};
  const embedded = new EmbeddedClusterService({
    settings: embeddedSettings,
    dataDir: embeddedDataDir({ embedded: embeddedSettings }, options.dataDir),
    hub,
    launchOverrides: (['enabled', 'brokers', 'basePort', 'dataDir'] as const).filter((key) => override[key] !== undefined),
    resolveDataDir: (setting) => embeddedDataDir({ embedded: { ...embeddedSettings, dataDir: setting } }, options.dataDir),
    ...(options.embeddedFactory ? { factory: options.embeddedFactory } : {}),
  });
  const connections = new ConnectionService({ dataDir: options.dataDir, secrets: options.secrets, embedded, hub });
  await connections.load();
  const cluster = new ClusterService({ dataDir: options.dataDir, admin: (connectionId) => connections.admin(connectionId), embedded });
  await cluster.load();
  const messages = new MessageService({
    dataDir: options.dataDir,
    clientOptions: (connectionId) => connections.clientOptions(connectionId),
    emitProgress: (progress) => hub.emit('messages.progress', progress),
    emitTail: (event) => hub.emit('messages.tail', event),
    chooseExportFile: options.chooseExportFile,
    messageWorker: { script: options.messageWorkerScript },
  });
  // The browser's own clients follow connection changes (an edit, the embedded cluster restarting).
  connections.onChange(() => void messages.resetClients());
  const groups = new GroupsService({
    dataDir: options.dataDir,
    connections,
    embedded,
    hub,
    ...(options.lagSampleIntervalMs ? { sampleIntervalMs: options.lagSampleIntervalMs } : {}),
  });
  await groups.start();

  const appInfo: AppInfo = {
    mode: options.mode,
    version: options.version,
    secretStorage: options.secrets.kind,
    userDataDir: path.resolve(options.dataDir),
  };
  const dispatch = createDispatcher(createHandlers({ appInfo, settings, connections, embedded, cluster, groups, messages }));
  if (options.embeddedStart === 'background') void embedded.startAtLaunch();
  else await embedded.startAtLaunch();

  let closing: Promise<void> | null = null;
  return {
    dispatch,
    hub,
    embedded,
    connections,
    messages,
    groups,
    cluster,
    close: () => {
      closing ??= (async () => {
        await messages.close();
        await connections.close();
        await groups.close();
        await cluster.close();
        await embedded.close();
      })();
      return closing;
    },
  };
}
