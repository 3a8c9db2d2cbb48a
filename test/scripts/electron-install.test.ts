// `npm start` and `npm run dist` find Electron through scripts/electron-install.mjs. Electron 45's
// package needs Node 22.12+ to install (npm 11 skips it on an older Node) and downloads its binary on
// first use; npm start installs it with the Node npm brought when npm itself ran on an older one.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without type declarations
import * as install from '../../scripts/electron-install.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { optionalDependencies: Record<string, string> };
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } }>;
};

describe('Electron install', () => {
  it('states one Electron version: package.json, the lockfile and the packaging config', () => {
    const version = pkg.optionalDependencies['electron'];
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(install.wantedElectronVersion()).toBe(version);
    expect(lock.packages['node_modules/electron']?.version).toBe(version);
    const builder = readFileSync(path.join(root, 'build/electron-builder.yml'), 'utf8');
    expect(/^electronVersion:\s*(\S+)/m.exec(builder)?.[1]).toBe(version);
  });

  it("knows when npm skips Electron: exactly the Node versions outside the package's engines", () => {
    expect(lock.packages['node_modules/electron']?.engines?.node).toBe('>= 22.12.0');
    for (const version of ['v18.20.0', 'v20.20.2', 'v22.11.9']) expect(install.npmSkipsElectron(version)).toBe(true);
    for (const version of ['v22.12.0', 'v24.22.3', 'v26.0.0']) expect(install.npmSkipsElectron(version)).toBe(false);
    expect(install.npmSkipsElectron(null)).toBe(false);
    expect(install.npmNodeVersion('npm/11.19.1 node/v20.20.2 linux x64 workspaces/false')).toBe('v20.20.2');
    expect(install.npmNodeVersion('')).toBeNull();
  });

  it('says why there is no Electron and points at web mode', () => {
    const skipped = install.missingElectronMessage({ reason: 'package-missing', version: '45.6.1', npmNode: 'v20.20.2' });
    expect(skipped).toContain('npm runs on Node v20.20.2');
    expect(skipped).toContain('older than 22.12');
    expect(skipped).toContain('npm run web');
    const omitted = install.missingElectronMessage({ reason: 'package-missing', version: '45.6.1', npmNode: 'v24.22.3' });
    expect(omitted).toContain('--omit=optional');
    const download = install.missingElectronMessage({ reason: 'download-failed', version: '45.6.1', npmNode: 'v24.22.3' });
    expect(download).toContain('binary could not be downloaded');
    expect(download).toContain('npx install-electron');
    expect(download).toContain('npm run web');
  });

  describe('npm start without the electron package', () => {
    // A copy of the scripts and package.json without node_modules: the electron package cannot resolve.
    const work = mkdtempSync(path.join(os.tmpdir(), 'kafka-desk-start-'));
    cpSync(path.join(root, 'scripts'), path.join(work, 'scripts'), { recursive: true });
    cpSync(path.join(root, 'package.json'), path.join(work, 'package.json'));
    // Stands in for npm's CLI (npm_execpath): records how it was run.
    const fakeNpm = path.join(work, 'fake-npm.mjs');
    writeFileSync(
      fakeNpm,
      "import { writeFileSync } from 'node:fs';\nwriteFileSync(process.env.FAKE_NPM_LOG, JSON.stringify({ node: process.version, args: process.argv.slice(2) }));\n",
    );
    const start = (userAgent: string) => {
      const log = path.join(work, `npm-${Math.random()}.json`);
      const run = spawnSync(process.execPath, [path.join(work, 'scripts/start.mjs')], {
        cwd: work,
        encoding: 'utf8',
        env: { ...process.env, npm_config_user_agent: userAgent, npm_execpath: fakeNpm, FAKE_NPM_LOG: log },
        timeout: 30_000,
      });
      let npm: { node: string; args: string[] } | null;
      try {
        npm = JSON.parse(readFileSync(log, 'utf8')) as { node: string; args: string[] };
      } catch {
        npm = null;
      }
      return { ...run, npm };
    };
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    it('installs it with npm on the Node running the script when npm itself ran on a Node too old for it', () => {
      const run = start('npm/11.19.1 node/v20.20.2 linux x64 workspaces/false');
      expect(run.npm).toEqual({ node: process.version, args: ['install', '--no-save', '--no-audit', '--no-fund'] });
      expect(run.stdout).toContain('npm skipped Electron');
      // The stand-in installed nothing, so it still says what to do.
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('npm run web');
    });

    it('installs nothing when npm ran on a Node Electron accepts, and says the package is missing', () => {
      const run = start('npm/11.19.1 node/v24.22.3 linux x64 workspaces/false');
      expect(run.npm).toBeNull();
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('The optional "electron" package is not installed');
      expect(run.stderr).toContain('npm run web');
    });
  });
});
