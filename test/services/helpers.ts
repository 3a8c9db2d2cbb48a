// Starts the app's main-process core, as Electron and web mode do, on a real embedded cluster with
// free ports and a temporary data directory.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Channel, IpcResult, RequestOf, ResponseOf } from '../../shared/ipc/contract';
import { createAppCore, type AppCore, type EmbeddedOverride } from '../../electron/core/app-core';
import { MemorySecretStore, type SecretStore } from '../../electron/services/secrets/service';
import { freePortRange } from '../support/ports';

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

/** `brokers: 0` starts the core without its embedded cluster (a test that brings its own cluster). */
export async function startCore(
  options: {
    brokers?: number;
    secrets?: SecretStore;
    dataDir?: string;
    embedded?: EmbeddedOverride;
    /** The desktop's open dialog for the produce form's file (web mode has none). */
    chooseProduceFile?: () => Promise<string | null>;
  } = {},
): Promise<TestCore> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-services-')));
  const brokers = options.brokers ?? 3;
  const core = await createAppCore({
    mode: 'web',
    version: 'test',
    dataDir,
    secrets: options.secrets ?? new MemorySecretStore(),
    ...(options.chooseProduceFile ? { chooseProduceFile: options.chooseProduceFile } : {}),
    embeddedOverride:
      brokers === 0 ? { enabled: false } : { enabled: true, brokers, basePort: await freePortRange(brokers), schemaRegistryPort: 0, ...options.embedded },
  });
  const status = core.embedded.status();
  if (brokers > 0 && status.state !== 'running') {
    await core.close();
    throw new Error(`embedded cluster did not start: ${status.message}`);
  }
  const call = <C extends Channel>(channel: C, request: RequestOf<C>) => core.dispatch(channel, request) as Promise<IpcResult<ResponseOf<C>>>;
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
