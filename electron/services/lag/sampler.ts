// The lag sampler of the main process. Every `intervalMs` it reads the committed and end offsets of
// the groups someone looks at (groups on screen, reported by each view with a time to live) and of the
// groups the user watches (kept across runs), records them in each group's history, appends them to
// the store, and tells the renderer. On request it samples every group of a connection at once.
//
// It knows nothing of Kafka: `read` does the reading (services/groups/queries.ts readGroupSamples, through the lag service), so the
// timing, history and persistence are tested with plain data.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LagSampledEvent, LagSeries, LagSettings, LagStack, TopicGroupsLag } from '../../../shared/model/groups';
import { lagSettingsSchema } from '../../../shared/model/groups';
import { AtomicFile } from '../../core/atomic-file';
import { appLogger, type Logger } from '../../core/logger';
import { chartSeries, RATE_WINDOW_MS, summarize, topicChart } from './derive';
import { GroupHistory, HISTORY_MS, type GroupSample } from './series';
import { LagStore } from './store';

export const DEFAULT_INTERVAL_MS = 5_000;
/** A view's list of groups on screen is dropped unless renewed within this time. */
export const VIEW_TTL_MS = 60_000;

export type SampleReader = (connectionId: string, groups: readonly string[] | null) => Promise<GroupSample[]>;

export interface LagSamplerOptions {
  dataDir: string;
  read: SampleReader;
  emit?: (event: LagSampledEvent) => void;
  now?: () => number;
  /** Overrides the saved interval (tests). */
  intervalMs?: number;
  logger?: Logger;
}

interface ConnectionState {
  groups: Map<string, GroupHistory>;
  loaded: Promise<void>;
  /** view id -> groups on screen and when the view last said so. */
  views: Map<string, { groups: Set<string>; at: number }>;
  failing: boolean;
}

export class LagSampler {
  readonly #store: LagStore;
  readonly #root: string;
  /** Each written one write after another: two toggles at once shared the temporary file. */
  readonly #settingsFile: AtomicFile;
  readonly #watchedFile: AtomicFile;
  readonly #read: SampleReader;
  readonly #emit: (event: LagSampledEvent) => void;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #connections = new Map<string, ConnectionState>();
  #watched = new Map<string, Set<string>>();
  #settings: LagSettings = { intervalMs: DEFAULT_INTERVAL_MS };
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #ticking: Promise<void> | null = null;
  #closed = false;
  readonly #fixedInterval: number | null;

  constructor(options: LagSamplerOptions) {
    this.#root = path.join(options.dataDir, 'lag-history');
    this.#store = new LagStore(this.#root);
    this.#settingsFile = new AtomicFile(path.join(this.#root, 'settings.json'));
    this.#watchedFile = new AtomicFile(path.join(this.#root, 'watched.json'));
    this.#read = options.read;
    this.#emit = options.emit ?? (() => undefined);
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? appLogger;
    if (options.intervalMs) this.#settings = { intervalMs: options.intervalMs };
    this.#fixedInterval = options.intervalMs ?? null;
  }

  get settings(): LagSettings {
    return this.#settings;
  }

  /** Loads the settings and watched groups, then samples on a timer until close(). */
  async start(): Promise<void> {
    await mkdir(this.#root, { recursive: true });
    const settings = await readJson(this.#settingsFile.path);
    const parsed = lagSettingsSchema.safeParse(settings);
    if (parsed.success && this.#fixedInterval === null) this.#settings = parsed.data;
    const watched = await readJson(this.#watchedFile.path);
    if (watched && typeof watched === 'object') {
      for (const [connectionId, groups] of Object.entries(watched as Record<string, unknown>)) {
        if (Array.isArray(groups)) this.#watched.set(connectionId, new Set(groups.filter((group): group is string => typeof group === 'string')));
      }
    }
    this.#running = true;
    this.#schedule();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#ticking?.catch(() => undefined);
    await this.#store.flush();
    await this.#settingsFile.idle();
    await this.#watchedFile.idle();
  }

  async updateSettings(settings: LagSettings): Promise<LagSettings> {
    this.#settings = lagSettingsSchema.parse(settings);
    await this.#settingsFile.write(JSON.stringify(this.#settings, null, 2));
    if (this.#running && this.#timer) {
      clearTimeout(this.#timer);
      this.#schedule();
    }
    return this.#settings;
  }

  /** A view says which groups of a connection it shows; an empty list ends its interest. */
  view(connectionId: string, viewId: string, groups: readonly string[]): void {
    const state = this.#state(connectionId);
    if (groups.length) state.views.set(viewId, { groups: new Set(groups), at: this.#now() });
    else state.views.delete(viewId);
  }

  isWatched(connectionId: string, group: string): boolean {
    return this.#watched.get(connectionId)?.has(group) ?? false;
  }

  watchedGroups(connectionId: string): string[] {
    return [...(this.#watched.get(connectionId) ?? [])].sort();
  }

  /** Watched groups are sampled whether or not they are on screen, in this run and the next. */
  async setWatched(connectionId: string, group: string, watched: boolean): Promise<void> {
    const groups = this.#watched.get(connectionId) ?? new Set<string>();
    if (watched) groups.add(group);
    else groups.delete(group);
    if (groups.size) this.#watched.set(connectionId, groups);
    else this.#watched.delete(connectionId);
    const plain = Object.fromEntries([...this.#watched].map(([id, set]) => [id, [...set].sort()]));
    await this.#watchedFile.write(JSON.stringify(plain, null, 2));
  }

  /** The groups of the list that have no history yet (sampled at once when they come on screen). */
  async withoutHistory(connectionId: string, groups: readonly string[]): Promise<string[]> {
    const state = this.#state(connectionId);
    await state.loaded;
    return groups.filter((group) => !state.groups.has(group));
  }

  /** Stops sampling connections that no longer exist (deleted): their watched groups and views go. */
  async keepConnections(connectionIds: ReadonlySet<string>): Promise<void> {
    for (const connectionId of [...this.#connections.keys()]) if (!connectionIds.has(connectionId)) this.#connections.delete(connectionId);
    const gone = [...this.#watched.keys()].filter((connectionId) => !connectionIds.has(connectionId));
    if (!gone.length) return;
    for (const connectionId of gone) this.#watched.delete(connectionId);
    const plain = Object.fromEntries([...this.#watched].map(([id, set]) => [id, [...set].sort()]));
    await this.#watchedFile.write(JSON.stringify(plain, null, 2));
  }

  /** Forgets a group's history in memory (its files age out), as when the group is deleted. */
  forget(connectionId: string, group: string): void {
    this.#connections.get(connectionId)?.groups.delete(group);
  }

  /** Samples now: the given groups, or every group of the connection when `groups` is null. */
  async sampleNow(connectionId: string, groups: readonly string[] | null): Promise<{ groups: number; at: number }> {
    const state = this.#state(connectionId);
    await state.loaded;
    const samples = await this.#read(connectionId, groups);
    const at = this.#record(connectionId, state, samples);
    await this.#store.append(connectionId, samples);
    if (samples.length) this.#emit({ connectionId, at, groups: samples.map((sample) => sample.group) });
    return { groups: samples.length, at };
  }

  /** Records samples read elsewhere (the groups list reads every group's lag anyway). */
  async record(connectionId: string, samples: readonly GroupSample[]): Promise<void> {
    const state = this.#state(connectionId);
    await state.loaded;
    this.#record(connectionId, state, samples);
    await this.#store.append(connectionId, samples);
  }

  async series(connectionId: string, group: string, rangeMs: number, stack: LagStack): Promise<LagSeries> {
    const state = this.#state(connectionId);
    await state.loaded;
    const to = this.#now();
    const from = to - Math.min(rangeMs, HISTORY_MS);
    const history = state.groups.get(group);
    const base = { group, from, to, stack, intervalMs: this.#settings.intervalMs, watched: this.isWatched(connectionId, group) };
    if (!history) return { ...base, keys: [], points: [], summary: { at: null, lag: null, consumeRate: null, produceRate: null, catchUpMs: null } };
    const { keys, points } = chartSeries(history, from, to, stack);
    const last = history.lastTime() ?? to;
    const summary = summarize(history.rows(last - RATE_WINDOW_MS - 2 * this.#settings.intervalMs, last));
    return { ...base, keys, points, summary };
  }

  /** Lag over time on one topic of every group with history on it. */
  async topic(connectionId: string, topic: string, rangeMs: number): Promise<TopicGroupsLag> {
    const state = this.#state(connectionId);
    await state.loaded;
    const to = this.#now();
    const from = to - Math.min(rangeMs, HISTORY_MS);
    const chart = topicChart([...state.groups.values()], topic, from, to);
    return { topic, from, to, ...chart };
  }

  /** Total lag over the range for each group (for sparklines), newest last; groups without history get []. */
  async sparklines(connectionId: string, groups: readonly string[], rangeMs: number, points = 40): Promise<Record<string, (number | null)[]>> {
    const state = this.#state(connectionId);
    await state.loaded;
    const to = this.#now();
    const from = to - Math.min(rangeMs, HISTORY_MS);
    const result: Record<string, (number | null)[]> = {};
    for (const group of groups) {
      const history = state.groups.get(group);
      result[group] = history ? chartSeries(history, from, to, 'topic', points).points.map((point) => point.total) : [];
    }
    return result;
  }

  /** Groups being sampled on the timer for a connection: on screen (not expired) or watched. */
  activeGroups(connectionId: string): string[] {
    const state = this.#connections.get(connectionId);
    const groups = new Set(this.#watched.get(connectionId) ?? []);
    if (state) {
      const now = this.#now();
      for (const [viewId, view] of state.views) {
        if (now - view.at > VIEW_TTL_MS) state.views.delete(viewId);
        else for (const group of view.groups) groups.add(group);
      }
    }
    return [...groups].sort();
  }

  /** One round of the timer: samples the active groups of every connection. Exposed for tests. */
  async tick(): Promise<void> {
    const connectionIds = new Set([...this.#connections.keys(), ...this.#watched.keys()]);
    await Promise.all(
      [...connectionIds].map(async (connectionId) => {
        const groups = this.activeGroups(connectionId);
        if (!groups.length) return;
        const state = this.#state(connectionId);
        try {
          await this.sampleNow(connectionId, groups);
          state.failing = false;
        } catch (error) {
          // Logged once per outage, not every few seconds.
          if (!state.failing) this.#logger.error(`Lag sampling of ${connectionId} failed`, { error });
          state.failing = true;
        }
      }),
    );
  }

  #schedule(): void {
    if (!this.#running || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#ticking = this.tick().finally(() => {
        this.#ticking = null;
        this.#schedule();
      });
    }, this.#settings.intervalMs);
    this.#timer.unref?.();
  }

  #state(connectionId: string): ConnectionState {
    let state = this.#connections.get(connectionId);
    if (!state) {
      const groups = new Map<string, GroupHistory>();
      const created: ConnectionState = { groups, views: new Map(), failing: false, loaded: Promise.resolve() };
      created.loaded = this.#store
        .load(connectionId, this.#now())
        .then((samples) => {
          this.#record(connectionId, created, samples);
        })
        .catch((error: unknown) => this.#logger.error(`Lag history of ${connectionId} could not be read`, { error }));
      state = created;
      this.#connections.set(connectionId, state);
    }
    return state;
  }

  #record(_connectionId: string, state: ConnectionState, samples: readonly GroupSample[]): number {
    let at = 0;
    for (const sample of samples) {
      let history = state.groups.get(sample.group);
      if (!history) {
        history = new GroupHistory(sample.group, { intervalMs: this.#settings.intervalMs });
        state.groups.set(sample.group, history);
      }
      history.add(sample.at, sample.partitions);
      at = Math.max(at, sample.at);
    }
    return at || this.#now();
  }
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return null;
  }
}
