// Configuration: defaults <- [tool.dbos-lint] in pyproject.toml <- editor settings / CLI flags.
import { RULES, ruleMeta } from '../catalog/rules';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { SEVERITIES, type Severity } from './types';
import { braceExpansionCount } from './data/catalog';

// smol-toml ships CommonJS under its "require" export; its types are declared as ESM only.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse: parseToml } = require('smol-toml') as typeof import('smol-toml', { with: { 'resolution-mode': 'import' } });

export type SeveritySetting = Severity | 'off';

/** One layer of configuration, as written by the user. Every field is optional. */
export interface UserConfig {
  /** Codes or code prefixes to enable (`DBOS2`, `DBOS201`, `ALL`). Replaces the default set. */
  select?: string[];
  /** Codes or prefixes added to the selection. */
  extendSelect?: string[];
  /** Codes or prefixes to disable. */
  ignore?: string[];
  /** Per-code severity or `off`. */
  severity?: Record<string, SeveritySetting>;
  /** `auto` (read the project's pins), or a version such as `2.30` or `3`. */
  targetVersion?: string;
  /** `default` (core rules and the quiet extended ones) or `strict` (every rule). */
  profile?: 'default' | 'strict';
  extraNondeterministic?: string[];
  extraIo?: string[];
  /** Qualified names known to be deterministic and free of effects. */
  allow?: string[];
  /** Glob -> codes ignored in matching files. */
  perFileIgnores?: Record<string, string[]>;
  /**
   * The folder `perFileIgnores` globs are relative to (the pyproject.toml's folder, the workspace
   * folder for editor settings); set by whoever reads the layer, not written by the user.
   */
  base?: string;
  /** How many helper functions deep a workflow or step is followed (cross-file chains included). */
  maxCallDepth?: number;
  /** Time one file may take, read to rules (ms). */
  fileTimeBudgetMs?: number;
  /** Files larger than this (KiB) are not parsed. */
  maxFileSizeKb?: number;
  /** The longest line fixes write (default: Ruff's or Black's `line-length` in pyproject.toml, else 88). */
  lineLength?: number;
}

/** Black's and Ruff's default line length. */
export const DEFAULT_LINE_LENGTH = 88;

/** A per-file-ignores entry, compiled. */
export interface PerFileIgnore {
  glob: string;
  codes: string[];
  /** Whether the entry applies to a file (absolute or as given; `/` or `\` separators). */
  matches(file: string): boolean;
}

export interface ResolvedConfig {
  layers: UserConfig[];
  /** Codes that run, after select/ignore/severity off. */
  enabled: Set<string>;
  severity: Map<string, Severity>;
  targetVersion: string;
  extraNondeterministic: string[];
  extraIo: string[];
  allow: string[];
  perFileIgnores: PerFileIgnore[];
  /** Helper functions followed from a workflow or step, at most (default 5). */
  maxCallDepth: number;
  /** The time budget of one file, when configured (`file-time-budget-ms`); null: the host's default. */
  fileTimeBudgetMs: number | null;
  /** Files over this many bytes are not parsed (`max-file-size-kb`, default 2 MiB). */
  maxFileBytes: number;
  /** The longest line a fix writes before it breaks a call over lines, as Black and Ruff format it. */
  lineLength: number;
  /** The codes each file's path turns off through `perFileIgnores` (cached per path). */
  ignoredIn(file: string): ReadonlySet<string> | null;
}

/**
 * 5 helpers: deep enough for real chains (the corpus's and our sample apps' go 1 to 4 deep), short of
 * the initialisation paths (config loading, lazy clients) that long chains mostly end in.
 */
export const DEFAULT_MAX_CALL_DEPTH = 5;
export const MAX_MAX_CALL_DEPTH = 64;

/**
 * Files over 2 MiB are not parsed: the largest real Python files (generated protobuf modules,
 * vendored libraries) stay under it, and tree-sitter's wasm heap (at most 2 GB here) aborted the whole
 * process on a 47 MB file. `max-file-size-kb` raises it up to 16 MiB.
 */
export const DEFAULT_MAX_FILE_KB = 2048;
export const MAX_MAX_FILE_KB = 16384;
/** The longest `file-time-budget-ms` accepted (10 minutes). */
export const MAX_FILE_TIME_BUDGET_MS = 600_000;
/** Entries per list option (`extra-io`, `select`...): more is a mistake or an attack, never a configuration. */
export const MAX_LIST_ENTRIES = 10_000;
/** Names one entry of `extra-io`, `extra-nondeterministic` or `allow` may stand for (`pkg.{a,b}.{c,d}`: 4). */
export const MAX_NAME_EXPANSION = 256;

/**
 * Extended-tier rules that run by default: each was reviewed on a 154,000-line corpus of real DBOS
 * code (demo apps, DBOS's own tests, docs snippets, 13 other public apps) without a false alarm.
 * The others run with `profile = "strict"`: DBOS110, 214, 407, 503, 506, 805 (true findings,
 * but on patterns DBOS's own docs use, or single-file views that need the project index), DBOS905
 * (it judges names implemented outside the workspace; the corpus has no site to review it on), and
 * the hints DBOS217 and DBOS605, off by default as the catalog says. DBOS406 reads the workspace
 * registry (every queue registered under the roots) and gave nothing on the corpus in either profile.
 */
export const EXTENDED_DEFAULT_ON = new Set<string>([
  'DBOS105', 'DBOS208', 'DBOS211', 'DBOS213', 'DBOS216', 'DBOS301', 'DBOS303', 'DBOS402', 'DBOS406', 'DBOS408', 'DBOS409',
  'DBOS504', 'DBOS505', 'DBOS603', 'DBOS701', 'DBOS704', 'DBOS803', 'DBOS806', 'DBOS904',
]);

function matches(code: string, patterns: string[]): boolean {
  return patterns.some((p) => p === 'ALL' || code.startsWith(p.toUpperCase()));
}

/** Appends without a spread (`push(...list)` overflows the stack on a list of 100,000). */
function append<T>(to: T[], list: readonly T[] | undefined): void {
  if (list) for (const x of list) to.push(x);
}

/** Merges layers (later wins) into the effective configuration. */
export function resolveConfig(layers: UserConfig[] = []): ResolvedConfig {
  let select: string[] | undefined;
  const extend: string[] = [];
  const ignore: string[] = [];
  const sev = new Map<string, SeveritySetting>();
  let targetVersion = 'auto';
  let profile: 'default' | 'strict' = 'default';
  const extraNd: string[] = [];
  const extraIo: string[] = [];
  const allow: string[] = [];
  const pfi: PerFileIgnore[] = [];
  let maxCallDepth = DEFAULT_MAX_CALL_DEPTH;
  let fileTimeBudgetMs: number | null = null;
  let maxFileKb = DEFAULT_MAX_FILE_KB;
  let lineLength = DEFAULT_LINE_LENGTH;
  for (const l of layers) {
    if (l.maxCallDepth !== undefined) maxCallDepth = l.maxCallDepth;
    if (l.lineLength !== undefined) lineLength = l.lineLength;
    if (l.fileTimeBudgetMs !== undefined) fileTimeBudgetMs = l.fileTimeBudgetMs;
    if (l.maxFileSizeKb !== undefined) maxFileKb = l.maxFileSizeKb;
    if (l.select) {
      select = l.select;
      ignore.length = 0;
    }
    append(extend, l.extendSelect);
    append(ignore, l.ignore);
    for (const [code, s] of Object.entries(l.severity ?? {})) sev.set(code.toUpperCase(), s);
    if (l.targetVersion) targetVersion = l.targetVersion;
    if (l.profile) profile = l.profile;
    append(extraNd, l.extraNondeterministic);
    append(extraIo, l.extraIo);
    append(allow, l.allow);
    for (const [glob, codes] of Object.entries(l.perFileIgnores ?? {})) pfi.push(perFileIgnore(glob, codes, l.base));
  }
  const enabled = new Set<string>();
  const severity = new Map<string, Severity>();
  for (const r of RULES) {
    const byDefault = profile === 'strict' || r.tier === 'core' || EXTENDED_DEFAULT_ON.has(r.code);
    let on = select ? matches(r.code, select) : byDefault;
    if (matches(r.code, extend)) on = true;
    if (matches(r.code, ignore)) on = false;
    const s = sev.get(r.code);
    if (s === 'off') on = false;
    else if (s && !select && !on && !matches(r.code, ignore)) on = true; // giving a severity turns a rule on
    if (on) enabled.add(r.code);
    severity.set(r.code, s && s !== 'off' ? s : r.defaultSeverity);
  }
  return {
    layers,
    enabled,
    severity,
    targetVersion,
    extraNondeterministic: extraNd,
    extraIo,
    allow,
    perFileIgnores: pfi,
    maxCallDepth,
    lineLength,
    fileTimeBudgetMs,
    maxFileBytes: maxFileKb * 1024,
    ignoredIn: ignoredInCache(pfi),
  };
}

/** Paths whose per-file-ignores are remembered per configuration (a server sees each path many times). */
const IGNORED_CACHE_SIZE = 5000;

function ignoredInCache(pfi: PerFileIgnore[]): (file: string) => ReadonlySet<string> | null {
  if (pfi.length === 0) return () => null;
  const cache = new Map<string, ReadonlySet<string> | null>();
  return (file) => {
    let hit = cache.get(file);
    if (hit === undefined) {
      let codes: Set<string> | null = null;
      for (const p of pfi) {
        if (!p.matches(file)) continue;
        codes ??= new Set();
        for (const c of p.codes) for (const r of RULES) if (r.code.startsWith(c.toUpperCase())) codes.add(r.code);
      }
      hit = codes;
      if (cache.size >= IGNORED_CACHE_SIZE) cache.clear();
      cache.set(file, hit);
    }
    return hit;
  };
}

/**
 * A per-file-ignores glob, matched with picomatch (Ruff's semantics): against the file's path relative
 * to `base` (the pyproject.toml's folder), and against its file name, so `"__init__.py"` and
 * `"test_*.py"` apply in every folder and `"tests/**"` to the project's top-level `tests` folder.
 * Without a base, against the path's trailing segments. `validGlob` has bounded the pattern's
 * wildcards, and paths longer than MAX_GLOB_PATH characters match nothing: picomatch compiles to a
 * backtracking regular expression, whose cost grows as the path length to the power of the wildcards.
 */
function perFileIgnore(glob: string, codes: string[], base: string | undefined): PerFileIgnore {
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
function globProblem(glob: string): string | null {
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

export class ConfigError extends Error {
  /** `partial`: what was valid (a table's valid entries included), for readers that apply the valid part (editor settings). */
  constructor(
    readonly problems: string[],
    readonly partial: UserConfig = {},
  ) {
    super(problems.join('\n'));
  }
}

/** Option names as written in pyproject.toml, and the same options as editor settings name them. */
const KEYS = new Map<string, keyof UserConfig>([
  ['select', 'select'],
  ['extend-select', 'extendSelect'],
  ['ignore', 'ignore'],
  ['severity', 'severity'],
  ['target-version', 'targetVersion'],
  ['profile', 'profile'],
  ['extra-nondeterministic', 'extraNondeterministic'],
  ['extra-io', 'extraIo'],
  ['allow', 'allow'],
  ['per-file-ignores', 'perFileIgnores'],
  ['max-call-depth', 'maxCallDepth'],
  ['line-length', 'lineLength'],
  ['file-time-budget-ms', 'fileTimeBudgetMs'],
  ['max-file-size-kb', 'maxFileSizeKb'],
]);
const CAMEL_KEYS = new Map<string, keyof UserConfig>([...KEYS.values()].map((k) => [k, k]));
/** The options as editor settings name them (`dbosLint.<name>`): `perFileIgnores`, `fileTimeBudgetMs`... */
export const SETTING_NAMES: ReadonlySet<string> = new Set(CAMEL_KEYS.keys());

/** A code or prefix a selection may name: `ALL`, or what starts at least one rule's code (`DBOS2`, `dbos201`). */
function knownSelector(s: string): boolean {
  if (s === 'ALL') return true;
  const up = s.toUpperCase();
  return /^DBOS\d{0,3}$/.test(up) && RULES.some((r) => r.code.startsWith(up));
}

/** The type of a TOML or JSON value, in words. */
function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return 'a date';
  if (typeof v === 'object') return 'a table';
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'boolean') return `${v}`;
  return `a ${typeof v}`;
}

/** A Python qualified-name pattern as the API lists take them: `pkg.mod.fn`, `pkg.Client().*`, `pkg.{a,b}`. */
const NAME_PATTERN = /^[A-Za-z_]\w*(\(\))?(\.(\*|[A-Za-z_]\w*(\(\))?|\{[A-Za-z_]\w*(\s*,\s*[A-Za-z_]\w*){0,15}\}))*$/;

/**
 * Validates a `[tool.dbos-lint]` table (or editor settings object) into a UserConfig. Every problem
 * is collected (unknown keys, wrong types, tables where values belong, unknown codes, empty entries)
 * and thrown together as one ConfigError, each line naming `where` and the option.
 */
export function userConfigFrom(table: Record<string, unknown>, where: string): UserConfig {
  const out: UserConfig = {};
  const problems: string[] = [];
  const bad = (msg: string) => problems.push(`${where}: ${msg}`);
  const codeList = (k: string, v: unknown): string[] | null => {
    const list = stringList(k, v);
    if (!list) return null;
    const unknown = list.filter((c) => !knownSelector(c));
    if (unknown.length) {
      bad(`"${k}": ${unknown.map((c) => (c.trim() === '' ? 'an empty code ("")' : `"${c}"`)).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a rule code or prefix (DBOS101 to DBOS905, a prefix such as DBOS2, or ALL; \`dbos-lint rules\` lists them)`);
      return null;
    }
    return list;
  };
  const stringList = (k: string, v: unknown): string[] | null => {
    if (!Array.isArray(v)) {
      bad(`"${k}" must be a list of strings, not ${typeName(v)}`);
      return null;
    }
    if (v.length > MAX_LIST_ENTRIES) {
      bad(`"${k}" has ${v.length} entries; at most ${MAX_LIST_ENTRIES} are accepted`);
      return null;
    }
    const wrong = v.find((x) => typeof x !== 'string');
    if (wrong !== undefined) {
      bad(`"${k}" must be a list of strings, but holds ${typeName(wrong)}`);
      return null;
    }
    return v as string[];
  };
  const nameList = (k: string, v: unknown): string[] | null => {
    const list = stringList(k, v);
    if (!list) return null;
    const wrong = list.filter((n) => !NAME_PATTERN.test(n));
    if (wrong.length) {
      const shown = wrong.slice(0, 3).map((n) => JSON.stringify(n)).join(', ') + (wrong.length > 3 ? ` and ${wrong.length - 3} more` : '');
      bad(`"${k}": ${shown} ${wrong.length === 1 ? 'is' : 'are'} not a qualified name (\`pkg.module.function\`, \`pkg.Client().*\`, \`pkg.{a,b}\`)`);
      return null;
    }
    // each `{a,b}` group multiplies the names an entry stands for: bounded before anything expands them
    let names = 0;
    for (const n of list) {
      const count = braceExpansionCount(n, MAX_LIST_ENTRIES);
      if (count > MAX_NAME_EXPANSION) {
        bad(`"${k}": ${JSON.stringify(n.length > 80 ? n.slice(0, 77) + '...' : n)} stands for ${count > MAX_LIST_ENTRIES ? `more than ${MAX_LIST_ENTRIES}` : count} names (each {...} group multiplies them); at most ${MAX_NAME_EXPANSION} per entry: write it as several entries`);
        return null;
      }
      names += count;
    }
    if (names > MAX_LIST_ENTRIES) {
      bad(`"${k}" stands for ${names} names once its {...} groups are expanded; at most ${MAX_LIST_ENTRIES} are accepted`);
      return null;
    }
    return list;
  };
  const wholeNumber = (k: string, v: unknown, min: number, max: number): number | null => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      bad(`"${k}" must be a whole number from ${min} to ${max}, not ${typeName(v)}`);
      return null;
    }
    return v;
  };
  for (const k of Object.keys(table)) {
    const v = table[k];
    // own entries of a Map: `constructor`, `toString`, `__proto__` are unknown like any other name
    const key = KEYS.get(k) ?? CAMEL_KEYS.get(k);
    if (!key) {
      bad(`unknown option "${k}" (known: ${[...KEYS.keys()].join(', ')})`);
      continue;
    }
    switch (key) {
      case 'select':
      case 'extendSelect':
      case 'ignore': {
        const list = codeList(k, v);
        if (list && key === 'select' && list.length === 0) bad(`"${k}" is empty, so no rule would run (leave it out for the default rules)`);
        else if (list) out[key] = list;
        break;
      }
      case 'extraNondeterministic':
      case 'extraIo':
      case 'allow': {
        const list = nameList(k, v);
        if (list) out[key] = list;
        break;
      }
      case 'severity': {
        if (!isTable(v)) {
          bad(`"${k}" must be a table of code = level, not ${typeName(v)}`);
          break;
        }
        const sev: Record<string, SeveritySetting> = {};
        let ok = true;
        for (const code of Object.keys(v)) {
          const level = v[code];
          if (!ruleMeta(code.toUpperCase())) {
            bad(`unknown rule code "${code}" in "${k}" (DBOS101 to DBOS905; \`dbos-lint rules\` lists them)`);
            ok = false;
            continue;
          }
          const lv = typeof level === 'string' ? level.toLowerCase().replace(/^info$/, 'information') : null;
          if (lv === null || (lv !== 'off' && !SEVERITIES.includes(lv as Severity))) {
            bad(`the severity of ${code} must be one of "error", "warning", "information", "hint", "off", not ${typeof level === 'string' ? JSON.stringify(level) : typeName(level)}`);
            ok = false;
            continue;
          }
          sev[code.toUpperCase()] = lv as SeveritySetting;
        }
        if (Object.keys(sev).length || ok) out.severity = sev;
        break;
      }
      case 'targetVersion':
        if (typeof v === 'number') {
          bad(`"${k}" must be a quoted string: write ${k} = "${Number.isInteger(v) ? v : '2.30'}" (unquoted, TOML reads ${v} as a number${Number.isInteger(v) ? '' : `, so 2.30 would become ${v}`})`);
        } else if (typeof v !== 'string') bad(`"${k}" must be a string like "2.30", "3" or "auto", not ${typeName(v)}`);
        else if (v !== 'auto' && !/^\d+(\.\d+)*$/.test(v)) bad(`"${k}" must look like "2.30", "3" or "auto", not ${JSON.stringify(v)}`);
        else out.targetVersion = v;
        break;
      case 'profile':
        if (v !== 'default' && v !== 'strict') bad(`"${k}" must be "default" or "strict", not ${typeof v === 'string' ? JSON.stringify(v) : typeName(v)}`);
        else out.profile = v;
        break;
      case 'maxCallDepth': {
        const n = wholeNumber(k, v, 1, MAX_MAX_CALL_DEPTH);
        if (n !== null) out.maxCallDepth = n;
        break;
      }
      case 'lineLength': {
        const n = wholeNumber(k, v, 20, 1000);
        if (n !== null) out.lineLength = n;
        break;
      }
      case 'fileTimeBudgetMs': {
        const n = wholeNumber(k, v, 1, MAX_FILE_TIME_BUDGET_MS);
        if (n !== null) out.fileTimeBudgetMs = n;
        break;
      }
      case 'maxFileSizeKb': {
        const n = wholeNumber(k, v, 1, MAX_MAX_FILE_KB);
        if (n !== null) out.maxFileSizeKb = n;
        break;
      }
      case 'perFileIgnores': {
        if (!isTable(v)) {
          bad(`"${k}" must be a table of glob = [codes], not ${typeName(v)}`);
          break;
        }
        const pfi: Record<string, string[]> = {};
        let ok = true;
        for (const g of Object.keys(v)) {
          const why = globProblem(g);
          if (why) {
            bad(`"${k}": the glob ${JSON.stringify(g.length > 80 ? g.slice(0, 80) + '…' : g)} ${why}`);
            ok = false;
            continue;
          }
          const codes = codeList(`${k}" "${g}`, v[g]);
          if (codes) pfi[g] = codes;
          else ok = false;
        }
        if (Object.keys(pfi).length || ok) out.perFileIgnores = pfi;
        break;
      }
    }
  }
  if (problems.length) throw new ConfigError(problems, out);
  return out;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

export interface PyprojectInfo {
  /** The [tool.dbos-lint] table, if present. */
  config?: UserConfig;
  /** The version requirement of `dbos` in the project's dependencies. */
  dbosRequirement?: string;
  /** `line-length` of [tool.ruff] or [tool.black]: how the project's code is formatted. */
  lineLength?: number;
}

/** Reads a pyproject.toml text. Throws ConfigError on invalid TOML or options. */
export function readPyproject(text: string, where: string): PyprojectInfo {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError([`${where}: invalid TOML: ${(e as Error).message.split('\n')[0]}`]);
  }
  const tool = isTable(doc.tool) ? doc.tool : {};
  const info: PyprojectInfo = {};
  const table = tool['dbos-lint'];
  if (table !== undefined && !isTable(table)) throw new ConfigError([`${where}: [tool.dbos-lint] must be a table, not ${typeName(table)}`]);
  if (table) info.config = userConfigFrom(table, `${where} [tool.dbos-lint]`);
  for (const formatter of ['ruff', 'black']) {
    const n = isTable(tool[formatter]) ? tool[formatter]['line-length'] : undefined;
    if (info.lineLength === undefined && typeof n === 'number' && Number.isInteger(n) && n >= 20 && n <= 1000) info.lineLength = n;
  }
  const project = isTable(doc.project) ? doc.project : {};
  const deps: unknown[] = Array.isArray(project.dependencies) ? project.dependencies : [];
  for (const d of deps) {
    const m = typeof d === 'string' ? /^\s*dbos(?![\w.-])(\[[^\]]*\])?\s*(.*)$/i.exec(d) : null;
    if (m) info.dbosRequirement = m[2].trim();
  }
  const poetry = isTable(tool.poetry) && isTable(tool.poetry.dependencies) ? tool.poetry.dependencies : undefined;
  if (!info.dbosRequirement && poetry && poetry.dbos !== undefined) {
    const v = poetry.dbos;
    const version = typeof v === 'string' ? v : isTable(v) ? v.version : undefined;
    info.dbosRequirement = typeof version === 'string' ? version : '';
  }
  return info;
}

/** The version a requirement pins or starts from: `==2.30.0`, `>=2.9`, `^2.1`, `~=3.0` -> [major, minor]. */
export function versionFromRequirement(req: string): [number, number] | null {
  const m = /(==|>=|~=|\^|~|===|>)?\s*v?(\d+)(?:\.(\d+))?/.exec(req);
  if (!m || (!m[1] && /[<!]/.test(req.slice(0, m.index)))) return null;
  if (m[1] === undefined && req.trim().length > 0 && !/^\d/.test(req.trim())) return null;
  return [Number(m[2]), Number(m[3] ?? 0)];
}

/** Parses a target-version setting ("2.30", "3") into [major, minor]; null for "auto" or empty. */
export function parseVersion(v: string | undefined): [number, number] | null {
  if (!v || v === 'auto') return null;
  const m = /^(\d+)(?:\.(\d+))?/.exec(v);
  return m ? [Number(m[1]), Number(m[2] ?? 0)] : null;
}
