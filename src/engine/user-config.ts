// What the user wrote, read and validated into a UserConfig layer: a [tool.dbos-lint] table of pyproject.toml,
// editor settings, CLI flags. Every problem is reported together, each naming where and which option.
import { RULES, ruleMeta } from '../catalog/rules';
import { SEVERITIES, type Severity } from './types';
import { braceExpansionCount } from './data/catalog';
import { MAX_FILE_TIME_BUDGET_MS, MAX_LIST_ENTRIES, MAX_MAX_CALL_DEPTH, MAX_MAX_FILE_KB, MAX_NAME_EXPANSION, type SeveritySetting, type UserConfig } from './config';
import { globProblem } from './per-file-ignores';
import { parseToml } from './toml';

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
