// electron-vite: main (ESM), preload (CommonJS, fully bundled so it runs in a sandboxed renderer)
// and the renderer (shared with web mode through renderer/vite.config.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'electron-vite';
import { rendererConfig } from './renderer/vite.config';

// Electron is an optional dependency; electron-vite reads its version to choose build targets. Where
// it is absent (machines without the binary) the version in package.json is the right target.
// (electron-vite 6.0 knows targets up to Electron 44 and uses those for newer majors: Node 24, Chrome 152.)
const electronVersion = (JSON.parse(readFileSync(path.resolve('package.json'), 'utf8')) as { optionalDependencies: Record<string, string> })
  .optionalDependencies['electron'];
process.env.ELECTRON_MAJOR_VER ??= electronVersion?.split('.')[0];

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // The message worker (filters, schema decoding) is a thread of its own: out/main/message-worker.js.
      rolldownOptions: {
        input: { index: path.resolve('electron/main/index.ts'), 'message-worker': path.resolve('electron/services/messages/message-worker.ts') },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: path.resolve('electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    ...rendererConfig,
    build: {
      ...rendererConfig.build,
      rolldownOptions: { input: path.resolve('renderer/index.html') },
    },
  },
});
