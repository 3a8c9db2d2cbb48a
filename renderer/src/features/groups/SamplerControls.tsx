// The lag sampler's interval, and "Sample all": one sample of every group of the cluster now (the
// timer samples only the groups on screen and the watched ones).
import { useEffect, useState } from 'react';
import { useAppStore } from '../../store/hooks';
import { formatCount } from '../../components/format';

const INTERVALS = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000];

export function SamplerControls() {
  const settings = useAppStore((state) => state.lagSettings);
  const loadLagSettings = useAppStore((state) => state.loadLagSettings);
  const updateLagSettings = useAppStore((state) => state.updateLagSettings);
  const sampleAllGroups = useAppStore((state) => state.sampleAllGroups);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (settings.status === 'idle') void loadLagSettings();
  }, [settings.status, loadLagSettings]);
  useEffect(() => {
    if (!message) return;
    const timer = setTimeout(() => setMessage(null), 4_000);
    return () => clearTimeout(timer);
  }, [message]);

  const interval = settings.data?.intervalMs ?? 5_000;
  const choices = INTERVALS.includes(interval) ? INTERVALS : [...INTERVALS, interval].sort((a, b) => a - b);
  return (
    <>
      {message ? (
        <span className="muted small" role="status">
          {message}
        </span>
      ) : null}
      <label className="inline-label">
        Sample every
        <select
          aria-label="Sampling interval"
          value={interval}
          disabled={!settings.data}
          onChange={(event) => void updateLagSettings({ intervalMs: Number(event.target.value) })}
        >
          {choices.map((ms) => (
            <option key={ms} value={ms}>
              {ms < 60_000 ? `${ms / 1000} s` : `${ms / 60_000} min`}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        className="button"
        disabled={busy}
        title="Record the lag of every group of the cluster now; the timer samples the groups on screen and the watched ones"
        onClick={async () => {
          setBusy(true);
          const result = await sampleAllGroups();
          setBusy(false);
          setMessage(result.ok ? `Sampled ${formatCount(result.value.groups)} groups in ${formatCount(result.value.durationMs)} ms` : result.error.message);
        }}
      >
        {busy ? 'Sampling…' : 'Sample all'}
      </button>
    </>
  );
}
