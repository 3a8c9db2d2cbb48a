/**
 * Benchmark dispatcher: `npm run bench -- <name>` runs the default export of bench/<name>.ts
 * (`export default async function run(): Promise<void>`); with no name it lists the benches.
 * Files starting with `_` are helpers, not benches.
 */
import '../electron/core/runtime-guard'; // first: a plain message on a Node too old
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));

function availableBenches(): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_') && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function main(): Promise<number> {
  const name = process.argv[2];
  const available = availableBenches();
  if (name === undefined || name === '' || name === '--list') {
    console.log('usage: npm run bench -- <name>');
    console.log(`available benches: ${available.join(', ') || '(none)'}`);
    return 0;
  }
  if (!available.includes(name)) {
    console.error(`unknown bench "${name}"; available benches: ${available.join(', ') || '(none)'}`);
    return 1;
  }
  const module = (await import(pathToFileURL(join(dir, `${name}.ts`)).href)) as { default?: unknown };
  if (typeof module.default !== 'function') {
    console.error(`bench/${name}.ts has no default export function run(): Promise<void>`);
    return 1;
  }
  await (module.default as () => Promise<void>)();
  return 0;
}

process.exitCode = await main();
