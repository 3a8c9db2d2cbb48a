import type { BadgeTone } from './Badge';

export function StatCard({ label, value, tone = 'neutral' }: { label: string; value: string; tone?: BadgeTone }) {
  return (
    <div className={`stat stat-${tone}`}>
      <div className="stat-value">{value}</div>
      <div className="stat-label">{label}</div>
    </div>
  );
}
