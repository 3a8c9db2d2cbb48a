// The Schemas screen: the active connection's registry (which one, and a way to set it) and its
// subjects with their type, latest version and compatibility, searchable; a subject opens its page.
import { useDeferredValue, useMemo, useState } from 'react';
import { EMBEDDED_CONNECTION_ID } from '../../../../shared/model/schemas';
import { ScreenHeader } from '../../components/ScreenHeader';
import { Empty, StateView } from '../../components/StateView';
import { formatQuantity } from '../../components/format';
import { useAppStore, useResource } from '../../store/hooks';
import { RegistryDialog } from './RegistryDialog';
import { SchemaDialog } from './SchemaDialog';
import { SCHEMA_TYPE_LABEL, registryQuery, subjectsQuery, visibleSubjects } from './schemas-slice';
import './schemas.css';

export function SchemasScreen() {
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const registryUrl = useAppStore((state) => state.embedded.data?.schemaRegistryUrl ?? null);
  const [registry, reloadRegistry] = useResource(registryQuery(connectionId), registryUrl);
  const hasRegistry = registry.data ? registry.data.kind !== 'none' && registry.data.url !== null : false;
  const [subjects, reload] = useResource(hasRegistry ? subjectsQuery(connectionId) : null, registry.data?.url ?? null);
  const search = useAppStore((state) => state.schemaSearch);
  const setSearch = useAppStore((state) => state.setSchemaSearch);
  const openSubject = useAppStore((state) => state.openSubject);
  const deferredSearch = useDeferredValue(search);
  const rows = useMemo(() => visibleSubjects(subjects.data?.subjects ?? [], deferredSearch), [subjects.data, deferredSearch]);
  const [dialog, setDialog] = useState<'registry' | 'new' | null>(null);

  return (
    <section className="screen">
      <ScreenHeader
        title="Schemas"
        onRefresh={() => {
          reloadRegistry();
          if (hasRegistry) reload();
        }}
        refreshing={subjects.status === 'loading'}
      >
        {hasRegistry ? (
          <input
            type="search"
            className="search"
            aria-label="Search subjects"
            placeholder="Search subjects"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
          />
        ) : null}
        <button type="button" className="button" onClick={() => setDialog('registry')}>
          Registry…
        </button>
        {hasRegistry ? (
          <button type="button" className="button button-primary" onClick={() => setDialog('new')}>
            New subject
          </button>
        ) : null}
      </ScreenHeader>
      <StateView resource={registry} onRetry={reloadRegistry} loadingLabel="Loading the registry…">
        {(summary) =>
          summary.kind === 'none' ? (
            <Empty title="This connection has no schema registry.">
              <p className="muted">Set the registry its producers and consumers use to see subjects, register schemas and produce with them.</p>
              <button type="button" className="button button-primary" onClick={() => setDialog('registry')}>
                Set a registry
              </button>
            </Empty>
          ) : summary.url === null || summary.problem ? (
            <div className="state state-error" role="alert">
              <div>
                <strong>The schema registry cannot be used now</strong>
                <p>{summary.problem}</p>
              </div>
            </div>
          ) : (
            <>
              <p className="subtitle" data-testid="registry-url">
                {summary.kind === 'embedded' ? 'Embedded registry' : 'Registry'} <code>{summary.url}</code>
                {subjects.data ? <> · global compatibility {subjects.data.globalCompatibility}</> : null}
              </p>
              <StateView
                resource={subjects}
                onRetry={reload}
                loadingLabel="Loading subjects…"
                isEmpty={(list) => list.subjects.length === 0}
                empty={
                  <Empty title="The registry has no subjects yet.">
                    <p className="muted">
                      Register a schema with New subject, or let a serializer register one (subjects are named after topics: orders-value, orders-key).
                    </p>
                  </Empty>
                }
              >
                {(list) => (
                  <>
                    <p className="muted small" aria-live="polite">
                      {rows.length === list.subjects.length
                        ? formatQuantity(rows.length, 'subject')
                        : `${rows.length} of ${formatQuantity(list.subjects.length, 'subject')} match`}
                    </p>
                    {rows.length ? (
                      <div className="table-x">
                        <table className="table" aria-label="Subjects">
                          <thead>
                            <tr>
                              <th>Subject</th>
                              <th>Type</th>
                              <th className="numeric">Latest version</th>
                              <th className="numeric">Versions</th>
                              <th>Compatibility</th>
                            </tr>
                          </thead>
                          <tbody>
                            {rows.map((subject) => (
                              <tr key={subject.name} className="clickable" onClick={() => openSubject(subject.name)}>
                                <td>
                                  <button type="button" className="link-button" onClick={() => openSubject(subject.name)}>
                                    {subject.name}
                                  </button>
                                  {subject.error ? <div className="field-error">{subject.error}</div> : null}
                                </td>
                                <td>{subject.schemaType ? SCHEMA_TYPE_LABEL[subject.schemaType] : '—'}</td>
                                <td className="numeric">{subject.latestVersion ?? '—'}</td>
                                <td className="numeric">{subject.versionCount}</td>
                                <td>{subject.compatibility ?? <span className="muted">{list.globalCompatibility} (registry)</span>}</td>
                              </tr>
                            ))}
                          </tbody>
                        </table>
                      </div>
                    ) : (
                      <Empty title={`No subject matches "${search}".`} />
                    )}
                  </>
                )}
              </StateView>
            </>
          )
        }
      </StateView>
      {dialog === 'registry' ? (
        <RegistryDialog current={registry.data} embedded={connectionId === EMBEDDED_CONNECTION_ID} onClose={() => setDialog(null)} />
      ) : null}
      {dialog === 'new' ? (
        <SchemaDialog
          subject={null}
          onClose={() => setDialog(null)}
          onRegistered={(subject) => {
            setDialog(null);
            openSubject(subject);
          }}
        />
      ) : null}
    </section>
  );
}
