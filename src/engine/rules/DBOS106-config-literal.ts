// DBOS106: DBOS configuration literals: missing or invalid application name, unknown keys, no pinned version.
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { ModuleModel } from '../model/module';
import type { Fix } from '../types';
import { isV3 } from './rule';
import { appNameFor } from '../fixes/common';
import { appendEntryEdits } from '../fixes/append-keyword';
import { expectsFailure, lifecycleFacts, positionalArgs } from '../model/lifecycle';
import { keywordArgument } from '../syntax/arguments';
import { escapeRegExp } from '../text';

const KEYS_2X = [
  'name', 'system_database_url', 'application_database_url', 'database_url', 'sys_db_pool_size', 'sys_db_polling_concurrency',
  'db_engine_kwargs', 'log_level', 'otlp_log_level', 'console_log_level', 'otlp_traces_endpoints', 'otlp_logs_endpoints',
  'admin_port', 'run_admin_server', 'otlp_attributes', 'application_version', 'executor_id', 'dbos_system_schema', 'enable_otlp',
  'system_database_engine', 'conductor_key', 'conductor_url', 'conductor_executor_metadata', 'serializer', 'enable_patching',
  'use_listen_notify', 'run_migrations', 'max_executor_threads', 'notification_listener_polling_interval_sec',
  'notification_coalesce_sec', 'scheduler_polling_interval_sec', 'kafka_queue_polling_interval_sec', 'otel_attribute_format',
];
const KEYS_3X = ['observability_query_timeout_sec', 'conductor_metadata_only_mode'];
const KNOWN = new Set([...KEYS_2X, ...KEYS_3X]);
const NAME_CHARS = /^[a-z0-9_-]+$/;

interface ConfigLiteral {
  /** The dictionary or the `DBOSConfig(...)` argument list. */
  node: Node;
  /** Literal keys with their key and value nodes. */
  entries: { key: string; keyNode: Node; value: Node | null; item: Node }[];
  /** Some keys are not visible (`**base`, computed keys, a later mutation that names no key). */
  open: boolean;
  /** Keys set later by `name["key"] = ...` (visible: the configuration gets them). */
  assigned: Set<string>;
  /** Where to insert a new first key (just after `{` or `(`). */
  insertAt: number;
  /** Passed to `DBOS(...)` (a partial config merged later with `**` is not). */
  direct?: boolean;
  /** Merged into another configuration somewhere in the file (`**name`): a base, not the whole config. */
  spread?: boolean;
}

/** The text of a plain string literal (no f-string, no escapes), else null. */
export function stringValue(model: ModuleModel, node: Node | null | undefined): string | null {
  if (!node || node.type !== 'string') return null;
  if (node.namedChildren.some((c) => c && (c.type === 'interpolation' || c.type === 'escape_sequence'))) return null;
  const m = /^([rRuU]?)(['"])([^'"\n]*)\2$/.exec(model.textOf(node));
  return m ? m[3] : null;
}

function fromDict(model: ModuleModel, dict: Node, mutated: Mutations): ConfigLiteral {
  const entries: ConfigLiteral['entries'] = [];
  let open = mutated.opaque;
  for (const c of dict.namedChildren) {
    if (!c || c.type === 'comment') continue;
    if (c.type === 'pair') {
      const k = c.childForFieldName('key');
      const key = stringValue(model, k);
      if (key === null || !k) open = true;
      else entries.push({ key, keyNode: k, value: c.childForFieldName('value'), item: c });
    } else open = true;
  }
  return { node: dict, entries, open, assigned: mutated.keys, insertAt: dict.startIndex + 1 };
}

function fromCall(model: ModuleModel, args: Node, mutated: Mutations): ConfigLiteral {
  const entries: ConfigLiteral['entries'] = [];
  let open = mutated.opaque;
  for (const a of args.namedChildren) {
    if (!a || a.type === 'comment') continue;
    if (a.type === 'keyword_argument') {
      const k = a.childForFieldName('name')!;
      entries.push({ key: model.textOf(k), keyNode: k, value: a.childForFieldName('value'), item: a });
    } else open = true;
  }
  return { node: args, entries, open, assigned: mutated.keys, insertAt: args.startIndex + 1 };
}

interface Mutations {
  /** Keys set by `name["key"] = v`. */
  keys: Set<string>;
  /** A change that names no key the text shows: `name[k] = v`, `name.update(...)`, `name |= ...`, `name.setdefault(...)`, `name.pop(...)`. */
  opaque: boolean;
}

const NO_MUTATIONS: Mutations = { keys: new Set(), opaque: false };

/** The changes of `name` anywhere in the file (see Mutations). */
function mutationsOf(model: ModuleModel, name: string): Mutations {
  const esc = escapeRegExp(name);
  const keys = new Set<string>();
  let opaque = new RegExp(`\\b${esc}\\s*\\.\\s*(update|setdefault|pop)\\s*\\(|\\b${esc}\\s*\\|=`).test(model.text);
  for (const m of model.text.matchAll(new RegExp(`\\b${esc}\\s*\\[([^\\]]*)\\]\\s*=[^=]`, 'g'))) {
    const key = /^\s*(['"])([A-Za-z_][\w]*)\1\s*$/.exec(m[1]);
    if (key) keys.add(key[2]);
    else opaque = true;
  }
  return { keys, opaque };
}

/** `**name` anywhere in the file. */
function isSpread(model: ModuleModel, name: string): boolean {
  return new RegExp(`\\*\\*\\s*${escapeRegExp(name)}\\b`).test(model.text);
}

function literalOf(model: ModuleModel, value: Node | null | undefined, name: string | null): ConfigLiteral | null {
  if (!value) return null;
  const mutated = name ? mutationsOf(model, name) : NO_MUTATIONS;
  let lit: ConfigLiteral | null = null;
  if (value.type === 'dictionary') lit = fromDict(model, value, mutated);
  else if (value.type === 'call' && model.resolve(value.childForFieldName('function')) === 'dbos.DBOSConfig') {
    const args = value.childForFieldName('arguments');
    lit = args?.type === 'argument_list' ? fromCall(model, args, mutated) : null;
  }
  if (lit && name) lit.spread = isSpread(model, name);
  return lit;
}

function collect(model: ModuleModel): ConfigLiteral[] {
  const out = new Map<number, ConfigLiteral>();
  const add = (l: ConfigLiteral | null, direct = false) => {
    if (!l) return;
    const prev = out.get(l.node.id);
    l.direct = direct || !!prev?.direct;
    l.spread = l.spread || !!prev?.spread;
    out.set(l.node.id, l);
  };
  for (const c of lifecycleFacts(model).constructions) {
    const v = keywordArgument(model, c, 'config')?.childForFieldName('value') ?? positionalArgs(c)[0];
    if (!v || expectsFailure(model, c.node)) continue;
    if (v.type === 'identifier') {
      const name = model.textOf(v);
      const local = c.scope.fn?.bindings.get(name);
      const global = c.scope.fn?.globals.has(name) || !local;
      const b = global ? model.module.bindings.get(name) : local;
      if (b && b.length === 1) add(literalOf(model, b[0].value, name), true);
    } else add(literalOf(model, v, null), true);
  }
  // `config: DBOSConfig = {...}` and `DBOSConfig(...)`
  for (const a of model.assignments) {
    if (!a) continue;
    const type = model.annotationOf(a);
    if (!type) continue;
    const left = a.childForFieldName('left');
    if (left?.type !== 'identifier') continue;
    const t = type.namedChildren[0] ?? type;
    if (model.resolve(t) !== 'dbos.DBOSConfig') continue;
    add(literalOf(model, a.childForFieldName('right'), model.textOf(left)));
  }
  for (const call of model.calls) {
    if (model.calleeFqn(call) !== 'dbos.DBOSConfig' || call.args?.type !== 'argument_list') continue;
    const p = call.node.parent;
    const name = p?.type === 'assignment' && p.childForFieldName('left')?.type === 'identifier' ? model.textOf(p.childForFieldName('left')!) : null;
    add(literalOf(model, call.node, name));
  }
  return [...out.values()];
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)] as number[]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

function nearestKey(key: string): string | null {
  let best: string | null = null;
  let bd = Infinity;
  for (const k of KNOWN) {
    const dd = distance(key.toLowerCase(), k);
    if (dd < bd) {
      bd = dd;
      best = k;
    }
  }
  return best && bd <= Math.max(2, Math.floor(key.length / 5)) ? best : null;
}

function validName(raw: string): string {
  let n = raw.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 30);
  if (n.length < 3) n = (n + '-app').slice(0, 30);
  return n;
}

export const rule: Rule = {
  code: 'DBOS106',
  requires: ['config', 'Config'],
  check(ctx) {
    const { model } = ctx;
    for (const lit of collect(model)) checkLiteral(ctx, lit);
  },
};

function checkLiteral(ctx: RuleContext, lit: ConfigLiteral): void {
  const { model } = ctx;
  const isDict = lit.node.type === 'dictionary';
  const q = (k: string) => (isDict ? `"${k}"` : k);
  const name = lit.entries.find((e) => e.key === 'name');
  if (!name && !lit.open && !lit.assigned.has('name') && lit.direct) {
    const sep = lit.entries.length > 0 ? ', ' : '';
    const text = isDict ? `"name": "${appNameFor(model)}"${sep}` : `name="${appNameFor(model)}"${sep}`;
    ctx.report({
      node: lit.node,
      severity: 'error',
      message:
        `This DBOS configuration has no \`name\`, so \`DBOS(config=...)\` fails\n` +
        `DBOS raises "Configuration must specify an application name" ` +
        `(DBOSInitializationError). Add a \`name\` of 3 to 30 lowercase letters, digits, dashes or underscores.`,
      fixes: [{ title: 'Add `"name"` to the configuration', safe: false, edits: [model.lines.edit(lit.insertAt, lit.insertAt, text)] }],
    });
  }
  const value = name ? stringValue(model, name.value) : null;
  if (name && value !== null) {
    const max = isV3(ctx.version) ? 256 : 30;
    const badChars = !NAME_CHARS.test(value);
    const tooShort = value.length < 3;
    const tooLong = value.length > max;
    // 31-256 characters: rejected by DBOS 2.x, accepted by 3.x; unknown version -> warning
    const longOnV2Maybe = !tooLong && value.length > 30 && !isV3(ctx.version);
    if (badChars || tooShort || tooLong || longOnV2Maybe) {
      const fixed = validName(value);
      const fix: Fix[] =
        fixed !== value && NAME_CHARS.test(fixed)
          ? [{ title: `Use the valid name "${fixed}"`, safe: false, edits: [model.lines.edit(name.value!.startIndex + 1 + (/^[rRuU]/.test(model.textOf(name.value!)) ? 1 : 0), name.value!.endIndex - 1, fixed)] }]
          : [];
      const limit = isV3(ctx.version) ? '3 and 256' : '3 and 30';
      ctx.report({
        node: name.value!,
        severity: longOnV2Maybe && !ctx.version ? 'warning' : 'error',
        message:
          `Invalid DBOS application name ${JSON.stringify(value.length > 40 ? value.slice(0, 37) + '...' : value)}: DBOS rejects it at \`DBOS(...)\`\n` +
          `DBOS raises DBOSInitializationError "Invalid app name ${value}. App names must be between ${limit} ` +
          `characters long and contain only lowercase letters, numbers, dashes, and underscores."${longOnV2Maybe && !ctx.version ? ' (DBOS 2.x allows at most 30 characters; 3.x allows 256.)' : ''}`,
        fixes: fix,
      });
    }
  }
  if (name) checkVersion(ctx, lit, name.item);
  for (const e of lit.entries) {
    if (KNOWN.has(e.key)) continue;
    const near = nearestKey(e.key);
    const fixes: Fix[] = near
      ? [{ title: `Rename ${q(e.key)} to ${q(near)}`, safe: false, edits: [isDict ? model.lines.edit(e.keyNode.startIndex, e.keyNode.endIndex, `"${near}"`) : model.lines.edit(e.keyNode.startIndex, e.keyNode.endIndex, near)] }]
      : [];
    ctx.report({
      node: e.keyNode,
      severity: 'warning',
      message:
        `${q(e.key)} is not a DBOS configuration key, so DBOS silently ignores it\n` +
        `${near ? `Did you mean ${q(near)}? ` : ''}` +
        `See the \`DBOSConfig\` fields in the DBOS configuration reference.`,
      fixes,
    });
  }
}

/**
 * (e) No `application_version`, reported on the `name` entry: DBOS then computes the version at launch from a hash of the workflows'
 * source (`_launch` -> `compute_app_version`), unless `DBOS__APPVERSION` is set. Only on a whole
 * configuration (every key visible, a `name`, not merged into another with `**`), never in test files,
 * pytest fixtures or tests, never
 * with `enable_patching` (the version is then "PATCHING_ENABLED") or a key that looks like a misspelt
 * `application_version` (the rename fix of (c) is the one to apply).
 */
function checkVersion(ctx: RuleContext, lit: ConfigLiteral, name: Node): void {
  const { model } = ctx;
  if (lit.open || lit.spread || model.isTestFile) return;
  const fn = model.scopeOf(lit.node).fn;
  if (fn && (fn.kinds.has('fixture') || fn.kinds.has('test'))) return;
  if (lit.assigned.has('application_version') || lit.entries.some((e) => e.key === 'application_version' || (!KNOWN.has(e.key) && nearestKey(e.key) === 'application_version'))) return;
  const patching = lit.entries.find((e) => e.key === 'enable_patching');
  if (lit.assigned.has('enable_patching') || (patching && !(patching.value && model.textOf(patching.value) === 'False'))) return;
  const isDict = lit.node.type === 'dictionary';
  const entry = isDict ? '"application_version": "0.1.0"' : 'application_version="0.1.0"';
  const items = lit.node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  ctx.report({
    node: name,
    severity: 'information',
    message:
      'This DBOS configuration does not pin `application_version`\n' +
      'Without it, DBOS computes the application version at launch from a hash of the source of every workflow ' +
      '(with the DBOS version and the application name), unless the environment variable `DBOS__APPVERSION` sets one. ' +
      'Any edit to a workflow then changes the version, and DBOS recovers pending workflows and dequeues queued ones ' +
      'only for the version that started them, so those left by the previous deployment wait for a process of that version. ' +
      `Pin a version (for example \`${entry}\`) and change it when a deployment changes workflow code.`,
    fixes: [{ title: `Add \`${entry}\``, safe: false, edits: appendEntryEdits(model, lit.node, items, entry) }],
  });
}
