import { resolve } from 'node:path';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { AlterReplicaLogDirs } from '../../kafka/protocol/generated/index';
import { defineHandler } from './handler';
import { AclOperation, authorizedOnCluster } from '../security/request-authorization';

/**
 * AlterReplicaLogDirs (KIP-113): moves replicas between a broker's log dirs. An embedded broker has one
 * log dir (DescribeLogDirs lists it), so the only move it can make is to where the replica already is:
 * that answers NONE for a replica the broker holds (REPLICA_NOT_AVAILABLE otherwise), and any other
 * path LOG_DIR_NOT_FOUND, as Kafka answers a dir that is not in its log.dirs.
 */
export const alterReplicaLogDirsHandler = defineHandler({
  api: AlterReplicaLogDirs,
  minVersion: 0,
  maxVersion: 2,
  handle: (request, context) => {
    const { broker } = context;
    const allowed = authorizedOnCluster(context, AclOperation.ALTER);
    const ownDir = resolve(broker.logDir);
    const results = request.dirs.flatMap((dir) =>
      dir.topics.map((topic) => ({
        topicName: topic.name,
        partitions: topic.partitions.map((partitionIndex) => {
          let errorCode: number = ErrorCode.NONE;
          if (!allowed) errorCode = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
          else if (resolve(dir.path) !== ownDir) errorCode = ErrorCode.LOG_DIR_NOT_FOUND;
          else if (!broker.controller.partition(topic.name, partitionIndex)?.replicas.includes(broker.id)) errorCode = ErrorCode.REPLICA_NOT_AVAILABLE;
          return { partitionIndex, errorCode };
        }),
      })),
    );
    return { throttleTimeMs: 0, results };
  },
});
