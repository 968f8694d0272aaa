// Shared helpers for the Communication, Pattern, Testing and Client rules (DBOS5xx-DBOS8xx):
// argument access, literal reading, DBOS call lookup and execution-context classification.
import { callPositionsBy, oncePerModel } from './per-model';
import { callersOf } from './callers';
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from './module';
import type { CallInfo, FunctionInfo, Scope } from './types';
import { isPlain, isStepLike, isWorkflow } from './kinds';
import { argList, stringValue } from '../syntax/arguments';
import { importsDbos } from './lifecycle';
import { parentOf } from '../syntax/enclosing';
import { escapeRegExp } from '../text';

/** Arguments of a call, comments left out. */
export const argsOf = argList;

export function positional(call: CallInfo | Node, i: number): Node | null {
  const pos = argsOf(call).filter((a) => a.type !== 'keyword_argument' && a.type !== 'list_splat' && a.type !== 'dictionary_splat');
  return pos[i] ?? null;
}


/** The call has `*args` or `**kwargs`: its arguments cannot be known. */
export function hasSplat(call: CallInfo | Node): boolean {
  return argsOf(call).some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat');
}

export { stringValue };

export function isTrue(node: Node | null | undefined): boolean {
  return !!node && node.type === 'true';
}


/** The value a plain name is bound to when it has exactly one binding with a value in its scope. */
export function singleBindingValue(model: ModuleModel, name: Node, scope: Scope): Node | null {
  if (name.type !== 'identifier') return null;
  const id = model.textOf(name);
  for (let f = scope.fn; f; f = f.parent) {
    if (f.globals.has(id) || f.nonlocals.has(id)) return null;
    const b = f.bindings.get(id);
    if (b) return b.length === 1 ? b[0].value : null;
  }
  const b = model.module.bindings.get(id);
  if (b) return b.length === 1 ? b[0].value : null;
  return null;
}

/**
 * An options argument as far as it can be read: the node itself, or for a name the one value it is
 * bound to (null when bound more than once or mutated, like `opts["queue_name"] = ...`).
 */
export function optionsValue(model: ModuleModel, node: Node | null, scope: Scope): Node | null {
  if (node?.type !== 'identifier') return node;
  if (dictMutated(model, model.textOf(node))) return null;
  return singleBindingValue(model, node, scope);
}

/** `EnqueueOptions(...)`: the typed-dict constructor called with keywords. */
export function isEnqueueOptionsCall(model: ModuleModel, node: Node): boolean {
  return node.type === 'call' && model.resolve(node.childForFieldName('function')) === 'dbos.EnqueueOptions';
}

/** Whether a name is mutated as a dict anywhere in the file (`x["k"] = v`, `x.update(...)`, `x |= ...`). */
export function dictMutated(model: ModuleModel, name: string): boolean {
  // asked for the same name by several rules and sites: one scan of the text per name
  let memo = mutatedNames.get(model);
  if (!memo) mutatedNames.set(model, (memo = new Map()));
  let r = memo.get(name);
  if (r === undefined) {
    const esc = escapeRegExp(name);
    r = new RegExp(`\\b${esc}\\s*\\[[^\\]]*\\]\\s*=[^=]|\\b${esc}\\.(update|setdefault|__setitem__)\\(|\\b${esc}\\s*\\|=`).test(model.text);
    memo.set(name, r);
  }
  return r;
}
const mutatedNames = new WeakMap<ModuleModel, Map<string, boolean>>();

/** Calls of the file whose callee resolves to one of `fqns`. */
export function callsTo(model: ModuleModel, fqns: readonly string[]): { call: CallInfo; fqn: string }[] {
  const byName = callsByName(model);
  let found: number[] = [];
  let lists = 0;
  for (const fqn of new Set(fqns)) {
    const at = byName.get(fqn);
    if (!at) continue;
    found = lists++ === 0 ? at : found.concat(at);
  }
  // in the model's order, as one pass over its calls would give them
  if (lists > 1) found.sort((a, b) => a - b);
  return found.map((i) => ({ call: model.calls[i], fqn: model.calls[i].fqn! }));
}

/**
 * The positions in `model.calls` of the calls of each resolved name, found in one pass the first
 * time a rule asks (about twenty `callsTo` questions per analysis would each pass over every call).
 */
const callsByName = oncePerModel((model): ReadonlyMap<string, number[]> => callPositionsBy(model, (call) => model.calleeFqn(call)));

export function isDbosCall(model: ModuleModel, call: CallInfo, method: string): boolean {
  return model.calleeFqn(call) === `dbos.DBOS.${method}`;
}

/** `DBOS(...)` itself (the constructor). */
export function isDbosConstructor(model: ModuleModel, call: CallInfo): boolean {
  if (model.calleeFqn(call) !== 'dbos.DBOS') return false;
  // `DBOS(...)` and not a call on an instance alias
  return call.calleeType === 'identifier' || call.calleeType === 'attribute';
}

/** The last segment of a dotted text. */
export function methodName(model: ModuleModel, call: CallInfo): string | null {
  if (call.calleeType !== 'attribute') return call.calleeType === 'identifier' ? model.textOf(call.callee) : null;
  const a = call.callee.childForFieldName('attribute');
  return a ? model.textOf(a) : null;
}

/** Where a call runs, as the communication rules see it. */
export type CallContext =
  | { kind: 'workflow'; fn: FunctionInfo }
  | { kind: 'step'; fn: FunctionInfo }
  /** Definitely outside any workflow: module level, entry point, HTTP handler, test, fixture. */
  | { kind: 'outside'; fn: FunctionInfo | null; what: string }
  /** A plain helper that may or may not be called from a workflow. */
  | { kind: 'helper'; fn: FunctionInfo }
  /** Cannot tell (a nested function of a workflow or step, a helper called from one). */
  | { kind: 'unknown' };

/** Whether some workflow (or a step, when `steps`) of this file reaches `fn` through plain helpers. */
export function calledFromDbosFunction(model: ModuleModel, fn: FunctionInfo): boolean {
  const seen = new Set<FunctionInfo>();
  const callers = (target: FunctionInfo): FunctionInfo[] => {
    const out: FunctionInfo[] = [];
    for (const call of callersOf(model, target)) {
      const f = call.scope.fn;
      if (f && !seen.has(f)) out.push(f);
    }
    return out;
  };
  const work = [fn];
  seen.add(fn);
  while (work.length > 0) {
    const g = work.pop()!;
    for (const c of callers(g)) {
      if (!isPlain(c)) return true;
      for (let p = c.parent; p; p = p.parent) if (!isPlain(p)) return true;
      if (!seen.has(c)) {
        seen.add(c);
        work.push(c);
      }
    }
  }
  return false;
}

const OUTSIDE_KINDS: [string, string][] = [
  ['http', 'HTTP handler'],
  ['lifespan', 'lifespan'],
  ['test', 'test function'],
  ['fixture', 'pytest fixture'],
  ['entry', 'entry point'],
];

export function callContext(model: ModuleModel, scope: Scope): CallContext {
  const fn = scope.fn;
  if (!fn) {
    // module level of a fragment that never imports DBOS (a documentation snippet showing one call, its
    // workflow left out): where the call really runs is unknown
    if (!scope.mainGuard && !scope.cls && !importsDbos(model)) return { kind: 'unknown' };
    return { kind: 'outside', fn: null, what: scope.mainGuard ? 'the `__main__` block' : scope.cls ? 'a class body' : 'module level' };
  }
  if (isWorkflow(fn)) return { kind: 'workflow', fn };
  if (isStepLike(fn)) return { kind: 'step', fn };
  for (const [k, what] of OUTSIDE_KINDS) {
    if (fn.kinds.has(k as never)) {
      // a handler or test that is also a workflow was caught above; a helper of main() may also serve workflows
      if (k === 'entry' && !fn.kinds.has('lifespan') && calledFromDbosFunction(model, fn)) return { kind: 'unknown' };
      return { kind: 'outside', fn, what };
    }
  }
  // nested function of a DBOS function: it may well run inside the workflow (closures, run_step)
  for (let p = fn.parent; p; p = p.parent) if (!isPlain(p) || p.kinds.has('http')) return { kind: 'unknown' };
  if (fn.isLambda) return { kind: 'unknown' };
  if (calledFromDbosFunction(model, fn)) return { kind: 'unknown' };
  return { kind: 'helper', fn };
}

/**
 * How a message names where an `outside` call runs: `the \`__main__\` block`, `HTTP handler \`f\``,
 * or, for a plain function the program only reaches from its entry point (`main()` calls it, not
 * the `__main__` block itself), `\`f\`, which only runs outside workflows (from \`main\`)`: it is
 * no entry point itself.
 */
export function outsideWhere(model: ModuleModel, c: Extract<CallContext, { kind: 'outside' }>): string {
  if (!c.fn) return c.what;
  if (c.what !== 'entry point' || c.fn.kinds.has('lifespan')) return `${c.what} \`${c.fn.name}\``;
  const direct = model.moduleCalls.some((m) => m.scope.mainGuard && model.targetFunction(m) === c.fn);
  if (direct) return `entry point \`${c.fn.name}\``;
  const caller = model.functions.find((f) => f.kinds.has('entry') && f.calls.some((x) => model.targetFunction(x) === c.fn));
  return `\`${c.fn.name}\`, which only runs outside workflows${caller ? ` (from \`${caller.name}\`)` : ''}`;
}

/** Statement (child of a block or module) containing the node. */
export function statementIn(node: Node): Node {
  let n = node;
  for (let p = parentOf(n); p && p.type !== 'block' && p.type !== 'module'; p = parentOf(n)) n = p;
  return n;
}

/** True when `before` is a statement that precedes (in the same block) a statement containing `node`. */
export function dominates(before: Node, node: Node): boolean {
  const block = before.parent;
  if (!block) return false;
  if (before.endIndex > node.startIndex) return false;
  for (let n: Node | null = node, p = parentOf(node); n && p; n = p, p = parentOf(p)) {
    if (p.id === block.id) return n.startIndex >= before.endIndex;
  }
  return false;
}

/** The function's parameters node entries with their shape, for signature checks. */
export interface ParamShape {
  /** Positional parameters without default (excluding self/cls of methods). */
  required: number;
  /** Positional parameters with a default. */
  optional: number;
  varargs: boolean;
  /** Keyword-only parameters without a default. */
  requiredKwOnly: number;
}

export function paramShape(fn: FunctionInfo, skipFirst: boolean): ParamShape | null {
  const params = fn.node.childForFieldName('parameters');
  if (!params) return null;
  const shape: ParamShape = { required: 0, optional: 0, varargs: false, requiredKwOnly: 0 };
  let kwOnly = false;
  let first = skipFirst;
  for (const p of params.namedChildren) {
    if (!p || p.type === 'comment') continue;
    if (p.type === 'positional_separator') continue;
    if (p.type === 'keyword_separator') {
      kwOnly = true;
      continue;
    }
    if (p.type === 'list_splat_pattern') {
      shape.varargs = true;
      kwOnly = true;
      continue;
    }
    if (p.type === 'dictionary_splat_pattern') continue;
    if (first) {
      first = false;
      continue;
    }
    const hasDefault = p.type === 'default_parameter' || p.type === 'typed_default_parameter';
    if (p.type === 'typed_parameter' && p.namedChildren.some((c) => c?.type === 'list_splat_pattern')) {
      shape.varargs = true;
      kwOnly = true;
      continue;
    }
    if (p.type === 'typed_parameter' && p.namedChildren.some((c) => c?.type === 'dictionary_splat_pattern')) continue;
    if (kwOnly) {
      if (!hasDefault) shape.requiredKwOnly++;
    } else if (hasDefault) shape.optional++;
    else shape.required++;
  }
  return shape;
}

/** `@staticmethod` / `@classmethod` on a method. */
export function methodKind(fn: FunctionInfo): 'static' | 'class' | 'instance' {
  for (const d of fn.decorators) {
    if (d.fqn === 'builtins.staticmethod') return 'static';
    if (d.fqn === 'builtins.classmethod') return 'class';
  }
  return 'instance';
}

/** Levenshtein distance, for "did you mean" fixes. */
export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

/** The range of an argument including its separating comma, for deleting it from an argument list. */
export function argDeletionRange(model: ModuleModel, arg: Node): { start: number; end: number } {
  const list = arg.parent!;
  const items = list.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment');
  const i = items.findIndex((a) => a.id === arg.id);
  if (i > 0) return { start: items[i - 1].endIndex, end: arg.endIndex };
  if (i === 0 && items.length > 1) return { start: arg.startIndex, end: items[1].startIndex };
  // only argument: also drop a trailing comma
  let end = arg.endIndex;
  const rest = model.text.slice(end, list.endIndex);
  const m = /^\s*,/.exec(rest);
  if (m) end += m[0].length;
  return { start: arg.startIndex, end };
}


/** The node sits in `with pytest.raises(...)` / `with self.assertRaises(...)`: the failure is the point. */
export function expectsFailure(model: ModuleModel, node: Node): boolean {
  return model.expectsFailure(node);
}

