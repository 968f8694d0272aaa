// Finds the configuration and the DBOS version that apply to a file on disk.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, parseVersion, readPyproject, resolveConfig, versionFromRequirement, type ResolvedConfig, type UserConfig } from './config';

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
}

interface DirInfo {
  configFile: string | null;
  layer: UserConfig | null;
  version: [number, number] | null;
  versionSource: string | null;
  errors: string[];
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
    };
  }

  private lookup(dir: string): DirInfo {
    const hit = this.dirs.get(dir);
    if (hit) return hit;
    const parent = path.dirname(dir);
    const up: DirInfo | null = parent !== dir ? this.lookup(parent) : null;
    const info: DirInfo = up
      ? { ...up, errors: up.errors }
      : { configFile: null, layer: null, version: null, versionSource: null, errors: [] };
    // one listing of the folder answers which of the files below exist (instead of a stat each)
    const names = listing(dir);
    const own = readDirVersion(dir, names);
    const pyproject = path.join(dir, 'pyproject.toml');
    let pyVersion: [number, number] | null = null;
    if (names.has('pyproject.toml') && isFile(pyproject)) {
      try {
        const p = readPyproject(fs.readFileSync(pyproject, 'utf8'), pyproject);
        if (p.config) {
          info.configFile = pyproject;
          info.layer = p.config;
          info.errors = [];
        }
        if (p.dbosRequirement !== undefined) pyVersion = versionFromRequirement(p.dbosRequirement);
        if (p.lineLength !== undefined) info.lineLength = p.lineLength;
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        info.configFile = pyproject;
        info.layer = null;
        info.errors = [e.message];
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

/** The dbos version from a lock file or requirements file in one folder (`names`: its listing). */
function readDirVersion(dir: string, names: Set<string>): { version: [number, number]; source: string } | null {
  for (const lock of LOCKS) {
    const p = path.join(dir, lock);
    if (!names.has(lock) || !isFile(p)) continue;
    const text = fs.readFileSync(p, 'utf8');
    const m = /\[\[package\]\]\s*\nname\s*=\s*"dbos"\s*\nversion\s*=\s*"(\d+)\.(\d+)/.exec(text);
    if (m) return { version: [Number(m[1]), Number(m[2])], source: p };
  }
  for (const n of [...names].filter((n) => /^requirements.*\.(txt|in)$/.test(n)).sort()) {
    const p = path.join(dir, n);
    const text = fs.readFileSync(p, 'utf8');
    const m = /^\s*dbos(?:\[[^\]]*\])?\s*([^#\n;]*)/im.exec(text);
    if (m) {
      const v = versionFromRequirement(m[1]);
      if (v) return { version: v, source: p };
    }
  }
  return null;
}
