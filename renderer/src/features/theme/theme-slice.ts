// The app's theme: the preference (system, light or dark) saved in Settings, and the scheme it
// resolves to. The resolved scheme is set on <html data-theme> (theme.css keys its variables on it)
// and kept in localStorage, so the next start paints in the right colours before Settings answer.
import type { IpcError } from '../../../../shared/ipc/contract';
import type { ThemePreference } from '../../../../shared/model/schemas';
import type { SliceCreator } from '../../store/app-store';

export type ColorScheme = 'light' | 'dark';

export interface ThemeSlice {
  themePreference: ThemePreference;
  /** Why the last change could not be saved (it still applies for this run). */
  themeError: IpcError | null;
  loadTheme: () => Promise<void>;
  setThemePreference: (theme: ThemePreference) => Promise<void>;
}

const CACHE_KEY = 'kafka-desk.theme';

export function resolveScheme(preference: ThemePreference, osPrefersDark: boolean): ColorScheme {
  return preference === 'system' ? (osPrefersDark ? 'dark' : 'light') : preference;
}

/** The preference this browser last saw, for the first paint; 'system' when none (or no storage). */
export function cachedThemePreference(): ThemePreference {
  try {
    const value = globalThis.localStorage?.getItem(CACHE_KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

function cacheThemePreference(theme: ThemePreference): void {
  try {
    globalThis.localStorage?.setItem(CACHE_KEY, theme);
  } catch {
    // No storage (a locked-down profile): the first paint follows the OS until Settings answer.
  }
}

export const createThemeSlice: SliceCreator<ThemeSlice> = (set, _get, api) => ({
  themePreference: cachedThemePreference(),
  themeError: null,
  async loadTheme() {
    const result = await api.invoke('settings.get', {});
    if (!result.ok) return; // the cached preference stays; Settings says why it cannot read them
    const theme = result.value.appearance?.theme ?? 'system';
    cacheThemePreference(theme);
    set({ themePreference: theme });
  },
  async setThemePreference(theme) {
    // Applied at once; saved for the next start.
    set({ themePreference: theme, themeError: null });
    cacheThemePreference(theme);
    const result = await api.invoke('settings.update', { appearance: { theme } });
    if (!result.ok) set({ themeError: result.error });
  },
});
