// On a topic's page: the lag of every group that reads it, over time and now. The groups are sampled
// while this is on screen (the main process registers them when asked for this chart).
import { useEffect } from 'react';
import { StateView } from '../../components/StateView';
import { formatCount } from '../../components/format';
import { useAppStore, useResource } from '../../store/hooks';
import { topicLagQuery } from './groups-slice';
import { formatCatchUp, formatRate } from './format';
import { RangePicker, TopicLagChart } from './LagCharts';
import './groups.css';

const POLL_MS = 10_000;

export function TopicGroupsLag({ topic, compact = false, title }: { topic: string; compact?: boolean; title?: string }) {
  const connectionId = useAppStore((state) => state.activeConnectionId);
  const rangeMs = useAppStore((state) => state.lagRangeMs);
  const [topicLag, reload] = useResource(topicLagQuery(connectionId, topic, rangeMs));
  const setLagRange = useAppStore((state) => state.setLagRange);
  const openGroup = useAppStore((state) => state.openGroup);
  useEffect(() => {
    // New samples reload the chart (lag.sampled invalidates it); this also finds groups that start
    // reading the topic.
    const timer = setInterval(reload, POLL_MS);
    return () => clearInterval(timer);
  }, [topic, rangeMs, reload]);

  return (
    <div className={compact ? 'topic-lag compact' : 'topic-lag'}>
      <div className="card-head">
        <h2 className="card-title">{title ?? 'Consumer groups reading this topic'}</h2>
        <RangePicker value={rangeMs} onChange={setLagRange} />
      </div>
      <StateView
        resource={topicLag}
        onRetry={reload}
        loadingLabel="Loading the groups' lag…"
        isEmpty={(data) => !data.groups.length}
        empty={<p className="muted chart-empty">No consumer group reads this topic yet.</p>}
      >
        {(data) => (
          <>
            <TopicLagChart data={data} height={compact ? 200 : 240} title={`Lag on ${topic}`} />
            <table className="table compact" aria-label={`Groups reading ${topic}`}>
              <thead>
                <tr>
                  <th>Group</th>
                  <th className="numeric">Lag</th>
                  <th className="numeric">Consumed</th>
                  <th className="numeric">Produced</th>
                  <th className="numeric">Time to catch up</th>
                </tr>
              </thead>
              <tbody>
                {data.groups.map((group, index) => {
                  const summary = data.summaries[index];
                  return (
                    <tr key={group} data-group={group}>
                      <td>
                        <button type="button" className="link-button" onClick={() => openGroup(group)}>
                          {group}
                        </button>
                      </td>
                      <td className="numeric" data-column="lag">
                        {summary?.lag === null || summary?.lag === undefined ? (
                          <span className="muted" title="The group's members are assigned this topic but have committed no offset on it yet">
                            no commit yet
                          </span>
                        ) : (
                          formatCount(summary.lag)
                        )}
                      </td>
                      <td className="numeric">{formatRate(summary?.consumeRate)}</td>
                      <td className="numeric">{formatRate(summary?.produceRate)}</td>
                      <td className="numeric">{formatCatchUp(summary)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </>
        )}
      </StateView>
    </div>
  );
}
