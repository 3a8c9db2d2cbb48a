// On a topic's page: the lag of every group that reads it, over time and now. The groups are sampled
// while this is on screen (the main process registers them when asked for this chart).
import { useEffect } from 'react';
import { ErrorMessage, Loading } from '../../components/StateView';
import { formatCount } from '../../components/format';
import { useAppStore } from '../../store/hooks';
import { formatCatchUp, formatRate } from './format';
import { RangePicker, TopicLagChart } from './LagCharts';
import './groups.css';

const POLL_MS = 10_000;

export function TopicGroupsLag({ topic, compact = false, title }: { topic: string; compact?: boolean; title?: string }) {
  const topicLag = useAppStore((state) => state.topicLag);
  const rangeMs = useAppStore((state) => state.lagRangeMs);
  const loadTopicLag = useAppStore((state) => state.loadTopicLag);
  const setLagRange = useAppStore((state) => state.setLagRange);
  const openGroup = useAppStore((state) => state.openGroup);
  useEffect(() => {
    void loadTopicLag(topic);
    // New samples reload the chart (lag.sampled); this also finds groups that start reading the topic.
    const timer = setInterval(() => void loadTopicLag(topic), POLL_MS);
    return () => clearInterval(timer);
  }, [topic, rangeMs, loadTopicLag]);

  const data = topicLag.data?.topic === topic ? topicLag.data : null;
  return (
    <div className={compact ? 'topic-lag compact' : 'topic-lag'}>
      <div className="card-head">
        <h2 className="card-title">{title ?? 'Consumer groups reading this topic'}</h2>
        <RangePicker value={rangeMs} onChange={setLagRange} />
      </div>
      {topicLag.status === 'error' ? <ErrorMessage error={topicLag.error} onRetry={() => void loadTopicLag(topic)} /> : null}
      {!data ? (
        topicLag.status !== 'error' ? <Loading label="Loading the groups' lag…" /> : null
      ) : !data.groups.length ? (
        <p className="muted chart-empty">No consumer group has committed offsets on this topic yet.</p>
      ) : (
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
                      {summary?.lag === null || summary?.lag === undefined ? <span className="muted">no committed offset</span> : formatCount(summary.lag)}
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
    </div>
  );
}
