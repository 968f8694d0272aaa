// Editor settings (`dbosLint.*`) -> engine configuration layers. No rule logic here.
import { ConfigError, userConfigFrom, type UserConfig } from '../engine/config';
import { ruleMeta } from '../catalog/rules';

export interface EditorSettings {
  enable: boolean;
  /** Code -> error | warning | information | hint | off. */
  severity: Record<string, string>;
  /** Glob -> codes turned off in matching files. */
  perFileIgnores: Record<string, string[]>;
  targetVersion: string;
  workspaceDiagnostics: boolean;
  extraNondeterministic: string[];
  extraIo: string[];
  select: string[];
  ignore: string[];
  profile: 'default' | 'strict';
  /**
   * Time budget per file (ms): once an analysis has used it, the remaining rules are skipped for
   * that file, and the file is named in the status item and (once) in the output channel.
   */
  fileTimeBudgetMs: number;
  /** Helper functions followed from a workflow or step (`max-call-depth`); 0: the project's value. */
  maxCallDepth: number;
}

export const DEFAULT_SETTINGS: EditorSettings = {
  enable: true,
  severity: {},
  perFileIgnores: {},
  targetVersion: 'auto',
  workspaceDiagnostics: true,
  extraNondeterministic: [],
  extraIo: [],
  select: [],
  ignore: [],
  profile: 'default',
  fileTimeBudgetMs: 1000,
  maxCallDepth: 0,
};

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Reads a settings object (whatever the client sent) leniently; unknown keys are ignored. */
export function readSettings(raw: unknown): EditorSettings {
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const s: EditorSettings = { ...DEFAULT_SETTINGS };
  if (typeof o.enable === 'boolean') s.enable = o.enable;
  if (o.severity && typeof o.severity === 'object' && !Array.isArray(o.severity)) {
    s.severity = Object.fromEntries(Object.entries(o.severity as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  }
  if (o.perFileIgnores && typeof o.perFileIgnores === 'object' && !Array.isArray(o.perFileIgnores)) {
    s.perFileIgnores = Object.fromEntries(Object.entries(o.perFileIgnores as Record<string, unknown>).map(([k, v]) => [k, strings(v)]));
  }
  if (typeof o.targetVersion === 'string' && o.targetVersion.trim()) s.targetVersion = o.targetVersion.trim();
  if (typeof o.workspaceDiagnostics === 'boolean') s.workspaceDiagnostics = o.workspaceDiagnostics;
  s.extraNondeterministic = strings(o.extraNondeterministic);
  s.extraIo = strings(o.extraIo);
  s.select = strings(o.select);
  s.ignore = strings(o.ignore);
  if (o.profile === 'strict') s.profile = 'strict';
  if (typeof o.fileTimeBudgetMs === 'number' && o.fileTimeBudgetMs > 0) s.fileTimeBudgetMs = o.fileTimeBudgetMs;
  if (typeof o.maxCallDepth === 'number' && Number.isInteger(o.maxCallDepth) && o.maxCallDepth > 0) s.maxCallDepth = o.maxCallDepth;
  return s;
}

/** The configuration layer the settings add over pyproject.toml, and the problems found in them. */
export function settingsLayer(s: EditorSettings): { layer: UserConfig | null; errors: string[] } {
  const errors: string[] = [];
  const severity: Record<string, string> = {};
  for (const [code, level] of Object.entries(s.severity)) {
    if (!ruleMeta(code.toUpperCase())) errors.push(`dbosLint.severity: unknown rule code "${code}"`);
    else severity[code.toUpperCase()] = level;
  }
  const table: Record<string, unknown> = {};
  if (Object.keys(severity).length) table.severity = severity;
  if (Object.keys(s.perFileIgnores).length) table.perFileIgnores = s.perFileIgnores;
  if (s.targetVersion !== 'auto') table.targetVersion = s.targetVersion;
  if (s.extraNondeterministic.length) table.extraNondeterministic = s.extraNondeterministic;
  if (s.extraIo.length) table.extraIo = s.extraIo;
  if (s.select.length) table.select = s.select;
  if (s.ignore.length) table.ignore = s.ignore;
  if (s.profile !== 'default') table.profile = s.profile;
  if (s.maxCallDepth > 0) table.maxCallDepth = s.maxCallDepth;
  if (!Object.keys(table).length) return { layer: null, errors };
  try {
    return { layer: userConfigFrom(table, 'settings (dbosLint)'), errors };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    errors.push(e.message);
    // Keep the parts that are valid on their own.
    const layer: UserConfig = {};
    for (const [k, v] of Object.entries(table)) {
      try {
        Object.assign(layer, userConfigFrom({ [k]: v }, 'settings (dbosLint)'));
      } catch {
        /* reported above */
      }
    }
    return { layer, errors };
  }
}
