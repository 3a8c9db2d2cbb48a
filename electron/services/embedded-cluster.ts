// The app's view of the embedded Kafka cluster (electron/broker/cluster/cluster.ts). The services use
// this narrow interface, which the real EmbeddedCluster satisfies (checked by the compiler in
// loadEmbeddedClusterFactory), so the app depends only on the cluster's public API.
import { mkdir } from 'node:fs/promises';
import type { ClusterEvent, EmbeddedBrokerStatus, EmbeddedClusterStatus, EmbeddedSettings } from '../../shared/model/schemas';
import { AppError } from '../ipc/errors';
import type { EventHub } from '../ipc/registry';

export interface EmbeddedClusterOptions {
  brokers: number;
  basePort: number;
  host?: string;
  dataDir: string;
  config?: Record<string, string>;
}

export interface EmbeddedClusterHandle {
  bootstrapServers(): string;
  brokers(): EmbeddedBrokerStatus[];
  stopBroker(id: number): Promise<void>;
  killBroker(id: number): Promise<void>;
  startBroker(id: number): Promise<void>;
  onEvent(listener: (event: ClusterEvent) => void): () => void;
  close(): Promise<void>;
}

export interface EmbeddedClusterFactory {
  start(options: EmbeddedClusterOptions): Promise<EmbeddedClusterHandle>;
}

/** Loads the broker code only when the embedded cluster is wanted: web mode with --no-embedded and
 * the app with the cluster turned off never pay for it. */
export async function loadEmbeddedClusterFactory(): Promise<EmbeddedClusterFactory> {
  const { EmbeddedCluster } = await import('../broker/cluster/cluster');
  return EmbeddedCluster;
}

/** Starts, watches and controls the embedded cluster; pushes its events and status to the hub. */
export class EmbeddedClusterService {
  #cluster: EmbeddedClusterHandle | null = null;
  #state: EmbeddedClusterStatus['state'];
  #message: string | null = null;
  #unsubscribe: (() => void) | null = null;
  readonly #settings: EmbeddedSettings;
  readonly #dataDir: string;
  readonly #hub: EventHub;
  readonly #factory: () => Promise<EmbeddedClusterFactory | null>;
  readonly #changeListeners = new Set<() => void>();

  constructor(options: {
    settings: EmbeddedSettings;
    dataDir: string;
    hub: EventHub;
    factory?: () => Promise<EmbeddedClusterFactory | null>;
  }) {
    this.#settings = options.settings;
    this.#dataDir = options.dataDir;
    this.#hub = options.hub;
    this.#factory = options.factory ?? loadEmbeddedClusterFactory;
    this.#state = options.settings.enabled ? 'stopped' : 'disabled';
  }

  get cluster(): EmbeddedClusterHandle | null {
    return this.#cluster;
  }

  /** Called when the cluster starts or stops, so connections to it can be rebuilt. */
  onChange(listener: () => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  async start(): Promise<void> {
    if (!this.#settings.enabled || this.#cluster) return;
    this.#setState('starting', null);
    try {
      const factory = await this.#factory();
      if (!factory) {
        this.#setState('unavailable', 'The embedded cluster is not available in this build.');
        return;
      }
      await mkdir(this.#dataDir, { recursive: true });
      const cluster = await factory.start({
        brokers: this.#settings.brokers,
        basePort: this.#settings.basePort,
        host: '127.0.0.1',
        dataDir: this.#dataDir,
      });
      this.#cluster = cluster;
      this.#unsubscribe = cluster.onEvent((event) => {
        this.#hub.emit('embedded.event', event);
        if (event.type === 'broker') this.#hub.emit('embedded.status', this.status());
      });
      this.#setState('running', null);
      for (const listener of this.#changeListeners) listener();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const portHint = /EADDRINUSE/.test(reason)
        ? ` Port ${this.#settings.basePort} or one after it is in use; choose other ports in Settings.`
        : '';
      this.#setState('failed', `The embedded cluster could not start: ${reason}.${portHint}`);
    }
  }

  async close(): Promise<void> {
    const cluster = this.#cluster;
    this.#cluster = null;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (cluster) {
      for (const listener of this.#changeListeners) listener();
      await cluster.close();
      if (this.#state === 'running') this.#setState('stopped', null);
    }
  }

  status(): EmbeddedClusterStatus {
    const cluster = this.#cluster;
    return {
      enabled: this.#settings.enabled,
      state: this.#state,
      message: this.#message,
      bootstrapServers: cluster ? cluster.bootstrapServers() : null,
      dataDir: this.#dataDir,
      brokers: cluster ? cluster.brokers() : [],
    };
  }

  async stopBroker(brokerId: number): Promise<EmbeddedClusterStatus> {
    await this.#requireBroker(brokerId).stopBroker(brokerId);
    return this.#statusChanged();
  }

  async killBroker(brokerId: number): Promise<EmbeddedClusterStatus> {
    await this.#requireBroker(brokerId).killBroker(brokerId);
    return this.#statusChanged();
  }

  async startBroker(brokerId: number): Promise<EmbeddedClusterStatus> {
    await this.#requireBroker(brokerId).startBroker(brokerId);
    return this.#statusChanged();
  }

  #statusChanged(): EmbeddedClusterStatus {
    const status = this.status();
    this.#hub.emit('embedded.status', status);
    return status;
  }

  #requireBroker(brokerId: number): EmbeddedClusterHandle {
    const cluster = this.#cluster;
    if (!cluster) throw new AppError('unavailable', this.#message ?? 'The embedded cluster is not running.');
    if (!cluster.brokers().some((broker) => broker.id === brokerId)) {
      throw new AppError('not-found', `The embedded cluster has no broker ${brokerId}.`);
    }
    return cluster;
  }

  #setState(state: EmbeddedClusterStatus['state'], message: string | null): void {
    this.#state = state;
    this.#message = message;
    this.#hub.emit('embedded.status', this.status());
  }
}
