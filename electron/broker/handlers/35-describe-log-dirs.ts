import { statfsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PartitionReplica } from '../cluster/partition-replica';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { DescribeLogDirs, type DescribeLogDirsResponseDescribeLogDirsTopic } from '../../kafka/protocol/generated/index';
import { defineHandler, type RequestContext } from './handler';
import { AclOperation, authorizedOnCluster } from '../security/request-authorization';

/** How far a follower's log end is behind its leader's (0 for leaders and when the leader is not here). */
function offsetLag(replica: PartitionReplica, context: RequestContext): number {
  if (replica.isLeader) return 0;
  const leaderId = context.broker.controller.partition(replica.topic, replica.partition)?.leader;
  const leader = context.broker.liveBrokers().find((b) => b.id === leaderId);
  const leaderReplica = leader?.hostedReplicas().find((r) => r.topic === replica.topic && r.partition === replica.partition);
  return leaderReplica ? Math.max(0, leaderReplica.log.logEndOffset - replica.log.logEndOffset) : 0;
}

function volume(dir: string): { totalBytes: bigint; usableBytes: bigint } {
  try {
    const stats = statfsSync(dir, { bigint: true });
    return { totalBytes: stats.blocks * stats.bsize, usableBytes: stats.bavail * stats.bsize };
  } catch {
    return { totalBytes: -1n, usableBytes: -1n };
  }
}

/**
 * DescribeLogDirs: this broker's one log dir with the partitions it hosts (all, or those asked for),
 * their sizes on disk and, for followers, how far they are behind the leader. v4 adds the volume's
 * total and usable bytes.
 */
export const describeLogDirsHandler = defineHandler({
  api: DescribeLogDirs,
  minVersion: 0,
  maxVersion: 4,
  handle: (request, context) => {
    const { broker } = context;
    if (!authorizedOnCluster(context, AclOperation.DESCRIBE)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, results: [] };
    const wanted = request.topics === null ? null : new Map(request.topics.map((t) => [t.topic, new Set(t.partitions)]));
    const byTopic = new Map<string, DescribeLogDirsResponseDescribeLogDirsTopic>();
    const replicas = broker.hostedReplicas().sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    for (const replica of replicas) {
      if (wanted && !wanted.get(replica.topic)?.has(replica.partition)) continue;
      let topic = byTopic.get(replica.topic);
      if (!topic) byTopic.set(replica.topic, (topic = { name: replica.topic, partitions: [] }));
      topic.partitions.push({
        partitionIndex: replica.partition,
        partitionSize: BigInt(replica.log.size()),
        offsetLag: BigInt(offsetLag(replica, context)),
        isFutureKey: false,
      });
    }
    const space = context.apiVersion >= 4 ? volume(broker.logDir) : { totalBytes: -1n, usableBytes: -1n };
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: [{ errorCode: ErrorCode.NONE, logDir: resolve(broker.logDir), topics: [...byTopic.values()], ...space }],
    };
  },
});
