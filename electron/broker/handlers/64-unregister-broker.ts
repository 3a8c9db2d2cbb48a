import { ErrorCode } from '../../kafka/protocol/error-codes';
import { UnregisterBroker, type UnregisterBrokerResponse } from '../../kafka/protocol/generated/index';
import { AclOperation, authorizedOnCluster } from '../security/request-authorization';
import { defineHandler } from './handler';

/**
 * UnregisterBroker (KIP-631, Kafka 3.3 KRaft brokers forward it to the controller): removes a broker's
 * registration. Needs ALTER on the cluster; an id not registered gets BROKER_ID_NOT_REGISTERED, as
 * Kafka's ClusterControlManager answers. The embedded controller is stricter than Kafka's, whose
 * unregistered broker would simply register again if it runs and whose partitions keep naming it: it
 * refuses (INVALID_REQUEST) a broker that is running, the last broker, and (INVALID_REPLICA_ASSIGNMENT)
 * one that still holds replicas, saying which; the same rules as removing a broker from the app.
 */
export const unregisterBrokerHandler = defineHandler({
  api: UnregisterBroker,
  minVersion: 0,
  maxVersion: 0,
  handle: (request, context): UnregisterBrokerResponse => {
    const answer = (errorCode: number, errorMessage: string | null) => ({ throttleTimeMs: 0, errorCode, errorMessage });
    if (!authorizedOnCluster(context, AclOperation.ALTER))
      return answer(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'UnregisterBroker needs ALTER on the cluster.');
    const controller = context.broker.controller;
    if (!controller.brokerIds.includes(request.brokerId)) {
      return answer(ErrorCode.BROKER_ID_NOT_REGISTERED, `Broker ID ${request.brokerId} is not currently registered`);
    }
    const failure = controller.unregisterBroker(request.brokerId);
    return failure ? answer(ErrorCode[failure.error], failure.message) : answer(ErrorCode.NONE, null);
  },
});
