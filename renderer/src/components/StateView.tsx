// Loading, error, empty, partial and data states, the same on every screen.
import type { ReactNode } from 'react';
import type { IpcError } from '../../../shared/ipc/contract';
import { useAppStore } from '../store/hooks';
import type { Resource } from '../store/resource';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function ErrorMessage({ error, onRetry }: { error: IpcError; onRetry?: () => void }) {
  // The connection's status bar above already shows this very error, with its time and next check.
  const shownAbove = useAppStore(
    (state) => error.kind === 'unavailable' && !error.kafkaCode && state.connectionHealth[state.activeConnectionId]?.lastError?.message === error.message,
  );
  return (
    <div className="state state-error" role="alert">
      <div>
        <strong>{titleFor(error)}</strong>
        <p>{shownAbove ? 'The reason is shown above. This screen loads again by itself once the cluster answers.' : error.message}</p>
      </div>
      {error.recovery === 'start-embedded' ? (
        <StartEmbeddedButton onStarted={onRetry} />
      ) : onRetry ? (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** "Try again" where trying again needs the embedded cluster running: it starts it, then retries. */
function StartEmbeddedButton({ onStarted }: { onStarted?: () => void }) {
  const startEmbedded = useAppStore((state) => state.startEmbedded);
  const action = useAppStore((state) => state.clusterAction);
  return (
    <button
      type="button"
      className="button"
      disabled={Boolean(action)}
      onClick={() => {
        void startEmbedded().then((status) => {
          if (status?.state === 'running') onStarted?.();
        });
      }}
    >
      {action === 'start' ? 'Starting…' : 'Start the embedded cluster'}
    </button>
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
      // With a Kafka error code the cluster answered: it is only not ready (no leader, moving coordinator).
      return error.kafkaCode ? 'Not available right now' : 'Cannot reach the cluster';
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

/**
 * The states of a resource, the same way on every screen: loading (nothing yet), error (with Try
 * again), empty, partial (data as last read while the cluster does not answer: `stale`), and data.
 * An error with an empty last answer shows only the error.
 */
export function StateView<T>({
  resource,
  onRetry,
  loadingLabel,
  isEmpty,
  empty,
  children,
}: {
  resource: Resource<T>;
  onRetry?: () => void;
  loadingLabel?: string;
  isEmpty?: (data: T) => boolean;
  /** Shown for data that isEmpty. */
  empty?: ReactNode;
  children: (data: T, stale: boolean) => ReactNode;
}) {
  const failed = resource.status === 'error';
  const error = failed ? <ErrorMessage error={resource.error} onRetry={onRetry} /> : null;
  const data = resource.data;
  const blank = data !== null && Boolean(isEmpty?.(data));
  if (data === null || (failed && blank)) {
    return (
      <>
        {error}
        {failed ? null : <Loading label={loadingLabel} />}
      </>
    );
  }
  return (
    <>
      {error}
      {blank ? empty : children(data, failed)}
    </>
  );
}
