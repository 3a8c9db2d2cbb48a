import { ErrorCode } from '../../kafka/protocol/error-codes';
import { UpdateMetadata, type UpdateMetadataResponse } from '../../kafka/protocol/generated/index';
import { clusterActionAllowed } from './controller-channel';
import { defineHandler } from './handler';

/**
 * UpdateMetadata (ZooKeeper-mode controller → every broker; v5 KIP-380 broker epoch, v6 flexible, v7
 * KIP-516 topic ids, v8 KIP-866): listed by releases up to 3.9. Needs CLUSTER_ACTION; otherwise
 * answered as ReplicaManager.maybeUpdateMetadataCache answers an old controller (ControllerMovedException:
 * STALE_CONTROLLER_EPOCH). The brokers' metadata comes from the controller beside them (controller-channel.ts).
 */
export const updateMetadataHandler = defineHandler({
  api: UpdateMetadata,
  minVersion: 0,
  maxVersion: 8,
  zooKeeperModeOnly: true,
  handle: (_request, context): UpdateMetadataResponse => ({
    errorCode: clusterActionAllowed(context) ? ErrorCode.STALE_CONTROLLER_EPOCH : ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  }),
});
