// The effective configuration: defaults <- [tool.dbos-lint] in pyproject.toml <- editor settings / CLI flags,
// merged into the rules that run, their severities and the lists the facts use. What the user wrote is read and
// validated in user-config.ts; per-file-ignores globs are compiled in per-file-ignores.ts.
import { RULES } from '../catalog/rules';
import type { Severity } from './types';
import { compilePerFileIgnore, type PerFileIgnore } from './per-file-ignores';

export type { PerFileIgnore };

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
    for (const [glob, codes] of Object.entries(l.perFileIgnores ?? {})) pfi.push(compilePerFileIgnore(glob, codes, l.base));
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
