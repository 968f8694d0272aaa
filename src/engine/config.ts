// Configuration: defaults <- [tool.dbos-lint] in pyproject.toml <- editor settings / CLI flags.
import { RULES, ruleMeta } from '../catalog/rules';
import { SEVERITIES, type Severity } from './types';

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
  /** How many helper functions deep a workflow or step is followed (cross-file chains included). */
  maxCallDepth?: number;
  /** The longest line fixes write (default: Ruff's or Black's `line-length` in pyproject.toml, else 88). */
  lineLength?: number;
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
  perFileIgnores: [RegExp, string[]][];
  /** Helper functions followed from a workflow or step, at most (default 5). */
  maxCallDepth: number;
  /** The longest line a fix writes before it breaks a call over lines, as Black and Ruff format it. */
  lineLength: number;
}

/** Black's and Ruff's default line length. */
export const DEFAULT_LINE_LENGTH = 88;

/**
 * 5 helpers: deep enough for real chains (the corpus's and our sample apps' go 1 to 4 deep), short of
 * the initialisation paths (config loading, lazy clients) that long chains mostly end in.
 */
export const DEFAULT_MAX_CALL_DEPTH = 5;
export const MAX_MAX_CALL_DEPTH = 64;

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
  const pfi: [RegExp, string[]][] = [];
  let maxCallDepth = DEFAULT_MAX_CALL_DEPTH;
  let lineLength = DEFAULT_LINE_LENGTH;
  for (const l of layers) {
    if (l.maxCallDepth !== undefined) maxCallDepth = l.maxCallDepth;
    if (l.lineLength !== undefined) lineLength = l.lineLength;
    if (l.select) {
      select = l.select;
      ignore.length = 0;
    }
    if (l.extendSelect) extend.push(...l.extendSelect);
    if (l.ignore) ignore.push(...l.ignore);
    for (const [code, s] of Object.entries(l.severity ?? {})) sev.set(code.toUpperCase(), s);
    if (l.targetVersion) targetVersion = l.targetVersion;
    if (l.profile) profile = l.profile;
    extraNd.push(...(l.extraNondeterministic ?? []));
    extraIo.push(...(l.extraIo ?? []));
    allow.push(...(l.allow ?? []));
    for (const [glob, codes] of Object.entries(l.perFileIgnores ?? {})) pfi.push([globToRegExp(glob), codes]);
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
  return { layers, enabled, severity, targetVersion, extraNondeterministic: extraNd, extraIo, allow, perFileIgnores: pfi, maxCallDepth, lineLength };
}

/** `**` any path, `*` any run of non-slash characters, `?` one character. Matched on the end of the path. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`(^|/)${re}$`);
}

export class ConfigError extends Error {}

const KEY_MAP: Record<string, keyof UserConfig> = {
  select: 'select',
  'extend-select': 'extendSelect',
  ignore: 'ignore',
  severity: 'severity',
  'target-version': 'targetVersion',
  profile: 'profile',
  'extra-nondeterministic': 'extraNondeterministic',
  'extra-io': 'extraIo',
  allow: 'allow',
  'per-file-ignores': 'perFileIgnores',
  'max-call-depth': 'maxCallDepth',
  'line-length': 'lineLength',
};

/** Validates a `[tool.dbos-lint]` table (or editor settings object) into a UserConfig. */
export function userConfigFrom(table: Record<string, unknown>, where: string): UserConfig {
  const out: UserConfig = {};
  for (const [k, v] of Object.entries(table)) {
    const key = KEY_MAP[k] ?? (Object.values(KEY_MAP).includes(k as keyof UserConfig) ? (k as keyof UserConfig) : undefined);
    if (!key) throw new ConfigError(`${where}: unknown option "${k}" (known: ${Object.keys(KEY_MAP).join(', ')})`);
    switch (key) {
      case 'select':
      case 'extendSelect':
      case 'ignore':
      case 'extraNondeterministic':
      case 'extraIo':
      case 'allow':
        if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ConfigError(`${where}: "${k}" must be a list of strings`);
        out[key] = v as string[];
        break;
      case 'severity': {
        if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(`${where}: "severity" must be a table of code = level`);
        const sev: Record<string, SeveritySetting> = {};
        for (const [code, level] of Object.entries(v as Record<string, unknown>)) {
          const lv = String(level).toLowerCase().replace(/^info$/, 'information');
          if (!ruleMeta(code.toUpperCase())) throw new ConfigError(`${where}: unknown rule code "${code}" in severity`);
          if (lv !== 'off' && !SEVERITIES.includes(lv as Severity)) {
            throw new ConfigError(`${where}: severity of ${code} must be one of error, warning, information, hint, off`);
          }
          sev[code.toUpperCase()] = lv as SeveritySetting;
        }
        out.severity = sev;
        break;
      }
      case 'targetVersion':
        if (typeof v !== 'string' && typeof v !== 'number') throw new ConfigError(`${where}: "target-version" must be a string like "2.30" or "auto"`);
        if (String(v) !== 'auto' && !/^\d+(\.\d+)*$/.test(String(v))) throw new ConfigError(`${where}: "target-version" must look like "2.30", "3" or "auto"`);
        out.targetVersion = String(v);
        break;
      case 'profile':
        if (v !== 'default' && v !== 'strict') throw new ConfigError(`${where}: "profile" must be "default" or "strict"`);
        out.profile = v;
        break;
      case 'maxCallDepth':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_MAX_CALL_DEPTH) {
          throw new ConfigError(`${where}: "max-call-depth" must be a whole number from 1 to ${MAX_MAX_CALL_DEPTH}`);
        }
        out.maxCallDepth = v;
        break;
      case 'lineLength':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 20 || v > 1000) throw new ConfigError(`${where}: "line-length" must be a whole number from 20 to 1000`);
        out.lineLength = v;
        break;
      case 'perFileIgnores':
        if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(`${where}: "per-file-ignores" must be a table of glob = [codes]`);
        out.perFileIgnores = {};
        for (const [g, codes] of Object.entries(v as Record<string, unknown>)) {
          if (!Array.isArray(codes)) throw new ConfigError(`${where}: per-file-ignores "${g}" must be a list of codes`);
          out.perFileIgnores[g] = codes.map(String);
        }
        break;
    }
  }
  return out;
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
    throw new ConfigError(`${where}: invalid TOML: ${(e as Error).message.split('\n')[0]}`);
  }
  const tool = (doc.tool ?? {}) as Record<string, unknown>;
  const info: PyprojectInfo = {};
  const table = tool['dbos-lint'];
  if (table && typeof table === 'object') info.config = userConfigFrom(table as Record<string, unknown>, `${where} [tool.dbos-lint]`);
  for (const formatter of ['ruff', 'black']) {
    const n = ((tool[formatter] ?? {}) as Record<string, unknown>)['line-length'];
    if (info.lineLength === undefined && typeof n === 'number' && Number.isInteger(n) && n >= 20 && n <= 1000) info.lineLength = n;
  }
  const project = (doc.project ?? {}) as Record<string, unknown>;
  const deps: unknown[] = Array.isArray(project.dependencies) ? project.dependencies : [];
  for (const d of deps) {
    const m = typeof d === 'string' ? /^\s*dbos(\[[^\]]*\])?\s*(.*)$/i.exec(d) : null;
    if (m) info.dbosRequirement = m[2].trim();
  }
  const poetry = ((tool.poetry ?? {}) as Record<string, unknown>).dependencies as Record<string, unknown> | undefined;
  if (!info.dbosRequirement && poetry && poetry.dbos !== undefined) {
    const v = poetry.dbos;
    info.dbosRequirement = typeof v === 'string' ? v : String((v as Record<string, unknown>).version ?? '');
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
