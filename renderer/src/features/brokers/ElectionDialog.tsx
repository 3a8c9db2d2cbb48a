// Preferred-leader election for the cluster, a topic or a partition: first the preview (which leaders
// move from which broker to which, and which cannot move now and why), then the election of those
// that can, and what the cluster answered for each.
import { useEffect, useState } from 'react';
import type { IpcError } from '../../../../shared/ipc/contract';
import type { ElectionPreview, ElectionResult, ElectionScope } from '../../../../shared/model/schemas';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage, Loading } from '../../components/StateView';
import { formatCount } from '../../components/format';
import { useAppStore } from '../../store/hooks';

export function scopeLabel(target: ElectionScope): string {
  switch (target.scope) {
    case 'cluster':
      return 'every partition of the cluster';
    case 'topic':
      return `every partition of ${target.topic}`;
    case 'partition':
      return `partition ${target.partition} of ${target.topic}`;
  }
}

/** At most this many moves are listed; the counts cover all of them. */
const LISTED_MOVES = 100;

export function ElectionDialog({ target, onClose }: { target: ElectionScope; onClose: () => void }) {
  const previewElection = useAppStore((state) => state.previewElection);
  const electLeaders = useAppStore((state) => state.electLeaders);
  const [preview, setPreview] = useState<ElectionPreview | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [result, setResult] = useState<ElectionResult | null>(null);
  const [busy, setBusy] = useState(false);
  const key = JSON.stringify(target);

  useEffect(() => {
    let live = true;
    void previewElection(target).then((answer) => {
      if (!live) return;
      if (answer.ok) setPreview(answer.value);
      else setError(answer.error);
    });
    return () => {
      live = false;
    };
    // The target is compared by value (key): a parent re-rendering with an equal object does not reload.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` stands for `target`
  }, [key, previewElection]);

  const movable = preview?.moves.filter((move) => move.blocked === null) ?? [];
  const blocked = preview?.moves.filter((move) => move.blocked !== null) ?? [];
  const internalMoves = movable.filter((move) => move.internal).length;
  return (
    <Dialog
      title="Elect preferred leaders"
      onClose={onClose}
      wide
      plain
      cancelLabel={result ? 'Close' : 'Cancel'}
      actions={
        !result ? (
          <button
            type="button"
            className="button button-primary"
            disabled={busy || !movable.length}
            onClick={async () => {
              setBusy(true);
              setError(null);
              const answer = await electLeaders(target);
              setBusy(false);
              if (answer.ok) setResult(answer.value);
              else setError(answer.error);
            }}
          >
            {busy ? 'Electing…' : movable.length ? `Elect ${formatCount(movable.length)} leader${movable.length === 1 ? '' : 's'}` : 'Elect leaders'}
          </button>
        ) : null
      }
    >
      <p className="muted">
        Moves the leadership of {scopeLabel(target)} back to its preferred replica (the first in its replica list), where that replica is up and in sync.
        Clients follow the new leaders after a metadata refresh.
      </p>
      {error ? <ErrorMessage error={error} /> : null}
      {!preview && !error ? <Loading label="Looking at the leaders…" /> : null}
      {preview && !result ? (
        <>
          <p role="status" aria-label="Election preview">
            {preview.moves.length === 0
              ? `All ${formatCount(preview.partitions)} partitions are led by their preferred replica: nothing to move.`
              : `${formatCount(movable.length)} of ${formatCount(preview.partitions)} partitions would move to their preferred leader` +
                (internalMoves ? ` (${formatCount(internalMoves)} of them in internal topics such as __consumer_offsets)` : '') +
                (blocked.length ? `; ${formatCount(blocked.length)} cannot move now.` : '.')}
          </p>
          {preview.moves.length ? (
            <div className="table-scroll">
              <table className="table" aria-label="Leaders that move">
                <thead>
                  <tr>
                    <th>Topic</th>
                    <th className="numeric">Partition</th>
                    <th>Leader now</th>
                    <th>Preferred leader</th>
                    <th>Outcome</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.moves.slice(0, LISTED_MOVES).map((move) => (
                    <tr key={`${move.topic}-${move.partition}`} className={move.blocked ? 'row-warn' : undefined}>
                      <td>{move.topic}</td>
                      <td className="numeric">{move.partition}</td>
                      <td>{move.from < 0 ? 'none (offline)' : `broker ${move.from}`}</td>
                      <td>broker {move.to}</td>
                      <td>{move.blocked ? `stays: ${move.blocked}` : 'moves'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {preview.moves.length > LISTED_MOVES ? <p className="muted small">and {formatCount(preview.moves.length - LISTED_MOVES)} more</p> : null}
            </div>
          ) : null}
        </>
      ) : null}
      {result ? <ElectionOutcome result={result} /> : null}
    </Dialog>
  );
}

function ElectionOutcome({ result }: { result: ElectionResult }) {
  const failed = result.results.filter((entry) => entry.error !== null);
  return (
    <div role="status" aria-label="Election result">
      <p>
        {result.results.length === 0
          ? 'Nothing was elected: no leader could move.'
          : `${formatCount(result.elected)} leader${result.elected === 1 ? '' : 's'} moved to the preferred replica.`}
      </p>
      {failed.length ? (
        <ul className="problem-list">
          {failed.slice(0, LISTED_MOVES).map((entry) => (
            <li key={`${entry.topic}-${entry.partition}`}>
              {entry.topic}-{entry.partition}: {entry.error}
              {entry.message ? ` (${entry.message})` : ''}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
