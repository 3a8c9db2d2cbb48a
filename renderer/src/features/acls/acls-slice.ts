// ACLs in the renderer (#15): the list under a filter, the ACLs that apply to one topic or group
// ("who can access it"), and the writes, which invalidate every ACL key of the connection.
import type { IpcResult, ResponseOf } from '../../../../shared/ipc/contract';
import type { AclBinding, AclEntry, AclFilter, AclList, AclPreview, AclResourceType } from '../../../../shared/model/acls';
import type { SliceCreator } from '../../store/app-store';
import type { Query } from '../../store/resources';

/** The filter row of the ACLs screen, as typed: empty fields match everything. */
export interface AclFilterForm {
  principal: string;
  resourceType: AclResourceType | '';
  resourceName: string;
  patternType: 'LITERAL' | 'PREFIXED' | 'MATCH' | '';
  operation: AclEntry['operation'] | '';
  permission: AclEntry['permission'] | '';
}

export const EMPTY_ACL_FILTER: AclFilterForm = { principal: '', resourceType: '', resourceName: '', patternType: '', operation: '', permission: '' };

/** The request's filter: fields left empty are left out (a name alone matches it under any pattern). */
export function toAclFilter(form: AclFilterForm): AclFilter {
  const filter: AclFilter = {};
  if (form.principal.trim()) filter.principal = form.principal.trim();
  if (form.resourceType) filter.resourceType = form.resourceType;
  if (form.resourceName) filter.resourceName = form.resourceName;
  if (form.patternType && (form.patternType !== 'MATCH' || form.resourceName)) filter.patternType = form.patternType;
  if (form.operation) filter.operation = form.operation;
  if (form.permission) filter.permission = form.permission;
  return filter;
}

export const aclsQuery = (connectionId: string, filter: AclFilter): Query<AclList> => ({
  key: ['acls', connectionId, JSON.stringify(filter)],
  load: (api) => api.invoke('acls.list', { connectionId, filter }),
});

/** Every ACL that applies to a resource of this name: LITERAL equal, LITERAL '*', and PREFIXED prefixes of it. */
export const resourceAclsQuery = (connectionId: string, resourceType: AclResourceType, resourceName: string): Query<AclList> =>
  aclsQuery(connectionId, { resourceType, resourceName, patternType: 'MATCH' });

export interface AclsSlice {
  aclFilter: AclFilterForm;
  setAclFilter: (patch: Partial<AclFilterForm>) => void;
  previewAcl: (acl: AclBinding) => Promise<IpcResult<AclPreview>>;
  createAcl: (acl: AclBinding) => Promise<IpcResult<ResponseOf<'acls.create'>>>;
  deleteAcl: (acl: AclEntry) => Promise<IpcResult<ResponseOf<'acls.delete'>>>;
}

export const createAclsSlice: SliceCreator<AclsSlice> = (set, get, api) => ({
  aclFilter: EMPTY_ACL_FILTER,
  setAclFilter: (patch) => set({ aclFilter: { ...get().aclFilter, ...patch } }),
  previewAcl: (acl) => api.invoke('acls.preview', { connectionId: get().activeConnectionId, acl }),
  async createAcl(acl) {
    const connectionId = get().activeConnectionId;
    const result = await api.invoke('acls.create', { connectionId, acl });
    if (result.ok) get().invalidate(['acls', connectionId]);
    return result;
  },
  async deleteAcl(acl) {
    const connectionId = get().activeConnectionId;
    const result = await api.invoke('acls.delete', { connectionId, acl });
    // Deleted meanwhile by someone else: the list is out of date too.
    if (result.ok || result.error.kind === 'not-found') get().invalidate(['acls', connectionId]);
    return result;
  },
});
