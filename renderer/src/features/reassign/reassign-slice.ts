// Partition reassignments in the renderer (#19): the planner's data (assignment, sizes, moves under way)
// and the writes, which invalidate it. The embedded cluster's replica events invalidate it too.
import type { IpcResult, RequestOf, ResponseOf } from '../../../../shared/ipc/contract';
import type { ReassignmentState } from '../../../../shared/model/reassignments';
import type { SliceCreator } from '../../store/app-store';
import type { Query } from '../../store/resources';

export const reassignmentsQuery = (connectionId: string): Query<ReassignmentState> => ({
  key: ['reassignments', connectionId],
  load: (api) => api.invoke('reassignments.state', { connectionId }),
});

export interface ReassignSlice {
  applyReassignment: (request: Omit<RequestOf<'reassignments.apply'>, 'connectionId'>) => Promise<IpcResult<ResponseOf<'reassignments.apply'>>>;
  cancelReassignment: (partitions: RequestOf<'reassignments.cancel'>['partitions']) => Promise<IpcResult<ResponseOf<'reassignments.cancel'>>>;
  /** Lifts the throttle the app set for its moves, which then run at full speed. */
  clearReassignmentThrottle: () => Promise<IpcResult<null>>;
}

export const createReassignSlice: SliceCreator<ReassignSlice> = (_set, get, api) => {
  const write = async <T>(call: (connectionId: string) => Promise<IpcResult<T>>): Promise<IpcResult<T>> => {
    const connectionId = get().activeConnectionId;
    const result = await call(connectionId);
    get().invalidate(['reassignments', connectionId]);
    return result;
  };
  return {
    applyReassignment: (request) => write((connectionId) => api.invoke('reassignments.apply', { connectionId, ...request })),
    cancelReassignment: (partitions) => write((connectionId) => api.invoke('reassignments.cancel', { connectionId, partitions })),
    clearReassignmentThrottle: () => write((connectionId) => api.invoke('reassignments.clearThrottle', { connectionId })),
  };
};
