// The renderer's Vite config, used by electron-vite (npm run build) and on its own for web mode
// (npm run build:renderer), so both serve the very same bundle.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import type { UserConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export const rendererConfig = {
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: path.resolve(here, '../out/renderer'),
    emptyOutDir: true,
    // Chromium of Electron 38 and any current Chromium for web mode.
    target: 'chrome130',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 2000,
  },
} satisfies UserConfig;

export default rendererConfig;
