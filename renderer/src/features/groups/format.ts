// Formatting of the groups screens: lag, rates, durations and chart time ticks.
import type { GroupType, TopicPartitions } from '../../../../shared/model/groups';
import { formatCount } from '../../components/format';

const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return '—';
  return `${rate >= 100 ? formatCount(Math.round(rate)) : oneDecimal.format(rate)}/s`;
}

/** "45 s", "3 min 20 s", "2 h 5 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/**
 * Time to catch up in words: "caught up" without lag, "keeping up" while the group consumes as fast as
 * records come and its lag is only what arrives between commits, a duration while the lag shrinks,
 * "growing" while it does not, "—" while the rates are unknown (fewer than two samples).
 */
export function formatCatchUp(
  summary:
    | { catchUpMs: number | null; lag: number | null; consumeRate: number | null; produceRate: number | null; keepingUp?: boolean | undefined }
    | null
    | undefined,
): string {
  if (!summary || summary.lag === null) return '—';
  if (summary.lag === 0 || summary.catchUpMs === 0) return 'caught up';
  if (summary.keepingUp) return 'keeping up';
  if (summary.catchUpMs !== null) return formatDuration(summary.catchUpMs);
  return summary.consumeRate === null || summary.produceRate === null ? '—' : 'growing';
}

const TICK_STEPS_MS = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200].map((seconds) => seconds * 1000);

/**
 * Evenly spaced time ticks over [from, to]: the smallest round step (5 s … 12 h) that gives at most
 * `maxTicks`, at multiples of the step on the local clock (10:05, 10:10, … ; 06:00, 12:00, …).
 */
export function timeTicks(from: number, to: number, maxTicks = 6): number[] {
  if (!(to > from)) return [];
  const step = TICK_STEPS_MS.find((candidate) => (to - from) / candidate <= maxTicks) ?? TICK_STEPS_MS[TICK_STEPS_MS.length - 1]!;
  // Local clock: round in local time, so hour ticks fall on the hour where the offset is not whole hours.
  const offset = new Date(from).getTimezoneOffset() * 60_000;
  const ticks: number[] = [];
  for (let t = Math.ceil((from - offset) / step) * step + offset; t <= to; t += step) ticks.push(t);
  return ticks;
}

export function formatClock(t: number, withSeconds: boolean): string {
  return new Date(t).toLocaleTimeString(
    'en-GB',
    withSeconds ? { hour: '2-digit', minute: '2-digit', second: '2-digit' } : { hour: '2-digit', minute: '2-digit' },
  );
}

export const RANGE_CHOICES: { ms: number; label: string }[] = [
  { ms: 5 * 60_000, label: '5 min' },
  { ms: 15 * 60_000, label: '15 min' },
  { ms: 60 * 60_000, label: '1 h' },
  { ms: 6 * 60 * 60_000, label: '6 h' },
  { ms: 24 * 60 * 60_000, label: '24 h' },
];

export const STATE_LABELS: Record<string, { label: string; tone: 'good' | 'warn' | 'bad' | 'neutral' | 'accent' }> = {
  STABLE: { label: 'stable', tone: 'good' },
  PREPARING_REBALANCE: { label: 'rebalancing', tone: 'warn' },
  COMPLETING_REBALANCE: { label: 'rebalancing', tone: 'warn' },
  ASSIGNING: { label: 'assigning', tone: 'warn' },
  RECONCILING: { label: 'reconciling', tone: 'warn' },
  EMPTY: { label: 'empty', tone: 'neutral' },
  DEAD: { label: 'dead', tone: 'bad' },
  UNKNOWN: { label: 'unknown', tone: 'neutral' },
};

/** A group's type (ListGroups v5) in words; null when the cluster does not say (before Kafka 3.8). */
export function groupTypeLabel(type: GroupType | null): string | null {
  switch (type) {
    case null:
      return null;
    case 'consumer':
      return 'consumer (KIP-848)';
    case 'unknown':
      return 'unknown type';
    default:
      return type;
  }
}

/** "orders: 0, 1 · payments: 2" */
export function formatTopicPartitions(assignments: TopicPartitions): string {
  return assignments.map((assignment) => `${assignment.topic}: ${assignment.partitions.join(', ')}`).join(' · ');
}
