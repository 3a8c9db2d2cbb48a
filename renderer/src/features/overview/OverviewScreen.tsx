import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { ClusterOverview } from '../../../../shared/model/schemas';
import { useLiveView } from '../../app/use-live-view';
import { ChartContainer } from '../../components/chart';
import { Stale } from '../../components/Stale';
import { StatCard } from '../../components/StatCard';
import { StateView } from '../../components/StateView';
import { formatCount } from '../../components/format';
import { useAppStore, useResource } from '../../store/hooks';
import { overviewQuery } from '../brokers/cluster-slice';
import { selectActiveAvailable } from '../connections/connections-slice';
import { ScreenHeader } from '../../components/ScreenHeader';
import { brokerMap, brokerState, capitalize, explainPartition } from '../brokers/explain';
import { ProblemList, type ProblemItem } from '../brokers/ProblemList';
import { FeaturesPanel } from './FeaturesPanel';

export function OverviewScreen() {
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const available = useAppStore(selectActiveAvailable);
  const [overview, reload] = useResource(overviewQuery(connectionId), available);
  useLiveView(reload, overviewHealth(overview));

  return (
    <section className="screen">
      <ScreenHeader title="Cluster overview" onRefresh={reload} refreshing={overview.status === 'loading'} />
      <StateView resource={overview} onRetry={reload}>
        {(data, stale) => (
          <Stale stale={stale} readAt={data.readAt}>
            <OverviewView overview={data} />
          </Stale>
        )}
      </StateView>
      {overview.data ? <FeaturesPanel connectionId={connectionId} available={available} /> : null}
    </section>
  );
}

/** What useLiveView needs from the overview resource: Overview and Brokers both show it. */
export function overviewHealth(overview: { status: string; data: ClusterOverview | null }) {
  const data = overview.data;
  const down = data?.brokers.filter((broker) => broker.state === 'down').length ?? 0;
  return {
    failing: overview.status === 'error',
    unhealthy: Boolean(data && (down || data.offlinePartitions || data.underReplicatedPartitions)),
    busy: overview.status === 'loading',
    signature: data ? `${down}/${data.offlinePartitions}/${data.underReplicatedPartitions}` : '',
  };
}

/** Down brokers first, then offline partitions, then under-replicated ones, each in a sentence. */
export function overviewProblems(overview: ClusterOverview): ProblemItem[] {
  const lookup = brokerMap(overview.brokers);
  const items: ProblemItem[] = [];
  for (const broker of overview.brokers) {
    if (broker.state !== 'down') continue;
    const where = broker.host ? ` (${broker.host}:${broker.port})` : '';
    const holds = broker.replicas
      ? ` It holds ${formatCount(broker.replicas)} replica${broker.replicas === 1 ? '' : 's'}` +
        (broker.offlinePartitions
          ? `; ${formatCount(broker.offlinePartitions)} of its partitions ${broker.offlinePartitions === 1 ? 'is' : 'are'} offline.`
          : '.')
      : ' It holds no replicas of user topics.';
    items.push({ key: `broker-${broker.id}`, tone: 'bad', label: 'broker down', text: `Broker ${broker.id}${where} is ${brokerState(broker)}.${holds}` });
  }
  for (const broker of overview.brokers) {
    if (broker.state !== 'up' || !broker.failedReplicas) continue;
    items.push({
      key: `storage-${broker.id}`,
      tone: 'bad',
      label: 'storage failure',
      text: `Broker ${broker.id} is up, but ${formatCount(broker.failedReplicas)} of its replicas cannot be opened or written (a storage failure: a full or failed disk); they are offline there.`,
    });
  }
  for (const problem of overview.problems) {
    const text = explainPartition(problem, lookup, `partition ${problem.partition} of ${problem.topic}`);
    if (!text) continue;
    items.push({
      key: `${problem.kind}-${problem.topic}-${problem.partition}`,
      tone: problem.kind === 'offline' ? 'bad' : 'warn',
      label: problem.kind,
      text: capitalize(text),
    });
  }
  for (const { topic, error } of overview.topicErrors) {
    items.push({ key: `topic-${topic}`, tone: 'warn', label: 'topic error', text: `The cluster could not describe topic ${topic}: ${error}.` });
  }
  return items;
}

export function OverviewView({ overview }: { overview: ClusterOverview }) {
  const controller = overview.brokers.find((broker) => broker.isController);
  const up = overview.brokers.filter((broker) => broker.state === 'up').length;
  const problems = overviewProblems(overview);
  const navigate = useAppStore((state) => state.navigate);
  const listedTotal =
    overview.brokers.filter((broker) => broker.state === 'down').length +
    overview.offlinePartitions +
    overview.underReplicatedPartitions +
    overview.topicErrors.length;
  return (
    <>
      <p className="subtitle">
        Cluster <code>{overview.clusterId}</code> · controller{' '}
        {controller ? `broker ${controller.id} (${controller.host}:${controller.port})` : `id ${overview.controllerId}`}
        {overview.kafkaRelease ? (
          <>
            {' · '}
            <span
              data-testid="kafka-release"
              title={
                overview.kafkaRelease.exact
                  ? 'The API versions the brokers advertise are those of this release.'
                  : 'The API versions the brokers advertise match no single release; they are at least as new as this one.'
              }
            >
              {overview.kafkaRelease.text}
            </span>
          </>
        ) : null}
      </p>
      <div className="stats">
        <StatCard
          label={up === overview.brokers.length ? 'Brokers' : 'Brokers up'}
          value={up === overview.brokers.length ? formatCount(up) : `${formatCount(up)} of ${formatCount(overview.brokers.length)}`}
          tone={up === overview.brokers.length ? 'neutral' : 'bad'}
        />
        <StatCard label="Topics" value={formatCount(overview.topicCount)} />
        <StatCard label="Partitions" value={formatCount(overview.partitionCount)} />
        <StatCard label="Replicas" value={formatCount(overview.replicaCount)} />
        <StatCard
          label="Under-replicated partitions"
          value={formatCount(overview.underReplicatedPartitions)}
          tone={overview.underReplicatedPartitions ? 'warn' : 'good'}
        />
        <StatCard label="Offline partitions" value={formatCount(overview.offlinePartitions)} tone={overview.offlinePartitions ? 'bad' : 'good'} />
        <StatCard
          label="Not on preferred leader"
          value={formatCount(overview.preferredLeaderImbalance)}
          tone={overview.preferredLeaderImbalance ? 'warn' : 'neutral'}
        />
      </div>
      {problems.length ? (
        <div className={overview.offlinePartitions || up < overview.brokers.length ? 'card problems' : 'card problems problems-warn'} aria-label="Problems">
          <div className="card-head">
            <h2 className="card-title">What is wrong</h2>
            <button type="button" className="button button-small" onClick={() => navigate('brokers')}>
              Brokers
            </button>
          </div>
          <ProblemList items={problems} total={listedTotal} />
        </div>
      ) : null}
      {overview.brokers.length ? (
        <ChartContainer title="Leaders and replicas per broker">
          {(colors) => (
            <BarChart
              data={overview.brokers.map((broker) => ({
                broker: `Broker ${broker.id}${broker.state === 'down' ? ' (down)' : ''}`,
                leaders: broker.leaderPartitions,
                replicas: broker.replicas,
              }))}
            >
              <CartesianGrid stroke={colors.grid} vertical={false} />
              <XAxis dataKey="broker" stroke={colors.axis} tickLine={false} />
              <YAxis stroke={colors.axis} allowDecimals={false} tickLine={false} width={40} />
              <Tooltip
                contentStyle={{ background: colors.tooltipBackground, color: colors.tooltipText, border: `1px solid ${colors.grid}` }}
                cursor={{ fill: colors.grid, opacity: 0.4 }}
              />
              <Legend />
              <Bar dataKey="leaders" name="Leader partitions" fill={colors.series[0]} radius={[3, 3, 0, 0]} isAnimationActive={false} />
              <Bar dataKey="replicas" name="Replicas" fill={colors.series[1]} radius={[3, 3, 0, 0]} isAnimationActive={false} />
            </BarChart>
          )}
        </ChartContainer>
      ) : null}
    </>
  );
}
