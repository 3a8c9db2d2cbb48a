/**
 * What the registry needs from the cluster, and nothing more: append records to the single partition
 * of `_schemas` with acks=all, read its committed records, and know when it has a leader. The registry
 * never sees a broker, the controller or a replica (as Kafka's coordinators see only a PartitionWriter).
 *
 * ClusterSchemasLog is that interface over the embedded cluster: it creates `_schemas` as Confluent's
 * KafkaStore does (one partition, cleanup.policy=compact, replication factor min(3, brokers)) — on the
 * first write rather than at start, so a cluster that never holds a schema shows no registry topic —
 * and follows the partition's leader as it moves between brokers.
 */
import { isPartitionError, type PartitionReplica } from '../cluster/partition-replica';
import type { TopicMetadata } from '../cluster/metadata-store';
import { isControlBatch } from '../../kafka/records/batch-header';
import { encodeRecordBatch, iterateBatches } from '../../kafka/records/record-batch';
import { SCHEMAS_TOPIC } from './records';

export interface LogRecord {
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
}

export interface LogRead {
  /** Changes when the topic was deleted and created again: the reader starts over. */
  topicId: string;
  records: LogRecord[];
  /** Where the next read starts. */
  nextOffset: number;
  highWatermark: number;
}

export type SchemasLogErrorKind = 'unavailable' | 'timeout' | 'too-large' | 'store';

export class SchemasLogError extends Error {
  constructor(
    readonly kind: SchemasLogErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'SchemasLogError';
  }
}

export interface SchemasLog {
  /** Whether the topic exists (an append creates it). */
  exists(): boolean;
  /** Waits until the partition has a leader, creating the topic when missing. */
  ready(timeoutMs: number): Promise<void>;
  /** Appends with acks=all; resolves with the offset of the last record once every in-sync replica has it. */
  append(records: Array<{ key: Buffer; value: Buffer | null }>, timeoutMs: number): Promise<number>;
  /** Committed records (below the high watermark) from `offset`, at most about `maxBytes`. */
  read(offset: number, maxBytes: number): LogRead;
}

/** The parts of the embedded cluster that ClusterSchemasLog uses. */
export interface SchemasTopicHost {
  topic(name: string): TopicMetadata | undefined;
  createTopic(spec: {
    name: string;
    partitions: number;
    replicationFactor: number;
    configs: Record<string, string>;
  }): TopicMetadata | { error: string; message: string };
  brokerCount(): number;
  /** The replica of a partition on the broker that leads it, if that broker runs. */
  leaderReplica(topic: string, partition: number): PartitionReplica | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ClusterSchemasLog implements SchemasLog {
  readonly #host: SchemasTopicHost;
  constructor(host: SchemasTopicHost) {
    this.#host = host;
  }

  exists(): boolean {
    return this.#host.topic(SCHEMAS_TOPIC) !== undefined;
  }

  #ensureTopic(): TopicMetadata {
    const existing = this.#host.topic(SCHEMAS_TOPIC);
    if (existing) return existing;
    const created = this.#host.createTopic({
      name: SCHEMAS_TOPIC,
      partitions: 1,
      replicationFactor: Math.min(3, this.#host.brokerCount()),
      configs: { 'cleanup.policy': 'compact' },
    });
    if ('error' in created) throw new SchemasLogError('store', `cannot create ${SCHEMAS_TOPIC}: ${created.message}`);
    return created;
  }

  #leader(): PartitionReplica | undefined {
    const replica = this.#host.leaderReplica(SCHEMAS_TOPIC, 0);
    return replica?.isLeader ? replica : undefined;
  }

  async #waitForLeader(deadline: number): Promise<PartitionReplica> {
    for (;;) {
      this.#ensureTopic();
      const leader = this.#leader();
      if (leader) return leader;
      if (Date.now() >= deadline) throw new SchemasLogError('unavailable', `${SCHEMAS_TOPIC} has no leader: every broker holding its partition is down`);
      await sleep(50);
    }
  }

  async ready(timeoutMs: number): Promise<void> {
    await this.#waitForLeader(Date.now() + timeoutMs);
  }

  async append(records: Array<{ key: Buffer; value: Buffer | null }>, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    const batch = encodeRecordBatch({ records: records.map((r) => ({ key: r.key, value: r.value })), timestamp: Date.now() });
    for (;;) {
      const leader = await this.#waitForLeader(deadline);
      // The replica keeps the buffer it appends (tail cache): each attempt gets its own copy.
      const outcome = await leader.appendAsLeader(Buffer.from(batch), -1, Math.max(1, deadline - Date.now()));
      if (!isPartitionError(outcome)) return outcome.lastOffset;
      switch (outcome.error) {
        case 'NOT_LEADER_OR_FOLLOWER':
        case 'NOT_ENOUGH_REPLICAS':
        case 'UNKNOWN_TOPIC_OR_PARTITION':
          // Leadership moved or the ISR is short: wait for the next leader within the deadline.
          if (Date.now() >= deadline) throw new SchemasLogError('timeout', `write to ${SCHEMAS_TOPIC} timed out: ${outcome.message}`);
          await sleep(50);
          continue;
        case 'REQUEST_TIMED_OUT':
        case 'NOT_ENOUGH_REPLICAS_AFTER_APPEND':
          throw new SchemasLogError('timeout', `write to ${SCHEMAS_TOPIC} timed out: ${outcome.message}`);
        case 'MESSAGE_TOO_LARGE':
        case 'RECORD_LIST_TOO_LARGE':
          throw new SchemasLogError('too-large', outcome.message);
        default:
          throw new SchemasLogError('store', `write to ${SCHEMAS_TOPIC} failed: ${outcome.error}: ${outcome.message}`);
      }
    }
  }

  read(offset: number, maxBytes: number): LogRead {
    const topic = this.#host.topic(SCHEMAS_TOPIC);
    if (!topic) throw new SchemasLogError('unavailable', `${SCHEMAS_TOPIC} does not exist`);
    const leader = this.#leader();
    if (!leader) throw new SchemasLogError('unavailable', `${SCHEMAS_TOPIC} has no leader`);
    const result = leader.readForConsumer(offset, maxBytes);
    if (isPartitionError(result)) {
      if (result.error === 'OFFSET_OUT_OF_RANGE') {
        const start = leader.log.logStartOffset;
        // Below the log start (records deleted): go on from there. Above the end: the topic is new.
        if (offset < start) return { topicId: topic.topicId, records: [], nextOffset: start, highWatermark: leader.highWatermark };
        return { topicId: `${topic.topicId}:reset`, records: [], nextOffset: 0, highWatermark: leader.highWatermark };
      }
      throw new SchemasLogError('unavailable', `cannot read ${SCHEMAS_TOPIC}: ${result.error}: ${result.message}`);
    }
    const records: LogRecord[] = [];
    let next = offset;
    try {
      for (const batch of iterateBatches(result.records)) {
        next = batch.baseOffset + batch.lastOffsetDelta + 1;
        if (isControlBatch(batch.attributes)) continue;
        for (const record of batch.records) if (record.offset >= offset) records.push({ offset: record.offset, key: record.key, value: record.value });
      }
    } catch {
      // A batch that cannot be decoded (another program wrote it): skip past what was read.
      if (next === offset && result.records.length > 0) next = offset + 1;
    }
    return { topicId: topic.topicId, records, nextOffset: Math.min(Math.max(next, offset), result.highWatermark), highWatermark: result.highWatermark };
  }
}

/** The cluster side of ClusterSchemasLog, from the embedded cluster's controller and brokers. */
export function clusterTopicHost(cluster: {
  controller: {
    topic(name: string): TopicMetadata | undefined;
    partition(topic: string, partition: number): { leader: number } | undefined;
    createTopic(spec: {
      name: string;
      partitions: number;
      replicationFactor: number;
      configs: Record<string, string>;
    }): ReturnType<SchemasTopicHost['createTopic']>;
    brokerIds: readonly number[];
  };
  broker(id: number): { state: string; replica(topic: string, partition: number): PartitionReplica | undefined };
}): SchemasTopicHost {
  return {
    topic: (name) => cluster.controller.topic(name),
    createTopic: (spec) => cluster.controller.createTopic(spec),
    brokerCount: () => cluster.controller.brokerIds.length,
    leaderReplica: (topic, partition) => {
      const leader = cluster.controller.partition(topic, partition)?.leader ?? -1;
      if (leader < 0) return undefined;
      const broker = cluster.broker(leader);
      return broker.state === 'running' ? broker.replica(topic, partition) : undefined;
    },
  };
}
