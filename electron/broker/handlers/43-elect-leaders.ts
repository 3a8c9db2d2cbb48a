import { ErrorCode } from '../../kafka/protocol/error-codes';
import { ElectLeaders, type ElectLeadersResponseReplicaElectionResult } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';

const PREFERRED = 0;
const UNCLEAN = 1;

/**
 * ElectLeaders: preferred-leader election through the controller, for the given partitions or (null)
 * all of them; with null, partitions already led by their preferred replica are left out of the
 * answer, as Kafka does. Unclean election on demand is refused: the controller elects an out-of-sync
 * replica by itself when the topic has unclean.leader.election.enable=true.
 */
export const electLeadersHandler = defineHandler({
  api: ElectLeaders,
  minVersion: 0,
  maxVersion: 2,
  handle: (request, context) => {
    const electionType = context.apiVersion >= 1 ? request.electionType : PREFERRED;
    const targets = request.topicPartitions?.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
    const byTopic = new Map<string, ElectLeadersResponseReplicaElectionResult>();
    const add = (topic: string, partitionId: number, errorCode: number, errorMessage: string | null) => {
      let entry = byTopic.get(topic);
      if (!entry) byTopic.set(topic, (entry = { topic, partitionResult: [] }));
      entry.partitionResult.push({ partitionId, errorCode, errorMessage });
    };
    if (electionType !== PREFERRED) {
      const message =
        electionType === UNCLEAN
          ? 'Unclean election on demand is not supported; set unclean.leader.election.enable=true on the topic and the controller elects a live out-of-sync replica when no in-sync one is left.'
          : `Unknown election type ${electionType} (0 = preferred, 1 = unclean).`;
      if (!targets) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, replicaElectionResults: [] };
      for (const { topic, partition } of targets) add(topic, partition, ErrorCode.INVALID_REQUEST, message);
    } else {
      for (const result of context.broker.controller.electPreferredLeaders(targets)) {
        if (!targets && result.error === 'ELECTION_NOT_NEEDED') continue;
        add(result.topic, result.partition, result.error ? ErrorCode[result.error] : ErrorCode.NONE, result.message);
      }
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: [...byTopic.values()] };
  },
});
