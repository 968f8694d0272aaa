// Finds the configuration and the DBOS version that apply to a file on disk.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveConfig, type ResolvedConfig, type UserConfig } from './config';
import { ConfigError, readPyproject } from './user-config';
import { parseVersion, versionFromRequirement } from './version';

export interface FileSettings {
  config: ResolvedConfig;
  /** Target DBOS version ([major, minor]); null when unknown. */
  version: [number, number] | null;
  /** Where the version came from: `setting`, a lock file, pyproject.toml, requirements.txt. */
  versionSource: string | null;
  /** The pyproject.toml whose [tool.dbos-lint] applies, if any. */
  configFile: string | null;
  /** Problems found in configuration files (reported once, analysis goes on with defaults). */
  errors: string[];
  /**
   * Files the settings could not be read from that do not stop the check (a lock or requirements
   * file that cannot be read: the version comes from the other files). Reported once, as warnings.
   */
  notes: string[];
}

interface DirInfo {
  configFile: string | null;
  layer: UserConfig | null;
  version: [number, number] | null;
  versionSource: string | null;
  errors: string[];
  notes: string[];
  /** The nearest pyproject.toml's Ruff or Black `line-length`. */
  lineLength?: number;
}

const LOCKS = ['uv.lock', 'poetry.lock', 'pdm.lock'];

/** Per-process cache of directory lookups; `invalidate()` when files change. */
export class ProjectSettings {
  private readonly dirs = new Map<string, DirInfo>();
  /** The settings of each folder's files, for the current overrides. */
  private readonly settings = new Map<string, FileSettings>();

  /** `overrides`: editor settings or CLI flags, applied over the project's file. */
  constructor(private overrides: UserConfig[] = []) {}

  setOverrides(o: UserConfig[]): void {
    this.overrides = o;
    this.settings.clear();
  }

  invalidate(): void {
    this.dirs.clear();
    this.settings.clear();
  }

  /** The settings of a file (the same object for every file of a folder until `invalidate` or `setOverrides`). */
  forFile(file: string): FileSettings {
    const folder = path.dirname(path.resolve(file));
    let s = this.settings.get(folder);
    if (!s) this.settings.set(folder, (s = this.compute(folder)));
    return s;
  }

  private compute(folder: string): FileSettings {
    const dir = this.lookup(folder);
    const layers = [...(dir.lineLength ? [{ lineLength: dir.lineLength }] : []), ...(dir.layer ? [dir.layer] : []), ...this.overrides];
    const config = resolveConfig(layers);
    const pinned = parseVersion(config.targetVersion);
    return {
      config,
      version: pinned ?? dir.version,
      versionSource: pinned ? 'setting' : dir.versionSource,
      configFile: dir.configFile,
      errors: dir.errors,
      notes: dir.notes,
    };
  }

  private lookup(dir: string): DirInfo {
    const hit = this.dirs.get(dir);
    if (hit) return hit;
    const parent = path.dirname(dir);
    const up: DirInfo | null = parent !== dir ? this.lookup(parent) : null;
    const info: DirInfo = up
      ? { ...up, errors: up.errors, notes: up.notes }
      : { configFile: null, layer: null, version: null, versionSource: null, errors: [], notes: [] };
    // one listing of the folder answers which of the files below exist (instead of a stat each)
    const names = listing(dir);
    const own = readDirVersion(dir, names, info);
    const pyproject = path.join(dir, 'pyproject.toml');
    let pyVersion: [number, number] | null = null;
    if (names.has('pyproject.toml') && isFile(pyproject)) {
      const read = readText(pyproject);
      try {
        if ('error' in read) throw new ConfigError([`${pyproject}: cannot read the file (${read.error}), so its [tool.dbos-lint] settings are not applied`]);
        const p = readPyproject(read.text, pyproject);
        if (p.config) {
          info.configFile = pyproject;
          info.layer = { ...p.config, base: dir };
          info.errors = [];
        }
        if (p.dbosRequirement !== undefined) pyVersion = versionFromRequirement(p.dbosRequirement);
        if (p.lineLength !== undefined) info.lineLength = p.lineLength;
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        info.configFile = pyproject;
        info.layer = null;
        info.errors = [...e.problems];
      }
    }
    if (own) {
      info.version = own.version;
      info.versionSource = own.source;
    } else if (pyVersion) {
      info.version = pyVersion;
      info.versionSource = pyproject;
    }
    this.dirs.set(dir, info);
    return info;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The names in a folder (empty when it cannot be listed). */
function listing(dir: string): Set<string> {
  try {
    return new Set(fs.readdirSync(dir));
  } catch {
    return new Set();
  }
}

/** Why a read failed, in words. */
const READ_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOENT: 'it is gone, or a dangling symbolic link',
  ELOOP: 'a loop of symbolic links',
  EIO: 'input/output error',
};

/**
 * A configuration or pin file's text, or why it cannot be read: no read of the project's files may
 * end the process (a folder named requirements.txt, a dangling link, a file the user cannot read).
 * Files over MAX_PROJECT_FILE_BYTES are not read.
 */
function readText(p: string): { text: string } | { error: string } {
  try {
    const size = fs.statSync(p).size;
    if (size > MAX_PROJECT_FILE_BYTES) return { error: `${Math.round(size / (1024 * 1024))} MiB is over the ${MAX_PROJECT_FILE_BYTES / (1024 * 1024)} MiB limit for project files` };
    return { text: fs.readFileSync(p, 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: (code && READ_ERRORS[code]) ?? code ?? (e as Error).message };
  }
}

/** pyproject.toml, lock and requirements files larger than this are not read (the largest real lock files are a few MiB). */
const MAX_PROJECT_FILE_BYTES = 32 * 1024 * 1024;

/**
 * The dbos version from a lock file or requirements file in one folder (`names`: its listing). A
 * file that cannot be read adds a note to `info.errors`, and the next source is tried.
 */
function readDirVersion(dir: string, names: Set<string>, info: DirInfo): { version: [number, number]; source: string } | null {
  const read = (p: string): string | null => {
    if (!isFile(p)) return null; // a folder or a dangling link of that name is no pin file
    const r = readText(p);
    if ('text' in r) return r.text;
    info.notes = [...info.notes, `${p}: cannot read the file (${r.error}); the DBOS version is taken from the project's other files`];
    return null;
  };
  for (const lock of LOCKS) {
    if (!names.has(lock)) continue;
    const p = path.join(dir, lock);
    const text = read(p);
    const v = text === null ? null : lockedDbosVersion(text);
    if (v) return { version: v, source: p };
  }
  for (const n of [...names].filter((n) => /^requirements.*\.(txt|in)$/.test(n)).sort()) {
    const p = path.join(dir, n);
    const text = read(p);
    const req = text === null ? null : requiredDbos(text);
    const v = req === null ? null : versionFromRequirement(req);
    if (v) return { version: v, source: p };
  }
  return null;
}

/**
 * The version of the `dbos` package in a lock file (uv.lock, poetry.lock, pdm.lock: a `[[package]]`
 * table with `name = "dbos"` and then `version = "2.30.0"`), read line by line: linear in the text.
 */
export function lockedDbosVersion(text: string): [number, number] | null {
  let inDbos = false;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let end = text.indexOf('\n', lineStart);
    if (end < 0) end = text.length;
    const line = text.slice(lineStart, end).trim();
    lineStart = end + 1;
    if (line.startsWith('[')) inDbos = false;
    else if (/^name\s*=\s*"dbos"$/.test(line)) inDbos = true;
    else if (inDbos) {
      const m = /^version\s*=\s*"(\d+)\.(\d+)/.exec(line);
      if (m) return [Number(m[1]), Number(m[2])];
    }
  }
  return null;
}

/**
 * The version specifier of the first `dbos` requirement in a requirements file (`dbos>=2.9`,
 * `dbos[otel]==2.30.0 ; python_version>"3.9"`), read line by line (no regular expression over the
 * whole text: a multiline one took 5.4 s on 40,000 blank lines). Null when dbos is not required.
 */
export function requiredDbos(text: string): string | null {
  let lineStart = 0;
  while (lineStart <= text.length) {
    let end = text.indexOf('\n', lineStart);
    if (end < 0) end = text.length;
    // only lines that start with dbos are parsed
    const line = text.slice(lineStart, Math.min(end, lineStart + 4096));
    lineStart = end + 1;
    const m = /^\s*dbos(?![\w.-])(?:\[[^\]]*\])?\s*([^#;\r]*)/i.exec(line);
    if (m) return m[1].trim();
  }
  return null;
}
