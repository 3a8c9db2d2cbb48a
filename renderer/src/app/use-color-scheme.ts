import { useEffect, useSyncExternalStore } from 'react';
import { useAppStore } from '../store/hooks';
import type { ThemePreference } from '../../../shared/model/schemas';
import { resolveScheme, type ColorScheme } from '../features/theme/theme-slice';

const query = () => window.matchMedia('(prefers-color-scheme: dark)');

/** Whether the OS asks for dark, live. */
function useOsPrefersDark(): boolean {
  return useSyncExternalStore(
    (notify) => {
      const media = query();
      media.addEventListener('change', notify);
      return () => media.removeEventListener('change', notify);
    },
    () => query().matches,
  );
}

/** The app's colour scheme: the theme chosen in Settings, or the OS's while it is "system". */
export function useColorScheme(): ColorScheme {
  const preference = useAppStore((state) => state.themePreference);
  return resolveScheme(preference, useOsPrefersDark());
}

/** Keeps <html data-theme> on the resolved scheme (theme.css keys its colours on it). */
export function useAppliedColorScheme(): void {
  const scheme = useColorScheme();
  useEffect(() => {
    document.documentElement.dataset['theme'] = scheme;
  }, [scheme]);
}

/** Before the first render: the scheme of the last saved preference, so the app does not flash. */
export function applyInitialColorScheme(preference: ThemePreference): void {
  document.documentElement.dataset['theme'] = resolveScheme(preference, query().matches);
}
