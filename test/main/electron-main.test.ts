// The bundled Electron main process (out/main/index.js from electron-vite), run in Node against a
// recording double of Electron's API (Electron's binary cannot be installed on every machine): the
// window's security settings, navigation and permission rules, the CSP, one IPC handler per contract
// channel that refuses other frames, the embedded cluster started and closed before quitting.
// Then the same bundle as `npm run dist` packages it: the app archive holds the bundles and the
// production dependencies only, and the main process runs from the extracted archive alone.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { extractAll, listPackage } from '@electron/asar';
import { build } from 'electron-vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels, electronChannel } from '../../shared/ipc/contract';
import { freePortRange } from '../support/ports';
import { skipBecause } from '../support/skip';

const run = promisify(execFile);
const here = path.dirname(new URL(import.meta.url).pathname);

interface Observed {
  shown: boolean;
  loaded: string;
  webPreferences: Record<string, unknown> & { preload: string };
  preloadExists: boolean;
  openHandler: { action: string };
  navigationPrevented: boolean;
  channels: string[];
  embeddedState: string;
  eventsSent: string[];
  csp: string;
  permission: boolean;
  permissionChecks: boolean[] | null;
  navigation: Record<string, boolean>;
  ipcAnswered: Record<string, boolean>;
  created: { ok: boolean };
  refused: { ok: boolean; error?: { kind: string } };
  filtered: string[] | { message: string } | null;
  foreign: { ok: boolean; error?: { message: string } };
  info: { mode: string; secretStorage: string; userDataDir: string };
  menu: boolean;
  quitDeferred: boolean;
  quitCalledAfterClose: boolean;
}

/** Runs a main bundle against the Electron double with a one-broker embedded cluster on free ports. */
async function runMainBundle(
  bundle: string,
  userData: string,
  options: { embedded?: boolean; env?: Record<string, string>; probes?: string[] } = {},
): Promise<Observed> {
  // A free first port for the embedded cluster comes from the saved settings, like a user would set.
  await writeFile(
    path.join(userData, 'settings.json'),
    JSON.stringify({ embedded: { enabled: options.embedded ?? true, brokers: 1, basePort: await freePortRange(1), dataDir: '', schemaRegistryPort: 0 } }),
  );
  const { stdout } = await run(
    process.execPath,
    ['--import', path.join(here, 'electron-double/register.mjs'), path.join(here, 'electron-double/run-main.mjs')],
    {
      env: { ...process.env, MAIN_BUNDLE: bundle, SMOKE_USER_DATA: userData, APP_URL_PROBES: JSON.stringify(options.probes ?? []), ...options.env },
      timeout: 90_000,
      maxBuffer: 32 * 1024 * 1024,
    },
  );
  const line = stdout.split('\n').find((text) => text.startsWith('{"shown"'));
  if (!line) throw new Error(`the main process printed no observations:\n${stdout}`);
  return JSON.parse(line) as Observed;
}

beforeAll(async () => {
  await build({ configFile: path.resolve('electron.vite.config.ts'), logLevel: 'warn' });
}, 180_000);

describe('Electron main process bundle', () => {
  let observed: Observed;
  let userData: string;

  beforeAll(async () => {
    userData = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-electron-'));
    observed = await runMainBundle(path.resolve('out/main/index.js'), userData, {
      probes: [
        `file://${path.resolve('out/renderer/index.html')}`,
        `file://${path.resolve('out/renderer/other.html')}`,
        'file:///etc/passwd',
        'https://example.com/',
      ],
    });
  }, 180_000);

  afterAll(async () => {
    if (userData) await rm(userData, { recursive: true, force: true });
  });

  it('opens one window on the built renderer with the secure webPreferences and a CommonJS preload', () => {
    expect(observed.shown).toBe(true);
    expect(observed.loaded).toBe(path.resolve('out/renderer/index.html'));
    expect(observed.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(observed.webPreferences.preload).toBe(path.resolve('out/preload/index.cjs'));
    expect(observed.preloadExists).toBe(true);
    expect(observed.menu).toBe(true);
  });

  it('denies new windows, navigation away, and permission requests and checks, and sends a strict CSP', () => {
    expect(observed.openHandler).toEqual({ action: 'deny' });
    expect(observed.navigationPrevented).toBe(true);
    expect(observed.permission).toBe(false);
    expect(observed.permissionChecks).toEqual([false, false, false, false]);
    // Only the built index.html is the app: other files, even beside it, are not.
    const index = `file://${path.resolve('out/renderer/index.html')}`;
    expect(observed.navigation).toEqual({
      [index]: true,
      [`file://${path.resolve('out/renderer/other.html')}`]: false,
      'file:///etc/passwd': false,
      'https://example.com/': false,
    });
    expect(observed.ipcAnswered).toEqual(observed.navigation);
    expect(observed.csp).toContain("script-src 'self'");
    expect(observed.csp).toContain("object-src 'none'");
  });

  it('registers exactly one handler per contract channel and refuses other frames', () => {
    expect([...observed.channels].sort()).toEqual(channels.map(electronChannel).sort());
    expect(observed.foreign).toEqual({ ok: false, error: { kind: 'invalid-request', message: 'Requests are only accepted from Kafka Desk itself.' } });
  });

  it('starts the embedded cluster, answers through IPC with validation, and pushes events to the window', () => {
    expect(observed.embeddedState).toBe('running');
    expect(observed.created.ok).toBe(true);
    expect(observed.refused).toMatchObject({ ok: false, error: { kind: 'invalid-request' } });
    // The bundled message worker decides "(a+)+$" (RE2, linear time): a×40+b does not match, aaaa does.
    expect(observed.filtered).toEqual(['aaaa']);
    expect(observed.eventsSent).toContain('kafka-desk-event:embedded.status');
    expect(observed.info).toMatchObject({ mode: 'electron', secretStorage: 'memory', userDataDir: userData });
  });

  it('closes the embedded cluster before letting the app quit', () => {
    expect(observed.quitDeferred).toBe(true);
    expect(observed.quitCalledAfterClose).toBe(true);
  });
});

describe('Electron main process in development (renderer on a dev server)', () => {
  let observed: Observed;
  let userData: string;
  const devServer = 'http://localhost:5173';

  beforeAll(async () => {
    userData = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-electron-dev-'));
    observed = await runMainBundle(path.resolve('out/main/index.js'), userData, {
      embedded: false,
      env: { ELECTRON_RENDERER_URL: devServer },
      probes: [
        `${devServer}/`,
        `${devServer}/index.html#/topics`,
        // A string prefix of the dev server's address, but another origin each.
        'http://localhost:51730/',
        'http://localhost:5173.evil.example/',
        'http://localhost:5173@evil.example/',
        'https://localhost:5173/',
        'http://127.0.0.1:5173/',
      ],
    });
  }, 180_000);

  afterAll(async () => {
    if (userData) await rm(userData, { recursive: true, force: true });
  });

  it("lets the window navigate, and IPC answer, only on the dev server's origin, not on a prefix of its address", () => {
    expect(observed.loaded).toBe(devServer);
    const expected = {
      [`${devServer}/`]: true,
      [`${devServer}/index.html#/topics`]: true,
      'http://localhost:51730/': false,
      'http://localhost:5173.evil.example/': false,
      'http://localhost:5173@evil.example/': false,
      'https://localhost:5173/': false,
      'http://127.0.0.1:5173/': false,
    };
    expect(observed.navigation).toEqual(expected);
    expect(observed.ipcAnswered).toEqual(expected);
    expect(observed.permissionChecks).toEqual([false, false, false, false]);
  });
});

describe('npm run dist', () => {
  let work: string;
  let unpacked: string;
  let archived: string[];
  let observed: Observed;

  beforeAll(async () => {
    // Outside the repository, so the extracted app cannot borrow the checkout's node_modules.
    work = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-dist-'));
    // electron-builder copies an Electron distribution into the package and renames its binary. The
    // real one cannot be downloaded on every machine, so a stand-in executable takes its place: what
    // is checked here is everything electron-builder adds around it.
    const electronDist = path.join(work, 'electron-dist');
    await mkdir(electronDist);
    await writeFile(path.join(electronDist, 'electron'), '#!/bin/sh\nexit 0\n');
    await chmod(path.join(electronDist, 'electron'), 0o755);
    await run(process.execPath, ['scripts/dist.mjs', '--no-build', '--dir', `-c.directories.output=${path.join(work, 'packages')}`], {
      env: { ...process.env, KAFKA_DESK_ELECTRON_DIST: electronDist },
      timeout: 150_000,
      maxBuffer: 32 * 1024 * 1024,
    });
    unpacked = path.join(work, 'packages', `linux-unpacked`);
    const archive = path.join(unpacked, 'resources', 'app.asar');
    archived = listPackage(archive, { isPack: false }).map((entry) => entry.replaceAll('\\', '/'));
    const app = path.join(work, 'app');
    extractAll(archive, app);
    const userData = path.join(work, 'user-data');
    await mkdir(userData);
    observed = await runMainBundle(path.join(app, 'out/main/index.js'), userData);
  }, 300_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('stops with a clear message when the given Electron distribution does not exist', async () => {
    const failed = await run(process.execPath, ['scripts/dist.mjs', '--dir'], {
      env: { ...process.env, KAFKA_DESK_ELECTRON_DIST: path.join(work, 'no-such-electron') },
    }).then(
      () => null,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('KAFKA_DESK_ELECTRON_DIST is');
    expect(failed?.stderr).toContain('does not exist');
  });

  it.skipIf(
    skipBecause('Linux package test', process.platform === 'linux' ? null : `npm run dist builds the Linux package only on Linux, not ${process.platform}`),
  )('packages the app for Linux under its executable name', () => {
    expect(existsSync(path.join(unpacked, 'kafka-desk'))).toBe(true);
  });

  it('archives the three bundles and the production dependencies, nothing from development', () => {
    for (const file of ['/package.json', '/out/main/index.js', '/out/preload/index.cjs', '/out/renderer/index.html']) expect(archived).toContain(file);
    for (const dependency of ['@platformatic/kafka', 'ws', 'zod', 'snappy', 'lz4-napi', '@node-rs/crc32', '@bokuweb/zstd-wasm']) {
      expect(archived).toContain(`/node_modules/${dependency}/package.json`);
    }
    const packages = new Set(archived.map((entry) => /^\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(entry)?.[1]).filter(Boolean));
    for (const development of ['electron', 'electron-builder', 'react', 'recharts', 'zustand', 'vite', 'vitest', 'typescript', 'kafkajs', '@playwright/test']) {
      expect(packages).not.toContain(development);
    }
    expect(archived.filter((entry) => /^\/(electron|renderer\/src|shared|test|scripts|bench)\//.test(entry))).toEqual([]);
    expect(archived.filter((entry) => entry.endsWith('.map'))).toEqual([]);
  });

  it('keeps the native compression and checksum modules outside the archive, where Electron can load them', async () => {
    const native = (await readdir(path.join(unpacked, 'resources', 'app.asar.unpacked'), { recursive: true })).filter((file) => file.endsWith('.node'));
    expect(native.length).toBeGreaterThanOrEqual(3);
  });

  it('runs from the extracted archive alone: window, embedded cluster and IPC', () => {
    expect(observed.shown).toBe(true);
    expect(observed.loaded).toBe(path.join(work, 'app', 'out/renderer/index.html'));
    expect(observed.preloadExists).toBe(true);
    expect(observed.embeddedState).toBe('running');
    expect(observed.created.ok).toBe(true);
    expect(observed.quitCalledAfterClose).toBe(true);
  });
});
