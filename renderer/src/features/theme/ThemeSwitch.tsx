import type { ThemePreference } from '../../../../shared/model/schemas';
import { useColorScheme } from '../../app/use-color-scheme';
import { useAppStore } from '../../store/hooks';

const choices: { value: ThemePreference; label: string }[] = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

/** Light, dark, or the OS's theme: applied at once and saved in Settings. */
export function ThemeSwitch() {
  const preference = useAppStore((state) => state.themePreference);
  const error = useAppStore((state) => state.themeError);
  const setPreference = useAppStore((state) => state.setThemePreference);
  const scheme = useColorScheme();
  return (
    <div className="card narrow" data-testid="appearance">
      <h2 className="card-title">Appearance</h2>
      <div className="segmented" role="radiogroup" aria-label="Theme">
        {choices.map((choice) => (
          <label key={choice.value} className={preference === choice.value ? 'segment segment-on' : 'segment'}>
            <input type="radio" name="theme" value={choice.value} checked={preference === choice.value} onChange={() => void setPreference(choice.value)} />
            {choice.label}
          </label>
        ))}
      </div>
      <p className="muted small">{preference === 'system' ? `Follows the system: ${scheme} now.` : `Always ${scheme}, whatever the system's theme.`}</p>
      {error ? (
        <p className="form-error" role="alert">
          The theme applies now but could not be saved for the next start: {error.message}
        </p>
      ) : null}
    </div>
  );
}
