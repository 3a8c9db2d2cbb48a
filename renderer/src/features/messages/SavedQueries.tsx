// Saved queries of the message browser (#20): a picker that applies one at once, and a dialog that
// saves the form's query under a name and lists the topic's queries to apply, rename or delete. The
// main process keeps them per connection and topic.
import { useState } from 'react';
import type { IpcError } from '../../../../shared/ipc/contract';
import type { SavedQuery } from '../../../../shared/model/messages';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { useAppStore, useResource } from '../../store/hooks';
import { savedQueriesQuery } from './messages-slice';
import { savedQuerySummary, toSavedQuery, type BrowserQuery } from './saved-queries';

const sameName = (a: string, b: string) => a.trim().toLocaleLowerCase('en') === b.trim().toLocaleLowerCase('en');

export function SavedQueries({
  topic,
  currentQuery,
  onApply,
}: {
  topic: string;
  /** The query the form holds now, or what is wrong with it. */
  currentQuery: () => BrowserQuery | { error: string };
  onApply: (query: SavedQuery) => void;
}) {
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const [saved] = useResource(savedQueriesQuery(connectionId, topic));
  const [applied, setApplied] = useState('');
  const [dialogOpen, setDialogOpen] = useState(false);
  const queries = saved.data ?? [];
  const apply = (query: SavedQuery) => {
    setApplied(query.name);
    onApply(query);
  };
  return (
    <span className="saved-queries">
      <select
        aria-label="Saved queries"
        value={queries.some((query) => query.name === applied) ? applied : ''}
        disabled={!queries.length}
        title={saved.status === 'error' ? `The saved queries could not be read: ${saved.error?.message}` : 'Apply a query saved for this topic'}
        onChange={(event) => {
          const query = queries.find((candidate) => candidate.name === event.target.value);
          if (query) apply(query);
        }}
      >
        <option value="">
          {saved.status === 'loading' && !saved.data ? 'Saved queries…' : queries.length ? `Saved queries (${queries.length})` : 'No saved queries'}
        </option>
        {queries.map((query) => (
          <option key={query.name} value={query.name} title={savedQuerySummary(query)}>
            {query.name}
          </option>
        ))}
      </select>
      <button type="button" className="button" onClick={() => setDialogOpen(true)}>
        Save query…
      </button>
      {dialogOpen ? (
        <SavedQueriesDialog
          topic={topic}
          queries={queries}
          suggestedName={applied}
          currentQuery={currentQuery}
          onApply={(query) => {
            apply(query);
            setDialogOpen(false);
          }}
          onSaved={setApplied}
          onClose={() => setDialogOpen(false)}
        />
      ) : null}
    </span>
  );
}

function SavedQueriesDialog({
  topic,
  queries,
  suggestedName,
  currentQuery,
  onApply,
  onSaved,
  onClose,
}: {
  topic: string;
  queries: readonly SavedQuery[];
  suggestedName: string;
  currentQuery: () => BrowserQuery | { error: string };
  onApply: (query: SavedQuery) => void;
  onSaved: (name: string) => void;
  onClose: () => void;
}) {
  const saveQuery = useAppStore((state) => state.saveQuery);
  const [name, setName] = useState(suggestedName);
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  // Read once when the dialog opens: the form stays as it was behind the modal dialog.
  const [current] = useState(currentQuery);
  const formError = 'error' in current ? current.error : null;
  const taken = queries.find((query) => sameName(query.name, name));
  const nameError = !name.trim() ? null : name.trim().length > 100 ? 'A query name can be at most 100 characters.' : null;

  const save = async () => {
    if ('error' in current || !name.trim() || nameError) return;
    setBusy(true);
    const failure = await saveQuery(toSavedQuery(taken ? taken.name : name, current), Boolean(taken));
    setBusy(false);
    setError(failure);
    if (!failure) {
      setSaved(taken ? taken.name : name.trim());
      onSaved(taken ? taken.name : name.trim());
    }
  };

  return (
    <Dialog
      title={`Saved queries of ${topic}`}
      wide
      onClose={onClose}
      onSubmit={() => void save()}
      error={formError ? `The form's query cannot be saved: ${formError}` : error?.message}
      cancelLabel="Close"
      actions={
        <button type="submit" className="button button-primary" disabled={busy || Boolean(formError) || !name.trim() || Boolean(nameError)}>
          {busy ? 'Saving…' : taken ? `Replace "${taken.name}"` : 'Save'}
        </button>
      }
    >
      <Field
        label="Name"
        error={nameError}
        hint={
          taken
            ? `A query named "${taken.name}" is saved for this topic: saving replaces it.`
            : 'Saves the form as it is: start, records, bounds, filter, decoders, isolation, markers and order.'
        }
      >
        {(props) => (
          <input
            {...props}
            value={name}
            maxLength={120}
            placeholder="Gold orders today"
            onChange={(event) => {
              setName(event.target.value);
              setSaved(null);
            }}
          />
        )}
      </Field>
      {!('error' in current) ? (
        <p className="muted small saved-query-preview" aria-label="Query to save">
          {savedQuerySummary(toSavedQuery(name || 'unnamed', current))}
        </p>
      ) : null}
      {saved ? (
        <div className="form-success" role="status">
          Saved as "{saved}".
        </div>
      ) : null}
      <SavedQueryList queries={queries} onApply={onApply} />
    </Dialog>
  );
}

function SavedQueryList({ queries, onApply }: { queries: readonly SavedQuery[]; onApply: (query: SavedQuery) => void }) {
  if (!queries.length) return <p className="muted">No query is saved for this topic yet.</p>;
  return (
    <ul className="saved-query-list" aria-label="Saved queries of this topic">
      {queries.map((query) => (
        <SavedQueryRow key={query.name} query={query} others={queries} onApply={onApply} />
      ))}
    </ul>
  );
}

function SavedQueryRow({ query, others, onApply }: { query: SavedQuery; others: readonly SavedQuery[]; onApply: (query: SavedQuery) => void }) {
  const renameSavedQuery = useAppStore((state) => state.renameSavedQuery);
  const deleteSavedQuery = useAppStore((state) => state.deleteSavedQuery);
  const [mode, setMode] = useState<'view' | 'rename' | 'delete'>('view');
  const [newName, setNewName] = useState(query.name);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<IpcError | null>) => {
    setBusy(true);
    const failure = await action();
    setBusy(false);
    setError(failure?.message ?? null);
    if (!failure) setMode('view');
  };
  const renameError = !newName.trim()
    ? 'Name the query.'
    : others.some((other) => other.name !== query.name && sameName(other.name, newName))
      ? 'Another saved query has this name.'
      : null;
  return (
    <li className="saved-query" data-saved-query={query.name}>
      {mode === 'rename' ? (
        <div className="saved-query-rename">
          <input
            aria-label={`New name for ${query.name}`}
            value={newName}
            maxLength={120}
            onChange={(event) => setNewName(event.target.value)}
            onKeyDown={(event) => {
              // Inside the dialog's form: Enter renames this query instead of saving the form's.
              if (event.key === 'Enter') {
                event.preventDefault();
                if (!renameError) void run(() => renameSavedQuery(query.name, newName.trim()));
              }
            }}
          />
          <button
            type="button"
            className="button button-small button-primary"
            disabled={busy || Boolean(renameError)}
            onClick={() => void run(() => renameSavedQuery(query.name, newName.trim()))}
          >
            Rename
          </button>
          <button type="button" className="button button-small" onClick={() => setMode('view')}>
            Cancel
          </button>
        </div>
      ) : (
        <div className="saved-query-head">
          <strong className="saved-query-name">{query.name}</strong>
          <span className="spacer" />
          {mode === 'delete' ? (
            <>
              <span className="small">Delete this query?</span>
              <button type="button" className="button button-small button-danger" disabled={busy} onClick={() => void run(() => deleteSavedQuery(query.name))}>
                Delete
              </button>
              <button type="button" className="button button-small" onClick={() => setMode('view')}>
                Keep
              </button>
            </>
          ) : (
            <>
              <button type="button" className="button button-small button-primary" onClick={() => onApply(query)}>
                Apply
              </button>
              <button
                type="button"
                className="button button-small"
                onClick={() => {
                  setNewName(query.name);
                  setMode('rename');
                }}
              >
                Rename
              </button>
              <button type="button" className="button button-small" onClick={() => setMode('delete')}>
                Delete…
              </button>
            </>
          )}
        </div>
      )}
      <div className="muted small">{savedQuerySummary(query)}</div>
      {mode === 'rename' && renameError && newName !== query.name ? <div className="field-error">{renameError}</div> : null}
      {error ? (
        <div className="form-error" role="alert">
          {error}
        </div>
      ) : null}
    </li>
  );
}
