// Topics for the IPC handlers: list, stats, describe, create, delete, add partitions, purge and
// configs, on any connection, over the Kafka protocol (./queries). Reads go through the cluster
// service's recorded reads, so every Metadata answer also feeds the broker history.
import type { Admin } from '@platformatic/kafka';
import type { ConfigEntry, TopicDetail, TopicStats, TopicSummary } from '../../../shared/model/schemas';
import type { ClusterReads } from '../cluster/service';
import * as queries from './queries';

export interface TopicsServiceDeps {
  admin(connectionId: string): Promise<Admin>;
  reads(connectionId: string): Promise<ClusterReads>;
}

export class TopicsService {
  readonly #deps: TopicsServiceDeps;

  constructor(deps: TopicsServiceDeps) {
    this.#deps = deps;
  }

  async list(connectionId: string, includeInternal = false): Promise<TopicSummary[]> {
    return queries.listTopics(await this.#deps.reads(connectionId), includeInternal);
  }

  async stats(connectionId: string, includeInternal = false): Promise<TopicStats[]> {
    return queries.topicStats(await this.#deps.reads(connectionId), includeInternal);
  }

  async describe(connectionId: string, topic: string): Promise<TopicDetail> {
    return queries.describeTopic(await this.#deps.reads(connectionId), topic);
  }

  async create(
    connectionId: string,
    request: { topic: string; partitions: number; replicationFactor: number; configs: Record<string, string> },
  ): Promise<{ topic: string; partitions: number; replicationFactor: number }> {
    return queries.createTopic(await this.#deps.admin(connectionId), request);
  }

  /** The topic's partition count, creating it first when it does not exist. */
  async ensure(connectionId: string, topic: string, partitions: number, replicationFactor: number): Promise<number> {
    return queries.ensureTopic(await this.#deps.admin(connectionId), topic, partitions, replicationFactor);
  }

  async delete(connectionId: string, topic: string): Promise<void> {
    await queries.deleteTopic(await this.#deps.admin(connectionId), topic);
  }

  async addPartitions(connectionId: string, topic: string, totalPartitions: number): Promise<void> {
    await queries.addPartitions(await this.#deps.reads(connectionId), topic, totalPartitions);
  }

  async purge(connectionId: string, topic: string): Promise<{ partitions: number }> {
    return queries.purgeTopic(await this.#deps.reads(connectionId), topic);
  }

  async configs(connectionId: string, topic: string): Promise<ConfigEntry[]> {
    return queries.topicConfigs(await this.#deps.admin(connectionId), topic);
  }

  async alterConfigs(connectionId: string, topic: string, set: Record<string, string>, reset: string[]): Promise<ConfigEntry[]> {
    return queries.alterTopicConfigs(await this.#deps.admin(connectionId), topic, set, reset);
  }
}
