import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/** One import of a project file by another, as written in the source. */
export interface ImportEdge {
  from: string;
  to: string;
}

// Static imports and re-exports, dynamic import(), and worker/child entry points given as
// `new URL('./file', import.meta.url)`: every way a file here reaches another.
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|new URL\(\s*)(['"])(\.{1,2}\/[^'"]+)\1/g;

/** Every relative import in the project's source files below `roots`, as paths relative to `repo`. */
export function importGraph(repo: string, roots: readonly string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const visit = (path: string): void => {
    for (const name of readdirSync(join(repo, path))) {
      const child = join(path, name);
      if (statSync(join(repo, child)).isDirectory()) {
        if (name !== 'node_modules') visit(child);
      } else if (/\.(ts|js|mjs)$/.test(name)) {
        const source = readFileSync(join(repo, child), 'utf8');
        for (const match of source.matchAll(IMPORT)) edges.push({ from: child, to: normalize(join(dirname(child), match[2]!)) });
      }
    }
  };
  for (const root of roots) visit(root);
  return edges.map((e) => ({ from: relative('.', e.from), to: relative('.', e.to) }));
}

/** The top-level room of a path (`backend/ingest/ingest.ts` → `backend`). */
export const roomOf = (path: string): string => path.split('/')[0]!;

/** The folder of a path (`backend/ingest/ingest.ts` → `backend/ingest`). */
export const folderOf = (path: string): string => dirname(path);

/** Rooms each room may import besides itself; a room not named here may import anything. */
export type RoomRules = Record<string, readonly string[]>;

/** Files at the top of the repository that any room may read (the version comes from package.json). */
const SHARED_ROOT_FILES = new Set(['package.json']);

/** Imports that break the rules, as `from → to` lines. */
export function ruleBreaks(edges: readonly ImportEdge[], rules: RoomRules): string[] {
  const breaks: string[] = [];
  for (const { from, to } of edges) {
    if (SHARED_ROOT_FILES.has(to)) continue;
    const allowed = rules[roomOf(from)];
    const target = roomOf(to);
    if (allowed !== undefined && target !== roomOf(from) && !allowed.includes(target)) breaks.push(`${from} → ${to}`);
  }
  return breaks;
}

/** Each cycle of `arrows` once, as `a → b → … → a`, starting from its smallest node. */
function cyclesOf(arrows: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const cycles = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const walk = (node: string): void => {
    state.set(node, 'open');
    path.push(node);
    for (const next of [...(arrows.get(node) ?? [])].sort()) {
      if (state.get(next) === 'open') {
        const loop = path.slice(path.indexOf(next));
        const start = loop.indexOf([...loop].sort()[0]!);
        const rotated = [...loop.slice(start), ...loop.slice(0, start)];
        cycles.add([...rotated, rotated[0]].join(' → '));
      } else if (state.get(next) === undefined) walk(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of [...arrows.keys()].sort()) if (state.get(node) === undefined) walk(node);
  return [...cycles];
}

function arrowsOf(pairs: Iterable<[string, string]>): Map<string, Set<string>> {
  const arrows = new Map<string, Set<string>>();
  for (const [a, b] of pairs) {
    if (!arrows.has(a)) arrows.set(a, new Set());
    arrows.get(a)!.add(b);
  }
  return arrows;
}

/** Import cycles between files (what dependency-cruiser's `no-circular` forbids). */
export function fileCycles(edges: readonly ImportEdge[]): string[] {
  return cyclesOf(arrowsOf(edges.map((e): [string, string] => [e.from, e.to])));
}

const isWithin = (folder: string, other: string): boolean => other === folder || other.startsWith(`${folder}/`);

/**
 * Cycles between folders: a folder is a node, and an import from a file in one folder of a file
 * in another is an arrow. Arrows between a folder and one of its own subfolders do not count: a
 * room keeps its public index and its small shared helpers at its root, which its subfolders use.
 */
export function folderCycles(edges: readonly ImportEdge[]): string[] {
  const pairs: Array<[string, string]> = [];
  for (const { from, to } of edges) {
    const a = folderOf(from);
    const b = folderOf(to);
    if (!isWithin(a, b) && !isWithin(b, a)) pairs.push([a, b]);
  }
  return cyclesOf(arrowsOf(pairs));
}
