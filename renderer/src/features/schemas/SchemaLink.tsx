// A decoded record's link to its schema: the subject and version the schema id is registered under,
// which opens that version on the subject's page.
import { useAppStore, useResource } from '../../store/hooks';
import type { Query } from '../../store/resources';
import './schemas.css';

const schemaIdQuery = (connectionId: string, id: number): Query<Array<{ subject: string; version: number }>> => ({
  key: ['schemas', connectionId, 'id', id],
  load: (api) => api.invoke('schemas.subjectsOfId', { connectionId, id }),
});

export function SchemaLink({ schemaId }: { schemaId: number }) {
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const openSubject = useAppStore((state) => state.openSubject);
  const [uses] = useResource(schemaIdQuery(connectionId, schemaId));
  if (!uses.data?.length) return <span className="muted small">schema {schemaId}</span>;
  return (
    <span className="schema-link">
      {uses.data.map((use) => (
        <button
          key={`${use.subject}/${use.version}`}
          type="button"
          className="link-button"
          title={`Schema id ${schemaId}`}
          onClick={() => openSubject(use.subject, use.version)}
        >
          {use.subject} v{use.version}
        </button>
      ))}
    </span>
  );
}
