// Python module names of files, from their place under the workspace roots: packages with
// `__init__.py`, namespace packages (folders without one), the `src/` layout, and scripts run from
// their own folder (which Python puts first on sys.path).
import * as path from 'node:path';

export type Exists = (absPath: string) => boolean;

/**
 * The folder above the top package holding a file: the parent of the highest folder with an
 * `__init__.py` among the file's ancestors, namespace sub-packages (folders without one) in between
 * included. The climb stops at a project folder (pyproject.toml, setup.py), a `src` layout folder
 * (one that is not itself a package: with a `src/__init__.py`, `src` is the top package, imported
 * as `src.x`) and the workspace roots. Null when no ancestor is a package.
 */
export function packageBase(file: string, exists: Exists, roots: readonly string[] = []): string | null {
  let dir = path.dirname(file);
  let base: string | null = null;
  for (let i = 0; i < 64; i++) {
    if (exists(path.join(dir, '__init__.py'))) base = path.dirname(dir);
    const up = path.dirname(dir);
    if (up === dir || roots.includes(dir) || roots.includes(up) && !exists(path.join(up, '__init__.py'))) break;
    if (path.basename(up) === 'src' && !exists(path.join(up, '__init__.py'))) break;
    if (exists(path.join(dir, 'pyproject.toml')) || exists(path.join(dir, 'setup.py'))) break;
    dir = up;
  }
  return base;
}

/** The root (or `root/src`) a file sits under, the deepest one first. */
function rootBase(file: string, roots: readonly string[], isDir: (p: string) => boolean): string | null {
  let best: string | null = null;
  for (const r of roots) {
    for (const base of [path.join(r, 'src'), r]) {
      if (!isInside(file, base)) continue;
      if (base !== r && !isDir(base)) continue;
      if (!best || base.length > best.length) best = base;
    }
  }
  return best;
}

export function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function dotted(rel: string): string {
  const parts = rel.replace(/\\/g, '/').replace(/\.pyi?$/, '').split('/').filter(Boolean);
  if (parts[parts.length - 1] === '__init__') parts.pop();
  return parts.join('.');
}

/** The module name of a file: `app.helpers` for `<root>/app/helpers.py` or `<root>/src/app/helpers.py`. */
export function moduleNameOf(file: string, roots: readonly string[], exists: Exists, isDir: (p: string) => boolean): string {
  const pkg = packageBase(file, exists, roots);
  const base = pkg ?? rootBase(file, roots, isDir);
  const name = (base ? dotted(path.relative(base, file)) : '') || path.basename(file).replace(/\.pyi?$/, '');
  // the DBOS library's own sources are not user code of the library: keep them out of its namespace
  return name === 'dbos' || name.startsWith('dbos.') ? `_workspace.${name}` : name;
}

/** Folders an absolute import in `file` is looked up from, in Python's order for the usual layouts. */
export function importBases(file: string, roots: readonly string[], exists: Exists, isDir: (p: string) => boolean): string[] {
  const out: string[] = [path.dirname(file)];
  const pkg = packageBase(file, exists, roots);
  if (pkg) out.push(pkg);
  // a `src` package (`src/__init__.py`): its modules may also be imported from inside it, `src` on sys.path
  if (pkg && isInside(file, path.join(pkg, 'src'))) out.push(path.join(pkg, 'src'));
  for (const r of roots) {
    const src = path.join(r, 'src');
    if (isDir(src)) out.push(src);
    out.push(r);
  }
  return [...new Set(out)];
}

const candidates = new Map<string, readonly string[]>();

/**
 * Candidate files of a module under a base folder: `a/b.py`, then the package `a/b/__init__.py`.
 * Remembered (a path of strings only): the index probes the same modules from every file that
 * names them, and `path.join` normalises each time.
 */
export function moduleFiles(base: string, moduleName: string): readonly string[] {
  const key = base + '\0' + moduleName;
  let hit = candidates.get(key);
  if (!hit) {
    const rel = moduleName.split('.');
    hit = [path.join(base, ...rel) + '.py', path.join(base, ...rel, '__init__.py')];
    if (candidates.size > 20_000) candidates.clear();
    candidates.set(key, hit);
  }
  return hit;
}

/** Standard-library modules an import names that are never project modules (`importedModules` skips them). */
const STDLIB_IMPORT = /^(dbos|typing|os|sys|re|json|time|asyncio|logging|datetime|collections|pathlib|functools|itertools|dataclasses|abc|enum)(\.|$)/;

/**
 * The dotted names of the modules a file's import lines name (`from .helpers import x` in
 * `app/main.py` -> `app.helpers`), read from the text alone, relative imports made absolute from the
 * file's own module name; DBOS and common standard-library modules left out.
 */
export function* importedModules(file: string, text: string, ownModule: string): Generator<string> {
  const own = ownModule.split('.');
  const inInit = path.basename(file) === '__init__.py' ? 1 : 0;
  for (const m of text.matchAll(/^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import\b|import[ \t]+([\w.]+))/gm)) {
    const dots = m[1]?.length ?? 0;
    const name = dots > 0 ? [...own.slice(0, Math.max(0, own.length - dots + inInit)), ...(m[2] ? [m[2]] : [])].join('.') : m[2] || m[3];
    if (name && !STDLIB_IMPORT.test(name)) yield name;
  }
}
