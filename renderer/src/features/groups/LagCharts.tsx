// Lag charts, all in the app's one chart container (components/chart.tsx) with its colour config:
// a group's lag over time stacked by topic or partition, its produce and consume rates, and the lag of
// every group reading a topic. Presentational: they draw the series they are given.
import { Area, AreaChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { LagSeries, TopicGroupsLag } from '../../../../shared/model/groups';
import { ChartContainer, type ChartColors } from '../../components/chart';
import { formatCount } from '../../components/format';
import { formatClock, formatRate, RANGE_CHOICES, timeTicks } from './format';

// Recharts reads dotted dataKeys as paths, and topic names have dots: series go by index.
const seriesKey = (index: number) => `s${index}`;

/** The x domain: the chosen range, narrowed to where samples exist so a young history fills the width. */
function domainOf(from: number, to: number, times: readonly number[]): [number, number] {
  const first = times.length ? Math.min(...times) : from;
  const start = Math.max(from, Math.min(first, to - 60_000));
  return [start, to];
}

function timeAxis(colors: ChartColors, domain: [number, number]) {
  const [from, to] = domain;
  const withSeconds = to - from <= 60 * 60_000;
  return (
    <XAxis
      dataKey="t"
      type="number"
      scale="time"
      domain={[from, to]}
      stroke={colors.axis}
      tickLine={false}
      // Our own evenly spaced, round ticks, every one drawn (Recharts' own skip some and space them unevenly).
      ticks={timeTicks(from, to)}
      interval={0}
      tickFormatter={(t: number) => formatClock(t, withSeconds)}
    />
  );
}

function tooltipStyle(colors: ChartColors) {
  return { background: colors.tooltipBackground, color: colors.tooltipText, border: `1px solid ${colors.grid}`, borderRadius: 6, fontSize: 12.5 };
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

export function RangePicker({ value, onChange, label = 'Time range' }: { value: number; onChange: (ms: number) => void; label?: string }) {
  return (
    <div className="segmented" role="group" aria-label={label}>
      {RANGE_CHOICES.map((choice) => (
        <button key={choice.ms} type="button" aria-pressed={value === choice.ms} onClick={() => onChange(choice.ms)}>
          {choice.label}
        </button>
      ))}
    </div>
  );
}

export function StackPicker({ value, onChange }: { value: 'topic' | 'partition'; onChange: (stack: 'topic' | 'partition') => void }) {
  return (
    <div className="segmented" role="group" aria-label="Stack the lag by">
      <button type="button" aria-pressed={value === 'topic'} onClick={() => onChange('topic')}>
        By topic
      </button>
      <button type="button" aria-pressed={value === 'partition'} onClick={() => onChange('partition')}>
        By partition
      </button>
    </div>
  );
}

/** A group's lag over time, one stacked area per topic or partition. */
export function LagChart({ series, height = 240 }: { series: LagSeries; height?: number }) {
  const data = series.points.map((point) => {
    const row: Record<string, number | null> = { t: point.t, total: point.total };
    point.values.forEach((value, index) => (row[seriesKey(index)] = value));
    return row;
  });
  return (
    <ChartContainer title="Lag over time" height={height}>
      {(colors) => (
        <AreaChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke={colors.grid} vertical={false} />
          {timeAxis(
            colors,
            domainOf(
              series.from,
              series.to,
              series.points.map((point) => point.t),
            ),
          )}
          <YAxis stroke={colors.axis} tickLine={false} width={52} allowDecimals={false} tickFormatter={(value: number) => compact.format(value)} />
          <Tooltip
            contentStyle={tooltipStyle(colors)}
            labelFormatter={(t) => formatClock(Number(t), true)}
            formatter={(value, name) => [value === null || value === undefined ? 'no committed offset' : formatCount(Number(value)), name]}
          />
          {series.keys.length > 1 && series.keys.length <= 12 ? <Legend iconType="square" wrapperStyle={{ fontSize: 12.5 }} /> : null}
          {series.keys.map((key, index) => {
            const color = colors.series[index % colors.series.length] as string;
            return (
              <Area
                key={key}
                // Straight lines between samples: a curve would bend before a change that happened at once.
                type="linear"
                dataKey={seriesKey(index)}
                name={key}
                stackId="lag"
                stroke={color}
                fill={color}
                fillOpacity={0.28}
                strokeWidth={1.5}
                isAnimationActive={false}
                connectNulls={false}
              />
            );
          })}
        </AreaChart>
      )}
    </ChartContainer>
  );
}

/** Records per second produced to and consumed from the group's partitions. */
export function RatesChart({ series, height = 200 }: { series: LagSeries; height?: number }) {
  const data = series.points.map((point) => ({ t: point.t, produce: point.produceRate, consume: point.consumeRate }));
  return (
    <ChartContainer title="Produce and consume rates" height={height}>
      {(colors) => (
        <LineChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke={colors.grid} vertical={false} />
          {timeAxis(
            colors,
            domainOf(
              series.from,
              series.to,
              series.points.map((point) => point.t),
            ),
          )}
          <YAxis stroke={colors.axis} tickLine={false} width={52} tickFormatter={(value: number) => compact.format(value)} />
          <Tooltip
            contentStyle={tooltipStyle(colors)}
            labelFormatter={(t) => formatClock(Number(t), true)}
            formatter={(value, name) => [formatRate(value === null || value === undefined ? null : Number(value)), name]}
          />
          <Legend iconType="plainline" wrapperStyle={{ fontSize: 12.5 }} />
          {/* A rate holds over the interval before its sample: steps, so a consumer that stops at once drops at once. */}
          <Line type="stepBefore" dataKey="produce" name="Produced" stroke={colors.series[2]} strokeWidth={2} dot={false} isAnimationActive={false} />
          <Line
            type="stepBefore"
            dataKey="consume"
            name="Consumed"
            stroke={colors.series[1]}
            strokeWidth={2}
            dot={false}
            isAnimationActive={false}
            className="consume-rate"
          />
        </LineChart>
      )}
    </ChartContainer>
  );
}

/** The lag on one topic of every group that reads it, one line per group. */
export function TopicLagChart({
  data,
  height = 240,
  title = 'Lag of each group reading this topic',
}: {
  data: TopicGroupsLag;
  height?: number;
  title?: string;
}) {
  const rows = data.points.map((point) => {
    const row: Record<string, number | null> = { t: point.t };
    point.values.forEach((value, index) => (row[seriesKey(index)] = value));
    return row;
  });
  return (
    <ChartContainer title={title} height={height}>
      {(colors) => (
        <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke={colors.grid} vertical={false} />
          {timeAxis(
            colors,
            domainOf(
              data.from,
              data.to,
              data.points.map((point) => point.t),
            ),
          )}
          <YAxis stroke={colors.axis} tickLine={false} width={52} allowDecimals={false} tickFormatter={(value: number) => compact.format(value)} />
          <Tooltip
            contentStyle={tooltipStyle(colors)}
            labelFormatter={(t) => formatClock(Number(t), true)}
            formatter={(value, name) => [value === null || value === undefined ? 'no committed offset' : formatCount(Number(value)), name]}
          />
          {/* A legend of more groups than colours says nothing (the table below names them): none then. */}
          {data.groups.length <= 12 ? <Legend iconType="plainline" wrapperStyle={{ fontSize: 12.5 }} /> : null}
          {data.groups.map((group, index) => (
            <Line
              key={group}
              type="linear"
              dataKey={seriesKey(index)}
              name={group}
              stroke={colors.series[index % colors.series.length]}
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
              connectNulls
            />
          ))}
        </LineChart>
      )}
    </ChartContainer>
  );
}
