import './electron/core/runtime-guard'; // first: a plain message on a Node too old for the tests
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Broker tests bind real ports; files run in parallel workers on distinct ports.
    pool: 'forks',
  },
});
