// Config values in units a person reads: Kafka states durations in milliseconds and sizes in bytes
// (604800000 is 7 days). The raw value stays what is shown first and what is edited; this is a hint.
import { formatBytes } from '../../components/format';

/** Long.MAX_VALUE, Kafka's "no limit" for durations and sizes (max.compaction.lag.ms, ...). */
const NO_LIMIT = '9223372036854775807';

const DURATION_UNITS: readonly [number, string][] = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'min'],
  [1_000, 's'],
];

export function formatDurationMs(ms: number): string {
  for (const [size, unit] of DURATION_UNITS) {
    if (ms >= size) return `${Number((ms / size).toFixed(1))} ${unit}`;
  }
  return `${ms} ms`;
}

/** The hint beside a config's value, or null when the raw value says it already (or is not a number). */
export function readableConfigValue(name: string, value: string | null): string | null {
  if (value === null || !/^\d+$/.test(value)) return null;
  const unit = name.endsWith('.ms') ? 'ms' : name.endsWith('.bytes') ? 'bytes' : name.endsWith('.hours') ? 'hours' : null;
  if (!unit) return null;
  if (value === NO_LIMIT) return 'no limit';
  const number = Number(value);
  if (unit === 'ms') return number >= 1_000 ? formatDurationMs(number) : null;
  if (unit === 'hours') return number >= 24 ? formatDurationMs(number * 3_600_000) : null;
  return number >= 1_024 ? formatBytes(number) : null;
}
