// `npm run dist`: build main, preload and renderer, then package them with electron-builder
// (build/electron-builder.yml) into installers for this OS under out/packages/. Arguments go to
// electron-builder, e.g. `npm run dist -- --dir` (an unpacked app only) or `-- --linux deb`.
//
// electron-builder packages an Electron distribution for the target OS. It uses, in order:
// KAFKA_DESK_ELECTRON_DIST (an unpacked Electron directory), the optional "electron" package's own
// binary when `npm install` could download it, or else it downloads Electron itself (needs github.com).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { electronDist } from './electron-install.mjs';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const skipBuild = args.includes('--no-build');
const builderArgs = args.filter((arg) => arg !== '--no-build');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function electronVersion() {
  const config = readFileSync(path.resolve('build/electron-builder.yml'), 'utf8');
  return /^electronVersion:\s*(\S+)/m.exec(config)?.[1] ?? 'unknown';
}

const configured = process.env['KAFKA_DESK_ELECTRON_DIST'];
if (configured && !existsSync(configured)) {
  console.error(`npm run dist: KAFKA_DESK_ELECTRON_DIST is ${configured}, which does not exist.`);
  process.exit(1);
}
const electronDistribution = configured || electronDist();

if (!skipBuild) {
  const build = spawnSync(npm, ['run', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

if (!electronDistribution) {
  console.log(`npm run dist: Electron is not installed here; electron-builder will download Electron ${electronVersion()}.`);
}
const builder = path.join(path.dirname(require.resolve('electron-builder/package.json')), 'cli.js');
const packaged = spawnSync(
  process.execPath,
  [builder, '--config', 'build/electron-builder.yml', ...(electronDistribution ? [`-c.electronDist=${electronDistribution}`] : []), ...builderArgs],
  { stdio: 'inherit' },
);
if (packaged.status !== 0) {
  console.error(
    [
      '',
      `npm run dist: electron-builder failed (exit ${packaged.status ?? packaged.signal}).`,
      electronDistribution
        ? `It packaged the Electron distribution at ${electronDistribution}.`
        : `It had to download Electron ${electronVersion()} and the tools of the chosen targets (AppImage, deb, dmg, nsis) from github.com; ` +
          'where that is not reachable, set KAFKA_DESK_ELECTRON_DIST to an unpacked Electron of that version and build `--dir` or `--linux tar.gz`.',
    ].join('\n'),
  );
  process.exit(packaged.status ?? 1);
}
console.log('npm run dist: packages are in out/packages/');
