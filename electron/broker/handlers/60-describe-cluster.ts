import { ErrorCode } from '../../kafka/protocol/error-codes';
import { DescribeCluster } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnCluster, authorizedOperations, ResourceType } from '../security/request-authorization';
import { CLUSTER_NAME } from '../security/acl';

/** Sent when a client did not ask for authorized operations (Kafka's "omitted" sentinel). */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
const BROKERS = 1;

/**
 * DescribeCluster: the running brokers, the controller and the cluster id. Only the brokers endpoint
 * type exists here; the controller runs inside the brokers' process and has no listener of its own.
 * v2 (KIP-1073, Kafka 4.0): with IncludeFencedBrokers the registered brokers that are not running
 * (stopped: they no longer heartbeat, so KRaft fences them) are listed too, with IsFenced.
 */
export const describeClusterHandler = defineHandler({
  api: DescribeCluster,
  minVersion: 0,
  maxVersion: 2,
  handle: (request, context) => {
    const { broker } = context;
    const endpointType = context.apiVersion >= 1 ? request.endpointType : BROKERS;
    const fenced = context.apiVersion >= 2 && request.includeFencedBrokers ? broker.fencedBrokers() : [];
    const response = {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null as string | null,
      endpointType,
      clusterId: broker.controller.clusterId,
      controllerId: broker.controller.controllerId,
      brokers: [...broker.liveBrokers().map((b) => ({ b, isFenced: false })), ...fenced.map((b) => ({ b, isFenced: true }))]
        .sort((x, y) => x.b.id - y.b.id)
        .map(({ b, isFenced }) => ({ brokerId: b.id, ...b.advertisedEndpoint(), rack: b.rack, isFenced })),
      // As Kafka: everyone may describe the cluster; its operations are told to those who may DESCRIBE it (else 0).
      clusterAuthorizedOperations: !request.includeClusterAuthorizedOperations
        ? AUTHORIZED_OPERATIONS_OMITTED
        : authorizedOnCluster(context, AclOperation.DESCRIBE)
          ? authorizedOperations(context, ResourceType.CLUSTER, CLUSTER_NAME)
          : 0,
    };
    if (endpointType === BROKERS) return response;
    return {
      ...response,
      errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
      errorMessage: `Endpoint type ${endpointType} is not served: the embedded cluster's controller has no listener of its own (ask for 1 = brokers).`,
      brokers: [],
    };
  },
});
