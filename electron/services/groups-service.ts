// Consumer groups for the IPC handlers: the Kafka calls (services/groups.ts), the lag sampler that
// keeps their history (services/lag/) and the demo of the embedded cluster (services/demo.ts).
import { EMBEDDED_CONNECTION_ID } from '../../shared/model/schemas';
import type {
  DemoOptions,
  DemoStatus,
  GroupDetail,
  GroupSummary,
  LagSeries,
  LagSettings,
  LagStack,
  ResetPreview,
  TopicGroupsLag,
} from '../../shared/model/groups';
import type { EventHub } from '../core/events';
import type { ConnectionService } from './connections/service';
import { DemoService } from './demo';
import type { EmbeddedClusterService } from './embedded-cluster';
import * as groups from './groups';
import { LagSampler } from './lag/sampler';

// Which groups read a topic is looked up again after this long (at once while none do).
const TOPIC_READERS_TTL_MS = 10_000;

export interface GroupsServiceOptions {
  dataDir: string;
  connections: ConnectionService;
  embedded: EmbeddedClusterService;
  hub: EventHub;
  /** Overrides the saved sampling interval (tests). */
  sampleIntervalMs?: number;
}

export class GroupsService {
  readonly sampler: LagSampler;
  readonly demo: DemoService;
  readonly #connections: ConnectionService;
  readonly #topicReaders = new Map<string, { at: number; groups: Promise<string[]> }>();

  constructor(options: GroupsServiceOptions) {
    this.#connections = options.connections;
    const { hub, embedded } = options;
    this.sampler = new LagSampler({
      dataDir: options.dataDir,
      read: async (connectionId, ids) => groups.readGroupSamples(await this.#admin(connectionId), ids),
      emit: (event) => hub.emit('lag.sampled', event),
      ...(options.sampleIntervalMs ? { intervalMs: options.sampleIntervalMs } : {}),
    });
    this.demo = new DemoService({
      bootstrapServers: () => embedded.status().bootstrapServers,
      ensureTopic: async (topic, partitions) => {
        const admin = await this.#admin(EMBEDDED_CONNECTION_ID);
        const existing = await groups.partitionCounts(admin, [topic]);
        const count = existing.get(topic);
        if (count !== undefined) return count;
        const brokers = embedded.status().brokers.length;
        await admin.createTopics({ topics: [topic], partitions, replicas: Math.max(1, Math.min(3, brokers)) });
        return partitions;
      },
      emit: (status) => hub.emit('demo.status', status),
    });
    // A deleted connection's groups are no longer sampled.
    options.connections.onChange((connections) => {
      void this.sampler.keepConnections(new Set(connections.map((connection) => connection.id)));
    });
    // The demo runs on the embedded cluster only: when it stops, so does the demo.
    embedded.onChange(() => {
      if (!embedded.cluster) void this.demo.stop('all');
    });
  }

  start(): Promise<void> {
    return this.sampler.start();
  }

  async close(): Promise<void> {
    await this.demo.close();
    await this.sampler.close();
  }

  async list(connectionId: string): Promise<GroupSummary[]> {
    return (await groups.listGroups(await this.#admin(connectionId))).groups;
  }

  async describe(connectionId: string, group: string): Promise<GroupDetail> {
    return groups.describeGroup(await this.#admin(connectionId), group);
  }

  async previewReset(connectionId: string, input: groups.ResetInput): Promise<ResetPreview> {
    return groups.previewReset(await this.#admin(connectionId), input);
  }

  async resetOffsets(connectionId: string, input: groups.ResetInput): Promise<ResetPreview> {
    const result = await groups.resetOffsets(await this.#admin(connectionId), input);
    // Sample at once so the chart shows the jump without waiting for the timer.
    void this.sampler.sampleNow(connectionId, [input.group]).catch(() => undefined);
    return result;
  }

  async delete(connectionId: string, group: string): Promise<void> {
    await groups.deleteGroup(await this.#admin(connectionId), group);
    this.sampler.forget(connectionId, group);
    if (this.sampler.isWatched(connectionId, group)) await this.sampler.setWatched(connectionId, group, false);
  }

  async deleteOffsets(connectionId: string, group: string, topic: string): Promise<{ partitions: number }> {
    const result = await groups.deleteGroupOffsets(await this.#admin(connectionId), group, topic);
    void this.sampler.sampleNow(connectionId, [group]).catch(() => undefined);
    return result;
  }

  series(connectionId: string, group: string, rangeMs: number, stack: LagStack): Promise<LagSeries> {
    return this.sampler.series(connectionId, group, rangeMs, stack);
  }

  /** The lag of every group reading a topic; those groups are sampled while the topic is on screen. */
  async topic(connectionId: string, topic: string, rangeMs: number): Promise<TopicGroupsLag> {
    const cacheKey = `${connectionId}\u0000${topic}`;
    let readers = this.#topicReaders.get(cacheKey);
    if (!readers || Date.now() - readers.at > TOPIC_READERS_TTL_MS) {
      const admin = await this.#admin(connectionId);
      const lookup = { at: Date.now(), groups: groups.groupsReadingTopic(admin, topic) };
      readers = lookup;
      this.#topicReaders.set(cacheKey, lookup);
      lookup.groups.then(
        (ids) => {
          if (!ids.length && this.#topicReaders.get(cacheKey) === lookup) this.#topicReaders.delete(cacheKey);
        },
        () => this.#topicReaders.delete(cacheKey),
      );
    }
    const ids = await readers.groups;
    await this.view(connectionId, `topic:${topic}`, ids);
    return this.sampler.topic(connectionId, topic, rangeMs);
  }

  sparklines(connectionId: string, ids: readonly string[], rangeMs: number): Promise<Record<string, (number | null)[]>> {
    return this.sampler.sparklines(connectionId, ids, rangeMs);
  }

  /** Registers the groups a view shows; groups without any history yet are sampled at once. */
  async view(connectionId: string, viewId: string, ids: readonly string[]): Promise<void> {
    this.sampler.view(connectionId, viewId, ids);
    const fresh = await this.sampler.withoutHistory(connectionId, ids);
    if (fresh.length) void this.sampler.sampleNow(connectionId, fresh).catch(() => undefined);
  }

  async watch(connectionId: string, group: string, watched: boolean): Promise<{ watched: string[] }> {
    await this.sampler.setWatched(connectionId, group, watched);
    if (watched) void this.sampler.sampleNow(connectionId, [group]).catch(() => undefined);
    return { watched: this.sampler.watchedGroups(connectionId) };
  }

  async sampleAll(connectionId: string): Promise<{ groups: number; at: number; durationMs: number }> {
    const started = performance.now();
    const result = await this.sampler.sampleNow(connectionId, null);
    return { ...result, durationMs: Math.round(performance.now() - started) };
  }

  settings(): LagSettings {
    return this.sampler.settings;
  }

  updateSettings(settings: LagSettings): Promise<LagSettings> {
    return this.sampler.updateSettings(settings);
  }

  demoStatus(): DemoStatus {
    return this.demo.status();
  }

  startDemo(options: DemoOptions): Promise<DemoStatus> {
    return this.demo.start(options);
  }

  stopDemo(what: 'consumers' | 'all'): Promise<DemoStatus> {
    return this.demo.stop(what);
  }

  #admin(connectionId: string) {
    return this.#connections.admin(connectionId);
  }
}
