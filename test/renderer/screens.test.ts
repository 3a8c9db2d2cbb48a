// The screen registry: the router, the sidebar and the store read the same list.
import { describe, expect, it } from 'vitest';
import { isCurrent, screenAfterConnectionChange, screenById, screens, sidebarScreens } from '../../renderer/src/app/screens';
import { createAppStore } from '../../renderer/src/store/app-store';
import { scriptedClient } from '../support/scripted-client';

describe('screen registry', () => {
  it('lists each screen once, and its parents and connection-change targets are screens of the list', () => {
    const ids = screens.map((screen) => screen.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const screen of screens) {
      if (screen.parent) expect(ids).toContain(screen.parent);
      if (screen.onConnectionChange) expect(ids).toContain(screen.onConnectionChange);
      expect(typeof screen.component).toBe('function');
    }
    expect(() => screenById('nowhere' as never)).toThrow('no screen "nowhere"');
  });

  it('feeds the sidebar: the cluster panel only on the embedded cluster, pages under their list', () => {
    const titles = (embedded: boolean) => sidebarScreens('cluster', embedded).map((screen) => screen.title);
    expect(titles(true)).toEqual([
      'Overview',
      'Brokers',
      'Topics',
      'Reassign partitions',
      'Messages',
      'Produce',
      'Consumer groups',
      'Transactions',
      'Schemas',
      'ACLs',
      'Users',
      'Client metrics',
      'Cluster panel',
    ]);
    expect(titles(false)).not.toContain('Cluster panel');
    expect(sidebarScreens('footer', false).map((screen) => screen.id)).toEqual(['settings']);
    expect(isCurrent('topics', 'topic')).toBe(true);
    expect(isCurrent('groups', 'group')).toBe(true);
    expect(isCurrent('brokers', 'topic')).toBe(false);
  });

  it('leaves the pages of one cluster when the connection changes', () => {
    expect(screenAfterConnectionChange('topic')).toBe('topics');
    expect(screenAfterConnectionChange('group')).toBe('groups');
    expect(screenAfterConnectionChange('subject')).toBe('schemas');
    expect(screenAfterConnectionChange('messages')).toBe('messages');
    // The store applies it when another connection is chosen.
    const store = createAppStore(scriptedClient({}).client);
    store.getState().openGroup('billing');
    store.getState().selectConnection('other');
    expect(store.getState().screen).toBe('groups');
  });
});
