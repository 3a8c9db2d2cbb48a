// Loading, error and empty states, the same on every screen.
import type { ReactNode } from 'react';
import type { IpcError } from '../../../shared/ipc/contract';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function ErrorMessage({ error, onRetry }: { error: IpcError; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <div>
        <strong>{titleFor(error)}</strong>
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

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <strong>{title}</strong>
      {children ? <div>{children}</div> : null}
    </div>
  );
}

function titleFor(error: IpcError): string {
  switch (error.kind) {
    case 'unavailable':
      return 'Cannot reach the cluster';
    case 'not-found':
      return 'Not found';
    case 'invalid-request':
      return 'Please check the input';
    case 'conflict':
      return 'Not possible right now';
    case 'kafka':
      return 'The cluster refused the request';
    case 'cancelled':
      return 'Cancelled';
    case 'internal':
      return 'Something went wrong';
  }
}
