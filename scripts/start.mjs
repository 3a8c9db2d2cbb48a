// `npm start`: build main, preload and renderer, then launch Electron. Electron is an optional
// dependency; where it is missing this says why and points at web mode.
import { spawn, spawnSync } from 'node:child_process';
import { findElectron, missingElectronMessage, npmNodeVersion, npmSkipsElectron, wantedElectronVersion } from './electron-install.mjs';

let electron = findElectron();
const npmNode = npmNodeVersion();
const npmCli = process.env['npm_execpath'];
if (electron.reason === 'package-missing' && npmSkipsElectron(npmNode) && npmCli && !npmSkipsElectron(process.version)) {
  // npm ran on a Node too old for Electron's engines and left it out, but this script runs on the
  // Node npm brought (see README, Runtime): the same install, run by that Node, adds it.
  console.log(
    `npm start: npm skipped Electron ${wantedElectronVersion()} at install (it runs on Node ${npmNode}; Electron needs 22.12 or newer). ` +
      `Installing it now with npm on Node ${process.version}...`,
  );
  spawnSync(process.execPath, [npmCli, 'install', '--no-save', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  electron = findElectron();
}
if (!electron.binary) {
  console.error(missingElectronMessage({ reason: electron.reason, version: wantedElectronVersion(), npmNode }));
  process.exit(1);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const build = spawnSync(npm, ['run', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const child = spawn(electron.binary, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
