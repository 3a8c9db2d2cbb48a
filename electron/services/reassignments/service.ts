// Partition reassignments for the planner screen (issue #19, KIP-455): the cluster's assignment with
// sizes to plan from, the moves under way with how far each new replica has caught up, applying a plan
// (AlterPartitionReassignments, optionally throttled as kafka-reassign-partitions --throttle does) and
// cancelling. The client library has neither API: both go through the generated codec on its connections.
import { ConfigResourceTypes, IncrementalAlterConfigOperationTypes, type Admin } from '@platformatic/kafka';
import type { BrokerRef } from '../../../shared/model/cluster';
import type { OngoingReassignment, ReassignmentApply, ReassignmentResult, ReassignmentState } from '../../../shared/model/reassignments';
import { AppError, describeUnsupportedApi } from '../../core/errors';
import { errorName } from '../../kafka/protocol/error-codes';
import { AlterPartitionReassignments, ListPartitionReassignments } from '../../kafka/protocol/generated/index';
import type { ClusterReads } from '../cluster/service';
import { describeLogDirs, type ClusterSnapshot } from '../cluster/read';
import { bootstrapConnection, brokerConnection, negotiateVersion, send } from '../cluster/wire';

export interface ReassignmentServiceDeps {
  reads(connectionId: string): Promise<ClusterReads>;
}

const TIMEOUT_MS = 30_000;
const LEADER_RATE = 'leader.replication.throttled.rate';
const FOLLOWER_RATE = 'follower.replication.throttled.rate';
const LEADER_REPLICAS = 'leader.replication.throttled.replicas';
const FOLLOWER_REPLICAS = 'follower.replication.throttled.replicas';

/** What the app throttled for its moves on one connection, to lift once they are done. */
interface Throttle {
  bytesPerSecond: number;
  brokers: number[];
  topics: string[];
}

type Targets = Array<{ topic: string; partition: number; replicas: number[] | null }>;

export class ReassignmentService {
  readonly #deps: ReassignmentServiceDeps;
  readonly #throttles = new Map<string, Throttle>();

  constructor(deps: ReassignmentServiceDeps) {
    this.#deps = deps;
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
   * set for them is lifted (as kafka-reassign-partitions --verify does).
   */
  async state(connectionId: string): Promise<ReassignmentState> {
    const reads = await this.#deps.reads(connectionId);
    const snapshot = await reads.metadata(null);
    const ongoing = await this.#list(reads, snapshot);
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
    const throttle = this.#throttles.get(connectionId);
    if (throttle && states.length === 0) await this.clearThrottle(connectionId);
    return {
      brokers: [...reads.brokers(snapshot).values()] satisfies BrokerRef[],
      topics,
      ongoing: states,
      throttleBytesPerSecond: states.length > 0 ? (throttle?.bytesPerSecond ?? null) : null,
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
   * follower-throttled; only replicas outside the ISR are slowed, so nothing in sync falls behind.
   */
  async apply(request: ReassignmentApply): Promise<ReassignmentResult> {
    const { connectionId, moves, throttleBytesPerSecond } = request;
    if (throttleBytesPerSecond !== null) {
      const reads = await this.#deps.reads(connectionId);
      const snapshot = await reads.metadata([...new Set(moves.map((move) => move.topic))]);
      const leaderReplicas = new Map<string, string[]>();
      const followerReplicas = new Map<string, string[]>();
      const brokers = new Set<number>();
      for (const move of moves) {
        const current = snapshot.topics.get(move.topic)?.partitions.find((p) => p.partition === move.partition)?.replicas ?? [];
        for (const id of current) brokers.add(id);
        for (const id of move.replicas) brokers.add(id);
        leaderReplicas.set(move.topic, [...(leaderReplicas.get(move.topic) ?? []), ...current.map((id) => `${move.partition}:${id}`)]);
        followerReplicas.set(move.topic, [
          ...(followerReplicas.get(move.topic) ?? []),
          ...move.replicas.filter((id) => !current.includes(id)).map((id) => `${move.partition}:${id}`),
        ]);
      }
      // Only live brokers take configs (a down one would fail the whole request).
      for (const id of brokers) if (!snapshot.brokers.has(id)) brokers.delete(id);
      const set = (name: string, value: string) => ({ name, value, configOperation: IncrementalAlterConfigOperationTypes.SET });
      await reads.admin.incrementalAlterConfigs({
        resources: [
          ...[...brokers].map((id) => ({
            resourceType: ConfigResourceTypes.BROKER,
            resourceName: String(id),
            configs: [set(LEADER_RATE, String(throttleBytesPerSecond)), set(FOLLOWER_RATE, String(throttleBytesPerSecond))],
          })),
          ...[...leaderReplicas.keys()].map((topic) => ({
            resourceType: ConfigResourceTypes.TOPIC,
            resourceName: topic,
            configs: [set(LEADER_REPLICAS, leaderReplicas.get(topic)!.join(',')), set(FOLLOWER_REPLICAS, followerReplicas.get(topic)!.join(','))],
          })),
        ],
      });
      this.#throttles.set(connectionId, { bytesPerSecond: throttleBytesPerSecond, brokers: [...brokers], topics: [...leaderReplicas.keys()] });
    }
    return this.#alter(
      connectionId,
      moves.map((move) => ({ topic: move.topic, partition: move.partition, replicas: move.replicas })),
    );
  }

  /** Cancels the moves of these partitions (null replicas): back to the replicas they had. */
  cancel(connectionId: string, partitions: ReadonlyArray<{ topic: string; partition: number }>): Promise<ReassignmentResult> {
    return this.#alter(
      connectionId,
      partitions.map((p) => ({ ...p, replicas: null })),
    );
  }

  /** Lifts the throttle the app set for its moves (the brokers' rates and the topics' throttled replicas). */
  async clearThrottle(connectionId: string): Promise<void> {
    const throttle = this.#throttles.get(connectionId);
    if (!throttle) return;
    const reads = await this.#deps.reads(connectionId);
    const remove = (name: string) => ({ name, configOperation: IncrementalAlterConfigOperationTypes.DELETE });
    await reads.admin.incrementalAlterConfigs({
      resources: [
        ...throttle.brokers.map((id) => ({
          resourceType: ConfigResourceTypes.BROKER,
          resourceName: String(id),
          configs: [remove(LEADER_RATE), remove(FOLLOWER_RATE)],
        })),
        ...throttle.topics.map((topic) => ({
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: topic,
          configs: [remove(LEADER_REPLICAS), remove(FOLLOWER_REPLICAS)],
        })),
      ],
    });
    this.#throttles.delete(connectionId);
  }
}
