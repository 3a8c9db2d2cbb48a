import { useEffect } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { ClusterOverview } from '../../../../shared/model/schemas';
import { ChartContainer } from '../../components/chart';
import { StatCard } from '../../components/StatCard';
import { ErrorMessage, Loading } from '../../components/StateView';
import { formatCount } from '../../components/format';
import { useAppStore } from '../../store/hooks';
import { selectActiveAvailable } from '../../store/slices/connections';
import { ScreenHeader } from '../../components/ScreenHeader';

export function OverviewScreen() {
  const overview = useAppStore((state) => state.overview);
  const loadOverview = useAppStore((state) => state.loadOverview);
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const available = useAppStore(selectActiveAvailable);
  useEffect(() => {
    void loadOverview();
  }, [loadOverview, connectionId, available]);

  return (
    <section className="screen">
      <ScreenHeader title="Cluster overview" onRefresh={() => void loadOverview()} refreshing={overview.status === 'loading'} />
      {overview.status === 'error' ? <ErrorMessage error={overview.error} onRetry={() => void loadOverview()} /> : null}
      {overview.data ? <OverviewView overview={overview.data} /> : overview.status !== 'error' ? <Loading /> : null}
    </section>
  );
}

export function OverviewView({ overview }: { overview: ClusterOverview }) {
  const controller = overview.brokers.find((broker) => broker.isController);
  const up = overview.brokers.filter((broker) => broker.state === 'up').length;
  return (
    <>
      <p className="subtitle">
        Cluster <code>{overview.clusterId}</code> · controller{' '}
        {controller ? `broker ${controller.id} (${controller.host}:${controller.port})` : `id ${overview.controllerId}`}
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
      </div>
      {overview.brokers.length ? (
        <ChartContainer title="Leaders and replicas per broker">
          {(colors) => (
            <BarChart data={overview.brokers.map((broker) => ({ broker: `Broker ${broker.id}`, leaders: broker.leaderPartitions, replicas: broker.replicas }))}>
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
