// A table of ACLs: who, which resources (the pattern and how it reaches), what, allow or deny, from
// where. With `forResource`, each row says how it applies to that one resource (its name, a prefix
// of it, or '*').
import type { AclEntry } from '../../../../shared/model/acls';
import { describeReach } from '../../../../shared/model/acls';
import { Badge } from '../../components/Badge';

export function AclTable({
  acls,
  label,
  onDelete,
  deleteBlock,
  forResource,
}: {
  acls: readonly AclEntry[];
  label: string;
  onDelete?: (acl: AclEntry) => void;
  /** Why deleting is off now (writes are off while the connection is down). */
  deleteBlock?: string | null;
  forResource?: string;
}) {
  return (
    <table className="table compact acl-table" aria-label={label}>
      <thead>
        <tr>
          <th>Principal</th>
          <th>Resource</th>
          <th>{forResource ? 'Applies as' : 'Pattern'}</th>
          <th>Operation</th>
          <th>Permission</th>
          <th>Host</th>
          {onDelete ? <th aria-label="Actions" /> : null}
        </tr>
      </thead>
      <tbody>
        {acls.map((acl) => (
          <tr key={JSON.stringify(acl)} className={acl.permission === 'DENY' ? 'row-warn' : undefined}>
            <td>
              <code>{acl.principal}</code>
            </td>
            <td title={describeReach(acl)}>
              <span className="muted small">{acl.resourceType.toLowerCase().replace('_', ' ')}</span> <code>{acl.resourceName}</code>
            </td>
            <td>
              {forResource
                ? appliesAs(acl, forResource)
                : acl.patternType === 'PREFIXED'
                  ? 'prefixed'
                  : acl.resourceName === '*'
                    ? 'literal (every name)'
                    : 'literal'}
            </td>
            <td>{acl.operation}</td>
            <td>
              <Badge tone={acl.permission === 'ALLOW' ? 'good' : 'bad'}>{acl.permission}</Badge>
            </td>
            <td>{acl.host === '*' ? <span className="muted">any</span> : <code>{acl.host}</code>}</td>
            {onDelete ? (
              <td className="actions">
                <button
                  type="button"
                  className="button button-small button-danger"
                  disabled={Boolean(deleteBlock)}
                  title={deleteBlock ?? undefined}
                  aria-label={`Delete ${acl.permission} ${acl.operation} for ${acl.principal} on ${acl.resourceName}`}
                  onClick={() => onDelete(acl)}
                >
                  Delete
                </button>
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function appliesAs(acl: AclEntry, resource: string): string {
  if (acl.patternType === 'PREFIXED') return `prefix "${acl.resourceName}"`;
  if (acl.resourceName === '*' && resource !== '*') return "wildcard '*'";
  return 'this name';
}
