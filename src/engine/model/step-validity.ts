// Whether a plain function could become a DBOS step as it is written. A step runs once and DBOS
// replays its checkpointed return value afterwards, so a function is no step when what it does
// matters beyond its return value: it is a generator or a context manager (the body runs while the
// caller iterates or inside its `with` block, not in the step), or it changes state its caller can
// read (a parameter's contents, `self`, module-level names), which a replay would not change again.
// Starting workflows and workflow-only APIs (`DBOS.recv`, `DBOS.sleep`) are checked by the call
// graph (analysis/effects.ts), since they fail in a step wherever they are reached.
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from '../model/module';
import type { CallInfo, FunctionInfo } from '../model/types';
import { Enclosing, parentOf } from '../syntax/enclosing';
import { checkTime } from '../budget';

/** Methods that change the object they are called on. */
export const MUTATING_METHODS = new Set([
  'append', 'extend', 'insert', 'pop', 'remove', 'clear', 'update', 'setdefault', 'add', 'discard',
  'popitem', 'sort', 'reverse', 'appendleft', 'extendleft', 'popleft',
]);

/** A callee's text that names none of MUTATING_METHODS cannot call one (tested before reading the callee's nodes). */
const MAY_MUTATE = new RegExp(`\\b(?:${[...MUTATING_METHODS].join('|')})\\b`);

const CONTEXT_MANAGER_DECORATORS = new Set(['contextlib.contextmanager', 'contextlib.asynccontextmanager']);

/** A node of the model's `storesAndYields`, with its type and extent read from the tree once. */
interface Own {
  node: Node;
  type: string;
  start: number;
  end: number;
}

/** For each model: the nodes of `storesAndYields` by the innermost function (def or lambda) around them, by node id. */
const ownNodes = new WeakMap<ModuleModel, Map<number, Own[]>>();

/**
 * The assignments, augmented assignments, `del` statements and `yield`s of the function's own body
 * (not in nested functions or lambdas), in document order: taken from the model's pass, each
 * grouped once under the innermost function around it (found from offsets).
 */
function own(model: ModuleModel, fn: FunctionInfo): Own[] {
  if (!fn.body) return [];
  let byFn = ownNodes.get(model);
  if (!byFn) {
    byFn = new Map();
    const fns = new Enclosing(model.functions.map((f) => f.node));
    for (const n of model.storesAndYields) {
      checkTime();
      const end = n.endIndex;
      const f = fns.innermost(n, end);
      if (!f) continue;
      const entry: Own = { node: n, type: n.type, start: n.startIndex, end };
      const list = byFn.get(f.id);
      if (list) list.push(entry);
      else byFn.set(f.id, [entry]);
    }
    ownNodes.set(model, byFn);
  }
  const list = byFn.get(fn.node.id);
  if (!list) return [];
  const start = fn.body.startIndex;
  const end = fn.body.endIndex;
  return list.filter((n) => n.start >= start && n.end <= end);
}

/** The identifier at the root of `a.b[c].d`, if the expression is one. */
function rootName(node: Node): Node | null {
  let n: Node | null = node;
  while (n && (n.type === 'attribute' || n.type === 'subscript')) n = n.namedChildren[0] ?? null;
  return n?.type === 'identifier' ? n : null;
}

/**
 * Whether `name`, as read in `fn`, is state its caller can see: a parameter (`self` included), a
 * name declared `global`/`nonlocal`, or a module-level name that the function does not bind.
 */
function sharedName(model: ModuleModel, fn: FunctionInfo, name: string): boolean {
  if (fn.params.includes(name) || fn.globals.has(name) || fn.nonlocals.has(name)) return true;
  if (fn.bindings.has(name) || fn.imports.has(name)) return false;
  for (let f = fn.parent; f; f = f.parent) if (f.bindings.has(name) || f.params.includes(name)) return true;
  return model.module.bindings.has(name) && !model.module.imports.has(name);
}

const reasons = new WeakMap<FunctionInfo, string | null>();

/**
 * Why `fn` cannot be made a step as it is written, as a clause for a message ("it is a context
 * manager", "it changes `self.items`, which its caller can read"), or null when nothing in its own
 * body stands in the way.
 */
export function whyNotAStep(model: ModuleModel, fn: FunctionInfo): string | null {
  let hit = reasons.get(fn);
  if (hit === undefined) reasons.set(fn, (hit = findReason(model, fn)));
  return hit;
}

function findReason(model: ModuleModel, fn: FunctionInfo): string | null {
  if (fn.isLambda) return null;
  if (fn.decorators.some((d) => d.fqn && CONTEXT_MANAGER_DECORATORS.has(d.fqn))) return 'it is a context manager';
  const nodes = own(model, fn);
  if (nodes.some((n) => n.type === 'yield')) return 'it is a generator';
  for (const { node: a, type } of nodes) {
    if (type !== 'assignment' && type !== 'augmented_assignment') continue;
    const left = a.childForFieldName('left');
    if (!left) continue;
    const targets = left.type === 'pattern_list' || left.type === 'tuple_pattern' ? left.namedChildren : [left];
    for (const t of targets) {
      if (!t) continue;
      if (t.type === 'identifier') {
        const name = model.textOf(t);
        if (fn.globals.has(name) || fn.nonlocals.has(name)) return `it assigns \`${name}\`, which its caller can read`;
        continue;
      }
      if (t.type !== 'attribute' && t.type !== 'subscript') continue;
      const root = rootName(t);
      if (root && sharedName(model, fn, model.textOf(root))) return `it changes \`${model.textOf(t)}\`, which its caller can read`;
    }
  }
  for (const { node: d, type } of nodes) {
    if (type !== 'delete_statement') continue;
    for (const t of d.namedChildren) {
      const root = t && (t.type === 'attribute' || t.type === 'subscript') ? rootName(t) : null;
      if (root && sharedName(model, fn, model.textOf(root))) return `it deletes from \`${model.textOf(root)}\`, which its caller can read`;
    }
  }
  for (const c of fn.calls) {
    if (c.calleeType !== 'attribute' || !MAY_MUTATE.test(model.textOf(c.callee))) continue;
    const method = c.callee.childForFieldName('attribute');
    const obj = c.callee.childForFieldName('object');
    if (!method || !obj || !MUTATING_METHODS.has(model.textOf(method))) continue;
    const root = rootName(obj);
    if (root && sharedName(model, fn, model.textOf(root))) return `it changes \`${model.textOf(obj)}\`, which its caller can read`;
  }
  return null;
}

/** The call is the context manager of a `with` statement (`with track(...):`): its result is not a value a step can return. */
export function usedAsContextManager(call: CallInfo): boolean {
  let p = parentOf(call.node);
  if (p?.type === 'await') p = parentOf(p);
  if (p?.type === 'as_pattern') p = parentOf(p);
  return p?.type === 'with_item';
}
