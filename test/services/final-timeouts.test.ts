// @platformatic/kafka 2.x retries timeouts; the app's clients do not (withFinalTimeouts), while every
// other retriable failure is still retried. Against a TCP server that accepts and never answers.
import { createServer, type Server, type Socket } from 'node:net';
import { Admin, apiVersionsV3, clientSoftwareName, clientSoftwareVersion, Connection } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeNetworkFailure } from '../../electron/core/network-errors';
import { involvesTimeout, withFinalTimeouts } from '../../electron/services/connections/final-timeouts';

describe('withFinalTimeouts', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  let silent: string;
  let closedPort: number;

  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    silent = `127.0.0.1:${(server.address() as { port: number }).port}`;
    // A port nothing listens on: connections are refused at once.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedPort = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const client = (bootstrap: string, final: boolean) => {
    const admin = new Admin({
      clientId: 'final-timeouts',
      bootstrapBrokers: [bootstrap],
      connectTimeout: 1_000,
      requestTimeout: 400,
      retries: 3,
      retryDelay: 50,
    });
    const retries: string[] = [];
    admin.on('client:performWithRetry:retry', (operation: string) => retries.push(operation));
    return { admin: final ? withFinalTimeouts(admin) : admin, retries };
  };
  const failure = async (work: () => Promise<unknown>) => {
    const started = performance.now();
    const error = await work().then(
      () => null,
      (caught: unknown) => caught,
    );
    return { error, elapsed: performance.now() - started };
  };

  it('the library alone retries a request timeout (why the app needs this)', async () => {
    const { admin, retries } = client(silent, false);
    try {
      const { error, elapsed } = await failure(() => admin.listApis());
      expect(involvesTimeout(error)).toBe(true);
      expect(retries).toEqual(['listApis', 'listApis', 'listApis']);
      expect(elapsed).toBeGreaterThanOrEqual(4 * 400 - 50);
    } finally {
      await admin.close();
    }
  });

  it('makes a request timeout final, for nested operations too', async () => {
    // Each on a fresh client: a timeout closes its connection, and a call that then finds that
    // connection closed is retried (a closed connection is not a timeout).
    for (const call of [(admin: Admin) => admin.listApis(), (admin: Admin) => admin.metadata({ topics: [] })]) {
      const { admin, retries } = client(silent, true);
      try {
        // Metadata first asks ApiVersions: one timeout, not 4 x 4.
        const { error, elapsed } = await failure(() => call(admin));
        expect(involvesTimeout(error)).toBe(true);
        expect(retries).toEqual([]);
        // And less time than the retried request takes at least (the test above): on a loaded machine one
        // 400 ms timeout can take more than twice that, never four times.
        expect(elapsed).toBeLessThan(4 * 400 - 50);
      } finally {
        await admin.close();
      }
    }
  });

  it('a request sharing the connection of one that timed out fails as closed, and is told as that timeout', async () => {
    // The library closes a connection whose request timed out (as Kafka's NetworkClient does).
    const connection = new Connection('final-timeouts', { requestTimeout: 400 });
    const [host, port] = silent.split(':') as [string, string];
    await connection.connect(host, Number(port));
    const ask = () =>
      apiVersionsV3.api.async(connection, clientSoftwareName, clientSoftwareVersion).then(
        () => null,
        (error: unknown) => error,
      );
    const first = ask();
    await new Promise((resolve) => setTimeout(resolve, 150));
    const second = ask();
    const [timedOut, closed] = await Promise.all([first, second]);
    await connection.close().catch(() => undefined);
    expect(involvesTimeout(timedOut)).toBe(true);
    expect(involvesTimeout(closed)).toBe(false);
    expect(describeNetworkFailure(closed)).toBe('A broker closed the connection before it answered.');
    const context = { timedOut: { api: 'ApiVersions', address: silent, timeoutMs: 400, at: Date.now() } };
    const words = `${silent} did not answer the ApiVersions request within 0.4 s (the request timeout).`;
    expect(describeNetworkFailure(timedOut, context)).toBe(words);
    expect(describeNetworkFailure(closed, context)).toBe(words);
  });

  it('still retries what is not a timeout: a refused connection', async () => {
    const { admin, retries } = client(`127.0.0.1:${closedPort}`, true);
    try {
      const { error } = await failure(() => admin.listApis());
      expect(error).toBeInstanceOf(Error);
      expect(involvesTimeout(error)).toBe(false);
      expect(retries).toEqual(['listApis', 'listApis', 'listApis']);
    } finally {
      await admin.close();
    }
  });
});
