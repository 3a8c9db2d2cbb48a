/**
 * The seams of the main process, read from the sources' import statements (TypeScript's parser, no
 * bundler): the wire library (electron/kafka) stands alone, and the app — main, web mode, IPC, core,
 * services — reaches the embedded broker only through the embedded-cluster factory's dynamic import,
 * so no broker module loads while the embedded cluster is off.
 */
import { describe, expect, it } from 'vitest';
import { importsOf, sourceFiles, type ImportEdge } from '../support/import-graph';

/** Files a process loads from `entries` by static imports (type-only imports load nothing). */
function staticClosure(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const edge of importsOf(file)) if (edge.to && !edge.dynamic && !edge.typeOnly) queue.push(edge.to);
  }
  return seen;
}

const inBroker = (path: string | null) => path !== null && path.startsWith('electron/broker/');
const APP_DIRS = ['electron/main', 'electron/web', 'electron/ipc', 'electron/core', 'electron/services', 'electron/preload', 'shared'];
/** The processes and threads the app starts: Electron's main, web mode, the preload, the message worker. */
const ENTRIES = ['electron/main/index.ts', 'electron/web/cli.ts', 'electron/preload/index.ts', 'electron/services/messages/message-worker.ts'];
const FACTORY = 'electron/services/embedded-cluster/factory.ts';

describe('import boundaries', () => {
  it('the app imports the broker only through the embedded-cluster factory, dynamically', () => {
    const violations: string[] = [];
    const factoryImports: ImportEdge[] = [];
    for (const dir of APP_DIRS) {
      for (const file of sourceFiles(dir)) {
        for (const edge of importsOf(file)) {
          if (!inBroker(edge.to)) continue;
          if (file === FACTORY && edge.dynamic) factoryImports.push(edge);
          else violations.push(`${file} imports ${edge.specifier}${edge.typeOnly ? ' (types)' : ''}${edge.dynamic ? ' (dynamic)' : ''}`);
        }
      }
    }
    expect(violations).toEqual([]);
    // The check sees the one door it allows (so it is looking at the right files).
    expect(factoryImports.map((edge) => edge.to).sort()).toEqual(['electron/broker/cluster/cluster.ts', 'electron/broker/registry/index.ts']);
  });

  it('no broker module loads with the app until the embedded cluster starts', () => {
    const loaded = staticClosure(ENTRIES);
    expect([...loaded].filter(inBroker)).toEqual([]);
    // The services' wire code is loaded, from the wire library.
    expect(loaded).toContain('electron/core/app-core.ts');
    expect(loaded).toContain('electron/kafka/records/batch-header.ts');
    expect(loaded).toContain('electron/kafka/protocol/generated/index.ts');
    // Through the factory's dynamic import the broker is reachable, so the walk would see it there.
    expect([...staticClosure(['electron/broker/cluster/cluster.ts'])].some((file) => file.startsWith('electron/broker/handlers/'))).toBe(true);
  });

  it('the wire library imports nothing of the app or the broker', () => {
    const outside = sourceFiles('electron/kafka')
      .flatMap(importsOf)
      .filter((edge) => edge.to !== null && !edge.to.startsWith('electron/kafka/'))
      .map((edge) => `${edge.from} imports ${edge.specifier}`);
    expect(outside).toEqual([]);
  });
});
