/**
 * The broker's seams, read from the sources' imports with TypeScript's parser: the parts that used to be
 * handed the whole Broker (group coordinator, offsets store, replica fetcher, request dispatcher) see it
 * only through small interfaces of their own, so no module of electron/broker imports, even for types,
 * one that leads back to itself.
 */
import { describe, expect, it } from 'vitest';
import { importsOf, sourceFiles } from '../support/import-graph';

const BROKER = 'electron/broker/cluster/broker.ts';
/** The parts that get an interface of what they use instead of the Broker. */
const SEAMED = [
  'electron/broker/groups/coordinator.ts',
  'electron/broker/groups/group-partitions.ts',
  'electron/broker/groups/group-membership.ts',
  'electron/broker/groups/group-offsets.ts',
  'electron/broker/groups/offsets-store.ts',
  'electron/broker/cluster/replica-fetcher.ts',
  'electron/broker/server/dispatcher.ts',
];

/** Broker module -> the broker modules it imports (static, dynamic and type-only alike). */
function brokerGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles('electron/broker')) {
    graph.set(
      file,
      importsOf(file)
        .map((edge) => edge.to)
        .filter((to): to is string => to !== null && to.startsWith('electron/broker/')),
    );
  }
  return graph;
}

/** The import cycles of a graph: its strongly connected components of more than one module, or a module importing itself (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** Every broker module `file` reaches through its imports. */
function reachable(graph: Map<string, string[]>, file: string): Set<string> {
  const seen = new Set<string>();
  const queue = [...(graph.get(file) ?? [])];
  while (queue.length > 0) {
    const next = queue.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...(graph.get(next) ?? []));
  }
  return seen;
}

describe('broker seams', () => {
  const graph = brokerGraph();

  it('finds the cycles it looks for', () => {
    // The detector itself, on a graph with a circle, a self-import and a tail.
    const sample = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
    ]);
    expect(cycles(sample)).toEqual([['a', 'b', 'c'], ['e']]);
    // It reads the real graph: the Broker builds the coordinator and the fetcher, the cluster hands it a dispatcher.
    expect(graph.get(BROKER)).toEqual(
      expect.arrayContaining(['electron/broker/groups/coordinator.ts', 'electron/broker/cluster/replica-fetcher.ts', 'electron/broker/server/dispatcher.ts']),
    );
    for (const file of SEAMED) expect(graph.has(file)).toBe(true);
  });

  it('no module of electron/broker takes part in an import cycle, type imports included', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('the coordinator, the offsets store, the replica fetcher and the dispatcher do not reach the Broker', () => {
    const reaching = SEAMED.filter((file) => reachable(graph, file).has(BROKER));
    expect(reaching).toEqual([]);
  });
});
