// A tiny lag trend for a row of the groups table: an SVG line, not a recharts chart, so thousands of
// rows scroll smoothly. Colours come from the chart colour config like every chart of the app.
import { chartColors } from '../../components/chart';
import { useColorScheme } from '../../app/use-color-scheme';

export function Sparkline({ values, width = 96, height = 22, label }: { values: readonly (number | null)[]; width?: number; height?: number; label: string }) {
  const colors = chartColors[useColorScheme()];
  const known = values.map((value, index) => ({ value, index })).filter((point): point is { value: number; index: number } => point.value !== null);
  if (known.length < 2) {
    return (
      <span className="sparkline-empty muted" aria-label={`${label}: not enough samples yet`}>
        {known.length ? '·' : ''}
      </span>
    );
  }
  // Scaled between the smallest and largest lag of the range, so a trend shows even on a large lag.
  const min = Math.min(...known.map((point) => point.value));
  const max = Math.max(...known.map((point) => point.value));
  const step = width / Math.max(1, values.length - 1);
  // A steady lag is a line through the middle; zero lag runs along the bottom.
  const y = (value: number) => (max === min ? (max === 0 ? height - 3 : height / 2) : height - 3 - ((value - min) / (max - min)) * (height - 6)).toFixed(1);
  const points = known.map((point) => `${(point.index * step).toFixed(1)},${y(point.value)}`).join(' ');
  const last = known[known.length - 1] as { value: number };
  const first = known[0] as { value: number };
  const trend = last.value > first.value ? 'rising' : last.value < first.value ? 'falling' : 'flat';
  return (
    <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${label}: lag ${trend}`}>
      <polyline points={points} fill="none" stroke={colors.series[0]} strokeWidth={1.5} strokeLinejoin="round" strokeLinecap="round" />
    </svg>
  );
}
