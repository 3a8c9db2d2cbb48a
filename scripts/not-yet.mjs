// Placeholder for an npm script whose part of Kafka Desk has not been built yet.
// It says so and exits non-zero, so no script pretends to work.
const parts = {
  build: 'bundling main, preload and renderer (issue: the app)',
  start: 'the Electron app (issue: the app)',
  web: 'web mode (issue: the app)',
  cluster: 'the embedded cluster command (issue: the embedded broker)',
  dist: 'packaging with electron-builder (issue: the app)',
};
const name = process.argv[2] ?? 'unknown';
console.error(`npm run ${name}: not available yet — ${parts[name] ?? 'this part'} has not been built.`);
process.exit(1);
