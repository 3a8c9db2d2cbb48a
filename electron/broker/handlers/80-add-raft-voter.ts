import { ErrorCode } from '../../kafka/protocol/error-codes';
import { AddRaftVoter, type AddRaftVoterResponse } from '../../kafka/protocol/generated/index';
import { ZERO_UUID } from '../../kafka/protocol/uuid';
import { KRAFT_VERSION } from '../cluster/features';
import { voterDirectoryId } from '../cluster/quorum-voter';
import { AclOperation, authorizedOnCluster } from '../security/request-authorization';
import { defineHandler } from './handler';

/**
 * AddRaftVoter (KIP-853, Kafka 3.9; a broker forwards it to the controller): adds a controller to the
 * metadata quorum, checked in Kafka's order (ControllerApis, KafkaRaftClient, AddVoterHandler): ALTER
 * on the cluster, the cluster id, a voter with a directory id, kraft.version 1 (UNSUPPORTED_VERSION
 * under a static quorum, the default), a voter not already in the set (DUPLICATE_VOTER). A new voter
 * must then answer the leader, and the embedded cluster has no controller process besides its own:
 * REQUEST_TIMED_OUT, as Kafka answers for a voter that is not ready to receive requests.
 */
export const addRaftVoterHandler = defineHandler({
  api: AddRaftVoter,
  minVersion: 0,
  maxVersion: 0,
  handle: (request, context): AddRaftVoterResponse => {
    const answer = (errorCode: number, errorMessage: string | null) => ({ throttleTimeMs: 0, errorCode, errorMessage });
    if (!authorizedOnCluster(context, AclOperation.ALTER)) return answer(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'AddRaftVoter needs ALTER on the cluster.');
    const controller = context.broker.controller;
    if (request.clusterId !== null && request.clusterId !== controller.clusterId) {
      return answer(ErrorCode.INCONSISTENT_CLUSTER_ID, `The given id "${request.clusterId}" doesn't match the cluster id "${controller.clusterId}"`);
    }
    if (request.voterId < 0 || request.voterDirectoryId === ZERO_UUID)
      return answer(ErrorCode.INVALID_REQUEST, "Add voter request didn't include a valid voter");
    const kraftVersion = controller.features.level(KRAFT_VERSION);
    if (kraftVersion < 1) {
      return answer(ErrorCode.UNSUPPORTED_VERSION, `Cluster doesn't support adding voter because the ${KRAFT_VERSION} feature is ${kraftVersion}`);
    }
    const leader = controller.quorum().leaderId;
    if (request.voterId === leader) {
      const key = `ReplicaKey(id=${leader}, directoryId=${voterDirectoryId(controller.clusterId, leader, controller.features)})`;
      return answer(
        ErrorCode.DUPLICATE_VOTER,
        `The voter id for ReplicaKey(id=${request.voterId}, directoryId=${request.voterDirectoryId}) is already part of the set of voters [${key}].`,
      );
    }
    return answer(
      ErrorCode.REQUEST_TIMED_OUT,
      `New voter ReplicaKey(id=${request.voterId}, directoryId=${request.voterDirectoryId}) is not ready to receive requests: the embedded cluster runs a single controller, inside its own process, and cannot add another.`,
    );
  },
});
