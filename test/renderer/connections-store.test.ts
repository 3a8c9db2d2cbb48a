// The renderer's view of connection state: health and activity events, when screens may load (and
// load again once a cluster answers), and when writes are off.
import { describe, expect, it } from 'vitest';
import { scriptedClient } from '../support/scripted-client';
import type { ConnectionHealth } from '../../shared/model/connections';
import { DEFAULT_TIMEOUTS, type ConnectionSummary } from '../../shared/model/schemas';
import { bindEvents, createAppStore } from '../../renderer/src/store/app-store';
import { selectActiveAvailable, selectWriteBlock } from '../../renderer/src/features/connections/connections-slice';

const summary = (id: string, name: string, available = true): ConnectionSummary => ({
  id,
  name,
  kind: id === 'embedded' ? 'embedded' : 'external',
  bootstrapServers: 'h:9092',
  clientId: 'kafka-desk',
  sasl: null,
  tls: { enabled: false, rejectUnauthorized: true, verifyHostname: true },
  timeouts: DEFAULT_TIMEOUTS,
  available,
});

const health = (connectionId: string, patch: Partial<ConnectionHealth>): ConnectionHealth => ({
  connectionId,
  state: 'up',
  since: 1,
  reachable: true,
  rttMs: 2,
  checkedAt: 1,
  nextCheckAt: null,
  checking: false,
  lastError: null,
  detail: null,
  brokers: [],
  timeouts: DEFAULT_TIMEOUTS,
  ...patch,
});

describe('connection state in the renderer', () => {
  it('follows health events: screens may load while reachable, writes are off while down', () => {
    const { client, push } = scriptedClient({});
    const store = createAppStore(client);
    bindEvents(store);
    push('connections.changed', [summary('embedded', 'Embedded cluster'), summary('prod', 'Production')]);
    store.setState({ activeConnectionId: 'prod' });
    // Not checked yet: loading is allowed (that is how the first check starts).
    expect(selectActiveAvailable(store.getState())).toBe(true);
    expect(selectWriteBlock(store.getState())).toBeNull();

    push('connections.health', health('prod', { state: 'down', reachable: false, checkedAt: 2, lastError: { message: 'h:9092 refused', at: 2 } }));
    expect(selectActiveAvailable(store.getState())).toBe(false);
    expect(selectWriteBlock(store.getState())).toBe('Writes are off while Production is down.');

    // Checked again and answering: available turns true, which is what makes screens load again.
    push('connections.health', health('prod', { state: 'up', reachable: true, checkedAt: 3, lastError: { message: 'h:9092 refused', at: 2 } }));
    expect(selectActiveAvailable(store.getState())).toBe(true);
    expect(selectWriteBlock(store.getState())).toBeNull();

    // Degraded still takes writes: some brokers answer.
    push('connections.health', health('prod', { state: 'degraded', checkedAt: 4, detail: '1 of 3 brokers does not answer' }));
    expect(selectWriteBlock(store.getState())).toBeNull();
    // An older view arriving late does not replace a newer one.
    push('connections.health', health('prod', { state: 'down', reachable: false, checkedAt: 3 }));
    expect(store.getState().connectionHealth['prod']?.state).toBe('degraded');
  });

  it('an embedded cluster that is not running blocks writes and loading', () => {
    const { client, push } = scriptedClient({});
    const store = createAppStore(client);
    bindEvents(store);
    push('connections.changed', [summary('embedded', 'Embedded cluster', false)]);
    expect(selectActiveAvailable(store.getState())).toBe(false);
    expect(selectWriteBlock(store.getState())).toBe('Writes are off while the embedded cluster is not running.');
  });

  it('keeps what each connection waits for, and forgets it when nothing waits', () => {
    const { client, push } = scriptedClient({});
    const store = createAppStore(client);
    bindEvents(store);
    const pending = [{ id: '1', kind: 'request' as const, api: 'Metadata', address: 'h:9092', elapsedMs: 400, timeoutMs: 15_000 }];
    push('connections.activity', { key: 'prod', pending });
    expect(store.getState().connectionActivity['prod']?.pending).toEqual(pending);
    push('connections.activity', { key: 'prod', pending: [] });
    expect(store.getState().connectionActivity['prod']).toBeUndefined();
  });

  it('choosing a connection checks it; Cancel and tests name their target', async () => {
    const { client, calls } = scriptedClient({
      'connections.check': ({ connectionId }) => ({ ok: true, value: health(connectionId, { state: 'up', checkedAt: 5 }) }),
      'connections.cancel': () => ({ ok: true, value: { cancelled: 1 } }),
      'connections.test': () => ({ ok: false, error: { kind: 'cancelled', message: 'Cancelled after 1 s.' } }),
    });
    const store = createAppStore(client);
    store.getState().selectConnection('prod');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(store.getState().connectionHealth['prod']?.state).toBe('up');
    await store.getState().cancelConnection('prod');
    await store.getState().testConnection({ name: 'x', bootstrapServers: 'h:1' }, 't-1');
    await store.getState().cancelTest('t-1');
    expect(calls).toEqual([
      ['connections.check', { connectionId: 'prod' }],
      ['connections.cancel', { connectionId: 'prod' }],
      ['connections.test', { name: 'x', bootstrapServers: 'h:1', testId: 't-1' }],
      ['connections.cancel', { testId: 't-1' }],
    ]);
  });
});
