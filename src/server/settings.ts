// Editor settings (`dbosLint.*`) -> engine configuration layers. No rule logic here.
import type { UserConfig } from '../engine/config';
import { ConfigError, SETTING_NAMES, userConfigFrom } from '../engine/user-config';

export interface EditorSettings {
  enable: boolean;
  workspaceDiagnostics: boolean;
  /**
   * The settings that configure the checks (`severity`, `select`, `perFileIgnores`, `targetVersion`,
   * `fileTimeBudgetMs`...), as the client sent them: validated by the engine's configuration reader,
   * so that a wrong value is reported instead of silently dropped.
   */
  checks: Record<string, unknown>;
  /** Problems with `enable` and `workspaceDiagnostics` themselves. */
  errors: string[];
}

export const DEFAULT_SETTINGS: EditorSettings = { enable: true, workspaceDiagnostics: true, checks: {}, errors: [] };

/** Settings whose value means "not set": the project's value (or the default) applies. */
const UNSET: Record<string, (v: unknown) => boolean> = {
  severity: (v) => isEmptyObject(v),
  perFileIgnores: (v) => isEmptyObject(v),
  targetVersion: (v) => v === 'auto' || v === '',
  extraNondeterministic: (v) => Array.isArray(v) && v.length === 0,
  extraIo: (v) => Array.isArray(v) && v.length === 0,
  allow: (v) => Array.isArray(v) && v.length === 0,
  select: (v) => Array.isArray(v) && v.length === 0,
  extendSelect: (v) => Array.isArray(v) && v.length === 0,
  ignore: (v) => Array.isArray(v) && v.length === 0,
  profile: (v) => v === 'default',
  maxCallDepth: (v) => v === 0,
  fileTimeBudgetMs: (v) => v === 0,
  maxFileSizeKb: (v) => v === 0,
};

function isEmptyObject(v: unknown): boolean {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;
}

/** Reads a settings object (whatever the client sent): the editor's own switches, and the check settings kept for validation. */
export function readSettings(raw: unknown): EditorSettings {
  const o = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  const s: EditorSettings = { enable: true, workspaceDiagnostics: true, checks: {}, errors: [] };
  for (const k of ['enable', 'workspaceDiagnostics'] as const) {
    if (o[k] === undefined || o[k] === null) continue;
    if (typeof o[k] === 'boolean') s[k] = o[k];
    else s.errors.push(`settings (dbosLint): "${k}" must be true or false`);
  }
  for (const k of Object.keys(o)) {
    // the section's other keys are the client's own (trace, views): not ours to judge
    if (!SETTING_NAMES.has(k) || o[k] === undefined || o[k] === null || UNSET[k]?.(o[k])) continue;
    s.checks[k] = o[k];
  }
  return s;
}

/**
 * The configuration layer the settings add over pyproject.toml, and the problems found in them: a
 * setting with a problem is left out and reported; the valid ones still apply.
 */
export function settingsLayer(s: EditorSettings): { layer: UserConfig | null; errors: string[] } {
  const errors = [...s.errors];
  if (!Object.keys(s.checks).length) return { layer: null, errors };
  try {
    return { layer: userConfigFrom(s.checks, 'settings (dbosLint)'), errors };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    errors.push(...e.problems);
    // the valid settings (and the valid entries of a table) still apply
    const layer = e.partial;
    return { layer: Object.keys(layer).length ? layer : null, errors };
  }
}
