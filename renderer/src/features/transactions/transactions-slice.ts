// Transactions (issue #18): the keyed queries of the Transactions screen and of a topic's
// Transactions tab, and aborting a hanging transaction on its partitions.
import type { IpcResult } from '../../../../shared/ipc/contract';
import type { AbortResult, AbortTarget, TopicTransactions, TransactionsOverview } from '../../../../shared/model/transactions';
import type { SliceCreator } from '../../store/app-store';
import type { Query } from '../../store/resources';

export const transactionsQuery = (connectionId: string): Query<TransactionsOverview> => ({
  key: ['transactions', connectionId],
  load: (api) => api.invoke('transactions.overview', { connectionId }),
});

export const topicTransactionsQuery = (connectionId: string, topic: string): Query<TopicTransactions> => ({
  key: ['transactions', connectionId, 'topic', topic],
  load: (api) => api.invoke('transactions.topic', { connectionId, topic }),
});

export interface TransactionsSlice {
  /** Writes ABORT markers for a producer's open transaction on partitions; every transactions view of the connection loads again. */
  abortTransaction: (targets: AbortTarget[]) => Promise<IpcResult<AbortResult>>;
}

export const createTransactionsSlice: SliceCreator<TransactionsSlice> = (_set, get, api) => ({
  async abortTransaction(targets) {
    const connectionId = get().activeConnectionId;
    const result = await api.invoke('transactions.abort', { connectionId, targets });
    get().invalidate(['transactions', connectionId]);
    return result;
  },
});
