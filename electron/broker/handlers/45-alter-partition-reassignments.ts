import { ErrorCode } from '../../kafka/protocol/error-codes';
import { AlterPartitionReassignments } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnCluster } from '../security/request-authorization';

/**
 * AlterPartitionReassignments (KIP-455): starts, replaces or (null replicas) cancels the reassignment of
 * each partition named. The work is the controller's (cluster/reassignment.ts): adding replicas catch up
 * as followers, join the ISR, then the removing ones leave. Errors per partition; the whole request
 * needs ALTER on the cluster. v1 (Kafka 4.1, KIP-860): AllowReplicationFactorChange=false refuses, with
 * INVALID_REPLICATION_FACTOR, a target whose number of replicas differs from the partition's; the
 * response echoes the flag.
 */
export const alterPartitionReassignmentsHandler = defineHandler({
  api: AlterPartitionReassignments,
  minVersion: 0,
  maxVersion: 1,
  handle: (request, context) => {
    if (!authorizedOnCluster(context, AclOperation.ALTER)) {
      return {
        throttleTimeMs: 0,
        allowReplicationFactorChange: request.allowReplicationFactorChange,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: 'AlterPartitionReassignments needs ALTER on the cluster.',
        responses: [],
      };
    }
    const controller = context.broker.controller;
    const results = controller.batch(() =>
      controller.alterPartitionReassignments(
        request.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, replicas: p.replicas }))),
        // v0 cannot say false: the field's default, true, is what v0 means.
        { allowReplicationFactorChange: request.allowReplicationFactorChange },
      ),
    );
    let next = 0;
    const responses = request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const result = results[next++]!;
        return { partitionIndex: p.partitionIndex, errorCode: result.error ? ErrorCode[result.error] : ErrorCode.NONE, errorMessage: result.message };
      }),
    }));
    return { throttleTimeMs: 0, allowReplicationFactorChange: request.allowReplicationFactorChange, errorCode: ErrorCode.NONE, errorMessage: null, responses };
  },
});
