// How a value is used: only logged (harmless in a workflow) or used for real.
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from './module';
import type { CallInfo, FunctionInfo } from './types';
import { Enclosing, holds, loopsAround, parentOf } from '../syntax/enclosing';
import { isStepLike, isWorkflow } from './kinds';
import { workflowStart } from './workflow-starts';
import { MUTATING_METHODS } from './step-validity';
import { checkTime } from '../budget';

// Log and metrics calls: a value that only reaches them does not steer the workflow.
const LOG_CALLEE =
  /(^|\.)(print|pprint)$|(^|\.)(logger|logging|log|_logger|_log|LOGGER|LOG)\.(debug|info|warning|warn|error|exception|critical|log)$|\.logger\.\w+$|getLogger\([^()]*\)\.(debug|info|warning|warn|error|exception|critical|log)$|\.(set_attribute|add_event|observe|inc|dec|labels|record)$/;

/** What the walks of this file read, per model: built once, the first time a value's use is asked. */
interface UsageIndex {
  /** The argument lists of log and metrics calls. */
  logArgs: Enclosing;
  lambdas: Enclosing;
  assignments: Enclosing;
}

const indexes = new WeakMap<ModuleModel, UsageIndex>();

function usageIndex(model: ModuleModel): UsageIndex {
  let ix = indexes.get(model);
  if (!ix) {
    const logArgs: Node[] = [];
    for (const c of model.calls) if (c.args?.type === 'argument_list' && LOG_CALLEE.test(model.textOf(c.callee))) logArgs.push(c.args);
    ix = {
      logArgs: new Enclosing(logArgs),
      lambdas: new Enclosing(model.functions.filter((f) => f.isLambda).map((f) => f.node)),
      // the model collected every `assignment` node in its pass: no second walk of the tree
      assignments: new Enclosing(model.assignments),
    };
    indexes.set(model, ix);
  }
  return ix;
}

/** Whether a lambda lies between `node` and `outer` (a lambda is where walking up from `node` stops). */
function lambdaBetween(ix: UsageIndex, node: Node, outer: Node): boolean {
  const lambda = ix.lambdas.innermost(node);
  return !!lambda && holds(outer, lambda);
}

/**
 * Whether `node` is inside the arguments of a log or metrics call of its own expression (no lambda
 * between; an expression holds no statement, block or def). From offsets: no walk up the tree.
 */
function inLogCall(model: ModuleModel, node: Node): boolean {
  const ix = usageIndex(model);
  const args = ix.logArgs.innermost(node);
  return !!args && !lambdaBetween(ix, node, args);
}

/** The name assigned by the assignment whose right side contains `node` (`x = f(node)`): the innermost assignment around it. */
function assignedName(model: ModuleModel, node: Node): string | null {
  const ix = usageIndex(model);
  const assignment = ix.assignments.innermost(node);
  if (!assignment || lambdaBetween(ix, node, assignment)) return null;
  const right = assignment.childForFieldName('right');
  const left = assignment.childForFieldName('left');
  if (right && holds(right, node) && left?.type === 'identifier') return model.textOf(left);
  return null;
}

/** `name = ...`: the identifier is the left side of an assignment. */
function isAssignedTarget(id: Node): boolean {
  const p = parentOf(id);
  return p?.type === 'assignment' && p.childForFieldName('left')?.id === id.id;
}

/** The reads of each name in each function, found once (every reading of a long expression asks again). */
const reads = new WeakMap<FunctionInfo, Map<string, Node[]>>();

function usesOf(model: ModuleModel, fn: FunctionInfo, name: string): Node[] {
  let byName = reads.get(fn);
  if (!byName) reads.set(fn, (byName = new Map()));
  let uses = byName.get(name);
  if (!uses) byName.set(name, (uses = findUses(model, fn, name)));
  return uses;
}

function findUses(model: ModuleModel, fn: FunctionInfo, name: string): Node[] {
  if (!fn.body) return [];
  return model.identifiersNamed(name, fn.body).filter((id) => {
    checkTime();
    if (!id || model.textOf(id) !== name) return false;
    const p = parentOf(id);
    if (p?.type === 'attribute' && p.childForFieldName('attribute')?.id === id.id) return false;
    if (p?.type === 'keyword_argument' && p.childForFieldName('name')?.id === id.id) return false;
    if (p?.type === 'assignment' && p.childForFieldName('left')?.id === id.id) return false;
    // `x.attr = v` stores into the object: not a read of the value that could steer the workflow
    const pp = p?.type === 'attribute' ? parentOf(p) : null;
    if (pp?.type === 'assignment' && pp.childForFieldName('left')?.id === p!.id) return false;
    return true;
  });
}

/**
 * True when the value of `node` only ever reaches log or metrics calls, directly or through a
 * variable (`start = time.time()` ... `log.info(time.time() - start)`), or is not used at all.
 */
export function onlyLogged(model: ModuleModel, node: Node, fn: FunctionInfo, depth = 0): boolean {
  if (inLogCall(model, node)) return true;
  if (depth >= 3) return false;
  const name = assignedName(model, node);
  if (!name) return false;
  const uses = usesOf(model, fn, name);
  return uses.every((u) => onlyLogged(model, u, fn, depth + 1));
}

// Clock readings whose differences measure how long something took.
const CLOCK = /^time\.(time|monotonic|perf_counter|process_time|thread_time)(_ns)?$|^datetime\.datetime\.(now|utcnow)$/;

/** Wrappers a duration may pass through and stay a duration: arithmetic, rounding, conversion. */
const DURATION_WRAPPERS = /^(round|int|float|abs)$/;

/**
 * A clock reading used only to measure a duration that is then logged, returned, collected or summed
 * (`t0 = time.time()` ... `return result, time.time() - t0`): a timing metric, which does not steer
 * the workflow. Any other use (a comparison, an argument of another call, a condition) returns false.
 */
export function onlyTimed(model: ModuleModel, node: Node, fn: FunctionInfo, fqn: string): boolean {
  if (!CLOCK.test(fqn)) return false;
  return readingOk(model, node, fn, 0);
}

function readingOk(model: ModuleModel, node: Node, fn: FunctionInfo, depth: number): boolean {
  if (inLogCall(model, node)) return true;
  const p = parentOf(node);
  if (p?.type === 'binary_operator' && model.textOf(p.childForFieldName('operator')!) === '-') return durationOk(model, p, fn, depth);
  if (depth >= 3) return false;
  const name = assignedName(model, node);
  if (!name || name === '_') return false;
  // reads after the name is bound again (`t = time.time() - t`) see the new value, checked from there
  const rebind = fn.body ? model.identifiersNamed(name, fn.body).find((id) => id && id.startIndex > node.endIndex && isAssignedTarget(id)) : undefined;
  const until = rebind ? parentOf(rebind)!.endIndex : Infinity;
  const uses = usesOf(model, fn, name).filter((u) => u.startIndex < until);
  return uses.length > 0 && uses.every((u) => readingOk(model, u, fn, depth + 1));
}

/** Per model: the expression each node of a duration climbs to (see `durationExpression`), by node id. */
const climbs = new WeakMap<ModuleModel, Map<number, Node>>();

/**
 * The outermost expression around `node` that is still a duration: arithmetic, parentheses,
 * `.total_seconds()`, rounding and conversion. Every node passed remembers where the climb ended, so
 * the readings of one long expression share a single climb (each climbing alone is quadratic).
 */
function durationExpression(model: ModuleModel, node: Node): Node {
  let memo = climbs.get(model);
  if (!memo) climbs.set(model, (memo = new Map()));
  const passed: number[] = [];
  let e = node;
  for (;;) {
    const known = memo.get(e.id);
    if (known) {
      e = known;
      break;
    }
    passed.push(e.id);
    const p = parentOf(e);
    let next: Node | null = null;
    if (p?.type === 'binary_operator' || p?.type === 'parenthesized_expression') next = p;
    else if (p?.type === 'attribute' && /^total_seconds$/.test(model.textOf(p.childForFieldName('attribute')!))) {
      const call = parentOf(p);
      if (call?.type === 'call') next = call;
    } else if (p?.type === 'argument_list') {
      const call = parentOf(p);
      if (call?.type === 'call' && DURATION_WRAPPERS.test(model.textOf(call.childForFieldName('function')!))) next = call;
    }
    if (!next) break;
    e = next;
  }
  for (const id of passed) memo.set(id, e);
  return e;
}

const COLLECTIONS = new Set(['expression_list', 'tuple', 'list', 'pair', 'dictionary']);

function durationOk(model: ModuleModel, node: Node, fn: FunctionInfo, depth: number): boolean {
  const e = durationExpression(model, node);
  if (inLogCall(model, e)) return true;
  const eParent = parentOf(e);
  if (!eParent) return false;
  // returned, alone or in a tuple / list / dict of results
  let p: Node | null = eParent;
  while (p && COLLECTIONS.has(p.type)) p = parentOf(p);
  if (p?.type === 'return_statement') return true;
  // collected into a list of timings, or added to a running total
  const call = p?.type === 'argument_list' ? parentOf(p) : null;
  if (call?.type === 'call') {
    const callee = call.childForFieldName('function');
    if (callee?.type === 'attribute' && model.textOf(callee.childForFieldName('attribute')!) === 'append') return true;
  }
  if (eParent.type === 'augmented_assignment' && eParent.childForFieldName('right')?.id === e.id) return true;
  if (metricSlot(model, eParent, e)) return true;
  if (depth >= 3) return false;
  const name = assignedName(model, e);
  if (!name || name === '_') return false;
  // `t = time.time() - t` reuses the name: its read inside the expression is the reading itself
  const uses = usesOf(model, fn, name).filter((u) => u.startIndex < e.startIndex || u.endIndex > e.endIndex);
  return uses.every((u) => durationOk(model, u, fn, depth + 1));
}

/** Words of a name that say it holds a duration (`execution_time`, `retrieval_time_ms`, `durationSeconds`, `took`). */
const DURATION_WORDS = new Set(['time', 'times', 'duration', 'durations', 'elapsed', 'latency', 'took', 'seconds', 'secs', 'sec', 'ms', 'millis', 'milliseconds', 'ns', 'runtime', 'timing', 'timings', 'spent']);

/** Whether a keyword or attribute name says it holds a duration (its snake_case or camelCase words). */
function namesDuration(name: string): boolean {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/_+/)
    .some((w) => DURATION_WORDS.has(w));
}

/**
 * A duration handed over under a name that says so, to something that does not steer the workflow:
 * `Summary(execution_time=time.time() - start)`, `emit(Event(retrieval_time_ms=(time.time() - t0) * 1000))`,
 * `result.duration = time.time() - start` (a local object). A timing metric (the catalog's false positive): the step,
 * workflow and durable-sleep calls that would make it steer are still reported.
 */
function metricSlot(model: ModuleModel, eParent: Node, e: Node): boolean {
  if (eParent.type === 'keyword_argument') {
    const name = eParent.childForFieldName('name');
    const list = parentOf(eParent);
    const call = list?.type === 'argument_list' ? parentOf(list) : null;
    return eParent.childForFieldName('value')?.id === e.id && !!name && namesDuration(model.textOf(name)) && call?.type === 'call' && !steersWorkflow(model, call);
  }
  if (eParent.type === 'assignment' && eParent.childForFieldName('right')?.id === e.id) {
    const left = eParent.childForFieldName('left');
    const attr = left?.type === 'attribute' ? left.childForFieldName('attribute') : null;
    // on a local result object; `self.elapsed` lives on, for other methods to compare
    const root = left?.childForFieldName('object');
    return !!attr && root?.type === 'identifier' && !/^(self|cls)$/.test(model.textOf(root)) && namesDuration(model.textOf(attr));
  }
  return false;
}

/**
 * Where a value computed in a function ends up, as far as the function's own body shows:
 * - `logged`: only log or metrics calls (or a timing metric), the catalog's harmless uses;
 * - `tolerated`: only DBOS calls that checkpoint what they record (`set_event`, `write_stream`,
 *   `send`), directly or through a helper of this module that only hands its parameter to them, or
 *   nowhere at all (discarded, or bound to a name or a local object nothing reads afterwards): a
 *   replay computes a new value that nothing sees;
 * - `steers`: a condition (`if`, `while`, a conditional expression, a comprehension filter, `match`)
 *   or an argument of a workflow, step or transaction call, a workflow start or `SetWorkflowID`: the
 *   replay takes another path, or a step runs with a value other than the one recorded;
 * - `returned`: returned to the function's caller (and otherwise only logged or tolerated): the
 *   caller decides what becomes of it;
 * - `other`: anything else (stored, passed to a function the engine does not follow).
 */
export type ValueReach = 'logged' | 'tolerated' | 'returned' | 'steers' | 'other';

/** DBOS calls whose effect is checkpointed in a workflow: a replay does not repeat it, so the value it was given is kept. */
const CHECKPOINTED_CALLEE = /(^|\.)(set_event|set_event_async|write_stream|write_stream_async|send|send_async)$/;

/** Calls a value goes through unchanged in kind: conversions, formatting, arithmetic helpers. */
const PASS_THROUGH = /^(str|int|float|round|abs|bool|repr|format|len|min|max|sum|sorted|list|tuple|dict|set|hex)$/;

/** Expression nodes a value flows through into the expression around it. */
const CARRIERS = new Set([
  'parenthesized_expression', 'binary_operator', 'comparison_operator', 'boolean_operator', 'not_operator', 'unary_operator',
  'pair', 'dictionary', 'list', 'tuple', 'set', 'expression_list', 'interpolation', 'string', 'concatenated_string',
  'keyword_argument', 'attribute', 'subscript', 'list_splat', 'dictionary_splat', 'await', 'format_expression',
]);

const REACH_ORDER: ValueReach[] = ['logged', 'tolerated', 'returned', 'other', 'steers'];
const worst = (a: ValueReach, b: ValueReach): ValueReach => (REACH_ORDER.indexOf(a) >= REACH_ORDER.indexOf(b) ? a : b);

/**
 * Where the value of `node` (an expression in `fn`'s body) goes; see `ValueReach`. `steersCall`
 * says whether a call's arguments steer the workflow (a step, workflow or start: the rule knows).
 */
export function valueReach(model: ModuleModel, node: Node, fn: FunctionInfo, steersCall: (call: Node) => boolean, depth = 0, bound?: Node): ValueReach {
  if (onlyTimedNode(model, node, fn)) return 'logged';
  return reachAbove(model, node, fn, steersCall, depth, bound);
}

/**
 * The answers of `reachAbove`, by the `steersCall` and function asked with, then depth and node.
 * Every term of `a() + a() + ...` walks up the same chain of operators: remembered, the walks of a
 * long expression cost its length, not its square (5,000 terms took seconds).
 */
const reachMemo = new WeakMap<(call: Node) => boolean, WeakMap<FunctionInfo, Map<string, ValueReach>>>();

/** Where the value of `node` goes from its parent up (`valueReach` without the timing test of `node` itself). */
function reachAbove(model: ModuleModel, node: Node, fn: FunctionInfo, steersCall: (call: Node) => boolean, depth: number, bound?: Node): ValueReach {
  let byFn = reachMemo.get(steersCall);
  if (!byFn) reachMemo.set(steersCall, (byFn = new WeakMap()));
  let memo = byFn.get(fn);
  if (!memo) byFn.set(fn, (memo = new Map()));
  const tag = bound ? `${depth}:${bound.id}:` : `${depth}:`;
  const own = memo.get(tag + node.id);
  if (own !== undefined) return own;
  // the nodes the walk goes on from: the answer from each of them up is this node's answer
  const passed: Node[] = [node];
  const answer = climb(model, node, fn, steersCall, depth, memo, passed, tag, bound);
  for (const n of passed) memo.set(tag + n.id, answer);
  return answer;
}

function climb(
  model: ModuleModel,
  node: Node,
  fn: FunctionInfo,
  steersCall: (call: Node) => boolean,
  depth: number,
  memo: Map<string, ValueReach>,
  passed: Node[],
  tag: string,
  bound: Node | undefined,
): ValueReach {
  let cur = node;
  for (let p = parentOf(node); p; cur = p, p = parentOf(p)) {
    if (cur !== node) {
      // the walk goes on from `cur` as a walk started there would
      const known = memo.get(tag + cur.id);
      if (known !== undefined) return known;
      passed.push(cur);
    }
    if (p.type === 'argument_list') {
      const call = parentOf(p);
      const callee = call?.childForFieldName('function');
      if (!call || !callee) return 'other';
      const text = model.textOf(callee);
      if (LOG_CALLEE.test(text)) return 'logged';
      // straight into a checkpointed DBOS call: as quiet as a log (through a wrapper: tolerated, below);
      // but a value bound once and published again on each pass of a loop is published anew after a
      // recovery, different from what the replayed passes published
      if (CHECKPOINTED_CALLEE.test(text) && model.resolve(callee)?.startsWith('dbos.')) return republishedInLoop(call, bound) ? 'other' : 'logged';
      if (steersCall(call)) return 'steers';
      // `str(value)`, `Status(created_at=value)`: the result (a conversion, a data object) carries the value on
      if (PASS_THROUGH.test(text) || /(^|\.)[A-Z]\w*$/.test(text)) return valueReach(model, call, fn, steersCall, depth, bound);
      if (depth < 3 && forwardsOnlyTo(model, call, cur, fn, steersCall, depth)) return 'tolerated';
      return 'other';
    }
    if (CARRIERS.has(p.type)) {
      // `x.attr` carries the value; `f(x).attr` only when x is the object, not an argument
      if (p.type === 'attribute' && p.childForFieldName('object')?.id !== cur.id) return 'other';
      // `payload.update(extra)` as a statement changes the object in place: the value stays where it was
      const call = p.type === 'attribute' ? parentOf(p) : null;
      if (call?.type === 'call' && call.childForFieldName('function')?.id === p.id) {
        const method = model.textOf(p.childForFieldName('attribute')!);
        if (MUTATING_METHODS.has(method) && parentOf(call)?.type === 'expression_statement') return 'logged';
      }
      continue;
    }
    if (p.type === 'call') {
      // `value.isoformat()`: a method of the value gives a value derived from it; `make()()` calls it
      if (p.childForFieldName('function')?.id === cur.id && cur.type === 'attribute') continue;
      return 'other';
    }
    return statementReach(model, p, cur, fn, steersCall, depth, bound);
  }
  return 'other';
}

/** A clock reading only used as a timing metric (see `onlyTimed`), from its node. */
function onlyTimedNode(model: ModuleModel, node: Node, fn: FunctionInfo): boolean {
  if (node.type !== 'call') return false;
  const fqn = model.resolve(node.childForFieldName('function'));
  return !!fqn && onlyTimed(model, node, fn, fqn);
}

/** The reach of a value at the statement or clause `p` that holds it as `child`. */
function statementReach(model: ModuleModel, p: Node, child: Node, fn: FunctionInfo, steersCall: (call: Node) => boolean, depth: number, bound: Node | undefined): ValueReach {
  switch (p.type) {
    case 'if_statement':
    case 'elif_clause':
    case 'while_statement':
    case 'match_statement':
    case 'if_clause':
    case 'assert_statement':
      return p.childForFieldName('condition')?.id === child.id || p.type === 'if_clause' || p.type === 'match_statement' || p.type === 'assert_statement' ? 'steers' : 'other';
    case 'conditional_expression':
      // `a if cond else b`: the condition is the middle child
      return p.namedChildren[1]?.id === child.id ? 'steers' : valueReach(model, p, fn, steersCall, depth, bound);
    case 'expression_statement':
      return 'tolerated';
    case 'return_statement':
      return 'returned';
    case 'for_statement':
    case 'for_in_clause':
      return 'steers';
    case 'assignment':
    case 'augmented_assignment': {
      if (p.childForFieldName('right')?.id !== child.id) return 'other';
      const left = p.childForFieldName('left');
      if (!left) return 'other';
      if (left.type === 'identifier') return namedReach(model, model.textOf(left), p, fn, steersCall, depth, bound ?? p);
      if (left.type === 'attribute' || left.type === 'subscript') {
        // stored into a local object that nothing reads afterwards: a ledger nobody looks at
        let root: Node | null = left;
        while (root && (root.type === 'attribute' || root.type === 'subscript')) root = root.namedChildren[0] ?? null;
        if (root?.type !== 'identifier') return 'other';
        const name = model.textOf(root);
        if (fn.params.includes(name) || !fn.bindings.has(name) || fn.globals.has(name) || fn.nonlocals.has(name)) return 'other';
        const later = usesOf(model, fn, name).filter((u) => u.startIndex > p.endIndex);
        return later.length === 0 ? 'tolerated' : 'other';
      }
      return 'other';
    }
    default:
      return 'other';
  }
}

/** The reach of a value bound to `name` by `binding`: the worst reach of its later reads (none: tolerated). */
function namedReach(model: ModuleModel, name: string, binding: Node, fn: FunctionInfo, steersCall: (call: Node) => boolean, depth: number, bound: Node): ValueReach {
  if (name === '_') return 'tolerated';
  if (depth >= 3 || fn.globals.has(name) || fn.nonlocals.has(name)) return 'other';
  const uses = usesOf(model, fn, name).filter((u) => u.startIndex > binding.endIndex || u.endIndex < binding.startIndex);
  let out: ValueReach = uses.length === 0 ? 'tolerated' : 'logged';
  for (const u of uses) {
    checkTime();
    out = worst(out, valueReach(model, u, fn, steersCall, depth + 1, bound));
    if (out === 'steers') break;
  }
  return out;
}

/**
 * A checkpointed DBOS call inside a loop that does not hold `bound`, the assignment that
 * first bound the value: the value, computed once, is published again on every pass.
 */
function republishedInLoop(call: Node, bound: Node | undefined): boolean {
  if (!bound) return false;
  for (const loop of loopsAround(call, true)) if (!holds(loop, bound)) return true;
  return false;
}

/**
 * `wrapper(key, payload)` where `wrapper` is a plain function of this module that hands the
 * parameter `arg` stands for only to checkpointed DBOS calls (or logs): `_safe_write_stream`.
 */
function forwardsOnlyTo(model: ModuleModel, call: Node, arg: Node, fn: FunctionInfo, steersCall: (call: Node) => boolean, depth: number): boolean {
  const info = model.calls.find((c) => c.node.id === call.id);
  const target = info ? model.targetFunction(info) : null;
  if (!target || target === fn || target.kinds.size > 0 || !target.body) return false;
  let param: string | undefined;
  if (arg.type === 'keyword_argument') param = model.textOf(arg.childForFieldName('name')!);
  else {
    const args = call.childForFieldName('arguments')?.namedChildren.filter((a) => a && a.type !== 'comment') ?? [];
    const i = args.findIndex((a) => a?.id === arg.id);
    if (i < 0 || args.slice(0, i).some((a) => a?.type === 'list_splat' || a?.type === 'dictionary_splat' || a?.type === 'keyword_argument')) return false;
    // a method called on an object or class: its first parameter is that object
    const bound = !!target.cls && call.childForFieldName('function')?.type === 'attribute';
    param = target.params[bound ? i + 1 : i];
  }
  if (!param) return false;
  const uses = usesOf(model, target, param);
  if (uses.length === 0) return false;
  return uses.every((u) => {
    const r = valueReach(model, u, target, steersCall, depth + 1);
    return r === 'tolerated' || r === 'logged';
  });
}

const callsByNode = new WeakMap<ModuleModel, Map<number, CallInfo>>();

/** The model's record of a call node (null for a call the model does not collect, e.g. in a decorator). */
export function callInfoAt(model: ModuleModel, node: Node): CallInfo | null {
  let byId = callsByNode.get(model);
  if (!byId) {
    byId = new Map();
    for (const c of model.calls) byId.set(c.node.id, c);
    callsByNode.set(model, byId);
  }
  return byId.get(node.id) ?? null;
}

const STEERING_APIS = new Set(['dbos.SetWorkflowID', 'dbos.DBOS.sleep', 'dbos.DBOS.sleep_async', 'dbos.DBOS.recv', 'dbos.DBOS.recv_async']);

/** A call whose arguments steer a workflow: a workflow, step or transaction of this module, a workflow start, `SetWorkflowID`, a durable sleep or wait. */
export function steersWorkflow(model: ModuleModel, call: Node): boolean {
  const info = callInfoAt(model, call);
  if (!info) return false;
  const fqn = model.calleeFqn(info);
  if (fqn && STEERING_APIS.has(fqn)) return true;
  const target = model.targetFunction(info);
  if (target && (isWorkflow(target) || isStepLike(target))) return true;
  return !!workflowStart(model, info);
}

/**
 * The value of `node` (a call of `fqn`) is not worth a finding: only logged, a timing metric, or
 * handed straight to a checkpointed DBOS call (`valueReach` says `logged`).
 */
export function quietValue(model: ModuleModel, node: Node, fn: FunctionInfo, fqn: string): boolean {
  return onlyLogged(model, node, fn) || onlyTimed(model, node, fn, fqn) || valueReach(model, node, fn, steeringCalls(model)) === 'logged';
}

const steerings = new WeakMap<ModuleModel, (call: Node) => boolean>();

/** `steersWorkflow` of a model, one function per model (the walks `valueReach` remembers are kept per function). */
export function steeringCalls(model: ModuleModel): (call: Node) => boolean {
  let f = steerings.get(model);
  if (!f) steerings.set(model, (f = (c) => steersWorkflow(model, c)));
  return f;
}

/** The value of `node` reaches nothing a replay repeats: checkpointed DBOS calls through a helper, or nothing at all (see `valueReach`). */
export function toleratedValue(model: ModuleModel, node: Node, fn: FunctionInfo): boolean {
  const r = valueReach(model, node, fn, steeringCalls(model));
  return r === 'tolerated' || r === 'logged';
}

/** The value of `node` goes back to the function's caller and nowhere that matters here (`valueReach` says `returned`). */
export function returnedValue(model: ModuleModel, node: Node, fn: FunctionInfo): boolean {
  return valueReach(model, node, fn, steeringCalls(model)) === 'returned';
}
