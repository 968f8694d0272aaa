// Finds the Python files under the given paths, honouring .gitignore files and skipping
// virtual environments, caches and node_modules.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';

/** Folders never entered: version control, caches, virtual environments, installed packages. */
export const SKIP_DIRS = new Set([
  '.git', '.hg', '.svn', 'node_modules', '__pycache__', '.venv', 'venv', '.tox', '.nox', '.mypy_cache',
  '.pytest_cache', '.ruff_cache', 'site-packages', '.eggs', '.direnv',
]);

export interface WalkResult {
  files: string[];
  /**
   * Python files found but not listed, each with why: a symbolic link to a file outside the folder
   * walked or to nothing, a name that is not valid UTF-8. Worth one line to the user each.
   */
  notes: string[];
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

function realPath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/**
 * Why a symbolic link to a .py file is not checked, or null when it is: it is followed when it
 * leads to a regular file inside the folder walked (a file outside may not be the project's, and a
 * fix must never write there), and reported otherwise.
 */
function linkProblem(link: string, root: string): string | null {
  let target: string;
  try {
    target = fs.realpathSync(link);
    if (!fs.statSync(target).isFile()) return 'a symbolic link to something that is not a file';
  } catch {
    return 'a symbolic link to nothing (dangling)';
  }
  if (target !== root && !target.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) {
    return `a symbolic link to ${target}, outside ${root}`;
  }
  return null;
}

export function walk(paths: string[], options: { respectGitignore: boolean } = { respectGitignore: true }): WalkResult {
  const files: string[] = [];
  const missing: string[] = [];
  const notes: string[] = [];
  const links: { shown: string; target: string }[] = [];
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
    const root = realPath(path.resolve(p));
    const stack: { dir: string; shown: string; layers: IgnoreLayer[] }[] = [{ dir: path.resolve(p), shown: p, layers }];
    while (stack.length > 0) {
      const { dir, shown, layers: inherited } = stack.pop()!;
      const own = options.respectGitignore ? loadGitignore(dir) : null;
      const active = own ? [...inherited, own] : inherited;
      let raw: fs.Dirent<Buffer>[];
      try {
        raw = fs.readdirSync(dir, { withFileTypes: true, encoding: 'buffer' });
      } catch {
        continue;
      }
      const entries: { e: fs.Dirent<Buffer>; name: string }[] = [];
      for (const e of raw) {
        const name = e.name.toString('utf8');
        // a name that is not UTF-8 has no string path that reaches the file
        if (!Buffer.from(name, 'utf8').equals(e.name)) {
          if (name.endsWith('.py')) notes.push(`${path.join(shown, e.name.toString('latin1'))}: not checked: its name is not valid UTF-8 (rename it)`);
          continue;
        }
        entries.push({ e, name });
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const subdirs: { dir: string; shown: string; layers: IgnoreLayer[] }[] = [];
      for (const { e, name } of entries) {
        const full = path.join(dir, name);
        const shownPath = path.join(shown, name);
        if (e.isDirectory()) {
          if (SKIP_DIRS.has(name) || isVenv(full)) continue;
          if (isIgnored(active, full, true)) continue;
          subdirs.push({ dir: full, shown: shownPath, layers: active });
        } else if (name.endsWith('.py') && (e.isFile() || e.isSymbolicLink())) {
          if (isIgnored(active, full, false)) continue;
          if (e.isSymbolicLink()) {
            const why = linkProblem(full, root);
            if (why) notes.push(`${shownPath}: not checked: ${why}`);
            // checked under its own name unless the file it leads to is listed too (once is enough)
            else links.push({ shown: shownPath, target: fs.realpathSync(full) });
            continue;
          }
          add(shownPath);
        }
      }
      stack.push(...subdirs.reverse());
    }
  }
  for (const l of links) {
    if (seen.has(l.target)) continue;
    add(l.shown);
    seen.add(l.target);
  }
  return { files, missing, notes };
}

/**
 * Every Python file of a workspace, for the questions that read them all (the registry, the callers
 * of a function in other modules): the files known without listing (open buffers, analysed files)
 * and those under the roots, from the caller's own walk when it made one (`listed`), else walked now;
 * only the known ones for a virtual workspace (`onDisk` false). Absolute paths.
 */
export function workspaceFiles(roots: readonly string[], onDisk: boolean, known: Iterable<string>, listed: readonly string[] | undefined): Set<string> {
  const all = new Set<string>(known);
  if (onDisk && roots.length > 0) {
    try {
      for (const f of listed ?? walk([...roots]).files) all.add(path.resolve(f));
    } catch {
      // an unreadable root lists nothing more
    }
  }
  return all;
}
