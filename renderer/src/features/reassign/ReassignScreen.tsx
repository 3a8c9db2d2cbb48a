// The reassignment planner (issue #19): pick topics (and partitions), then spread them evenly over
// chosen brokers or drain a broker; preview the moves with the bytes they copy and what each broker
// holds afterwards; apply with an optional throttle; watch each new replica catch up and join the ISR;
// cancel; elect preferred leaders once done. Plans are made here (shared/model/reassignment-plan.ts),
// applied by the main process (AlterPartitionReassignments, KIP-455).
import { useEffect, useMemo, useState } from 'react';
import type { IpcError } from '../../../../shared/ipc/contract';
import { planReassignment, type PlanGoal, type PlanPartition, type ReassignmentPlan } from '../../../../shared/model/reassignment-plan';
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
      {electing ? <ElectionDialog target={{ scope: 'cluster' }} onClose={() => setElecting(false)} /> : null}
      <StateView resource={state} onRetry={reload}>
        {(data) => (
          <>
            {data.ongoing.length > 0 ? <OngoingMoves data={data} /> : null}
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
  const [goalKind, setGoalKind] = useState<'spread' | 'drain'>('spread');
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

  const goal: PlanGoal = goalKind === 'spread' ? { kind: 'spread', brokers: targetBrokers } : { kind: 'drain', broker: drained, brokers: upBrokers };
  const plan: ReassignmentPlan | null = chosen.length > 0 ? planReassignment(chosen, goal, allBrokers) : null;
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
    if (answer.ok) setResult(answer.value);
    else setError(answer.error);
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
          {goalKind === 'spread' ? (
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

      {plan ? <PlanPreview plan={plan} /> : <p className="muted">Choose topics to see the moves.</p>}

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
          disabled={busy || !plan || plan.moves.length === 0 || Boolean(throttleProblem) || Boolean(partitionsProblem)}
          onClick={() => void apply()}
        >
          {busy ? 'Starting…' : plan && plan.moves.length > 0 ? `Move ${formatQuantity(plan.moves.length, 'partition')}` : 'Nothing to move'}
        </button>
      </div>
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

function PlanPreview({ plan }: { plan: ReassignmentPlan }) {
  const changed = (a: number, b: number) => (a === b ? String(a) : `${a} → ${b}`);
  return (
    <div className="reassign-preview">
      {plan.problems.map((problem) => (
        <p key={problem} className="field-error">
          {problem}
        </p>
      ))}
      <div className="reassign-preview-grid">
        <table className="table" aria-label="Planned moves">
          <thead>
            <tr>
              <th>Partition</th>
              <th>Replicas now</th>
              <th>After</th>
              <th>Copies</th>
            </tr>
          </thead>
          <tbody>
            {plan.moves.length === 0 ? (
              <tr>
                <td colSpan={4} className="muted">
                  Already where the goal wants them: nothing moves.
                </td>
              </tr>
            ) : null}
            {plan.moves.map((m) => (
              <tr key={`${m.topic}-${m.partition}`} data-move={`${m.topic}-${m.partition}`}>
                <td>
                  {m.topic}-{m.partition}
                </td>
                <td>{m.from.join(', ')}</td>
                <td>{m.to.join(', ')}</td>
                <td>{m.bytesToCopy === null ? 'unknown' : formatBytes(m.bytesToCopy)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table className="table" aria-label="Brokers after the moves">
          <thead>
            <tr>
              <th>Broker</th>
              <th>Replicas</th>
              <th>Preferred leaders</th>
            </tr>
          </thead>
          <tbody>
            {plan.after.map((after) => {
              const before = plan.before.find((b) => b.broker === after.broker) ?? { replicas: 0, leaders: 0 };
              return (
                <tr key={after.broker} data-broker-load={after.broker}>
                  <td>Broker {after.broker}</td>
                  <td>{changed(before.replicas, after.replicas)}</td>
                  <td>{changed(before.leaders, after.leaders)}</td>
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
