import { ErrorCode } from '../../kafka/protocol/error-codes';
import { DescribeQuorum, type DescribeQuorumRequest, type DescribeQuorumResponse } from '../../kafka/protocol/generated/index';
import { voterDirectoryId } from '../cluster/quorum-voter';
import { AclOperation, authorizedOnCluster } from '../security/request-authorization';
import { defineHandler } from './handler';

const METADATA_TOPIC = '__cluster_metadata';

/** The raft client's answer to a request for anything but __cluster_metadata-0. */
function unknownPartitions(request: DescribeQuorumRequest): DescribeQuorumResponse {
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    nodes: [],
    topics: request.topics.map((t) => ({
      topicName: t.topicName,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: 'This server does not host this topic-partition.',
        leaderId: 0,
        leaderEpoch: 0,
        highWatermark: 0n,
        currentVoters: [],
        observers: [],
      })),
    })),
  };
}

/**
 * DescribeQuorum (KIP-595, KIP-836 timestamps in v1, KIP-853 directory ids and nodes in v2): the
 * metadata quorum of a KRaft cluster, forwarded by a broker to its controller (ControllerApis, then
 * KafkaRaftClient). The embedded cluster is a KRaft cluster with one controller inside the brokers'
 * process: the one voter is that controller (the node DescribeCluster names), it leads, and the other
 * live brokers are observers, always caught up (they read the same metadata). Needs DESCRIBE on the
 * cluster. Only __cluster_metadata-0 is described (UNKNOWN_TOPIC_OR_PARTITION otherwise). v2's node
 * list names the voter with no listener: the controller has none of its own (see DescribeCluster).
 */
export const describeQuorumHandler = defineHandler({
  api: DescribeQuorum,
  minVersion: 0,
  maxVersion: 2,
  handle: (request, context): DescribeQuorumResponse => {
    if (!authorizedOnCluster(context, AclOperation.DESCRIBE)) {
      return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.', topics: [], nodes: [] };
    }
    const valid =
      request.topics.length === 1 &&
      request.topics[0]!.topicName === METADATA_TOPIC &&
      request.topics[0]!.partitions.length === 1 &&
      request.topics[0]!.partitions[0]!.partitionIndex === 0;
    if (!valid) return unknownPartitions(request);
    const controller = context.broker.controller;
    const quorum = controller.quorum();
    const now = BigInt(Date.now());
    const highWatermark = BigInt(quorum.highWatermark);
    const state = (replicaId: number) => ({
      replicaId,
      replicaDirectoryId: voterDirectoryId(controller.clusterId, replicaId, controller.features),
      logEndOffset: highWatermark,
      lastFetchTimestamp: now,
      lastCaughtUpTimestamp: now,
    });
    const observers = controller
      .liveBrokerIds()
      .filter((id) => id !== quorum.leaderId)
      .map(state);
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      topics: [
        {
          topicName: METADATA_TOPIC,
          partitions: [
            {
              partitionIndex: 0,
              errorCode: ErrorCode.NONE,
              errorMessage: null,
              leaderId: quorum.leaderId,
              leaderEpoch: quorum.leaderEpoch,
              highWatermark,
              currentVoters: [state(quorum.leaderId)],
              observers,
            },
          ],
        },
      ],
      nodes: context.apiVersion >= 2 ? [{ nodeId: quorum.leaderId, listeners: [] }] : [],
    };
  },
});
