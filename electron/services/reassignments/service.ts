// Partition reassignments for the planner screen (issue #19, KIP-455): the cluster's assignment with
// sizes to plan from, the moves under way with how far each new replica has caught up, applying a plan
// (AlterPartitionReassignments, optionally throttled as kafka-reassign-partitions --throttle does) and
// cancelling. The client library has neither API: both go through the generated codec on its connections.
//
// A throttle the app sets is written down (reassignment-throttles.json in the data dir) and watched: once
// no move runs any more (completed or cancelled), it is lifted, as kafka-reassign-partitions --verify does,
// also when the app was closed and started again meanwhile. Throttles left on a cluster with nothing moving
// that the app did not set (another tool, an app that lost its note) are shown, and removed on request.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigResourceTypes, ConfigSources, IncrementalAlterConfigOperationTypes, type Admin } from '@platformatic/kafka';
import type { BrokerRef } from '../../../shared/model/cluster';
import type { LeftoverThrottle, OngoingReassignment, ReassignmentApply, ReassignmentResult, ReassignmentState } from '../../../shared/model/reassignments';
import { AtomicFile } from '../../core/atomic-file';
import { AppError, describeUnsupportedApi } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { errorName } from '../../kafka/protocol/error-codes';
import { AlterPartitionReassignments, ListPartitionReassignments } from '../../kafka/protocol/generated/index';
import type { ClusterReads } from '../cluster/service';
import { describeLogDirs, type ClusterSnapshot } from '../cluster/read';
import { bootstrapConnection, brokerConnection, negotiateVersion, send } from '../cluster/wire';

export interface ReassignmentServiceDeps {
  reads(connectionId: string): Promise<ClusterReads>;
  /** Where the throttles the app set are written down, to lift them after a restart too; none: kept in memory. */
  dataDir?: string;
  /** How often a throttled connection is asked whether its moves are done (default 5 s). */
  watchIntervalMs?: number;
  logger?: Logger;
}

const TIMEOUT_MS = 30_000;
const THROTTLES_FILE = 'reassignment-throttles.json';
const LEADER_RATE = 'leader.replication.throttled.rate';
const FOLLOWER_RATE = 'follower.replication.throttled.rate';
const LEADER_REPLICAS = 'leader.replication.throttled.replicas';
const FOLLOWER_REPLICAS = 'follower.replication.throttled.replicas';

/** What the app throttled for its moves on one connection, to lift once they are done. */
interface Throttle {
  bytesPerSecond: number;
  /** Brokers whose rates the app set. */
  brokers: number[];
  /** Per topic, the `partition:broker` entries the app set as leader- and follower-throttled. */
  topics: Record<string, { leader: string[]; follower: string[] }>;
}

type Targets = Array<{ topic: string; partition: number; replicas: number[] | null }>;

const union = <T>(a: readonly T[], b: readonly T[]): T[] => [...new Set([...a, ...b])];

export class ReassignmentService {
  readonly #deps: ReassignmentServiceDeps;
  readonly #throttles = new Map<string, Throttle>();
  readonly #watchers = new Map<string, NodeJS.Timeout>();
  /**
   * Throttle changes per connection, one at a time: an apply sets its throttle before its moves start,
   * and a check that saw nothing moving must not lift that throttle meanwhile.
   */
  readonly #locks = new Map<string, Promise<unknown>>();
  /** Applies per connection, counted: a check that listed the moves before an apply does not trust that list after it. */
  readonly #applies = new Map<string, number>();
  /** One write at a time, each the latest state (a failed write no longer fails every later one). */
  readonly #file: AtomicFile | null;
  #closed = false;

  constructor(deps: ReassignmentServiceDeps) {
    this.#deps = deps;
    this.#file = deps.dataDir ? new AtomicFile(path.join(deps.dataDir, THROTTLES_FILE), { mode: 0o600 }) : null;
  }

  /** Reads the throttles written down by an earlier run and watches their connections until their moves are done. */
  async load(): Promise<void> {
    if (!this.#deps.dataDir) return;
    let text: string;
    try {
      text = await readFile(path.join(this.#deps.dataDir, THROTTLES_FILE), 'utf8');
    } catch {
      return; // none written yet
    }
    try {
      const saved = JSON.parse(text) as Record<string, Throttle>;
      for (const [connectionId, throttle] of Object.entries(saved)) {
        if (!Number.isFinite(throttle?.bytesPerSecond) || !Array.isArray(throttle.brokers) || typeof throttle.topics !== 'object') continue;
        this.#throttles.set(connectionId, throttle);
        this.#watch(connectionId);
      }
    } catch (error) {
      this.#deps.logger?.warn('reassignment throttles file unreadable; throttles left by earlier moves are shown by the planner instead', {
        error: String(error),
      });
    }
  }

  /** Stops watching (the throttles stay written down for the next run). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#watchers.values()) clearInterval(timer);
    this.#watchers.clear();
    await this.#file?.idle();
  }

  /** Forgets the throttles of connections that no longer exist. */
  async keepConnections(ids: ReadonlySet<string>): Promise<void> {
    let changed = false;
    for (const connectionId of [...this.#throttles.keys()]) {
      if (ids.has(connectionId)) continue;
      this.#throttles.delete(connectionId);
      this.#unwatch(connectionId);
      changed = true;
    }
    if (changed) await this.#save();
  }

  #watch(connectionId: string): void {
    if (this.#closed || this.#watchers.has(connectionId)) return;
    const timer = setInterval(() => {
      void this.#liftIfDone(connectionId).catch((error: unknown) =>
        // The cluster may be away (or not started yet): asked again at the next tick.
        this.#deps.logger?.debug('reassignment throttle check failed', { connectionId, error: String(error) }),
      );
    }, this.#deps.watchIntervalMs ?? 5000);
    timer.unref();
    this.#watchers.set(connectionId, timer);
  }

  #unwatch(connectionId: string): void {
    clearInterval(this.#watchers.get(connectionId));
    this.#watchers.delete(connectionId);
  }

  #save(): Promise<void> {
    return this.#file?.write(JSON.stringify(Object.fromEntries(this.#throttles), null, 2)) ?? Promise.resolve();
  }

  #exclusive<T>(connectionId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(connectionId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.#locks.set(connectionId, settled);
    void settled.then(() => {
      if (this.#locks.get(connectionId) === settled) this.#locks.delete(connectionId);
    });
    return next;
  }

  #appliesOn(connectionId: string): number {
    return this.#applies.get(connectionId) ?? 0;
  }

  /**
   * Lifts the app's throttle on a connection once no move runs there any more. `known`: what a caller
   * listed (with the apply count it read before), trusted only if no apply came since.
   */
  #liftIfDone(connectionId: string, known?: { reads: ClusterReads; ongoing: number; applies: number }): Promise<boolean> {
    if (!this.#throttles.has(connectionId)) return Promise.resolve(false);
    return this.#exclusive(connectionId, async () => {
      if (!this.#throttles.has(connectionId)) return false;
      let reads = known?.reads;
      let ongoing = known?.ongoing;
      if (!known || known.applies !== this.#appliesOn(connectionId)) {
        reads = await this.#deps.reads(connectionId);
        ongoing = (await this.#list(reads, await reads.metadata([]))).length;
      }
      if (ongoing! > 0) return false;
      await this.#lift(connectionId, reads!);
      return true;
    });
  }

  /**
   * Removes the rates and throttled replicas the app set. A broker down now keeps its rate, which
   * throttles nothing once no topic lists replicas to throttle; the planner shows it as left over.
   */
  async #lift(connectionId: string, reads: ClusterReads): Promise<void> {
    const throttle = this.#throttles.get(connectionId);
    if (!throttle) return;
    const snapshot = await reads.metadata(Object.keys(throttle.topics));
    const live = throttle.brokers.filter((id) => snapshot.brokers.has(id));
    // A topic deleted since has no throttle left to lift (and would fail the request).
    const topics = Object.keys(throttle.topics).filter((topic) => snapshot.topics.get(topic)?.error === null);
    await removeThrottles(reads.admin, live, topics);
    this.#throttles.delete(connectionId);
    this.#unwatch(connectionId);
    await this.#save();
  }

  /** The controller's connection (KRaft brokers forward anyway), or the bootstrap one. */
  async #controller(reads: ClusterReads, snapshot: ClusterSnapshot) {
    const controller = snapshot.brokers.get(snapshot.controllerId);
    return controller ? brokerConnection(reads.admin, controller) : bootstrapConnection(reads.admin);
  }

  async #version(admin: Admin, api: typeof AlterPartitionReassignments | typeof ListPartitionReassignments): Promise<number> {
    try {
      return await negotiateVersion(admin, api);
    } catch {
      throw new AppError('kafka', describeUnsupportedApi(api.name));
    }
  }

  async #list(reads: ClusterReads, snapshot: ClusterSnapshot) {
    const version = await this.#version(reads.admin, ListPartitionReassignments);
    const response = await send(await this.#controller(reads, snapshot), ListPartitionReassignments, version, { timeoutMs: TIMEOUT_MS, topics: null });
    if (response.errorCode) {
      throw new AppError(
        'kafka',
        `The cluster would not list its reassignments: ${errorName(response.errorCode)}${response.errorMessage ? ` (${response.errorMessage})` : ''}.`,
        {
          kafkaCode: errorName(response.errorCode),
        },
      );
    }
    return response.topics.flatMap((topic) =>
      topic.partitions.map((p) => ({
        topic: topic.name,
        partition: p.partitionIndex,
        replicas: p.replicas,
        adding: p.addingReplicas,
        removing: p.removingReplicas,
      })),
    );
  }

  /**
   * The assignment of every topic with its sizes (DescribeLogDirs on every live broker), and the moves
   * under way with each new replica's bytes and ISR standing. Once none is under way, a throttle the app
   * set for them is lifted (as kafka-reassign-partitions --verify does), and throttles still set on the
   * cluster are reported as left over.
   */
  async state(connectionId: string): Promise<ReassignmentState> {
    const reads = await this.#deps.reads(connectionId);
    // The moves first, then the assignment: a move that completes in between shows done (its final
    // replicas), where the other order would show the union of old and new replicas as if it were the target.
    const applies = this.#appliesOn(connectionId);
    const ongoing = await this.#list(reads, await reads.metadata([]));
    const snapshot = await reads.metadata(null);
    const logDirs = await describeLogDirs(reads.admin, snapshot.brokers, null);
    const sizes = new Map<string, number>();
    const sizeErrors: string[] = [];
    for (const broker of logDirs) {
      if (broker.error !== null) {
        sizeErrors.push(broker.error);
        continue;
      }
      for (const dir of broker.dirs) for (const p of dir.partitions) if (!p.future) sizes.set(`${broker.broker}:${p.topic}:${p.partition}`, p.sizeBytes);
    }
    const sizeOn = (broker: number, topic: string, partition: number) => sizes.get(`${broker}:${topic}:${partition}`) ?? null;
    const moving = new Map(ongoing.map((entry) => [`${entry.topic}:${entry.partition}`, entry]));
    const topics = [...snapshot.topics.values()]
      .filter((topic) => topic.error === null || topic.partitions.length > 0)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((topic) => ({
        name: topic.name,
        internal: topic.internal,
        partitions: topic.partitions.map((p) => {
          const move = moving.get(`${topic.name}:${p.partition}`);
          return {
            partition: p.partition,
            replicas: move ? p.replicas.filter((id) => !move.removing.includes(id)) : p.replicas,
            leader: p.leader,
            isr: p.isr,
            sizeBytes: p.leader >= 0 ? sizeOn(p.leader, topic.name, p.partition) : null,
          };
        }),
      }));
    const states: OngoingReassignment[] = ongoing.map((entry) => {
      const p = snapshot.topics.get(entry.topic)?.partitions.find((candidate) => candidate.partition === entry.partition);
      const leader = p?.leader ?? -1;
      const isr = p?.isr ?? [];
      return {
        ...entry,
        leader,
        isr,
        sizeBytes: leader >= 0 ? sizeOn(leader, entry.topic, entry.partition) : null,
        progress: entry.adding.map((broker) => ({ broker, bytes: sizeOn(broker, entry.topic, entry.partition), inIsr: isr.includes(broker) })),
      };
    });
    let throttleBytesPerSecond: number | null = null;
    let leftoverThrottle: LeftoverThrottle | null = null;
    let throttleProblem: string | null = null;
    const liveBrokers = [...snapshot.brokers.keys()].sort((a, b) => a - b);
    try {
      if (states.length > 0) {
        // The rate the moves run at: the app's own, or one set by another tool (or an app that lost its note).
        throttleBytesPerSecond = this.#throttles.get(connectionId)?.bytesPerSecond ?? lowestRate(await findThrottles(reads.admin, liveBrokers, []));
      } else {
        await this.#liftIfDone(connectionId, { reads, ongoing: 0, applies });
        const found = await findThrottles(
          reads.admin,
          liveBrokers,
          [...snapshot.topics.values()].filter((topic) => topic.error === null).map((topic) => topic.name),
        );
        if (found.brokers.length + found.topics.length > 0) leftoverThrottle = found;
      }
    } catch (error) {
      throttleProblem = `The replication throttles could not be read or lifted: ${error instanceof Error ? error.message : String(error)}`;
    }
    return {
      brokers: [...reads.brokers(snapshot).values()] satisfies BrokerRef[],
      topics,
      ongoing: states,
      throttleBytesPerSecond,
      leftoverThrottle,
      throttleProblem,
      sizeErrors,
      readAt: snapshot.at,
    };
  }

  async #alter(connectionId: string, targets: Targets): Promise<ReassignmentResult> {
    const reads = await this.#deps.reads(connectionId);
    const snapshot = await reads.metadata([]);
    const version = await this.#version(reads.admin, AlterPartitionReassignments);
    const byTopic = new Map<string, Array<{ partitionIndex: number; replicas: number[] | null }>>();
    for (const target of targets) {
      const list = byTopic.get(target.topic) ?? [];
      list.push({ partitionIndex: target.partition, replicas: target.replicas });
      byTopic.set(target.topic, list);
    }
    const response = await send(await this.#controller(reads, snapshot), AlterPartitionReassignments, version, {
      timeoutMs: TIMEOUT_MS,
      // The app moves replicas and may change their number (KIP-860's default).
      allowReplicationFactorChange: true,
      topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
    });
    if (response.errorCode) {
      throw new AppError(
        'kafka',
        `The cluster refused the reassignment: ${errorName(response.errorCode)}${response.errorMessage ? ` (${response.errorMessage})` : ''}.`,
        { kafkaCode: errorName(response.errorCode) },
      );
    }
    const results = response.responses.flatMap((topic) =>
      topic.partitions.map((p) => ({
        topic: topic.name,
        partition: p.partitionIndex,
        error: p.errorCode ? errorName(p.errorCode) : null,
        message: p.errorCode ? (p.errorMessage ?? null) : null,
      })),
    );
    return { results, accepted: results.filter((r) => r.error === null).length };
  }

  /**
   * Starts the moves. With a throttle, first (as kafka-reassign-partitions --throttle): the rate on
   * every broker concerned, the partitions' current replicas as leader-throttled and the new ones as
   * follower-throttled; only replicas outside the ISR are slowed, so nothing in sync falls behind. The
   * throttle is written down and lifted once no move runs any more, after a restart of the app too.
   */
  async apply(request: ReassignmentApply): Promise<ReassignmentResult> {
    const { connectionId, moves, throttleBytesPerSecond } = request;
    return this.#exclusive(connectionId, async () => {
      this.#applies.set(connectionId, this.#appliesOn(connectionId) + 1);
      if (throttleBytesPerSecond !== null) await this.#throttle(connectionId, moves, throttleBytesPerSecond);
      const result = await this.#alter(
        connectionId,
        moves.map((move) => ({ topic: move.topic, partition: move.partition, replicas: move.replicas })),
      );
      return result;
    }).then(async (result) => {
      // Nothing accepted (or done at once): a throttle set for it goes now.
      if (throttleBytesPerSecond !== null && result.accepted === 0) await this.#liftIfDone(connectionId).catch(() => false);
      return result;
    });
  }

  async #throttle(connectionId: string, moves: ReassignmentApply['moves'], bytesPerSecond: number): Promise<void> {
    const reads = await this.#deps.reads(connectionId);
    const snapshot = await reads.metadata([...new Set(moves.map((move) => move.topic))]);
    // Added to what an earlier throttled apply set, if its moves still run: its replicas stay throttled.
    const earlier = this.#throttles.get(connectionId);
    const topics: Throttle['topics'] = structuredClone(earlier?.topics ?? {});
    const brokers = new Set<number>();
    for (const move of moves) {
      const current = snapshot.topics.get(move.topic)?.partitions.find((p) => p.partition === move.partition)?.replicas ?? [];
      for (const id of current) brokers.add(id);
      for (const id of move.replicas) brokers.add(id);
      const entries = (topics[move.topic] ??= { leader: [], follower: [] });
      entries.leader = union(
        entries.leader,
        current.map((id) => `${move.partition}:${id}`),
      );
      entries.follower = union(
        entries.follower,
        move.replicas.filter((id) => !current.includes(id)).map((id) => `${move.partition}:${id}`),
      );
    }
    // Only live brokers take configs (a down one would fail the whole request).
    for (const id of brokers) if (!snapshot.brokers.has(id)) brokers.delete(id);
    const all = union(earlier?.brokers ?? [], [...brokers]).sort((a, b) => a - b);
    // Written down first: if the app stops right after, the next run still lifts it.
    this.#throttles.set(connectionId, { bytesPerSecond, brokers: all, topics });
    await this.#save();
    this.#watch(connectionId);
    const set = (name: string, value: string) => ({ name, value, configOperation: IncrementalAlterConfigOperationTypes.SET });
    await reads.admin.incrementalAlterConfigs({
      resources: [
        ...all
          .filter((id) => snapshot.brokers.has(id))
          .map((id) => ({
            resourceType: ConfigResourceTypes.BROKER,
            resourceName: String(id),
            configs: [set(LEADER_RATE, String(bytesPerSecond)), set(FOLLOWER_RATE, String(bytesPerSecond))],
          })),
        ...Object.entries(topics)
          .filter(([topic]) => moves.some((move) => move.topic === topic))
          .map(([topic, entries]) => ({
            resourceType: ConfigResourceTypes.TOPIC,
            resourceName: topic,
            configs: [set(LEADER_REPLICAS, entries.leader.join(',')), set(FOLLOWER_REPLICAS, entries.follower.join(','))],
          })),
      ],
    });
  }

  /** Cancels the moves of these partitions (null replicas): back to the replicas they had. With none left, the app's throttle goes. */
  async cancel(connectionId: string, partitions: ReadonlyArray<{ topic: string; partition: number }>): Promise<ReassignmentResult> {
    const result = await this.#alter(
      connectionId,
      partitions.map((p) => ({ ...p, replicas: null })),
    );
    // A cancelled move reverts at once (its old replicas are in sync): lift now rather than at the next check.
    await this.#liftIfDone(connectionId).catch(() => false);
    return result;
  }

  /**
   * Removes the replication throttles from the cluster: the rates on every live broker and the throttled
   * replicas of every topic, wherever set (the app's own, or left over by another tool), as
   * kafka-reassign-partitions --verify does once the moves are done. Moves still running continue unthrottled.
   */
  clearThrottle(connectionId: string): Promise<void> {
    return this.#exclusive(connectionId, () => this.#clearThrottle(connectionId));
  }

  async #clearThrottle(connectionId: string): Promise<void> {
    const reads = await this.#deps.reads(connectionId);
    const snapshot = await reads.metadata(null);
    const found = await findThrottles(
      reads.admin,
      [...snapshot.brokers.keys()],
      [...snapshot.topics.values()].filter((topic) => topic.error === null).map((topic) => topic.name),
    );
    const own = this.#throttles.get(connectionId);
    const brokers = union(
      found.brokers.map((b) => b.broker),
      (own?.brokers ?? []).filter((id) => snapshot.brokers.has(id)),
    );
    const topics = union(
      found.topics.map((t) => t.topic),
      Object.keys(own?.topics ?? {}).filter((topic) => snapshot.topics.get(topic)?.error === null),
    );
    await removeThrottles(reads.admin, brokers, topics);
    if (own) {
      this.#throttles.delete(connectionId);
      this.#unwatch(connectionId);
      await this.#save();
    }
  }
}

/** Deletes the throttle rates of `brokers` and the throttled replicas of `topics` (Kafka's defaults then apply: no throttle). */
async function removeThrottles(admin: Admin, brokers: readonly number[], topics: readonly string[]): Promise<void> {
  if (brokers.length + topics.length === 0) return;
  const remove = (name: string) => ({ name, configOperation: IncrementalAlterConfigOperationTypes.DELETE });
  await admin.incrementalAlterConfigs({
    resources: [
      ...brokers.map((id) => ({
        resourceType: ConfigResourceTypes.BROKER,
        resourceName: String(id),
        configs: [remove(LEADER_RATE), remove(FOLLOWER_RATE)],
      })),
      ...topics.map((topic) => ({
        resourceType: ConfigResourceTypes.TOPIC,
        resourceName: topic,
        configs: [remove(LEADER_REPLICAS), remove(FOLLOWER_REPLICAS)],
      })),
    ],
  });
}

/** The throttle rates set on `brokers` (dynamically, per broker) and the throttled replicas set on `topics`. */
async function findThrottles(admin: Admin, brokers: readonly number[], topics: readonly string[]): Promise<LeftoverThrottle> {
  if (brokers.length + topics.length === 0) return { brokers: [], topics: [] };
  const described = await admin.describeConfigs({
    resources: [
      ...brokers.map((id) => ({ resourceType: ConfigResourceTypes.BROKER, resourceName: String(id), configurationKeys: [LEADER_RATE, FOLLOWER_RATE] })),
      ...topics.map((topic) => ({ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: [LEADER_REPLICAS, FOLLOWER_REPLICAS] })),
    ],
    includeSynonyms: false,
  });
  const found: LeftoverThrottle = { brokers: [], topics: [] };
  for (const resource of described) {
    const value = (name: string, source: number) => {
      const config = resource.configs.find((entry) => entry.name === name && entry.configSource === source);
      return config?.value?.trim() ? config.value.trim() : null;
    };
    if (resource.resourceType === ConfigResourceTypes.BROKER) {
      const leader = value(LEADER_RATE, ConfigSources.DYNAMIC_BROKER_CONFIG);
      const follower = value(FOLLOWER_RATE, ConfigSources.DYNAMIC_BROKER_CONFIG);
      if (leader !== null || follower !== null)
        found.brokers.push({
          broker: Number(resource.resourceName),
          leaderBytesPerSecond: leader === null ? null : Number(leader),
          followerBytesPerSecond: follower === null ? null : Number(follower),
        });
    } else {
      const leader = value(LEADER_REPLICAS, ConfigSources.DYNAMIC_TOPIC_CONFIG);
      const follower = value(FOLLOWER_REPLICAS, ConfigSources.DYNAMIC_TOPIC_CONFIG);
      if (leader !== null || follower !== null) found.topics.push({ topic: resource.resourceName, leaderReplicas: leader, followerReplicas: follower });
    }
  }
  found.brokers.sort((a, b) => a.broker - b.broker);
  found.topics.sort((a, b) => a.topic.localeCompare(b.topic));
  return found;
}

/** The lowest rate a broker is throttled to, or null. */
function lowestRate(found: LeftoverThrottle): number | null {
  const rates = found.brokers.flatMap((b) => [b.leaderBytesPerSecond, b.followerBytesPerSecond]).filter((rate): rate is number => rate !== null);
  return rates.length > 0 ? Math.min(...rates) : null;
}
