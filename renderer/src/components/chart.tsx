// The one container for recharts: sizes the chart to its box and hands it the colour set for the
// current theme, so every chart in the app uses the same palette.
import type { ReactElement } from 'react';
import { ResponsiveContainer } from 'recharts';
import { useColorScheme } from '../app/use-color-scheme';

export interface ChartColors {
  series: readonly string[];
  grid: string;
  axis: string;
  tooltipBackground: string;
  tooltipText: string;
}

export const chartColors: Record<'light' | 'dark', ChartColors> = {
  light: {
    series: ['#2563eb', '#0d9488', '#d97706', '#7c3aed', '#db2777'],
    grid: '#e5e7eb',
    axis: '#6b7280',
    tooltipBackground: '#ffffff',
    tooltipText: '#111827',
  },
  dark: {
    series: ['#60a5fa', '#2dd4bf', '#fbbf24', '#a78bfa', '#f472b6'],
    grid: '#2e3440',
    axis: '#9ca3af',
    tooltipBackground: '#1f2430',
    tooltipText: '#e5e7eb',
  },
};

export function ChartContainer({ title, height = 220, children }: { title: string; height?: number; children: (colors: ChartColors) => ReactElement }) {
  const scheme = useColorScheme();
  return (
    <figure className="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <div style={{ height }}>
        <ResponsiveContainer width="100%" height="100%" minWidth={0} initialDimension={{ width: 640, height }}>
          {children(chartColors[scheme])}
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
