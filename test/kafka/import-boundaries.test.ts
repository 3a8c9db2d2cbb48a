/**
 * The seams of the main process, read from the sources' import statements (TypeScript's parser, no
 * bundler): the wire library (electron/kafka) stands alone, and the app — main, web mode, IPC, core,
 * services — reaches the embedded broker only through the embedded-cluster factory's dynamic import,
 * so no broker module loads while the embedded cluster is off.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface ImportEdge {
  from: string;
  /** Repository-relative path of the imported source file; null for packages and node: modules. */
  to: string | null;
  specifier: string;
  dynamic: boolean;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir))) {
    const path = `${dir}/${entry}`;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(entry) && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function resolveSpecifier(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = join(dirname(from), specifier).replace(/\.(js|ts)$/, '');
  for (const candidate of [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`]) {
    try {
      if (statSync(join(ROOT, candidate)).isFile()) return relative(ROOT, join(ROOT, candidate)).split('\\').join('/');
    } catch {
      // not this one
    }
  }
  throw new Error(`${from}: cannot resolve ${specifier}`);
}

const edgeCache = new Map<string, ImportEdge[]>();

/** Every import of a file: static (import/export ... from), dynamic (import()), and whether type-only. */
function importsOf(file: string): ImportEdge[] {
  const cached = edgeCache.get(file);
  if (cached) return cached;
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const edges: ImportEdge[] = [];
  const add = (specifier: string, dynamic: boolean, typeOnly: boolean) =>
    edges.push({ from: file, to: resolveSpecifier(file, specifier), specifier, dynamic, typeOnly });
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((element) => element.isTypeOnly)));
      add(node.moduleSpecifier.text, false, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, false, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteralLike(argument)) add(argument.text, true, false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, false, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  edgeCache.set(file, edges);
  return edges;
}

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
