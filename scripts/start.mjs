// `npm start`: build main, preload and renderer, then launch Electron. Electron is an optional
// dependency; where its binary could not be installed this says so and points at web mode.
import { spawn, spawnSync } from 'node:child_process';
import { electronBinary } from './electron-install.mjs';

const binary = electronBinary();
if (!binary) {
  console.error(
    [
      'npm start: Electron is not installed on this machine (the optional "electron" package or its binary is missing).',
      'Run `npm install` where Electron can be downloaded, or use the same app in a browser:',
      '',
      '  npm run web',
      '',
    ].join('\n'),
  );
  process.exit(1);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const build = spawnSync(npm, ['run', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const child = spawn(binary, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
