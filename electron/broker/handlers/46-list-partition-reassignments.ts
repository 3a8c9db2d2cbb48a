import { ErrorCode } from '../../kafka/protocol/error-codes';
import { ListPartitionReassignments, type ListPartitionReassignmentsResponseOngoingTopicReassignment } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnCluster } from '../security/request-authorization';

/**
 * ListPartitionReassignments (KIP-455): the ongoing reassignments of every partition (null topics) or of
 * the partitions named, with the whole replica set and the replicas being added and removed. Partitions
 * with none ongoing, and unknown topics or partitions, are left out, as Kafka does. Needs DESCRIBE on
 * the cluster.
 */
export const listPartitionReassignmentsHandler = defineHandler({
  api: ListPartitionReassignments,
  minVersion: 0,
  maxVersion: 0,
  handle: (request, context) => {
    if (!authorizedOnCluster(context, AclOperation.DESCRIBE)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: 'ListPartitionReassignments needs DESCRIBE on the cluster.',
        topics: [],
      };
    }
    const ongoing = context.broker.controller.listPartitionReassignments(
      request.topics?.map((t) => ({ topic: t.name, partitions: t.partitionIndexes })) ?? null,
    );
    const byTopic = new Map<string, ListPartitionReassignmentsResponseOngoingTopicReassignment>();
    for (const entry of ongoing) {
      let topic = byTopic.get(entry.topic);
      if (!topic) byTopic.set(entry.topic, (topic = { name: entry.topic, partitions: [] }));
      topic.partitions.push({ partitionIndex: entry.partition, replicas: entry.replicas, addingReplicas: entry.adding, removingReplicas: entry.removing });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [...byTopic.values()] };
  },
});
