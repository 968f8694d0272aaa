// How a value is used: only logged (harmless in a workflow) or used for real.
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from './module';
import type { FunctionInfo } from './types';

// Log, metrics and durable-record calls: a value that only reaches them does not steer the workflow
// (set_event and write_stream are checkpointed, so a replay does not record the new value).
const LOG_CALLEE =
  /(^|\.)(print|pprint)$|(^|\.)(set_event|set_event_async|write_stream|write_stream_async)$|(^|\.)(logger|logging|log|_logger|_log|LOGGER|LOG)\.(debug|info|warning|warn|error|exception|critical|log)$|\.logger\.\w+$|getLogger\([^()]*\)\.(debug|info|warning|warn|error|exception|critical|log)$|\.(set_attribute|add_event|observe|inc|dec|labels|record)$/;

/** The call whose arguments contain `node`, when that call is a log or metrics call. */
function inLogCall(model: ModuleModel, node: Node): boolean {
  for (let n: Node | null = node.parent, child: Node = node; n; child = n, n = n.parent) {
    if (n.type === 'argument_list') {
      const call = n.parent;
      const callee = call?.childForFieldName('function');
      if (callee && LOG_CALLEE.test(model.textOf(callee))) return true;
    }
    if (n.type === 'block' || n.type === 'module' || n.type.endsWith('_statement') && n.type !== 'expression_statement') return false;
    if (n.type === 'lambda' || n.type === 'function_definition') return false;
    void child;
  }
  return false;
}

/** The name assigned by the assignment whose right side contains `node` (`x = f(node)`). */
function assignedName(model: ModuleModel, node: Node): string | null {
  for (let n: Node | null = node.parent, child: Node = node; n; child = n, n = n.parent) {
    if (n.type === 'assignment') {
      const right = n.childForFieldName('right');
      const left = n.childForFieldName('left');
      if (right && child.id === right.id && left?.type === 'identifier') return model.textOf(left);
      return null;
    }
    if (n.type === 'block' || n.type === 'module' || n.type === 'lambda' || n.type === 'function_definition') return null;
  }
  return null;
}

function usesOf(model: ModuleModel, fn: FunctionInfo, name: string): Node[] {
  if (!fn.body) return [];
  return model.identifiersNamed(name, fn.body).filter((id) => {
    if (!id || model.textOf(id) !== name) return false;
    const p = id.parent;
    if (p?.type === 'attribute' && p.childForFieldName('attribute')?.id === id.id) return false;
    if (p?.type === 'keyword_argument' && p.childForFieldName('name')?.id === id.id) return false;
    if (p?.type === 'assignment' && p.childForFieldName('left')?.id === id.id) return false;
    // `x.attr = v` stores into the object: not a read of the value that could steer the workflow
    if (p?.type === 'attribute' && p.parent?.type === 'assignment' && p.parent.childForFieldName('left')?.id === p.id) return false;
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
  const p = node.parent;
  if (p?.type === 'binary_operator' && model.textOf(p.childForFieldName('operator')!) === '-') return durationOk(model, p, fn, depth);
  if (depth >= 3) return false;
  const name = assignedName(model, node);
  if (!name || name === '_') return false;
  // reads after the name is bound again (`t = time.time() - t`) see the new value, checked from there
  const rebind = fn.body ? model.identifiersNamed(name, fn.body).find((id) => id && id.startIndex > node.endIndex && id.parent?.type === 'assignment' && id.parent.childForFieldName('left')?.id === id.id) : undefined;
  const until = rebind?.parent ? rebind.parent.endIndex : Infinity;
  const uses = usesOf(model, fn, name).filter((u) => u.startIndex < until);
  return uses.length > 0 && uses.every((u) => readingOk(model, u, fn, depth + 1));
}

function durationOk(model: ModuleModel, node: Node, fn: FunctionInfo, depth: number): boolean {
  let e = node;
  for (;;) {
    const p = e.parent;
    if (!p) return false;
    if (p.type === 'binary_operator' || p.type === 'parenthesized_expression') e = p;
    else if (p.type === 'attribute' && /^total_seconds$/.test(model.textOf(p.childForFieldName('attribute')!)) && p.parent?.type === 'call') e = p.parent;
    else if (p.type === 'argument_list' && p.parent?.type === 'call' && DURATION_WRAPPERS.test(model.textOf(p.parent.childForFieldName('function')!))) e = p.parent;
    else break;
  }
  if (inLogCall(model, e)) return true;
  let p = e.parent;
  // returned, alone or in a tuple / list / dict of results
  while (p && (p.type === 'expression_list' || p.type === 'tuple' || p.type === 'list' || p.type === 'pair' || p.type === 'dictionary')) p = p.parent;
  if (p?.type === 'return_statement') return true;
  // collected into a list of timings, or added to a running total
  if (p?.type === 'argument_list' && p.parent?.type === 'call') {
    const callee = p.parent.childForFieldName('function');
    if (callee?.type === 'attribute' && model.textOf(callee.childForFieldName('attribute')!) === 'append') return true;
  }
  if (e.parent?.type === 'augmented_assignment' && e.parent.childForFieldName('right')?.id === e.id) return true;
  if (depth >= 3) return false;
  const name = assignedName(model, e);
  if (!name || name === '_') return false;
  // `t = time.time() - t` reuses the name: its read inside the expression is the reading itself
  const uses = usesOf(model, fn, name).filter((u) => u.startIndex < e.startIndex || u.endIndex > e.endIndex);
  return uses.every((u) => durationOk(model, u, fn, depth + 1));
}
