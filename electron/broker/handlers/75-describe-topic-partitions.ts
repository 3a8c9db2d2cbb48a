import type { Broker } from '../cluster/broker';
import { topicNameError } from '../cluster/topic-names';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import {
  DescribeTopicPartitions,
  type DescribeTopicPartitionsRequest,
  type DescribeTopicPartitionsResponse,
  type DescribeTopicPartitionsResponsePartition,
  type DescribeTopicPartitionsResponseTopic,
} from '../../kafka/protocol/generated/index';
import { ZERO_UUID } from '../../kafka/protocol/uuid';
import { AclOperation, authorizedOnTopic, authorizedOperations, ResourceType } from '../security/request-authorization';
import { defineHandler, type RequestContext } from './handler';

const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state', '__share_group_state']);

/** Java's String.compareTo for the ASCII-ish names topics have: UTF-16 code units, as JavaScript compares strings. */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function failedTopic(name: string, errorCode: number, isInternal = false): DescribeTopicPartitionsResponseTopic {
  return { errorCode, name, topicId: ZERO_UUID, isInternal, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED };
}

/** Kafka's answer to a request it refuses whole (getErrorResponse): the error on every topic asked for. */
function refuseAll(request: DescribeTopicPartitionsRequest, errorCode: number): DescribeTopicPartitionsResponse {
  return { throttleTimeMs: 0, topics: request.topics.map((t) => failedTopic(t.name, errorCode)), nextCursor: null };
}

/** Replicas on a broker that is down, or whose log of the partition failed (as Metadata reports them). */
function offline(broker: Broker, topic: string, partition: number, replicas: readonly number[]): number[] {
  const controller = broker.controller;
  const failing = new Map(broker.liveBrokers().map((b) => [b.id, b]));
  return replicas.filter((id) => !controller.isLive(id) || (failing.get(id)?.storage.of(topic, partition).length ?? 0) > 0);
}

/**
 * DescribeTopicPartitions (KIP-966, Kafka 3.8, KRaft brokers): topics and their partitions a page at a
 * time, as Kafka's DescribeTopicPartitionsRequestHandler and KRaftMetadataCache answer it — topics in
 * name order from the cursor's topic and partition, at most min(ResponsePartitionLimit,
 * max.request.partition.size.limit) partitions (at least 1), and NextCursor where the next page starts.
 * No topic list: every topic the requester may DESCRIBE (the others left out unsaid); a list: the
 * topics refused TOPIC_AUTHORIZATION_FAILED (after the others, without their id, so their existence is
 * not disclosed) and unknown ones UNKNOWN_TOPIC_OR_PARTITION (INVALID_TOPIC_EXCEPTION for a bad name).
 * A cursor topic missing from the list, or a negative cursor partition, fails the request with
 * INVALID_REQUEST. Each partition names its eligible leader replicas and last known ELR (KIP-966), as
 * the controller tracks them while eligible.leader.replicas.version is 1 (empty otherwise).
 */
export const describeTopicPartitionsHandler = defineHandler({
  api: DescribeTopicPartitions,
  minVersion: 0,
  maxVersion: 0,
  handle: (request, context: RequestContext): DescribeTopicPartitionsResponse => {
    const { broker } = context;
    const controller = broker.controller;
    const cursor = request.cursor;
    const cursorTopic = cursor?.topicName ?? '';
    const all = request.topics.length === 0;
    const names = new Set<string>();
    if (all) {
      for (const topic of controller.topics()) if (compare(topic.name, cursorTopic) >= 0) names.add(topic.name);
    } else {
      for (const { name } of request.topics) if (compare(name, cursorTopic) >= 0) names.add(name);
      if (cursor && !names.has(cursor.topicName)) return refuseAll(request, ErrorCode.INVALID_REQUEST);
    }
    if (cursor && cursor.partitionIndex < 0) return refuseAll(request, ErrorCode.INVALID_REQUEST);

    const refused: DescribeTopicPartitionsResponseTopic[] = [];
    const authorized = [...names].sort(compare).filter((name) => {
      const allowed = authorizedOnTopic(context, AclOperation.DESCRIBE, name);
      if (!all && !allowed) refused.push(failedTopic(name, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
      return allowed;
    });

    let remaining = Math.max(Math.min(broker.config.int('max.request.partition.size.limit'), request.responsePartitionLimit), 1);
    const topics: DescribeTopicPartitionsResponseTopic[] = [];
    let nextCursor: DescribeTopicPartitionsResponse['nextCursor'] = null;
    for (const name of authorized) {
      if (remaining === 0) {
        // The page is full: the next one starts at this topic's first partition.
        nextCursor = { topicName: name, partitionIndex: 0 };
        break;
      }
      const topic = controller.topic(name);
      if (!topic) {
        if (!all)
          topics.push(
            failedTopic(name, topicNameError(name) ? ErrorCode.INVALID_TOPIC_EXCEPTION : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, INTERNAL_TOPICS.has(name)),
          );
        continue;
      }
      const start = name === cursorTopic && cursor ? cursor.partitionIndex : 0;
      const end = Math.min(topic.partitions.length, start + remaining);
      const partitions: DescribeTopicPartitionsResponsePartition[] = [];
      for (let index = start; index < end; index++) {
        const p = topic.partitions[index]!;
        partitions.push({
          errorCode: ErrorCode.NONE,
          partitionIndex: p.partition,
          leaderId: p.leader !== -1 && controller.isLive(p.leader) ? p.leader : -1,
          leaderEpoch: p.leaderEpoch,
          replicaNodes: [...p.replicas],
          isrNodes: [...p.isr],
          eligibleLeaderReplicas: [...(p.elr ?? [])],
          lastKnownElr: [...(p.lastKnownElr ?? [])],
          offlineReplicas: offline(broker, name, p.partition, p.replicas),
        });
      }
      topics.push({
        errorCode: ErrorCode.NONE,
        name,
        topicId: topic.topicId,
        isInternal: topic.internal,
        partitions,
        topicAuthorizedOperations: authorizedOperations(context, ResourceType.TOPIC, name),
      });
      if (end < topic.partitions.length) {
        nextCursor = { topicName: name, partitionIndex: end };
        break;
      }
      remaining -= partitions.length;
    }
    return { throttleTimeMs: 0, topics: [...topics, ...refused], nextCursor };
  },
});
