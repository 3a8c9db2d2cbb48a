/**
 * A share group's start offsets as the admin APIs see them (KIP-932: DescribeShareGroupOffsets,
 * AlterShareGroupOffsets, DeleteShareGroupOffsets), answered by the group's coordinator, which reads
 * and writes them on the share coordinators (ReadShareGroupStateSummary, InitializeShareGroupState,
 * DeleteShareGroupState in Kafka; in-process calls here). Altering and deleting need the group empty
 * (NON_EMPTY_GROUP otherwise), as Kafka's GroupCoordinatorService: a share-partition with no members
 * has no acquired records, so its leader simply loads the new state on the next ShareFetch.
 */
import type { Controller } from '../cluster/controller';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import type { ShareCoordinator } from './share-coordinator';
import { withCoordinatorRetries } from './share-persister';

/** What the group coordinator knows of a share group (h31share's share-group membership supplies it). */
export interface ShareGroupView {
  /** 'share' for a share group, 'other' for a group of another type, undefined when no such group. */
  groupType(groupId: string): 'share' | 'other' | undefined;
  /** Members of the share group now. */
  memberCount(groupId: string): number;
}

export interface ShareOffsetsBroker {
  readonly metadata: Pick<Controller, 'topic' | 'topicById'>;
  shareCoordinatorFor(
    groupId: string,
    topicId: string,
    partition: number,
  ): Pick<ShareCoordinator, 'readStateSummary' | 'initializeState' | 'deleteState' | 'statesOf'> | undefined;
  /** Every running broker's share coordinator (to list a group's share-partitions). */
  allShareCoordinators(): Array<Pick<ShareCoordinator, 'statesOf'>>;
  /** The share-partition was rewritten: its leader drops what it loaded. */
  forgetSharePartition(groupId: string, topicId: string, partition: number): void;
}

export interface DescribedShareOffset {
  partition: number;
  startOffset: number;
  leaderEpoch: number;
  errorCode: number;
}

/**
 * The start offset of each share-partition asked for (all the group has state for when `topics` is
 * null): -1 for one never initialized; UNKNOWN_TOPIC_OR_PARTITION for a topic that does not exist.
 */
export function describeShareOffsets(
  broker: ShareOffsetsBroker,
  groupId: string,
  topics: Array<{ topicName: string; partitions: number[] }> | null,
): Array<{ topicName: string; topicId: string; partitions: DescribedShareOffset[] }> {
  const asked =
    topics ??
    groupTopics(broker, groupId).map((t) => ({
      topicName: t.name,
      partitions: t.partitions,
    }));
  return asked.map((t) => {
    const topic = broker.metadata.topic(t.topicName);
    if (!topic) {
      return {
        topicName: t.topicName,
        topicId: '00000000-0000-0000-0000-000000000000',
        partitions: t.partitions.map((partition) => failed(partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)),
      };
    }
    const partitions = t.partitions.map((partition) => {
      if (partition < 0 || partition >= topic.partitions.length) return failed(partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      const coordinator = broker.shareCoordinatorFor(groupId, topic.topicId, partition);
      if (!coordinator) return failed(partition, ErrorCode.COORDINATOR_NOT_AVAILABLE);
      const summary = coordinator.readStateSummary(groupId, topic.topicId, partition);
      return { partition, startOffset: summary.startOffset, leaderEpoch: summary.leaderEpoch, errorCode: summary.errorCode };
    });
    return { topicName: t.topicName, topicId: topic.topicId, partitions };
  });
}

function failed(partition: number, errorCode: number): DescribedShareOffset {
  return { partition, startOffset: -1, leaderEpoch: -1, errorCode };
}

/** The topics (by name) and partitions a share group has state for, from every share coordinator. */
export function groupTopics(broker: ShareOffsetsBroker, groupId: string): Array<{ name: string; topicId: string; partitions: number[] }> {
  const byTopic = new Map<string, Set<number>>();
  for (const coordinator of broker.allShareCoordinators()) {
    for (const state of coordinator.statesOf(groupId)) {
      const set = byTopic.get(state.topicId) ?? new Set<number>();
      set.add(state.partition);
      byTopic.set(state.topicId, set);
    }
  }
  const out: Array<{ name: string; topicId: string; partitions: number[] }> = [];
  for (const [topicId, partitions] of byTopic) {
    const topic = broker.metadata.topicById(topicId);
    if (topic) out.push({ name: topic.name, topicId, partitions: [...partitions].sort((a, b) => a - b) });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Sets share-partitions' start offsets (a new state epoch, no in-flight records). */
export async function alterShareOffsets(
  broker: ShareOffsetsBroker,
  groupId: string,
  topics: Array<{ topicName: string; partitions: Array<{ partition: number; startOffset: number }> }>,
): Promise<Array<{ topicName: string; topicId: string; partitions: Array<{ partition: number; errorCode: number }> }>> {
  return Promise.all(
    topics.map(async (t) => {
      const topic = broker.metadata.topic(t.topicName);
      if (!topic)
        return {
          topicName: t.topicName,
          topicId: '00000000-0000-0000-0000-000000000000',
          partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION })),
        };
      const partitions = await Promise.all(
        t.partitions.map(async (p) => {
          if (p.partition < 0 || p.partition >= topic.partitions.length) return { partition: p.partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
          if (p.startOffset < 0) return { partition: p.partition, errorCode: ErrorCode.INVALID_REQUEST };
          const result = await withCoordinatorRetries(() => {
            const coordinator = broker.shareCoordinatorFor(groupId, topic.topicId, p.partition);
            if (!coordinator) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
            const current = coordinator.readStateSummary(groupId, topic.topicId, p.partition);
            if (current.errorCode !== ErrorCode.NONE) return current.errorCode;
            return coordinator.initializeState(groupId, topic.topicId, p.partition, current.stateEpoch + 1, p.startOffset);
          });
          if (result === ErrorCode.NONE) broker.forgetSharePartition(groupId, topic.topicId, p.partition);
          return { partition: p.partition, errorCode: result };
        }),
      );
      return { topicName: t.topicName, topicId: topic.topicId, partitions };
    }),
  );
}

/** Deletes a share group's state for whole topics: their share-partitions start again as share.auto.offset.reset says. */
export async function deleteShareOffsets(
  broker: ShareOffsetsBroker,
  groupId: string,
  topicNames: string[],
): Promise<Array<{ topicName: string; topicId: string; errorCode: number }>> {
  const withState = groupTopics(broker, groupId);
  return Promise.all(
    topicNames.map(async (topicName) => {
      const topic = broker.metadata.topic(topicName);
      if (!topic) return { topicName, topicId: '00000000-0000-0000-0000-000000000000', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
      const partitions = withState.find((t) => t.topicId === topic.topicId)?.partitions ?? [];
      const codes = await Promise.all(
        partitions.map(async (partition) => {
          const code = await withCoordinatorRetries(() => {
            const coordinator = broker.shareCoordinatorFor(groupId, topic.topicId, partition);
            return coordinator ? coordinator.deleteState(groupId, topic.topicId, partition) : ErrorCode.COORDINATOR_NOT_AVAILABLE;
          });
          if (code === ErrorCode.NONE) broker.forgetSharePartition(groupId, topic.topicId, partition);
          return code;
        }),
      );
      return { topicName, topicId: topic.topicId, errorCode: codes.find((c) => c !== ErrorCode.NONE) ?? ErrorCode.NONE };
    }),
  );
}
