// Truthful connection state, timeouts and Cancel, against the embedded cluster, a closed port and a
// server that accepts TCP connections but never answers (as a hung broker or a wrong service would).
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionActivity, ConnectionHealth } from '../../shared/model/connections';
import { startCore, type TestCore } from './helpers';
import { freePortRange } from '../support/ports';
import { eventually } from '../support/wait';

/** Accepts connections and reads whatever comes, answering nothing. */
async function silentServer(): Promise<{ address: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    address: `127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('connection health, timeouts and cancel', () => {
  let app: TestCore;
  let silent: Awaited<ReturnType<typeof silentServer>>;
  const health: ConnectionHealth[] = [];
  const activity: ConnectionActivity[] = [];
  beforeAll(async () => {
    app = await startCore({ brokers: 2 });
    silent = await silentServer();
    app.core.hub.subscribe((event, payload) => {
      if (event === 'connections.health') health.push(payload as ConnectionHealth);
      if (event === 'connections.activity') activity.push(payload as ConnectionActivity);
    });
  });
  afterAll(async () => {
    await app?.close();
    await silent?.close();
  });

  it('finds the embedded cluster up, with a round trip and every broker answering', async () => {
    const checked = await app.ok('connections.check', { connectionId: 'embedded' });
    expect(checked).toMatchObject({ connectionId: 'embedded', state: 'up', reachable: true, lastError: null, detail: null });
    expect(checked.rttMs).toBeGreaterThanOrEqual(0);
    expect(checked.brokers.map((broker) => [broker.id, broker.state])).toEqual([
      [0, 'up'],
      [1, 'up'],
    ]);
    expect(checked.nextCheckAt).toBeGreaterThan(Date.now());
  });

  it('is degraded while a broker is stopped, naming it, and up again once it is back', async () => {
    await app.ok('embedded.stopBroker', { brokerId: 1 });
    const degraded = await eventually(
      () => app.ok('connections.check', { connectionId: 'embedded' }),
      (value) => value.state === 'degraded',
    );
    expect(degraded.detail).toContain('broker 1 at 127.0.0.1:');
    expect(degraded.detail).toContain('stopped in the Cluster panel');
    expect(degraded.brokers.find((broker) => broker.id === 1)?.state).toBe('down');
    await app.ok('embedded.startBroker', { brokerId: 1 });
    await eventually(
      () => app.ok('connections.check', { connectionId: 'embedded' }),
      (value) => value.state === 'up',
    );
  });

  it('says which address refused, without repeating itself', async () => {
    const port = await freePortRange(1);
    const result = await app.call('connections.test', { name: 'nowhere', bootstrapServers: `127.0.0.1:${port}` });
    expect(result).toMatchObject({
      ok: false,
      error: { kind: 'unavailable', message: `127.0.0.1:${port} refused the connection: nothing is listening on that port (ECONNREFUSED).` },
    });
  });

  it('a saved dead address is down with the same words, and counts as unreachable', async () => {
    const port = await freePortRange(1);
    const saved = await app.ok('connections.save', { name: 'dead', bootstrapServers: `127.0.0.1:${port}` });
    const overview = await app.call('cluster.overview', { connectionId: saved.id });
    expect(overview).toMatchObject({ ok: false, error: { kind: 'unavailable', message: expect.stringContaining(`127.0.0.1:${port} refused the connection`) } });
    const checked = await eventually(
      () => app.ok('connections.check', { connectionId: saved.id }),
      (value) => value.state === 'down',
    );
    expect(checked).toMatchObject({ reachable: false, rttMs: null, lastError: { message: expect.stringContaining(`127.0.0.1:${port} refused`) } });
    // While down it is checked again soon, backing off.
    expect(checked.nextCheckAt! - Date.now()).toBeLessThanOrEqual(30_000);
    expect(health.some((event) => event.connectionId === saved.id && event.state === 'connecting')).toBe(true);
    await app.ok('connections.delete', { id: saved.id });
  });

  it('a host that accepts but never answers fails after the request timeout, naming the request and the address', async () => {
    const saved = await app.ok('connections.save', {
      name: 'silent',
      bootstrapServers: silent.address,
      timeouts: { connectMs: 1_000, requestMs: 2_000 },
    });
    expect(saved.timeouts).toEqual({ connectMs: 1_000, requestMs: 2_000 });
    const started = performance.now();
    const result = await app.call('topics.list', { connectionId: saved.id });
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({
      ok: false,
      error: { kind: 'unavailable', message: `${silent.address} did not answer the ApiVersions request within 2 s (the request timeout).` },
    });
    // One request timeout, not several retries of it (a retry would take two timeouts at least).
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    expect(elapsed).toBeLessThan(2 * 2_000 - 100);
    const checked = await eventually(
      () => app.ok('connections.health', {}).then((all) => all.find((item) => item.connectionId === saved.id)!),
      (value) => value.state === 'down',
    );
    expect(checked.lastError?.message).toContain(`${silent.address} did not answer`);
    await app.ok('connections.delete', { id: saved.id });
  });

  it('Cancel ends a call at once and says what it was waiting for; progress was reported meanwhile', async () => {
    const saved = await app.ok('connections.save', {
      name: 'silent, long',
      bootstrapServers: silent.address,
      timeouts: { connectMs: 5_000, requestMs: 60_000 },
    });
    const pendingCall = app.call('cluster.overview', { connectionId: saved.id });
    await eventually(
      () => activity.filter((event) => event.key === saved.id).at(-1)?.pending ?? [],
      (pending) => pending.some((item) => item.kind === 'request' && item.api === 'ApiVersions' && item.address === silent.address),
    );
    const progress = activity.filter((event) => event.key === saved.id).at(-1)!.pending[0]!;
    expect(progress).toMatchObject({ timeoutMs: 60_000 });
    const cancelledAt = performance.now();
    expect(await app.ok('connections.cancel', { connectionId: saved.id })).toEqual({ cancelled: 1 });
    const result = await pendingCall;
    // At once rather than after the 60 s request timeout (bounded far below it: a loaded machine is slow).
    expect(performance.now() - cancelledAt).toBeLessThan(10_000);
    expect(result).toMatchObject({ ok: false, error: { kind: 'cancelled' } });
    if (!result.ok)
      expect(result.error.message).toMatch(
        new RegExp(`^Cancelled after [\\d.]+ s while waiting for the ApiVersions answer from ${silent.address.replace(/\./g, '\\.')}\\.$`),
      );
    // The progress clears once nothing waits any more.
    await eventually(
      () => activity.filter((event) => event.key === saved.id).at(-1)?.pending.length ?? 0,
      (count) => count === 0,
    );
    await app.ok('connections.delete', { id: saved.id });
  });

  it('a test from the dialog reports progress under its id and can be cancelled', async () => {
    const testId = 'dialog-test-1';
    const pendingTest = app.call('connections.test', {
      name: 'silent',
      bootstrapServers: silent.address,
      timeouts: { connectMs: 5_000, requestMs: 60_000 },
      testId,
    });
    await eventually(
      () => activity.filter((event) => event.key === `test:${testId}`).at(-1)?.pending.length ?? 0,
      (count) => count > 0,
    );
    expect(await app.ok('connections.cancel', { testId })).toEqual({ cancelled: 1 });
    expect(await pendingTest).toMatchObject({ ok: false, error: { kind: 'cancelled' } });
  });

  it('a test of a working cluster reports its brokers and round trip', async () => {
    const result = await app.ok('connections.test', { name: 'local', bootstrapServers: app.bootstrapServers });
    expect(result).toMatchObject({ brokers: 2, unreachableBrokers: [] });
    expect(result.rttMs).toBeGreaterThanOrEqual(0);
  });

  it('refuses timeouts out of range in words', async () => {
    const result = await app.call('connections.save', { name: 'x', bootstrapServers: 'a:1', timeouts: { connectMs: 100, requestMs: 2_000 } });
    expect(result).toMatchObject({ ok: false, error: { kind: 'invalid-request', message: 'The connect timeout must be at least 0.5 s.' } });
  });
});
