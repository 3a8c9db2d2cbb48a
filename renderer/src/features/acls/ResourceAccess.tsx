// "Who can access it" on a topic's or a group's page: every ACL that applies to this one resource
// (its literal name, LITERAL '*', and PREFIXED prefixes of its name), DENY first, with Add ACL
// prefilled for it and Delete.
import { useMemo, useState } from 'react';
import type { AclEntry } from '../../../../shared/model/acls';
import { Empty } from '../../components/StateView';
import { formatQuantity } from '../../components/format';
import { useAppStore, useResource } from '../../store/hooks';
import { selectActiveAvailable, selectWriteBlock } from '../connections/connections-slice';
import { AclTable } from './AclTable';
import { DeleteAclDialog } from './AclsScreen';
import { CreateAclDialog } from './CreateAclDialog';
import { SecurityStateView, withoutAuthorizer } from './SecurityStateView';
import { resourceAclsQuery } from './acls-slice';
import './acls.css';

export function ResourceAccess({ resourceType, name }: { resourceType: 'TOPIC' | 'GROUP'; name: string }) {
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const available = useAppStore(selectActiveAvailable);
  const writeBlock = useAppStore(selectWriteBlock);
  const [acls, reload] = useResource(resourceAclsQuery(connectionId, resourceType, name), available);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<AclEntry | null>(null);
  const noun = resourceType === 'TOPIC' ? 'topic' : 'group';
  const noAuthorizer = withoutAuthorizer(acls);
  const sorted = useMemo(
    () => [...(acls.data?.acls ?? [])].sort((a, b) => (a.permission === b.permission ? 0 : a.permission === 'DENY' ? -1 : 1)),
    [acls.data],
  );
  return (
    <section aria-label="Who can access it">
      <div className="access-head">
        <p className="muted small">
          The ACLs that apply to this {noun}: its own name, &apos;*&apos;, and prefixes of its name. A DENY wins over every ALLOW; super users are not listed.
        </p>
        <span className="spacer" />
        <button
          type="button"
          className="button button-small"
          disabled={Boolean(writeBlock ?? noAuthorizer)}
          title={writeBlock ?? noAuthorizer ?? undefined}
          onClick={() => setCreating(true)}
        >
          Add ACL
        </button>
      </div>
      <SecurityStateView
        resource={acls}
        onRetry={reload}
        loadingLabel="Loading ACLs…"
        isEmpty={(data) => data.acls.length === 0}
        empty={
          <Empty title={`No ACL applies to this ${noun}.`}>
            <p className="muted">With an authorizer and allow.everyone.if.no.acl.found=false, only super users can use it.</p>
          </Empty>
        }
      >
        {() => (
          <>
            <p className="subtitle">
              {formatQuantity(sorted.length, 'ACL')} {sorted.length === 1 ? 'applies' : 'apply'}
            </p>
            <AclTable acls={sorted} label={`ACLs of ${name}`} forResource={name} onDelete={setDeleting} deleteBlock={writeBlock} />
          </>
        )}
      </SecurityStateView>
      {creating ? <CreateAclDialog initial={{ resourceType, resourceName: name }} onClose={() => setCreating(false)} /> : null}
      {deleting ? <DeleteAclDialog acl={deleting} onClose={() => setDeleting(null)} /> : null}
    </section>
  );
}
