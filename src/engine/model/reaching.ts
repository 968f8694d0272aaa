// The bindings of a local name that reach one of its uses: the last assignment before the use in the
// same block, or in an enclosing block when no branch in between rebinds it; in a loop, a binding
// later in the loop body may also reach the use on the next pass. Read from offsets: each function's
// (or the module's) blocks and loops are read once per model, by a walk of its statements only.
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from './module';
import type { Binding, ScopeInfo } from './types';
import { oncePerModel } from './per-model';
import { checkTime } from '../budget';

interface Range {
  start: number;
  end: number;
}

/** A binding with its offsets: where its target starts, where the statement that binds it is done. */
interface Placed {
  b: Binding;
  start: number;
  done: number;
  /** The innermost block whose statements run in order around the binding (a `with` body is not one). */
  block: Range;
}

/** The statement structure of one function body (or the module) and its names' bindings, placed. */
interface Flow {
  /** The blocks, sorted by start; the body first. */
  blocks: Range[];
  loops: Range[];
  names: Map<string, Placed[]>;
}

/** Statements and clauses that hold blocks: the walk enters them, and nothing else (no expressions, no nested defs). */
const HOLDS_BLOCKS = new Set([
  'block',
  'if_statement',
  'elif_clause',
  'else_clause',
  'for_statement',
  'while_statement',
  'try_statement',
  'except_clause',
  'except_group_clause',
  'finally_clause',
  'with_statement',
  'match_statement',
  'case_clause',
]);

const flowsOf = oncePerModel(() => new Map<ScopeInfo, Flow>());

/**
 * The bindings of `name` in `owner` (a function whose body is `body`, or the module with its root)
 * that may reach a use of the name at offset `at`, in source order. A use that is itself a binding's
 * target gets that binding. Undefined when `at` is outside the body (a default, a decorator).
 */
export function reachingBindings(model: ModuleModel, owner: ScopeInfo, body: Node, name: string, at: number): Binding[] | undefined {
  const flows = flowsOf(model);
  let flow = flows.get(owner);
  if (!flow) flows.set(owner, (flow = structure(body)));
  const root = flow.blocks[0];
  if (at < root.start || at >= root.end) return undefined;
  let placed = flow.names.get(name);
  if (!placed) flow.names.set(name, (placed = place(owner.bindings.get(name) ?? [], flow)));
  for (const p of placed) if (p.start === at) return [p.b];
  const reach: Placed[] = [];
  // backwards from the use, up to the first binding that runs on every way to it
  let dominant: Placed | undefined;
  for (let i = placed.length - 1; i >= 0; i--) {
    const p = placed[i];
    if (p.done > at) continue;
    reach.push(p);
    if (p.block.start <= at && at < p.block.end) {
      dominant = p;
      break;
    }
  }
  // a loop around the use that does not hold that binding: its later bindings reach the next pass
  let loop: Range | undefined;
  for (const l of flow.loops) {
    if (l.start > at || at >= l.end) continue;
    if (dominant && l.start <= dominant.start && dominant.start < l.end) continue;
    if (!loop || l.start < loop.start) loop = l;
  }
  if (loop) for (const p of placed) if (p.done > at && p.start >= loop.start && p.start < loop.end) reach.push(p);
  return reach.sort((a, b) => a.start - b.start).map((p) => p.b);
}

/** The blocks and loops of a body, by a walk of its statements (nested defs and classes left out). */
function structure(body: Node): Flow {
  const blocks: Range[] = [{ start: body.startIndex, end: body.endIndex }];
  const loops: Range[] = [];
  const stack: Node[] = [body];
  while (stack.length > 0) {
    checkTime();
    const n = stack.pop()!;
    const parentType = n.type;
    for (const c of n.namedChildren) {
      if (!c) continue;
      const t = c.type;
      if (!HOLDS_BLOCKS.has(t)) continue;
      // a `with` body runs whole once entered: its bindings are as sure as the `with` itself
      if (t === 'block' && parentType !== 'with_statement') blocks.push({ start: c.startIndex, end: c.endIndex });
      if (t === 'for_statement' || t === 'while_statement') loops.push({ start: c.startIndex, end: c.endIndex });
      stack.push(c);
    }
  }
  blocks.sort((a, b) => a.start - b.start);
  return { blocks, loops, names: new Map() };
}

function place(bindings: Binding[], flow: Flow): Placed[] {
  const out: Placed[] = [];
  for (const b of bindings) {
    const node = b.node;
    const start = node.startIndex;
    const done = Math.max(node.endIndex, b.value?.endIndex ?? 0, b.element?.value.endIndex ?? 0);
    // the innermost block holding it (blocks nest: the holder that starts last); a parameter: the body
    let block = flow.blocks[0];
    for (const r of flow.blocks) {
      if (r.start > start) break;
      if (start < r.end) block = r;
    }
    out.push({ b, start, done, block });
  }
  return out.sort((a, b) => a.done - b.done);
}
