// The ACLs screen (#15): the cluster's ACLs under a filter (principal, resource, pattern, operation,
// permission), Create with a preview of what it grants, Delete of one exact ACL after a confirmation.
// Without the DESCRIBE right, or on a cluster without an authorizer, it says which.
import { useDeferredValue, useMemo, useState } from 'react';
import { ACL_OPERATIONS, ACL_RESOURCE_TYPES, describeAcl, type AclEntry } from '../../../../shared/model/acls';
import { ConfirmDialog } from '../../components/Dialog';
import { ScreenHeader } from '../../components/ScreenHeader';
import { Empty } from '../../components/StateView';
import { formatQuantity } from '../../components/format';
import { useAppStore, useResource } from '../../store/hooks';
import { selectActiveAvailable, selectWriteBlock } from '../connections/connections-slice';
import { AclTable } from './AclTable';
import { CreateAclDialog } from './CreateAclDialog';
import { SecurityStateView, withoutAuthorizer } from './SecurityStateView';
import { EMPTY_ACL_FILTER, aclsQuery, toAclFilter, type AclFilterForm } from './acls-slice';
import './acls.css';

export function AclsScreen() {
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const available = useAppStore(selectActiveAvailable);
  const writeBlock = useAppStore(selectWriteBlock);
  const form = useAppStore((state) => state.aclFilter);
  const setFilter = useAppStore((state) => state.setAclFilter);
  // Typing in a field asks the cluster once the typing pauses, not at every key.
  const deferred = useDeferredValue(form);
  const filter = useMemo(() => toAclFilter(deferred), [deferred]);
  const [acls, reload] = useResource(aclsQuery(connectionId, filter), available);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<AclEntry | null>(null);
  const filtered = Object.keys(filter).length > 0;
  const noAuthorizer = withoutAuthorizer(acls);

  return (
    <section className="screen">
      <ScreenHeader title="ACLs" onRefresh={reload} refreshing={acls.status === 'loading'}>
        <button
          type="button"
          className="button button-primary"
          disabled={Boolean(writeBlock ?? noAuthorizer)}
          title={writeBlock ?? noAuthorizer ?? undefined}
          onClick={() => setCreating(true)}
        >
          Create ACL
        </button>
      </ScreenHeader>
      <AclFilterRow form={form} onChange={setFilter} />
      <SecurityStateView
        resource={acls}
        onRetry={reload}
        loadingLabel="Loading ACLs…"
        isEmpty={(data) => data.acls.length === 0}
        empty={
          <Empty title={filtered ? 'No ACL matches this filter.' : 'This cluster has no ACLs.'}>
            {filtered ? (
              <button type="button" className="button" onClick={() => setFilter(EMPTY_ACL_FILTER)}>
                Clear the filter
              </button>
            ) : (
              <p className="muted">
                With allow.everyone.if.no.acl.found=false (the default with an authorizer), only super users can use a resource that no ACL names.
              </p>
            )}
          </Empty>
        }
      >
        {(data) => (
          <>
            <p className="subtitle" aria-live="polite">
              {formatQuantity(data.acls.length, 'ACL')}
              {filtered ? (data.acls.length === 1 ? ' matches' : ' match') : ''}
              {data.connectedAs ? ` · connected as ${data.connectedAs}` : ''}
            </p>
            <AclTable acls={data.acls} label="ACLs" onDelete={setDeleting} deleteBlock={writeBlock} />
          </>
        )}
      </SecurityStateView>
      {creating ? <CreateAclDialog onClose={() => setCreating(false)} /> : null}
      {deleting ? <DeleteAclDialog acl={deleting} onClose={() => setDeleting(null)} /> : null}
    </section>
  );
}

function AclFilterRow({ form, onChange }: { form: AclFilterForm; onChange: (patch: Partial<AclFilterForm>) => void }) {
  return (
    <div className="filter-row acl-filters" role="search" aria-label="Filter ACLs">
      <input
        type="search"
        className="search"
        aria-label="Principal"
        placeholder="Principal (User:alice)"
        value={form.principal}
        onChange={(event) => onChange({ principal: event.target.value })}
      />
      <select
        aria-label="Resource type"
        value={form.resourceType}
        onChange={(event) => onChange({ resourceType: event.target.value as AclFilterForm['resourceType'] })}
      >
        <option value="">Any resource type</option>
        {ACL_RESOURCE_TYPES.map((type) => (
          <option key={type} value={type}>
            {type}
          </option>
        ))}
      </select>
      <input
        type="search"
        className="search"
        aria-label="Resource name"
        placeholder="Resource name"
        value={form.resourceName}
        onChange={(event) => onChange({ resourceName: event.target.value })}
      />
      <select
        aria-label="Pattern"
        value={form.patternType}
        title="Applying to: every ACL that applies to a resource of this name (its literal name, '*', and prefixes of it)"
        onChange={(event) => onChange({ patternType: event.target.value as AclFilterForm['patternType'] })}
      >
        <option value="">Any pattern</option>
        <option value="LITERAL">LITERAL</option>
        <option value="PREFIXED">PREFIXED</option>
        <option value="MATCH">Applying to the name</option>
      </select>
      <select aria-label="Operation" value={form.operation} onChange={(event) => onChange({ operation: event.target.value as AclFilterForm['operation'] })}>
        <option value="">Any operation</option>
        {ACL_OPERATIONS.map((operation) => (
          <option key={operation} value={operation}>
            {operation}
          </option>
        ))}
      </select>
      <select aria-label="Permission" value={form.permission} onChange={(event) => onChange({ permission: event.target.value as AclFilterForm['permission'] })}>
        <option value="">Allow or deny</option>
        <option value="ALLOW">ALLOW</option>
        <option value="DENY">DENY</option>
      </select>
    </div>
  );
}

export function DeleteAclDialog({ acl, onClose }: { acl: AclEntry; onClose: () => void }) {
  const deleteAcl = useAppStore((state) => state.deleteAcl);
  return (
    <ConfirmDialog title="Delete ACL" confirmLabel="Delete ACL" action={() => deleteAcl(acl)} onDone={onClose} onClose={onClose}>
      <p>Delete this ACL? It no longer applies from the moment it is deleted:</p>
      <p>
        <strong>{describeAcl(acl)}</strong>
      </p>
      {acl.permission === 'ALLOW' ? (
        <p className="muted">Clients of {acl.principal} that relied on it are refused at their next request, unless another ACL allows them.</p>
      ) : (
        <p className="muted">What other ACLs allow {acl.principal} takes effect again.</p>
      )}
    </ConfirmDialog>
  );
}
