import { ErrorCode } from '../../kafka/protocol/error-codes';
import { ElectLeaders, type ElectLeadersResponseReplicaElectionResult } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnCluster } from '../security/request-authorization';

const PREFERRED = 0;
const UNCLEAN = 1;

/**
 * ElectLeaders (KIP-183; election types, KIP-460): for the given partitions or (null) all of them.
 * PREFERRED gives each partition back to its first assigned replica when it is live and in sync. UNCLEAN
 * elects a leader for partitions that have none, accepting the loss of committed records if no replica
 * that holds them is live — the operator's one-time consent, whatever unclean.leader.election.enable
 * says (the controller still prefers an in-sync replica, then one holding every committed record). With
 * null, partitions that need no election are left out of the answer, as Kafka does.
 */
export const electLeadersHandler = defineHandler({
  api: ElectLeaders,
  minVersion: 0,
  maxVersion: 2,
  handle: (request, context) => {
    if (!authorizedOnCluster(context, AclOperation.ALTER)) {
      const refused = (request.topicPartitions ?? []).map((t) => ({
        topic: t.topic,
        partitionResult: t.partitions.map((partitionId) => ({
          partitionId,
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          errorMessage: 'ElectLeaders needs ALTER on the cluster.',
        })),
      }));
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, replicaElectionResults: refused };
    }
    const electionType = context.apiVersion >= 1 ? request.electionType : PREFERRED;
    const targets = request.topicPartitions?.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
    const byTopic = new Map<string, ElectLeadersResponseReplicaElectionResult>();
    const add = (topic: string, partitionId: number, errorCode: number, errorMessage: string | null) => {
      let entry = byTopic.get(topic);
      if (!entry) byTopic.set(topic, (entry = { topic, partitionResult: [] }));
      entry.partitionResult.push({ partitionId, errorCode, errorMessage });
    };
    if (electionType !== PREFERRED && electionType !== UNCLEAN) {
      const message = `Unknown election type ${electionType} (0 = preferred, 1 = unclean).`;
      if (!targets) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, replicaElectionResults: [] };
      for (const { topic, partition } of targets) add(topic, partition, ErrorCode.INVALID_REQUEST, message);
    } else {
      const controller = context.broker.controller;
      const results = electionType === UNCLEAN ? controller.electUncleanLeaders(targets) : controller.electPreferredLeaders(targets);
      for (const result of results) {
        if (!targets && result.error === 'ELECTION_NOT_NEEDED') continue;
        add(result.topic, result.partition, result.error ? ErrorCode[result.error] : ErrorCode.NONE, result.message);
      }
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: [...byTopic.values()] };
  },
});
