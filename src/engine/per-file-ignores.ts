// per-file-ignores: a glob compiled into a matcher of file paths (Ruff's semantics), and why a glob is refused.
import * as path from 'node:path';
import picomatch from 'picomatch';

/** A per-file-ignores entry, compiled. */
export interface PerFileIgnore {
  glob: string;
  codes: string[];
  /** Whether the entry applies to a file (absolute or as given; `/` or `\` separators). */
  matches(file: string): boolean;
}

/**
 * A per-file-ignores glob, matched with picomatch (Ruff's semantics): against the file's path relative
 * to `base` (the pyproject.toml's folder), and against its file name, so `"__init__.py"` and
 * `"test_*.py"` apply in every folder and `"tests/**"` to the project's top-level `tests` folder.
 * Without a base, against the path's trailing segments. `globProblem` has bounded the pattern's
 * wildcards, and paths longer than MAX_GLOB_PATH characters match nothing: picomatch compiles to a
 * backtracking regular expression, whose cost grows as the path length to the power of the wildcards.
 */
export function compilePerFileIgnore(glob: string, codes: string[], base: string | undefined): PerFileIgnore {
  const match = picomatch(glob, GLOB_OPTIONS);
  const baseNorm = base === undefined ? undefined : slashes(base).replace(/\/+$/, '');
  return {
    glob,
    codes,
    matches(file: string): boolean {
      const f = slashes(base === undefined ? file : path.resolve(file));
      const name = f.slice(f.lastIndexOf('/') + 1);
      if (name.length <= MAX_GLOB_PATH && match(name)) return true;
      if (baseNorm !== undefined) {
        if (!f.startsWith(baseNorm + '/')) return false;
        const rel = f.slice(baseNorm.length + 1);
        return rel.length <= MAX_GLOB_PATH && match(rel);
      }
      // no base: any trailing run of segments
      for (let i = f.indexOf('/'); i >= 0 && f.length - i - 1 <= MAX_GLOB_PATH; i = f.indexOf('/', i + 1)) if (match(f.slice(i + 1))) return true;
      return f.length <= MAX_GLOB_PATH && match(f);
    },
  };
}

function slashes(p: string): string {
  return p.replace(/\\/g, '/');
}

const GLOB_OPTIONS: picomatch.PicomatchOptions = { dot: true, noextglob: true, nonegate: true };
/** Paths (relative to the glob's folder) longer than this match no per-file-ignores glob. */
const MAX_GLOB_PATH = 1024;
/** Wildcards (`*`, `?`, a run of `**` segments, `{...}`) in one glob, at most. */
const MAX_GLOB_WILDCARDS = 3;

/** Why a per-file-ignores glob is refused, or null when it is fine. */
export function globProblem(glob: string): string | null {
  if (glob.trim() === '') return 'is empty';
  if (glob.length > 512) return 'is longer than 512 characters';
  if (glob.startsWith('!')) return 'starts with "!" (negated globs are not supported)';
  // a run of `**/` segments counts once (picomatch collapses it)
  const wildcards = (glob.replace(/(\*\*\/)+/g, '** ').match(/\*+|\?|\{/g) ?? []).length;
  if (wildcards > MAX_GLOB_WILDCARDS) {
    return `has ${wildcards} wildcards (*, **, ?, {...}); at most ${MAX_GLOB_WILDCARDS} are allowed, as each one multiplies the cost of matching a path: split it into several patterns`;
  }
  try {
    picomatch.makeRe(glob, GLOB_OPTIONS);
  } catch (e) {
    return `is not a valid glob (${(e as Error).message})`;
  }
  return null;
}
