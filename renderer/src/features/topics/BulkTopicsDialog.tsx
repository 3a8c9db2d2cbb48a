// Deleting or purging the topics selected on the topics screen, after a confirmation that names them and
// needs the count typed; each topic is done in turn and its outcome listed, a failure stopping nothing.
import { useState } from 'react';
import { Dialog, TypeToConfirm } from '../../components/Dialog';
import { formatQuantity } from '../../components/format';
import { useAppStore } from '../../store/hooks';

type Outcome = { topic: string; error: string | null };

export function BulkTopicsDialog({ action, topics, onClose }: { action: 'delete' | 'purge'; topics: string[]; onClose: (done: string[]) => void }) {
  const deleteTopic = useAppStore((state) => state.deleteTopic);
  const purgeTopic = useAppStore((state) => state.purgeTopic);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcomes, setOutcomes] = useState<Outcome[] | null>(null);
  const confirmWord = `${action} ${topics.length}`;
  const done = outcomes?.filter((outcome) => outcome.error === null).map((outcome) => outcome.topic) ?? [];
  const run = async () => {
    setBusy(true);
    const results: Outcome[] = [];
    for (const topic of topics) {
      const result = action === 'delete' ? await deleteTopic(topic) : await purgeTopic(topic);
      results.push({ topic, error: result.ok ? null : result.error.message });
      setOutcomes([...results]);
    }
    setBusy(false);
  };
  const title = action === 'delete' ? 'Delete topics' : 'Purge topics';
  return (
    <Dialog
      title={title}
      onClose={() => onClose(done)}
      plain
      cancelLabel={outcomes && !busy ? 'Close' : 'Cancel'}
      actions={
        outcomes ? null : (
          <button type="button" className="button button-danger" disabled={busy || typed.trim() !== confirmWord} onClick={() => void run()}>
            {action === 'delete' ? `Delete ${formatQuantity(topics.length, 'topic')}` : `Purge ${formatQuantity(topics.length, 'topic')}`}
          </button>
        )
      }
    >
      <p>
        {action === 'delete'
          ? `Delete these ${formatQuantity(topics.length, 'topic')} and all their records? This cannot be undone.`
          : `Delete every record now in these ${formatQuantity(topics.length, 'topic')} (up to each partition's high watermark)? The topics and their configs stay.`}
      </p>
      <ul className="bulk-results" aria-label="Topics">
        {topics.map((topic) => {
          const outcome = outcomes?.find((item) => item.topic === topic);
          return (
            <li key={topic}>
              <code>{topic}</code>
              {outcome ? (
                outcome.error ? (
                  <span className="field-error"> — {outcome.error}</span>
                ) : (
                  <span className="muted"> — {action === 'delete' ? 'deleted' : 'purged'}</span>
                )
              ) : null}
            </li>
          );
        })}
      </ul>
      {outcomes ? null : <TypeToConfirm word={confirmWord} typed={typed} onType={setTyped} />}
    </Dialog>
  );
}
