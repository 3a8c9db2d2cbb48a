// The reassignment planner (issue #19): pick topics (and partitions), then spread them evenly over
// chosen brokers or drain a broker; preview the moves with the bytes they copy and what each broker
// holds afterwards; apply with an optional throttle; watch each new replica catch up and join the ISR;
// cancel; elect preferred leaders once done. Plans are made here (shared/model/reassignment-plan.ts),
// applied by the main process (AlterPartitionReassignments, KIP-455).
import { useEffect, useMemo, useState } from 'react';
import type { IpcError } from '../../../../shared/ipc/contract';
import {
  parseReplicaList,
  partitionKey,
  planReassignment,
  targetProblem,
  type PlanGoal,
  type PlanPartition,
  type ReassignmentPlan,
} from '../../../../shared/model/reassignment-plan';
import type { LeftoverThrottle, OngoingReassignment, ReassignmentResult, ReassignmentState } from '../../../../shared/model/reassignments';
import { ScreenHeader } from '../../components/ScreenHeader';
import { ErrorMessage, StateView } from '../../components/StateView';
import { formatBytes, formatQuantity } from '../../components/format';
import { useAppStore, useResource } from '../../store/hooks';
import { ElectionDialog } from '../brokers/ElectionDialog';
import { reassignmentsQuery } from './reassign-slice';
import './reassign.css';

/** "0,2-4" as partition numbers; null when the text is not such a list. Empty: every partition. */
export function parsePartitions(text: string): number[] | null {
  if (text.trim() === '') return [];
  const found = new Set<number>();
  for (const part of text.split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!match) return null;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from || to - from > 10_000) return null;
    for (let p = from; p <= to; p++) found.add(p);
  }
  return [...found].sort((a, b) => a - b);
}

export function ReassignScreen() {
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const [state, reload] = useResource(reassignmentsQuery(connectionId));
  const ongoing = state.data?.ongoing.length ?? 0;
  const [electing, setElecting] = useState(false);
  // While moves run, their progress is read every second.
  useEffect(() => {
    if (ongoing === 0) return;
    const timer = setInterval(reload, 1000);
    return () => clearInterval(timer);
  }, [ongoing, reload]);
  return (
    <section className="screen reassign">
      <ScreenHeader title="Reassign partitions" onRefresh={reload} refreshing={state.status === 'loading'}>
        <button type="button" className="button" onClick={() => setElecting(true)}>
          Elect preferred leaders
        </button>
      </ScreenHeader>
      {electing ? (
        <ElectionDialog
          target={{ scope: 'cluster' }}
          onClose={() => {
            setElecting(false);
            // Leaders moved: the hint about partitions not led by their preferred replica is read again.
            reload();
          }}
        />
      ) : null}
      <StateView resource={state} onRetry={reload}>
        {(data) => (
          <>
            {data.ongoing.length > 0 ? <OngoingMoves data={data} /> : <PreferredLeadersHint data={data} onElect={() => setElecting(true)} />}
            {data.leftoverThrottle ? <LeftoverThrottleNotice throttle={data.leftoverThrottle} /> : null}
            {data.throttleProblem ? (
              <p className="field-error" role="alert">
                {data.throttleProblem}
              </p>
            ) : null}
            <Planner data={data} />
          </>
        )}
      </StateView>
    </section>
  );
}

function Planner({ data }: { data: ReassignmentState }) {
  const applyReassignment = useAppStore((s) => s.applyReassignment);
  const upBrokers = data.brokers.filter((b) => b.state === 'up').map((b) => b.id);
  const allBrokers = data.brokers.map((b) => b.id);
  const userTopics = data.topics.filter((t) => !t.internal);
  const [topics, setTopics] = useState<string[]>([]);
  const [partitionsText, setPartitionsText] = useState('');
  const [goalKind, setGoalKind] = useState<'spread' | 'drain' | 'manual'>('spread');
  /** Target replica lists typed by hand, by `topic-partition`: they replace the goal's for those partitions. */
  const [overrides, setOverrides] = useState<Record<string, string>>({});
  const [allowRfChange, setAllowRfChange] = useState(false);
  const [targets, setTargets] = useState<number[] | null>(null);
  const [drainBroker, setDrainBroker] = useState<number | null>(null);
  const [throttleKiB, setThrottleKiB] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const [result, setResult] = useState<ReassignmentResult | null>(null);
  const targetBrokers = targets ?? upBrokers;
  const drained = drainBroker ?? allBrokers[0] ?? 0;
  const partitionFilter = parsePartitions(partitionsText);

  const chosen: PlanPartition[] = useMemo(() => {
    const wanted =
      goalKind === 'drain' ? data.topics.filter((t) => topics.length === 0 || topics.includes(t.name)) : data.topics.filter((t) => topics.includes(t.name));
    return wanted.flatMap((t) =>
      t.partitions
        .filter((p) => !partitionFilter || partitionFilter.length === 0 || partitionFilter.includes(p.partition))
        .map((p) => ({ topic: t.name, partition: p.partition, replicas: p.replicas, sizeBytes: p.sizeBytes })),
    );
  }, [data.topics, topics, goalKind, partitionFilter]);

  const cluster: PlanPartition[] = useMemo(
    () => data.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition, replicas: p.replicas, sizeBytes: p.sizeBytes }))),
    [data.topics],
  );
  const goal: PlanGoal =
    goalKind === 'spread'
      ? { kind: 'spread', brokers: targetBrokers }
      : goalKind === 'drain'
        ? { kind: 'drain', broker: drained, brokers: upBrokers }
        : { kind: 'manual', targets: {} };
  // Targets typed by hand, checked: the valid ones go into the plan, the others keep Move disabled.
  const brokerStates = data.brokers.map((b) => ({ id: b.id, up: b.state === 'up' }));
  const edits = new Map<string, { text: string; problem: string | null }>();
  const validOverrides: Record<string, number[]> = {};
  for (const p of chosen) {
    const key = partitionKey(p.topic, p.partition);
    const text = overrides[key];
    if (text === undefined) continue;
    const replicas = parseReplicaList(text);
    const problem = targetProblem(replicas, p.replicas, brokerStates, allowRfChange);
    edits.set(key, { text, problem });
    if (problem === null && replicas) validOverrides[key] = replicas;
  }
  const invalidEdits = [...edits.values()].filter((edit) => edit.problem !== null).length;
  const plan: ReassignmentPlan | null = chosen.length > 0 ? planReassignment(chosen, goal, allBrokers, { cluster, overrides: validOverrides }) : null;
  const editTarget = (key: string, text: string | null) =>
    setOverrides((current) => {
      const next = { ...current };
      if (text === null) delete next[key];
      else next[key] = text;
      return next;
    });
  const throttle = throttleKiB.trim() === '' ? null : Number(throttleKiB) * 1024;
  const throttleProblem = throttle !== null && (!Number.isInteger(throttle) || throttle < 1024) ? 'The throttle is a whole number of KiB/s, at least 1.' : null;
  const partitionsProblem = partitionFilter === null ? 'Partitions: numbers and ranges such as 0,2-4 (empty: all).' : null;

  const apply = async () => {
    if (!plan || plan.moves.length === 0) return;
    setBusy(true);
    setError(null);
    const answer = await applyReassignment({
      moves: plan.moves.map((m) => ({ topic: m.topic, partition: m.partition, replicas: m.to })),
      throttleBytesPerSecond: throttle,
    });
    setBusy(false);
    if (answer.ok) {
      setResult(answer.value);
      // Applied: the targets typed by hand are the assignment now (or its moves under way).
      setOverrides({});
    } else setError(answer.error);
  };

  const toggle = <T,>(list: readonly T[], item: T): T[] => (list.includes(item) ? list.filter((x) => x !== item) : [...list, item]);

  return (
    <div className="card reassign-planner">
      <h2 className="card-title">Plan a move</h2>
      <div className="reassign-form">
        <fieldset>
          <legend>Goal</legend>
          <label>
            <input type="radio" name="goal" checked={goalKind === 'spread'} onChange={() => setGoalKind('spread')} /> Spread evenly across brokers
          </label>
          <label>
            <input type="radio" name="goal" checked={goalKind === 'drain'} onChange={() => setGoalKind('drain')} /> Drain a broker
          </label>
          <label>
            <input type="radio" name="goal" checked={goalKind === 'manual'} onChange={() => setGoalKind('manual')} /> Choose replicas by hand
          </label>
          {goalKind === 'manual' ? (
            <p className="muted small">Type each partition&apos;s target replicas below, the preferred leader first.</p>
          ) : goalKind === 'spread' ? (
            <div className="reassign-brokers" role="group" aria-label="Target brokers">
              {data.brokers.map((b) => (
                <label key={b.id} className={b.state === 'down' ? 'muted' : undefined}>
                  <input type="checkbox" checked={targetBrokers.includes(b.id)} onChange={() => setTargets(toggle(targetBrokers, b.id))} /> Broker {b.id}
                  {b.state === 'down' ? ' (down)' : ''}
                </label>
              ))}
            </div>
          ) : (
            <label className="inline-label">
              Broker to drain
              <select aria-label="Broker to drain" value={drained} onChange={(event) => setDrainBroker(Number(event.target.value))}>
                {allBrokers.map((id) => (
                  <option key={id} value={id}>
                    Broker {id}
                  </option>
                ))}
              </select>
            </label>
          )}
        </fieldset>
        <fieldset>
          <legend>{goalKind === 'drain' ? 'Topics (none chosen: every topic, internal ones too)' : 'Topics'}</legend>
          <div className="reassign-topics">
            {userTopics.length === 0 ? <span className="muted">No topics.</span> : null}
            {userTopics.map((t) => (
              <label key={t.name}>
                <input type="checkbox" checked={topics.includes(t.name)} onChange={() => setTopics(toggle(topics, t.name))} /> {t.name}{' '}
                <span className="muted small">
                  {formatQuantity(t.partitions.length, 'partition')}, {formatBytes(t.partitions.reduce((sum, p) => sum + (p.sizeBytes ?? 0), 0))}
                </span>
              </label>
            ))}
          </div>
          <label className="inline-label">
            Partitions
            <input aria-label="Partitions" placeholder="all" value={partitionsText} onChange={(event) => setPartitionsText(event.target.value)} />
          </label>
          {partitionsProblem ? <p className="field-error">{partitionsProblem}</p> : null}
        </fieldset>
      </div>

      {plan ? (
        <PlanPreview
          plan={plan}
          partitions={chosen}
          byHand={goalKind === 'manual'}
          edits={edits}
          onEdit={editTarget}
          allowRfChange={allowRfChange}
          onAllowRfChange={setAllowRfChange}
        />
      ) : (
        <p className="muted">Choose topics to see the moves.</p>
      )}

      <div className="form-actions reassign-apply">
        <label className="inline-label">
          Throttle (KiB/s)
          <input
            aria-label="Throttle in KiB/s"
            placeholder="none"
            inputMode="numeric"
            value={throttleKiB}
            onChange={(event) => setThrottleKiB(event.target.value)}
          />
        </label>
        <button
          type="button"
          className="button button-primary"
          disabled={busy || !plan || plan.moves.length === 0 || invalidEdits > 0 || Boolean(throttleProblem) || Boolean(partitionsProblem)}
          onClick={() => void apply()}
        >
          {busy ? 'Starting…' : plan && plan.moves.length > 0 ? `Move ${formatQuantity(plan.moves.length, 'partition')}` : 'Nothing to move'}
        </button>
      </div>
      {invalidEdits > 0 ? <p className="field-error">Fix the {formatQuantity(invalidEdits, 'target')} marked above to move.</p> : null}
      {throttleProblem ? <p className="field-error">{throttleProblem}</p> : null}
      {error ? <ErrorMessage error={error} /> : null}
      {result ? (
        <p role="status" className="small">
          {formatQuantity(result.accepted, 'move')} started.
          {result.results
            .filter((r) => r.error)
            .map((r) => ` ${r.topic}-${r.partition}: ${r.message ?? r.error}.`)
            .join('')}
        </p>
      ) : null}
      {data.sizeErrors.length > 0 ? <p className="muted small">Sizes unknown for some replicas: {data.sizeErrors.join('; ')}</p> : null}
    </div>
  );
}

/** At most this many partitions are listed for editing by hand; the plan covers all of them. */
const LISTED_PARTITIONS = 200;

function PlanPreview({
  plan,
  partitions,
  byHand,
  edits,
  onEdit,
  allowRfChange,
  onAllowRfChange,
}: {
  plan: ReassignmentPlan;
  partitions: readonly PlanPartition[];
  /** Every partition listed with its target to type; otherwise the moves, each editable. */
  byHand: boolean;
  edits: ReadonlyMap<string, { text: string; problem: string | null }>;
  onEdit: (key: string, text: string | null) => void;
  allowRfChange: boolean;
  onAllowRfChange: (allow: boolean) => void;
}) {
  const changed = (a: number, b: number) => (a === b ? String(a) : `${a} → ${b}`);
  const changedBytes = (a: number, b: number) => (a === b ? formatBytes(a) : `${formatBytes(a)} → ${formatBytes(b)}`);
  const moves = new Map(plan.moves.map((m) => [partitionKey(m.topic, m.partition), m]));
  // The moves, and partitions being edited (an edit may undo a move: its row stays while typed).
  const rows = partitions.filter((p) => {
    const key = partitionKey(p.topic, p.partition);
    return byHand || moves.has(key) || edits.has(key);
  });
  return (
    <div className="reassign-preview">
      {plan.problems.map((problem) => (
        <p key={problem} className="field-error">
          {problem}
        </p>
      ))}
      <div className="reassign-preview-grid">
        <div>
          <table className="table" aria-label="Planned moves">
            <thead>
              <tr>
                <th>Partition</th>
                <th>Replicas now</th>
                <th>After (leader first)</th>
                <th>Copies</th>
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 ? (
                <tr>
                  <td colSpan={4} className="muted">
                    Already where the goal wants them: nothing moves.
                  </td>
                </tr>
              ) : null}
              {rows.slice(0, LISTED_PARTITIONS).map((p) => {
                const key = partitionKey(p.topic, p.partition);
                const move = moves.get(key);
                const edit = edits.get(key);
                const target = move?.to ?? p.replicas;
                return (
                  <tr key={key} data-move={move ? key : undefined} data-partition-row={key} className={edit?.problem ? 'row-warn' : undefined}>
                    <td>{key}</td>
                    <td>{p.replicas.join(', ')}</td>
                    <td>
                      {edit || byHand ? (
                        <div className="reassign-target">
                          <input
                            aria-label={`Target replicas of ${key}`}
                            aria-invalid={edit?.problem ? true : undefined}
                            value={edit?.text ?? target.join(', ')}
                            onChange={(event) => onEdit(key, event.target.value)}
                          />
                          {edit ? (
                            <button type="button" className="button button-small" onClick={() => onEdit(key, null)}>
                              {byHand ? 'Reset' : 'Undo'}
                            </button>
                          ) : null}
                          {edit?.problem ? <span className="field-error small">{edit.problem}</span> : null}
                        </div>
                      ) : (
                        <div className="reassign-target">
                          <span>{target.join(', ')}</span>
                          <button
                            type="button"
                            className="button button-small"
                            aria-label={`Edit the target of ${key}`}
                            onClick={() => onEdit(key, target.join(', '))}
                          >
                            Edit
                          </button>
                        </div>
                      )}
                    </td>
                    <td>{move ? (move.bytesToCopy === null ? 'unknown' : formatBytes(move.bytesToCopy)) : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {rows.length > LISTED_PARTITIONS ? (
            <p className="muted small">
              The first {LISTED_PARTITIONS} of {formatQuantity(rows.length, 'partition')} are listed: narrow the partitions to edit others.
            </p>
          ) : null}
          <label className="small reassign-rf-change">
            <input type="checkbox" checked={allowRfChange} onChange={(event) => onAllowRfChange(event.target.checked)} /> Change replication factors (a target
            typed by hand may have more or fewer replicas than now)
          </label>
        </div>
        <table className="table" aria-label="Brokers after the moves">
          <caption className="muted small">The whole cluster, before → after</caption>
          <thead>
            <tr>
              <th>Broker</th>
              <th>Replicas</th>
              <th>Preferred leaders</th>
              <th>Data</th>
              <th>Copied in</th>
            </tr>
          </thead>
          <tbody>
            {plan.after.map((after) => {
              const before = plan.before.find((b) => b.broker === after.broker) ?? { replicas: 0, leaders: 0, bytes: 0 };
              return (
                <tr key={after.broker} data-broker-load={after.broker}>
                  <td>Broker {after.broker}</td>
                  <td>{changed(before.replicas, after.replicas)}</td>
                  <td>{changed(before.leaders, after.leaders)}</td>
                  <td>{changedBytes(before.bytes, after.bytes)}</td>
                  <td>{after.incomingBytes > 0 ? formatBytes(after.incomingBytes) : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="small">
        {formatQuantity(plan.moves.length, 'partition')} to move, {formatBytes(plan.bytesToCopy)} to copy.
      </p>
    </div>
  );
}

function OngoingMoves({ data }: { data: ReassignmentState }) {
  const cancelReassignment = useAppStore((s) => s.cancelReassignment);
  const clearThrottle = useAppStore((s) => s.clearReassignmentThrottle);
  const [error, setError] = useState<IpcError | null>(null);
  const cancel = async (moves: readonly OngoingReassignment[]) => {
    setError(null);
    const answer = await cancelReassignment(moves.map((m) => ({ topic: m.topic, partition: m.partition })));
    if (!answer.ok) setError(answer.error);
  };
  return (
    <div className="card reassign-ongoing" data-testid="ongoing-moves">
      <div className="card-head">
        <h2 className="card-title">Moving now: {formatQuantity(data.ongoing.length, 'partition')}</h2>
        <span className="muted small">
          {data.throttleBytesPerSecond !== null ? `throttled to ${formatBytes(data.throttleBytesPerSecond)}/s` : 'not throttled'}
        </span>
        {data.throttleBytesPerSecond !== null ? (
          <button
            type="button"
            className="button"
            onClick={() =>
              void clearThrottle().then((answer) => {
                if (!answer.ok) setError(answer.error);
              })
            }
          >
            Remove throttle
          </button>
        ) : null}
        <button type="button" className="button" onClick={() => void cancel(data.ongoing)}>
          Cancel all
        </button>
      </div>
      <table className="table" aria-label="Moves under way">
        <thead>
          <tr>
            <th>Partition</th>
            <th>Target</th>
            <th>New replicas: caught up</th>
            <th>Leaving</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {data.ongoing.map((m) => (
            <tr key={`${m.topic}-${m.partition}`} data-ongoing={`${m.topic}-${m.partition}`}>
              <td>
                {m.topic}-{m.partition}
              </td>
              <td>{m.replicas.filter((id) => !m.removing.includes(id)).join(', ')}</td>
              <td>
                {m.progress.map((p) => (
                  <div key={p.broker} className="reassign-progress">
                    <span>Broker {p.broker}</span>
                    <progress max={Math.max(1, m.sizeBytes ?? 1)} value={Math.min(p.bytes ?? 0, m.sizeBytes ?? 0)} />
                    <span className="small">
                      {formatBytes(p.bytes)} of {formatBytes(m.sizeBytes)} · {p.inIsr ? 'in sync' : 'not in sync yet'}
                    </span>
                  </div>
                ))}
              </td>
              <td>{m.removing.join(', ') || '—'}</td>
              <td>
                <button type="button" className="button button-small" onClick={() => void cancel([m])}>
                  Cancel
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        New replicas copy the partition and join the in-sync replicas, then the leaving ones are removed. Afterwards, Elect preferred leaders gives leadership
        to each partition's first replica.
      </p>
      {error ? <ErrorMessage error={error} /> : null}
    </div>
  );
}

/**
 * Throttles set on the cluster while nothing moves: the app lifts its own once its moves are done (after a
 * restart too); these are left by another tool, or by moves the app could not see end. They would slow any
 * replica catching up later (after a broker restart), so they are offered for removal, as
 * kafka-reassign-partitions --verify removes them.
 */
function LeftoverThrottleNotice({ throttle }: { throttle: LeftoverThrottle }) {
  const clearThrottle = useAppStore((s) => s.clearReassignmentThrottle);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const rate = (bytes: number | null) => (bytes === null ? null : `${formatBytes(bytes)}/s`);
  const brokers = throttle.brokers.map((b) =>
    [
      `broker ${b.broker}`,
      [rate(b.leaderBytesPerSecond) && `leader ${rate(b.leaderBytesPerSecond)}`, rate(b.followerBytesPerSecond) && `follower ${rate(b.followerBytesPerSecond)}`]
        .filter(Boolean)
        .join(', '),
    ].join(': '),
  );
  const topics = throttle.topics.map(
    (t) =>
      `${t.topic} (${[t.leaderReplicas && `leader ${t.leaderReplicas}`, t.followerReplicas && `follower ${t.followerReplicas}`].filter(Boolean).join('; ')})`,
  );
  return (
    <div className="card reassign-leftover" data-testid="leftover-throttle" role="region" aria-label="Throttles left over">
      <div className="card-head">
        <h2 className="card-title">Replication throttles left, with nothing moving</h2>
        <button
          type="button"
          className="button"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            setError(null);
            void clearThrottle().then((answer) => {
              setBusy(false);
              if (!answer.ok) setError(answer.error);
            });
          }}
        >
          {busy ? 'Removing…' : 'Remove throttles'}
        </button>
      </div>
      <p className="small">
        {brokers.length > 0 ? <>Rates on {brokers.join('; ')}. </> : null}
        {topics.length > 0 ? <>Throttled replicas of {topics.join('; ')}. </> : null}
      </p>
      <p className="muted small">
        A reassignment&apos;s throttle is removed once it completes (kafka-reassign-partitions --verify does it; the app does it for its own moves). These slow
        any replica that falls behind and catches up later.
      </p>
      {error ? <ErrorMessage error={error} /> : null}
    </div>
  );
}

/**
 * Once the moves are done, partitions whose leader is not their preferred (first) replica: a move keeps
 * the leader where it can, so the planned preferred leaders take over only with an election.
 */
function PreferredLeadersHint({ data, onElect }: { data: ReassignmentState; onElect: () => void }) {
  const notPreferred = data.topics.flatMap((t) => t.partitions).filter((p) => p.leader >= 0 && p.replicas.length > 0 && p.leader !== p.replicas[0]).length;
  if (notPreferred === 0) return null;
  return (
    <div className="card reassign-leaders" data-testid="not-preferred-leaders">
      <p role="status" className="small">
        {formatQuantity(notPreferred, 'partition')} {notPreferred === 1 ? 'is' : 'are'} not led by {notPreferred === 1 ? 'its' : 'their'} preferred replica (the
        first of {notPreferred === 1 ? 'its' : 'their'} replicas).
      </p>
      <button type="button" className="button" onClick={onElect}>
        Elect preferred leaders…
      </button>
    </div>
  );
}
