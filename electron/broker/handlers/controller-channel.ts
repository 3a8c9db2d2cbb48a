import { AclOperation, authorizedOnCluster } from '../security/request-authorization';
import type { RequestContext } from './handler';

/**
 * What the APIs of a ZooKeeper-mode broker's controller channel share (handlers 04-07, 56, 58, 67).
 * Kafka's brokers up to 3.9 list them in ApiVersions: LeaderAndIsr, StopReplica and UpdateMetadata
 * carry the controller's orders to brokers; ControlledShutdown, AlterPartition (AlterIsr, KIP-497),
 * AllocateProducerIds (KIP-730) and Envelope (KIP-590) carry brokers' requests to the controller. A
 * broker playing such a release lists them too, so its ApiVersions is the release's.
 *
 * The embedded controller and brokers share one process and never send these over the network: one
 * that arrives on a listener comes from a client. Kafka checks CLUSTER_ACTION on the cluster first
 * (KafkaApis.authorizeClusterOperation), then the epochs; so do the handlers. An order to a broker
 * (LeaderAndIsr, StopReplica, UpdateMetadata) is answered as Kafka answers a controller that lost its
 * office, STALE_CONTROLLER_EPOCH, whatever epoch it names: Kafka would obey a higher epoch, but the
 * brokers here obey only the controller beside them. Requests to the controller are served as Kafka's
 * ZooKeeper controller serves them: NOT_CONTROLLER on another broker, broker epochs checked.
 */
export function clusterActionAllowed(context: RequestContext): boolean {
  return authorizedOnCluster(context, AclOperation.CLUSTER_ACTION);
}

/** Whether the broker answering is the cluster's controller (the one a ZooKeeper-mode client would find in Metadata). */
export function isActiveController(context: RequestContext): boolean {
  return context.broker.controller.controllerId === context.broker.id;
}

/** Kafka's broker-epoch check on a request from a broker (KafkaController, KIP-380): the epoch the controller gave that running broker. */
export function brokerEpochMatches(context: RequestContext, brokerId: number, brokerEpoch: bigint): boolean {
  const current = context.broker.controller.brokerEpoch(brokerId);
  return current !== undefined && current === brokerEpoch;
}
