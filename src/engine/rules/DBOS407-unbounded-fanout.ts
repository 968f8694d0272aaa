// DBOS407: `DBOS.start_workflow(...)` in a loop or comprehension: every workflow starts at once in this
// process, without any limit. A queue with a concurrency limit is the tool for fan-out. Hint.
// Quiet in tests, for loops over a literal collection or `range(<literal>)` (bounded), and when the
// loop waits for each workflow before starting the next (`handle.get_result()` in the loop).
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { CallInfo } from '../model/types';
import type { Fix } from '../types';
import { literal, queueDeclarations } from '../model/queues';
import { enclosingLoop } from '../syntax/enclosing';

const START = new Set(['dbos.DBOS.start_workflow', 'dbos.DBOS.start_workflow_async']);

/** The iterable of a `for` loop or of the first `for` clause of a comprehension. */
function iterableOf(loop: Node): Node | null {
  if (loop.type === 'for_statement') return loop.childForFieldName('right');
  const clause = loop.namedChildren.find((c) => c?.type === 'for_in_clause');
  return clause?.childForFieldName('right') ?? null;
}

/** A collection whose size is written in the code: `[a, b]`, `("x", "y")`, `range(10)`. */
function isBounded(ctx: RuleContext, loop: Node): boolean {
  if (loop.type === 'while_statement') return false;
  let it = iterableOf(loop);
  if (!it) return false;
  if (it.type === 'call' && ctx.model.resolve(it.childForFieldName('function')) === 'builtins.enumerate') {
    it = it.childForFieldName('arguments')?.namedChildren[0] ?? null;
    if (!it) return false;
  }
  if (it.type === 'list' || it.type === 'tuple' || it.type === 'set') return !it.namedChildren.some((c) => c?.type === 'list_splat');
  if (it.type === 'call' && ctx.model.resolve(it.childForFieldName('function')) === 'builtins.range') {
    const args = it.childForFieldName('arguments')?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
    return args.length > 0 && args.every((a) => literal(ctx.model, a)?.t === 'num');
  }
  return false;
}

/** The loop waits for each started workflow: `start(...).get_result()` or `h = start(...)` then `h.get_result()` in the loop. */
function waitsInLoop(ctx: RuleContext, call: CallInfo, loop: Node): boolean {
  const { model } = ctx;
  let n: Node = call.node;
  while (n.parent?.type === 'parenthesized_expression' || n.parent?.type === 'await') n = n.parent;
  const p = n.parent;
  if (p?.type === 'attribute' && p.childForFieldName('object')?.id === n.id) {
    return /^get_result$/.test(model.textOf(p.childForFieldName('attribute')!));
  }
  if (p?.type === 'assignment' && p.childForFieldName('right')?.id === n.id) {
    const left = p.childForFieldName('left');
    if (left?.type !== 'identifier') return false;
    const name = model.textOf(left);
    const body = loop.type === 'for_statement' || loop.type === 'while_statement' ? loop.childForFieldName('body') : null;
    if (!body) return false;
    return model.identifierUses(name, body).some((id) => {
      const ip = id.parent;
      return id.startIndex > left.startIndex && ip?.type === 'attribute' && ip.childForFieldName('object')?.id === id.id && model.textOf(ip.childForFieldName('attribute')!) === 'get_result';
    });
  }
  return false;
}

function check(ctx: RuleContext): void {
  const { model } = ctx;
  if (model.isTestFile) return;
  for (const call of model.calls) {
    const fqn = model.calleeFqn(call);
    if (!fqn || !START.has(fqn)) continue;
    const loop = enclosingLoop(call.node);
    if (!loop || isBounded(ctx, loop) || waitsInLoop(ctx, call, loop)) continue;
    if (model.expectsFailure(call.node)) continue;
    const where = loop.type === 'while_statement' ? 'a `while` loop' : loop.type === 'for_statement' ? 'a `for` loop' : 'a comprehension';
    ctx.report({
      node: call.node,
      message:
        `\`${model.textOf(call.callee)}(...)\` in ${where} starts every workflow at once, with no limit\n` +
        `Each workflow starts running at once in this process, so a large input ` +
        `starts them all together (threads, connections, a downstream API's rate limit). DBOS does not complain. ` +
        `Enqueue them instead on a queue registered with \`worker_concurrency\` or \`global_concurrency\` (\`DBOS.enqueue_workflow("<queue>", ...)\`).`,
      fixes: enqueueFixes(ctx, call, fqn),
    });
  }
}

/** "Enqueue on queue "<q>" instead": one fix per queue this file registers by a literal name. */
function enqueueFixes(ctx: RuleContext, call: CallInfo, fqn: string): Fix[] {
  const { model } = ctx;
  if (call.calleeType !== 'attribute' || !call.args || call.args.type !== 'argument_list') return [];
  const attr = call.callee.childForFieldName('attribute')!;
  const names = [...new Set(queueDeclarations(model).filter((d) => !d.legacy && d.name !== null && /^dbos\.DBOS\.register_queue(_async)?$/.test(model.calleeFqn(d.call) ?? '')).map((d) => d.name!))];
  const method = fqn.endsWith('_async') ? 'enqueue_workflow_async' : 'enqueue_workflow';
  const first = call.args.namedChildren.find((c) => c && c.type !== 'comment');
  if (!first || first.type === 'keyword_argument' || first.type === 'list_splat' || first.type === 'dictionary_splat') return [];
  return names.slice(0, 3).map((q) => ({
    title: `Enqueue on queue "${q}" instead (\`${method}\`)`,
    safe: false,
    edits: [model.lines.edit(attr.startIndex, attr.endIndex, method), model.lines.edit(first.startIndex, first.startIndex, `${JSON.stringify(q)}, `)],
  }));
}

export const rule: Rule = { code: 'DBOS407', requires: ['start_workflow'], check };
