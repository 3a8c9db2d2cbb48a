// StateView for ACL and user data, with the two refusals these screens expect said plainly: the
// cluster has no authorizer (SECURITY_DISABLED), or the connected principal lacks a right on the
// cluster (CLUSTER_AUTHORIZATION_FAILED; the message names it). Data shown before stays, marked stale.
import type { ReactNode } from 'react';
import type { IpcError } from '../../../../shared/ipc/contract';
import { StateView } from '../../components/StateView';
import type { Resource } from '../../store/resource';

/** The heading for a refusal these screens expect, or null for any other error. */
export function securityRefusalTitle(error: IpcError): string | null {
  if (error.kafkaCode === 'SECURITY_DISABLED') return 'No authorizer on this cluster';
  if (error.kafkaCode === 'CLUSTER_AUTHORIZATION_FAILED') {
    const right = /needs (DESCRIBE_CONFIGS|ALTER_CONFIGS|DESCRIBE|ALTER) on the cluster/.exec(error.message)?.[1];
    return right ? `Missing right: ${right} on the cluster` : 'Not allowed on this cluster';
  }
  return null;
}

/** Why ACLs cannot be created here, when the cluster said it has no authorizer; else null. */
export function withoutAuthorizer(resource: Resource<unknown>): string | null {
  return resource.status === 'error' && resource.error.kafkaCode === 'SECURITY_DISABLED' ? 'This cluster has no authorizer: ACLs cannot be created.' : null;
}

export function SecurityRefusal({ error, onRetry }: { error: IpcError; onRetry?: () => void }) {
  const title = securityRefusalTitle(error);
  return (
    <div className="state state-error" role="alert" data-kafka-code={error.kafkaCode}>
      <div>
        <strong>{title ?? 'The cluster refused the request'}</strong>
        <p>{error.message}</p>
      </div>
      {onRetry ? (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function SecurityStateView<T>(props: {
  resource: Resource<T>;
  onRetry?: () => void;
  loadingLabel?: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T, stale: boolean) => ReactNode;
}) {
  const { resource, onRetry } = props;
  if (resource.status === 'error' && securityRefusalTitle(resource.error)) {
    return (
      <>
        <SecurityRefusal error={resource.error} onRetry={onRetry} />
        {resource.data !== null && !props.isEmpty?.(resource.data) ? <div className="stale-body">{props.children(resource.data, true)}</div> : null}
      </>
    );
  }
  return <StateView {...props} />;
}
