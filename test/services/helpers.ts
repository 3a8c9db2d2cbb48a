// Starts the app's main-process core, as Electron and web mode do, on a real embedded cluster with
// free ports and a temporary data directory.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Channel, IpcResult, RequestOf, ResponseOf } from '../../shared/ipc/contract';
import { createAppCore, type AppCore } from '../../electron/services/app-core';
import { MemorySecretStore, type SecretStore } from '../../electron/services/secrets';


async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const first = 20_000 + Math.floor(Math.random() * 30_000);
    let free = true;
    for (let offset = 0; offset < count && free; offset += 1) free = await portFree(first + offset);
    if (free) return first;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

export interface TestCore {
  core: AppCore;
  dataDir: string;
  bootstrapServers: string;
  /** Calls a channel through the registry, as the renderer does, and returns its typed result. */
  call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<IpcResult<ResponseOf<C>>>;
  /** Like call, but fails the test with the error's message if the call failed. */
  ok<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  close(): Promise<void>;
}

export async function startCore(options: { brokers?: number; secrets?: SecretStore; dataDir?: string } = {}): Promise<TestCore> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-services-')));
  const brokers = options.brokers ?? 3;
  const core = await createAppCore({
    mode: 'web',
    version: 'test',
    dataDir,
    secrets: options.secrets ?? new MemorySecretStore(),
    embeddedOverride: { enabled: true, brokers, basePort: await freePortRange(brokers), schemaRegistryPort: 0 },
  });
  const status = core.embedded.status();
  if (status.state !== 'running') {
    await core.close();
    throw new Error(`embedded cluster did not start: ${status.message}`);
  }
  const call = <C extends Channel>(channel: C, request: RequestOf<C>) =>
    core.dispatch(channel, request) as Promise<IpcResult<ResponseOf<C>>>;
  return {
    core,
    dataDir,
    bootstrapServers: status.bootstrapServers ?? '',
    call,
    async ok(channel, request) {
      const result = await call(channel, request);
      if (!result.ok) throw new Error(`${channel} failed: ${result.error.kind}: ${result.error.message}`);
      return result.value;
    },
    async close() {
      await core.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function eventually<T>(read: () => Promise<T> | T, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}
