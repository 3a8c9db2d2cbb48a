// The bundled Electron main process (out/main/index.js from electron-vite), run in Node against a
// recording double of Electron's API (Electron's binary cannot be installed on every machine): the
// window's security settings, navigation and permission rules, the CSP, one IPC handler per contract
// channel that refuses other frames, the embedded cluster started and closed before quitting.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'electron-vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels, electronChannel } from '../../shared/ipc/contract';

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
  created: { ok: boolean };
  refused: { ok: boolean; error?: { kind: string } };
  foreign: { ok: boolean; error?: { message: string } };
  info: { mode: string; secretStorage: string; userDataDir: string };
  menu: boolean;
  quitDeferred: boolean;
  quitCalledAfterClose: boolean;
}

describe('Electron main process bundle', () => {
  let observed: Observed;
  let userData: string;

  beforeAll(async () => {
    process.env['ELECTRON_MAJOR_VER'] ??= '38';
    await build({ configFile: path.resolve('electron.vite.config.ts'), logLevel: 'warn' });
    userData = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-electron-'));
    // A free first port for the embedded cluster comes from the saved settings, like a user would set.
    const { freePortRange } = await import('../services/helpers');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      path.join(userData, 'settings.json'),
      JSON.stringify({ embedded: { enabled: true, brokers: 1, basePort: await freePortRange(1), dataDir: '' } }),
    );
    const { stdout } = await run(process.execPath, ['--import', path.join(here, 'electron-double/register.mjs'), path.join(here, 'electron-double/run-main.mjs')], {
      env: { ...process.env, MAIN_BUNDLE: path.resolve('out/main/index.js'), SMOKE_USER_DATA: userData },
      timeout: 90_000,
      maxBuffer: 32 * 1024 * 1024,
    });
    const line = stdout.split('\n').find((text) => text.startsWith('{"shown"'));
    if (!line) throw new Error(`the main process printed no observations:\n${stdout}`);
    observed = JSON.parse(line) as Observed;
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

  it('denies new windows, navigation away, and permission requests, and sends a strict CSP', () => {
    expect(observed.openHandler).toEqual({ action: 'deny' });
    expect(observed.navigationPrevented).toBe(true);
    expect(observed.permission).toBe(false);
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
    expect(observed.eventsSent).toContain('kafka-desk-event:embedded.status');
    expect(observed.info).toMatchObject({ mode: 'electron', secretStorage: 'memory', userDataDir: userData });
  });

  it('closes the embedded cluster before letting the app quit', () => {
    expect(observed.quitDeferred).toBe(true);
    expect(observed.quitCalledAfterClose).toBe(true);
  });
});
