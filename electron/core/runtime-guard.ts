// Imported first by every entry point that runs in plain Node (web mode, the cluster CLI, benches, the
// test configs): on a Node too old for Kafka Desk it prints what to do and exits, before any other
// module is evaluated (ES modules run in import order, and only `node:` modules are imported here).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentRuntime, isSupportedNodeVersion, runtimeProblem } from './runtime';

if (!isSupportedNodeVersion(process.version)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const problem = runtimeProblem(currentRuntime(root));
  if (problem) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
}
