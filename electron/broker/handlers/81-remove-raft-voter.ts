import { ErrorCode } from '../../kafka/protocol/error-codes';
import { RemoveRaftVoter, type RemoveRaftVoterResponse } from '../../kafka/protocol/generated/index';
import { ZERO_UUID } from '../../kafka/protocol/uuid';
import { KRAFT_VERSION } from '../cluster/features';
import { voterDirectoryId } from '../cluster/quorum-voter';
import { AclOperation, authorizedOnCluster } from '../security/request-authorization';
import { defineHandler } from './handler';

/**
 * RemoveRaftVoter (KIP-853, Kafka 3.9; a broker forwards it to the controller): removes a controller
 * from the metadata quorum, checked in Kafka's order (ControllerApis, KafkaRaftClient,
 * RemoveVoterHandler): ALTER on the cluster, the cluster id, a voter with a directory id, kraft.version
 * 1 (UNSUPPORTED_VERSION under a static quorum, the default). The embedded quorum has one voter, its
 * controller, and a quorum cannot lose its last voter: VOTER_NOT_FOUND, as Kafka answers when the
 * voter set would not allow the removal.
 */
export const removeRaftVoterHandler = defineHandler({
  api: RemoveRaftVoter,
  minVersion: 0,
  maxVersion: 0,
  handle: (request, context): RemoveRaftVoterResponse => {
    const answer = (errorCode: number, errorMessage: string | null) => ({ throttleTimeMs: 0, errorCode, errorMessage });
    if (!authorizedOnCluster(context, AclOperation.ALTER)) return answer(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'RemoveRaftVoter needs ALTER on the cluster.');
    const controller = context.broker.controller;
    if (request.clusterId !== null && request.clusterId !== controller.clusterId) {
      return answer(ErrorCode.INCONSISTENT_CLUSTER_ID, `The given id "${request.clusterId}" doesn't match the cluster id "${controller.clusterId}"`);
    }
    if (request.voterId < 0 || request.voterDirectoryId === ZERO_UUID)
      return answer(ErrorCode.INVALID_REQUEST, "Remove voter request didn't include a valid voter");
    const kraftVersion = controller.features.level(KRAFT_VERSION);
    if (kraftVersion < 1) {
      return answer(ErrorCode.UNSUPPORTED_VERSION, `Cluster doesn't support removing voter because the ${KRAFT_VERSION} feature is ${kraftVersion}`);
    }
    const leader = controller.quorum().leaderId;
    const voters = `[ReplicaKey(id=${leader}, directoryId=${voterDirectoryId(controller.clusterId, leader, controller.features)})]`;
    return answer(
      ErrorCode.VOTER_NOT_FOUND,
      `Cannot remove voter ReplicaKey(id=${request.voterId}, directoryId=${request.voterDirectoryId}) from the set of voters ${voters}${
        request.voterId === leader ? ': it is the only voter' : ''
      }`,
    );
  },
});
