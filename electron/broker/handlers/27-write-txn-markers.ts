import { ErrorCode } from '../../kafka/protocol/error-codes';
import { WriteTxnMarkers, type WriteTxnMarkersResponse } from '../../kafka/protocol/generated/index';
import { writeMarker } from '../transactions/markers';
import { requestProducerId } from '../transactions/producer-id';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnCluster } from '../security/request-authorization';

/**
 * WriteTxnMarkers (KIP-98): writes a commit or abort marker for a producer to partitions this broker
 * leads. Transaction coordinators send it; so does `kafka-transactions.sh abort` (KIP-664) to end a
 * hanging transaction, with the producer's id, epoch and coordinator epoch from DescribeProducers. A
 * marker with an older producer epoch or coordinator epoch than the partition knows is refused
 * (INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED). Needs CLUSTER_ACTION on the cluster.
 * This cluster assigns producer ids from 0 up, well inside 2^53: a marker for a negative id or one
 * beyond that was never a producer here, and is answered UNKNOWN_PRODUCER_ID per partition.
 */
export const writeTxnMarkersHandler = defineHandler({
  api: WriteTxnMarkers,
  minVersion: 0,
  maxVersion: 1,
  handle: async (request, context): Promise<WriteTxnMarkersResponse> => {
    const allowed = authorizedOnCluster(context, AclOperation.CLUSTER_ACTION);
    const markers = await Promise.all(
      request.markers.map(async (marker) => {
        const producerId = requestProducerId(marker.producerId);
        return {
          producerId: marker.producerId,
          topics: await Promise.all(
            marker.topics.map(async (topic) => ({
              name: topic.name,
              partitions: await Promise.all(
                topic.partitionIndexes.map(async (partitionIndex) => ({
                  partitionIndex,
                  errorCode: !allowed
                    ? ErrorCode.CLUSTER_AUTHORIZATION_FAILED
                    : producerId === null || producerId < 0
                      ? ErrorCode.UNKNOWN_PRODUCER_ID
                      : await writeMarker(context.broker, topic.name, partitionIndex, {
                          producerId,
                          producerEpoch: marker.producerEpoch,
                          coordinatorEpoch: marker.coordinatorEpoch,
                          commit: marker.transactionResult,
                        }),
                })),
              ),
            })),
          ),
        };
      }),
    );
    return { markers };
  },
});
