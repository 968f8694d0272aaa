// How a value is used: only logged (harmless in a workflow) or used for real.
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from './module';
import type { FunctionInfo } from './types';
import { Enclosing, holds, parentOf } from '../syntax/enclosing';

// Log, metrics and durable-record calls: a value that only reaches them does not steer the workflow
// (set_event and write_stream are checkpointed, so a replay does not record the new value).
const LOG_CALLEE =
  /(^|\.)(print|pprint)$|(^|\.)(set_event|set_event_async|write_stream|write_stream_async)$|(^|\.)(logger|logging|log|_logger|_log|LOGGER|LOG)\.(debug|info|warning|warn|error|exception|critical|log)$|\.logger\.\w+$|getLogger\([^()]*\)\.(debug|info|warning|warn|error|exception|critical|log)$|\.(set_attribute|add_event|observe|inc|dec|labels|record)$/;

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
      lambdas: new Enclosing(model.functions.filter((f) => f.node.type === 'lambda').map((f) => f.node)),
      assignments: new Enclosing(model.root.descendantsOfType('assignment')),
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
  if (depth >= 3) return false;
  const name = assignedName(model, e);
  if (!name || name === '_') return false;
  // `t = time.time() - t` reuses the name: its read inside the expression is the reading itself
  const uses = usesOf(model, fn, name).filter((u) => u.startIndex < e.startIndex || u.endIndex > e.endIndex);
  return uses.every((u) => durationOk(model, u, fn, depth + 1));
}
