// Where the optional "electron" package's binary is, for `npm start` and `npm run dist`.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The Electron binary `npm install` downloaded, or null when the package or its binary is missing. */
export function electronBinary() {
  try {
    // In Node, the electron package exports the path of its binary; it throws when the binary was
    // never downloaded.
    const binary = require('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/** The unpacked Electron distribution that binary belongs to, or null. */
export function electronDist() {
  if (!electronBinary()) return null;
  const dist = path.join(path.dirname(require.resolve('electron/package.json')), 'dist');
  return existsSync(dist) ? dist : null;
}
