// Shared helpers for the extended Queue rules (DBOS402, DBOS406-DBOS408): where DBOS is launched at
// startup, enqueue sites and their queue names, `SetEnqueueOptions` blocks around a node, and
// moving a statement to startup.
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from './module';
import type { CallInfo, FunctionInfo } from './types';
import type { TextEdit } from '../types';
import { lifecycleFacts, lineSpan, ownStatement } from './lifecycle';
import { callArgs, dictLiteral, isQueueObject, literal, type CallArgs } from './queues';
import { dictMutated, singleBindingValue } from './dbos-calls';
import { parentOf } from '../syntax/enclosing';

/** `DBOS.launch()` in the main guard, an entry point or a lifespan (the first one), as a whole statement. */
export function startupLaunch(model: ModuleModel): { call: CallInfo; stmt: Node; isAsync: boolean } | null {
  for (const c of lifecycleFacts(model).launches) {
    const fn = c.scope.fn;
    if (!(c.scope.mainGuard || (fn && (fn.kinds.has('entry') || fn.kinds.has('lifespan'))))) continue;
    const stmt = ownStatement(c);
    if (!stmt) continue;
    return { call: c, stmt, isAsync: !!fn?.isAsync };
  }
  return null;
}

/**
 * Edits that delete a statement alone on its lines (a lone statement of a block becomes `pass`).
 * Null when the statement shares its lines with other code.
 */
export function deleteStatementEdits(model: ModuleModel, stmt: Node): TextEdit[] | null {
  const span = lineSpan(model, stmt);
  if (!span) return null;
  const block = stmt.parent;
  const siblings = block?.namedChildren.filter((s) => s && s.type !== 'comment') ?? [];
  if (block?.type === 'block' && siblings.length === 1) {
    const indent = model.lines.indentOf(model.lines.positionAt(stmt.startIndex).line);
    return [model.lines.edit(span.start, span.end, `${indent}pass${model.lines.eol}`)];
  }
  return [model.lines.edit(span.start, span.end, '')];
}

/** Whether an expression only uses names bound at module level (imports, constants, builtins). */
export function usesOnlyModuleNames(model: ModuleModel, node: Node, fn: FunctionInfo | null): boolean {
  const scoped = ['lambda', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression', 'named_expression'];
  if (node.descendantsOfType(scoped).some((n) => n && n.isNamed)) return false;
  for (const id of node.descendantsOfType('identifier')) {
    if (!id) continue;
    const p = id.parent;
    if (p?.type === 'keyword_argument' && p.childForFieldName('name')?.id === id.id) continue;
    if (p?.type === 'attribute' && p.childForFieldName('attribute')?.id === id.id) continue;
    const name = model.textOf(id);
    for (let f = fn; f; f = f.parent) if (f.bindings.has(name) || f.imports.has(name)) return false;
  }
  return true;
}

// ---------------------------------------------------------------- enqueue sites

export const ENQUEUE_BY_NAME = new Set(['dbos.DBOS.enqueue_workflow', 'dbos.DBOS.enqueue_workflow_async']);
/** Enqueue calls taking an options dict, and the index of that dict among the positional arguments. */
export const ENQUEUE_WITH_OPTIONS: Record<string, number> = {
  'dbos.DBOS.enqueue_workflow_with_options': 0,
  'dbos.DBOS.enqueue_workflow_with_options_async': 0,
  'dbos.DBOSClient().enqueue': 0,
  'dbos.DBOSClient().enqueue_async': 0,
  'dbos.DBOSClient().enqueue_in_transaction': 1,
};

export interface EnqueueSite {
  call: CallInfo;
  kind: 'by-name' | 'options' | 'queue-object';
  /** The queue-name expression (string, dict value), when written at the call. */
  nameNode: Node | null;
  /** Its literal value. */
  name: string | null;
  /** The options dict of `enqueue_workflow_with_options` / `client.enqueue`, when a literal. */
  options: Map<string, { node: Node; value: Node }> | null;
  /** The options dict has `**splat` or is not a literal. */
  optionsOpen: boolean;
}

/** What an enqueue call is, or null when the call is not one. */
export function enqueueSite(model: ModuleModel, call: CallInfo): EnqueueSite | null {
  const fqn = model.calleeFqn(call);
  if (fqn && ENQUEUE_BY_NAME.has(fqn)) {
    const a = callArgs(model, call.args);
    const nameNode = heldValue(model, call, a.positional[0] ?? a.keywords.get('queue_name')?.value ?? null, 'string');
    const l = literal(model, nameNode);
    return { call, kind: 'by-name', nameNode, name: l?.t === 'str' ? l.v : null, options: null, optionsOpen: false };
  }
  if (fqn && fqn in ENQUEUE_WITH_OPTIONS) {
    const d = dictLiteral(model, heldValue(model, call, callArgs(model, call.args).positional[ENQUEUE_WITH_OPTIONS[fqn]] ?? null, 'dict'), ['dbos.EnqueueOptions']);
    const nameNode = d?.entries.get('queue_name')?.value ?? null;
    const l = literal(model, nameNode);
    return { call, kind: 'options', nameNode, name: l?.t === 'str' ? l.v : null, options: d?.entries ?? null, optionsOpen: !d || d.splat };
  }
  const method = model.methodOf(call);
  if (method === 'enqueue' || method === 'enqueue_async') {
    const obj = call.callee.childForFieldName('object');
    if (obj && isQueueObject(model.resolve(obj, call.scope))) {
      return { call, kind: 'queue-object', nameNode: null, name: null, options: null, optionsOpen: false };
    }
  }
  return null;
}

/**
 * An argument given as a plain name bound once in its scope (`opts = {"queue_name": ...}` then
 * `client.enqueue(opts, ...)`, `QUEUE = "jobs"` then `DBOS.enqueue_workflow(QUEUE, ...)`): the value
 * bound, when it is a string (or a dict nothing in the file changes later); otherwise the argument.
 */
function heldValue(model: ModuleModel, call: CallInfo, arg: Node | null, kind: 'string' | 'dict'): Node | null {
  if (arg?.type !== 'identifier') return arg;
  const v = singleBindingValue(model, arg, call.scope);
  if (!v) return arg;
  if (kind === 'string') return v.type === 'string' ? v : arg;
  if (v.type !== 'dictionary' && v.type !== 'call') return arg;
  return dictMutated(model, model.textOf(arg)) ? arg : v;
}

/** The `with SetEnqueueOptions(...)` items around a node, innermost first, within its function. */
export function enqueueOptionsAround(model: ModuleModel, node: Node): { ctor: Node; args: CallArgs; withNode: Node }[] {
  const out: { ctor: Node; args: CallArgs; withNode: Node }[] = [];
  for (let p = parentOf(node); p; p = parentOf(p)) {
    if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition') break;
    if (p.type !== 'with_statement') continue;
    const w = model.withs.find((x) => x.node.id === p.id);
    for (const item of w?.items ?? []) {
      if (item.value.type !== 'call' || model.resolve(item.value.childForFieldName('function')) !== 'dbos.SetEnqueueOptions') continue;
      out.push({ ctor: item.value, args: callArgs(model, item.value.childForFieldName('arguments')), withNode: p });
    }
  }
  return out;
}
