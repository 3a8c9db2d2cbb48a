// Starts Kafka Desk in web mode for the tests: the same entry point as `npm run web`, on a free HTTP
// port, embedded brokers on free ports, and a temporary data directory removed afterwards.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test as base } from '@playwright/test';
import { freePortRange } from '../support/ports';
import { spawnChild, stopChild } from '../support/processes';

/** Web apps running now (the worker's and those a spec started): a failed test shows the end of their output. */
const running = new Set<WebApp>();

export interface WebApp {
  url: string;
  origin: string;
  bootstrapServers: string;
  dataDir: string;
  output: () => string;
}

/** `dataDir`: the app's data directory, kept at stop (a test that starts the app again on it); a temporary one otherwise. */
export async function startWebApp(
  options: { brokers?: number; basePort?: number; extraArgs?: string[]; dataDir?: string } = {},
): Promise<WebApp & { stop(): Promise<void> }> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-e2e-')));
  const brokers = options.brokers ?? 3;
  const basePort = options.basePort ?? (await freePortRange(brokers));
  const child: ChildProcess = spawnChild(
    process.execPath,
    [
      'node_modules/tsx/dist/cli.mjs',
      'electron/web/cli.ts',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--brokers',
      String(brokers),
      '--base-port',
      String(basePort),
      '--schema-registry-port',
      '0',
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web mode did not start in 60 s:\n${output}`)), 60_000);
    const check = () => {
      const match = /Open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`web mode exited with ${code}:\n${output}`));
    });
  }).catch(async (error: unknown) => {
    // A start that failed or timed out stops what it started.
    await stopChild(child);
    if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  const bootstrapServers = /Embedded cluster: (\S+:\d+(?:,\S+:\d+)*)/.exec(output)?.[1] ?? '';
  const app = {
    url,
    origin: new URL(url).origin,
    bootstrapServers,
    dataDir,
    output: () => output,
    async stop() {
      running.delete(app);
      await stopChild(child);
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  running.add(app);
  return app;
}

/**
 * Each spec file that uses the `webApp` fixture gets a web app (and cluster) of its own, so what one file
 * leaves behind (topics, groups, subjects, connections, a stopped broker, the theme) cannot change what a
 * later file sees. The file says so with `test.use({ appFor: '<its file name>' })`: a worker-scoped
 * option, so each value runs in a worker of its own (Playwright reuses a worker only for files with the
 * same worker options), and the worker's app ends with the file. Without it, `webApp` refuses to start;
 * a value other than the file's name (a copied line) fails the test.
 */
export const test = base.extend<{ appOutputOnFailure: null; appForThisFile: null }, { webApp: WebApp; appFor: string }>({
  appFor: ['', { scope: 'worker', option: true }],
  appForThisFile: [
    async ({ appFor }, use, testInfo) => {
      const file = path.basename(testInfo.file);
      if (appFor && appFor !== file) throw new Error(`${file} sets test.use({ appFor: '${appFor}' }): it must name its own file, '${file}'`);
      await use(null);
    },
    { auto: true },
  ],
  // A failed test prints the last lines of every running web app's output (its cluster's events and
  // errors), and attaches the whole: what a CI log needs to tell a flake's cause.
  appOutputOnFailure: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
    async ({}, use, testInfo) => {
      await use(null);
      if (testInfo.status === testInfo.expectedStatus) return;
      for (const app of running) {
        const output = app.output();
        await testInfo.attach(`web app ${app.origin}`, { body: output, contentType: 'text/plain' });
        console.log(`--- the last lines of the web app at ${app.origin} ---\n${output.split('\n').slice(-40).join('\n')}\n---`);
      }
    },
    { auto: true },
  ],
  webApp: [
    async ({ appFor }, use) => {
      if (!appFor) throw new Error("a spec file using webApp sets test.use({ appFor: '<its file name>' }) to get a web app of its own");
      const app = await startWebApp();
      await use(app);
      await app.stop();
    },
    { scope: 'worker', timeout: 90_000 },
  ],
});

export { expect } from '@playwright/test';
