// Shared helpers for the Step (DBOS3xx) and Queue (DBOS4xx) rules: keyword arguments, option dict
// literals, literal values, queue declarations and queue objects.
import { oncePerModel } from './per-model';
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from './module';
import type { CallInfo } from './types';
import { isQueueObject } from './async-api';
import { parentOf } from '../syntax/enclosing';

export type Literal =
  | { t: 'num'; v: number; text: string }
  | { t: 'bool'; v: boolean }
  | { t: 'str'; v: string }
  | { t: 'none' };

/** Named children of an argument list or dictionary, without comments. */
function items(node: Node | null | undefined): Node[] {
  return (node?.namedChildren.filter((c) => c && c.type !== 'comment') as Node[]) ?? [];
}

export interface CallArgs {
  positional: Node[];
  keywords: Map<string, { node: Node; value: Node }>;
  /** `*args` or `**kwargs` present: any option may be hidden in them. */
  splat: boolean;
}

/** Positional and keyword arguments of a call (or of a decorator's argument list). */
export function callArgs(model: ModuleModel, args: Node | null | undefined): CallArgs {
  const out: CallArgs = { positional: [], keywords: new Map(), splat: false };
  if (!args || args.type !== 'argument_list') return out;
  for (const a of items(args)) {
    if (a.type === 'keyword_argument') {
      const k = a.childForFieldName('name');
      const v = a.childForFieldName('value');
      if (k && v) out.keywords.set(model.textOf(k), { node: a, value: v });
    } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') out.splat = true;
    else out.positional.push(a);
  }
  return out;
}

export interface DictEntries {
  node: Node;
  entries: Map<string, { node: Node; value: Node }>;
  /** `**other` present or a non-literal key. */
  splat: boolean;
}

/** The string-keyed entries of a dict literal (`{"name": "x", ...}`) or a `dict(a=1)` / `StepOptions(a=1)` call. */
export function dictLiteral(model: ModuleModel, node: Node | null | undefined, ctorFqns: string[] = []): DictEntries | null {
  if (!node) return null;
  if (node.type === 'parenthesized_expression') return dictLiteral(model, items(node)[0], ctorFqns);
  if (node.type === 'dictionary') {
    const out: DictEntries = { node, entries: new Map(), splat: false };
    for (const p of items(node)) {
      if (p.type !== 'pair') {
        out.splat = true;
        continue;
      }
      const k = p.childForFieldName('key');
      const v = p.childForFieldName('value');
      const key = k ? literal(model, k) : null;
      if (!key || key.t !== 'str' || !v) {
        out.splat = true;
        continue;
      }
      out.entries.set(key.v, { node: p, value: v });
    }
    return out;
  }
  if (node.type === 'call') {
    const fqn = model.resolve(node.childForFieldName('function'));
    if (!fqn || !(fqn === 'builtins.dict' || ctorFqns.includes(fqn))) return null;
    const a = callArgs(model, node.childForFieldName('arguments'));
    if (a.positional.length > 0) return null;
    return { node, entries: a.keywords, splat: a.splat };
  }
  return null;
}

/** The value of a literal expression: numbers (with sign), booleans, plain strings, None, `float("inf")`. */
export function literal(model: ModuleModel, node: Node | null | undefined): Literal | null {
  if (!node) return null;
  switch (node.type) {
    case 'integer':
    case 'float': {
      const text = model.textOf(node).replace(/_/g, '');
      if (/[jJ]$/.test(text)) return null;
      const v = node.type === 'integer' && /^0[xob]/i.test(text) ? Number(text.toLowerCase()) : Number(text);
      return Number.isNaN(v) ? null : { t: 'num', v, text: model.textOf(node) };
    }
    case 'true':
      return { t: 'bool', v: true };
    case 'false':
      return { t: 'bool', v: false };
    case 'none':
      return { t: 'none' };
    case 'parenthesized_expression':
      return literal(model, items(node)[0]);
    case 'unary_operator': {
      const op = node.childForFieldName('operator');
      const arg = literal(model, node.childForFieldName('argument'));
      if (!op || !arg || arg.t !== 'num') return null;
      const o = model.textOf(op);
      if (o === '-') return { t: 'num', v: -arg.v, text: model.textOf(node) };
      if (o === '+') return { ...arg, text: model.textOf(node) };
      return null;
    }
    case 'string': {
      if (items(node).some((c) => c.type === 'interpolation')) return null;
      const text = model.textOf(node);
      const m = /^([rRuUbB]*)("""|'''|"|')([\s\S]*)\2$/.exec(text);
      if (!m || /[bB]/.test(m[1])) return null;
      const body = m[3];
      if (!/[rR]/.test(m[1]) && body.includes('\\')) return null;
      return { t: 'str', v: body };
    }
    case 'concatenated_string':
      return null;
    case 'call': {
      // float("inf"), float("nan"), float("-inf")
      const fqn = model.resolve(node.childForFieldName('function'));
      const a = items(node.childForFieldName('arguments'));
      if (fqn === 'builtins.float' && a.length === 1) {
        const s = literal(model, a[0]);
        if (s?.t === 'str') {
          const t = s.v.trim().toLowerCase();
          if (/^[+-]?(inf|infinity)$/.test(t)) return { t: 'num', v: t.startsWith('-') ? -Infinity : Infinity, text: model.textOf(node) };
          if (/^[+-]?nan$/.test(t)) return { t: 'num', v: NaN, text: model.textOf(node) };
        }
        if (s?.t === 'num') return { ...s, text: model.textOf(node) };
      }
      return null;
    }
    case 'attribute': {
      const fqn = model.resolve(node);
      if (fqn === 'math.inf') return { t: 'num', v: Infinity, text: model.textOf(node) };
      if (fqn === 'math.nan') return { t: 'num', v: NaN, text: model.textOf(node) };
      return null;
    }
    default:
      return null;
  }
}

/** A literal number, or null. */
export function num(model: ModuleModel, node: Node | null | undefined): number | null {
  const l = literal(model, node);
  return l && l.t === 'num' ? l.v : null;
}

// ---------------------------------------------------------------- queues

export const QUEUE_CTOR = 'dbos.Queue';
const REGISTER = new Set(['dbos.DBOS.register_queue', 'dbos.DBOS.register_queue_async']);

/** `DBOS.register_queue(...)` / `DBOSClient(...).register_queue(...)` (and async twins). */
export function isRegisterQueue(fqn: string | null): boolean {
  if (!fqn) return false;
  return REGISTER.has(fqn) || fqn === 'dbos.DBOSClient().register_queue' || fqn === 'dbos.DBOSClient().register_queue_async';
}

/** Queue objects (FQNs from data/dbos-api.json), shared with the async rules. */
export { isQueueObject };

export interface QueueDecl {
  call: CallInfo;
  /** `Queue(...)` (in-memory, 2.x) or a registration. */
  legacy: boolean;
  name: string | null;
  nameNode: Node | null;
  args: CallArgs;
  /** Keyword value by option name, with `Queue`'s positional `concurrency` and `limiter` folded in. */
  options: Map<string, Node>;
}

/** Every `Queue(...)` and `register_queue(...)` call of the file; computed once per model (seven rules and the registry read them). */
export const queueDeclarations: (model: ModuleModel) => readonly QueueDecl[] = oncePerModel(findQueueDeclarations);

function findQueueDeclarations(model: ModuleModel): QueueDecl[] {
  const out: QueueDecl[] = [];
  for (const call of model.calls) {
    const fqn = model.calleeFqn(call);
    const legacy = fqn === QUEUE_CTOR;
    if (!legacy && !isRegisterQueue(fqn)) continue;
    const args = callArgs(model, call.args);
    const nameNode = args.positional[0] ?? args.keywords.get('name')?.value ?? null;
    const lit = literal(model, nameNode);
    const options = new Map<string, Node>();
    if (legacy) {
      if (args.positional[1]) options.set('concurrency', args.positional[1]);
      if (args.positional[2]) options.set('limiter', args.positional[2]);
    }
    for (const [k, v] of args.keywords) if (k !== 'name') options.set(k, v.value);
    out.push({ call, legacy, name: lit?.t === 'str' ? lit.v : null, nameNode, args, options });
  }
  return out;
}

const PARTITION_KEYS = ['partition_concurrency', 'partition_worker_concurrency', 'partition_limiter'];

/** Whether a declaration partitions its queue: any `partition_*` limit or `partition_queue=True`. null when unknown. */
export function isPartitioned(model: ModuleModel, d: QueueDecl): boolean | null {
  if (d.args.splat) return null;
  for (const k of PARTITION_KEYS) {
    const v = d.options.get(k);
    if (v) {
      const l = literal(model, v);
      if (l?.t === 'none') continue;
      return true;
    }
  }
  const pq = d.options.get('partition_queue');
  if (pq) {
    const l = literal(model, pq);
    if (l?.t === 'bool') return l.v;
    return null;
  }
  return false;
}



/** Inside an `if` or `try` between the node and its function/module: a guarded (lazy) execution. */
export function isGuarded(node: Node): boolean {
  for (let p = parentOf(node); p; p = parentOf(p)) {
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'module' || p.type === 'class_definition') return false;
    if (p.type === 'if_statement' || p.type === 'conditional_expression' || p.type === 'try_statement') return true;
  }
  return false;
}
