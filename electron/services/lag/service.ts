// Consumer lag for the IPC handlers: the sampler that keeps every group's history (./sampler), the
// groups each view has on screen, the groups that read a topic, and the settings. The Kafka reads
// come in through its dependencies (the groups service's samples and topic readers), so this
// service holds timing and history only.
import type { LagSampledEvent, LagSeries, LagSettings, LagStack, TopicGroupsLag } from '../../../shared/model/groups';
import type { Logger } from '../../core/logger';
import { LagSampler, type SampleReader } from './sampler';

// Which groups read a topic is looked up again after this long (at once while none do).
const TOPIC_READERS_TTL_MS = 10_000;

export interface LagServiceDeps {
  dataDir: string;
  /** One lag sample per group (every group of the connection when null). */
  readSamples: SampleReader;
  /** The groups with committed offsets on a topic. */
  groupsReadingTopic: (connectionId: string, topic: string) => Promise<string[]>;
  /** Tells the renderer about a new sample. */
  emit: (event: LagSampledEvent) => void;
  /** Overrides the saved sampling interval (tests). */
  sampleIntervalMs?: number;
  logger?: Logger;
}

export class LagService {
  readonly #sampler: LagSampler;
  readonly #groupsReadingTopic: LagServiceDeps['groupsReadingTopic'];
  readonly #topicReaders = new Map<string, { at: number; groups: Promise<string[]> }>();

  constructor(deps: LagServiceDeps) {
    this.#groupsReadingTopic = deps.groupsReadingTopic;
    this.#sampler = new LagSampler({
      dataDir: deps.dataDir,
      read: deps.readSamples,
      emit: deps.emit,
      ...(deps.logger ? { logger: deps.logger } : {}),
      ...(deps.sampleIntervalMs ? { intervalMs: deps.sampleIntervalMs } : {}),
    });
  }

  start(): Promise<void> {
    return this.#sampler.start();
  }

  close(): Promise<void> {
    return this.#sampler.close();
  }

  series(connectionId: string, group: string, rangeMs: number, stack: LagStack): Promise<LagSeries> {
    return this.#sampler.series(connectionId, group, rangeMs, stack);
  }

  /** The lag of every group reading a topic; those groups are sampled while the topic is on screen. */
  async topic(connectionId: string, topic: string, rangeMs: number): Promise<TopicGroupsLag> {
    const cacheKey = `${connectionId}\u0000${topic}`;
    let readers = this.#topicReaders.get(cacheKey);
    if (!readers || Date.now() - readers.at > TOPIC_READERS_TTL_MS) {
      const lookup = { at: Date.now(), groups: this.#groupsReadingTopic(connectionId, topic) };
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
    const chart = await this.#sampler.topic(connectionId, topic, rangeMs);
    // Groups that read the topic without a commit on it have no history on it: listed, with no lag yet.
    const uncommitted = ids.filter((group) => !chart.groups.includes(group));
    if (!uncommitted.length) return chart;
    const none = { at: null, lag: null, consumeRate: null, produceRate: null, catchUpMs: null };
    return {
      ...chart,
      groups: [...chart.groups, ...uncommitted],
      summaries: [...chart.summaries, ...uncommitted.map(() => none)],
      points: chart.points.map((point) => ({ ...point, values: [...point.values, ...uncommitted.map(() => null)] })),
    };
  }

  sparklines(connectionId: string, ids: readonly string[], rangeMs: number): Promise<Record<string, (number | null)[]>> {
    return this.#sampler.sparklines(connectionId, ids, rangeMs);
  }

  /** Registers the groups a view shows; groups without any history yet are sampled at once. */
  async view(connectionId: string, viewId: string, ids: readonly string[]): Promise<void> {
    this.#sampler.view(connectionId, viewId, ids);
    const fresh = await this.#sampler.withoutHistory(connectionId, ids);
    if (fresh.length) this.sampleSoon(connectionId, fresh);
  }

  async watch(connectionId: string, group: string, watched: boolean): Promise<{ watched: string[] }> {
    await this.#sampler.setWatched(connectionId, group, watched);
    if (watched) this.sampleSoon(connectionId, [group]);
    return { watched: this.#sampler.watchedGroups(connectionId) };
  }

  async sampleAll(connectionId: string): Promise<{ groups: number; at: number; durationMs: number }> {
    const started = performance.now();
    const result = await this.#sampler.sampleNow(connectionId, null);
    return { ...result, durationMs: Math.round(performance.now() - started) };
  }

  settings(): LagSettings {
    return this.#sampler.settings;
  }

  updateSettings(settings: LagSettings): Promise<LagSettings> {
    return this.#sampler.updateSettings(settings);
  }

  /** Samples these groups now, without waiting for the timer (a reset: the chart shows the jump). */
  sampleSoon(connectionId: string, groups: readonly string[]): void {
    void this.#sampler.sampleNow(connectionId, groups).catch(() => undefined);
  }

  /** A group was deleted: its history goes, and it is no longer watched. */
  async forgetGroup(connectionId: string, group: string): Promise<void> {
    this.#sampler.forget(connectionId, group);
    if (this.#sampler.isWatched(connectionId, group)) await this.#sampler.setWatched(connectionId, group, false);
  }

  /** Connections that were deleted are no longer sampled. */
  keepConnections(connectionIds: ReadonlySet<string>): Promise<void> {
    return this.#sampler.keepConnections(connectionIds);
  }
}
