// The local packages a root's pyproject.toml installs with the project: the members of a uv
// workspace (`[tool.uv.workspace] members = ["packages/*"]`) and path dependencies (uv's
// `[tool.uv.sources] x = { path = "libs/x" }`, Poetry's `x = { path = "../x", develop = true }`).
// `uv sync` and `poetry install` put each on the environment's import path, so the root's modules
// import their modules by name (`from interloper_dbos import DBOSRunner`, the package kept in
// `packages/interloper-dbos/src/interloper_dbos/`). The index looks up imports from these folders as
// it does from a root (the folder, and its `src/` when there is one).
import * as path from 'node:path';
import picomatch from 'picomatch';
import { parseToml } from '../toml';

/** What the reader needs of the file system. */
export interface MemberFiles {
  textOf(abs: string): string | null;
  isDir(abs: string): boolean;
  /** The subfolders of a folder, by name ([] when it cannot be listed). */
  subfolders(abs: string): string[];
}

/** Members listed at most, per root (a glob over a large tree stops there). */
export const MAX_MEMBERS = 256;
/** How many folder levels a `**` in a member glob descends. */
const GLOB_DEPTH = 4;

/** The roots, then the local packages their pyproject.toml install: where absolute imports are looked up. */
export function importRootsOf(roots: readonly string[], files: MemberFiles): string[] {
  return [...new Set([...roots, ...roots.flatMap((r) => memberFolders(r, files))])];
}

/** The folders of the local packages `root/pyproject.toml` installs (absolute, sorted, the root itself left out). */
export function memberFolders(root: string, files: MemberFiles): string[] {
  const text = files.textOf(path.join(root, 'pyproject.toml'));
  if (text === null) return [];
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch {
    return []; // the configuration reader reports a broken pyproject.toml
  }
  const tool = table(doc.tool);
  const uv = table(tool.uv);
  const workspace = table(uv.workspace);
  const found = new Set<string>();
  const excluded = strings(workspace.exclude).map((g) => picomatch(normalise(g), { dot: false }));
  for (const glob of strings(workspace.members)) {
    for (const rel of expand(root, normalise(glob), files)) {
      if (!excluded.some((m) => m(rel))) found.add(path.join(root, rel));
    }
  }
  const poetry = table(tool.poetry);
  const dependencyTables = [table(uv.sources), table(poetry.dependencies), table(poetry['dev-dependencies'])];
  for (const group of Object.values(table(poetry.group))) dependencyTables.push(table(table(group).dependencies));
  for (const deps of dependencyTables) {
    for (const spec of Object.values(deps)) {
      const p = table(spec).path;
      if (typeof p === 'string' && p !== '') found.add(path.resolve(root, p));
    }
  }
  found.delete(path.resolve(root));
  return [...found].filter((f) => files.isDir(f)).sort().slice(0, MAX_MEMBERS);
}

/** The folders under `root` a member glob names, relative, `/`-separated. */
function expand(root: string, glob: string, files: MemberFiles): string[] {
  let level = [''];
  for (const segment of glob.split('/')) {
    if (segment === '' || segment === '.') continue;
    const next: string[] = [];
    if (segment === '**') {
      // zero or more folders
      let frontier = level;
      next.push(...level);
      for (let d = 0; d < GLOB_DEPTH && frontier.length > 0 && next.length < MAX_MEMBERS; d++) {
        frontier = frontier.flatMap((rel) => files.subfolders(path.join(root, rel)).map((n) => join(rel, n)));
        next.push(...frontier);
      }
    } else if (picomatch.scan(segment).isGlob) {
      const match = picomatch(segment);
      for (const rel of level) for (const name of files.subfolders(path.join(root, rel))) if (match(name)) next.push(join(rel, name));
    } else {
      for (const rel of level) next.push(join(rel, segment));
    }
    level = next.slice(0, MAX_MEMBERS);
  }
  return level.filter((rel) => rel !== '');
}

function join(rel: string, name: string): string {
  return rel === '' ? name : `${rel}/${name}`;
}

function normalise(glob: string): string {
  return glob.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
}

function table(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}
