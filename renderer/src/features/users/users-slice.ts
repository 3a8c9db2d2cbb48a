// SCRAM users in the renderer (#15): the list, and the writes, which invalidate it. Passwords go
// to the main process once, in the request; nothing here keeps them.
import type { IpcResult, RequestOf, ResponseOf } from '../../../../shared/ipc/contract';
import type { ClientQuotaList, ClientThrottling, ScramUserList } from '../../../../shared/model/acls';
import type { SliceCreator } from '../../store/app-store';
import type { Query } from '../../store/resources';

type CredentialRequest = Omit<RequestOf<'users.create'>, 'connectionId'>;
export type QuotaChange = Omit<RequestOf<'users.alterQuota'>, 'connectionId'>;

export const usersQuery = (connectionId: string): Query<ScramUserList> => ({
  key: ['users', connectionId],
  load: (api) => api.invoke('users.list', { connectionId }),
});

/** Client quotas (KIP-546): every entity's quotas, and what the cluster's release takes. */
export const clientQuotasQuery = (connectionId: string): Query<ClientQuotaList> => ({
  key: ['client-quotas', connectionId],
  load: (api) => api.invoke('users.quotas', { connectionId }),
});

/** Who the brokers throttle (measured on the embedded cluster only), read again every few seconds while shown. */
export const throttledClientsQuery = (connectionId: string): Query<ClientThrottling> => ({
  key: ['throttled-clients', connectionId],
  load: (api) => api.invoke('users.throttled', { connectionId }),
});

export interface UsersSlice {
  createUser: (request: CredentialRequest) => Promise<IpcResult<ResponseOf<'users.create'>>>;
  changeUserPassword: (request: CredentialRequest) => Promise<IpcResult<ResponseOf<'users.changePassword'>>>;
  deleteUser: (user: string) => Promise<IpcResult<ResponseOf<'users.delete'>>>;
  /** Sets (a value) or removes (null) one quota of one entity; the list shown becomes the one answered. */
  alterQuota: (change: QuotaChange) => Promise<IpcResult<ResponseOf<'users.alterQuota'>>>;
}

export const createUsersSlice: SliceCreator<UsersSlice> = (_set, get, api) => {
  const write = async <T>(call: (connectionId: string) => Promise<IpcResult<T>>): Promise<IpcResult<T>> => {
    const connectionId = get().activeConnectionId;
    const result = await call(connectionId);
    if (result.ok || result.error.kind === 'not-found' || result.error.kind === 'conflict') get().invalidate(['users', connectionId]);
    return result;
  };
  return {
    createUser: (request) => write((connectionId) => api.invoke('users.create', { connectionId, ...request })),
    changeUserPassword: (request) => write((connectionId) => api.invoke('users.changePassword', { connectionId, ...request })),
    deleteUser: (user) => write((connectionId) => api.invoke('users.delete', { connectionId, user })),
    alterQuota: async (change) => {
      const connectionId = get().activeConnectionId;
      const result = await api.invoke('users.alterQuota', { connectionId, ...change });
      if (result.ok) get().setResourceData<ClientQuotaList>(['client-quotas', connectionId], () => result.value);
      else get().invalidate(['client-quotas', connectionId]);
      return result;
    },
  };
};
