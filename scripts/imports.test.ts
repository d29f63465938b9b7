/**
 * The house's import rules, checked on the source: no file imports itself
 * through others (a cycle, type-only imports included), shared/ imports none of
 * the other parts and server/ only shared/, and the relay's rooms/ and runs/ never import each other
 * (the socket dispatcher in relay/socket/ uses both).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PARTS = ['client/src', 'server', 'relay', 'runner', 'shared'];
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*'(\.{1,2}\/[^']+)'|import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g;

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name === 'fixtures' ? [] : sources(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')
      ? [path]
      : [];
  });
}

/** file → the project files it imports (relative paths from the root, .ts or .tsx). */
function importGraph(): Map<string, string[]> {
  const files = new Set(PARTS.flatMap(sources));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const targets: string[] = [];
    for (const match of text.matchAll(IMPORT)) {
      const spec = (match[1] ?? match[2])!;
      const base = relative(ROOT, resolve(ROOT, dirname(file), spec)).replace(/\.js$/, '');
      const target = [`${base}.ts`, `${base}.tsx`].find((candidate) => files.has(candidate));
      if (target) targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

const graph = importGraph();
const arrows = [...graph].flatMap(([from, targets]) => targets.map((to) => ({ from, to })));

describe('imports', () => {
  it('reads the house (a check of nothing would pass)', () => {
    expect(graph.size).toBeGreaterThan(200);
    expect(arrows.length).toBeGreaterThan(500);
  });

  it('form no cycle', () => {
    expect(cycles(graph).map((cycle) => cycle.join(' → '))).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const looped = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
    ]);
    expect(cycles(looped)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  it('keep shared/ free of the other parts, and server/ to shared/', () => {
    expect(arrows.filter(({ from, to }) => from.startsWith('shared/') && !to.startsWith('shared/'))).toEqual(
      [],
    );
    expect(
      arrows.filter(({ from, to }) => from.startsWith('server/') && !/^(server|shared)\//.test(to)),
    ).toEqual([]);
  });

  it('keep the relay’s rooms/ and runs/ apart', () => {
    const between = arrows.filter(
      ({ from, to }) =>
        (from.startsWith('relay/rooms/') && to.startsWith('relay/runs/')) ||
        (from.startsWith('relay/runs/') && to.startsWith('relay/rooms/')),
    );
    expect(between).toEqual([]);
  });
});
