// Finds the Python files under the given paths, honouring .gitignore files and skipping
// virtual environments, caches and node_modules.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';

const SKIP_DIRS = new Set([
  '.git', '.hg', '.svn', 'node_modules', '__pycache__', '.venv', 'venv', '.tox', '.nox', '.mypy_cache',
  '.pytest_cache', '.ruff_cache', 'site-packages', '.eggs', '.direnv',
]);

export interface WalkResult {
  files: string[];
  /** Paths given on the command line that do not exist. */
  missing: string[];
}

interface IgnoreLayer {
  base: string;
  ig: Ignore;
}

function loadGitignore(dir: string): IgnoreLayer | null {
  const file = path.join(dir, '.gitignore');
  try {
    const text = fs.readFileSync(file, 'utf8');
    return { base: dir, ig: ignore().add(text) };
  } catch {
    return null;
  }
}

function isIgnored(layers: IgnoreLayer[], p: string, isDir: boolean): boolean {
  for (const l of layers) {
    const rel = path.relative(l.base, p).split(path.sep).join('/');
    if (!rel || rel.startsWith('..')) continue;
    if (l.ig.ignores(isDir ? rel + '/' : rel)) return true;
  }
  return false;
}

/** A folder that is a virtual environment (has pyvenv.cfg). */
function isVenv(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'pyvenv.cfg'));
}

/** Gitignore layers that apply to `dir` from the repository root (or filesystem root) down. */
function ancestorLayers(dir: string): IgnoreLayer[] {
  const chain: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    chain.unshift(d);
    if (fs.existsSync(path.join(d, '.git')) || path.dirname(d) === d) break;
  }
  return chain.map(loadGitignore).filter((l): l is IgnoreLayer => l !== null);
}

export function walk(paths: string[], options: { respectGitignore: boolean } = { respectGitignore: true }): WalkResult {
  const files: string[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  const add = (f: string) => {
    const key = path.resolve(f);
    if (!seen.has(key)) {
      seen.add(key);
      files.push(f);
    }
  };
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      missing.push(p);
      continue;
    }
    if (st.isFile()) {
      add(p); // named explicitly: always checked
      continue;
    }
    if (!st.isDirectory()) continue;
    const layers = options.respectGitignore ? ancestorLayers(path.resolve(p)).filter((l) => l.base !== path.resolve(p)) : [];
    const stack: { dir: string; shown: string; layers: IgnoreLayer[] }[] = [{ dir: path.resolve(p), shown: p, layers }];
    while (stack.length > 0) {
      const { dir, shown, layers: inherited } = stack.pop()!;
      const own = options.respectGitignore ? loadGitignore(dir) : null;
      const active = own ? [...inherited, own] : inherited;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const subdirs: { dir: string; shown: string; layers: IgnoreLayer[] }[] = [];
      for (const e of entries) {
        const full = path.join(dir, e.name);
        const shownPath = path.join(shown, e.name);
        if (e.isDirectory()) {
          if (SKIP_DIRS.has(e.name) || isVenv(full)) continue;
          if (isIgnored(active, full, true)) continue;
          subdirs.push({ dir: full, shown: shownPath, layers: active });
        } else if (e.isFile() && e.name.endsWith('.py')) {
          if (isIgnored(active, full, false)) continue;
          add(shownPath);
        }
      }
      stack.push(...subdirs.reverse());
    }
  }
  return { files, missing };
}
