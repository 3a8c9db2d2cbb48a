// The active connection's state above every screen, when there is something to say: what it is
// waiting for (with Cancel), that it is connecting, down (why, since when, when it is checked again,
// and for the embedded cluster a Start button, on free ports after a port clash) or degraded (which
// brokers do not answer). Nothing when it is up.
import { useState } from 'react';
import { EMBEDDED_CONNECTION_ID } from '../../../../shared/model/schemas';
import { useAppStore } from '../../store/hooks';
import { selectActiveConnection, selectActiveHealth } from './connections-slice';
import { ConnectionProgress, useNow } from './ConnectionProgress';
import { formatClock, formatMs } from './health-format';
import './connections.css';

const embeddedTitle: Partial<Record<string, string>> = {
  failed: 'The embedded cluster could not start',
  stopped: 'The embedded cluster is stopped',
  disabled: 'The embedded cluster is turned off',
  unavailable: 'The embedded cluster is not available',
};

export function ConnectionStatusBar() {
  const connection = useAppStore(selectActiveConnection);
  const health = useAppStore(selectActiveHealth);
  const busy = useAppStore((state) => Boolean(state.connectionActivity[state.activeConnectionId]?.pending.length));
  const embeddedState = useAppStore((state) => state.embedded.data?.state);
  const screen = useAppStore((state) => state.screen);
  const cancelConnection = useAppStore((state) => state.cancelConnection);
  const checkConnection = useAppStore((state) => state.checkConnection);
  const [cancelling, setCancelling] = useState(false);
  const now = useNow(health?.state === 'down' && health.nextCheckAt !== null, 1000);
  if (!connection) return null;
  const embeddedOff = connection.id === EMBEDDED_CONNECTION_ID && !connection.available;
  // The Cluster panel says the same, with the same buttons, in its own card.
  if (embeddedOff && screen === 'cluster') return null;

  const progress = busy ? (
    <ConnectionProgress
      activityKey={connection.id}
      cancelling={cancelling}
      onCancel={() => {
        setCancelling(true);
        void cancelConnection(connection.id).finally(() => setCancelling(false));
      }}
    />
  ) : null;

  if (health?.state === 'down' || embeddedOff) {
    const title = embeddedOff ? (embeddedTitle[embeddedState ?? ''] ?? 'The embedded cluster is not running') : `${connection.name} is down`;
    return (
      <div className="connection-bar connection-bar-down" role="alert" data-testid="connection-bar">
        <div className="connection-bar-main">
          <div className="connection-bar-text">
            <strong>
              {title}
              {health?.state === 'down' ? <span className="connection-bar-since"> since {formatClock(health.since)}</span> : null}
            </strong>
            {health?.lastError ? <p>{health.lastError.message}</p> : null}
            {!busy && !embeddedOff ? (
              <p className="muted">
                {health?.nextCheckAt && health.nextCheckAt > now
                  ? `Checked again in ${formatMs(health.nextCheckAt - now)}; screens load again when it answers.`
                  : 'Screens load again when it answers.'}
              </p>
            ) : null}
          </div>
          <div className="connection-bar-actions">
            {embeddedOff ? <EmbeddedStartButtons /> : null}
            {!embeddedOff && !busy ? (
              <button type="button" className="button button-small" onClick={() => void checkConnection(connection.id)}>
                Check now
              </button>
            ) : null}
          </div>
        </div>
        {progress}
      </div>
    );
  }
  if (progress) {
    return (
      <div className="connection-bar connection-bar-busy" data-testid="connection-bar">
        {progress}
      </div>
    );
  }
  if (health?.state === 'connecting') {
    return (
      <div className="connection-bar connection-bar-busy" role="status" data-testid="connection-bar">
        <span className="spinner" aria-hidden="true" /> Connecting to {connection.name}…
      </div>
    );
  }
  if (health?.state === 'degraded') {
    return (
      <div className="connection-bar connection-bar-degraded" role="status" data-testid="connection-bar">
        <div className="connection-bar-main">
          <div className="connection-bar-text">
            <strong>{connection.name} is degraded</strong>
            <p>{health.detail}</p>
          </div>
          <div className="connection-bar-actions">
            <button type="button" className="button button-small" onClick={() => void checkConnection(connection.id)}>
              Check now
            </button>
          </div>
        </div>
      </div>
    );
  }
  return null;
}

/** Start the embedded cluster again: where it was, or on the free ports found after a port clash. */
export function EmbeddedStartButtons() {
  const status = useAppStore((state) => state.embedded.data);
  const action = useAppStore((state) => state.clusterAction);
  const startEmbedded = useAppStore((state) => state.startEmbedded);
  if (!status || status.state === 'running' || status.state === 'starting' || status.state === 'stopping') return null;
  if (action === 'start') {
    return (
      <button type="button" className="button button-small button-primary" disabled>
        Starting…
      </button>
    );
  }
  const { brokers } = status.config;
  const free = status.portsInUse.length ? status.freeBasePort : null;
  return (
    <>
      {free !== null ? (
        <button type="button" className="button button-small button-primary" disabled={Boolean(action)} onClick={() => void startEmbedded({ basePort: free })}>
          {`Start on ${brokers === 1 ? `port ${free}` : `ports ${free}–${free + brokers - 1}`}`}
        </button>
      ) : null}
      <button
        type="button"
        className={free !== null ? 'button button-small' : 'button button-small button-primary'}
        disabled={Boolean(action)}
        onClick={() => void startEmbedded()}
      >
        {status.portsInUse.length ? 'Try the same ports again' : 'Start the embedded cluster'}
      </button>
    </>
  );
}
