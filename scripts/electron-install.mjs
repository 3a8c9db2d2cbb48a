// Where the optional "electron" package's binary is, for `npm start` and `npm run dist`.
//
// Two things about Electron 45's npm package decide what can go wrong:
// - it declares `engines.node >= 22.12`, and npm 11 silently skips an optional dependency whose
//   engines do not match the Node npm itself runs on: `npm install` run by a Node 20 leaves it out;
// - it has no install script: the binary is downloaded from github.com the first time the package is
//   required (or with `npx install-electron`), and requiring it throws when that download fails.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** The Electron version package.json asks for (its optional dependency). */
export function wantedElectronVersion() {
  const pkg = JSON.parse(readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'package.json'), 'utf8'));
  return pkg.optionalDependencies?.electron ?? 'unknown';
}

/** Whether npm installed the optional "electron" package (with or without its binary). */
export function electronPackageInstalled() {
  try {
    require.resolve('electron/package.json');
    return true;
  } catch {
    return false;
  }
}

/**
 * The Electron binary, downloading it first if the package is installed without it: `{ binary }`, or
 * `{ binary: null, reason }` where reason is 'package-missing' or 'download-failed'.
 */
export function findElectron() {
  if (!electronPackageInstalled()) return { binary: null, reason: 'package-missing' };
  try {
    // In Node, the electron package exports the path of its binary, downloading it when missing.
    const binary = require('electron');
    if (typeof binary === 'string' && existsSync(binary)) return { binary };
  } catch {
    // The download failed (no network, github.com unreachable); Electron printed why.
  }
  return { binary: null, reason: 'download-failed' };
}

/** The Electron binary `npm install` (or its first use) downloaded, or null. */
export function electronBinary() {
  return findElectron().binary;
}

/** The unpacked Electron distribution that binary belongs to, or null. */
export function electronDist() {
  if (!electronBinary()) return null;
  const dist = path.join(path.dirname(require.resolve('electron/package.json')), 'dist');
  return existsSync(dist) ? dist : null;
}

/** The Node version in npm's user agent ("npm/11.19.1 node/v20.20.2 linux x64 ..."), i.e. the Node npm runs on. */
export function npmNodeVersion(userAgent = process.env['npm_config_user_agent'] ?? '') {
  return /\bnode\/(v\d+\.\d+\.\d+)/.exec(userAgent)?.[1] ?? null;
}

/** Whether npm, running on `version`, skips Electron's package for its engines (Node 22.12 or newer). */
export function npmSkipsElectron(version) {
  const match = /^v?(\d+)\.(\d+)\./.exec(version ?? '');
  if (!match) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major < 22 || (major === 22 && minor < 12);
}

/** What `npm start` says when it has no Electron to launch. */
export function missingElectronMessage({ reason, version, npmNode }) {
  const web = ['Or use the same app in a browser:', '', '  npm run web', ''];
  if (reason === 'download-failed') {
    return [
      `npm start: the Electron ${version} binary could not be downloaded (the electron package fetches it from github.com on first use).`,
      "Where github.com is reachable, run `npx install-electron` or `npm start` again; behind a mirror, set ELECTRON_MIRROR (see Electron's installation guide).",
      ...web,
    ].join('\n');
  }
  const skipped =
    npmNode && npmSkipsElectron(npmNode)
      ? `npm runs on Node ${npmNode} here, and npm skips Electron ${version} on a Node older than 22.12 (its engines); installing it with the Node npm brought did not succeed.`
      : 'The optional "electron" package is not installed (npm install --omit=optional, or a failed install).';
  return [
    `npm start: Electron is not installed on this machine. ${skipped}`,
    'Run `npm install` where Electron can be installed (Node 22.12 or newer running npm).',
    ...web,
  ].join('\n');
}
