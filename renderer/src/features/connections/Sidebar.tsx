import { useState } from 'react';
import { useAppStore } from '../../store/hooks';
import { isCurrent, sidebarScreens } from '../../app/screens';
import { ConnectionDialog } from './ConnectionDialog';
import { TimeoutsDialog } from './TimeoutsDialog';
import type { ConnectionHealth } from '../../../../shared/model/connections';
import type { ConnectionSummary, EmbeddedClusterStatus } from '../../../../shared/model/schemas';
import { useNow } from './ConnectionProgress';
import { healthSummary, healthTitle } from './health-format';
import './connections.css';

/** The dot's colour: the checked state; hollow for an embedded cluster that is off or stopped on purpose. */
function dotClass(connection: ConnectionSummary, health: ConnectionHealth | undefined, embedded: EmbeddedClusterStatus | null): string {
  if (connection.kind === 'embedded' && !connection.available && (embedded?.state === 'disabled' || embedded?.state === 'stopped')) return 'dot state-dot-off';
  if (connection.kind === 'embedded' && !connection.available && embedded?.state === 'failed') return 'dot state-dot-down';
  return `dot state-dot-${health?.state ?? 'idle'}`;
}

export function Sidebar() {
  const connections = useAppStore((state) => state.connections);
  const activeId = useAppStore((state) => state.activeConnectionId);
  const selectConnection = useAppStore((state) => state.selectConnection);
  const screen = useAppStore((state) => state.screen);
  const navigate = useAppStore((state) => state.navigate);
  const health = useAppStore((state) => state.connectionHealth);
  const embedded = useAppStore((state) => state.embedded.data);
  const [editing, setEditing] = useState<ConnectionSummary | 'new' | null>(null);
  // The embedded connection: only its timeouts can be edited.
  const [timeoutsOf, setTimeoutsOf] = useState<ConnectionSummary | null>(null);
  const active = connections.data?.find((connection) => connection.id === activeId);
  const activeHealth = health[activeId];
  const now = useNow(activeHealth?.state === 'down' && activeHealth.nextCheckAt !== null, 1000);

  return (
    <nav className="sidebar" aria-label="Connections and screens">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        Kafka Desk
      </div>
      <div className="sidebar-section">
        <div className="sidebar-heading">
          <span>Connections</span>
          <button type="button" className="icon-button" aria-label="Add a connection" title="Add a connection" onClick={() => setEditing('new')}>
            +
          </button>
        </div>
        <ul className="connection-list">
          {connections.data?.map((connection) => (
            <li key={connection.id} className="connection-row">
              <button
                type="button"
                className={connection.id === activeId ? 'connection active' : 'connection'}
                aria-current={connection.id === activeId ? 'true' : undefined}
                onClick={() => selectConnection(connection.id)}
                title={`${connection.bootstrapServers || 'not running'}\n${healthTitle(health[connection.id])}`}
                data-state={health[connection.id]?.state ?? 'idle'}
              >
                <span className={dotClass(connection, health[connection.id], embedded)} aria-hidden="true" />
                <span className="connection-name">{connection.name}</span>
              </button>
              {connection.kind === 'external' ? (
                <button type="button" className="connection-edit" aria-label={`Edit ${connection.name}`} onClick={() => setEditing(connection)}>
                  Edit
                </button>
              ) : (
                <button type="button" className="connection-edit" aria-label={`Timeouts of ${connection.name}`} onClick={() => setTimeoutsOf(connection)}>
                  Edit
                </button>
              )}
            </li>
          ))}
        </ul>
        {active ? (
          <div className={`connection-health ${activeHealth?.state ?? 'idle'}`} data-testid="connection-health" title={healthTitle(activeHealth)}>
            {!active.available && active.kind === 'embedded' ? `Not running${embedded ? ` (${embedded.state})` : ''}` : healthSummary(activeHealth, now)}
          </div>
        ) : null}
        {connections.status === 'error' ? <div className="sidebar-error">{connections.error.message}</div> : null}
      </div>
      <div className="sidebar-section">
        <div className="sidebar-heading">
          <span>{active?.name ?? 'Cluster'}</span>
        </div>
        <ul className="nav-list">
          {sidebarScreens('cluster', active?.kind === 'embedded').map((entry) => (
            <li key={entry.id}>
              <button type="button" className={isCurrent(entry.id, screen) ? 'nav active' : 'nav'} onClick={() => navigate(entry.id)}>
                {entry.title}
              </button>
            </li>
          ))}
        </ul>
      </div>
      <div className="sidebar-footer">
        {sidebarScreens('footer', active?.kind === 'embedded').map((entry) => (
          <button key={entry.id} type="button" className={isCurrent(entry.id, screen) ? 'nav active' : 'nav'} onClick={() => navigate(entry.id)}>
            {entry.title}
          </button>
        ))}
      </div>
      {editing ? <ConnectionDialog connection={editing === 'new' ? null : editing} onClose={() => setEditing(null)} /> : null}
      {timeoutsOf ? <TimeoutsDialog connection={timeoutsOf} onClose={() => setTimeoutsOf(null)} /> : null}
    </nav>
  );
}
