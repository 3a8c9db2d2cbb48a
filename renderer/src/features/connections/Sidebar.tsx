import { useState } from 'react';
import { useAppStore } from '../../store/hooks';
import type { Screen } from '../../store/slices/ui';
import { ConnectionDialog } from './ConnectionDialog';
import type { ConnectionSummary } from '../../../../shared/model/schemas';

const navigation: { screen: Screen; label: string; embeddedOnly?: boolean }[] = [
  { screen: 'overview', label: 'Overview' },
  { screen: 'brokers', label: 'Brokers' },
  { screen: 'topics', label: 'Topics' },
  { screen: 'messages', label: 'Messages' },
  { screen: 'produce', label: 'Produce' },
  { screen: 'groups', label: 'Consumer groups' },
  { screen: 'cluster', label: 'Cluster panel', embeddedOnly: true },
];

export function Sidebar() {
  const connections = useAppStore((state) => state.connections);
  const activeId = useAppStore((state) => state.activeConnectionId);
  const selectConnection = useAppStore((state) => state.selectConnection);
  const screen = useAppStore((state) => state.screen);
  const navigate = useAppStore((state) => state.navigate);
  const [editing, setEditing] = useState<ConnectionSummary | 'new' | null>(null);
  const active = connections.data?.find((connection) => connection.id === activeId);

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
                title={connection.bootstrapServers || 'not running'}
              >
                <span className={connection.available ? 'dot dot-up' : 'dot dot-down'} aria-hidden="true" />
                <span className="connection-name">{connection.name}</span>
              </button>
              {connection.kind === 'external' ? (
                <button type="button" className="connection-edit" aria-label={`Edit ${connection.name}`} onClick={() => setEditing(connection)}>
                  Edit
                </button>
              ) : null}
            </li>
          ))}
        </ul>
        {connections.status === 'error' ? <div className="sidebar-error">{connections.error.message}</div> : null}
      </div>
      <div className="sidebar-section">
        <div className="sidebar-heading">
          <span>{active?.name ?? 'Cluster'}</span>
        </div>
        <ul className="nav-list">
          {navigation
            .filter((item) => !item.embeddedOnly || active?.kind === 'embedded')
            .map((item) => (
              <li key={item.screen}>
                <button
                  type="button"
                  className={screen === item.screen || (item.screen === 'topics' && screen === 'topic') || (item.screen === 'groups' && screen === 'group') ? 'nav active' : 'nav'}
                  onClick={() => navigate(item.screen)}
                >
                  {item.label}
                </button>
              </li>
            ))}
        </ul>
      </div>
      <div className="sidebar-footer">
        <button type="button" className={screen === 'settings' ? 'nav active' : 'nav'} onClick={() => navigate('settings')}>
          Settings
        </button>
      </div>
      {editing ? <ConnectionDialog connection={editing === 'new' ? null : editing} onClose={() => setEditing(null)} /> : null}
    </nav>
  );
}
