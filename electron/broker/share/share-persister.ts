/**
 * The share-partition leader's way to the share coordinator (KIP-932's persister). Kafka's brokers send
 * ReadShareGroupState/WriteShareGroupState to the coordinator over the network (DefaultStatePersister);
 * this cluster's brokers share one process, so the leader calls the coordinator's methods, the same ones
 * the APIs 83-87 answer on the wire with (as transactions/verification.ts reaches the transaction
 * coordinator). `coordinatorOf` finds the running broker leading the key's `__share_group_state`
 * partition (undefined: COORDINATOR_NOT_AVAILABLE, which the caller retries).
 */
import { ErrorCode } from '../../kafka/protocol/error-codes';
import type { ShareCoordinator } from './share-coordinator';
import type { SharePersister } from './share-partition';

/** How long a persister call waits for a share coordinator being elected or loading its partition. */
const PERSISTER_RETRY_MS = 50;
const PERSISTER_RETRIES = 100;
const RETRIABLE_COORDINATOR_ERRORS = new Set<number>([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);

/** Retries a persister call while the share coordinator moves or loads, as Kafka's persister does. */
export async function withCoordinatorRetries<T>(call: () => Promise<T | number> | T | number): Promise<T | number> {
  let result = await call();
  for (let attempt = 0; typeof result === 'number' && RETRIABLE_COORDINATOR_ERRORS.has(result) && attempt < PERSISTER_RETRIES; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, PERSISTER_RETRY_MS));
    result = await call();
  }
  return result;
}

export function inProcessSharePersister(
  coordinatorOf: (groupId: string, topicId: string, partition: number) => Pick<ShareCoordinator, 'readState' | 'writeState'> | undefined,
): SharePersister {
  return {
    read: async (key, leaderEpoch) => {
      const coordinator = coordinatorOf(key.groupId, key.topicId, key.partition);
      if (!coordinator) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
      const result = coordinator.readState(key.groupId, key.topicId, key.partition, leaderEpoch);
      if (result.errorCode !== ErrorCode.NONE) return result.errorCode;
      return { stateEpoch: result.stateEpoch, startOffset: result.startOffset, stateBatches: result.stateBatches };
    },
    write: async (key, state) => {
      return withCoordinatorRetries(() => {
        const coordinator = coordinatorOf(key.groupId, key.topicId, key.partition);
        if (!coordinator) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
        return coordinator.writeState(key.groupId, key.topicId, key.partition, state);
      });
    },
  };
}
