import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../renderer/src/store/app-store';
import { resolveScheme } from '../../renderer/src/features/theme/theme-slice';
import { scriptedClient } from '../support/scripted-client';
import type { Settings } from '../../shared/model/schemas';

const saved = (theme?: 'system' | 'light' | 'dark'): Settings => ({
  embedded: { enabled: true, brokers: 3, basePort: 19092, dataDir: '' },
  ...(theme ? { appearance: { theme } } : {}),
});

describe('theme', () => {
  it('resolves system to the OS scheme and keeps an explicit choice', () => {
    expect(resolveScheme('system', true)).toBe('dark');
    expect(resolveScheme('system', false)).toBe('light');
    expect(resolveScheme('light', true)).toBe('light');
    expect(resolveScheme('dark', false)).toBe('dark');
  });

  it('loads the saved preference, and saves a change as the appearance section only', async () => {
    const { client, calls } = scriptedClient({
      'settings.get': () => ({ ok: true, value: saved('dark') }),
      'settings.update': (request) => ({ ok: true, value: { ...saved(), ...(request.appearance ? { appearance: request.appearance } : {}) } }),
    });
    const store = createAppStore(client);
    expect(store.getState().themePreference).toBe('system');
    await store.getState().loadTheme();
    expect(store.getState().themePreference).toBe('dark');
    await store.getState().setThemePreference('light');
    expect(store.getState().themePreference).toBe('light');
    expect(calls.at(-1)).toEqual(['settings.update', { appearance: { theme: 'light' } }]);
    expect(store.getState().themeError).toBeNull();
  });

  it('keeps a change it could not save for this run and says why', async () => {
    const { client } = scriptedClient({
      'settings.update': () => ({ ok: false, error: { kind: 'internal', message: 'The disk is full.' } }),
    });
    const store = createAppStore(client);
    await store.getState().setThemePreference('dark');
    expect(store.getState().themePreference).toBe('dark');
    expect(store.getState().themeError?.message).toBe('The disk is full.');
  });
});
